// Inputs and outputs of training-plan resolution (shared by build_configs, launch_train and convert_weights).
import type { ReleaseTag } from "../knowledge/release-tags.js";
import type { Backend } from "../knowledge/types.js";

export interface TrainingParams {
  variant?: string;
  /** Directory the config files are written to; paths inside the configs point here. Default: examples/<dir>. */
  outputDir?: string;
  hfDir?: string;
  /** Converted (mm / dcp) checkpoint the run loads. */
  ckptDir?: string;
  saveDir?: string;
  /** Training data file (MLLM JSON). */
  dataset?: string;
  /** Root for relative image paths; default the dataset's directory. */
  datasetDir?: string;
  tp?: number;
  pp?: number;
  cp?: number;
  ep?: number;
  npusPerNode?: number;
  nodes?: number;
  microBatchSize?: number;
  globalBatchSize?: number;
  trainIters?: number;
  /** Save a checkpoint every N iterations; default: the recipe's. */
  saveInterval?: number;
  /** Save optimizer and RNG state with each checkpoint (larger checkpoints; resume_run continues exactly). */
  saveOptimizer?: boolean;
  seqLength?: number;
  lr?: number;
  llmLayerSplit?: number[];
  vitLayerSplit?: number[];
  /** Virtual pipeline stages per rank (--virtual-pipeline-model-parallel-size); 1 runs without VPP. */
  vpp?: number;
  /** VPP: LLM layers per virtual stage, one row per virtual stage, one entry per pipeline rank (pipeline_num_layers). */
  vppLlmLayerSplit?: number[][];
  /** VPP: ViT layers per virtual stage, same shape. */
  vppVitLayerSplit?: number[][];
  /** LoRA recipes: the adapters' rank (lora_r / --lora-r); default the recipe's. */
  loraRank?: number;
  /** LoRA recipes: lora_alpha / --lora-alpha; default the recipe's alpha / r ratio times the rank. */
  loraAlpha?: number;
  /** CANN install root on the host (for the launch script). */
  cannRoot?: string;
  /** MindSpeed-MM checkout on the host; the launch script cds there. */
  workdir?: string;
}

export type FileRole = "model-config" | "data-config" | "train-config" | "launch-script";

export interface PlannedFile {
  role: FileRole;
  /** File name in the output directory (the upstream basename). */
  name: string;
  /** The upstream file this one is equivalent to. */
  upstream: string;
  format: "json" | "yaml" | "bash";
  /** Parsed value (JSON/YAML); null for scripts. */
  value: unknown;
  text: string;
}

export interface PlanIssue {
  field: string;
  message: string;
  /** A value that would work, when one can be computed. */
  suggestion?: unknown;
}

export interface Parallelism {
  tp: number;
  pp: number;
  cp: number;
  ep: number;
  dp: number;
  npusPerNode: number;
  nodes: number;
  worldSize: number;
}

export interface TrainingPlan {
  model: string;
  release: ReleaseTag;
  variant: string;
  backend: Backend;
  entry: string;
  parallel: Parallelism;
  microBatchSize: number;
  gradAccSteps: number;
  globalBatchSize: number;
  trainIters: number;
  seqLength: number;
  lr: number;
  /** Per pipeline stage; null where the backend has no pipeline split (FSDP2). */
  layerSplit: { llm: number[] | null; vit: number[] | null };
  /** Virtual pipeline stages per rank (--virtual-pipeline-model-parallel-size) when the plan runs VPP. */
  vpp?: number;
  /** With VPP: the layers of each virtual stage (pipeline_num_layers rows); layerSplit then holds the rank sums. */
  vppLayerSplit?: { llm: number[][]; vit: number[][] };
  /** LoRA recipes: the rank and alpha the configs write (the merge scales by alpha / rank); null otherwise. */
  lora: { rank: number; alpha: number } | null;
  paths: { outputDir: string; hfDir: string; ckptDir: string; saveDir: string; dataset: string; datasetDir: string };
  /** Dataset field names the data config expects (dataset_param.attr), or null when the format has none. */
  datasetAttr: Record<string, string> | null;
  env: Record<string, string>;
  files: PlannedFile[];
  errors: PlanIssue[];
  warnings: string[];
}
