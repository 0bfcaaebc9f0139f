// check_env: one bounded probe script per host (src/env/check.ts) → facts (machine, NPUs, CANN, Python, live torch_npu, ports) + findings.
import { z } from "zod";
import { checkEnvironment } from "../env/check.js";
import { CudaFactsSchema } from "../env/cuda.js";
import { FindingSchema, HostFactsSchema } from "../env/facts.js";
import { HfJobsFactsSchema } from "../env/hf-jobs.js";
import { normalizeRelease, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { defineTool } from "./tool.js";

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
    masterPort: port
      .optional()
      .describe(
        "MASTER_PORT to check (default: the one launch_train would use: the host's MASTER_PORT, else the port of the model's launch script in the host's configs, else 6000).",
      ),
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
  cuda: CudaFactsSchema.optional().describe("CUDA hosts: driver, CUDA, GPUs, torch, bf16, NCCL, TRL stack, disk"),
  hfJobs: HfJobsFactsSchema.optional().describe("Hugging Face Jobs hosts: token's user, namespace, flavors, prices"),
});

const PORT_REASON = {
  given: "as given",
  host: "the host's setting",
  default: "the default; the host sets none",
} as const;

/** "MASTER_PORT 29500 (the host's setting): free": which port was checked, and why that one. */
function masterPortLine(p: z.infer<typeof HostFactsSchema>["ports"], onEach = false): string {
  const from = p.masterPortFrom;
  const why = !from
    ? ""
    : from === "script"
      ? ` (the launch script's${p.masterPortScript ? `, ${p.masterPortScript}` : ", as build_configs writes it"})`
      : ` (${PORT_REASON[from]})`;
  const state = onEach
    ? "checked on each host"
    : p.masterPortFree === null
      ? "not probed"
      : p.masterPortFree
        ? "free"
        : "in use";
  return `MASTER_PORT ${p.masterPort}${why}: ${state}`;
}

export default defineTool({
  name: "check_env",
  title: "Check an Ascend host's training environment",
  description:
    "Probe a host (or several) in one round trip each: CPU arch, memory, disk, /dev/shm; NPUs from npu-smi (chip, health, " +
    "HBM, processes holding them), driver/firmware; CANN install, layout, version and whether set_env.sh takes effect in the " +
    "tools' shell; Python env with torch, torch_npu, transformers, numpy, MindSpeed, MindSpeed-MM and Megatron; a live " +
    "torch.npu check; MASTER_PORT and HCCL ports. Compares everything with the MindSpeed-MM release matrix and returns " +
    "findings (error/warning/info), each with the value seen, the expected value and one fix command. With `hosts`, also " +
    "reports every difference between hosts that breaks multi-node training. On a host with accelerator cuda: driver, CUDA " +
    "version, GPUs and memory from nvidia-smi, torch with CUDA, bf16, NCCL, the TRL stack and free disk. On a host " +
    "with accelerator hf-jobs (Hugging Face Jobs): the token is valid, the namespace allowed, the flavors and prices. Call before " +
    "install or launch tools.",
  toolset: "hosts",
  kind: "read",
  input: Input,
  output: Output,
  handle: (args, deps) => checkEnvironment(args, deps),
  failed: (r) => !r.ok,
  summarize(r) {
    const counts = ["error", "warning", "info"].map(
      (s) => [s, r.findings.filter((f) => f.severity === s).length] as const,
    );
    const who = r.host ?? (r.hosts ?? []).map((h) => h.host).join(", ");
    const head = `${who} vs ${r.cuda || r.hfJobs ? "" : "MindSpeed-MM "}${r.release}: ${counts.map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`).join(", ")}`;
    const c = r.cuda;
    const hf = r.hfJobs;
    const facts = hf
      ? [
          `Hugging Face Jobs at ${hf.endpoint}: token from ${hf.tokenSource ?? "nowhere"} (${hf.user ?? "not accepted"}), namespace ${hf.namespace ?? "-"}, flavor ${hf.flavor} (${hf.flavors.length} listed)`,
        ]
      : c
        ? [
            `GPUs: ${c.gpus.length} × ${c.gpus[0]?.name ?? "none"} (${c.gpus[0]?.memoryTotalMiB ?? 0} MiB) | driver ${c.driver ?? "none"}, CUDA ${c.cudaVersion ?? "-"}` +
              ` | torch ${c.torch?.version ?? "-"} (CUDA ${c.torch?.cudaAvailable ? "available" : "unavailable"}, bf16 ${c.torch?.bf16 ? "yes" : "no"}) | trl ${c.packages.trl ?? "-"}`,
          ]
        : r.host
          ? [
              `NPUs: ${r.npu?.chipCount ?? 0} × ${r.npu?.chipName ?? "none"} (${r.npu?.npuSmi})` +
                ` | CANN ${r.cann?.version ?? "none"}${r.cann?.effective ? "" : " (not in env)"}` +
                ` | Python ${r.python?.version ?? "none"}, torch ${r.python?.packages.torch?.version ?? "-"}, torch_npu ${r.python?.packages.torch_npu?.version ?? "-"}`,
              ...(r.ports ? [masterPortLine(r.ports)] : []),
            ]
          : r.hosts?.[0]
            ? [masterPortLine(r.hosts[0].ports, true)]
            : [];
    const line = (f: (typeof r.findings)[number]) =>
      `[${f.severity}] ${f.host ? `${f.host}: ` : ""}${f.id}: ${f.title} (${f.evidence})`;
    const lines = r.findings
      .filter((f) => f.severity !== "info")
      .map((f) => `${line(f)}${f.fix ? `\n    fix: ${f.fix}` : ""}`);
    // Info findings too, one line each: the counts in the head line name them.
    const infos = r.findings.filter((f) => f.severity === "info").map(line);
    return [head, ...facts, ...lines, ...infos].join("\n");
  },
});
