// prepare_dataset: converts LLaVA/conversation JSON to MindSpeed-MM's MLLM format (or back) on the host, validating
// every record on the way. One streaming pass next to the data; the output appears atomically or not at all.
import { posix } from "node:path";
import { z } from "zod";
import { type AttrCheck, checkDatasetAgainstAttr } from "../datasets/attr.js";
import {
  type Container,
  DATASET_FORMATS,
  type DataAttr,
  type DatasetFamily,
  DEFAULT_ATTR,
  mllmKeys,
  type RecordFormat,
} from "../datasets/formats.js";
import {
  DatasetProblem,
  formatCounts,
  formatProblems,
  moveIntoPlace,
  resultCounts,
  runDatasetScript,
  tempNameFor,
} from "../datasets/host-run.js";
import {
  AttrInput,
  commonInput,
  FamilyInput,
  hostPath,
  normalizeFormat,
  RecordFormatInput,
  Stats,
} from "../datasets/schema.js";
import { ensureReadable, ensureWritablePath } from "../hosts/paths.js";
import { lookupModel } from "../knowledge/lookup.js";
import { argsHint, callHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const AttrCheckOutput = z.object({ ok: z.boolean(), problems: z.array(z.string()), warnings: z.array(z.string()) });

export default defineTool({
  name: "prepare_dataset",
  title: "Convert and validate a dataset",
  description:
    "Convert a dataset file on a host between LLaVA/conversation records (`conversations`/`image`, human/gpt) and " +
    "MindSpeed-MM's MLLM format (`messages`/`images`, user/assistant), validating every record: fields, alternating " +
    "roles, <image>/<video> placeholders equal to the media count, image files present and readable JPEG/PNG. " +
    "Give `family` to get the shape that family's data config expects (Qwen/GLM: MLLM JSON; InternVL: conversation " +
    "JSONL; DeepSeekVL2: conversation JSON; DeepSeek-OCR: its <|User|>/<|Assistant|> JSONL with one image; Ming: MLLM JSON with fixed keys, an image per record, no system turn or videos). Reads JSON arrays and JSON Lines, streaming. Refuses to overwrite unless " +
    "`overwrite: true`; if any record is invalid nothing is written (set `skipInvalid: true` to keep only valid ones). " +
    "Next: point the data config at the output (build_configs).",
  toolset: "data",
  kind: "write",
  input: z.object({
    host: commonInput.host,
    input: hostPath("Input dataset file"),
    output: hostPath("Output file to create"),
    family: FamilyInput.optional(),
    from: z
      .enum(["auto", "mllm", "conversation", "llava", "ocr"])
      .default("auto")
      .describe("Input record format; auto decides per record from its keys."),
    to: RecordFormatInput.optional().describe("Output record format (default: the family's, else mllm)."),
    outputFormat: z
      .enum(["json", "jsonl"])
      .optional()
      .describe("json array or JSON Lines (default: the family's, else from the output's extension)."),
    imageDir: commonInput.imageDir,
    imagePrefix: z
      .string()
      .optional()
      .describe("Prefix joined to relative image/video paths in the output (e.g. ./data/COCO2017/train2017)."),
    attr: AttrInput.optional(),
    checkImages: commonInput.checkImages,
    skipInvalid: z.boolean().default(false).describe("Write only the valid records instead of failing."),
    overwrite: z.boolean().default(false).describe("Replace an existing output file."),
    maxProblems: commonInput.maxProblems,
    timeoutSec: commonInput.timeoutSec,
  }),
  output: z.object({
    host: z.string(),
    input: z.string(),
    output: z.string(),
    from: z.string().describe("record formats found, e.g. conversation"),
    to: z.enum(["mllm", "conversation", "ocr"]),
    inputContainer: z.enum(["json", "jsonl"]),
    outputFormat: z.enum(["json", "jsonl"]),
    written: z.number().describe("records written"),
    ...Stats,
    problems: z.array(DatasetProblem),
    attrCheck: AttrCheckOutput.nullable().describe("the first written record against the data config's attr"),
    imageRoot: z
      .string()
      .nullable()
      .describe(
        "the folder the output's relative image paths resolve against (validate_dataset imageDir, build_configs datasetDir)",
      ),
    next: z.string().describe("the validate_dataset call that accepts the output, and the build_configs arguments"),
  }),
  async handle(args, deps) {
    const { executor, settings } = await deps.hosts.get(args.host);
    const family = args.family as DatasetFamily | undefined;
    const spec = family ? DATASET_FORMATS[family] : undefined;
    const to: RecordFormat = args.to ? normalizeFormat(args.to) : (spec?.record ?? "mllm");
    if (spec && to !== spec.record) {
      deps.log("warning", `${family} expects ${spec.record} records; writing ${to} as asked.`);
    }
    const outputFormat: Container =
      args.outputFormat ?? spec?.container ?? (/\.jsonl$/i.test(args.output) ? "jsonl" : "json");
    if (posix.normalize(args.input) === posix.normalize(args.output)) {
      throw new ToolError("input and output are the same file; write to a new file.");
    }
    const attr: DataAttr = args.attr ?? {};
    // Refused unless it lies inside the host's allowed directories (symlinks and `..` resolved on the host).
    const output = await ensureWritablePath(executor, settings, args.host, args.output, "output");
    // The dataset job reads with its own program, not readFile: the read guard is applied here, before it starts (to
    // imageDir too when the images are opened).
    await ensureReadable(executor, args.input, "input");
    if (args.imageDir && args.checkImages) await ensureReadable(executor, args.imageDir, "imageDir");
    const tmp = tempNameFor(output);
    const cwd = settings.workdir;
    const started = Date.now();
    const cleanup = () => executor.run(["rm", "-f", "--", tmp], { cwd, timeoutMs: 30_000 }).catch(() => undefined);
    const result = await runDatasetScript(
      executor,
      {
        input: args.input,
        output,
        tmp,
        from: args.from === "auto" ? "auto" : normalizeFormat(args.from),
        to,
        // The family's dataset class rules (Ming: fixed keys, an image per record, no system turn or videos), only
        // when writing the family's own record format.
        ...(spec?.rules && to === spec.record ? { rules: spec.rules } : {}),
        outputFormat,
        keys: mllmKeys(attr),
        imageDir: args.imageDir ?? (posix.dirname(args.input) || "."),
        imagePrefix: args.imagePrefix,
        checkImages: args.checkImages,
        skipInvalid: args.skipInvalid,
        overwrite: args.overwrite,
        maxProblems: args.maxProblems,
      },
      {
        cwd,
        timeoutMs: args.timeoutSec * 1000,
        signal: deps.signal,
        onProgress: (bytes, total, records) =>
          deps.progress({
            progress: bytes,
            total,
            unit: "bytes",
            message: `${records.toLocaleString("en-US")} records`,
          }),
      },
    ).catch(async (error: unknown) => {
      await cleanup();
      throw error;
    });
    const onHost = (p: string) => (p.startsWith("/") || !cwd ? p : posix.join(cwd, p));
    const foundIn = onHost(args.imageDir ?? (posix.dirname(args.input) || "."));
    const missingMedia = Object.keys(result.problemCounts).some((k) => /^(image|video)-(missing|outside)$/.test(k));
    const lookedIn = missingMedia
      ? `\nImage paths were read from ${foundIn}; pass ${argsHint({ imageDir: "<folder they are relative to>" })} if they are relative to another folder.`
      : "";
    if (result.invalid > 0 && !args.skipInvalid) {
      throw new ToolError(
        `${result.invalid} of ${result.records} records in ${args.input} are invalid (${formatCounts(result.problemCounts)}); ` +
          `nothing was written. First ${result.problems.length}:\n${formatProblems(result.problems)}\n` +
          `Fix them, or pass ${argsHint({ skipInvalid: true })} to write only the valid records.${lookedIn}`,
        { problems: result.problems, problemCounts: result.problemCounts },
      );
    }
    if (result.written === 0) {
      throw new ToolError(`${args.input} has no valid records (${result.records} read); nothing was written.`, {
        problems: result.problems,
      });
    }
    await moveIntoPlace(executor, tmp, output, args.overwrite, cwd);
    // The output keeps relative image paths (or joins them to imagePrefix): validate_dataset and the data config
    // must read them from the folder they were found in, not from the output's own folder.
    const imageRoot = args.imagePrefix ? null : posix.normalize(foundIn);
    const outputDir = posix.normalize(onHost(posix.dirname(args.output) || "."));
    const rootArgs = imageRoot && imageRoot !== outputDir ? { imageDir: imageRoot } : {};
    const validate = callHint("validate_dataset", {
      host: args.host,
      path: args.output,
      ...rootArgs,
      ...(family ? { family } : {}),
    });
    // With a family, its first model in the catalogue stands in (the person changes the size); without one, the
    // call is described, never printed with a placeholder.
    const found = family ? lookupModel(family) : null;
    const model =
      found?.status === "model" ? found.model.id : found?.status === "family" ? found.candidates[0]!.id : null;
    const buildArgs = {
      host: args.host,
      dataset: args.output,
      ...(imageRoot && imageRoot !== outputDir ? { datasetDir: imageRoot } : {}),
    };
    const build = model
      ? `${callHint("build_configs", { ...buildArgs, model })} (or another ${family} size)`
      : `build_configs for your model (${callHint("find_model")} lists them) with ${argsHint(buildArgs)}`;
    const unchecked = args.checkImages ? "" : "Image files were not checked here; validate_dataset checks them. ";
    // validate_dataset reads only paths under its image folder: absolute ones (an absolute imagePrefix) it refuses.
    const absolutePrefix = args.imagePrefix?.startsWith("/") ?? false;
    const rewrite = callHint("prepare_dataset", {
      host: args.host,
      input: args.input,
      output: args.output,
      ...(args.imageDir ? { imageDir: args.imageDir } : {}),
      ...(family ? { family } : {}),
      overwrite: true,
    });
    const next = absolutePrefix
      ? `${unchecked}The image paths in ${args.output} are absolute (imagePrefix), and validate_dataset reads only paths relative to an image folder; to check it, write it without imagePrefix (${rewrite}) and follow the validate_dataset call that prints.`
      : `${unchecked}Check it with ${validate}, then write the configs with ${build}.`;
    let attrCheck: AttrCheck | null = null;
    if (to === "mllm") attrCheck = checkDatasetAgainstAttr(result.firstRecord, args.attr ?? DEFAULT_ATTR);
    return {
      host: args.host,
      input: args.input,
      output: args.output,
      from: Object.keys(result.recordFormats).join(", ") || "none",
      to,
      inputContainer: result.container,
      outputFormat,
      written: result.written,
      ...resultCounts(result, started),
      attrCheck,
      imageRoot,
      next,
    };
  },
  summarize: (r) => {
    const skipped = r.invalid > 0 ? `, skipped ${r.invalid} invalid (${formatCounts(r.problemCounts)})` : "";
    const attr = r.attrCheck && !r.attrCheck.ok ? `\nattr mismatch: ${r.attrCheck.problems.join("; ")}` : "";
    return `Wrote ${r.written} ${r.to} records (${r.outputFormat}) to ${r.output} in ${r.seconds} s${skipped}.${attr}\nNext: ${r.next}`;
  },
});
