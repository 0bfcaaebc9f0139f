// build_configs with trainer trl: checks the dataset against the method's columns (a local file's first record; a hub
// dataset is checked when the trainer loads it), then writes the PEP 723 training script into the host's allowed
// directories, leaving an existing different file alone unless told to overwrite.
import { posix } from "node:path";
import { ToolError } from "../errors.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureWritablePath } from "../hosts/paths.js";
import { checkTrlColumns, getTrlRelease, TRL_METHOD_INFO, type TrlMethod } from "../knowledge/trl.js";
import { argsHint } from "../text/hint.js";
import { keepEdits, readWrittenDigests, recordWrittenDigests } from "./build-inputs.js";
import { firstRecordText } from "./dataset-probe.js";
import { lineDiff } from "./diff.js";
import { buildTrlScript, localDatasetFormat, TRL_LORA_RANK, type TrlPeft } from "./trl-script.js";

/** A Hugging Face repo id (`org/name` or `name`). */
export const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export interface TrlBuildRequest {
  host: string;
  method: TrlMethod;
  model: string;
  dataset: string;
  peft: TrlPeft;
  outputDir?: string;
  saveDir?: string;
  trlRelease?: string;
  trainIters?: number;
  lr?: number;
  microBatchSize?: number;
  gradAccSteps?: number;
  saveInterval?: number;
  bf16: boolean;
  hubModelId?: string;
  columnMapping?: Record<string, string>;
  /** peft lora / qlora: the adapters' rank and alpha (default 16 and twice the rank). */
  loraRank?: number;
  loraAlpha?: number;
  overwrite: boolean;
  /** The stamp of an edited copy's name, when an edited script is replaced (editStamp). */
  editStamp: string;
}

export interface TrlBuildResult {
  script: string;
  outputDir: string;
  saveDir: string;
  status: "written" | "unchanged" | "differs";
  diff: string | null;
  /** Where the script's edits since the last build were kept before it was replaced; null when there were none. */
  editsKeptIn: string | null;
  release: string;
  warnings: string[];
  datasetColumns: string[] | null;
  maxSteps: number;
  lr: number;
  microBatchSize: number;
  gradAccSteps: number;
  gpus: number;
  /** peft lora / qlora: the rank and alpha the script writes; null for peft full. */
  lora: { rank: number; alpha: number } | null;
}

function checkName(value: string, field: string): void {
  if (!(value.startsWith("/") || HUB_ID.test(value)))
    throw new ToolError(`${field}: "${value}" is neither a Hugging Face id (org/name) nor an absolute path.`);
  if (/[\n\r"\\]/.test(value)) throw new ToolError(`${field}: quotes, backslashes and line breaks are not allowed.`);
}

async function datasetColumns(executor: HostExecutor, dataset: string): Promise<string[]> {
  let chunk: string;
  try {
    chunk = (await executor.readFile(dataset, { maxBytes: 4 * 1024 * 1024 })).content;
  } catch (error) {
    if (error instanceof HostFileError)
      throw new ToolError(`dataset: cannot read ${dataset} on the host (${error.message}).`);
    throw error;
  }
  const text = firstRecordText(chunk);
  if (!text) throw new ToolError(`dataset: ${dataset} does not start with a JSON object (JSON array or JSON Lines).`);
  try {
    const record = JSON.parse(text) as unknown;
    if (typeof record !== "object" || record === null || Array.isArray(record)) throw new Error("not an object");
    return Object.keys(record);
  } catch (error) {
    throw new ToolError(`dataset: the first record of ${dataset} is not a JSON object (${(error as Error).message}).`);
  }
}

export async function buildTrlConfigs(
  req: TrlBuildRequest,
  host: { executor: HostExecutor; settings: HostSettings },
): Promise<TrlBuildResult> {
  const { executor, settings } = host;
  checkName(req.model, "model");
  checkName(req.dataset, "dataset");
  if (req.hubModelId && !HUB_ID.test(req.hubModelId)) throw new ToolError("hubModelId: must look like org/name.");
  for (const [from, to] of Object.entries(req.columnMapping ?? {}))
    if (!/^[A-Za-z_][\w.-]*$/.test(from) || !/^[A-Za-z_][\w.-]*$/.test(to))
      throw new ToolError(`columnMapping: "${from}" → "${to}" is not a pair of column names.`);
  const loraField = req.loraRank !== undefined ? "loraRank" : req.loraAlpha !== undefined ? "loraAlpha" : null;
  if (loraField && req.peft === "full")
    throw new ToolError(
      `${loraField}: peft full trains every weight and no LoRA adapters, so a LoRA ${loraField === "loraRank" ? "rank" : "alpha"} has nothing to set; pass ${argsHint({ peft: "lora" })} (or qlora) to train adapters with it.`,
      { field: loraField },
    );
  let release: ReturnType<typeof getTrlRelease>;
  try {
    release = getTrlRelease(req.trlRelease);
  } catch (error) {
    throw new ToolError(`trlRelease: ${(error as Error).message}`);
  }
  const warnings: string[] = [];
  let columns: string[] | null = null;
  if (req.dataset.startsWith("/")) {
    if (!localDatasetFormat(req.dataset))
      throw new ToolError("dataset: a local dataset must be a .json, .jsonl, .parquet or .csv file.");
    if (localDatasetFormat(req.dataset) === "json") {
      columns = await datasetColumns(executor, req.dataset);
      const mapping = req.columnMapping ?? {};
      const renamed = columns.map((c) => mapping[c] ?? c);
      const check = checkTrlColumns(req.method, renamed);
      if (!check.ok) {
        const info = TRL_METHOD_INFO[req.method];
        const fix =
          Object.keys(check.mapping).length > 0
            ? ` Apply the mapping ${JSON.stringify(check.mapping)} (columnMapping), or rename them in the file.`
            : ` Add ${check.missing.join(", ")} to each record.`;
        throw new ToolError(
          `dataset: ${info.trainer} reads ${info.columnSets.map((s) => s.join("+")).join(" or ")}; ${req.dataset} has ` +
            `${columns.join(", ") || "no columns"}, missing ${check.missing.join(", ")}.${fix} See ${info.docs}.`,
          { missing: check.missing, mapping: check.mapping, columns },
        );
      }
      // TRL's reward modelling docs: an implicit-prompt preference dataset, chosen and rejected only.
      if (req.method === "reward" && renamed.includes("prompt"))
        warnings.push(
          "dataset: RewardTrainer reads implicit-prompt pairs (chosen and rejected, no prompt column): put the prompt " +
            "at the start of both chosen and rejected, or drop the column.",
        );
    } else warnings.push(`dataset: the columns of ${req.dataset} are checked when the trainer loads it.`);
  } else warnings.push(`dataset: ${req.dataset} is on the Hub; its columns are checked when the trainer loads it.`);
  if (!req.bf16) warnings.push("bf16 is off: training runs in fp32 (set bf16 on Ampere or newer GPUs).");

  const workdir = settings.workdir;
  let outputDir = req.outputDir ?? (workdir ? posix.join(workdir, "configs", `trl-${req.method}`) : undefined);
  if (!outputDir) throw new ToolError(`outputDir: host ${req.host} has no workdir; give an absolute outputDir.`);
  outputDir = await ensureWritablePath(executor, settings, req.host, outputDir, "outputDir");
  const saveDir =
    req.saveDir ?? (workdir ? posix.join(workdir, "outputs", `trl-${req.method}`) : posix.join(outputDir, "out"));
  checkName(saveDir.startsWith("/") ? saveDir : `/${saveDir}`, "saveDir");
  const maxSteps = req.trainIters ?? 500;
  const info = TRL_METHOD_INFO[req.method];
  const lr = req.lr ?? (req.peft === "full" ? info.loraLearningRate / 10 : info.loraLearningRate);
  const microBatchSize = req.microBatchSize ?? (req.method === "grpo" ? 8 : 2);
  const gradAccSteps = req.gradAccSteps ?? 4;
  const rank = req.loraRank ?? TRL_LORA_RANK;
  const lora = req.peft === "full" ? null : { rank, alpha: req.loraAlpha ?? 2 * rank };
  const text = buildTrlScript({
    method: req.method,
    model: req.model,
    dataset: req.dataset,
    peft: req.peft,
    outputDir: saveDir,
    release,
    maxSteps,
    learningRate: lr,
    perDeviceBatchSize: microBatchSize,
    gradientAccumulationSteps: gradAccSteps,
    saveSteps: req.saveInterval ?? Math.max(1, Math.floor(maxSteps / 2)),
    bf16: req.bf16,
    ...(req.hubModelId ? { hubModelId: req.hubModelId } : {}),
    ...(req.columnMapping ? { columnMapping: req.columnMapping } : {}),
    ...(lora ? { loraRank: lora.rank, loraAlpha: lora.alpha } : {}),
  });
  const script = posix.join(outputDir, `train_${req.method}.py`);
  let existing: string | null = null;
  try {
    existing = (await executor.readFile(script, { maxBytes: 4 * 1024 * 1024 })).content;
  } catch (error) {
    if (!(error instanceof HostFileError && error.code === "ENOENT")) throw error;
  }
  const base = {
    script,
    outputDir,
    saveDir,
    release: release.trl,
    warnings,
    datasetColumns: columns,
    lora,
    maxSteps,
    lr,
    microBatchSize,
    gradAccSteps,
    gpus: settings.npusPerNode,
  };
  if (existing === text) return { ...base, status: "unchanged", diff: null, editsKeptIn: null };
  if (existing !== null && !req.overwrite)
    return { ...base, status: "differs", diff: lineDiff(existing, text), editsKeptIn: null };
  await executor.run(["mkdir", "-p", outputDir], { timeoutMs: 30_000 });
  // Edits made to the script since the last build wrote it are kept beside it before it is replaced.
  const name = posix.basename(script);
  const file = { name, path: script, old: existing, new: text, mode: 0o640 };
  const editsKeptIn = await keepEdits(executor, file, await readWrittenDigests(executor, outputDir), req.editStamp);
  await executor.writeFile(script, text, { exclusive: existing === null, mode: 0o640 });
  await recordWrittenDigests(executor, outputDir, [{ name, text }]);
  return { ...base, status: "written", diff: null, editsKeptIn };
}
