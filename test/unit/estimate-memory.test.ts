// The memory estimate against reality: measured peaks from public training logs (test/fixtures/estimate), every
// model family's shape, and upstream's sizing table on 64 GB HBM (Atlas 800T A2).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estimateForModel, estimateLine, stateOnlyOverflow } from "../../src/estimate/index.js";
import { estimateScript } from "../../src/estimate/launch.js";
import { fittingLayouts } from "../../src/estimate/layouts.js";
import { ALLOWANCE_GIB, estimateMemory, type Recompute, totalParams } from "../../src/estimate/memory.js";
import { MODEL_SHAPES, type TextShape } from "../../src/knowledge/model-shapes.js";
import { MODELS } from "../../src/knowledge/models.js";

interface RealCase {
  id: string;
  source: string;
  /** The language model's shape, or a registry model whose stored shape (vision tower included) is used. */
  text?: TextShape;
  model?: string;
  vision?: { images: number; patchesPerImage: number };
  /** The pipeline stage the measured rank ran; the fullest stage when absent. */
  stage?: number;
  layout: {
    tp: number;
    pp: number;
    cp: number;
    ep: number;
    dp: number;
    microBatchSize: number;
    microBatches: number;
    seqLength: number;
    llmLayerSplit?: number[];
    vitLayerSplit?: number[];
  };
  recipe: {
    recompute: Recompute;
    distributedOptimizer: boolean;
    precision?: "bf16" | "fp16";
    flashAttention?: boolean;
    sequenceParallel?: boolean;
  };
  measuredMiB: number;
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/estimate/real-memory.json"), "utf8"),
) as { cases: RealCase[] };

function estimateCase(c: RealCase) {
  const shape = c.model ? MODEL_SHAPES[c.model]! : { text: c.text!, sources: [c.source] };
  const e = estimateMemory({
    shape,
    recipe: { backend: "megatron", loraRank: null, freezeVision: true, ...c.recipe },
    layout: c.layout,
    vision: c.vision ?? { images: 0, patchesPerImage: 0 },
    hbmGiB: 1024,
  });
  // Tensors only: what "max allocated" counts. The allowance is the same for every case and not part of it.
  const estimatedMiB = (c.stage !== undefined ? e.stages[c.stage]!.tensorsGiB : e.tensorsGiB) * 1024;
  return { estimatedMiB, error: (estimatedMiB - c.measuredMiB) / c.measuredMiB };
}

describe("memory estimate against measured peaks", () => {
  const rows = fixture.cases.map((c) => ({ c, ...estimateCase(c) }));

  it("reports the error of every real case and keeps at least 10 within ±20%", () => {
    const table = rows.map(
      (r) =>
        `${r.c.id.padEnd(38)} real ${r.c.measuredMiB.toFixed(0).padStart(7)} MiB  estimate ${r.estimatedMiB.toFixed(0).padStart(7)} MiB  ${(r.error * 100).toFixed(1).padStart(6)}%`,
    );
    console.log(`allowance (not in these figures): ${ALLOWANCE_GIB} GiB per rank\n${table.join("\n")}`);
    const within = rows.filter((r) => Math.abs(r.error) <= 0.2);
    expect(within.length).toBeGreaterThanOrEqual(10);
  });

  it.each(fixture.cases)("$id is within 20 percent of its measured peak", (c) => {
    const { error } = estimateCase(c);
    expect(Math.abs(error)).toBeLessThanOrEqual(0.2);
  });

  it("MindSpeed-MM's own Ascend baselines (Qwen2.5-VL-7B, TP2 PP2) are within 5% on both pipeline stages", () => {
    const ascend = rows.filter((r) => r.c.id.startsWith("ascend-mm-"));
    expect(ascend).toHaveLength(2);
    for (const r of ascend) expect(Math.abs(r.error), r.c.id).toBeLessThan(0.05);
  });

  it("every case names its source and a measured figure", () => {
    for (const c of fixture.cases) {
      expect(c.source.length).toBeGreaterThan(20);
      expect(c.measuredMiB).toBeGreaterThan(0);
    }
  });
});

describe("model shapes", () => {
  it("every registry model has a stored shape with sources, agreeing with its architecture where it states one", () => {
    const missing = MODELS.filter((m) => !MODEL_SHAPES[m.id]).map((m) => m.id);
    expect(missing).toEqual([]);
    for (const m of MODELS) {
      const shape = MODEL_SHAPES[m.id]!;
      expect(shape.sources.length, m.id).toBeGreaterThan(0);
      for (const s of shape.sources) expect(s, m.id).toMatch(/^https:\/\//);
      if (!m.arch) continue;
      expect(shape.text.layers, m.id).toBe(m.arch.llm.layers);
      expect(shape.text.hidden, m.id).toBe(m.arch.llm.hidden);
      if (m.arch.vit) expect(shape.vision?.layers, m.id).toBe(m.arch.vit.layers);
    }
  });

  it("the eight newest shapes were checked against a second copy of their config, each check saying what it covered", () => {
    const newest = [
      "qwen3_5-4b",
      "qwen3_5-9b",
      "qwen3_5-122b",
      "mimov2_5",
      "step3_vl-10b",
      "deepseekocr",
      "deepseekocr2",
      "ming",
    ];
    for (const id of newest) {
      const checks = MODEL_SHAPES[id]!.checkedAgainst ?? [];
      expect(checks.length, id).toBeGreaterThan(0);
      for (const c of checks) expect(c, id).toMatch(/as stored/);
    }
  });

  it("every MoE shape names its experts, experts per token and expert width", () => {
    for (const [id, shape] of Object.entries(MODEL_SHAPES)) {
      if (!shape.text.experts) continue;
      expect(shape.text.topK, id).toBeGreaterThan(0);
      expect(shape.text.topK!, id).toBeLessThanOrEqual(shape.text.experts);
      expect(shape.text.moeFfn, id).toBeGreaterThan(0);
    }
  });

  it.each([
    ["qwen2.5vl-3b", 3.09e9, 0.67e9],
    ["qwen2.5vl-7b", 7.62e9, 0.67e9],
    ["qwen2.5vl-72b", 72.7e9, 0.67e9],
    ["qwen3vl-30b", 30.5e9, 0.41e9],
    ["internvl2.5-78b", 72.7e9, 5.9e9],
    ["qwen3_5-122b", 122e9, 0.45e9],
    ["mimov2_5", 310e9, 0.73e9],
    ["ming", 16.8e9, 0.67e9],
  ] as const)("%s counts about its published parameters", (id, text, vision) => {
    const p = totalParams(MODEL_SHAPES[id]!);
    expect(Math.abs(p.text - text) / text).toBeLessThan(0.05);
    expect(Math.abs(p.vision - vision) / vision).toBeLessThan(0.15);
  });

  it.each(Object.keys(MODEL_SHAPES))("%s gets an estimate and at least one fitting layout on up to 256 NPUs", (id) => {
    const model = MODELS.find((m) => m.id === id)!;
    const r = estimateForModel({ model: id });
    expect(r.estimate.peakGiBPerRank).toBeGreaterThan(0);
    // Up to 256 NPUs, or the upstream example's own size when it is larger (DeepSeek-V3-VL: 64 nodes of 8).
    const d = model.recipes[0]!.defaults;
    const sizes = [8, 16, 32, 64, 128, 256, d.npusPerNode * d.nodes].filter((n, i, all) => all.indexOf(n) === i);
    const fits = sizes.some(
      (npus) => estimateForModel({ model: id, npus, npusPerNode: 8, limit: 1 }).layouts.length > 0,
    );
    expect(fits, `${model.id} fits nowhere up to ${Math.max(...sizes)} NPUs`).toBe(true);
  });
});

describe("upstream's sizing table on Atlas 800T A2 (64 GB), micro batch 1", () => {
  const fits = (model: string, npus: number, tp: number, pp: number) =>
    estimateForModel({ model, npus, npusPerNode: 8, tp, pp, microBatchSize: 1, chip: "910B3" }).estimate;

  it("3B: TP1 PP1 fits on 1 and on 8 NPUs", () => {
    expect(fits("qwen2.5vl-3b", 1, 1, 1).fits).toBe(true);
    expect(fits("qwen2.5vl-3b", 8, 1, 1).fits).toBe(true);
  });

  it("7B: 8 NPUs with TP1–2 and PP1–2 fit; one NPU does not", () => {
    for (const [tp, pp] of [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ] as const)
      expect(fits("qwen2.5vl-7b", 8, tp, pp).fits, `TP${tp} PP${pp}`).toBe(true);
    expect(fits("qwen2.5vl-7b", 1, 1, 1).fits).toBe(false);
  });

  it("32B: TP4 PP2 fits on 16 NPUs; 4 NPUs do not fit at any layout", () => {
    expect(fits("qwen2.5vl-32b", 16, 4, 2).fits).toBe(true);
    const r = estimateForModel({ model: "qwen2.5vl-32b", npus: 4, npusPerNode: 8, tp: 4, pp: 1, microBatchSize: 1 });
    expect(r.estimate.fits).toBe(false);
    expect(r.layouts).toHaveLength(0);
  });

  it("72B–78B: TP8 with PP2–4 fits on 32 NPUs; 8 NPUs do not fit", () => {
    expect(fits("qwen2.5vl-72b", 32, 8, 2).fits).toBe(true);
    expect(fits("qwen2.5vl-72b", 32, 8, 4).fits).toBe(true);
    expect(fits("internvl2.5-78b", 32, 8, 4).fits).toBe(true);
    const r = estimateForModel({ model: "qwen2.5vl-72b", npus: 8, npusPerNode: 8, tp: 8, pp: 1, microBatchSize: 1 });
    expect(r.layouts).toHaveLength(0);
  });

  it("the proposed layouts for 32B on 16 NPUs keep TP inside a node and split layers as build_configs does", () => {
    const r = estimateForModel({ model: "qwen2.5vl-32b", npus: 16, npusPerNode: 8, microBatchSize: 1 });
    expect(r.layouts.length).toBeGreaterThan(0);
    for (const c of r.layouts) {
      expect(c.tp).toBeLessThanOrEqual(8);
      expect(c.llmLayerSplit.reduce((a, b) => a + b, 0)).toBe(64);
      expect(c.llmLayerSplit).toHaveLength(c.pp);
      expect(c.tp * c.pp * c.dp).toBe(16);
    }
    // Roomy layouts first (margin of 5% of HBM or more), each group best expected throughput first.
    const roomy = r.layouts.filter((c) => c.marginGiB >= 64 * 0.05);
    expect(r.layouts.slice(0, roomy.length)).toEqual(roomy);
    const scores = roomy.map((c) => c.throughputScore);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("a layout that does not fit is not listed among the fitting layouts", () => {
    const r = estimateForModel({ model: "qwen2.5vl-72b", npus: 16, npusPerNode: 8, tp: 8, pp: 2 });
    expect(r.estimate.fits).toBe(false);
    expect(r.layouts.every((c) => c.fits)).toBe(true);
    expect(r.nearest?.moreNpus).toBe(true);
    expect(r.nearest!.npus).toBeGreaterThan(16);
    const same = fittingLayouts({
      shape: MODEL_SHAPES["qwen2.5vl-72b"]!,
      recipe: {
        backend: "megatron",
        recompute: "none",
        distributedOptimizer: true,
        loraRank: null,
        freezeVision: true,
      },
      vision: { images: 1, patchesPerImage: 1337 },
      hbmGiB: 64,
      npus: r.nearest!.npus,
      npusPerNode: 8,
      microBatchSize: 1,
      seqLength: 1024,
      globalBatchSize: 96,
      cp: 1,
    });
    expect(same[0]?.tp).toBe(r.nearest!.layout.tp);
  });

  it("LoRA lets 72B fit on 16 NPUs with TP8 PP2", () => {
    const r = estimateForModel({ model: "qwen2.5vl-72b", npus: 16, npusPerNode: 8, tp: 8, pp: 2, lora: true });
    expect(r.estimate.fits).toBe(true);
  });

  it("the table's lower rows (32B on 8 NPUs TP4 PP2, 72B on 16 TP8 PP2) cannot hold a full fine-tune's state", () => {
    // DP 1: the distributed optimizer shards nothing. Even with every MindSpeed memory option the recipes use
    // (--reuse-fp32-param, full recompute), bf16 weights + fp32 gradients + Adam state with a 2-byte master residual
    // (16 bytes per parameter) exceed what 64 GB leaves after the allowance.
    const all = { npusPerNode: 8, microBatchSize: 1, chip: "910B3", reuseFp32Param: true, recompute: "full" } as const;
    const b32 = estimateForModel({ model: "qwen2.5vl-32b", npus: 8, tp: 4, pp: 2, ...all }).estimate;
    const static32 = b32.breakdown.weightsGiB + b32.breakdown.gradientsGiB + b32.breakdown.optimizerGiB;
    expect(static32).toBeGreaterThan(61);
    expect(b32.fits).toBe(false);
    expect(b32.peakGiBPerRank).toBeGreaterThan(64);
    const b72 = estimateForModel({ model: "qwen2.5vl-72b", npus: 16, tp: 8, pp: 2, ...all }).estimate;
    const static72 = b72.breakdown.weightsGiB + b72.breakdown.gradientsGiB + b72.breakdown.optimizerGiB;
    expect(static72).toBeGreaterThan(64);
    expect(b72.fits).toBe(false);
    // the verdict says so: no activation option can help these rows
    expect(stateOnlyOverflow(b72)).toMatch(/before any activation.*more data-parallel ranks.*or train LoRA/);
    const line = estimateLine(estimateForModel({ model: "qwen2.5vl-72b", npus: 16, npusPerNode: 8, tp: 8, pp: 2 }));
    expect(line).toContain("recompute or swapping cannot help");
    // a layout over only because of its activations gets no such reason
    const act = estimateForModel({ model: "qwen2.5vl-7b", npus: 8, npusPerNode: 8, tp: 1, pp: 1, seqLength: 32768 });
    expect(act.estimate.fits).toBe(false);
    expect(stateOnlyOverflow(act.estimate)).toBeNull();
    // the same rows with LoRA fit with room to spare
    expect(estimateForModel({ model: "qwen2.5vl-32b", npus: 8, tp: 4, pp: 2, lora: true }).estimate.fits).toBe(true);
  });
});

describe("what upstream's recipes for 32B–78B run, estimated as they run it", () => {
  const at = (model: string, npus: number, over: Record<string, unknown> = {}) =>
    estimateForModel({ model, npus, npusPerNode: 8, chip: "910B3", ...over });

  it("Qwen2.5-VL-32B's example (TP2 PP8, split [1,9×7], 2 × 8 NPUs) fits; on one node of 8 it does not", () => {
    const r = at("qwen2.5vl-32b", 16);
    expect([r.layout.tp, r.layout.pp]).toEqual([2, 8]);
    expect(r.layout.llmLayerSplit).toEqual([1, 9, 9, 9, 9, 9, 9, 9]);
    expect(r.estimate.fits).toBe(true);
    expect(r.estimate.assumptions.join(" ")).toContain("distributed optimizer");
    expect(at("qwen2.5vl-32b", 8, { tp: 2, pp: 4 }).estimate.fits).toBe(false);
  });

  it("Qwen2-VL-72B's example runs --reuse-fp32-param and full recompute: the estimate counts both", () => {
    const r = at("qwen2vl-72b", 32);
    expect(r.estimate.assumptions.join(" ")).toContain("--reuse-fp32-param");
    expect(r.estimate.assumptions.join(" ")).toContain("recompute: full");
    const plain = at("qwen2vl-72b", 32, { reuseFp32Param: false });
    // 2 bytes per trainable parameter divided by DP (2 here): 1 byte per parameter of the stage
    expect(plain.estimate.breakdown.optimizerGiB - r.estimate.breakdown.optimizerGiB).toBeCloseTo(
      plain.estimate.breakdown.optimizerGiB / 6,
      1,
    );
    expect(r.estimate.fits).toBe(true);
    expect(at("qwen2vl-72b", 16).estimate.fits).toBe(false);
  });

  it("Qwen2.5-VL-72B's example (TP2 PP8 on A3, 16 NPUs per node) fits on 4 nodes (64 NPUs), not on 2", () => {
    expect(at("qwen2.5vl-72b", 64, { npusPerNode: 16, chip: "910_93" }).estimate.fits).toBe(true);
    expect(at("qwen2.5vl-72b", 32, { npusPerNode: 16, chip: "910_93" }).estimate.fits).toBe(false);
  });

  it("v2.2.0's Qwen2.5-VL-72B script swaps attention activations to host: less LLM activation memory", () => {
    const v22 = at("qwen2.5vl-72b", 32, { release: "v2.2.0" }).estimate;
    const v23 = at("qwen2.5vl-72b", 32, { release: "v2.3.0" }).estimate;
    expect(v22.assumptions.join(" ")).toContain("--swap-attention");
    expect(v23.assumptions.join(" ")).not.toContain("--swap-attention");
    expect(v22.breakdown.llmActivationsGiB).toBeLessThan(v23.breakdown.llmActivationsGiB * 0.85);
    expect(v22.breakdown.optimizerGiB).toBe(v23.breakdown.optimizerGiB);
  });

  it("InternVL3-78B's example (TP8 PP2, full recompute) fits on 32 and 64 NPUs, not on one node of 16", () => {
    expect(at("internvl3-78b", 32, { tp: 8, pp: 2 }).estimate.fits).toBe(true);
    expect(at("internvl3-78b", 64, { tp: 8, pp: 2 }).estimate.fits).toBe(true);
    expect(at("internvl3-78b", 16, { tp: 8, pp: 2 }).estimate.fits).toBe(false);
  });

  it("a launch script's own flags decide: --reuse-fp32-param in the script lowers the optimizer state", () => {
    const base = { model: "qwen2.5vl-32b", npus: 16, npusPerNode: 8, tp: 2, pp: 8 };
    const plain = estimateForModel({
      ...base,
      flags: { "use-distributed-optimizer": true, "use-flash-attn": true },
    });
    const reuse = estimateForModel({
      ...base,
      flags: { "use-distributed-optimizer": true, "use-flash-attn": true, "reuse-fp32-param": true },
    });
    const last = (r: typeof plain) => r.estimate.stages[7]!.breakdown.optimizerGiB;
    expect(last(reuse)).toBeCloseTo((last(plain) * 10) / 12, 1);
    // without --use-distributed-optimizer the optimizer state is whole on every DP rank
    const whole = estimateForModel({ ...base, npus: 32, flags: { "use-flash-attn": true } });
    const sharded = estimateForModel({ ...base, npus: 32, flags: { "use-distributed-optimizer": true } });
    expect(last(whole)).toBeCloseTo(last(sharded) * 2, 1);
  });

  it("a launch script's sequence length, micro batch and memory flags reach the estimate", () => {
    const script = (seq: number, extra: string) =>
      [
        "NPUS_PER_NODE=8",
        "TP=1",
        "PP=1",
        'GPT_ARGS="',
        "    --tensor-model-parallel-size 1 \\",
        "    --micro-batch-size 1 \\",
        "    --global-batch-size 8 \\",
        `    --seq-length ${seq} \\`,
        "    --use-flash-attn \\",
        "    --use-distributed-optimizer \\",
        `    ${extra} \\`,
        '"',
        "torchrun $DISTRIBUTED_ARGS pretrain_vlm.py $GPT_ARGS 2>&1 | tee log",
      ].join("\n");
    const path = "configs/qwen2.5vl-7b/finetune_qwen2_5_vl_7b.sh";
    const short = estimateScript(path, script(1024, "--bf16"))!;
    const long = estimateScript(path, script(2048, "--bf16"))!;
    const reuse = estimateScript(path, script(2048, "--reuse-fp32-param"))!;
    expect(long.peakGiBPerRank).toBeGreaterThan(short.peakGiBPerRank + 1);
    expect(reuse.peakGiBPerRank).toBeLessThan(long.peakGiBPerRank);
  });

  it("what upstream's model JSON trains besides the language model is counted: InternVL's projector, DeepSeek-VL2's tower", () => {
    const internvl = estimateForModel({ model: "internvl3-78b", npus: 32, npusPerNode: 8, tp: 8, pp: 2 }).estimate;
    expect(internvl.assumptions).toContain("vision tower frozen, projector trained");
    const frozen = estimateForModel({
      model: "internvl3-78b",
      npus: 32,
      npusPerNode: 8,
      tp: 8,
      pp: 2,
      trainVision: false,
    });
    // the projector's gradients and optimizer state sit on stage 0 with the tower
    expect(internvl.stages[0]!.breakdown.gradientsGiB).toBeGreaterThan(
      frozen.estimate.stages[0]!.breakdown.gradientsGiB,
    );
    expect(internvl.stages[1]!.breakdown.gradientsGiB).toBe(frozen.estimate.stages[1]!.breakdown.gradientsGiB);
    const dsvl2 = estimateForModel({ model: "deepseekvl2" }).estimate;
    expect(dsvl2.assumptions).toContain("vision tower and projector trained");
    expect(estimateForModel({ model: "qwen2.5vl-7b" }).estimate.assumptions).toContain(
      "vision tower and projector frozen",
    );
  });

  it("full recompute holds the recomputed layer once, not once per microbatch in flight", () => {
    // InternVL2.5-78B: PP16, stage 2 has 6 layers and 14 microbatches in flight at seq 4096.
    const r = at("internvl2.5-78b", 64);
    const stage = r.estimate.stages[2]!;
    const shape = MODEL_SHAPES["internvl2.5-78b"]!.text;
    const kept = (6 * 2 * shape.hidden * 4096 * 14) / 1024 ** 3;
    // kept layer inputs plus one layer's full activations (about 1 GiB at TP 1), far below 14 of them
    expect(stage.breakdown.llmActivationsGiB).toBeGreaterThan(kept);
    expect(stage.breakdown.llmActivationsGiB).toBeLessThan(kept + 1.5);
  });
});

describe("what each setting changes", () => {
  const base = { model: "qwen2.5vl-7b", npus: 8, npusPerNode: 8, tp: 1, pp: 1 } as const;
  const est = (over: Record<string, unknown>) => estimateForModel({ ...base, ...over }).estimate;

  it("full recompute keeps only each layer's input", () => {
    const none = est({ recompute: "none" });
    const full = est({ recompute: "full" });
    expect(full.breakdown.llmActivationsGiB).toBeLessThan(none.breakdown.llmActivationsGiB / 4);
    expect(full.breakdown.optimizerGiB).toBe(none.breakdown.optimizerGiB);
  });

  it("context parallel splits the sequence; TP splits weights and activations", () => {
    const one = est({ seqLength: 8192 });
    const cp2 = est({ seqLength: 8192, cp: 2 });
    const tp2 = est({ seqLength: 8192, tp: 2 });
    expect(cp2.breakdown.llmActivationsGiB).toBeCloseTo(one.breakdown.llmActivationsGiB / 2, 1);
    expect(tp2.breakdown.weightsGiB).toBeCloseTo(one.breakdown.weightsGiB / 2, 0);
    // without sequence parallel the norm activations stay whole on each TP rank: more than half remains
    expect(tp2.breakdown.llmActivationsGiB).toBeGreaterThan(one.breakdown.llmActivationsGiB / 2);
    expect(tp2.breakdown.llmActivationsGiB).toBeLessThan(one.breakdown.llmActivationsGiB * 0.75);
  });

  it("a trained vision tower adds its gradients, optimizer state and kept activations; more images add more", () => {
    const frozen = est({});
    const trained = est({ trainVision: true });
    expect(trained.breakdown.optimizerGiB).toBeGreaterThan(frozen.breakdown.optimizerGiB);
    expect(trained.breakdown.vitActivationsGiB).toBeGreaterThan(frozen.breakdown.vitActivationsGiB * 10);
    const many = est({ trainVision: true, images: 8 });
    expect(many.breakdown.vitActivationsGiB).toBeCloseTo(trained.breakdown.vitActivationsGiB * 8, 1);
  });

  it("pipeline stage 0 holds PP microbatches in flight and the ViT; the last stage holds the logits", () => {
    const r = estimateForModel({ ...base, pp: 4, llmLayerSplit: [7, 7, 7, 7] });
    const [first, , , last] = r.estimate.stages;
    expect(first!.breakdown.llmActivationsGiB).toBeCloseTo(last!.breakdown.llmActivationsGiB * 4, 1);
    expect(first!.vitLayers).toBe(32);
    expect(last!.breakdown.logitsGiB).toBeGreaterThan(0);
    expect(first!.breakdown.logitsGiB).toBe(0);
  });
});

describe("upstream's example layouts of the native-FSDP2 and custom-trainer families on 64 GB HBM", () => {
  // No layout arguments: each model is estimated at its upstream example's NPU count and micro batch.
  const atExample = (model: string) => estimateForModel({ model, chip: "910B3" });

  it("Qwen3.5 4B and 9B fit their 8-NPU example: dense, 4–9B parameters sharded over 8 NPUs", () => {
    for (const model of ["qwen3_5-4b", "qwen3_5-9b"]) {
      const r = atExample(model);
      expect(r.estimate.fits, model).toBe(true);
      expect(r.estimate.peakGiBPerRank, model).toBeLessThan(32);
    }
  });

  it("Qwen3.5-122B-A10B fits its 8 × 16-NPU example: 122B parameters over 128 NPUs, 256 experts at EP 8", () => {
    const r = atExample("qwen3_5-122b");
    expect(r.estimate.fits).toBe(true);
    // One node of 16 cannot hold 122B parameters with their optimizer state (~16 bytes each: ~114 GiB per NPU).
    expect(estimateForModel({ model: "qwen3_5-122b", npus: 16, npusPerNode: 16, chip: "910B3" }).estimate.fits).toBe(
      false,
    );
  });

  it("MiMo-V2.5 at full size does not fit the one-node example (16 NPUs): 310B parameters need ~300 GiB per NPU", () => {
    // Upstream validated this example only with reduced layers (NNODES=1).
    const r = atExample("mimov2_5");
    expect(r.estimate.fits).toBe(false);
    expect(r.estimate.peakGiBPerRank).toBeGreaterThan(200);
  });

  it("Step3-VL-10B fits its 4-NPU example: 8B decoder plus the 1.8B PE-lang tower sharded over 4 NPUs", () => {
    const r = atExample("step3_vl-10b");
    expect(r.estimate.fits).toBe(true);
    // The PE-lang tower is part of the count (1.7B in its 47 layers).
    expect(totalParams(MODEL_SHAPES["step3_vl-10b"]!).vision).toBeGreaterThan(1.7e9);
  });

  it("DeepSeek-OCR 1 and 2 fit their 8-NPU example: a 3B MoE decoder with a sub-billion DeepEncoder", () => {
    for (const model of ["deepseekocr", "deepseekocr2"]) {
      const r = atExample(model);
      expect(r.estimate.fits, model).toBe(true);
      expect(r.estimate.peakGiBPerRank, model).toBeLessThan(32);
    }
  });

  it("Ming-Lite-Omni-1.5 fits its 8-NPU example: the 16.8B Ling-lite MoE sharded over 8 NPUs", () => {
    const r = atExample("ming");
    expect(r.estimate.fits).toBe(true);
    // On one NPU the same model does not fit: weights, gradients and Adam state alone exceed 64 GB.
    expect(estimateForModel({ model: "ming", npus: 1, npusPerNode: 1, chip: "910B3" }).estimate.fits).toBe(false);
  });
});
