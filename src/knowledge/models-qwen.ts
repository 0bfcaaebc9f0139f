// Qwen VLM families: Qwen2-VL, Qwen2.5-VL, Qwen3-VL, Qwen3.5 (facts from the upstream examples per release).
import { FSDP2_ENV, MEGATRON_ENV, megatronDefaults, NATIVE_ENV, span } from "./models-common.js";
import type { ModelEntry, TrainingDefaults, TrainingRecipe } from "./types.js";

const QWEN_VIT = { layers: 32, hidden: 1280, heads: 16 };

function megatronRecipe(
  dir: string,
  size: string,
  releases: TrainingRecipe["releases"],
  converter: string,
  defaults: Partial<TrainingDefaults>,
  env: Record<string, string> = {},
  extra: Partial<TrainingRecipe> = {},
): TrainingRecipe {
  const file = dir === "qwen2vl" ? `qwen2vl_${size}` : `qwen2_5_vl_${size}`;
  return {
    variant: "",
    description: "full fine-tune, Megatron (pretrain_vlm.py) with data/model JSON",
    releases,
    backend: "megatron",
    entry: "pretrain_vlm.py",
    script: `examples/${dir}/finetune_${file}.sh`,
    configFiles: [`examples/${dir}/data_${size}.json`, `examples/${dir}/model_${size}.json`],
    converter,
    defaults: megatronDefaults(defaults),
    env: { ...MEGATRON_ENV, ...env },
    ...extra,
  };
}

const BIG_ENV = { CPU_AFFINITY_CONF: "2", PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True" };

const qwen2vl = (size: string, hfSize: string, arch: ModelEntry["arch"], recipes: TrainingRecipe[]): ModelEntry => ({
  id: `qwen2vl-${size}`,
  family: "Qwen2-VL",
  displayName: `Qwen2-VL-${hfSize}-Instruct`,
  exampleDir: "qwen2vl",
  size: hfSize,
  kind: "vlm",
  hfRepo: `Qwen/Qwen2-VL-${hfSize}-Instruct`,
  aliases: [`Qwen2-VL-${hfSize}`, `qwen2 vl ${size}`],
  arch,
  releases: span("v2.1.0", "v26.0.0"),
  recipes,
  requirements: [],
  isolatedEnv: false,
  notes: ["Removed from examples/ at v26.1.0 (Qwen2VLConverter still ships there)."],
});

const Q2 = span("v2.1.0", "v26.0.0");

const QWEN2VL: ModelEntry[] = [
  qwen2vl(
    "2b",
    "2B",
    { llm: { layers: 28, hidden: 1536, heads: 12, kvHeads: 2, ffn: 8960, vocab: 151936 }, vit: QWEN_VIT },
    [
      megatronRecipe("qwen2vl", "2b", Q2, "Qwen2VLConverter", {
        gradAccSteps: 24,
        llmLayerSplit: [28],
        vitLayerSplit: [32],
      }),
    ],
  ),
  qwen2vl(
    "7b",
    "7B",
    { llm: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 152064 }, vit: QWEN_VIT },
    [
      megatronRecipe("qwen2vl", "7b", Q2, "Qwen2VLConverter", {
        pp: 4,
        gradAccSteps: 96,
        llmLayerSplit: [1, 10, 10, 7],
        vitLayerSplit: [32, 0, 0, 0],
      }),
      megatronRecipe(
        "qwen2vl",
        "7b",
        Q2,
        "Qwen2VLConverter",
        {
          tp: 2,
          pp: 4,
          gradAccSteps: 64,
          lr: 5.0e-6,
          trainIters: 5000,
          llmLayerSplit: [1, 10, 10, 7],
          vitLayerSplit: [32, 0, 0, 0],
        },
        { CPU_AFFINITY_CONF: "2", MULTI_STREAM_MEMORY_REUSE: "2", PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True" },
        {
          variant: "dpo",
          description:
            "DPO preference training (posttrain_qwen2vl_dpo.py); data_7b_dpo.json ships without its own script",
          entry: "posttrain_qwen2vl_dpo.py",
          script: "examples/qwen2vl/finetune_qwen2vl_72b_dpo.sh",
          configFiles: ["examples/qwen2vl/data_7b_dpo.json", "examples/qwen2vl/model_7b.json"],
        },
      ),
    ],
  ),
  qwen2vl(
    "72b",
    "72B",
    { llm: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 152064 }, vit: QWEN_VIT },
    [
      megatronRecipe(
        "qwen2vl",
        "72b",
        Q2,
        "Qwen2VLConverter",
        {
          npusPerNode: 16,
          hostfile: true,
          tp: 2,
          pp: 8,
          gradAccSteps: 96,
          llmLayerSplit: [5, 11, 11, 11, 11, 11, 11, 9],
          vitLayerSplit: [32, 0, 0, 0, 0, 0, 0, 0],
        },
        { ...BIG_ENV, MULTI_STREAM_MEMORY_REUSE: "2" },
      ),
      megatronRecipe(
        "qwen2vl",
        "72b",
        Q2,
        "Qwen2VLConverter",
        {
          tp: 2,
          pp: 4,
          gradAccSteps: 64,
          lr: 5.0e-6,
          trainIters: 5000,
          // The README's DPO section: with PP4 on one 8-NPU node, set these in model_72b.json.
          llmLayerSplit: [17, 21, 22, 20],
          vitLayerSplit: [32, 0, 0, 0],
        },
        { ...BIG_ENV, MULTI_STREAM_MEMORY_REUSE: "2" },
        {
          variant: "dpo",
          description: "DPO preference training (posttrain_qwen2vl_dpo.py) on 8 NPUs, TP2 PP4",
          entry: "posttrain_qwen2vl_dpo.py",
          script: "examples/qwen2vl/finetune_qwen2vl_72b_dpo.sh",
          configFiles: ["examples/qwen2vl/data_72b_dpo.json", "examples/qwen2vl/model_72b.json"],
          upstreamDifferences: ["text_decoder", "image_encoder.vision_encoder"].map((part) => ({
            key: `value:model_72b.json#${part}.pipeline_num_layers`,
            reason:
              "the shipped model_72b.json is split for the 8-stage SFT script; the DPO script runs PP4 and the README's DPO section says to set [32,0,0,0] / [17,21,22,20], which the plan writes",
          })),
        },
      ),
      megatronRecipe(
        "qwen2vl",
        "72b",
        Q2,
        "Qwen2VLConverter",
        {
          npusPerNode: 16,
          hostfile: true,
          tp: 2,
          pp: 8,
          gradAccSteps: 96,
          llmLayerSplit: [5, 11, 11, 11, 11, 11, 11, 9],
          vitLayerSplit: [32, 0, 0, 0, 0, 0, 0, 0],
        },
        { ...BIG_ENV, MULTI_STREAM_MEMORY_REUSE: "2" },
        {
          variant: "video",
          description: "video fine-tune: data_72b_video.json reads `videos` instead of `images`",
          configFiles: ["examples/qwen2vl/data_72b_video.json", "examples/qwen2vl/model_72b.json"],
        },
      ),
    ],
  ),
];

const qwen25 = (size: string, hfSize: string, arch: ModelEntry["arch"], recipes: TrainingRecipe[]): ModelEntry => ({
  id: `qwen2.5vl-${size}`,
  family: "Qwen2.5-VL",
  displayName: `Qwen2.5-VL-${hfSize}-Instruct`,
  exampleDir: "qwen2.5vl",
  size: hfSize,
  kind: "vlm",
  hfRepo: `Qwen/Qwen2.5-VL-${hfSize}-Instruct`,
  aliases: [`Qwen2.5-VL-${hfSize}`, `qwen2_5_vl_${size}`, `qwen25vl-${size}`],
  arch,
  releases: span("v2.1.0"),
  recipes,
  requirements: [],
  isolatedEnv: false,
  notes: [],
});

const ALL = span("v2.1.0");
const C25 = "Qwen2_5_VLConverter";

// The README's "LoRA微调（可选）" section: LORA_ARGS added to the standard script, canonical_model on in model_<size>.json
// (HF-equal module names), base weights converted with enable_canonical_hf_struct; LoRA conversions from v2.3.0.
const LORA25_FLAGS = ["--lora-r", "--lora-alpha", "--lora-dropout", "--lora-target-modules"];
function qwen25Lora(standard: TrainingRecipe, size: string): TrainingRecipe {
  const reason =
    "LoRA per the README's LoRA section: LORA_ARGS are added to the standard script and canonical_model is set in the model config (HF-equal module names)";
  return {
    ...standard,
    variant: "lora",
    description:
      "LoRA fine-tune (r 8, alpha 16) on the standard Megatron example, canonical (HF-equal) model structure",
    releases: span("v2.3.0"),
    // canonical_model on: the LLM has HF names (q/k/v_proj, gate/up_proj), the ViT keeps linear_qkv.
    lora: {
      r: 8,
      alpha: 16,
      dropout: 0,
      targetModules: ["linear_proj", "linear_fc2", "linear_qkv", "q_proj", "k_proj", "v_proj", "gate_proj", "up_proj"],
      baseConversion: "canonical",
    },
    upstreamDifferences: [
      ...LORA25_FLAGS.map((f) => ({ key: `flag:${f}`, reason })),
      ...["image_encoder.vision_encoder", "text_decoder"].map((part) => ({
        key: `value:model_${size}.json#${part}.canonical_model`,
        reason,
      })),
    ],
  };
}
const withLora = (size: string, recipes: TrainingRecipe[]) => [...recipes, qwen25Lora(recipes[0]!, size)];

const QWEN25VL: ModelEntry[] = [
  qwen25(
    "3b",
    "3B",
    { llm: { layers: 36, hidden: 2048, heads: 16, kvHeads: 2, ffn: 11008, vocab: 151936 }, vit: QWEN_VIT },
    withLora("3b", [
      megatronRecipe("qwen2.5vl", "3b", ALL, C25, { gradAccSteps: 32, llmLayerSplit: [36], vitLayerSplit: [32] }),
    ]),
  ),
  qwen25(
    "7b",
    "7B",
    { llm: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 152064 }, vit: QWEN_VIT },
    withLora("7b", [
      megatronRecipe(
        "qwen2.5vl",
        "7b",
        ALL,
        C25,
        { pp: 2, gradAccSteps: 48, llmLayerSplit: [12, 16], vitLayerSplit: [32, 0] },
        {},
        {
          defaultsAt: {
            "v2.1.0": { pp: 4, gradAccSteps: 96, llmLayerSplit: [1, 10, 10, 7], vitLayerSplit: [32, 0, 0, 0] },
          },
        },
      ),
    ]),
  ),
  qwen25(
    "32b",
    "32B",
    { llm: { layers: 64, hidden: 5120, heads: 40, kvHeads: 8, ffn: 27648, vocab: 152064 }, vit: QWEN_VIT },
    withLora("32b", [
      megatronRecipe(
        "qwen2.5vl",
        "32b",
        ALL,
        C25,
        {
          nodes: 2,
          hostfile: true,
          tp: 2,
          pp: 8,
          gradAccSteps: 96,
          llmLayerSplit: [1, 9, 9, 9, 9, 9, 9, 9],
          vitLayerSplit: [32, 0, 0, 0, 0, 0, 0, 0],
        },
        { PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True" },
      ),
    ]),
  ),
  qwen25(
    "72b",
    "72B",
    { llm: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 152064 }, vit: QWEN_VIT },
    withLora("72b", [
      megatronRecipe(
        "qwen2.5vl",
        "72b",
        ALL,
        C25,
        {
          npusPerNode: 16,
          hostfile: true,
          tp: 2,
          pp: 8,
          gradAccSteps: 96,
          llmLayerSplit: [6, 11, 11, 11, 11, 11, 11, 8],
          vitLayerSplit: [32, 0, 0, 0, 0, 0, 0, 0],
        },
        BIG_ENV,
      ),
      {
        variant: "fsdp",
        description: "FSDP2 inside pretrain_vlm.py (no TP/PP), torch_dist checkpoints",
        releases: span("v2.2.0"),
        backend: "megatron-fsdp2",
        entry: "pretrain_vlm.py",
        script: "examples/qwen2.5vl/finetune_qwen2_5_vl_72b_fsdp.sh",
        configFiles: [
          "examples/qwen2.5vl/data_72b.json",
          "examples/qwen2.5vl/model_72b.json",
          "examples/qwen2.5vl/fsdp2_config.yaml",
        ],
        converter: C25,
        defaults: megatronDefaults({ npusPerNode: 16, hostfile: true }),
        env: (() => {
          const { CUDA_DEVICE_MAX_CONNECTIONS: _drop, ...rest } = MEGATRON_ENV;
          return { ...rest, ...BIG_ENV, HCCL_CONNECT_TIMEOUT: "7200", MULTI_STREAM_MEMORY_REUSE: "2" };
        })(),
      },
    ]),
  ),
];

const Q3_VIT = { layers: 27, hidden: 1152, heads: 16 };
const Q3_YAML = span("v26.0.0");

function qwen3vlYamlRecipe(
  size: string,
  defaults: Partial<TrainingDefaults>,
  env: Record<string, string> = {},
): TrainingRecipe {
  return {
    variant: "",
    description: "full fine-tune, pretrain_transformers.py with one YAML (gpt_args/data/model), FSDP2",
    releases: Q3_YAML,
    backend: "fsdp2-yaml",
    entry: "pretrain_transformers.py",
    script: `examples/qwen3vl/finetune_qwen3vl_${size}.sh`,
    configFiles: [`examples/qwen3vl/qwen3vl_full_sft_${size}.yaml`, "examples/qwen3vl/fsdp2_config.yaml"],
    converter: "Qwen3VLConverter",
    defaults: megatronDefaults(defaults),
    env: { ...FSDP2_ENV, ...env },
  };
}

/**
 * v2.2.0 / v2.3.0: pretrain_transformers.py with data/model JSON and fsdp2_config.yaml. v2.3.0 has one script per size
 * (8B, 30B, 235B, converted with Qwen3VLConverter hf_to_dcp); v2.2.0 one generic finetune_qwen3vl.sh for the MoE
 * sizes, whose model loads the HF weights from init_from_hf_path (no converter).
 */
function qwen3vlJsonRecipe(
  size: string,
  release: "v2.2.0" | "v2.3.0",
  defaults: Partial<TrainingDefaults>,
  env: Record<string, string> = {},
): TrainingRecipe {
  const v22 = release === "v2.2.0";
  const suffix = v22 ? "" : `_${size}`;
  return {
    variant: "",
    description: "full fine-tune, pretrain_transformers.py with data/model JSON, FSDP2",
    releases: [release],
    backend: "megatron-fsdp2",
    entry: "pretrain_transformers.py",
    script: `examples/qwen3vl/finetune_qwen3vl${suffix}.sh`,
    configFiles: [
      `examples/qwen3vl/data${suffix}.json`,
      `examples/qwen3vl/model${suffix}.json`,
      "examples/qwen3vl/fsdp2_config.yaml",
    ],
    converter: v22 ? undefined : "Qwen3VLConverter",
    defaults: megatronDefaults(defaults),
    env: v22 ? { ...FSDP2_ENV, MULTI_STREAM_MEMORY_REUSE: "" } : { ...FSDP2_ENV, ...env },
    upstreamDifferences: [
      ...(v22
        ? [
            {
              key: "flag:--save",
              reason:
                "the v2.2.0 script defines SAVE_PATH but never passes --save, so its run writes no checkpoint; the plan passes the save directory",
            },
          ]
        : []),
      ...(v22 && size === "30B"
        ? (["num_layers", "hidden_size", "num_attention_heads"] as const).map((k) => ({
            key: `value:model.json#text_decoder.${k}`,
            reason:
              "v2.2.0's one model.json is sized for Qwen3-VL-235B-A22B; for 30B-A3B the plan writes 30B's layers, hidden size and heads",
          }))
        : []),
    ],
  };
}

const qwen3vl = (
  size: string,
  hfName: string,
  arch: ModelEntry["arch"],
  recipes: TrainingRecipe[],
  releases = span("v2.3.0"),
): ModelEntry => ({
  id: `qwen3vl-${size.toLowerCase()}`,
  family: "Qwen3-VL",
  displayName: hfName,
  exampleDir: "qwen3vl",
  size,
  kind: "vlm",
  hfRepo: `Qwen/${hfName}`,
  aliases: [hfName.replace(/-Instruct$/, ""), `qwen3 vl ${size}`, `qwen3_vl_${size}`],
  arch,
  releases,
  recipes,
  requirements: [
    "transformers @ git+https://github.com/huggingface/transformers.git@c0dbe09 (examples/qwen3vl/requirements.txt, v26.0.0+)",
  ],
  isolatedEnv: true,
  notes: [
    "v2.2.0 had one generic finetune_qwen3vl.sh with data.json/model.json (model_id qwen3_vl_moe: the 30B-A3B and 235B-A22B MoE sizes; the model loads the HF weights from init_from_hf_path, LOAD_PATH is for resuming); v2.3.0 per-size JSON (8B, 30B, 235B: data_<size>.json, model_<size>.json, finetune_qwen3vl_<size>.sh, weights converted with hf_to_dcp); v26.0.0+ one YAML per size. build_configs builds each release's layout.",
    "Weights go HF -> DCP with `mm-convert Qwen3VLConverter hf_to_dcp`.",
  ],
});

// The native-trainer scripts export fewer variables than NATIVE_ENV (no launch blocking / ACLNN cache settings).
const NATIVE_V1_ENV: Record<string, string> = {
  NON_MEGATRON: "true",
  HCCL_CONNECT_TIMEOUT: "1200",
  PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
  MULTI_STREAM_MEMORY_REUSE: "2",
  TASK_QUEUE_ENABLE: "1",
  CPU_AFFINITY_CONF: "1",
};

const NATIVE_V1_PATHS = (file: string) =>
  ["load", "save"].map((k) => ({
    key: `value:${file}#training.${k}`,
    reason: `upstream leaves training.${k} commented out (${k}: ${k}_path); the plan fills in the ${k === "load" ? "converted checkpoint" : "save directory"} the user chose`,
  }));

const QWEN3VL: ModelEntry[] = [
  qwen3vl(
    "8B",
    "Qwen3-VL-8B-Instruct",
    { llm: { layers: 36, hidden: 4096, heads: 32, kvHeads: 8, vocab: 151936 }, vit: Q3_VIT },
    [qwen3vlJsonRecipe("8B", "v2.3.0", {}), qwen3vlYamlRecipe("8B", { globalBatchSize: 8 })],
  ),
  qwen3vl(
    "30B",
    "Qwen3-VL-30B-A3B-Instruct",
    { llm: { layers: 48, hidden: 2048, heads: 32, kvHeads: 4, vocab: 151936, experts: 128, topK: 8 }, vit: Q3_VIT },
    [
      qwen3vlJsonRecipe("30B", "v2.2.0", {}),
      qwen3vlJsonRecipe("30B", "v2.3.0", { npusPerNode: 16 }),
      qwen3vlYamlRecipe("30B", { npusPerNode: 16, globalBatchSize: 16 }),
      {
        ...qwen3vlYamlRecipe("30B", { globalBatchSize: 8 }),
        variant: "lora",
        description: "LoRA fine-tune (r 8, alpha 16) on 8 NPUs",
        script: "examples/qwen3vl/finetune_lora_qwen3vl_30B.sh",
        configFiles: ["examples/qwen3vl/qwen3vl_lora_sft_30B.yaml", "examples/qwen3vl/fsdp2_config.yaml"],
        // qwen3vl_lora_sft_30B.yaml's lora_args; the README converts the base with --is_lora_base true.
        lora: {
          r: 8,
          alpha: 16,
          dropout: 0,
          targetModules: ["v_proj", "o_proj", "k_proj", "q_proj"],
          baseConversion: "lora-base",
        },
        envAt: { "v26.1.0": { ENABLE_GC_THRESHOLD: "1" } },
      },
      {
        variant: "v1",
        description: "native FSDP2 trainer (mindspeed_mm/fsdp/train/trainer.py, NON_MEGATRON)",
        releases: Q3_YAML,
        backend: "native-fsdp",
        entry: "mindspeed_mm/fsdp/train/trainer.py",
        script: "examples/qwen3vl/finetune_qwen3vl_30B_v1.sh",
        configFiles: ["examples/qwen3vl/qwen3vl_30B_config_v1.yaml"],
        converter: "Qwen3VLConverter",
        defaults: megatronDefaults({ npusPerNode: 16 }),
        env: NATIVE_V1_ENV,
        upstreamDifferences: NATIVE_V1_PATHS("qwen3vl_30B_config_v1.yaml"),
      },
      {
        variant: "v1-a5",
        description: "native FSDP2 trainer with MXFP8 quantization (Atlas A5)",
        releases: span("v26.1.0"),
        backend: "native-fsdp",
        entry: "mindspeed_mm/fsdp/train/trainer.py",
        script: "examples/qwen3vl/finetune_qwen3vl_30B_v1_A5.sh",
        configFiles: ["examples/qwen3vl/qwen3vl_30B_config_v1_A5.yaml"],
        converter: "Qwen3VLConverter",
        defaults: megatronDefaults({ npusPerNode: 8 }),
        env: NATIVE_V1_ENV,
        upstreamDifferences: NATIVE_V1_PATHS("qwen3vl_30B_config_v1_A5.yaml"),
      },
    ],
    // v2.2.0's generic finetune_qwen3vl.sh / model.json (model_id qwen3_vl_moe) trains the MoE sizes.
    span("v2.2.0"),
  ),
  qwen3vl(
    "32B",
    "Qwen3-VL-32B-Instruct",
    { llm: { layers: 64, hidden: 5120, heads: 64, kvHeads: 8, vocab: 151936 }, vit: Q3_VIT },
    [qwen3vlYamlRecipe("32B", { npusPerNode: 16, globalBatchSize: 16 })],
    span("v26.0.0"),
  ),
  qwen3vl(
    "235B",
    "Qwen3-VL-235B-A22B-Instruct",
    { llm: { layers: 94, hidden: 4096, heads: 64, kvHeads: 4, vocab: 151936, experts: 128, topK: 8 }, vit: Q3_VIT },
    [
      qwen3vlJsonRecipe("235B", "v2.2.0", {}),
      qwen3vlJsonRecipe(
        "235B",
        "v2.3.0",
        { npusPerNode: 16, seqLength: 16384 },
        { TASK_QUEUE_ENABLE: "1", MULTI_STREAM_MEMORY_REUSE: "2" },
      ),
      qwen3vlYamlRecipe(
        "235B",
        { npusPerNode: 16, nodes: 16, globalBatchSize: 256, seqLength: 16384 },
        { TASK_QUEUE_ENABLE: "1", MULTI_STREAM_MEMORY_REUSE: "2" },
      ),
    ],
    span("v2.2.0"),
  ),
];

// Qwen3.5: native trainer only; NPUs x nodes per size, v26.0.0 then v26.1.0 where they changed.
type Layout = { npus: number; nodes: number; moe: boolean; hf: string; ep?: number; at261: Partial<TrainingDefaults> };
const QWEN35_LAYOUT: Record<string, Layout> = {
  "4B": { npus: 8, nodes: 1, moe: false, hf: "Qwen3.5-4B", at261: {} },
  "9B": { npus: 8, nodes: 1, moe: false, hf: "Qwen3.5-9B", at261: {} },
  "27B": {
    npus: 8,
    nodes: 2,
    moe: false,
    hf: "Qwen3.5-27B",
    at261: { npusPerNode: 16, nodes: 1, microBatchSize: 2, seqLength: 16384 },
  },
  "35B": {
    npus: 8,
    nodes: 2,
    moe: true,
    hf: "Qwen3.5-35B-A3B",
    at261: { npusPerNode: 16, nodes: 1, microBatchSize: 4, seqLength: 16384 },
  },
  "122B": { npus: 16, nodes: 8, moe: true, hf: "Qwen3.5-122B-A10B", ep: 8, at261: {} },
  "397B": {
    npus: 16,
    nodes: 16,
    moe: true,
    hf: "Qwen3.5-397B-A17B",
    ep: 32,
    at261: { ep: 16, microBatchSize: 2, seqLength: 16384 },
  },
};

/**
 * examples/mcore/qwen3_5 (v26.1.0): Qwen3.5-35B-A3B on Megatron core (TP 2, EP 8 on 16 NPUs), the HF weights loaded
 * directly through bridge_patch. Its README installs MindSpeed at its own commit with Megatron, Triton-Ascend 3.2.1,
 * and builds the fla-npu AscendC kernels the YAML's gdn / causal_conv1d "ascendc" implementations call.
 */
const QWEN35_MCORE: TrainingRecipe = {
  variant: "mcore",
  description: "full fine-tune on the Megatron-core backend (TP 2, EP 8; own MindSpeed commit and fla-npu kernels)",
  releases: ["v26.1.0"],
  backend: "megatron-yaml",
  entry: "mindspeed_mm/mcore/models/qwen3_5/pretrain_qwen3_5.py",
  script: "examples/mcore/qwen3_5/finetune_qwen3_5_35B.sh",
  configFiles: ["examples/mcore/qwen3_5/qwen3_5_35B_config.yaml"],
  defaults: megatronDefaults({ npusPerNode: 16, tp: 2, ep: 8, globalBatchSize: 16, trainIters: 2000 }),
  env: {
    CUDA_DEVICE_MAX_CONNECTIONS: "1",
    ASCEND_SLOG_PRINT_TO_STDOUT: "0",
    ASCEND_GLOBAL_LOG_LEVEL: "3",
    TASK_QUEUE_ENABLE: "2",
    COMBINED_ENABLE: "1",
    CPU_AFFINITY_CONF: "1",
    HCCL_CONNECT_TIMEOUT: "1200",
    NPU_ASD_ENABLE: "0",
    ACLNN_CACHE_LIMIT: "100000",
    PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
  },
  setup: [
    "In the MindSpeed-MM checkout: bash scripts/install.sh --msid eb10b92 --megatron && bash examples/qwen3_5/install_extensions.sh (MindSpeed at commit eb10b92 instead of the release's, Megatron-LM, transformers 5.2.0), in a Python environment of its own.",
    "pip install triton-ascend==3.2.1 --extra-index-url=https://triton-ascend.osinfra.cn/pypi/simple (uninstall the community triton first).",
    "Build the fla-npu kernels: git clone https://github.com/flashserve/flash-linear-attention-npu && cd flash-linear-attention-npu && git checkout c2e3d83f; source <CANN root>/cann/set_env.sh; bash build.sh --soc=<ascend910b|ascend910_93|ascend950> --pkg --vendor_name=fla_npu && bash build_out/fla-npu_*.run; cd torch_custom/fla_npu && bash build.sh; check with pip list | grep fla_npu.",
  ],
};

const QWEN35: ModelEntry[] = Object.entries(QWEN35_LAYOUT).map(([size, l]) => ({
  id: `qwen3_5-${size.toLowerCase()}`,
  family: "Qwen3.5",
  displayName: l.hf,
  exampleDir: "qwen3_5",
  size,
  kind: "vlm",
  hfRepo: `Qwen/${l.hf}`,
  aliases: [`qwen3.5-${size.toLowerCase()}`, `qwen35-${size.toLowerCase()}`, `qwen 3.5 ${size}`],
  releases: span("v26.0.0"),
  recipes: [
    {
      variant: "",
      description: `full fine-tune with the native FSDP2 trainer${l.moe ? " (MoE, expert parallel in the YAML)" : ""}`,
      releases: span("v26.0.0"),
      backend: "native-fsdp",
      entry: "mindspeed_mm/fsdp/train/trainer.py",
      script: `examples/qwen3_5/finetune_qwen3_5_${size}.sh`,
      configFiles: [`examples/qwen3_5/qwen3_5_${size}_config.yaml`],
      converter: "Qwen35Converter",
      defaults: megatronDefaults({ npusPerNode: l.npus, nodes: l.nodes, ep: l.ep ?? 1 }),
      defaultsAt: { "v26.1.0": l.at261 },
      env: NATIVE_ENV,
      // The v26.0.0 122B script exports only these two.
      ...(size === "122B"
        ? {
            envAt: {
              "v26.0.0": Object.fromEntries(
                Object.keys(NATIVE_ENV)
                  .filter((k) => k !== "NON_MEGATRON" && k !== "MULTI_STREAM_MEMORY_REUSE")
                  .map((k) => [k, ""]),
              ),
            },
          }
        : {}),
    },
    ...(size === "35B" ? [QWEN35_MCORE] : []),
  ],
  requirements: [
    "examples/qwen3_5/install_extensions.sh: v26.0.0 transformers@fc91372 + triton-ascend==3.2.0 + accelerate==1.2.0; v26.1.0 transformers==5.2.0 + triton-ascend==3.2.0",
  ],
  isolatedEnv: true,
  notes: [
    "Layer counts, heads and hidden sizes come from the HF config.json at run time.",
    'v26.1.0 also ships examples/mcore/qwen3_5 (35B on Megatron core): build_configs builds it as variant "mcore" of qwen3_5-35b, with its own install steps stated for the user to run.',
  ],
}));

// Qwen3.6 (v26.1.0): the Qwen3.5 27B / 35B layouts under examples/qwen3_6, weights converted with Qwen35Converter.
const QWEN36: ModelEntry[] = (["27B", "35B"] as const).map((size) => {
  const base = QWEN35.find((m) => m.id === `qwen3_5-${size.toLowerCase()}`)!;
  const hf = size === "27B" ? "Qwen3.6-27B" : "Qwen3.6-35B-A3B";
  return {
    ...base,
    id: `qwen3_6-${size.toLowerCase()}`,
    family: "Qwen3.6",
    displayName: hf,
    exampleDir: "qwen3_6",
    hfRepo: `Qwen/${hf}`,
    aliases: [`qwen3.6-${size.toLowerCase()}`, `qwen36-${size.toLowerCase()}`, `qwen 3.6 ${size}`],
    releases: span("v26.1.0"),
    recipes: [
      {
        ...base.recipes[0]!,
        releases: span("v26.1.0"),
        script: `examples/qwen3_6/finetune_qwen3_6_${size}.sh`,
        configFiles: [`examples/qwen3_6/qwen3_6_${size}_config.yaml`],
      },
    ],
    requirements: ["examples/qwen3_6/README.md: transformers==5.2.0, triton-ascend==3.2.0, accelerate==1.2.0"],
    notes: [
      "Weights: mm-convert Qwen35Converter hf_to_dcp --hf_dir … --dcp_dir …; the YAML loads that DCP checkpoint.",
      "README: examples/qwen3_6/README.md (微调).",
    ],
  };
});

export const QWEN_MODELS: ModelEntry[] = [...QWEN2VL, ...QWEN25VL, ...QWEN3VL, ...QWEN35, ...QWEN36];
