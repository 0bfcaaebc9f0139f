// Bounded numeric inputs shared by the tools that take a parallel layout or LoRA settings (estimate_memory,
// build_configs, convert_weights): every whole-number input has a ceiling, so no value makes a tool loop, allocate or run long, and
// the refusal says the ceiling and why in the door's words ("npus: at most 65536 (…)", "--npus: at most 65536 (…)").
import { z } from "zod";
import { ESTIMATE_BOUNDS } from "../estimate/index.js";

/** A bound with its reason, as the refusal reads it. */
export const atMost = (max: number, why?: string) => ({ message: `at most ${max}${why ? ` (${why})` : ""}` });

/** A whole number from 1 to max. */
export const upTo = (max: number, why?: string) => z.number().int().positive().max(max, atMost(max, why));

/** Ceilings of a layout's sizes: the estimate's, the nodes of the largest cluster, and VPP stages per rank. */
export const LAYOUT_BOUNDS = {
  ...ESTIMATE_BOUNDS,
  nodes: ESTIMATE_BOUNDS.npus / ESTIMATE_BOUNDS.npusPerNode,
  /** Virtual stages per rank: no more than a stage could have layers. */
  vpp: 128,
  /** LoRA alpha: the largest rank at the examples' alpha / r of 2. */
  loraAlpha: 2 * ESTIMATE_BOUNDS.loraRank,
} as const;

/** The LoRA rank of the adapters (lora_r, --lora-r). */
export const loraRankInput = upTo(LAYOUT_BOUNDS.loraRank, "LoRA rank");

/** LoRA alpha (lora_alpha, --lora-alpha): the adapters' update is scaled by alpha / rank. */
export const loraAlphaInput = upTo(LAYOUT_BOUNDS.loraAlpha, "twice the largest LoRA rank");

/** Layers per pipeline stage, one entry per stage. */
export const layerSplitInput = z
  .array(
    z
      .number()
      .int()
      .nonnegative()
      .max(LAYOUT_BOUNDS.layersPerStage, atMost(LAYOUT_BOUNDS.layersPerStage, "layers per stage")),
  )
  .min(1)
  .max(LAYOUT_BOUNDS.pp, atMost(LAYOUT_BOUNDS.pp, "pipeline stages"));

/** With VPP: layers per virtual stage, one row per virtual stage, one entry per pipeline rank. */
export const vppRowsInput = z.array(z.array(z.number().int().nonnegative()).min(1).max(128)).min(1).max(16);
