// Precedence of evidence as data: a stated root cause ranks above the symptoms it produces, and a specific failure
// above a generic one. When both categories fire, the one on the right is marked as explained by the one on the
// left and ranked below it, whatever their order in the log.
import type { Category } from "./rules-types.js";

export interface PrecedenceRule {
  cause: Category;
  over: readonly Category[];
  why: string;
}

export const PRECEDENCE: readonly PrecedenceRule[] = [
  {
    cause: "device_busy",
    over: ["npu_oom", "npu_not_available", "hccl_timeout", "port_in_use", "aicore_error"],
    why: "another process holding the card makes this one run out of memory, fail to open it or fail HCCL init",
  },
  {
    cause: "driver_not_mounted",
    over: ["cann_env_not_sourced", "npu_not_available", "torch_npu_version_mismatch", "cuda_path_on_npu"],
    why: "without the host driver in the container nothing above it can load or see the card",
  },
  {
    cause: "cann_version_mismatch",
    over: ["aicore_error", "npu_not_available", "cann_python_deps_broken", "dtype_unsupported"],
    why: "kernels or OPP built for another SoC/driver fail as kernel errors or device-open errors",
  },
  {
    cause: "cann_env_not_sourced",
    over: ["torch_npu_version_mismatch", "cuda_path_on_npu", "transformers_version_conflict"],
    why: "a missing CANN library makes torch_npu fail to import, and frameworks then fall back to CUDA paths",
  },
  {
    cause: "torch_npu_version_mismatch",
    over: ["transformers_version_conflict", "cuda_path_on_npu"],
    why: "an import error of torch_npu surfaces as a failed transformers import or as a CUDA fallback",
  },
  {
    cause: "import_from_source_dir",
    over: ["transformers_version_conflict"],
    why: "a package imported from its own checkout lacks its built parts, which reads as a name it cannot import",
  },
  {
    cause: "megatron_version_mismatch",
    over: ["transformers_version_conflict"],
    why: "a Megatron/MindSpeed import error is the specific form of a version conflict",
  },
  { cause: "dtype_unsupported", over: ["aicore_error"], why: "a dtype the chip lacks fails inside the kernel" },
  {
    cause: "cann_python_deps_broken",
    over: ["aicore_error", "npu_not_available"],
    why: "the op compiler cannot start",
  },
  { cause: "port_in_use", over: ["hccl_timeout"], why: "a rank that could not listen leaves its peers waiting" },
  { cause: "npu_oom", over: ["hccl_timeout"], why: "the rank that ran out of memory stopped; the others time out" },
  { cause: "host_oom", over: ["hccl_timeout"], why: "the killed rank stops answering collectives" },
  { cause: "shm_bus_error", over: ["hccl_timeout", "host_oom"], why: "a dead DataLoader worker stalls its rank" },
  {
    cause: "nfs_cache_hang",
    over: ["hccl_timeout"],
    why: "ranks waiting on a shared cache miss the collective timeout",
  },
  {
    cause: "disk_full",
    over: ["hccl_timeout", "permission_denied"],
    why: "a failed checkpoint write stalls the other ranks",
  },
  {
    cause: "dataset_key_error",
    over: ["hccl_timeout"],
    why: "the rank that crashed in preprocessing leaves the rest in a barrier",
  },
  {
    cause: "hub_access",
    over: ["input_path_missing", "missing_weights"],
    why: "a Hub repo that refused the download reads as a path not found or as files the repo does not appear to have",
  },
  {
    cause: "tp_exceeds_kv_heads",
    over: ["ckpt_shape_mismatch"],
    why: "a TP size that does not divide the heads yields odd shards",
  },
  {
    cause: "pp_layers_mismatch",
    over: ["ckpt_shape_mismatch", "empty_pp_stage"],
    why: "the layer split decides every stage's shapes",
  },
  // Specific over generic: a rule that knows which file is missing, or why a path cannot be opened, explains the
  // bare "No such file or directory" of the same failure.
  ...(
    [
      "missing_weights",
      "nfs_cache_hang",
      "eval_data_missing",
      "checkpoint_incomplete",
      "windows_line_endings",
      "pdsh_missing",
      "driver_not_mounted",
      "cann_env_not_sourced",
      "import_from_source_dir",
      "disk_full",
      "permission_denied",
    ] as const
  ).map(
    (cause): PrecedenceRule => ({
      cause,
      over: ["input_path_missing"],
      why: "the file it names as missing, or the path it cannot open, is this failure's own",
    }),
  ),
];

/** category → categories it explains. */
export function explains(cause: string, symptom: string): boolean {
  return PRECEDENCE.some((p) => p.cause === cause && p.over.includes(symptom as Category));
}
