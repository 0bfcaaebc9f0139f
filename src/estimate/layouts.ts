// The parallel layouts that fit a model on a number of NPUs, best expected throughput first, and the nearest one that
// fits when a given layout does not. Layer splits follow build_configs: the recipe's own split when PP is the
// example's, else the even split (convert_weights is given the same numbers).
import { evenSplit, vitSplit } from "../configs/validate.js";
import type { ModelShape } from "../knowledge/model-shapes.js";
import {
  estimateMemory,
  type Layout,
  type MemoryEstimate,
  type ParallelSizes,
  type Recipe,
  type VisionLoad,
} from "./memory.js";

export interface LayoutRequest {
  shape: ModelShape;
  recipe: Recipe;
  vision: VisionLoad;
  hbmGiB: number;
  npus: number;
  npusPerNode: number;
  microBatchSize: number;
  seqLength: number;
  /** Samples per optimizer step; sets the microbatches per step and so the pipeline bubble. */
  globalBatchSize: number;
  cp: number;
  /** The recipe's PP and layer split, reused when a candidate has the same PP. */
  defaultPp?: number;
  defaultLlmLayerSplit?: number[];
  defaultVitLayerSplit?: number[];
}

export interface LayoutCandidate extends ParallelSizes {
  llmLayerSplit: number[];
  vitLayerSplit: number[] | null;
  peakGiBPerRank: number;
  marginGiB: number;
  fits: boolean;
  /** Expected share of ideal throughput: pipeline bubble and tensor-parallel communication taken off. */
  throughputScore: number;
  why: string;
}

/** Margin below this share of HBM is tight. */
const TIGHT_SHARE = 0.05;

/**
 * The divisors of n, ascending: pairs (d, n / d) up to √n, so 65,536 NPUs take 256 steps, not an array of 65,536
 * integers (a billion of them ran the server out of memory).
 */
export function divisors(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) return [];
  const low: number[] = [];
  const high: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d !== 0) continue;
    low.push(d);
    if (d * d !== n) high.push(n / d);
  }
  return low.concat(high.reverse());
}

/** Layer split for a PP, as build_configs writes it. */
export function splitFor(
  req: Pick<LayoutRequest, "shape" | "defaultPp" | "defaultLlmLayerSplit" | "defaultVitLayerSplit">,
  pp: number,
) {
  const same = pp === req.defaultPp;
  const llm = same && req.defaultLlmLayerSplit ? req.defaultLlmLayerSplit : evenSplit(req.shape.text.layers, pp);
  const vitLayers = req.shape.vision?.layers;
  const vit = vitLayers
    ? same && req.defaultVitLayerSplit
      ? req.defaultVitLayerSplit
      : vitSplit(vitLayers, pp)
    : null;
  return { llm, vit };
}

/**
 * Expected share of ideal throughput. The 1F1B bubble costs (pp − 1) / (m + pp − 1) of every step; tensor parallel
 * adds an all-gather and a reduce-scatter per layer, about 4% of step time per doubling inside a node (HCCS) and five
 * times that across nodes.
 */
export function throughputScore(tp: number, pp: number, microBatches: number, npusPerNode: number): number {
  const bubble = (pp - 1) / (microBatches + pp - 1);
  const perDoubling = tp > npusPerNode ? 0.2 : 0.04;
  const tpCost = Math.min(0.9, perDoubling * Math.log2(tp));
  return Math.round((1 - bubble) * (1 - tpCost) * 1000) / 1000;
}

function candidate(req: LayoutRequest, tp: number, pp: number, ep: number): LayoutCandidate | null {
  const cp = req.cp;
  const dp = req.npus / (tp * pp * cp);
  if (!Number.isInteger(dp) || dp < 1) return null;
  const microBatches = Math.max(1, Math.round(req.globalBatchSize / (req.microBatchSize * dp)));
  const split = splitFor(req, pp);
  const sizes: ParallelSizes = { tp, pp, cp, ep, dp, microBatchSize: req.microBatchSize, microBatches };
  const layout: Layout = {
    ...sizes,
    seqLength: req.seqLength,
    llmLayerSplit: split.llm,
    vitLayerSplit: split.vit ?? undefined,
  };
  const e: MemoryEstimate = estimateMemory({
    shape: req.shape,
    recipe: req.recipe,
    layout,
    vision: req.vision,
    hbmGiB: req.hbmGiB,
  });
  const score = throughputScore(tp, pp, microBatches, req.npusPerNode);
  return {
    ...sizes,
    llmLayerSplit: split.llm,
    vitLayerSplit: split.vit,
    peakGiBPerRank: e.peakGiBPerRank,
    marginGiB: e.marginGiB,
    fits: e.fits,
    throughputScore: score,
    why: `margin ${e.marginGiB} GiB${e.marginGiB < req.hbmGiB * TIGHT_SHARE ? " (tight)" : ""}; ${microBatches} microbatches per step, pipeline bubble ${Math.round(((pp - 1) / (microBatches + pp - 1)) * 100)}%${tp > 1 ? `, TP ${tp} all-reduces every layer` : ""}`,
  };
}

/** Every layout of npus that the backend can run, fitting or not, best expected throughput first. */
export function enumerateLayouts(req: LayoutRequest): LayoutCandidate[] {
  const t = req.shape.text;
  const fsdp = req.recipe.backend === "fsdp2";
  const tps = fsdp
    ? [1]
    : [1, 2, 4, 8, 16].filter((tp) => tp <= req.npusPerNode && t.heads % tp === 0 && t.kvHeads % tp === 0);
  const out: LayoutCandidate[] = [];
  for (const tp of tps) {
    const rest = req.npus / (tp * req.cp);
    if (!Number.isInteger(rest)) continue;
    const pps = fsdp ? [1] : divisors(rest).filter((pp) => pp <= t.layers && (pp === 1 || t.layers / pp >= 1));
    for (const pp of pps) {
      const dp = rest / pp;
      // Expert parallel divides the data-parallel ranks and the experts; the largest such EP (fewest experts per rank).
      const eps = t.experts ? divisors(dp).filter((ep) => t.experts! % ep === 0) : [1];
      const ep = eps[eps.length - 1] ?? 1;
      const c = candidate(req, tp, pp, ep);
      if (c) out.push(c);
    }
  }
  // A margin under 5% of HBM is left to fragmentation and stray buffers: such layouts come after the roomier ones.
  const tight = (c: LayoutCandidate) => (c.marginGiB < req.hbmGiB * TIGHT_SHARE ? 1 : 0);
  return out.sort((a, b) => tight(a) - tight(b) || b.throughputScore - a.throughputScore || b.marginGiB - a.marginGiB);
}

/** The layouts that fit, best first. */
export function fittingLayouts(req: LayoutRequest): LayoutCandidate[] {
  return enumerateLayouts(req).filter((c) => c.fits);
}

export interface NearestFit {
  layout: LayoutCandidate;
  npus: number;
  /** The NPU count had to grow for anything to fit. */
  moreNpus: boolean;
}

/**
 * The layout to suggest when the asked one does not fit: the best fitting layout on the same NPUs; failing that,
 * the best one on the fewest more NPUs (whole nodes, up to 64 nodes).
 */
export function nearestFit(req: LayoutRequest): NearestFit | null {
  const same = fittingLayouts(req)[0];
  if (same) return { layout: same, npus: req.npus, moreNpus: false };
  const step = Math.max(1, req.npusPerNode);
  for (let npus = Math.ceil((req.npus + 1) / step) * step; npus <= step * 64; npus += step) {
    const found = fittingLayouts({ ...req, npus })[0];
    if (found) return { layout: found, npus, moreNpus: true };
  }
  return null;
}
