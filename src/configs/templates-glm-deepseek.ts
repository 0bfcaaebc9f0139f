// GLM-4.1V (Megatron JSON), GLM-4.5V (FSDP2 JSON + YAML) and DeepSeek-VL2 (Megatron JSON).
import { DROP, merge, type Patch } from "./merge.js";
import { attrFields, type ConfigObject, type ConfigTemplate, pipelineLayers, type TemplateFile } from "./template.js";
import { basename, qwenDataJson } from "./templates-qwen-json.js";

const LLAVA = "./data/mllm_format_llava_instruct_data.json";

function glm41Model(): ConfigObject {
  return {
    model_id: "glm4.1v",
    img_context_token_id: 151343,
    video_token_id: 151344,
    vision_start_token_id: 151341,
    image_encoder: {
      vision_encoder: {
        model_id: "glm4v_vit",
        num_layers: 24,
        pipeline_num_layers: [24, 0, 0, 0],
        hidden_size: 1536,
        attention_bias: false,
        out_hidden_size: 4096,
        ffn_hidden_size: 4096,
        llm_hidden_size: 1280,
        gated_linear_unit: true,
        add_bias_linear: false,
        num_attention_heads: 12,
        hidden_dropout: 0.0,
        attention_dropout: 0.0,
        in_channels: 3,
        patch_size: 14,
        spatial_merge_size: 2,
        temporal_patch_size: 2,
        layernorm_epsilon: 1e-6,
        normalization: "RMSNorm",
        image_size: 336,
        fp16: false,
        bf16: true,
        params_dtype: "bf16",
        activation_func: "silu",
        hidden_act: "silu",
        freeze: true,
        use_fused_rotary_pos_emb: true,
        post_layer_norm: false,
        tokens_per_second: 2,
        rms_norm_eps: 1e-5,
        window_attn_size: 112,
        recompute_granularity: "full",
        recompute_method: "uniform",
        recompute_num_layers: 1,
      },
      vision_projector: {
        model_id: "GlmMLP",
        num_layers: 1,
        gated_linear_unit: false,
        bias_activation_fusion: false,
        add_bias_linear: true,
        input_size: 1280,
        hidden_size: 2048,
        ffn_hidden_size: 5120,
        bf16: true,
        params_dtype: "bf16",
        freeze: true,
        layernorm_epsilon: 1e-6,
        normalization: "RMSNorm",
        out_hidden_size: 4096,
        intermediate_size: 13696,
        hidden_act: "silu",
      },
    },
    text_decoder: {
      model_id: "glm4v_lm",
      num_layers: 40,
      pipeline_num_layers: [5, 12, 12, 11],
      hidden_size: 4096,
      ffn_hidden_size: 13696,
      num_attention_heads: 32,
      max_position_embeddings: 128000,
      vocab_size: 151552,
      rope_theta: 10000.0,
      untie_embeddings_and_output_weights: true,
      disable_bias_linear: true,
      attention_dropout: 0.0,
      init_method_std: 0.01,
      hidden_dropout: 0.0,
      position_embedding_type: "mrope",
      normalization: "RMSNorm",
      activation_func: "silu",
      use_fused_rotary_pos_emb: true,
      partial_rotary_factor: 0.5,
      attention_softmax_in_fp32: true,
      params_dtype: "bf16",
      hidden_act: "silu",
      bf16: true,
      parallel_output: true,
      group_query_attention: true,
      num_query_groups: 2,
      num_key_value_heads: 2,
      mrope_section: [8, 12, 12],
      rope_scaling: null,
      gated_linear_unit: true,
      layernorm_epsilon: 1e-6,
      add_bias_linear: false,
      add_qkv_bias: true,
      use_remove_padding: false,
      rms_norm_eps: 1e-5,
    },
    text_encoder: null,
    video_encoder: null,
  };
}

export const GLM41V_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: "ckpt/hf_path/GLM4.1V-9B-Instruct",
      ckptDir: "ckpt/mm_path/GLM4.1V-9B-Instruct",
      saveDir: "save_dir",
      dataset: LLAVA,
      datasetDir: "./data",
    };
  },
  files(ctx) {
    const [dataFile, modelFile] = ctx.recipe.configFiles;
    const data = qwenDataJson(ctx.paths.hfDir, ctx.paths.dataset, ctx.paths.datasetDir, {
      dataset_param: {
        preprocess_parameters: { image_max_pixels: 589824, image_min_pixels: 1024 },
        basic_parameters: { template: "glm4.1v" },
      },
    });
    const model = glm41Model();
    const layers = pipelineLayers(ctx);
    if (layers.llm) model.text_decoder.pipeline_num_layers = layers.llm;
    if (layers.vit) model.image_encoder.vision_encoder.pipeline_num_layers = layers.vit;
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
    ];
  },
  datasetAttr: () => attrFields((qwenDataJson("", "", "") as ConfigObject).dataset_param.attr),
};

export const GLM45V_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: "./ckpt/hf_path/GLM-4.5V",
      ckptDir: "ckpt/mm_path/GLM-4.5V",
      saveDir: "save_dir",
      dataset: LLAVA,
      datasetDir: "./data",
    };
  },
  files(ctx) {
    const [dataFile, modelFile, fsdpFile] = ctx.recipe.configFiles;
    const data = qwenDataJson(ctx.paths.hfDir, ctx.paths.dataset, ctx.paths.datasetDir, {
      dataset_param: {
        preprocess_parameters: { image_min_pixels: 1024 },
        basic_parameters: { template: "glm4v_moe", enable_thinking: false, overwrite_cache: false },
      },
      dataloader_param: { collate_param: { model_name: "glm4v_moe" } },
    });
    const model = {
      model_id: "glm4v_moe",
      init_from_hf_path: ctx.paths.hfDir,
      image_encoder: {
        vision_encoder: {
          model_id: "glm4v_moe",
          num_layers: 24,
          hidden_size: 1536,
          num_attention_heads: 12,
          freeze: true,
          attn_implementation: "sdpa",
        },
        vision_projector: { model_id: "lnmlp", num_layers: 1, freeze: true },
      },
      text_decoder: {
        model_id: "glm_4v_moe_text",
        num_layers: 46,
        hidden_size: 12288,
        num_attention_heads: 96,
        max_position_embeddings: 65536,
        freeze: false,
        use_npu_fused_moe: true,
        attn_implementation: "sdpa",
        activation_offload: false,
      },
      loss_cfg: { compute_mode: "default", chunk_size: 1024, loss_type: "per_token_loss" },
      patch: { clip_grad_async: true, scale_grad: true },
    };
    const fsdp = {
      sharding_size: "auto",
      reshard_after_forward: true,
      param_dtype: "bf16",
      reduce_dtype: "fp32",
      cast_forward_inputs: true,
      num_to_forward_prefetch: 0,
      num_to_backward_prefetch: 0,
      offload_to_cpu: false,
      align_fsdp_param_groups: false,
    };
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
      { role: "train-config", name: basename(fsdpFile!), upstream: fsdpFile!, format: "yaml", value: fsdp },
    ] satisfies TemplateFile[];
  },
  datasetAttr: () => attrFields((qwenDataJson("", "", "") as ConfigObject).dataset_param.attr),
};

/** model_deepseekv3_vl.json: the DeepSeek-V3 language model (61 layers, 256 experts, MTP) behind the VL2 encoder. */
const DEEPSEEK_V3_PATCH: Patch = {
  image_encoder: { vision_projector: { n_embed: 7168 } },
  text_decoder: {
    apply_query_key_layer_scaling: false,
    ffn_hidden_size: 18432,
    first_k_dense_replace: 3,
    hidden_size: 7168,
    layernorm_zero_centered_gamma: false,
    masked_softmax_fusion: false,
    memory_efficient_layer_norm: false,
    moe_grouped_gemm: true,
    moe_intermediate_size: 2048,
    moe_router_topk: 8,
    mtp_loss_scaling_factor: 0.3,
    mtp_num_layers: 1,
    n_group: 8,
    n_shared_experts: 1,
    num_attention_heads: 128,
    num_layers: 61,
    num_moe_experts: 256,
    num_query_groups: 128,
    recompute_granularity: DROP,
    recompute_method: DROP,
    recompute_mtp_layer: false,
    recompute_mtp_norm: false,
    recompute_num_layers: DROP,
    routed_scaling_factor: 2.5,
    shape_order: DROP,
    topk_group: 4,
  },
};

function deepseekModel(): ConfigObject {
  return {
    model_id: "DeepSeek-VL2",
    text_decoder: {
      model_id: "deepseek",
      num_layers: 30,
      pipeline_num_layers: [13, 17],
      hidden_size: 2560,
      num_attention_heads: 32,
      num_query_groups: 32,
      ffn_hidden_size: 12288,
      moe_intermediate_size: 1536,
      kv_channels: 128,
      hidden_dropout: 0.0,
      attention_dropout: 0.0,
      layernorm_epsilon: 1e-6,
      normalization: "RMSNorm",
      qk_layernorm: true,
      add_bias_linear: false,
      add_qkv_bias: false,
      bias_activation_fusion: false,
      gated_linear_unit: true,
      init_method_std: 0.01,
      attention_softmax_in_fp32: true,
      bias_dropout_fusion: false,
      apply_rope_fusion: true,
      max_position_embeddings: 4096,
      fp16: false,
      bf16: true,
      params_dtype: "bf16",
      fp16_lm_cross_entropy: false,
      rotary_percent: 1.0,
      position_embedding_type: "rope",
      shape_order: "SBH",
      parallel_output: true,
      initializer_factor: 0.1,
      persist_layer_norm: true,
      activation_func: "silu",
      vocab_size: 129280,
      rotary_base: 10000,
      first_k_dense_replace: 1,
      moe_layer_freq: 1,
      num_moe_experts: 72,
      n_shared_experts: 2,
      n_group: 1,
      topk_group: 1,
      norm_topk_prob: true,
      moe_router_topk: 6,
      moe_router_load_balancing_type: "noaux_tc",
      moe_router_score_function: "sigmoid",
      moe_router_enable_expert_bias: true,
      moe_router_pre_softmax: true,
      routed_scaling_factor: 2.0,
      router_gating_in_fp32: true,
      mla_mm_split: false,
      mla_fa_without_pad: false,
      padded_base_length: 128,
      mla_up_proj_tp_overlap: false,
      recompute_mla_up_proj: false,
      mla_zero_memory: true,
      schedules_method: "None",
      recompute_granularity: "full",
      recompute_method: "uniform",
      recompute_num_layers: 1,
    },
    image_encoder: {
      tile_tag: "2D",
      global_view_pos: "head",
      vision_encoder: {
        model_id: "SigLip",
        num_layers: 27,
        pipeline_num_layers: [27, 0],
        params_dtype: "bf16",
        model_name: "siglip_so400m_patch14_384",
        image_size: 384,
        select_layer: -1,
        freeze: false,
      },
      vision_projector: {
        model_id: "DeepSeekVL2MLP",
        projector_type: "downsample_mlp_gelu",
        input_dim: 1152,
        n_embed: 2560,
        depth: 2,
        mlp_ratio: 1,
        downsample_ratio: 2,
        freeze: false,
      },
    },
    text_encoder: null,
    video_encoder: null,
  };
}

export const DEEPSEEKVL2_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: "deepseek-ai/deepseek-vl2",
      ckptDir: "pretrained/DeepSeekVL",
      saveDir: "save_dir",
      dataset: "/path/json_path",
      datasetDir: "/path/root_path",
    };
  },
  files(ctx) {
    const [dataFile, modelFile] = ctx.recipe.configFiles;
    const data = {
      dataset_param: {
        dataset_type: "deepseekvl2",
        basic_parameters: { data_path: ctx.paths.dataset, data_folder: ctx.paths.datasetDir, repeat_time: 1 },
        processor_path: ctx.paths.hfDir,
        preprocess_parameters: null,
        group_by_length: false,
      },
      dataloader_param: {
        dataloader_mode: "sampler",
        shuffle: true,
        drop_last: true,
        pin_memory: true,
        sampler_type: "BaseRandomBatchSampler",
        collate_param: { model_name: "deepseekvl2", pad_id: 2 },
      },
    };
    let model = deepseekModel();
    const v3 = ctx.model.id === "deepseekvl2-671b";
    if (v3) model = merge(model, DEEPSEEK_V3_PATCH);
    // v2.1.0 shipped no pipeline lists (PP 1); they appear when a pipeline is asked for.
    if (ctx.recipe.release === "v2.1.0" && ctx.pp === 1 && !v3) {
      model = merge(model, {
        text_decoder: { pipeline_num_layers: DROP, shape_order: DROP },
        image_encoder: { vision_encoder: { num_layers: DROP, pipeline_num_layers: DROP } },
      });
    } else {
      if (ctx.llmSplit) model.text_decoder.pipeline_num_layers = ctx.llmSplit;
      if (ctx.vitSplit) model.image_encoder.vision_encoder.pipeline_num_layers = ctx.vitSplit;
    }
    return [
      { role: "data-config", name: basename(dataFile!), upstream: dataFile!, format: "json", value: data },
      { role: "model-config", name: basename(modelFile!), upstream: modelFile!, format: "json", value: model },
    ];
  },
  datasetAttr: () => null,
};
