// MiMo-V2.5 (v26.1.0): the native FSDP2 trainer with one YAML; the model (vision + audio encoders, MoE language
// model) loads the Hugging Face weights directly through its plugin. Upstream validated it with reduced layers on
// one node only.
import { attrFields, type ConfigTemplate } from "./template.js";
import { NATIVE_TOOLS, nativeData, nativeLoader, nativeTraining } from "./templates-native.js";
import { basename } from "./templates-qwen-json.js";

export const MIMO_TEMPLATE: ConfigTemplate = {
  defaultPaths() {
    return {
      hfDir: "/home/data/MiMo-V2.5",
      ckptDir: "/home/data/MiMo-V2.5",
      saveDir: "save_path",
      dataset: "/home/usr/data/mllm_format_llava_instruct_data.json",
      datasetDir: "/home/usr/data/",
    };
  },
  files(ctx) {
    const main = ctx.recipe.configFiles[0]!;
    const p = ctx.paths;
    const data = nativeData(p.hfDir, p.dataset, p.datasetDir, "./cache_dir/", ctx.seqLength);
    data.basic_parameters.template = "qwen2_vl";
    data.basic_parameters.max_samples = 10000;
    const plugin = ["mindspeed_mm/fsdp/models/mimov2_5", "mindspeed_mm/fsdp/data/datasets/huggingface"];
    const {
      use_deter_comp,
      plugin: _p,
      ...head
    } = nativeTraining({
      mbs: ctx.microBatchSize,
      gradAcc: ctx.gradAccSteps,
      lr: ctx.lr,
      iters: ctx.trainIters,
      saveInterval: ctx.saveInterval,
      plugin,
    });
    const value = {
      parallel: {
        tensor_parallel_size: ctx.tp,
        fully_shard_parallel_size: "auto",
        fsdp_plan: {
          apply_modules: [
            "visual.blocks.{*}",
            "visual.merger",
            "visual",
            "audio_encoder",
            "model.embed_tokens",
            "model.layers.{*}",
            "lm_head",
          ],
          param_dtype: "bf16",
          reduce_dtype: "fp32",
        },
        recompute: true,
        recompute_plan: { apply_modules: ["model.layers.{*}"] },
        context_parallel_size: 1,
        ulysses_parallel_size: ctx.cp,
        expert_parallel_size: ctx.ep,
        ep_plan: { apply_modules: ["model.layers.{*}.mlp.experts"] },
      },
      data: {
        dataset_param: {
          ...data,
          preprocess_parameters: { ...data.preprocess_parameters, trust_remote_code: true },
        },
        dataloader_param: nativeLoader(true),
      },
      model: {
        model_id: "mimo_v25",
        model_name_or_path: p.hfDir,
        trust_remote_code: true,
        attn_implementation: "eager",
        freeze: ["visual", "audio_encoder"],
        loss_cfg: { loss_type: "raw" },
        enable_chunk_loss: false,
        chunkloss_plan: { apply_module: "lm_head", chunk_size: 1024 },
        activation_offload_plan: { apply_modules: ["model.layers.{*}"] },
      },
      // Upstream leaves save commented out; the plan writes the save directory the user chose.
      training: { ...head, save: p.saveDir, use_deter_comp, plugin },
      tools: NATIVE_TOOLS,
    };
    return [{ role: "train-config", name: basename(main), upstream: main, format: "yaml", value }];
  },
  datasetAttr: () => attrFields(nativeData("", "", "", "", 0).attr),
};
