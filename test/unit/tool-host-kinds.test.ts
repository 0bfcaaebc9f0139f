// Every tool in the catalog called with a Hugging Face Jobs host (a namespace with a workdir on this machine, not a
// machine): the tools that work with such a host do not refuse it; every other tool refuses it with one message,
// before anything runs, and leaves the host's workdir as it was. A tool without a host-kind declaration fails here.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { hostKindsOf, TOOL_HOST_KINDS } from "../../src/tools/host-kinds.js";
import { allTools } from "../../src/tools/index.js";
import { invokeTool } from "../../src/tools/invoke.js";

const dir = mkdtempSync(join(tmpdir(), "host-kinds-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hubDir = join(dir, "hub");
const gpuDir = join(dir, "gpu");
mkdirSync(hubDir);
mkdirSync(gpuDir);

const RUN = "run-20261202-120000-abcd";
const HF_REFUSAL = (tool: string) =>
  `${tool} runs commands on a machine; host hub is a Hugging Face Jobs namespace. Use check_env, ` +
  `build_configs {trainer: "trl"}, launch_train, list_runs, tail_logs, stop_run, diagnose_error with it.`;

/**
 * One call per tool naming the hf-jobs host "hub" (two where an argument decides). A tool missing here fails the
 * first test, so no tool escapes the check.
 */
const CALLS: [string, Record<string, unknown>][] = [
  ["list_hosts", { probe: false }],
  ["audit_log", { host: "hub", limit: 1 }],
  ["check_env", { host: "hub" }],
  ["install_stack", { host: "hub" }],
  ["tail_logs", { host: "hub", runId: RUN }],
  ["prepare_dataset", { host: "hub", input: "in.json", output: "out" }],
  ["validate_dataset", { host: "hub", path: "data.json" }],
  ["find_model", { query: "qwen2.5-vl-7b" }],
  ["estimate_memory", { host: "hub", model: "qwen2.5vl-7b", hbmFromHost: true }],
  ["build_configs", { host: "hub", model: "Qwen/Qwen2.5-0.5B", trainer: "trl", dataset: "trl-lib/Capybara" }],
  ["build_configs", { host: "hub", model: "qwen2.5vl-7b" }],
  ["convert_weights", { host: "hub", model: "qwen2.5vl-7b" }],
  ["launch_train", { host: "hub", script: "train.py" }],
  ["list_runs", { host: "hub" }],
  ["stop_run", { host: "hub", runId: RUN }],
  ["resume_run", { host: "hub", runId: RUN }],
  ["export_scheduler_job", { host: "hub", runId: RUN }],
  ["diagnose_error", { host: "hub", runId: RUN }],
  ["apply_fix", { host: "hub", runId: RUN }],
  ["plan_finetune", { host: "hub", model: "qwen2.5-vl-7b" }],
  ["export_model", { host: "hub", runId: RUN, format: "gguf" }],
  ["export_model", { host: "hub", runId: RUN }],
  ["run_inference", { host: "hub", runId: RUN }],
  ["evaluate_model", { host: "hub", runId: RUN }],
];

interface Ops {
  ops: string[];
}

/** Records every operation a tool makes through a host's executor. */
function recording(inner: HostExecutor, rec: Ops): HostExecutor {
  const r = Object.create(inner) as HostExecutor;
  r.run = async (argv, opts) => {
    rec.ops.push(`${inner.name}: run ${argv.join(" ")}`);
    return inner.run(argv, opts);
  };
  r.runScript = async (script, opts) => {
    rec.ops.push(`${inner.name}: script ${script.slice(0, 80)}`);
    return inner.runScript(script, opts);
  };
  r.writeFile = async (path, content, opts) => {
    rec.ops.push(`${inner.name}: write ${path}`);
    return inner.writeFile(path, content, opts);
  };
  r.spawnDetached = async (argv, opts) => {
    rec.ops.push(`${inner.name}: spawn ${argv.join(" ")}`);
    return inner.spawnDetached(argv, opts);
  };
  r.readFile = async (path, opts) => {
    rec.ops.push(`${inner.name}: read ${path}`);
    return inner.readFile(path, opts);
  };
  return r;
}

function registry(rec: Ops) {
  const hub = HostSettingsSchema.parse({
    accelerator: "hf-jobs",
    workdir: hubDir,
    hfJobs: { namespace: "acme", endpoint: "http://127.0.0.1:9", tokenFile: join(dir, "no-token") },
  });
  const gpu = HostSettingsSchema.parse({ accelerator: "cuda", workdir: gpuDir });
  return new HostRegistry({ file: null, hosts: { hub, gpu } }, async (name, settings) =>
    recording(new LocalExecutor(name, settings), rec),
  );
}

const deps = (hosts: HostRegistry) => ({ hosts, now: () => new Date(), progress: () => {}, log: () => {} });
const listing = (d: string): string[] => readdirSync(d, { recursive: true }).map(String).sort();
const tool = (name: string) => allTools.find((t) => t.name === name)!;

describe("host kinds: every tool with a Hugging Face Jobs host", () => {
  it("every tool declares its host kinds and has a call here", () => {
    const names = allTools.map((t) => t.name).sort();
    expect(Object.keys(TOOL_HOST_KINDS).sort()).toEqual(names);
    expect([...new Set(CALLS.map(([n]) => n))].sort()).toEqual(names);
  });

  for (const [name, args] of CALLS) {
    const parsed = tool(name).input.parse(args) as Record<string, unknown>;
    const supported = hostKindsOf(name, parsed).includes("hf-jobs");
    it(`${name} ${JSON.stringify(args)} ${supported ? "is not refused" : "is refused and changes nothing"}`, async () => {
      const rec: Ops = { ops: [] };
      const hosts = registry(rec);
      const before = listing(hubDir);
      try {
        const outcome = await invokeTool(tool(name), args, deps(hosts));
        const error = outcome.ok ? "" : outcome.error;
        if (supported) {
          expect(error).not.toContain("is a Hugging Face Jobs namespace");
          expect(outcome.ok || outcome.kind !== "input").toBe(true);
        } else {
          expect(outcome).toEqual({ ok: false, kind: "tool", error: HF_REFUSAL(name) });
          expect(rec.ops).toEqual([]);
          expect(listing(hubDir)).toEqual(before);
        }
      } finally {
        await hosts.closeAll();
      }
    }, 30_000);
  }

  it("a run named by id alone is refused when it ran on a Hugging Face Jobs host, without writing", async () => {
    const runs = join(hubDir, ".ascend-train", "runs");
    mkdirSync(runs, { recursive: true });
    const record = {
      version: 1,
      id: RUN,
      createdAt: "2026-12-02T12:00:00.000Z",
      hosts: ["hub"],
      nodes: [],
      workdir: hubDir,
      script: join(hubDir, "train.py"),
      command: [],
      env: {},
      configHashes: {},
      saveDir: null,
      loadDir: null,
      masterAddr: "127.0.0.1",
      masterPort: 29500,
      parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 1 },
      trainIters: null,
      state: "launched",
      stoppedAt: null,
      stopSignal: null,
      resumedFrom: null,
      resumeIteration: null,
    };
    writeFileSync(join(runs, `${RUN}.json`), JSON.stringify(record));
    const rec: Ops = { ops: [] };
    const hosts = registry(rec);
    const before = listing(hubDir);
    let after: string[] = [];
    try {
      for (const name of ["evaluate_model", "run_inference", "apply_fix"]) {
        const outcome = await invokeTool(tool(name), { runId: RUN }, deps(hosts));
        expect(outcome).toEqual({ ok: false, kind: "tool", error: HF_REFUSAL(name) });
      }
      after = listing(hubDir);
    } finally {
      await hosts.closeAll();
      rmSync(join(hubDir, ".ascend-train"), { recursive: true, force: true });
    }
    // Finding the run reads the ledgers; nothing is written or started.
    expect(rec.ops.filter((op) => / (write|spawn) /.test(op))).toEqual([]);
    expect(before).toContain(join(".ascend-train", "runs", `${RUN}.json`));
    expect(after).toEqual(before);
  });

  it("list_hosts lists a Hugging Face Jobs host without running a probe for it on this machine", async () => {
    const rec: Ops = { ops: [] };
    const hosts = registry(rec);
    const outcome = await invokeTool(tool("list_hosts"), {}, deps(hosts));
    await hosts.closeAll();
    const listed = outcome.ok ? (outcome.result.hosts as { name: string; error: string | null }[]) : [];
    expect(listed.find((h) => h.name === "hub")?.error).toBe(
      "not probed: a Hugging Face Jobs namespace, not a machine (check_env asks the Hub)",
    );
    expect(rec.ops.filter((op) => op.startsWith("hub:"))).toEqual([]);
    expect(rec.ops).toContain("gpu: run true");
  });

  it("says it in the terminal's words at the CLI door", async () => {
    const hosts = registry({ ops: [] });
    const outcome = await invokeTool(tool("install_stack"), { host: "hub" }, deps(hosts), renderCliHint);
    await hosts.closeAll();
    expect(outcome.ok ? "" : outcome.error).toContain("ascend-train build-configs --trainer trl");
  });

  it("a CUDA host refuses the tools that run MindSpeed-MM programs, naming the TRL tools", async () => {
    const rec: Ops = { ops: [] };
    const hosts = registry(rec);
    try {
      for (const name of ["convert_weights", "export_scheduler_job"]) {
        const args = name === "convert_weights" ? { host: "gpu", model: "qwen2.5vl-7b" } : { host: "gpu", runId: RUN };
        const outcome = await invokeTool(tool(name), args, deps(hosts));
        expect(outcome.ok ? "" : outcome.error).toMatch(
          new RegExp(
            `^${name} runs MindSpeed-MM programs on Ascend NPUs; host gpu is a CUDA host \\(TRL\\)\\. Use check_env, install_stack`,
          ),
        );
      }
    } finally {
      await hosts.closeAll();
    }
    expect(rec.ops).toEqual([]);
    expect(listing(gpuDir)).toEqual([]);
  });
});
