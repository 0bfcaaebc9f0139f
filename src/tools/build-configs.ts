// build_configs: writes the data config, model config (or trainer YAML) and launch script for a model and release.
// Host reads: the dataset's first bytes (and whether its first records' images are under datasetDir), existing files
// in the output dir. Host writes: `mkdir -p <outputDir>`, the files.
import { posix } from "node:path";
import { z } from "zod";
import {
  contentDigest,
  editStamp,
  inputsToRecord,
  keepEdits,
  readBuildInputs,
  readWrittenDigests,
  recordBuildInputs,
  recordWrittenDigests,
  variantConfigsDir,
} from "../configs/build-inputs.js";
import { type CarriedEdits, carryScriptEdits } from "../configs/carry-edits.js";
import { checkDatasetMedia, type MediaRoot, missingMediaMessage } from "../configs/dataset-media.js";
import {
  checkRecordAgainstAttr,
  datasetFamilyOf,
  firstRecordText,
  recordFormatWarning,
} from "../configs/dataset-probe.js";
import { countDatasetRecords, tinyDatasetWarning } from "../configs/dataset-size.js";
import { lineDiff } from "../configs/diff.js";
import { planHfJob, writeHfJobSidecar } from "../configs/hf-jobs-build.js";
import { PlanError, resolveModel, resolveTrainingPlan, type TrainingPlan } from "../configs/index.js";
import { buildTrlConfigs } from "../configs/trl-build.js";
import type { TrainingParams } from "../configs/types.js";
import { DATASET_FORMATS } from "../datasets/formats.js";
import { type MemoryAdvice, memoryAdvice } from "../estimate/index.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import { ensureWritablePath, onHost } from "../hosts/paths.js";
import type { HostRegistry } from "../hosts/registry.js";
import { TRL_METHOD_INFO, TRL_METHODS } from "../knowledge/trl.js";
import { argsHint, callHint } from "../text/hint.js";
import { alignColumns } from "../text/table.js";
import { LAYOUT_BOUNDS as B, layerSplitInput, loraAlphaInput, loraRankInput, upTo, vppRowsInput } from "./bounds.js";
import { defineTool, ToolError } from "./tool.js";

const FileResult = z.object({
  role: z.enum(["model-config", "data-config", "train-config", "launch-script"]),
  path: z.string(),
  upstream: z.string().describe("the upstream example file it is equivalent to"),
  status: z
    .enum(["written", "unchanged", "differs", "skipped"])
    .describe("differs: an existing different file was left alone; skipped: not written because another file differs"),
  editsKeptIn: z
    .string()
    .nullable()
    .describe(
      "With overwrite: the file had been edited since it was built (apply_fix or by hand), so it was copied here first",
    ),
  editsCarried: z
    .array(z.string())
    .optional()
    .describe("With overwrite: the edits made to the launch script since its build, carried into the new script"),
  editsLeftOut: z
    .array(z.string())
    .optional()
    .describe("Edits since the build not carried: this build sets the same flag itself, or has no place for it"),
});

async function readExisting(executor: HostExecutor, path: string): Promise<string | null> {
  try {
    return (await executor.readFile(path, { maxBytes: 4 * 1024 * 1024 })).content;
  } catch (error) {
    if (error instanceof HostFileError && error.code === "ENOENT") return null;
    throw error;
  }
}

/** The first record against the data config: problems that refuse the build; `chunk`, the head read, for more checks. */
async function checkDataset(
  executor: HostExecutor,
  plan: TrainingPlan,
  dataset: string,
  warnings: string[],
): Promise<{ problems: string[]; chunk: string | null }> {
  const family = datasetFamilyOf(resolveModel(plan.model).exampleDir);
  if (!plan.datasetAttr && !family) return { problems: [], chunk: null };
  let text: string | undefined;
  let chunk = "";
  for (const maxBytes of [64 * 1024, 4 * 1024 * 1024]) {
    try {
      chunk = (await executor.readFile(dataset, { maxBytes })).content;
    } catch (error) {
      if (error instanceof HostFileError)
        throw new ToolError(`dataset: cannot read ${dataset} on the host (${error.message}).`);
      throw error;
    }
    text = firstRecordText(chunk);
    if (text || chunk.length < maxBytes) break;
  }
  if (!text)
    throw new ToolError(
      `dataset: ${dataset} does not start with a JSON object or array of objects (MLLM JSON or JSON Lines).`,
    );
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new ToolError(`dataset: the first record of ${dataset} is not valid JSON (${(error as Error).message}).`);
  }
  const format = recordFormatWarning(record, family);
  if (format) warnings.push(format);
  if (!plan.datasetAttr) return { problems: [], chunk };
  const problems = checkRecordAgainstAttr(record, plan.datasetAttr).map(
    (p) =>
      `${p.field}: ${p.message}${p.suggestion !== undefined && p.suggestion !== null ? ` A value that would work: ${JSON.stringify(p.suggestion)}.` : ""}`,
  );
  return { problems, chunk };
}

/**
 * The first records' images and videos under the dataset_dir these configs write (relative ones from the workdir,
 * where the run starts): a warning naming the first missing one and the call again with the folder they are
 * relative to. launch_train's pre-flight refuses the same; here the images may still be on their way.
 */
async function checkMedia(
  executor: HostExecutor,
  plan: TrainingPlan,
  ctx: { dataset: string; chunk: string; workdir: string | undefined; args: BuildArgs },
): Promise<string | null> {
  const family = datasetFamilyOf(resolveModel(plan.model).exampleDir);
  const dir = plan.paths.datasetDir;
  if (!dir.startsWith("/") && !ctx.workdir) return null;
  const root: MediaRoot = {
    file: ctx.dataset,
    dir,
    dirAbs: dir.startsWith("/") ? posix.normalize(dir) : posix.join(ctx.workdir!, dir),
    // MLLM records: MindSpeed-MM keeps a relative path as given (read from the workdir) when it is not under dataset_dir.
    fallbackCwd: family && DATASET_FORMATS[family].usesAttr ? (ctx.workdir ?? null) : null,
    attr: plan.datasetAttr ?? null,
  };
  const check = await checkDatasetMedia(executor, root, { chunk: ctx.chunk, workdir: ctx.workdir });
  if (!check || check.missing.length === 0) return null;
  const again = callHint("build_configs", {
    ...inputsToRecord(ctx.args, Input.safeParse({ model: ctx.args.model }).data ?? {}),
    datasetDir: check.foundUnder ?? "/path/to/images-root",
  });
  const fix = check.foundUnder
    ? `They are under ${check.foundUnder}: ${again}`
    : `Put the images under ${root.dirAbs}, or name the folder the record's paths are relative to: ${again}`;
  return `datasetDir: ${missingMediaMessage(check, root)} ${fix}`;
}

/**
 * The convert_weights call that writes the checkpoint these configs load: their ckptDir, their layout when it is not
 * a single stage, the HF directory and release when given. convert_weights would otherwise take the default build's.
 */
function convertArgsFor(plan: TrainingPlan, args: { host: string; model: string } & Record<string, unknown>) {
  const p = plan.parallel;
  return {
    host: args.host,
    model: args.model,
    ...(args.release !== undefined ? { release: plan.release } : {}),
    ...(args.variant !== undefined ? { variant: plan.variant } : {}),
    ...(args.hfDir !== undefined ? { hfDir: plan.paths.hfDir } : {}),
    ckptDir: plan.paths.ckptDir,
    ...(p.tp !== 1 ? { tp: p.tp } : {}),
    ...(p.pp !== 1 ? { pp: p.pp } : {}),
    ...(p.pp !== 1 && plan.layerSplit.llm ? { llmLayerSplit: plan.layerSplit.llm } : {}),
    ...(p.pp !== 1 && plan.layerSplit.vit ? { vitLayerSplit: plan.layerSplit.vit } : {}),
  };
}

/** The call again on the first other inventory host that names a workdir; "" when none does. */
function hostsWithWorkdir(hosts: HostRegistry, asked: string): string {
  const other = hosts.names().find((name) => name !== asked && hosts.settings(name).workdir);
  return other
    ? `, or build on a host that names one (${other}: ${hosts.settings(other).workdir}): ${callHint("build_configs", { host: other })}`
    : "";
}

/** The configs' input paths (relative ones from the workdir, where the launch script runs) missing on the host. */
async function findMissingPaths(
  executor: HostExecutor,
  workdir: string | undefined,
  plan: TrainingPlan,
  args: { host: string; model: string } & Record<string, unknown>,
): Promise<{ field: string; path: string; fix: string }[]> {
  const hf = plan.paths.hfDir;
  const fixes: Record<string, string> = {
    hfDir: `download the weights there (huggingface-cli download <repo> --local-dir ${hf}) or pass ${argsHint({ hfDir: "/path/to/hf-model" })}`,
    ckptDir: `${callHint("convert_weights", convertArgsFor(plan, args))} writes it from the Hugging Face weights, split as these configs load it`,
    dataset: `put the training data there (${callHint("prepare_dataset", { host: args.host })} converts LLaVA data) or pass ${argsHint({ dataset: "/path/to/data.json" })}`,
    datasetDir: `it is the root of the dataset's relative image paths; pass ${argsHint({ datasetDir: "/path/to/images-root" })}`,
  };
  const checked = (["hfDir", "ckptDir", "dataset", "datasetDir"] as const).flatMap((field) => {
    const path = plan.paths[field];
    if (!path || (!path.startsWith("/") && !workdir)) return [];
    return [{ field, path, onHost: path.startsWith("/") ? path : posix.join(workdir!, path) }];
  });
  if (checked.length === 0) return [];
  const r = await executor.run(
    [
      "bash",
      "-c",
      'for p in "$@"; do [ -e "$p" ] || printf "%s\\n" "$p"; done',
      "bash",
      ...checked.map((c) => c.onHost),
    ],
    { timeoutMs: 30_000 },
  );
  if (r.exitCode !== 0) return [];
  const missing = new Set(r.stdout.split("\n").filter((l) => l !== ""));
  return checked
    .filter((c) => missing.has(c.onHost))
    .map((c) => ({ field: c.field, path: c.path, fix: fixes[c.field]! }));
}

/** The plan's layout through estimate_memory (null when the model has no stored shape). */
function layoutMemory(plan: TrainingPlan): Pick<MemoryAdvice, "fits" | "summary"> | null {
  const p = plan.parallel;
  const advice = memoryAdvice({
    model: plan.model,
    release: plan.release,
    variant: plan.variant,
    npus: p.worldSize,
    npusPerNode: p.npusPerNode,
    tp: p.tp,
    pp: p.pp,
    cp: p.cp,
    ep: p.ep,
    microBatchSize: plan.microBatchSize,
    globalBatchSize: plan.globalBatchSize,
    seqLength: plan.seqLength,
    llmLayerSplit: plan.layerSplit.llm ?? undefined,
    vitLayerSplit: plan.layerSplit.vit ?? undefined,
    ...(plan.lora ? { lora: plan.lora.rank } : {}),
  });
  return advice && { fits: advice.fits, summary: advice.summary };
}

const Input = z.object({
  model: z.string().min(1).describe("Model id (qwen2.5vl-7b), HF repo id or name; see find_model"),
  release: z.string().optional().describe("MindSpeed-MM release tag; default the newest release that has the model"),
  variant: z
    .string()
    .optional()
    .describe('Recipe variant ("lora", "dpo", "fsdp", "v1" …); default the standard example'),
  host: z.string().default("local").describe("Host from the inventory (see list_hosts)"),
  dataset: z
    .string()
    .optional()
    .describe("Training data file on the host (MLLM JSON / JSONL); its first record is checked"),
  datasetDir: z
    .string()
    .optional()
    .describe(
      "Root of relative image paths; default the dataset's directory. A warning names the first of the dataset's first records' images not under it",
    ),
  outputDir: z
    .string()
    .optional()
    .describe("Directory on the host for the files; default <workdir>/configs/<model> (<model>-lora for variant lora)"),
  hfDir: z.string().optional().describe("Hugging Face weights directory"),
  ckptDir: z.string().optional().describe("Converted checkpoint the run loads (mm / dcp)"),
  saveDir: z.string().optional().describe("Where the run saves checkpoints"),
  tp: upTo(B.tp).optional().describe(`Tensor-parallel size (at most ${B.tp}); default the recipe's`),
  pp: upTo(B.pp).optional().describe(`Pipeline-parallel size (at most ${B.pp}); default the recipe's`),
  cp: upTo(B.cp).optional().describe(`Context-parallel size (at most ${B.cp}); default the recipe's`),
  ep: upTo(B.ep).optional().describe(`Expert-parallel size (MoE models; at most ${B.ep}); default the recipe's`),
  npusPerNode: upTo(B.npusPerNode)
    .optional()
    .describe(`NPUs used on each node (at most ${B.npusPerNode}); default the recipe's (8)`),
  nodes: upTo(B.nodes).optional().describe(`Number of nodes (at most ${B.nodes}); default the recipe's`),
  microBatchSize: upTo(B.microBatchSize).optional().describe("Samples per NPU per step; default the recipe's"),
  globalBatchSize: upTo(B.globalBatchSize)
    .optional()
    .describe("Samples per optimizer step over all NPUs; default the recipe's"),
  trainIters: upTo(B.trainIters).optional().describe("Training iterations; default the recipe's"),
  saveInterval: upTo(B.trainIters)
    .optional()
    .describe(
      "Save a checkpoint every N iterations (default the recipe's, often 10000: a shorter or stopped run then keeps none)",
    ),
  saveOptimizer: z
    .boolean()
    .default(false)
    .describe(
      "Save optimizer and RNG state in each checkpoint, so resume_run continues exactly (checkpoints about seven times larger: Adam's fp32 state is about 12 bytes a parameter, bf16 weights 2). Default: weights only, as upstream's examples",
    ),
  seqLength: upTo(B.seqLength).optional().describe("Sequence length in tokens; default the recipe's"),
  lr: z.number().positive().optional().describe("Learning rate; default the recipe's"),
  llmLayerSplit: layerSplitInput.optional().describe("LLM layers per pipeline stage"),
  vitLayerSplit: layerSplitInput.optional().describe("ViT layers per pipeline stage"),
  vpp: upTo(B.vpp)
    .optional()
    .describe(
      "Virtual pipeline stages per rank (--virtual-pipeline-model-parallel-size; needs pp >= 2 and micro-batches per step a multiple of pp; 1 turns VPP off); the rows default to an even split",
    ),
  vppLlmLayerSplit: vppRowsInput
    .optional()
    .describe(
      "With vpp: LLM layers per virtual stage, one row per virtual stage, one entry per pipeline rank, e.g. [[0,0,0,1],[4,4,4,4],[4,4,4,3]]",
    ),
  vppVitLayerSplit: vppRowsInput
    .optional()
    .describe("With vpp: ViT layers per virtual stage, same shape; the ViT comes before the LLM in forward order"),
  loraRank: loraRankInput
    .optional()
    .describe(
      `With variant lora (or trainer trl and peft lora / qlora): the adapters' rank, lora_r in the training configs (at most ${B.loraRank}); default the recipe's (8; TRL 16). Refused without LoRA`,
    ),
  loraAlpha: loraAlphaInput
    .optional()
    .describe(
      "With variant lora (or trainer trl and peft lora / qlora): lora_alpha in the training configs, the adapters' update scaled by alpha / rank; default twice the rank, as MindSpeed-MM's LoRA examples (r 8, alpha 16)",
    ),
  overwrite: z.boolean().default(false).describe("Replace existing files that differ"),
  trainer: z
    .enum(["mindspeed-mm", "trl"])
    .default("mindspeed-mm")
    .describe(
      "mindspeed-mm (Ascend hosts) or trl: one PEP 723 Python script for TRL on a CUDA host (model: a Hugging Face id or directory)",
    ),
  method: z
    .enum(TRL_METHODS as [string, ...string[]])
    .optional()
    .describe("With trainer trl: sft, dpo, grpo or reward (default sft)"),
  peft: z.enum(["lora", "qlora", "full"]).default("lora").describe("With trainer trl: LoRA, QLoRA (4-bit) or full"),
  bf16: z.boolean().default(true).describe("Train in bf16 with trainer trl (check_env says whether the GPUs can)"),
  hubModelId: z.string().optional().describe("With trainer trl: push the result to this Hub repo (needs HF_TOKEN)"),
  columnMapping: z
    .record(z.string(), z.string())
    .optional()
    .describe('With trainer trl: dataset column renames applied on load, e.g. {"question": "prompt"}'),
  trlRelease: z.string().optional().describe("With trainer trl: the TRL release to pin (default the newest known)"),
  flavor: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
    .optional()
    .describe("On a Hugging Face Jobs host: the hardware flavor, e.g. a10g-large (default the host's)"),
  jobTimeout: z
    .string()
    .regex(/^\d{1,7}(\.\d{1,3})?[smhd]?$/, 'seconds, or a number with s, m, h or d ("90m", "2h")')
    .optional()
    .describe('On a Hugging Face Jobs host: the job\'s timeout, seconds or "90m", "2h" (default the host\'s)'),
});

const Output = z.object({
  model: z.string(),
  release: z.string(),
  variant: z.string(),
  host: z.string(),
  outputDir: z.string(),
  written: z.boolean().describe("false when an existing file differs and overwrite was not given"),
  files: z.array(FileResult),
  diffs: z.array(z.object({ path: z.string(), diff: z.string() })),
  parameters: z.object({
    backend: z.string(),
    entry: z.string(),
    tp: z.number(),
    pp: z.number(),
    cp: z.number(),
    ep: z.number(),
    dp: z.number(),
    npusPerNode: z.number(),
    nodes: z.number(),
    worldSize: z.number(),
    microBatchSize: z.number(),
    gradAccSteps: z.number(),
    globalBatchSize: z.number(),
    trainIters: z.number(),
    seqLength: z.number(),
    lr: z.number(),
    hfDir: z.string(),
    ckptDir: z.string(),
    saveDir: z.string(),
    dataset: z.string(),
  }),
  layerSplit: z.object({ llm: z.array(z.number()).nullable(), vit: z.array(z.number()).nullable() }),
  lora: z
    .object({ rank: z.number(), alpha: z.number() })
    .nullable()
    .describe("LoRA: the rank and alpha the files write (the merge scales by alpha / rank); null for a full fine-tune"),
  virtualPipeline: z
    .object({ size: z.number(), llm: z.array(z.array(z.number())), vit: z.array(z.array(z.number())) })
    .optional()
    .describe("with VPP: stages per rank and the layers of each virtual stage; layerSplit then holds the rank sums"),
  warnings: z.array(z.string()),
  missingPaths: z
    .array(z.object({ field: z.string(), path: z.string(), fix: z.string() }))
    .describe("paths the configs read that do not exist on the host yet, each with how to make it"),
  memory: z
    .object({ fits: z.boolean(), summary: z.string() })
    .nullable()
    .describe("estimate_memory for this layout: a warning, not a refusal, when it does not fit"),
  hfJobs: z
    .object({
      flavor: z.string(),
      prettyName: z.string(),
      gpus: z.number(),
      gpuModel: z.string().nullable(),
      timeoutSeconds: z.number(),
      usdPerHour: z.number(),
      costCeilingUsd: z.number().describe("the most the job can cost: hourly price x timeout, billed per minute"),
      priceSource: z.string(),
    })
    .optional()
    .describe("On a Hugging Face Jobs host: the flavor, timeout and cost estimate launch_train uses"),
});

export default defineTool({
  name: "build_configs",
  title: "Build training configs",
  description:
    "Write the MindSpeed-MM training files for a model and release on a host: data config, model config (or the FSDP2 / " +
    "trainer YAML) and a bash launch script equivalent to the upstream finetune_*.sh, with your paths, parallelism, batch " +
    "sizes and training length. With no overrides the configs equal the upstream example value for value. Validates first " +
    "(layer splits, TP vs heads, world size, global batch, release has the model, dataset keys vs the config's attr) and " +
    "writes nothing when anything is wrong; an existing different file is left alone and its diff returned unless " +
    "overwrite is true. Returns each file's role and path, the resolved parameters and the layer split. Next: convert_weights, launch_train.",
  toolset: "train",
  kind: "write",
  input: Input,
  output: Output,
  async handle(args, deps) {
    const { executor, settings } = await deps.hosts.get(args.host);
    // Either trainer's default output folder is under the workdir.
    if (!args.outputDir && !settings.workdir)
      throw new ToolError(
        `outputDir: host ${args.host} has no workdir; give an absolute outputDir${hostsWithWorkdir(deps.hosts, args.host)}.`,
      );
    if (args.trainer === "trl") return buildTrl(args, { executor, settings }, deps.now());
    refuseSplittingPaths(args);
    let plan: TrainingPlan;
    let outputDir = args.outputDir;
    try {
      // The LoRA recipe's configs sit beside the full recipe's, as its converted base and save directory do.
      outputDir ??=
        args.variant === "lora"
          ? variantConfigsDir(settings.workdir!, resolveModel(args.model).id, "lora")
          : posix.join(settings.workdir!, "configs", resolveModel(args.model).id);
      plan = resolveTrainingPlan(args.model, args.release, {
        ...args,
        outputDir,
        cannRoot: settings.cannRoot,
        workdir: settings.workdir,
      });
    } catch (error) {
      if (error instanceof PlanError)
        throw new ToolError(`${error.field}: ${error.message}`, { field: error.field, suggestion: error.suggestion });
      throw error;
    }
    if (plan.errors.length > 0) {
      throw new ToolError(`Not written; fix these first:\n${plan.errors.map((e) => `- ${e.message}`).join("\n")}`, {
        errors: plan.errors,
      });
    }
    // Refused unless inside the host's allowed directories; the resolved path is the one written (and planned).
    const resolvedDir = await ensureWritablePath(executor, settings, args.host, outputDir, "outputDir");
    if (resolvedDir !== outputDir) {
      outputDir = resolvedDir;
      plan = resolveTrainingPlan(args.model, args.release, {
        ...args,
        outputDir,
        cannRoot: settings.cannRoot,
        workdir: settings.workdir,
      });
    }
    const missingPaths = await findMissingPaths(executor, settings.workdir, plan, args);
    const datasetWarnings: string[] = [];
    const tinyWarning = async (file: string) => {
      const records = await countDatasetRecords(executor, file);
      return records === null
        ? null
        : tinyDatasetWarning(
            records,
            plan.globalBatchSize,
            plan.trainIters,
            "iterations",
            plan.microBatchSize * plan.parallel.dp,
          );
    };
    if (!args.dataset && !missingPaths.some((m) => m.field === "dataset")) {
      // The recipe's default dataset, when the host has it: how often it would be read is worth saying too.
      const file = onHost(plan.paths.dataset, settings);
      const tiny = file ? await tinyWarning(file) : null;
      if (tiny) datasetWarnings.push(tiny);
    }
    if (args.dataset) {
      deps.progress({ progress: 1, total: 3, message: `checking ${args.dataset}` });
      // Relative to the host's workdir, where the launch script runs (as prepare_dataset and validate_dataset read it).
      const datasetPath =
        args.dataset.startsWith("/") || !settings.workdir ? args.dataset : posix.join(settings.workdir, args.dataset);
      const { problems, chunk } = await checkDataset(executor, plan, datasetPath, datasetWarnings);
      const tiny = await tinyWarning(datasetPath);
      if (tiny) datasetWarnings.push(tiny);
      if (problems.length > 0) {
        throw new ToolError(
          `Not written; the dataset does not fit the data config:\n${problems.map((p) => `- ${p}`).join("\n")}`,
          { problems },
        );
      }
      const media =
        chunk === null || missingPaths.some((m) => m.field === "datasetDir")
          ? null
          : await checkMedia(executor, plan, { dataset: datasetPath, chunk, workdir: settings.workdir, args });
      if (media) datasetWarnings.push(media);
    }
    deps.progress({ progress: 2, total: 3, message: "comparing with existing files" });
    const targets = plan.files.map((f) => ({ file: f, path: posix.join(outputDir, f.name) }));
    const existing = await Promise.all(targets.map((t) => readExisting(executor, t.path)));
    // A launch script edited since its build (apply_fix, a person) takes those edits into the rebuilt one.
    const built = await readWrittenDigests(executor, outputDir);
    const carriedIn = await carryEdits(executor, { targets, existing, built, outputDir, settings });
    const diffs = targets.flatMap((t, i) => {
      const old = existing[i];
      return old !== null && old !== undefined && old !== t.file.text
        ? [{ path: t.path, diff: lineDiff(old, t.file.text) }]
        : [];
    });
    const blocked = diffs.length > 0 && !args.overwrite;
    const keptIn = new Map<number, string>();
    if (!blocked) {
      await executor.run(["mkdir", "-p", outputDir], { timeoutMs: 30_000 });
      // A file changed since the last build wrote it (apply_fix's edits, a person's) is copied aside before it is
      // replaced: overwrite replaces what a build wrote, never loses what was done to it afterwards.
      const stamp = editStamp(deps.now());
      for (const [i, t] of targets.entries()) {
        const mode = t.file.format === "bash" ? 0o750 : 0o640;
        const file = { name: t.file.name, path: t.path, old: existing[i], new: t.file.text, mode };
        // Every edit carried into the new text: nothing to copy aside.
        const copy = carriedIn.get(i)?.complete ? null : await keepEdits(executor, file, built, stamp);
        if (copy) keptIn.set(i, copy);
      }
      for (const [i, t] of targets.entries()) {
        if (existing[i] === t.file.text) continue;
        await executor.writeFile(t.path, t.file.text, {
          exclusive: existing[i] === null,
          mode: t.file.format === "bash" ? 0o750 : 0o640,
        });
      }
      // The text the build itself makes from its inputs, carried edits left out: a later rebuild then sees them as
      // edits again, and carries them again.
      await recordWrittenDigests(
        executor,
        outputDir,
        plan.files.map((f) => ({ name: f.name, text: f.text })),
      );
      // What this build was given, so a hint that rebuilds (a new save directory) repeats every input.
      await recordBuildInputs(
        executor,
        outputDir,
        inputsToRecord(args, Input.safeParse({ model: args.model }).data ?? {}),
      );
    }
    deps.progress({ progress: 3, total: 3, message: blocked ? "existing files differ; nothing written" : "written" });
    const p = plan.parallel;
    return {
      model: plan.model,
      release: plan.release,
      variant: plan.variant,
      host: args.host,
      outputDir,
      written: !blocked,
      files: targets.map((t, i) => ({
        role: t.file.role,
        path: t.path,
        upstream: t.file.upstream,
        status:
          existing[i] === t.file.text
            ? ("unchanged" as const)
            : !blocked
              ? ("written" as const)
              : existing[i] !== null
                ? ("differs" as const)
                : ("skipped" as const),
        editsKeptIn: keptIn.get(i) ?? null,
        ...(carriedIn.has(i)
          ? { editsCarried: carriedIn.get(i)!.carried, editsLeftOut: carriedIn.get(i)!.leftOut }
          : {}),
      })),
      diffs,
      parameters: {
        backend: plan.backend,
        entry: plan.entry,
        ...p,
        microBatchSize: plan.microBatchSize,
        gradAccSteps: plan.gradAccSteps,
        globalBatchSize: plan.globalBatchSize,
        trainIters: plan.trainIters,
        seqLength: plan.seqLength,
        lr: plan.lr,
        hfDir: plan.paths.hfDir,
        ckptDir: plan.paths.ckptDir,
        saveDir: plan.paths.saveDir,
        dataset: plan.paths.dataset,
      },
      layerSplit: plan.layerSplit,
      lora: plan.lora,
      ...(plan.vpp && plan.vppLayerSplit ? { virtualPipeline: { size: plan.vpp, ...plan.vppLayerSplit } } : {}),
      warnings: [
        ...plan.warnings,
        ...datasetWarnings,
        ...missingPaths.map((m) => `${m.field} ${m.path} does not exist on the host`),
      ],
      missingPaths,
      memory: layoutMemory(plan),
    };
  },
  failed: (r) => !r.written,
  summarize: (r) => {
    // The call that starts what was written: launch_train shows its plan and pre-flight first.
    const script = r.files.find((f) => f.role === "launch-script")?.path;
    const next =
      r.written && script
        ? `\nNext${r.missingPaths.length > 0 ? " (once the paths above exist)" : ""}: ${callHint("launch_train", { host: r.host, script })} shows its plan and pre-flight; add ${argsHint({ confirm: true })} to start the run.`
        : "";
    if (r.parameters.backend === "trl") {
      const f = r.files[0]!;
      const head = r.written
        ? `${r.variant} script for ${r.model} (TRL ${r.release.replace(/^trl /, "")}): ${f.path} (${f.status})`
        : `${r.variant} script for ${r.model}: nothing written; ${f.path} differs (pass ${argsHint({ overwrite: true })} to replace)`;
      const p = r.parameters;
      const warnings = r.warnings.map((w) => `\nwarning: ${w}`).join("");
      const where = r.hfJobs
        ? `Hugging Face job on ${r.hfJobs.flavor} (${r.hfJobs.prettyName}, $${r.hfJobs.usdPerHour.toFixed(2)}/h), timeout ${r.hfJobs.timeoutSeconds} s: at most $${r.hfJobs.costCeilingUsd.toFixed(2)}`
        : `accelerate launch on ${p.npusPerNode} GPUs`;
      const lora = r.lora ? `, LoRA rank ${r.lora.rank} alpha ${r.lora.alpha}` : "";
      return `${head}${warnings}${keptNotes(r.files).join("")}\n${where}, ${p.trainIters} steps${lora}, batch ${p.microBatchSize} x GA ${p.gradAccSteps} per GPU, lr ${p.lr}, output ${p.saveDir}${next}`;
    }
    const head = r.written
      ? `${r.model} @ ${r.release}: ${r.files.filter((f) => f.status === "written").length} file(s) written to ${r.outputDir}`
      : `${r.model} @ ${r.release}: nothing written; ${r.diffs.length} existing file(s) differ (pass ${argsHint({ overwrite: true })} to replace)`;
    const p = r.parameters;
    const split = r.virtualPipeline
      ? `, VPP ${r.virtualPipeline.size}, LLM layers per virtual stage ${JSON.stringify(r.virtualPipeline.llm)}`
      : r.layerSplit.llm
        ? `, LLM split ${JSON.stringify(r.layerSplit.llm)}`
        : "";
    const lora = r.lora ? `, LoRA rank ${r.lora.rank} alpha ${r.lora.alpha}` : "";
    const missing = r.missingPaths.map((m) => `\nwarning: ${m.field} ${m.path} does not exist on the host; ${m.fix}`);
    const memory = r.memory && !r.memory.fits ? `\nwarning: ${r.memory.summary}` : "";
    const epochs = r.warnings.filter(
      (w) => (w.startsWith("dataset: ") && w.includes(" epochs over the data")) || w.startsWith("Global batch "),
    );
    const tiny = epochs.map((w) => `\nwarning: ${w}`).join("");
    const media = r.warnings
      .filter((w) => w.startsWith("datasetDir: "))
      .map((w) => `\nwarning: ${w.slice("datasetDir: ".length)}`)
      .join("");
    const kept = keptNotes(r.files);
    return `${head}${missing.join("")}${media}${memory}${tiny}${kept.join("")}\n${p.backend}: TP${p.tp} PP${p.pp} CP${p.cp} DP${p.dp} on ${p.nodes}x${p.npusPerNode} NPUs, GBS ${p.globalBatchSize} (MBS ${p.microBatchSize} x GA ${p.gradAccSteps} x DP ${p.dp})${split}${lora}\n${alignColumns(r.files.map((f) => [f.role, f.path, `(${f.status})`])).join("\n")}${next}`;
  },
});

/**
 * MindSpeed-MM's launch scripts pass paths inside unquoted argument strings (GPT_ARGS="--load $LOAD_PATH …", then
 * $GPT_ARGS), so a path with a space or a glob character would be split or expanded when the run starts. Refused
 * here, before anything is written, rather than failing in the run.
 */
function refuseSplittingPaths(args: BuildArgs): void {
  for (const field of ["outputDir", "ckptDir", "saveDir", "hfDir", "dataset", "datasetDir"] as const) {
    const value = args[field];
    if (value === undefined) continue;
    const bad = /[\s*?[\]]/.exec(value);
    if (bad)
      throw new ToolError(
        `${field}: "${value}" holds ${/\s/.test(bad[0]) ? "whitespace" : `"${bad[0]}"`}; MindSpeed-MM's launch script passes it unquoted inside an argument string, where it would be split or expanded. Choose a path without spaces or * ? [ ] (a symlink without them to the same place works).`,
        { field },
      );
  }
}

/** One note per file whose edits since its build were copied aside before it was replaced, and what was carried. */
function keptNotes(files: BuildOut["files"]): string[] {
  return files
    .filter((f) => f.editsKeptIn || f.editsCarried?.length || f.editsLeftOut?.length)
    .map((f) => {
      const said = [`\nnote: ${f.path} had been edited since it was built (apply_fix or by hand)`];
      if (f.editsCarried?.length) said.push(`carried into the new script: ${f.editsCarried.join(", ")}`);
      if (f.editsLeftOut?.length) said.push(`not carried: ${f.editsLeftOut.join(", ")}`);
      if (f.editsKeptIn)
        said.push(
          `that version is kept in ${f.editsKeptIn} — compare and carry the other edits over if they still apply (diff ${f.editsKeptIn} ${f.path})`,
        );
      return `${said.join("; ")}.`;
    });
}

/**
 * For each launch script the rebuild replaces that was edited since the last build wrote it: the edits carried into
 * the new text (carry-edits.ts), by target index. Only where the last build's text can be rebuilt from its recorded
 * inputs and is exactly what that build wrote (its recorded digest), so that every carried line is a real edit.
 */
async function carryEdits(
  executor: HostExecutor,
  ctx: {
    targets: { file: TrainingPlan["files"][number]; path: string }[];
    existing: (string | null | undefined)[];
    built: Record<string, string>;
    outputDir: string;
    settings: { cannRoot?: string; workdir?: string };
  },
): Promise<Map<number, CarriedEdits>> {
  const out = new Map<number, CarriedEdits>();
  const edited = ctx.targets.flatMap((t, i) => {
    const old = ctx.existing[i];
    const recorded = ctx.built[t.file.name];
    return t.file.format === "bash" && old && old !== t.file.text && recorded && recorded !== contentDigest(old)
      ? [i]
      : [];
  });
  if (edited.length === 0) return out;
  const inputs = await readBuildInputs(executor, ctx.targets[edited[0]!]!.path);
  if (!inputs) return out;
  let before: TrainingPlan;
  try {
    before = resolveTrainingPlan(inputs.model as string, inputs.release as string | undefined, {
      ...(inputs as TrainingParams),
      outputDir: ctx.outputDir,
      cannRoot: ctx.settings.cannRoot,
      workdir: ctx.settings.workdir,
    });
  } catch {
    return out;
  }
  for (const i of edited) {
    const t = ctx.targets[i]!;
    const was = before.files.find((f) => f.name === t.file.name);
    if (!was || contentDigest(was.text) !== ctx.built[t.file.name]) continue;
    const merged = carryScriptEdits(was.text, ctx.existing[i]!, t.file.text);
    if (merged.carried.length === 0 && merged.leftOut.length === 0) continue;
    t.file = { ...t.file, text: merged.text };
    out.set(i, merged);
  }
  return out;
}

/** A dataset that names a file on the host (a path or a .json/.jsonl name), resolved from the workdir; null for a Hub id. */
function datasetFileOnHost(dataset: string, workdir: string | undefined, hubOnly: boolean): string | null {
  if (hubOnly) return null;
  if (dataset.startsWith("/")) return dataset;
  if (!/\.jsonl?$/i.test(dataset) && !dataset.startsWith("./") && !dataset.startsWith("~")) return null;
  return workdir && !dataset.startsWith("~") ? posix.join(workdir, dataset) : dataset;
}

type BuildArgs = z.output<typeof Input>;
type BuildOut = z.output<typeof Output>;

/** build_configs with trainer trl: one training script, reported in the same shape as the MindSpeed-MM files. */
async function buildTrl(
  args: BuildArgs,
  host: { executor: HostExecutor; settings: import("../hosts/inventory.js").HostSettings },
  now: Date,
): Promise<BuildOut> {
  const method = (args.method ?? "sft") as (typeof TRL_METHODS)[number];
  if (!args.dataset)
    throw new ToolError("dataset: trainer trl needs a dataset (a Hugging Face id or a file on the host).");
  const hf =
    host.settings.accelerator === "hf-jobs"
      ? planHfJob(
          {
            model: args.model,
            dataset: args.dataset,
            ...(args.flavor ? { flavor: args.flavor } : {}),
            ...(args.jobTimeout !== undefined ? { timeout: args.jobTimeout } : {}),
            ...(args.hubModelId ? { hubModelId: args.hubModelId } : {}),
          },
          host.settings,
        )
      : null;
  const built = await buildTrlConfigs(
    {
      host: args.host,
      method,
      model: args.model,
      dataset: args.dataset,
      peft: args.peft,
      ...(args.outputDir ? { outputDir: args.outputDir } : {}),
      ...(args.saveDir || hf ? { saveDir: args.saveDir ?? `/tmp/outputs/trl-${method}` } : {}),
      ...(args.trlRelease ? { trlRelease: args.trlRelease } : {}),
      ...(args.trainIters ? { trainIters: args.trainIters } : {}),
      ...(args.lr ? { lr: args.lr } : {}),
      ...(args.microBatchSize ? { microBatchSize: args.microBatchSize } : {}),
      ...(args.saveInterval ? { saveInterval: args.saveInterval } : {}),
      bf16: args.bf16,
      ...(args.hubModelId ? { hubModelId: args.hubModelId } : {}),
      ...(args.columnMapping ? { columnMapping: args.columnMapping } : {}),
      ...(args.loraRank !== undefined ? { loraRank: args.loraRank } : {}),
      ...(args.loraAlpha !== undefined ? { loraAlpha: args.loraAlpha } : {}),
      overwrite: args.overwrite,
      editStamp: editStamp(now),
    },
    host,
  );
  // A Jobs host: the flavor's GPUs and price, and the choice left beside the script for launch_train.
  const r = hf ? { ...built, gpus: Math.max(1, hf.plan.gpus), warnings: [...built.warnings, ...hf.warnings] } : built;
  // A dataset file on the host (not a Hub id): warn when the run would read it many times over.
  const datasetFile = datasetFileOnHost(args.dataset, host.settings.workdir, Boolean(hf));
  const records = datasetFile ? await countDatasetRecords(host.executor, datasetFile) : null;
  const tiny =
    records === null
      ? null
      : tinyDatasetWarning(records, r.microBatchSize * r.gradAccSteps * r.gpus, r.maxSteps, "steps");
  if (tiny) r.warnings = [...r.warnings, tiny];
  if (hf && built.status !== "differs") await writeHfJobSidecar(host.executor, built.script, hf.plan);
  const info = TRL_METHOD_INFO[method];
  return {
    model: args.model,
    release: `trl ${r.release}`,
    variant: method,
    host: args.host,
    outputDir: r.outputDir,
    written: r.status !== "differs",
    files: [
      {
        role: "launch-script",
        path: r.script,
        upstream: `${info.trainer} (${info.docs})`,
        status: r.status,
        editsKeptIn: r.editsKeptIn,
      },
    ],
    diffs: r.diff ? [{ path: r.script, diff: r.diff }] : [],
    parameters: {
      backend: "trl",
      entry: hf ? "Hugging Face job (uv run)" : "accelerate launch",
      tp: 1,
      pp: 1,
      cp: 1,
      ep: 1,
      dp: r.gpus,
      npusPerNode: r.gpus,
      nodes: 1,
      worldSize: r.gpus,
      microBatchSize: r.microBatchSize,
      gradAccSteps: r.gradAccSteps,
      globalBatchSize: r.microBatchSize * r.gradAccSteps * r.gpus,
      trainIters: r.maxSteps,
      seqLength: 0,
      lr: r.lr,
      hfDir: args.model,
      ckptDir: "",
      saveDir: r.saveDir,
      dataset: args.dataset,
    },
    layerSplit: { llm: null, vit: null },
    lora: r.lora,
    warnings: r.warnings,
    missingPaths: [],
    memory: null,
    ...(hf ? { hfJobs: hf.plan } : {}),
  };
}
