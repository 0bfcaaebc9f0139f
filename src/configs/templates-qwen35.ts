// Qwen3.5: one native-trainer YAML per size (v26.0.0 and the reorganised v26.1.0 layout).
import { attrFields, type ConfigTemplate, type TemplateContext } from "./template.js";
import {
  CHUNK_MBS_PLAN,
  NATIVE_TOOLS,
  NO_OPTIM_RNG,
  nativeData,
  nativeLoader,
  nativeTraining,
} from "./templates-native.js";
import { basename } from "./templates-qwen-json.js";
import { MCORE_QWEN35_PATHS, mcoreQwen35Yaml } from "./templates-qwen35-mcore.js";

const MOE = new Set(["35b", "122b", "397b"]);
const HF = "./ckpt/hf_path/Qwen35-xxB";

function fsdpModules(moe: boolean, newer: boolean): string[] {
  if (newer) {
    return moe
      ? [
          "model.visual",
          "model.visual.blocks.{*}",
          "model.language_model.embed_tokens",
          "model.language_model",
          "model.language_model.layers.{*}",
          "model.language_model.layers.{*}.linear_attn",
          "model.language_model.layers.{*}.mlp.experts",
          "lm_head",
          "mtp",
        ]
      : [
          "model.visual",
          "model.visual.blocks.{*}",
          "model.language_model.embed_tokens",
          "model.language_model",
          "model.language_model.layers.{*}",
          "lm_head",
          "mtp",
        ];
  }
  return moe
    ? [
        "model.visual.blocks.{*}",
        "model.visual",
        "model.language_model.layers.{*}.linear_attn",
        "model.language_model.layers.{*}.mlp",
        "model.language_model.layers.{*}",
        "model.language_model.embed_tokens",
        "model.language_model.norm",
        "model.language_model.rotary_emb",
        "model.language_model",
        "lm_head",
      ]
    : [
        "model.visual.blocks.{*}",
        "model.visual",
        "model.language_model.layers.{*}",
        "model.language_model.embed_tokens",
        "model.language_model",
        "lm_head",
      ];
}

function qwen35Yaml(ctx: TemplateContext, size: string): Record<string, unknown> {
  const newer = ctx.recipe.release !== "v26.0.0";
  const moe = MOE.has(size);
  const p = ctx.paths;
  const parallel: Record<string, unknown> = {
    ...(newer ? {} : { tensor_parallel_size: 1 }),
    fully_shard_parallel_size: "auto",
    fsdp_plan: {
      apply_modules: fsdpModules(moe, newer),
      ...(moe ? { hook_modules: ["model.language_model.layers.{*}"] } : {}),
      param_dtype: "bf16",
      reduce_dtype: "fp32",
      ...(newer ? { num_to_forward_prefetch: 1, num_to_backward_prefetch: 1 } : {}),
    },
  };
  if (!newer) {
    parallel.recompute = true;
    parallel.recompute_plan = {
      apply_modules:
        size === "35b"
          ? ["model.language_model.layers.{*}", "model.visual.blocks.{*}"]
          : ["model.language_model.layers.{*}"],
    };
  }
  parallel.ulysses_parallel_size = ctx.cp;
  if (moe) {
    parallel.expert_parallel_size = ctx.ep;
    parallel.ep_plan = {
      apply_modules: ["model.language_model.layers.{*}.mlp.experts"],
      ...(newer ? { dispatcher: "alltoall" } : {}),
    };
    if (!newer && size === "122b") parallel.moe_impl_type = "qwen3_5";
  }

  const dataset = nativeData(p.hfDir, p.dataset, p.datasetDir, "./cache_dir/", ctx.seqLength);
  const basic: Record<string, unknown> = { ...dataset.basic_parameters };
  if (newer) {
    // preprocess_on_fly sits before preprocessing_batch_size upstream.
    delete basic.preprocessing_batch_size;
    delete basic.preprocessing_num_workers;
    delete basic.max_samples;
    Object.assign(basic, {
      preprocess_on_fly: true,
      preprocessing_batch_size: 1000,
      preprocessing_num_workers: 16,
      max_samples: null,
    });
  }
  const data: Record<string, unknown> = { dataset_param: { ...dataset, basic_parameters: basic } };
  if (newer && size === "35b") {
    const val = nativeData(
      p.hfDir,
      "./data/mllm_format_llava_instruct_data_val.json",
      p.datasetDir,
      "./cache_dir/val",
      ctx.seqLength,
    );
    data.val_dataset_param = {
      ...val,
      basic_parameters: { ...basic, dataset: val.basic_parameters.dataset, cache_dir: "./cache_dir/val" },
    };
  }
  data.dataloader_param = { ...nativeLoader(newer), ...(newer ? { enable_preload: false } : {}) };

  const chunkLoss = newer ? true : size === "35b" || size === "397b";
  const loss = { loss_type: "default", router_aux_loss_coef: 0.0 };
  const chunkPlan = { apply_module: "lm_head", chunk_size: newer && size === "35b" ? 512 : 1024 };
  const model: Record<string, unknown> = {
    model_id: moe ? "qwen3_5_moe" : "qwen3_5",
    model_name_or_path: p.hfDir,
    trust_remote_code: true,
  };
  let features: Record<string, unknown> | undefined;
  if (newer) {
    Object.assign(model, {
      attn_implementation: "flash_attention_2",
      gdn_implementation: "ascendc",
      causal_conv1d_implementation: size === "27b" || size === "35b" ? "ascendc" : "triton",
      ...(moe ? { use_grouped_expert_matmul: true } : {}),
      skip_gdn_recompute: true,
      skip_flash_attn_recompute: true,
    });
    features = {
      loss_cfg: loss,
      recompute: true,
      recompute_plan: { apply_modules: ["model.visual.blocks.{*}", "model.language_model.layers.{*}"] },
      enable_chunk_loss: chunkLoss,
      chunkloss_plan: chunkPlan,
      enable_activation_offload: true,
      activation_offload_plan: { apply_modules: ["model.visual.blocks.{*}", "model.language_model.layers.{*}"] },
      enable_chunk_mbs: size === "35b" || size === "397b",
      chunkmbs_plan: CHUNK_MBS_PLAN,
      ...(moe ? { enable_ep_balance: false, ep_balance_plan: { max_dup_experts_num: 2 } } : {}),
    };
  } else {
    Object.assign(model, {
      attn_implementation: "sdpa",
      freeze: ["model.visual"],
      loss_cfg: loss,
      enable_chunk_loss: chunkLoss,
      chunkloss_plan: chunkPlan,
      use_triton_gdn: true,
      ...(moe ? { use_grouped_expert_matmul: true } : {}),
    });
  }

  const plugin = [
    `mindspeed_mm/fsdp/models/${moe ? "qwen3_5_moe" : "qwen3_5"}`,
    "mindspeed_mm/fsdp/data/datasets/huggingface",
  ];
  const base = nativeTraining({
    mbs: ctx.microBatchSize,
    gradAcc: ctx.gradAccSteps,
    lr: ctx.lr,
    iters: ctx.trainIters,
    saveInterval: ctx.saveInterval,
    plugin,
  });
  const { use_deter_comp, plugin: _p, ...head } = base;
  const training: Record<string, unknown> = {
    ...head,
    ...(newer && size === "35b" ? { val_interval: 0, val_micro_batch_size: 1 } : {}),
    ...NO_OPTIM_RNG,
    load: p.ckptDir,
    ...(newer ? { load_format: "auto" } : {}),
    save: p.saveDir,
    ...(newer ? { save_format: "dcp" } : {}),
    use_deter_comp,
    plugin,
  };
  return { parallel, data, model, ...(features ? { features } : {}), training, tools: NATIVE_TOOLS };
}

const HF36 = "./ckpt/hf_path/Qwen36-xxB";

/**
 * Qwen3.6 27B / 35B (v26.1.0): the Qwen3.5 YAML of the same size with the triton causal_conv1d kernel, and a run
 * that loads the converted DCP checkpoint (no load_format / save_format keys).
 */
export const QWEN36_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: HF36,
      ckptDir: `${HF36}-dcp`,
      saveDir: "./save_path",
      dataset: "./data/mllm_format_llava_instruct_data.json",
      datasetDir: "./data/COCO2017",
    };
  },
  files(ctx) {
    const size = ctx.model.id.split("-").pop()!;
    const main = ctx.recipe.configFiles[0]!;
    const value = qwen35Yaml(ctx, size) as { model: Record<string, unknown>; training: Record<string, unknown> };
    value.model.causal_conv1d_implementation = "triton";
    const { load_format: _lf, save_format: _sf, ...training } = value.training;
    value.training = training;
    return [{ role: "train-config", name: basename(main), upstream: main, format: "yaml", value }];
  },
  datasetAttr: () => attrFields(nativeData("", "", "", "", 0).attr),
};

export const QWEN35_TEMPLATE: ConfigTemplate = {
  defaultPaths(_model, recipe) {
    if (recipe.variant === "mcore") return MCORE_QWEN35_PATHS;
    const newer = recipe.release !== "v26.0.0";
    return {
      hfDir: HF,
      ckptDir: newer ? HF : `${HF}-dcp`,
      saveDir: "./save_path",
      dataset: "./data/mllm_format_llava_instruct_data.json",
      datasetDir: newer ? "./data/COCO2017" : "./data",
    };
  },
  files(ctx) {
    const size = ctx.model.id.split("-").pop()!;
    const main = ctx.recipe.configFiles[0]!;
    if (ctx.recipe.variant === "mcore") {
      return [
        { role: "train-config", name: basename(main), upstream: main, format: "yaml", value: mcoreQwen35Yaml(ctx) },
      ];
    }
    return [
      { role: "train-config", name: basename(main), upstream: main, format: "yaml", value: qwen35Yaml(ctx, size) },
    ];
  },
  datasetAttr: (ctx) =>
    ctx.recipe.variant === "mcore"
      ? attrFields(
          ((mcoreQwen35Yaml(ctx).data as Record<string, unknown>).dataset_param as Record<string, unknown>)
            .attr as Record<string, unknown>,
        )
      : attrFields(nativeData("", "", "", "", 0).attr),
};
