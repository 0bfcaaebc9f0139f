// plan_finetune on a simulated host: each step's status follows what is really on the host.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { type LaidOutSim, layOutSim, makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import { invokeTool } from "../../src/tools/invoke.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { writeHfExport } from "../helpers/hf-export.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { freePort } from "./sim-helpers.js";

const root = mkdtempSync(join(tmpdir(), "plan-finetune-"));
let sim: LaidOutSim;
let deps: ToolDeps;

type Plan = {
  next: { tool: string; args: Record<string, unknown> } | null;
  steps: { tool: string; status: string; detail: string; args: Record<string, unknown>; available: boolean }[];
  memory: {
    summary: string;
    fits: boolean;
    peakGiBPerRank: number;
    hbmGiB: number;
    proposed: { npus: number; tp: number; pp: number; llmLayerSplit: number[] } | null;
  } | null;
};

async function plan(input: Record<string, unknown>): Promise<Plan> {
  const outcome = await invokeTool(planFinetune, { host: "sim", model: "qwen2.5vl-7b", ...input }, deps);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.result as Plan;
}
/** What export_model leaves in a Hugging Face directory it wrote: the weights' config and convert_weights' record. */
const exportTo = (dir: string) =>
  writeHfExport(dir, { model: "qwen2.5vl-7b", source: "save", createdAt: "2026-12-02T12:15:00Z" });
const statusOf = (p: Plan) => Object.fromEntries(p.steps.map((s) => [s.tool, s.status]));

beforeAll(async () => {
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(root, "audit.jsonl"));
  // A MASTER_PORT of the host's own, free now: the default 6000 may be another suite's or a service's.
  sim = await layOutSim(join(root, "sim"), { scenario: "healthy", masterPort: await freePort() });
  const hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({}), sim: sim.hostSettings },
  });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await deps?.hosts.closeAll();
  if (sim) await stopSimProcesses(sim.dir);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canBuildSimHost)("plan_finetune", () => {
  it("marks each step from the host's state, then follows the host as steps get done", async () => {
    const mm = sim.hostSettings.workdir!;
    const dataset = join(mm, "data", "train.json");

    const fresh = await plan({ dataset });
    expect(fresh.steps.map((s) => s.tool)).toEqual([
      "check_env",
      "install_stack",
      "prepare_dataset",
      "validate_dataset",
      "convert_weights",
      "build_configs",
      "launch_train",
      "tail_logs",
      "export_model",
      "run_inference",
      "evaluate_model",
    ]);
    expect(statusOf(fresh)).toMatchObject({
      check_env: "done",
      install_stack: "skip",
      prepare_dataset: "blocked",
      convert_weights: "todo",
      build_configs: "todo",
      launch_train: "todo",
      export_model: "later",
      run_inference: "later",
      evaluate_model: "skip",
    });
    expect(fresh.steps.find((s) => s.tool === "export_model")?.detail).toMatch(/after a run of these configs finishes/);
    // What run_inference answers without images: the first training record's question about its image.
    expect(fresh.steps.find((s) => s.tool === "run_inference")).toMatchObject({
      detail:
        "after a run of these configs finishes: answer the first training record's question about its image, next to the base model (pass images for your own)",
      args: { host: "sim", compareBase: true },
    });
    expect(planFinetune.description).not.toMatch(/two sample images/);
    expect(fresh.steps.find((s) => s.tool === "prepare_dataset")?.detail).toMatch(/does not exist/);
    expect(fresh.steps.find((s) => s.tool === "convert_weights")?.detail).toMatch(/Hugging Face weights are not at/);
    expect(fresh.next?.tool).toBe("prepare_dataset");

    // The data in the layout the recipe reads, the HF weights, a converted checkpoint and the configs.
    writeFileSync(
      dataset,
      JSON.stringify([
        {
          messages: [
            { role: "user", content: "<image>What is shown?" },
            { role: "assistant", content: "A cat." },
          ],
          images: ["a.jpg"],
        },
      ]),
    );
    await makeFakeHfModel(join(mm, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), "Qwen2.5-VL-7B-Instruct");
    const converted = join(mm, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    mkdirSync(converted, { recursive: true });
    writeFileSync(join(converted, "latest_checkpointed_iteration.txt"), "release\n");
    const built = await invokeTool(buildConfigs, { host: "sim", model: "qwen2.5vl-7b", dataset }, deps);
    expect(built.ok, built.ok ? "" : built.error).toBe(true);

    const later = await plan({ dataset });
    expect(statusOf(later)).toMatchObject({
      check_env: "done",
      prepare_dataset: "skip",
      validate_dataset: "todo",
      convert_weights: "done",
      build_configs: "done",
      launch_train: "todo",
    });
    expect(later.steps.find((s) => s.tool === "build_configs")?.detail).toMatch(/match the plan/);
    expect(later.next).toEqual({
      tool: "validate_dataset",
      args: expect.objectContaining({ host: "sim", path: dataset }),
    });
  }, 60_000);

  it("continues past training: export, inference on sample images near the dataset, evaluation, each from what the host has", async () => {
    const mm = sim.hostSettings.workdir!;
    const dataset = join(mm, "data", "train.json");
    const runId = "run-20261202-120000-abcd";
    const save = join(mm, "save", "qwen25vl-7b-after");
    const iterDir = join(save, "iter_0000010", "mp_rank_00");
    mkdirSync(iterDir, { recursive: true });
    writeFileSync(join(iterDir, "model_optim_rng.pt"), "weights\n");
    writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
    mkdirSync(join(mm, "data", "images"), { recursive: true });
    writeFileSync(join(mm, "data", "images", "cat.jpg"), "jpeg");
    writeFileSync(join(mm, "data", "images", "chart.png"), "png");
    const logs = join(mm, "logs");
    mkdirSync(logs, { recursive: true });
    const logFile = join(logs, `${runId}.log`);
    writeFileSync(
      logFile,
      " iteration       10/      10 | consumed samples:           80 | elapsed time per iteration (ms): 900.0 | lm loss: 1.234E+00 |\n[after training is done] datetime: 2026-12-02 12:10:00\n",
    );
    const ledger = join(mm, ".ascend-train", "runs");
    mkdirSync(ledger, { recursive: true });
    const record = {
      version: 1,
      id: runId,
      createdAt: "2026-12-02T12:00:00Z",
      hosts: ["sim"],
      nodes: [
        {
          host: "sim",
          nodeRank: 0,
          pid: 4_000_000,
          startTicks: null,
          logFile,
          wrapper: join(logs, `${runId}.wrapper.sh`),
          exitFile: join(logs, `${runId}.exit`),
          ledgerFile: join(ledger, `${runId}.json`),
        },
      ],
      workdir: mm,
      script: join(mm, "configs", "qwen2.5vl-7b", "finetune_qwen2_5_vl_7b.sh"),
      command: ["bash", "finetune_qwen2_5_vl_7b.sh"],
      env: {},
      configHashes: {},
      saveDir: save,
      loadDir: join(mm, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct"),
      masterAddr: "localhost",
      masterPort: 6000,
      parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
      trainIters: 10,
      state: "launched",
      stoppedAt: null,
      stopSignal: null,
      resumedFrom: null,
      resumeIteration: null,
    };
    writeFileSync(join(logs, `${runId}.exit`), "0\n");
    writeFileSync(join(ledger, `${runId}.json`), JSON.stringify(record));
    const stepOf = (p: Plan, tool: string) => p.steps.find((s) => s.tool === tool)!;

    const trained = await plan({ dataset });
    expect(statusOf(trained)).toMatchObject({ export_model: "todo", run_inference: "todo", evaluate_model: "skip" });
    // The run that finished trained on the dataset: nothing before it is left to do, so the plan's next is the export.
    expect(statusOf(trained)).toMatchObject({ validate_dataset: "done", launch_train: "done", tail_logs: "done" });
    expect(stepOf(trained, "launch_train").detail).toContain(`${runId} finished`);
    expect(trained.next?.tool).toBe("export_model");
    expect(stepOf(trained, "export_model").args).toEqual({ host: "sim", runId });
    expect(stepOf(trained, "run_inference").args).toEqual({
      host: "sim",
      runId,
      prompt: "Describe this image.",
      images: [join(mm, "data", "images", "cat.jpg"), join(mm, "data", "images", "chart.png")],
      compareBase: true,
    });
    expect(stepOf(trained, "evaluate_model")).toMatchObject({ args: { host: "sim", runId } });
    // No benchmark TSV in the workdir: what to download first and where to put it, not a fixed sentence.
    expect(renderHints(stepOf(trained, "evaluate_model").detail)).toBe(
      `optional: to score it on a benchmark, first put its TSV in ${mm} (none of AI2D_TEST.tsv, MMMU_DEV_VAL.tsv, DocVQA_VAL.tsv, ChartQA_TEST.tsv is there; ai2d_test's is https://opencompass.openxlab.space/utils/VLMEval/AI2D_TEST.tsv), then evaluate_model {runId: "${runId}"}`,
    );
    // A directory named like an export but without convert_weights' record of one is not an export.
    mkdirSync(`${save}-hf-iter_0000010`, { recursive: true });
    writeFileSync(join(`${save}-hf-iter_0000010`, "config.json"), "{}");
    expect(statusOf(await plan({ dataset }))).toMatchObject({ export_model: "todo" });
    // With AI2D's TSV in the workdir, evaluate_model is offered on it.
    writeFileSync(join(mm, "AI2D_TEST.tsv"), "index\tquestion\tanswer\n");
    expect(renderHints(stepOf(await plan({ dataset }), "evaluate_model").detail)).toMatch(
      new RegExp(
        `^optional: score it on ai2d_test with evaluate_model \\{runId: "${runId}"\\} \\(AI2D_TEST\\.tsv in ${mm}; `,
      ),
    );
    rmSync(join(mm, "AI2D_TEST.tsv"));

    // The HF directory export_model wrote beside the save directory, and a score in the ledger.
    exportTo(`${save}-hf-iter_0000010`);
    const evaluation = { benchmark: "ai2d_test", metric: "accuracy", score: 0.5, iteration: "10" };
    writeFileSync(
      join(ledger, `${runId}.json`),
      JSON.stringify({ ...record, evaluations: [{ ...evaluation, at: "2026-12-02T12:20:00Z", resultDir: mm }] }),
    );
    const after = await plan({ dataset });
    expect(statusOf(after)).toMatchObject({ export_model: "done", run_inference: "todo", evaluate_model: "done" });
    // A question set run_inference wrote for the run; and a plan without dataset reads the dataset steps as done.
    mkdirSync(join(mm, ".ascend-train", "inference", runId, "0a1b2c3d4e"), { recursive: true });
    const asked = await plan({});
    expect(statusOf(asked)).toMatchObject({
      prepare_dataset: "done",
      validate_dataset: "done",
      run_inference: "done",
    });
    expect(stepOf(asked, "run_inference").detail).toContain("answered 1 question set(s)");
    // An export written with export_model's targetDir, noted in the run's ledger record: found there, not missed
    // for want of the default directory.
    rmSync(`${save}-hf-iter_0000010`, { recursive: true });
    const own = join(mm, "exports", "my-finetune");
    exportTo(own);
    const exports = [{ dir: own, saveDir: save, iteration: "10", method: "mm_to_hf", at: "2026-12-02T12:30:00Z" }];
    writeFileSync(join(ledger, `${runId}.json`), JSON.stringify({ ...record, exports }));
    const elsewhere = await plan({ dataset });
    expect(stepOf(elsewhere, "export_model")).toMatchObject({ status: "done", detail: `${runId} exported to ${own}` });
    // The tests after this one plan a host on which nothing has trained yet.
    rmSync(join(ledger, `${runId}.json`));
    expect(stepOf(after, "export_model").detail).toContain(`${save}-hf-iter_0000010`);
    expect(stepOf(after, "evaluate_model").detail).toContain("ai2d_test");
  }, 60_000);

  it("counts a run resume_run started from a run of these configs as theirs: finished, then export and inference", async () => {
    const mm = sim.hostSettings.workdir!;
    const ledger = join(mm, ".ascend-train", "runs");
    const logs = join(mm, "logs");
    mkdirSync(ledger, { recursive: true });
    mkdirSync(logs, { recursive: true });
    const save = join(mm, "save", "qwen25vl-7b-resumed");
    mkdirSync(join(save, "iter_0000010", "mp_rank_00"), { recursive: true });
    writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
    const record = (id: string, over: Record<string, unknown>) => ({
      version: 1,
      id,
      createdAt: "2026-12-03T12:00:00Z",
      hosts: ["sim"],
      nodes: [
        {
          host: "sim",
          nodeRank: 0,
          pid: 4_000_001,
          startTicks: null,
          logFile: join(logs, `${id}.log`),
          wrapper: join(ledger, `${id}.sh`),
          exitFile: join(ledger, `${id}.exit`),
          ledgerFile: join(ledger, `${id}.json`),
        },
      ],
      workdir: mm,
      script: join(mm, "configs", "qwen2.5vl-7b", "finetune_qwen2_5_vl_7b.sh"),
      command: ["bash", join(ledger, `${id}.sh`)],
      env: {},
      configHashes: {},
      saveDir: save,
      loadDir: join(mm, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct"),
      masterAddr: "localhost",
      masterPort: 6000,
      parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
      trainIters: 10,
      state: "launched",
      stoppedAt: null,
      stopSignal: null,
      resumedFrom: null,
      resumeIteration: null,
      ...over,
    });
    // Launched from the configs' script and stopped at iteration 5; resumed from its checkpoint, to the end.
    const first = "run-20261203-120000-aaaa";
    const resumed = "run-20261203-121000-bbbb";
    writeFileSync(join(logs, `${first}.log`), " iteration        5/      10 | lm loss: 1.5E+00 |\n");
    const stopped = { state: "stopped", stoppedAt: "2026-12-03T12:05:00Z", stopSignal: "SIGTERM" };
    writeFileSync(join(ledger, `${first}.json`), JSON.stringify(record(first, stopped)));
    writeFileSync(
      join(logs, `${resumed}.log`),
      " iteration       10/      10 | lm loss: 1.2E+00 |\n[after training is done] datetime: 2026-12-03 12:20:00\n",
    );
    writeFileSync(join(ledger, `${resumed}.exit`), "0\n");
    // resume_run's copy of the script lives in the ledger directory, named after the new run.
    const copy = join(ledger, `${resumed}.finetune_qwen2_5_vl_7b.resume.sh`);
    const resumedRecord = record(resumed, {
      createdAt: "2026-12-03T12:10:00Z",
      script: copy,
      resumedFrom: first,
      resumeIteration: 5,
      loadDir: save,
    });
    writeFileSync(join(ledger, `${resumed}.json`), JSON.stringify(resumedRecord));
    // Between the two, more runs (of other configs) than list_runs shows by default: the chain reaches past them.
    const others = Array.from(
      { length: 24 },
      (_, i) => `run-20261203-1201${String(i + 10)}-f0${i.toString(16).padStart(2, "0")}`,
    );
    for (const [i, id] of others.entries())
      writeFileSync(
        join(ledger, `${id}.json`),
        JSON.stringify(
          record(id, {
            ...stopped,
            createdAt: `2026-12-03T12:01:${String(i + 10)}Z`,
            script: join(mm, "configs", "other", "finetune_other.sh"),
            saveDir: null,
          }),
        ),
      );
    try {
      const p = await plan({});
      const stepOf = (tool: string) => p.steps.find((s) => s.tool === tool)!;
      expect(statusOf(p)).toMatchObject({
        prepare_dataset: "done",
        validate_dataset: "done",
        launch_train: "done",
        tail_logs: "done",
        export_model: "todo",
        run_inference: "todo",
      });
      expect(stepOf("launch_train").detail).toContain(`${resumed} finished`);
      expect(stepOf("export_model").args).toEqual({ host: "sim", runId: resumed });
      expect(p.next?.tool).toBe("export_model");
      // A resume of the resumed run is theirs too.
      const again = "run-20261203-123000-cccc";
      writeFileSync(join(logs, `${again}.log`), readFileSync(join(logs, `${resumed}.log`)));
      writeFileSync(join(ledger, `${again}.exit`), "0\n");
      writeFileSync(
        join(ledger, `${again}.json`),
        JSON.stringify(
          record(again, {
            createdAt: "2026-12-03T12:30:00Z",
            script: join(ledger, `${again}.finetune_qwen2_5_vl_7b.resume.sh`),
            resumedFrom: resumed,
          }),
        ),
      );
      expect((await plan({})).steps.find((s) => s.tool === "export_model")!.args).toEqual({
        host: "sim",
        runId: again,
      });
    } finally {
      // The tests after this one plan a host on which nothing has trained yet.
      for (const id of [first, resumed, "run-20261203-123000-cccc", ...others])
        rmSync(join(ledger, `${id}.json`), { force: true });
    }
  }, 60_000);

  it("shows the memory estimate for the recipe's layout on the host's HBM and a proposed layout", async () => {
    const r = await plan({});
    expect(r.memory?.hbmGiB).toBe(64);
    expect(r.memory?.fits).toBe(true);
    expect(r.memory?.summary).toMatch(/GiB of 64 per rank, fits/);
    expect(r.memory?.proposed?.tp).toBeGreaterThanOrEqual(1);
    expect(planFinetune.summarize(r as Parameters<typeof planFinetune.summarize>[0])).toContain("Memory: ");
  });

  it("suggests only arguments the named tool accepts", async () => {
    const { allTools } = await import("../../src/tools/index.js");
    const p = await plan({});
    for (const step of p.steps) {
      const tool = allTools.find((t) => t.name === step.tool);
      expect(step.available).toBe(Boolean(tool));
      if (!tool) continue;
      for (const [k, v] of Object.entries(step.args)) expect(tool.input.shape[k].safeParse(v).success).toBe(true);
    }
    expect(p.steps.find((s) => s.tool === "prepare_dataset")).toMatchObject({
      status: "unknown",
      detail: expect.stringMatching(/^no dataset given: plan with dataset: /),
    });
  }, 30_000);

  it("with no dataset given, names the sample sim init laid out at the configs' default path", async () => {
    const { layOutSampleData } = await import("../../src/sim/sample-host.js");
    const sample = await layOutSampleData(sim.hostSettings.workdir!, "qwen2.5vl-7b");
    const p = await plan({});
    const prepare = p.steps.find((s) => s.tool === "prepare_dataset")!;
    expect(prepare.detail).toContain(`plan with dataset: ${JSON.stringify(sample.dataset)}`);
    expect(prepare.args).toMatchObject({ input: sample.dataset });
    const text = planFinetune.summarize(p as Parameters<typeof planFinetune.summarize>[0]);
    expect(text).toContain(sample.dataset);
  }, 60_000);

  it("checks the master port the run will use: the one given, not always 6000", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "0.0.0.0", resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      const p = await plan({ masterPort: port });
      const env = p.steps.find((s) => s.tool === "check_env")!;
      expect(env.status).toBe("blocked");
      expect(env.detail).toContain(`MASTER_PORT ${port} is already listening`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it("with no master port given, checks the host's MASTER_PORT, as launch_train would use it", async () => {
    const port = Number(sim.hostSettings.env.MASTER_PORT);
    expect(port).not.toBe(6000);
    const free = await plan({});
    expect(free.steps.find((s) => s.tool === "check_env")!.status).toBe("done");
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, "0.0.0.0", resolve));
    try {
      const env = (await plan({})).steps.find((s) => s.tool === "check_env")!;
      expect(env.status).toBe("blocked");
      expect(env.detail).toContain(`MASTER_PORT ${port} is already listening`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 60_000);

  it("names the nearest models for one it does not know", async () => {
    const outcome = await invokeTool(planFinetune, { host: "sim", model: "qwen2.5vl-8b" }, deps);
    expect(outcome).toMatchObject({ ok: false, kind: "tool", error: expect.stringMatching(/model: .*qwen2\.5vl-7b/) });
  });
});
