// Regressions for recipes, conversions and release facts that once differed from upstream MindSpeed-MM.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { trackedIterationDir } from "../../src/convert/args.js";
import { checkLoraAdapter } from "../../src/convert/checks-source.js";
import { finishArgv, planConversion } from "../../src/convert/plan.js";
import { getModel } from "../../src/knowledge/models.js";
import { compareCann, RELEASES } from "../../src/knowledge/releases.js";

const script = (model: string, release: string, params: Record<string, unknown> = {}) =>
  resolveTrainingPlan(model, release, params).files.find((f) => f.role === "launch-script")!.text;
const flag = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];

describe("launch scripts follow upstream", () => {
  it("links the InternVL3.5 HF directory as ./internvl from v2.3.0, not at v2.2.0", () => {
    const text = script("internvl3.5", "v2.3.0", { hfDir: "/data/hf/ivl" });
    expect(text).toMatch(/^HF_PATH='?\/data\/hf\/ivl'?$/m);
    expect(text).toContain('ln -s "$HF_PATH" ./internvl');
    expect(text).toContain("--calculate-per-sample-loss");
    expect(script("internvl3.5", "v2.2.0")).not.toContain("./internvl");
    expect(script("internvl3.5", "v2.2.0")).toContain("--calculate-per-token-loss");
  });

  it("runs Ming from the Ming checkout with --processor-path and no --log_tps", () => {
    const text = script("ming", "v26.0.0", { workdir: "/opt/MindSpeed-MM" });
    expect(text).toContain("cd /opt/Ming || exit 1");
    expect(text).not.toContain("cd /opt/MindSpeed-MM");
    expect(text).toContain("--processor-path $PROCESSOR_PATH");
    expect(text).toContain("torchrun $DISTRIBUTED_ARGS finetune_vl.py");
    expect(text).not.toContain("--log_tps");
  });

  it("uses the Megatron core_r0.8.0 flags at v2.1.0 for InternVL2.5 and DeepSeek-VL2", () => {
    for (const model of ["internvl2.5-4b", "internvl2.5-78b", "deepseekvl2"]) {
      const text = script(model, "v2.1.0");
      expect(text, model).not.toContain("--ckpt-format");
      expect(text, model).toContain("--trust-remote-code");
    }
    const ds = script("deepseekvl2", "v2.1.0");
    expect(ds).not.toContain("--multi-latent-attention");
    expect(ds).not.toContain("--moe-permute-fusion");
    expect(ds).toContain("--moe-grouped-gemm");
    expect(ds).toContain("--use-fused-moe-token-permute-and-unpermute");
  });

  it("passes --swap-attention for qwen2.5vl-72b at v2.1.0/v2.2.0 only, and glm4.1v's padded vocabulary", () => {
    expect(script("qwen2.5vl-72b", "v2.1.0")).toContain("--swap-attention");
    expect(script("qwen2.5vl-72b", "v2.2.0")).toContain("--swap-attention");
    expect(script("qwen2.5vl-72b", "v2.3.0")).not.toContain("--swap-attention");
    expect(script("glm4.1v-9b", "v26.0.0")).toContain("--vocab-size 151936");
  });

  it("runs qwen3vl-30b v1-a5 with 8 processes per node and the DPO 72B split from the README", () => {
    expect(resolveTrainingPlan("qwen3vl-30b", "v26.1.0", { variant: "v1-a5" }).parallel.npusPerNode).toBe(8);
    const dpo = resolveTrainingPlan("qwen2vl-72b", "v26.0.0", { variant: "dpo" });
    expect(dpo.layerSplit).toEqual({ llm: [17, 21, 22, 20], vit: [32, 0, 0, 0] });
    expect(dpo.warnings.join("\n")).toContain("pipeline_num_layers");
  });
});

describe("conversions follow the READMEs", () => {
  it("qwen3_5-4b hf_to_dcp carries the tied-weight mapping before the host is read", () => {
    const p = planConversion({ workdir: "/w", model: "qwen3_5-4b", release: "v26.0.0" });
    expect(flag(p.argv, "--tie_weight_mapping")).toBe('{"lm_head.weight":"model.language_model.embed_tokens.weight"}');
    const other = planConversion({ workdir: "/w", model: "qwen3_5-9b", release: "v26.0.0" });
    expect(other.argv).not.toContain("--tie_weight_mapping");
  });

  it("qwen3_5 dcp_to_hf reads the run's latest iteration by default", () => {
    const p = planConversion({
      workdir: "/w",
      model: "qwen3_5-4b",
      release: "v26.0.0",
      method: "dcp_to_hf",
      targetDir: "/w/hf-out",
    });
    const plan = resolveTrainingPlan("qwen3_5-4b", "v26.0.0", {});
    expect(p.paths.ckptDir).not.toBe(`/w/${plan.paths.ckptDir.replace(/^\.\//, "")}`);
    expect(p.paths.ckptDir).toBe(`/w/${plan.paths.saveDir.replace(/^\.\//, "")}`);
    expect(trackedIterationDir("100")).toBe("iter_0000100");
    expect(trackedIterationDir("release")).toBe("release");
    const final = finishArgv(p, { sourceIteration: trackedIterationDir("100") });
    expect(flag(final.argv, "--dcp_dir")).toBe(`${p.paths.ckptDir}/iter_0000100`);
    const explicit = planConversion({
      workdir: "/w",
      model: "qwen3_5-4b",
      release: "v26.0.0",
      method: "dcp_to_hf",
      ckptDir: "/w/dcp",
      targetDir: "/w/hf-out",
    });
    expect(explicit.paths.ckptDir).toBe("/w/dcp");
  });
});

describe("release facts", () => {
  it("v26.1.0 accepts CANN 8.5.0, 9.0.0 and 9.1.0 and refuses 8.3.RC1; Triton-Ascend 3.2.1", () => {
    const r = RELEASES["v26.1.0"];
    expect(r.cann.compatible).toEqual(["8.5.0", "9.0.0", "9.1.0"]);
    expect(compareCann("8.3.RC1", r.cann.minimum)).toBeLessThan(0);
    expect(compareCann("8.5.0", r.cann.minimum)).toBe(0);
    expect(r.tritonAscend?.version).toBe("3.2.1");
  });

  it("knows Qwen3-VL's MoE sizes at v2.2.0 and 8B/30B/235B at v2.3.0", () => {
    expect(getModel("qwen3vl-235b")!.releases).toContain("v2.2.0");
    expect(getModel("qwen3vl-30b")!.releases).toContain("v2.2.0");
    expect(getModel("qwen3vl-8b")!.releases).not.toContain("v2.2.0");
    for (const id of ["qwen3vl-8b", "qwen3vl-30b", "qwen3vl-235b"]) expect(getModel(id)!.releases).toContain("v2.3.0");
  });
});

describe("LoRA end to end", () => {
  it("build_configs offers qwen2.5vl LoRA: LORA_ARGS, canonical model structure, the differences as warnings", () => {
    const plan = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { variant: "lora" });
    const text = plan.files.find((f) => f.role === "launch-script")!.text;
    expect(text).toContain("--lora-r 8");
    expect(text).toContain("--lora-alpha 16");
    expect(text).toContain(
      "--lora-target-modules linear_proj linear_fc2 linear_qkv q_proj k_proj v_proj gate_proj up_proj",
    );
    expect(text).toContain("$LORA_ARGS");
    const model = plan.files.find((f) => f.role === "model-config")!.value as {
      text_decoder: { canonical_model?: boolean };
      image_encoder: { vision_encoder: { canonical_model?: boolean } };
    };
    expect(model.text_decoder.canonical_model).toBe(true);
    expect(model.image_encoder.vision_encoder.canonical_model).toBe(true);
    expect(plan.warnings.join("\n")).toMatch(/flag:--lora-r: LoRA per the README/);
    expect(() => resolveTrainingPlan("qwen2.5vl-7b", "v2.2.0", { variant: "lora" })).toThrow(/v2\.3\.0/);
  });

  it("lora_hf_to_mm and lora_mm_to_hf follow the qwen2.5vl README commands", () => {
    const w = "/w";
    const toMm = planConversion({
      workdir: w,
      model: "qwen2.5vl-7b",
      release: "v26.0.0",
      variant: "lora",
      method: "lora_hf_to_mm",
      hfDir: "ckpt/hf_path/Qwen2.5-VL-7B-Instruct-lora",
      ckptDir: "ckpt/mm_path/Qwen2.5-VL-7B-Instruct-lora",
    });
    expect(toMm.direction).toBe("to-mm");
    expect(toMm.argv).toEqual([
      "mm-convert",
      "Qwen2_5_VLConverter",
      "lora_hf_to_mm",
      "--cfg.mm_dir",
      "/w/ckpt/mm_path/Qwen2.5-VL-7B-Instruct-lora",
      "--cfg.hf_config.hf_dir",
      "/w/ckpt/hf_path/Qwen2.5-VL-7B-Instruct-lora",
      "--cfg.parallel_config.llm_pp_layers",
      "[[12,16]]",
      "--cfg.parallel_config.vit_pp_layers",
      "[[32,0]]",
      "--cfg.parallel_config.tp_size",
      "1",
      "--cfg.common_model_config.enable_canonical_hf_struct",
      "true",
      "--cfg.common_model_config.model_prefix",
      "base_model.model.",
    ]);
    const toHf = planConversion({
      workdir: w,
      model: "qwen2.5vl-7b",
      release: "v26.0.0",
      variant: "lora",
      method: "lora_mm_to_hf",
      ckptDir: "/w/save_dir",
      targetDir: "/w/lora-hf",
    });
    expect(toHf.direction).toBe("to-hf");
    expect(toHf.argv.slice(3, 7)).toEqual(["--cfg.save_hf_dir", "/w/lora-hf", "--cfg.mm_dir", "/w/save_dir"]);
    expect(toHf.argv).toContain("base_model.model.");
    // The base weights of a LoRA run are converted with the canonical structure the LoRA model config uses.
    const base = planConversion({ workdir: w, model: "qwen2.5vl-7b", release: "v26.0.0", variant: "lora" });
    expect(flag(base.argv, "--cfg.common_model_config.enable_canonical_hf_struct")).toBe("true");
    const plain = planConversion({ workdir: w, model: "qwen2.5vl-7b", release: "v26.0.0" });
    expect(plain.argv).not.toContain("--cfg.common_model_config.enable_canonical_hf_struct");
  });

  it("Qwen3-VL converts a LoRA adapter with lora_hf_to_dcp and reads a saved iteration in dcp_to_hf", () => {
    const p = planConversion({
      workdir: "/w",
      model: "qwen3vl-30b",
      release: "v26.1.0",
      variant: "lora",
      method: "lora_hf_to_dcp",
      hfDir: "/w/Qwen3-VL-30B-A3B-Instruct-lora",
      ckptDir: "/w/Qwen3-VL-30B-A3B-Instruct-lora-dcp",
    });
    expect(p.argv.slice(2)).toEqual([
      "lora_hf_to_dcp",
      "--hf_dir",
      "/w/Qwen3-VL-30B-A3B-Instruct-lora",
      "--dcp_dir",
      "/w/Qwen3-VL-30B-A3B-Instruct-lora-dcp",
    ]);
    const back = planConversion({
      workdir: "/w",
      model: "qwen3vl-30b",
      release: "v26.1.0",
      method: "dcp_to_hf",
      targetDir: "/w/hf",
    });
    const final = finishArgv(back, { sourceIteration: "iter_0000010" });
    expect(flag(final.argv, "--load_dir")).toBe(`${back.paths.ckptDir}/iter_0000010`);
  });

  it("pre-flight refuses a LoRA conversion whose hfDir is not a PEFT adapter", () => {
    const checks: { level: string; message: string }[] = [];
    checkLoraAdapter({ path: "/w/full-model", entries: ["config.json", "model.safetensors"] }, (c) => checks.push(c));
    checkLoraAdapter({ path: "/w/adapter", entries: ["adapter_config.json", "adapter_model.safetensors"] }, (c) =>
      checks.push(c),
    );
    expect(checks.map((c) => c.level)).toEqual(["error", "info"]);
    expect(checks[0]!.message).toMatch(/not a PEFT LoRA adapter \(no adapter_config\.json\)/);
  });
});
