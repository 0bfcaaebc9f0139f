// launch_train's pre-flight and the run lifecycle on this machine (LocalExecutor, real temp dirs): each failure
// names its fix; a confirmed launch writes the ledger, list_runs finds the run, stop_run ends its process group.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import launchTrain from "../../src/tools/launch-train.js";
import listRuns from "../../src/tools/list-runs.js";
import resumeRun from "../../src/tools/resume-run.js";
import stopRun from "../../src/tools/stop-run.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";

/** A fix as the terminal prints it: its commands, each checked against the CLI's own flags. */
const inTerminal = (fix: string | null | undefined) => {
  const text = renderHints(fix ?? "", renderCliHint);
  expect(hintProblems(text, { host: "npu" })).toEqual([]);
  return { text, commands: printedCommands(text) };
};

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "host-outputs");
const root = mkdtempSync(join(tmpdir(), "runs-preflight-"));
const servers: Server[] = [];
const started: number[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const pid of started) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(root, { recursive: true, force: true });
});

/** A fake torchrun: prints MindSpeed-MM iteration lines, then finishes (or keeps going). */
const TORCHRUN = `#!/bin/bash
total=\${FAKE_ITERS:-1000}
echo "training ..."
for i in $(seq 1 "$total"); do
  printf ' [2026-01-01 10:00:00] iteration %8d/%8d | consumed samples: %12d | elapsed time per iteration (ms): 200.0 | learning rate: 1.000000E-05 | global batch size:     8 | loss: 1.500000E+00 | grad norm: 2.000 |\\n' "$i" "$total" "$((i*8))"
  sleep 0.05
done
echo "[after training is done] datetime: 2026-01-01 10:00:01 "
`;

let n = 0;
function host(opts: { npuSmi?: string; dfKb?: number } = {}) {
  const dir = join(root, `h${n++}`);
  const wd = join(dir, "mm");
  for (const d of ["bin", "mm/configs", "mm/data", "mm/hf", "mm/ckpt/release/mp_rank_00", "mm/logs"]) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, "bin/torchrun"), TORCHRUN, { mode: 0o755 });
  copyFileSync(join(FIXTURES, opts.npuSmi ?? "npu-smi-info-910b-idle.txt"), join(dir, "npu-smi.txt"));
  writeFileSync(join(dir, "bin/npu-smi"), `#!/bin/sh\ncat ${join(dir, "npu-smi.txt")}\n`, { mode: 0o755 });
  if (opts.dfKb !== undefined) {
    writeFileSync(
      join(dir, "bin/df"),
      `#!/bin/sh\necho "Filesystem 1024-blocks Used Available Capacity Mounted on"\necho "/dev/x 100 1 ${opts.dfKb} 1% /"\n`,
      { mode: 0o755 },
    );
  }
  writeFileSync(join(wd, "data/train.json"), "[]");
  writeFileSync(join(wd, "ckpt/release/mp_rank_00/model_optim_rng.pt"), "x".repeat(4096));
  writeFileSync(join(wd, "ckpt/latest_checkpointed_iteration.txt"), "release");
  const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
    outputDir: join(wd, "configs"),
    hfDir: join(wd, "hf"),
    ckptDir: join(wd, "ckpt"),
    saveDir: join(wd, "save"),
    dataset: join(wd, "data/train.json"),
    trainIters: 20,
  });
  for (const f of plan.files) writeFileSync(join(wd, "configs", f.name), f.text);
  const settings = HostSettingsSchema.parse({
    workdir: wd,
    path: [join(dir, "bin")],
    cannRoot: join(dir, "Ascend"),
    env: { FAKE_ITERS: "1000" },
  });
  const hosts = new HostRegistry({ file: null, hosts: { npu: settings } });
  const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
  return { dir, wd, deps, script: "configs/finetune_qwen2_5_vl_3b.sh" };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function busyPort(): Promise<number> {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "0.0.0.0", () => r()));
  return (srv.address() as { port: number }).port;
}

const errors = (r: { checks: { id: string; ok: boolean; message: string; fix: string | null }[] }) =>
  r.checks.filter((c) => !c.ok);

describe("launch_train pre-flight", () => {
  let h: ReturnType<typeof host>;
  beforeEach(() => {
    h = host();
  });

  it("passes on a prepared host and returns the exact plan without starting anything", async () => {
    // A port of our own: other suites on this machine may hold the default 6000.
    const masterPort = await freePort();
    const r = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: h.script, masterPort }), h.deps);
    expect(errors(r)).toEqual([]);
    expect(r.started).toBe(false);
    expect(r.pids).toEqual([]);
    const node = r.plan!.nodes[0]!;
    expect(node.command).toEqual(["bash", node.wrapper]);
    expect(node.env).toMatchObject({ NODE_RANK: "0", NNODES: "1", MASTER_PORT: String(masterPort) });
    expect(r.plan!.wrapperScript).toContain(`bash ${h.wd}/configs/finetune_qwen2_5_vl_3b.sh`);
    expect(r.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(["weights", "save-dir", "disk", "master-port", "hccl-ports", "npus"]),
    );
  });

  it("warns, without refusing, when the layout's estimated memory exceeds the NPUs' HBM, with the nearest fitting layout", async () => {
    const plan = resolveTrainingPlan("qwen2.5vl-72b", undefined, {
      outputDir: join(h.wd, "configs"),
      hfDir: join(h.wd, "hf"),
      ckptDir: join(h.wd, "ckpt"),
      saveDir: join(h.wd, "save72"),
      dataset: join(h.wd, "data/train.json"),
      npusPerNode: 8,
      nodes: 1,
      tp: 8,
      pp: 1,
      trainIters: 20,
    });
    for (const f of plan.files) writeFileSync(join(h.wd, "configs", f.name), f.text);
    const script = `configs/${plan.files.find((f) => f.name.endsWith(".sh"))!.name}`;
    const r = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script, masterPort: await freePort() }),
      h.deps,
    );
    const memory = r.checks.find((c) => c.id === "memory-fit");
    expect(memory?.level).toBe("warning");
    expect(memory?.ok).toBe(true);
    expect(memory?.message).toMatch(/qwen2\.5vl-72b on 8 NPUs \(TP 8, PP 1.*GiB of 64 per rank, does not fit/);
    // The fix is the two commands to type: the rebuild and the conversion, with the same layout.
    const { commands } = inTerminal(memory?.fix);
    expect(commands.map((c) => c.tool)).toEqual(["build_configs", "convert_weights"]);
    const [rebuild, convert] = commands;
    expect(rebuild!.args).toMatchObject({ host: "npu", model: "qwen2.5vl-72b", overwrite: true });
    for (const field of ["tp", "pp", "llmLayerSplit"]) expect(convert!.args[field]).toBe(rebuild!.args[field]);
    expect(convert!.args).toMatchObject({ model: "qwen2.5vl-72b", overwrite: true, confirm: true });
    const small = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: h.script, masterPort: await freePort() }),
      h.deps,
    );
    expect(small.checks.find((c) => c.id === "memory-fit")).toBeUndefined();
  });

  it("refuses a script built for more NPUs per node than the host has, with the rebuild to type", async () => {
    const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
      outputDir: join(h.wd, "configs16"),
      hfDir: join(h.wd, "hf"),
      ckptDir: join(h.wd, "ckpt"),
      saveDir: join(h.wd, "save16"),
      dataset: join(h.wd, "data/train.json"),
      npusPerNode: 16,
      trainIters: 20,
    });
    mkdirSync(join(h.wd, "configs16"), { recursive: true });
    for (const f of plan.files) writeFileSync(join(h.wd, "configs16", f.name), f.text);
    const script = `configs16/${plan.files.find((f) => f.name.endsWith(".sh"))!.name}`;
    const r = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script, masterPort: await freePort() }),
      h.deps,
    );
    const npus = errors(r).find((c) => c.id === "npus");
    expect(npus?.message).toMatch(/needs 16 NPUs per node but npu has 8/);
    const { commands } = inTerminal(npus?.fix);
    expect(commands[0]).toMatchObject({
      tool: "build_configs",
      args: { host: "npu", npusPerNode: "8", overwrite: true },
    });
  });

  it("names the fix for a missing script, wrong weights split, used save dir, busy ports and NPUs", async () => {
    const missing = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: "configs/nope.sh" }),
      h.deps,
    );
    expect(errors(missing)[0]).toMatchObject({ id: "script" });
    expect(errors(missing)[0]!.fix).toMatch(/build_configs/);

    rmSync(join(h.wd, "ckpt/release/mp_rank_00"), { recursive: true });
    mkdirSync(join(h.wd, "ckpt/release/mp_rank_00_000"), { recursive: true });
    mkdirSync(join(h.wd, "ckpt/release/mp_rank_00_001"), { recursive: true });
    mkdirSync(join(h.wd, "save"), { recursive: true });
    writeFileSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), "10");
    const port = await busyPort();
    const hccl = await busyPort();
    const r = await launchTrain.handle(
      launchTrain.input.parse({
        host: "npu",
        script: h.script,
        masterPort: port,
        env: { HCCL_IF_BASE_PORT: String(hccl - 3) },
      }),
      h.deps,
    );
    const byId = Object.fromEntries(errors(r).map((c) => [c.id, c]));
    expect(byId.weights!.message).toMatch(/split for tp=1, pp=2; the script trains with tp=1, pp=1/);
    expect(inTerminal(byId.weights!.fix).commands[0]!.args).toMatchObject({ tp: "1", pp: "1", overwrite: true });
    expect(byId["save-dir"]!.message).toMatch(/checkpoints up to iteration 10/);
    expect(byId["save-dir"]!.fix).toMatch(/resume_run/);
    expect(byId["master-port"]!.message).toContain(String(port));
    // Each names a free place to launch instead: a port above the taken one, a HCCL base past the taken range.
    const freePort = Number(/--master-port (\d+)/.exec(inTerminal(byId["master-port"]!.fix).text)?.[1]);
    expect(freePort).toBeGreaterThan(port);
    expect(byId["hccl-ports"]!.message).toContain(String(hccl));
    const base = Number(/"HCCL_IF_BASE_PORT":"(\d+)"/.exec(inTerminal(byId["hccl-ports"]!.fix).text)?.[1]);
    expect(base).toBeGreaterThan(hccl);
    expect(r.started).toBe(false);
  });

  it("refuses a LoRA run on a base converted for a full fine-tune, from convert_weights' record", async () => {
    const lora = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
      variant: "lora",
      outputDir: join(h.wd, "configs"),
      hfDir: join(h.wd, "hf"),
      ckptDir: join(h.wd, "ckpt"),
      saveDir: join(h.wd, "save"),
      dataset: join(h.wd, "data/train.json"),
      trainIters: 20,
    });
    for (const f of lora.files) writeFileSync(join(h.wd, "configs", f.name), f.text);
    const record = (variant: string) =>
      JSON.stringify({
        tool: "ascend-train convert_weights",
        version: 1,
        model: "qwen2.5vl-3b",
        release: lora.release,
        variant,
        converter: "Qwen2_5_VLConverter",
        method: "hf_to_mm",
        format: "megatron",
        tp: 1,
        pp: 1,
        ep: 1,
        layerSplit: { llm: [36], vit: [32] },
        source: "/hf",
        output: join(h.wd, "ckpt"),
        command: "mm-convert …",
        createdAt: "2026-01-01T00:00:00Z",
      });
    writeFileSync(join(h.wd, "ckpt", "ascend-train-convert.json"), record(""));
    const masterPort = await freePort();
    const r = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: h.script, masterPort }), h.deps);
    const weights = errors(r).find((c) => c.id === "weights");
    expect(weights?.message).toMatch(/trains LoRA adapters.*enable_canonical_hf_struct/);
    expect(inTerminal(weights?.fix).commands[0]!.args).toMatchObject({ model: "qwen2.5vl-3b", variant: "lora" });
    writeFileSync(join(h.wd, "ckpt", "ascend-train-convert.json"), record("lora"));
    const ok = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: h.script, masterPort }), h.deps);
    expect(errors(ok).filter((c) => c.id === "weights")).toEqual([]);
  });

  it("refuses weights converted with another layer split, from convert_weights' record", async () => {
    const marker = {
      tool: "ascend-train convert_weights",
      version: 1,
      model: "qwen2.5vl-3b",
      release: "v26.1.0",
      variant: "default",
      converter: "Qwen2_5_VLConverter",
      method: "hf_to_mm",
      format: "megatron",
      tp: 1,
      pp: 1,
      ep: 1,
      layerSplit: { llm: [35], vit: [32] },
      source: "/hf",
      output: join(h.wd, "ckpt"),
      command: "mm-convert …",
      createdAt: "2026-01-01T00:00:00Z",
    };
    writeFileSync(join(h.wd, "ckpt", "ascend-train-convert.json"), JSON.stringify(marker));
    const masterPort = await freePort();
    const r = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: h.script, masterPort }), h.deps);
    const weights = errors(r).find((c) => c.id === "weights");
    expect(weights?.message).toMatch(/different split: .*35.*36/);
    expect(weights?.fix).toMatch(/llm layers \[36\]/);
    expect(inTerminal(weights?.fix).commands[0]!.args).toMatchObject({ llmLayerSplit: "36", confirm: true });
    writeFileSync(
      join(h.wd, "ckpt", "ascend-train-convert.json"),
      JSON.stringify({ ...marker, layerSplit: { llm: [36], vit: [32] } }),
    );
    const ok = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: h.script, masterPort }), h.deps);
    expect(errors(ok)).toEqual([]);
    expect(ok.checks.find((c) => c.id === "weights")?.message).toMatch(/layer split matches the conversion record/);
  });

  it("refuses NPUs held by another process, and too little disk for the checkpoints", async () => {
    const busy = host({ npuSmi: "npu-smi-info-910b-busy-mixed.txt", dfKb: 10 });
    const r = await launchTrain.handle(launchTrain.input.parse({ host: "npu", script: busy.script }), busy.deps);
    const npus = errors(r).find((c) => c.id === "npus")!;
    expect(npus.message).toMatch(/NPUs 0-7 on npu are held by another process: pid \d+/);
    expect(npus.fix).toMatch(/kill \d+/);
    expect(errors(r).find((c) => c.id === "disk")!.message).toMatch(/only 0\.0 GiB are free/);
    // Other NPUs, free ones: the holders no longer matter.
    const idle = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: busy.script, env: { ASCEND_RT_VISIBLE_DEVICES: "1,2,3" } }),
      busy.deps,
    );
    expect(errors(idle).find((c) => c.id === "npus")).toBeUndefined();
  });
});

describe("run lifecycle on this machine", () => {
  /** A confirmed launch whose torchrun is this script, its early exit read after 1.5 s. */
  const launchWithTorchrun = async (torchrun: string) => {
    const h = host();
    writeFileSync(join(h.dir, "bin/torchrun"), torchrun, { mode: 0o755 });
    const r = await launchTrain.handle(
      launchTrain.input.parse({
        host: "npu",
        script: h.script,
        masterPort: await freePort(),
        confirm: true,
        settleSeconds: 1.5,
      }),
      h.deps,
    );
    return { ...r, deps: h.deps };
  };

  it("a run that dies right after the start is started but failed (the CLI exits 1), with its exit status", async () => {
    const r = await launchWithTorchrun('#!/bin/sh\necho "RuntimeError: cannot start" >&2\nexit 3\n');
    expect(r.started).toBe(true);
    expect(r.exitedEarly).toEqual([{ host: "npu", exit: "3" }]);
    expect(r.next).toMatch(/exited right after the start/);
    expect(launchTrain.failed!(r)).toBe(true);
  });

  it("a run that finishes before the settle time is a success that names tail_logs, not a failure to diagnose", async () => {
    const { deps, ...r } = await launchWithTorchrun('#!/bin/sh\necho " iteration 2/ 2 | lm loss: 1.0"\nexit 0\n');
    expect(r.exitedEarly).toEqual([{ host: "npu", exit: "0" }]);
    expect(r.next).toMatch(/already finished \(exit 0\) on npu/);
    expect(r.next).not.toContain("diagnose");
    expect(launchTrain.failed!(r)).toBe(false);
    // Asked why it failed, diagnose_error says it did not: it finished, and names how it knows.
    const why = await diagnoseError.handle(diagnoseError.input.parse({ runId: r.runId }), deps);
    expect(why.summary).toMatch(/did not fail: it finished \(normal end .*\), and its logs show no error\./);
    expect(why.findings).toEqual([]);
  });

  it("a live run whose log went silent is diagnosed stalled from the ledger's one reading of it", async () => {
    const { deps, ...r } = await launchWithTorchrun(
      '#!/bin/sh\nfor i in 1 2 3; do echo " iteration $i/ 50 | elapsed time per iteration (ms): 2000.0 | lm loss: 1.5E+00 |"; done\nexec sleep 120\n',
    );
    started.push(...r.pids.map((p) => p.pid));
    expect(r.exitedEarly).toEqual([]);
    // An hour later by the clock the tools read, the process still lives and its log has said nothing since.
    const later: ToolDeps = { ...deps, now: () => new Date(Date.now() + 3600_000) };
    const why = await diagnoseError.handle(diagnoseError.input.parse({ runId: r.runId }), later);
    expect(why.summary).toMatch(/^stalled: no progress for 60 minutes/);
    expect(why.findings[0]!.category).toBe("stalled");
    expect(why.findings[0]!.evidence.map((e) => e.text).join("\n")).toContain("iteration 3/ 50");
    await stopRun.handle(stopRun.input.parse({ runId: r.runId, confirm: true, graceSeconds: 5 }), deps);
    // Stopped on request, the same question gets that answer and no stall.
    const after = await diagnoseError.handle(diagnoseError.input.parse({ runId: r.runId }), later);
    expect(after.summary).toMatch(/did not fail: it was stopped on request/);
  }, 30_000);

  it("a confirmed launch starts under the run id its plan showed, and that id is never reused", async () => {
    const h = host();
    const masterPort = await freePort();
    const plan = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: h.script, masterPort }),
      h.deps,
    );
    expect(plan.started).toBe(false);
    expect(plan.next).toContain(JSON.stringify({ args: { confirm: true, runId: plan.runId } }));
    expect(launchTrain.summarize(plan)).toContain(`planned run id ${plan.runId}`);
    const run = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: h.script, masterPort, runId: plan.runId, confirm: true }),
      h.deps,
    );
    started.push(...run.pids.map((p) => p.pid));
    expect(run.started).toBe(true);
    expect(run.runId).toBe(plan.runId);
    expect(run.plan!.nodes[0]!.logFile).toBe(plan.plan!.nodes[0]!.logFile);
    await expect(
      launchTrain.handle(
        launchTrain.input.parse({ host: "npu", script: h.script, runId: plan.runId, confirm: true }),
        h.deps,
      ),
    ).rejects.toThrow(/already exists on npu: call again without runId/);
    await stopRun.handle(stopRun.input.parse({ runId: run.runId, confirm: true, graceSeconds: 5 }), h.deps);
  }, 30_000);

  it("launches detached, lists the run from its ledger, stops the process group, and plans a resume", async () => {
    const h = host();
    const masterPort = 20000 + Math.floor(Math.random() * 20000);
    const r = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: h.script, masterPort, confirm: true, settleSeconds: 0.5 }),
      h.deps,
    );
    expect(r.started).toBe(true);
    const pid = r.pids[0]!.pid;
    started.push(pid);
    expect(r.exitedEarly).toEqual([]);
    expect(launchTrain.failed!(r)).toBe(false);

    let run: Awaited<ReturnType<typeof listRuns.handle>>["runs"][number] | undefined;
    for (let i = 0; i < 40; i++) {
      run = (await listRuns.handle(listRuns.input.parse({ host: "npu" }), h.deps)).runs.find(
        (x) => x.runId === r.runId,
      );
      if (run?.iteration) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(run).toMatchObject({ state: "running", totalIterations: 1000, nodes: [{ alive: true }] });
    expect(run!.etaSeconds).toBeGreaterThan(0);
    // Asked why it failed while it runs with no error, diagnose_error says it has not, and how to follow it.
    const running = await diagnoseError.handle(diagnoseError.input.parse({ runId: r.runId }), h.deps);
    expect(running.summary).toMatch(/has not failed: it is running \(.*\), and its logs show no error so far\./);
    expect(running.summary).toContain('"tool":"tail_logs"');
    expect(running.findings).toEqual([]);

    const plan = await stopRun.handle(stopRun.input.parse({ runId: r.runId }), h.deps);
    expect(plan).toMatchObject({ stopped: false, wasRunning: true });
    const stop = await stopRun.handle(stopRun.input.parse({ runId: r.runId, confirm: true, graceSeconds: 5 }), h.deps);
    expect(stop.stopped).toBe(true);
    expect(stop.nodes[0]!.outcome).toBe("terminated");
    // It saved no checkpoint: resuming has nothing to start from, a new launch of the same script does.
    expect(stop.next).not.toContain("resume_run");
    expect(stop.next).toMatch(/saved no checkpoint in .*save, so there is nothing to resume/);
    expect(stop.next).toContain(
      JSON.stringify({
        tool: "launch_train",
        args: { host: "npu", script: `${h.wd}/configs/finetune_qwen2_5_vl_3b.sh` },
      }),
    );
    const after = (await listRuns.handle(listRuns.input.parse({}), h.deps)).runs.find((x) => x.runId === r.runId)!;
    expect(after.state).toBe("stopped");
    expect(after.etaSeconds).toBeNull();
    const none = await listRuns.handle(listRuns.input.parse({ host: "npu", active: true }), h.deps);
    expect(listRuns.summarize(none)).toBe("No active runs.");
    const why = await diagnoseError.handle(diagnoseError.input.parse({ runId: r.runId }), h.deps);
    expect(why.summary).toMatch(/did not fail: it was stopped on request with SIGTERM/);
    // No "unknown" finding with a "get more detail" fix, nor a hedge from public cases, beside that answer.
    expect(why.findings).toEqual([]);
    expect(after.nodes[0]!.alive).toBeNull();

    // A checkpoint the run would have saved; resume loads it without the optimizer skips.
    mkdirSync(join(h.wd, "save/iter_0000010/mp_rank_00"), { recursive: true });
    writeFileSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), "10");
    // Stopping it again changes nothing and says what follows from the checkpoint: the script saves no optimizer
    // state, so the resume it names is the one resume_run accepts.
    const again = await stopRun.handle(stopRun.input.parse({ runId: r.runId, confirm: true }), h.deps);
    expect(again.alreadyEnded).toBe("stopped");
    expect(again.next).toContain(
      JSON.stringify({ tool: "resume_run", args: { runId: r.runId, allowFreshOptimizer: true } }),
    );
    expect(again.next).toContain("(iteration 10)");
    const refused = await resumeRun.handle(resumeRun.input.parse({ runId: r.runId }), h.deps);
    expect(errors(refused).map((c) => c.id)).toEqual(["resumable"]);
    const resume = await resumeRun.handle(resumeRun.input.parse({ runId: r.runId, allowFreshOptimizer: true }), h.deps);
    expect(errors(resume)).toEqual([]);
    expect(resume).toMatchObject({ resumedFrom: r.runId, resumeIteration: 10, started: false });
    expect(resume.next).toContain(JSON.stringify({ args: { confirm: true, newRunId: resume.runId } }));
    expect(resume.changes).toContain(`LOAD_PATH=${h.wd}/save`);

    // The same save directory holding a checkpoint another run wrote (before this one started): no resume from it.
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), hourAgo, hourAgo);
    const foreign = await resumeRun.handle(
      resumeRun.input.parse({ runId: r.runId, allowFreshOptimizer: true }),
      h.deps,
    );
    expect(
      errors(foreign)
        .map((c) => c.message)
        .join("\n"),
    ).toMatch(/another run of the same configs wrote it/);
    expect(foreign.started).toBe(false);

    // Its checkpoint at the last of its 20 iterations: finished, nothing to resume, and what to do instead.
    const now = new Date();
    mkdirSync(join(h.wd, "save/iter_0000020/mp_rank_00"), { recursive: true });
    writeFileSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), "20");
    utimesSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), now, now);
    const done = await resumeRun.handle(resumeRun.input.parse({ runId: r.runId, allowFreshOptimizer: true }), h.deps);
    const finished = errors(done).find((c) => c.id === "resumable")!;
    expect(finished.message).toMatch(/finished: its checkpoint is at iteration 20, the last of its 20/);
    expect(finished.fix).toContain("export_model");
    expect(finished.fix).toContain('"trainIters":40');
    // No build record beside the script: the model it trains, read from the script's name, not a placeholder.
    expect(finished.fix).toContain('"model":"qwen2.5vl-3b"');
    expect(finished.fix).not.toContain("<model>");
    expect(done.started).toBe(false);
  }, 30_000);

  it("judges a checkpoint's optimizer state by the run's configs at launch, not by a rebuild since", async () => {
    const h = host();
    const masterPort = 20000 + Math.floor(Math.random() * 20000);
    const r = await launchTrain.handle(
      launchTrain.input.parse({ host: "npu", script: h.script, masterPort, confirm: true, settleSeconds: 0.5 }),
      h.deps,
    );
    started.push(r.pids[0]!.pid);
    await stopRun.handle(stopRun.input.parse({ runId: r.runId, confirm: true, graceSeconds: 5 }), h.deps);
    mkdirSync(join(h.wd, "save/iter_0000010/mp_rank_00"), { recursive: true });
    writeFileSync(join(h.wd, "save/latest_checkpointed_iteration.txt"), "10");
    // The configs rebuilt to save optimizer state from now on: the run's checkpoints still hold none.
    const scriptFile = join(h.wd, h.script);
    const rebuilt = readFileSync(scriptFile, "utf8").replace(/[ \t]--no-(?:save|load)-(?:optim|rng)\b/g, "");
    expect(rebuilt).not.toMatch(/--no-(?:save|load)-optim/);
    writeFileSync(scriptFile, rebuilt);

    const refused = await resumeRun.handle(resumeRun.input.parse({ runId: r.runId }), h.deps);
    const why = errors(refused).find((c) => c.id === "resumable")!;
    expect(why.message).toMatch(
      /saved no optimizer\/RNG state .*since a rebuild, but its checkpoints were written before/,
    );
    expect(refused.started).toBe(false);
    // stop_run, asked again, names the resume that works for what the run saved.
    const again = await stopRun.handle(stopRun.input.parse({ runId: r.runId, confirm: true }), h.deps);
    expect(again.next).toContain(
      JSON.stringify({ tool: "resume_run", args: { runId: r.runId, allowFreshOptimizer: true } }),
    );
    // With a fresh optimizer, the resumed script skips loading the state the checkpoint lacks.
    const fresh = await resumeRun.handle(resumeRun.input.parse({ runId: r.runId, allowFreshOptimizer: true }), h.deps);
    expect(errors(fresh).filter((c) => c.id === "resumable")).toEqual([]);
    expect(fresh.changes).toContain("added --no-load-optim --no-load-rng");
  }, 30_000);
});
