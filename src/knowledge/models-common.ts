// Shared pieces of the model tables: release spans and the environment blocks of the example scripts.
import { RELEASE_TAGS, type ReleaseTag } from "./release-tags.js";
import type { TrainingDefaults } from "./types.js";

/** Releases from `from` up to and including `to` (default: the newest). */
export function span(from: ReleaseTag, to?: ReleaseTag): ReleaseTag[] {
  const start = RELEASE_TAGS.indexOf(from);
  const end = to ? RELEASE_TAGS.indexOf(to) : RELEASE_TAGS.length - 1;
  return RELEASE_TAGS.slice(start, end + 1);
}

/** Exports common to the Megatron VLM finetune scripts (qwen2vl/qwen2.5vl style). */
export const MEGATRON_ENV: Record<string, string> = {
  // Only to satisfy a Megatron check; no effect on NPU.
  CUDA_DEVICE_MAX_CONNECTIONS: "1",
  ASCEND_SLOG_PRINT_TO_STDOUT: "0",
  ASCEND_GLOBAL_LOG_LEVEL: "3",
  TASK_QUEUE_ENABLE: "2",
  COMBINED_ENABLE: "1",
  CPU_AFFINITY_CONF: "1",
  HCCL_CONNECT_TIMEOUT: "1200",
  NPU_ASD_ENABLE: "0",
  ASCEND_LAUNCH_BLOCKING: "0",
  ACLNN_CACHE_LIMIT: "100000",
};

/** InternVL / DeepSeekVL scripts: no NPU_ASD_ENABLE / ASCEND_LAUNCH_BLOCKING, expandable segments on. */
export const MEGATRON_ENV_INTERNVL: Record<string, string> = {
  ASCEND_SLOG_PRINT_TO_STDOUT: "0",
  ASCEND_GLOBAL_LOG_LEVEL: "3",
  TASK_QUEUE_ENABLE: "2",
  COMBINED_ENABLE: "1",
  CPU_AFFINITY_CONF: "1",
  HCCL_CONNECT_TIMEOUT: "1200",
  CUDA_DEVICE_MAX_CONNECTIONS: "1",
  PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
  ACLNN_CACHE_LIMIT: "100000",
};

/** pretrain_transformers.py scripts (FSDP2): CUDA_DEVICE_MAX_CONNECTIONS must not be 1. */
export const FSDP2_ENV: Record<string, string> = {
  CUDA_DEVICE_MAX_CONNECTIONS: "2",
  ASCEND_SLOG_PRINT_TO_STDOUT: "0",
  ASCEND_GLOBAL_LOG_LEVEL: "3",
  TASK_QUEUE_ENABLE: "2",
  COMBINED_ENABLE: "1",
  CPU_AFFINITY_CONF: "1",
  HCCL_CONNECT_TIMEOUT: "1200",
  NPU_ASD_ENABLE: "0",
  ASCEND_LAUNCH_BLOCKING: "0",
  ACLNN_CACHE_LIMIT: "100000",
  TOKENIZERS_PARALLELISM: "false",
  PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
  MULTI_STREAM_MEMORY_REUSE: "1",
};

/** Native FSDP2 trainer scripts (NON_MEGATRON). */
export const NATIVE_ENV: Record<string, string> = {
  NON_MEGATRON: "true",
  MULTI_STREAM_MEMORY_REUSE: "2",
  TASK_QUEUE_ENABLE: "2",
  ASCEND_LAUNCH_BLOCKING: "0",
  ACLNN_CACHE_LIMIT: "100000",
  CPU_AFFINITY_CONF: "1",
  PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
};

export const CUSTOM_ENV: Record<string, string> = {
  OMP_NUM_THREADS: "1",
  TOKENIZERS_PARALLELISM: "false",
};

/** Megatron defaults shared by the qwen family; sizes override what differs. */
export function megatronDefaults(over: Partial<TrainingDefaults>): TrainingDefaults {
  return {
    npusPerNode: 8,
    nodes: 1,
    tp: 1,
    pp: 1,
    cp: 1,
    ep: 1,
    microBatchSize: 1,
    gradAccSteps: 1,
    lr: 1.0e-5,
    trainIters: 10000,
    seqLength: 1024,
    ...over,
  };
}
