// resolveTrainingPlan: parallelism, layer splits, validation messages and the launch script.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in generated scripts
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PlanError, resolveTrainingPlan } from "../../src/configs/index.js";
import type { ConfigObject } from "../../src/configs/template.js";
import { evenSplit } from "../../src/configs/validate.js";
import { MODELS } from "../../src/knowledge/models.js";

const bashSyntax = (script: string) => spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });

describe("resolveTrainingPlan", () => {
  it("reproduces the upstream parallelism and derives the global batch", () => {
    const plan = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0");
    expect(plan.parallel).toMatchObject({ tp: 1, pp: 2, cp: 1, dp: 4, worldSize: 8 });
    expect(plan.globalBatchSize).toBe(192);
    expect(plan.layerSplit).toEqual({ llm: [12, 16], vit: [32, 0] });
    expect(plan.files.map((f) => f.role)).toEqual(["data-config", "model-config", "launch-script"]);
  });

  it("says when a changed layout or micro batch moves the global batch, with the value that keeps the example's", () => {
    const batchNotes = (plan: { warnings: string[] }) => plan.warnings.filter((w) => /^Global batch/.test(w));
    expect(batchNotes(resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0"))).toEqual([]);
    const tp2 = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { tp: 2 });
    expect(tp2.globalBatchSize).toBe(96);
    expect(batchNotes(tp2)).toHaveLength(1);
    expect(batchNotes(tp2)[0]).toMatch(
      /Global batch 96, not the example's 192: with data parallel 2 \(the example's 4\)/,
    );
    expect(batchNotes(tp2)[0]).toContain('"globalBatchSize":192');
    // The value offered builds with no batch note and no error.
    const kept = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { tp: 2, globalBatchSize: 192 });
    expect(kept.errors).toEqual([]);
    expect(batchNotes(kept)).toEqual([]);
    expect(batchNotes(resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { microBatchSize: 2 }))[0]).toMatch(
      /Global batch 384, not the example's 192: with micro batch 2 \(the example's 1\).*\(24 accumulation steps\)/,
    );
  });

  it("defaults to the newest release that has the model", () => {
    expect(resolveTrainingPlan("qwen2.5vl-3b", undefined).release).toBe("v26.1.0");
    expect(resolveTrainingPlan("internvl3-8b", undefined).release).toBe("v26.0.0");
  });

  it("re-splits layers when PP changes and fills the model config with it", () => {
    const plan = resolveTrainingPlan("qwen2.5vl-7b", "v26.1.0", { pp: 4 });
    expect(plan.errors).toEqual([]);
    expect(plan.layerSplit.llm).toEqual(evenSplit(28, 4));
    expect(plan.layerSplit.vit).toEqual([32, 0, 0, 0]);
    const model = plan.files.find((f) => f.role === "model-config")!.value as {
      text_decoder: { pipeline_num_layers: number[] };
    };
    expect(model.text_decoder.pipeline_num_layers).toEqual(plan.layerSplit.llm);
    expect(plan.globalBatchSize).toBe(1 * 48 * 2);
  });

  it("saves optimizer and RNG state only when asked, in the script's flags and in a YAML backend's keys", () => {
    const text = (plan: ReturnType<typeof resolveTrainingPlan>) => plan.files.map((f) => f.text).join("\n");
    const weightsOnly = resolveTrainingPlan("qwen2.5vl-3b", "v26.1.0");
    expect(text(weightsOnly)).toContain("--no-save-optim");
    const exact = resolveTrainingPlan("qwen2.5vl-3b", "v26.1.0", { saveOptimizer: true });
    const script = exact.files.find((f) => f.role === "launch-script")!.text;
    expect(script).not.toMatch(/--no-save-(?:optim|rng)/);
    // The converted base weights hold no optimizer state: loading still skips it.
    expect(script).toContain("--no-load-optim");
    expect(bashSyntax(script).status).toBe(0);
    const yaml = resolveTrainingPlan("qwen3vl-8b", "v26.1.0", { saveOptimizer: true });
    const gpt = (yaml.files[0]!.value as ConfigObject).gpt_args as ConfigObject;
    expect(gpt).toMatchObject({ no_save_optim: false, no_save_rng: false, no_load_optim: true });
    expect(yaml.files[0]!.text).toMatch(/no_save_optim: false/);
    const plain = resolveTrainingPlan("qwen3vl-8b", "v26.1.0");
    expect((plain.files[0]!.value as ConfigObject).gpt_args).toMatchObject({ no_save_optim: true });
  });

  it("fills user values into configs and script", () => {
    const plan = resolveTrainingPlan("qwen3vl-8b", "v26.1.0", {
      hfDir: "/m/hf",
      ckptDir: "/m/dcp",
      saveDir: "/m/out",
      dataset: "/d/train.json",
      outputDir: "/w/cfg",
      trainIters: 500,
      lr: 2e-5,
      seqLength: 2048,
      nodes: 2,
    });
    const yaml = plan.files[0]!.value as ConfigObject;
    expect(yaml.gpt_args).toMatchObject({
      train_iters: 500,
      lr: 2e-5,
      seq_length: 2048,
      load: "/m/dcp",
      save: "/m/out",
      global_batch_size: 16,
      fsdp2_config_path: "/w/cfg/fsdp2_config.yaml",
    });
    expect(yaml.data.dataset_param.basic_parameters).toMatchObject({ dataset: "/d/train.json", dataset_dir: "/d" });
    expect(yaml.model.init_from_hf_path).toBe("/m/hf");
    const script = plan.files.at(-1)!.text;
    expect(script).toContain("NNODES=2");
    expect(script).toContain("config_path=/w/cfg/qwen3vl_full_sft_8B.yaml");
  });

  it("names the field and a working value for each violation", () => {
    const tp = resolveTrainingPlan("qwen2.5vl-3b", "v26.0.0", { tp: 4 });
    expect(tp.errors).toContainEqual(expect.objectContaining({ field: "tp", suggestion: 2 }));
    expect(tp.errors[0]!.message).toMatch(/16 attention heads and the 2 KV heads/);
    expect(tp.files).toEqual([]);

    const sum = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { llmLayerSplit: [10, 10] });
    expect(sum.errors).toContainEqual(expect.objectContaining({ field: "llmLayerSplit", suggestion: [14, 14] }));

    const empty = resolveTrainingPlan("qwen2vl-7b", "v26.0.0", { llmLayerSplit: [0, 8, 10, 10] });
    const e = empty.errors.find((x) => x.field === "llmLayerSplit")!;
    expect(e.message).toMatch(/stage 0 has no LLM layers/);

    const len = resolveTrainingPlan("qwen2vl-7b", "v26.0.0", { pp: 2, llmLayerSplit: [1, 10, 10, 7] });
    expect(len.errors).toContainEqual(expect.objectContaining({ field: "llmLayerSplit", suggestion: [14, 14] }));

    const world = resolveTrainingPlan("qwen2.5vl-32b", "v26.0.0", { nodes: 1 });
    expect(world.errors).toContainEqual(expect.objectContaining({ field: "nodes", suggestion: 2 }));

    const gbs = resolveTrainingPlan("qwen2.5vl-3b", "v26.0.0", { globalBatchSize: 100 });
    expect(gbs.errors).toContainEqual(expect.objectContaining({ field: "globalBatchSize", suggestion: 96 }));

    const fsdp = resolveTrainingPlan("qwen3vl-8b", "v26.0.0", { tp: 2 });
    expect(fsdp.errors).toContainEqual(expect.objectContaining({ field: "tp", suggestion: 1 }));
  });

  it("accepts the upstream InternVL2.5-78B split with the ViT alone on stage 0", () => {
    expect(resolveTrainingPlan("internvl2.5-78b", "v26.0.0").errors).toEqual([]);
  });

  it("refuses a release without the model and says which have it", () => {
    expect(() => resolveTrainingPlan("qwen2vl-7b", "v26.1.0")).toThrow(
      /releases that have it: v2\.1\.0, v2\.2\.0, v2\.3\.0, v26\.0\.0/,
    );
    expect(() => resolveTrainingPlan("glm4.5v-106b", "v2.3.0")).toThrow(PlanError);
    expect(() => resolveTrainingPlan("qwen2.5vl-8b", "v26.0.0")).toThrow(/Nearest: .*qwen2\.5vl-7b/);
    expect(() => resolveTrainingPlan("wan2.1", undefined)).toThrow(/generative/);
  });

  it("writes launch scripts that pass bash -n for every model, release and variant", () => {
    let count = 0;
    for (const m of MODELS) {
      for (const r of m.recipes) {
        for (const tag of r.releases) {
          const plan = resolveTrainingPlan(m.id, tag, {
            variant: r.variant,
            workdir: "/opt/MindSpeed-MM",
            cannRoot: "/opt/Ascend dir",
          });
          const script = plan.files.find((f) => f.role === "launch-script")!.text;
          const res = bashSyntax(script);
          expect(res.status, `${m.id} ${tag} ${r.variant}: ${res.stderr}`).toBe(0);
          expect(script).toContain("logs/train_${logfile}.log");
          expect(script).toContain("'/opt/Ascend dir/cann/set_env.sh'");
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(60);
  });

  it("carries the upstream Megatron arguments into the script", () => {
    const script = resolveTrainingPlan("qwen2.5vl-7b", "v26.0.0", { trainIters: 123 }).files.at(-1)!.text;
    for (const s of [
      "export CUDA_DEVICE_MAX_CONNECTIONS=1",
      "TP=1",
      "PP=2",
      "GRAD_ACC_STEP=48",
      "--train-iters 123",
      "--vocab-size 152064",
      "--variable-seq-lengths",
      "torchrun $DISTRIBUTED_ARGS pretrain_vlm.py",
      "--mm-model $MM_MODEL",
      "--ckpt-format torch",
      "--log-tps",
    ]) {
      expect(script).toContain(s);
    }
    const glm = resolveTrainingPlan("glm4.1v-9b", "v26.0.0").files.at(-1)!.text;
    expect(glm).toContain("MASTER_PORT=${MASTER_PORT:-6700}");
    expect(glm).toContain("--context-parallel-algo megatron_cp_algo");
    const dsv = resolveTrainingPlan("deepseekvl2", "v26.0.0").files.at(-1)!.text;
    expect(dsv).toContain("--expert-model-parallel-size ${EP}");
    expect(dsv).toContain("$MOE_ARGS");
    const native = resolveTrainingPlan("qwen3_5-4b", "v26.1.0").files.at(-1)!.text;
    expect(native).toContain("export NON_MEGATRON=true");
    expect(native).not.toContain("CUDA_DEVICE_MAX_CONNECTIONS");
  });
});
