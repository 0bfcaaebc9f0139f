// Magistral-Small-2509 (v26.0.0+): pretrain_transformers.py with data/model JSON and an FSDP2 YAML (the LoRA
// variant has its own, with use_reentrant off); weights converted with Mistral3Converter hf_to_dcp.
import { attrFields, type ConfigTemplate } from "./template.js";
import { basename } from "./templates-qwen-json.js";

const ATTR = {
  system: null,
  images: "images",
  videos: null,
  audios: null,
  messages: "messages",
  role_tag: "role",
  content_tag: "content",
  user_tag: "user",
  assistant_tag: "assistant",
  observation_tag: null,
  function_tag: null,
  system_tag: null,
  packing: false,
};

function fsdp2Yaml(lora: boolean): Record<string, unknown> {
  return {
    sharding_size: "auto",
    reshard_after_forward: true,
    sub_modules_to_wrap: [
      "language_model.embed_tokens",
      "language_model.layers.{*}",
      "vision_tower.transformer.layers.{*}",
      "multi_modal_projector.linear_1",
      "multi_modal_projector.linear_2",
      "lm_head",
    ],
    recompute_modules: ["language_model.layers.{*}", "vision_tower.transformer.layers.{*}"],
    param_dtype: "bf16",
    reduce_dtype: "bf16",
    cast_forward_inputs: true,
    num_to_forward_prefetch: 1,
    num_to_backward_prefetch: 1,
    offload_to_cpu: false,
    ...(lora ? { use_reentrant: false } : {}),
  };
}

export const MAGISTRAL_TEMPLATE: ConfigTemplate = {
  defaultPaths(_model, recipe) {
    const lora = recipe.variant === "lora";
    return {
      hfDir: "/path/to/Magistral-Small-2509",
      ckptDir: lora ? "./ckpt/convert_path/Magistral-Small-2509-lora-base" : "ckpt/convert_path/Magistral-Small-2509",
      saveDir: lora ? "./Magistral-Small-2509_lora_finetune_result" : "Magistral-Small-2509_finetune_result",
      dataset: "./data/mllm_format_llava_instruct_data.json",
      datasetDir: "./data",
    };
  },
  files(ctx) {
    const [dataFile, modelFile, fsdpFile] = ctx.recipe.configFiles as [string, string, string];
    const p = ctx.paths;
    const data = {
      dataset_param: {
        dataset_type: "huggingface",
        preprocess_parameters: {
          model_name_or_path: p.hfDir,
          use_fast_tokenizer: true,
          split_special_tokens: false,
          image_max_pixels: 262144,
          image_min_pixels: 1024,
          video_max_pixels: 16384,
          video_min_pixels: 0,
          video_fps: 2.0,
          video_maxlen: 64,
          fix_mistral_regex: true,
          trust_remote_code: false,
        },
        basic_parameters: {
          template: "mistral",
          dataset_dir: p.datasetDir,
          dataset: p.dataset,
          cache_dir: null,
          enable_thinking: false,
          overwrite_cache: false,
          train_on_prompt: false,
          mask_history: false,
          preprocessing_batch_size: 1000,
          preprocessing_num_workers: 8,
          max_samples: null,
          tool_format: null,
        },
        attr: ATTR,
      },
      dataloader_param: {
        dataloader_mode: "sampler",
        drop_last: true,
        sampler_type: "BaseRandomBatchSampler",
        collate_param: { model_name: "qwen3vl", ignore_pad_token_for_loss: true },
        pin_memory: true,
        shuffle: true,
      },
    };
    const model = {
      model_id: "mistral3",
      init_from_hf_path: p.hfDir,
      image_token_index: 10,
      text_decoder: {
        model_id: "mistral",
        num_layers: 40,
        hidden_size: 5120,
        num_attention_heads: 32,
        max_position_embeddings: 131072,
        freeze: false,
      },
      vision_encoder: { model_id: "pixtral", num_layers: 24, hidden_size: 1024, num_attention_heads: 16, freeze: true },
      vision_projector: { freeze: true },
      patch: { clip_grad_async: true, scale_grad: true },
    };
    return [
      { role: "data-config", name: basename(dataFile), upstream: dataFile, format: "json", value: data },
      { role: "model-config", name: basename(modelFile), upstream: modelFile, format: "json", value: model },
      {
        role: "train-config",
        name: basename(fsdpFile),
        upstream: fsdpFile,
        format: "yaml",
        value: fsdp2Yaml(ctx.recipe.variant === "lora"),
      },
    ];
  },
  datasetAttr: () => attrFields(ATTR),
};
