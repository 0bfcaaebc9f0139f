// export_model: a run's latest complete checkpoint back to a Hugging Face directory (the release's mm_to_hf /
// dcp_to_hf through convert_weights), the original model's tokenizer and processor files copied in, and a check that
// the result is complete (index ↔ shards ↔ tensors, embedding shapes ↔ config.json). Ends with how to load and serve it.
import { posix } from "node:path";
import { z } from "zod";
import { defaultExportDir, recordExport } from "../export/exported.js";
import { exportGguf, GgufOutSchema, isTrlRecord } from "../export/gguf-export.js";
import { exportGgufOnHub } from "../export/gguf-hf-job.js";
import { checkHfDir, type HfCheck, readHfDirFacts } from "../export/hf-check.js";
import { checkPathText, ensureWritablePath, PathNotAllowedError } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import { benchmarkData, scoreHint } from "../infer/benchmarks.js";
import {
  hostOf,
  mergeCall,
  ONE_SOURCE,
  resolveSource,
  SourceError,
  sameSource,
  sourceInputShape,
} from "../infer/source.js";
import { getConverter } from "../knowledge/converters.js";
import { INFERENCE_FAMILIES } from "../knowledge/inference-upstream.js";
import { LLAMA_CPP_TAG } from "../knowledge/llama-cpp.js";
import { recipeAt } from "../knowledge/models.js";
import { findRun } from "../runs/ledger.js";
import { argsHint, callHint } from "../text/hint.js";
import convertWeights, { withDerivedPaths } from "./convert-weights.js";
import { defineTool, ToolError } from "./tool.js";

/** Files of the original model that a converted directory needs to load and serve (never weights). */
export const ASSET_FILES = [
  "config.json",
  "generation_config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "tokenizer.model",
  "vocab.json",
  "merges.txt",
  "special_tokens_map.json",
  "added_tokens.json",
  "preprocessor_config.json",
  "video_preprocessor_config.json",
  "chat_template.json",
  "chat_template.jinja",
] as const;

const TRANSFORMERS_CLASS: Record<string, string> = {
  "qwen2.5vl": "Qwen2_5_VLForConditionalGeneration",
  qwen2vl: "Qwen2VLForConditionalGeneration",
  qwen3vl: "Qwen3VLForConditionalGeneration",
};

export function usageText(dir: string, exampleDir: string, tp: number): { transformers: string; vllm: string } {
  const cls = TRANSFORMERS_CLASS[exampleDir] ?? "AutoModelForImageTextToText";
  return {
    transformers: [
      `from transformers import AutoProcessor, ${cls}`,
      `model = ${cls}.from_pretrained(${JSON.stringify(dir)}, torch_dtype="auto", device_map="auto")`,
      `processor = AutoProcessor.from_pretrained(${JSON.stringify(dir)})`,
    ].join("\n"),
    vllm: `vllm serve ${shellQuote(dir)} --served-model-name ${shellQuote(posix.basename(dir))} --tensor-parallel-size ${tp} --max-model-len 32768  # vLLM-Ascend (pip install vllm vllm-ascend) on the NPU host`,
  };
}

const Check = z.object({ id: z.string(), ok: z.boolean(), message: z.string() });

export default defineTool({
  name: "export_model",
  title: "Export a trained model to Hugging Face format",
  description:
    "Turn a run's latest complete checkpoint (latest_checkpointed_iteration.txt in its save directory, not the " +
    "pre-training conversion) into a Hugging Face directory with the release's converter (mm_to_hf / dcp_to_hf, the " +
    "run's TP/PP and layer split), copy the original model's tokenizer, processor and config files in, and check the " +
    "output is complete (the safetensors index covers every shard and tensor, every shard exists, embedding shapes " +
    "agree with config.json). Without confirm: the plan and checks. With confirm: converts. Returns how to load it " +
    "with transformers and serve it with vLLM-Ascend. Next: run_inference, evaluate_model. " +
    `A TRL run on a CUDA host exports with format "gguf": the LoRA adapter merged into its base (peft merge_and_unload), ` +
    `converted by the host's llama.cpp clone (convert_hf_to_gguf.py, ${LLAMA_CPP_TAG}), quantized by llama-quantize ` +
    "(quantization, default q4_k_m) and the file's GGUF header checked (magic, version, counts, architecture, file type). " +
    "A run that ran as a Hugging Face job (it pushed to hub_model_id) exports as a follow-up CPU job that downloads, " +
    "merges, converts, quantizes and uploads the .gguf to the Hub (hubRepo); call export_model again on that job's run " +
    "once it has finished to check the uploaded file's header.",
  toolset: "train",
  kind: "destructive",
  input: z
    .object({
      ...sourceInputShape("The run to export"),
      targetDir: z
        .string()
        .optional()
        .describe("Output directory; default <saveDir>-hf-iter_NNNNNNN beside the save directory"),
      overwrite: z.boolean().default(false).describe("Replace an existing export in targetDir"),
      timeoutMinutes: z.number().int().min(1).max(1440).default(240).describe("Stop the converter after this long"),
      confirm: z.boolean().default(false).describe("Convert. Without it, only the plan and checks come back."),
      format: z
        .enum(["hf", "gguf"])
        .default("hf")
        .describe(
          '"hf": a Hugging Face directory (MindSpeed-MM runs); "gguf": a llama.cpp file (TRL runs on CUDA hosts)',
        ),
      quantization: z
        .string()
        .regex(/^[A-Za-z0-9_]{2,12}$/, "a llama-quantize type such as q4_k_m")
        .default("q4_k_m")
        .describe("format gguf: llama-quantize type (q4_k_m, q5_k_m, q6_k, q8_0, f16, bf16, …)"),
      llamaCppDir: z
        .string()
        .optional()
        .describe("format gguf: the llama.cpp clone on the host (default <workdir>/llama.cpp)"),
      hubRepo: z
        .enum(["separate", "same"])
        .default("separate")
        .describe(
          "format gguf, a run that ran as a Hugging Face job: upload the .gguf to <hub_model_id>-GGUF or into hub_model_id",
        ),
    })
    .refine(...ONE_SOURCE),
  output: z.object({
    host: z.string(),
    runId: z.string().nullable(),
    model: z.string(),
    release: z.string(),
    checkpoint: z.object({
      saveDir: z.string(),
      iteration: z.string(),
      dir: z.string(),
      tp: z.number(),
      pp: z.number(),
    }),
    converter: z.string(),
    method: z.string(),
    command: z.string(),
    output: z.string(),
    ready: z.boolean(),
    exported: z.boolean(),
    copied: z.array(z.string()),
    checks: z.array(Check),
    complete: z.boolean().nullable().describe("every completeness check passed (null before the export)"),
    usage: z.object({ transformers: z.string(), vllm: z.string() }).nullable(),
    notes: z.array(z.string()),
    gguf: GgufOutSchema.optional().describe("format gguf: the steps, the file and its checked header"),
    next: z.string(),
  }),
  async handle(args, deps) {
    if (args.format === "gguf") {
      const request = {
        runId: args.runId,
        host: args.host,
        quantization: args.quantization,
        targetDir: args.targetDir,
        llamaCppDir: args.llamaCppDir,
        overwrite: args.overwrite,
        timeoutMinutes: args.timeoutMinutes,
        confirm: args.confirm,
        hubRepo: args.hubRepo,
      };
      // A run that ran as a Hugging Face job (or the export job of one) exports through a follow-up job.
      const run = args.runId
        ? (await findRun(deps.hosts, args.runId, args.host ? [args.host] : undefined)).found
        : null;
      return run?.record.hfJob ? exportGgufOnHub(request, deps, run) : exportGguf(request, deps);
    }
    // A run is found on whichever host records it; a checkpoint directory is on the host named, else local.
    const host = await hostOf(deps.hosts, args);
    if (args.checkpointDir) checkPathText(args.checkpointDir, "checkpointDir");
    if (args.targetDir) checkPathText(args.targetDir, "targetDir");
    if (args.hfDir) checkPathText(args.hfDir, "hfDir");
    const source = await resolveSource(deps.hosts, { ...args, host, tool: "export_model" }).catch(
      async (error: Error) => {
        if (error instanceof SourceError) {
          const run = args.runId ? (await findRun(deps.hosts, args.runId, [host])).found : null;
          if (run && isTrlRecord(run.record))
            throw new ToolError(
              `${run.record.id} is a TRL run: its output directory is already in Hugging Face format. Export it as GGUF with ${argsHint({ runId: run.record.id, format: "gguf", quantization: "q4_k_m" })}.`,
            );
          throw new ToolError(`${error.message} ${error.fix}`);
        }
        throw error;
      },
    );
    const { checkpoint, model, release, executor, settings } = source;
    const recipe = recipeAt(model, release, source.variant);
    const converter = recipe?.converter ? getConverter(recipe.converter) : undefined;
    if (!converter)
      throw new ToolError(
        `${model.id} at ${release} trains from Hugging Face weights directly: its checkpoint needs no mm_to_hf.`,
      );
    // A LoRA run's checkpoint holds the adapters: the merge first, as the run trained them (rank, alpha, layout, base).
    const merge = source.lora ? mergeCall(source) : null;
    if (source.lora)
      throw new ToolError(
        `${source.record?.id ?? checkpoint.saveDir} trained LoRA adapters: its checkpoint holds the adapters, not a full model, and mm_to_hf would write an incomplete model. ${
          !merge
            ? `Merge them into the base model with convert_weights (variant "lora") first.`
            : merge.args.method === "merge_mm_lora_dcp_weight_to_base_hf"
              ? `Merge them into the base model: ${callHint("convert_weights", merge.args)} writes the merged Hugging Face model into ${merge.output}.`
              : `Merge them into the converted base: ${callHint("convert_weights", merge.args)} writes the merged checkpoint into ${merge.output}; then export it with ${callHint("export_model", { host, checkpointDir: merge.output, model: model.id, release, hfDir: source.hfDir, confirm: true })}.`
        }`,
      );
    const method = converter.argStyle === "cfg" ? "mm_to_hf" : "dcp_to_hf";
    const defaultTarget = defaultExportDir(checkpoint);
    let output: string;
    try {
      output = await ensureWritablePath(executor, settings, host, args.targetDir ?? defaultTarget, "targetDir");
    } catch (error) {
      if (error instanceof PathNotAllowedError) throw new ToolError(error.message, { field: "targetDir" });
      throw error;
    }
    // hfDir and the checkpoint are the run's, or were named by the caller and guarded by resolveSource: convert_weights
    // does not guard them again (a run's own paths are not refused).
    const convert = await convertWeights.handle(
      withDerivedPaths({
        model: model.id,
        release,
        variant: source.variant || undefined,
        host: host,
        method,
        hfDir: source.hfDir,
        ckptDir: method === "mm_to_hf" ? checkpoint.saveDir : checkpoint.iterDir,
        targetDir: output,
        tp: source.tp,
        pp: source.pp,
        llmLayerSplit: source.llmSplit ?? undefined,
        vitLayerSplit: source.vitSplit ?? undefined,
        overwrite: args.overwrite,
        timeoutMinutes: args.timeoutMinutes,
        confirm: args.confirm,
      }),
      deps,
    );
    const base = {
      host: host,
      runId: source.record?.id ?? null,
      model: model.id,
      release,
      checkpoint: {
        saveDir: checkpoint.saveDir,
        iteration: checkpoint.tracker,
        dir: checkpoint.iterDir,
        tp: checkpoint.tp,
        pp: checkpoint.pp,
      },
      converter: convert.converter,
      method: convert.method,
      command: convert.command,
      output: convert.output,
      ready: convert.ready,
      notes: [
        ...source.notes,
        ...convert.notes,
        ...(convert.alreadyConverted && args.confirm
          ? [
              `${convert.output} already holds this export (same checkpoint, method and layout): checked again, not rewritten.`,
            ]
          : []),
      ],
    };
    const convertChecks: HfCheck[] = convert.checks.map((c) => ({
      id: c.id,
      ok: c.ok,
      message: c.fix && !c.ok ? `${c.message} Fix: ${c.fix}` : c.message,
    }));
    // The same export already in place (its marker: same checkpoint, method, release, layout) is checked again below
    // rather than reported as not run.
    if (!convert.converted && !(convert.alreadyConverted && args.confirm))
      return {
        ...base,
        exported: false,
        copied: [],
        checks: convertChecks,
        complete: null,
        usage: null,
        next: convert.alreadyConverted
          ? `${convert.output} already holds this export: ${argsHint({ confirm: true })} checks it again (and copies tokenizer files it lacks).`
          : convert.next,
      };

    deps.progress({ progress: 1, message: "copying tokenizer and processor files" });
    const copyScript = [
      "src=$1; dst=$2; shift 2",
      'for f in "$@"; do [ -f "$src/$f" ] && [ ! -L "$src/$f" ] && [ ! -e "$dst/$f" ] && cp -- "$src/$f" "$dst/$f" && echo "$f"; done; exit 0',
    ].join("\n");
    const copy = await executor.run(["sh", "-c", copyScript, "sh", source.hfDir, convert.output, ...ASSET_FILES], {
      timeoutMs: 120_000,
      maxOutputBytes: 64 * 1024,
    });
    if (copy.exitCode !== 0)
      throw new ToolError(`Copying the tokenizer files into ${convert.output} failed: ${copy.stderr.trim()}`);
    const copied = copy.stdout.split("\n").filter(Boolean);

    deps.progress({ progress: 2, message: "checking the export" });
    const facts = await readHfDirFacts(executor, convert.output).catch((error: Error) => {
      throw new ToolError(error.message);
    });
    const checks = checkHfDir(facts);
    for (const name of ["tokenizer_config.json", "preprocessor_config.json"]) {
      if (facts.files.length && !facts.files.includes(name))
        checks.push({
          id: "assets",
          ok: false,
          message: `${name} is missing (not in ${source.hfDir} either): processors will not load.`,
        });
    }
    const complete = checks.every((c) => c.ok);
    // The run's ledger notes where this checkpoint was exported: the tools after it find the export in any directory.
    if (complete && source.record && source.ledgerFile && !deps.readOnly)
      await recordExport(executor, source.ledgerFile, {
        dir: convert.output,
        saveDir: checkpoint.saveDir,
        iteration: checkpoint.tracker,
        method: convert.method,
        at: deps.now().toISOString(),
      }).catch((error: Error) => {
        base.notes.push(
          `The export is complete, but noting it in run ${source.record?.id}'s ledger record failed (${error.message}): name ${convert.output} yourself to the tools after it.`,
        );
      });
    // What the host holds for evaluate_model where it reads it by default (the workdir): what to score on, or fetch.
    // A family upstream has no inference example for reads no files: the hint names evaluate_model as it is.
    const benchmarks = INFERENCE_FAMILIES[model.exampleDir]?.benchmarks;
    const data =
      complete && benchmarks && source.workdir ? await benchmarkData(executor, source.workdir, benchmarks) : null;
    return {
      ...base,
      exported: true,
      copied,
      checks,
      complete,
      usage: usageText(convert.output, model.exampleDir, Math.max(1, source.tp)),
      next: complete
        ? `Try it: ${callHint("run_inference", source.record ? { ...sameSource(source), compareBase: true } : { ...sameSource(source), prompt: "Describe this image.", images: ["<image on the host>"], compareBase: true })}, or ${scoreHint(data, sameSource(source), benchmarks)}.`
        : `The export is incomplete (see checks); rerun with ${argsHint({ confirm: true, overwrite: true })}.`,
    };
  },
  failed: (r) => !r.ready || r.complete === false,
  summarize: (r) => {
    const head = r.gguf
      ? `${r.model} @ ${r.release}: ${r.checkpoint.dir} → ${r.output} (GGUF ${r.gguf.quantization}, ${r.converter}) ${r.exported ? (r.complete ? "exported, checked" : "exported, header INVALID") : r.ready ? (r.complete === false ? "FAILED" : "ready, not run") : "not ready"}`
      : r.exported
        ? `${r.model} @ ${r.release}: ${r.checkpoint.dir} exported to ${r.output} (${r.converter}.${r.method})${r.complete ? ", complete" : ", INCOMPLETE"}`
        : `${r.model} @ ${r.release}: export of ${r.checkpoint.dir} (iteration ${r.checkpoint.iteration}, tp=${r.checkpoint.tp} pp=${r.checkpoint.pp}) ${r.ready ? "ready, not run" : "not ready"}`;
    const failed = r.checks.filter((c) => !c.ok).map((c) => `- ${c.message}`);
    const usage = r.usage
      ? [`Load with transformers:\n${r.usage.transformers}`, `Serve with vLLM-Ascend:\n$ ${r.usage.vllm}`]
      : [];
    const job = r.gguf?.hubJob;
    const gguf = r.gguf
      ? [
          job
            ? `Hugging Face job${job.jobId ? ` ${job.jobId}` : ""} (run ${job.runId}) in ${job.namespace ?? "?"} on ${job.flavor}, ${job.image}, stopped after ${job.timeoutSeconds} s${job.costCeilingUsd !== null ? `: at most $${job.costCeilingUsd.toFixed(2)}` : ""}; uploads to ${job.repo}`
            : "",
          ...r.gguf.steps.map((s) => `  [${s.outcome}] ${s.id}: ${s.command.split("\n")[0]}`),
          r.gguf.header
            ? `GGUF v${r.gguf.header.version}: ${r.gguf.header.tensorCount} tensors, ${r.gguf.header.kvCount} keys, ${r.gguf.header.architecture ?? "?"}, file type ${r.gguf.header.fileType ?? "?"}, ${r.gguf.header.sizeBytes} bytes`
            : "",
          r.gguf.usage ? `Run with llama.cpp:\n$ ${r.gguf.usage}` : "",
        ]
      : [];
    return [
      head,
      !r.gguf && r.command && `$ ${r.command}`,
      ...gguf,
      r.copied.length ? `Copied: ${r.copied.join(", ")}` : "",
      ...failed,
      ...r.notes,
      ...usage,
      r.next,
    ]
      .filter(Boolean)
      .join("\n");
  },
});
