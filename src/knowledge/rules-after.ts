// Rules for failures after training: exporting, answering with and evaluating a checkpoint (export_model,
// run_inference, evaluate_model). They fire only with the context of those steps in the log, so a training log with
// the same error keeps its training rule; their fixes name the tools' arguments. The incomplete checkpoint is the
// exception: a resume meets it as often as an export, so its rule reads any log.
import { callHint } from "../text/hint.js";
import { MINDSPEED_FAQ } from "./rules-device.js";
import { type DiagnosisRule, lit, rx, type Signal } from "./rules-types.js";

const MEGATRON_CHECKPOINTING = "https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/training/checkpointing.py";
const MINDSPEED_QWEN25VL = "https://gitcode.com/Ascend/MindSpeed-MM/blob/master/examples/qwen2.5vl/README.md";

/**
 * Lines that show the failing process is MindSpeed-MM's inference or evaluation entry, its tasks, or the configs this
 * product writes for them. Not any script with "inference" in its name: a LoRA loader in another project's
 * demo_inference.py is a shape mismatch of its own.
 */
const AFTER_TRAINING: readonly Signal[] = [
  lit("inference_vlm"),
  lit("evaluate_vlm"),
  lit("inference_qwen"),
  lit("mindspeed_mm/tasks/inference"),
  lit("mindspeed_mm/tasks/evaluation"),
  lit(".ascend-train/inference/"),
  lit(".ascend-train/evaluation/"),
];

export const afterTrainingRules: DiagnosisRule[] = [
  {
    id: "checkpoint-incomplete",
    category: "checkpoint_incomplete",
    title:
      "Checkpoint incomplete: the iteration the tracker names (latest_checkpointed_iteration.txt, DeepSpeed's latest) is not all there",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/deepspeed_checkpoint.py#L366
      { match: lit("seems a bogus DeepSpeed checkpoint folder"), confidence: 0.8 },
      // Round 24, upstream (tenth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/reshape_3d_utils.py#L99
      { match: lit("is missing from model-state files: "), confidence: 0.7 },
      // Round 24, upstream (tenth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/zero_checkpoint.py#L24
      { match: rx(/No ZeRO files found in \S/, "No ZeRO files found in"), confidence: 0.75 },
      // Round 24, upstream (tenth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/checkpoint_engine/decoupled_checkpoint_engine.py#L141
      { match: lit("] Checkpoint process died unexpectedly."), confidence: 0.75 },
      // Round 24, upstream (tenth pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/checkpoint_engine/decoupled_checkpoint_engine.py#L144
      {
        match: rx(/\] Checkpoint commit timed out after \d+ seconds/, "Checkpoint commit timed out after"),
        confidence: 0.7,
      },
      // Round 24, upstream (tenth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/utils/exp_manager.py#L887
      { match: lit("has the unfinished marker set"), confidence: 0.75 },
      // Round 24, upstream (tenth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/utils/callbacks/dist_ckpt_io.py#L168
      { match: lit("Some async checkpoint saves might be not finalized properly"), confidence: 0.6 },
      // Round 24, upstream (tenth pass): https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/067f987df03b8355b03192d88d70f1709fedf51a/src/megatron/bridge/models/hf_pretrained/state.py#L861
      {
        match: lit("were yielded but not saved because their corresponding file shards were incomplete"),
        confidence: 0.72,
      },
      // Round 24, upstream (tenth pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/components/data/loader.py#L169
      { match: lit("checkpoint is missing dataloader state for"), confidence: 0.65 },
      // Round 19, upstream (ninth pass): https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/checkpoint/megatron_checkpoint_manager.py#L383
      {
        match: rx(/(?:Optimizer|LR scheduler|RNG) state dict not found in/, "state dict not found in"),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/huggingface/nanotron/blob/2411b022a75fb7f7561a1bb4166706da5e1b76de/src/nanotron/serialize/weights.py#L284
      { match: rx(/Could not find any shards \w+\*\.safetensors in/, "Could not find any shards "), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/checkpoint_io/general_checkpoint_io.py#L89
      { match: lit("Lacking param group file under current directory"), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/utils/zero_to_fp32.py#L614
      { match: lit("Unable to find 'latest' file at"), confidence: 0.75 },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/utils/zero_to_fp32.py#L619
      { match: rx(/Directory '[^'\n]*global_step\d+\/?' doesn't exist/, "' doesn't exist"), confidence: 0.7 },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/ds_to_universal.py#L907
      {
        match: rx(
          /can't find (?:\*_model_states\.pt|ZeRO Stage 3 model state) files in directory/,
          "can't find *_model_states.pt files",
          "can't find ZeRO Stage 3 model state files",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/ds_to_universal.py#L605
      {
        match: rx(
          /Missing ZeRO optimizer checkpoint for rank \d+|Missing ZeRO-3 checkpoint file for tp_rank=\d+, dp_rank=\d+|ZeRO-3 checkpoint (?:has no model\/optimizer rank files|model\/optimizer rank sets do not match)/,
          "Missing ZeRO optimizer checkpoint for rank",
          "Missing ZeRO-3 checkpoint file for",
          "ZeRO-3 checkpoint has no model/optimizer",
          "ZeRO-3 checkpoint model/optimizer rank sets",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/checkpoint/reshape_3d_utils.py#L106
      {
        match: rx(
          /Checkpoint model-state file count \d+ does not match pp_degree=\d+ \* tp_degree=\d+/,
          "Checkpoint model-state file count",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/engine.py#L4129
      { match: lit("Expert checkpoint file is corrupt: key '"), confidence: 0.75 },
      // Round 17, upstream (seventh pass): https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/state_dict_factory.py#L174
      {
        match: rx(
          /checkpoint count \d+ is different from saved mp_world_size \d+/,
          "is different from saved mp_world_size",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/strategies/fully_parallel.py#L347
      {
        match: rx(
          /Missing (?:object )?shards after fully parallel loading|Missing loaded (?:item|tensor) shard: /,
          "shards after fully parallel loading",
          "Missing loaded item shard",
          "Missing loaded tensor shard",
        ),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/distributed/checkpoint/filesystem.py
      { match: rx(/No such file or directory: '[^'\n]*\/\.metadata'/, "/.metadata'"), confidence: 0.78 },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/distributed/checkpoint/default_planner.py#L315
      {
        match: rx(
          /Missing key in checkpoint state_dict: (?:optimizer|dataloader|lr_scheduler|train_state|lr_schedulers|optim)\b/,
          "Missing key in checkpoint state_dict: ",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/v2.5.1/caffe2/serialize/inline_container.cc
      {
        match: rx(
          /PytorchStreamReader failed (?:locating file (?:\S+\/)?data\/\d+: file not found|reading file \S+: file read failed)/,
          "PytorchStreamReader failed",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/python/cpython/blob/3.10/Modules/_pickle.c
      { match: lit("invalid load key, '\\x00'"), confidence: 0.62 },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/checkpointing.py#L315
      { match: lit("could not load the checkpoint"), confidence: 0.58 },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/Megatron-LM/blob/core_r0.8.0/megatron/core/dist_checkpointing/strategies/common.py#L92
      {
        match: rx(/CheckpointingException: Object shard \S+\.pt not found/, "CheckpointingException: Object shard "),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/torchtitan/blob/b5bcd76c66d0acb1a08b176d9639425bc55e0b2a/torchtitan/components/checkpointer/dcp.py#L526
      { match: rx(/--checkpoint\.load_step=-?\d+ not found (because|at)/, "checkpoint.load_step="), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/checkpoint_io/checkpoint_io_base.py#L220
      { match: rx(/Cannot find index file in \S/, "Cannot find index file in"), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/hpcaitech/ColossalAI/blob/4f9953be335ef371b3848719ddafe596c01ecd37/colossalai/checkpoint_io/utils.py#L882
      {
        match: rx(/Invalid checkpoint path \S+\. Expected a file or a directory\./, "Expected a file or a directory"),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/resume_ckpt.py#L150
      { match: lit("The training has no healthy checkpoints yet"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/resume_ckpt.py#L166
      {
        match: rx(/Can not find \S*latest_checkpointed_iteration\.txt/, "latest_checkpointed_iteration.txt"),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/resume_ckpt.py#L241
      { match: rx(/rank_\d+\/?\S* is not found!/, "is not found!"), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/resume_ckpt.py#L264
      { match: lit("No checkpoint could be resumed."), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/resume_ckpt.py#L324
      {
        match: rx(/Checkpoint not found under \S+ with config\.load_ckpt_format/, "with config.load_ckpt_format"),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/mindspore-lab/mindformers/blob/fd4deebc1606a02fd24c3b359a889cd0c966e72b/mindformers/tools/ckpt_transform/transform_checkpoint.py#L3
      {
        match: rx(
          /The checkpoint of rank_\d+ is not found!|The rank_\d+ folder was not found under src_checkpoint folder/,
          "is not found!",
          "folder was not found under src_checkpoint",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/InternLM/xtuner/blob/b934f462095c1e750229de35367c50ae36caa786/xtuner/v1/train/trainer.py#L2079
      { match: rx(/Checkpoint at \S+ has no '[^']+\/' directory/, "directory"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/InternLM/xtuner/blob/b934f462095c1e750229de35367c50ae36caa786/xtuner/v1/train/trainer.py#L2115
      {
        match: rx(/(Dataloader|Scheduler) path \S+ does not exist\./, "Dataloader path", "Scheduler path"),
        confidence: 0.7,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/util/tensor_bundle/tensor_bundle.cc
      {
        match: rx(
          /Checksum does not match: stored \d+ vs\. calculated on the restored bytes/,
          "calculated on the restored bytes",
        ),
        confidence: 0.82,
      },
      // Round 16, upstream: https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/train/serialization.py
      {
        match: rx(
          /Failed to read the checkpoint file \S+, please check the correct of the file/,
          "please check the correct of the file",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/strategies/deepspeed.py#L911
      { match: lit("The provided path is not a valid DeepSpeed checkpoint"), confidence: 0.72 },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/strategies/strategy.py#L461
      {
        match: rx(
          /The requested state contains a key '[^']+' that does not exist in the loaded checkpoint/,
          "that does not exist in the loaded checkpoint",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/strategies/deepspeed.py#L544
      {
        match: lit(
          "DeepSpeed was unable to load the checkpoint. Ensure you passed in a DeepSpeed compatible checkpoint",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/utils/exp_manager.py#L1003
      {
        match: rx(
          /(?:End|Last) checkpoint is unfinished and cannot be used to resume the training/,
          "checkpoint is unfinished and cannot be used to resume",
        ),
        confidence: 0.9,
      },
      // Round 16, upstream: https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/utils/exp_manager.py#L1024
      {
        match: rx(
          /There were no checkpoints found in checkpoint_dir or no checkpoint folder at checkpoint_dir ?:\S*\. Cannot resume/,
          "There were no checkpoints found in checkpoint_dir",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/ultralytics/ultralytics/blob/3c5ac618ec954b0f238c8f4ae558dac6e7f9991b/ultralytics/engine/trainer.py
      { match: lit("Resume checkpoint not found. Please pass a valid checkpoint to resume from"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/pytorch/trainer/connectors/checkpoint_co
      {
        match: rx(
          /Trying to restore (?:optimizer|learning rate scheduler) state but checkpoint contains only the model/,
          "state but checkpoint contains only the model",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/utils/fsdp_utils.py#L490
      {
        match: rx(
          /Tried to load from \S+ but couldn't find a valid metadata file/,
          "couldn't find a valid metadata file",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/trainer.py#L2293
      { match: lit("No valid checkpoint found in output directory"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/accelerator.py#L3788
      { match: rx(/Tried to find \S+ but folder does not exist/, "but folder does not exist"), confidence: 0.65 },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/runtime/engine.py#L4113
      { match: rx(/Expert checkpoint file not found: \S+/, "Expert checkpoint file not found"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/strategies/common.py#L48
      { match: rx(/Common file \S*common\.pt does not exist/, "common.pt does not exist"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/validation.py#L210
      {
        match: rx(
          /CheckpointingException: Checkpoint directory \S+ does not exist/,
          "CheckpointingException: Checkpoint directory",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/dist_checkpointing/validation.py#L582
      {
        match: rx(
          /Checkpoint integrity verification failed for \d+ file\(s\) in/,
          "Checkpoint integrity verification failed",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/checkpoint/checkpoint_handler.py#L203
      {
        match: rx(
          /resume_from_path must be (?:null or )?an existing path when resume_mode is/,
          "resume_from_path must be",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/volcengine/verl/blob/b178a3cd56f58b2d502255daba591e92833930a7/verl/utils/checkpoint/megatron_checkpoint_manager.py#L307
      { match: rx(/Checkpoint path \S+ does not exist\./, "Checkpoint path "), confidence: 0.65 },
      // Round 15, upstream: https://github.com/hiyouga/LLaMA-Factory/blob/ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30/src/llamafactory/v1/core/utils/checkpoint.py#L301
      {
        match: rx(/Checkpoint directory does not exist: \S+/, "Checkpoint directory does not exist: "),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/cf1380dfb6c8552c8cdb791a85a89499775ad409/torch/distributed/checkpoint/filesystem.py
      { match: rx(/No such file or directory: '[^'\n]*__\d+_\d+\.distcp'/, ".distcp'"), confidence: 0.78 },
      // Round 15: torch.load meeting an empty or cut-short pickle (CPython's "Ran out of input" raised through
      // torch/serialization.py), Paddle's resume without its optimizer file, NeMo's exp_manager finding no checkpoint to
      // resume.
      {
        match: lit("EOFError: Ran out of input"),
        near: [rx(/torch[/\\]serialization\.py/, "serialization.py")],
        within: 12,
        confidence: 0.62,
      },
      { match: rx(/Optimizer file \[[^\]\n]*\] not exits/, "] not exits"), confidence: 0.75 },
      // (NeMo prints the same first sentence as a warning ending "Training from scratch." when told to go on.)
      {
        match: rx(
          /There was no checkpoint folder at checkpoint_dir :[^\n]*Cannot resume/,
          "There was no checkpoint folder at",
        ),
        confidence: 0.72,
      },
      // Upstream phrasebook 2: DeepSpeed's engine failing to resume (the checkpoint it was pointed at is not whole).
      { match: lit("[deepspeed] failed to resume from checkpoint"), confidence: 0.7 },
      { match: lit("Found incomplete checkpoint at"), confidence: 0.8 },
      { match: lit("Overwriting old incomplete / corrupted checkpoint"), confidence: 0.65 },
      // Upstream phrasebook 2: MindSpore's checkpoint reader (train/serialization.py: a file that cannot be parsed, a CRC
      // mismatch, an empty file).
      { match: lit("The file may be corrupted, and the content cannot be parsed"), confidence: 0.78 },
      { match: lit("the crc check is failed, please check whether the ckpt file is damaged"), confidence: 0.82 },
      { match: lit("The checkpoint file may be empty"), confidence: 0.75 },
      // Upstream phrasebook: torch's zip reader on a truncated or damaged file (caffe2/serialize/inline_container.cc),
      // Megatron's load of a partial iteration (checkpointing.py: metadata without iteration, optimizer or rng state
      // missing, ranks disagreeing on the iteration, an unreadable tracker, an unknown format, a directory that is not
      // a distributed checkpoint, ShardedObjects missing), DeepSpeed's count of optimizer shards and its ZeRO and
      // universal checkpoint checks.
      {
        match: rx(
          /PytorchStreamReader failed reading (?:zip archive: failed finding central directory|file [^\n]*: invalid header or archive is corrupted)/,
          "PytorchStreamReader failed reading",
        ),
        confidence: 0.75,
      },
      {
        match: rx(
          /A metadata file exists but unable to load iteration from checkpoint|Unable to load (?:optimizer|rng state) from checkpoint|found iteration \d+ in the metadata while max iteration across the ranks is/,
          "unable to load iteration from checkpoint",
          "Unable to load optimizer from checkpoint",
          "Unable to load rng state from checkpoint",
          "in the metadata while max iteration",
        ),
        confidence: 0.8,
      },
      {
        match: rx(/Invalid iteration value in \S*latest_checkpointed_iteration\.txt/, "Invalid iteration value in"),
        confidence: 0.82,
      },
      { match: lit("unknown checkpoint format in"), confidence: 0.72 },
      { match: lit("is not a distributed checkpoint"), confidence: 0.78 },
      {
        match: rx(/Invalid access pattern: \d+ ShardedObject are missing/, "ShardedObject are missing"),
        confidence: 0.8,
      },
      { match: lit("No sub-models found under"), confidence: 0.7 },
      {
        match: rx(/Expected \d+ of '\*_optim_states\.pt' under '[^']*' but found \d+ files/, "_optim_states.pt' under"),
        confidence: 0.88,
      },
      { match: lit("can't find *_optim_states.pt files in directory"), confidence: 0.85 },
      { match: lit("can't find model states file at"), confidence: 0.82 },
      { match: lit("is not a zero checkpoint"), confidence: 0.75 },
      { match: lit("Invalid for universal checkpoint:"), confidence: 0.75 },
      // transformers' resume (trainer.py _load_from_checkpoint, integrations/deepspeed.py deepspeed_load_checkpoint): the
      // checkpoint folder holds neither weights nor DeepSpeed's global_step state.
      { match: lit("Can't find a valid checkpoint at"), confidence: 0.75 },
      // Every layout has rank 00, so its absence means the iteration directory itself is missing or unfinished.
      {
        match: rx(/No such file or directory: '[^']*iter_\d{7}\/mp_rank_00(?:_000)?\/[^']*'/, "mp_rank_00"),
        confidence: 0.9,
      },
      // torch.distributed.checkpoint (dist-ckpt) format: the iteration's metadata was never written.
      {
        match: rx(/No such file or directory: '[^']*iter_\d{7}\/\.metadata'/, "/.metadata'"),
        confidence: 0.88,
      },
      { match: lit("ERROR: Invalid metadata file"), confidence: 0.86 },
      { match: lit("the checkpoint named by latest_checkpointed_iteration.txt is incomplete"), confidence: 0.92 },
      { match: lit("no checkpoint was completed there"), confidence: 0.88 },
      { match: lit("latest_checkpointed_iteration.txt does not hold an iteration"), confidence: 0.88 },
      // DeepSpeed's engine (runtime/engine.py _get_all_zero_checkpoints): "The following zero checkpoints paths are
      // missing: [...]" — a global_step directory without every rank's ZeRO shards.
      { match: lit("The following zero checkpoints paths are missing"), confidence: 0.82 },
      // DeepSpeed's file names inside a tag directory (engine.py _get_ckpt_name, _get_zero_ckpt_name).
      {
        match: rx(
          /No such file or directory: '[^']*global_step\d+\/(?:(?:bf16_)?zero_pp_rank_\d+_mp_rank_\d+_optim_states|(?:layer_\d+-)?mp_rank_\d+_model_states)\.pt'/,
          "global_step",
        ),
        confidence: 0.8,
      },
      // DeepSpeed's state-dict loader (runtime/state_dict_factory.py check_ckpt_list) found no mp_rank_* model files
      // in the tag directory: a bare assertion, stated by its source line.
      { match: lit("assert len(self.ckpt_list) > 0"), sourceLine: true, confidence: 0.72 },
      // Megatron's tracker check (training/checkpointing.py read_metadata): the tracker holds no iteration > 0.
      { match: lit("error parsing metadata file"), confidence: 0.8 },
      // DeepSpeed's load_checkpoint (runtime/engine.py) with no `latest` tracker in the save directory: the run stopped
      // before a tag was saved in full, or the tracker was lost.
      { match: lit("Unable to find latest file at"), confidence: 0.74 },
      // Round 15: a resume reading the optimizer's state from a checkpoint saved without it (released checkpoints are
      // often stripped to their weights): `optimizer.load_state_dict(checkpoint["optimizer"])` and its variants.
      {
        match: rx(
          /KeyError: '(?:optimizer|optimizer_state_dict|optimizer_states|optimizer_state|optim_state_dict|opt_state)'/,
          "KeyError: 'opt",
        ),
        confidence: 0.72,
      },
      // Round 21: Lightning's resume from a checkpoint saved with `ModelCheckpoint(save_weights_only=True)`
      // (trainer/connectors/checkpoint_connector.py restore_optimizers_and_schedulers / restore_training_state).
      { match: lit("checkpoint contains only the model"), confidence: 0.8 },
      // Round 21: torch.load of a zip checkpoint whose archive lacks a tensor's data record (caffe2/serialize/
      // inline_container.cc getRecordID): the file was cut short or written by two processes at once. Older releases
      // print "file not found: archive/data/N", newer "PytorchStreamReader failed locating file data/N: file not found".
      {
        match: rx(
          /file not found: archive\/data\/\d+|failed locating file (?:archive\/)?data\/\d+: file not found/,
          "file not found",
        ),
        confidence: 0.7,
      },
      // Round 21: a resume reading training state (step, epoch, best metric, optimizer, scheduler, scaler) from a
      // checkpoint saved without it, stated by the source line under the trace's last frame and the bare KeyError after
      // it: `self._loaded_checkpoint["global_step"]` in Lightning's restore_loops, `ckpt['best_val_loss']` in a train
      // script. A missing model key (`ckpt['model']`, `['state_dict']`) is another layout, not a stripped checkpoint.
      {
        match: rx(
          /(?:[ (]ckpt|checkpoint)\[["'](?:global_step|epoch|step|iteration|best_\w+|optimizer\w*|optim\w*|lr_schedulers?|scheduler\w*|scaler|amp|loops)["']\]/,
          " ckpt['",
          ' ckpt["',
          "(ckpt['",
          '(ckpt["',
          "checkpoint[",
        ),
        near: [rx(/^KeyError: '\w+'/, "KeyError: '")],
        within: 3,
        sourceLine: true,
        confidence: 0.72,
      },
      // Round 15: a file every checkpoint of its layout holds (HF Trainer's trainer_state.json, optimizer.pt,
      // scheduler.pt, rng_state*.pth; a run's metadata.json) missing from a directory named as a checkpoint: the save
      // was cut short or the directory copied in part.
      {
        match: rx(
          /No such file or directory: '[^']*[Cc]heckpoint[^'/]*\/(?:[^'/]+\/)?(?:trainer_state\.json|optimizer\.pt|scheduler\.pt|scaler\.pt|rng_state[^'/]*\.pth|metadata\.json)'/,
          "heckpoint",
        ),
        confidence: 0.74,
      },
    ],
    extract: [
      /(?<save_dir>\/[^\s']*?)\/(?<iteration_dir>iter_\d{7})\//,
      /(?<save_dir>\/[^\s']+?)\/latest_checkpointed_iteration\.txt/,
      /(?<save_dir>[^\s'"[]*?)\/(?<iteration_dir>global_step\d+)\//,
      /error parsing metadata file (?<save_dir>\S+?)\/latest_checkpointed_iteration\.txt/,
      /Unable to find latest file at (?<save_dir>\S+?)\/latest\b/,
    ],
    supersedes: ["ckpt-shape-mismatch", "missing-weights"],
    cause:
      "The save directory's tracker (latest_checkpointed_iteration.txt; DeepSpeed's `latest`) names an iteration whose " +
      "iter_NNNNNNN / global_stepN or mp_rank_* files are missing or empty: the run was stopped or ran out of disk while " +
      "saving, each node saved its shards to its own local disk, files were copied only in part, the tracker was " +
      "edited by hand, or a weights-only conversion is loaded as a full training checkpoint.",
    fixes: [
      {
        id: "look",
        summary:
          "See which iterations are really there and what the tracker names (Megatron/MindSpeed: " +
          "latest_checkpointed_iteration.txt and iter_*; DeepSpeed: latest and global_step*), on every node.",
        commands: ["ls <save_dir> <save_dir>/<iteration_dir>"],
      },
      {
        id: "earlier-iteration",
        summary:
          "Point the tracker at the newest complete iteration (Megatron/MindSpeed: each of its mp_rank_* holds a model " +
          "file, the first command; DeepSpeed: its global_step directory holds every rank's files, the second), then run " +
          `again: ${callHint("resume_run", { runId: "<run_id>" })} for a training run, ` +
          `${callHint("export_model", { checkpointDir: "<save_dir>" })} for an export.`,
        commands: [
          "echo <complete_iteration> > <save_dir>/latest_checkpointed_iteration.txt",
          "echo global_step<complete_iteration> > <save_dir>/latest",
        ],
      },
      {
        id: "wait-save",
        summary: `If the run is still saving, wait for 'successfully saved checkpoint' in ${callHint("tail_logs", { runId: "<run_id>" })}.`,
      },
      {
        id: "weights-only",
        summary:
          "A checkpoint that holds weights only (a conversion) loads without optimizer state: Megatron/MindSpeed " +
          "--no-load-optim --no-load-rng; DeepSpeed load_checkpoint(..., load_module_only=True).",
      },
      {
        id: "shared-disk",
        summary: "Multi-node: save to a filesystem every node sees, so each iteration holds every rank's shards.",
      },
      {
        // The same torch messages meet a file cut short in a download (pretrained weights, a Hub or torch.hub cache):
        // there the fix is the file again, not an earlier iteration.
        id: "download-again",
        summary:
          "If the file was downloaded rather than saved by a run (pretrained weights, a Hugging Face or torch.hub " +
          "cache, a release asset), it arrived cut short: compare its size or checksum with the source's, delete the " +
          "cached copy and download it again.",
        onlyWhen:
          /failed finding central directory|invalid header or archive is corrupted|unexpected EOF, expected \d+ more bytes|Ran out of input/,
      },
    ],
    references: [
      MEGATRON_CHECKPOINTING,
      "https://github.com/NVIDIA/Megatron-LM/issues/185",
      "https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/engine.py",
    ],
  },
  {
    id: "inference-layout-mismatch",
    category: "inference_layout_mismatch",
    title: "Inference or evaluation config splits the model differently from the checkpoint (TP/PP)",
    role: "primary",
    triggers: [
      { match: lit("size mismatch for"), near: AFTER_TRAINING, within: 80, confidence: 0.93 },
      { match: lit("copying a param with shape"), near: AFTER_TRAINING, within: 80, confidence: 0.93 },
      {
        match: rx(/No such file or directory: '[^']*mp_rank_0*[1-9]\d*(?:_\d+)?\/[^']*'/, "mp_rank_"),
        near: AFTER_TRAINING,
        within: 80,
        confidence: 0.9,
      },
      { match: lit("Missing key(s) in state_dict"), near: AFTER_TRAINING, within: 80, confidence: 0.8 },
      { match: lit("Error(s) in loading state_dict"), near: AFTER_TRAINING, within: 80, confidence: 0.78 },
    ],
    extract: [
      /size mismatch for (?<param>[\w.]+)/,
      /copying a param with shape torch\.Size\(\[(?<ckpt_shape>[^\]]*)\]\) from checkpoint, the shape in current model is torch\.Size\(\[(?<model_shape>[^\]]*)\]\)/,
      /(?<ckpt_dir>\/[^\s']*?)\/iter_\d{7}\//,
    ],
    supersedes: ["ckpt-shape-mismatch"],
    cause:
      "The inference or evaluation config (inference_*.json / evaluate_*.json and its shell script) builds the model " +
      "with another tensor-parallel size or pipeline layer split than the checkpoint was saved with: a 7B example " +
      "copied for another size, or a checkpoint trained with TP/PP that the example does not use. Shards then have " +
      "the wrong shapes, or ranks look for mp_rank_* directories the checkpoint does not have.",
    fixes: [
      {
        id: "layout-from-checkpoint",
        summary:
          "Let the tool read TP, PP and the layer split from the checkpoint's mp_rank_* directories and write the config: " +
          `${callHint("run_inference", { runId: "<run_id>", prompt: "Describe this image.", images: ["<image>"] })}` +
          ` (or ${callHint("evaluate_model", { runId: "<run_id>" })}).`,
        commands: ["ls <ckpt_dir>/iter_*/"],
      },
      {
        id: "match-by-hand",
        summary:
          "By hand: the script's TP/PP and the config's pipeline_num_layers must equal the training's (mp_rank_TT_PPP: TT+1 = TP, PPP+1 = PP).",
        edits: [
          "inference script: --tensor-model-parallel-size <tp> --pipeline-model-parallel-size <pp>",
          "inference json: text_decoder.pipeline_num_layers = <llm_pp_layers>",
        ],
      },
      {
        id: "export-instead",
        summary: `Or export to Hugging Face format, which has no split, and load that: ${callHint("export_model", { runId: "<run_id>" })}.`,
      },
    ],
    references: [MINDSPEED_QWEN25VL, `${MINDSPEED_FAQ} (#5, #6)`],
  },
  {
    id: "eval-data-missing",
    category: "eval_data_missing",
    title: "Benchmark data for evaluation not found",
    role: "primary",
    triggers: [
      {
        match: rx(/No such file or directory: '[^']*\.tsv'/, "No such file or directory"),
        confidence: 0.9,
      },
      {
        match: rx(
          /(?:FileNotFoundError|does not exist|not found)[^\n]*\.tsv\b/,
          "FileNotFoundError",
          "does not exist",
          "not found",
        ),
        near: AFTER_TRAINING,
        within: 40,
        confidence: 0.85,
      },
    ],
    extract: [/'(?<dataset_file>\/[^']*\.tsv)'/, /(?<dataset_dir>\/[^\s']*)\/[\w.-]+\.tsv/],
    supersedes: ["missing-weights", "nfs-cache-hang"],
    cause:
      "evaluate_vlm.py reads each benchmark from a TSV (AI2D_TEST.tsv, MMMU_DEV_VAL.tsv, ...) under the evaluation " +
      "dataset path, and that file is not there: not downloaded, another directory, or a name in another case.",
    fixes: [
      { id: "look", summary: "See what the data directory holds.", commands: ["ls -l <dataset_dir>"] },
      {
        id: "dataset-dir",
        summary:
          "Download the benchmark TSV (the names VLMEvalKit publishes) into one directory and pass it: " +
          `${callHint("evaluate_model", { runId: "<run_id>", datasetDir: "<dataset_dir>" })}.`,
        commands: ["wget -P <dataset_dir> https://opencompass.openxlab.space/utils/VLMEval/AI2D_TEST.tsv"],
      },
    ],
    references: [MINDSPEED_QWEN25VL, "https://github.com/open-compass/VLMEvalKit"],
  },
  {
    id: "inference-device-busy",
    category: "inference_device_busy",
    title: "NPU still held (often by the training run) when inference or evaluation starts",
    role: "primary",
    triggers: [
      {
        match: rx(/\bEJ0001\b/, "EJ0001:", "EJ0001 ", "EJ0001)", "EJ0001,"),
        near: AFTER_TRAINING,
        within: 80,
        confidence: 0.93,
      },
      { match: lit("Failed to initialize the HCCP process"), near: AFTER_TRAINING, within: 80, confidence: 0.93 },
      { match: lit("Maybe the last training process is running"), near: AFTER_TRAINING, within: 80, confidence: 0.93 },
      {
        match: rx(/because the device is used|ret is -8020\b/, "the device is used", "ret is -8020"),
        near: AFTER_TRAINING,
        within: 80,
        confidence: 0.92,
      },
    ],
    extract: [/Device:(?<device>\d+)/, /deviceId=(?<device>\d+)/, /open device (?<device>\d+)/],
    supersedes: ["device-busy", "npu-oom"],
    cause:
      "Inference and evaluation open the same NPUs as training. A training run still going (or its processes and HCCP " +
      "daemon not yet gone after a stop) holds them, so the inference process cannot open the card.",
    fixes: [
      {
        id: "find-holder",
        summary: `See which run is still alive: ${callHint("list_runs")}; on the host, which processes hold the cards.`,
        commands: ["npu-smi info"],
      },
      {
        id: "stop-run",
        summary:
          `Stop the run that holds the cards (${callHint("stop_run", { runId: "<run_id>" })}), wait about 10 s, then ` +
          `answer again: ${callHint("run_inference", { runId: "<run_id>", prompt: "Describe this image.", images: ["<image>"] })}.`,
        commands: ["sleep 10"],
      },
      {
        id: "other-card",
        summary: "Or run the inference script on a free card.",
        env: { ASCEND_RT_VISIBLE_DEVICES: "<free_devices>" },
      },
    ],
    references: ["https://github.com/hiyouga/LlamaFactory/issues/3839"],
  },
];
