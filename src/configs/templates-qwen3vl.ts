// Qwen3-VL: the data/model JSON of v2.2.0 / v2.3.0, the unified pretrain_transformers.py YAML (v26.0.0+), the LoRA
// YAML, the native-trainer "v1" YAMLs and fsdp2_config.yaml.
import { UPSTREAM_MLLM_ATTR } from "../knowledge/mllm-attr.js";

import type { ReleaseTag } from "../knowledge/release-tags.js";
import { attrFields, type ConfigTemplate, type TemplateContext, type TemplateFile } from "./template.js";
import { NATIVE_TOOLS, nativeData, nativeLoader, nativeTraining } from "./templates-native.js";
import { basename } from "./templates-qwen-json.js";

const LLAVA = "./data/mllm_format_llava_instruct_data.json";
const ANNOT = { synchronize_per_layer: true };

const SIZES: Record<string, { moe: boolean; layers: number; hidden: number; heads: number; hfName: string }> = {
  "8b": { moe: false, layers: 36, hidden: 4096, heads: 32, hfName: "Qwen3-VL-8B-Instruct" },
  "30b": { moe: true, layers: 48, hidden: 2048, heads: 32, hfName: "Qwen3-VL-30B-Instruct" },
  // Megatron-check placeholders as upstream ships them; the HF config.json rules at run time.
  "32b": { moe: false, layers: 64, hidden: 25600, heads: 64, hfName: "Qwen3-VL-32B-Instruct" },
  "235b": { moe: true, layers: 94, hidden: 4096, heads: 64, hfName: "Qwen3-VL-235B-Instruct" },
};

function unifiedYaml(ctx: TemplateContext, size: string, lora: boolean, release: ReleaseTag): Record<string, unknown> {
  const s = SIZES[size]!;
  const p = ctx.paths;
  const fsdp2 = ctx.fileRef("fsdp2_config.yaml");
  const gpt = {
    context_parallel_size: ctx.cp,
    context_parallel_algo: "ulysses_cp_algo",
    use_torch_fsdp2: true,
    fsdp2_config_path: fsdp2,
    ckpt_format: "torch_dcp",
    clip_grad: 0.0,
    micro_batch_size: ctx.microBatchSize,
    global_batch_size: ctx.globalBatchSize,
    optimizer_selection: "fused_torch_adamw",
    lr: ctx.lr,
    weight_decay: 0.0,
    adam_beta1: 0.9,
    adam_beta2: 0.999,
    lr_decay_style: "cosine",
    lr_warmup_fraction: 0.1,
    train_iters: ctx.trainIters,
    no_load_optim: true,
    no_load_rng: true,
    no_save_optim: true,
    no_save_rng: true,
    seed: 42,
    log_interval: 1,
    save_interval: ctx.saveInterval ?? 10000,
    eval_interval: 10000,
    eval_iters: 5000,
    save: p.saveDir,
    log_tps: true,
    load: p.ckptDir,
    use_cpu_initialization: true,
    init_model_with_meta_device: true,
    normalization: "RMSNorm",
    use_fused_rmsnorm: true,
    swiglu: true,
    use_fused_swiglu: true,
    use_flash_attn: true,
    vocab_size: 152064,
    seq_length: ctx.seqLength,
    make_vocab_size_divisible_by: 1,
    tokenizer_type: "NullTokenizer",
    no_gradient_accumulation_fusion: true,
    untie_embeddings_and_output_weights: true,
    no_masked_softmax_fusion: true,
    num_workers: 8,
  };
  const data = qwen3vlData(ctx, size, release);
  const recompute = lora ? { recompute_granularity: "full" } : {};
  return unifiedRest(ctx, s, size, lora, gpt, data, recompute);
}

/** The data config: the unified YAML's data section, and v2.2.0 / v2.3.0's data*.json (the same tree). */
function qwen3vlData(ctx: TemplateContext, size: string, release: ReleaseTag) {
  const p = ctx.paths;
  return {
    dataset_param: {
      dataset_type: "huggingface",
      attr: { ...UPSTREAM_MLLM_ATTR },
      preprocess_parameters: {
        model_name_or_path: p.hfDir,
        use_fast_tokenizer: true,
        split_special_tokens: false,
        image_max_pixels: size === "32b" && release === "v26.0.0" ? 1048576 : 262144,
        image_min_pixels: 1024,
        video_max_pixels: 16384,
        video_min_pixels: 0,
        video_fps: 2.0,
        video_maxlen: 64,
      },
      basic_parameters: {
        template: "qwen3_vl_nothink",
        enable_thinking: false,
        train_on_prompt: false,
        mask_history: false,
        tool_format: null,
        dataset_dir: p.datasetDir,
        dataset: p.dataset,
        cache_dir: "./data/cache_dir",
        overwrite_cache: false,
        preprocessing_batch_size: 1000,
        preprocessing_num_workers: 16,
        max_samples: null,
        ...(size === "32b" ? { use_pmcc_data: false } : {}),
      },
    },
    dataloader_param: {
      pin_memory: true,
      shuffle: true,
      dataloader_mode: "sampler",
      drop_last: true,
      sampler_type: "BaseRandomBatchSampler",
      collate_param: { model_name: "qwen3vl", ignore_pad_token_for_loss: true },
    },
  };
}

function unifiedRest(
  ctx: TemplateContext,
  s: (typeof SIZES)[string],
  size: string,
  lora: boolean,
  gpt: Record<string, unknown>,
  data: unknown,
  recompute: Record<string, unknown>,
): Record<string, unknown> {
  const p = ctx.paths;
  const fsdp2 = ctx.fileRef("fsdp2_config.yaml");
  const model = {
    model_id: s.moe ? "qwen3_vl_moe" : "qwen3_vl",
    init_from_hf_path: p.hfDir,
    image_encoder: {
      vision_encoder: {
        model_id: "qwen3vit",
        num_layers: 27,
        hidden_size: 1152,
        num_attention_heads: 16,
        freeze: true,
        attn_implementation: "flash_attention_2",
        attn_layout: "TND",
        ...ANNOT,
        ...recompute,
      },
      vision_projector: { model_id: "lnmlp", num_layers: 1, freeze: true },
    },
    text_decoder: {
      model_id: "qwen3lm",
      num_layers: s.layers,
      hidden_size: s.hidden,
      num_attention_heads: s.heads,
      max_position_embeddings: 262144,
      freeze: false,
      use_npu_fused_moe: size === "235b",
      attn_implementation: "flash_attention_2",
      attn_layout: "TND",
      is_causal: false,
      activation_offload: size === "235b",
      ...ANNOT,
      ...recompute,
    },
    loss_cfg: {
      compute_mode: "default",
      chunk_size: 1024,
      loss_type: "default",
      ...(s.moe ? { router_aux_loss_coef: 0.0 } : {}),
    },
    patch: { clip_grad_async: true, ...(size === "235b" ? {} : { bridge_patch: !lora }) },
  };
  const out: Record<string, unknown> = {
    HF_MODEL_LOAD_PATH: p.hfDir,
    MM_MODEL_LOAD_PATH: p.ckptDir,
    DATASET_PATH: p.dataset,
    ...(size === "32b" ? { DATASET_DIR: p.datasetDir } : {}),
    FSDP2_PATH: fsdp2,
    SAVE_PATH: p.saveDir,
    MM_TOOL_PATH: "./mindspeed_mm/tools/tools.json",
    gpt_args: gpt,
  };
  const settings = ctx.recipe.lora;
  if (lora && settings) {
    out.lora_args = {
      lora_r: settings.r,
      lora_alpha: settings.alpha,
      lora_dropout: settings.dropout,
      lora_target_modules: settings.targetModules.join(","),
      lora_register_forward_hook: "embed_tokens",
    };
  }
  out.data = data;
  out.model = model;
  return out;
}

/**
 * v2.2.0 / v2.3.0 model JSON (pretrain_transformers.py with --mm-model). v2.2.0 ships one generic model.json for the
 * MoE sizes, sized for 235B-A22B; the plan writes the chosen size's numbers (recorded as a difference for 30B).
 */
function qwen3vlModelJson(ctx: TemplateContext, size: string, release: ReleaseTag): Record<string, unknown> {
  const s = SIZES[size]!;
  const v22 = release === "v2.2.0";
  const sdpa = size === "30b" && !v22 ? { attn_implementation: "sdpa" } : {};
  const moeText = v22
    ? {}
    : size === "30b"
      ? { use_npu_fused_moe: false, attn_implementation: "sdpa", activation_offload: false }
      : size === "235b"
        ? { use_npu_fused_moe: true, activation_offload: true }
        : {};
  return {
    model_id: s.moe ? "qwen3_vl_moe" : "qwen3_vl",
    init_from_hf_path: ctx.paths.hfDir,
    image_encoder: {
      vision_encoder: {
        model_id: "qwen3vit",
        num_layers: 27,
        hidden_size: 1152,
        num_attention_heads: 16,
        freeze: !v22,
        ...sdpa,
      },
      vision_projector: { model_id: "lnmlp", num_layers: 1, freeze: !v22 },
    },
    text_decoder: {
      model_id: "qwen3lm",
      num_layers: s.layers,
      hidden_size: s.hidden,
      num_attention_heads: s.heads,
      max_position_embeddings: 262144,
      freeze: false,
      ...moeText,
    },
    ...(v22 ? {} : { loss_cfg: { compute_mode: "default", chunk_size: 1024 } }),
    patch: { clip_grad_async: true, scale_grad: true },
  };
}

/** fsdp2_config.yaml of the JSON layout: v2.2.0 names the blocks to wrap and recompute, v2.3.0 shards "auto". */
function qwen3vlJsonFsdp2Yaml(release: ReleaseTag): Record<string, unknown> {
  if (release === "v2.2.0") {
    const blocks = [
      "transformers.models.qwen3_vl.modeling_qwen3_vl.Qwen3VLVisionBlock",
      "transformers.models.qwen3_vl.modeling_qwen3_vl.Qwen3VLTextDecoderLayer",
      "transformers.models.qwen3_vl_moe.modeling_qwen3_vl_moe.Qwen3VLMoeVisionBlock",
      "transformers.models.qwen3_vl_moe.modeling_qwen3_vl_moe.Qwen3VLMoeTextDecoderLayer",
    ];
    return {
      sharding_size: null,
      sub_modules_to_wrap: blocks,
      recompute_modules: blocks,
      reshard_after_forward: true,
      param_dtype: "bf16",
      reduce_dtype: "fp32",
      cast_forward_inputs: true,
    };
  }
  return {
    sharding_size: "auto",
    reshard_after_forward: true,
    param_dtype: "bf16",
    reduce_dtype: "fp32",
    cast_forward_inputs: true,
    num_to_forward_prefetch: 1,
    num_to_backward_prefetch: 1,
    offload_to_cpu: false,
    align_fsdp_param_groups: true,
  };
}

function v1Yaml(ctx: TemplateContext, a5: boolean, release: ReleaseTag, userPaths: { ckpt: boolean; save: boolean }) {
  const p = ctx.paths;
  const data = nativeData(p.hfDir, p.dataset, p.datasetDir, "./cache_dir/", ctx.seqLength);
  data.basic_parameters.max_samples = 10000;
  const newer = release !== "v26.0.0";
  const feature = {
    loss_cfg: { loss_type: "default", router_aux_loss_coef: 0.0 },
    ...(newer
      ? {
          recompute: true,
          recompute_plan: { apply_modules: ["model.visual.blocks.{*}", "model.language_model.layers.{*}"] },
        }
      : {}),
    enable_chunk_loss: false,
    chunkloss_plan: { apply_module: "lm_head", chunk_size: 1024 },
    activation_offload_plan: { apply_modules: ["model.language_model.layers.{*}"] },
  };
  const training = nativeTraining({
    mbs: ctx.microBatchSize,
    gradAcc: ctx.gradAccSteps,
    lr: ctx.lr,
    iters: ctx.trainIters,
    saveInterval: ctx.saveInterval,
    plugin: ["mindspeed_mm/fsdp/models/qwen3vl", "mindspeed_mm/fsdp/data/datasets/huggingface"],
  });
  if (a5) {
    training.quantization_plan = {
      recipe_name: "mxfp8",
      apply_modules: ["model.language_model.layers.{*}"],
      ignored_modules: ["*lm_head", "*gate"],
      enable_fsdp_low_precision_all_gather: true,
      fsdp_low_precision_all_gather_mode: "on-demand",
      quant_converters: ["quantize.linear.mx", "quantize.moe.mx"],
    };
  }
  // Upstream leaves load/save commented out; they appear only when the caller gives them.
  if (userPaths.ckpt) training.load = p.ckptDir;
  if (userPaths.save) training.save = p.saveDir;
  const model: Record<string, unknown> = {
    model_id: "qwen3_vl_moe",
    model_name_or_path: p.hfDir,
    trust_remote_code: true,
    attn_implementation: "flash_attention_2",
    freeze: ["model.visual"],
  };
  return {
    parallel: {
      tensor_parallel_size: 1,
      fully_shard_parallel_size: "auto",
      fsdp_plan: {
        apply_modules: [
          "model.visual.blocks.{*}",
          "model.visual.merger",
          "model.visual.deepstack_merger_list.{*}",
          "model.visual",
          "model.language_model.embed_tokens",
          "model.language_model.layers.{*}",
          "model.language_model",
          "lm_head",
        ],
        param_dtype: "bf16",
        reduce_dtype: "fp32",
      },
      ...(newer ? {} : { recompute: true, recompute_plan: { apply_modules: ["model.language_model.layers.{*}"] } }),
      ring_attention_size: 1,
      ulysses_parallel_size: ctx.cp,
      expert_parallel_size: ctx.ep,
      ep_plan: { apply_modules: ["model.language_model.layers.{*}.mlp.experts"] },
    },
    data: {
      dataset_param: data,
      dataloader_param: { ...nativeLoader(true), ...(newer ? { enable_preload: false } : {}) },
    },
    model: newer ? model : { ...model, ...feature },
    ...(newer ? { features: feature } : {}),
    training,
    tools: NATIVE_TOOLS,
  };
}

export function qwen3vlFsdp2Yaml(): Record<string, unknown> {
  return {
    sharding_size: "auto",
    reshard_after_forward: true,
    param_dtype: "bf16",
    reduce_dtype: "fp32",
    cast_forward_inputs: true,
    num_to_forward_prefetch: 1,
    num_to_backward_prefetch: 1,
    offload_to_cpu: false,
    align_fsdp_param_groups: true,
    expert_parallel_size: 1,
    reshard_local_experts: true,
    moe_modules: ["model.language_model.layers.{*}.mlp.experts"],
  };
}

const sizeOf = (id: string) => id.split("-").pop()!;

export const QWEN3VL_TEMPLATE: ConfigTemplate = {
  defaultPaths(model, recipe) {
    const size = sizeOf(model.id);
    if (recipe.backend === "native-fsdp") {
      return {
        hfDir: "/home/data/Qwen3-VL-30B-A3B-Instruct",
        ckptDir: "load_path",
        saveDir: "save_path",
        dataset: "/home/usr/data/mllm_format_llava_instruct_data.json",
        datasetDir: "/home/usr/data/",
      };
    }
    if (recipe.backend === "megatron-fsdp2") {
      const hf = recipe.release === "v2.2.0" ? "Qwen3-VL-xxB-Instruct" : SIZES[size]!.hfName;
      return {
        hfDir: `./ckpt/hf_path/${hf}`,
        ckptDir: `ckpt/mm_path/${hf}`,
        saveDir: "save_dir",
        dataset: LLAVA,
        datasetDir: "./data",
      };
    }
    const hf = recipe.variant === "lora" ? "Qwen3-VL-30B-A3B-Instruct" : SIZES[size]!.hfName;
    return {
      hfDir: `./ckpt/hf_path/${hf}`,
      ckptDir: size === "32b" ? `./ckpt/mm_dcp_path/${hf}` : `./ckpt/mm_path/${hf}`,
      saveDir: "save_dir",
      dataset: LLAVA,
      datasetDir: size === "32b" ? "/data/" : "./data",
    };
  },
  files(ctx) {
    const size = sizeOf(ctx.model.id);
    const r = ctx.recipe;
    const main = r.configFiles[0]!;
    if (r.backend === "native-fsdp") {
      const defaults = QWEN3VL_TEMPLATE.defaultPaths(ctx.model, r);
      const value = v1Yaml(ctx, r.variant === "v1-a5", r.release, {
        ckpt: ctx.paths.ckptDir !== defaults.ckptDir,
        save: ctx.paths.saveDir !== defaults.saveDir,
      });
      return [{ role: "train-config", name: basename(main), upstream: main, format: "yaml", value }];
    }
    if (r.backend === "megatron-fsdp2") {
      const [data, model, fsdp2] = r.configFiles as [string, string, string];
      return [
        {
          role: "data-config",
          name: basename(data),
          upstream: data,
          format: "json",
          value: qwen3vlData(ctx, size, r.release),
        },
        {
          role: "model-config",
          name: basename(model),
          upstream: model,
          format: "json",
          value: qwen3vlModelJson(ctx, size, r.release),
        },
        {
          role: "train-config",
          name: basename(fsdp2),
          upstream: fsdp2,
          format: "yaml",
          value: qwen3vlJsonFsdp2Yaml(r.release),
        },
      ];
    }
    const files: TemplateFile[] = [
      {
        role: "train-config",
        name: basename(main),
        upstream: main,
        format: "yaml",
        value: unifiedYaml(ctx, size, r.variant === "lora", r.release),
      },
      {
        role: "train-config",
        name: "fsdp2_config.yaml",
        upstream: "examples/qwen3vl/fsdp2_config.yaml",
        format: "yaml",
        value: qwen3vlFsdp2Yaml(),
      },
    ];
    return files;
  },
  datasetAttr(ctx) {
    if (ctx.recipe.backend === "native-fsdp") return attrFields(nativeData("", "", "", "", 0).attr);
    return {
      images: "images",
      messages: "messages",
      role_tag: "role",
      content_tag: "content",
      user_tag: "user",
      assistant_tag: "assistant",
    };
  },
};
