// Memory estimate for a registry model at a release: resolves the recipe (backend, default layout and layer split),
// the model's shape and the chip's HBM, then estimates the asked layout and lists the layouts that fit.
// Shared by estimate_memory, plan_finetune, build_configs, launch pre-flight and diagnose_error.
import { ToolError } from "../errors.js";
import { lookupModel, modelNotResolved } from "../knowledge/lookup.js";
import { CHIP_HBM_GIB, DEFAULT_CHIP, modelShape } from "../knowledge/model-shapes.js";
import { newestReleaseFor, type ResolvedRecipe, recipeAt } from "../knowledge/models.js";
import { normalizeRelease, type ReleaseTag } from "../knowledge/release-tags.js";
import type { ModelEntry } from "../knowledge/types.js";
import { argsHint } from "../text/hint.js";
import { type LaunchFlags, recipeFlags, settingsFromFlags } from "./flags.js";
import {
  enumerateLayouts,
  type LayoutCandidate,
  type LayoutRequest,
  type NearestFit,
  nearestFit,
  splitFor,
} from "./layouts.js";
import {
  type EstimateBackend,
  estimateMemory,
  type MemoryEstimate,
  type ParallelSizes,
  type Recipe,
  type Recompute,
} from "./memory.js";

export { ALLOWANCE_GIB } from "./memory.js";

export interface EstimateRequest {
  model: string;
  release?: string;
  variant?: string;
  /** Total NPUs; the recipe's nodes × NPUs per node when absent. */
  npus?: number;
  npusPerNode?: number;
  tp?: number;
  pp?: number;
  cp?: number;
  ep?: number;
  microBatchSize?: number;
  globalBatchSize?: number;
  seqLength?: number;
  llmLayerSplit?: number[];
  vitLayerSplit?: number[];
  /** npu-smi chip name (910B3, 910B4, 910_93 …) or explicit HBM per NPU. */
  chip?: string;
  hbmGiB?: number;
  /** LoRA rank; true means the recipe's rank (8). */
  lora?: boolean | number;
  /**
   * A LoRA rank asked for on its own (estimate_memory's loraRank): taken only with the LoRA recipe (variant "lora") or
   * with lora: true, and refused otherwise in build_configs' words, as build_configs refuses it.
   */
  loraRank?: number;
  recompute?: Recompute;
  /** Images or video frames per sample, and the largest image in pixels (image_max_pixels). */
  images?: number;
  imageMaxPixels?: number;
  trainVision?: boolean;
  /** How many fitting layouts to list. */
  limit?: number;
  /**
   * The launch's Megatron flags (a launch script's), for the distributed optimizer, --reuse-fp32-param,
   * --swap-attention, flash attention, sequence parallel and recompute; the recipe's own flags when absent.
   */
  flags?: LaunchFlags;
  /** MindSpeed memory options asked for on top of the flags. */
  reuseFp32Param?: boolean;
  swapAttention?: boolean;
}

export interface EstimateReport {
  model: string;
  release: ReleaseTag;
  variant: string;
  /** The LoRA rank estimated; null for a full fine-tune. */
  loraRank: number | null;
  backend: string;
  chip: string;
  hbmGiB: number;
  layout: ParallelSizes & {
    npus: number;
    npusPerNode: number;
    globalBatchSize: number;
    seqLength: number;
    llmLayerSplit: number[];
    vitLayerSplit: number[] | null;
  };
  /** Problems with the asked layout itself (it does not divide the NPUs, a split that does not sum). */
  layoutProblems: string[];
  estimate: MemoryEstimate;
  /** Fitting layouts on the same NPUs, best expected throughput first. */
  layouts: LayoutCandidate[];
  nearest: NearestFit | null;
  sources: string[];
}

/**
 * The largest values an estimate takes, above the largest Ascend clusters (a few thousand to ~16k NPUs; 8 NPUs a node
 * on Atlas 800T A2, 16 on Atlas 800T A3) and the largest models, batches and images trained on them. estimate_memory's
 * schema refuses larger ones in its own words; estimateForModel refuses them from every other caller, so that no input
 * makes the layout search, the layer loops or the splits grow without end.
 */
export const ESTIMATE_BOUNDS = {
  npus: 65_536,
  npusPerNode: 16,
  tp: 64,
  pp: 128,
  cp: 64,
  ep: 512,
  microBatchSize: 1024,
  globalBatchSize: 1_048_576,
  seqLength: 1_048_576,
  /** Layers of one pipeline stage in a split (the deepest models have about 130 in all). */
  layersPerStage: 1024,
  loraRank: 4096,
  images: 4096,
  /** 8192 × 8192. */
  imageMaxPixels: 67_108_864,
  /** Iterations a time estimate is asked for. */
  trainIters: 100_000_000,
} as const;

/** The first value over its bound, as "name value (at most max)"; null when all are within. */
function overBound(
  values: Partial<Record<keyof typeof ESTIMATE_BOUNDS, number | readonly number[] | undefined>>,
): string | null {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const max = ESTIMATE_BOUNDS[name as keyof typeof ESTIMATE_BOUNDS];
    const worst = typeof value === "number" ? value : (value ?? []).reduce((a, b) => Math.max(a, b), 0);
    if (!(worst <= max)) return `${name} ${worst} (at most ${max})`;
  }
  return null;
}

/** Upstream data configs cap images at image_max_pixels 262144 (512 × 512). */
const DEFAULT_IMAGE_PIXELS = 262144;
const DEFAULT_LORA_RANK = 8;
/** The recipe variant that trains LoRA adapters, where a model has one. */
export const LORA_VARIANT = "lora";

function resolveModel(query: string): ModelEntry {
  const found = lookupModel(query);
  if (found.status === "model") return found.model;
  if (found.status === "route") throw new ToolError(`${found.route.displayName} is not a VLM fine-tune: no estimate.`);
  throw new ToolError(modelNotResolved(found));
}

function resolveRecipe(model: ModelEntry, release: string | undefined, variant: string | undefined): ResolvedRecipe {
  let tag: ReleaseTag | undefined;
  if (release !== undefined) {
    tag = normalizeRelease(release) ?? undefined;
    if (!tag) throw new ToolError(`Unknown release "${release}".`);
  } else tag = newestReleaseFor(model, variant ?? "") ?? newestReleaseFor(model);
  const wanted = variant ?? "";
  const recipe = tag ? (recipeAt(model, tag, wanted) ?? (variant === undefined ? undefined : undefined)) : undefined;
  if (!recipe) {
    const have = model.recipes.map((r) => r.variant || "(standard)").join(", ");
    throw new ToolError(
      `${model.id} has no recipe "${wanted || "(standard)"}" at ${tag ?? "any release"}; variants: ${have}.`,
    );
  }
  return recipe;
}

/**
 * LoRA asked for (lora or a rank) without a variant: the model's "lora" recipe when the release has one, so the
 * estimate, and the build_configs call it leads to, are of the recipe that trains LoRA; else the standard one.
 */
function loraVariantFor(model: ModelEntry, release: string | undefined, lora: boolean | number | undefined) {
  if (lora === undefined || lora === false) return undefined;
  const tag = release !== undefined ? normalizeRelease(release) : newestReleaseFor(model, LORA_VARIANT);
  return tag && recipeAt(model, tag, LORA_VARIANT) ? LORA_VARIANT : undefined;
}

/** The chip name as CHIP_HBM_GIB keys it ("Ascend910B3" → "910B3"). */
const chipKey = (chip: string) => chip.replace(/^Ascend\s*/i, "");

/**
 * Why a chip name cannot size the HBM, naming the known ones and `hbmField` (the argument that gives the HBM itself,
 * in the caller's words); null for a known chip.
 */
export function unknownChip(chip: string, hbmField: string): string | null {
  if (Object.hasOwn(CHIP_HBM_GIB, chipKey(chip))) return null;
  return `unknown chip "${chip}"; known: ${Object.keys(CHIP_HBM_GIB).join(", ")} (as npu-smi names them), or give ${hbmField} (the HBM per NPU in GiB) instead`;
}

export function hbmFor(chip: string | undefined, hbmGiB: number | undefined): { chip: string; hbmGiB: number } {
  if (hbmGiB !== undefined) return { chip: chip ?? "custom", hbmGiB };
  const name = chipKey(chip ?? DEFAULT_CHIP);
  const known = Object.hasOwn(CHIP_HBM_GIB, name) ? CHIP_HBM_GIB[name] : undefined;
  if (known === undefined) throw new ToolError(`chip: ${unknownChip(name, "hbmGiB")}.`);
  return { chip: name, hbmGiB: known };
}

/**
 * A LoRA rank asked for without the LoRA recipe: refused as build_configs refuses it (configs/plan.ts), naming the call
 * with variant "lora" where the model has that recipe. Switching to the LoRA recipe unasked would estimate another
 * upstream example than the one named, and lead to a build_configs call that differs from the one asked about.
 */
function refuseRankWithoutLora(model: ModelEntry, recipe: ResolvedRecipe, loraRank: number): never {
  const loraAt = recipeAt(model, recipe.release, LORA_VARIANT);
  const which = recipe.variant ? `"${recipe.variant}"` : "standard";
  throw new ToolError(
    loraAt
      ? `loraRank: ${model.id}'s ${which} recipe trains no LoRA adapters, so it has no LoRA rank; the LoRA fine-tune is variant "lora": pass ${argsHint({ variant: LORA_VARIANT, loraRank })}.`
      : `loraRank: ${model.id} has no LoRA recipe at ${recipe.release} (its ${which} recipe trains no adapters), so a LoRA rank has nothing to set; leave it out for a full fine-tune.`,
  );
}

export function estimateForModel(req: EstimateRequest): EstimateReport {
  // The values asked for; the recipes' defaults are within (a default global batch grows with the NPUs, and is not).
  const over = overBound({
    npus: req.npus,
    npusPerNode: req.npusPerNode,
    tp: req.tp,
    pp: req.pp,
    cp: req.cp,
    ep: req.ep,
    microBatchSize: req.microBatchSize,
    globalBatchSize: req.globalBatchSize,
    seqLength: req.seqLength,
    layersPerStage: [...(req.llmLayerSplit ?? []), ...(req.vitLayerSplit ?? [])],
    loraRank: req.loraRank ?? (typeof req.lora === "number" ? req.lora : undefined),
    images: req.images,
    imageMaxPixels: req.imageMaxPixels,
  });
  if (over) throw new ToolError(`No estimate: ${over} is beyond what the estimate covers.`);
  const model = resolveModel(req.model);
  const recipe = resolveRecipe(model, req.release, req.variant ?? loraVariantFor(model, req.release, req.lora));
  if (req.loraRank !== undefined && req.lora !== true && recipe.variant !== LORA_VARIANT)
    refuseRankWithoutLora(model, recipe, req.loraRank);
  const shape = modelShape(model.id);
  if (!shape)
    throw new ToolError(
      `No stored shape for ${model.id} (its layers and widths are read from config.json at run time); no estimate.`,
    );
  const d = recipe.defaults;
  const { chip, hbmGiB } = hbmFor(req.chip, req.hbmGiB);
  const backend: EstimateBackend = recipe.backend === "megatron" ? "megatron" : "fsdp2";
  const npusPerNode = req.npusPerNode ?? d.npusPerNode;
  const npus = req.npus ?? npusPerNode * d.nodes;
  const tp = req.tp ?? (backend === "fsdp2" ? 1 : d.tp);
  const pp = req.pp ?? (backend === "fsdp2" ? 1 : d.pp);
  const cp = req.cp ?? d.cp;
  const microBatchSize = req.microBatchSize ?? d.microBatchSize;
  const seqLength = req.seqLength ?? d.seqLength;
  const layoutProblems: string[] = [];
  const dpExact = npus / (tp * pp * cp);
  if (!Number.isInteger(dpExact)) layoutProblems.push(`TP ${tp} × PP ${pp} × CP ${cp} does not divide ${npus} NPUs`);
  const dp = Math.max(1, Math.floor(dpExact));
  const ep = req.ep ?? d.ep;
  const defaultDp = Math.max(1, Math.floor((d.npusPerNode * d.nodes) / (d.tp * d.pp * d.cp)));
  const gradAcc =
    d.globalBatchSize !== undefined
      ? Math.max(1, Math.round(d.globalBatchSize / (d.microBatchSize * defaultDp)))
      : d.gradAccSteps;
  const globalBatchSize = req.globalBatchSize ?? microBatchSize * gradAcc * dp;
  const microBatches = Math.max(1, Math.round(globalBatchSize / (microBatchSize * dp)));
  const loraRank =
    req.loraRank !== undefined
      ? req.loraRank
      : req.lora === true
        ? DEFAULT_LORA_RANK
        : typeof req.lora === "number"
          ? req.lora
          : recipe.variant === LORA_VARIANT
            ? DEFAULT_LORA_RANK
            : null;
  // What the recipe runs: its launch flags (or the script's), else a plain Megatron run with the distributed optimizer.
  const flags = backend === "megatron" ? (req.flags ?? recipeFlags(model, recipe)) : null;
  const set = flags ? settingsFromFlags(flags) : null;
  const estimateRecipe: Recipe = {
    backend,
    recompute:
      req.recompute ??
      set?.recompute ??
      (backend === "fsdp2" ? ("full" as const) : (shape.upstreamRecompute ?? ("none" as const))),
    distributedOptimizer: set?.distributedOptimizer ?? true,
    loraRank,
    // As upstream's model JSON has it unless asked: InternVL trains its projector, DeepSeek-VL2 its whole tower.
    freezeVision: req.trainVision !== undefined ? !req.trainVision : shape.upstreamTrains !== "vision",
    trainProjector: req.trainVision === undefined && shape.upstreamTrains === "projector",
    // The FSDP2 configs compute the loss in chunks (chunk_size 512–1024 tokens).
    lossChunkTokens: backend === "fsdp2" ? 1024 : undefined,
    flashAttention: set?.flashAttention ?? true,
    sequenceParallel: set?.sequenceParallel ?? false,
    reuseFp32Param: req.reuseFp32Param ?? set?.reuseFp32Param ?? false,
    // MindSpeed refuses --swap-attention with LoRA.
    swapAttention: loraRank === null && (req.swapAttention ?? set?.swapAttention ?? false),
  };
  const vision = {
    images: req.images ?? 1,
    patchesPerImage: shape.vision
      ? Math.floor((req.imageMaxPixels ?? DEFAULT_IMAGE_PIXELS) / shape.vision.patch ** 2)
      : 0,
  };
  const layoutReq: LayoutRequest = {
    shape,
    recipe: estimateRecipe,
    vision,
    hbmGiB,
    npus,
    npusPerNode,
    microBatchSize,
    seqLength,
    globalBatchSize,
    cp,
    defaultPp: backend === "megatron" ? d.pp : undefined,
    defaultLlmLayerSplit: d.llmLayerSplit,
    defaultVitLayerSplit: d.vitLayerSplit,
  };
  const split = splitFor(layoutReq, pp);
  const llmLayerSplit = req.llmLayerSplit ?? split.llm;
  const vitLayerSplit = req.vitLayerSplit ?? split.vit;
  if (llmLayerSplit.length !== pp || llmLayerSplit.reduce((a, b) => a + b, 0) !== shape.text.layers)
    layoutProblems.push(
      `llmLayerSplit ${JSON.stringify(llmLayerSplit)} is not ${pp} stages summing to ${shape.text.layers} layers`,
    );
  const sizes: ParallelSizes = { tp, pp, cp, ep, dp, microBatchSize, microBatches };
  const estimate = estimateMemory({
    shape,
    recipe: estimateRecipe,
    layout: {
      ...sizes,
      seqLength,
      llmLayerSplit: llmLayerSplit.length === pp ? llmLayerSplit : undefined,
      vitLayerSplit: vitLayerSplit && vitLayerSplit.length === pp ? vitLayerSplit : undefined,
    },
    vision,
    hbmGiB,
  });
  const all = enumerateLayouts(layoutReq);
  const layouts = all.filter((c) => c.fits).slice(0, req.limit ?? 8);
  const nearest = estimate.fits ? null : nearestFit(layoutReq);
  return {
    model: model.id,
    release: recipe.release,
    variant: recipe.variant,
    loraRank,
    backend: recipe.backend,
    chip,
    hbmGiB,
    layout: {
      npus,
      npusPerNode,
      ...sizes,
      globalBatchSize,
      seqLength,
      llmLayerSplit,
      vitLayerSplit,
    },
    layoutProblems,
    estimate,
    layouts,
    nearest,
    sources: shape.sources,
  };
}

/** Where the layout an estimate_memory answer is of came from. */
export type LayoutFrom = "asked" | "best" | "example";

export interface ChosenEstimate extends EstimateReport {
  /** asked: the tp, pp, ep or split given; best: none given, the first of `layouts`; example: none given and none fits. */
  layoutFrom: LayoutFrom;
  /** The recipe's example layout on these NPUs (what build_configs writes when given none). */
  example: { tp: number; pp: number };
}

/**
 * The estimate estimate_memory answers with: of the layout asked for; with none asked (no tp, pp, ep or layer split),
 * of the best layout that fits on the NPUs, the first of `layouts`, so that the verdict, its breakdown, the list and the
 * next call agree on one layout (the recipe's example stays in the list, and is one tp and pp away); of the example when
 * none fits there (`nearest` then names one on more NPUs, as for a layout asked for). The global batch stays the one
 * the first estimate derived, so the list, and the rank of each layout in it, are the same in both.
 */
export function estimateChosenLayout(req: EstimateRequest): ChosenEstimate {
  const asked = estimateForModel(req);
  const example = { tp: asked.layout.tp, pp: asked.layout.pp };
  const pinned = [req.tp, req.pp, req.ep, req.llmLayerSplit, req.vitLayerSplit].some((v) => v !== undefined);
  if (pinned) return { ...asked, layoutFrom: "asked", example };
  const best = asked.layouts[0];
  if (!best) return { ...asked, layoutFrom: "example", example };
  const l = asked.layout;
  const same =
    best.tp === l.tp &&
    best.pp === l.pp &&
    best.ep === l.ep &&
    best.llmLayerSplit.join() === l.llmLayerSplit.join() &&
    asked.layoutProblems.length === 0;
  if (same) return { ...asked, layoutFrom: "best", example };
  const chosen = estimateForModel({
    ...req,
    tp: best.tp,
    pp: best.pp,
    ep: best.ep,
    globalBatchSize: l.globalBatchSize,
  });
  return { ...chosen, layoutFrom: "best", example };
}

/**
 * Why a layout cannot fit whatever the activations do: weights, gradients and optimizer state alone exceed the HBM
 * left after the allowance. Null when they do not (then recompute, swap or a smaller micro batch may help).
 */
export function stateOnlyOverflow(e: MemoryEstimate): string | null {
  const b = e.breakdown;
  const state = b.weightsGiB + b.gradientsGiB + b.optimizerGiB;
  const room = e.hbmGiB - b.allowanceGiB;
  if (state <= room) return null;
  return `weights ${b.weightsGiB} + gradients ${b.gradientsGiB} + optimizer ${b.optimizerGiB} = ${state.toFixed(1)} GiB per rank before any activation, over the ${room} GiB left after the allowance: recompute or swapping cannot help; shard the optimizer over more data-parallel ranks (more NPUs) or train LoRA`;
}

/** One line for other tools' output: "qwen2.5vl-72b on 16 NPUs (TP 2, PP 8): 71.2 GiB of 64 per rank — does not fit". */
export function estimateLine(r: EstimateReport): string {
  const l = r.layout;
  const overflow = r.estimate.fits ? null : stateOnlyOverflow(r.estimate);
  const verdict = r.estimate.fits
    ? `fits (margin ${r.estimate.marginGiB} GiB)`
    : `does not fit (${(-r.estimate.marginGiB).toFixed(1)} GiB over${overflow ? `: ${overflow}` : ""})`;
  return `${r.model} on ${l.npus} NPUs (TP ${l.tp}, PP ${l.pp}${l.cp > 1 ? `, CP ${l.cp}` : ""}${l.ep > 1 ? `, EP ${l.ep}` : ""}, micro batch ${l.microBatchSize}): ${r.estimate.peakGiBPerRank} GiB of ${r.hbmGiB} per rank, ${verdict}`;
}

/** "TP 4, PP 2, micro batch 1 (LLM layers split 32,32) on 16 NPUs: 51.2 GiB per rank" */
export function layoutLine(c: LayoutCandidate, npus?: number): string {
  return `TP ${c.tp}, PP ${c.pp}${c.ep > 1 ? `, EP ${c.ep}` : ""}, micro batch ${c.microBatchSize}${c.pp > 1 ? ` (LLM layers split ${c.llmLayerSplit.join(",")})` : ""}${npus !== undefined ? ` on ${npus} NPUs` : ""}: ${c.peakGiBPerRank} GiB per rank`;
}

/** HBM per NPU from npu-smi's chips (MB as printed), rounded down to whole GiB; undefined when not printed. */
export function hbmFromChips(chips: readonly { hbmTotalMb: number | null }[] | undefined): number | undefined {
  const mb = chips?.find((c) => c.hbmTotalMb !== null && c.hbmTotalMb > 0)?.hbmTotalMb;
  return mb ? Math.floor(mb / 1024) : undefined;
}

/** What other tools show: the verdict for a layout and the layout to use instead (or the best one when it fits). */
export interface MemoryAdvice {
  summary: string;
  fits: boolean;
  peakGiBPerRank: number;
  hbmGiB: number;
  /** The asked layout when it fits best, else the best fitting one (on more NPUs when none fits on these). */
  proposed: {
    npus: number;
    tp: number;
    pp: number;
    ep: number;
    microBatchSize: number;
    llmLayerSplit: number[];
    vitLayerSplit: number[] | null;
    peakGiBPerRank: number;
  } | null;
}

/** The estimate as advice; null when the model has no stored shape or the request cannot be resolved. */
export function memoryAdvice(req: EstimateRequest): MemoryAdvice | null {
  let r: EstimateReport;
  try {
    r = estimateForModel({ ...req, limit: 1 });
  } catch (error) {
    if (error instanceof ToolError) return null;
    throw error;
  }
  const fits = r.estimate.fits && r.layoutProblems.length === 0;
  const pick = fits ? r.layouts[0] : (r.nearest?.layout ?? r.layouts[0]);
  const npus = !fits && r.nearest ? r.nearest.npus : r.layout.npus;
  const proposed = pick
    ? {
        npus,
        tp: pick.tp,
        pp: pick.pp,
        ep: pick.ep,
        microBatchSize: pick.microBatchSize,
        llmLayerSplit: pick.llmLayerSplit,
        vitLayerSplit: pick.vitLayerSplit,
        peakGiBPerRank: pick.peakGiBPerRank,
      }
    : null;
  const problems = r.layoutProblems.length > 0 ? ` (${r.layoutProblems.join("; ")})` : "";
  const instead = proposed
    ? `; ${fits ? "best layout" : "nearest that fits"}: ${layoutLine(pick!, npus)}`
    : fits
      ? ""
      : "; nothing fits up to 64 nodes";
  return {
    summary: `${estimateLine(r)}${problems}${instead}`,
    fits,
    peakGiBPerRank: r.estimate.peakGiBPerRank,
    hbmGiB: r.hbmGiB,
    proposed,
  };
}
