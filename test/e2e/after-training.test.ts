// After training, on a simulated host through the local executor: a finished run (its ledger record, its save
// directory at iteration 10) is exported to a Hugging Face directory that passes the completeness check, answers two
// prompts next to the base weights, and is scored on a benchmark whose score lands in the run's ledger record.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { RunRecordSchema } from "../../src/runs/types.js";
import { renderHints } from "../../src/text/hint.js";
import evaluateModel from "../../src/tools/evaluate-model.js";
import exportModel from "../../src/tools/export-model.js";
import listRuns from "../../src/tools/list-runs.js";
import resumeRun from "../../src/tools/resume-run.js";
import runInference from "../../src/tools/run-inference.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";
import { installEvaluateExtras } from "../helpers/evaluate-extras.js";
import { type LocalTrainableSim, localTrainableSim } from "../helpers/local-sim.js";

const RUN_ID = "run-20261202-120000-abcd";
let sim: LocalTrainableSim;
let wd: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({
  hosts,
  now: () => new Date("2026-12-02T12:30:00Z"),
  progress: () => undefined,
  log: () => undefined,
});

function saveCheckpoint(dir: string, iteration: number, ranks: string[]) {
  const sub = join(dir, `iter_${String(iteration).padStart(7, "0")}`);
  for (const r of ranks) {
    mkdirSync(join(sub, r), { recursive: true });
    writeFileSync(join(sub, r, "model_optim_rng.pt"), "weights\n");
  }
  writeFileSync(join(dir, "latest_checkpointed_iteration.txt"), String(iteration));
}

beforeAll(async () => {
  sim = await localTrainableSim("after-train", "0");
  wd = sim.settings.workdir!;
  hosts = new HostRegistry({ file: null, hosts: { sim: HostSettingsSchema.parse(sim.settings) } });
  const save = join(wd, "save", sim.name);
  saveCheckpoint(save, 10, ["mp_rank_00"]);
  mkdirSync(join(wd, "data/images"), { recursive: true });
  writeFileSync(join(wd, "data/images/cat.jpg"), "jpeg");
  writeFileSync(join(wd, "data/images/chart.png"), "png");
  writeFileSync(join(wd, "AI2D_TEST.tsv"), "index\tquestion\tanswer\n0\tq\ta\n1\tq\tb\n");
  const ledger = join(wd, ".ascend-train/runs");
  mkdirSync(ledger, { recursive: true });
  const record = RunRecordSchema.parse({
    version: 1,
    id: RUN_ID,
    createdAt: "2026-12-02T12:00:00Z",
    hosts: ["sim"],
    nodes: [],
    workdir: wd,
    script: sim.script,
    command: ["bash", sim.script],
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
  writeFileSync(join(ledger, `${RUN_ID}.json`), JSON.stringify(record, null, 2));
}, 180_000);

afterAll(async () => {
  await sim?.cleanup();
});

describe("a finished run: export, inference, evaluation", () => {
  it("export_model plans, then writes a complete Hugging Face directory with the tokenizer files", async () => {
    const plan = await exportModel.handle(exportModel.input.parse({ runId: RUN_ID, host: "sim" }), deps());
    expect(plan.ready).toBe(true);
    expect(plan.exported).toBe(false);
    expect(plan.checkpoint.iteration).toBe("10");
    expect(plan.command).toContain("Qwen2_5_VLConverter mm_to_hf");
    // Without a host the run is found on the host that records it.
    const anywhere = await exportModel.handle(exportModel.input.parse({ runId: RUN_ID }), deps());
    expect([anywhere.host, anywhere.ready]).toEqual(["sim", true]);
    // A checkpoint directory and HF directory relative to the workdir, without a run id.
    const byDir = await exportModel.handle(
      exportModel.input.parse({
        checkpointDir: `save/${sim.name}`,
        model: "qwen2.5vl-3b",
        hfDir: "ckpt/hf/Qwen2.5-VL-3B-Instruct",
        host: "sim",
      }),
      deps(),
    );
    expect(byDir.ready).toBe(true);
    expect(byDir.command).toContain(join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"));
    const done = await exportModel.handle(
      exportModel.input.parse({ runId: RUN_ID, host: "sim", confirm: true }),
      deps(),
    );
    expect(done.exported).toBe(true);
    expect(done.checks.filter((c) => !c.ok)).toEqual([]);
    expect(done.complete).toBe(true);
    expect(done.output).toMatch(/after-train-hf-iter_0000010$/);
    const index = JSON.parse(readFileSync(join(done.output, "model.safetensors.index.json"), "utf8"));
    expect(new Set(Object.values(index.weight_map)).size).toBe(3);
    expect(done.usage?.vllm).toContain("vllm serve");
    expect(exportModel.summarize(done)).toContain("Qwen2_5_VLForConditionalGeneration");
    expect(done.next).toContain(`"runId":"${RUN_ID}"`);
    // The same export again: already in place; planned, it says so; confirmed, it is checked again, not rewritten.
    const samePlan = await exportModel.handle(exportModel.input.parse({ runId: RUN_ID, host: "sim" }), deps());
    expect(samePlan).toMatchObject({ exported: false, complete: null });
    expect(samePlan.next).toMatch(/already holds this export/);
    const same = await exportModel.handle(
      exportModel.input.parse({ runId: RUN_ID, host: "sim", confirm: true }),
      deps(),
    );
    expect(same).toMatchObject({ exported: true, complete: true });
    expect(same.notes.join("\n")).toMatch(/already holds this export .*checked again, not rewritten/);
    // Scoring is offered as the host's benchmark data allows: on AI2D, whose TSV is in the workdir, else what to fetch.
    expect(renderHints(done.next)).toContain(
      `score it on ai2d_test with evaluate_model {runId: "${RUN_ID}"} (AI2D_TEST.tsv in ${wd}; the other benchmarks' TSVs are not there)`,
    );
    renameSync(join(wd, "AI2D_TEST.tsv"), join(wd, "AI2D_TEST.tsv.away"));
    try {
      const noData = await exportModel.handle(
        exportModel.input.parse({ runId: RUN_ID, host: "sim", confirm: true }),
        deps(),
      );
      expect(renderHints(noData.next)).toContain(
        `to score it on a benchmark, first put its TSV in ${wd} (none of AI2D_TEST.tsv, MMMU_DEV_VAL.tsv, DocVQA_VAL.tsv, ChartQA_TEST.tsv is there; ai2d_test's is https://opencompass.openxlab.space/utils/VLMEval/AI2D_TEST.tsv), then evaluate_model`,
      );
    } finally {
      renameSync(join(wd, "AI2D_TEST.tsv.away"), join(wd, "AI2D_TEST.tsv"));
    }
    // Exported from a save directory, no run id: the next calls name that directory, never a placeholder run id.
    const fromDir = await exportModel.handle(
      exportModel.input.parse({
        checkpointDir: `save/${sim.name}`,
        model: "qwen2.5vl-3b",
        hfDir: "ckpt/hf/Qwen2.5-VL-3B-Instruct",
        host: "sim",
        confirm: true,
        overwrite: true,
      }),
      deps(),
    );
    expect(fromDir.complete).toBe(true);
    const next = renderHints(fromDir.next);
    expect(next).not.toContain("<runId>");
    expect(next).toContain(`evaluate_model {host: "sim", checkpointDir: "${join(wd, "save", sim.name)}"`);
  }, 120_000);

  it("export_model's check fails on a shard the index names but that is gone", async () => {
    const first = await exportModel.handle(
      exportModel.input.parse({ runId: RUN_ID, host: "sim", confirm: true, overwrite: true }),
      deps(),
    );
    expect(first.complete).toBe(true);
    const { readHfDirFacts, checkHfDir } = await import("../../src/export/hf-check.js");
    const { rmSync } = await import("node:fs");
    rmSync(join(first.output, "model-00002-of-00003.safetensors"));
    const executor = (await hosts.get("sim")).executor;
    const checks = checkHfDir(await readHfDirFacts(executor, first.output));
    expect(checks.find((c) => c.id === "index-shards-exist")?.ok).toBe(false);
  }, 120_000);

  it("run_inference answers two prompts with the fine-tuned and the base weights", async () => {
    // Upstream's default MASTER_PORT is taken (as by a training run): the inference still starts.
    const { createServer } = await import("node:net");
    const holder = createServer();
    await new Promise<void>((resolve) => {
      holder.once("error", () => resolve());
      holder.listen(6000, "127.0.0.1", () => resolve());
    });
    const r = await runInference.handle(
      runInference.input.parse({
        runId: RUN_ID,
        host: "sim",
        compareBase: true,
        prompt: "What animal is this?",
        images: ["data/images/cat.jpg", "data/images/chart.png"],
      }),
      deps(),
    );
    holder.close();
    expect(r.answers.map((a) => a.error)).toEqual([null, null]);
    expect(r.answers[0]!.answer).toContain("iteration 10");
    expect(r.answers[0]!.baseAnswer).toContain("The image shows cat");
    expect(r.upstream.shipped).toBe(false);
    const json = JSON.parse(readFileSync(r.files[0]!, "utf8"));
    expect(json.text_decoder.num_layers).toBe(36);
    expect(json.prompts).toBe("What animal is this?");
    expect(r.answers[1]!.image).toMatch(/chart\.png$/);
    expect(runInference.summarize(r)).toContain("base:");
    // Another question gets its own files and answers; files of an earlier call are never overwritten unless asked.
    const second = await runInference.handle(
      runInference.input.parse({
        runId: RUN_ID,
        host: "sim",
        prompts: [{ prompt: "x", image: "data/images/cat.jpg" }],
      }),
      deps(),
    );
    expect(second.answers.map((a) => a.error)).toEqual([null]);
    expect(dirname(second.files[0]!)).not.toBe(dirname(r.files[0]!));
    await expect(
      runInference.handle(
        runInference.input.parse({
          runId: RUN_ID,
          host: "sim",
          prompts: [{ prompt: "y", image: "data/images/cat.jpg" }],
          outputDir: dirname(r.files[0]!),
        }),
        deps(),
      ),
    ).rejects.toThrow(/already exists? with other contents/);
    // The very same question again: its own files are used again and it answers again.
    const again = await runInference.handle(
      runInference.input.parse({
        runId: RUN_ID,
        host: "sim",
        prompts: [{ prompt: "x", image: "data/images/cat.jpg" }],
      }),
      deps(),
    );
    expect(again.files).toEqual(second.files);
    expect(again.answers.map((a) => a.error)).toEqual([null]);
  }, 120_000);

  it("run_inference with a run and no image asks about the first training record that has one", async () => {
    // The head of a JSON array: a record without an image, then one whose question holds brackets and quotes.
    const question = 'What is in [this] "picture" {exactly}?';
    writeFileSync(
      join(wd, "data/train.json"),
      JSON.stringify([
        { messages: [{ role: "user", content: "hi" }], images: [] },
        {
          messages: [
            { role: "user", content: `<image>\n${question}` },
            { role: "assistant", content: "A cat." },
          ],
          images: ["images/cat.jpg"],
        },
      ]),
    );
    const r = await runInference.handle(runInference.input.parse({ runId: RUN_ID, host: "sim" }), deps());
    expect(r.answers.map((a) => a.error)).toEqual([null]);
    expect(r.answers[0]).toMatchObject({ prompt: question, image: join(wd, "data/images/cat.jpg") });
    expect(r.notes.join("\n")).toMatch(
      /No image given: asked its own question about the image of the first training record that has one/,
    );
    // A prompt of one's own is asked about the same image.
    const own = await runInference.handle(
      runInference.input.parse({ runId: RUN_ID, host: "sim", prompt: "Which animal?" }),
      deps(),
    );
    expect(own.answers[0]).toMatchObject({ prompt: "Which animal?", image: join(wd, "data/images/cat.jpg") });
    // Images without a prompt are described.
    const described = await runInference.handle(
      runInference.input.parse({ runId: RUN_ID, host: "sim", images: ["data/images/chart.png"] }),
      deps(),
    );
    expect(described.answers[0]).toMatchObject({ prompt: "Describe this image.", error: null });
    // Training data without any image: the call says what to give.
    writeFileSync(join(wd, "data/train.json"), JSON.stringify([{ messages: [{ role: "user", content: "hi" }] }]));
    await expect(runInference.handle(runInference.input.parse({ runId: RUN_ID, host: "sim" }), deps())).rejects.toThrow(
      /training data has no record with an image/,
    );
  }, 120_000);

  it("a run id no ledger holds gets one refusal, whichever tool is asked: searched everywhere, list_runs named", async () => {
    const ghost = "run-20261202-235959-ffff";
    const refusal = `No run "${ghost}" on any host in the inventory: list_runs shows the runs and their hosts.`;
    const said = (p: Promise<unknown>) =>
      p.then(
        () => "no error",
        (error: Error) => renderHints(error.message),
      );
    const input = { runId: ghost };
    expect(await said(runInference.handle(runInference.input.parse(input), deps()))).toBe(refusal);
    expect(await said(evaluateModel.handle(evaluateModel.input.parse(input), deps()))).toBe(refusal);
    expect(await said(exportModel.handle(exportModel.input.parse(input), deps()))).toBe(refusal);
    expect(await said(resumeRun.handle(resumeRun.input.parse(input), deps()))).toBe(refusal);
    expect(await said(tailLogs.handle(tailLogs.input.parse(input), deps()))).toContain(refusal);
  });

  it("evaluate_model refuses without the evaluation extras, then without benchmark data, before running anything", async () => {
    const call = () =>
      evaluateModel.handle(
        evaluateModel.input.parse({ runId: RUN_ID, host: "sim", benchmarks: ["docvqa_val"] }),
        deps(),
      );
    await expect(call()).rejects.toThrow(
      /evaluation extras are not installed .*openpyxl.*pip install -e "\.\[evaluate\]"/,
    );
    installEvaluateExtras(sim.settings.venv!);
    await expect(call()).rejects.toThrow(ToolError);
    await expect(call()).rejects.toThrow(/Benchmark data missing.*DocVQA_VAL\.tsv/);
  });

  it("evaluate_model scores ai2d_test and keeps the score in the run's ledger for list_runs", async () => {
    const r = await evaluateModel.handle(evaluateModel.input.parse({ runId: RUN_ID, host: "sim" }), deps());
    expect(r.scores[0]!.error).toBeNull();
    expect(r.scores[0]!.metric).toBe("Overall");
    expect(r.scores[0]!.score).toBeGreaterThan(0.5);
    expect(r.recorded).toBe(true);
    const record = JSON.parse(readFileSync(join(wd, ".ascend-train/runs", `${RUN_ID}.json`), "utf8"));
    expect(record.evaluations[0]).toMatchObject({ benchmark: "ai2d_test", iteration: "10" });
    const listed = await listRuns.handle(listRuns.input.parse({ host: "sim" }), deps());
    expect(JSON.stringify(listed)).toContain("ai2d_test");
    // Scoring again later is a new evaluation in its own directory, not a refusal over the first one's files.
    const later: ToolDeps = { ...deps(), now: () => new Date("2026-12-02T13:00:00Z") };
    const again = await evaluateModel.handle(evaluateModel.input.parse({ runId: RUN_ID, host: "sim" }), later);
    expect(again.scores[0]!.error).toBeNull();
    expect(dirname(again.files[0]!)).not.toBe(dirname(r.files[0]!));
  }, 120_000);

  it("run_inference and evaluate_model name the checkpoint's export once it exists, and suggest export_model until then", async () => {
    const exported = join(wd, "save", `${sim.name}-hf-iter_0000010`);
    expect(existsSync(join(exported, "ascend-train-convert.json"))).toBe(true);
    const ask = () =>
      runInference.handle(
        runInference.input.parse({
          runId: RUN_ID,
          host: "sim",
          prompts: [{ prompt: "x", image: "data/images/cat.jpg" }],
        }),
        deps(),
      );
    const score = (at: string) =>
      evaluateModel.handle(evaluateModel.input.parse({ runId: RUN_ID, host: "sim" }), {
        ...deps(),
        now: () => new Date(at),
      });
    const suggestion = `export_model {runId: "${RUN_ID}", confirm: true}`;
    for (const r of [await ask(), await score("2026-12-02T14:00:00Z")]) {
      const next = renderHints(r.next);
      expect(next).not.toContain("export_model");
      expect(next).toContain(`Hugging Face export is ${exported}`);
    }
    // The host no longer holds it (moved away): the export is suggested again.
    renameSync(exported, `${exported}.moved`);
    try {
      for (const r of [await ask(), await score("2026-12-02T14:30:00Z")])
        expect(renderHints(r.next)).toContain(suggestion);
    } finally {
      renameSync(`${exported}.moved`, exported);
    }
  }, 180_000);

  it("an export to a directory of one's own is noted in the run's ledger, and run_inference and evaluate_model name it", async () => {
    const mine = join(wd, "exports", "colours-v1");
    const done = await exportModel.handle(
      exportModel.input.parse({ runId: RUN_ID, host: "sim", targetDir: "exports/colours-v1", confirm: true }),
      deps(),
    );
    expect([done.output, done.complete]).toEqual([mine, true]);
    const record = RunRecordSchema.parse(
      JSON.parse(readFileSync(join(wd, ".ascend-train/runs", `${RUN_ID}.json`), "utf8")),
    );
    expect(record.exports?.at(-1)).toMatchObject({ dir: mine, iteration: "10", method: "mm_to_hf" });
    // Only the export of one's own directory on the host: the tools after it find it through the record.
    const beside = join(wd, "save", `${sim.name}-hf-iter_0000010`);
    renameSync(beside, `${beside}.moved`);
    try {
      const asked = await runInference.handle(
        runInference.input.parse({
          runId: RUN_ID,
          host: "sim",
          prompts: [{ prompt: "x", image: "data/images/cat.jpg" }],
        }),
        deps(),
      );
      const scored = await evaluateModel.handle(evaluateModel.input.parse({ runId: RUN_ID, host: "sim" }), {
        ...deps(),
        now: () => new Date("2026-12-02T15:00:00Z"),
      });
      for (const r of [asked, scored]) {
        const next = renderHints(r.next);
        expect(next).toContain(`Hugging Face export is ${mine}`);
        expect(next).not.toContain("export_model");
      }
      // The benchmark the host holds (AI2D's TSV in the workdir) is the one offered, said as found there.
      expect(renderHints(asked.next)).toContain(
        `Score it on ai2d_test with evaluate_model {runId: "${RUN_ID}"} (AI2D_TEST.tsv in ${wd}`,
      );
    } finally {
      renameSync(`${beside}.moved`, beside);
    }
  }, 180_000);

  it("refuses an incomplete checkpoint and one split differently from the run's script, before running anything", async () => {
    const broken = join(wd, "save", "broken");
    saveCheckpoint(broken, 5, ["mp_rank_00"]);
    const { rmSync } = await import("node:fs");
    rmSync(join(broken, "iter_0000005/mp_rank_00/model_optim_rng.pt"));
    await expect(
      exportModel.handle(
        exportModel.input.parse({
          checkpointDir: broken,
          model: "qwen2.5vl-3b",
          host: "sim",
          hfDir: "ckpt/hf/Qwen2.5-VL-3B-Instruct",
        }),
        deps(),
      ),
    ).rejects.toThrow(/incomplete/);
    const split = join(wd, "save", "split");
    saveCheckpoint(split, 10, ["mp_rank_00", "mp_rank_01"]);
    const record = JSON.parse(readFileSync(join(wd, ".ascend-train/runs", `${RUN_ID}.json`), "utf8"));
    const other = "run-20261202-120500-beef";
    writeFileSync(
      join(wd, ".ascend-train/runs", `${other}.json`),
      JSON.stringify({ ...record, id: other, saveDir: split, evaluations: undefined }),
    );
    await expect(
      runInference.handle(
        runInference.input.parse({
          runId: other,
          host: "sim",
          prompts: [{ prompt: "x", image: "data/images/cat.jpg" }],
        }),
        deps(),
      ),
    ).rejects.toThrow(/split tp=2, pp=1 but the run's script says tp=1, pp=1/);
    // A LoRA run: its checkpoint is adapters only, so export refuses instead of writing an incomplete model.
    const loraScript = sim.script.replace(/\.sh$/, "_lora.sh");
    writeFileSync(
      loraScript,
      readFileSync(sim.script, "utf8").replace("--use-mcore-models", "--use-mcore-models \\\n    --lora-r 8"),
    );
    const lora = "run-20261202-121000-f00d";
    writeFileSync(
      join(wd, ".ascend-train/runs", `${lora}.json`),
      JSON.stringify({ ...record, id: lora, script: loraScript, evaluations: undefined }),
    );
    const refused = await exportModel.handle(exportModel.input.parse({ runId: lora, host: "sim" }), deps()).then(
      () => null,
      (error: Error) => error,
    );
    expect(refused?.message).toMatch(/trained LoRA adapters/);
    // The merge it names is the command to type, the adapters' save directory in it and a new folder beside it for
    // the merged checkpoint; then the export of that folder.
    const merge = renderHints(refused!.message, renderCliHint);
    expect(hintProblems(merge, { host: "sim" })).toEqual([]);
    expect(printedCommands(merge)[0]).toMatchObject({
      tool: "convert_weights",
      args: { host: "sim", variant: "lora", targetDir: `${record.saveDir}-merged-iter_0000010`, confirm: true },
    });
    expect(printedCommands(merge)[1]).toMatchObject({
      tool: "export_model",
      args: { host: "sim", checkpointDir: `${record.saveDir}-merged-iter_0000010`, model: "qwen2.5vl-3b" },
    });
  }, 60_000);
});
