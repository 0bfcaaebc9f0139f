// Model shapes for memory estimates: the Hugging Face config.json values (and upstream MindSpeed-MM model JSONs) of
// every model family the registry offers, with where each was read. Plain data; src/estimate turns it into bytes.

/** The language model: one decoder stack, dense or mixture-of-experts. */
export interface TextShape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  /** Per-head width when it is not hidden / heads (Qwen3, GLM-4.5, Qwen3.5). */
  headDim?: number;
  /** Dense MLP width (SwiGLU: gate, up and down projections). */
  ffn: number;
  vocab: number;
  /** Input and output embeddings share one matrix. */
  tiedEmbeddings: boolean;
  /** Mixture of experts: routed experts, experts per token, one expert's width. */
  experts?: number;
  topK?: number;
  moeFfn?: number;
  /** Width of the always-on shared expert(s), summed. */
  sharedExpertFfn?: number;
  /** Leading layers that keep a dense MLP in a MoE model. */
  denseLayers?: number;
  /** GELU MLP (two matrices) instead of SwiGLU; default SwiGLU. */
  geluMlp?: boolean;
  /** RMSNorm on queries and keys (Qwen3): their inputs are kept too. */
  qkNorm?: boolean;
  /** Hidden dropout > 0: its masks are kept (the VLMs here train without dropout). */
  hiddenDropout?: boolean;
}

/** The vision tower (ViT) and its projector into the language model. */
export interface VisionShape {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  /** SwiGLU MLP (three matrices) rather than GELU (two). */
  gatedMlp: boolean;
  patch: number;
  /** Patches merged into one language token per side (2 → 4 patches per token; InternVL's pixel shuffle 0.5 too). */
  merge: number;
}

export interface ModelShape {
  text: TextShape;
  vision?: VisionShape;
  /** Where the numbers were read (HF config.json, upstream model JSON). */
  sources: string[];
  /** Where the estimate approximates the architecture. */
  approximations?: string[];
  /** The language model's activation recompute in upstream's Megatron model JSON, when it sets one. */
  upstreamRecompute?: "full";
  /**
   * What upstream's model JSON trains besides the language model: "projector" (ViT frozen, projector trained: the
   * InternVL families, whose InternVLMLP has no freeze) or "vision" (ViT and projector trained: DeepSeek-VL2's
   * "freeze": false on both). Both frozen when absent (Qwen-VL, GLM-4.1V).
   */
  upstreamTrains?: "projector" | "vision";
  /**
   * Where the values were checked against a second, independent copy of the model's config (a vendored config.json,
   * a training script's model arguments, upstream's model code), and what that copy did not cover.
   */
  checkedAgainst?: string[];
}

const hf = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;
const upstream = (release: string, path: string) =>
  `https://gitcode.com/Ascend/MindSpeed-MM/blob/${release}/examples/${path}`;

const QWEN2VL_VIT: VisionShape = {
  layers: 32,
  hidden: 1280,
  heads: 16,
  ffn: 5120,
  gatedMlp: false,
  patch: 14,
  merge: 2,
};
const qwen25Vit = (ffn: number): VisionShape => ({
  layers: 32,
  hidden: 1280,
  heads: 16,
  ffn,
  gatedMlp: true,
  patch: 14,
  merge: 2,
});
const QWEN3VL_VIT: VisionShape = {
  layers: 27,
  hidden: 1152,
  heads: 16,
  ffn: 4304,
  gatedMlp: false,
  patch: 16,
  merge: 2,
};
const INTERNVIT_300M: VisionShape = {
  layers: 24,
  hidden: 1024,
  heads: 16,
  ffn: 4096,
  gatedMlp: false,
  patch: 14,
  merge: 2,
};
const INTERNVIT_6B: VisionShape = {
  layers: 45,
  hidden: 3200,
  heads: 25,
  ffn: 12800,
  gatedMlp: false,
  patch: 14,
  merge: 2,
};
const GLM4V_VIT: VisionShape = { layers: 24, hidden: 1536, heads: 12, ffn: 4096, gatedMlp: true, patch: 14, merge: 2 };
const PIXTRAL_VIT: VisionShape = {
  layers: 24,
  hidden: 1024,
  heads: 16,
  ffn: 4096,
  gatedMlp: true,
  patch: 14,
  merge: 2,
};
const SIGLIP_SO400M: VisionShape = {
  layers: 27,
  hidden: 1152,
  heads: 16,
  ffn: 4304,
  gatedMlp: false,
  patch: 14,
  merge: 2,
};

const QWEN3_30B_A3B: TextShape = {
  qkNorm: true,
  layers: 48,
  hidden: 2048,
  heads: 32,
  kvHeads: 4,
  headDim: 128,
  ffn: 6144,
  vocab: 151936,
  tiedEmbeddings: false,
  experts: 128,
  topK: 8,
  moeFfn: 768,
};

const QWEN35_SMALL_VIT: VisionShape = {
  layers: 24,
  hidden: 1024,
  heads: 16,
  ffn: 4096,
  gatedMlp: false,
  patch: 16,
  merge: 2,
};
/** Step3-VL's PE-lang encoder; two stride-2 convolutions after it merge 4 × 4 patches into one token. */
const PE_LANG_VIT: VisionShape = {
  layers: 47,
  hidden: 1536,
  heads: 16,
  ffn: 8960,
  gatedMlp: false,
  patch: 14,
  merge: 4,
};
/** DeepSeek-OCR's DeepEncoder, counted as its CLIP-L half after SAM's 16× token compression. */
const DEEPENCODER_CLIP: VisionShape = {
  layers: 24,
  hidden: 1024,
  heads: 16,
  ffn: 4096,
  gatedMlp: false,
  patch: 16,
  merge: 4,
};
/** DeepSeek-OCR-2's DeepEncoder V2: a Qwen2-0.5B decoder used as the encoder behind SAM. */
const DEEPENCODER_V2_QWEN2: VisionShape = {
  layers: 24,
  hidden: 896,
  heads: 14,
  ffn: 4864,
  gatedMlp: true,
  patch: 16,
  merge: 4,
};
/** DeepSeek-3B-MoE, the decoder of both DeepSeek-OCR releases (DeepSeek-V2 layout with plain multi-head attention). */
const DEEPSEEK_3B_MOE: TextShape = {
  layers: 12,
  hidden: 1280,
  heads: 10,
  kvHeads: 10,
  ffn: 6848,
  vocab: 129280,
  tiedEmbeddings: false,
  experts: 64,
  topK: 6,
  moeFfn: 896,
  sharedExpertFfn: 1792,
  denseLayers: 1,
};

const QWEN35_APPROX =
  "Qwen3.5 mixes gated DeltaNet (linear attention, 3 of 4 layers) with gated full attention; every layer is counted as full attention of the stated width";

/** Keyed by registry model id. */
export const MODEL_SHAPES: Readonly<Record<string, ModelShape>> = {
  "qwen2vl-2b": {
    text: { layers: 28, hidden: 1536, heads: 12, kvHeads: 2, ffn: 8960, vocab: 151936, tiedEmbeddings: true },
    vision: QWEN2VL_VIT,
    sources: [hf("Qwen/Qwen2-VL-2B-Instruct"), upstream("v2.3.0", "qwen2vl/model_2b.json")],
  },
  "qwen2vl-7b": {
    text: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 152064, tiedEmbeddings: false },
    vision: QWEN2VL_VIT,
    sources: [hf("Qwen/Qwen2-VL-7B-Instruct"), upstream("v2.3.0", "qwen2vl/model_7b.json")],
  },
  "qwen2vl-72b": {
    text: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 152064, tiedEmbeddings: false },
    vision: QWEN2VL_VIT,
    upstreamRecompute: "full",
    sources: [hf("Qwen/Qwen2-VL-72B-Instruct"), upstream("v2.3.0", "qwen2vl/model_72b.json")],
  },
  "qwen2.5vl-3b": {
    text: { layers: 36, hidden: 2048, heads: 16, kvHeads: 2, ffn: 11008, vocab: 151936, tiedEmbeddings: true },
    vision: qwen25Vit(3420),
    sources: [hf("Qwen/Qwen2.5-VL-3B-Instruct"), upstream("v2.3.0", "qwen2.5vl/model_3b.json")],
  },
  "qwen2.5vl-7b": {
    text: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 152064, tiedEmbeddings: false },
    vision: qwen25Vit(3420),
    sources: [hf("Qwen/Qwen2.5-VL-7B-Instruct"), upstream("v2.3.0", "qwen2.5vl/model_7b.json")],
  },
  "qwen2.5vl-32b": {
    text: { layers: 64, hidden: 5120, heads: 40, kvHeads: 8, ffn: 27648, vocab: 152064, tiedEmbeddings: false },
    vision: qwen25Vit(3456),
    sources: [hf("Qwen/Qwen2.5-VL-32B-Instruct"), upstream("v2.3.0", "qwen2.5vl/model_32b.json")],
  },
  "qwen2.5vl-72b": {
    text: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 152064, tiedEmbeddings: false },
    vision: qwen25Vit(3456),
    sources: [hf("Qwen/Qwen2.5-VL-72B-Instruct"), upstream("v2.3.0", "qwen2.5vl/model_72b.json")],
  },
  "qwen3vl-8b": {
    text: {
      qkNorm: true,
      layers: 36,
      hidden: 4096,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      ffn: 12288,
      vocab: 151936,
      tiedEmbeddings: false,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3-VL-8B-Instruct")],
  },
  "qwen3vl-30b": {
    text: QWEN3_30B_A3B,
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3-VL-30B-A3B-Instruct")],
  },
  "qwen3vl-32b": {
    text: {
      qkNorm: true,
      layers: 64,
      hidden: 5120,
      heads: 64,
      kvHeads: 8,
      headDim: 128,
      ffn: 25600,
      vocab: 151936,
      tiedEmbeddings: false,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3-VL-32B-Instruct")],
  },
  "qwen3vl-235b": {
    text: {
      qkNorm: true,
      layers: 94,
      hidden: 4096,
      heads: 64,
      kvHeads: 4,
      headDim: 128,
      ffn: 12288,
      vocab: 151936,
      tiedEmbeddings: false,
      experts: 128,
      topK: 8,
      moeFfn: 1536,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3-VL-235B-A22B-Instruct")],
  },
  "qwen3_5-27b": {
    text: {
      qkNorm: true,
      layers: 64,
      hidden: 5120,
      heads: 24,
      kvHeads: 4,
      headDim: 256,
      ffn: 17408,
      vocab: 248320,
      tiedEmbeddings: false,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3.5-27B"), "https://github.com/THUDM/slime/blob/main/scripts/models/qwen3.5-27B.sh"],
    approximations: [QWEN35_APPROX, "vision tower taken as Qwen3-VL's (27 layers, 1152 wide)"],
  },
  "qwen3_5-35b": {
    text: {
      qkNorm: true,
      layers: 40,
      hidden: 2048,
      heads: 16,
      kvHeads: 2,
      headDim: 256,
      ffn: 512,
      vocab: 248320,
      tiedEmbeddings: false,
      experts: 256,
      topK: 8,
      moeFfn: 512,
      sharedExpertFfn: 512,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3.5-35B-A3B"), "https://github.com/THUDM/slime/blob/main/scripts/models/qwen3.5-35B-A3B.sh"],
    approximations: [QWEN35_APPROX, "vision tower taken as Qwen3-VL's (27 layers, 1152 wide)"],
  },
  "qwen3_5-397b": {
    text: {
      qkNorm: true,
      layers: 60,
      hidden: 4096,
      heads: 32,
      kvHeads: 2,
      headDim: 256,
      ffn: 1024,
      vocab: 248320,
      tiedEmbeddings: false,
      experts: 512,
      topK: 10,
      moeFfn: 1024,
      sharedExpertFfn: 1024,
    },
    vision: QWEN3VL_VIT,
    sources: [
      hf("Qwen/Qwen3.5-397B-A17B"),
      "https://github.com/THUDM/slime/blob/main/scripts/models/qwen3.5-397B-A17B.sh",
    ],
    approximations: [QWEN35_APPROX, "vision tower taken as Qwen3-VL's (27 layers, 1152 wide)"],
  },
  "qwen3_5-4b": {
    text: {
      qkNorm: true,
      layers: 32,
      hidden: 2560,
      heads: 16,
      kvHeads: 4,
      headDim: 256,
      ffn: 9216,
      vocab: 248320,
      tiedEmbeddings: true,
    },
    vision: QWEN35_SMALL_VIT,
    checkedAgainst: [
      "Megatron model arguments for Qwen/Qwen3.5-4B as slime's qwen3.5-4B model script passes them, in two public launch scripts (code index ids 65879456897, 67131604578): 32 layers, hidden 2560, 16 heads, 4 query groups, kv-channels 256, ffn 9216, vocab 248320, embeddings tied (no --untie-embeddings-and-output-weights) — all as stored",
    ],
    sources: [hf("Qwen/Qwen3.5-4B")],
    approximations: [QWEN35_APPROX, "the MTP layer left out"],
  },
  "qwen3_5-9b": {
    text: {
      qkNorm: true,
      layers: 32,
      hidden: 4096,
      heads: 16,
      kvHeads: 4,
      headDim: 256,
      ffn: 12288,
      vocab: 248320,
      tiedEmbeddings: false,
    },
    vision: QWEN3VL_VIT,
    checkedAgainst: [
      "Qwen3.5-9B shape constants in a public kernel contract (code index id 47033724395): hidden 4096, 16 heads, 4 KV heads, head_dim 256, intermediate 12288 — as stored; the 32 layers, vocab 248320 and untied embeddings are the model card's, not checked a second time",
    ],
    sources: [hf("Qwen/Qwen3.5-9B")],
    approximations: [QWEN35_APPROX, "the MTP layer left out"],
  },
  "qwen3_5-122b": {
    text: {
      qkNorm: true,
      layers: 48,
      hidden: 3072,
      heads: 32,
      kvHeads: 2,
      headDim: 256,
      ffn: 1024,
      vocab: 248320,
      tiedEmbeddings: false,
      experts: 256,
      topK: 8,
      moeFfn: 1024,
      sharedExpertFfn: 1024,
    },
    vision: QWEN3VL_VIT,
    checkedAgainst: [
      "huggingface.co/olka-fi/Qwen3.5-122B-A10B-MXFP4 (model card of a quantisation of the checkpoint): 48 layers, 256 experts with 8 routed + 1 shared per token, vocab 248320 — as stored",
      "r/LocalLLaMA 'Qwen 3.5 Architecture Analysis' (reading config.json): routed-expert FFN parameters 77.3B = 2 × hidden × expert width × 256 × 48, i.e. hidden × expert width = 3072 × 1024 — as stored; the 32 heads and 2 KV heads are not checked a second time",
    ],
    sources: [hf("Qwen/Qwen3.5-122B-A10B"), "https://huggingface.co/olka-fi/Qwen3.5-122B-A10B-MXFP4"],
    approximations: [QWEN35_APPROX, "the MTP layer left out"],
  },
  "qwen3_6-27b": {
    text: {
      qkNorm: true,
      layers: 64,
      hidden: 5120,
      heads: 24,
      kvHeads: 4,
      headDim: 256,
      ffn: 17408,
      vocab: 248320,
      tiedEmbeddings: false,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3.6-27B"), "https://github.com/THUDM/slime/blob/main/scripts/models/qwen3.5-27B.sh"],
    approximations: [
      QWEN35_APPROX,
      "taken as Qwen3.5-27B's topology (upstream builds Qwen3.6 with the Qwen3.5 layout)",
      "vision tower taken as Qwen3-VL's (27 layers, 1152 wide)",
    ],
  },
  "qwen3_6-35b": {
    text: {
      qkNorm: true,
      layers: 40,
      hidden: 2048,
      heads: 16,
      kvHeads: 2,
      headDim: 256,
      ffn: 512,
      vocab: 248320,
      tiedEmbeddings: false,
      experts: 256,
      topK: 8,
      moeFfn: 512,
      sharedExpertFfn: 512,
    },
    vision: QWEN3VL_VIT,
    sources: [hf("Qwen/Qwen3.6-35B-A3B"), "https://github.com/THUDM/slime/blob/main/scripts/models/qwen36-35B-A3B.sh"],
    approximations: [QWEN35_APPROX, "vision tower taken as Qwen3-VL's (27 layers, 1152 wide)"],
  },
  "magistral-2509": {
    text: {
      layers: 40,
      hidden: 5120,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      ffn: 32768,
      vocab: 131072,
      tiedEmbeddings: false,
    },
    vision: PIXTRAL_VIT,
    sources: [hf("mistralai/Magistral-Small-2509"), upstream("v26.0.0", "magistral-2509/model.json")],
  },
  mimov2_5: {
    text: {
      layers: 48,
      hidden: 4096,
      heads: 64,
      kvHeads: 8,
      headDim: 192,
      ffn: 16384,
      vocab: 152576,
      tiedEmbeddings: false,
      experts: 256,
      topK: 8,
      moeFfn: 2048,
      denseLayers: 1,
    },
    vision: { layers: 28, hidden: 1280, heads: 16, ffn: 5120, gatedMlp: true, patch: 14, merge: 2 },
    checkedAgainst: [
      "MiMo-V2-Flash configuration in a public Trainium port (code index id 35972269386): hidden 4096, 48 layers, 64 heads, head_dim 192 (values 128), 8 KV heads on sliding-window layers and 4 on full ones, 256 experts, 8 per token, expert width 2048 — as stored; its vocab 151669 is the tokenizer's (the stored 152576 is the padded embedding)",
    ],
    sources: [
      hf("XiaomiMiMo/MiMo-V2.5"),
      "https://docs.sglang.io/cookbook/autoregressive/Xiaomi/MiMo-V2.5",
      "https://huggingface.co/XiaomiMiMo/MiMo-V2-Flash/blob/main/config.json",
    ],
    approximations: [
      "hybrid attention (sliding-window layers with 8 KV heads, global layers with 4) counted as full attention with 8 KV heads of width 192 (values are 128 wide)",
      "vision tower sized to its published 729M parameters over 28 layers (1280 wide, SwiGLU 5120); the 261M audio tower and the 3 MTP layers left out",
    ],
  },
  "step3_vl-10b": {
    text: {
      qkNorm: true,
      layers: 36,
      hidden: 4096,
      heads: 32,
      kvHeads: 8,
      headDim: 128,
      ffn: 12288,
      vocab: 151936,
      tiedEmbeddings: false,
    },
    vision: PE_LANG_VIT,
    checkedAgainst: [
      "upstream's mindspeed_mm/fsdp/models/step3_vl/modeling_step3_vl.py (DEFAULT_STEP3_TEXT_LAYERS 36, DEFAULT_STEP3_VISION_LAYERS 47) — as stored",
    ],
    sources: [
      hf("stepfun-ai/Step3-VL-10B"),
      hf("Qwen/Qwen3-8B"),
      "https://gitcode.com/Ascend/MindSpeed-MM/blob/master/mindspeed_mm/fsdp/models/step3_vl/modeling_step3_vl.py",
    ],
    approximations: [
      "language model taken as Qwen3-8B's (the stated decoder), vision tower as the 1.8B PE-lang encoder (47 layers, 1536 wide)",
      "the multi-crop input (one 728 px global view plus 504 px local crops) counted through the images setting",
      "the 16× downsampling counted as a two-layer MLP projector over 4 × 4 merged patches (0.7B against the published 0.2B)",
    ],
  },
  deepseekocr: {
    text: DEEPSEEK_3B_MOE,
    vision: DEEPENCODER_CLIP,
    checkedAgainst: [
      "language_config of deepseek-ai/DeepSeek-OCR's config.json as vendored in a public test (code index id 61540408162): 12 layers, hidden 1280, 10 heads, 10 KV heads, intermediate 6848, 64 routed experts of 896, 2 shared, 6 per token, first_k_dense_replace 1, vocab 129280 — as stored",
    ],
    sources: [hf("deepseek-ai/DeepSeek-OCR")],
    approximations: ["the 80M SAM-base half of DeepEncoder (12 layers, 768 wide, window attention) left out"],
  },
  deepseekocr2: {
    text: DEEPSEEK_3B_MOE,
    vision: DEEPENCODER_V2_QWEN2,
    checkedAgainst: [
      "a public DeepSeek-OCR-2 write-up (code index id 52498610866): the DeepSeek-V2 3B MoE language model is identical to DeepSeek-OCR's (12 layers, hidden 1280, 64 experts of 896, 2 shared, 6 per token, vocab 129280); the encoder is SAM ViT-B + Qwen2-0.5B with a 896-wide output — as stored",
    ],
    sources: [hf("deepseek-ai/DeepSeek-OCR-2")],
    approximations: [
      "DeepEncoder V2's Qwen2-0.5B stage counted as a bidirectional vision tower; the SAM-base stage left out",
    ],
  },
  ming: {
    text: {
      layers: 28,
      hidden: 2048,
      heads: 16,
      kvHeads: 4,
      ffn: 1408,
      vocab: 126464,
      tiedEmbeddings: false,
      experts: 64,
      topK: 6,
      moeFfn: 1408,
      sharedExpertFfn: 2816,
    },
    vision: qwen25Vit(3420),
    checkedAgainst: [
      "inclusionAI/Ling-lite-1.5 config.json as vendored in a public test (code index id 58554451241): 28 layers, hidden 2048, 16 heads, 4 KV heads, 64 experts of 1408, 2 shared, 6 per token, first_k_dense_replace 0, vocab 126464, untied — as stored",
    ],
    sources: [
      hf("inclusionAI/Ming-Lite-Omni-1.5"),
      "https://huggingface.co/inclusionAI/Ling-lite-1.5/blob/main/config.json",
    ],
    approximations: [
      "language model taken as Ling-lite-1.5's (16.8B, the stated base); vision tower as Qwen2.5-VL's",
      "the audio encoder and the image-generation head left out",
    ],
  },
  "internvl2.5-4b": {
    text: { layers: 36, hidden: 2048, heads: 16, kvHeads: 2, ffn: 11008, vocab: 151674, tiedEmbeddings: false },
    vision: INTERNVIT_300M,
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2_5-4B"), upstream("v2.3.0", "internvl2.5/model_4B.json")],
  },
  "internvl2.5-78b": {
    text: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 151674, tiedEmbeddings: false },
    vision: INTERNVIT_6B,
    upstreamRecompute: "full",
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2_5-78B"), upstream("v2.3.0", "internvl2.5/model_78B.json")],
  },
  "internvl3-8b": {
    text: { layers: 28, hidden: 3584, heads: 28, kvHeads: 4, ffn: 18944, vocab: 151674, tiedEmbeddings: false },
    vision: INTERNVIT_300M,
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL3-8B"), upstream("v2.3.0", "internvl3/model_8B.json")],
  },
  "internvl3-78b": {
    text: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 29568, vocab: 151674, tiedEmbeddings: false },
    vision: INTERNVIT_6B,
    upstreamRecompute: "full",
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL3-78B"), upstream("v2.3.0", "internvl3/model_78B.json")],
  },
  "internvl3.5": {
    text: QWEN3_30B_A3B,
    vision: INTERNVIT_300M,
    sources: [hf("OpenGVLab/InternVL3_5-30B-A3B-Instruct")],
  },
  "glm4.1v-9b": {
    text: { layers: 40, hidden: 4096, heads: 32, kvHeads: 2, ffn: 13696, vocab: 151552, tiedEmbeddings: false },
    vision: GLM4V_VIT,
    sources: [hf("THUDM/GLM-4.1V-9B-Thinking"), upstream("v2.3.0", "glm4.1v/model_9b.json")],
  },
  "glm4.5v-106b": {
    text: {
      layers: 46,
      hidden: 4096,
      heads: 96,
      kvHeads: 8,
      headDim: 128,
      ffn: 10944,
      vocab: 151552,
      tiedEmbeddings: false,
      experts: 128,
      topK: 8,
      moeFfn: 1408,
      sharedExpertFfn: 1408,
      denseLayers: 1,
    },
    vision: GLM4V_VIT,
    sources: [hf("zai-org/GLM-4.5V")],
  },
  deepseekvl2: {
    text: {
      layers: 30,
      hidden: 2560,
      heads: 32,
      kvHeads: 32,
      headDim: 128,
      ffn: 12288,
      vocab: 129280,
      tiedEmbeddings: false,
      experts: 72,
      topK: 6,
      moeFfn: 1536,
      sharedExpertFfn: 3072,
      denseLayers: 1,
    },
    vision: SIGLIP_SO400M,
    upstreamTrains: "vision",
    sources: [hf("deepseek-ai/deepseek-vl2")],
    approximations: ["multi-head latent attention counted as 32 full heads of width 128"],
  },
  "deepseekvl2-671b": {
    text: {
      layers: 61,
      hidden: 7168,
      heads: 128,
      kvHeads: 128,
      headDim: 128,
      ffn: 18432,
      vocab: 129280,
      tiedEmbeddings: false,
      experts: 256,
      topK: 8,
      moeFfn: 2048,
      sharedExpertFfn: 2048,
      denseLayers: 3,
    },
    vision: SIGLIP_SO400M,
    upstreamTrains: "vision",
    sources: [upstream("v26.0.0", "deepseekvl2/model_deepseekv3_vl.json")],
    approximations: ["multi-head latent attention counted as 128 full heads of width 128; the MTP layer left out"],
  },
  "internvl2-2b": {
    text: { layers: 24, hidden: 2048, heads: 16, kvHeads: 8, ffn: 8192, vocab: 92553, tiedEmbeddings: false },
    vision: INTERNVIT_300M,
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2-2B"), upstream("v2.2.0", "internvl2/model_2B.json")],
  },
  "internvl2-8b": {
    text: { layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 92553, tiedEmbeddings: false },
    vision: INTERNVIT_300M,
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2-8B"), upstream("v2.2.0", "internvl2/model_8B.json")],
  },
  "internvl2-26b": {
    text: { layers: 48, hidden: 6144, heads: 48, kvHeads: 8, ffn: 16384, vocab: 92553, tiedEmbeddings: false },
    vision: INTERNVIT_6B,
    upstreamRecompute: "full",
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2-26B"), upstream("v2.2.0", "internvl2/model_26B.json")],
  },
  "internvl2-76b": {
    text: { layers: 80, hidden: 8192, heads: 64, kvHeads: 8, ffn: 28672, vocab: 128265, tiedEmbeddings: false },
    vision: INTERNVIT_6B,
    upstreamRecompute: "full",
    upstreamTrains: "projector",
    sources: [hf("OpenGVLab/InternVL2-Llama3-76B"), upstream("v2.2.0", "internvl2/model_76B.json")],
  },
};

export function modelShape(modelId: string): ModelShape | undefined {
  return MODEL_SHAPES[modelId];
}

/** HBM per NPU (one die on A3) by npu-smi chip name, in GiB. */
export const CHIP_HBM_GIB: Readonly<Record<string, number>> = {
  "910B1": 64,
  "910B2": 64,
  "910B2C": 64,
  "910B3": 64,
  "910B4": 32,
  "910_93": 64,
};

/** The chip assumed when none is named: Atlas 800T A2 (910B, 64 GB HBM per NPU). */
export const DEFAULT_CHIP = "910B3";
