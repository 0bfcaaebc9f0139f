// LoRA from configs to a merged model: the settings build_configs writes come from the recipe, the merge scales by
// the same alpha / r, and launch_train's pre-flight refuses a base converted for the other kind of run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import type { ConvertMarker } from "../../src/convert/marker.js";
import { ConvertRefusal, finishArgv, planConversion } from "../../src/convert/plan.js";
import { getModel, recipeAt } from "../../src/knowledge/models.js";
import { parseLaunchScript } from "../../src/runs/launch-script.js";
import { loraBaseMismatch } from "../../src/runs/preflight-node.js";
import { describeRun } from "../../src/runs/run-config.js";
import { simFile } from "../../src/sim/files.js";
import { makeFakeHfModel } from "../../src/sim/index.js";
import { MM_CONVERT_PY } from "../../src/sim/shims.js";

const W = "/w";
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function marker(over: Partial<ConvertMarker>): ConvertMarker {
  return {
    tool: "ascend-train convert_weights",
    version: 1,
    model: "qwen3vl-30b",
    release: "v26.1.0",
    variant: "",
    converter: "Qwen3VLConverter",
    method: "hf_to_dcp",
    format: "dcp",
    tp: 1,
    pp: 1,
    ep: 1,
    layerSplit: { llm: null, vit: null },
    source: "/w/hf",
    output: "/w/dcp",
    command: "mm-convert …",
    createdAt: "2026-08-10T00:00:00Z",
    ...over,
  };
}

describe("LoRA settings come from the recipe", () => {
  it("Qwen3-VL 30B's YAML and Qwen2.5-VL's LORA_ARGS carry the recipe's r, alpha and target modules", () => {
    const q3 = recipeAt(getModel("qwen3vl-30b")!, "v26.1.0", "lora")!;
    expect(q3.lora).toMatchObject({ r: 8, alpha: 16, baseConversion: "lora-base" });
    const yaml = resolveTrainingPlan("qwen3vl-30b", "v26.1.0", { variant: "lora" }).files.find(
      (f) => f.format === "yaml" && f.name.includes("lora"),
    )!;
    expect((yaml.value as { lora_args: unknown }).lora_args).toMatchObject({
      lora_r: 8,
      lora_alpha: 16,
      lora_target_modules: "v_proj,o_proj,k_proj,q_proj",
    });
    const q25 = resolveTrainingPlan("qwen2.5vl-7b", "v26.1.0", { variant: "lora" });
    const script = q25.files.find((f) => f.format === "bash")!.text;
    expect(script).toContain(
      `--lora-target-modules ${recipeAt(getModel("qwen2.5vl-7b")!, "v26.1.0", "lora")!.lora!.targetModules.join(" ")}`,
    );
  });
});

describe("merging the trained adapters into the base model", () => {
  it("Qwen3-VL: merge_mm_lora_dcp_weight_to_base_hf reads the run's saved iteration and scales by alpha / r", () => {
    const plan = planConversion({
      workdir: W,
      model: "qwen3vl-30b",
      release: "v26.1.0",
      variant: "lora",
      method: "merge_mm_lora_dcp_weight_to_base_hf",
      targetDir: "/w/merged",
    });
    expect(plan.direction).toBe("to-hf");
    // Without ckptDir the adapters are the run's save directory, down to the iteration its tracker names.
    const argv = finishArgv(plan, { sourceIteration: "iter_0000100" }).argv;
    expect(argv).toEqual([
      "mm-convert",
      "Qwen3VLConverter",
      "merge_mm_lora_dcp_weight_to_base_hf",
      "--base_hf_dir",
      plan.paths.hfDir,
      "--lora_dcp_dir",
      `${plan.paths.ckptDir}/iter_0000100`,
      "--lora_target_modules",
      "v_proj,o_proj,k_proj,q_proj",
      "--save_merged_hf_dir",
      "/w/merged",
      "--scaling",
      "2.0",
    ]);
    const trained = resolveTrainingPlan("qwen3vl-30b", "v26.1.0", { variant: "lora" });
    expect(plan.paths.ckptDir).toBe(`${W}/${trained.paths.saveDir.replace(/^\.\//, "")}`);
  });

  it("refuses the merge for a run that trains no adapters, naming the LoRA variant", () => {
    const attempt = () =>
      planConversion({
        workdir: W,
        model: "qwen3vl-30b",
        release: "v26.1.0",
        method: "merge_mm_lora_dcp_weight_to_base_hf",
        targetDir: "/w/merged",
      });
    expect(attempt).toThrow(ConvertRefusal);
    expect(attempt).toThrow(/trains no adapters.*variant "lora"/);
  });

  it("runs on the simulated host's mm-convert and writes a full HF model", () => {
    const root = mkdtempSync(join(tmpdir(), "lora-merge-"));
    made.push(root);
    const lora = join(root, "save/iter_0000100");
    mkdirSync(lora, { recursive: true });
    writeFileSync(join(lora, ".metadata"), "");
    mkdirSync(join(root, "hf"));
    writeFileSync(join(root, "hf/config.json"), "{}");
    const plan = planConversion({
      workdir: root,
      model: "qwen3vl-30b",
      release: "v26.1.0",
      variant: "lora",
      method: "merge_mm_lora_dcp_weight_to_base_hf",
      hfDir: join(root, "hf"),
      ckptDir: join(root, "save"),
      targetDir: join(root, "merged"),
    });
    const argv = finishArgv(plan, { sourceIteration: "iter_0000100" }).argv;
    const script = join(root, "mm_convert.py");
    writeFileSync(script, MM_CONVERT_PY);
    execFileSync("python3", [script, ...argv.slice(1)], { stdio: "pipe" });
    expect(existsSync(join(root, "merged/model.safetensors.index.json"))).toBe(true);
    expect(existsSync(join(root, "merged/config.json"))).toBe(true);
  });
});

describe("pre-flight: the base checkpoint matches the kind of run", () => {
  it("a LoRA run on a base converted for a full fine-tune is refused, and the reverse", () => {
    expect(loraBaseMismatch(marker({ variant: "" }), true)).toMatch(/--is_lora_base true/);
    expect(loraBaseMismatch(marker({ variant: "lora" }), false)).toMatch(/full fine-tune/);
    expect(loraBaseMismatch(marker({ variant: "lora" }), true)).toBeNull();
    expect(loraBaseMismatch(marker({ variant: "" }), false)).toBeNull();
    const q25 = marker({ model: "qwen2.5vl-7b", converter: "Qwen2_5_VLConverter", method: "hf_to_mm", variant: "" });
    expect(loraBaseMismatch(q25, true)).toMatch(/enable_canonical_hf_struct/);
    // Adapters converted with lora_hf_to_* are not a base: nothing to compare.
    expect(loraBaseMismatch(marker({ method: "lora_hf_to_dcp" }), false)).toBeNull();
  });

  it("reads whether a run trains LoRA from the script flags and from the YAML", () => {
    for (const [model, variant, want] of [
      ["qwen2.5vl-7b", "lora", true],
      ["qwen2.5vl-7b", "", false],
      ["qwen3vl-30b", "lora", true],
      ["qwen3vl-30b", "", false],
    ] as const) {
      const p = resolveTrainingPlan(model, "v26.1.0", { variant, outputDir: "/w/configs/x" });
      const info = parseLaunchScript(p.files.find((f) => f.format === "bash")!.text);
      const main = p.files.find((f) => f.format === "yaml" && !f.name.startsWith("fsdp2"));
      const modelCfg = p.files.find((f) => f.role === "model-config");
      const cfg = describeRun(info, { main: main?.value, model: modelCfg?.value });
      expect([model, variant, cfg.lora]).toEqual([model, variant, want]);
    }
  });
});

describe("the FSDP2 variant's weights: hf_to_mm_dcp", () => {
  it("converts Qwen2.5-VL 72B fsdp (torch_dist) into one DCP checkpoint, not an mp_rank tree", () => {
    const plan = planConversion({ workdir: W, model: "qwen2.5vl-72b", release: "v26.1.0", variant: "fsdp" });
    expect(plan.method).toBe("hf_to_mm_dcp");
    expect(plan.checkpoint).toBe("dcp");
    expect(plan.pp).toBe(1);
    // The DCP config has no new_transformers_weight_key field: the flag is not passed even for new-style keys.
    expect(finishArgv(plan, { newWeightKeys: true }).argv).toEqual([
      "mm-convert",
      "Qwen2_5_VLConverter",
      "hf_to_mm_dcp",
      "--cfg.mm_dir",
      plan.paths.ckptDir,
      "--cfg.hf_config.hf_dir",
      plan.paths.hfDir,
    ]);
    // The Megatron variant still splits into mp_rank directories.
    expect(planConversion({ workdir: W, model: "qwen2.5vl-72b", release: "v26.1.0" }).method).toBe("hf_to_mm");
  });

  it("writes release/ with DCP shards and the tracker on the simulated host", async () => {
    const root = mkdtempSync(join(tmpdir(), "mm-dcp-"));
    made.push(root);
    await makeFakeHfModel(join(root, "hf"), "Qwen2.5-VL-7B-Instruct", { numLayers: 80, hiddenSize: 8192 });
    const plan = planConversion({
      workdir: root,
      model: "qwen2.5vl-72b",
      release: "v26.1.0",
      variant: "fsdp",
      hfDir: join(root, "hf"),
      ckptDir: join(root, "dcp"),
    });
    const script = join(root, "mm_convert.py");
    writeFileSync(script, MM_CONVERT_PY);
    execFileSync("python3", [script, ...plan.argv.slice(1)], { stdio: "pipe" });
    expect(existsSync(join(root, "dcp/release/.metadata"))).toBe(true);
    expect(existsSync(join(root, "dcp/latest_checkpointed_iteration.txt"))).toBe(true);
  });
});

describe("Magistral-Small-2509: configs and LoRA end to end", () => {
  it("builds the standard and LoRA examples and converts the LoRA base with --is_lora_base", () => {
    const lora = resolveTrainingPlan("magistral-2509", "v26.1.0", { variant: "lora" });
    const script = lora.files.find((f) => f.format === "bash")!.text;
    expect(script).toContain("--lora-target-modules q_proj k_proj v_proj o_proj gate_proj up_proj down_proj");
    expect(script).toContain("fsdp2_lora_config.yaml");
    const base = planConversion({ workdir: W, model: "magistral-2509", release: "v26.1.0", variant: "lora" });
    expect(base.argv).toEqual([
      "mm-convert",
      "Mistral3Converter",
      "hf_to_dcp",
      "--hf_dir",
      base.paths.hfDir,
      "--dcp_dir",
      base.paths.ckptDir,
      "--is_lora_base",
      "true",
    ]);
    const merge = planConversion({
      workdir: W,
      model: "magistral-2509",
      release: "v26.1.0",
      variant: "lora",
      method: "merge_mm_lora_dcp_weight_to_base_hf",
      targetDir: "/w/merged",
    });
    expect(merge.argv).toContain("q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj");
    expect(merge.argv.slice(-2)).toEqual(["--scaling", "2.0"]);
    const m = marker({ model: "magistral-2509", converter: "Mistral3Converter", variant: "" });
    expect(loraBaseMismatch(m, true)).toMatch(/--is_lora_base true/);
  });
});

describe("Megatron LoRA runs: merge_base_lora_weight", () => {
  it("merges Qwen2.5-VL adapters into the converted base with the run's settings and split", () => {
    const plan = planConversion({
      workdir: W,
      model: "qwen2.5vl-7b",
      release: "v26.1.0",
      variant: "lora",
      method: "merge_base_lora_weight",
      targetDir: "/w/merged",
    });
    expect(plan.direction).toBe("merge");
    expect(plan.checkpoint).toBe("megatron");
    const trained = resolveTrainingPlan("qwen2.5vl-7b", "v26.1.0", { variant: "lora" });
    expect(plan.argv).toEqual([
      "python",
      "checkpoint/common/merge_base_lora_weight.py",
      "--base_save_dir",
      plan.paths.ckptDir,
      "--lora_save_dir",
      `${W}/${trained.paths.saveDir.replace(/^\.\//, "")}`,
      "--merge_save_dir",
      "/w/merged",
      "--lora_target_modules",
      ...recipeAt(getModel("qwen2.5vl-7b")!, "v26.1.0", "lora")!.lora!.targetModules,
      "--lora_alpha",
      "16",
      "--lora_r",
      "8",
      "--pp_size",
      "2",
      "--tp_size",
      "1",
    ]);
    expect(plan.notes.join(" ")).toMatch(/exports to Hugging Face with mm_to_hf \(variant "lora"/);
    expect(() =>
      planConversion({
        workdir: W,
        model: "qwen3vl-30b",
        release: "v26.1.0",
        variant: "lora",
        method: "merge_base_lora_weight",
        targetDir: "/w/m",
      }),
    ).toThrow(/merge_mm_lora_dcp_weight_to_base_hf/);
  });

  it("writes the merged release/ tree on the simulated checkout's script", () => {
    const root = mkdtempSync(join(tmpdir(), "mm-merge-"));
    made.push(root);
    for (const [dir, it] of [
      ["base", "release"],
      ["save", "iter_0000020"],
    ] as const) {
      for (const rank of ["mp_rank_00_000", "mp_rank_00_001"]) {
        mkdirSync(join(root, dir, it, rank), { recursive: true });
        writeFileSync(join(root, dir, it, rank, "model_optim_rng.pt"), "x");
      }
      writeFileSync(join(root, dir, "latest_checkpointed_iteration.txt"), it === "release" ? "release" : "20");
    }
    const plan = planConversion({
      workdir: root,
      model: "qwen2.5vl-7b",
      release: "v26.1.0",
      variant: "lora",
      method: "merge_base_lora_weight",
      ckptDir: join(root, "base"),
      loraDir: join(root, "save"),
      targetDir: join(root, "merged"),
    });
    mkdirSync(join(root, "checkpoint/common"), { recursive: true });
    writeFileSync(join(root, "checkpoint/common/merge_base_lora_weight.py"), simFile("merge_lora.py"));
    execFileSync("python3", plan.argv.slice(1), { cwd: root, stdio: "pipe" });
    expect(existsSync(join(root, "merged/release/mp_rank_00_001/model_optim_rng.pt"))).toBe(true);
    expect(readFileSync(join(root, "merged/latest_checkpointed_iteration.txt"), "utf8")).toBe("release");
  });
});

describe("InternVL3.5 dcp_to_hf", () => {
  it("reads the run's saved iteration directory, as the README's --dcp_dir …/iter_000xx", () => {
    const plan = planConversion({
      workdir: W,
      model: "internvl3.5",
      release: "v26.1.0",
      method: "dcp_to_hf",
      targetDir: "/w/hf-out",
    });
    const argv = finishArgv(plan, { sourceIteration: "iter_0000200" }).argv;
    expect(argv.slice(2)).toEqual([
      "dcp_to_hf",
      "--hf_dir",
      plan.paths.hfDir,
      "--dcp_dir",
      `${plan.paths.ckptDir}/iter_0000200`,
      "--save_dir",
      "/w/hf-out",
    ]);
  });
});
