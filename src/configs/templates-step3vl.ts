// Step3-VL 10B (v26.1.0): the native FSDP2 trainer (mindspeed_mm/fsdp/train/trainer.py) with one YAML that loads the
// Hugging Face weights directly (model_name_or_path, remote code) through the step3_vl plugin.
import { attrFields, type ConfigTemplate } from "./template.js";
import { NATIVE_TOOLS } from "./templates-native.js";
import { basename } from "./templates-qwen-json.js";

const ATTR = {
  images: "images",
  messages: "messages",
  role_tag: "role",
  content_tag: "content",
  user_tag: "user",
  assistant_tag: "assistant",
};

export const STEP3VL_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: "./ckpt/hf_path/Step3-VL-10B",
      ckptDir: "./ckpt/hf_path/Step3-VL-10B",
      saveDir: "save_dir",
      dataset: "/path/to/datasets/jsonl",
      datasetDir: "/path/to/datasets",
    };
  },
  files(ctx) {
    const main = ctx.recipe.configFiles[0]!;
    const p = ctx.paths;
    const value = {
      parallel: {
        tensor_parallel_size: ctx.tp,
        fully_shard_parallel_size: "auto",
        fsdp_plan: {
          apply_modules: [
            "model.vision_model.transformer.resblocks.{*}",
            "model.vision_model.vit_downsampler1",
            "model.vision_model.vit_downsampler2",
            "model.vision_model",
            "model.vit_large_projector",
            "model.language_model.embed_tokens",
            "model.language_model.layers.{*}",
            "model.language_model",
            "lm_head",
          ],
          param_dtype: "bf16",
          reduce_dtype: "fp32",
        },
        ring_attention_size: 1,
        ulysses_parallel_size: ctx.cp,
        expert_parallel_size: ctx.ep,
        ep_plan: { apply_modules: [] },
      },
      data: {
        dataset_param: {
          dataset_type: "huggingface",
          attr: ATTR,
          preprocess_parameters: {
            model_name_or_path: p.hfDir,
            use_fast_tokenizer: true,
            split_special_tokens: false,
            trust_remote_code: true,
            fix_mistral_regex: true,
            image_max_pixels: 589824,
            image_min_pixels: 1024,
          },
          basic_parameters: {
            cutoff_len: ctx.seqLength,
            template: "step3_vl",
            train_on_prompt: false,
            mask_history: false,
            dataset_dir: p.datasetDir,
            dataset: p.dataset,
            overwrite_cache: false,
            preprocessing_batch_size: 16,
            preprocessing_num_workers: null,
          },
        },
        dataloader_param: {
          pin_memory: true,
          shuffle: true,
          dataloader_mode: "sampler",
          drop_last: true,
          sampler_type: "BaseRandomBatchSampler",
          num_workers: 0,
          collate_param: { model_name: "step3_vl", ignore_pad_token_for_loss: true, pad_to_multiple_of: 8 },
        },
      },
      model: {
        model_id: "step3_vl",
        model_name_or_path: p.hfDir,
        trust_remote_code: true,
        attn_implementation: "sdpa",
        freeze: ["model.vision_model"],
        loss_cfg: { loss_type: "default", router_aux_loss_coef: 0.0 },
        recompute: true,
        recompute_plan: { apply_modules: ["model.language_model.layers.{*}"] },
        enable_chunk_loss: false,
        chunkloss_plan: { apply_module: "lm_head", chunk_size: 1024 },
      },
      training: {
        micro_batch_size: ctx.microBatchSize,
        gradient_accumulation_steps: ctx.gradAccSteps,
        seed: 42,
        lr: ctx.lr,
        lr_decay_style: "cosine",
        lr_warmup_ratio: 0.1,
        weight_decay: 0.0,
        train_iters: ctx.trainIters,
        clip_grad: 1.0,
        clip_grad_foreach: false,
        init_model_with_meta_device: false,
        optimizer: "adamw",
        adam_fused: true,
        save_interval: ctx.saveInterval ?? 1000,
        // Upstream's example names no save directory, so its run writes no checkpoint.
        save: p.saveDir,
        use_deter_comp: false,
        log_interval: 1,
        plugin: ["mindspeed_mm/fsdp/models/step3_vl", "mindspeed_mm/fsdp/data/datasets/huggingface"],
      },
      tools: NATIVE_TOOLS,
    };
    return [{ role: "train-config", name: basename(main), upstream: main, format: "yaml", value }];
  },
  datasetAttr: () => attrFields(ATTR),
};
