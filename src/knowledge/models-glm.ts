// GLM vision families: GLM-4.1V (Megatron) and GLM-4.5V (MoE, FSDP2).
import { FSDP2_ENV, MEGATRON_ENV, megatronDefaults, span } from "./models-common.js";
import type { ModelEntry } from "./types.js";

const { ASCEND_LAUNCH_BLOCKING: _unset, ...GLM41_ENV } = MEGATRON_ENV;

export const GLM_MODELS: ModelEntry[] = [
  {
    id: "glm4.1v-9b",
    family: "GLM-4.1V",
    displayName: "GLM-4.1V-9B-Thinking",
    exampleDir: "glm4.1v",
    size: "9B",
    kind: "vlm",
    hfRepo: "THUDM/GLM-4.1V-9B-Thinking",
    aliases: ["zai-org/GLM-4.1V-9B-Thinking", "GLM4.1V-9B", "glm-4.1v-9b", "glm4.1v"],
    arch: {
      llm: { layers: 40, hidden: 4096, heads: 32, kvHeads: 2, ffn: 13696, vocab: 151552 },
      vit: { layers: 24, hidden: 1536, heads: 12 },
    },
    releases: span("v2.2.0", "v26.0.0"),
    recipes: [
      {
        variant: "",
        description: "full fine-tune, Megatron (pretrain_vlm.py), megatron_cp_algo context parallel",
        releases: span("v2.2.0", "v26.0.0"),
        backend: "megatron",
        entry: "pretrain_vlm.py",
        script: "examples/glm4.1v/finetune_glm4.1v_9b.sh",
        configFiles: ["examples/glm4.1v/data_9b.json", "examples/glm4.1v/model_9b.json"],
        converter: "GlmConverter",
        defaults: megatronDefaults({
          pp: 4,
          gradAccSteps: 64,
          llmLayerSplit: [5, 12, 12, 11],
          vitLayerSplit: [24, 0, 0, 0],
        }),
        env: { ...GLM41_ENV, PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True" },
      },
    ],
    requirements: [],
    isolatedEnv: false,
    notes: [
      "MASTER_PORT 6700 in the upstream script.",
      "GlmConverter: only hf_to_mm does anything (mm_to_hf and resplit are stubs); needs --cfg.trust_remote_code True.",
      "Removed at v26.1.0.",
    ],
  },
  {
    id: "glm4.5v-106b",
    family: "GLM-4.5V",
    displayName: "GLM-4.5V",
    exampleDir: "glm4.5v",
    size: "106B",
    kind: "vlm",
    hfRepo: "zai-org/GLM-4.5V",
    aliases: ["GLM-4.5V", "glm4.5v", "glm-4.5v-106b"],
    arch: {
      llm: { layers: 46, hidden: 4096, heads: 96, kvHeads: 8, vocab: 151552, experts: 128, topK: 8 },
      vit: { layers: 24, hidden: 1536, heads: 12 },
    },
    releases: span("v26.0.0"),
    recipes: [
      {
        variant: "",
        description: "full fine-tune, pretrain_transformers.py with JSON configs and FSDP2 (8 x 16 NPUs, A3)",
        releases: span("v26.0.0"),
        backend: "megatron-fsdp2",
        entry: "pretrain_transformers.py",
        script: "examples/glm4.5v/finetune_glm4_5v_106B.sh",
        configFiles: [
          "examples/glm4.5v/data_106B.json",
          "examples/glm4.5v/model_106B.json",
          "examples/glm4.5v/fsdp2_config.yaml",
        ],
        converter: "ExpertMergeDcpConverter",
        defaults: megatronDefaults({ npusPerNode: 16, nodes: 8 }),
        env: FSDP2_ENV,
      },
    ],
    requirements: [],
    isolatedEnv: false,
    notes: [
      "Weights: mm-convert ExpertMergeDcpConverter hf_to_dcp; the model JSON's sizes are placeholders, the HF config.json rules.",
    ],
  },
];
