// Virtual pipeline (VPP) as a build_configs parameter: pipeline_num_layers as one row per virtual stage (the format
// of docs/features/virtual_pipeline_parallel.md and examples/internvl2/model_8B_vpp.json), the
// --virtual-pipeline-model-parallel-size flag, the converter's VppParallelConfig rows, and the launch pre-flight.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flagSpecs } from "../../src/cli/flags.js";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { defaultVppRows, rankSums } from "../../src/configs/vpp.js";
import { type ConvertMarker, markerMismatch } from "../../src/convert/marker.js";
import { planConversion } from "../../src/convert/plan.js";
import { RELEASE_TAGS } from "../../src/knowledge/release-tags.js";
import { parseLaunchScript } from "../../src/runs/launch-script.js";
import { describeRun } from "../../src/runs/run-config.js";
import buildConfigs from "../../src/tools/build-configs.js";

type Model = {
  text_decoder: { pipeline_num_layers: unknown };
  image_encoder: { vision_encoder: { pipeline_num_layers: unknown; freeze?: boolean } };
};
const modelOf = (p: ReturnType<typeof resolveTrainingPlan>) =>
  p.files.find((f) => f.role === "model-config")!.value as Model;
const scriptOf = (p: ReturnType<typeof resolveTrainingPlan>) => p.files.find((f) => f.format === "bash")!.text;
const UPSTREAM_LLM = [
  [0, 0, 0, 1],
  [4, 4, 4, 4],
  [4, 4, 4, 3],
];
const UPSTREAM_VIT = [
  [6, 7, 7, 4],
  [0, 0, 0, 0],
  [0, 0, 0, 0],
];

describe("vpp as a build_configs parameter", () => {
  it("splits the pp x vpp virtual stages in forward order, the ViT first", () => {
    expect(defaultVppRows(32, 4, 3, "llm")).toEqual([
      [2, 2, 2, 2],
      [3, 3, 3, 3],
      [3, 3, 3, 3],
    ]);
    expect(defaultVppRows(24, 4, 3, "vit")).toEqual([
      [24, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(rankSums(UPSTREAM_LLM)).toEqual([8, 8, 8, 8]);
  });

  it("writes Qwen2.5-VL-72B's model JSON as rows per virtual stage, the flag after the pipeline size, and converts with the same rows", () => {
    const p = resolveTrainingPlan("qwen2.5vl-72b", "v26.0.0", { vpp: 2 });
    expect(p.errors).toEqual([]);
    expect(p.vpp).toBe(2);
    const rows = defaultVppRows(80, 8, 2, "llm");
    const vitRows = defaultVppRows(32, 8, 2, "vit");
    expect(p.vppLayerSplit).toEqual({ llm: rows, vit: vitRows });
    const model = modelOf(p);
    expect(model.text_decoder.pipeline_num_layers).toEqual(rows);
    expect(model.image_encoder.vision_encoder.pipeline_num_layers).toEqual(vitRows);
    // A rank holds its column's sum.
    expect(p.layerSplit.llm).toEqual(rankSums(rows));
    const script = scriptOf(p);
    expect(script).toMatch(
      /--pipeline-model-parallel-size \$\{PP\} \\\n\s+--virtual-pipeline-model-parallel-size 2 \\/,
    );
    expect(script).not.toContain("num-layers-per-virtual-pipeline-stage");
    // The launch pre-flight reads the same files without complaint.
    expect(describeRun(parseLaunchScript(script), { model: model }).issues).toEqual([]);

    const c = planConversion({ workdir: "/w", model: "qwen2.5vl-72b", release: "v26.0.0", vpp: 2 });
    const at = (flag: string) => c.argv[c.argv.indexOf(flag) + 1];
    expect(at("--cfg.parallel_config.llm_pp_layers")).toBe(JSON.stringify(rows));
    expect(at("--cfg.parallel_config.vit_pp_layers")).toBe(JSON.stringify(vitRows));
    expect(c.layerSplit.llm).toEqual(rankSums(rows));
  });

  it("takes the rows given: upstream's InternVL2-8B rows on the standard recipe", () => {
    const p = resolveTrainingPlan("internvl2-8b", "v2.2.0", {
      vpp: 3,
      vppLlmLayerSplit: UPSTREAM_LLM,
      vppVitLayerSplit: UPSTREAM_VIT,
    });
    expect(p.errors).toEqual([]);
    expect(modelOf(p).text_decoder.pipeline_num_layers).toEqual(UPSTREAM_LLM);
    expect(modelOf(p).image_encoder.vision_encoder.pipeline_num_layers).toEqual(UPSTREAM_VIT);
    // The standard recipe keeps its frozen ViT; only the vpp example trains it.
    expect(modelOf(p).image_encoder.vision_encoder.freeze).toBe(true);
    expect(scriptOf(p)).toContain("--virtual-pipeline-model-parallel-size 3");
    // The size follows from the rows when only they are given.
    expect(
      resolveTrainingPlan("internvl2-8b", "v2.2.0", { vppLlmLayerSplit: UPSTREAM_LLM, vppVitLayerSplit: UPSTREAM_VIT })
        .vpp,
    ).toBe(3);
  });

  it("uses the vpp recipe's own rows for its own size and turns VPP off with vpp 1", () => {
    const own = resolveTrainingPlan("internvl2-8b", "v2.2.0", { variant: "vpp", vpp: 3 });
    expect(modelOf(own).text_decoder.pipeline_num_layers).toEqual(UPSTREAM_LLM);
    const off = resolveTrainingPlan("internvl2-8b", "v2.2.0", { variant: "vpp", vpp: 1 });
    expect(off.errors).toEqual([]);
    expect(off.vpp).toBeUndefined();
    expect(modelOf(off).text_decoder.pipeline_num_layers).toEqual([8, 8, 8, 8]);
    expect(scriptOf(off)).not.toContain("--virtual-pipeline");
    expect(off.warnings.join("\n")).not.toMatch(/runs without VPP/);
  });

  it("works for InternVL3 and GLM-4.1V (pretrain_vlm.py) too", () => {
    for (const model of ["internvl3-8b", "glm4.1v-9b"]) {
      const p = resolveTrainingPlan(model, "v26.0.0", { vpp: 2 });
      expect(p.errors).toEqual([]);
      const rows = modelOf(p).text_decoder.pipeline_num_layers as number[][];
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.length === 4)).toBe(true);
      expect(scriptOf(p)).toContain("--virtual-pipeline-model-parallel-size 2");
    }
  });

  it("refuses what MindSpeed-MM or Megatron refuse, naming the field and a working value", () => {
    const fields = (params: Parameters<typeof resolveTrainingPlan>[2], model = "internvl2-8b", release = "v2.2.0") =>
      resolveTrainingPlan(model, release, params).errors.map((e) => e.field);
    // The interleaved schedule needs a pipeline.
    expect(fields({ vpp: 2, pp: 1, llmLayerSplit: undefined })).toContain("pp");
    // One row per virtual stage, one entry per rank.
    expect(fields({ vpp: 2, vppLlmLayerSplit: UPSTREAM_LLM, vppVitLayerSplit: UPSTREAM_VIT })).toEqual(
      expect.arrayContaining(["vppLlmLayerSplit", "vppVitLayerSplit"]),
    );
    const short = resolveTrainingPlan("internvl2-8b", "v2.2.0", {
      vpp: 3,
      vppLlmLayerSplit: [
        [0, 0, 1],
        [4, 4, 4],
        [4, 4, 3],
      ],
      vppVitLayerSplit: UPSTREAM_VIT,
    });
    expect(short.errors[0]?.message).toMatch(/row 0 has 3 entries but pp=4/);
    expect(short.errors[0]?.suggestion).toEqual(defaultVppRows(32, 4, 3, "llm"));
    // Rows must sum to the model's layers.
    const sum = resolveTrainingPlan("internvl2-8b", "v2.2.0", {
      vpp: 3,
      vppLlmLayerSplit: [
        [0, 0, 0, 1],
        [4, 4, 4, 4],
        [4, 4, 4, 4],
      ],
      vppVitLayerSplit: UPSTREAM_VIT,
    });
    expect(sum.errors.map((e) => e.message).join("\n")).toMatch(/sums to 33, internvl2-8b has 32 LLM layers/);
    // The ViT runs first: none of its layers after the first LLM layer in forward order.
    const late = resolveTrainingPlan("internvl2-8b", "v2.2.0", {
      vpp: 3,
      vppLlmLayerSplit: UPSTREAM_LLM,
      vppVitLayerSplit: [
        [6, 7, 7, 0],
        [4, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    });
    expect(late.errors.map((e) => e.field)).toContain("vppVitLayerSplit");
    expect(late.errors.map((e) => e.message).join("\n")).toMatch(/ViT must finish first/);
    // Every virtual stage holds a layer.
    const empty = resolveTrainingPlan("internvl2-8b", "v2.2.0", {
      vpp: 3,
      vppLlmLayerSplit: [
        [0, 0, 0, 0],
        [4, 4, 4, 5],
        [4, 4, 4, 3],
      ],
      vppVitLayerSplit: [
        [6, 7, 11, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
    });
    expect(empty.errors.map((e) => e.message).join("\n")).toMatch(/Virtual stage 0 of rank 3 holds no layers/);
    // Micro-batches per step in groups of pp: 64 x 1 x 2 DP -> 10 micro-batches is refused, 12 suggested.
    const gbs = resolveTrainingPlan("internvl2-8b", "v2.2.0", { vpp: 3, globalBatchSize: 20 });
    const gbsIssue = gbs.errors.find((e) => e.field === "globalBatchSize");
    expect(gbsIssue?.message).toMatch(/micro-batches per step \(10\) must be a multiple of pp=4/);
    expect(gbsIssue?.suggestion).toBe(24);
    // Per-rank splits with VPP are refused: the layers are given per virtual stage.
    expect(fields({ vpp: 3, llmLayerSplit: [8, 8, 8, 8] })).toContain("llmLayerSplit");
  });

  it("refuses VPP where the model has no virtual stages: DeepSeek-VL2 and FSDP2 recipes", () => {
    const ds = resolveTrainingPlan("deepseekvl2", "v26.0.0", { vpp: 2 });
    expect(ds.errors.map((e) => e.field)).toContain("vpp");
    expect(ds.errors.find((e) => e.field === "vpp")?.message).toMatch(/pretrain_deepseekvl\.py/);
    expect(ds.files).toEqual([]);
    const fsdp = resolveTrainingPlan("qwen2.5vl-72b", "v26.0.0", { variant: "fsdp", vpp: 2 });
    expect(fsdp.errors.map((e) => e.field)).toContain("vpp");
  });
});

describe("the converter's VPP format at every release (test/fixtures/upstream-checkpoint)", () => {
  it.each(RELEASE_TAGS)("%s: hf_to_mm takes rows per virtual stage, mm_to_hf flat lists, VPP saves model0..", (tag) => {
    const dir = join(import.meta.dirname, "../fixtures/upstream-checkpoint", tag);
    const config = readFileSync(join(dir, "config.py"), "utf8");
    // VppParallelConfig: vpp_size = len(llm_pp_layers), pp_size = len(llm_pp_layers[0]): a row per virtual stage.
    expect(config).toMatch(/class VppParallelConfig[\s\S]*?llm_pp_layers: List\[List\[NonNegativeInt\]\]/);
    expect(config).toMatch(/def pp_size[\s\S]{0,80}return len\(self\.llm_pp_layers\[0\]\)/);
    expect(config).toMatch(/def vpp_size[\s\S]{0,80}return len\(self\.llm_pp_layers\)/);
    // ConvertHFConfig (mm_to_hf) extends ConvertMMConfig, whose ParallelConfig takes one flat list.
    expect(config).toMatch(/class ParallelConfig[\s\S]*?llm_pp_layers: List\[NonNegativeInt\]/);
    expect(config).toMatch(/class ConvertHFConfig\(ConvertMMConfig\)/);
    // save_by_vpp: one state dict per virtual stage (model0, model1 …) in each rank's file.
    expect(readFileSync(join(dir, "hf_to_mm.py"), "utf8")).toMatch(/f'model\{vpp_idx\}'/);
    const p = planConversion({
      workdir: "/w",
      model: "qwen2.5vl-72b",
      release: tag,
      vpp: 2,
    });
    const rows = JSON.parse(p.argv[p.argv.indexOf("--cfg.parallel_config.llm_pp_layers") + 1]!) as number[][];
    expect([rows.length, rows[0]!.length]).toEqual([2, 8]);
  });
});

describe("convert_weights with a virtual pipeline", () => {
  it("refuses the methods that read one 'model' entry per rank", () => {
    for (const method of ["mm_to_hf", "resplit"] as const) {
      expect(() =>
        planConversion({
          workdir: "/w",
          model: "qwen2.5vl-72b",
          release: "v26.0.0",
          vpp: 2,
          method,
          targetDir: "/w/out",
        }),
      ).toThrow(/model0\.\.model1 per rank/);
    }
    // Without VPP the same export plans.
    expect(
      planConversion({
        workdir: "/w",
        model: "qwen2.5vl-72b",
        release: "v26.0.0",
        method: "mm_to_hf",
        targetDir: "/w/out",
      }).argv[2],
    ).toBe("mm_to_hf");
  });

  it("records the rows in the marker, and a run with other rows (or none) does not match it", () => {
    const marker = {
      tp: 1,
      pp: 4,
      layerSplit: { llm: [8, 8, 8, 8], vit: null },
      vpp: { size: 3, llm: UPSTREAM_LLM },
    } as unknown as ConvertMarker;
    const want = { tp: 1, pp: 4, llm: [8, 8, 8, 8], vit: null };
    expect(markerMismatch(marker, { ...want, vpp: { size: 3, llm: UPSTREAM_LLM } })).toEqual([]);
    expect(markerMismatch(marker, { ...want, vpp: null }).join()).toMatch(/virtual stages .* \(wanted none/);
    expect(markerMismatch(marker, { ...want, vpp: { size: 3, llm: defaultVppRows(32, 4, 3, "llm") } }).join()).toMatch(
      /virtual stages/,
    );
    // A marker from before the field existed says nothing about VPP.
    const old = { ...marker, vpp: undefined } as ConvertMarker;
    expect(markerMismatch(old, { ...want, vpp: null })).toEqual([]);
  });
});

describe("launch pre-flight of a virtual pipeline", () => {
  const plan = resolveTrainingPlan("internvl2-8b", "v2.2.0", { variant: "vpp" });
  const script = scriptOf(plan);
  const model = modelOf(plan);
  const issues = (text: string, m: unknown) =>
    describeRun(parseLaunchScript(text), { model: m }).issues.map((i) => i.message);

  it("accepts the upstream layout and reads its rows", () => {
    const cfg = describeRun(parseLaunchScript(script), { model });
    expect(cfg.issues).toEqual([]);
    expect(cfg.vpp).toEqual({ size: 3, llm: UPSTREAM_LLM });
  });

  it("finds rows without the flag, a flag without rows, a row count or width that does not fit, and the deprecated flag", () => {
    const noFlag = script.replace(/\s*--virtual-pipeline-model-parallel-size 3 \\/, "");
    expect(issues(noFlag, model).join("\n")).toMatch(/3 rows .* no --virtual-pipeline-model-parallel-size/);
    const flat = { ...model, text_decoder: { ...model.text_decoder, pipeline_num_layers: [8, 8, 8, 8] } };
    expect(issues(script, flat).join("\n")).toMatch(/needs text_decoder\.pipeline_num_layers as 3 rows/);
    const two = script.replace("--virtual-pipeline-model-parallel-size 3", "--virtual-pipeline-model-parallel-size 2");
    expect(issues(two, model).join("\n")).toMatch(/has 3 rows/);
    const narrow = {
      ...model,
      image_encoder: {
        vision_encoder: { ...model.image_encoder.vision_encoder, pipeline_num_layers: [[24], [0], [0]] },
      },
    };
    expect(issues(script, narrow).join("\n")).toMatch(/vision_encoder\.pipeline_num_layers row 0 has 1 entries/);
    const old = script.replace(
      "--virtual-pipeline-model-parallel-size 3",
      "--virtual-pipeline-model-parallel-size 3 \\\n    --num-layers-per-virtual-pipeline-stage 4",
    );
    expect(issues(old, model).join("\n")).toMatch(/refuses as deprecated/);
    // Overlapped P2P is Megatron's default (--no-overlap-p2p-communication is store_false): pp=2 works only with it.
    const pp2 = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { vpp: 2 });
    const pp2Script = scriptOf(pp2);
    expect(issues(pp2Script, modelOf(pp2))).toEqual([]);
    const noOverlap = pp2Script.replace(
      "--virtual-pipeline-model-parallel-size 2",
      "--virtual-pipeline-model-parallel-size 2 \\\n    --no-overlap-p2p-communication",
    );
    expect(issues(noOverlap, modelOf(pp2)).join("\n")).toMatch(/needs pipeline-model-parallel-size > 2/);
    const acc = script.replace(/GRAD_ACC_STEP=\d+/, "GRAD_ACC_STEP=6");
    expect(issues(acc, model).join("\n")).toMatch(
      /GRAD_ACC_STEP=6 .* not a multiple of pipeline-model-parallel-size 4/,
    );
  });
});

describe("tool and CLI inputs", () => {
  it("takes vpp and its rows in build_configs, the rows as JSON on the command line", () => {
    const input = buildConfigs.input.parse({ model: "internvl2-8b", vpp: 3, vppLlmLayerSplit: UPSTREAM_LLM });
    expect(input.vpp).toBe(3);
    expect(() => buildConfigs.input.parse({ model: "internvl2-8b", vppLlmLayerSplit: [[-1]] })).toThrow();
    const spec = flagSpecs(buildConfigs.input).find((s) => s.field === "vppLlmLayerSplit");
    expect(spec?.type).toBe("json");
    expect(spec?.flag).toBe("vpp-llm-layer-split");
  });
});
