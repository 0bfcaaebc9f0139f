// validate_dataset: one streaming pass over a dataset file on the host; reports the first problems with record indices.
import { posix } from "node:path";
import { z } from "zod";
import { datasetFamilyForModel } from "../configs/dataset-probe.js";
import { checkDatasetAgainstAttr } from "../datasets/attr.js";
import { DATASET_FORMATS, type DataAttr, type DatasetFamily, DEFAULT_ATTR, mllmKeys } from "../datasets/formats.js";
import { DatasetProblem, formatCounts, formatProblems, resultCounts, runDatasetScript } from "../datasets/host-run.js";
import { AttrInput, commonInput, FamilyInput, hostPath, normalizeFormat, Stats } from "../datasets/schema.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureReadable, explainRelativeMiss } from "../hosts/paths.js";
import { argsHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

/**
 * The error for a relative dataset path that is not a file on the host: where it was looked for, the rule, and the
 * call with the path probably meant. Null when the path is absolute or there (the dataset job's own error stands).
 */
async function missingDataset(
  executor: HostExecutor,
  host: string,
  settings: HostSettings,
  path: string,
): Promise<ToolError | null> {
  const miss = await explainRelativeMiss(executor, host, settings, path);
  if (!miss) return null;
  const retry = miss.corrected ? ` Call again with ${argsHint({ path: miss.corrected })}.` : "";
  return new ToolError(
    `${path}: ${miss.resolved} does not exist on ${host} or is not a file: ${miss.rule}.${miss.meant ? ` ${miss.meant}` : ""}${retry}`,
  );
}

export default defineTool({
  name: "validate_dataset",
  title: "Validate a dataset",
  description:
    "Check a training dataset file on a host (JSON array or JSON Lines, MLLM `messages`/`images`, conversation " +
    "`conversations`/`image` or DeepSeek-OCR `<|User|>`/`<|Assistant|>` records) without changing it: required fields, roles alternating user/assistant, " +
    "<image>/<video> placeholders equal to the number of images/videos, every image present and a readable JPEG/PNG " +
    "(headers only). Returns counts and the first problems with their record index. Give `family` to also check the " +
    "file has the shape that family's data config expects (ming: Ming's VLDataset also needs an image per record and no system turn or videos), and `attr` (the data config's dataset_param.attr) to check " +
    "key names. Fix problems with prepare_dataset.",
  toolset: "data",
  kind: "read",
  input: z.object({
    host: commonInput.host,
    path: hostPath("Dataset file"),
    format: z
      .enum(["auto", "mllm", "conversation", "llava", "ocr"])
      .default("auto")
      .describe("Record format; auto decides per record from its keys."),
    family: FamilyInput.optional(),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        "Model id or name (internvl2.5-4b, Qwen/Qwen2.5-VL-7B-Instruct): checks the record format its family reads",
      ),
    attr: AttrInput.optional(),
    imageDir: commonInput.imageDir,
    checkImages: commonInput.checkImages,
    maxProblems: commonInput.maxProblems,
    timeoutSec: commonInput.timeoutSec,
  }),
  output: z.object({
    host: z.string(),
    path: z.string(),
    ok: z.boolean().describe("no invalid record, and the file fits the family/attr when given"),
    container: z.enum(["json", "jsonl"]),
    recordFormats: z.record(z.string(), z.number()).describe("records per detected format"),
    ...Stats,
    problems: z.array(DatasetProblem),
    familyMismatch: z.string().nullable(),
    notes: z.array(z.string()),
    attrCheck: z.object({ ok: z.boolean(), problems: z.array(z.string()), warnings: z.array(z.string()) }).nullable(),
  }),
  async handle(args, deps) {
    const { executor, settings } = await deps.hosts.get(args.host);
    const attr: DataAttr = args.attr ?? {};
    const family = (args.family ?? (args.model ? datasetFamilyForModel(args.model) : null) ?? undefined) as
      | DatasetFamily
      | undefined;
    const rules = family ? DATASET_FORMATS[family].rules : undefined;
    // The dataset job reads with its own program, not readFile: the read guard is applied here, before it starts (to
    // imageDir too when the images are opened).
    await ensureReadable(executor, args.path, "path");
    if (args.imageDir && args.checkImages) await ensureReadable(executor, args.imageDir, "imageDir");
    const started = Date.now();
    const result = await runDatasetScript(
      executor,
      {
        input: args.path,
        from: args.format === "auto" ? "auto" : normalizeFormat(args.format),
        keys: mllmKeys(attr),
        ...(rules ? { rules } : {}),
        imageDir: args.imageDir ?? (posix.dirname(args.path) || "."),
        checkImages: args.checkImages,
        skipInvalid: true,
        overwrite: false,
        maxProblems: args.maxProblems,
      },
      {
        cwd: settings.workdir,
        timeoutMs: args.timeoutSec * 1000,
        signal: deps.signal,
        onProgress: (bytes, total, records) =>
          deps.progress({
            progress: bytes,
            total,
            unit: "bytes",
            message: `${records.toLocaleString("en-US")} records checked`,
          }),
      },
    ).catch(async (error: unknown) => {
      // The job's "does not exist" knows only the path given; a relative one is explained with where it was read.
      if (!(error instanceof ToolError)) throw error;
      throw (await missingDataset(executor, args.host, settings, args.path)) ?? error;
    });
    let familyMismatch: string | null = null;
    const notes: string[] = [];
    if (family) {
      const spec = DATASET_FORMATS[family];
      const other = Object.keys(result.recordFormats).filter((f) => f !== spec.record);
      if (other.length > 0) {
        familyMismatch = `${family} expects ${spec.record} records but the file holds ${other.join(" and ")} records; convert with prepare_dataset (family: ${family}).`;
      } else if (result.container !== spec.container) {
        notes.push(
          `${family} examples use ${spec.container === "json" ? "a JSON array" : "JSON Lines"}; this file is ${result.container}.`,
        );
      }
    }
    // A missing or outside image names the folder relative paths were read from and the option that changes it.
    const mediaProblems = Object.keys(result.problemCounts).filter((k) => /^(image|video)-(missing|outside)$/.test(k));
    if (mediaProblems.length > 0) {
      const dir = args.imageDir ?? (posix.dirname(args.path) || ".");
      const root = dir.startsWith("/") || !settings.workdir ? dir : posix.join(settings.workdir, dir);
      notes.push(
        `Image and video paths were read from ${root} (${args.imageDir ? "the imageDir given" : "the dataset file's folder, the default"}); ` +
          `if they are relative to another folder, pass ${argsHint({ imageDir: "<that folder>" })}.`,
      );
    }
    const mllm = (result.recordFormats.mllm ?? 0) > 0;
    const attrCheck =
      result.firstRecord !== null && (args.attr || (mllm && family))
        ? checkDatasetAgainstAttr(result.firstRecord, args.attr ?? DEFAULT_ATTR)
        : null;
    return {
      host: args.host,
      path: args.path,
      ok: result.invalid === 0 && result.records > 0 && familyMismatch === null && (attrCheck?.ok ?? true),
      container: result.container,
      recordFormats: result.recordFormats,
      ...resultCounts(result, started),
      familyMismatch,
      attrCheck,
      notes,
    };
  },
  failed: (r) => !r.ok,
  summarize: (r) => {
    const head = `${r.path}: ${r.records} records (${r.container}), ${r.invalid} invalid`;
    const lines = [r.invalid > 0 ? `${head} (${formatCounts(r.problemCounts)})` : head];
    if (r.problems.length > 0) lines.push(formatProblems(r.problems));
    if (r.familyMismatch) lines.push(r.familyMismatch);
    if (r.attrCheck && !r.attrCheck.ok) lines.push(`attr mismatch: ${r.attrCheck.problems.join("; ")}`);
    lines.push(...r.notes);
    return lines.join("\n");
  },
});
