// Full and LoRA fine-tunes of one model on one host, side by side, as a newcomer mixes them: a run is LoRA or not by
// its own record (or script), never by what the folder it loaded from holds since; the LoRA recipe's converted base,
// configs and save directory are folders of their own, and the pre-flight's fix for a base of the wrong kind converts
// into a folder of its own instead of overwriting the other recipe's; a merge refuses a rank or alpha the adapters' run
// contradicts (unless ignoreRunLora) and a base converted for a full fine-tune. Through the tools' handlers on a
// simulated host reached through the local executor.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONVERT_MARKER, type ConvertMarker } from "../../src/convert/marker.js";
import { RunRecordSchema } from "../../src/runs/types.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import convertWeights from "../../src/tools/convert-weights.js";
import exportModel from "../../src/tools/export-model.js";
import launchTrain from "../../src/tools/launch-train.js";
import runInference from "../../src/tools/run-inference.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { type LocalTrainableSim, localTrainableSim, simToolDeps } from "../helpers/local-sim.js";

const FULL = "run-20261206-100000-f011";
const LORA = "run-20261206-110000-10aa";
const OLD_LORA = "run-20261206-120000-01d0";

let sim: LocalTrainableSim;
let deps: ToolDeps;
let wd: string;
const full = () => join(wd, "ckpt/mm/qwen2.5vl-3b");
const loraBase = () => join(wd, "ckpt/mm/qwen2.5vl-3b-lora-base");
const hf = () => join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct");

function marker(dir: string, variant: string): void {
  const m: ConvertMarker = {
    tool: "ascend-train convert_weights",
    version: 1,
    model: "qwen2.5vl-3b",
    release: "v26.1.0",
    variant,
    converter: "Qwen2_5_VLConverter",
    method: "hf_to_mm",
    format: "megatron",
    tp: 1,
    pp: 1,
    ep: 1,
    layerSplit: { llm: [36], vit: [32] },
    vpp: null,
    source: hf(),
    output: dir,
    command: "mm-convert …",
    createdAt: "2026-12-06T09:00:00Z",
  };
  writeFileSync(join(dir, CONVERT_MARKER), JSON.stringify(m));
}

function checkpoint(dir: string, sub: string): void {
  mkdirSync(join(dir, sub, "mp_rank_00"), { recursive: true });
  writeFileSync(join(dir, sub, "mp_rank_00", "model_optim_rng.pt"), "weights\n");
  writeFileSync(
    join(dir, "latest_checkpointed_iteration.txt"),
    sub === "release" ? "release" : String(Number(sub.slice(5))),
  );
}

function record(id: string, over: Record<string, unknown>): void {
  const r = RunRecordSchema.parse({
    version: 1,
    id,
    createdAt: `2026-12-06T${id.slice(13, 15)}:00:00Z`,
    hosts: [sim.name],
    nodes: [],
    workdir: wd,
    script: sim.script,
    command: ["bash", sim.script],
    env: {},
    configHashes: {},
    saveDir: null,
    loadDir: null,
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
  writeFileSync(join(wd, ".ascend-train/runs", `${id}.json`), JSON.stringify(r));
}

const failure = (work: Promise<unknown>) =>
  work.then(
    () => "",
    (error: Error) => error.message,
  );

beforeAll(async () => {
  sim = await localTrainableSim("lora-path", "0");
  wd = sim.settings.workdir!;
  deps = simToolDeps(sim);
  mkdirSync(join(wd, ".ascend-train/runs"), { recursive: true });
  // The full run trained from ckpt/mm/qwen2.5vl-3b (the sim's full conversion) and saved into save/full.
  checkpoint(join(wd, "save/full"), "iter_0000010");
  record(FULL, { saveDir: join(wd, "save/full"), loadDir: full(), lora: null });
  // A LoRA run (rank 16, alpha 32 by its record) from the LoRA base, its adapters in save/lora.
  mkdirSync(loraBase(), { recursive: true });
  checkpoint(loraBase(), "release");
  marker(loraBase(), "lora");
  checkpoint(join(wd, "save/lora"), "iter_0000010");
  record(LORA, { saveDir: join(wd, "save/lora"), loadDir: loraBase(), lora: { rank: 16, alpha: 32 } });
}, 180_000);

afterAll(async () => {
  await sim?.cleanup();
});

describe("a run is LoRA or not by its own record, whatever its load folder holds since", () => {
  it("a full run whose load folder was converted again for LoRA still exports, as the full model it trained", async () => {
    // Converted again for LoRA since the run (the hint of a LoRA pre-flight, overwriting the shared folder).
    marker(full(), "lora");
    const args = { runId: FULL, host: sim.name };
    const plan = await exportModel.handle(exportModel.input.parse(args), deps);
    expect(plan.ready).toBe(true);
    expect(plan.method).toBe("mm_to_hf");
    // The full model's structure, not the LoRA base's canonical one.
    expect(plan.command).not.toContain("enable_canonical_hf_struct");
    expect(plan.notes.join("\n")).toMatch(/converted again since this run started .*a full fine-tune/);
    // A record from before the field was kept: its launch script (a full fine-tune) says so.
    record(FULL, { saveDir: join(wd, "save/full"), loadDir: full() });
    expect((await exportModel.handle(exportModel.input.parse(args), deps)).ready).toBe(true);
    // Its base is no longer one the run's model loads: the comparison is refused with a folder of its own to convert.
    writeFileSync(join(wd, "data/x.png"), "png");
    const refused = await failure(
      runInference.handle(runInference.input.parse({ ...args, compareBase: true, images: ["data/x.png"] }), deps),
    );
    expect(refused).toMatch(/^compareBase: .*converted again since.* converted as a LoRA base/);
    expect(renderHints(refused)).toContain(`ckptDir: "${full()}-full"`);
    expect(renderHints(refused)).toContain(`baseCheckpointDir: "${full()}-full"`);
    marker(full(), "");
  });

  it("a run recorded as LoRA is refused export whatever its script says; an old record reads its script", async () => {
    const refused = await failure(exportModel.handle(exportModel.input.parse({ runId: LORA, host: sim.name }), deps));
    expect(refused).toMatch(/trained LoRA adapters/);
    // No lora field: the script it launched (a full fine-tune, --lora-* nowhere) decides.
    checkpoint(join(wd, "save/old"), "iter_0000010");
    record(OLD_LORA, { saveDir: join(wd, "save/old"), loadDir: loraBase() });
    expect((await exportModel.handle(exportModel.input.parse({ runId: OLD_LORA, host: sim.name }), deps)).ready).toBe(
      true,
    );
  });
});

describe("the LoRA recipe's folders are its own", () => {
  it("build_configs with variant lora writes configs, LOAD_PATH and SAVE_PATH apart from the full recipe's", async () => {
    const build = (variant?: string) =>
      buildConfigs.handle(buildConfigs.input.parse({ model: "qwen2.5vl-3b", host: sim.name, variant }), deps);
    const std = await build();
    const lora = await build("lora");
    expect(lora.outputDir).toBe(join(wd, "configs/qwen2.5vl-3b-lora"));
    expect(std.outputDir).toBe(join(wd, "configs/qwen2.5vl-3b"));
    const line = (r: typeof std, name: string) =>
      readFileSync(r.files.find((f) => f.role === "launch-script")!.path, "utf8")
        .split("\n")
        .find((l) => l.startsWith(`${name}=`));
    expect(line(std, "LOAD_PATH")).toBe("LOAD_PATH=ckpt/mm_path/Qwen2.5-VL-3B-Instruct");
    expect(line(lora, "LOAD_PATH")).toBe("LOAD_PATH=ckpt/mm_path/Qwen2.5-VL-3B-Instruct-lora-base");
    expect(line(lora, "SAVE_PATH")).not.toBe(line(std, "SAVE_PATH"));
    // convert_weights for the LoRA variant writes the LoRA configs' folder by default.
    const convert = await convertWeights.handle(
      convertWeights.input.parse({ model: "qwen2.5vl-3b", host: sim.name, variant: "lora", hfDir: hf() }),
      deps,
    );
    expect(convert.output).toBe(join(wd, "ckpt/mm_path/Qwen2.5-VL-3B-Instruct-lora-base"));
  });

  it("the pre-flight's fix for a base of the other kind converts into a folder of its own, not over the shared one", async () => {
    marker(full(), "");
    const built = await buildConfigs.handle(
      buildConfigs.input.parse({
        model: "qwen2.5vl-3b",
        host: sim.name,
        variant: "lora",
        outputDir: join(wd, "configs/on-full"),
        hfDir: hf(),
        ckptDir: full(),
        saveDir: join(wd, "save/on-full"),
        dataset: join(wd, "data/train.json"),
      }),
      deps,
    );
    const script = built.files.find((f) => f.role === "launch-script")!.path;
    const r = await launchTrain.handle(launchTrain.input.parse({ host: sim.name, script }), deps);
    const weights = r.checks.find((c) => c.id === "weights" && c.level === "error")!;
    expect(weights.message).toMatch(/converted for a full fine-tune/);
    const fix = renderHints(weights.fix!);
    expect(fix).toContain(`convert_weights {host: "${sim.name}", model: "qwen2.5vl-3b"`);
    expect(fix).toContain(`variant: "lora"`);
    expect(fix).toContain(`ckptDir: "${full()}-lora-base"`);
    expect(fix).toMatch(/build_configs \{[^}]*ckptDir: "[^"]*-lora-base"[^}]*, overwrite: true\}/);
    // The shared folder is left to the full runs: no conversion into it, nothing overwritten there.
    expect(fix).not.toContain(`ckptDir: "${full()}", overwrite: true`);
    expect(fix).not.toMatch(/convert_weights \{[^}]*overwrite: true/);
  });
});

describe("a merge of LoRA adapters checks them against the run that trained them", () => {
  const merge = (over: Record<string, unknown>) =>
    convertWeights.handle(
      convertWeights.input.parse({
        model: "qwen2.5vl-3b",
        host: sim.name,
        variant: "lora",
        method: "merge_base_lora_weight",
        loraDir: join(wd, "save/lora"),
        targetDir: join(wd, "merged"),
        ...over,
      }),
      deps,
    );

  it("refuses a rank and alpha the run's record contradicts, naming the run's, unless ignoreRunLora", async () => {
    const r = await merge({ loraRank: 16, loraAlpha: 16 });
    expect(r.ready).toBe(false);
    const check = r.checks.find((c) => c.id === "lora" && !c.ok)!;
    expect(check.message).toContain("alpha 16 (trained 32)");
    expect(check.message).toContain(`run ${LORA}`);
    expect(renderHints(check.fix!)).toContain("loraRank: 16, loraAlpha: 32");
    expect(convertWeights.summarize(r)).not.toMatch(/Checks passed/);
    // Left out, they are the run's; given on purpose, they are used and said.
    const taken = await merge({});
    expect(taken.checks.filter((c) => !c.ok)).toEqual([]);
    expect(taken.argv.slice(taken.argv.indexOf("--lora_alpha"), taken.argv.indexOf("--lora_r") + 2)).toEqual([
      "--lora_alpha",
      "32",
      "--lora_r",
      "16",
    ]);
    // Only the alpha given: the rank is still the run's.
    expect((await merge({ loraAlpha: 32 })).ready).toBe(true);
    const forced = await merge({ loraRank: 16, loraAlpha: 16, ignoreRunLora: true });
    expect(forced.ready).toBe(true);
    expect(forced.notes.join("\n")).toMatch(/differ from the trained ones/);
  });

  it("adds the adapters to the base the run trained from, and refuses a base converted for a full fine-tune", async () => {
    const taken = await merge({});
    expect(taken.input).toBe(loraBase());
    marker(full(), "");
    const r = await merge({ ckptDir: full() });
    expect(r.ready).toBe(false);
    const check = r.checks.find((c) => c.id === "lora" && !c.ok)!;
    expect(check.message).toMatch(/converted for a full fine-tune/);
    expect(renderHints(check.fix!)).toContain(`ckptDir: "${loraBase()}"`);
    // A full run's save directory holds no adapters to merge.
    const none = await merge({ loraDir: join(wd, "save/full") });
    expect(none.ready).toBe(false);
    expect(renderHints(none.checks.find((c) => c.id === "lora")!.fix!)).toContain(
      `export_model {host: "${sim.name}", runId: "${FULL}"`,
    );
  });
});
