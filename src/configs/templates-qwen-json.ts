// Qwen2-VL and Qwen2.5-VL: data/model JSON for pretrain_vlm.py (and the 72B FSDP2 variant's fsdp2_config.yaml).
import { UPSTREAM_MLLM_ATTR } from "../knowledge/mllm-attr.js";
import { recipeAt } from "../knowledge/models.js";
import type { ReleaseTag } from "../knowledge/release-tags.js";
import { DROP, merge, type Patch } from "./merge.js";
import {
  attrFields,
  type ConfigObject,
  type ConfigTemplate,
  loraBaseDir,
  pipelineLayers,
  type TemplateContext,
  type TemplateFile,
} from "./template.js";

const LLAVA_DATA = "./data/mllm_format_llava_instruct_data.json";

export function qwenDataJson(
  hfDir: string,
  dataset: string,
  datasetDir: string,
  patch: Patch = {},
): Record<string, unknown> {
  const base = {
    dataset_param: {
      dataset_type: "huggingface",
      preprocess_parameters: {
        model_name_or_path: hfDir,
        use_fast_tokenizer: true,
        split_special_tokens: false,
        image_max_pixels: 262144,
        image_min_pixels: 0,
        video_max_pixels: 16384,
        video_min_pixels: 0,
        video_fps: 2.0,
        video_maxlen: 64,
      },
      basic_parameters: {
        template: "qwen2vl",
        dataset_dir: datasetDir,
        dataset,
        cache_dir: "./data/cache_dir",
        train_on_prompt: false,
        mask_history: false,
        preprocessing_batch_size: 1000,
        preprocessing_num_workers: 16,
        max_samples: null,
        tool_format: null,
      },
      attr: { ...UPSTREAM_MLLM_ATTR },
    },
    dataloader_param: {
      dataloader_mode: "sampler",
      drop_last: true,
      sampler_type: "BaseRandomBatchSampler",
      collate_param: { model_name: "qwen2vl", ignore_pad_token_for_loss: true },
      pin_memory: true,
      shuffle: true,
    },
  };
  return merge(base, patch);
}

const DATA_VARIANTS: Record<string, { dataset: string; patch: Patch }> = {
  "": { dataset: LLAVA_DATA, patch: {} },
  dpo: {
    dataset: "./data/rlhf-v.json",
    patch: {
      dataset_param: { attr: { ranking: true, chosen: "chosen", rejected: "rejected" } },
      dataloader_param: { collate_param: { model_name: "qwen2vl_dpo" } },
    },
  },
  video: {
    dataset: "./data/mllm_video_demo.json",
    patch: { dataset_param: { attr: { images: null, videos: "videos" } } },
  },
  fsdp: { dataset: LLAVA_DATA, patch: {} },
};

function qwenVit(activation: "silu" | "quick_gelu"): Record<string, unknown> {
  const qwen25 = activation === "silu";
  return {
    model_id: "qwen2vit",
    num_layers: 32,
    hidden_size: 1280,
    ffn_hidden_size: qwen25 ? 3420 : 5120,
    llm_hidden_size: 1280,
    ...(qwen25 ? { gated_linear_unit: true } : {}),
    num_attention_heads: 16,
    hidden_dropout: 0.0,
    attention_dropout: 0.0,
    in_channels: 3,
    patch_size: 14,
    spatial_merge_size: 2,
    temporal_patch_size: 2,
    layernorm_epsilon: 1e-6,
    normalization: qwen25 ? "RMSNorm" : "LayerNorm",
    fp16: false,
    bf16: true,
    params_dtype: "bf16",
    activation_func: activation,
    freeze: true,
    use_fused_rotary_pos_emb: true,
    post_layer_norm: false,
    pipeline_num_layers: [32],
    ...(qwen25
      ? { intermediate_size: 3420, tokens_per_second: 2, window_attn_size: 112, fullatt_block_indexes: [7, 15, 23, 31] }
      : {}),
    attention_mask_type: "general",
  };
}

function qwenProjector(qwen25: boolean): Record<string, unknown> {
  return {
    model_id: "lnmlp",
    num_layers: 1,
    gated_linear_unit: false,
    bias_activation_fusion: false,
    add_bias_linear: true,
    input_size: 1280,
    hidden_size: 2048,
    ffn_hidden_size: 5120,
    activation_func: "gelu",
    bf16: true,
    params_dtype: "bf16",
    freeze: true,
    layernorm_epsilon: 1e-6,
    normalization: qwen25 ? "RMSNorm" : "LayerNorm",
  };
}

function qwenText(qwen25: boolean): Record<string, unknown> {
  return {
    model_id: qwen25 ? "qwen2_5_lm" : "qwen2lm",
    num_layers: 36,
    pipeline_num_layers: [36],
    hidden_size: 2048,
    ffn_hidden_size: 11008,
    num_attention_heads: 16,
    ...(qwen25 ? { seq_length: 1024, max_position_embeddings: 128000 } : { max_position_embeddings: 32768 }),
    vocab_size: 151936,
    rope_theta: 1000000.0,
    untie_embeddings_and_output_weights: false,
    disable_bias_linear: true,
    attention_dropout: 0.0,
    init_method_std: 0.01,
    hidden_dropout: 0.0,
    position_embedding_type: "mrope",
    normalization: "RMSNorm",
    activation_func: "silu",
    use_fused_rotary_pos_emb: true,
    attention_softmax_in_fp32: true,
    params_dtype: "bf16",
    bf16: true,
    parallel_output: true,
    group_query_attention: true,
    num_query_groups: 2,
    mrope_section: [16, 24, 24],
    rope_scaling: null,
    gated_linear_unit: true,
    layernorm_epsilon: 1e-6,
    add_bias_linear: false,
    add_qkv_bias: true,
    ...(qwen25 ? { use_remove_padding: false } : {}),
  };
}

function baseModel(qwen25: boolean): Record<string, unknown> {
  return {
    model_id: qwen25 ? "qwen2_5vl" : "qwen2vl",
    img_context_token_id: 151655,
    vision_start_token_id: 151652,
    image_encoder: { vision_encoder: qwenVit(qwen25 ? "silu" : "quick_gelu"), vision_projector: qwenProjector(qwen25) },
    text_decoder: qwenText(qwen25),
    text_encoder: null,
    video_encoder: null,
  };
}

const text = (layers: number, hidden: number, ffn: number, heads: number, kv: number): Patch => ({
  num_layers: layers,
  hidden_size: hidden,
  ffn_hidden_size: ffn,
  num_attention_heads: heads,
  num_query_groups: kv,
  vocab_size: 152064,
  untie_embeddings_and_output_weights: true,
});

const RECOMPUTE = { recompute_granularity: "full", recompute_method: "uniform", recompute_num_layers: 1 };

// Size patches over the 3B/2B-shaped base, at the newest release that has the file.
const QWEN25_SIZES: Record<string, Patch> = {
  "3b": { patch: { bridge_patch: false } },
  "7b": {
    image_encoder: {
      vision_encoder: { llm_hidden_size: 3584, bias_activation_fusion: true },
      vision_projector: { hidden_size: 3584 },
    },
    text_decoder: { ...text(28, 3584, 18944, 28, 4), bias_activation_fusion: true, use_remove_padding: DROP },
    patch: { bridge_patch: false },
  },
  "32b": {
    image_encoder: {
      vision_encoder: { ffn_hidden_size: 3456, intermediate_size: 3456, llm_hidden_size: DROP },
      vision_projector: { hidden_size: 5120 },
    },
    text_decoder: { ...text(64, 5120, 27648, 40, 8), use_remove_padding: DROP },
  },
  "72b": {
    image_encoder: {
      vision_encoder: {
        model_id: "qwen2_5_vit",
        ffn_hidden_size: 3456,
        intermediate_size: 3456,
        llm_hidden_size: DROP,
        use_vit_dp: false,
      },
      vision_projector: { hidden_size: 8192, context_parallel_size: 1 },
    },
    text_decoder: { ...text(80, 8192, 29568, 64, 8), use_remove_padding: DROP },
  },
};

const QWEN2_SIZES: Record<string, Patch> = {
  "2b": {
    video_token_id: 151656,
    image_encoder: { vision_encoder: { llm_hidden_size: 1536 }, vision_projector: { hidden_size: 1536 } },
    text_decoder: { num_layers: 28, hidden_size: 1536, ffn_hidden_size: 8960, num_attention_heads: 12 },
  },
  "7b": {
    image_encoder: { vision_encoder: { llm_hidden_size: 3584 }, vision_projector: { hidden_size: 3584 } },
    text_decoder: text(28, 3584, 18944, 28, 4),
  },
  "72b": {
    video_token_id: 151656,
    image_encoder: { vision_encoder: { llm_hidden_size: 8192 }, vision_projector: { hidden_size: 8192 } },
    text_decoder: { ...text(80, 8192, 29568, 64, 8), kv_channels: 128, ...RECOMPUTE },
  },
};

const OLD_V21: Patch = {
  image_encoder: { vision_encoder: { attention_mask_type: DROP }, vision_projector: { num_attention_heads: 1 } },
};

function releasePatches(qwen25: boolean, size: string, release: ReleaseTag): Patch[] {
  const patches: Patch[] = [];
  if (qwen25 && release !== "v26.0.0" && release !== "v26.1.0") patches.push({ patch: DROP });
  if (release === "v2.1.0") {
    patches.push(OLD_V21);
    if (qwen25 && size !== "7b") patches.push({ video_token_id: 151656 });
    if (qwen25 && size === "72b") {
      patches.push({
        image_encoder: {
          vision_encoder: { model_id: "qwen2vit", use_vit_dp: DROP },
          vision_projector: { context_parallel_size: DROP },
        },
        text_decoder: RECOMPUTE,
      });
    }
  }
  return patches;
}

export function qwenModelJson(
  qwen25: boolean,
  size: string,
  release: ReleaseTag,
  ctx: TemplateContext,
): Record<string, unknown> {
  const sizes = qwen25 ? QWEN25_SIZES : QWEN2_SIZES;
  const sizePatch = sizes[size];
  if (!sizePatch) throw new Error(`no model template for size ${size}`);
  const arch = ctx.model.arch;
  const value = merge(baseModel(qwen25), sizePatch, ...releasePatches(qwen25, size, release)) as ConfigObject;
  // FSDP2 runs ignore the pipeline lists; keep the standard example's.
  const standard = recipeAt(ctx.model, release, "")?.defaults;
  const layers = pipelineLayers(ctx);
  const llm = layers.llm ?? standard?.llmLayerSplit;
  const vit = layers.vit ?? standard?.vitLayerSplit;
  if (llm) value.text_decoder.pipeline_num_layers = llm;
  if (vit) value.image_encoder.vision_encoder.pipeline_num_layers = vit;
  if (qwen25) value.text_decoder.seq_length = ctx.seqLength;
  // LoRA: the README turns on the HF-equal (canonical) structure so the adapters' module names match HF's.
  if (ctx.recipe.variant === "lora") {
    value.image_encoder.vision_encoder.canonical_model = true;
    value.text_decoder.canonical_model = true;
  }
  if (arch && value.text_decoder.vocab_size !== arch.llm.vocab) throw new Error(`vocab mismatch for ${ctx.model.id}`);
  return value;
}

export function qwen25FsdpYaml(release: ReleaseTag): Record<string, unknown> {
  if (release === "v2.2.0") {
    return {
      sub_modules_to_wrap: [
        "megatron.core.transformer.transformer_layer.TransformerLayer",
        "megatron.core.models.common.embeddings.language_model_embedding.LanguageModelEmbedding",
        "megatron.core.models.common.embeddings.rotary_pos_embedding.RotaryEmbedding",
      ],
      param_dtype: "bf16",
      reduce_dtype: "fp32",
      cast_forward_inputs: true,
      ignored_modules: ["mindspeed_mm.models.vision.vision_model.VisionModel"],
      recompute_modules: ["megatron.core.transformer.transformer_layer.TransformerLayer"],
    };
  }
  return {
    sharding_size: "auto",
    sub_modules_to_wrap: [
      "text_decoder.output_layer",
      "text_decoder.embedding",
      "text_decoder.rotary_pos_emb",
      "text_decoder.decoder.layers.{*}",
    ],
    param_dtype: "bf16",
    reduce_dtype: "fp32",
    cast_forward_inputs: true,
    ignored_modules: ["image_encoder"],
    recompute_modules: ["text_decoder.decoder.layers.{*}"],
    num_to_forward_prefetch: 0,
    num_to_backward_prefetch: 0,
    offload_to_cpu: false,
  };
}

function template(qwen25: boolean): ConfigTemplate {
  const hfName = (size: string) =>
    qwen25 ? `Qwen2.5-VL-${size.toUpperCase()}-Instruct` : `Qwen2-VL-${size.toUpperCase()}-Instruct`;
  const sizeOf = (ctx: { model: { id: string } }) => ctx.model.id.split("-").pop()!;
  return {
    defaultPaths(model, recipe) {
      const size = model.id.split("-").pop()!;
      const dataset = DATA_VARIANTS[recipe.variant]?.dataset ?? LLAVA_DATA;
      return {
        hfDir: `./ckpt/hf_path/${hfName(size)}`,
        // The LoRA recipe's base (converted in the canonical structure) and its checkpoints have folders of their own.
        ckptDir:
          recipe.variant === "lora" ? loraBaseDir(`ckpt/mm_path/${hfName(size)}`) : `ckpt/mm_path/${hfName(size)}`,
        saveDir: recipe.variant === "lora" ? "save_dir_lora" : "save_dir",
        dataset,
        datasetDir: "./data",
      };
    },
    files(ctx) {
      const size = sizeOf(ctx);
      const release = ctx.recipe.release;
      const [dataFile, modelFile] = ctx.recipe.configFiles;
      const variant = DATA_VARIANTS[ctx.recipe.variant] ?? DATA_VARIANTS[""]!;
      const out: TemplateFile[] = [
        {
          role: "data-config",
          name: basename(dataFile!),
          upstream: dataFile!,
          format: "json",
          value: qwenDataJson(ctx.paths.hfDir, ctx.paths.dataset, ctx.paths.datasetDir, variant.patch),
        },
        {
          role: "model-config",
          name: basename(modelFile!),
          upstream: modelFile!,
          format: "json",
          value: qwenModelJson(qwen25, size, release, ctx),
        },
      ];
      if (ctx.recipe.variant === "fsdp") {
        out.push({
          role: "train-config",
          name: "fsdp2_config.yaml",
          upstream: "examples/qwen2.5vl/fsdp2_config.yaml",
          format: "yaml",
          value: qwen25FsdpYaml(release),
        });
      }
      return out;
    },
    datasetAttr(ctx) {
      const variant = DATA_VARIANTS[ctx.recipe.variant] ?? DATA_VARIANTS[""]!;
      const data = qwenDataJson("", "", "", variant.patch) as { dataset_param: { attr: Record<string, unknown> } };
      return attrFields(data.dataset_param.attr);
    },
  };
}

export const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);

export const QWEN2VL_TEMPLATE = template(false);
export const QWEN25VL_TEMPLATE = template(true);
