// evaluate_model: scores a trained checkpoint on the benchmarks upstream's evaluate_vlm.py supports for the family
// (AI2D, MMMU, DocVQA, ChartQA for the Qwen VL families), with upstream's evaluate config and script adapted to the
// trained size and layout; dataset files are checked first; the scores are returned and kept in the run's ledger
// record so list_runs shows them.
import { posix } from "node:path";
import { z } from "zod";
import { existingExport } from "../export/exported.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { checkPathText, ensureReadable } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import { BENCHMARK_DOWNLOAD } from "../infer/benchmarks.js";
import { inferenceFamily, inferenceJson, inferenceScript, upstreamExample } from "../infer/configs.js";
import { missingFiles, parseScoreCsv, runEntry, writeFiles } from "../infer/run.js";
import {
  busyNote,
  hostOf,
  ONE_SOURCE,
  resolveSource,
  SourceError,
  sameSource,
  sourceInputShape,
} from "../infer/source.js";
import { BENCHMARKS, type Benchmark } from "../knowledge/inference-upstream.js";
import { readRecord, writeRecord } from "../runs/ledger.js";
import { callHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

/** Modules of MindSpeed-MM's `[evaluate]` extras (pyproject: portalocker, rich, xlsxwriter, openpyxl). */
export const EVALUATE_EXTRAS = ["portalocker", "rich", "xlsxwriter", "openpyxl"];

/** Which modules the host's Python environment cannot import; null when python3 does not run. */
async function missingModules(
  executor: HostExecutor,
  settings: HostSettings,
  modules: string[],
): Promise<string[] | null> {
  const py =
    "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))";
  const prelude = hostPrelude(settings, { activatePython: true });
  const r = await executor.runScript(`${prelude}\npython3 -c ${shellQuote(py)} ${modules.map(shellQuote).join(" ")}`, {
    timeoutMs: 60_000,
    maxOutputBytes: 16 * 1024,
  });
  if (r.exitCode !== 0) return null;
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

const Score = z.object({
  benchmark: z.string(),
  dataset: z.string(),
  metric: z.string().nullable(),
  score: z.number().nullable(),
  resultDir: z.string(),
  error: z.string().nullable(),
});

export default defineTool({
  name: "evaluate_model",
  title: "Score a trained checkpoint on benchmarks",
  description:
    "Run upstream's evaluate_vlm.py on a run's latest complete checkpoint for the benchmarks upstream supports for " +
    "the family at that release (Qwen2-VL / Qwen2.5-VL: ai2d_test, mmmu_dev_val, docvqa_val, chartqa_test, read from " +
    "VLMEvalKit TSV files). Writes upstream's evaluate config and script adapted to the trained size and TP/PP layout, " +
    "checks every dataset file first (naming where to download it), returns the score per benchmark and keeps them in " +
    "the run's ledger record (list_runs shows them). Needs MindSpeed-MM's evaluation extras (pip install -e " +
    '".[evaluate]"). Next: export_model.',
  toolset: "train",
  kind: "write",
  input: z
    .object({
      ...sourceInputShape("The run to evaluate"),
      benchmarks: z
        .array(z.enum(BENCHMARKS as [Benchmark, ...Benchmark[]]))
        .min(1)
        .max(4)
        .default(["ai2d_test"])
        .describe("Benchmarks to run (upstream's evaluation_dataset names)"),
      datasetDir: z
        .string()
        .optional()
        .describe("Directory holding the benchmark TSVs (AI2D_TEST.tsv …); default the workdir"),
      npus: z.number().int().min(1).max(16).default(1).describe("NPUs for data-parallel evaluation"),
      outputDir: z
        .string()
        .optional()
        .describe(
          "Where configs, scripts and results go; default <workdir>/.ascend-train/evaluation/<run>/<time>, one per evaluation",
        ),
      overwrite: z.boolean().default(false).describe("Replace configs a previous call wrote in outputDir"),
      timeoutMinutes: z.number().int().min(1).max(1440).default(180).describe("Bound on each evaluate_vlm.py run"),
    })
    .refine(...ONE_SOURCE),
  output: z.object({
    host: z.string(),
    runId: z.string().nullable(),
    model: z.string(),
    release: z.string(),
    checkpoint: z.object({ dir: z.string(), iteration: z.string(), tp: z.number(), pp: z.number() }),
    upstream: z.object({ json: z.string(), script: z.string(), shipped: z.boolean() }),
    scores: z.array(Score),
    recorded: z.boolean().describe("scores kept in the run's ledger record"),
    files: z.array(z.string()),
    notes: z.array(z.string()),
    next: z.string(),
  }),
  async handle(args, deps) {
    // A run is found on whichever host records it; a checkpoint directory is on the host named, else local.
    const host = await hostOf(deps.hosts, args);
    for (const f of ["checkpointDir", "hfDir", "datasetDir", "outputDir"] as const) {
      const v = args[f];
      if (v !== undefined) checkPathText(v, f);
    }
    const source = await resolveSource(deps.hosts, { ...args, host, tool: "evaluate_model" }).catch((error: Error) => {
      if (error instanceof SourceError) throw new ToolError(`${error.message} ${error.fix}`);
      throw error;
    });
    const { executor, settings, workdir, checkpoint } = source;
    // The benchmark TSVs are opened by the evaluation program: the read guard refuses a datasetDir outside its roots.
    if (args.datasetDir) await ensureReadable(executor, args.datasetDir, "datasetDir");
    const abs = (p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(workdir, p));
    const example = upstreamExample(source.model, "evaluate");
    const family = inferenceFamily(source.model);
    const notes = [...source.notes];
    const busy = await busyNote(deps.hosts, source, deps.now);
    if (busy) notes.push(busy);
    if (!example.shipped)
      notes.push(
        `Upstream has no evaluation example for ${source.model.id}; ${example.json} and its .sh were adapted to its size.`,
      );
    const extras = await missingModules(executor, settings, EVALUATE_EXTRAS);
    if (extras === null) throw new ToolError(`Cannot run python3 on ${host} to check the evaluation extras.`);
    if (extras.length)
      throw new ToolError(
        `MindSpeed-MM's evaluation extras are not installed on ${host} (missing: ${extras.join(", ")}). Install them with ${callHint("install_stack", { host, extras: ["evaluate"], confirm: true })} (pip install -e ".[evaluate]" in ${workdir}, from the host's sources).`,
      );
    const datasetDir = abs(args.datasetDir ?? workdir);
    const datasets = args.benchmarks.map((b) => ({ benchmark: b, path: posix.join(datasetDir, family.benchmarks[b]) }));
    const missing = await missingFiles(
      executor,
      datasets.map((d) => d.path),
    );
    if (missing.length) {
      const fixes = missing.map((m) => `${m} (download ${BENCHMARK_DOWNLOAD}${posix.basename(m)})`);
      throw new ToolError(`Benchmark data missing on ${host}: ${fixes.join("; ")}. Put the TSVs in datasetDir.`);
    }
    // Each evaluation is its own directory (config, script, results): scoring again never meets an earlier one's
    // files. An outputDir given is used as it is, its files left alone unless overwrite.
    const stamp = deps.now().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    const dir = abs(
      args.outputDir ??
        posix.join(".ascend-train/evaluation", source.record?.id ?? posix.basename(checkpoint.saveDir), stamp),
    );
    const td = (source.trainingModel.text_decoder ?? {}) as Record<string, unknown>;
    const files = datasets.map((d) => ({
      name: `${example.name}.${d.benchmark}.json`,
      resultDir: posix.join(dir, "results", `${d.benchmark}-${stamp}`),
      benchmark: d.benchmark,
      dataset: d.path,
    }));
    const texts = files.map((f) => ({
      name: f.name,
      text: `${JSON.stringify(
        inferenceJson({
          model: source.model,
          release: source.release,
          kind: "evaluate",
          trainingModel: source.trainingModel,
          tp: source.tp,
          pp: source.pp,
          llmSplit: source.llmSplit,
          vitSplit: source.vitSplit,
          hfDir: source.hfDir,
          loadPath: checkpoint.saveDir,
          benchmark: f.benchmark,
          datasetPath: f.dataset,
          resultDir: `${f.resultDir}/`,
        }),
        null,
        4,
      )}\n`,
    }));
    texts.push({
      name: `${example.name}.sh`,
      text: inferenceScript({
        kind: "evaluate",
        cannRoot: settings.cannRoot,
        workdir,
        configPath: posix.join(dir, texts[0]!.name),
        loadPath: checkpoint.saveDir,
        tp: source.tp,
        pp: source.pp,
        vocabSize: Number(td.vocab_size) || 152064,
        seqLength: source.seqLength,
        npus: args.npus,
      }),
    });
    const paths = await writeFiles(executor, settings, host, dir, texts, args.overwrite);
    const script = paths.at(-1)!;
    const scores: z.output<typeof Score>[] = [];
    for (const [i, f] of files.entries()) {
      deps.progress({ progress: i, total: files.length, message: `evaluating ${f.benchmark}` });
      const r = await runEntry(
        executor,
        settings,
        script,
        { MM_MODEL: paths[i]!, LOAD_PATH: checkpoint.saveDir },
        {
          timeoutMs: args.timeoutMinutes * 60_000,
          signal: deps.signal,
        },
      );
      const row = { benchmark: f.benchmark, dataset: f.dataset, resultDir: f.resultDir, metric: null, score: null };
      if (r.timedOut || r.exitCode !== 0) {
        const tail = (r.stderr || r.stdout).trim().split("\n").slice(-6).join("\n");
        const why = r.timedOut ? `ran past ${args.timeoutMinutes} min and was stopped` : `exited ${r.exitCode}`;
        scores.push({ ...row, error: `evaluate_vlm.py ${why}:\n${tail}` });
        continue;
      }
      const list = await executor.run(["find", f.resultDir, "-maxdepth", "2", "-name", "*_acc.csv", "-type", "f"], {
        timeoutMs: 15_000,
        maxOutputBytes: 64 * 1024,
      });
      const csv = list.stdout.split("\n").find(Boolean);
      const parsed = csv ? parseScoreCsv((await executor.readFile(csv, { maxBytes: 1 << 20 })).content) : null;
      scores.push(
        parsed
          ? { ...row, ...parsed, error: null }
          : { ...row, error: `evaluate_vlm.py wrote no readable *_acc.csv in ${f.resultDir}.` },
      );
    }
    let recorded = false;
    const good = scores.filter((s) => s.score !== null);
    if (source.record && source.ledgerFile && good.length && !deps.readOnly) {
      const fresh = await readRecord(executor, source.ledgerFile);
      const at = deps.now().toISOString();
      fresh.evaluations = [
        ...(fresh.evaluations ?? []),
        ...good.map((s) => ({
          benchmark: s.benchmark,
          metric: s.metric!,
          score: s.score!,
          iteration: checkpoint.tracker,
          at,
          resultDir: s.resultDir,
        })),
      ];
      await writeRecord(executor, source.ledgerFile, fresh);
      recorded = true;
    }
    const failedScores = scores.some((s) => s.error);
    // An export of this checkpoint already on the host is named, not suggested again.
    const exported = failedScores ? null : await existingExport(executor, checkpoint, source.record);
    return {
      host: host,
      runId: source.record?.id ?? null,
      model: source.model.id,
      release: source.release,
      checkpoint: { dir: checkpoint.iterDir, iteration: checkpoint.tracker, tp: source.tp, pp: source.pp },
      upstream: { json: example.json, script: example.script, shipped: example.shipped },
      scores,
      recorded,
      files: paths,
      notes,
      next: failedScores
        ? `See the errors; a missing module usually means the evaluation extras are not installed: ${callHint("install_stack", { host: source.host, extras: ["evaluate"], confirm: true })}.`
        : exported
          ? `Its Hugging Face export is ${exported}, ready to load with transformers or serve with vLLM-Ascend.`
          : `Export the model to serve it: ${callHint("export_model", { ...sameSource(source), confirm: true })}.`,
    };
  },
  failed: (r) => r.scores.some((s) => s.error !== null),
  summarize: (r) => {
    const head = `${r.model} @ ${r.release}: ${r.checkpoint.dir} (iteration ${r.checkpoint.iteration})`;
    const rows = r.scores.map((s) =>
      s.score !== null ? `- ${s.benchmark}: ${s.metric} ${s.score}` : `- ${s.benchmark}: failed: ${s.error}`,
    );
    return [head, ...rows, r.recorded ? `Kept in the ledger of ${r.runId}.` : "", ...r.notes, r.next]
      .filter(Boolean)
      .join("\n");
  },
});
