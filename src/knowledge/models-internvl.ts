// InternVL families: InternVL2.5, InternVL3 (Megatron, pretrain_internvl.py / pretrain_vlm.py) and InternVL3.5 (FSDP2).
import { FSDP2_ENV, MEGATRON_ENV_INTERNVL, megatronDefaults, span } from "./models-common.js";
import type { ModelEntry, TrainingDefaults, TrainingRecipe } from "./types.js";

const INTERNVIT_300M = { layers: 24, hidden: 1024, heads: 16 };
const INTERNVIT_6B = { layers: 45, hidden: 3200, heads: 25 };

function recipe(
  dir: string,
  size: string,
  entry: string,
  releases: TrainingRecipe["releases"],
  defaults: Partial<TrainingDefaults>,
  extra: Partial<TrainingRecipe> = {},
): TrainingRecipe {
  return {
    variant: "",
    description: `full fine-tune, Megatron (${entry}) with data/model JSON`,
    releases,
    backend: "megatron",
    entry,
    script: `examples/${dir}/finetune_${dir}_${size}.sh`,
    configFiles: [`examples/${dir}/data_${size}.json`, `examples/${dir}/model_${size}.json`],
    converter: "InternVLConverter",
    defaults: megatronDefaults({ lr: 2e-5, trainIters: 5000, seqLength: 4096, ...defaults }),
    env: MEGATRON_ENV_INTERNVL,
    ...extra,
  };
}

// v2.2.0 predates ExpertMergeDcpConverter: the run initialises from the HF weights (init_from_hf_path).
function ivl35Recipe(
  releases: TrainingRecipe["releases"],
  converter: string | undefined,
  npus: number,
): TrainingRecipe {
  return {
    variant: "",
    description: "full fine-tune, pretrain_transformers.py with JSON configs and FSDP2",
    releases,
    backend: "megatron-fsdp2",
    entry: "pretrain_transformers.py",
    script: "examples/internvl3.5/finetune_internvl3_5.sh",
    configFiles: [
      "examples/internvl3.5/data.json",
      "examples/internvl3.5/model.json",
      "examples/internvl3.5/fsdp2_config.yaml",
    ],
    converter,
    defaults: megatronDefaults({ npusPerNode: npus, seqLength: 4096 }),
    env: FSDP2_ENV,
    envAt: { "v2.2.0": { MULTI_STREAM_MEMORY_REUSE: "" } },
    upstreamDifferences: [
      {
        key: "flag:--save",
        reason:
          "the v2.2.0 script defines SAVE_PATH but never passes --save, so its run writes no checkpoint; the plan passes the save directory",
        releases: ["v2.2.0"],
      },
    ],
  };
}

const common = {
  kind: "vlm" as const,
  requirements: [],
  isolatedEnv: false,
};

/** The InternVL2 scripts export MEGATRON_ENV_INTERNVL without the allocator setting. */
const { PYTORCH_NPU_ALLOC_CONF: _alloc, ...IVL2_ENV } = MEGATRON_ENV_INTERNVL;

const internvl2 = (
  size: string,
  hf: string,
  arch: ModelEntry["arch"],
  defaults: Partial<TrainingDefaults>,
): ModelEntry => ({
  ...common,
  id: `internvl2-${size.toLowerCase()}`,
  family: "InternVL2",
  displayName: hf.split("/")[1]!,
  exampleDir: "internvl2",
  size,
  hfRepo: hf,
  aliases: [hf.split("/")[1]!, `internvl2_${size.toLowerCase()}`, `internvl 2 ${size}`],
  arch,
  releases: span("v2.1.0", "v2.2.0"),
  recipes: [
    {
      ...recipe("internvl2", size, "pretrain_internvl.py", span("v2.1.0", "v2.2.0"), defaults),
      env: IVL2_ENV,
    },
    ...(size === "8B"
      ? [
          {
            ...recipe("internvl2", size, "pretrain_internvl.py", span("v2.1.0", "v2.2.0"), {
              ...defaults,
              // Per-rank sums of the virtual stages below.
              llmLayerSplit: [8, 8, 8, 8],
              vitLayerSplit: [6, 7, 7, 4],
              vpp: {
                size: 3,
                llm: [
                  [0, 0, 0, 1],
                  [4, 4, 4, 4],
                  [4, 4, 4, 3],
                ],
                vit: [
                  [6, 7, 7, 4],
                  [0, 0, 0, 0],
                  [0, 0, 0, 0],
                ],
              },
            }),
            variant: "vpp",
            description: "full fine-tune with a virtual pipeline (PP4 x VPP3), the ViT trained too",
            script: "examples/internvl2/finetune_internvl2_8B_vpp.sh",
            configFiles: ["examples/internvl2/data_8B.json", "examples/internvl2/model_8B_vpp.json"],
            env: IVL2_ENV,
          },
        ]
      : []),
  ],
  notes: ["Removed at v2.3.0: use internvl2.5 or internvl3.", "mm-convert needs --cfg.trust_remote_code True."],
});

const INTERNLM2_VIT = INTERNVIT_300M;

export const INTERNVL_MODELS: ModelEntry[] = [
  internvl2(
    "2B",
    "OpenGVLab/InternVL2-2B",
    { llm: { layers: 24, hidden: 2048, heads: 16, kvHeads: 8, ffn: 8192, vocab: 92553 }, vit: INTERNLM2_VIT },
    { microBatchSize: 4, gradAccSteps: 16, lr: 4e-5, llmLayerSplit: [24], vitLayerSplit: [24] },
  ),
  internvl2(
    "8B",
    "OpenGVLab/InternVL2-8B",
    { llm: { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 92553 }, vit: INTERNLM2_VIT },
    { pp: 4, gradAccSteps: 64, lr: 4e-5, llmLayerSplit: [6, 9, 9, 8], vitLayerSplit: [24, 0, 0, 0] },
  ),
  internvl2(
    "26B",
    "OpenGVLab/InternVL2-26B",
    { llm: { layers: 48, hidden: 6144, heads: 48, kvHeads: 8, ffn: 16384, vocab: 92553 }, vit: INTERNVIT_6B },
    {
      pp: 8,
      gradAccSteps: 128,
      llmLayerSplit: [0, 2, 8, 8, 8, 8, 8, 6],
      vitLayerSplit: [38, 7, 0, 0, 0, 0, 0, 0],
    },
  ),
  internvl2(
    "76B",
    "OpenGVLab/InternVL2-Llama3-76B",
    { llm: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 128265 }, vit: INTERNVIT_6B },
    {
      npusPerNode: 16,
      hostfile: true,
      pp: 16,
      gradAccSteps: 128,
      llmLayerSplit: [0, 0, 0, 1, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6],
      vitLayerSplit: [11, 12, 12, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    },
  ),
  {
    ...common,
    id: "internvl2.5-4b",
    family: "InternVL2.5",
    displayName: "InternVL2_5-4B",
    exampleDir: "internvl2.5",
    size: "4B",
    hfRepo: "OpenGVLab/InternVL2_5-4B",
    aliases: ["InternVL2.5-4B", "internvl2_5-4b"],
    arch: { llm: { layers: 36, hidden: 2048, heads: 16, kvHeads: 2, ffn: 11008, vocab: 151674 }, vit: INTERNVIT_300M },
    releases: span("v2.1.0", "v26.0.0"),
    recipes: [
      recipe("internvl2.5", "4B", "pretrain_internvl.py", span("v2.1.0", "v26.0.0"), {
        gradAccSteps: 64,
        lr: 4e-5,
        llmLayerSplit: [36],
        vitLayerSplit: [24],
      }),
    ],
    notes: ["Removed at v26.1.0 together with pretrain_internvl.py.", "mm-convert needs --cfg.trust_remote_code True."],
  },
  {
    ...common,
    id: "internvl2.5-78b",
    family: "InternVL2.5",
    displayName: "InternVL2_5-78B",
    exampleDir: "internvl2.5",
    size: "78B",
    hfRepo: "OpenGVLab/InternVL2_5-78B",
    aliases: ["InternVL2.5-78B", "internvl2_5-78b"],
    arch: { llm: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 151674 }, vit: INTERNVIT_6B },
    releases: span("v2.1.0", "v26.0.0"),
    recipes: [
      recipe("internvl2.5", "78B", "pretrain_internvl.py", span("v2.1.0", "v26.0.0"), {
        npusPerNode: 16,
        hostfile: true,
        pp: 16,
        gradAccSteps: 128,
        llmLayerSplit: [0, 3, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 5, 2],
        vitLayerSplit: [45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      }),
    ],
    notes: ["The upstream split gives the first stage to the 6B ViT alone (LLM stage 0 is empty)."],
  },
  {
    ...common,
    id: "internvl3-8b",
    family: "InternVL3",
    displayName: "InternVL3-8B",
    exampleDir: "internvl3",
    size: "8B",
    hfRepo: "OpenGVLab/InternVL3-8B",
    aliases: ["InternVL3-8B"],
    arch: { llm: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 151674 }, vit: INTERNVIT_300M },
    releases: span("v2.1.0", "v26.0.0"),
    recipes: [
      recipe("internvl3", "8B", "pretrain_vlm.py", span("v2.2.0", "v26.0.0"), {
        hostfile: true,
        pp: 4,
        gradAccSteps: 64,
        llmLayerSplit: [6, 8, 8, 6],
        vitLayerSplit: [24, 0, 0, 0],
      }),
    ],
    notes: ["v2.1.0 shipped inference only (8B); fine-tuning examples from v2.2.0; removed at v26.1.0."],
  },
  {
    ...common,
    id: "internvl3-78b",
    family: "InternVL3",
    displayName: "InternVL3-78B",
    exampleDir: "internvl3",
    size: "78B",
    hfRepo: "OpenGVLab/InternVL3-78B",
    aliases: ["InternVL3-78B"],
    arch: { llm: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 151674 }, vit: INTERNVIT_6B },
    releases: span("v2.2.0", "v26.0.0"),
    recipes: [
      recipe("internvl3", "78B", "pretrain_vlm.py", span("v2.2.0", "v26.0.0"), {
        npusPerNode: 16,
        hostfile: true,
        tp: 8,
        pp: 2,
        gradAccSteps: 32,
        llmLayerSplit: [40, 40],
        vitLayerSplit: [45, 0],
      }),
    ],
    notes: ["mm-convert uses --cfg.parallel_config.tp_size 8."],
  },
  {
    ...common,
    id: "internvl3.5",
    family: "InternVL3.5",
    displayName: "InternVL3_5-30B-A3B-Instruct",
    exampleDir: "internvl3.5",
    size: "30B-A3B",
    hfRepo: "OpenGVLab/InternVL3_5-30B-A3B-Instruct",
    aliases: ["InternVL3.5-30B-A3B", "internvl3.5-30b", "internvl3_5"],
    arch: { llm: { layers: 48, hidden: 2048, heads: 32, kvHeads: 4, vocab: 151936, experts: 128, topK: 8 } },
    releases: span("v2.2.0"),
    recipes: [ivl35Recipe(span("v2.3.0"), "ExpertMergeDcpConverter", 16), ivl35Recipe(["v2.2.0"], undefined, 8)],
    notes: [
      "The v2.3.0+ script copies a patched modeling_internvl_chat.py into the HF directory and links it as ./internvl.",
      "Weights: mm-convert ExpertMergeDcpConverter hf_to_dcp --hf_dir ... --save_dir ...",
    ],
  },
];
