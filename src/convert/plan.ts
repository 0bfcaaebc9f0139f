// What a conversion will do, decided without touching a host: converter, method, layer split and paths.
// The layout comes from resolveTrainingPlan, so the converted checkpoint and the training config cannot disagree.
import { posix } from "node:path";
import { PlanError, resolveModel, resolveTrainingPlan, type TrainingPlan, vitSplit } from "../configs/index.js";
import { converterMethods, getConvertCommand, getConverter, SAVE_VIT_ONLY } from "../knowledge/converters.js";
import { recipeAt } from "../knowledge/models.js";
import type { ConverterInfo, ModelEntry } from "../knowledge/types.js";
import {
  type ConvertArgSpec,
  type ConvertMethod,
  convertArgv,
  type Direction,
  directionOf,
  hasShape,
  loraScaling,
  type MoeStyle,
  type ParallelLayout,
} from "./args.js";
import { checkLdtRows, defaultLdtRows, LDT_VIRTUAL_STAGES } from "./ldt.js";

export interface ConvertRequest {
  model: string;
  release?: string;
  variant?: string;
  method?: ConvertMethod;
  hfDir?: string;
  ckptDir?: string;
  targetDir?: string;
  tp?: number;
  pp?: number;
  ep?: number;
  npusPerNode?: number;
  nodes?: number;
  llmLayerSplit?: number[];
  vitLayerSplit?: number[];
  /** Virtual pipeline stages per rank and their layers, as build_configs takes them. */
  vpp?: number;
  vppLlmLayerSplit?: number[][];
  vppVitLayerSplit?: number[][];
  /** resplit: the source checkpoint's layout, when it carries no marker. */
  sourceTp?: number;
  sourceLlmLayerSplit?: number[];
  sourceVitLayerSplit?: number[];
  /** merge_base_lora_weight: the trained adapters (default the run's save directory). */
  loraDir?: string;
  /** The merges: the rank and alpha the adapters trained with (default the recipe's); the merge scales by alpha / r. */
  loraRank?: number;
  loraAlpha?: number;
  /** hf_to_mm / hf_to_mm_ldt: convert only the ViT and projector (--cfg.save_vit_only). */
  saveVitOnly?: boolean;
  /** moe_expert: merge the experts (default) or split merged ones back. */
  moeStyle?: MoeStyle;
  /** Relative paths are taken from here (the MindSpeed-MM checkout). */
  workdir?: string;
}

/** A request that cannot be turned into a command; `suggestion` is a value that would work. */
export class ConvertRefusal extends Error {
  override name = "ConvertRefusal";
  constructor(
    message: string,
    readonly field: string,
    readonly suggestion?: unknown,
  ) {
    super(message);
  }
}

export interface ConvertPlan {
  model: ModelEntry;
  release: TrainingPlan["release"];
  variant: string;
  converter: ConverterInfo;
  method: ConvertMethod;
  direction: Direction;
  /** What the converted side is: a Megatron mp_rank tree or torch DCP shards. */
  checkpoint: "megatron" | "dcp";
  tp: number;
  pp: number;
  ep: number;
  /** Per pipeline stage; null for DCP converters (no pipeline split). */
  layerSplit: { llm: number[] | null; vit: number[] | null };
  paths: { hfDir: string; ckptDir: string; targetDir: string | null; input: string; output: string };
  spec: ConvertArgSpec;
  argv: string[];
  notes: string[];
}

function absolute(path: string, workdir: string | undefined, field: string): string {
  if (path.startsWith("/") || path.startsWith("~")) return posix.normalize(path);
  if (!workdir) throw new ConvertRefusal(`${field}: "${path}" is relative and the host has no workdir.`, field);
  return posix.join(workdir, path);
}

function realMethods(className: string, release: TrainingPlan["release"]) {
  return (converterMethods(className, release) ?? []).filter((m) => !m.stub).map((m) => m.name);
}

function checkMethod(info: ConverterInfo, method: ConvertMethod, release: TrainingPlan["release"]): void {
  if (method === "merge_base_lora_weight") {
    if (info.argStyle === "cfg") return;
    throw new ConvertRefusal(
      `${info.className} writes torch DCP checkpoints; its LoRA adapters merge with merge_mm_lora_dcp_weight_to_base_hf.`,
      "method",
      "merge_mm_lora_dcp_weight_to_base_hf",
    );
  }
  const methods = converterMethods(info.className, release);
  if (!methods) {
    const where = info.releases.map((r) => r.release).join(", ");
    throw new ConvertRefusal(
      `${info.className} does not exist in MindSpeed-MM ${release}; releases that have it: ${where}.`,
      "release",
      info.releases.at(-1)?.release,
    );
  }
  const found = methods.find((m) => m.name === method);
  const usable = realMethods(info.className, release).filter((m) =>
    hasShape(info.className, info.argStyle, m as never),
  );
  if (!found) {
    throw new ConvertRefusal(
      `${info.className} has no ${method} method in ${release}; its methods there: ${methods.map((m) => m.name).join(", ")}.`,
      "method",
      usable[0],
    );
  }
  if (found.stub) {
    const works = info.releases
      .filter((r) => r.methods.some((m) => m.name === method && !m.stub))
      .map((r) => r.release);
    throw new ConvertRefusal(
      `${info.className}.${method} is a stub in MindSpeed-MM ${release} (its body is \`pass\`): mm-convert would exit 0 ` +
        `and write nothing.${works.length ? ` It is implemented in ${works.join(", ")}.` : ""}` +
        `${usable.length ? ` Methods that work in ${release}: ${usable.join(", ")}.` : ""}`,
      "method",
      usable[0],
    );
  }
  if (!hasShape(info.className, info.argStyle, method)) {
    throw new ConvertRefusal(
      `convert_weights does not know the argument shape of ${info.className}.${method}; run it by hand.`,
      "method",
    );
  }
}

function layoutFrom(model: ModelEntry, plan: TrainingPlan, llm: number[] | null, vit: number[] | null): ParallelLayout {
  const arch = model.arch;
  if (!arch) throw new ConvertRefusal(`${model.id} has no architecture facts to split layers with.`, "model");
  // FSDP2 recipes have no pipeline split; the converter still wants one stage holding every layer.
  return {
    tp: plan.parallel.tp,
    llm: llm ?? [arch.llm.layers],
    vit: arch.vit ? (vit ?? [arch.vit.layers]) : null,
  };
}

/** Resolves the request; throws ConvertRefusal with the field and a working value when it cannot be planned. */
export function planConversion(req: ConvertRequest): ConvertPlan {
  const ldt = req.method === "hf_to_mm_ldt";
  const merging = req.method?.startsWith("merge_") ?? false;
  const loraField = req.loraRank !== undefined ? "loraRank" : req.loraAlpha !== undefined ? "loraAlpha" : null;
  if (loraField && !merging) {
    throw new ConvertRefusal(
      `${req.method ?? "the conversion of the base weights"} does not take the LoRA ${loraField === "loraRank" ? "rank" : "alpha"}: only the merges of trained adapters (merge_base_lora_weight, merge_mm_lora_dcp_weight_to_base_hf) scale by alpha / rank. Leave it out here; build_configs writes it into the training configs.`,
      loraField,
    );
  }
  let plan: TrainingPlan;
  try {
    plan = resolveTrainingPlan(req.model, req.release, {
      variant: req.variant,
      tp: req.tp,
      pp: req.pp,
      ep: req.ep,
      npusPerNode: req.npusPerNode,
      nodes: req.nodes,
      llmLayerSplit: req.llmLayerSplit,
      vitLayerSplit: req.vitLayerSplit,
      // hf_to_mm_ldt's U-shaped rows are not a VPP layout the training plan builds: checked on their own below.
      ...(ldt ? {} : { vpp: req.vpp, vppLlmLayerSplit: req.vppLlmLayerSplit, vppVitLayerSplit: req.vppVitLayerSplit }),
      hfDir: req.hfDir,
      ckptDir: req.ckptDir,
      loraRank: req.loraRank,
      loraAlpha: req.loraAlpha,
    });
  } catch (error) {
    if (error instanceof PlanError) throw new ConvertRefusal(error.message, error.field, error.suggestion);
    throw error;
  }
  const first = plan.errors[0];
  if (first) {
    // The same checks build_configs applies: a split the config would refuse is refused here too.
    throw new ConvertRefusal(plan.errors.map((e) => e.message).join(" "), first.field, first.suggestion);
  }
  const model = resolveModel(req.model);
  const recipe = recipeAt(model, plan.release, plan.variant);
  const className = recipe?.converter;
  if (req.method === "moe_expert") checkMoeRelease(plan.release);
  if (!className) {
    throw new ConvertRefusal(
      `${model.id} at ${plan.release} loads the Hugging Face weights directly (${plan.entry}); nothing to convert.`,
      "model",
    );
  }
  const info = getConverter(className);
  if (!info) throw new ConvertRefusal(`Unknown converter ${className}.`, "model");
  // FSDP2 inside pretrain_vlm.py (--ckpt-format torch_dist) loads one DCP checkpoint: hf_to_mm_dcp where it exists.
  const dcpFromCfg =
    info.argStyle === "cfg" &&
    plan.backend === "megatron-fsdp2" &&
    realMethods(info.className, plan.release).includes("hf_to_mm_dcp");
  const method = req.method ?? (info.argStyle === "cfg" ? (dcpFromCfg ? "hf_to_mm_dcp" : "hf_to_mm") : "hf_to_dcp");
  if (method === "moe_expert") checkMoeExpert(model.id, info, plan.release);
  else checkMethod(info, method, plan.release);
  if (req.saveVitOnly) {
    const where = SAVE_VIT_ONLY.find((c) => c.className === info.className);
    if (!where?.methods.includes(method)) {
      throw new ConvertRefusal(
        `saveVitOnly (--cfg.save_vit_only) keeps only the Hugging Face keys that start with "visual": it works for ${SAVE_VIT_ONLY.map((c) => `${c.className} ${c.methods.join("/")}`).join(", ")}; ${info.className}.${method} has no such option or would keep nothing.`,
        "saveVitOnly",
        false,
      );
    }
  }
  if (ldt && recipe?.lora) {
    throw new ConvertRefusal(
      "hf_to_mm_ldt: layerwise disaggregated training does not support LoRA upstream; use the standard recipe.",
      "variant",
      "",
    );
  }
  if (method.startsWith("merge_") && !recipe?.lora) {
    const loraRecipe = model.recipes.find((r) => r.lora && r.releases.includes(plan.release));
    throw new ConvertRefusal(
      `${method} merges LoRA adapters a run trained into the base model; ${model.id} ${plan.variant || "standard"} at ${plan.release} trains no adapters.${loraRecipe ? ` Its LoRA recipe is variant "${loraRecipe.variant}".` : ""}`,
      "variant",
      loraRecipe?.variant,
    );
  }

  const direction = directionOf(method);
  const hfDir = absolute(req.hfDir ?? plan.paths.hfDir, req.workdir, "hfDir");
  // A DCP conversion back to HF reads what the run saved (its latest iteration), not the checkpoint it started from.
  const fromRun = direction === "to-hf" && info.argStyle === "flat" && !req.ckptDir && method !== "moe_expert";
  const ckptDir = absolute(req.ckptDir ?? (fromRun ? plan.paths.saveDir : plan.paths.ckptDir), req.workdir, "ckptDir");
  const targetDir = req.targetDir ? absolute(req.targetDir, req.workdir, "targetDir") : null;
  if (direction !== "to-mm" && !targetDir) {
    throw new ConvertRefusal(
      `targetDir: ${method} writes into a new directory; give targetDir (for example ${direction === "experts" ? `${hfDir}-${req.moeStyle === "split" ? "split" : "merged"}` : `${ckptDir}${direction === "resplit" ? `-tp${plan.parallel.tp}pp${plan.parallel.pp}` : direction === "merge" ? "-merged" : "-hf"}`}).`,
      "targetDir",
    );
  }
  if (direction === "experts" && targetDir === hfDir) {
    throw new ConvertRefusal("targetDir: moe_expert writes a new directory; it must differ from hfDir.", "targetDir");
  }
  if (direction === "to-mm" && hfDir === ckptDir) {
    throw new ConvertRefusal(
      `${model.id} at ${plan.release} loads ${hfDir} as it is (the config's checkpoint path is the Hugging Face directory): no conversion is needed. To convert anyway, give a different ckptDir.`,
      "ckptDir",
    );
  }

  const cfg = info.argStyle === "cfg" && direction !== "experts";
  const dcpOut = method === "hf_to_mm_dcp";
  const layout = cfg ? layoutFrom(model, plan, plan.layerSplit.llm, plan.layerSplit.vit) : undefined;
  // The training plan's virtual stages, row for row: VppParallelConfig takes the same lists as pipeline_num_layers.
  if (layout && plan.vppLayerSplit) layout.vpp = plan.vppLayerSplit;
  if (layout && ldt) layout.vpp = ldtLayout(req, model, plan.parallel.pp);
  // hf_to_mm's save_by_vpp writes one state dict per virtual stage (model0, model1 …) into each rank's file; mm_to_hf,
  // lora_mm_to_hf, resplit and merge_base_lora_weight read the single 'model' entry of a plain pipeline checkpoint.
  if (layout?.vpp && VPP_UNREADABLE.has(method)) {
    throw new ConvertRefusal(
      `${method} reads one 'model' state dict per rank; a virtual-pipeline checkpoint (vpp=${plan.vpp}) holds model0..model${(plan.vpp ?? 1) - 1} per rank, which upstream's converters do not read. Convert it with the plan without VPP (vpp 1) only if the checkpoint was saved without VPP.`,
      "vpp",
      1,
    );
  }
  let sourceLayout: ParallelLayout | undefined;
  if (direction === "resplit" && (req.sourceTp || req.sourceLlmLayerSplit)) {
    const llm = req.sourceLlmLayerSplit ?? layout!.llm;
    const vitLayers = model.arch?.vit?.layers;
    sourceLayout = {
      tp: req.sourceTp ?? 1,
      llm,
      vit: vitLayers ? (req.sourceVitLayerSplit ?? vitSplit(vitLayers, llm.length)) : null,
    };
  }
  const notes: string[] = [];
  if (cfg && plan.layerSplit.llm === null && !dcpOut) {
    notes.push(`${plan.backend} has no pipeline split: converted as one stage (tp=${plan.parallel.tp}).`);
  }
  const spec: ConvertArgSpec = {
    className,
    method,
    release: plan.release,
    variant: plan.variant,
    hfDir,
    ckptDir,
    targetDir: targetDir ?? undefined,
    layout,
    sourceLayout,
    ep: plan.parallel.ep,
    tiedByReadme: TIED_BY_README.has(model.id),
    // The rank and alpha asked for (the run's, as its configs write them), else the recipe's.
    lora: recipe?.lora && plan.lora ? { ...recipe.lora, r: plan.lora.rank, alpha: plan.lora.alpha } : recipe?.lora,
    loraDir: direction === "merge" ? absolute(req.loraDir ?? plan.paths.saveDir, req.workdir, "loraDir") : undefined,
    saveVitOnly: req.saveVitOnly,
    moeStyle: method === "moe_expert" ? (req.moeStyle ?? "merge") : undefined,
  };
  if (ldt) {
    notes.push(
      `hf_to_mm_ldt writes the U-shaped layout of layerwise disaggregated training (${LDT_VIRTUAL_STAGES} virtual stages, pp=${layout!.llm.length}); training it needs "patch": {"layerwise_disaggregated_training": true} in the model config, the same rows as pipeline_num_layers and --virtual-pipeline-model-parallel-size ${LDT_VIRTUAL_STAGES} (docs/zh/features/layerwise_disaggregated_training.md, shown for Qwen2.5-VL-32B). build_configs does not write that layout. With fewer NPUs on the edge, convert once per side with its tp.`,
    );
  }
  if (method === "moe_expert") {
    notes.push(
      spec.moeStyle === "merge"
        ? `Merges each layer's experts into one tensor (Hugging Face layout otherwise, config files copied) into ${targetDir}.`
        : `Splits merged experts back to one tensor per expert into ${targetDir}.`,
    );
  }
  if (req.saveVitOnly) notes.push("Only the ViT and projector are converted (--cfg.save_vit_only true).");
  if (direction === "merge") {
    notes.push(
      `Adapters: ${spec.loraDir} (its latest iteration); base: ${ckptDir}. The merged checkpoint exports to Hugging Face with mm_to_hf (variant "lora", ckptDir ${targetDir}).`,
    );
  }
  if (merging && spec.lora) {
    const asked = req.loraRank !== undefined || req.loraAlpha !== undefined;
    notes.push(
      `LoRA rank ${spec.lora.r}, alpha ${spec.lora.alpha}: the adapters are added scaled by alpha / rank = ${loraScaling(spec.lora)}${asked ? "" : " (the recipe's; pass loraRank and loraAlpha if the run trained with others)"}.`,
    );
  }
  if (fromRun) {
    notes.push(
      `Source: the run's save directory ${ckptDir} (its latest iteration, as latest_checkpointed_iteration.txt names it); pass ckptDir to convert another checkpoint.`,
    );
  }
  return {
    model,
    release: plan.release,
    variant: plan.variant,
    converter: info,
    method,
    direction,
    checkpoint: cfg && !dcpOut ? "megatron" : "dcp",
    tp: plan.parallel.tp,
    pp: cfg && !dcpOut ? layout!.llm.length : 1,
    ep: plan.parallel.ep,
    layerSplit: { llm: layout?.llm ?? null, vit: layout?.vit ?? null },
    paths: {
      hfDir,
      ckptDir,
      targetDir,
      input: direction === "to-mm" || direction === "experts" ? hfDir : ckptDir,
      output: direction === "to-mm" ? ckptDir : targetDir!,
    },
    spec,
    argv: direction === "resplit" && !sourceLayout ? [] : convertArgv(spec, info.argStyle),
    notes,
  };
}

/** moe_expert: the command exists at the release and the recipe's model is one of the config classes it knows. */
function checkMoeRelease(release: TrainingPlan["release"]): void {
  const command = getConvertCommand("moe_expert")!;
  if (!command.releases.includes(release)) {
    throw new ConvertRefusal(
      `mm-convert moe_expert does not exist in MindSpeed-MM ${release}; releases that have it: ${command.releases.join(", ")}.`,
      "release",
      command.releases.at(-1),
    );
  }
}

function checkMoeExpert(modelId: string, info: ConverterInfo, release: TrainingPlan["release"]): void {
  const command = getConvertCommand("moe_expert")!;
  checkMoeRelease(release);
  if (!command.forConverters.includes(info.className)) {
    throw new ConvertRefusal(
      `moe_expert merges or splits the experts of ${command.configClasses.join(", ")} models (InternVL3.5 MoE, Qwen3-Omni MoE, GLM-4.5V); ${modelId} is not one of them.`,
      "method",
    );
  }
}

/** hf_to_mm_ldt's rows: the ones given, else the documented U shape for this pipeline; refused when they do not fit. */
function ldtLayout(req: ConvertRequest, model: ModelEntry, pp: number): { llm: number[][]; vit: number[][] } {
  const arch = model.arch!;
  const vitLayers = arch.vit?.layers ?? 0;
  const fallback = defaultLdtRows(arch.llm.layers, vitLayers, pp);
  const rows = { llm: req.vppLlmLayerSplit ?? fallback.llm, vit: req.vppVitLayerSplit ?? fallback.vit };
  const problems = checkLdtRows(rows, arch.llm.layers, vitLayers, pp);
  if (problems.length > 0) {
    throw new ConvertRefusal(
      `hf_to_mm_ldt: ${problems.join(" ")} For example vppLlmLayerSplit ${JSON.stringify(fallback.llm)}, vppVitLayerSplit ${JSON.stringify(fallback.vit)}.`,
      pp < 2 ? "pp" : "vppLlmLayerSplit",
      pp < 2 ? undefined : fallback.llm,
    );
  }
  return rows;
}

/** Methods that read a Megatron checkpoint rank by rank from its single 'model' entry. */
const VPP_UNREADABLE: ReadonlySet<ConvertMethod> = new Set([
  "mm_to_hf",
  "lora_mm_to_hf",
  "resplit",
  "merge_base_lora_weight",
]);

/** Models whose README converts with --tie_weight_mapping (lm_head tied to the embedding). */
const TIED_BY_README = new Set(["qwen3_5-4b"]);

/** The argv again once host facts (source layout, weight key names, tied embeddings) are known. */
export function finishArgv(plan: ConvertPlan, extra: Partial<ConvertArgSpec>): ConvertPlan {
  const spec = { ...plan.spec, ...extra };
  return { ...plan, spec, argv: convertArgv(spec, plan.converter.argStyle) };
}
