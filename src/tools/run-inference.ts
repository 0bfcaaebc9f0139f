// run_inference: answers a few prompts (with images) with a trained checkpoint through upstream's inference_vlm.py,
// using the inference config and script upstream ships for the family, adapted to the trained size and TP/PP layout;
// optionally the same prompts with the base weights the run started from, side by side (refused, with the conversion
// to make, when that folder holds a base of the other kind since). A LoRA run's next step is the merge of its adapters.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { z } from "zod";
import { loraBaseMismatch, ownBaseDir } from "../convert/lora-base.js";
import { readMarker } from "../convert/marker.js";
import { existingExport } from "../export/exported.js";
import type { HostExecutor } from "../hosts/executor.js";
import { checkPathText, ensureReadable, explainRelativeMiss, type RelativePathMiss } from "../hosts/paths.js";
import { benchmarkData, scoreHint } from "../infer/benchmarks.js";
import { inferenceFamily, inferenceJson, inferenceScript, upstreamExample } from "../infer/configs.js";
import { missingFiles, parseAnswer, runEntry, writeFiles } from "../infer/run.js";
import { headRecords, samplePrompt } from "../infer/sample.js";
import {
  busyNote,
  type CheckpointSource,
  hostOf,
  mergeCall,
  ONE_SOURCE,
  probeCheckpoint,
  resolveSource,
  SourceError,
  sameSource,
  sourceInputShape,
} from "../infer/source.js";
import { argsHint, callHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const PromptSchema = z.object({
  prompt: z.string().min(1).max(4000),
  image: z.string().min(1).max(4096).optional().describe("Image on the host (absolute, or relative to the workdir)"),
});

const Answer = z.object({
  prompt: z.string(),
  image: z.string(),
  answer: z.string().nullable(),
  baseAnswer: z.string().nullable(),
  error: z.string().nullable(),
});

type Json = Record<string, unknown>;

/** How much of the training data file is read for a default question (its first records). */
const SAMPLE_HEAD_BYTES = 256 * 1024;

/** The question asked of images given without a prompt. */
const DESCRIBE = "Describe this image.";

/** Prompts from a JSONL on the host: one {"prompt", "image"} (or "query"/"images") object per line. */
export function parsePromptsJsonl(text: string): z.output<typeof PromptSchema>[] {
  const out: z.output<typeof PromptSchema>[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    let raw: Json;
    try {
      raw = JSON.parse(line) as Json;
    } catch {
      throw new ToolError(`promptsFile line ${i + 1} is not JSON.`);
    }
    const images = Array.isArray(raw.images) ? raw.images : [];
    const parsed = PromptSchema.safeParse({ prompt: raw.prompt ?? raw.query, image: raw.image ?? images[0] });
    if (!parsed.success) throw new ToolError(`promptsFile line ${i + 1}: needs "prompt" (and "image").`);
    out.push(parsed.data);
  }
  return out;
}

/**
 * "Not on <host>: …" for the files an inference needs; a relative image also names the workdir it was read from and
 * the path probably meant, with the images to pass instead when they were given as images and each is found.
 */
async function notOnHost(
  executor: HostExecutor,
  host: string,
  readFrom: { workdir: string | undefined; ssh: string | undefined },
  missing: readonly string[],
  givenAs: ReadonlyMap<string, string>,
  images: readonly string[] | undefined,
): Promise<string> {
  const misses = new Map<string, RelativePathMiss>();
  for (const path of missing) {
    const given = givenAs.get(path);
    const miss = given ? await explainRelativeMiss(executor, host, readFrom, given) : null;
    if (given && miss) misses.set(given, miss);
  }
  const list = `Not on ${host}: ${missing.join(", ")}`;
  const explained = [...misses.values()];
  if (explained.length === 0) return `${list}.`;
  const meant = explained.map((m) => m.meant).filter(Boolean);
  // The images to pass instead: each one missed replaced by the path meant, when every one has such a path.
  const missedImages = (images ?? []).filter((image) => misses.has(image));
  const retry =
    images && missedImages.length > 0 && missedImages.every((image) => misses.get(image)!.corrected !== null)
      ? ` Call again with ${argsHint({ images: images.map((image) => misses.get(image)?.corrected ?? image) })}.`
      : "";
  return `${[`${list}; ${explained[0]!.rule}.`, ...meant].join(" ")}${retry}`;
}

export function sizeOf(source: CheckpointSource): string {
  return (source.model.size ?? source.model.id.split("-").pop()!).toLowerCase();
}

export default defineTool({
  name: "run_inference",
  title: "Answer prompts with a trained checkpoint",
  description:
    "Run upstream's inference_vlm.py on a run's latest complete checkpoint (or a checkpoint directory) for a few " +
    "images and prompts (or a JSONL of them on the host), and return the answers. Writes the inference config and " +
    "script equal to upstream's inference example for the family and release, adapted to the trained size and TP/PP " +
    "layer split (upstream has no script for some sizes, e.g. Qwen2.5-VL 3B/32B: the 7B one is adapted). compareBase " +
    "also answers with the base weights the run started from, side by side. Given a run and no images, it asks about " +
    "the image of the run's first training record that has one (its own question unless prompt). Never overwrites files unless overwrite. " +
    "Next: evaluate_model, export_model.",
  toolset: "train",
  kind: "write",
  input: z
    .object({
      ...sourceInputShape("The run whose latest checkpoint answers"),
      prompts: z
        .array(PromptSchema)
        .max(16)
        .optional()
        .describe("Prompts, each {prompt, image} with an image on the host (from the CLI: --prompt with --images)"),
      prompt: z
        .string()
        .min(1)
        .max(4000)
        .optional()
        .describe('One prompt asked of every image in images (default: "Describe this image.")'),
      images: z.array(z.string().min(1).max(4096)).max(16).optional().describe("Images on the host for prompt"),
      promptsFile: z
        .string()
        .optional()
        .describe("Instead of prompts: a JSONL on the host, one {prompt, image} a line"),
      compareBase: z.boolean().default(false).describe("Also answer with the base weights the run loaded"),
      baseCheckpointDir: z
        .string()
        .optional()
        .describe("Base weights for compareBase; default the run's load directory"),
      outputDir: z
        .string()
        .optional()
        .describe("Where the config and script go; default <workdir>/.ascend-train/inference/<run>"),
      overwrite: z.boolean().default(false).describe("Replace files a previous call wrote in outputDir"),
      timeoutMinutes: z.number().int().min(1).max(120).default(15).describe("Bound on each inference_vlm.py run"),
    })
    .refine(...ONE_SOURCE),
  output: z.object({
    host: z.string(),
    runId: z.string().nullable(),
    model: z.string(),
    release: z.string(),
    checkpoint: z.object({ dir: z.string(), iteration: z.string(), tp: z.number(), pp: z.number() }),
    base: z.string().nullable(),
    upstream: z.object({ json: z.string(), script: z.string(), shipped: z.boolean() }),
    files: z.array(z.string()),
    answers: z.array(Answer),
    notes: z.array(z.string()),
    next: z.string(),
  }),
  async handle(args, deps) {
    // A run is found on whichever host records it; a checkpoint directory is on the host named, else local.
    const host = await hostOf(deps.hosts, args);
    for (const f of ["checkpointDir", "hfDir", "promptsFile", "baseCheckpointDir", "outputDir"] as const) {
      const v = args[f];
      if (v !== undefined) checkPathText(v, f);
    }
    for (const image of [...(args.images ?? []), ...(args.prompts ?? []).map((p) => p.image ?? "")])
      if (image) checkPathText(image, "image");
    const source = await resolveSource(deps.hosts, { ...args, host, tool: "run_inference" }).catch((error: Error) => {
      if (error instanceof SourceError) throw new ToolError(`${error.message} ${error.fix}`);
      throw error;
    });
    const { executor, settings, workdir, checkpoint } = source;
    const abs = (p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(workdir, p));
    let prompts = [...(args.prompts ?? [])];
    // Images without a prompt are described (upstream's inference example asks the same of its image).
    const asked = args.prompt ?? (args.images?.length ? DESCRIBE : undefined);
    if (asked)
      prompts.push(...(args.images?.length ? args.images : [undefined]).map((image) => ({ prompt: asked, image })));
    const readFrom = { workdir: workdir || undefined, ssh: settings.ssh };
    if (args.promptsFile) {
      const promptsFile = args.promptsFile;
      const text = await executor
        .readFile(abs(promptsFile), { maxBytes: 1 << 20 })
        .then((c) => c.content)
        .catch(async (error: Error) => {
          const miss = await explainRelativeMiss(executor, host, readFrom, promptsFile);
          if (!miss) throw error;
          throw new ToolError(
            `promptsFile ${miss.resolved} is not on ${host}: ${miss.rule}.${miss.meant ? ` ${miss.meant}` : ""}` +
              (miss.corrected ? ` Call again with ${argsHint({ promptsFile: miss.corrected })}.` : ""),
          );
        });
      prompts = parsePromptsJsonl(text).slice(0, 16);
    }
    // The images the caller named (directly or in promptsFile) are opened by the inference program, not readFile: the
    // read guard refuses them here, before anything reads them. A base directory given is probed by a command.
    for (const image of new Set(prompts.map((p) => p.image).filter((i): i is string => Boolean(i))))
      await ensureReadable(executor, image, "image");
    if (args.compareBase && args.baseCheckpointDir)
      await ensureReadable(executor, args.baseCheckpointDir, "baseCheckpointDir");
    const notes = [...source.notes];
    const noImages = !args.promptsFile && !args.prompts?.length && !args.images?.length;
    if (noImages && source.trainingData) {
      // No image given: the run's own first training record with an image says at once whether the tuning took.
      const data = source.trainingData;
      const head = await executor
        .readFile(data.file, { maxBytes: SAMPLE_HEAD_BYTES })
        .then((c) => c.content)
        .catch(() => "");
      const sample = headRecords(head)
        .map((r) => samplePrompt(r, data))
        .find((x) => x !== null);
      if (sample) {
        prompts = [{ prompt: args.prompt ?? sample.prompt, image: sample.image }];
        notes.push(
          `No image given: asked ${args.prompt ? "your prompt" : "its own question"} about the image of the first ` +
            `training record that has one (in ${data.file}). A record the model trained on shows whether the tuning ` +
            "took, not how it generalises: give images (and prompt) for your own.",
        );
      }
    }
    if (!prompts.length)
      throw new ToolError(
        source.record
          ? `Give images (with prompt), prompts (each with an image) or promptsFile: run ${source.record.id}'s training data has no record with an image to ask about by default.`
          : "Give images (with prompt), prompts (each with an image) or promptsFile.",
      );
    if (prompts.some((p) => !p.image))
      throw new ToolError("Every prompt needs an image on the host (images, or image in prompts).");
    const example = upstreamExample(source.model, "inference");
    const busy = await busyNote(deps.hosts, source, deps.now);
    if (busy) notes.push(busy);
    if (!example.shipped)
      notes.push(
        `Upstream has no inference example for ${source.model.id}; ${example.json} and its .sh were adapted to its size.`,
      );
    const images = prompts.map((p) => abs(p.image ?? ""));
    const missing = await missingFiles(executor, [...new Set([...images, posix.join(source.hfDir, "config.json")])]);
    if (missing.length) {
      const given = new Map(prompts.map((p, i) => [images[i]!, p.image ?? ""]));
      throw new ToolError(await notOnHost(executor, host, readFrom, missing, given, args.images));
    }

    let base: string | null = null;
    if (args.compareBase) {
      base = args.baseCheckpointDir ? abs(args.baseCheckpointDir) : source.loadDir;
      if (!base) throw new ToolError("compareBase: the run loaded no checkpoint; pass baseCheckpointDir.");
      base = abs(base);
      const baseFacts = await probeCheckpoint(executor, base).catch((error: Error) => {
        throw new ToolError(`compareBase: ${error.message}`);
      });
      if (baseFacts.tp !== source.tp || baseFacts.pp !== source.pp)
        throw new ToolError(
          `compareBase: ${base} is split tp=${baseFacts.tp}, pp=${baseFacts.pp}; the trained checkpoint tp=${source.tp}, pp=${source.pp}. Convert the base with the same layout (convert_weights).`,
        );
      // The folder the run loaded may hold the other kind of base since (converted again for a LoRA run, or back):
      // the run's model config does not load it, so the comparison would fail on the key names.
      const marker = await readMarker(executor, base).catch(() => null);
      // (The structure is the recipe's: a LoRA run's and a merged checkpoint's are the LoRA base's.)
      const loraStructure = source.variant === "lora";
      const mismatch = marker ? loraBaseMismatch(marker, loraStructure) : null;
      if (mismatch) {
        const own = ownBaseDir(base, loraStructure);
        throw new ToolError(
          `compareBase: ${base}${args.baseCheckpointDir ? "" : ` (the base ${source.record?.id ?? "the run"} loaded, converted again since)`} does not fit the run: ${mismatch} ` +
            `Convert a base of the run's kind into a folder of its own with ${callHint("convert_weights", {
              host,
              model: source.model.id,
              release: source.release,
              variant: loraStructure ? "lora" : undefined,
              tp: source.tp,
              pp: source.pp,
              ...(source.llmSplit ? { llmLayerSplit: source.llmSplit } : {}),
              ...(source.hfDir ? { hfDir: source.hfDir } : {}),
              ckptDir: own,
              confirm: true,
            })}, then compare with ${argsHint({ baseCheckpointDir: own })}.`,
        );
      }
    }

    // One directory per question set: a new question never meets the files of an earlier one; the same one again
    // finds its own files (left as they are unless overwrite).
    const request = createHash("sha256")
      .update(JSON.stringify({ prompts, images, saveDir: checkpoint.saveDir, compareBase: args.compareBase }))
      .digest("hex")
      .slice(0, 10);
    const dir = abs(
      args.outputDir ??
        posix.join(".ascend-train/inference", source.record?.id ?? posix.basename(checkpoint.saveDir), request),
    );
    const td = (source.trainingModel.text_decoder ?? {}) as Json;
    const files = prompts.map((p, i) => ({
      name: `${example.name}.${i + 1}.json`,
      text: `${JSON.stringify(
        inferenceJson({
          model: source.model,
          release: source.release,
          kind: "inference",
          trainingModel: source.trainingModel,
          tp: source.tp,
          pp: source.pp,
          llmSplit: source.llmSplit,
          vitSplit: source.vitSplit,
          hfDir: source.hfDir,
          loadPath: checkpoint.saveDir,
          imagePath: images[i],
          prompt: p.prompt,
        }),
        null,
        4,
      )}\n`,
    }));
    const scriptName = `${example.name}.sh`;
    files.push({
      name: scriptName,
      text: inferenceScript({
        kind: "inference",
        cannRoot: settings.cannRoot,
        workdir,
        configPath: posix.join(dir, files[0]!.name),
        loadPath: checkpoint.saveDir,
        tp: source.tp,
        pp: source.pp,
        vocabSize: Number(td.vocab_size) || 152064,
        seqLength: source.seqLength,
      }),
    });
    const paths = await writeFiles(executor, settings, host, dir, files, args.overwrite);
    const script = paths.at(-1)!;
    const answers: z.output<typeof Answer>[] = [];
    const ask = async (config: string, load: string) => {
      const r = await runEntry(
        executor,
        settings,
        script,
        { MM_MODEL: config, LOAD_PATH: load },
        {
          timeoutMs: args.timeoutMinutes * 60_000,
          signal: deps.signal,
        },
      );
      if (r.timedOut)
        return { answer: null, error: `inference_vlm.py ran past ${args.timeoutMinutes} min and was stopped.` };
      if (r.exitCode !== 0) {
        const tail = (r.stderr || r.stdout).trim().split("\n").slice(-6).join("\n");
        return { answer: null, error: `inference_vlm.py exited ${r.exitCode}:\n${tail}` };
      }
      return { answer: parseAnswer(r.stdout), error: null };
    };
    for (const [i, p] of prompts.entries()) {
      deps.progress({ progress: i, total: prompts.length, message: `prompt ${i + 1}/${prompts.length}` });
      const tuned = await ask(paths[i]!, checkpoint.saveDir);
      const baseRun = base && !tuned.error ? await ask(paths[i]!, base) : null;
      answers.push({
        prompt: p.prompt,
        image: images[i]!,
        answer: tuned.answer,
        baseAnswer: baseRun?.answer ?? null,
        error: tuned.error ?? baseRun?.error ?? null,
      });
    }
    const failedAnswers = answers.some((a) => a.error);
    // An export of this checkpoint already on the host is named, not suggested again.
    const exported = failedAnswers ? null : await existingExport(executor, checkpoint, source.record);
    // What the host holds for evaluate_model, where it reads it by default (the workdir).
    const { benchmarks } = inferenceFamily(source.model);
    const data = failedAnswers ? null : await benchmarkData(executor, workdir, benchmarks);
    const score = scoreHint(data, sameSource(source), benchmarks);
    const evaluate = `${score.charAt(0).toUpperCase()}${score.slice(1)}`;
    const merge = source.lora ? mergeCall(source) : null;
    return {
      host: host,
      runId: source.record?.id ?? null,
      model: source.model.id,
      release: source.release,
      checkpoint: { dir: checkpoint.iterDir, iteration: checkpoint.tracker, tp: source.tp, pp: source.pp },
      base,
      upstream: { json: example.json, script: example.script, shipped: example.shipped },
      files: paths,
      answers,
      notes,
      next: failedAnswers
        ? "See the errors (diagnose_error explains a failing log)."
        : exported
          ? `${evaluate}; its Hugging Face export is ${exported}, ready to load with transformers or serve with vLLM-Ascend.`
          : source.lora
            ? // A LoRA run's checkpoint holds the adapters: export_model refuses it until they are merged.
              `${evaluate}, or merge its LoRA adapters into a full model first (export_model refuses the adapters alone)${merge ? ` with ${callHint("convert_weights", merge.args)}: its reply names the export` : ': convert_weights with variant "lora" and a merge method'}.`
            : `${evaluate}, or export it with ${callHint("export_model", { ...sameSource(source), confirm: true })}.`,
    };
  },
  failed: (r) => r.answers.some((a) => a.error !== null),
  summarize: (r) => {
    const head = `${r.model} @ ${r.release}: ${r.checkpoint.dir} (iteration ${r.checkpoint.iteration}, tp=${r.checkpoint.tp} pp=${r.checkpoint.pp})`;
    const rows = r.answers.map((a, i) =>
      [
        `${i + 1}. ${a.prompt} [${posix.basename(a.image)}]`,
        a.answer !== null ? `   fine-tuned: ${a.answer}` : "",
        a.baseAnswer !== null ? `   base:       ${a.baseAnswer}` : "",
        a.error ? `   error: ${a.error}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
    return [head, ...rows, ...r.notes, `Files: ${r.files.at(-1) ?? ""}`, r.next].filter(Boolean).join("\n");
  },
});
