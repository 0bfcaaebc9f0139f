// Shared blocks of the native FSDP2 trainer YAML (mindspeed_mm/fsdp/train/trainer.py).

export function nativeData(hfDir: string, dataset: string, datasetDir: string, cacheDir: string, cutoff: number) {
  return {
    dataset_type: "huggingface",
    attr: {
      images: "images",
      messages: "messages",
      role_tag: "role",
      content_tag: "content",
      user_tag: "user",
      assistant_tag: "assistant",
    },
    preprocess_parameters: {
      model_name_or_path: hfDir,
      use_fast_tokenizer: true,
      split_special_tokens: false,
      image_max_pixels: 262144,
      image_min_pixels: 1024,
      video_max_pixels: 16384,
      video_min_pixels: 0,
      video_fps: 2.0,
      video_maxlen: 64,
    },
    basic_parameters: {
      cutoff_len: cutoff,
      template: "qwen3_vl_nothink",
      enable_thinking: false,
      train_on_prompt: false,
      mask_history: false,
      dataset_dir: datasetDir,
      dataset,
      cache_dir: cacheDir,
      overwrite_cache: false,
      preprocessing_batch_size: 1000,
      preprocessing_num_workers: 16,
      max_samples: null as number | null,
    },
  };
}

export function nativeLoader(shuffle: boolean) {
  return {
    pin_memory: true,
    shuffle,
    dataloader_mode: "sampler",
    drop_last: true,
    sampler_type: "BaseRandomBatchSampler",
    num_workers: 8,
    collate_param: { model_name: "qwen3vl", ignore_pad_token_for_loss: true },
  };
}

export interface NativeTraining {
  mbs: number;
  gradAcc: number;
  lr: number;
  iters: number;
  /** Checkpoint interval; default 10000 (upstream's). */
  saveInterval?: number | null;
  plugin: string[];
}

export function nativeTraining(t: NativeTraining): Record<string, unknown> {
  return {
    micro_batch_size: t.mbs,
    gradient_accumulation_steps: t.gradAcc,
    seed: 42,
    lr: t.lr,
    lr_decay_style: "cosine",
    lr_warmup_ratio: 0.1,
    weight_decay: 0,
    train_iters: t.iters,
    clip_grad: 0.0,
    init_model_with_meta_device: true,
    optimizer: "adamw",
    adam_fused: true,
    save_interval: t.saveInterval ?? 10000,
    use_deter_comp: false,
    plugin: t.plugin,
  };
}

export const NO_OPTIM_RNG = { no_load_optim: true, no_load_rng: true, no_save_optim: true, no_save_rng: true };

export const NATIVE_TOOLS = {
  profile: {
    enable: false,
    profile_type: "static",
    ranks: [0],
    static_param: {
      level: "level1",
      with_stack: false,
      with_memory: false,
      record_shapes: false,
      with_cpu: true,
      save_path: "./profiling",
      start_step: 10,
      end_step: 11,
      data_simplification: false,
      aic_metrics_type: "PipeUtilization",
    },
  },
  memory_profile: {
    enable: false,
    start_step: 1,
    end_step: 2,
    save_path: "./memory_snapshot",
    dump_ranks: [0],
    stacks: "all",
    max_entries: null,
    mem_info: false,
  },
};

export const CHUNK_MBS_PLAN = {
  apply_modules: ["model.language_model.layers.{*}"],
  chunk_mbs: 2,
  batch_dim: 0,
  chunk_arg_indexs: [0],
  chunk_kwarg_names: ["position_embeddings", "position_ids", "rope_deltas", "attention_mask"],
};
