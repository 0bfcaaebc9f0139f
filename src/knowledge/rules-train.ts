// Rules for training-time failures: loss, checkpoints and layer splits, datasets, shared memory, disks.

import { callHint } from "../text/hint.js";
import { MINDSPEED_FAQ } from "./rules-device.js";
import { type DiagnosisRule, isLocalPath, lit, rx, rxWhen } from "./rules-types.js";
import { l10n } from "./strerror-l10n.js";

/** Megatron prints `number of nan iterations: {:3d}`; anchors for a non-zero count in any padding. */
const nonZeroNanIterations = ["   ", "  ", " "].flatMap((pad) =>
  ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => `nan iterations:${pad}${d}`),
);

/** A trainer's checkpoint folder (checkpoint-<step>) that transformers found neither locally nor on the Hub. */
export const CHECKPOINT_STEP_NOT_LOCAL = rx(
  /checkpoint-\d+\/? is not a local folder and is not a valid model identifier/,
  "is not a local folder",
);

/**
 * transformers' cached_file (utils/hub.py) for a name that is neither a local folder nor a model on the Hub: the name
 * after a space, a quote, a colon or the line's start (it holds a colon only after a drive letter). A path is a local
 * folder that is not there (missing weights); any other name is a Hub id the Hub refused (hub_access).
 */
export const NOT_A_LOCAL_FOLDER =
  /(?:^|[\s:'"])(?<name>(?:[A-Za-z]:[\\/])?[^\s'":]+) is not a local folder and is not a valid model identifier/;

/** transformers' AutoConfig looking up a model type (models/auto/configuration_auto.py), as a traceback prints it. */
export const CONFIG_MAPPING_LOOKUP = rx(
  /CONFIG_MAPPING\[config_dict\[["']model_type["']\]\]/,
  "CONFIG_MAPPING[config_dict[",
);
/** A KeyError raised by os.environ's mapping (os.py's __getitem__): an environment variable unset, not a data field. */
const ENVIRON_LOOKUP = rx(/os\.py", line \d+, in __getitem__/, 'os.py", line ');

const KV_WORDS = [
  lit("num_query_groups"),
  lit("num_key_value_heads"),
  lit("query_groups"),
  lit("kv_heads"),
  lit("num_attention_heads"),
];

export const trainRules: DiagnosisRule[] = [
  {
    id: "nan-loss",
    category: "nan_loss",
    title: "Loss or gradients became NaN / fp16 overflow",
    role: "primary",
    triggers: [
      // Round 21: TensorFlow's clip_by_global_norm check (ops/clip_ops.py, check_numerics on the norm).
      { match: lit("Found Inf or NaN global norm"), confidence: 0.85 },
      // Round 20, tune: a loss printed as NaN under any name a training loop gives it ("train_batch_loss[ 6590 ]:  nan",
      // a GAN's "DLoss:nan"): the name ends in "loss", an index in brackets may follow, the value is nan.
      {
        match: rx(
          /[Ll]oss(?: ?[:=] ?|: {2})(?:nan|NaN)\b|[Ll]oss\[[^\]\n]{0,12}\]: {2,}(?:nan|NaN)\b/,
          "oss:nan",
          "oss: nan",
          "oss:  nan",
          "oss=nan",
          "oss= nan",
          "oss =nan",
          "oss = nan",
          "oss:NaN",
          "oss: NaN",
          "oss=NaN",
          "oss = NaN",
          "]:  nan",
          "]:  NaN",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/rerun_state_machine.py#L653
      {
        match: rx(
          /unexpected result is (?:not )?reproducible within the tolerance \((?:nan|inf|-inf) /,
          "reproducible within the tolerance",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/models/audio/nemo_transformer_encoder.py#L967
      {
        match: rx(/\[NaN DEBUG\] NaN\/Inf detected at '[^'\n]*'\. Stopping training/, "NaN/Inf detected at"),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/lanpa/tensorboardX/blob/9cca35e2c999a6c13d75a4997858fa5e1e72e96b/tensorboardX/x2num.py#L12
      { match: lit("NaN or Inf found in input tensor."), confidence: 0.62 },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/fp16/fused_optimizer.py#L407
      {
        match: rx(/Reducing dynamic loss scale from (?:[1-8]|0\.\d+)(?:\.0)? to/, "Reducing dynamic loss scale from"),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/core/callback/callback.py#L490
      {
        match: rx(
          /\bloss:\[\s*(?:nan|inf)\/\s*(?:nan|inf)\], per_step_time|\bloss:\s+(?:nan|inf), per_step_time/,
          ", per_step_time",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (seventh pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/core/callback/callback.py#L486
      {
        match: rx(/overflow cond: True, loss_scale: (?:[1-8]|0\.\d+)(?:\.0)?,/, "overflow cond: True, loss_scale: "),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/core/callback/callback.py#L1053
      {
        match: rx(/local_norm is [^\n]*, global_norm is [^\n]*, terminate training/, ", terminate training"),
        confidence: 0.85,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/fsdp/tasks/funasr/train_engine.py#L124
      {
        match: rx(/Non-finite grad_norm \((?:nan|inf|-inf)\)\. Skipping update/, "Non-finite grad_norm ("),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/verl-project/verl/blob/1dda039b9c6311889a9c9a26040677e1254814f9/verl/workers/engine/fsdp/transformer_impl.py#L800
      {
        match: rx(
          /(?:grad_norm|Gradient norm) is not finite: /,
          "grad_norm is not finite",
          "Gradient norm is not finite",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/InternLM/xtuner/blob/b934f462095c1e750229de35367c50ae36caa786/xtuner/v1/train/trainer.py#L1911
      { match: rx(/Detect NaN in output of module \w+/, "Detect NaN in output of module"), confidence: 0.72 },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/collections/asr/models/asr_model.py#L173
      { match: lit("detected inf or nan values in gradients! Setting gradients to zero."), confidence: 0.7 },
      // Round 16, upstream: https://github.com/open-mmlab/mmengine/blob/254342938d9bde1775c39ea7d5181c5d294026c4/mmengine/hooks/early_stopping_hook.py#L96
      {
        match: rx(
          /Monitored metric \S+ = \S+ is infinite\. Previous best value was/,
          "is infinite. Previous best value was",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream: https://github.com/kohya-ss/sd-scripts/blob/48d368fa557731ad0488c07304dfeba8c07910eb/library/train_util.py#L3098
      {
        match: rx(
          /NaN detected in (?:latents|text encoder outputs): /,
          "NaN detected in latents",
          "NaN detected in text encoder outputs",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/trainer.py#L970
      { match: lit("FloatingPointError: gradients are Nan/Inf"), confidence: 0.82 },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/nan_detector.py#L74
      { match: rx(/(?:NaN|Inf) detected in output of \S+, shape: /, " detected in output of "), confidence: 0.7 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/distributed/fsdp/src/megatron_fsdp/param_and_grad_bu
      { match: lit("Detected NaN or Inf in wgrad"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/pretrain_gpt.py#L274
      { match: lit("found Inf in local forward loss calculation"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/fp16/fused_optimizer.py#L269
      {
        match: rx(
          /Overflow detected\. Skipping step\. Attempted loss scale: (?:[1-8]|0\.\d+)(?:\.0)?, reducing to/,
          "Overflow detected. Skipping step. Attempted loss scale",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/fp16/fused_optimizer.py#L171
      {
        match: rx(
          /fp16 dynamic loss scale overflow! Skipping step\. Attempted loss scale: (?:[1-8]|0\.\d+)(?:\.0)?, reducing to/,
          "fp16 dynamic loss scale overflow!",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/distributed/param_and_grad_buffer.py#L366
      { match: lit("found Inf in local grad norm"), confidence: 0.82 },
      // Round 15: trainers stopping on a NaN loss in their own words ("Loss became NaN", "Loss is nan, stopping training",
      // detectron2's loss_dict with a nan tensor, darkflow's "moving ave loss nan") and PaddleOCR's "loss: nan" glued to
      // the next field.
      {
        match: rx(/\b[Ll]oss (?:became|becomes|is) NaN\b/, "oss became NaN", "oss becomes NaN", "oss is NaN"),
        confidence: 0.8,
      },
      { match: rx(/Loss is (?:nan|inf), stopping training/, ", stopping training"), confidence: 0.85 },
      { match: rx(/loss_dict = \{[^\n]*tensor\((?:nan|inf)/, "loss_dict = {"), confidence: 0.8 },
      { match: rx(/moving ave loss\s+nan\b/, "moving ave loss"), confidence: 0.78 },
      { match: rx(/\bloss: nan[a-z]/, "loss: nan"), confidence: 0.8 },
      // Upstream phrasebook: Megatron's rerun state machine ("Unexpected result nan|inf"), Lightning's check of the
      // training_step loss, MindSpore's loss monitor ("Invalid loss, terminating training"), TensorFlow's NaN hook,
      // check_numerics and the debug numerics check.
      { match: rx(/Unexpected result (?:nan|inf)\b/, "Unexpected result "), confidence: 0.85 },
      {
        match: rx(/The loss returned in `training_step` is (?:nan|inf)/, "The loss returned in `training_step`"),
        confidence: 0.85,
      },
      { match: lit("Invalid loss, terminating training"), confidence: 0.8 },
      {
        match: rx(
          /NanLossDuringTrainingError|Model diverged with loss = NaN|Detected Infinity or NaN in output|Loss is inf or nan : Tensor had NaN values/,
          "NanLossDuringTrainingError",
          "Model diverged with loss = NaN",
          "Detected Infinity or NaN in output",
          "Tensor had NaN values",
        ),
        confidence: 0.85,
      },
      { match: rx(/'grad_norm': nan|grad norm: nan/, "'grad_norm': nan", "grad norm: nan"), confidence: 0.85 },
      {
        match: rx(
          /"grad_norm": NaN|"loss": NaN|'grad_norm': NaN/,
          '"grad_norm": NaN',
          '"loss": NaN',
          "'grad_norm': NaN",
        ),
        confidence: 0.85,
      },
      { match: rx(/'loss': nan|\bloss: nan\b/, "'loss': nan", "loss: nan"), confidence: 0.85 },
      // An infinite loss in a progress line (mmengine's "loss_bbox: inf, loss: inf", HF's 'loss': inf) overflowed.
      { match: rx(/'loss': inf\b|\bloss: inf\b/, "'loss': inf", "loss: inf"), confidence: 0.8 },
      { match: rx(/number of nan iterations:\s*[1-9]/, ...nonZeroNanIterations), confidence: 0.85 },
      { match: lit("NaN in local grad norm"), confidence: 0.85 },
      // apex's amp scaler (apex/amp/handle.py) prints two spaces after "overflow.": "Gradient overflow.  Skipping
      // step, loss scaler 0 reducing loss scale to 32768.0". Repeated, or a scale already below 1 (it starts at
      // 2^16 and halves on each overflow), every step is overflowing.
      // Round 20, tune: the same report from the older fp16 scalers copied into model repositories, with a comma ("Gradient
      // overflow, skipping step, loss scaler 0 reducing loss scale to 4096.0").
      {
        match: rx(/Gradient overflow[.,] +[Ss]kipping step/, "Gradient overflow.", "Gradient overflow,"),
        minCount: 3,
        confidence: 0.78,
      },
      {
        match: rxWhen(
          /Gradient overflow\. +Skipping step, loss scaler \d+ reducing loss scale to (?<scale>[\d.e+-]+)/,
          ["reducing loss scale to "],
          // 1.0 is sixteen halvings from apex's 2^16 start: every step of a while has overflowed.
          (g) => Number(g.scale) <= 1,
        ),
        confidence: 0.8,
      },
      // DeepSpeed's dynamic loss scaler at its floor (runtime/fp16/loss_scaler.py, raise_error_at_min_scale):
      // "Current loss scale already at minimum - cannot decrease scale anymore. Exiting run."
      { match: lit("Current loss scale already at minimum"), confidence: 0.85 },
      // guided-diffusion / improved-diffusion's fp16 trainer (fp16_util.py): "Found NaN, decreased lg_loss_scale to".
      { match: lit("Found NaN, decreased lg_loss_scale"), minCount: 2, confidence: 0.78 },
      // MindSpore model zoos' train step on overflow (mindyolo utils/train_step_factory.py): "overflow, still update,
      // loss scale adjust to" — overflowing step after step.
      { match: lit("overflow, still update, loss scale adjust to"), minCount: 3, confidence: 0.72 },
      { match: lit("Loss scaler reducing loss scale to"), minCount: 3, confidence: 0.72 },
      // fairseq's dynamic loss scaler (fairseq/trainer.py): each overflow halves the scale, and at the floor it raises
      // "Minimum loss scale reached (…). Your loss is probably exploding."
      { match: lit("overflow detected, setting loss scale to"), minCount: 3, confidence: 0.72 },
      {
        match: rx(
          /Minimum loss scale reached|Your loss is probably exploding/,
          "Minimum loss scale reached",
          "loss is probably exploding",
        ),
        confidence: 0.85,
      },
      { match: lit("Non finite check and unscale on NPU device"), confidence: 0.55 },
      // DeepSpeed's fp16 loss scaler still overflowing at the bottom of its range (runtime/fp16/loss_scaler.py,
      // runtime/zero/stage_1_and_2.py); overflows at the start, while the scale comes down from 2^16-2^32, are normal.
      {
        match: rxWhen(
          /\[deepspeed\] OVERFLOW! Rank \d+ Skipping step\. Attempted loss scale: (?<scale>[\d.]+)/,
          ["[deepspeed] OVERFLOW! Rank"],
          (g) => Number(g.scale) <= 8,
        ),
        minCount: 2,
        confidence: 0.75,
      },
      // torch's anomaly mode (torch/csrc/autograd/engine.cpp) and Megatron's loss check (pretrain_gpt.py loss_func).
      { match: lit("returned nan values in its"), confidence: 0.82 },
      // Lightning's EarlyStopping(check_finite) and mmcv/mmengine's CheckInvalidLossHook.
      { match: rx(/Monitored metric \S+ = (?:nan|inf|-inf) is not finite/, "is not finite"), confidence: 0.8 },
      // mmengine's check says "become", detectron2's (engine/train_loop.py _detect_anomaly) "became".
      {
        match: rx(/[Ll]oss bec[ao]me infinite or NaN/, "oss become infinite", "oss became infinite"),
        confidence: 0.85,
      },
      // Paddle's FLAGS_check_nan_inf (paddle/fluid/framework/details/nan_inf_utils), torch.distributions' argument
      // check meeting a NaN parameter, and torch.multinomial sampling from NaN probabilities (RL rollouts, generation).
      { match: rx(/There are NAN or INF \(num_nan=[1-9]/, "There are NAN or INF"), confidence: 0.8 },
      {
        match: rx(
          /to satisfy the constraint [^\n]*, but found invalid values:[^\n]*\bnan\b/,
          "but found invalid values",
        ),
        confidence: 0.7,
      },
      { match: lit("probability tensor contains either `inf`, `nan` or element < 0"), confidence: 0.6 },
      { match: lit("found NaN in local forward loss calculation"), confidence: 0.85 },
      // torch's clip_grad_norm_ (torch/nn/utils/clip_grad.py) on a NaN or inf total norm: the warning it printed
      // before error_if_nonfinite, and the error it raises with it.
      { match: lit("Non-finite norm encountered in torch.nn.utils.clip_grad_norm_"), confidence: 0.78 },
      { match: lit("is non-finite, so it cannot be clipped"), confidence: 0.82 },
      // tqdm progress bars carry the loss in their postfix as key=value (set_postfix): `step_loss=nan`, `loss=nan`.
      { match: rx(/\b\w*loss=nan\b/, "loss=nan"), confidence: 0.8 },
      // mmengine/mmdet and plain training loops: `grad_norm: nan`, `Loss nan`, `training_loss is 'nan'`.
      {
        match: rx(
          /\bgrad_norm: (?:nan|inf)\b|\b[Ll]oss:? nan\b|loss is '?nan\b|grad_norm'? (?:of|is) NaN/,
          "grad_norm: nan",
          "grad_norm: inf",
          "Loss nan",
          "loss nan",
          "Loss: nan",
          "loss is 'nan",
          "loss is nan",
          "grad_norm' of NaN",
          "grad_norm of NaN",
          "grad_norm is NaN",
        ),
        confidence: 0.82,
      },
      // Metric dumps (verl, trl): `actor/kl:nan`, `rollout_corr/log_ppl_diff:nan`.
      {
        match: rx(
          /[\w/]*(?:loss|kl|ppl|grad_norm|_max|_mean)\s*:\s*nan\b/,
          "/kl:nan",
          "_kl:nan",
          "ppl:nan",
          "loss:nan",
          "norm:nan",
          "max:nan",
          "mean:nan",
        ),
        minCount: 2,
        confidence: 0.75,
      },
      // Reports in words: "NaN grad norm occurs", "loss and grad_norm become NaN", "FP16 numerical overflow".
      {
        match: rx(
          /\b[Nn]a[Nn] grad norm\b|(?:loss|grad_norm|gradients?)\b[^\n]{0,40}\bbecomes? NaN|\bFP16 (?:numerical )?overflow/i,
          "Nan grad norm",
          "NaN grad norm",
          "nan grad norm",
          "become NaN",
          "becomes NaN",
          "become nan",
          "16 numerical overflow",
          "16 overflow",
        ),
        confidence: 0.72,
      },
    ],
    cause:
      "Training diverged or overflowed: fp16 on a chip forced to fp16 (910A), DeepSpeed before 0.14.3 on NPU, overlap_comm " +
      "across nodes, a learning rate too high, or bad samples.",
    fixes: [
      { id: "bf16", summary: "Use bf16 where the chip supports it (--bf16 / bf16: true)." },
      {
        id: "lr",
        summary: "Lower the learning rate or add warmup, and clip gradients.",
        edits: ["launch script: --lr <lower_lr> --clip-grad 1.0"],
      },
      {
        id: "deepspeed",
        summary: "HF trainers: DeepSpeed ≥ 0.14.3 and overlap_comm: false on multi-node.",
        commands: ["pip install 'deepspeed>=0.14.3'"],
      },
      {
        id: "data",
        summary: "Check the data for empty or corrupt samples and wrong image paths (MindSpeed-MM FAQ #17).",
      },
    ],
    references: [`${MINDSPEED_FAQ} (#17)`, "https://github.com/hiyouga/LlamaFactory/issues/5627"],
  },
  {
    id: "ckpt-shape-mismatch",
    category: "ckpt_shape_mismatch",
    title: "Checkpoint does not fit the model (sharding or layer split differs)",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/checkpointing.py#L2403
      { match: lit("but the current run builds a non-hybrid model"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/checkpointing.py#L2419
      { match: lit("Cannot load a GPT checkpoint into this hybrid model"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/checkpoint_io/utils.py#L762
      {
        match: lit("loaded state dict contains a parameter group that doesn't match the size of optimizer's group"),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/core_r0.8.0/megatron/legacy/model/language_model.py#L618
      { match: lit("could not find data for output_layer in the checkpoint"), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/lightning/io/state.py#L207
      {
        match: rx(/Additional keys: \[[^\]]*\] in checkpoint but not in model/, "in checkpoint but not in model"),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/lightning/io/state.py#L168
      {
        match: rx(
          /Shape mismatch for parameter \S+: target shape .* vs converted source shape/,
          "vs converted source shape",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/state_dict_factory.py#L117
      {
        match: rx(
          /Invalid checkpoints and world size for sd (?:merge|split)/,
          "Invalid checkpoints and world size for sd",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/fsdp_dtensor_checkpoint.py#L990
      {
        match: rx(
          /Megatron-FSDP checkpoint load is incomplete: rank \d+ requests \d+ model parameter\(s\) not present in the checkpoint/,
          "Megatron-FSDP checkpoint load is incomplete",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/checkpointing.py#L2423
      {
        match: rx(
          /pairs with a GPT checkpoint of \d+ layers, but the checkpoint has num_layers=\d+/,
          "pairs with a GPT checkpoint of",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/transformers/blob/main/src/transformers/utils/loading_report.py
      { match: lit("You set `ignore_mismatched_sizes` to `False`, thus raising an error"), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/utils/fsdp_utils.py#L613
      {
        match: rx(
          /Parameter '[^'\n]+' found in sharded model state dict but missing from full state dict/,
          "found in sharded model state dict but missing from full state dict",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/distributed/checkpoint/default_planner.py#L315
      {
        match: rx(/Missing key in checkpoint state_dict: \S/, "Missing key in checkpoint state_dict: "),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/fsdp/checkpoint/hf_utils.py#L151
      {
        match: rx(
          /\d+ parameter key\(s\) absent from the HF checkpoint/,
          "parameter key(s) absent from the HF checkpoint",
        ),
        confidence: 0.68,
      },
      // Round 16, upstream (second pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/strategies/torch.py#L505
      { match: lit("from model not in state dict:"), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/InternLM/xtuner/blob/b934f462095c1e750229de35367c50ae36caa786/xtuner/v1/model/base.py#L1772
      {
        match: rx(/RuntimeError: (Missing|Unexpected) keys in checkpoint: [[{]/, "keys in checkpoint: "),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/ops/resource_variable_ops.py
      {
        match: rx(
          /Received incompatible tensor with shape \S+ when attempting to restore variable with shape/,
          "when attempting to restore variable with shape",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/kernels/save_restore_tensor.cc
      {
        match: rx(
          /shape in shape_and_slice spec \[[\d,]*\] does not match the shape stored in checkpoint: \[/,
          "does not match the shape stored in checkpoint",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/saver.py
      {
        match: lit(
          "Restoring from checkpoint failed. This is most likely due to a Variable name or other graph key that is missing from the checkpoint",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/saver.py
      {
        match: lit(
          "Restoring from checkpoint failed. This is most likely due to a mismatch between the current graph and the graph from the checkpoint",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/util/tensor_bundle/tensor_bundle.cc
      { match: rx(/\bKey \S+ not found in checkpoint/, "not found in checkpoint"), confidence: 0.62 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/kernels/assign_op.h
      {
        match: rx(
          /Assign requires shapes of both tensors to match\. lhs shape= ?\[[\d,]*\] rhs shape= ?\[/,
          "Assign requires shapes of both tensors to match",
        ),
        confidence: 0.62,
      },
      // Round 16, upstream: https://github.com/keras-team/keras/blob/master/keras/src/legacy/saving/legacy_h5_format.py
      { match: lit("Layer count mismatch when loading weights from file."), confidence: 0.8 },
      // Round 16, upstream: https://github.com/keras-team/keras/blob/master/keras/src/legacy/saving/legacy_h5_format.py
      {
        match: rx(
          /Weight count mismatch for layer #\d+ \(named \S+ in the current model, \S+ in the save file\)/,
          "Weight count mismatch for layer",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/models/model_loading_utils.py#L294
      { match: rx(/Cannot load \S+ because \S+ expected shape [^\n]*, but got/, "expected shape "), confidence: 0.85 },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/trainer.py#L597
      {
        match: rx(
          /Cannot load model parameters from checkpoint \S+; please ensure that the architectures match/,
          "please ensure that the architectures match",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/optimizer.py#L100
      {
        match: rx(/Optimizer shape \(\([\d, ]*\)\s*does not match model shape/, "does not match model shape"),
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/fsdp2/checkpoint/checkpoint_manager.py#L155
      { match: rx(/Shape mismatch for '[^'\n]+': loaded=/, "Shape mismatch for '"), confidence: 0.78 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/checkpointing.py#L195
      {
        match: rx(
          /\w+ value from checkpoint \([^)\n]*\) is not equal to the input argument value \([^)\n]*\)/,
          "value from checkpoint (",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/checkpointing.py#L2654
      {
        match: rx(
          /\(TP, PP\) mismatch after resume \(\(\d+, \d+\) vs \(\d+, \d+\) from checkpoint\)/,
          "mismatch after resume",
        ),
        confidence: 0.8,
      },
      // Round 15: DeepSpeed's ZeRO checkpoint loaded with another data-parallel size (runtime/engine.py
      // _load_zero_checkpoint; Megatron-DeepSpeed's "used a DP world size of"), Megatron-Bridge's shape check.
      {
        match: lit(
          "Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported",
        ),
        confidence: 0.85,
      },
      {
        match: rx(
          /The checkpoint being loaded used a DP world size of \d+ but the current world size is \d+/,
          "used a DP world size of",
        ),
        confidence: 0.85,
      },
      { match: lit("Shape mismatch for megatron param"), confidence: 0.8 },
      // Upstream phrasebook 2: MindSpore's load_param_into_net failing to fit a parameter (train/serialization.py).
      { match: lit("Failed to combine the net and the parameters for param"), confidence: 0.75 },
      // Upstream phrasebook: transformers' weights "newly initialized because the shapes did not match", Megatron's
      // dist_checkpointing key checks (keys missing from or unexpected in the sharded state dict), a model parameter
      // the state dict lacks, vLLM's weight loader ("Attempted to load weight (…) into parameter (…)").
      { match: lit("newly initialized because the shapes did not match"), confidence: 0.8 },
      {
        match: rx(
          /Some keys found in the checkpoint are missing in the provided sharded state dict|Unexpected keys \(not found in the checkpoint\) encountered in the provided sharded state dict/,
          "in the provided sharded state dict",
        ),
        confidence: 0.8,
      },
      { match: rx(/KeyError: "[\w.]+ from model not in state dict/, "from model not in state dict"), confidence: 0.75 },
      {
        match: rx(
          /Attempted to load weight \(torch\.Size\(\[[\d, ]+\]\)\) into parameter \(torch\.Size/,
          "Attempted to load weight (",
        ),
        confidence: 0.85,
      },
      { match: lit("size mismatch for"), confidence: 0.9 },
      { match: lit("copying a param with shape"), confidence: 0.9 },
      {
        match: rxWhen(
          /whose dimensions in the model are torch\.Size\(\[(?<model>[^\]]*)\]\) and whose dimensions in the checkpoint are torch\.Size\(\[(?<ckpt>[^\]]*)\]\)/,
          ["whose dimensions in the model"],
          (g) => g.model !== g.ckpt,
        ),
        confidence: 0.9,
      },
      { match: lit("Global shape mismatch"), confidence: 0.86 },
      // torch.distributed.checkpoint (torch/distributed/checkpoint/default_planner.py) and accelerate's loader
      // (src/accelerate/utils/modeling.py set_module_tensor_to_device).
      { match: lit("Size mismatch between saved"), confidence: 0.88 },
      // MindSpore (train/serialization.py load_param_into_net) and Paddle (set_state_dict).
      {
        match: rx(
          /For 'load_param_into_net', \S+ in the argument 'net' should have the same shape/,
          "should have the same shape",
        ),
        confidence: 0.88,
      },
      {
        match: rx(/receives a shape \[[\d, ]*\], but the expected shape is/, "but the expected shape is"),
        confidence: 0.85,
      },
      {
        match: rx(/Trying to set a tensor of shape [^\n]*\(which has shape/, "Trying to set a tensor of shape"),
        confidence: 0.85,
      },
      {
        match: rx(/mp_rank_\d+(?:_\d+)?[^\n]*(?:No such file|does not exist|not found)/, "mp_rank_"),
        confidence: 0.78,
      },
      { match: lit("Missing key(s) in state_dict"), confidence: 0.62 },
      { match: lit("Unexpected key(s) in state_dict"), confidence: 0.62 },
      { match: lit("Error(s) in loading state_dict"), confidence: 0.6 },
    ],
    extract: [
      /size mismatch for (?<param>[\w.]+)/,
      /copying a param with shape torch\.Size\(\[(?<ckpt_shape>[^\]]*)\]\) from checkpoint, the shape in current model is torch\.Size\(\[(?<model_shape>[^\]]*)\]\)/,
      /(?<ckpt_dir>[\w./-]*mp_rank_\d+(?:_\d+)?)/,
    ],
    cause:
      "The checkpoint was written for another model layout: converted (mm-convert) with a different tp_size or " +
      "llm_pp_layers/vit_pp_layers than training uses, HF weights loaded without conversion, or a LoRA rank that differs.",
    fixes: [
      {
        id: "match-split",
        summary:
          "Use the conversion's layer split in model.json, or reconvert with the training's TP and split (the lists must be identical).",
        edits: [
          "model.json: text_decoder.pipeline_num_layers = <converted_llm_pp_layers>",
          "model.json: vision_encoder.pipeline_num_layers = <converted_vit_pp_layers>",
        ],
      },
      {
        id: "reconvert",
        summary: "Reconvert the HF weights with the training layout.",
        commands: [
          "mm-convert <converter> hf_to_mm --cfg.mm_dir <mm_dir> --cfg.hf_config.hf_dir <hf_dir> " +
            "--cfg.parallel_config.llm_pp_layers <llm_pp_layers> --cfg.parallel_config.vit_pp_layers <vit_pp_layers> " +
            "--cfg.parallel_config.tp_size <tp>",
        ],
      },
      {
        id: "lora-rank",
        summary:
          "For LoRA checkpoints, build the model with the adapter's rank (r); never use ignore_mismatched_sizes.",
      },
    ],
    references: [`${MINDSPEED_FAQ} (#5, #6)`, "https://github.com/modelscope/facechain/issues/208"],
  },
  {
    id: "dataset-key-error",
    category: "dataset_key_error",
    title: "Dataset fields do not match what the loader expects",
    role: "primary",
    triggers: [
      // Round 21: ms-swift's dataset preprocessor finds none of the columns its formats need (llm/utils/preprocess.py:
      // "dataset.features.keys(): ... required_keys_mapping: {...}").
      { match: rx(/required_keys_mapping: \{/, "required_keys_mapping"), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/packaged_modules/folder_based_builder/folder_based_
      {
        match: lit(
          "`file_name`, `*_file_name`, `file_names` or `*_file_names` must be present as dictionary key in metadata files",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/table.py#L2281
      { match: lit("because column names don't match"), confidence: 0.75 },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/features/features.py#L2344
      {
        match: rx(/Keys mismatch: between \{.*\(source\) and \{.*\(target\)/, "Keys mismatch: between {"),
        confidence: 0.65,
      },
      // Round 17, upstream (seventh pass): https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/dataset/preprocessor/core.py#L83
      {
        match: rx(/AssertionError: message: \{'role': '[^'\n]*', 'content'/, "AssertionError: message: {'role'"),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/dataset/preprocessor/core.py#L73
      { match: rx(/AssertionError: (?:inputs\.)?messages: \[\]/, "messages: []"), confidence: 0.55 },
      // Round 17, upstream (seventh pass): https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/template/base.py#L1369
      {
        match: rx(
          /AssertionError: (?:query_role: "(?:assistant|system|tool_call|tool_response)"|response_role: "(?:user|system|tool|tool_call|tool_response)")/,
          'query_role: "',
          'response_role: "',
        ),
        confidence: 0.55,
      },
      // Round 17, upstream (seventh pass): https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/mm_plugin.py#L272
      {
        match: rx(/Expect input is a list of (?:images|audios|videos), but got <class '/, "Expect input is a list of "),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/tokenization_utils_base.py#L815
      {
        match: rx(
          /Perhaps your features \(`(?:text|messages|conversations|conversation|prompt|chosen|rejected|completion|instruction|input|output|response|query|history|system|images?|videos?|audios?|image_path|answer|question|content|label_text)` in this case\) have excessive nesting/,
          "have excessive nesting",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (seventh pass): https://github.com/apache/arrow/blob/main/python/pyarrow/pandas_compat.py
      { match: rx(/Conversion failed for column \S+ with type \w+/, "Conversion failed for column "), confidence: 0.6 },
      // Round 16, upstream (second pass): https://github.com/axolotl-ai-cloud/axolotl/blob/067b021c8b87a9e5e380b9173c704cf7340e30f5/src/axolotl/core/datasets/transforms/chat_builder.py#L86
      { match: rx(/Field '[^']*' not found in sample\./, "not found in sample"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/axolotl-ai-cloud/axolotl/blob/067b021c8b87a9e5e380b9173c704cf7340e30f5/src/axolotl/prompt_strategies/chat_template.py#L1061
      { match: lit("Messages is null. Please check `field_messages`."), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/mm_plugin.py#L163
      {
        match: rx(
          /This model does not support (?:image|video|audio) input\. Please check whether the correct `template` is used/,
          "Please check whether the correct `template` is used",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/webdataset/webdataset/blob/e0953f9bba17b416d5792d5a263b171c266e78be/src/webdataset/filters.py#L231
      { match: rx(/didn't find \[[^\]\n]*\] in \[/, "didn't find ["), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/webdataset/webdataset/blob/e0953f9bba17b416d5792d5a263b171c266e78be/src/webdataset/filters.py#L894
      {
        match: rx(
          /Cannot find \S+ in sample keys|Not all patterns \([^)\n]*\) matched sample keys/,
          "in sample keys",
          "matched sample keys",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream (second pass): https://github.com/webdataset/webdataset/blob/e0953f9bba17b416d5792d5a263b171c266e78be/src/webdataset/filters.py#L662
      { match: rx(/to_tuple \([^)\n]*\) got dict_keys\(/, "to_tuple ("), confidence: 0.62 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/builder.py#L1140
      {
        match: rx(
          /Bad split: \S+\. Available splits: \[|Unknown split "[^"\n]+"\. Should be one of \[/,
          "Available splits: [",
          "Should be one of [",
        ),
        confidence: 0.68,
      },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/arrow_dataset.py#L485
      { match: rx(/(?:Label c|C)olumn \S+ not found in dataset!/, "not found in dataset!"), confidence: 0.72 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/table.py#L2158
      { match: lit("Couldn't cast array of type"), confidence: 0.68 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/packaged_modules/json/json.py#L326
      {
        match: rx(
          /Failed to (?:load JSON from|read) file '[^'\n]+' with error <class 'pyarrow\.lib\.ArrowInvalid'>: JSON parse error/,
          "Failed to load JSON from file '",
          "Failed to read file '",
        ),
        confidence: 0.62,
      },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/packaged_modules/json/json.py#L337
      { match: lit("Failed to convert pandas DataFrame to Arrow Table from file"), confidence: 0.68 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/features/image.py#L172
      {
        match: rx(
          /An? (?:image|audio|video)(?: sample)? should have one of 'path' or 'bytes' but (?:both are None|they are missing or None) in/,
          "should have one of 'path' or 'bytes'",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/mm_plugin.py#L205
      {
        match: rx(
          /The number of (?:images|videos|audios) does not match the number of \S+ tokens in/,
          "does not match the number of",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/dataset/rl_dataset.py#L337
      {
        match: rx(
          /(?:image|video)_offset \d+ (?:!=|>=) len\((?:images|videos)\) \d+/,
          "_offset ",
          "len(images)",
          "len(videos)",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/loader.py#L179
      { match: lit("The dataset is not applicable in the current training stage"), confidence: 0.65 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/preprocess/templates.py#L773
      {
        match: rx(
          /(?:DeepSeek4Template: unsupported role|NotImplementedError: Unknown role:) '?\w+/,
          "unsupported role",
          "Unknown role:",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/formatter.py#L110
      {
        match: rx(
          /Invalid JSON format in (?:function message|tool description):/,
          "Invalid JSON format in function message",
          "Invalid JSON format in tool description",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/trainer.py
      { match: lit("The batch received was empty, your model won't be able to train on it"), confidence: 0.78 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/tokenization_utils_base.py
      {
        match: rx(
          /You should supply an encoding or a list of encodings to this method that includes input_ids, but you provided \[/,
          "You should supply an encoding or a list of encodings",
        ),
        confidence: 0.72,
      },
      // Round 15: AutoTrain's column check, datasets' column checks, verl's reward dispatch by a sample's data_source.
      {
        match: rx(/Columns? .+ could not be found in the provided file/, "could not be found in the provided file"),
        confidence: 0.8,
      },
      { match: lit("Current columns in the dataset"), confidence: 0.8 },
      { match: lit("Column mismatch between batch"), confidence: 0.78 },
      { match: lit("External features info don't match the dataset"), confidence: 0.78 },
      { match: lit("Reward function is not implemented for data_source="), confidence: 0.6 },
      // Upstream phrasebook 2: MindSpore's GeneratorDataset returning other columns than column_names declares.
      { match: lit("should return same number of NumPy arrays as specified in column_names"), confidence: 0.75 },
      // Upstream phrasebook: datasets naming columns the data does not have (arrow_dataset.py "not in the dataset.
      // Current columns in the dataset", rename_columns, "Column mismatch between batch", "doesn't exist", "External
      // features info don't match the dataset", table.CastError), pyarrow's JSON reader (a field that changes type, a
      // FieldRef with no match), the chat converters' role and key checks (LLaMA-Factory, TRL, ms-swift, MindSpeed-LLM).
      {
        match: rx(
          /not in the dataset\. Current columns in the dataset|columns \{[^}]*\} are not in the dataset|Column mismatch between batch|External features info don't match the dataset/,
          "Current columns in the dataset",
          "are not in the dataset",
          "Column mismatch between batch",
          "External features info don't match",
        ),
        confidence: 0.82,
      },
      { match: rx(/ValueError: Column '[^']+' doesn't exist/, "doesn't exist"), confidence: 0.75 },
      { match: rx(/CastError: Couldn't cast/, "CastError: Couldn't cast"), confidence: 0.8 },
      {
        match: rx(/JSON parse error: Column\([^)]*\) changed from \w+ to \w+/, "JSON parse error: Column("),
        confidence: 0.82,
      },
      { match: lit("No match for FieldRef.Name("), confidence: 0.78 },
      {
        match: rx(
          /Invalid role (?:tag in|in message:|in the last message:)|invalid role tag at turn/,
          "Invalid role ",
          "invalid role tag at turn",
        ),
        confidence: 0.78,
      },
      { match: lit("Skipping this abnormal example"), confidence: 0.45 },
      { match: lit("Invalid message count in"), confidence: 0.7 },
      { match: lit("Missing content tag in message"), confidence: 0.75 },
      { match: lit("sample does not have value or content field"), confidence: 0.8 },
      { match: lit("is unvalid, Please check map_keys"), confidence: 0.82 },
      { match: lit("There are errors in the dataset, the data will be deleted"), confidence: 0.6 },
      { match: rx(/Unexpected role: \w+/, "Unexpected role: "), confidence: 0.6 },
      { match: rx(/Key \w+ not found in dict_keys\(/, "not found in dict_keys("), confidence: 0.6 },
      {
        match: rx(/KeyError: (?:'[^']*'|"[^"]*"|None)/, "KeyError: "),
        near: [
          lit("aligner"),
          lit("convert_sharegpt"),
          lit("align_dataset"),
          lit("dataset"),
          lit("/data/"),
          lit("preprocess"),
          lit("collate"),
          lit("__getitem__"),
          lit("conversations"),
          lit("get_item"),
          lit("tokenize"),
        ],
        // A KeyError out of AutoConfig's model-type mapping is an old transformers (transformers_version_conflict); one
        // out of os.environ is an unset variable.
        unless: [CONFIG_MAPPING_LOOKUP, ENVIRON_LOOKUP],
        within: 30,
        confidence: 0.88,
      },
      {
        match: rx(/KeyError: (?:'[^']*'|"[^"]*"|None)/, "KeyError: "),
        unless: [CONFIG_MAPPING_LOOKUP, ENVIRON_LOOKUP],
        confidence: 0.55,
      },
      {
        match: rx(
          /Columns? (?:'[^']*'|\w+|\[[^\]\n]*\]) not in the dataset|Undefined dataset \S+ in dataset_info/,
          "not in the dataset",
          "Undefined dataset",
        ),
        confidence: 0.8,
      },
      // transformers' Trainer found none of the model's inputs among the columns (trainer.py _remove_unused_columns);
      // datasets found files with different columns (src/datasets/builder.py, DatasetGenerationCastError).
      { match: lit("No columns in the dataset match the model's forward"), confidence: 0.82 },
      { match: lit("All the data files must have the same columns"), confidence: 0.78 },
      // datasets' rename_column(s) given a column the dataset lacks (src/datasets/arrow_dataset.py), as a TRL
      // script's column mapping meets a dataset of another shape.
      { match: rx(/Original column names? .{1,400}? not in the dataset/, "not in the dataset"), confidence: 0.8 },
      // LLaMA-Factory found no sample its converter could read (src/llamafactory/data/loader.py).
      { match: lit("Cannot find valid samples"), confidence: 0.8 },
      // Round 18: a chat template's own check of the records' roles (the Llama 2 and Mistral templates of
      // tokenizer_config.json: raise_exception('Conversation roles must alternate user/assistant/user/assistant/...')),
      // met when the samples' turns (a leading system turn, two user turns, other role names) are not what it reads.
      {
        match: rx(/[Cc]onversation roles must alternate user\/assistant/, "roles must alternate user/assistant"),
        confidence: 0.75,
      },
    ],
    extract: [/KeyError: (?<key>'[^']*'|"[^"]*"|None)/],
    cause:
      "A sample lacks the field the loader reads: the dataset uses other names (sharegpt 'conversations'/'from'/'value' " +
      "versus 'messages'/'role'/'content', 'image' versus 'images') than the dataset config maps.",
    fixes: [
      {
        id: "inspect",
        summary: "Look at the keys of the first sample.",
        commands: ["python -c \"import json;d=json.load(open('<dataset_file>'));print(list(d[0].keys()), d[0])\""],
      },
      {
        id: "map-fields",
        summary:
          "Map the fields: MindSpeed-MM data.json attr (messages/role/content/images) or LLaMA-Factory dataset_info.json columns and tags (role_tag, user_tag...).",
      },
    ],
    references: ["https://github.com/hiyouga/LlamaFactory/issues/6878"],
  },
  {
    id: "nfs-cache-hang",
    category: "nfs_cache_hang",
    title:
      "A shared cache missing, stale or locked (datasets, indexes, compiled extensions; NFS and other shared filesystems)",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/lustre/lustre-release/blob/c881f8ebcbd130cf6c2b9e8862582fc5d2da5289/lustre/ptlrpc/client.c#L1502
      { match: rx(/: operation \w+ to node \S+ failed: rc = -\d+/, "to node "), confidence: 0.65 },
      // Round 24, upstream (tenth pass): https://github.com/bminor/glibc/blob/04e750e75b73957cf1c791535a3f4319534a52fc/sysdeps/gnu/errlist.h
      {
        match: rx(
          /\[Errno 108\] Cannot send after transport endpoint shutdown: '\/|cannot (?:access|open|stat) '[^']*': Cannot send after transport endpoint shutdown/,
          "transport endpoint shutdown: '/",
          "': Cannot send after transport endpoint shutdown",
        ),
        confidence: 0.68,
      },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/fs/nfs/nfs4state.c
      {
        match: rx(/NFS: state manager[^\n]* failed on NFSv4 server \S+ with error -?\d+/, "failed on NFSv4 server"),
        confidence: 0.65,
      },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/fs/nfs/nfs4state.c
      { match: lit("reports our clientid is in use"), confidence: 0.65 },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/fs/nfs/nfs4state.c
      { match: lit("NFS: migration recovery failed (server "), confidence: 0.6 },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/fs/ceph/mds_client.c
      { match: rx(/\bmds\d+ closed our session/, "closed our session"), confidence: 0.6 },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/fs/ceph/caps.c
      { match: rx(/dropping dirty \S+ state for \S+ \d+/, "dropping dirty "), confidence: 0.65 },
      // Round 22: a download or save written under a temporary name and renamed into place (os.rename(tmp, final)),
      // whose temporary file is gone when it is renamed: another process sharing the directory (each rank downloading
      // into one cache, two saves to one folder) renamed or removed it first.
      {
        match: rx(
          /FileNotFoundError: \[Errno 2\] No such file or directory: '[^'\n]*\/(?:tmp[._][^'/\n]*|[^'/\n]+\.(?:tmp|part|incomplete))' -> '/,
          "No such file or directory: '",
        ),
        confidence: 0.7,
      },
      // Round 21: tensorstore (Orbax checkpoints) cannot take its file lock where the filesystem does not implement it,
      // a network mount (kvstore/file/file_key_value_store.cc: "Failed to acquire lock on file ... Function not implemented").
      {
        match: rx(/Failed to acquire lock on file: .*Function not implemented/, "Failed to acquire lock on file"),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/triton-lang/triton/blob/10852d2ef21250fd4ac56e44ff65f82fe88a45fa/python/triton/runtime/cache.py#L126
      {
        match: rx(
          /No such file or directory: '[^']*\/tmp\.pid_\d+_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\//,
          "/tmp.pid_",
        ),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://support.hdfgroup.org/documentation/hdf5/latest/_file_lock.html
      { match: lit("unable to lock file, errno ="), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://support.hdfgroup.org/documentation/hdf5/latest/_file_lock.html
      { match: lit("file locking disabled on this file system"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/pmodels/mpich/blob/6a79bf6575c3b5b41cabbd3d59340634d6f9412d/src/mpi/romio/adio/common/lock.c#L142
      { match: rx(/File locking failed in ADIOI_\w*Set_?[Ll]ock/, "File locking failed in ADIOI_"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/pmodels/mpich/blob/6a79bf6575c3b5b41cabbd3d59340634d6f9412d/src/mpi/romio/adio/common/lock.c#L143
      { match: lit("ensure that the lockd daemon is running on all the machines"), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/lustre/lustre-release/blob/c881f8ebcbd130cf6c2b9e8862582fc5d2da5289/lustre/ptlrpc/import.c#L184
      {
        match: rx(
          /Connection to \S+ \(at \S+\) was lost; in progress operations (?:using this service )?will fail/,
          "was lost; in progress operations",
        ),
        confidence: 0.65,
      },
      // Round 19, upstream (ninth pass): https://github.com/lustre/lustre-release/blob/c881f8ebcbd130cf6c2b9e8862582fc5d2da5289/lustre/ldlm/ldlm_request.c#L119
      {
        match: rx(/### lock timed out \(enqueued at \d+, \d+s ago\), entering recovery/, "lock timed out (enqueued at"),
        confidence: 0.65,
      },
      // Round 19, upstream (ninth pass): https://github.com/torvalds/linux/blob/v6.6/fs/nfs/nfs4state.c
      { match: rx(/NFSv4: state recovery failed for open file /, "NFSv4: state recovery failed"), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/torvalds/linux/blob/v6.6/fs/nfs/nfs4state.c
      {
        match: rx(/NFS: nfs4_reclaim_(?:open_state|locks): unhandled error -?\d+/, "NFS: nfs4_reclaim_"),
        confidence: 0.6,
      },
      // Round 19, upstream (ninth pass): https://github.com/torvalds/linux/blob/v6.6/fs/ceph/mds_client.c
      { match: rx(/\bmds\d+ reconnect denied\b/, "reconnect denied"), confidence: 0.65 },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/file_download.py#L1243
      {
        match: rx(
          /No such file or directory: '[^'\n]*\/blobs\/[0-9a-f]{40,64}(?:\.[0-9a-f]{8})?\.incomplete'/,
          ".incomplete'",
        ),
        confidence: 0.75,
      },
      // torch.utils.cpp_extension prints where it builds, then waits on the build folder's lock while another process
      // compiles; a build killed midway leaves the lock behind and every later run waits there for good. A log that
      // ends on the line (nothing after it) is that wait: https://github.com/Ascend/MindSpeed/blob/41ffdea67bae8fd09347cf5944ee66de665bbab1/docs/en/FAQ.md
      // ("Torch Extensions Stuck"), https://github.com/pytorch/pytorch/blob/main/torch/utils/cpp_extension.py
      {
        match: rx(/Using\s+\S+ as PyTorch extensions root\.\.\./, "as PyTorch extensions root..."),
        atEnd: true,
        confidence: 0.7,
      },
      // Round 21: LLaMA-Factory logs each dataset as it loads it (src/llamafactory/data/loader.py, "Loading dataset
      // {name}..."); a log that ends there, nothing after it, waits on the datasets cache: another rank's lock or a
      // stale entry in the shared cache (the hang this category's documentation names at "load dataset").
      {
        match: rx(/llamafactory\.data\.loader:\d+ >> Loading dataset \S+\.\.\.$/, "Loading dataset"),
        atEnd: true,
        confidence: 0.6,
      },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/fs/lockd/mon.c
      { match: rx(/lockd: cannot monitor \S+/, "lockd: cannot monitor"), confidence: 0.65 },
      // Round 17, upstream (sixth pass): https://github.com/lustre/lustre-release/blob/master/lustre/ptlrpc/import.c
      {
        match: rx(
          /Connection to \S+ \(at \S+\) was lost; in progress operations (?:using this service )?will wait for recovery/,
          "will wait for recovery",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (sixth pass): https://github.com/lustre/lustre-release/blob/master/lustre/ptlrpc/import.c
      {
        match: rx(
          /This client was evicted by \S+; in progress operations (?:using this service )?will fail/,
          "This client was evicted by",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/fs/ceph/mds_client.c
      { match: rx(/\bmds\d+ caps stale\b/, "caps stale"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/fs/ceph/mds_client.c
      { match: rx(/ceph: mds\d+ hung\b/, "ceph: mds"), confidence: 0.65 },
      // Round 17, upstream (sixth pass): https://github.com/kahing/goofys/issues/208
      {
        match: rx(
          /\[Errno 107\] Transport endpoint is not connected: '\/|cannot (?:access|open|stat) '[^']*': Transport endpoint is not connected/,
          "Transport endpoint is not connected: '/",
          "': Transport endpoint is not connected",
        ),
        confidence: 0.68,
      },
      // Round 17, upstream (sixth pass): https://github.com/triton-lang/triton/blob/main/python/triton/runtime/cache.py
      { match: rx(/No such file or directory: '[^']*\.tmp\.pid_\d+_\d+'/, ".tmp.pid_"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/fs/nfs/inode.c
      { match: rx(/NFS: server \S+ error: fileid changed/, "error: fileid changed"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/fs/nfs/nfs4state.c
      { match: lit("reclaim_open_state: Lock reclaim failed!"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/torvalds/linux/blob/master/net/sunrpc/clnt.c
      {
        match: rx(
          /\b(?:nfs|lockd): server \S+ not responding, (?:still trying|timed out)/,
          "not responding, still trying",
          "not responding, timed out",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/torvalds/linux/blob/master/kernel/hung_task.c
      {
        match: rx(/INFO: task \S+ blocked for more than \d+ seconds/, "blocked for more than"),
        near: [lit("[sunrpc]"), lit("[nfsv4]"), lit("nfs_wait_on_request"), lit("rpc_wait_bit_killable")],
        within: 30,
        confidence: 0.72,
      },
      // Upstream phrasebook 2: datasets finding its cache directory or its split info gone (builder.py), filelock's
      // timeout on a lock another node holds, ENOLCK (flock on a mount without locks) in every locale glibc ships.
      {
        match: rx(
          /Cache directory for \S+ doesn't exist at|Missing splits info for \S+ in cache directory/,
          "doesn't exist at",
          "Missing splits info for",
        ),
        confidence: 0.75,
      },
      { match: lit("Timeout on acquiring lock"), confidence: 0.6 },
      { match: l10n("ENOLCK"), confidence: 0.7 },
      // Upstream phrasebook: ESTALE in every locale glibc ships and in Go's lower case; filelock and huggingface_hub
      // falling back to a soft lock on a filesystem without flock (NFS); pyarrow reading a half-written .arrow cache file.
      { match: l10n("ESTALE"), confidence: 0.8 },
      { match: lit("stale NFS file handle"), confidence: 0.82 },
      { match: lit("flock not supported on this filesystem"), confidence: 0.45 },
      { match: lit("does not appear to support flock"), confidence: 0.45 },
      {
        match: rx(
          /Tried reading schema message, was null or length 0|Expected to read \d+ metadata bytes, but only read \d+|Expected to be able to read \d+ bytes for message body, got \d+/,
          "Tried reading schema message",
          "metadata bytes, but only read",
          "bytes for message body, got",
        ),
        confidence: 0.6,
      },
      {
        match: lit("GPTDataset_indices"),
        near: [lit("FileNotFoundError"), lit("No such file or directory")],
        within: 20,
        confidence: 0.86,
      },
      { match: lit("pyarrow.lib.memory_map"), confidence: 0.75 },
      // ENOLCK from flock()/fcntl() (errno 37 on Linux; glibc's zh_CN text "没有可用的锁"): the file system takes no
      // locks, as an NFS mount without a lock daemon; datasets' and Hugging Face Hub's cache locks meet it first.
      {
        match: rx(/\[Errno 37\] (?:No locks available|没有可用的锁)/, "[Errno 37]"),
        confidence: 0.8,
      },
      // flock() unimplemented (ENOSYS, errno 38) on Lustre or NFS mounted without lock support.
      {
        match: lit("[Errno 38] Function not implemented"),
        near: [lit("flock"), lit("lockf")],
        within: 4,
        confidence: 0.75,
      },
      // NFS "silly rename": a file deleted while still open becomes .nfsXXXX and cannot be removed (EBUSY) until the
      // process holding it closes it; a cache or temp directory on NFS being cleaned up meets it.
      {
        match: rx(/Device or resource busy: '[^']*\.nfs[0-9a-fA-Fx]+'/, "Device or resource busy: '"),
        confidence: 0.8,
      },
      {
        match: rx(/\.incomplete\/[^\s']*\.arrow/, ".incomplete/"),
        near: [lit("No such file"), lit("FileNotFoundError")],
        within: 2,
        confidence: 0.82,
      },
      { match: lit("_memory_mapped_arrow_table_from_file"), confidence: 0.6 },
      {
        match: rx(/datasets\/[\w-]+\/default-[\w-]+/, "/default-"),
        near: [lit("FileNotFoundError"), lit("No such file or directory")],
        within: 6,
        confidence: 0.85,
      },
      { match: lit("Stale file handle"), confidence: 0.85 },
      // The kernel's NFS client (net/sunrpc/clnt.c) while the server does not answer: every reader hangs.
      { match: rx(/\bnfs: server \S+ not responding, still trying/, "not responding, still trying"), confidence: 0.8 },
      { match: lit("could not be acquired"), near: [lit("lock")], within: 2, confidence: 0.7 },
      // filelock (and datasets' copy of it) while it polls a lock it never gets: "Lock 1403… not acquired on
      // <file>.lock, waiting 0.05 seconds ..." — a filesystem without working locks, or a lock left by another run.
      { match: rx(/\bLock \d+ not acquired on \S+, waiting/, "not acquired on"), confidence: 0.72 },
      // huggingface_hub's WeakFileLock (utils/_fixes.py) logs the same wait every few seconds: "Still waiting to
      // acquire lock on <file>.lock (elapsed: 10.0 seconds)".
      { match: lit("Still waiting to acquire lock on"), confidence: 0.7 },
      // flock() itself failing (EIO, EBADF on a write-only descriptor over NFS, EOPNOTSUPP): the cache's filesystem.
      {
        match: rx(/OSError: \[Errno (?:5|9|95)\]/, "OSError: [Errno "),
        near: [lit("fcntl.flock("), lit("fcntl.lockf(")],
        within: 4,
        confidence: 0.74,
      },
      // A cache file (datasets arrow, Megatron index .npy, preprocessing parquet chunks) missing on this node.
      {
        match: rx(
          /(?:No such file or directory|Failed to open local file)[^\n]*cache[^\n]*\.(?:arrow|npy|parquet)\b/,
          "No such file or directory",
          "Failed to open local file",
        ),
        confidence: 0.8,
      },
      // Legacy Megatron's index cache beside the data prefix (megatron/data/gpt_dataset.py _build_index_mappings:
      // <prefix>_<name>_indexmap_<N>ns_<S>sl_<seed>s_{doc,sample,shuffle}_idx.npy) missing on this node.
      {
        match: rx(/(?:No such file or directory|FileNotFoundError)[^\n]*_indexmap_[^\n]*_idx\.npy/, "_indexmap_"),
        confidence: 0.82,
      },
      // ECOMM from a network filesystem while writing the cache.
      { match: lit("Communication error on send"), confidence: 0.72 },
    ],
    extract: [/Using\s+(?<ext_root>\S+) as PyTorch extensions root/],
    cause:
      "Several nodes or runs build or read the same cache (HF datasets arrow files, Megatron GPTDataset index, torch's " +
      "compiled extensions) on a shared filesystem: another node has not finished writing it, it is stale or its lock " +
      "left behind by an earlier run, or NFS has no working flock.",
    fixes: [
      {
        id: "clear-extension-lock",
        summary:
          "The log stops where torch waits for the extension build folder's lock (<ext_root>): a build killed midway " +
          "left the lock behind. Stop every rank, delete that folder (torch rebuilds it) and start again; on a home " +
          "directory the nodes share, give each node its own folder (export TORCH_EXTENSIONS_DIR=/tmp/$USER/torch_extensions " +
          "in the launch script).",
        commands: ["find <ext_root> -name lock", "rm -rf <ext_root>"],
        onlyWhen: /as PyTorch extensions root/,
      },
      {
        id: "preprocess-once",
        notWhen: /as PyTorch extensions root/,
        summary:
          "Preprocess once on one node and reuse the result (LLaMA-Factory tokenized_path; Megatron: build the index cache once).",
      },
      {
        id: "local-cache",
        notWhen: /as PyTorch extensions root/,
        summary: "Give each node a local cache directory.",
        env: { HF_DATASETS_CACHE: "<local_cache_dir>", HF_DATASETS_USE_SOFT_FILELOCK: "1" },
      },
      {
        id: "clear-stale",
        notWhen: /as PyTorch extensions root/,
        summary: "Delete the stale cache written by an earlier run.",
        commands: ["rm -rf ~/.cache/huggingface/datasets/<dataset_cache>"],
      },
    ],
    references: [
      `${MINDSPEED_FAQ} (#11)`,
      "https://github.com/hiyouga/LlamaFactory/issues/3065",
      "https://github.com/NVIDIA/Megatron-LM/issues/1355",
    ],
  },
  {
    id: "shm-bus-error",
    category: "shm_bus_error",
    title: "Shared memory (/dev/shm) too small for DataLoader workers",
    role: "primary",
    triggers: [
      // Round 21: UCX's signal handler on a bus error (ucs/debug/debug.c, "Caught signal 7 (Bus error: nonexistent
      // physical address)"): a shared-memory segment past what /dev/shm holds.
      { match: rx(/Caught signal 7 \(Bus error/, "Caught signal 7 (Bus error"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/openucx/ucx/blob/9466d104a317c8ffddd9734e72055d8bbda021b3/src/uct/sm/mm/posix/mm_posix.c#L206
      {
        match: lit("Please check that /dev/shm or the directory you specified has more available memory"),
        confidence: 0.8,
      },
      // Round 19, upstream (ninth pass): https://github.com/openucx/ucx/blob/9466d104a317c8ffddd9734e72055d8bbda021b3/src/uct/sm/mm/posix/mm_posix.c#L139
      { match: lit("could not stat shared memory device"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/open-mpi/ompi/blob/8efebee745e15516a7f5f1f295df86c78014c76c/opal/mca/shmem/posix/help-opal-shmem-posix.txt#L16
      { match: lit("A system call failed during shared memory initialization"), confidence: 0.6 },
      // Round 19, upstream (ninth pass): https://github.com/pmodels/mpich/blob/6a79bf6575c3b5b41cabbd3d59340634d6f9412d/src/pm/hydra/mpiexec/mpiexec.c#L305
      {
        match: rx(/TERMINATED WITH THE EXIT STRING: Bus error \(signal 7\)/, "EXIT STRING: Bus error"),
        confidence: 0.6,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/main/torch/multiprocessing/spawn.py
      { match: rx(/process \d+ terminated with signal SIGBUS/, "terminated with signal SIGBUS"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/python/cpython/blob/main/Python/faulthandler.c
      { match: lit("Fatal Python error: Bus error"), confidence: 0.55 },
      // Round 17, upstream (sixth pass): https://git.savannah.gnu.org/cgit/bash.git/tree/jobs.c
      { match: rx(/line \d+: +\d+ Bus error\b|\bzsh: bus error\b/, " Bus error", "zsh: bus error"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/nccl/blob/master/src/os/linux.cc
      { match: rx(/Could not map \/dev\/shm\/\S+ size \d+/, "Could not map /dev/shm/"), confidence: 0.72 },
      // Round 17, upstream (sixth pass): https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/launcher/launch.py
      { match: rx(/exits with return code = -7\b/, "exits with return code = -7"), confidence: 0.62 },
      // Round 17, upstream (sixth pass): https://github.com/moby/moby/blob/master/container/state.go
      { match: rx(/\bExited \(135\)/, "Exited (135)"), confidence: 0.55 },
      // Round 16, upstream: https://github.com/PaddlePaddle/Paddle/blob/0ab6998c22c7f4ea942b2437353f34c257e868d6/paddle/phi/core/memory/allocation/mmap_allocator.cc
      { match: lit("Memory map failed when create shared memory"), confidence: 0.65 },
      // Round 16, upstream: https://github.com/mindspore-ai/mindspore/blob/49a1082dd032ed983c66f5181712b7f2bd2e41ae/mindspore/python/mindspore/dataset/engine/datasets.py
      {
        match: rx(
          /Insufficient shared memory available\. Required: \d+, Available: \d+/,
          "Insufficient shared memory available",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/mindspore-ai/mindspore/blob/49a1082dd032ed983c66f5181712b7f2bd2e41ae/mindspore/python/mindspore/dataset/engine/datasets.py
      { match: lit("Expected /dev/shm to exist."), confidence: 0.6 },
      // Round 16, upstream: https://github.com/open-mpi/ompi/blob/v4.1.x/orte/tools/orterun/help-orterun.txt#L140
      { match: lit("exited on signal 7 (Bus error)"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/srun/launch.c#L406
      { match: rx(/srun: error: \S+: tasks? [\d,-]+: Bus error/, "srun: error: "), confidence: 0.6 },
      // Round 15, upstream: https://github.com/NVIDIA/nccl/blob/master/src/misc/shmutils.cc
      { match: rx(/NCCL WARN Call to posix_fallocate failed/, "Call to posix_fallocate failed"), confidence: 0.86 },
      // Round 15, upstream: https://sourceware.org/git/?p=glibc.git;a=blob;f=sysdeps/generic/siglist.h
      {
        match: rx(
          /Bus-Zugriffsfehler|Bus-eraro|Bussfeil|Busz hiba|Błąd szyny|Chyba na sběrnici \(neplatná adresa\) \(SIGBUS\)|Chyba na zbernici|Erreur du bus|Erro de bus|Erro no barramento|Erro no bus de datos|Error de bus|Error del bus|Errore di bus|Magistralės klaida|Napaka vodila|Sabirnička greška|Veri yolu hatası|Väylävirhe|Σφάλμα στον δίαυλο\(bus\)|Грешка на адресната шина|Грешка сабирнице|Ошибка шины|Памылка шыны|Помилка каналу обміну даними/,
          "Bus-Zugriffsfehler",
          "Bus-eraro",
          "Bussfeil",
          "Busz hiba",
          "Błąd szyny",
          "Chyba na sběrnici (neplatná adresa) (SIGBUS)",
          "Chyba na zbernici",
          "Erreur du bus",
          "Erro de bus",
          "Erro no barramento",
          "Erro no bus de datos",
          "Error de bus",
          "Error del bus",
          "Errore di bus",
          "Magistralės klaida",
          "Napaka vodila",
          "Sabirnička greška",
          "Veri yolu hatası",
          "Väylävirhe",
          "Σφάλμα στον δίαυλο(bus)",
          "Грешка на адресната шина",
          "Грешка сабирнице",
          "Ошибка шины",
          "Памылка шыны",
          "Помилка каналу обміну даними",
        ),
        confidence: 0.5,
      },
      // Round 15: Paddle's DataLoader (imperative/data_loader.cc) naming shared storage, and Open MPI's SIGBUS report.
      { match: lit("It may be caused by insufficient shared storage space"), confidence: 0.88 },
      { match: lit("bus ERROR encountered in"), confidence: 0.9 },
      {
        match: lit("Signal code: Non-existant physical address"),
        near: [lit("Signal: Bus error")],
        within: 4,
        confidence: 0.6,
      },
      // Round 12: a multiprocessing lock or queue cannot be made because /dev/shm (where POSIX semaphores live) is
      // full: ENOSPC raised from SemLock, and joblib's own check of it falling back to serial mode.
      {
        match: rx(
          /No space left on device\.\s+joblib will operate in serial mode/,
          "joblib will operate in serial mode",
        ),
        confidence: 0.8,
      },
      {
        match: lit("No space left on device"),
        near: [
          rx(
            /_multiprocessing\.SemLock|ctx\.Lock\(\)|multiprocessing\/synchronize\.py/,
            "SemLock",
            "ctx.Lock()",
            "multiprocessing/synchronize.py",
          ),
        ],
        within: 20,
        confidence: 0.78,
      },
      // Upstream phrasebook 2: Open MPI's shared-memory backing file not fitting /dev/shm, ds_report's and
      // PaddleDetection's warnings of a /dev/shm too small for DataLoader workers.
      {
        match: rx(/not enough space for \/dev\/shm\/[^\n]*\(the shared-memory backing/, "(the shared-memory backing"),
        confidence: 0.8,
      },
      { match: lit("/dev/shm size might be too small"), confidence: 0.45 },
      { match: lit("Shared memory size is less than 1G, disable shared_memory"), confidence: 0.45 },
      // Upstream phrasebook: Ray's object store falling back from a small /dev/shm (python/ray/_private/services.py).
      { match: lit("because /dev/shm has only"), confidence: 0.7 },
      { match: rx(/object store size \([^)]*\) exceeds \/dev\/shm size/, "exceeds /dev/shm size"), confidence: 0.75 },
      { match: lit("is killed by signal: Bus error"), confidence: 0.92 },
      {
        match: rx(
          /[Bb]us error encountered in|BUS error encountered in/,
          "us error encountered in",
          "BUS error encountered in",
        ),
        confidence: 0.92,
      },
      { match: lit("insufficient shared memory"), confidence: 0.9 },
      // Ray's plasma store (store_runner.cc) when /dev/shm is smaller than its object store: a container's --shm-size.
      { match: lit("exceeds memory available in /dev/shm"), confidence: 0.85 },
      // Reported in words: a bus error and shared memory (or shm) named together.
      {
        match: rx(/[Bb]us error[^\n]{0,40}(?:shared mem|\bshm\b|\/dev\/shm)/, "us error"),
        confidence: 0.72,
      },
      { match: lit("out of shared memory"), confidence: 0.86 },
      { match: lit("unable to write to file </torch_"), confidence: 0.88 },
      { match: lit("shared memory object"), near: [lit("unable to"), lit("No space")], within: 2, confidence: 0.85 },
      {
        match: lit("No space left on device"),
        near: [lit("/dev/shm"), lit("shared memory"), lit("torch_shm")],
        within: 6,
        confidence: 0.88,
      },
      {
        // torch/utils/data/dataloader.py: "DataLoader worker (pid 123) is killed by signal" and
        // "DataLoader worker (pid(s) 123, 124) exited unexpectedly".
        match: rx(
          /DataLoader worker \(pid(?:\(s\))?[^)]*\) (?:is killed by signal|exited unexpectedly)/,
          "DataLoader worker",
        ),
        // SIGKILL (usually the OOM killer) is host_oom's evidence, in glibc's zh_CN and zh_TW strsignal too.
        unless: [
          lit("is killed by signal: Killed"),
          lit("is killed by signal: 已杀死"),
          lit("is killed by signal: 強制結束"),
        ],
        within: 0,
        confidence: 0.66,
      },
      // NCCL's shared-memory transport cannot grow its segment in /dev/shm (src/misc/shmutils.cc).
      { match: lit("failed to extend /dev/shm"), confidence: 0.88 },
      { match: lit("Error while creating shared memory segment /dev/shm"), confidence: 0.86 },
      // torch's shared-memory allocator (aten/src/ATen/MapAllocator.cpp) for tensors passed between processes.
      {
        match: rx(
          /unable to allocate shared memory\(shm\) for file|unable to mmap \d+ bytes from file <\/torch_/,
          "unable to allocate shared memory(shm)",
          "unable to mmap",
        ),
        confidence: 0.86,
      },
      // torch elastic's report of a worker killed by SIGBUS (torch/distributed/elastic/multiprocessing/errors).
      {
        match: rx(
          /Signal 7 \(SIGBUS\) received|<Signals\.SIGBUS: 7>|exitcode\s*:\s*-7\b/,
          "Signal 7 (SIGBUS) received",
          "<Signals.SIGBUS: 7>",
          "exitcode",
        ),
        confidence: 0.72,
      },
      // The shell's report of SIGBUS (bash; zh_CN "总线错误", po/zh_CN.po).
      { match: rx(/\bBus error \(core dumped\)|总线错误/, "Bus error (core dumped)", "总线错误"), confidence: 0.6 },
      // gdb's report of SIGBUS (infrun.c: "Program received signal SIGBUS, Bus error.").
      { match: lit("received signal SIGBUS"), confidence: 0.55 },
    ],
    supersedes: ["disk-full", "host-oom"],
    cause:
      "DataLoader workers pass batches through /dev/shm, which is 64 MB by default in Docker: too small for image batches.",
    fixes: [
      { id: "check", summary: "Look at the size of /dev/shm.", commands: ["df -h /dev/shm"] },
      {
        id: "shm-size",
        summary: "Start the container with a large shm (or share the host's).",
        commands: ["docker run --shm-size=64g ...  # or -v /dev/shm:/dev/shm"],
      },
      {
        id: "fewer-workers",
        summary: "Or use fewer DataLoader workers.",
        edits: ["data.json: dataloader_param.num_workers = <num_workers>"],
      },
    ],
    references: ["https://github.com/open-mmlab/mmsegmentation/issues/1356"],
  },
  {
    id: "disk-full",
    category: "disk_full",
    title: "Disk full or quota exceeded",
    role: "primary",
    triggers: [
      // Round 17, upstream (sixth pass): https://github.com/madler/unzip/blob/master/fileio.c
      { match: rx(/[Ww]rite error \(disk full\?\)/, "rite error (disk full?)"), confidence: 0.85 },
      // Round 17, upstream (sixth pass): https://github.com/npm/cli/blob/latest/lib/utils/error-message.js
      { match: lit("There appears to be insufficient space on your system to finish"), confidence: 0.88 },
      // Round 17, upstream (sixth pass): https://github.com/rust-lang/rust/blob/master/library/std/src/io/error.rs
      {
        match: rx(
          /kind: (?:StorageFull|FilesystemQuotaExceeded)\b/,
          "kind: StorageFull",
          "kind: FilesystemQuotaExceeded",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (sixth pass): https://github.com/git/git/blob/master/builtin/add.c
      { match: rx(/[Uu]nable to write new index file/, "nable to write new index file"), confidence: 0.55 },
      // Round 17, upstream (sixth pass): https://github.com/s3fs-fuse/s3fs-fuse/blob/master/src/s3fs.cpp
      { match: lit("There is no enough disk space for used as cache"), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://git.savannah.gnu.org/cgit/tar.git/tree/lib/paxerror.c
      { match: rx(/Wrote only \d+ of \d+ bytes?/, "Wrote only "), confidence: 0.65 },
      // Round 17, upstream (sixth pass): https://github.com/ceph/ceph/blob/main/src/osd/OSDMap.cc
      { match: rx(/\b\d+ full osd\(s\)/, " full osd(s)"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/juicedata/juicefs/blob/main/pkg/chunk/disk_cache.go#L47
      { match: lit("space not enough on device"), confidence: 0.78 },
      // Round 16, upstream (second pass): https://github.com/python/cpython/blob/main/Lib/tempfile.py
      { match: lit("No usable temporary directory found in"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-faultdiag/src/ascend_fd/configuration/kg-config.json#L3302
      { match: lit("No space left on disk"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/hicann/driver/blob/master/scripts/package/driver/common/scripts/install.sh#L396
      {
        match: rx(
          /free space only \S+, cannot install (?:driver|firmware) package/,
          "cannot install driver package",
          "cannot install firmware package",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/numpy/numpy/blob/1f90bbb55e65e7de68921bc3f1a2d94492fdf689/numpy/_core/src/multiarray/convert.c#L75
      { match: lit("Not enough free space to write "), confidence: 0.85 },
      // Round 15, upstream: https://salsa.debian.org/apt-team/apt/-/blob/main/apt-pkg/acquire.cc
      { match: lit("You don't have enough free space in"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/ray-project/ray/blob/master/python/ray/exceptions.py
      {
        match: rx(
          /local disk's utilization is over capacity|\bOutOfDiskError\b/,
          "utilization is over capacity",
          "OutOfDiskError",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/api/core/v1/well_known_taints.go
      { match: lit("node.kubernetes.io/disk-pressure"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/eviction/eviction_manager.go
      { match: rx(/The node had condition: \[[^\]]*DiskPressure/, "The node had condition: "), confidence: 0.75 },
      // Round 15, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/images/image_gc_manager.go
      { match: lit("arbage collect required amount of images"), confidence: 0.65 },
      // Round 14: the kubelet evicting a pod for its node's or its own disk (pkg/kubelet/eviction/helpers.go: "The node
      // was low on resource: ephemeral-storage.", "Pod ephemeral local storage usage exceeds the total limit of
      // containers 5Gi.", "Container x exceeded its local ephemeral storage limit", an emptyDir over its sizeLimit).
      {
        match: rx(
          /The node was low on resource: (?:ephemeral-storage|nodefs|imagefs)|Pod ephemeral local storage usage exceeds the total limit|exceeded its local ephemeral storage limit|Usage of EmptyDir volume "[^"]*" exceeds the limit/,
          "The node was low on resource: ",
          "Pod ephemeral local storage usage exceeds",
          "exceeded its local ephemeral storage limit",
          "Usage of EmptyDir volume",
        ),
        confidence: 0.85,
      },
      // Round 12: a short write (fewer bytes written than asked) while saving: the volume filled up. dmlc/MXNet's
      // local file stream check, Lua Torch's THDiskFile.
      { match: lit("FileStream.Write incomplete"), confidence: 0.62 },
      { match: rx(/write error: wrote \d+ blocks instead of \d+/, "write error: wrote "), confidence: 0.62 },
      // ENOSPC and EDQUOT in every locale glibc ships (strerror-l10n.ts); Docker's and Go's lower-case EDQUOT; the
      // profiler refusing to collect on a nearly full volume (upstream phrasebook).
      { match: l10n("ENOSPC"), confidence: 0.85 },
      { match: l10n("EDQUOT"), confidence: 0.85 },
      { match: lit("disk quota exceeded"), confidence: 0.85 },
      { match: rx(/less than \d+MB\. Data will not be collected/, "Data will not be collected"), confidence: 0.7 },
      {
        // ENOSPC as Python, the C library (English; zh_CN "设备上没有空间", po/zh_CN.po) and Go (lower case, docker and
        // containerd) print it; Windows ERROR_DISK_FULL (112).
        match: rx(
          /\[Errno 28\]|[Nn]o space left on device|设备上没有空间|There is not enough space on the disk|\[WinError 112\]/,
          "[Errno 28]",
          "o space left on device",
          "设备上没有空间",
          "not enough space on the disk",
          "[WinError 112]",
        ),
        unless: [lit("/dev/shm"), lit("</torch_"), lit("shared memory")],
        within: 6,
        confidence: 0.9,
      },
      { match: rx(/\[Errno 122\]|Disk quota exceeded/, "[Errno 122]", "Disk quota exceeded"), confidence: 0.9 },
      // huggingface_hub's check before a download (file_download.py _check_disk_space).
      { match: lit("Not enough free disk space to download the file"), confidence: 0.75 },
      // datasets' own check before preparing a dataset (builder.py) and SQLite's SQLITE_FULL (wandb, optuna caches).
      { match: lit("Not enough disk space. Needed:"), confidence: 0.8 },
      { match: lit("database or disk is full"), confidence: 0.7 },
      // A program's own warning that its output will not fit (unsloth's GGUF export: "will use too much disk space").
      {
        match: rx(
          /(?:use|uses|need|needs|require|requires) too much disk space|[Nn]ot enough disk space|[Ii]nsufficient disk space/,
          "too much disk space",
          "ot enough disk space",
          "nsufficient disk space",
        ),
        confidence: 0.72,
      },
      {
        match: rx(
          /file write failed|PytorchStreamWriter failed writing/,
          "file write failed",
          "PytorchStreamWriter failed",
        ),
        confidence: 0.7,
      },
      // torch.save's zip writer stopped short of the bytes it wrote (caffe2/serialize/inline_container.cc).
      // PyTorchStreamWriter (caffe2/serialize/inline_container.cc) after a short write: "unexpected pos N vs M".
      { match: rx(/\bunexpected pos \d+ vs \d+/, "unexpected pos"), confidence: 0.7 },
    ],
    extract: [/(?:No space left on device|Disk quota exceeded)\)?:? '(?<path>\/[^']+)'/],
    cause:
      "The volume the job writes to (checkpoints, logs, caches) is full, or the user's quota is used up while df looks " +
      "fine; on Kubernetes, the pod's ephemeral storage (its writable layer, logs and emptyDir) passed its limit or the " +
      "node's, and the kubelet evicted it.",
    fixes: [
      {
        id: "check",
        summary: "See what is full.",
        commands: ["df -h <save_dir>", "du -sh <save_dir>/* | sort -h | tail", "quota -s"],
      },
      {
        id: "free",
        summary: "Delete old checkpoints (keep the newest iter_*), save elsewhere, or keep fewer (save_total_limit).",
      },
      {
        id: "pod-storage",
        summary:
          "For a pod the kubelet evicted: write checkpoints, caches (HF_HOME) and datasets to a mounted volume (a PVC or a " +
          "hostPath) instead of the container's filesystem, or raise the pod's ephemeral-storage request and limit.",
        commands: ["kubectl describe pod <pod> | grep -iA3 evict", "kubectl describe node <node> | grep -i ephemeral"],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#13)`, "https://github.com/databrickslabs/dolly/issues/139"],
  },
  {
    id: "missing-weights",
    category: "missing_weights",
    title: "Weights not found at the configured path",
    role: "primary",
    triggers: [
      // Round 22: mmcv's checkpoint loader (runner/checkpoint.py _load_checkpoint, load_from_local: `if not
      // osp.isfile(filename): raise IOError(f'{filename} is not a checkpoint file')`), copied by PaddleVideo and others:
      // the path names no file.
      { match: rx(/(?:IOError|OSError): \S+ is not a checkpoint file/, "is not a checkpoint file"), confidence: 0.75 },
      // Round 22: transformers' and pytorch-pretrained-bert's cached_path (file_utils.py: a name with no URL scheme that
      // is not on disk, `raise EnvironmentError("file {} not found".format(url_or_filename))`): a local model file
      // (config, weights, vocabulary) the path does not hold.
      {
        match: rx(
          /(?:OSError|EnvironmentError): [Ff]ile (?:[A-Za-z]:)?[^\s:]+ not found\s*$/,
          "OSError: file ",
          "OSError: File ",
          "EnvironmentError: file ",
          "EnvironmentError: File ",
        ),
        confidence: 0.7,
      },
      // Round 21: a loader's bare `assert path.is_file(), path` on a weights file: the assertion prints the path alone.
      {
        match: rx(/(?:^|\s)AssertionError: \S+\.(?:pth|pt|bin|safetensors|ckpt|gguf)\s*$/, "AssertionError: "),
        confidence: 0.7,
      },
      // Round 20, tune: an index naming shard files the folder lacks, in a loader's words ("Weight files referenced in index
      // but missing"), and mlx-lm's load of a folder without weights ("No safetensors found in").
      { match: lit("Weight files referenced in index but missing"), confidence: 0.8 },
      { match: rx(/No safetensors found in \S/, "No safetensors found in"), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py#L817
      { match: rx(/Entry Not Found for url: https?:\/\/\S+\/resolve\//, "Entry Not Found for url: "), confidence: 0.6 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/modelscope/blob/7a37e99b6b00bfcb00dbd71078ea3f0159444d69/modelscope/hub/snapshot_download.py#L274
      {
        match: lit("Cannot find the requested files in the cached path and outgoing traffic has been disabled"),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/git/git/blob/master/convert.c
      { match: rx(/git-lfs filter-process: git-lfs: command not found/, "git-lfs filter-process"), confidence: 0.7 },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/diffusers/blob/main/src/diffusers/pipelines/pipeline_utils.py#L937
      {
        match: rx(
          /You are trying to load (?:the )?model files of the `variant=[^`]*`, but no such modeling files are available/,
          "but no such modeling files are available",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/diffusers/blob/main/src/diffusers/pipelines/pipeline_loading_utils.py#L1125
      {
        match: rx(
          /Could not find the necessary `safetensors` weights in .*\(variant=/,
          "Could not find the necessary `safetensors` weights",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (eighth pass): https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/cli/_errors.py#L80
      {
        match: rx(
          /Error: File not found in (?:model|dataset|space|kernel|repository)(?: '[^'\n]+')?\./,
          "File not found in ",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/safetensors/blob/24b0b2857fef49be734b9ab72ce97c09bb25f5b9/bindings/python/src/lib.rs#L1031
      {
        match: rx(
          /(?:Could not read tensor \S+ from file|pread failed for tensor \S+): failed to fill whole buffer/,
          "failed to fill whole buffer",
        ),
        confidence: 0.66,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/fsdp/checkpoint/hf_utils.py#L67
      { match: rx(/Shard '[^'\n]+' referenced by \S+ is missing: \S+/, "' referenced by "), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/fsdp/checkpoint/hf_utils.py#L73
      {
        match: rx(
          /No HF safetensors weights found under \S+|Could not find safetensors index file in directory \S+/,
          "No HF safetensors weights found under",
          "Could not find safetensors index file in directory",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream (third pass): https://github.com/modelscope/modelscope/blob/master/modelscope/hub/file_download.py#L307
      {
        match: rx(
          /download incomplete, content_length: \d+ but the\s+file downloaded length: \d+/,
          "download incomplete, content_length:",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (third pass): https://github.com/modelscope/modelscope/blob/master/modelscope/hub/utils/utils.py#L274
      {
        match: rx(
          /integrity check failed, expected sha256 signature is \w+, actual is \w+, the download may be incomplete/,
          "integrity check failed, expected sha256 signature is",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/Lightning-AI/litgpt/blob/26857050fe3ff627cd714fe92f5838f51a3d5efa/litgpt/config.py#L221
      { match: lit("nor matching config exists."), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/Lightning-AI/litgpt/blob/26857050fe3ff627cd714fe92f5838f51a3d5efa/litgpt/scripts/convert_hf_checkpoint.py#L851
      {
        match: rx(/Expected '[^']*' to contain \.bin or \.safetensors files/, "to contain .bin or .safetensors files"),
        confidence: 0.85,
      },
      // Round 16, upstream (second pass): https://github.com/Lightning-AI/litgpt/blob/26857050fe3ff627cd714fe92f5838f51a3d5efa/litgpt/tokenizer.py#L17
      {
        match: rx(/The checkpoint directory does not exist: \S/, "The checkpoint directory does not exist"),
        confidence: 0.7,
      },
      // Round 16, upstream (second pass): https://github.com/Lightning-AI/litgpt/blob/26857050fe3ff627cd714fe92f5838f51a3d5efa/litgpt/utils.py#L134
      {
        match: rx(
          /checkpoint_dir '[^']*' (is missing the files|is not a checkpoint directory)/,
          "is missing the files",
          "is not a checkpoint directory",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/utils/load_checkpoint_utils.py#L122
      {
        match: rx(
          /No rank_0 folder or ckpt files are found under \S|not support mode: no valid checkpoint files found/,
          "No rank_0 folder or ckpt files",
          "no valid checkpoint files found",
        ),
        confidence: 0.65,
      },
      // Round 16, upstream (second pass): https://github.com/axolotl-ai-cloud/axolotl/blob/067b021c8b87a9e5e380b9173c704cf7340e30f5/src/axolotl/cli/utils/lora_merge.py#L2028
      { match: rx(/No model shards found in \S/, "No model shards found in"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/atb_llm/utils/loader/safetensor_file_loader.py#L78
      {
        match: rx(/Weight file was not found for tensor named with \S+/, "Weight file was not found for tensor"),
        confidence: 0.7,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/mindie_llm/runtime/utils/loader/weight_utils.py#L92
      { match: lit("The input model id is not exists or not a directory"), confidence: 0.75 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/util/tensor_slice_reader.cc
      {
        match: lit("Unsuccessful TensorSliceReader constructor: Failed to find any matching files for"),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/saver.py
      { match: lit("The passed save_path is not a valid checkpoint: "), confidence: 0.78 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/training/checkpoint_utils.py
      { match: lit("Couldn't find 'checkpoint' file or checkpoints in given directory"), confidence: 0.75 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/saved_model/loader_impl.py
      { match: rx(/SavedModel file does not exist at: ?\S*/, "SavedModel file does not exist at"), confidence: 0.72 },
      // Round 16, upstream: https://github.com/open-mmlab/mmengine/blob/254342938d9bde1775c39ea7d5181c5d294026c4/mmengine/runner/checkpoint.py#L643
      { match: lit("No state_dict found in checkpoint file"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/facebookresearch/detectron2/blob/02b5c4e295e990042a714712c21dc79b731e8833/detectron2/checkpoint/detection_checkpoint.py#L45
      { match: rx(/File \S+ not found on main worker/, "not found on main worker"), confidence: 0.75 },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/loaders/single_file.py#L172
      { match: lit("Weights for this component appear to be missing in the checkpoint"), confidence: 0.78 },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/models/model_loading_utils.py#L209
      { match: lit("Unable to load weights from checkpoint file for '"), confidence: 0.72 },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/loaders/single_file_utils.py#L1758
      { match: lit("The provided checkpoint does not seem to contain a valid CLIP model"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/core/classes/modelPT.py#L487
      { match: rx(/Can't find \S+\.nemo\b/, "Can't find "), confidence: 0.72 },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/pipelines/pipeline_utils.py#L878
      {
        match: rx(
          /The provided (?:pretrained_model_name_or_path|config) "[^"]*" is neither a valid local path nor a valid repo id/,
          "is neither a valid local path nor a valid repo id",
        ),
        confidence: 0.65,
      },
      // Round 16, upstream: https://github.com/huggingface/safetensors/blob/24b0b2857fef49be734b9ab72ce97c09bb25f5b9/bindings/python/src/lib.rs#L809
      {
        match: rx(/SafetensorError: File does not contain tensor \S+/, "File does not contain tensor"),
        confidence: 0.55,
      },
      // Round 16, upstream: https://github.com/google/sentencepiece/blob/master/src/sentencepiece_processor.cc
      {
        match: rx(
          /could not parse ModelProto from |model_proto->ParseFromArray\(serialized\.data\(\), serialized\.size\(\)\)/,
          "could not parse ModelProto from",
          "model_proto->ParseFromArray",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/AutoGPTQ/AutoGPTQ/blob/9f7d37072917ab3a7545835f23e808294a542153/auto_gptq/modeling/_utils.py#L766
      {
        match: rx(
          /Could not find a model in \S+ with a name in .*Please specify the argument model_basename/,
          "Please specify the argument model_basename",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/features_manager/convert_checkpoint/convert_checkp
      { match: lit("cannot find safetensor, please check load dir"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_ckpt_deepseek4.py#L102
      { match: lit("Model path does not exist:"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_mg2hf.py#L161
      {
        match: rx(/can not find \S*latest_checkpointed_iteration\.txt/, "latest_checkpointed_iteration.txt"),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_ckpt_deepseek4.py#L524
      { match: lit("No *.safetensors found under"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/checkpoint/sora_model/convert_utils/save_load_utils.py#L113
      { match: lit("No .safetensors files found in directory:"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_ckpt_mamba2.py#L110
      { match: lit("No valid weight files (.bin or .safetensors) were found or loaded."), confidence: 0.85 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/posttrain/ldt_sft/convert_ckpt_pp_vpp.py#L80
      {
        match: rx(/Tracker file not found: \S*latest_checkpointed_iteration/, "Tracker file not found: "),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/checkpoint/vlm_model/mm_to_hf.py#L40
      { match: lit("safetensors.index.json not in"), confidence: 0.62 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/core/distill/teacher_model_manager.py#L205
      { match: lit("Teacher checkpoint path not found:"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/training/initialize.py#L238
      { match: lit("Specified weight path does not exist:"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.9.2/src/transformers/configuration_utils.py
      {
        match: rx(
          /Can't load (?:config|weights) for '(?:[.~/]|[A-Za-z]:[\\/])/,
          "Can't load config for '",
          "Can't load weights for '",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/safetensors/blob/24b0b2857fef49be734b9ab72ce97c09bb25f5b9/bindings/python/src/lib.rs#L624
      {
        match: rx(
          /Error while deserializing header: (?:header too large|header too small|invalid header length|incomplete metadata, file not fully covered|invalid JSON in header|invalid UTF-8 in header|HeaderTooSmall|InvalidHeaderLength|InvalidHeaderDeserialization|InvalidHeader\b)/,
          "Error while deserializing header: ",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/modeling_utils.py#L547
      { match: lit("Unable to load weights from pytorch checkpoint file for"), confidence: 0.62 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/hub.py#L468
      { match: rx(/Could not locate \S+ inside \S+\./, "Could not locate "), confidence: 0.72 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/hub.py#L1067
      { match: lit("Can't find a checkpoint index ("), confidence: 0.72 },
      // Round 15, upstream: https://github.com/huggingface/huggingface_hub/blob/ee0a4510f4bc15e26cb722be2efc2bdb01383ca0/src/huggingface_hub/_snapshot_download.py#L576
      {
        match: rx(/The cached snapshot for '[^']+' \(revision [^)\n]*\) is incomplete/, "The cached snapshot for '"),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/utils/hub_utils.py#L95
      { match: rx(/ValueError: path: '\/[^'\n]*' not found/, "ValueError: path: '"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/model.py#L758
      {
        match: rx(
          /LoRA adapter path not found: \S+|adapter_config\.json not found in \S+/,
          "LoRA adapter path not found",
          "adapter_config.json not found in",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/src/llama-model-loader.cpp
      { match: lit("data is not within the file bounds, model is corrupted or incomplete"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/gguf.cpp
      { match: rx(/gguf_init_from_file\w*: invalid magic characters/, "invalid magic characters"), confidence: 0.7 },
      // Round 15: loaders finding no weight files where the model should be (meta-llama generation.py "no checkpoint files
      // found in", llama.cpp's converter "Can't find model in directory" and "Missing or incomplete model files",
      // torchtune's "No file with name: … found in", MLC's parameter shard checks).
      { match: rx(/[Nn]o checkpoint files found in/, "o checkpoint files found in"), confidence: 0.8 },
      { match: lit("Can't find model in directory"), confidence: 0.8 },
      { match: lit("Missing or incomplete model files"), confidence: 0.82 },
      { match: rx(/No file with name: \S+ found in \S+/, "No file with name: "), confidence: 0.75 },
      { match: lit("Parameters are not loaded properly. Please check your parameter shards"), confidence: 0.82 },
      { match: lit("Encountered an corrupted parameter shard"), confidence: 0.85 },
      // Round 13: llama.cpp's loader (llama_model_loader) when the GGUF file cannot be opened or read: "failed to load
      // model from ./models/…/ggml-model-q4_0.gguf" — absent, or not a complete GGUF file.
      { match: rx(/llama_model_loader: failed to load model from/, "failed to load model from"), confidence: 0.6 },
      // Round 13: Meta's LLaMA loader (llama/generation.py) counting the checkpoint shards in ckpt_dir: "Loading a
      // checkpoint for MP=0 but world size is 1" — no *.pth there at all.
      { match: lit("Loading a checkpoint for MP=0 but world size is"), confidence: 0.82 },
      // A shard a checkpoint index names (transformers' model-00001-of-00003.safetensors naming) that is not on disk, and
      // a loader's "no weights file found in <dir>".
      {
        match: rx(
          /No such file or directory: ?["'][^"'\n]*model-\d{5}-of-\d{5}\.(?:safetensors|bin)["']/i,
          "such file or directory",
        ),
        confidence: 0.8,
      },
      { match: lit("no weights file found in"), confidence: 0.8 },
      {
        match: rx(/Repo id must use alphanumeric chars[^\n]*: '\.{0,2}\//, "Repo id must use alphanumeric chars"),
        confidence: 0.75,
      },
      // Upstream phrasebook: transformers (shards an index names but the folder lacks, "Can't load the model for",
      // "Unable to locate the file … necessary to load this pretrained model", a folder with no index or weights file),
      // huggingface_hub offline with nothing cached (LocalEntryNotFoundError), PEFT's adapter lookups, accelerate's
      // load_checkpoint_in_model, Megatron's --exit-on-missing-checkpoint and finetune load, MindSpeed's converters.
      {
        match: rx(
          /does not appear to have files named \(|Can't load the model for '|Unable to locate the file [^\n]* which is necessary to load this pretrained model|is not a folder containing a `\.index\.json` file or a/,
          "does not appear to have files named (",
          "Can't load the model for '",
          "necessary to load this pretrained model",
          "is not a folder containing a `.index.json`",
        ),
        confidence: 0.82,
      },
      {
        match: rx(
          /Cannot find the requested files in the disk cache and outgoing traffic has been disabled|Cannot find an appropriate cached snapshot folder for the specified revision/,
          "outgoing traffic has been disabled",
          "cached snapshot folder",
        ),
        confidence: 0.8,
      },
      {
        match: rx(/Can't find weights for \S+ in \S+ or in the Hugging Face Hub/, "or in the Hugging Face Hub"),
        confidence: 0.85,
      },
      { match: lit("Can't find 'adapter_config.json' at"), confidence: 0.85 },
      { match: lit("`checkpoint` should be the path to a file containing a whole state dict"), confidence: 0.8 },
      {
        match: rx(/'--exit-on-missing-checkpoint' is set but no checkpoint was found/, "--exit-on-missing-checkpoint"),
        confidence: 0.85,
      },
      { match: lit("No checkpoint found in load directory or pretrained"), confidence: 0.8 },
      { match: lit("Not found supported weight file"), confidence: 0.85 },
      { match: lit("Checkpoint tracker file not found at"), confidence: 0.8 },
      { match: lit("Hugging Face directory not found:"), confidence: 0.8 },
      {
        match: rx(
          /Can't load (?:tokenizer|the configuration of) for '\/|Can't load the configuration of '\//,
          "Can't load ",
        ),
        confidence: 0.72,
      },
      { match: lit("will not load any checkpoints and will start from random"), confidence: 0.85 },
      { match: lit("could not find the metadata file"), confidence: 0.8 },
      {
        match: rx(
          /No \*\.safetensors files found in|No config\.json in/,
          "safetensors files found in",
          "No config.json in",
        ),
        confidence: 0.85,
      },
      { match: lit("does not appear to have a file named"), confidence: 0.85 },
      // pytorch/examples' resume check (imagenet/main.py: "=> no checkpoint found at '{}'"), copied by many projects.
      { match: rx(/[Nn]o checkpoint found at/, "o checkpoint found at"), confidence: 0.72 },
      { match: lit("Error no file named"), confidence: 0.85 },
      {
        match: rx(
          /No such file or directory: ['"][^'"]*(?:pytorch_model|model|adapter_model|diffusion_pytorch_model)[\w.-]*\.(?:bin|safetensors|pt|pth)['"]/,
          "No such file or directory: '",
        ),
        // A path that starts with "--" is a command-line flag read as the path (input-path-missing), not weights.
        unless: [lit("No such file or directory: '--")],
        within: 0,
        confidence: 0.8,
      },
      // Any missing file with a weight file's extension, or under a checkpoint directory (torch.load, paddle.load,
      // Keras and MindSpore loaders open the path they were given).
      {
        match: rx(
          /No such file or directory: ['"][^'"]*(?:\.(?:pt|pth|bin|safetensors|ckpt|pdparams)|(?:ckpts?|checkpoints?)\/[^'"]*)['"]/i,
          "No such file or directory: ",
        ),
        unless: [lit("No such file or directory: '--")],
        within: 0,
        confidence: 0.7,
      },
      // The same in a program's own words: "Failed to load: x.pth (file not exist)", "model.safetensors not found".
      {
        match: rx(
          /(?:not exist|not found|No such file)[^\n]*\.(?:pt|pth|bin|safetensors|ckpt|pdparams)\b|\.(?:pt|pth|bin|safetensors|ckpt|pdparams)\b[^\n]*(?:not exist|not found)/,
          "not exist",
          "not found",
          "No such file",
        ),
        unless: [lit("No such file or directory: '--")],
        within: 0,
        confidence: 0.66,
      },
      // transformers' cached_file (utils/hub.py) for a name that is no local folder: a path (absolute, ./, ~, C:\, or a
      // trainer's checkpoint-<step> folder) is a local directory that is not there; any other name the Hub refused is
      // hub_access.
      {
        match: rxWhen(NOT_A_LOCAL_FOLDER, ["is not a local folder"], (g) => isLocalPath(g.name!)),
        confidence: 0.82,
      },
      { match: CHECKPOINT_STEP_NOT_LOCAL, confidence: 0.82 },
      // A local path that does not exist is taken for a Hub repo id (huggingface_hub utils/_validators.py), which
      // transformers reports as an incorrect path, or as a file it could not fetch offline (src/transformers/utils/hub.py).
      { match: lit("Repo id must be in the form 'repo_name' or 'namespace/repo_name'"), confidence: 0.78 },
      { match: lit("Incorrect path_or_model_id"), confidence: 0.8 },
      // MindSpeed-LLM FAQ #1 (docs/zh/FAQ.md): CKPT_LOAD_DIR does not point at the converted weights.
      { match: lit("Checkpoint path not found"), confidence: 0.72 },
      // vLLM's weight loader (model_executor/model_loader): no weight files under the model path.
      { match: lit("Cannot find any model weights with"), confidence: 0.82 },
      // MindSpore's load_checkpoint (mindspore/train/serialization.py): the file given is not a .ckpt or is absent.
      {
        match: rx(
          /For 'load_checkpoint', the checkpoint file(?: should end with '\.ckpt'|: \S+ does not exist)/,
          "For 'load_checkpoint', the checkpoint file",
        ),
        confidence: 0.8,
      },
      // transformers' tokenizer loader (tokenization_utils_base.py) when neither a directory nor a Hub id resolves.
      { match: rx(/Can't load tokenizer for '[^']+'/, "Can't load tokenizer for"), confidence: 0.72 },
      // A weight file that is a git-lfs pointer or a partial download: safetensors cannot read its header, and
      // torch.load / pickle reads the pointer's "version https://git-lfs..." text.
      { match: lit("Error while deserializing header: HeaderTooLarge"), confidence: 0.72 },
      { match: lit("invalid load key, 'v'"), confidence: 0.6 },
      // transformers' own check for a git-lfs pointer (modeling_utils.py load_state_dict) and a truncated safetensors
      // file (ms-swift FAQ: "Error while deserializing header: MetadataIncompleteBuffer" — the weights are corrupted).
      { match: lit("You seem to have cloned a repository without having git-lfs installed"), confidence: 0.85 },
      { match: lit("Error while deserializing header: MetadataIncompleteBuffer"), confidence: 0.68 },
      { match: rx(/couldn't find (?:it|them) in the cached files/, "in the cached files"), confidence: 0.7 },
    ],
    extract: [/metadata file (?<path>\S+)/, /found in (?:directory )?(?<path>\S+?)\.?$/],
    cause:
      "The load path holds no usable weights: HF weights were given to a Megatron loader without mm-convert, LOAD_PATH " +
      "points at the wrong directory, or the model directory is incomplete.",
    fixes: [
      {
        id: "check-path",
        summary:
          "Look at the load directory: converted weights have latest_checkpointed_iteration.txt and release/ or iter_*/.",
        commands: ["ls <load_dir>"],
      },
      {
        id: "convert",
        summary: "Convert HF weights with mm-convert and point LOAD_PATH at the result (MindSpeed-MM FAQ #5).",
      },
      {
        // A weight file the reader finds cut short (torch's zip or legacy reader, a safetensors header).
        id: "download-again",
        summary:
          "The weight file is cut short: compare its size or checksum with the source's (the Hub's file list, the " +
          "release page), delete the cached copy (~/.cache/huggingface, ~/.cache/torch/hub/checkpoints) and download " +
          "it again. If a run of yours saved it, the save was cut short: load an earlier, complete checkpoint.",
        onlyWhen:
          /failed finding central directory|unexpected EOF, expected \d+ more bytes|MetadataIncompleteBuffer|incomplete metadata, file not fully covered/,
      },
    ],
    references: [`${MINDSPEED_FAQ} (#5)`],
  },
  {
    // The generic form of a missing input: named last in the precedence table, so any rule that knows which file
    // is missing (weights, a dataset cache, a benchmark TSV, a CR in a path) explains it.
    id: "input-path-missing",
    category: "input_path_missing",
    title: "A file or directory the run reads does not exist",
    role: "primary",
    triggers: [
      // Round 17, upstream (seventh pass): https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/image_utils.py#L484
      {
        match: rx(
          /Incorrect image source\. Must be a valid URL starting with `http:\/\/` or `https:\/\/`, a valid path to an image file, or a base64 encoded string\. Got [^\n]*\.(?:jpe?g|JPE?G|png|PNG|webp|bmp|gif|tiff?)\. Failed with/,
          "Incorrect image source.",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/data/data_utils/video_reader.py#L254
      { match: rx(/RuntimeError: File not found: \S/, "RuntimeError: File not found: "), confidence: 0.72 },
      // Round 17, upstream (seventh pass): https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/template/vision_utils.py#L428
      { match: rx(/Could not open video file \S/, "Could not open video file "), confidence: 0.6 },
      // Round 17, upstream (seventh pass): https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/data/data_utils.py#L201
      { match: lit("No JSON/JSONL files found in the specified path: "), confidence: 0.7 },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/packaged_modules/json/json.py#L82
      {
        match: rx(
          /At least one data file must be specified, but got data_files=(?:None|\{\}|\[\])/,
          "At least one data file must be specified",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/Megatron-DeepSpeed/blob/4efb479d5317ce9b86096b9d8e3e8030b0b5263b/megatron/data/indexed_dataset.py#L50
      {
        match: lit("Path should be a basename that both .idx and .bin can be appended to get full filenames"),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/preprocess/utils.py#L150
      { match: rx(/Cannot load \S*dataset_info\.json\./, "Cannot load "), confidence: 0.65 },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/preprocess/utils.py#L705
      { match: lit("ValueError: File not found."), confidence: 0.6 },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/core/datasets/dataset_preprocess.py#L47
      {
        match: rx(/\[DataConvert\] Expected raw file\/dir but got: \S/, "[DataConvert] Expected raw file/dir"),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/core/datasets/dataset_preprocess.py#L155
      { match: lit("[DataConvert] Missing output prefix for training:"), confidence: 0.65 },
      // Round 17, upstream (seventh pass): https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499-
      {
        match: rx(/\[WinError 3\] (?:The system cannot find the path specified|系统找不到指定的路径)/, "[WinError 3] "),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/preprocess/data_handler.py#L1107
      { match: lit("unknown local data!"), confidence: 0.55 },
      // Round 16, upstream (third pass): https://github.com/python/cpython/blob/main/Modules/main.c
      { match: rx(/can't open file '[^'\n]+': \[Errno 2\] 没有那个文件或目录/, "can't open file '"), confidence: 0.78 },
      // Round 16, upstream (third pass): https://github.com/bminor/glibc/blob/master/po/zh_CN.po
      { match: rx(/\[Errno 2\] 没有那个文件或目录: '[^']+'/, "没有那个文件或目录: '"), confidence: 0.55 },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/applications/ColossalChat/coati/dataset/loader.py#L43
      {
        match: rx(/Not existed file path \S|Not find data dir \S/, "Not existed file path", "Not find data dir"),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/context/config.py#L70
      { match: lit("is not found, please check your configuration path"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/utils.py#L128
      { match: rx(/The file_path:\S+ is not exist\./, "is not exist."), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/dataset/dataloader/adgen_dataloader.py#L56
      { match: rx(/Error: \S+ is not existed\./, "is not existed."), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/axolotl-ai-cloud/axolotl/blob/067b021c8b87a9e5e380b9173c704cf7340e30f5/src/axolotl/utils/data/shared.py#L206
      {
        match: lit("The dataset could not be loaded. This could be due to a misconfigured dataset path"),
        confidence: 0.7,
      },
      // Round 16, upstream (second pass): https://github.com/webdataset/webdataset/blob/e0953f9bba17b416d5792d5a263b171c266e78be/src/webdataset/shardlists.py#L314
      { match: lit("empty_check=True, but no shards found in ResampledShards"), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/open-compass/opencompass/blob/a5acc4bba3b658f151617a3b393602110fb7a740/opencompass/utils/datasets.py#L94
      { match: rx(/No valid url for \S+!/, "No valid url for "), confidence: 0.72 },
      // Round 16, upstream (second pass): https://github.com/open-compass/opencompass/blob/a5acc4bba3b658f151617a3b393602110fb7a740/opencompass/utils/run.py#L74
      {
        match: lit("The provided pattern matches 0 or more than one config. Please verify your pattern"),
        confidence: 0.72,
      },
      // Round 16, upstream (second pass): https://github.com/dmlc/decord/blob/d2e56190286ae394032a8141885f76d5372bd44b/src/video/video_reader.cc#L83
      { match: rx(/ERROR opening: \S+, No such file or directory/, "ERROR opening: "), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/pytorch/vision/blob/v0.29.1/torchvision/datasets/cifar.py#L69
      {
        match: rx(
          /Dataset not found(?: or corrupted)?\. You (?:can|may) use download=True to download it|Dataset not found or incomplete\. Please make sure all required folders/,
          "Dataset not found",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/vision/blob/v0.29.1/torchvision/datasets/imagenet.py#L103
      {
        match: rx(
          /The (?:archive|meta file) \S+ is not present in the root directory or is corrupted/,
          "is not present in the root directory",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/vision/blob/v0.29.1/torchvision/datasets/folder.py#L101
      { match: lit("Found no valid file for the classes "), confidence: 0.62 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L1347
      {
        match: rx(
          /Please specify the data files or data directory to load for the \w+ dataset builder/,
          "Please specify the data files or data directory",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L1677
      { match: lit("It should be either non-empty or None (default)."), confidence: 0.6 },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/strategies/deepspeed.py#L837
      { match: lit("You passed in a path to a DeepSpeed config but the path does not exist"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/kohya-ss/sd-scripts/blob/48d368fa557731ad0488c07304dfeba8c07910eb/library/config_util.py#L678
      { match: lit("file not found / ファイルが見つかりません: "), confidence: 0.85 },
      // Round 16, upstream: https://github.com/kohya-ss/sd-scripts/blob/48d368fa557731ad0488c07304dfeba8c07910eb/train_network.py#L577
      {
        match: rx(
          /No data found\. Please verify (?:arguments \(train_data_dir must be the parent|the metadata file and train_data_dir)/,
          "No data found. Please verify",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/kohya-ss/sd-scripts/blob/48d368fa557731ad0488c07304dfeba8c07910eb/library/train_util.py#L2133
      { match: rx(/ignore subset with image_dir='[^']*': no images found/, "': no images found"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/ultralytics/ultralytics/blob/00bfe3459a05b6c36026fb7689fc73c818da1cd1/ultralytics/data/utils.py
      { match: rx(/Dataset '[^']*' images not found[^,]*, missing path/, "images not found"), confidence: 0.8 },
      // Round 16: mmengine's lazy-import config (config.py _parse_lazy_import) naming a base config file that is not
      // there: "<file> not found! It means that incorrect module is defined in `with read_base(): = from … import …`".
      {
        match: rx(
          / not found! It means that incorrect module is defined in `with read_base\(\)/,
          "incorrect module is defined in `with read_base",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/data/data_utils/utils.py#L169
      { match: rx(/FileExistsError: \S+ don't exist/, "FileExistsError: "), confidence: 0.72 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/training/training.py#L515
      { match: lit("no data loaded, you might give wrong data path."), confidence: 0.7 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/evaluation/eval_impl/mmlu_eval.py#L121
      { match: rx(/FileExistsError: The file \(.+\) does not exist !/, ") does not exist !"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L316
      {
        match: rx(
          /No \(supported\) data files found|The directory at \S+ doesn't contain any data files/,
          "No (supported) data files found",
          "doesn't contain any data files",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/hparams/megatron_bridge_args.py#L191
      { match: rx(/`extra_config` file not found: \S+/, "extra_config` file not found"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/datasets/indexed_dataset.py#L705
      {
        match: rx(
          /One or both of the \.idx and \.bin files cannot be found at the path prefix/,
          ".idx and .bin files cannot be found",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/data_pipeline/data_sampling/indexed_dataset.p
      { match: rx(/Dataset does not exist: \S+/, "Dataset does not exist: "), confidence: 0.7 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/tokenizers/megatron_tokenizer.py#L119
      {
        match: lit("Tokenizer path doesn't exist. Please, provide the correct path to the tokenizer."),
        confidence: 0.75,
      },
      // Round 15: diffusers' DreamBooth script ("Instance images root doesn't exists"), PaddleOCR's dataset reader naming a
      // path that does not exist, ChatGLM-Efficient-Tuning's LoRA path check.
      { match: lit("Instance images root doesn't exists"), confidence: 0.8 },
      {
        match: rx(/Exception: [^\n]+ does not exist!/, "does not exist!"),
        near: [lit("error happened with msg")],
        within: 6,
        confidence: 0.8,
      },
      {
        match: rx(/Provided path \([^)\n]*\) does not contain a LoRA weight/, "does not contain a LoRA weight"),
        confidence: 0.6,
      },
      // Round 12: a command-line flag read as the path (a script that takes positional arguments given `--model x`):
      // the path that is not there starts with "--", whatever file it names.
      {
        match: rx(/No such file or directory: '--[\w-]+(?:\/[^']*)?'/, "No such file or directory: '--"),
        confidence: 0.82,
      },
      // Upstream phrasebook 2: pyarrow's local file open, sentencepiece's model load, a directory a converter expects,
      // bash's cd, tail, hydra's missing config.
      {
        match: rx(/Failed to open local file '[^']+'\. Detail: \[errno 2\]/, "Failed to open local file '"),
        confidence: 0.75,
      },
      {
        match: rx(/OSError: Not found: "[^"]+": No such file or directory/, 'OSError: Not found: "'),
        confidence: 0.75,
      },
      { match: lit("is not a directory or does not exist"), confidence: 0.7 },
      { match: rx(/bash: cd: [^:\n]+: No such file or directory/, "bash: cd: "), confidence: 0.7 },
      {
        match: rx(
          /tail: cannot open '[^']+' for reading: No such file or directory/,
          "for reading: No such file or directory",
        ),
        confidence: 0.7,
      },
      {
        match: rx(
          /MissingConfigException: (?:Cannot find primary config|Primary config directory not found)/,
          "MissingConfigException: ",
        ),
        confidence: 0.75,
      },
      // Upstream phrasebook 2: MindSpore's MindRecord and file readers, ms-swift's dataset path checks, LLaMA-Factory's
      // media lookup.
      { match: lit("MindRecord File could not open successfully"), confidence: 0.7 },
      { match: lit("Failed to open file, file path"), confidence: 0.65 },
      { match: rx(/ValueError: Path does not exist: /, "Path does not exist: "), confidence: 0.7 },
      { match: lit("The local path does not exist, dataset_id:"), confidence: 0.8 },
      { match: rx(/Media \S+ does not exist in `media_dir`/, "does not exist in `media_dir`"), confidence: 0.45 },
      // Upstream phrasebook: coreutils and bash naming a path that is not there (ls "cannot access", cp "cannot stat",
      // bash running a script path; zh_CN 无法访问 … 没有那个文件或目录), transformers' DeepSpeed config path, Megatron's
      // "directory not found".
      {
        match: rx(
          /(?:cannot access|cannot stat) '[^']+': No such file or directory|无法访问 '[^']+': 没有那个文件或目录|^-?bash: [^\s:]+\.(?:sh|py): (?:No such file or directory|没有那个文件或目录)/,
          "cannot access '",
          "cannot stat '",
          "无法访问 '",
          ": No such file or directory",
          ": 没有那个文件或目录",
        ),
        confidence: 0.72,
      },
      { match: lit("Expected a string path to an existing deepspeed config"), confidence: 0.8 },
      { match: rx(/AssertionError: directory not found, '/, "directory not found, '"), confidence: 0.7 },
      // The interpreter's own message for a script that is not at the path it was given (Modules/main.c).
      {
        match: rx(/can't open file '[^'\n]+': \[Errno 2\] No such file or directory/, "can't open file '"),
        confidence: 0.78,
      },
      // datasets' data-file resolution (data_files.py) and MindSpeed-MM's dataset check word it the same way.
      { match: rx(/FileNotFoundError: Unable to find '[^']+'/, "Unable to find '"), confidence: 0.75 },
      // datasets' load.py when a local path holds neither a loading script nor data files.
      {
        match: rx(
          /Couldn't find (?:a dataset script at|any data file at|a dataset file at) \S+/,
          "Couldn't find a dataset script at",
          "Couldn't find any data file at",
          "Couldn't find a dataset file at",
        ),
        confidence: 0.72,
      },
      // Python's open()/stat() on a path that is not there: the message names the path, not what it was for. Often
      // re-raised inside another message ("Cannot open data/dataset_info.json due to [Errno 2] …").
      {
        match: rx(/\[Errno 2\] No such file or directory: '[^']+'/, "No such file or directory: '"),
        confidence: 0.55,
      },
      // A FileNotFoundError raised with the path in its own words (LLaMA-Factory, ms-swift, mmengine checks).
      { match: rx(/FileNotFoundError: [^[\n][^\n]*[\w.-][\\/][\w.-]/, "FileNotFoundError: "), confidence: 0.55 },
      // LLaMA-Factory's data loader (data/loader.py): raise ValueError(f"File {local_path} not found.").
      { match: rx(/\bFile \S+ not found\.(?:\s|$)/, " not found."), confidence: 0.62 },
      // A bare AssertionError whose source line checks that a path exists (datasets loading scripts, research code).
      {
        match: rx(/assert os\.path\.(?:exists|isfile|isdir)\(/, "assert "),
        sourceLine: true,
        near: [lit("AssertionError")],
        within: 3,
        confidence: 0.6,
      },
    ],
    extract: [
      /Unable to find '(?<path>[^']+)'/,
      /Couldn't find (?:a dataset script|any data file|a dataset file) at (?<path>\S+?)\.?(?:\s|$)/,
      /No such file or directory: '(?<path>[^']+)'/,
      /\bFile (?<path>\S+) not found\./,
      /FileNotFoundError: [^\n]*?['"](?<path>[^'"\n]*[\\/][^'"\n]*)['"]/,
    ],
    cause:
      "The run opened a path that does not exist on this host: a dataset, tokenizer or config path mistyped, not copied " +
      "to this node, or relative to another directory than the one the run starts in.",
    fixes: [
      {
        id: "look",
        summary: "See what is at the path and at its parent directory (on every node of a multi-node run).",
        commands: ["ls -ld <path>", 'ls -l "$(dirname <path>)"'],
      },
      {
        id: "rebuild-configs",
        summary:
          "If it is the dataset, check the file, then point the configs at it: " +
          `${callHint("validate_dataset", { path: "<file on the host>" })}, then ` +
          `${callHint("build_configs", { model: "<model>", dataset: "<file on the host>", overwrite: true })}.`,
      },
      {
        id: "absolute-path",
        summary:
          "A relative path is read from the directory the run starts in (the MindSpeed-MM checkout for launch_train): " +
          "give an absolute path.",
      },
    ],
    references: ["https://huggingface.co/docs/datasets/loading#local-and-remote-files"],
  },
  {
    id: "tp-exceeds-kv-heads",
    category: "tp_exceeds_kv_heads",
    title: "Tensor parallel size does not divide the attention/KV heads",
    role: "primary",
    triggers: [
      // Round 22: a C/C++ assert (glibc's "Assertion `expr' failed.") on a head count dividing evenly among the slices,
      // nodes or ranks it is split over (distributed-llama's `nHeads % nSlices == 0`), and Python's assert of the same
      // condition at the traceback's source line.
      {
        match: rx(/Assertion `[^`'\n]*[Hh]eads\w* % [\w.()]+ == 0' failed/, "Heads % ", "heads % "),
        confidence: 0.8,
      },
      {
        match: rx(/^\s*assert\s+\(?[\w.]*[Hh]eads\w* % [\w.()]+ == 0\b/, "Heads % ", "heads % "),
        sourceLine: true,
        confidence: 0.75,
      },
      // Round 20, tune: Megatron's and vLLM's ensure_divisibility ("25 is not divisible by 4") beside the tensor-parallel
      // size the run asked for, and TGI's shard left without a key/value head (ZeroDivisionError at the source line
      // "self.num_heads // self.num_key_value_heads").
      {
        match: rx(/\b\d+ is not divisible by \d+/, "is not divisible by"),
        near: [
          rx(
            /tensor[_-]parallel[_-]size|tensor_model_parallel_size|\btp_size\b/,
            "tensor_parallel_size",
            "tensor-parallel-size",
            "tensor_model_parallel_size",
            "tp_size",
          ),
        ],
        within: 30,
        confidence: 0.7,
      },
      {
        match: rx(/\/\/ self\.num_key_value_heads\b/, "// self.num_key_value_heads"),
        near: [lit("ZeroDivisionError")],
        within: 3,
        sourceLine: true,
        confidence: 0.72,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/ssm/mamba_mixer.py#L262
      {
        match: rx(
          /(?:nheads|ngroups) must be evenly divisi?ble by tp_size/,
          "must be evenly divisble by tp_size",
          "must be evenly divisible by tp_size",
        ),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/multi_latent_attention.py#L1447
      {
        match: rx(
          /(?:q_lora_rank|kv_lora_rank \+ qk_pos_emb_head_dim) must be divisible by tensor(?:-parallel| model parallel) size/,
          "must be divisible by tensor-parallel size",
          "must be divisible by tensor model parallel size",
        ),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/inference/disaggregation/kv_reshard.py#L48
      { match: rx(/num_heads=\d+ not divisible by tp_size=\d+/, "not divisible by tp_size="), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/067f987df03b8355b03192d88d70f1709fedf51a/src/megatron/bridge/models/minimax_m2/minimax_m2_provider.py#L127
      {
        match: rx(
          /num_query_groups \(\d+\) must (?:be divisible by|divide) tensor_model_parallel_size \(\d+\)/,
          "tensor_model_parallel_size (",
        ),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/ulysses.py#L336
      {
        match: rx(/must be divisible by ulysses sequence size\(\d+\)/, "must be divisible by ulysses sequence size("),
        confidence: 0.8,
      },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/nanotron/blob/2411b022a75fb7f7561a1bb4166706da5e1b76de/src/nanotron/config/config.py#L544
      { match: rx(/num_key_value_heads \(\d+\) must be >= tp \(\d+\)/, "must be >= tp ("), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/nanotron/blob/2411b022a75fb7f7561a1bb4166706da5e1b76de/src/nanotron/models/llama.py#L353
      {
        match: rx(/Number of key\/value heads \(\d+\) must be divisible by TP size/, "Number of key/value heads ("),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/nanotron/blob/2411b022a75fb7f7561a1bb4166706da5e1b76de/src/nanotron/models/starcoder2.py#L924
      { match: rx(/Number of kv heads \(\d+\) must be >= TP size/, "must be >= TP size"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/models/common/decoder.py#L197
      {
        match: rx(/tensor_parallel_degree \(\d+\) must divide n_(?:kv_)?heads \(\d+\)/, "must divide n_"),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/lmdeploy/pytorch/models/gpt_oss.py#L91
      {
        match: rx(/num_attention_heads=\d+ should be divisible by TP=\d+/, "should be divisible by TP="),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/text-generation-inference/blob/db931fcf42da018a3657580c64bf2720f167f9ab/server/text_generation_server/models/custom_modeling/flash_llama_modeling.py#L174
      {
        match: rx(
          /`(?:num_key_value_heads|num_attention_heads|n_heads)` must be divisible by `num_shards`/,
          "` must be divisible by `num_shards`",
        ),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/shardformer/policies/chatglm2.py#L91
      {
        match: rx(
          /num_attention_heads \d+ should be divisible by tensor_parallel_size \d+/,
          "should be divisible by tensor_parallel_size",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_config.py#L1503
      {
        match: rx(
          /linear_num_(?:key|value)_heads=\d+ must be a multiple of \(self\.tensor_model_parallel_size=\d+/,
          "must be a multiple of (self.tensor_model_parallel_size=",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/module_inject/fusedqkv_utils.py#L231
      {
        match: rx(/world_size \d+ is larger than half of num_heads \d+/, "is larger than half of num_heads"),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/module_inject/fusedqkv_utils.py#L113
      { match: lit("codgen autoTP requires num_kv_heads % (mp_size*codegen_mp_num) == 0"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/sequence/layer.py#L250
      {
        match: rx(
          /Number of heads \(\d+\) must be larger than sequence parallel size \(\d+\)/,
          "must be larger than sequence parallel size",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/models/transformers/monkey_patch.py#L333
      {
        match: rx(
          /num_(?:attention|key_value)_heads \d+ must be divisible by ulysses_sp_size \d+/,
          "must be divisible by ulysses_sp_size",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/067f987df03b8355b03192d88d70f1709fedf51a/src/megatron/bridge/models/kimi/kimi_k3_layers.py#L177
      {
        match: rx(/(?:KDA|MLA) heads \d+ must be divisible by TP size \d+/, "must be divisible by TP size"),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/models/llama/llama_transformer.py#L188
      {
        match: rx(
          /the class variable '(?:n_kv_head|n_head|num_heads|kv_num_heads)' must be (?:a multiple of|divisibled by) '(?:parallel_config\.model_parallel|tensor_parallel)/,
          "the class variable '",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/modules/layers.py#L684
      {
        match: rx(
          /The number of heads \d+ must be a multiple of parallel_config\.model_parallel \d+/,
          "must be a multiple of parallel_config.model_parallel",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/PaddlePaddle/PaddleNLP/blob/5dd0f5d5e580038911ea168305c433f0bf79d547/paddlenlp/transformers/llama/modeling.py
      {
        match: rx(
          /AssertionError: num_(?:heads|key_value_heads): \d+, tensor_parallel_degree: \d+/,
          "AssertionError: num_",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA-NeMo/Automodel/blob/36044ad3d139363fb6c73c24af2e7c6b65ec52f6/nemo_automodel/components/distributed/parallelizer.py#L1609
      {
        match: rx(
          /num_(?:attention|key_value)_heads in config does not match the TP size/,
          "in config does not match the TP size",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/legacy/inference/tensor_parallel/engine.py#L110
      { match: rx(/Cannot shard \d+ heads with tp size \d+/, "heads with tp size"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/experiments/rl/models/attention.py#L291
      {
        match: rx(
          /num_kv_heads \(\d+\) must be (>= |divisible by )tensor_parallel_size \(\d+\)/,
          "tensor_parallel_size (",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream (second pass): https://github.com/Lightning-AI/litgpt/blob/26857050fe3ff627cd714fe92f5838f51a3d5efa/litgpt/generate/tp.py#L96
      {
        match: rx(
          /This n_query_groups value \(\d+\) is not evenly divisible by the world size/,
          "This n_query_groups value",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/parallel_core/training_graph/transformer/attent
      { match: lit("the class variable 'kv_num_heads' must be a multiple of"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/shardformer/policies/llama.py#L103
      { match: lit("The number of key_value heads must be divisible by"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/shardformer/policies/chatglm2.py#L101
      {
        match: rx(/multi_query_group_num \d+ should be divisible by tensor_parallel_size \d+/, "multi_query_group_num"),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/fsdp2/distributed/mindspeed_parallel_engine.py#L81
      {
        match: rx(
          /num_attention_heads must be divisible by context_parallel_size \(current: \d+\)/,
          "num_attention_heads must be divisible by context_parallel_size",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/fsdp/ops/flash_attn/flash_attn.py#L284
      {
        match: rx(
          /num_(?:query_)?heads \(\d+\) must be divisible by ulysses_size \(\d+\)/,
          "must be divisible by ulysses_size",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/sequence_parallel/ulysses.py#L20
      {
        match: rx(
          /Number of heads \(\d+\) must be divisible by the sequence parallel size \(\d+\)/,
          "must be divisible by the sequence parallel size",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/models/llama/megatron/layers/parallel_attention.py#L196
      {
        match: rx(
          /num_head must be divisible by tp_size\. Got num_head=\d+, tp_size=\d+/,
          "num_head must be divisible by tp_size",
        ),
        confidence: 0.8,
      },
      // Round 15: the same constraint in other engines' words (PyTorch's foundation-model-stack "heads must be divisible by
      // world size", TGI's "`num_heads` must be divisible by `num_shards`", MLC's tensor_parallel_shards check) and
      // vLLM's and SGLang's ensure_divisibility helper, whose bare "N is not divisible by M" names it only by its frame.
      { match: lit("heads must be divisible by world size"), confidence: 0.8 },
      { match: lit("`num_heads` must be divisible by `num_shards`"), confidence: 0.85 },
      {
        match: rx(
          /num_kv_heads\(\d+\) must be divisible by tensor_parallel_shards/,
          "must be divisible by tensor_parallel_shards",
        ),
        confidence: 0.85,
      },
      {
        match: rx(/\d+ is not divisible by \d+/, "is not divisible by"),
        near: [lit("ensure_divisibility")],
        within: 8,
        confidence: 0.68,
      },
      // Upstream phrasebook 2: ms-swift's sequence parallelism splitting heads across its world size.
      {
        match: rx(/num_heads \d+ cannot be split by sp world size \d+/, "cannot be split by sp world size"),
        confidence: 0.8,
      },
      // Upstream phrasebook: Megatron and MindSpeed's head checks with context or encoder parallelism, num_query_groups
      // against TP, DeepSpeed inference's heads against the world size, vLLM's KV heads against TP.
      {
        match: rx(
          /num_query_groups \(\d+\) must be a multiple or divisor of tensor_model_parallel_size/,
          "must be a multiple or divisor of tensor_model_parallel_size",
        ),
        confidence: 0.9,
      },
      {
        match: rx(
          /num_attention_heads must be divisible by [^\n]*tensor_model_parallel_size/,
          "num_attention_heads must be divisible by",
        ),
        confidence: 0.88,
      },
      { match: lit("attention_heads require to be divisible by the world_size"), confidence: 0.85 },
      {
        match: rx(
          /Number of key value heads \d+ must be divisible by tensor parallel size/,
          "Number of key value heads",
        ),
        confidence: 0.9,
      },
      {
        match: rx(
          /Number of key-value heads \((?<kv>\d+)\) must be divisible by TP size \((?<tp>\d+)\)/,
          "must be divisible by TP size",
        ),
        confidence: 0.95,
      },
      {
        match: rx(/(?<num>\d+) is not divisible by (?<den>\d+)/, "is not divisible by"),
        near: KV_WORDS,
        within: 10,
        confidence: 0.86,
      },
      // vLLM, DeepSpeed inference, Megatron and ColossalAI phrasings of the same constraint.
      {
        match: rx(
          /(?:number of attention heads|num_heads|num_attention_heads|num_key_value_heads|attention heads)[^\n]{0,40}must be divisible by (?:the )?(?:tensor[ _-]parallel|tp_size|mp_size|tp\b|TP\b|model parallel)/i,
          "must be divisible by",
        ),
        confidence: 0.9,
      },
      // The same constraint as a bare assertion, shown by the traceback's source line (vLLM's model files before
      // the worded check: model_executor/models/*.py "assert self.total_num_kv_heads % tp_size == 0").
      {
        match: rx(
          /assert [\w.]*(?:num_(?:kv_|key_value_|attention_)?heads|num_query_groups|kv_heads|n_heads?|n_kv_heads)\s*%\s*[\w.]*(?:tp_size|tp|tensor_parallel_size|tensor_model_parallel_size|world_size)\b/,
          "assert ",
        ),
        sourceLine: true,
        confidence: 0.8,
      },
      // vLLM-Ascend's KV transfer (vllm_ascend/distributed/kv_transfer/utils/utils.py).
      // TensorRT-LLM's GQA attention before 0.9 (models/…/convert checks): K/V heads must equal the GPUs (tp_size).
      {
        match: lit("requires the number of K/V heads to match the number of GPUs"),
        confidence: 0.86,
      },
      {
        match: rx(/Number of heads \(\d+\) cannot be evenly divided by TP \(\d+\)/, "cannot be evenly divided by TP"),
        confidence: 0.88,
      },
      // Megatron-core's config check (megatron/core/transformer/transformer_config.py).
      {
        match: rx(
          /(?:num_query_groups|num_attention_heads) \(\d+\) must be a multiple of tensor_model_parallel_size/,
          "must be a multiple of tensor_model_parallel_size",
        ),
        confidence: 0.92,
      },
      {
        match: rx(
          /(?:num_query_groups|num_attention_heads) % args\.tensor_model_parallel_size/,
          "% args.tensor_model_parallel_size",
        ),
        confidence: 0.8,
      },
      {
        match: rxWhen(
          /(?<num>\d+) is not divisible by (?<den>\d+)/,
          ["is not divisible by"],
          (g) => Number(g.num) < Number(g.den),
        ),
        confidence: 0.55,
      },
    ],
    extract: [
      /Number of key-value heads \((?<kv_heads>\d+)\) must be divisible by TP size \((?<tp>\d+)\)/,
      /(?<kv_heads>\d+) is not divisible by (?<tp>\d+)/,
    ],
    cause:
      "TP is larger than (or does not divide) the number of KV heads (num_query_groups), so heads cannot be split across TP ranks.",
    fixes: [
      {
        id: "lower-tp",
        summary:
          "Use a TP that divides the KV heads (<kv_heads>): TP=<suggested_tp>, and raise PP instead to keep memory per card.",
        edits: [
          "launch script: TP=<suggested_tp>",
          "mm-convert: --cfg.parallel_config.tp_size <suggested_tp> (reconvert)",
        ],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#7)`],
  },
  {
    id: "empty-pp-stage",
    category: "empty_pp_stage",
    title: "A pipeline stage has no LLM layers",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/model_merger/megatron_model_merger.py#L68
      { match: rx(/layer_num \d+ must be greater than pp_size \d+/, "must be greater than pp_size"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_block.py#L196
      {
        match: rx(/Not enough layers in the (?:first|last) virtual pipeline stage/, "Not enough layers in the"),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/modules/transformer/transformer.py#L3169
      {
        match: rx(/layers \d+ must be larger than pipeline stage \d+/, "must be larger than pipeline stage"),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA-NeMo/Automodel/blob/36044ad3d139363fb6c73c24af2e7c6b65ec52f6/nemo_automodel/components/distributed/pipelining/functional.py#
      {
        match: rx(/Number of stages \(\d+\) cannot exceed number of layers \(\d+\)/, "cannot exceed number of layers"),
        confidence: 0.85,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/distributed/pipeline_parallel.py#L393
      {
        match: rx(
          /Number of stages \(\d+\) cannot be greater than effective layers \(\d+\)/,
          "cannot be greater than effective layers",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/distributed/pipeline_parallel.py#L403
      { match: lit("Configuration would result in empty stages."), confidence: 0.85 },
      // Round 15: PiPPy's stage check (pippy/PipelineStage.py: more ranks than stages, a stage left without work).
      {
        match: rx(
          /Number of ranks is larger than number of stages|cannot be larger than number of stages/,
          "than number of stages",
        ),
        confidence: 0.8,
      },
      // Upstream phrasebook 2: a rank with nothing to train (torch's ZeroRedundancyOptimizer and the optimizer "got an
      // empty parameter list", Megatron's hybrid optimizer's empty param_groups, Megatron's per-rank parameter count of
      // 0, DeepSpeed's pipeline partition with "layers=0", Megatron's uneven split leaving middle stages no layers).
      {
        match: rx(/(?:ZeroRedundancyOptimizer|optimizer) got an empty parameter list/, "got an empty parameter list"),
        confidence: 0.7,
      },
      { match: lit("param_groups should not be empty"), confidence: 0.65 },
      {
        match: rx(
          /number of parameters on \(tensor, pipeline\) model parallel rank \(\d+, \d+\): 0\s*$/,
          "model parallel rank (",
        ),
        confidence: 0.7,
      },
      { match: rx(/^stage=\d+ layers=0\s*$/, "layers=0"), confidence: 0.7 },
      // Round 18: nanotron's per-rank count (trainer.py, "Local number of parameters: …") of 0 on a pipeline rank, its
      // log prefix naming the rank ("[INFO|DP=0|PP=1|TP=0]"): the same empty stage in nanotron's words.
      {
        match: rx(/\|PP=\d+\|[^\]\n]*\]: Local number of parameters: 0 \(/, "Local number of parameters: 0 ("),
        confidence: 0.7,
      },
      {
        match: rx(
          /Mismatch: 0 middle layers remaining but \d+ middle PP stages available/,
          "middle PP stages available",
        ),
        confidence: 0.85,
      },
      // Upstream phrasebook: Megatron's uneven first/last stage sizes and MindSpeed-MM's predictor layers per PP rank.
      {
        match: rx(
          /num_layers_in_(?:first|last)_pipeline_stage must be larger than 0/,
          "pipeline_stage must be larger than 0",
        ),
        confidence: 0.85,
      },
      {
        match: rx(/for pp_rank \d+, the predictor layer is 0, which is invalid/, "the predictor layer is 0"),
        confidence: 0.85,
      },
      { match: rx(/learning_rate\s*(?:=|==|is)\s*None/, "learning_rate"), confidence: 0.9 },
      { match: lit("optimizer got an empty parameter list"), confidence: 0.75 },
    ],
    cause:
      "One pipeline stage got 0 LLM layers (for example llm_pp_layers [0,8,10,10]), so it has no parameters and the " +
      "optimizer's learning-rate setup fails right after start.",
    fixes: [
      {
        id: "every-stage",
        summary:
          "Give every LLM stage at least one layer (e.g. [0,8,10,10] → [1,7,10,10]) and convert with the same split.",
        edits: ["model.json: text_decoder.pipeline_num_layers = <fixed_llm_pp_layers>"],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#10)`],
  },
  {
    id: "pp-layers-mismatch",
    category: "pp_layers_mismatch",
    title: "Layer split does not fit the pipeline size or layer count",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/models/hybrid/hybrid_layer_allocation.py#L438
      {
        match: rx(
          /Number of layers \(\d+\) must be evenly divisible by pipeline-model-parallel-size/,
          "must be evenly divisible by pipeline-model-parallel-size",
        ),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/models/hybrid/hybrid_layer_allocation.py#L415
      {
        match: rx(
          /Middle layers \(\d+\) must be evenly divisible by middle pipeline stages/,
          "must be evenly divisible by middle pipeline stages",
        ),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/models/hybrid/hybrid_layer_allocation.py#L461
      {
        match: lit("in hybrid_layer_pattern must be evenly divisible by pipeline_model_parallel_size"),
        confidence: 0.85,
      },
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/models/hybrid/hybrid_layer_allocation.py#L471
      { match: lit("The pattern does not define enough pipe-delimited segments"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_config.py#L2397
      {
        match: rx(
          /num_layers: \d+ after enable ?account_for_embedding_in_pipeline_split or account_for_loss_in_pipeline_split must be divisible ?by pipeline_model_parallel_size/,
          "account_for_loss_in_pipeline_split must be divisible",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_config.py#L2411
      {
        match: rx(
          /number of layers on each pipeline rank: \d+ ?\(after enable account_for_embedding_in_pipeline_split/,
          "(after enable account_for_embedding_in_pipeline_split",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_config.py#L2343
      {
        match: rx(
          /Mismatch: [1-9]\d* middle layers remaining but \d+ middle PP stages available/,
          "middle layers remaining but",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/arguments.py#L850
      { match: lit("must be evenly divisible by --pipeline-model-parallel-size"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/pipeline_parallel_layer_layout.py#L114
      { match: lit("Number of mtp layers in layout must match mtp_num_layers"), confidence: 0.7 },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/core_v0.8.0/megatron/core/transformer/transformer_config.py#L397
      {
        match: rx(
          /num_layers: \d+ must be divisible by virtual_model_parallel_size \d+/,
          "must be divisible by virtual_model_parallel_size",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/v2.6/megatron/arguments.py#L130
      {
        match: lit("number of layers is not divisible by number of layers per virtual pipeline stage"),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/arguments.py#L548
      { match: lit("vpp setting should be meaningful"), confidence: 0.7 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/features_manager/pipeline_parallel/noop_layers.py#L46
      {
        match: rx(
          /each element in args\.noop_layers\([^)\n]*\) ?should bigger or equal to 0 ?and smaller than args\.num_layers/,
          "each element in args.noop_layers(",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/features_manager/megatron_basic/training_basic.py#
      { match: lit("Num of layers in vpp stage should be less than pp stage"), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/examples/mcore/deepseek3/convert_ckpt_deepseek3.py#L154
      { match: lit("number of pp_stage should be divisible by the vpp_stage"), confidence: 0.82 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/features_manager/transformer/transformer_block.py#
      { match: lit("it is not allowed for all layers within a pp stage to be dense layers"), confidence: 0.6 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/models/predictor/predict_model.py#L71
      {
        match: rx(
          /The (?:vp_size \d+ must be equal to the number of layers|pp_size \d+ must be equal to the number of stages) of pipeline_num_layers/,
          "must be equal to the number of layers of pipeline_num_layers",
          "must be equal to the number of stages of pipeline_num_layers",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/models/predictor/predict_model.py#L78
      {
        match: lit("The product of vpp_size and pp_size must be equal to the num of stages in pipeline_num_layers"),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/models/common/transformer/multi_token_prediction.py#
      { match: lit("currently all of the mtp layers must stage in the same pipeline stage"), confidence: 0.65 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/v2.0.0/examples/qwen2vl/qwen2vl_convert_to_mm_ckpt.py#L232
      {
        match: rx(
          /(?:length|sum) of (?:llm|vit)_pipeline_num_layers must be equal to/,
          "_pipeline_num_layers must be equal to",
        ),
        confidence: 0.88,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/checkpoint/vlm_model/config.py#L117
      { match: lit("的每个vpp配置长度一定要一致"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/v1.0.0/mindspeed_mm/models/qwen2vl_model.py#L140
      {
        match: rx(
          /length of num_layer_list must equal to pipeline-model-parallel-size|each index in num_layer_list must equal or large than last/,
          "length of num_layer_list must equal to",
          "each index in num_layer_list",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/v2.0.0/examples/opensoraplan1.3/opensoraplan1_3_mm_convert_to_dt_ckpt.py#L409
      {
        match: rx(
          /\) must equals to args\.target_(?:dit_|vit_|gpt_|vae_)?pp_size=\d+/,
          ") must equals to args.target_",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-MM/blob/v2.1.0/examples/internvl2/internvl2_convert_to_mm_ckpt.py#L38
      {
        match: lit("Configure the PP layer count to be greater than 2 for 2B model before enabling VPP"),
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/collections/llm/gpt/model/base.py#L354
      { match: lit("Make sure the number of model chunks is the same across all pipeline stages"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/collections/nlp/modules/common/megatron/transformer.py#L1317
      {
        match: rx(
          /num_layers(?: \(\d+\))? must be divisible by number of ranks given to (?:encoder|decoder)/,
          "must be divisible by number of ranks given to",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA-NeMo/Automodel/blob/36044ad3d139363fb6c73c24af2e7c6b65ec52f6/nemo_automodel/components/distributed/pipelining/functional.py#
      {
        match: rx(
          /(?:num_stages|Total stages) \d+ must be (?:evenly )?divisible by (?:pp_size|PP size) \d+/,
          "divisible by pp_size",
          "divisible by PP size",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (eighth pass): https://github.com/FlagOpen/FlagScale/blob/da4935ec60193e735bc70b81e259ed04eefd0132/flagscale/train/arguments.py#L166
      {
        match: rx(
          /sum of hetero_pipeline_layer_split \[[^\]\n]*\] should be equal to num_layers|should be equal to the length of hetero_pipeline_layer_split/,
          "sum of hetero_pipeline_layer_split",
          "the length of hetero_pipeline_layer_split",
        ),
        confidence: 0.88,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/features_manager/pipeline_parallel/num_layer_list.
      { match: lit("Dynamic pipeline model should work with pipeline parallel"), confidence: 0.65 },
      // Round 17, upstream (eighth pass): https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/megatron/arguments/megatron_args.py#L835
      {
        match: lit("if you want to set decoder_first_pipeline_num_layers or decoder_last_pipeline_num_layers"),
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/NVIDIA/Megatron-LM/blob/core_v0.11.0/megatron/core/transformer/transformer_block.py#L130
      { match: lit("num_layers_per_pipeline_rank should be divisible by vp_size"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/distributed/pipeline_parallel.py#L234
      {
        match: rx(
          /Number of virtual stages \(\d+\) must be divisible by pipeline parallel size \(\d+\)/,
          "must be divisible by pipeline parallel size",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/distributed/pipeline_parallel.py#L556
      {
        match: rx(/num_stages \d+ must be evenly divisible by pp_degree \d+/, "must be evenly divisible by pp_degree"),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/models/utils.py#L600
      { match: lit("should equal to remainder of `num_layers`"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/models/utils.py#L593
      {
        match: rx(/offset\.shape\[-[12]\] should equal to `(pp|pp_interleave_num)`/, "] should equal to `pp"),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/arguments.py#L945
      {
        match: rx(
          /pipeline_model_parallel_layout must be divisible by pipeline_model_parallel_size/,
          "pipeline_model_parallel_layout must be divisible",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_config.py#L2280
      {
        match: lit("virtual_pipeline_model_parallel_size conflicts with pipeline_model_parallel_layout"),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/pipeline_parallel_layer_layout.py#L107
      {
        match: rx(/Number of decoder layers \d+ ?must match num_layers \d+/, "must match num_layers"),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_hf2mg.py#L124
      {
        match: rx(
          /number of pp_stage should bu divisible by the vpp_stage|pp_stage layers should be divisible by vpp_stage/,
          "should bu divisible by the vpp_stage",
          "should be divisible by vpp_stage",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-MM/blob/57069cd55a8ab16d5affe379a2e2c5f0a4d962b9/mindspeed_mm/models/predictor/predict_model.py#L60
      {
        match: lit("The `pipeline_num_layers` must be specified in the config for pipeline parallel"),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/vllm-project/vllm/blob/main/vllm/distributed/utils.py
      {
        match: rx(
          /len\(partitions\)=\d+ does not match pp_size=\d+|sum\(partitions\)=\d+ does not match num_(?:hidden_)?layers=\d+/,
          "len(partitions)=",
          "sum(partitions)=",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_hf2mg.py#L130
      {
        match: rx(
          /number of layer_list should be equal to pipeline parallel size|sum of layer_list should be equal to num_layers/,
          "layer_list should be equal to",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_mg2hf.py#L144
      { match: lit("num_layers must be divisible by pp_size"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/tasks/checkpoint/convert_ckpt_deepseek4.py#L349
      {
        match: rx(
          /len\(num-layer-list\) must equal pp_size|sum\(num-layer-list\) must equal num_layers/,
          "num-layer-list) must equal",
        ),
        confidence: 0.85,
      },
      // Round 15: Megatron-Bridge's virtual-pipeline check (layers per pipeline rank not divisible by vp_size).
      {
        match: rx(
          /num_layers_per_pipeline_rank \d+\s+should be divisible by vp_size/,
          "should be divisible by vp_size",
        ),
        confidence: 0.85,
      },
      // Upstream phrasebook: Megatron's layer checks (layers against PP, per-stage layers against VPP, uneven split),
      // MindSpeed-MM's pipeline_num_layers checks (length against PP, product with VPP, sums against the layer count,
      // vit and llm lists of one length, in English and Chinese), MindSpeed-LLM's num_layer_list.
      {
        match: rx(
          /number of layers (?:of the model|per pipeline stage) must be divisible|left over layers must be divisible by left over stages|pipeline_num_layers must equal to pipeline-model-parallel-size|must equal to the total number of stage in pipeline_num_layers|sum of llm_pipeline_num_layers must be equal to|sum of `pipeline_num_layers` must be equal to|The pp_size should be qual to the num of|vpp must enabled by --virtual-pipeline-model-parallel-size|The sum of args\.pp_sizes|len\(args\.num_layer_list\) != args\.pipeline_model_parallel_size|Incorrect num_layer_list config|Sum of num_layer_list must equal num_layers/,
          "must be divisible",
          "left over layers must be divisible",
          "pipeline_num_layers",
          "The pp_size should be qual to",
          "vpp must enabled by",
          "args.pp_sizes",
          "num_layer_list",
        ),
        confidence: 0.86,
      },
      {
        match: rx(/pp_layers配置长度一定要一致|pp layers长度至少为1/, "配置长度一定要一致", "长度至少为1"),
        confidence: 0.8,
      },
      { match: lit("length of pipeline_num_layers must equal to pipeline-model-parallel-size"), confidence: 0.92 },
      {
        match: rx(
          /(?:Sum|Length) of (?:llm|vit|audio)_pipeline_num_layers_flat must be equal to/,
          "pipeline_num_layers_flat",
        ),
        confidence: 0.9,
      },
      { match: lit("pp layers not equal"), confidence: 0.85 },
      {
        match: rx(/layers[^\n]{0,40}(?:should|must) be divisible by[^\n]{0,30}pipeline/, "be divisible by"),
        confidence: 0.75,
      },
    ],
    cause:
      "pipeline_num_layers (llm_pp_layers / vit_pp_layers) must have one entry per PP stage and sum to the model's layer " +
      "count, and the same lists must be used for mm-convert and for training.",
    fixes: [
      {
        id: "fix-split",
        summary: "Make the split PP entries long, summing to the layer count, identical in model.json and mm-convert.",
        edits: [
          "model.json: text_decoder.pipeline_num_layers (len = PP, sum = num_layers)",
          "model.json: vision_encoder.pipeline_num_layers (len = PP, sum = ViT depth)",
        ],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#6)`],
  },
];
