// What a trained checkpoint is, for the tools that use it after training (export, inference, evaluation): the run's
// save directory and its latest complete checkpoint (latest_checkpointed_iteration.txt, the iter_XXXXXXX directory
// with every mp_rank of the run's TP/PP), the model and release it was trained as, the model JSON it trained with,
// and the original Hugging Face directory. From a run id (the ledger) or a checkpoint directory plus a model.
// Whether the checkpoint holds LoRA adapters is the run's own fact (its ledger record, else its launch script), never
// what the folder it loaded from holds now: that folder may have been converted again since for the other kind of run.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell ${VAR} expansions in the probe script

import { posix } from "node:path";
import { z } from "zod";
import { PlanError, resolveModel, resolveTrainingPlan } from "../configs/index.js";
import { type ConvertMarker, megatronLayout, readMarker } from "../convert/index.js";
import { loraBaseMismatch } from "../convert/lora-base.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureReadable } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import type { HostRegistry } from "../hosts/registry.js";
import { converterMethods, getConverter } from "../knowledge/converters.js";
import { lookupModel } from "../knowledge/lookup.js";
import { recipeAt } from "../knowledge/models.js";
import { isReleaseTag, type ReleaseTag } from "../knowledge/release-tags.js";
import type { ModelEntry } from "../knowledge/types.js";
import { parseLaunchScript } from "../runs/launch-script.js";
import { requireRun, requireRunAnywhere } from "../runs/ledger.js";
import { loraOfRun, runsSavedIn } from "../runs/lora-settings.js";
import { describeRun, loraOfConfig, loraSettingsOf, parseConfigText, type RunLora } from "../runs/run-config.js";
import { livenessByRun, runStatus } from "../runs/status.js";
import { RunIdSchema, type RunRecord } from "../runs/types.js";
import { type TrainingData, trainingDataOf } from "./sample.js";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const flat = (v: unknown): number[] | null =>
  Array.isArray(v) ? (v.flat(3) as unknown[]).map(Number).filter((n) => Number.isFinite(n)) : null;

export class SourceError extends Error {
  override name = "SourceError";
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

export interface CheckpointFacts {
  saveDir: string;
  /** The tracker's content: an iteration number or "release". */
  tracker: string;
  iteration: number | null;
  /** iter_XXXXXXX or release, inside saveDir. */
  iterDir: string;
  tp: number;
  pp: number;
  /** mp_rank_* directories without a model file (a save cut off half way). */
  incomplete: string[];
}

export interface CheckpointSource {
  host: string;
  executor: HostExecutor;
  settings: HostSettings;
  workdir: string;
  record: RunRecord | null;
  ledgerFile: string | null;
  model: ModelEntry;
  release: ReleaseTag;
  variant: string;
  tp: number;
  pp: number;
  llmSplit: number[] | null;
  vitSplit: number[] | null;
  /** The model JSON the checkpoint trained with. */
  trainingModel: Json;
  seqLength: number;
  hfDir: string;
  /**
   * The run trained LoRA adapters (its ledger record, else --lora-r / --lora-target-modules / lora_args in its configs):
   * its checkpoint is not a full model. A checkpoint directory is the adapters of the recorded run that saved there.
   */
  lora: boolean;
  /**
   * The base the run loaded (its load directory), absolute; for a merged checkpoint, the base its adapters were merged
   * into. Null without either.
   */
  loadDir: string | null;
  /**
   * A run's LoRA rank and alpha as its configs write them (--lora-r / --lora-alpha, lora_args): what a merge of its
   * adapters must scale by. Null without a run, or where its configs do not say.
   */
  loraRank: number | null;
  loraAlpha: number | null;
  checkpoint: CheckpointFacts;
  /** The run's own training data (from its data config), for a default question; null without a run. */
  trainingData: TrainingData | null;
  notes: string[];
}

/**
 * The same checkpoint as the next tool takes it: the run id when it came from a recorded run, else the host, the save
 * directory, the model and the Hugging Face directory, so that a hint never carries a placeholder run id.
 */
export function sameSource(source: CheckpointSource): Record<string, unknown> {
  if (source.record) return { runId: source.record.id };
  return {
    host: source.host,
    checkpointDir: source.checkpoint.saveDir,
    model: source.model.id,
    hfDir: source.hfDir,
  };
}

/**
 * The convert_weights call that merges a LoRA run's adapters into a full model, complete as the run trained them (its
 * rank and alpha, layout and base), into a new folder beside its save directory: merge_base_lora_weight writes a
 * Megatron checkpoint that export_model takes next (the merge's reply names that call), the DCP recipes'
 * merge_mm_lora_dcp_weight_to_base_hf a Hugging Face directory. Null when the model has no converter for LoRA.
 */
export function mergeCall(source: CheckpointSource): { args: Record<string, unknown>; output: string } | null {
  const recipe =
    recipeAt(source.model, source.release, "lora") ?? recipeAt(source.model, source.release, source.variant);
  const converter = recipe?.converter ? getConverter(recipe.converter) : undefined;
  if (!converter) return null;
  const toHf =
    converterMethods(converter.className, source.release)?.some(
      (m) => m.name === "merge_mm_lora_dcp_weight_to_base_hf",
    ) ?? false;
  const save = source.checkpoint.saveDir.replace(/(.)\/+$/, "$1");
  const beside = (what: string) =>
    posix.join(posix.dirname(save), `${posix.basename(save)}-${what}-${posix.basename(source.checkpoint.iterDir)}`);
  const common = {
    host: source.host,
    model: source.model.id,
    release: source.release,
    variant: "lora",
    ...(source.loraRank !== null ? { loraRank: source.loraRank } : {}),
    ...(source.loraAlpha !== null ? { loraAlpha: source.loraAlpha } : {}),
  };
  if (toHf) {
    const output = beside("hf");
    return {
      args: {
        ...common,
        method: "merge_mm_lora_dcp_weight_to_base_hf",
        hfDir: source.hfDir,
        ckptDir: save,
        targetDir: output,
        confirm: true,
      },
      output,
    };
  }
  const output = beside("merged");
  return {
    args: {
      ...common,
      method: "merge_base_lora_weight",
      hfDir: source.hfDir,
      loraDir: save,
      ...(source.loadDir ? { ckptDir: source.loadDir } : {}),
      tp: source.tp,
      pp: source.pp,
      ...(source.llmSplit ? { llmLayerSplit: source.llmSplit } : {}),
      ...(source.vitSplit ? { vitLayerSplit: source.vitSplit } : {}),
      targetDir: output,
      confirm: true,
    },
    output,
  };
}

const abs = (workdir: string, p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(workdir, p));

async function readText(executor: HostExecutor, path: string, maxBytes = 4 << 20): Promise<string | null> {
  try {
    return (await executor.readFile(path, { maxBytes })).content;
  } catch {
    return null;
  }
}

const MARK = "@@ckpt ";

/** One bounded round trip: the tracker, the directory it names, and which mp_rank directories hold weights. */
export async function probeCheckpoint(executor: HostExecutor, saveDir: string): Promise<CheckpointFacts> {
  const script = [
    `d=${shellQuote(saveDir)}`,
    '[ -d "$d" ] || { echo "${M}missing"; exit 0; }',
    '[ -f "$d/latest_checkpointed_iteration.txt" ] || { echo "${M}notracker"; exit 0; }',
    "t=$(head -c 64 \"$d/latest_checkpointed_iteration.txt\" | tr -d '[:space:]')",
    'echo "${M}tracker $t"',
    'case "$t" in release) sub=release;; *[!0-9]*|"") echo "${M}badtracker"; exit 0;; *) sub=$(printf "iter_%07d" "$t");; esac',
    'echo "${M}sub $sub"',
    'for r in "$d/$sub"/mp_rank_*; do [ -d "$r" ] || continue; n=$(find "$r" -maxdepth 1 -type f \\( -name "*.pt" -o -name "*.safetensors" \\) | head -n 1); echo "${M}rank ${r##*/} ${n:+ok}"; done',
  ]
    .join("\n")
    .replaceAll("${M}", MARK);
  const r = await executor.run(["sh", "-c", script], {
    timeoutMs: 30_000,
    maxOutputBytes: 256 * 1024,
  });
  if (r.exitCode !== 0) throw new SourceError(`Cannot inspect ${saveDir}: ${r.stderr.trim()}`, "Check the host.");
  const lines = r.stdout
    .split("\n")
    .filter((l) => l.startsWith(MARK))
    .map((l) => l.slice(MARK.length));
  if (lines.includes("missing"))
    throw new SourceError(
      `${saveDir} does not exist: the run saved no checkpoint.`,
      "Wait for the first save (--save-interval) or point at another checkpoint.",
    );
  if (lines.includes("notracker"))
    throw new SourceError(
      `${saveDir} has no latest_checkpointed_iteration.txt: no checkpoint was completed there.`,
      "Wait until the run logs 'successfully saved checkpoint', or pass the checkpoint directory that has one.",
    );
  if (lines.includes("badtracker"))
    throw new SourceError(
      `${saveDir}/latest_checkpointed_iteration.txt does not hold an iteration.`,
      "Write the iteration of a complete checkpoint into it.",
    );
  const tracker = lines.find((l) => l.startsWith("tracker "))!.slice(8);
  const sub = lines.find((l) => l.startsWith("sub "))!.slice(4);
  const ranks = lines.filter((l) => l.startsWith("rank ")).map((l) => l.slice(5).split(" "));
  const layout = megatronLayout(ranks.map(([name]) => name!));
  if (!layout)
    throw new SourceError(
      `${saveDir}/${sub} holds no mp_rank_* directories: the checkpoint named by latest_checkpointed_iteration.txt is incomplete.`,
      "Point latest_checkpointed_iteration.txt at an earlier complete iteration, or wait for the save to finish.",
    );
  return {
    saveDir,
    tracker,
    iteration: tracker === "release" ? null : Number(tracker),
    iterDir: posix.join(saveDir, sub),
    tp: layout.tp,
    pp: layout.pp,
    incomplete: ranks.filter(([, ok]) => ok !== "ok").map(([name]) => name!),
  };
}

async function checkoutRelease(executor: HostExecutor, workdir: string): Promise<ReleaseTag | undefined> {
  const r = await executor.run(["git", "-C", workdir, "describe", "--tags", "--exact-match", "HEAD"], {
    timeoutMs: 15_000,
  });
  const tag = r.stdout.trim();
  return r.exitCode === 0 && isReleaseTag(tag) ? tag : undefined;
}

function modelFromHfDir(hfDir: string): ModelEntry | null {
  const found = lookupModel(posix.basename(hfDir.replace(/\/+$/, "")));
  return found.status === "model" ? found.model : null;
}

/**
 * The inputs export_model, run_inference and evaluate_model share: which checkpoint (a run, or a save directory) and
 * what resolveSource would otherwise take from the run. `what` names the run's role in the tool.
 */
/** The refinement of an input built on sourceInputShape: one source, a run or a save directory, checked as bad input. */
export const ONE_SOURCE = [
  (v: { runId?: string; checkpointDir?: string }) => !v.runId !== !v.checkpointDir,
  { message: "Pass exactly one of runId (see list_runs) and checkpointDir (a save directory)." },
] as const;

export function sourceInputShape(what: string) {
  return {
    runId: RunIdSchema.optional().describe(`${what} (see list_runs)`),
    checkpointDir: z
      .string()
      .optional()
      .describe("Instead of runId: a save directory with latest_checkpointed_iteration.txt"),
    host: z
      .string()
      .min(1)
      .optional()
      .describe("Host from the inventory (see list_hosts). Default: the host the run is recorded on, else local."),
    model: z
      .string()
      .optional()
      .describe("Model id; default what the run trained (its convert marker or HF directory)"),
    release: z.string().optional().describe("MindSpeed-MM release; default the run's"),
    hfDir: z.string().optional().describe("The original Hugging Face model (tokenizer, processor); default the run's"),
  };
}

export interface SourceRequest {
  host: string;
  /** The tool asking, for the call again when its run is on another host. */
  tool: string;
  runId?: string;
  checkpointDir?: string;
  model?: string;
  release?: string;
  hfDir?: string;
}

/** The host a request acts on: the one named, else the host that records the run, else local. */
export async function hostOf(hosts: HostRegistry, req: { host?: string; runId?: string }): Promise<string> {
  if (req.host) return req.host;
  if (!req.runId) return "local";
  return (await requireRunAnywhere(hosts, req.runId)).host;
}

/** Resolves a run id or checkpoint directory into everything the post-training tools need. */
export async function resolveSource(hosts: HostRegistry, req: SourceRequest): Promise<CheckpointSource> {
  if (!req.runId === !req.checkpointDir)
    throw new SourceError("Pass exactly one of runId and checkpointDir.", "runId from list_runs, or a save directory.");
  const { executor, settings } = await hosts.get(req.host);
  // The directories the caller named are read by commands (the probe, the converter, inference): the read guard
  // refuses them here, in its own words, before anything reads them. Those taken from the run are the run's own.
  if (req.checkpointDir) await ensureReadable(executor, req.checkpointDir, "checkpointDir");
  if (req.hfDir) await ensureReadable(executor, req.hfDir, "hfDir");
  const notes: string[] = [];
  let record: RunRecord | null = null;
  let ledgerFile: string | null = null;
  let workdir = settings.workdir ?? "";
  let trainingModel: Json | null = null;
  let hfDir = req.hfDir ?? null;
  let saveDir: string;
  let vppSize: number | null = null;
  let tp: number | null = null;
  let pp: number | null = null;
  let llmSplit: number[] | null = null;
  let vitSplit: number[] | null = null;
  let seqLength = 1024;
  let loadDir: string | null = null;
  let runLora: RunLora | undefined;
  let loraRank: number | null = null;
  let loraAlpha: number | null = null;
  let trainingData: TrainingData | null = null;
  if (req.runId) {
    const found = await requireRun(hosts, req.runId, req.host, { tool: req.tool });
    record = found.record;
    ledgerFile = found.file;
    workdir = record.workdir;
    const scriptText = await readText(executor, record.script);
    if (scriptText === null)
      throw new SourceError(
        `The run's launch script ${record.script} is gone.`,
        "Pass checkpointDir and model instead.",
      );
    const info = parseLaunchScript(scriptText);
    const files: { data?: unknown; model?: unknown; main?: unknown } = {};
    for (const [key, p] of [
      ["data", info.dataConfig],
      ["model", info.modelConfig],
    ] as const) {
      const text = p ? await readText(executor, abs(workdir, p)) : null;
      if (p && text !== null) files[key] = parseConfigText(p, text);
    }
    // The unified YAML keeps the LoRA settings in lora_args; a Megatron JSON recipe's script passes them as flags.
    const mainText = info.mainConfig ? await readText(executor, abs(workdir, info.mainConfig)) : null;
    try {
      files.main = mainText !== null && info.mainConfig ? parseConfigText(info.mainConfig, mainText) : undefined;
    } catch {
      files.main = undefined;
    }
    const cfg = describeRun(info, files);
    vppSize = Number(info.flags["virtual-pipeline-model-parallel-size"]) || null;
    if (cfg.kind !== "megatron-json")
      notes.push(`The run uses the ${cfg.kind} backend; its checkpoint layout is read from the save directory.`);
    tp = cfg.tp;
    pp = cfg.pp;
    llmSplit = cfg.llmSplit;
    trainingModel = files.model ? obj(files.model) : null;
    trainingData = files.data ? trainingDataOf(files.data, workdir) : null;
    vitSplit = flat(obj(obj(trainingModel?.image_encoder).vision_encoder).pipeline_num_layers);
    seqLength = Number(info.flags["seq-length"]) || seqLength;
    // What the run trained is its record's (kept at launch); a record from before that reads its script as it is now.
    const written = loraSettingsOf(info.flags, files.main);
    runLora =
      record.lora !== undefined
        ? record.lora
        : loraOfConfig({ lora: cfg.lora, loraRank: written.rank, loraAlpha: written.alpha });
    loraRank = runLora?.rank ?? null;
    loraAlpha = runLora?.alpha ?? null;
    const save = record.saveDir ?? cfg.savePath;
    if (!save) throw new SourceError(`Run ${record.id} has no save directory.`, "It saved no checkpoint to use.");
    saveDir = abs(workdir, save);
    loadDir = record.loadDir ?? cfg.loadPath;
    if (loadDir) loadDir = abs(workdir, loadDir);
    const modelHf = cfg.inputs.find((p) => !/\.(json|jsonl|parquet|txt)$/i.test(p));
    hfDir ??= modelHf ? abs(workdir, modelHf) : null;
  } else {
    saveDir = abs(workdir, req.checkpointDir!);
    // A save directory a recorded run wrote: its adapters are LoRA adapters whoever names the directory.
    const savedBy = (await runsSavedIn(executor, settings, req.host, saveDir).catch(() => []))[0];
    if (savedBy) {
      runLora = await loraOfRun(executor, savedBy).catch(() => undefined);
      loraRank = runLora?.rank ?? null;
      loraAlpha = runLora?.alpha ?? null;
    }
  }
  const checkpoint = await probeCheckpoint(executor, saveDir);
  if (checkpoint.incomplete.length)
    throw new SourceError(
      `${checkpoint.iterDir} is incomplete: ${checkpoint.incomplete.join(", ")} hold no weights.`,
      "Point latest_checkpointed_iteration.txt at an earlier complete iteration, or wait for the save to finish.",
    );
  if (tp !== null && pp !== null && (checkpoint.tp !== tp || checkpoint.pp !== pp))
    throw new SourceError(
      `${checkpoint.iterDir} is split tp=${checkpoint.tp}, pp=${checkpoint.pp} but the run's script says tp=${tp}, pp=${pp}.`,
      "Use the script the checkpoint was trained with, or resplit the checkpoint with convert_weights method resplit.",
    );
  let marker = loadDir ? await readMarker(executor, loadDir).catch(() => null) : null;
  if (!record && !marker) {
    // A merge's output (convert_weights merge_base_lora_weight) records what it is: a full model in the LoRA base's
    // (canonical) structure, which mm_to_hf reads as the LoRA variant. Its source is the base, whose marker names the
    // Hugging Face directory.
    const own = await readMarker(executor, saveDir).catch(() => null);
    if (own?.method.startsWith("merge_")) {
      marker = own;
      loadDir = own.source;
      hfDir ??= (await readMarker(executor, own.source).catch(() => null))?.source ?? null;
    }
  }
  refuseVirtualPipeline(record?.id ?? saveDir, vppSize, marker);
  hfDir ??= marker && !marker.method.startsWith("merge_") ? marker.source : null;
  let model: ModelEntry | null = null;
  try {
    model = req.model
      ? resolveModel(req.model)
      : marker
        ? resolveModel(marker.model)
        : hfDir
          ? modelFromHfDir(hfDir)
          : null;
  } catch (error) {
    if (error instanceof PlanError) throw new SourceError(error.message, "Pass model: an id from find_model.");
    throw error;
  }
  if (!model)
    throw new SourceError(
      "Cannot tell which model the checkpoint is: no model given, no convert marker, no recognisable HF directory.",
      "Pass model (an id from find_model).",
    );
  if (!hfDir) throw new SourceError(`The original Hugging Face directory of ${model.id} is unknown.`, "Pass hfDir.");
  hfDir = abs(workdir, hfDir);
  const releaseText =
    req.release ?? marker?.release ?? (workdir ? await checkoutRelease(executor, workdir) : undefined);
  const release =
    (releaseText && isReleaseTag(releaseText) ? releaseText : undefined) ??
    [...model.releases].reverse().find((t) => recipeAt(model, t, marker?.variant ?? "") !== undefined);
  if (!release) throw new SourceError(`No release of MindSpeed-MM has ${model.id}.`, "Pass release.");
  let variant = marker?.variant ?? "";
  // The folder the run loaded from was converted again since, for the other kind of run: the recipe is the run's.
  if (record && marker && runLora !== undefined && loraBaseMismatch(marker, runLora !== null)) {
    variant = runLora !== null ? "lora" : "";
    notes.push(
      `${loadDir} was converted again since this run started (now ${marker.method}, variant "${marker.variant || "standard"}"); the run trained ${runLora !== null ? "LoRA adapters" : "every weight (a full fine-tune)"}, and is taken as it trained.`,
    );
  }
  if (!trainingModel) {
    const plan = resolveTrainingPlan(model.id, release, { variant, tp: checkpoint.tp, pp: checkpoint.pp });
    trainingModel = obj(plan.files.find((f) => f.role === "model-config")?.value);
    llmSplit ??= flat(obj(trainingModel.text_decoder).pipeline_num_layers);
    vitSplit ??= flat(obj(obj(trainingModel.image_encoder).vision_encoder).pipeline_num_layers);
    seqLength = plan.seqLength;
  }
  return {
    host: req.host,
    executor,
    settings,
    workdir,
    record,
    ledgerFile,
    model,
    release,
    variant,
    tp: checkpoint.tp,
    pp: checkpoint.pp,
    llmSplit,
    vitSplit,
    trainingModel,
    seqLength,
    hfDir,
    lora: runLora !== undefined && runLora !== null,
    loadDir,
    loraRank,
    loraAlpha,
    checkpoint,
    trainingData,
    notes,
  };
}

/**
 * A run trained with a virtual pipeline saves model0, model1 … per rank; mm_to_hf and the inference loader read the
 * single `model` entry of a plain pipeline checkpoint, so they would fail on it or load the wrong layers.
 */
export function refuseVirtualPipeline(what: string, vppSize: number | null, marker: ConvertMarker | null): void {
  const rows = marker?.vpp ? marker.vpp.llm : null;
  const size = marker?.vpp?.size ?? (vppSize !== null && vppSize > 1 ? vppSize : null);
  if (size === null) return;
  throw new SourceError(
    `${what} was trained with a virtual pipeline (${size} virtual stages per rank${rows ? `, LLM layers per virtual stage ${JSON.stringify(rows)}` : ""}): ` +
      "its checkpoint holds model0, model1 … per rank, and MindSpeed-MM's mm_to_hf and the inference loader read a single 'model' entry per checkpoint.",
    "Export and inference take a plain pipeline checkpoint: train without --virtual-pipeline-model-parallel-size (build_configs without vpp), or merge the virtual stages into 'model' by hand first.",
  );
}

/** A note when the run is still training: inference and evaluation then share its NPUs (and their memory). */
export async function busyNote(hosts: HostRegistry, source: CheckpointSource, now: () => Date): Promise<string | null> {
  const record = source.record;
  if (!record || record.state === "stopped" || record.nodes.length === 0) return null;
  try {
    const live = await livenessByRun(hosts, [record]);
    const status = await runStatus(hosts, record, live.get(record.id), now);
    if (status.state !== "running" && status.state !== "starting") return null;
  } catch {
    return null;
  }
  return `Run ${record.id} is still training on ${record.hosts.join(", ")}: this uses the checkpoint saved at iteration ${source.checkpoint.tracker} and shares the NPUs with the run (out of memory is likely on a full node; stop_run first, or wait for it to finish).`;
}
