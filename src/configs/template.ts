// The contract between plan resolution and per-family config templates.
import type { ResolvedRecipe } from "../knowledge/models.js";
import type { ModelEntry } from "../knowledge/types.js";
import type { FileRole } from "./types.js";
import type { VppLayout } from "./vpp.js";

// biome-ignore lint/suspicious/noExplicitAny: config trees are free-form JSON, indexed by key path
export type ConfigObject = Record<string, any>;

/** What a LoRA recipe's converted base folder ends with, beside the full fine-tune's (upstream's Magistral names it so). */
export const LORA_BASE_SUFFIX = "-lora-base";

/**
 * The LoRA recipe's own converted-base folder beside the full recipe's `dir`: a base converted for LoRA (canonical
 * structure, or --is_lora_base) does not load in a full fine-tune and the reverse, so the two never share a folder.
 */
export const loraBaseDir = (dir: string) => `${dir.replace(/(.)\/+$/, "$1")}${LORA_BASE_SUFFIX}`;

export interface PlanPaths {
  outputDir: string;
  hfDir: string;
  ckptDir: string;
  saveDir: string;
  dataset: string;
  datasetDir: string;
}

/** Everything a template needs: resolved numbers and paths. */
export interface TemplateContext {
  model: ModelEntry;
  recipe: ResolvedRecipe;
  tp: number;
  pp: number;
  cp: number;
  ep: number;
  microBatchSize: number;
  gradAccSteps: number;
  globalBatchSize: number;
  trainIters: number;
  /** The user's checkpoint interval; null keeps the recipe's. */
  saveInterval: number | null;
  seqLength: number;
  lr: number;
  llmSplit: number[] | null;
  vitSplit: number[] | null;
  /** The virtual-pipeline layout (the recipe's, or the one asked for), or null without VPP. */
  vpp: VppLayout | null;
  paths: PlanPaths;
  /** Where a sibling config file lives, as the launch script and configs refer to it. */
  fileRef(name: string): string;
}

export interface TemplateFile {
  role: FileRole;
  name: string;
  upstream: string;
  format: "json" | "yaml";
  value: unknown;
}

export interface ConfigTemplate {
  /** Upstream default paths (what the example ships). */
  defaultPaths(model: ModelEntry, recipe: ResolvedRecipe): Omit<PlanPaths, "outputDir">;
  files(ctx: TemplateContext): TemplateFile[];
  /** dataset_param.attr of the data config, for checking the dataset's field names. */
  datasetAttr?(ctx: TemplateContext): Record<string, string> | null;
}

/** pipeline_num_layers of the text decoder and the ViT: one row per virtual stage with VPP, else per stage. */
export function pipelineLayers(ctx: TemplateContext): {
  llm: number[] | number[][] | null;
  vit: number[] | number[][] | null;
} {
  return ctx.vpp ? { llm: ctx.vpp.llm, vit: ctx.vpp.vit } : { llm: ctx.llmSplit, vit: ctx.vitSplit };
}

/** Keeps the non-null string fields of an attr block: the dataset keys it names. */
export function attrFields(attr: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attr)) if (typeof v === "string") out[k] = v;
  return out;
}
