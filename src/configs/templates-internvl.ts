// InternVL2.5 / InternVL3 (Megatron JSON) and InternVL3.5 (pretrain_transformers.py JSON + fsdp2_config.yaml).
import type { ReleaseTag } from "../knowledge/release-tags.js";
import { DROP, merge, type Patch } from "./merge.js";
import {
  type ConfigObject,
  type ConfigTemplate,
  pipelineLayers,
  type TemplateContext,
  type TemplateFile,
} from "./template.js";
import { basename } from "./templates-qwen-json.js";

const IMAGE_MEAN = [0.485, 0.456, 0.406];

export function internvlData(c: {
  dataPath: string;
  dataFolder: string;
  tokenizer: string;
  maxPatch: number;
  frames: [number, number];
  padId: number;
  antialias: boolean;
}) {
  return {
    dataset_param: {
      dataset_type: "multimodal",
      basic_parameters: { data_path: c.dataPath, data_folder: c.dataFolder, repeat_time: 1 },
      preprocess_parameters: {
        image_reader_type: "torchvision",
        train_pipeline: {
          image: [
            { trans_type: "Pad2Square", param: { mean: IMAGE_MEAN } },
            {
              trans_type: "Resize",
              param: { size: [448, 448], interpolation: "BICUBIC", ...(c.antialias ? { antialias: null } : {}) },
            },
            { trans_type: "ToTensor" },
            { trans_type: "norm_fun", param: { mean: IMAGE_MEAN, std: [0.229, 0.224, 0.225] } },
          ],
        },
      },
      tokenizer_config: {
        hub_backend: "hf",
        autotokenizer_name: "AutoTokenizer",
        from_pretrained: c.tokenizer,
        add_eos_token: false,
        use_fast: false,
      },
      use_text_processer: true,
      template_name: "internvl2_5",
      patch_size: 14,
      image_size: 448,
      down_sample_ratio: 0.5,
      group_by_length: true,
      dynamic_image_size: true,
      use_thumbnail: true,
      min_dynamic_patch: 1,
      max_dynamic_patch: c.maxPatch,
      min_num_frame: c.frames[0],
      max_num_frame: c.frames[1],
      sampling_method: "rand",
    },
    dataloader_param: {
      dataloader_mode: "sampler",
      shuffle: true,
      drop_last: true,
      pin_memory: true,
      sampler_type: "BaseRandomBatchSampler",
      collate_param: { model_name: "internvl", pad_id: c.padId },
    },
  };
}

const VIT_300M = {
  model_id: "InternViT",
  num_layers: 24,
  pipeline_num_layers: [24],
  hidden_size: 1024,
  ffn_hidden_size: 4096,
  num_attention_heads: 16,
  num_channels: 3,
  patch_size: 14,
  image_size: 448,
  add_qkv_bias: true,
  qk_layernorm: false,
  activation_func: "gelu",
  normalization: "LayerNorm",
  layernorm_epsilon: 1e-6,
  hidden_dropout: 0.0,
  drop_path_rate: 0.0,
  attention_dropout: 0.0,
  init_method_std: 0.02,
  initializer_factor: 1.0,
  output_hidden_states: false,
  use_return_dict: false,
  params_dtype: "bf16",
  post_layer_norm: false,
  downsample_ratio: 0.5,
  fp16: false,
  bf16: true,
  attention_softmax_in_fp32: false,
  select_layer: -1,
  ps_version: "v2",
  pre_tockens: 2147483647,
  next_tockens: 2147483647,
  freeze: true,
};

const VIT_6B: Patch = {
  num_layers: 45,
  hidden_size: 3200,
  ffn_hidden_size: 12800,
  num_attention_heads: 25,
  add_qkv_bias: false,
  qk_layernorm: true,
  normalization: "RMSNorm",
  q_layernorm: "RMSNorm",
  k_layernorm: "RMSNorm",
  drop_path_rate: 0.4,
};

const TEXT_4B = {
  model_id: "internllm",
  num_layers: 36,
  pipeline_num_layers: [36],
  hidden_size: 2048,
  ffn_hidden_size: 11008,
  num_attention_heads: 16,
  num_key_value_heads: 2,
  max_position_embeddings: 32768,
  vocab_size: 151674,
  rotary_percent: 1.0,
  rotary_base: 1000000,
  untie_embeddings_and_output_weights: true,
  disable_bias_linear: true,
  attention_dropout: 0.0,
  init_method_std: 0.01,
  hidden_dropout: 0.0,
  position_embedding_type: "rope",
  normalization: "RMSNorm",
  activation_func: "silu",
  attention_softmax_in_fp32: true,
  use_fused_rotary_pos_emb: false,
  params_dtype: "bf16",
  bf16: true,
  fp16_lm_cross_entropy: false,
  parallel_output: true,
  group_query_attention: true,
  num_query_groups: 2,
  rope_scaling: null as unknown,
  gated_linear_unit: true,
  layernorm_epsilon: 1e-6,
  add_bias_linear: false,
  add_qkv_bias: true,
};

const RECOMPUTE = { recompute_granularity: "full", recompute_method: "uniform", recompute_num_layers: 1 };
const TEXT_80L: Patch = {
  num_layers: 80,
  hidden_size: 8192,
  ffn_hidden_size: 29568,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  num_query_groups: 8,
};
const TEXT_28L: Patch = {
  num_layers: 28,
  hidden_size: 3584,
  ffn_hidden_size: 18944,
  num_attention_heads: 28,
  num_key_value_heads: 4,
  num_query_groups: 4,
};

function internvlModel(
  family: "InternVL2.5" | "InternVL3",
  size: string,
  release: ReleaseTag,
): Record<string, unknown> {
  const big = size === "78b";
  const v3 = family === "InternVL3";
  let text: Patch = big ? { ...TEXT_80L, ...RECOMPUTE } : v3 ? TEXT_28L : {};
  if (v3 || big) text = { ...text, untie_embeddings_and_output_weights: DROP, disable_bias_linear: DROP };
  if (v3) text = { ...text, rope_scaling: { factor: 2.0, type: "dynamic" } };
  if (v3 && big) text = { ...text, init_method_std: 0.02, reset_attention_mask: false, variable_seq_lengths: true };
  let vit: Patch = big ? VIT_6B : {};
  if (v3 && !big) vit = { drop_path_rate: 0.4, pre_tockens: DROP, next_tockens: DROP };
  if (v3 && big) vit = { ...vit, context_parallel_size: 1, sequence_parallel: false };
  const llmHidden = big ? 8192 : v3 ? 3584 : 2048;
  const projector: Record<string, unknown> = {
    model_id: "InternVLMLP",
    downsample_ratio: 0.5,
    vit_hidden_size: big ? 3200 : 1024,
    llm_hidden_size: llmHidden,
    ...(v3 ? {} : { params_dtype: "bf16", num_layers: 1 }),
  };
  const value = {
    model_id: family,
    pre_process: true,
    post_process: true,
    add_text_encoder: false,
    img_embedding_idx: 1,
    downsample_ratio: 0.5,
    select_layer: -1,
    ps_version: "v2",
    add_rmsnorm_offset: false,
    img_context_token_id: 151667,
    text_decoder: merge(TEXT_4B, text),
    image_encoder: { vision_encoder: merge(VIT_300M, vit), vision_projector: projector },
    text_encoder: null,
    video_encoder: null,
  };
  if (release === "v2.1.0") {
    // v2.1.0 files: Qwen2.5llm decoder id, no tockens fields, projector without dtype/layers.
    return merge(value, {
      text_decoder: { model_id: "Qwen2.5llm" },
      image_encoder: {
        vision_encoder: { pre_tockens: DROP, next_tockens: DROP },
        vision_projector: { params_dtype: DROP, num_layers: DROP },
      },
    });
  }
  return value;
}

const HF: Record<string, string> = {
  "internvl2.5-4b": "OpenGVLab/InternVL2_5-4B",
  "internvl2.5-78b": "OpenGVLab/InternVL2_5-78B",
  "internvl3-8b": "OpenGVLab/InternVL3-8B",
  "internvl3-78b": "OpenGVLab/InternVL3-78B",
};
const CKPT: Record<string, string> = {
  "internvl2.5-4b": "./ckpt/mm_path/internvl2_5",
  "internvl2.5-78b": "./ckpt/mm_path/internvl2_5-78B",
  "internvl3-8b": "./ckpt/mm_path/internvl3-8B",
  "internvl3-78b": "./ckpt/mm_path/internvl3-78B",
};

export const INTERNVL_TEMPLATE: ConfigTemplate = {
  defaultPaths(model) {
    return {
      hfDir: HF[model.id]!,
      ckptDir: CKPT[model.id]!,
      saveDir: "save_dir",
      dataset: "/path/json_path",
      datasetDir: "/path/root_path",
    };
  },
  files(ctx: TemplateContext): TemplateFile[] {
    const id = ctx.model.id;
    const size = id.split("-").pop()!;
    const family = id.startsWith("internvl3") ? "InternVL3" : "InternVL2.5";
    const release = ctx.recipe.release;
    const [dataFile, modelFile] = ctx.recipe.configFiles;
    const model = internvlModel(family, size, release) as ConfigObject;
    const layers = pipelineLayers(ctx);
    if (layers.llm) model.text_decoder.pipeline_num_layers = layers.llm;
    if (layers.vit) model.image_encoder.vision_encoder.pipeline_num_layers = layers.vit;
    const data = internvlData({
      dataPath: ctx.paths.dataset,
      dataFolder: ctx.paths.datasetDir,
      tokenizer: ctx.paths.hfDir,
      maxPatch: family === "InternVL3" ? 12 : 6,
      frames: [4, 12],
      padId: size === "4b" ? 2 : 151643,
      antialias: release !== "v2.1.0",
    });
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
    ];
  },
  datasetAttr: () => null,
};

const IVL35_HF = "./ckpt/hf_path/InternVL3_5-30B-A3B-Instruct";

export const INTERNVL35_TEMPLATE: ConfigTemplate = {
  defaultPaths(_model, recipe) {
    return {
      hfDir: IVL35_HF,
      ckptDir:
        recipe.release === "v2.2.0"
          ? "ckpt/mm_path/InternVL3_5-30B-A3B-Instruct"
          : "ckpt/convert_path/InternVL3_5-30B-A3B-Instruct",
      saveDir: "internvl35_finetune_result",
      dataset: "/path/json_path",
      datasetDir: "/path/root_path",
    };
  },
  files(ctx) {
    const release = ctx.recipe.release;
    const data = internvlData({
      dataPath: ctx.paths.dataset,
      dataFolder: ctx.paths.datasetDir,
      tokenizer: ctx.paths.hfDir,
      maxPatch: 12,
      frames: [8, 32],
      padId: 2,
      antialias: true,
    });
    const model = {
      model_id: "internvl",
      init_from_hf_path: ctx.paths.hfDir,
      img_context_token_id: 151671,
      text_decoder: {
        model_id: "qwen3lm",
        num_layers: 999,
        hidden_size: 999,
        num_attention_heads: 999,
        max_position_embeddings: 9999999,
      },
      ...(release === "v26.0.0" || release === "v26.1.0" ? { loss_cfg: { loss_type: "per_sample_loss" } } : {}),
      patch: { clip_grad_async: true, scale_grad: true },
    };
    const modules = ["vision_model.embeddings", "vision_model.encoder.layers.{*}", "language_model.model.layers.{*}"];
    const fsdp =
      release === "v2.2.0"
        ? {
            sharding_size: null,
            sub_modules_to_wrap: [
              "transformers.models.qwen3_moe.modeling_qwen3_moe.Qwen3MoeDecoderLayer",
              "transformers_modules.InternVL3_5-30B-A3B-Instruct.modeling_intern_vit.InternVisionEncoderLayer",
            ],
            recompute_modules: null,
            reshard_after_forward: true,
            param_dtype: "bf16",
            reduce_dtype: "fp32",
            cast_forward_inputs: true,
          }
        : {
            sharding_size: "auto",
            sub_modules_to_wrap: modules,
            recompute_modules: modules,
            reshard_after_forward: true,
            param_dtype: "bf16",
            reduce_dtype: "fp32",
            cast_forward_inputs: true,
          };
    const [dataFile, modelFile, fsdpFile] = ctx.recipe.configFiles;
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
      { role: "train-config", name: basename(fsdpFile!), upstream: fsdpFile!, format: "yaml", value: fsdp },
    ];
  },
  datasetAttr: () => null,
};

// InternVL2 (v2.1.0 / v2.2.0, pretrain_internvl.py): model_8B.json, and what each other size changes in it.
const IVL2_8B = {
  model_id: "InternVL",
  pre_process: true,
  post_process: true,
  add_text_encoder: false,
  img_embedding_idx: 1,
  downsample_ratio: 0.5,
  select_layer: -1,
  ps_version: "v2",
  add_rmsnorm_offset: false,
  img_context_token_id: 92546,
  text_decoder: {
    model_id: "internllm",
    num_layers: 32,
    pipeline_num_layers: [6, 9, 9, 8],
    hidden_size: 4096,
    num_attention_heads: 32,
    num_query_groups: 8,
    ffn_hidden_size: 14336,
    kv_channels: 128,
    hidden_dropout: 0.0,
    attention_dropout: 0.0,
    layernorm_epsilon: 1e-5,
    normalization: "RMSNorm",
    qk_layernorm: false,
    add_bias_linear: false,
    add_qkv_bias: false,
    bias_activation_fusion: false,
    gated_linear_unit: true,
    init_method_std: 0.01,
    apply_query_key_layer_scaling: false,
    attention_softmax_in_fp32: true,
    masked_softmax_fusion: false,
    layernorm_zero_centered_gamma: false,
    bias_dropout_fusion: false,
    apply_rope_fusion: true,
    memory_efficient_layer_norm: false,
    max_position_embeddings: 4096,
    fp16: false,
    bf16: true,
    params_dtype: "bf16",
    fp16_lm_cross_entropy: false,
    rotary_percent: 1.0,
    position_embedding_type: "rope",
    parallel_output: true,
    initializer_factor: 0.1,
    persist_layer_norm: true,
    activation_func: "silu",
    vocab_size: 92553,
    rotary_base: 1000000,
  },
  image_encoder: {
    vision_encoder: {
      model_id: "InternViT",
      num_layers: 24,
      pipeline_num_layers: [24, 0, 0, 0],
      hidden_size: 1024,
      ffn_hidden_size: 4096,
      num_attention_heads: 16,
      num_channels: 3,
      patch_size: 14,
      image_size: 448,
      add_qkv_bias: true,
      qk_layernorm: false,
      activation_func: "gelu",
      normalization: "LayerNorm",
      layernorm_epsilon: 1e-6,
      hidden_dropout: 0.0,
      drop_path_rate: 0.0,
      attention_dropout: 0.0,
      init_method_std: 0.02,
      initializer_factor: 1.0,
      output_hidden_states: false,
      use_return_dict: false,
      recompute_granularity: "full",
      recompute_method: "uniform",
      recompute_num_layers: 1,
      params_dtype: "bf16",
      post_layer_norm: false,
      downsample_ratio: 0.5,
      fp16: false,
      bf16: true,
      attention_softmax_in_fp32: false,
      select_layer: -1,
      ps_version: "v2",
      pre_tockens: 2147483647,
      next_tockens: 2147483647,
      freeze: true,
    },
    vision_projector: {
      model_id: "InternVLMLP",
      downsample_ratio: 0.5,
      vit_hidden_size: 1024,
      llm_hidden_size: 4096,
      params_dtype: "bf16",
      num_layers: 1,
    },
  },
  text_encoder: null,
  video_encoder: null,
};
const IVL2_VIT_6B: Patch = {
  hidden_size: 3200,
  add_qkv_bias: false,
  k_layernorm: "RMSNorm",
  drop_path_rate: 0.4,
  initializer_factor: 0.1,
  num_attention_heads: 25,
  ffn_hidden_size: 12800,
  q_layernorm: "RMSNorm",
  num_layers: 45,
  normalization: "RMSNorm",
  qk_layernorm: true,
};
const IVL2_RECOMPUTE = {
  recompute_granularity: "full",
  recompute_method: "uniform",
  recompute_num_layers: 1,
  apply_rope_fusion: false,
};
const IVL2_PATCH: Record<string, Patch> = {
  "2b": {
    image_encoder: { vision_projector: { llm_hidden_size: 2048 } },
    text_decoder: {
      hidden_size: 2048,
      num_attention_heads: 16,
      ffn_hidden_size: 8192,
      rotary_base: 100000,
      num_layers: 24,
    },
  },
  "8b": {},
  "26b": {
    image_encoder: { vision_projector: { vit_hidden_size: 3200, llm_hidden_size: 6144 }, vision_encoder: IVL2_VIT_6B },
    text_decoder: {
      ...IVL2_RECOMPUTE,
      init_method_std: 0.02,
      max_position_embeddings: 32768,
      hidden_size: 6144,
      num_attention_heads: 48,
      ffn_hidden_size: 16384,
      num_layers: 48,
    },
  },
  "76b": {
    image_encoder: { vision_projector: { vit_hidden_size: 3200, llm_hidden_size: 8192 }, vision_encoder: IVL2_VIT_6B },
    img_context_token_id: 128258,
    text_decoder: {
      ...IVL2_RECOMPUTE,
      rotary_base: 500000,
      vocab_size: 128265,
      max_position_embeddings: 8192,
      hidden_size: 8192,
      num_attention_heads: 64,
      ffn_hidden_size: 28672,
      num_layers: 80,
    },
  },
};
const IVL2_HF: Record<string, string> = {
  "2b": "OpenGVLab/InternVL2-2B",
  "8b": "OpenGVLab/InternVL2-8B",
  "26b": "OpenGVLab/InternVL2-26B",
  "76b": "OpenGVLab/InternVL2-Llama3-76B",
};
const IVL2_CKPT_VPP = "pretrained/InternVL2-8B_pp4_vpp3";
const IVL2_CKPT: Record<string, string> = {
  "2b": "pretrained/InternVL2-2B",
  "8b": "pretrained/InternVL2-8B_pp4",
  "26b": "pretrained/InternVL2-26B_pp8",
  "76b": "InternVL2-76B_pp16",
};

export const INTERNVL2_TEMPLATE: ConfigTemplate = {
  defaultPaths(model, recipe) {
    const size = model.id.split("-").pop()!;
    return {
      hfDir: IVL2_HF[size]!,
      ckptDir: recipe.defaults.vpp ? IVL2_CKPT_VPP : IVL2_CKPT[size]!,
      saveDir: "save_dir",
      dataset: "/path/json_path",
      datasetDir: "/path/root_path",
    };
  },
  files(ctx: TemplateContext): TemplateFile[] {
    const size = ctx.model.id.split("-").pop()!;
    const release = ctx.recipe.release;
    const [dataFile, modelFile] = ctx.recipe.configFiles;
    let model = merge(IVL2_8B, IVL2_PATCH[size]!) as ConfigObject;
    if (release === "v2.1.0") {
      // v2.1.0 files: no tockens fields, projector without dtype/layers.
      model = merge(model, {
        image_encoder: {
          vision_encoder: { pre_tockens: DROP, next_tockens: DROP },
          vision_projector: { params_dtype: DROP, num_layers: DROP },
        },
      }) as ConfigObject;
    }
    // The 2B example runs without a pipeline and ships no pipeline lists.
    if (ctx.pp === 1 && size === "2b") {
      model = merge(model, {
        text_decoder: { pipeline_num_layers: DROP },
        image_encoder: { vision_encoder: { pipeline_num_layers: DROP } },
      }) as ConfigObject;
    } else {
      // With VPP (model_8B_vpp.json) one row per virtual stage.
      const layers = pipelineLayers(ctx);
      if (layers.llm) model.text_decoder.pipeline_num_layers = layers.llm;
      if (layers.vit) model.image_encoder.vision_encoder.pipeline_num_layers = layers.vit;
    }
    // model_8B_vpp.json trains the ViT too.
    if (ctx.recipe.variant === "vpp") model.image_encoder.vision_encoder.freeze = false;
    const data = internvlData({
      dataPath: ctx.paths.dataset,
      dataFolder: ctx.paths.datasetDir,
      tokenizer: ctx.paths.hfDir,
      maxPatch: 6,
      frames: [4, 12],
      padId: size === "76b" ? 128001 : 2,
      antialias: release !== "v2.1.0",
    }) as ConfigObject;
    data.dataset_param.template_name = "internlm2-chat";
    // Only the 2B pipeline pads images to a square first.
    if (size !== "2b") data.dataset_param.preprocess_parameters.train_pipeline.image.shift();
    if (size === "26b") data.dataset_param.repeat_time = 1;
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
    ];
  },
  datasetAttr: () => null,
};
