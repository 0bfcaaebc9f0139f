// export_model's GGUF path for TRL runs on CUDA hosts: merge the LoRA adapter into its base (peft's
// merge_and_unload) when the run trained one, convert the Hugging Face directory with the host's llama.cpp clone
// (convert_hf_to_gguf.py at the pinned tag), quantize with llama-quantize, then read the output's header through the
// host and check it (magic, version, tensors, metadata, general.architecture, general.file_type). One probe plans it;
// nothing runs without confirm and no existing output is replaced unless overwrite.
import { posix } from "node:path";
import { z } from "zod";
import { ToolError } from "../errors.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { checkPathText, ensureWritablePath, PathNotAllowedError } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import type { WorkDeps } from "../hosts/work.js";
import {
  findQuantType,
  GGUF_ARCH_OF,
  ggufArchOf,
  LLAMA_CPP_REPO,
  LLAMA_CPP_TAG,
  NEEDS_IMATRIX,
  QUANT_TYPES,
  type QuantType,
} from "../knowledge/llama-cpp.js";
import { requireRun } from "../runs/ledger.js";
import { argsHint, callHint } from "../text/hint.js";
import { checkGgufHeader, GgufError, type GgufHeader, readGgufHeaderPrefix } from "./gguf-header.js";

const q = shellQuote;
const TAIL = 4000;

export const GgufStepSchema = z.object({
  id: z.enum(["merge", "convert", "quantize"]),
  command: z.string(),
  outcome: z
    .enum(["planned", "ok", "failed", "not-run", "reused"])
    .describe("reused: an earlier export of the same run and base left this step's output (see its marker)."),
  outputTail: z.string().nullable(),
});

export const GgufOutSchema = z.object({
  quantization: z.string().describe("llama-quantize type, e.g. Q4_K_M"),
  fileType: z.number().describe("the llama_ftype general.file_type must hold"),
  file: z.string(),
  baseModel: z.string(),
  peft: z.string().describe("lora, qlora or full: LoRA runs are merged into the base first"),
  mergedDir: z.string().nullable(),
  llamaCpp: z.object({ dir: z.string(), tag: z.string().nullable(), pinned: z.string() }),
  steps: z.array(GgufStepSchema),
  header: z
    .object({
      version: z.number(),
      tensorCount: z.number(),
      kvCount: z.number(),
      architecture: z.string().nullable(),
      fileType: z.number().nullable(),
      sizeBytes: z.number(),
    })
    .nullable(),
  usage: z.string().nullable(),
  hubJob: z
    .object({
      runId: z.string(),
      jobId: z.string().nullable(),
      namespace: z.string().nullable(),
      flavor: z.string(),
      image: z.string(),
      timeoutSeconds: z.number(),
      costCeilingUsd: z.number().nullable(),
      repo: z.string(),
      script: z.string(),
      url: z.string().nullable(),
    })
    .optional()
    .describe("a run that ran as a Hugging Face job: the follow-up job that exports it and the repo it uploads to"),
});
export type GgufOut = z.output<typeof GgufOutSchema>;

export interface GgufRequest {
  runId?: string;
  host?: string;
  quantization: string;
  targetDir?: string;
  llamaCppDir?: string;
  overwrite: boolean;
  timeoutMinutes: number;
  confirm: boolean;
  /** A Hugging Face job's run: upload into its hub_model_id ("same") or <hub_model_id>-GGUF ("separate"). */
  hubRepo?: "separate" | "same";
}

/** What build_configs wrote into a TRL script that the export needs. */
export function readTrlScriptFacts(text: string): {
  model: string | null;
  peft: string | null;
  method: string | null;
  trl: string | null;
  outputDir: string | null;
} {
  const str = (re: RegExp) => {
    const m = re.exec(text)?.[1];
    return m === undefined ? null : (JSON.parse(`"${m}"`) as string);
  };
  return {
    model:
      str(/^\s*model="((?:[^"\\]|\\.)*)",/m) ??
      str(/^model = AutoModelForSequenceClassification\.from_pretrained\("((?:[^"\\]|\\.)*)"/m),
    peft: /^"""\w+Trainer \((lora|qlora|full)\) of /m.exec(text)?.[1] ?? null,
    method: /^trainer = (\w+)Trainer\(/m.exec(text)?.[1]?.toLowerCase() ?? null,
    trl: /"trl==([^"]+)"/.exec(text)?.[1] ?? null,
    outputDir: str(/^\s*output_dir="((?:[^"\\]|\\.)*)",/m),
  };
}

/** Whether a run record is a TRL run: launch_train starts a Python training script only with accelerate (MindSpeed-MM
 * runs start a bash launch script). */
export const isTrlRecord = (r: { script: string }) => r.script.endsWith(".py");

/** The Python run in the host's environment to fold the adapter into its base: peft's merge_and_unload. */
export const MERGE_PY = [
  "import sys",
  "from peft import PeftModel",
  "from transformers import AutoModelForCausalLM, AutoTokenizer",
  "adapter, base_id, out = sys.argv[1:4]",
  'base = AutoModelForCausalLM.from_pretrained(base_id, torch_dtype="auto")',
  "merged = PeftModel.from_pretrained(base, adapter).merge_and_unload()",
  "merged.save_pretrained(out, safe_serialization=True)",
  "AutoTokenizer.from_pretrained(base_id).save_pretrained(out)",
  'print("merged", adapter, "into", base_id, "->", out)',
].join("\n");

/** The line of a failed step's output that says why (llama.cpp's ERROR lines, a Python exception, llama-quantize's). */
export function ggufErrorLine(output: string): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const pick = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  return (
    pick(/^ERROR:hf-to-gguf:/) ??
    pick(/invalid ftype|failed to quantize|Please do not use/) ??
    pick(/^\w*(Error|Exception)\b.*:/) ??
    lines.at(-1) ??
    "no output"
  ).slice(0, 400);
}

function fixFor(step: string, line: string, model: string): string {
  const unsupported = /Model (\S+) is not supported/.exec(line)?.[1];
  if (unsupported)
    return `llama.cpp ${LLAMA_CPP_TAG} has no converter for ${unsupported} (${model}): use a model family it converts (${Object.keys(GGUF_ARCH_OF).join(", ")}, …) or a newer llama.cpp whose convert_hf_to_gguf.py registers it (llamaCppDir), or export in Hugging Face format.`;
  if (/couldn't connect to 'https:\/\/huggingface.co'/i.test(line) || /offline/i.test(line))
    return `The base model ${model} is not in the host's Hugging Face cache and the host cannot download it: run huggingface-cli download ${model} there (or point HF_HOME at a cache that has it).`;
  if (/adapter_config\.json/.test(line))
    return "The run's save directory holds no finished adapter: export after the run ends (trainer.save_model writes it).";
  if (step === "merge" && /No module named/.test(line))
    return "Install the TRL stack into the host's environment: install_stack on this host.";
  return "See the step's output.";
}

interface Probe {
  adapter: boolean;
  fullModel: boolean;
  convert: boolean;
  quantize: string | null;
  tag: string | null;
  existing: string[];
  /** The marker an earlier export left in the target directory, as written; null when there is none. */
  marker: string | null;
}

/** Written next to the outputs: which run, base and saved model the merged directory and float GGUF come from. */
export const EXPORT_MARKER = ".ascend-train-gguf.json";

export interface ExportMarker {
  runId: string;
  baseModel: string;
  saveDir: string;
  /** The outputs that exist and are complete: the merged directory and the unquantized GGUF. */
  mergedDir: string | null;
  floatFile: string;
}

/**
 * The intermediate outputs of an earlier export that a new one may reuse: only those of the same run, base model and
 * saved directory that the marker lists and that still exist.
 */
export function reusableOutputs(markerText: string | null, want: ExportMarker, existing: string[]): Set<string> {
  const reuse = new Set<string>();
  if (!markerText) return reuse;
  let m: Partial<ExportMarker>;
  try {
    m = JSON.parse(markerText) as Partial<ExportMarker>;
  } catch {
    return reuse;
  }
  if (m.runId !== want.runId || m.baseModel !== want.baseModel || m.saveDir !== want.saveDir) return reuse;
  if (want.mergedDir && m.mergedDir === want.mergedDir && existing.includes(want.mergedDir)) reuse.add(want.mergedDir);
  const mergedOk = !want.mergedDir || reuse.has(want.mergedDir);
  if (mergedOk && m.floatFile === want.floatFile && existing.includes(want.floatFile)) reuse.add(want.floatFile);
  return reuse;
}

async function probe(
  executor: HostExecutor,
  settings: HostSettings,
  saveDir: string,
  llama: string,
  outputs: string[],
  marker: string,
): Promise<Probe> {
  const script = [
    hostPrelude(settings, { sourceCann: false, activatePython: true }),
    `S=${q(saveDir)}; L=${q(llama)}`,
    '[ -f "$S/adapter_config.json" ] && echo adapter=1',
    '{ ls "$S"/*.safetensors || ls "$S"/pytorch_model*.bin; } >/dev/null 2>&1 && [ -f "$S/config.json" ] && echo full=1',
    '[ -f "$L/convert_hf_to_gguf.py" ] && echo convert=1',
    'if [ -x "$L/build/bin/llama-quantize" ]; then echo "quantize=$L/build/bin/llama-quantize"; elif command -v llama-quantize >/dev/null 2>&1; then echo "quantize=$(command -v llama-quantize)"; fi',
    'T=$(git -C "$L" describe --tags --exact-match HEAD 2>/dev/null) && echo "tag=$T"',
    ...outputs.map((o) => `[ -e ${q(o)} ] && echo exists=${q(o)}`),
    `[ -f ${q(marker)} ] && printf 'marker=%s\\n' "$(head -c 4096 ${q(marker)} | tr -d '\\n')"`,
    "exit 0",
  ].join("\n");
  const r = await executor.runScript(script, { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 });
  if (r.exitCode !== 0) throw new ToolError(`Probing the host failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const lines = r.stdout.split("\n");
  const val = (k: string) => lines.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1) ?? null;
  return {
    adapter: val("adapter") === "1",
    fullModel: val("full") === "1",
    convert: val("convert") === "1",
    quantize: val("quantize"),
    tag: val("tag"),
    existing: lines.filter((l) => l.startsWith("exists=")).map((l) => l.slice(7)),
    marker: val("marker"),
  };
}

/** `count` bytes of `file` from `offset`, read on the host and carried as base64; and the file's size. */
async function readRange(
  executor: HostExecutor,
  file: string,
  offset: number,
  count: number,
): Promise<{ bytes: Buffer; size: number }> {
  const r = await executor.run(
    [
      "sh",
      "-c",
      'wc -c < "$1" && tail -c +"$2" -- "$1" | head -c "$3" | base64 | tr -d "\\n"',
      "sh",
      file,
      String(offset + 1),
      String(count),
    ],
    { timeoutMs: 60_000, maxOutputBytes: Math.ceil((count * 4) / 3) + 1024 },
  );
  if (r.exitCode !== 0) throw new ToolError(`Reading ${file} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const [size, b64 = ""] = r.stdout.split("\n");
  return { bytes: Buffer.from(b64.trim(), "base64"), size: Number(size?.trim()) };
}

/** Reads growing prefixes of a GGUF file until its header holds general.architecture and general.file_type. */
export async function readGgufHeader(
  executor: HostExecutor,
  file: string,
): Promise<{ header: GgufHeader; size: number }> {
  // readRange throws when the file cannot be read, so the prefix reader never sees null here.
  return (await readGgufHeaderPrefix((offset, length) => readRange(executor, file, offset, length)))!;
}

/** general.architecture convert_hf_to_gguf.py writes for the converted directory's config.json, when known here. */
async function expectedArchitecture(executor: HostExecutor, configFile: string): Promise<string | null> {
  try {
    const config = JSON.parse((await executor.readFile(configFile, { maxBytes: 1024 * 1024 })).content) as {
      architectures?: unknown;
    };
    const arch = Array.isArray(config.architectures) ? config.architectures[0] : undefined;
    return typeof arch === "string" ? ggufArchOf(arch) : null;
  } catch {
    return null;
  }
}

const safeName = (model: string) =>
  (model.split("/").filter(Boolean).at(-1) ?? "model").replace(/[^A-Za-z0-9._-]/g, "_") || "model";

/** The llama-quantize type asked for, refused when unknown or when it needs an importance matrix. */
export function ggufQuantType(quantization: string): QuantType {
  const quant = findQuantType(quantization);
  if (!quant)
    throw new ToolError(
      `quantization "${quantization}" is not a llama-quantize type; known: ${QUANT_TYPES.map((t) => t.name.toLowerCase()).join(", ")}.`,
      { field: "quantization" },
    );
  if (NEEDS_IMATRIX.has(quant.name))
    throw new ToolError(
      `${quant.name} needs an importance matrix (llama-imatrix), which this export does not compute: pick q4_k_m, q5_k_m, q6_k or q8_0.`,
      { field: "quantization" },
    );
  return quant;
}

export async function exportGguf(req: GgufRequest, deps: WorkDeps) {
  if (!req.runId) throw new ToolError("format gguf exports a TRL run: pass runId (see list_runs).");
  const quant = ggufQuantType(req.quantization);
  for (const [field, value] of [
    ["targetDir", req.targetDir],
    ["llamaCppDir", req.llamaCppDir],
  ] as const)
    if (value !== undefined) {
      checkPathText(value, field);
      if (!value.startsWith("/")) throw new ToolError(`${field} must be an absolute path on the host.`, { field });
    }
  const found = await requireRun(deps.hosts, req.runId, req.host, { tool: "export_model", args: { format: "gguf" } });
  const { record } = found;
  if (!isTrlRecord(record))
    throw new ToolError(
      `${record.id} is a MindSpeed-MM run: GGUF export is for TRL runs on CUDA hosts. Export it with format "hf".`,
    );
  const host = found.host;
  const { executor, settings } = await deps.hosts.get(host);
  let scriptText = "";
  try {
    scriptText = (await executor.readFile(record.script, { maxBytes: 1024 * 1024 })).content;
  } catch (error) {
    if (!(error instanceof HostFileError)) throw error;
    throw new ToolError(`Cannot read the run's training script ${record.script} on ${host}: ${error.message}`);
  }
  const facts = readTrlScriptFacts(scriptText);
  if (!facts.model) throw new ToolError(`${record.script} names no model (not a script build_configs wrote).`);
  if (facts.method === "reward")
    throw new ToolError(
      `${record.id} trained a reward model (a sequence classifier): llama.cpp's GGUF export is for causal LMs.`,
    );
  const saveDir = record.saveDir ?? facts.outputDir;
  if (!saveDir) throw new ToolError(`${record.id} records no output directory.`);
  const lora = facts.peft !== "full";
  const workdir = settings.workdir ?? record.workdir;
  const llama = req.llamaCppDir ?? posix.join(workdir, "llama.cpp");
  let target: string;
  try {
    target = await ensureWritablePath(executor, settings, host, req.targetDir ?? `${saveDir}-gguf`, "targetDir");
  } catch (error) {
    if (error instanceof PathNotAllowedError) throw new ToolError(error.message, { field: "targetDir" });
    throw error;
  }
  const name = safeName(facts.model);
  const floatType = quant.name === "BF16" || quant.name === "F32" ? quant.name : "F16";
  const floatFile = posix.join(target, `${name}-${floatType}.gguf`);
  const finalFile = quant.name === floatType ? floatFile : posix.join(target, `${name}-${quant.name}.gguf`);
  const mergedDir = lora ? posix.join(target, "merged-hf") : null;
  const outputs = [...(mergedDir ? [mergedDir] : []), floatFile, ...(finalFile === floatFile ? [] : [finalFile])];

  deps.progress({ progress: 0, message: `checking ${host}` });
  const markerFile = posix.join(target, EXPORT_MARKER);
  const p = await probe(executor, settings, saveDir, llama, outputs, markerFile);
  const provenance: ExportMarker = { runId: record.id, baseModel: facts.model, saveDir, mergedDir, floatFile };
  // A second quantization of the same run: the merged model and the float GGUF are already there.
  const reused = finalFile === floatFile ? new Set<string>() : reusableOutputs(p.marker, provenance, p.existing);
  const conflicts = p.existing.filter((o) => !reused.has(o));
  const quantizer = p.quantize ?? posix.join(llama, "build", "bin", "llama-quantize");
  const source = mergedDir ?? saveDir;
  const steps = [
    ...(mergedDir
      ? [
          {
            id: "merge" as const,
            command: `python - ${q(saveDir)} ${q(facts.model)} ${q(mergedDir)} <<'PY'\n${MERGE_PY}\nPY`,
          },
        ]
      : []),
    {
      id: "convert" as const,
      command: `python ${q(posix.join(llama, "convert_hf_to_gguf.py"))} ${q(source)} --outfile ${q(floatFile)} --outtype ${floatType.toLowerCase()}`,
    },
    ...(finalFile === floatFile
      ? []
      : [{ id: "quantize" as const, command: `${q(quantizer)} ${q(floatFile)} ${q(finalFile)} ${quant.name}` }]),
  ];
  const stepOutput = { merge: mergedDir, convert: floatFile, quantize: finalFile } as const;
  const isReused = (id: keyof typeof stepOutput) => !req.overwrite && reused.has(stepOutput[id] ?? "");
  const setup = `git clone --depth 1 --branch ${LLAMA_CPP_TAG} ${LLAMA_CPP_REPO} ${q(llama)} && cmake -S ${q(llama)} -B ${q(posix.join(llama, "build"))} && cmake --build ${q(posix.join(llama, "build"))} --config Release -j --target llama-quantize`;
  const checks = [
    {
      id: "trained-output",
      ok: lora ? p.adapter : p.fullModel,
      message: lora
        ? p.adapter
          ? `${saveDir} holds the LoRA adapter (adapter_config.json) of ${facts.model}.`
          : `${saveDir} has no adapter_config.json: the run has not saved its adapter (it saves at the end).`
        : p.fullModel
          ? `${saveDir} holds the fine-tuned model (config.json and weights).`
          : `${saveDir} has no config.json with weights: the run has not saved its model (it saves at the end).`,
    },
    {
      id: "llama-cpp",
      ok: p.convert && (finalFile === floatFile || p.quantize !== null),
      message:
        p.convert && (finalFile === floatFile || p.quantize !== null)
          ? `llama.cpp at ${llama}${p.tag ? ` (${p.tag})` : ""}: convert_hf_to_gguf.py${finalFile === floatFile ? "" : ` and ${quantizer}`}.`
          : `No llama.cpp clone with ${p.convert ? "a built llama-quantize" : "convert_hf_to_gguf.py"} at ${llama}. Set one up with ${callHint("install_stack", { host, extras: ["gguf"], confirm: true })}, or by hand: ${setup}`,
    },
    {
      id: "outputs-free",
      ok: req.overwrite || conflicts.length === 0,
      message:
        conflicts.length === 0
          ? `${target} has none of the outputs yet${reused.size > 0 && !req.overwrite ? ` (${[...reused].join(" and ")} of this run's earlier export ${reused.size === 1 ? "is" : "are"} reused)` : ""}.`
          : `${conflicts.join(", ")} already exist${req.overwrite ? " and will be replaced (overwrite)" : `: nothing is replaced unless ${argsHint({ overwrite: true })}`}.`,
    },
  ];
  const notes: string[] = [];
  if (p.convert && p.tag !== LLAMA_CPP_TAG)
    notes.push(
      `${llama} is ${p.tag ? `at ${p.tag}` : "not at a release tag"}, not the pinned ${LLAMA_CPP_TAG}: its converter and types may differ.`,
    );
  if (mergedDir)
    notes.push(`The merged Hugging Face model stays in ${mergedDir} (delete it when the GGUF is all you need).`);
  const ready = checks.every((c) => c.ok);
  const gguf: GgufOut = {
    quantization: quant.name,
    fileType: quant.ftype,
    file: finalFile,
    baseModel: facts.model,
    peft: facts.peft ?? "lora",
    mergedDir,
    llamaCpp: { dir: llama, tag: p.tag, pinned: LLAMA_CPP_TAG },
    steps: steps.map((s) => ({
      ...s,
      outcome: isReused(s.id) ? ("reused" as const) : ("planned" as const),
      outputTail: null,
    })),
    header: null,
    usage: null,
  };
  const base = {
    host,
    runId: record.id,
    model: facts.model,
    release: `trl ${facts.trl ?? "?"}`,
    checkpoint: { saveDir, iteration: "final", dir: saveDir, tp: 1, pp: 1 },
    converter: `llama.cpp ${p.tag ?? LLAMA_CPP_TAG}`,
    method: `gguf ${quant.name}`,
    command: steps
      .filter((s) => !isReused(s.id))
      .map((s) => s.command.split("\n")[0])
      .join(" && "),
    output: finalFile,
    ready,
    copied: [] as string[],
    usage: null,
    notes,
  };
  if (!req.confirm || !ready)
    return {
      ...base,
      exported: false,
      checks,
      complete: null,
      gguf,
      next: ready
        ? `Review the steps, then call again with ${argsHint({ confirm: true })}.`
        : `Nothing was run. Resolve: ${checks
            .filter((c) => !c.ok)
            .map((c) => c.message)
            .join(" | ")}`,
    };

  const prelude = hostPrelude(settings, { sourceCann: false, activatePython: true });
  const clear = req.overwrite ? [...outputs, markerFile].map((o) => `rm -rf -- ${q(o)}`).join("\n") : "";
  const mk = await executor.runScript(`mkdir -p -- ${q(target)}\n${clear}`, { timeoutMs: 60_000 });
  if (mk.exitCode !== 0) throw new ToolError(`Cannot prepare ${target}: ${mk.stderr.trim()}`);
  const ran: GgufOut["steps"] = [];
  let failure: { step: string; line: string } | null = null;
  for (const [i, step] of steps.entries()) {
    if (failure) {
      ran.push({ ...step, outcome: "not-run", outputTail: null });
      continue;
    }
    if (isReused(step.id)) {
      ran.push({ ...step, outcome: "reused", outputTail: null });
      continue;
    }
    deps.progress({ progress: i + 1, total: steps.length + 1, message: `${step.id}` });
    const r = await executor.runScript(`${prelude}\ncd ${q(workdir)} || exit 1\n{\n${step.command}\n} 2>&1`, {
      timeoutMs: req.timeoutMinutes * 60_000,
      maxOutputBytes: 256 * 1024,
      signal: deps.signal,
    });
    const out = `${r.stdout}${r.stderr}`;
    const ok = r.exitCode === 0 && !r.timedOut;
    ran.push({ ...step, outcome: ok ? "ok" : "failed", outputTail: out.slice(-TAIL) });
    if (!ok)
      failure = {
        step: step.id,
        line: r.timedOut ? `timed out after ${req.timeoutMinutes} min` : ggufErrorLine(out),
      };
  }
  gguf.steps = ran;
  if (!failure) {
    // The merged model and the float GGUF are now complete: a later quantization of this run may reuse them.
    try {
      await executor.writeFile(markerFile, `${JSON.stringify(provenance)}\n`, { exclusive: false });
    } catch (error) {
      if (!(error instanceof PathNotAllowedError || error instanceof HostFileError)) throw error;
      notes.push(
        `Could not write ${markerFile}: a later export of another quantization will redo the merge and convert.`,
      );
    }
  }
  if (failure) {
    const fix = fixFor(failure.step, failure.line, facts.model);
    return {
      ...base,
      exported: false,
      checks: [
        ...checks,
        { id: `gguf-${failure.step}`, ok: false, message: `${failure.step} failed: ${failure.line} Fix: ${fix}` },
      ],
      complete: false,
      gguf,
      next: `${failure.step} failed (${failure.line}). ${fix}`,
    };
  }

  deps.progress({ progress: steps.length + 1, total: steps.length + 1, message: "checking the GGUF header" });
  const expectedArch = await expectedArchitecture(executor, posix.join(source, "config.json"));
  let headerChecks: { id: string; ok: boolean; message: string }[];
  let size = 0;
  try {
    const read = await readGgufHeader(executor, finalFile);
    const header = read.header;
    size = read.size;
    const arch = header.metadata["general.architecture"];
    const ftype = header.metadata["general.file_type"];
    gguf.header = {
      version: header.version,
      tensorCount: Number(header.tensorCount),
      kvCount: Number(header.kvCount),
      architecture: typeof arch === "string" ? arch : null,
      fileType: typeof ftype === "number" ? ftype : null,
      sizeBytes: size,
    };
    headerChecks = checkGgufHeader(header, {
      architecture: expectedArch,
      fileType: quant.ftype,
      fileTypeName: quant.name,
    });
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    headerChecks = [{ id: `gguf-${error.kind}`, ok: false, message: `${finalFile}: ${error.message}.` }];
  }
  const complete = headerChecks.every((c) => c.ok);
  gguf.usage = `llama-cli -m ${q(finalFile)} -cnv   # or: llama-server -m ${q(finalFile)}; ollama: FROM ${finalFile} in a Modelfile`;
  return {
    ...base,
    exported: true,
    checks: [...checks, ...headerChecks],
    complete,
    gguf,
    next: complete
      ? `${finalFile} (${quant.name}, ${size} bytes) is a checked GGUF file: run it with llama.cpp (llama-cli / llama-server) or Ollama.`
      : `The GGUF header does not check out (see checks); rerun with ${argsHint({ confirm: true, overwrite: true })}.`,
  };
}
