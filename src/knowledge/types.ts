// Types of the model knowledge base: plain data, checked by tests, read by tools and resources.
import type { ReleaseTag } from "./release-tags.js";

/**
 * megatron: data/model JSON + Megatron flags (pretrain_vlm.py and friends).
 * megatron-fsdp2: pretrain_transformers.py (or pretrain_vlm.py) with JSON configs and an FSDP2 YAML.
 * fsdp2-yaml: pretrain_transformers.py with ONE YAML holding gpt_args/data/model.
 * native-fsdp: mindspeed_mm/fsdp/train/trainer.py with one YAML (no Megatron at runtime).
 * megatron-yaml: a Megatron-core model's own pretrain script with ONE YAML holding gpt_args (TP / EP / CP), the model
 *   and the data (examples/mcore/qwen3_5): Megatron parallelism, no pipeline split list.
 * custom: an HF-style trainer script inside the example directory.
 */
export type Backend = "megatron" | "megatron-fsdp2" | "fsdp2-yaml" | "native-fsdp" | "megatron-yaml" | "custom";

export type ModelKind = "vlm" | "generative" | "omni" | "audio";

export interface LlmArchitecture {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  ffn?: number;
  vocab: number;
  /** Mixture of experts: routed experts and experts per token. */
  experts?: number;
  topK?: number;
}

export interface VitArchitecture {
  layers: number;
  hidden: number;
  heads: number;
}

export interface Architecture {
  llm: LlmArchitecture;
  vit?: VitArchitecture;
}

/** Defaults read from the upstream example script and configs for one release. */
export interface TrainingDefaults {
  npusPerNode: number;
  /** Nodes; multi-node examples read a hostfile upstream, here the number the example was sized for. */
  nodes: number;
  /** True when the upstream script takes NNODES from a hostfile. */
  hostfile?: boolean;
  tp: number;
  pp: number;
  cp: number;
  ep: number;
  microBatchSize: number;
  /** Megatron: GRAD_ACC_STEP; the global batch is derived. */
  gradAccSteps: number;
  /** Set when the config states the global batch directly (fsdp2 YAML). */
  globalBatchSize?: number;
  lr: number;
  trainIters: number;
  seqLength: number;
  /** Megatron: LLM and ViT layers per pipeline stage. */
  llmLayerSplit?: number[];
  vitLayerSplit?: number[];
  /**
   * Virtual pipeline (VPP): virtual stages per rank and the layers of each virtual stage, one row per virtual stage
   * (what pipeline_num_layers and the converter's *_pp_layers hold); llmLayerSplit / vitLayerSplit are then the
   * per-rank sums.
   */
  vpp?: { size: number; llm: number[][]; vit: number[][] };
}

export interface ConverterMethod {
  name: string;
  /** A `pass` body upstream: calling it does nothing. */
  stub: boolean;
}

export interface ConverterRelease {
  release: ReleaseTag;
  methods: ConverterMethod[];
}

export interface ConverterInfo {
  className: string;
  /** "cfg": nested --cfg.* flags; "flat": plain keyword flags (DCP converters). */
  argStyle: "cfg" | "flat";
  /** Methods per release where the class exists. */
  releases: ConverterRelease[];
  notes?: string;
}

/** One way to train a model at some releases: variant "" is the standard example. */
export interface TrainingRecipe {
  variant: string;
  description: string;
  releases: readonly ReleaseTag[];
  backend: Backend;
  /** The torchrun target (or python script for custom trainers). */
  entry: string;
  /** Upstream example script, relative to the MindSpeed-MM root. */
  script: string;
  /** Upstream config files, relative to the MindSpeed-MM root. */
  configFiles: string[];
  converter?: string;
  defaults: TrainingDefaults;
  /** Overrides of the defaults at particular releases. */
  defaultsAt?: Partial<Record<ReleaseTag, Partial<TrainingDefaults>>>;
  env: Record<string, string>;
  /** Exports that differ at particular releases (added, or removed with an empty value). */
  envAt?: Partial<Record<ReleaseTag, Record<string, string>>>;
  /** Where the generated files differ from upstream's on purpose, and why (shown to the user as warnings). */
  upstreamDifferences?: UpstreamDifference[];
  /** LoRA recipes: the adapter settings and how the base checkpoint must be converted for them. */
  lora?: LoraSettings;
  /**
   * Host setup the example needs beyond the release's stack (its own MindSpeed commit, kernels to build), as the
   * README's commands: shown as a plan for the user to confirm and run, never run by build_configs.
   */
  setup?: string[];
}

/** The LoRA settings a recipe trains with, as its config writes them; the merge uses the same ones. */
export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** Module names as the training config lists them. */
  targetModules: string[];
  /**
   * How the base weights are converted for it: "canonical" (Megatron, HF-equal module names:
   * enable_canonical_hf_struct), or "lora-base" (DCP, `hf_to_dcp --is_lora_base true`: keys under base_model.model.).
   */
  baseConversion: "canonical" | "lora-base";
}

/** A deliberate difference from the upstream example files, as the upstream comparison names it. */
export interface UpstreamDifference {
  /** env:NAME, flag:--name, torchrun:--name, setup:..., or value:<upstream file>#<dotted.path>. */
  key: string;
  reason: string;
  /** Releases it applies to; every release of the recipe when absent. */
  releases?: readonly ReleaseTag[];
}

export interface ModelEntry {
  /** `<example dir>-<size>` or the example dir alone. */
  id: string;
  family: string;
  displayName: string;
  exampleDir: string;
  size?: string;
  kind: ModelKind;
  hfRepo?: string;
  /** Other names people use (repo ids, marketing names). */
  aliases: string[];
  arch?: Architecture;
  /** Releases whose examples/ contain this model, oldest first. */
  releases: readonly ReleaseTag[];
  recipes: TrainingRecipe[];
  requirements: string[];
  /** Needs its own Python environment (pins that clash with the base install). */
  isolatedEnv: boolean;
  notes: string[];
}

/** A non-VLM example that MindSpeed-MM ships: enough to route a request, not to build configs. */
export interface RoutingEntry {
  id: string;
  displayName: string;
  kind: ModelKind;
  exampleDir: string;
  entry: string;
  converter?: string;
  releases: readonly ReleaseTag[];
  aliases: string[];
  summary: string;
  /** The README to follow, relative to the MindSpeed-MM root. */
  readme: string;
  /** Its section on training (or the closest one upstream has), as the heading reads. */
  section?: string;
}
