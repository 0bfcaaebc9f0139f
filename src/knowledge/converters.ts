// mm-convert converter classes: which methods exist per release and which are `pass` stubs upstream.
import { span } from "./models-common.js";
import type { ReleaseTag } from "./release-tags.js";
import type { ConverterInfo, ConverterMethod } from "./types.js";

const real = (...names: string[]): ConverterMethod[] => names.map((name) => ({ name, stub: false }));
const stub = (...names: string[]): ConverterMethod[] => names.map((name) => ({ name, stub: true }));
const at = (releases: ReleaseTag[], methods: ConverterMethod[]) => releases.map((release) => ({ release, methods }));

export const CONVERTERS: readonly ConverterInfo[] = [
  {
    className: "Qwen2_5_VLConverter",
    argStyle: "cfg",
    releases: [
      ...at(["v2.1.0"], [...real("hf_to_mm", "mm_to_hf"), ...stub("resplit")]),
      ...at(["v2.2.0"], real("hf_to_mm", "mm_to_hf", "resplit", "hf_to_mm_dcp")),
      ...at(
        span("v2.3.0", "v26.0.0"),
        real("hf_to_mm", "mm_to_hf", "resplit", "hf_to_mm_dcp", "lora_hf_to_mm", "lora_mm_to_hf"),
      ),
      ...at(
        ["v26.1.0"],
        real("hf_to_mm", "mm_to_hf", "resplit", "hf_to_mm_dcp", "lora_hf_to_mm", "lora_mm_to_hf", "hf_to_mm_ldt"),
      ),
    ],
    notes:
      "hf_to_mm_ldt (v26.1.0, layerwise disaggregated training): hf_to_mm's --cfg.* flags with three virtual-stage rows, " +
      "e.g. --cfg.parallel_config.llm_pp_layers [[0,0,0,0,0],[0,16,16,16,16],[0,0,0,0,0]] " +
      "--cfg.parallel_config.vit_pp_layers [[3,7,7,7,7],[1,0,0,0,0],[0,0,0,0,0]] --cfg.parallel_config.tp_size 2.",
  },
  {
    className: "Qwen2VLConverter",
    argStyle: "cfg",
    releases: at(span("v2.1.0"), real("hf_to_mm", "mm_to_hf", "resplit")),
  },
  {
    className: "Qwen3_VLConverter",
    argStyle: "cfg",
    releases: at(["v2.1.0"], [...real("hf_to_mm"), ...stub("mm_to_hf", "resplit")]),
    notes: "Megatron converter of the v2.1.0 qwen3vl_dev prototype.",
  },
  {
    className: "Qwen3VLConverter",
    argStyle: "flat",
    releases: [
      ...at(["v2.3.0"], [...real("hf_to_dcp", "dcp_to_hf"), ...stub("hf_to_mm", "mm_to_hf", "resplit")]),
      ...at(span("v26.0.0"), [
        ...real("hf_to_dcp", "dcp_to_hf", "lora_hf_to_dcp", "merge_mm_lora_dcp_weight_to_base_hf"),
        ...stub("hf_to_mm", "mm_to_hf", "resplit"),
      ]),
    ],
    notes:
      "hf_to_dcp --hf_dir --dcp_dir [--is_lora_base true]; dcp_to_hf --load_dir --save_dir --model_assets_dir (v26.1.0: --to_bf16).",
  },
  {
    className: "Qwen3VLMegatronConverter",
    argStyle: "cfg",
    releases: at(span("v2.3.0"), [...real("hf_to_mm", "mm_to_hf"), ...stub("resplit")]),
  },
  {
    className: "Qwen35Converter",
    argStyle: "flat",
    releases: at(span("v26.0.0"), [...real("hf_to_dcp", "dcp_to_hf"), ...stub("hf_to_mm", "mm_to_hf", "resplit")]),
    notes: "hf_to_dcp --hf_dir --dcp_dir [--tie_weight_mapping]; dcp_to_hf --dcp_dir --save_hf_dir --origin_hf_dir.",
  },
  {
    className: "GenericDCPConverter",
    argStyle: "flat",
    releases: at(span("v26.0.0"), [...real("hf_to_dcp", "dcp_to_hf"), ...stub("hf_to_mm", "mm_to_hf", "resplit")]),
  },
  {
    className: "InternVLConverter",
    argStyle: "cfg",
    releases: at(span("v2.1.0"), [...real("hf_to_mm", "mm_to_hf"), ...stub("resplit")]),
    notes: "Needs --cfg.trust_remote_code True.",
  },
  {
    className: "GlmConverter",
    argStyle: "cfg",
    releases: at(span("v2.2.0"), [...real("hf_to_mm"), ...stub("mm_to_hf", "resplit")]),
    notes: "Only hf_to_mm does anything; needs --cfg.trust_remote_code True.",
  },
  {
    className: "DeepSeekVLConverter",
    argStyle: "cfg",
    releases: at(span("v2.1.0"), [...real("hf_to_mm"), ...stub("mm_to_hf", "resplit")]),
    notes: "Only hf_to_mm does anything; pass --cfg.parallel_config.ep_size 8. v2.1.0 takes flat pp lists.",
  },
  {
    className: "ExpertMergeDcpConverter",
    argStyle: "flat",
    releases: at(span("v2.3.0"), real("hf_to_dcp", "dcp_to_hf")),
    notes:
      "hf_to_dcp --hf_dir --save_dir; dcp_to_hf --hf_dir --dcp_dir --save_dir (v26.1.0 adds --dcp_prefix/--hf_prefix).",
  },
  {
    className: "Mistral3Converter",
    argStyle: "flat",
    releases: at(
      span("v26.0.0"),
      real("hf_to_dcp", "dcp_to_hf", "lora_hf_to_dcp", "merge_mm_lora_dcp_weight_to_base_hf"),
    ),
  },
  {
    className: "Qwen2_5_OmniConverter",
    argStyle: "cfg",
    releases: [
      ...at(["v2.1.0", "v2.2.0"], [...real("hf_to_mm", "mm_to_hf"), ...stub("resplit")]),
      ...at(["v2.3.0"], [...real("hf_to_mm", "mm_to_hf", "base_to_hetero"), ...stub("resplit")]),
      ...at(span("v26.0.0"), [...real("hf_to_mm", "mm_to_hf"), ...stub("resplit")]),
    ],
  },
  {
    className: "VideoAlignConverter",
    argStyle: "cfg",
    releases: at(span("v2.2.0"), real("hf_to_mm", "mm_to_hf", "resplit")),
  },
  {
    className: "Qwen3TTSConverter",
    argStyle: "flat",
    releases: at(["v26.1.0"], [...real("dcp_to_hf"), ...stub("hf_to_dcp")]),
  },
  {
    className: "MOSSTTSConverter",
    argStyle: "flat",
    releases: at(["v26.1.0"], [...real("dcp_to_hf"), ...stub("hf_to_dcp")]),
  },
];

/**
 * mm-convert commands that are functions, not converter classes (Commandable.add_command), with their releases,
 * the exact command line and the Hugging Face config classes they handle.
 */
export interface ConvertCommand {
  name: string;
  releases: readonly ReleaseTag[];
  usage: string;
  /** transformers config classes get_expert_config_from_pretrained knows; anything else raises ValueError. */
  configClasses: readonly string[];
  /** Recipes whose converter this is handle one of those configs. */
  forConverters: readonly string[];
}

export const CONVERT_COMMANDS: readonly ConvertCommand[] = [
  {
    // checkpoint/vlm_model/converters/moe_expert.py
    name: "moe_expert",
    releases: span("v2.3.0"),
    usage: "mm-convert moe_expert --style merge|split --hf_dir DIR --save_dir DIR [--max_shard_size 4GB]",
    configClasses: ["InternVLChatConfig", "Qwen3OmniMoeConfig", "Glm4vMoeConfig"],
    forConverters: ["ExpertMergeDcpConverter"],
  },
];

export function getConvertCommand(name: string): ConvertCommand | undefined {
  return CONVERT_COMMANDS.find((c) => c.name === name);
}

/**
 * --cfg.save_vit_only true (ConvertVppMMConfig, every release): filter_vit_keys keeps only keys starting with
 * "visual", so it works for the converters whose Hugging Face checkpoints name the ViT visual.* (Qwen2-VL and
 * Qwen2.5-VL with the original key names); for the others it would keep nothing.
 */
export const SAVE_VIT_ONLY: readonly { className: string; methods: readonly string[] }[] = [
  { className: "Qwen2VLConverter", methods: ["hf_to_mm"] },
  { className: "Qwen2_5_VLConverter", methods: ["hf_to_mm", "hf_to_mm_ldt"] },
];

export function getConverter(className: string): ConverterInfo | undefined {
  return CONVERTERS.find((c) => c.className === className);
}

/** Methods of a converter at a release, or undefined when the class does not exist there. */
export function converterMethods(className: string, release: ReleaseTag): ConverterMethod[] | undefined {
  return getConverter(className)?.releases.find((r) => r.release === release)?.methods;
}
