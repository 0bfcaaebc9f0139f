// Ming (custom trainer) and the non-VLM examples MindSpeed-MM ships, kept as routing entries.
import { CUSTOM_ENV, megatronDefaults, span } from "./models-common.js";
import type { ModelEntry, RoutingEntry, TrainingRecipe } from "./types.js";

/** The exports of the v26.1.0 Step3-VL and MiMo-V2.5 scripts. */
const STEP3_MIMO_ENV: Record<string, string> = {
  NON_MEGATRON: "true",
  HCCL_CONNECT_TIMEOUT: "1200",
  PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True",
  MULTI_STREAM_MEMORY_REUSE: "2",
  TASK_QUEUE_ENABLE: "1",
  CPU_AFFINITY_CONF: "1",
};

const MAGISTRAL_ENV: Record<string, string> = {
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

function magistralRecipe(lora: boolean): TrainingRecipe {
  return {
    variant: lora ? "lora" : "",
    description: lora
      ? "LoRA fine-tune (r 8, alpha 16, attention and MLP projections), base converted with hf_to_dcp --is_lora_base true"
      : "full fine-tune, pretrain_transformers.py with data/model JSON and FSDP2",
    releases: span("v26.0.0"),
    backend: "megatron-fsdp2",
    entry: "pretrain_transformers.py",
    script: `examples/magistral-2509/finetune_magistral_2509${lora ? "_lora" : ""}.sh`,
    configFiles: [
      "examples/magistral-2509/data.json",
      "examples/magistral-2509/model.json",
      `examples/magistral-2509/fsdp2${lora ? "_lora" : ""}_config.yaml`,
    ],
    converter: "Mistral3Converter",
    defaults: megatronDefaults({ trainIters: 5000, seqLength: 2048 }),
    env: MAGISTRAL_ENV,
    ...(lora
      ? {
          lora: {
            r: 8,
            alpha: 16,
            dropout: 0,
            targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
            baseConversion: "lora-base" as const,
          },
        }
      : {}),
  };
}

export const OTHER_VLM_MODELS: ModelEntry[] = [
  {
    id: "magistral-2509",
    family: "Magistral",
    displayName: "Magistral-Small-2509",
    exampleDir: "magistral-2509",
    size: "24B",
    kind: "vlm",
    hfRepo: "mistralai/Magistral-Small-2509",
    aliases: ["Magistral-Small-2509", "magistral small 2509", "magistral", "mistral3"],
    arch: {
      llm: { layers: 40, hidden: 5120, heads: 32, kvHeads: 8, vocab: 131072 },
      vit: { layers: 24, hidden: 1024, heads: 16 },
    },
    releases: span("v26.0.0"),
    recipes: [magistralRecipe(false), magistralRecipe(true)],
    requirements: [],
    isolatedEnv: false,
    notes: [
      "Weights: mm-convert Mistral3Converter hf_to_dcp (LoRA base: --is_lora_base true); back with dcp_to_hf; LoRA adapters merged with merge_mm_lora_dcp_weight_to_base_hf.",
    ],
  },
  {
    id: "mimov2_5",
    family: "MiMo-V2.5",
    displayName: "MiMo-V2.5",
    exampleDir: "mimov2_5",
    kind: "vlm",
    hfRepo: "XiaomiMiMo/MiMo-V2.5",
    aliases: ["MiMo-V2.5", "mimo v2.5", "mimo-v2.5", "mimo_v25"],
    releases: span("v26.1.0"),
    recipes: [
      {
        variant: "",
        description:
          "full fine-tune on the native FSDP2 trainer (trainer.py, NON_MEGATRON), HF weights loaded directly",
        releases: span("v26.1.0"),
        backend: "native-fsdp",
        entry: "mindspeed_mm/fsdp/train/trainer.py",
        script: "examples/mimov2_5/finetune_mimov2_5.sh",
        configFiles: ["examples/mimov2_5/mimov2_5_config.yaml"],
        defaults: megatronDefaults({ npusPerNode: 16 }),
        env: STEP3_MIMO_ENV,
        upstreamDifferences: [
          {
            key: "value:mimov2_5_config.yaml#training.save",
            reason:
              "upstream leaves training.save commented out (save: save_path); the plan fills in the save directory the user chose",
          },
        ],
      },
    ],
    requirements: [],
    isolatedEnv: false,
    notes: [
      "Upstream validated MiMo-V2.5 only with reduced layers on one node (NNODES=1).",
      "The model loads the Hugging Face weights directly (model_name_or_path, trust_remote_code): nothing to convert.",
    ],
  },
  {
    id: "step3_vl-10b",
    family: "Step3-VL",
    displayName: "Step3-VL-10B",
    exampleDir: "step3_vl",
    size: "10B",
    kind: "vlm",
    hfRepo: "stepfun-ai/Step3-VL-10B",
    aliases: ["Step3-VL-10B", "step3 vl", "step3_vl", "step3-vl"],
    releases: span("v26.1.0"),
    recipes: [
      {
        variant: "",
        description:
          "full fine-tune on the native FSDP2 trainer (trainer.py, NON_MEGATRON), HF weights loaded directly",
        releases: span("v26.1.0"),
        backend: "native-fsdp",
        entry: "mindspeed_mm/fsdp/train/trainer.py",
        script: "examples/step3_vl/finetune_step3_vl_10b.sh",
        configFiles: ["examples/step3_vl/step3_vl_10b_config.yaml"],
        defaults: megatronDefaults({ npusPerNode: 4, trainIters: 10 }),
        env: STEP3_MIMO_ENV,
        upstreamDifferences: [
          {
            key: "value:step3_vl_10b_config.yaml#training.save",
            reason:
              "upstream's example names no save directory, so its run writes no checkpoint; the plan writes the save directory the user chose",
          },
        ],
      },
    ],
    requirements: [],
    isolatedEnv: false,
    notes: [
      "The model loads the Hugging Face weights directly (model_name_or_path, trust_remote_code): nothing to convert.",
      "README: examples/step3_vl/README.md.",
    ],
  },
  {
    id: "ming",
    family: "Ming",
    displayName: "Ming-Lite-Omni-1.5",
    exampleDir: "ming",
    kind: "vlm",
    hfRepo: "inclusionAI/Ming-Lite-Omni-1.5",
    aliases: ["Ming-Lite-Omni", "ming lite omni", "ming-lite-omni-1.5"],
    releases: span("v2.2.0", "v26.0.0"),
    recipes: [
      {
        variant: "",
        description:
          "custom HF trainer (finetune_vl.py), run from inside a Ming checkout with examples/ming/* copied in",
        releases: span("v2.2.0", "v26.0.0"),
        backend: "custom",
        entry: "finetune_vl.py",
        script: "examples/ming/finetune_vl.sh",
        configFiles: [],
        defaults: megatronDefaults({ globalBatchSize: 8, lr: 5e-6, trainIters: 1000, seqLength: 2048 }),
        env: CUSTOM_ENV,
      },
    ],
    requirements: [
      "transformers==4.45.0",
      "torchaudio==2.7.1",
      "funasr==1.1.14",
      "peft==0.13.2",
      "diffusers==0.33.1",
      "tokenizers==0.20.3",
    ],
    isolatedEnv: true,
    notes: [
      "v2.2.0 ships the requirements file misspelled as requiremnts.txt.",
      "Also has a text-to-image trainer (finetune_t2i.sh). Removed at v26.1.0.",
    ],
  },
];

const r = (
  id: string,
  displayName: string,
  kind: RoutingEntry["kind"],
  entry: string,
  releases: RoutingEntry["releases"],
  summary: string,
  extra: Partial<RoutingEntry> = {},
): RoutingEntry => {
  const exampleDir = extra.exampleDir ?? id;
  return {
    id,
    displayName,
    kind,
    exampleDir,
    entry,
    releases,
    aliases: [],
    summary,
    readme: `examples/${exampleDir}/README.md`,
    ...extra,
  };
};

const SORA = "pretrain_sora.py";
const OLD_SORA = (script: string) => `Video diffusion (${script}, pretrain_sora.py); removed at v2.3.0.`;
const NATIVE = "mindspeed_mm/fsdp/train/trainer.py";

/** Examples that are not VLM fine-tunes (or VLMs this product does not build configs for). */
export const ROUTING_ENTRIES: RoutingEntry[] = [
  r(
    "qwen2.5omni",
    "Qwen2.5-Omni",
    "omni",
    "pretrain_vlm.py",
    span("v2.1.0"),
    "Omni (text/image/audio/video) model; Megatron with audio PP layers.",
    {
      converter: "Qwen2_5_OmniConverter",
      aliases: ["Qwen/Qwen2.5-Omni-7B", "qwen2.5 omni"],
    },
  ),
  r(
    "qwen3omni",
    "Qwen3-Omni",
    "omni",
    "pretrain_transformers.py",
    span("v2.3.0"),
    "Omni model on the FSDP2 transformers path.",
    {
      aliases: ["qwen3 omni"],
    },
  ),
  r(
    "bagel",
    "BAGEL",
    "omni",
    "pretrain_omni.py",
    span("v26.0.0"),
    "Unified understanding + generation model (pretrain_omni.py).",
  ),
  r(
    "whisper",
    "Whisper",
    "audio",
    "pretrain_whisper.py",
    span("v2.1.0", "v26.0.0"),
    "Speech recognition; pretrain_whisper.py removed at v26.1.0.",
  ),
  r(
    "funasr",
    "FunASR",
    "audio",
    "mindspeed_mm/fsdp/tasks/funasr/trainer.py",
    span("v26.0.0"),
    "Speech recognition with its own FSDP task trainer.",
  ),
  r(
    "cosyvoice3",
    "CosyVoice3",
    "audio",
    "mindspeed_mm/fsdp/tasks/cosyvoice3/train.py",
    span("v26.0.0"),
    "Text-to-speech with its own FSDP task trainer.",
  ),
  r("qwen3tts", "Qwen3-TTS", "audio", NATIVE, span("v26.0.0"), "Text-to-speech on the native FSDP2 trainer.", {
    converter: "Qwen3TTSConverter",
  }),
  r("moss_tts", "MOSS-TTS", "audio", NATIVE, span("v26.1.0"), "Text-to-speech on the native FSDP2 trainer.", {
    converter: "MOSSTTSConverter",
  }),
  r("qwen3_asr", "Qwen3-ASR", "audio", NATIVE, span("v26.1.0"), "Speech recognition on the native FSDP2 trainer."),
  r("wan2.1", "Wan2.1", "generative", SORA, span("v2.1.0"), "Text/image-to-video diffusion (pretrain_sora.py).", {
    converter: "WanConverter",
  }),
  r("wan2.2", "Wan2.2", "generative", SORA, span("v2.2.0"), "Text/image-to-video diffusion (pretrain_sora.py).", {
    converter: "WanConverter",
  }),
  r(
    "hunyuanvideo",
    "HunyuanVideo",
    "generative",
    SORA,
    span("v2.1.0", "v26.0.0"),
    "Video diffusion (pretrain_sora.py).",
    { converter: "HunyuanVideoConverter" },
  ),
  r("hunyuanvideo_1.5", "HunyuanVideo-1.5", "generative", SORA, span("v26.0.0"), "Video diffusion (pretrain_sora.py)."),
  r("cogvideox", "CogVideoX", "generative", SORA, span("v2.1.0", "v26.0.0"), "Video diffusion (pretrain_sora.py).", {
    converter: "CogVideoConverter",
  }),
  r(
    "opensoraplan1.5",
    "Open-Sora-Plan 1.5",
    "generative",
    SORA,
    span("v2.1.0", "v26.0.0"),
    "Video diffusion (pretrain_sora.py).",
    { converter: "OpenSoraPlanConverter" },
  ),
  r(
    "opensora2.0",
    "Open-Sora 2.0",
    "generative",
    SORA,
    span("v2.1.0", "v26.0.0"),
    "Video diffusion (pretrain_sora.py).",
    { converter: "OpenSoraConverter" },
  ),
  r("stepvideo", "Step-Video", "generative", SORA, span("v2.1.0", "v26.0.0"), "Video diffusion (pretrain_sora.py).", {
    converter: "StepVideoConverter",
  }),
  r("vace", "VACE", "generative", SORA, span("v2.3.0"), "Video editing diffusion (pretrain_sora.py).", {
    converter: "VACEConverter",
  }),
  r("ltx2", "LTX-2", "generative", NATIVE, span("v26.0.0"), "Text-to-audio+video generation on the native trainer."),
  r(
    "lumina",
    "Lumina",
    "generative",
    "pretrain_lumina.py",
    span("v2.2.0", "v26.0.0"),
    "Image generation; pretrain_lumina.py removed at v26.1.0.",
    { converter: "LuminaConverter", readme: "examples/lumina/mgpt2/README.md" },
  ),
  r(
    "januspro",
    "Janus-Pro",
    "generative",
    "inference only",
    span("v2.1.0", "v26.0.0"),
    "Janus-Pro example (examples/JanusPro), no fine-tune script.",
    { exampleDir: "JanusPro" },
  ),
  r(
    "flux",
    "FLUX",
    "generative",
    "diffusers scripts",
    span("v2.1.0"),
    "Image generation through examples/diffusers (flux, flux2, flux-kontext, sd3, sdxl, qwen_image).",
    { exampleDir: "diffusers/flux" },
  ),
  r("llava1.5", "LLaVA-1.5", "vlm", "pretrain_llava.py", span("v2.1.0", "v2.2.0"), "LLaVA-1.5; removed at v2.3.0."),
  r(
    "qwen3vl_dev",
    "Qwen3-VL dev (InternViT + Qwen3 30B-A3B)",
    "vlm",
    "pretrain_vlm.py",
    span("v2.1.0", "v2.1.0"),
    "Pre-release Qwen3-VL prototype, v2.1.0 only; use qwen3vl.",
    { converter: "Qwen3_VLConverter" },
  ),
  r(
    "kimik2_5",
    "Kimi-K2.5 / K2.6",
    "vlm",
    NATIVE,
    span("v26.0.0"),
    "Kimi-K2.5 (and K2.6 at v26.1.0) on the native FSDP2 trainer, multi-node: the README copies the HF config, tokenizer and processor files into mindspeed_mm/fsdp/models/kimik2_5 and the YAML builds the model from there (finetune_kimik2_5.sh, kimik2_5_config.yaml).",
    { aliases: ["kimi k2.5", "kimi-k2.5", "kimi k2.6", "moonshotai/Kimi-K2.5"], section: "训练" },
  ),
  r(
    "kimi_k3",
    "Kimi-K3",
    "vlm",
    NATIVE,
    span("v26.1.0"),
    "Kimi-K3 on the native FSDP2 trainer; v26.1.0 supports only reduced-layer, reduced-expert training from randomly initialised weights (loading pretrained weights is not supported yet).",
    { aliases: ["kimi k3", "kimi-k3"], section: "受限场景支持" },
  ),
  r(
    "videoalign",
    "VideoAlign",
    "generative",
    "pretrain_videoalign.py",
    span("v2.2.0", "v26.0.0"),
    "Video reward model; pretrain_videoalign.py removed at v26.1.0.",
    { converter: "VideoAlignConverter" },
  ),
  r("opensora1.0", "Open-Sora 1.0", "generative", SORA, span("v2.1.0", "v2.2.0"), OLD_SORA("pretrain_opensora1_0.sh"), {
    aliases: ["opensora 1.0", "open-sora 1.0"],
    section: "预训练",
  }),
  r("opensora1.2", "Open-Sora 1.2", "generative", SORA, span("v2.1.0", "v2.2.0"), OLD_SORA("pretrain_opensora1_2.sh"), {
    aliases: ["opensora 1.2", "open-sora 1.2"],
    section: "预训练",
  }),
  r(
    "opensoraplan1.2",
    "Open-Sora-Plan 1.2",
    "generative",
    SORA,
    span("v2.1.0", "v2.2.0"),
    `${OLD_SORA("pretrain_opensoraplan1_2.sh")} Weights converted with the example's convert_ckpt_to_mm.py.`,
    { aliases: ["opensoraplan 1.2", "open-sora-plan 1.2"], section: "权重下载及转换" },
  ),
  r(
    "opensoraplan1.3",
    "Open-Sora-Plan 1.3.1",
    "generative",
    SORA,
    span("v2.1.0", "v26.0.0"),
    "Text/image-to-video diffusion: t2v/pretrain_t2v.sh and i2v/pretrain_i2v.sh (pretrain_sora.py), evaluate_gen.py for evaluation; removed at v26.1.0.",
    { aliases: ["opensoraplan 1.3", "open-sora-plan 1.3"], section: "训练" },
  ),
  r(
    "vae",
    "Open-Sora-Plan 1.3.1 VAE",
    "generative",
    "pretrain_ae.py",
    span("v2.1.0", "v26.0.0"),
    "Video VAE training for Open-Sora-Plan 1.3.1 (pretrain_vae.sh); removed at v26.1.0.",
    { aliases: ["wfvae", "video vae"], section: "预训练" },
  ),
  r(
    "qihoo_t2x",
    "Qihoo-T2X 1.0",
    "generative",
    "inference_qihoo.py",
    span("v2.1.0", "v26.0.0"),
    "Text-to-image/video inference only (inference_qihoo.sh), no training script; removed at v26.1.0.",
    { aliases: ["qihoo t2x", "qihoo-t2x"], section: "推理" },
  ),
  r(
    "dancegrpo",
    "FLUX DanceGRPO",
    "generative",
    "posttrain_flux_dancegrpo.py",
    span("v2.2.0"),
    "GRPO reinforcement learning for FLUX image generation (posttrain_flux_dancegrpo.sh, embeddings prepared by preprocess_flux_rl_embeddings.sh).",
    { aliases: ["dance grpo", "flux grpo"], section: "训练" },
  ),
  r(
    "diffsynth",
    "DiffSynth-Studio Qwen-Image-Edit",
    "generative",
    "DiffSynth-Studio train.py (accelerate)",
    span("v2.3.0"),
    "Qwen-Image-Edit LoRA fine-tune through DiffSynth-Studio with NPU patches (qwen_image_edit/train_qwen_image_edit_lora.sh).",
    {
      aliases: ["qwen image edit", "qwen-image-edit", "diffsynth studio"],
      readme: "examples/diffsynth/qwen_image_edit/README.md",
      section: "微调",
    },
  ),
  r(
    "self_forcing",
    "Self-Forcing",
    "generative",
    "npu_adapt/train.py (Self-Forcing repository)",
    span("v26.0.0"),
    "Autoregressive video diffusion distillation (DMD), run from the Self-Forcing repository with the example's NPU patches.",
    { aliases: ["self forcing"], section: "训练" },
  ),
  r(
    "rl",
    "Qwen2.5-VL GRPO / DAPO",
    "vlm",
    "posttrain_vlm_grpo.py",
    span("v2.1.0", "v2.2.0"),
    "Reinforcement learning of Qwen2.5-VL (GRPO 3B/7B/32B, DAPO 7B) with MindSpeed-RL's trainer; configs/*.yaml.",
    { aliases: ["grpo", "dapo", "qwen2.5vl grpo"], section: "GRPO" },
  ),
  r(
    "verl_plugin",
    "verl NPU plugin",
    "vlm",
    "verl (scripts/train_qwen2_5_vl_*_grpo_full.sh)",
    span("v2.2.0", "v2.2.0"),
    "verl plugin for NPUs: Qwen2.5-VL 7B/32B GRPO with Ray.",
    { aliases: ["verl plugin"] },
  ),
  r(
    "verl_examples",
    "verl GRPO examples",
    "vlm",
    "verl (train_*_grpo_full.sh)",
    span("v2.3.0"),
    "GRPO with verl on NPUs: qwen2.5vl (7B/32B), qwen3vl (30B), mistral LoRA; each subdirectory has its README.",
    { aliases: ["verl", "verl grpo"], readme: "examples/verl_examples/qwen2.5vl/README.md" },
  ),
  r(
    "diffusers",
    "diffusers examples",
    "generative",
    "diffusers / accelerate scripts",
    span("v2.1.0"),
    "Image generation and editing through diffusers with NPU patches: flux, flux2, flux-kontext, sd3, sdxl, qwen_image (one README each).",
    {
      aliases: ["sd3", "sdxl", "stable diffusion", "flux2", "flux kontext", "qwen image"],
      readme: "examples/diffusers/flux/README.md",
    },
  ),
  r(
    "mcore",
    "Qwen3.5 on Megatron core",
    "vlm",
    "mindspeed_mm/mcore/models/qwen3_5/pretrain_qwen3_5.py (examples/mcore/qwen3_5)",
    span("v26.1.0"),
    'Qwen3.5-35B on the Megatron-core backend (finetune_qwen3_5_35B.sh, qwen3_5_35B_config.yaml): build_configs builds it as model qwen3_5-35b, variant "mcore" (v26.1.0), and states its install steps (MindSpeed eb10b92 with Megatron, Triton-Ascend 3.2.1, the fla-npu kernel build) for you to run.',
    { aliases: ["qwen3.5 mcore", "qwen3_5 mcore"], readme: "examples/mcore/qwen3_5/README.md", section: "微调" },
  ),
  r(
    "mindspore",
    "MindSpore examples",
    "vlm",
    "MindSpore backend (examples/mindspore/<model>)",
    span("v2.1.0"),
    "The same models on MindSpore instead of PyTorch (internvl2, qwen2.5vl, qwen2.5omni, qwen3vl, wan2.1 …); this server drives the PyTorch path.",
    { aliases: ["mindspore backend"], readme: "docs/zh/mindspore/install_guide.md" },
  ),
];
