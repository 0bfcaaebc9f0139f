// Peak device memory per rank for a training layout, from the model's shape and the recipe, before anything is
// launched: weights, gradients, optimizer state, activations (language model and ViT) and a stated allowance for
// what the framework and HCCL hold outside the tensors. Pure arithmetic; no host is touched.
//
// Activations follow Korthikanti et al., "Reducing Activation Recomputation in Large Transformer Models" (2022),
// adapted to what these models run: grouped-query attention, SwiGLU MLPs, flash attention (no s² term), no dropout,
// no sequence parallelism unless asked (norm inputs stay whole on each TP rank), and 1F1B pipelining (stage i holds
// min(pp - i, microbatches) microbatches).
import { evenSplit, vitSplit } from "../configs/validate.js";
import type { ModelShape, TextShape, VisionShape } from "../knowledge/model-shapes.js";

export type Recompute = "none" | "selective" | "full";
/** megatron: Megatron/mcore with its distributed optimizer; fsdp2: parameters, gradients and optimizer sharded. */
export type EstimateBackend = "megatron" | "fsdp2";

/** The parallel sizes and batching of a layout, shared by the estimate, the candidates and the report. */
export interface ParallelSizes {
  tp: number;
  pp: number;
  cp: number;
  ep: number;
  dp: number;
  microBatchSize: number;
  /** Microbatches per step per data-parallel rank (gradient accumulation). */
  microBatches: number;
}

export interface Layout extends ParallelSizes {
  seqLength: number;
  /** Language layers per pipeline stage; even split when absent. */
  llmLayerSplit?: number[];
  /** ViT layers per stage; all on the first stage when absent (as MindSpeed-MM's model JSONs put them). */
  vitLayerSplit?: number[];
}

export interface Recipe {
  backend: EstimateBackend;
  recompute: Recompute;
  /** Megatron: optimizer state (and fp32 master weights) sharded over data parallel. */
  distributedOptimizer: boolean;
  /** LoRA rank; null for a full fine-tune. */
  loraRank: number | null;
  /** Vision tower frozen (MindSpeed-MM's model JSONs freeze it and the projector by default). */
  freezeVision: boolean;
  /** With the tower frozen, the projector is trained all the same (InternVL's model JSONs do not freeze it). */
  trainProjector?: boolean;
  /**
   * fp16 (older Megatron runs): fp16 gradient buffer plus fp32 main gradients (2 + 4 bytes) instead of one fp32
   * buffer. bf16 when absent.
   */
  precision?: "bf16" | "fp16";
  /**
   * Megatron's --sequence-parallel: the norm and dropout activations are split over TP too. MindSpeed-MM's example
   * scripts do not pass it, so with TP > 1 those stay whole on every rank unless this is set.
   */
  sequenceParallel?: boolean;
  /** Flash (or fused) attention keeps no s × s scores; false keeps 5 × heads × s bytes per token (Korthikanti). */
  flashAttention?: boolean;
  /** The loss is computed over chunks of this many tokens (the FSDP2 configs' chunk loss); whole sequence when absent. */
  lossChunkTokens?: number;
  /**
   * MindSpeed's --reuse-fp32-param: the bf16 weights and the fp32 master copy share storage (fp32 = bf16 + a 16-bit
   * residual), saving sizeof(bf16) × parameters, divided by DP under the distributed optimizer (MindSpeed docs,
   * features/reuse-fp32-param.md).
   */
  reuseFp32Param?: boolean;
  /**
   * MindSpeed's --swap-attention (mcore: the self_attention module only): each layer's attention activations go to host
   * memory in the forward and are prefetched for the backward; one layer's stay on the device
   * (features/swap_attention.md).
   */
  swapAttention?: boolean;
}

export interface VisionLoad {
  /** Images (or video frames) per sample. */
  images: number;
  /** ViT patches per image (image_max_pixels / patch²). */
  patchesPerImage: number;
}

export interface MemoryBreakdown {
  weightsGiB: number;
  gradientsGiB: number;
  optimizerGiB: number;
  llmActivationsGiB: number;
  vitActivationsGiB: number;
  /** Logits and the cross-entropy's fp32 softmax on the last stage. */
  logitsGiB: number;
  /** Framework, HCCL buffers, allocator fragmentation: ALLOWANCE_GIB. */
  allowanceGiB: number;
}

export interface StageMemory {
  stage: number;
  llmLayers: number;
  vitLayers: number;
  breakdown: MemoryBreakdown;
  /** Tensors only (what torch reports as max allocated). */
  tensorsGiB: number;
  peakGiB: number;
}

export interface MemoryEstimate {
  peakGiBPerRank: number;
  /** Tensors on the fullest rank, without the allowance: comparable to "max allocated". */
  tensorsGiB: number;
  /** The stage whose rank peaks highest. */
  peakStage: number;
  breakdown: MemoryBreakdown;
  stages: StageMemory[];
  hbmGiB: number;
  marginGiB: number;
  fits: boolean;
  assumptions: string[];
}

/**
 * What lives on a device besides the tensors torch counts: the CANN runtime and its workspace, HCCL's buffers
 * (HCCL_BUFFSIZE, 200 MB by default, per communication group and direction) and allocator fragmentation.
 * One number for every model and layout; it is not fitted per case.
 */
export const ALLOWANCE_GIB = 3;

/** Bytes the cross-entropy keeps per logit: the bf16 logits and the fp32 softmax Megatron saves for backward. */
const LOGIT_BYTES = 6;

const GIB = 1024 ** 3;

const headDim = (t: TextShape) => t.headDim ?? t.hidden / t.heads;

/** Parameters of one language layer: attention, and the MLP split into dense (TP-sharded) and expert parts. */
export function textLayerParams(t: TextShape, moeLayer: boolean): { dense: number; expert: number } {
  const d = headDim(t);
  const attention = t.hidden * t.heads * d * 2 + t.hidden * t.kvHeads * d * 2;
  const norms = 2 * t.hidden;
  const mlpMatrices = t.geluMlp ? 2 : 3;
  if (!moeLayer || !t.experts) return { dense: attention + norms + mlpMatrices * t.hidden * t.ffn, expert: 0 };
  const shared = 3 * t.hidden * (t.sharedExpertFfn ?? 0);
  const router = t.hidden * t.experts;
  return { dense: attention + norms + shared + router, expert: t.experts * 3 * t.hidden * (t.moeFfn ?? t.ffn) };
}

const isMoeLayer = (t: TextShape, index: number) => Boolean(t.experts) && index >= (t.denseLayers ?? 0);

export function visionLayerParams(v: VisionShape): number {
  return 4 * v.hidden * v.hidden + (v.gatedMlp ? 3 : 2) * v.hidden * v.ffn + 4 * v.hidden;
}

/** The projector: merged patches (hidden × merge²) through a two-layer MLP into the language width. */
export function projectorParams(v: VisionShape, textHidden: number): number {
  const merged = v.hidden * v.merge * v.merge;
  return merged * merged + merged * textHidden;
}

export function totalParams(shape: ModelShape): { text: number; vision: number } {
  const t = shape.text;
  let text = t.vocab * t.hidden * (t.tiedEmbeddings ? 1 : 2) + t.hidden;
  for (let i = 0; i < t.layers; i++) {
    const p = textLayerParams(t, isMoeLayer(t, i));
    text += p.dense + p.expert;
  }
  const v = shape.vision;
  const vision = v ? v.layers * visionLayerParams(v) + projectorParams(v, t.hidden) : 0;
  return { text, vision };
}

/** Bytes of activations one language layer keeps for backward, per token, before TP / CP sharding. */
export function textActivationBytesPerToken(t: TextShape, moeLayer: boolean): number {
  const q = t.heads * headDim(t);
  const kv = t.kvHeads * headDim(t);
  // norm inputs (2 × 2h), QKV input 2h, Q 2q, K and V 2 × 2kv, attention output 2q (flash attention keeps it, and the
  // softmax statistics, instead of the s² scores), MLP input 2h, fc1 output (gate and up) 4f, SwiGLU output 2f.
  // q/k norms keep their inputs (2q + 2kv); hidden dropout keeps two one-byte masks (2h).
  const attention =
    2 * t.hidden * 3 + 2 * q + 4 * kv + 2 * q + (t.qkNorm ? 2 * q + 2 * kv : 0) + (t.hiddenDropout ? 2 * t.hidden : 0);
  // GELU: fc1 output and GELU output (2f + 2f); SwiGLU: gate and up outputs (4f) and their product (2f).
  if (!moeLayer || !t.experts) return attention + (t.geluMlp ? 4 : 6) * t.ffn;
  const f = t.moeFfn ?? t.ffn;
  const k = t.topK ?? 1;
  // routed tokens: each token's hidden goes to k experts (permuted copy 2h·k) and through k expert MLPs (6f·k).
  const shared = 6 * (t.sharedExpertFfn ?? 0);
  return attention + k * (2 * t.hidden + 6 * f) + shared + 4 * (t.experts ?? 0);
}

/** The part of a layer's activations its self-attention module saves: QKV input, Q, K, V, output (and q/k norms). */
export function selfAttentionBytesPerToken(t: TextShape): number {
  const q = t.heads * headDim(t);
  const kv = t.kvHeads * headDim(t);
  return 2 * t.hidden + 2 * q + 4 * kv + 2 * q + (t.qkNorm ? 2 * q + 2 * kv : 0);
}

export function visionActivationBytesPerPatch(v: VisionShape): number {
  return 2 * v.hidden * 5 + (v.gatedMlp ? 6 : 4) * v.ffn;
}

interface Inputs {
  shape: ModelShape;
  recipe: Recipe;
  layout: Layout;
  vision: VisionLoad;
  hbmGiB: number;
}

function stageMemory(inputs: Inputs, stage: number, llmLayers: number, firstLayer: number, vitLayers: number) {
  const { shape, recipe, layout } = inputs;
  const t = shape.text;
  const v = shape.vision;
  const { tp, pp, cp, ep, dp } = layout;
  const first = stage === 0;
  const last = stage === pp - 1;

  // Parameters held by this rank (TP-sharded dense, EP×TP-sharded experts).
  let denseText = 0;
  let expertText = 0;
  for (let i = firstLayer; i < firstLayer + llmLayers; i++) {
    const p = textLayerParams(t, isMoeLayer(t, i));
    denseText += p.dense;
    expertText += p.expert;
  }
  if (first) denseText += t.vocab * t.hidden;
  // Megatron keeps an output layer on the last stage even when embeddings are tied (a copy when pp > 1).
  if (last && (!t.tiedEmbeddings || pp > 1)) denseText += t.vocab * t.hidden;
  const projector = v && vitLayers > 0 && first ? projectorParams(v, t.hidden) : 0;
  const visionParams = v && vitLayers > 0 ? vitLayers * visionLayerParams(v) + projector : 0;
  const textOnRank = denseText / tp + expertText / (ep * tp);
  const visionOnRank = visionParams / tp;

  const trainableVision = recipe.freezeVision ? (recipe.trainProjector ? projector / tp : 0) : visionOnRank;
  // Trainable parameters split by how the distributed optimizer shards them: dense over DP × CP, experts over the
  // expert-data-parallel group (DP × CP / EP).
  let trainableDense: number;
  let trainableExpert: number;
  let frozen: number;
  if (recipe.loraRank !== null) {
    // LoRA adapters on every linear of the language layers: r × (in + out) each, small next to the base.
    const d = headDim(t);
    const perLayer =
      recipe.loraRank *
      (t.hidden + t.heads * d + 2 * (t.hidden + t.kvHeads * d) + (t.heads * d + t.hidden) + 3 * (t.hidden + t.ffn));
    trainableDense = (perLayer * llmLayers) / tp;
    trainableExpert = 0;
    frozen = textOnRank + visionOnRank;
  } else {
    trainableDense = denseText / tp + trainableVision;
    trainableExpert = expertText / (ep * tp);
    frozen = visionOnRank - trainableVision;
  }
  const trainable = trainableDense + trainableExpert;

  let weights: number;
  let gradients: number;
  let optimizer: number;
  if (recipe.backend === "fsdp2") {
    // fp32 sharded parameters, gradients and Adam moments over the data-parallel ranks; bf16 compute copies of the
    // layers being gathered (the current one and the prefetched next).
    const shards = dp * cp;
    const expertShards = Math.max(1, shards / ep);
    const layerBytes = (2 * (denseText / tp + expertText / (ep * tp))) / Math.max(1, llmLayers);
    const sharded = trainableDense / shards + trainableExpert / expertShards;
    weights = 4 * sharded + (2 * frozen) / shards + 2 * layerBytes;
    gradients = 4 * sharded;
    optimizer = 8 * sharded;
  } else {
    // bf16 weights; fp32 gradient buffer (Megatron accumulates bf16 runs in fp32); fp32 master copy + Adam m and v,
    // sharded by the distributed optimizer.
    const denseShard = recipe.distributedOptimizer ? dp * cp : 1;
    const expertShard = recipe.distributedOptimizer ? Math.max(1, (dp * cp) / ep) : 1;
    weights = 2 * (trainable + frozen);
    gradients = (recipe.precision === "fp16" ? 6 : 4) * trainable;
    // Adam m and v (8 bytes) and the fp32 master (4), or its 2-byte residual when the master reuses the bf16 weights.
    const stateBytes = recipe.reuseFp32Param ? 10 : 12;
    optimizer = (stateBytes * trainableDense) / denseShard + (stateBytes * trainableExpert) / expertShard;
  }

  // Activations: microbatches in flight on this stage under 1F1B.
  const inFlight = Math.min(pp - stage, Math.max(1, layout.microBatches));
  const tokens = (layout.microBatchSize * layout.seqLength) / cp;
  let llmAct = 0;
  // Without flash attention the scores, softmax and its dropout are kept: 5 × heads × s bytes per token (selective
  // recompute drops exactly these).
  const scores =
    recipe.flashAttention === false && recipe.recompute === "none" ? (5 * t.heads * layout.seqLength) / cp : 0;
  // Without sequence parallel the norm inputs and outputs (6h) and dropout masks (2h) are whole on every TP rank.
  const whole = tp > 1 && !recipe.sequenceParallel ? 6 * t.hidden + (t.hiddenDropout ? 2 * t.hidden : 0) : 0;
  const perRank = (bytes: number) => whole + (bytes - whole) / tp;
  // Swapped attention activations leave the device, but for the layer whose backward is next (prefetched).
  // The QKV input (the norm's output, 2h) is whole on each TP rank without sequence parallel, like the norm inputs.
  const qkvInput = whole > 0 ? 2 * t.hidden : (2 * t.hidden) / tp;
  const swapped =
    recipe.swapAttention && recipe.recompute !== "full"
      ? qkvInput + (selfAttentionBytesPerToken(t) - 2 * t.hidden) / tp
      : 0;
  for (let i = firstLayer; i < firstLayer + llmLayers; i++) {
    const perToken = textActivationBytesPerToken(t, isMoeLayer(t, i)) + scores;
    const kept = recipe.recompute === "full" ? 2 * t.hidden : perRank(perToken) - swapped;
    llmAct += tokens * kept;
  }
  llmAct *= inFlight;
  if (recipe.recompute === "full" && llmLayers > 0) {
    // the layer being recomputed holds its full activations during its backward: one layer of one microbatch.
    llmAct += tokens * perRank(textActivationBytesPerToken(t, isMoeLayer(t, firstLayer + llmLayers - 1)));
  }
  if (swapped > 0 && llmLayers > 0) llmAct += tokens * swapped;

  let vitAct = 0;
  if (v && vitLayers > 0) {
    const patches = layout.microBatchSize * inputs.vision.images * inputs.vision.patchesPerImage;
    const perPatch = visionActivationBytesPerPatch(v);
    if (recipe.freezeVision) {
      // no graph is kept for a frozen tower: one layer's working set during its forward.
      vitAct = (patches * perPatch) / tp;
    } else {
      const kept = recipe.recompute === "full" ? 2 * v.hidden : perPatch;
      vitAct = ((patches * kept * vitLayers) / tp) * inFlight;
    }
  }

  const lossTokens = recipe.lossChunkTokens ? Math.min(tokens, recipe.lossChunkTokens) : tokens;
  const logits = last ? (lossTokens * t.vocab * LOGIT_BYTES) / tp : 0;
  const breakdown: MemoryBreakdown = {
    weightsGiB: weights / GIB,
    gradientsGiB: gradients / GIB,
    optimizerGiB: optimizer / GIB,
    llmActivationsGiB: llmAct / GIB,
    vitActivationsGiB: vitAct / GIB,
    logitsGiB: logits / GIB,
    allowanceGiB: ALLOWANCE_GIB,
  };
  const tensorsGiB = (weights + gradients + optimizer + llmAct + vitAct + logits) / GIB;
  return { stage, llmLayers, vitLayers, breakdown, tensorsGiB, peakGiB: tensorsGiB + ALLOWANCE_GIB };
}

const round = (x: number) => Math.round(x * 100) / 100;

export function estimateMemory(inputs: Inputs): MemoryEstimate {
  const { shape, layout } = inputs;
  const llmSplit = layout.llmLayerSplit ?? evenSplit(shape.text.layers, layout.pp);
  const vitLayers = shape.vision?.layers ?? 0;
  const vitLayerSplit = layout.vitLayerSplit ?? vitSplit(vitLayers, layout.pp);
  let first = 0;
  const stages = llmSplit.map((n, stage) => {
    const s = stageMemory(inputs, stage, n, first, vitLayerSplit[stage] ?? 0);
    first += n;
    return s;
  });
  const worst = stages.reduce((a, b) => (b.peakGiB > a.peakGiB ? b : a));
  const marginGiB = inputs.hbmGiB - worst.peakGiB;
  const rounded = (b: MemoryBreakdown): MemoryBreakdown =>
    Object.fromEntries(Object.entries(b).map(([k, x]) => [k, round(x)])) as unknown as MemoryBreakdown;
  const r = inputs.recipe;
  return {
    peakGiBPerRank: round(worst.peakGiB),
    tensorsGiB: round(worst.tensorsGiB),
    peakStage: worst.stage,
    breakdown: rounded(worst.breakdown),
    stages: stages.map((s) => ({
      ...s,
      breakdown: rounded(s.breakdown),
      tensorsGiB: round(s.tensorsGiB),
      peakGiB: round(s.peakGiB),
    })),
    hbmGiB: inputs.hbmGiB,
    marginGiB: round(marginGiB),
    fits: marginGiB >= 0,
    assumptions: [
      r.backend === "fsdp2"
        ? "FSDP2: fp32 parameters, gradients and Adam state sharded over every rank; bf16 copies of two layers gathered at a time"
        : `bf16 weights, fp32 gradients, ${r.reuseFp32Param ? "fp32 master weights sharing the bf16 weights' storage (--reuse-fp32-param: a 2-byte residual each)" : "fp32 master weights"} and Adam state${r.distributedOptimizer ? " sharded over data parallel (distributed optimizer)" : ""}`,
      `recompute: ${r.recompute}; ${r.flashAttention === false ? "attention scores kept" : "flash attention"}; ${r.sequenceParallel ? "sequence parallel" : "no sequence parallel"}; ${r.swapAttention ? "attention activations swapped to host (--swap-attention); " : ""}1F1B pipeline`,
      r.loraRank !== null
        ? `LoRA rank ${r.loraRank}: base weights frozen in bf16`
        : "full fine-tune of the language model",
      r.freezeVision
        ? r.trainProjector
          ? "vision tower frozen, projector trained"
          : "vision tower and projector frozen"
        : "vision tower and projector trained",
      `allowance of ${ALLOWANCE_GIB} GiB per rank for the CANN runtime, HCCL buffers and fragmentation`,
      ...(inputs.shape.approximations ?? []),
    ],
  };
}
