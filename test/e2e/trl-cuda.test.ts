// TRL on a CUDA host, end to end on the simulated CUDA host through the local executor: check_env reads nvidia-smi
// and torch, build_configs writes the PEP 723 script per method, launch_train plans and then starts a detached
// `accelerate launch`, tail_logs reads the trainer's log into the same metrics as MindSpeed-MM runs, list_runs and
// stop_run see the run; an out-of-memory failure is diagnosed from the log torch wrote.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { HostSettingsSchema, InventorySchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutCudaSim, layOutTrlSampleData, simInitCudaCommand } from "../../src/sim/index.js";
import buildConfigs from "../../src/tools/build-configs.js";
import checkEnv from "../../src/tools/check-env.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import launchTrain from "../../src/tools/launch-train.js";
import listHosts from "../../src/tools/list-hosts.js";
import listRuns from "../../src/tools/list-runs.js";
import resumeRun from "../../src/tools/resume-run.js";
import stopRun from "../../src/tools/stop-run.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";

let base: string;
let simDir: string;
let hosts: HostRegistry;
let data: Record<"sft" | "dpo" | "grpo", string>;
let clock = Date.parse("2026-12-02T12:00:00Z");
const deps = (): ToolDeps => ({
  hosts,
  // Each call a second later: run ids (second resolution plus a random tail) stay distinct and ordered.
  now: () => {
    clock += 1000;
    return new Date(clock);
  },
  progress: () => undefined,
  log: () => undefined,
});

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "trl-cuda-"));
  simDir = join(base, "host");
  const sim = await layOutCudaSim(simDir);
  data = await layOutTrlSampleData(sim.hostSettings.workdir!);
  const settings = HostSettingsSchema.parse({
    ...sim.hostSettings,
    env: { ...sim.hostSettings.env, CUDA_SIM_STEP_SECONDS: "0.02" },
  });
  hosts = new HostRegistry({ file: null, hosts: { gpu: settings } });
}, 60_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

async function build(method: "sft" | "dpo" | "grpo", dataset: string, extra: Record<string, unknown> = {}) {
  return buildConfigs.handle(
    buildConfigs.input.parse({
      host: "gpu",
      trainer: "trl",
      method,
      model: "Qwen/Qwen2.5-0.5B-Instruct",
      dataset,
      trainIters: 6,
      overwrite: true,
      ...extra,
    }),
    deps(),
  );
}

async function launch(script: string, env: Record<string, string> = {}) {
  const plan = await launchTrain.handle(launchTrain.input.parse({ host: "gpu", script, env }), deps());
  expect(plan.preflightOk).toBe(true);
  expect(plan.started).toBe(false);
  expect(plan.plan?.wrapperScript).toContain("accelerate launch --num_processes 8 --main_process_port 29500 ");
  const run = await launchTrain.handle(
    launchTrain.input.parse({ host: "gpu", script, env, confirm: true, settleSeconds: 0 }),
    deps(),
  );
  expect(run.started).toBe(true);
  return run.runId;
}

async function waitUntilDone(runId: string) {
  const end = Date.now() + 20_000;
  for (;;) {
    const t = await tailLogs.handle(tailLogs.input.parse({ runId }), deps());
    if (t.state === "finished" || t.state === "failed") return t;
    if (Date.now() > end) throw new Error(`run ${runId} still ${t.state}: ${t.stateReason}`);
    await sleep(200);
  }
}

describe("TRL on the simulated CUDA host", () => {
  it("sim init --accelerator cuda registers a host with accelerator cuda", async () => {
    const inventoryFile = join(base, "inventory.yaml");
    const summary = await simInitCudaCommand(join(base, "init"), { name: "gpu2", inventoryFile });
    expect(summary).toContain("8x NVIDIA H100 80GB HBM3");
    const inv = InventorySchema.parse(parseYaml(readFileSync(inventoryFile, "utf8")));
    expect(inv.hosts.gpu2?.accelerator).toBe("cuda");
  }, 30_000);

  it("list_hosts says the host is a CUDA host", async () => {
    const r = await listHosts.handle(listHosts.input.parse({}), deps());
    expect(r.hosts.find((h) => h.name === "gpu")).toMatchObject({ accelerator: "cuda", answers: true });
    expect(listHosts.summarize(r)).toMatch(/gpu +local +\[cuda\] +ok/);
  });

  it("check_env reads the GPUs, driver, CUDA, torch, bf16 and the TRL stack", async () => {
    const r = await checkEnv.handle(checkEnv.input.parse({ host: "gpu" }), deps());
    expect(r.ok).toBe(true);
    expect(r.release).toBe("trl 0.20.0");
    expect(r.cuda?.driver).toBe("570.133.20");
    expect(r.cuda?.cudaVersion).toBe("12.8");
    expect(r.cuda?.gpus).toHaveLength(8);
    expect(r.cuda?.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", memoryTotalMiB: 81559 });
    expect(r.cuda?.torch).toMatchObject({ cudaAvailable: true, deviceCount: 8, bf16: true, cuda: "12.8" });
    expect(r.cuda?.packages.trl).toBe("0.20.0");
    expect(r.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(checkEnv.summarize(r)).toContain("8 × NVIDIA H100 80GB HBM3");
  });

  it("build_configs warns when the steps read a tiny dataset many times over, and proposes fewer steps", async () => {
    const first = readFileSync(data.sft, "utf8").split("\n")[0]!;
    const tiny = join(simDir, "work", "data", "tiny-sft.jsonl");
    writeFileSync(tiny, `${Array.from({ length: 6 }, () => first).join("\n")}\n`);
    const r = await build("sft", tiny, { trainIters: 500, outputDir: join(simDir, "work", "configs", "tiny") });
    const perStep = r.parameters.globalBatchSize;
    const warning = r.warnings.find((w) => w.includes("epochs over the data"));
    expect(warning).toContain(`dataset: 6 records, but 500 steps x ${perStep} samples per step`);
    expect(warning).toContain(`"trainIters":${Math.max(1, Math.ceil(18 / perStep))}`);
    const many = join(simDir, "work", "data", "many-sft.jsonl");
    writeFileSync(many, `${Array.from({ length: 100 }, () => first).join("\n")}\n`);
    const enough = await build("sft", many, { trainIters: 2, outputDir: join(simDir, "work", "configs", "tiny") });
    expect(enough.warnings.join("\n")).not.toContain("epochs over the data");
  });

  it("build_configs refuses a dataset without the method's columns, naming them and the mapping", async () => {
    const pairs = join(simDir, "work", "data", "pairs.jsonl");
    writeFileSync(pairs, `${JSON.stringify({ question: "q", chosen: "a", rejected_response: "b" })}\n`);
    const refused = await build("dpo", pairs).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ToolError);
    expect((refused as Error).message).toContain("missing prompt, rejected");
    expect((refused as Error).message).toContain('{"question":"prompt","rejected_response":"rejected"}');
    const mapped = await build("dpo", pairs, {
      columnMapping: { question: "prompt", rejected_response: "rejected" },
      outputDir: join(simDir, "work", "configs", "mapped"),
    });
    expect(mapped.written).toBe(true);
    const reward = await buildConfigs.handle(
      buildConfigs.input.parse({
        host: "gpu",
        trainer: "trl",
        method: "reward",
        model: "Qwen/Qwen2.5-0.5B-Instruct",
        dataset: data.dpo,
      }),
      deps(),
    );
    expect(reward.files[0]!.path).toMatch(/train_reward\.py$/);
    expect(reward.warnings.join("\n")).toContain("implicit-prompt pairs");
  });

  for (const method of ["sft", "dpo", "grpo"] as const) {
    it(`${method}: build_configs → launch_train → tail_logs → finished`, async () => {
      const built = await build(method, data[method]);
      expect(built.written).toBe(true);
      expect(built.parameters.backend).toBe("trl");
      const script = built.files[0]!.path;
      const runId = await launch(script);
      const t = await waitUntilDone(runId);
      expect(t.state).toBe("finished");
      expect(t.latest).toMatchObject({ iteration: 6, totalIterations: 6, epoch: 1 });
      expect(t.latest?.loss).toBeTypeOf("number");
      expect(t.latest?.gradNorm).toBeTypeOf("number");
      expect(t.latest?.learningRate).toBeTypeOf("number");
      expect(t.medianStepMs).toBeCloseTo(20, 0);
      if (method === "dpo") expect(t.latest?.metrics?.["rewards/margins"]).toBeGreaterThan(1);
      if (method === "grpo") expect(t.latest?.metrics?.reward).toBeGreaterThan(0.5);
      const runs = await listRuns.handle(listRuns.input.parse({ host: "gpu" }), deps());
      expect(runs.runs.find((r) => r.runId === runId)).toMatchObject({ state: "finished", iteration: 6 });
    }, 30_000);
  }

  it("a run that finishes within the settle time is reported finished, not exited early", async () => {
    const built = await build("sft", data.sft);
    const run = await launchTrain.handle(
      launchTrain.input.parse({ host: "gpu", script: built.files[0]!.path, confirm: true, settleSeconds: 3 }),
      deps(),
    );
    expect(run.exitedEarly).toEqual([{ host: "gpu", exit: "0" }]);
    expect(run.next).toContain("already finished (exit 0)");
  }, 30_000);

  it("stop_run stops a running TRL run", async () => {
    const built = await build("sft", data.sft, { trainIters: 400 });
    const runId = await launch(built.files[0]!.path, { CUDA_SIM_STEP_SECONDS: "0.5" });
    const stopped = await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps());
    expect(stopped.nodes.map((n) => n.outcome)).toEqual(["terminated"]);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "gpu" }), deps());
    expect(runs.runs.find((r) => r.runId === runId)?.state).toBe("stopped");
  }, 30_000);

  it("stop_run on a finished run keeps it finished and changes nothing", async () => {
    const built = await build("sft", data.sft);
    const runId = await launch(built.files[0]!.path);
    expect((await waitUntilDone(runId)).state).toBe("finished");
    const stopped = await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps());
    expect(stopped).toMatchObject({ stopped: false, wasRunning: false, alreadyEnded: "finished", nodes: [] });
    expect(stopped.next).toContain("already ended (finished");
    expect(stopRun.summarize(stopped)).toContain("had already ended (finished");
    expect(stopRun.summarize(stopped)).not.toMatch(/not stopped/);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "gpu" }), deps());
    expect(runs.runs.find((r) => r.runId === runId)?.state).toBe("finished");
  }, 30_000);

  /** A TRL run that has saved checkpoint-2 and checkpoint-4 (save every 2 steps), still running. */
  async function runWithCheckpoints(env: Record<string, string> = {}) {
    const built = await build("sft", data.sft, { trainIters: 400, saveInterval: 2 });
    const runId = await launch(built.files[0]!.path, { CUDA_SIM_STEP_SECONDS: "0.1", ...env });
    const end = Date.now() + 20_000;
    for (;;) {
      const t = await tailLogs.handle(tailLogs.input.parse({ runId }), deps());
      if ((t.latest?.iteration ?? 0) >= 6) break;
      if (Date.now() > end) throw new Error(`run ${runId} did not reach iteration 6: ${t.state}`);
      await sleep(200);
    }
    return runId;
  }

  it("stop_run finds the Trainer's checkpoint-N folders and says how a TRL run resumes", async () => {
    const runId = await runWithCheckpoints();
    const stopped = await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps());
    expect(stopped.stopped).toBe(true);
    expect(stopped.next).not.toContain("saved no checkpoint");
    expect(stopped.next).toMatch(/checkpoint-\d+ \(step \d+\)/);
    expect(stopped.next).toContain("resume_from_checkpoint");
    expect(stopped.next).toContain("resume_run");
  }, 30_000);

  it("resume_run continues a TRL run from its latest checkpoint-N through resume_from_checkpoint", async () => {
    const runId = await runWithCheckpoints();
    await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps());
    const plan = await resumeRun.handle(resumeRun.input.parse({ runId }), deps());
    expect(plan.preflightOk).toBe(true);
    expect(plan.started).toBe(false);
    expect(plan.resumeIteration).toBeGreaterThanOrEqual(4);
    expect(plan.changes[0]).toMatch(
      /^trainer\.train\(resume_from_checkpoint=".*\/checkpoint-\d+"\) in .*\.resume\.py$/,
    );
    expect(resumeRun.summarize(plan)).not.toContain("does not look like a MindSpeed-MM launch script");
    const resumed = await resumeRun.handle(
      resumeRun.input.parse({ runId, confirm: true, newRunId: plan.runId, settleSeconds: 0 }),
      deps(),
    );
    expect(resumed.started).toBe(true);
    const script = readFileSync(resumed.plan!.script, "utf8");
    expect(script).toContain(`trainer.train(resume_from_checkpoint=`);
    // The resumed run goes on from the checkpoint's step, not from step 1.
    const end = Date.now() + 20_000;
    let t = await tailLogs.handle(tailLogs.input.parse({ runId: resumed.runId }), deps());
    while (!t.latest && Date.now() < end) {
      await sleep(200);
      t = await tailLogs.handle(tailLogs.input.parse({ runId: resumed.runId }), deps());
    }
    expect(t.latest?.iteration).toBeGreaterThan(plan.resumeIteration!);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "gpu" }), deps());
    expect(runs.runs.find((r) => r.runId === resumed.runId)).toMatchObject({ state: "running", resumedFrom: runId });
    await stopRun.handle(stopRun.input.parse({ runId: resumed.runId, confirm: true, graceSeconds: 5 }), deps());
  }, 30_000);

  it("stop_run on a run whose loss went NaN points to diagnose_error and the checkpoint before it", async () => {
    writeFileSync(join(simDir, ".sim", "trl-failure"), "nan@5\n");
    try {
      const runId = await runWithCheckpoints();
      const stopped = await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps());
      expect(stopped.next).toContain("loss diverged");
      expect(stopped.next).toContain("diagnose_error");
      expect(stopped.next).toMatch(/checkpoint-4 \(iteration 4\)/);
      expect(stopped.next).not.toContain("continues from its latest checkpoint");
    } finally {
      rmSync(join(simDir, ".sim", "trl-failure"), { force: true });
    }
  }, 30_000);

  it("an out-of-memory failure is diagnosed from the log", async () => {
    writeFileSync(join(simDir, ".sim", "trl-failure"), "oom@3\n");
    try {
      const built = await build("sft", data.sft);
      const runId = await launch(built.files[0]!.path);
      const t = await waitUntilDone(runId);
      expect(t.state).toBe("failed");
      expect(t.latest?.iteration).toBe(2);
      const d = await diagnoseError.handle(diagnoseError.input.parse({ runId }), deps());
      expect(d.findings[0]?.category).toMatch(/oom/);
      expect(d.findings[0]?.evidence.map((e) => e.text).join("\n")).toContain("CUDA out of memory");
    } finally {
      rmSync(join(simDir, ".sim", "trl-failure"), { force: true });
    }
  }, 30_000);
});
