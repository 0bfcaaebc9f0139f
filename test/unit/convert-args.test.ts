// mm-convert argument shapes per converter and release (facts §b README commands), refusals and the shared layer split.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { checkHfConfig, checkWeightFiles, hfConfigFacts, megatronLayout } from "../../src/convert/index.js";
import { ConvertRefusal, type ConvertRequest, planConversion } from "../../src/convert/plan.js";
import { progressFromOutput } from "../../src/convert/run.js";
import { getModel } from "../../src/knowledge/models.js";

const W = "/w";
const plan = (req: Omit<ConvertRequest, "workdir">) => planConversion({ workdir: W, ...req });

/** The value following a flag in argv. */
const flag = (argv: string[], name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

function refusal(req: Omit<ConvertRequest, "workdir">): ConvertRefusal {
  try {
    plan(req);
  } catch (error) {
    if (error instanceof ConvertRefusal) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("Megatron (--cfg.*) converters", () => {
  it("qwen2.5vl-7b v26.0.0 hf_to_mm equals the README command, nested lists", () => {
    const p = plan({ model: "qwen2.5vl-7b", release: "v26.0.0" });
    expect(p.argv).toEqual([
      "mm-convert",
      "Qwen2_5_VLConverter",
      "hf_to_mm",
      "--cfg.mm_dir",
      "/w/ckpt/mm_path/Qwen2.5-VL-7B-Instruct",
      "--cfg.hf_config.hf_dir",
      "/w/ckpt/hf_path/Qwen2.5-VL-7B-Instruct",
      "--cfg.parallel_config.llm_pp_layers",
      "[[12,16]]",
      "--cfg.parallel_config.vit_pp_layers",
      "[[32,0]]",
      "--cfg.parallel_config.tp_size",
      "1",
    ]);
    expect(p.layerSplit).toEqual({ llm: [12, 16], vit: [32, 0] });
    expect(p.pp).toBe(2);
  });

  it.each([
    ["qwen2.5vl-3b", "v26.0.0", "[[36]]", "[[32]]", "1"],
    ["qwen2.5vl-32b", "v26.0.0", "[[1,9,9,9,9,9,9,9]]", "[[32,0,0,0,0,0,0,0]]", "2"],
    ["qwen2.5vl-72b", "v26.0.0", "[[6,11,11,11,11,11,11,8]]", "[[32,0,0,0,0,0,0,0]]", "2"],
    ["qwen2.5vl-7b", "v2.1.0", "[[1,10,10,7]]", "[[32,0,0,0]]", "1"],
  ])("%s at %s: llm %s vit %s tp %s (README values)", (model, release, llm, vit, tp) => {
    const argv = plan({ model, release }).argv;
    expect(flag(argv, "--cfg.parallel_config.llm_pp_layers")).toBe(llm);
    expect(flag(argv, "--cfg.parallel_config.vit_pp_layers")).toBe(vit);
    expect(flag(argv, "--cfg.parallel_config.tp_size")).toBe(tp);
    expect(argv).not.toContain("--cfg.trust_remote_code");
  });

  it("mm_to_hf takes flat lists and writes to targetDir", () => {
    const argv = plan({ model: "qwen2.5vl-7b", release: "v2.1.0", method: "mm_to_hf", targetDir: "ckpt/back" }).argv;
    expect(argv.slice(0, 3)).toEqual(["mm-convert", "Qwen2_5_VLConverter", "mm_to_hf"]);
    expect(flag(argv, "--cfg.save_hf_dir")).toBe("/w/ckpt/back");
    expect(flag(argv, "--cfg.mm_dir")).toBe("/w/ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    expect(flag(argv, "--cfg.parallel_config.llm_pp_layers")).toBe("[1,10,10,7]");
    expect(flag(argv, "--cfg.parallel_config.vit_pp_layers")).toBe("[32,0,0,0]");
  });

  it("resplit: flat source and target parallel configs", () => {
    const p = plan({
      model: "qwen2vl-7b",
      release: "v26.0.0",
      method: "resplit",
      targetDir: "/w/ckpt/re",
      tp: 2,
      pp: 3,
      npusPerNode: 6,
      llmLayerSplit: [4, 12, 12],
      vitLayerSplit: [32, 0, 0],
      sourceTp: 1,
      sourceLlmLayerSplit: [1, 10, 10, 7],
    });
    expect(p.argv.slice(3)).toEqual([
      "--cfg.source_dir",
      "/w/ckpt/mm_path/Qwen2-VL-7B-Instruct",
      "--cfg.target_dir",
      "/w/ckpt/re",
      "--cfg.source_parallel_config.llm_pp_layers",
      "[1,10,10,7]",
      "--cfg.source_parallel_config.vit_pp_layers",
      "[32,0,0,0]",
      "--cfg.source_parallel_config.tp_size",
      "1",
      "--cfg.target_parallel_config.llm_pp_layers",
      "[4,12,12]",
      "--cfg.target_parallel_config.vit_pp_layers",
      "[32,0,0]",
      "--cfg.target_parallel_config.tp_size",
      "2",
    ]);
  });

  it("DeepSeekVL: flat list at v2.1.0, nested from v2.2.0; ep_size and trust_remote_code", () => {
    const old = plan({ model: "deepseekvl2", release: "v2.1.0" }).argv;
    expect(flag(old, "--cfg.parallel_config.llm_pp_layers")).toBe("[30]");
    const now = plan({ model: "deepseekvl2", release: "v2.2.0" }).argv;
    expect(flag(now, "--cfg.parallel_config.llm_pp_layers")).toBe("[[13,17]]");
    expect(flag(now, "--cfg.parallel_config.vit_pp_layers")).toBe("[[27,0]]");
    expect(flag(now, "--cfg.parallel_config.ep_size")).toBe("8");
    expect(flag(now, "--cfg.trust_remote_code")).toBe("True");
  });

  it("InternVL3-78B: tp 8 and trust_remote_code", () => {
    const argv = plan({ model: "internvl3-78b", release: "v26.0.0" }).argv;
    expect(argv[1]).toBe("InternVLConverter");
    expect(flag(argv, "--cfg.parallel_config.tp_size")).toBe("8");
    expect(flag(argv, "--cfg.trust_remote_code")).toBe("True");
  });
});

describe("DCP (flat flag) converters", () => {
  it("Qwen3VLConverter hf_to_dcp / dcp_to_hf", () => {
    const to = plan({ model: "qwen3vl-8b", release: "v26.0.0", hfDir: "/m/hf", ckptDir: "/m/dcp" });
    expect(to.argv).toEqual([
      "mm-convert",
      "Qwen3VLConverter",
      "hf_to_dcp",
      "--hf_dir",
      "/m/hf",
      "--dcp_dir",
      "/m/dcp",
    ]);
    expect(to.layerSplit).toEqual({ llm: null, vit: null });
    const lora = plan({ model: "qwen3vl-30b", variant: "lora", release: "v26.0.0", hfDir: "/m/hf", ckptDir: "/m/d" });
    expect(lora.argv.slice(-2)).toEqual(["--is_lora_base", "true"]);
    const back = plan({
      model: "qwen3vl-8b",
      release: "v26.1.0",
      method: "dcp_to_hf",
      hfDir: "/m/hf",
      ckptDir: "/m/save/iter_0000010",
      targetDir: "/m/out",
    });
    expect(back.argv.slice(3)).toEqual([
      "--load_dir",
      "/m/save/iter_0000010",
      "--save_dir",
      "/m/out",
      "--model_assets_dir",
      "/m/hf",
    ]);
  });

  it("Qwen35Converter dcp_to_hf uses --dcp_dir --save_hf_dir --origin_hf_dir", () => {
    const p = plan({
      model: "qwen3_5-9b",
      release: "v26.0.0",
      method: "dcp_to_hf",
      hfDir: "/m/hf",
      ckptDir: "/m/iter",
      targetDir: "/m/out",
    });
    expect(p.argv.slice(1)).toEqual([
      "Qwen35Converter",
      "dcp_to_hf",
      "--dcp_dir",
      "/m/iter",
      "--save_hf_dir",
      "/m/out",
      "--origin_hf_dir",
      "/m/hf",
    ]);
  });

  it("ExpertMergeDcpConverter (internvl3.5): hf_to_dcp --save_dir; dcp_to_hf --hf_dir --dcp_dir --save_dir", () => {
    const to = plan({ model: "internvl3.5", release: "v26.0.0", hfDir: "/m/hf", ckptDir: "/m/dcp" });
    expect(to.argv.slice(1)).toEqual([
      "ExpertMergeDcpConverter",
      "hf_to_dcp",
      "--hf_dir",
      "/m/hf",
      "--save_dir",
      "/m/dcp",
    ]);
    const back = plan({
      model: "internvl3.5",
      release: "v26.0.0",
      method: "dcp_to_hf",
      hfDir: "/m/hf",
      ckptDir: "/m/it",
      targetDir: "/m/o",
    });
    expect(back.argv.slice(3)).toEqual(["--hf_dir", "/m/hf", "--dcp_dir", "/m/it", "--save_dir", "/m/o"]);
  });
});

describe("refusals", () => {
  it("a stub method is refused with the reason, where it works, and what works now", () => {
    const r = refusal({ model: "qwen2.5vl-7b", release: "v2.1.0", method: "resplit", targetDir: "/w/x" });
    expect(r.field).toBe("method");
    expect(r.message).toMatch(/stub in MindSpeed-MM v2\.1\.0.*`pass`/);
    expect(r.message).toMatch(/implemented in v2\.2\.0/);
    expect(r.suggestion).toBe("hf_to_mm");
    const q3 = refusal({ model: "qwen3vl-8b", release: "v26.1.0", method: "hf_to_mm" });
    expect(q3.message).toMatch(/Qwen3VLConverter\.hf_to_mm is a stub/);
    expect(q3.suggestion).toBe("hf_to_dcp");
    expect(refusal({ model: "glm4.1v-9b", release: "v26.0.0", method: "mm_to_hf", targetDir: "/o" }).message).toMatch(
      /GlmConverter\.mm_to_hf is a stub/,
    );
  });

  it("a method the class lacks is refused with its methods", () => {
    const r = refusal({ model: "qwen2.5vl-3b", release: "v26.0.0", method: "hf_to_dcp" });
    expect(r.message).toMatch(/no hf_to_dcp method.*hf_to_mm, mm_to_hf, resplit/);
  });

  it("a layer split the model config would reject is refused with the split that works", () => {
    const r = refusal({ model: "qwen2.5vl-3b", release: "v26.0.0", llmLayerSplit: [30] });
    expect(r.field).toBe("llmLayerSplit");
    expect(r.message).toMatch(/sums to 30.*36 layers/);
    expect(r.suggestion).toEqual([36]);
    const stages = refusal({ model: "qwen2.5vl-7b", release: "v26.0.0", pp: 4, llmLayerSplit: [14, 14] });
    expect(stages.suggestion).toEqual([7, 7, 7, 7]);
    const tp = refusal({ model: "qwen2.5vl-3b", release: "v26.0.0", tp: 4 });
    expect(tp.field).toBe("tp");
    expect(tp.suggestion).toBe(2);
  });

  it("models without a converter, releases without the class, and HF-direct configs are refused", () => {
    expect(refusal({ model: "deepseekocr", release: "v26.0.0" }).message).toMatch(/nothing to convert/);
    expect(refusal({ model: "qwen3_5-9b", release: "v26.1.0" }).message).toMatch(/no conversion is needed/);
    expect(refusal({ model: "qwen2.5vl-7b", release: "v26.0.0", method: "mm_to_hf" }).field).toBe("targetDir");
    expect(refusal({ model: "qwen2.5vl-7b", release: "v9.9.9" }).field).toBe("release");
  });
});

describe("one source for the layer split", () => {
  const cases: [string, string, Partial<ConvertRequest>][] = [
    ["qwen2.5vl-7b", "v26.0.0", {}],
    ["qwen2.5vl-7b", "v26.0.0", { pp: 4 }],
    ["qwen2.5vl-72b", "v26.1.0", { tp: 4, pp: 4 }],
    ["qwen2vl-72b", "v2.3.0", { pp: 2, llmLayerSplit: [30, 50], vitLayerSplit: [32, 0] }],
    ["internvl3-8b", "v2.2.0", { pp: 2 }],
  ];
  it.each(cases)("%s %s %j: the conversion and the model config carry the same split", (model, release, over) => {
    const conv = plan({ model, release, ...over });
    const train = resolveTrainingPlan(model, release, { ...over });
    expect(conv.layerSplit).toEqual(train.layerSplit);
    expect(conv.tp).toBe(train.parallel.tp);
    const modelConfig = train.files.find((f) => f.role === "model-config")?.text ?? "";
    expect(modelConfig.replace(/\s+/g, "")).toContain(JSON.stringify(train.layerSplit.llm));
    const argv = conv.argv;
    expect(flag(argv, "--cfg.parallel_config.llm_pp_layers")).toBe(JSON.stringify([train.layerSplit.llm]));
  });
});

describe("HF directory checks", () => {
  const config7b = {
    model_type: "qwen2_5_vl",
    num_hidden_layers: 28,
    hidden_size: 3584,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    vision_config: { depth: 32 },
  };

  it("a 7B config for a 3B model is an error naming what it looks like", () => {
    const findings = checkHfConfig(getModel("qwen2.5vl-3b")!, hfConfigFacts(config7b), "/hf");
    const errors = findings.filter((f) => f.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/num_hidden_layers is 28; qwen2\.5vl-3b has 36/);
    expect(errors[0]!.message).toMatch(/looks like qwen2vl-7b or qwen2\.5vl-7b|looks like qwen2\.5vl-7b/);
    expect(checkHfConfig(getModel("qwen2.5vl-7b")!, hfConfigFacts(config7b), "/hf")).toEqual([]);
  });

  it("reads nested text configs (qwen3vl text_config)", () => {
    const f = hfConfigFacts({ model_type: "qwen3_vl", text_config: { num_hidden_layers: 36, hidden_size: 4096 } });
    expect(f.llmLayers).toBe(36);
    expect(f.hidden).toBe(4096);
  });

  it("index: missing shards, no index, new key names", () => {
    const index = JSON.stringify({ weight_map: { "model.language_model.x": "a.safetensors", y: "b.safetensors" } });
    const missing = checkWeightFiles({ entries: ["a.safetensors", "config.json"], indexText: index }, "/hf");
    expect(missing.findings[0]!.message).toMatch(/lacks 1 of the 2 shards.*b\.safetensors/);
    expect(missing.newWeightKeys).toBe(true);
    expect(
      checkWeightFiles({ entries: ["a.safetensors", "b.safetensors"], indexText: null }, "/hf").findings[0]!.message,
    ).toMatch(/no model\.safetensors\.index\.json/);
    expect(checkWeightFiles({ entries: ["pytorch_model.bin"], indexText: null }, "/hf").findings[0]!.message).toMatch(
      /no \*\.safetensors/,
    );
    expect(checkWeightFiles({ entries: ["model.safetensors"], indexText: null }, "/hf").findings).toEqual([]);
  });
});

describe("helpers", () => {
  it("megatronLayout reads tp and pp from mp_rank names", () => {
    expect(megatronLayout(["mp_rank_00_000", "mp_rank_01_003", "x"])).toEqual({ tp: 2, pp: 4 });
    expect(megatronLayout(["mp_rank_00"])).toEqual({ tp: 1, pp: 1 });
    expect(megatronLayout([".metadata"])).toBeNull();
  });

  it("progress: one message per line, throttled unless a new i/n count arrives", () => {
    let t = 0;
    const seen: string[] = [];
    const feed = progressFromOutput(
      (m) => seen.push(m),
      250,
      () => t,
    );
    feed("loading\nSaved a (1/3)\nSa");
    feed("ved b (2/3)\nchatter\nmore chatter\n");
    t = 1000;
    feed("late line\n");
    expect(seen).toEqual(["loading", "Saved a (1/3)", "Saved b (2/3)", "late line"]);
  });
});
