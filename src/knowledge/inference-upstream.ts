// Upstream's VLM inference and evaluation examples (inference_vlm.py / evaluate_vlm.py): the 7B inference JSON of
// each family as shipped in examples/, the per-size differences upstream's other example files show, and the
// benchmarks evaluate_vlm.py accepts. Read from Ascend/MindSpeed-MM (qwen2vl at v26.0.0, qwen2.5vl at v26.1.0).
import type { ReleaseTag } from "./release-tags.js";

type Json = Record<string, unknown>;

/**
 * The generation_config both families' inference examples serialise (transformers' GenerationConfig defaults as
 * upstream wrote them out); each family sets its own repetition_penalty and temperature.
 */
const GENERATION_CONFIG: Json = {
  bos_token_id: 151643,
  do_sample: true,
  kv_cache: true,
  output_attentions: false,
  output_hidden_states: false,
  max_length: 20,
  min_length: 0,
  min_new_tokens: null,
  constraints: null,
  prompt_lookup_num_tokens: null,
  guidance_scale: null,
  bad_words_ids: null,
  begin_suppress_tokens: null,
  diversity_penalty: 0.0,
  early_stopping: false,
  encoder_no_repeat_ngram_size: 0,
  encoder_repetition_penalty: 1.0,
  epsilon_cutoff: 0.0,
  eta_cutoff: 0.0,
  exponential_decay_length_penalty: null,
  forced_bos_token_id: null,
  forced_decoder_ids: null,
  forced_eos_token_id: null,
  length_penalty: 1.0,
  low_memory: null,
  max_time: null,
  no_repeat_ngram_size: 0,
  num_assistant_tokens: 5,
  num_assistant_tokens_schedule: "heuristic",
  num_beam_groups: 1,
  num_return_groups: 1,
  num_return_sequences: 1,
  output_scores: false,
  output_logits: null,
  penalty_alpha: null,
  remove_invalid_values: false,
  repetition_penalty: 1.05,
  return_dict_in_generate: false,
  sequence_bias: null,
  suppress_tokens: null,
  typical_p: 1.0,
  force_words_ids: null,
  num_beams: 1,
  renormalize_logits: false,
  use_cache: true,
  eos_token_id: [151645, 151643],
  max_new_tokens: 256,
  pad_token_id: 151643,
  vision_start_token_id: 151652,
  image_token_id: 151655,
  video_token_id: 151656,
  temperature: 0.1,
  top_k: 1,
  top_p: 0.001,
  dola_layers: null,
  cache_implementation: null,
  cache_config: null,
  return_legacy_cache: null,
  min_p: null,
  token_healing: false,
  watermarking_config: null,
  decoder_start_token_id: null,
  max_matching_ngram_size: null,
  stop_strings: null,
};

/** examples/qwen2.5vl/inference_qwen2_5_vl_7b.json (the same at every v2.2.0+ tag except image_path). */
export const QWEN25VL_INFERENCE_7B: Json = {
  pipeline_class: "Qwen2VlPipeline",
  img_context_token_id: 151655,
  image_encoder: {
    vision_encoder: {
      model_id: "qwen2vit",
      num_layers: 32,
      hidden_size: 1280,
      ffn_hidden_size: 3420,
      gated_linear_unit: true,
      llm_hidden_size: 3584,
      num_attention_heads: 16,
      hidden_dropout: 0.0,
      attention_dropout: 0.0,
      in_channels: 3,
      patch_size: 14,
      spatial_merge_size: 2,
      temporal_patch_size: 2,
      layernorm_epsilon: 1e-6,
      normalization: "RMSNorm",
      fp16: false,
      bf16: true,
      params_dtype: "bf16",
      activation_func: "silu",
      freeze: true,
      use_fused_rotary_pos_emb: true,
      post_layer_norm: false,
      pipeline_num_layers: [32, 0, 0, 0],
      intermediate_size: 3420,
      tokens_per_second: 2,
      window_attn_size: 112,
      fullatt_block_indexes: [7, 15, 23, 31],
    },
    vision_projector: {
      model_id: "lnmlp",
      num_layers: 1,
      gated_linear_unit: false,
      bias_activation_fusion: false,
      add_bias_linear: true,
      input_size: 1280,
      hidden_size: 3584,
      ffn_hidden_size: 5120,
      activation_func: "gelu",
      bf16: true,
      params_dtype: "bf16",
      freeze: true,
      layernorm_epsilon: 1e-6,
      normalization: "RMSNorm",
    },
  },
  text_decoder: {
    model_id: "qwen2_5_lm",
    num_layers: 28,
    pipeline_num_layers: [1, 10, 10, 7],
    hidden_size: 3584,
    ffn_hidden_size: 18944,
    num_attention_heads: 28,
    max_position_embeddings: 128000,
    vocab_size: 152064,
    rope_theta: 1000000.0,
    untie_embeddings_and_output_weights: true,
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
    parallel_output: false,
    group_query_attention: true,
    num_query_groups: 4,
    mrope_section: [16, 24, 24],
    rope_scaling: null,
    gated_linear_unit: true,
    layernorm_epsilon: 1e-6,
    add_bias_linear: false,
    add_qkv_bias: true,
    sequence_parallel: false,
    tokenizer_type: "PretrainedFromHF",
    is_encoder_decoder: false,
    use_infer_fa: true,
  },
  text_encoder: null,
  video_encoder: null,
  dtype: "bf16",
  device: "npu",
  tokenizer: {
    hub_backend: "hf",
    autotokenizer_name: "AutoTokenizer",
    from_pretrained: "ckpt/hf_path/Qwen2.5-VL-7B-Instruct",
  },
  generation_config: { ...GENERATION_CONFIG, repetition_penalty: 1.05, temperature: 0.1 },
  patch: {
    infer_fa: true,
  },
  min_pixels: 1003520,
  max_pixels: 12845056,
  image_path: "sources/images/demo/demo.jpeg",
  prompts: "Describe this image and keep it within 100 words.",
};

/** examples/qwen2vl/inference_qwen2vl_7b.json. */
export const QWEN2VL_INFERENCE_7B: Json = {
  pipeline_class: "Qwen2VlPipeline",
  img_context_token_id: 151655,
  image_encoder: {
    vision_encoder: {
      model_id: "qwen2vit",
      num_layers: 32,
      hidden_size: 1280,
      ffn_hidden_size: 5120,
      llm_hidden_size: 3584,
      num_attention_heads: 16,
      hidden_dropout: 0.0,
      attention_dropout: 0.0,
      in_channels: 3,
      patch_size: 14,
      spatial_merge_size: 2,
      temporal_patch_size: 2,
      layernorm_epsilon: 1e-6,
      normalization: "LayerNorm",
      fp16: false,
      bf16: true,
      params_dtype: "bf16",
      activation_func: "quick_gelu",
      freeze: true,
      use_fused_rotary_pos_emb: true,
      post_layer_norm: false,
      pipeline_num_layers: [32, 0, 0, 0],
    },
    vision_projector: {
      model_id: "lnmlp",
      num_layers: 1,
      gated_linear_unit: false,
      bias_activation_fusion: false,
      add_bias_linear: true,
      input_size: 1280,
      hidden_size: 3584,
      ffn_hidden_size: 5120,
      activation_func: "gelu",
      bf16: true,
      params_dtype: "bf16",
      freeze: true,
      layernorm_epsilon: 1e-6,
      normalization: "LayerNorm",
    },
  },
  text_decoder: {
    model_id: "qwen2lm",
    num_layers: 28,
    pipeline_num_layers: [1, 10, 10, 7],
    hidden_size: 3584,
    ffn_hidden_size: 18944,
    num_attention_heads: 28,
    max_position_embeddings: 32768,
    vocab_size: 152064,
    rope_theta: 1000000.0,
    untie_embeddings_and_output_weights: true,
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
    parallel_output: false,
    group_query_attention: true,
    num_query_groups: 4,
    mrope_section: [16, 24, 24],
    rope_scaling: null,
    gated_linear_unit: true,
    layernorm_epsilon: 1e-6,
    add_bias_linear: false,
    add_qkv_bias: true,
    sequence_parallel: false,
    tokenizer_type: "PretrainedFromHF",
    is_encoder_decoder: false,
    use_infer_fa: true,
  },
  text_encoder: null,
  video_encoder: null,
  dtype: "bf16",
  device: "npu",
  tokenizer: {
    hub_backend: "hf",
    autotokenizer_name: "AutoTokenizer",
    from_pretrained: "ckpt/hf_path/Qwen2-VL-7B-Instruct",
  },
  generation_config: { ...GENERATION_CONFIG, repetition_penalty: 1.0, temperature: 0.01 },
  patch: {
    infer_fa: true,
  },
  min_pixels: 1003520,
  max_pixels: 12845056,
  image_path: "examples/qwen2vl/demo.jpeg",
  prompts: "Describe this image and keep it within 100 words.",
};

/** Benchmarks evaluate_vlm.py accepts for the Qwen VL families (evaluation_dataset) and the TSV each reads. */
export const QWEN_BENCHMARKS = {
  ai2d_test: "AI2D_TEST.tsv",
  mmmu_dev_val: "MMMU_DEV_VAL.tsv",
  docvqa_val: "DocVQA_VAL.tsv",
  chartqa_test: "ChartQA_TEST.tsv",
} as const;

export type Benchmark = keyof typeof QWEN_BENCHMARKS;
export const BENCHMARKS = Object.keys(QWEN_BENCHMARKS) as Benchmark[];

export interface InferenceFamily {
  exampleDir: string;
  /** Upstream's 7B inference JSON, the base every size is built from. */
  base: Json;
  /** File-name stem of the example files: inference_<stem>_<size>.json. */
  stem: string;
  /** Sizes upstream ships an inference / evaluation example for; the others are told to copy the 7B one. */
  inferenceSizes: readonly string[];
  evaluateSizes: readonly string[];
  /** Values upstream's own example for a size differs in beyond the architecture (generation settings …). */
  sizePatches: Record<string, { inference?: Json; evaluate?: Json }>;
  /** evaluation_model upstream writes in every evaluate_*.json of the family. */
  evaluationModel: string;
  /** The demo image the release's inference example points at. */
  demoImage(release: ReleaseTag): string;
  benchmarks: Record<Benchmark, string>;
}

export const INFERENCE_FAMILIES: Record<string, InferenceFamily> = {
  "qwen2.5vl": {
    exampleDir: "qwen2.5vl",
    base: QWEN25VL_INFERENCE_7B,
    stem: "qwen2_5_vl",
    inferenceSizes: ["7b", "72b"],
    evaluateSizes: ["7b", "72b"],
    sizePatches: {
      "72b": {
        evaluate: { generation_config: { repetition_penalty: 1, temperature: 0.01 }, use_custom_prompt: false },
      },
    },
    evaluationModel: "qwen2_vl_7b",
    demoImage: (release) => (release === "v26.1.0" ? "sources/images/demo/demo.jpeg" : "examples/qwen2vl/demo.jpeg"),
    benchmarks: QWEN_BENCHMARKS,
  },
  qwen2vl: {
    exampleDir: "qwen2vl",
    base: QWEN2VL_INFERENCE_7B,
    stem: "qwen2vl",
    inferenceSizes: ["2b", "7b", "72b"],
    evaluateSizes: ["7b"],
    sizePatches: {
      "72b": { inference: { generation_config: { repetition_penalty: 1.05 } } },
    },
    evaluationModel: "qwen2_vl_7b",
    demoImage: () => "examples/qwen2vl/demo.jpeg",
    benchmarks: QWEN_BENCHMARKS,
  },
};

/** Sizes whose upstream inference example carries image_processer_path (qwen2vl 2B and 72B). */
export const IMAGE_PROCESSOR_PATH_SIZES: Record<string, readonly string[]> = { qwen2vl: ["2b", "72b"] };
