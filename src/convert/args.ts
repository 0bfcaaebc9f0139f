// The exact `mm-convert <Class> <method> …` argument shape per converter and release (facts §b). Pure.
import { RELEASE_TAGS, type ReleaseTag } from "../knowledge/release-tags.js";
import type { LoraSettings } from "../knowledge/types.js";

export const CONVERT_METHODS = [
  "hf_to_mm",
  "mm_to_hf",
  "hf_to_dcp",
  "dcp_to_hf",
  "resplit",
  "lora_hf_to_mm",
  "lora_mm_to_hf",
  "lora_hf_to_dcp",
  "merge_mm_lora_dcp_weight_to_base_hf",
  "hf_to_mm_dcp",
  "merge_base_lora_weight",
  "hf_to_mm_ldt",
  "moe_expert",
] as const;
export type ConvertMethod = (typeof CONVERT_METHODS)[number];

/** Where the method reads from and writes to; "experts": Hugging Face weights in, Hugging Face weights out. */
export type Direction = "to-mm" | "to-hf" | "resplit" | "merge" | "experts";

export const directionOf = (method: ConvertMethod): Direction =>
  method === "resplit"
    ? "resplit"
    : method === "merge_base_lora_weight"
      ? "merge"
      : method === "moe_expert"
        ? "experts"
        : method.replace(/^lora_/, "").startsWith("hf_to")
          ? "to-mm"
          : "to-hf";

/** moe_expert: merge the per-expert weights into one tensor per layer, or split them back. */
export type MoeStyle = "merge" | "split";

/**
 * Megatron LoRA runs: checkpoint/common/merge_base_lora_weight.py adds the trained adapters (the run's save
 * directory) into the converted base, per TP/PP rank, and writes a Megatron checkpoint (release/) that mm_to_hf exports.
 */
export const MERGE_SCRIPT = "checkpoint/common/merge_base_lora_weight.py";

export interface ParallelLayout {
  tp: number;
  /** Layers per pipeline stage. */
  llm: number[];
  vit: number[] | null;
  /** Virtual pipeline: the layers of each virtual stage, one row per virtual stage (VppParallelConfig). */
  vpp?: { llm: number[][]; vit: number[][] };
}

export interface ConvertArgSpec {
  className: string;
  method: ConvertMethod;
  release: ReleaseTag;
  variant: string;
  /** Hugging Face weights: the source of hf_to_*, the config/tokenizer assets of *_to_hf. */
  hfDir: string;
  /** Converted checkpoint: the target of hf_to_*, the source of *_to_hf and resplit. */
  ckptDir: string;
  /** Target of *_to_hf and resplit. */
  targetDir?: string;
  /** cfg-style converters: the layout the checkpoint is (or will be) split in. */
  layout?: ParallelLayout;
  /** resplit: the layout of the source checkpoint. */
  sourceLayout?: ParallelLayout;
  ep?: number;
  /** The HF index uses the transformers >= 4.52 key names (model.language_model.*). */
  newWeightKeys?: boolean;
  /** The HF config ties lm_head to the embedding. */
  tiedEmbeddings?: boolean;
  /** The model's README converts with the tied-weight mapping, whatever the host's config says. */
  tiedByReadme?: boolean;
  /** DCP sources: the iteration directory latest_checkpointed_iteration.txt names (iter_0000100, release). */
  sourceIteration?: string;
  /** LoRA recipes: the adapter settings the run trained with (the merge scales by alpha / r). */
  lora?: LoraSettings;
  /** merge_base_lora_weight: the run's save directory holding the trained adapters. */
  loraDir?: string;
  /** hf_to_mm / hf_to_mm_ldt: keep only the ViT and projector (ConvertVppMMConfig.save_vit_only). */
  saveVitOnly?: boolean;
  /** moe_expert: merge or split. */
  moeStyle?: MoeStyle;
}

/** alpha / r as the merge takes it ("2.0"). */
export const loraScaling = (l: LoraSettings) => {
  const v = l.alpha / l.r;
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
};

/** The directory a latest_checkpointed_iteration.txt names: "release", or iter_NNNNNNN for a number. */
export function trackedIterationDir(tracker: string | null): string | undefined {
  if (!tracker) return undefined;
  if (tracker === "release") return "release";
  return /^\d+$/.test(tracker) ? `iter_${tracker.padStart(7, "0")}` : undefined;
}

/** The source directory, down to the iteration the tracker names when the host said which. */
const iterationDir = (s: ConvertArgSpec) =>
  s.sourceIteration ? `${s.ckptDir.replace(/\/+$/, "")}/${s.sourceIteration}` : s.ckptDir;

const atLeast = (release: ReleaseTag, from: ReleaseTag) => RELEASE_TAGS.indexOf(release) >= RELEASE_TAGS.indexOf(from);
const list = (v: unknown) => JSON.stringify(v);

/** Converters whose pydantic config needs remote code (their HF repos ship modelling code). */
const TRUST_REMOTE_CODE = new Set(["InternVLConverter", "GlmConverter", "DeepSeekVLConverter"]);
/** Converters taking the newer-transformers weight key switch (README from v2.3.0). */
const NEW_KEYS = new Set(["Qwen2_5_VLConverter"]);

/** Qwen3VLConverter and Mistral3Converter: the DCP VLM converters with LoRA methods. */
const DCP_VLM_SHAPES: Partial<Record<ConvertMethod, (s: ConvertArgSpec) => string[]>> = {
  hf_to_dcp: (s) => [
    "--hf_dir",
    s.hfDir,
    "--dcp_dir",
    s.ckptDir,
    ...(s.variant === "lora" && atLeast(s.release, "v26.0.0") ? ["--is_lora_base", "true"] : []),
  ],
  // The README converts one saved iteration: --load_dir save_dir/iter_000xx/.
  dcp_to_hf: (s) => ["--load_dir", iterationDir(s), "--save_dir", s.targetDir!, "--model_assets_dir", s.hfDir],
  // A Hugging Face LoRA adapter to DCP, loaded next to the base (load_base_model) by the LoRA YAML.
  lora_hf_to_dcp: (s) => ["--hf_dir", s.hfDir, "--dcp_dir", s.ckptDir],
  // The trained adapters (one saved iteration) added into the base HF weights, written as a full HF model. The
  // method's scaling defaults to 1.0; LoRA scales by alpha / r, so it is passed from the run's settings.
  merge_mm_lora_dcp_weight_to_base_hf: (s) => {
    if (!s.lora) throw new Error("The merge needs the LoRA settings the run trained with.");
    return [
      "--base_hf_dir",
      s.hfDir,
      "--lora_dcp_dir",
      iterationDir(s),
      "--lora_target_modules",
      s.lora.targetModules.join(","),
      "--save_merged_hf_dir",
      s.targetDir!,
      "--scaling",
      loraScaling(s.lora),
    ];
  },
};

/** Flat-flag (DCP) converters: flag names per method. Anything not listed has no shape this product knows. */
const FLAT_SHAPES: Record<string, Partial<Record<ConvertMethod, (s: ConvertArgSpec) => string[]>>> = {
  Qwen3VLConverter: DCP_VLM_SHAPES,
  // Same method signatures (examples/magistral-2509/README.md).
  Mistral3Converter: DCP_VLM_SHAPES,
  Qwen35Converter: {
    hf_to_dcp: (s) => [
      "--hf_dir",
      s.hfDir,
      "--dcp_dir",
      s.ckptDir,
      ...(s.tiedEmbeddings || s.tiedByReadme
        ? ["--tie_weight_mapping", list({ "lm_head.weight": "model.language_model.embed_tokens.weight" })]
        : []),
    ],
    // The README points --dcp_dir at the iteration directory itself (…/release, …/iter_NNNNNNN).
    dcp_to_hf: (s) => ["--dcp_dir", iterationDir(s), "--save_hf_dir", s.targetDir!, "--origin_hf_dir", s.hfDir],
  },
  GenericDCPConverter: {
    hf_to_dcp: (s) => ["--hf_dir", s.hfDir, "--dcp_dir", s.ckptDir],
    dcp_to_hf: (s) => ["--load_dir", s.ckptDir, "--save_dir", s.targetDir!, "--model_assets_dir", s.hfDir],
  },
  ExpertMergeDcpConverter: {
    hf_to_dcp: (s) => ["--hf_dir", s.hfDir, "--save_dir", s.ckptDir],
    // The README converts one saved iteration: --dcp_dir internvl35_finetune_result/iter_000xx.
    dcp_to_hf: (s) => ["--hf_dir", s.hfDir, "--dcp_dir", iterationDir(s), "--save_dir", s.targetDir!],
  },
};

/** cfg-style (Megatron) methods this product can shape. */
const CFG_METHODS: readonly ConvertMethod[] = [
  "hf_to_mm",
  "mm_to_hf",
  "resplit",
  "lora_hf_to_mm",
  "lora_mm_to_hf",
  "hf_to_mm_dcp",
  "hf_to_mm_ldt",
];

/** True when the method of this class has a known argument shape (independent of whether it is a stub). */
export function hasShape(className: string, argStyle: "cfg" | "flat", method: ConvertMethod): boolean {
  if (method === "merge_base_lora_weight") return argStyle === "cfg";
  // A command of its own (Commandable.add_command), not a converter method.
  if (method === "moe_expert") return false;
  return argStyle === "cfg" ? CFG_METHODS.includes(method) : Boolean(FLAT_SHAPES[className]?.[method]);
}

function parallelFlags(prefix: string, layout: ParallelLayout, nested: boolean): string[] {
  const wrap = (v: number[]) => (nested ? [v] : v);
  // The README's VPP conversion: one row per virtual stage, [[0,0,0,1],[4,4,4,4],[4,4,4,3]].
  const vpp = nested ? layout.vpp : undefined;
  return [
    `--${prefix}.llm_pp_layers`,
    list(vpp ? vpp.llm : wrap(layout.llm)),
    ...(layout.vit ? [`--${prefix}.vit_pp_layers`, list(vpp ? vpp.vit : wrap(layout.vit))] : []),
    `--${prefix}.tp_size`,
    String(layout.tp),
  ];
}

function cfgArgs(s: ConvertArgSpec): string[] {
  const layout = s.layout;
  if (!layout) throw new Error(`${s.className}.${s.method} needs a layer split.`);
  const extra = [
    ...(s.className === "DeepSeekVLConverter" && s.method === "hf_to_mm" && s.ep
      ? ["--cfg.parallel_config.ep_size", String(s.ep)]
      : []),
    ...(TRUST_REMOTE_CODE.has(s.className) && s.method !== "resplit" ? ["--cfg.trust_remote_code", "True"] : []),
    // hf_to_mm_dcp's ConvertTorchDCPConfig has no such field (CommonModelConfig): pydantic would refuse it.
    ...(s.newWeightKeys && NEW_KEYS.has(s.className) && atLeast(s.release, "v2.3.0") && s.method !== "hf_to_mm_dcp"
      ? ["--cfg.common_model_config.new_transformers_weight_key", "true"]
      : []),
  ];
  // LoRA (README "LoRA权重转换"): the canonical (HF-equal) structure, and peft's "base_model.model." prefix dropped.
  const loraMethod = s.method.startsWith("lora_");
  const canonical =
    loraMethod || (s.variant === "lora" && s.method !== "resplit")
      ? ["--cfg.common_model_config.enable_canonical_hf_struct", "true"]
      : [];
  const prefix = loraMethod ? ["--cfg.common_model_config.model_prefix", "base_model.model."] : [];
  // ConvertVppMMConfig.save_vit_only: filter_vit_keys drops every key not starting with "visual" before converting.
  const vitOnly = s.saveVitOnly ? ["--cfg.save_vit_only", "true"] : [];
  switch (s.method) {
    // ConvertTorchDCPConfig: the whole model as one torch DCP checkpoint (release/ + tracker), no TP/PP split; what
    // the FSDP2 scripts (--ckpt-format torch_dist) load.
    case "hf_to_mm_dcp":
      return ["--cfg.mm_dir", s.ckptDir, "--cfg.hf_config.hf_dir", s.hfDir, ...extra];
    case "lora_hf_to_mm":
      return [
        "--cfg.mm_dir",
        s.ckptDir,
        "--cfg.hf_config.hf_dir",
        s.hfDir,
        ...parallelFlags("cfg.parallel_config", layout, true),
        ...canonical,
        ...prefix,
        ...extra,
      ];
    case "lora_mm_to_hf":
      return [
        "--cfg.save_hf_dir",
        s.targetDir!,
        "--cfg.mm_dir",
        s.ckptDir,
        ...parallelFlags("cfg.parallel_config", layout, false),
        ...canonical,
        ...prefix,
        ...extra,
      ];
    case "hf_to_mm": {
      // VppParallelConfig: a list of lists (one row per virtual stage); v2.1.0 DeepSeekVL took a flat list.
      const nested = !(s.className === "DeepSeekVLConverter" && s.release === "v2.1.0");
      return [
        "--cfg.mm_dir",
        s.ckptDir,
        "--cfg.hf_config.hf_dir",
        s.hfDir,
        ...parallelFlags("cfg.parallel_config", layout, nested),
        ...canonical,
        ...vitOnly,
        ...extra,
      ];
    }
    // docs/zh/features/layerwise_disaggregated_training.md (v26.1.0): hf_to_mm's config, the U-shaped rows of
    // three virtual stages (embedding and output layer on the first rank).
    case "hf_to_mm_ldt": {
      if (!layout.vpp) throw new Error("hf_to_mm_ldt needs the rows of its three virtual stages.");
      return [
        "--cfg.mm_dir",
        s.ckptDir,
        "--cfg.hf_config.hf_dir",
        s.hfDir,
        ...parallelFlags("cfg.parallel_config", layout, true),
        ...canonical,
        ...vitOnly,
        ...extra,
      ];
    }
    case "mm_to_hf":
      return [
        "--cfg.save_hf_dir",
        s.targetDir!,
        "--cfg.mm_dir",
        s.ckptDir,
        "--cfg.hf_config.hf_dir",
        s.hfDir,
        ...parallelFlags("cfg.parallel_config", layout, false),
        ...canonical,
        ...extra,
      ];
    case "resplit": {
      if (!s.sourceLayout) throw new Error("resplit needs the source layout.");
      return [
        "--cfg.source_dir",
        s.ckptDir,
        "--cfg.target_dir",
        s.targetDir!,
        ...parallelFlags("cfg.source_parallel_config", s.sourceLayout, false),
        ...parallelFlags("cfg.target_parallel_config", layout, false),
      ];
    }
    default:
      throw new Error(`${s.className} takes --cfg.* flags; ${s.method} is not one of its methods.`);
  }
}

/** `mm-convert <Class> <method> …` as argv. */
export function convertArgv(s: ConvertArgSpec, argStyle: "cfg" | "flat"): string[] {
  if (s.method === "merge_base_lora_weight") {
    if (!s.lora || !s.layout || !s.loraDir)
      throw new Error("The merge needs the LoRA settings, the layout and loraDir.");
    return [
      "python",
      MERGE_SCRIPT,
      "--base_save_dir",
      s.ckptDir,
      "--lora_save_dir",
      s.loraDir,
      "--merge_save_dir",
      s.targetDir!,
      "--lora_target_modules",
      ...s.lora.targetModules,
      "--lora_alpha",
      String(s.lora.alpha),
      "--lora_r",
      String(s.lora.r),
      "--pp_size",
      String(s.layout.llm.length),
      "--tp_size",
      String(s.layout.tp),
    ];
  }
  // checkpoint/vlm_model/converters/moe_expert.py: a command of its own, `mm-convert moe_expert --style …`.
  if (s.method === "moe_expert") {
    if (!s.moeStyle || !s.targetDir) throw new Error("moe_expert needs the style and a target directory.");
    return ["mm-convert", "moe_expert", "--style", s.moeStyle, "--hf_dir", s.hfDir, "--save_dir", s.targetDir];
  }
  if (argStyle === "cfg") return ["mm-convert", s.className, s.method, ...cfgArgs(s)];
  const shape = FLAT_SHAPES[s.className]?.[s.method];
  if (!shape) throw new Error(`No known argument shape for ${s.className}.${s.method}.`);
  return ["mm-convert", s.className, s.method, ...shape(s)];
}
