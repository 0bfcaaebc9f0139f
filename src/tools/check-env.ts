// check_env: one bounded probe script per host → facts (machine, NPUs, CANN, Python, live torch_npu, ports) + findings.
import { z } from "zod";
import { compareHosts } from "../env/compare.js";
import type { Finding, HostFacts } from "../env/facts.js";
import { FindingSchema, HostFactsSchema } from "../env/facts.js";
import { evaluateHost } from "../env/findings.js";
import { parseProbe } from "../env/parse-probe.js";
import { buildProbeScript } from "../env/probe.js";
import { normalizeRelease, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { getRelease, type ReleaseStack } from "../knowledge/releases.js";
import { defineTool, type ToolDeps, ToolError } from "./tool.js";

const HCCL_PORT_COUNT = 16;
const MAX_PROBE_OUTPUT = 1024 * 1024;

const port = z.number().int().min(1).max(65535);

const Input = z
  .object({
    host: z.string().min(1).optional().describe("Host to check (default 'local')."),
    hosts: z
      .array(z.string().min(1))
      .min(2, "hosts needs at least two names; use host for one")
      .max(64)
      .optional()
      .describe(
        "Several hosts meant to train together: facts side by side plus every difference that breaks multi-node training.",
      ),
    model: z.string().min(1).optional().describe("Model id to check for (e.g. qwen2.5vl-7b): adds its pins and fixes."),
    release: z
      .string()
      .optional()
      .refine((v) => v === undefined || normalizeRelease(v) !== null, {
        message: `unknown MindSpeed-MM release; known: ${RELEASE_TAGS.join(", ")}`,
      })
      .describe("MindSpeed-MM release to check against (default: the newest)."),
    masterPort: port.default(6000).describe("MASTER_PORT the training launch will use."),
    hcclBasePort: port
      .optional()
      .describe("HCCL_IF_BASE_PORT to check (default: the host's HCCL_IF_BASE_PORT, else 60000); 16 ports from it."),
    timeoutMs: z.number().int().min(5_000).max(600_000).default(90_000).describe("Bound on the whole probe per host."),
  })
  .refine((a) => !(a.host && a.hosts), { message: "give either host or hosts, not both", path: ["hosts"] });

const Output = HostFactsSchema.partial().extend({
  release: z.string(),
  model: z.string().nullable(),
  ok: z.boolean().describe("No error finding"),
  hosts: z.array(HostFactsSchema).optional(),
  unreachable: z.array(z.object({ host: z.string(), error: z.string() })).optional(),
  findings: z.array(FindingSchema),
});
type Output = z.output<typeof Output>;

async function probeHost(
  name: string,
  args: z.output<typeof Input>,
  deps: ToolDeps,
): Promise<{ facts: HostFacts; settings: Awaited<ReturnType<ToolDeps["hosts"]["get"]>>["settings"] }> {
  const { settings, executor } = await deps.hosts.get(name);
  const seconds = Math.floor(args.timeoutMs / 1000);
  const script = buildProbeScript(settings, {
    liveTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    npuSmiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
  });
  const run = await executor.runScript(script, {
    timeoutMs: args.timeoutMs,
    maxOutputBytes: MAX_PROBE_OUTPUT,
    signal: deps.signal,
  });
  const facts = parseProbe(run, {
    host: name,
    settings,
    masterPort: args.masterPort,
    hcclBasePort: args.hcclBasePort,
    hcclPortCount: HCCL_PORT_COUNT,
  });
  return { facts, settings };
}

const bySeverity = (a: Finding, b: Finding) =>
  ["error", "warning", "info"].indexOf(a.severity) - ["error", "warning", "info"].indexOf(b.severity);

export default defineTool({
  name: "check_env",
  title: "Check an Ascend host's training environment",
  description:
    "Probe a host (or several) in one round trip each: CPU arch, memory, disk, /dev/shm; NPUs from npu-smi (chip, health, " +
    "HBM, processes holding them), driver/firmware; CANN install, layout, version and whether set_env.sh takes effect in the " +
    "tools' shell; Python env with torch, torch_npu, transformers, numpy, MindSpeed, MindSpeed-MM and Megatron; a live " +
    "torch.npu check; MASTER_PORT and HCCL ports. Compares everything with the MindSpeed-MM release matrix and returns " +
    "findings (error/warning/info), each with the value seen, the expected value and one fix command. With `hosts`, also " +
    "reports every difference between hosts that breaks multi-node training. Call before install or launch tools.",
  toolset: "hosts",
  kind: "read",
  input: Input,
  output: Output,
  async handle(args, deps) {
    let release: ReleaseStack;
    try {
      release = getRelease(args.release);
    } catch (error) {
      throw new ToolError((error as Error).message);
    }
    const names = args.hosts ?? [args.host ?? "local"];
    const model = args.model ?? null;
    let done = 0;
    deps.progress({ progress: 0, total: names.length, message: `probing ${names.join(", ")}` });
    const results = await Promise.all(
      names.map(async (name) => {
        try {
          const r = await probeHost(name, args, deps);
          return { name, ...r, error: null };
        } catch (error) {
          if (names.length === 1) throw error;
          return { name, facts: null, settings: null, error: (error as Error).message };
        } finally {
          deps.progress({ progress: ++done, total: names.length, message: `probed ${name}` });
        }
      }),
    );

    const findings: Finding[] = [];
    const reached: HostFacts[] = [];
    const unreachable: { host: string; error: string }[] = [];
    for (const r of results) {
      if (!r.facts || !r.settings) {
        unreachable.push({ host: r.name, error: r.error ?? "unknown error" });
        findings.push({
          id: "host-unreachable",
          severity: "error",
          title: `${r.name} could not be probed`,
          evidence: r.error ?? "unknown error",
          expected: "the host answers",
          fix: null,
          host: r.name,
        });
        continue;
      }
      reached.push(r.facts);
      const own = evaluateHost(r.facts, { release, settings: r.settings, model });
      findings.push(...(names.length > 1 ? own.map((f) => ({ ...f, host: r.name })) : own));
    }
    findings.push(...compareHosts(reached, release));
    findings.sort(bySeverity);
    const ok = !findings.some((f) => f.severity === "error");

    if (names.length === 1) {
      return { ...reached[0]!, release: release.tag, model, ok, findings } satisfies Output;
    }
    return {
      release: release.tag,
      model,
      ok,
      hosts: reached,
      ...(unreachable.length > 0 ? { unreachable } : {}),
      findings,
    } satisfies Output;
  },
  failed: (r) => !r.ok,
  summarize(r) {
    const counts = ["error", "warning", "info"].map(
      (s) => [s, r.findings.filter((f) => f.severity === s).length] as const,
    );
    const who = r.host ?? (r.hosts ?? []).map((h) => h.host).join(", ");
    const head = `${who} vs MindSpeed-MM ${r.release}: ${counts.map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`).join(", ")}`;
    const facts = r.host
      ? [
          `NPUs: ${r.npu?.chipCount ?? 0} × ${r.npu?.chipName ?? "none"} (${r.npu?.npuSmi})` +
            ` | CANN ${r.cann?.version ?? "none"}${r.cann?.effective ? "" : " (not in env)"}` +
            ` | Python ${r.python?.version ?? "none"}, torch ${r.python?.packages.torch?.version ?? "-"}, torch_npu ${r.python?.packages.torch_npu?.version ?? "-"}`,
        ]
      : [];
    const lines = r.findings
      .filter((f) => f.severity !== "info")
      .map(
        (f) =>
          `[${f.severity}] ${f.host ? `${f.host}: ` : ""}${f.id}: ${f.title} (${f.evidence})${f.fix ? `\n    fix: ${f.fix}` : ""}`,
      );
    return [head, ...facts, ...lines].join("\n");
  },
});
