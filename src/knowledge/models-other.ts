// Ming (custom trainer) and the non-VLM examples MindSpeed-MM ships, kept as routing entries.
import { CUSTOM_ENV, megatronDefaults, span } from "./models-common.js";
import type { ModelEntry, RoutingEntry } from "./types.js";

export const OTHER_VLM_MODELS: ModelEntry[] = [
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
): RoutingEntry => ({ id, displayName, kind, exampleDir: id, entry, releases, aliases: [], summary, ...extra });

const SORA = "pretrain_sora.py";
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
    { converter: "LuminaConverter" },
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
  r(
    "internvl2",
    "InternVL2",
    "vlm",
    "pretrain_internvl.py",
    span("v2.1.0", "v2.2.0"),
    "Older InternVL (2B/8B/26B/76B); removed at v2.3.0 — use internvl2.5 or internvl3.",
    { converter: "InternVLConverter" },
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
  r("qwen3_6", "Qwen3.6", "vlm", NATIVE, span("v26.1.0"), "Qwen3.6 27B/35B on the native FSDP2 trainer (v26.1.0)."),
  r("step3_vl", "Step3-VL 10B", "vlm", NATIVE, span("v26.1.0"), "Step3-VL on the native FSDP2 trainer (v26.1.0)."),
  r("kimik2_5", "Kimi-K2.5", "vlm", NATIVE, span("v26.0.0"), "Kimi-K2.5 on the native FSDP2 trainer."),
  r("kimi_k3", "Kimi-K3", "vlm", NATIVE, span("v26.1.0"), "Kimi-K3 on the native FSDP2 trainer (v26.1.0)."),
  r("mimov2_5", "MiMo-V2.5", "vlm", NATIVE, span("v26.1.0"), "MiMo-V2.5 on the native FSDP2 trainer (v26.1.0)."),
  r(
    "magistral-2509",
    "Magistral-Small-2509",
    "vlm",
    "pretrain_transformers.py",
    span("v26.0.0"),
    "Mistral3 VLM, FSDP2 JSON path (NPUS 8, seq 2048, 5000 iters).",
    { converter: "Mistral3Converter" },
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
];
