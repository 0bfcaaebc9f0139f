import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveModel, resolveTrainingPlan } from "../../src/configs/index.js";
import { InferenceRefusal, inferenceJson, inferenceScript, upstreamExample } from "../../src/infer/configs.js";
import type { ReleaseTag } from "../../src/knowledge/release-tags.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/upstream");
const fixture = (release: string, dir: string, name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, release, dir, name), "utf8")) as Record<string, unknown>;

/** Builds the file for a model as upstream's own example lays it out (same split, same tokenizer path). */
function build(
  modelId: string,
  release: ReleaseTag,
  kind: "inference" | "evaluate",
  upstream: Record<string, unknown>,
) {
  const plan = resolveTrainingPlan(modelId, release);
  const trainingModel = plan.files.find((f) => f.role === "model-config")!.value as Record<string, unknown>;
  const td = upstream.text_decoder as { pipeline_num_layers: number[] };
  const vit = (upstream.image_encoder as { vision_encoder: { pipeline_num_layers: number[] } }).vision_encoder;
  const tokenizer = (upstream.tokenizer as { from_pretrained: string }).from_pretrained;
  return inferenceJson({
    model: resolveModel(modelId),
    release,
    kind,
    trainingModel,
    tp: 1,
    pp: 1,
    llmSplit: td.pipeline_num_layers,
    vitSplit: vit.pipeline_num_layers,
    hfDir: tokenizer,
    loadPath: "ckpt/mm_path",
    imagePath: upstream.image_path as string | undefined,
    prompt: upstream.prompts as string | undefined,
    benchmark: kind === "evaluate" ? (upstream.evaluation_dataset as "ai2d_test") : undefined,
    datasetPath: upstream.dataset_path as string | undefined,
    resultDir: upstream.result_output_path as string | undefined,
  });
}

// Every upstream inference / evaluate example stored as a fixture: the generated file equals it.
const CASES: [string, ReleaseTag, string, string, "inference" | "evaluate"][] = [
  ["qwen2.5vl-7b", "v26.1.0", "qwen2.5vl", "inference_qwen2_5_vl_7b.json", "inference"],
  ["qwen2.5vl-72b", "v26.1.0", "qwen2.5vl", "inference_qwen2_5_vl_72b.json", "inference"],
  ["qwen2.5vl-7b", "v26.1.0", "qwen2.5vl", "evaluate_qwen2_5_vl_7b.json", "evaluate"],
  ["qwen2.5vl-72b", "v26.1.0", "qwen2.5vl", "evaluate_qwen2_5_vl_72b.json", "evaluate"],
  ["qwen2.5vl-7b", "v26.0.0", "qwen2.5vl", "inference_qwen2_5_vl_7b.json", "inference"],
  ["qwen2.5vl-72b", "v26.0.0", "qwen2.5vl", "inference_qwen2_5_vl_72b.json", "inference"],
  ["qwen2.5vl-7b", "v26.0.0", "qwen2.5vl", "evaluate_qwen2_5_vl_7b.json", "evaluate"],
  ["qwen2.5vl-72b", "v26.0.0", "qwen2.5vl", "evaluate_qwen2_5_vl_72b.json", "evaluate"],
  ["qwen2vl-2b", "v26.0.0", "qwen2vl", "inference_qwen2vl_2b.json", "inference"],
  ["qwen2vl-7b", "v26.0.0", "qwen2vl", "inference_qwen2vl_7b.json", "inference"],
  ["qwen2vl-72b", "v26.0.0", "qwen2vl", "inference_qwen2vl_72b.json", "inference"],
  ["qwen2vl-7b", "v26.0.0", "qwen2vl", "evaluate_qwen2vl_7b.json", "evaluate"],
];

describe("inference and evaluate configs against upstream's examples", () => {
  it.each(CASES)("%s @ %s: %s/%s equals upstream", (modelId, release, dir, file, kind) => {
    const upstream = fixture(release, dir, file);
    expect(build(modelId, release, kind, upstream)).toEqual(upstream);
  });

  it("adapts the 7B example to 3B (no 3B example upstream): 3B dimensions, the trained split", () => {
    const plan = resolveTrainingPlan("qwen2.5vl-3b", "v26.1.0");
    const trainingModel = plan.files.find((f) => f.role === "model-config")!.value as {
      text_decoder: Record<string, unknown>;
      image_encoder: { vision_encoder: Record<string, unknown> };
    };
    const value = inferenceJson({
      model: resolveModel("qwen2.5vl-3b"),
      release: "v26.1.0",
      kind: "inference",
      trainingModel,
      tp: 1,
      pp: 1,
      llmSplit: [36],
      vitSplit: [32],
      hfDir: "/m/Qwen2.5-VL-3B-Instruct",
      loadPath: "/save",
    }) as { text_decoder: Record<string, unknown>; image_encoder: { vision_encoder: Record<string, unknown> } };
    expect(value.text_decoder.num_layers).toBe(36);
    expect(value.text_decoder.hidden_size).toBe(trainingModel.text_decoder.hidden_size);
    expect(value.text_decoder.vocab_size).toBe(151936);
    expect(value.text_decoder.pipeline_num_layers).toEqual([36]);
    expect(value.image_encoder.vision_encoder.llm_hidden_size).toBe(2048);
    expect(upstreamExample(resolveModel("qwen2.5vl-3b"), "inference")).toMatchObject({ shipped: false });
  });

  it("the script runs inference_vlm.py with the checkpoint's layout and upstream's flags", () => {
    const text = inferenceScript({
      kind: "inference",
      cannRoot: "/usr/local/Ascend",
      workdir: "/w/MindSpeed-MM",
      configPath: "/w/cfg/inference.json",
      loadPath: "/w/save dir",
      tp: 1,
      pp: 2,
      vocabSize: 152064,
      seqLength: 1024,
    });
    expect(text).toContain("torchrun $DISTRIBUTED_ARGS inference_vlm.py");
    expect(text).toContain("NPUS_PER_NODE=2");
    expect(text).toContain("PP=2");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash default-value expansion in the generated script
    expect(text).toContain("LOAD_PATH=${LOAD_PATH:-'/w/save dir'}");
    expect(text).toContain("--vocab-size 152064");
    const evaluate = inferenceScript({
      kind: "evaluate",
      cannRoot: "/usr/local/Ascend",
      workdir: "/w",
      configPath: "/c.json",
      loadPath: "/s",
      tp: 1,
      pp: 1,
      vocabSize: 152064,
      seqLength: 1024,
    });
    expect(evaluate).toContain("evaluate_vlm.py");
    expect(evaluate).toContain("--distributed-timeout-minutes 1000");
  });

  it("refuses families without an inference example it builds from", () => {
    expect(() => upstreamExample(resolveModel("internvl2.5-4b"), "inference")).toThrow(InferenceRefusal);
  });
});
