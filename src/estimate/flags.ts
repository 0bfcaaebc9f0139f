// What a Megatron launch's flags change in the memory estimate: the distributed optimizer, MindSpeed's
// --reuse-fp32-param and --swap-attention, flash attention, sequence parallel and activation recompute. Read from a
// launch script as written, or from the flags build_configs would write for a recipe, so that the estimate describes
// what the recipe runs rather than a generic Megatron run.
import { megatronArgs } from "../configs/launch-flags.js";
import type { TemplateContext } from "../configs/template.js";
import type { ResolvedRecipe } from "../knowledge/models.js";
import type { ModelEntry } from "../knowledge/types.js";
import type { Recompute } from "./memory.js";

/** Flag names without their leading dashes, as parseLaunchScript reads them ("use-flash-attn"). */
export type LaunchFlags = Record<string, string | true>;

/** The memory-relevant settings a flag set turns on. */
export interface FlagSettings {
  distributedOptimizer: boolean;
  reuseFp32Param: boolean;
  swapAttention: boolean;
  flashAttention: boolean;
  sequenceParallel: boolean;
  /** Set only when the flags name a granularity; the model JSON's setting applies otherwise. */
  recompute?: Recompute;
}

export function settingsFromFlags(flags: LaunchFlags): FlagSettings {
  const granularity = flags["recompute-granularity"];
  return {
    distributedOptimizer: "use-distributed-optimizer" in flags,
    reuseFp32Param: "reuse-fp32-param" in flags,
    swapAttention: "swap-attention" in flags,
    flashAttention: "use-flash-attn" in flags,
    sequenceParallel: "sequence-parallel" in flags,
    ...(granularity === "full" || granularity === "selective" ? { recompute: granularity } : {}),
  };
}

/** "--seq-length 1024" and "--flag" items (one per entry, as the argument blocks hold them) into a flag map. */
export function flagMap(items: readonly string[]): LaunchFlags {
  const out: LaunchFlags = {};
  for (const item of items) {
    const [name, ...rest] = item.trim().split(/\s+/);
    if (!name?.startsWith("--")) continue;
    out[name.slice(2)] = rest.length > 0 ? rest.join(" ") : true;
  }
  return out;
}

/**
 * The flags build_configs writes for a Megatron recipe (its upstream example script's), or null for the FSDP2 and
 * custom-trainer families, whose configs carry no such flags.
 */
export function recipeFlags(model: ModelEntry, recipe: ResolvedRecipe): LaunchFlags | null {
  if (recipe.backend !== "megatron") return null;
  const d = recipe.defaults;
  const ctx: TemplateContext = {
    model,
    recipe,
    tp: d.tp,
    pp: d.pp,
    cp: d.cp,
    ep: d.ep,
    microBatchSize: d.microBatchSize,
    gradAccSteps: d.gradAccSteps,
    globalBatchSize: d.globalBatchSize ?? d.microBatchSize * d.gradAccSteps,
    trainIters: d.trainIters,
    saveInterval: null,
    seqLength: d.seqLength,
    lr: d.lr,
    llmSplit: d.llmLayerSplit ?? null,
    vitSplit: d.vitLayerSplit ?? null,
    vpp: null,
    paths: { outputDir: "out", hfDir: "hf", ckptDir: "ckpt", saveDir: "save", dataset: "data", datasetDir: "data" },
    fileRef: (name) => name,
  };
  try {
    const blocks = megatronArgs(ctx);
    return flagMap([...blocks.gpt, ...blocks.extra.flatMap(([, items]) => items), ...blocks.tail]);
  } catch {
    return null;
  }
}
