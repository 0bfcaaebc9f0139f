// Stack frames as evidence: where a Python traceback ends says which subsystem failed. The module of the last frame
// of each traceback is matched against this table; a hit adds weight to its category, or yields a weak finding of
// its own when nothing else matched.
import type { Category } from "./rules-types.js";

export interface FrameHint {
  /** Matched against `path:function` of the last frame of a traceback. */
  readonly frame: RegExp;
  readonly category: Category;
  readonly why: string;
}

export const FRAME_HINTS: readonly FrameHint[] = [
  { frame: /torch\/cuda\/[\w/]*\.py:/, category: "cuda_path_on_npu", why: "the trace ends inside torch.cuda" },
  { frame: /\/(?:bitsandbytes|apex)\//, category: "cuda_path_on_npu", why: "the trace ends in a CUDA-only extension" },
  {
    frame: /datasets\/(?:arrow_reader|arrow_writer|table|builder|fingerprint)\.py:|pyarrow\//,
    category: "nfs_cache_hang",
    why: "the trace ends in the datasets/pyarrow cache layer",
  },
  {
    frame: /torch\/utils\/data\/(?:_utils\/signal_handling|dataloader)\.py:/,
    category: "shm_bus_error",
    why: "the trace ends where the DataLoader reports a dead worker",
  },
  { frame: /torch\/serialization\.py:_?save/, category: "disk_full", why: "the trace ends writing a checkpoint" },
  {
    frame: /transformers\/utils\/import_utils\.py:|importlib\/__init__\.py:import_module/,
    category: "transformers_version_conflict",
    why: "the trace ends in a lazy import of a library module",
  },
  {
    frame:
      /(?:llamafactory\/data\/(?:converter|aligner)|swift\/llm\/[\w/]*preprocess|datasets\/formatting\/formatting)\.py:/,
    category: "dataset_key_error",
    why: "the trace ends while converting dataset rows",
  },
  {
    frame:
      /megatron\/core\/transformer\/transformer_block\.py:get_num_layers|megatron\/training\/arguments\.py:validate_args/,
    category: "pp_layers_mismatch",
    why: "the trace ends in Megatron's layer/parallel-size checks",
  },
  {
    frame:
      /(?:modeling_utils\.py:_load_state_dict_into_meta_model|accelerate\/utils\/modeling\.py:set_module_tensor_to_device)/,
    category: "npu_oom",
    why: "the trace ends moving weights onto the device at load",
  },
  {
    frame: /huggingface_hub\/utils\/_(?:errors|http)\.py:hf_raise_for_status/,
    category: "hub_access",
    why: "the trace ends where huggingface_hub raises the Hub's HTTP answer",
  },
  {
    frame: /filelock\/_api\.py:acquire|huggingface_hub\/utils\/_fixes\.py:WeakFileLock/,
    category: "nfs_cache_hang",
    why: "the trace ends waiting for a file lock",
  },
  {
    frame: /datasets\/(?:load|data_files)\.py:(?:resolve_pattern|dataset_module_factory|get_module|__init__)/,
    category: "input_path_missing",
    why: "the trace ends where datasets looks for the data files or the dataset",
  },
  {
    frame:
      /deepspeed\/runtime\/(?:state_dict_factory\.py:check_ckpt_list|engine\.py:_get_all_zero_checkpoints)|megatron\/(?:training\/)?checkpointing\.py:read_metadata/,
    category: "checkpoint_incomplete",
    why: "the trace ends checking which checkpoint files an iteration has",
  },
  {
    frame: /torch_npu\/npu\/utils\.py:(?:set_device|_lazy_init|current_device)/,
    category: "npu_not_available",
    why: "the trace ends opening the device",
  },
];

export function frameHints(frame: string): FrameHint[] {
  return FRAME_HINTS.filter((h) => h.frame.test(frame));
}
