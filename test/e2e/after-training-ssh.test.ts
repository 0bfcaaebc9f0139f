// After training, over SSH through a real MCP client: a finished simulated run (its ledger record and a checkpoint
// at iteration 10) is exported to a complete Hugging Face directory, answers a prompt next to the base weights, and
// is scored on AI2D, the score showing in list_runs.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { RunRecordSchema } from "../../src/runs/types.js";
import { layOutSim, makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import { installEvaluateExtras } from "../helpers/evaluate-extras.js";
import { stdioClient } from "../helpers/mcp.js";
import { writeInventory } from "../helpers/sim-host.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();
const RUN_ID = "run-20261202-130000-cafe";

describe.skipIf(!env)("export, inference and evaluation of a finished run over SSH", () => {
  let base: string;
  let dir: string;
  let wd: string;
  let mcp: Awaited<ReturnType<typeof stdioClient>>;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "after-ssh-"));
    chmodSync(base, 0o755);
    dir = join(base, "host");
    const uid = Number(execFileSync("id", ["-u", env!.user]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", env!.user]).toString().trim());
    const laid = await layOutSim(dir, { scenario: "healthy", name: "aft", owner: { uid, gid } });
    wd = laid.hostSettings.workdir!;
    const hf = join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct");
    await makeFakeHfModel(hf, "Qwen2.5-VL-3B-Instruct");
    writeFileSync(join(hf, "tokenizer_config.json"), "{}\n");
    writeFileSync(join(hf, "preprocessor_config.json"), "{}\n");
    mkdirSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00"), { recursive: true });
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00/model_optim_rng.pt"), "weights\n");
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/latest_checkpointed_iteration.txt"), "release");
    const save = join(wd, "save/aft");
    mkdirSync(join(save, "iter_0000010/mp_rank_00"), { recursive: true });
    writeFileSync(join(save, "iter_0000010/mp_rank_00/model_optim_rng.pt"), "weights\n");
    writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
    const out = join(wd, "configs/aft");
    const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
      outputDir: out,
      hfDir: hf,
      ckptDir: join(wd, "ckpt/mm/qwen2.5vl-3b"),
      saveDir: save,
      dataset: join(wd, "data/train.json"),
      trainIters: 10,
    });
    mkdirSync(out, { recursive: true });
    for (const f of plan.files) writeFileSync(join(out, f.name), f.text);
    const script = join(out, plan.files.find((f) => f.role === "launch-script")!.name);
    mkdirSync(join(wd, "data/images"), { recursive: true });
    writeFileSync(join(wd, "data/images/cat.jpg"), "jpeg");
    writeFileSync(join(wd, "AI2D_TEST.tsv"), "index\tquestion\tanswer\n0\tq\ta\n");
    mkdirSync(join(wd, ".ascend-train/runs"), { recursive: true });
    const record = RunRecordSchema.parse({
      version: 1,
      id: RUN_ID,
      createdAt: "2026-12-02T13:00:00Z",
      hosts: ["aft"],
      nodes: [],
      workdir: wd,
      script,
      command: ["bash", script],
      env: {},
      configHashes: {},
      saveDir: save,
      loadDir: join(wd, "ckpt/mm/qwen2.5vl-3b"),
      masterAddr: "localhost",
      masterPort: 6000,
      parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
      trainIters: 10,
      state: "launched",
      stoppedAt: null,
      stopSignal: null,
      resumedFrom: null,
      resumeIteration: null,
    });
    writeFileSync(join(wd, ".ascend-train/runs", `${RUN_ID}.json`), JSON.stringify(record, null, 2));
    installEvaluateExtras(laid.hostSettings.venv!);
    execFileSync("chown", ["-R", `${uid}:${gid}`, dir]);
    const settings = sshHostSettings(env!, laid.hostSettings);
    const inventory = writeInventory({ aft: settings });
    mcp = await stdioClient({ env: { ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_FROM_SOURCE: "1" } });
  }, 180_000);

  afterAll(async () => {
    await mcp?.close();
    await stopSimProcesses(dir).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  });

  async function call(name: string, args: Record<string, unknown>) {
    const r = await mcp.client.callTool({ name, arguments: { host: "aft", ...args } }, undefined, { timeout: 120_000 });
    // biome-ignore lint/suspicious/noExplicitAny: structured tool output
    return { isError: Boolean(r.isError), content: r.content, out: r.structuredContent as any };
  }

  it("export_model: plan, then a complete Hugging Face directory with the tokenizer files", async () => {
    const plan = await call("export_model", { runId: RUN_ID });
    expect(plan.out).toMatchObject({ ready: true, exported: false, checkpoint: { iteration: "10" } });
    const r = await call("export_model", { runId: RUN_ID, confirm: true });
    expect(r.isError).toBe(false);
    expect(r.out.complete).toBe(true);
    expect(r.out.copied).toEqual(expect.arrayContaining(["tokenizer_config.json", "preprocessor_config.json"]));
    expect(existsSync(join(r.out.output, "model.safetensors.index.json"))).toBe(true);
  }, 120_000);

  it("run_inference answers with the fine-tuned and the base weights", async () => {
    const r = await call("run_inference", {
      runId: RUN_ID,
      compareBase: true,
      prompt: "What animal is this?",
      images: ["data/images/cat.jpg"],
    });
    expect(r.isError).toBe(false);
    expect(r.out.answers[0]).toMatchObject({ error: null });
    expect(r.out.answers[0].answer).toContain("iteration 10");
    expect(r.out.answers[0].baseAnswer).toContain("The image shows cat");
  }, 120_000);

  it("evaluate_model scores ai2d_test and list_runs shows the score", async () => {
    const r = await call("evaluate_model", { runId: RUN_ID, benchmarks: ["ai2d_test"] });
    expect(r.isError).toBe(false);
    expect(r.out.scores[0]).toMatchObject({ benchmark: "ai2d_test", metric: "Overall", error: null });
    expect(r.out.recorded).toBe(true);
    const listed = await call("list_runs", {});
    expect(listed.out.runs[0].scores[0]).toMatchObject({ benchmark: "ai2d_test", iteration: "10" });
  }, 240_000);
});
