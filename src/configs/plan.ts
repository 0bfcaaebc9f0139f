// resolveTrainingPlan: model + release + parameters -> parallelism, layer split and file contents. Pure: no I/O.
import { posix } from "node:path";
import { lookupModel, modelNotResolved } from "../knowledge/lookup.js";
import { getModel, recipeAt } from "../knowledge/models.js";
import { isReleaseTag, type ReleaseTag } from "../knowledge/release-tags.js";
import type { LoraSettings, ModelEntry, TrainingDefaults, TrainingRecipe } from "../knowledge/types.js";
import { argsHint } from "../text/hint.js";
import { toJson, toYaml } from "./emit.js";
import { launchScript } from "./launch.js";
import { keepOptimizerState } from "./optimizer-state.js";
import type { ConfigTemplate, PlanPaths, TemplateContext } from "./template.js";
import { DEEPSEEKVL2_TEMPLATE, GLM41V_TEMPLATE, GLM45V_TEMPLATE } from "./templates-glm-deepseek.js";
import { INTERNVL_TEMPLATE, INTERNVL2_TEMPLATE, INTERNVL35_TEMPLATE } from "./templates-internvl.js";
import { MAGISTRAL_TEMPLATE } from "./templates-magistral.js";
import { MIMO_TEMPLATE } from "./templates-mimo.js";
import { QWEN2VL_TEMPLATE, QWEN25VL_TEMPLATE } from "./templates-qwen-json.js";
import { QWEN3VL_TEMPLATE } from "./templates-qwen3vl.js";
import { QWEN35_TEMPLATE, QWEN36_TEMPLATE } from "./templates-qwen35.js";
import { STEP3VL_TEMPLATE } from "./templates-step3vl.js";
import type { PlanIssue, PlannedFile, TrainingParams, TrainingPlan } from "./types.js";
import { evenSplit, validatePlan, vitSplit } from "./validate.js";
import { checkVpp, defaultVppRows, rankSums, type VppLayout } from "./vpp.js";

const CUSTOM_TEMPLATE: ConfigTemplate = {
  defaultPaths(model) {
    const hf = model.hfRepo?.split("/").pop() ?? model.displayName;
    const ocr = model.exampleDir.startsWith("deepseekocr");
    return {
      hfDir: ocr ? `./ckpt/deepseek-ai/${hf}` : `./ckpt/${hf}`,
      ckptDir: ocr ? `./ckpt/deepseek-ai/${hf}` : `./ckpt/${hf}`,
      saveDir: "save_dir",
      dataset: ocr ? "./data/output.jsonl" : "./data/mllm_format_llava_instruct_data.json",
      datasetDir: "./data",
    };
  },
  files: () => [],
};

const TEMPLATES: Record<string, ConfigTemplate> = {
  qwen2vl: QWEN2VL_TEMPLATE,
  "qwen2.5vl": QWEN25VL_TEMPLATE,
  qwen3vl: QWEN3VL_TEMPLATE,
  qwen3_5: QWEN35_TEMPLATE,
  qwen3_6: QWEN36_TEMPLATE,
  internvl2: INTERNVL2_TEMPLATE,
  "internvl2.5": INTERNVL_TEMPLATE,
  internvl3: INTERNVL_TEMPLATE,
  "internvl3.5": INTERNVL35_TEMPLATE,
  "glm4.1v": GLM41V_TEMPLATE,
  "glm4.5v": GLM45V_TEMPLATE,
  deepseekvl2: DEEPSEEKVL2_TEMPLATE,
  deepseekocr: CUSTOM_TEMPLATE,
  deepseekocr2: CUSTOM_TEMPLATE,
  ming: CUSTOM_TEMPLATE,
  step3_vl: STEP3VL_TEMPLATE,
  mimov2_5: MIMO_TEMPLATE,
  "magistral-2509": MAGISTRAL_TEMPLATE,
};

/** Thrown when the model, release or variant cannot be planned at all; the message says what exists. */
export class PlanError extends Error {
  override name = "PlanError";
  constructor(
    message: string,
    readonly field: string,
    readonly suggestion?: unknown,
  ) {
    super(message);
  }
}

/** The model entry for an id, HF repo id or name; PlanError with the nearest ids otherwise. */
export function resolveModel(modelId: string): ModelEntry {
  const direct = getModel(modelId);
  if (direct) return direct;
  const found = lookupModel(modelId);
  if (found.status === "model") return found.model;
  if (found.status === "family") throw new PlanError(modelNotResolved(found), "model", found.candidates[0]!.id);
  if (found.status === "route") {
    throw new PlanError(
      `${found.route.displayName} is a ${found.route.kind} model (${found.route.entry}); build_configs covers VLM fine-tuning only. See examples/${found.route.exampleDir} upstream.`,
      "model",
    );
  }
  throw new PlanError(modelNotResolved(found), "model", found.suggestions[0]);
}

/** TP against the attention heads and query groups of a single-YAML Megatron config's text_decoder. */
function yamlHeadIssues(files: { value: unknown }[], tp: number): PlanIssue[] {
  const decoder = (files[0]?.value as { model?: { text_decoder?: Record<string, unknown> } } | undefined)?.model
    ?.text_decoder;
  const counts = (["num_attention_heads", "num_query_groups"] as const)
    .map((key) => [key, decoder?.[key]] as const)
    .filter((e): e is readonly [(typeof e)[0], number] => typeof e[1] === "number");
  const bad = counts.filter(([, n]) => n % tp !== 0);
  if (bad.length === 0) return [];
  const fits = Array.from({ length: tp }, (_, i) => tp - i).find((d) => counts.every(([, n]) => n % d === 0)) ?? 1;
  return [
    {
      field: "tp",
      message: `tp=${tp} must divide the text decoder's ${bad.map(([k, n]) => `${k} ${n}`).join(" and ")} (Megatron splits them over TP); use tp=${fits} or another divisor.`,
      suggestion: fits,
    },
  ];
}

/**
 * The virtual-pipeline layout: the rows given, else the recipe's when the pipeline and size are its own, else the
 * default split; the recipe's own layout when nothing was asked and its pipeline and split are kept; null otherwise
 * (vpp 1, or no VPP asked on a recipe without one).
 */
function resolveVpp(model: ModelEntry, d: TrainingDefaults, params: TrainingParams, pp: number): VppLayout | null {
  const size = params.vpp ?? params.vppLlmLayerSplit?.length ?? params.vppVitLayerSplit?.length;
  if (size === undefined) {
    // The recipe's VPP layout holds only for its own pipeline and split.
    const kept = d.vpp && pp === d.pp && params.llmLayerSplit === undefined && params.vitLayerSplit === undefined;
    return kept ? d.vpp! : null;
  }
  if (size <= 1) return null;
  const own = d.vpp && d.vpp.size === size && pp === d.pp ? d.vpp : null;
  const arch = model.arch;
  return {
    size,
    llm: params.vppLlmLayerSplit ?? own?.llm ?? (arch ? defaultVppRows(arch.llm.layers, pp, size, "llm") : []),
    vit: params.vppVitLayerSplit ?? own?.vit ?? (arch?.vit ? defaultVppRows(arch.vit.layers, pp, size, "vit") : []),
  };
}

export function resolveTrainingPlan(
  modelId: string,
  release: string | undefined,
  params: TrainingParams = {},
): TrainingPlan {
  const model = resolveModel(modelId);
  const variant = params.variant ?? "";
  const variants = [...new Set(model.recipes.map((r) => r.variant))];
  if (!variants.includes(variant)) {
    throw new PlanError(
      `${model.id} has no "${variant}" variant; variants: ${variants.map((v) => v || '"" (default)').join(", ")}.`,
      "variant",
      "",
    );
  }
  const releasesWith = model.recipes.filter((r) => r.variant === variant).flatMap((r) => [...r.releases]);
  let tag: ReleaseTag;
  if (release === undefined) {
    const newest = [...releasesWith].sort().pop();
    if (!newest) throw new PlanError(`${model.id} has no buildable release.`, "release");
    tag = [...model.releases].reverse().find((t) => releasesWith.includes(t)) ?? (newest as ReleaseTag);
  } else {
    const v = release.startsWith("v") ? release : `v${release}`;
    if (!isReleaseTag(v)) throw new PlanError(`Unknown release "${release}".`, "release");
    tag = v;
  }
  let recipe = recipeAt(model, tag, variant);
  if (!recipe) {
    const where = releasesWith.length ? releasesWith.join(", ") : "none";
    const inExamples = model.releases.includes(tag)
      ? " (its example exists there but build_configs has no template for that release's layout)"
      : "";
    throw new PlanError(
      `${model.id}${variant ? ` (${variant})` : ""} is not in MindSpeed-MM ${tag}${inExamples}; releases that have it: ${where}.`,
      "release",
      releasesWith[releasesWith.length - 1],
    );
  }
  const template = TEMPLATES[model.exampleDir];
  if (!template) throw new PlanError(`No config template for ${model.id}.`, "model");
  const lora = loraSettings(model, recipe, tag, params);
  if (lora) recipe = { ...recipe, lora };

  const d = recipe.defaults;
  const tp = params.tp ?? d.tp;
  const pp = params.pp ?? d.pp;
  const cp = params.cp ?? d.cp;
  const ep = params.ep ?? d.ep;
  const npusPerNode = params.npusPerNode ?? d.npusPerNode;
  const nodes = params.nodes ?? d.nodes;
  const microBatchSize = params.microBatchSize ?? d.microBatchSize;
  const worldSize = npusPerNode * nodes;
  const dp = Math.max(1, Math.floor(worldSize / (tp * pp * cp)));
  const defaultDp = Math.max(1, Math.floor((d.npusPerNode * d.nodes) / (d.tp * d.pp * d.cp)));
  // Keep the example's gradient accumulation when the layout changes; the global batch follows DP.
  const defaultGradAcc =
    d.globalBatchSize !== undefined
      ? Math.max(1, Math.round(d.globalBatchSize / (d.microBatchSize * defaultDp)))
      : d.gradAccSteps;
  const globalBatchSize = params.globalBatchSize ?? microBatchSize * defaultGradAcc * dp;
  const gradAccSteps = Math.max(1, Math.round(globalBatchSize / (microBatchSize * dp)));

  const megatron = recipe.backend === "megatron";
  let llmSplit: number[] | null = null;
  let vit: number[] | null = null;
  if (megatron && model.arch) {
    const samePp = pp === d.pp;
    llmSplit =
      params.llmLayerSplit ?? (samePp && d.llmLayerSplit ? d.llmLayerSplit : evenSplit(model.arch.llm.layers, pp));
    vit = model.arch.vit
      ? (params.vitLayerSplit ?? (samePp && d.vitLayerSplit ? d.vitLayerSplit : vitSplit(model.arch.vit.layers, pp)))
      : null;
  }

  const vpp = resolveVpp(model, d, params, pp);
  // With VPP a rank holds the sum of its column: the per-rank split the other checks and the converter read.
  if (vpp?.llm.every((r) => r.length === pp) && vpp.vit.every((r) => r.length === pp)) {
    llmSplit = rankSums(vpp.llm);
    vit = rankSums(vpp.vit);
  }
  const outputDir = params.outputDir ?? `./examples/${model.exampleDir}`;
  const defaults = template.defaultPaths(model, recipe);
  const paths: PlanPaths = {
    outputDir,
    hfDir: params.hfDir ?? defaults.hfDir,
    ckptDir: params.ckptDir ?? defaults.ckptDir,
    saveDir: params.saveDir ?? defaults.saveDir,
    dataset: params.dataset ?? defaults.dataset,
    datasetDir: params.datasetDir ?? (params.dataset ? posix.dirname(params.dataset) : defaults.datasetDir),
  };
  const ctx: TemplateContext = {
    model,
    recipe,
    tp,
    pp,
    cp,
    ep,
    microBatchSize,
    gradAccSteps,
    globalBatchSize,
    trainIters: params.trainIters ?? d.trainIters,
    saveInterval: params.saveInterval ?? null,
    seqLength: params.seqLength ?? d.seqLength,
    lr: params.lr ?? d.lr,
    llmSplit,
    vitSplit: vit,
    vpp,
    paths,
    fileRef: (name) => (outputDir.endsWith("/") ? `${outputDir}${name}` : `${outputDir}/${name}`),
  };

  const splitChecks = validatePlan(model, {
    backend: recipe.backend,
    tp,
    pp,
    cp,
    ep,
    npusPerNode,
    nodes,
    microBatchSize,
    globalBatchSize,
    llmSplit,
    vitSplit: vit,
    allowEmptyLeadingLlmStage: model.exampleDir === "internvl2.5" || model.exampleDir === "internvl2",
  });
  // With VPP the per-stage splits checked above are the ranks' column sums: their issues name the rows.
  const errors = vpp
    ? splitChecks.map((e) =>
        e.field === "llmLayerSplit" || e.field === "vitLayerSplit"
          ? {
              field: e.field === "llmLayerSplit" ? "vppLlmLayerSplit" : "vppVitLayerSplit",
              message: `Per rank (the column sums of the virtual stages): ${e.message.replace(/; (use|e\.g\.) .*$/, ".")}`,
            }
          : e,
      )
    : splitChecks;
  // megatron-yaml: the head counts sit in the YAML's text_decoder (no stored architecture): TP must divide them.
  if (recipe.backend === "megatron-yaml") errors.push(...yamlHeadIssues(template.files(ctx), tp));
  if (vpp) {
    if (params.llmLayerSplit !== undefined || params.vitLayerSplit !== undefined) {
      errors.push({
        field: "llmLayerSplit",
        message: `With vpp=${vpp.size} the layers are given per virtual stage: pass vppLlmLayerSplit / vppVitLayerSplit (one row per virtual stage, ${pp} entries each) instead of llmLayerSplit / vitLayerSplit.`,
      });
    }
    errors.push(
      ...checkVpp(model, {
        backend: recipe.backend,
        entry: recipe.entry,
        release: tag,
        pp,
        gradAccSteps,
        microBatchSize,
        dp,
        vpp,
      }),
    );
  }
  const warnings: string[] = [];
  if (d.hostfile && params.nodes === undefined) {
    warnings.push(
      `The upstream script reads NNODES from a hostfile; this plan assumes ${nodes} node(s). Run the script on each node with NODE_RANK and MASTER_ADDR set.`,
    );
  }
  for (const d of recipe.upstreamDifferences ?? []) {
    warnings.push(`Differs from upstream ${recipe.script} (${tag}) on purpose: ${d.key}: ${d.reason}`);
  }
  if (d.vpp && !vpp && params.vpp === undefined)
    warnings.push(
      `The example runs ${d.vpp.size} virtual pipeline stages per rank for its pp=${d.pp} split; with the pipeline or split changed this plan runs without VPP.`,
    );
  const batchNote = globalBatchNote({ d, defaultDp, defaultGradAcc, dp, microBatchSize, globalBatchSize, params });
  if (batchNote) warnings.push(batchNote);
  if (recipe.setup) {
    warnings.push(
      `${recipe.script} needs host setup beyond the ${tag} stack; planned steps, to confirm and run on the host before launch_train (build_configs runs none of them): ${recipe.setup.map((step, i) => `(${i + 1}) ${step}`).join(" ")}`,
    );
  } else if (model.isolatedEnv)
    warnings.push(`${model.id} needs its own Python environment: ${model.requirements.join("; ")}.`);

  const files: PlannedFile[] = [];
  if (errors.length === 0) {
    for (const f of template.files(ctx)) {
      files.push({ ...f, text: f.format === "json" ? toJson(f.value) : toYaml(f.value) });
    }
    const byRole = (role: string) => files.find((f) => f.role === role)?.name;
    const env = { ...recipe.env };
    const script = launchScript(ctx, {
      cannRoot: params.cannRoot ?? "/usr/local/Ascend",
      workdir: params.workdir,
      npusPerNode,
      nodes,
      env,
      mainConfig: files[0]?.name,
      dataConfig: byRole("data-config"),
      modelConfig: byRole("model-config"),
    });
    files.push({
      role: "launch-script",
      name: posix.basename(recipe.script),
      upstream: recipe.script,
      format: "bash",
      value: null,
      text: script,
    });
    if (params.saveOptimizer) files.splice(0, files.length, ...keepOptimizerState(files));
  }
  return {
    model: model.id,
    release: tag,
    variant,
    backend: recipe.backend,
    entry: recipe.entry,
    parallel: { tp, pp, cp, ep, dp, npusPerNode, nodes, worldSize },
    microBatchSize,
    gradAccSteps,
    globalBatchSize,
    trainIters: ctx.trainIters,
    seqLength: ctx.seqLength,
    lr: ctx.lr,
    layerSplit: { llm: llmSplit, vit },
    lora: recipe.lora && recipe.variant === "lora" ? { rank: recipe.lora.r, alpha: recipe.lora.alpha } : null,
    ...(vpp ? { vpp: vpp.size, vppLayerSplit: { llm: vpp.llm, vit: vpp.vit } } : {}),
    paths,
    datasetAttr: template.datasetAttr?.(ctx) ?? null,
    env: recipe.env,
    files,
    errors,
    warnings,
  };
}

/**
 * The LoRA settings with the rank and alpha asked for: alpha defaults to the rank times the example's alpha / r (2 in
 * every LoRA example upstream: lora_r 8, lora_alpha 16), so the adapters' scaling stays the example's. Null when
 * neither was asked; a PlanError when the recipe trains no adapters: a rank says nothing about a full fine-tune, and
 * inferring the LoRA variant from it would switch to another upstream example (its own script, config files and a
 * base converted differently) unasked, so the refusal names the variant to pass instead.
 */
function loraSettings(
  model: ModelEntry,
  recipe: TrainingRecipe,
  tag: ReleaseTag,
  params: TrainingParams,
): LoraSettings | null {
  const { loraRank, loraAlpha } = params;
  if (loraRank === undefined && loraAlpha === undefined) return null;
  const field = loraRank !== undefined ? "loraRank" : "loraAlpha";
  for (const [name, value] of [
    ["loraRank", loraRank],
    ["loraAlpha", loraAlpha],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      throw new PlanError(
        `${name} must be a whole number of at least 1 (MindSpeed-MM's --lora-r / --lora-alpha take integers).`,
        name,
      );
  }
  if (!recipe.lora || recipe.variant !== "lora") {
    const loraAt = recipeAt(model, tag, "lora");
    const asked = {
      variant: "lora",
      ...(loraRank !== undefined ? { loraRank } : {}),
      ...(loraAlpha !== undefined ? { loraAlpha } : {}),
    };
    throw new PlanError(
      loraAt?.lora
        ? `${model.id}'s ${recipe.variant ? `"${recipe.variant}"` : "standard"} recipe trains no LoRA adapters, so it has no LoRA ${field === "loraRank" ? "rank" : "alpha"}; the LoRA fine-tune is variant "lora": pass ${argsHint(asked)}.`
        : `${model.id} has no LoRA recipe at ${tag} (its ${recipe.variant ? `"${recipe.variant}"` : "standard"} recipe trains no adapters), so a LoRA ${field === "loraRank" ? "rank" : "alpha"} has nothing to set; leave it out for a full fine-tune.`,
      field,
    );
  }
  const r = loraRank ?? recipe.lora.r;
  const alpha = loraAlpha ?? Math.max(1, Math.round((r * recipe.lora.alpha) / recipe.lora.r));
  return { ...recipe.lora, r, alpha };
}

/**
 * When the layout or micro batch given changes the global batch from the example's without being asked (the global
 * batch follows DP and MBS, keeping the example's gradient accumulation), say so, with the value that keeps the
 * example's batch: the learning rate and schedule were tuned for it.
 */
function globalBatchNote(p: {
  d: TrainingDefaults;
  defaultDp: number;
  defaultGradAcc: number;
  dp: number;
  microBatchSize: number;
  globalBatchSize: number;
  params: TrainingParams;
}): string | null {
  const { d, dp, microBatchSize, globalBatchSize } = p;
  if (p.params.globalBatchSize !== undefined) return null;
  const example = d.globalBatchSize ?? d.microBatchSize * p.defaultGradAcc * p.defaultDp;
  if (example === globalBatchSize) return null;
  const changed: string[] = [];
  if (dp !== p.defaultDp) changed.push(`data parallel ${dp} (the example's ${p.defaultDp})`);
  if (microBatchSize !== d.microBatchSize)
    changed.push(`micro batch ${microBatchSize} (the example's ${d.microBatchSize})`);
  if (changed.length === 0) return null;
  const per = microBatchSize * dp;
  const keep = Math.max(per, Math.round(example / per) * per);
  const keepHint =
    keep === globalBatchSize
      ? ""
      : keep === example
        ? ` To keep the example's batch, pass ${argsHint({ globalBatchSize: keep })} (${keep / per} accumulation steps).`
        : ` The nearest to the example's that this layout allows: ${argsHint({ globalBatchSize: keep })} (${keep / per} accumulation steps).`;
  return (
    `Global batch ${globalBatchSize}, not the example's ${example}: with ${changed.join(" and ")} and the example's ` +
    `${p.defaultGradAcc} gradient-accumulation steps kept, each step reads ${globalBatchSize} samples; the learning rate ` +
    `was tuned for ${example}.${keepHint}`
  );
}
