// tail_logs: the end of a training log (or what came after an offset), its metrics, warnings and the run's state,
// a loss curve (a PNG returned as image content, a sparkline in the text), and an optional bounded follow with progress.
// It writes nothing on the host: the chart travels back with the result, so the tool is read-only in fact.

import { z } from "zod";
import { exportOfRun } from "../export/exported.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { onHost } from "../hosts/paths.js";
import { type HostRegistry, UnknownHostError } from "../hosts/registry.js";
import { benchmarkData, scoreHint } from "../infer/benchmarks.js";
import { BENCHMARKS, type Benchmark } from "../knowledge/inference-upstream.js";
import { fmt } from "../logs/accumulator.js";
import { renderLossPng, sparkline } from "../logs/chart.js";
import { diagnoseErrorText } from "../logs/diagnose.js";
import { inspectLog, LogNotFoundError } from "../logs/inspect.js";
import { MetricSeriesBuilder } from "../logs/series.js";
import { MIN_STALL_SECONDS, SAVE_STALL_SECONDS } from "../logs/state.js";
import { RUN_STATES } from "../logs/types.js";
import { isCanaryRun } from "../runs/canary.js";
import { followHfJobLog } from "../runs/hf-jobs-run.js";
import { findRun, ledgerDir, noSuchRunOrLog, readLedger } from "../runs/ledger.js";
import { newestFirst } from "../runs/list.js";
import { savesWithoutOptimizer } from "../runs/saved-state.js";
import { runServicesOf } from "../runs/services.js";
import { RunIdSchema } from "../runs/types.js";
import { formatDuration } from "../text/format.js";
import { argsHint, callHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const Num = z.number().nullable();
const MemoryOut = z.object({ rank: z.number(), allocatedMb: z.number(), maxAllocatedMb: z.number() });
const Column = z.array(Num);
const SeriesOut = z.object({
  iteration: z.array(z.number()).describe("the last iteration of each point"),
  loss: Column.describe("mean loss of each point"),
  lossMin: Column,
  lossMax: Column,
  gradNorm: Column,
  learningRate: Column,
  msPerIteration: Column,
  linesPerPoint: z.number().describe("logged iterations averaged into one point"),
  linesSeen: z.number(),
});
const CURVE_POINTS = 300;

const Latest = z.object({
  iteration: z.number(),
  totalIterations: z.number(),
  consumedSamples: Num,
  msPerIteration: Num,
  learningRate: Num,
  globalBatchSize: Num,
  tokensPerSample: Num,
  loss: Num.describe("null when not printed or not finite (see nonFinite)"),
  gradNorm: Num,
  lossScale: Num,
  skippedIterations: Num,
  nanIterations: Num,
  timestamp: z.string().nullable().describe("as printed, host-local time"),
  nonFinite: z.array(z.string()).describe("fields the trainer printed as nan or inf"),
  epoch: Num.optional().describe("Transformers/TRL trainer logs: the epoch reached"),
  metrics: z
    .record(z.string(), z.number())
    .optional()
    .describe("Transformers/TRL trainer logs: the other logged metrics (reward, rewards/margins, …)"),
});

const output = z.object({
  host: z.string(),
  logFile: z.string(),
  runId: z.string().nullable(),
  state: z
    .enum(["stopped", ...RUN_STATES] as [string, ...string[]])
    .describe("stopped: ended on purpose by stop_run before its end (the log then says no more)"),
  stateReason: z.string(),
  latest: Latest.nullable(),
  progressPercent: Num,
  medianStepMs: Num,
  logInterval: z.number(),
  throughput: z.object({ samplesPerSecond: z.number(), tokensPerSecond: Num }).nullable(),
  etaSeconds: Num,
  stallAfterSeconds: Num,
  secondsSinceLastWrite: Num,
  processAlive: z.boolean().nullable(),
  iterationsSeen: z.number().describe("iteration lines in what was analysed"),
  checkpoints: z.array(z.object({ iteration: Num, path: z.string(), phase: z.enum(["saving", "saved"]) })),
  warnings: z.array(
    z.object({
      kind: z.string(),
      message: z.string(),
      iteration: Num.describe("the first logged iteration it was seen on"),
      count: z.number().describe("logged iterations it was seen on"),
      lastIteration: Num.describe("the latest of them"),
    }),
  ),
  errorLines: z.array(z.string()),
  diagnosis: z
    .object({
      summary: z.string(),
      findings: z.array(
        z.object({
          rule: z.string(),
          title: z.string(),
          confidence: z.number(),
          cause: z.string(),
          fixes: z.array(z.string()),
        }),
      ),
    })
    .nullable()
    .describe("what the diagnosis engine makes of errorLines (diagnose_error gives the full report)"),
  validation: z.object({ iteration: z.number(), loss: z.number() }).nullable(),
  memory: MemoryOut.nullable(),
  memoryByRank: z.array(MemoryOut).describe("the latest memory report of each rank that printed one"),
  lines: z.array(z.string()),
  newLineCount: z.number(),
  nextOffset: z.number().describe("pass as `offset` next time to get only what was appended"),
  fileSize: z.number(),
  bytesRead: z.number(),
  followed: z.object({ stoppedBecause: z.string(), newLines: z.number() }).nullable(),
  resumeNeedsFreshOptimizer: z
    .boolean()
    .optional()
    .describe(
      "a stopped run whose checkpoints hold no optimizer state (--no-save-optim): resume_run continues it only with allowFreshOptimizer",
    ),
  exportDir: z
    .string()
    .nullable()
    .optional()
    .describe(
      "a finished or stopped run: the Hugging Face export of its latest checkpoint the host already holds (export_model's), else null",
    ),
  canary: z
    .object({
      iterations: z.number().nullable(),
      script: z.string().nullable().describe("the launch script it measured, for the real run"),
      hosts: z.array(z.string()).describe("the hosts it ran on, in node-rank order"),
    })
    .nullable()
    .optional()
    .describe(
      "a canary of launch_train (canary): a short run under its own id that saves no checkpoint, " +
        "so there is nothing of it to export, try, score or resume",
    ),
  benchmarks: z
    .object({
      dir: z.string(),
      present: z.array(z.enum(BENCHMARKS as [Benchmark, ...Benchmark[]])),
      missing: z.array(z.enum(BENCHMARKS as [Benchmark, ...Benchmark[]])),
    })
    .nullable()
    .optional()
    .describe(
      "a finished run, or a stopped one already exported: the benchmarks whose TSV is in the run's workdir, where evaluate_model reads them by default",
    ),
  sparkline: z.string(),
  curve: z.array(z.object({ iteration: z.number(), loss: Num })),
  chart: z
    .object({
      mimeType: z.literal("image/png").describe("the chart comes back as image content next to this result"),
      points: z.number().describe("loss points drawn"),
    })
    .nullable()
    .describe("null unless chart was asked for and the log has at least 2 loss values"),
  series: SeriesOut.nullable().describe("null unless series was asked for"),
  notes: z.array(z.string()),
});

type Output = z.output<typeof output>;

const input = z
  .object({
    runId: RunIdSchema.optional().describe(
      "A run id from launch_train (alternative to logFile). With neither: the newest run in host's ledger that is not a canary.",
    ),
    logFile: z
      .string()
      .min(1)
      .optional()
      .describe("Path of the training log on the host (a relative path is read from the host's workdir)."),
    host: z.string().min(1).default("local").describe("Host holding logFile (ignored with runId)."),
    lines: z.number().int().min(1).max(5000).default(50).describe("How many lines to return."),
    offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Only return lines appended after this byte offset (the nextOffset of an earlier call)."),
    followSeconds: z
      .number()
      .int()
      .min(0)
      .max(600)
      .default(0)
      .describe("Keep watching for up to this many seconds, reporting each new iteration as progress."),
    pid: z.number().int().positive().optional().describe("The training process id, to tell stalled from dead."),
    processAlive: z.boolean().optional().describe("Whether the training process is alive, when the caller knows."),
    stallFactor: z
      .number()
      .min(1)
      .max(100)
      .default(5)
      .describe(
        `Call the run stalled after this many median step times (the time between iteration lines) with no new iteration, and never before ${formatDuration(MIN_STALL_SECONDS)} of silence (${formatDuration(SAVE_STALL_SECONDS)} while it saves a checkpoint): a run of short steps reads as stalled only after that wait.`,
      ),
    history: z
      .boolean()
      .default(false)
      .describe("Analyse the whole log (cost grows with its size) instead of its end."),
    chart: z
      .boolean()
      .default(false)
      .describe(
        "Also return the loss curve as a PNG image (image content of the result; nothing is written on the host).",
      ),
    series: z
      .object({
        maxPoints: z.number().int().min(2).max(5000).default(500).describe("At most this many points per curve."),
        fromIteration: z.number().int().min(0).optional().describe("Only iterations from this one."),
        toIteration: z.number().int().min(0).optional().describe("Only iterations up to this one."),
      })
      .strict()
      .optional()
      .describe(
        "Also return the loss, grad norm, learning rate and step time curves, averaged into at most maxPoints points " +
          "(over the whole log with history, else the end read; with offset, over the lines returned).",
      ),
  })
  .refine((v) => v.runId === undefined || v.logFile === undefined, {
    message: "Give runId or logFile, not both.",
  });

/**
 * The newest run in a host's ledger, for a call that names neither a run nor a log (its records only: no liveness).
 * Canaries newer than it are passed over and named (a canary is a few iterations that saved nothing); a ledger of
 * canaries only gives its newest canary.
 */
async function newestRunOn(hosts: HostRegistry, host: string): Promise<{ runId: string; note: string }> {
  const { executor, settings } = await hosts.get(host);
  const { entries } = await readLedger(executor, host, await ledgerDir(executor, settings));
  const runs = entries.map((e) => e.record).sort(newestFirst);
  if (runs.length === 0) {
    throw new ToolError(
      `No run in ${host}'s ledger to read: pass a runId from launch_train (list_runs shows every host's runs) or a logFile.`,
    );
  }
  const firstReal = runs.findIndex((r) => !isCanaryRun(r));
  if (firstReal === -1)
    return {
      runId: runs[0]!.id,
      note: `${runs[0]!.id} is the newest run in ${host}'s ledger (no run id was given); it is a canary, and the ledger holds no other kind of run.`,
    };
  const skipped = runs.slice(0, firstReal).map((r) => r.id);
  const passedOver = skipped.length
    ? ` Newer canar${skipped.length > 1 ? "ies" : "y"} passed over: ${skipped.join(", ")} (${callHint("tail_logs", { runId: skipped[0], host })} reads one).`
    : "";
  return {
    runId: runs[firstReal]!.id,
    note: `${runs[firstReal]!.id} is the newest run in ${host}'s ledger (no run id was given).${passedOver}`,
  };
}

const thin = <T>(items: T[], max: number): T[] =>
  items.length <= max
    ? items
    : Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]!);

const seriesRange = (s: { fromIteration?: number; toIteration?: number }) => ({
  fromIteration: s.fromIteration,
  toIteration: s.toIteration,
});

const round3 = (v: number) => Math.round(v * 1000) / 1000;

const orNull = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);

export default defineTool({
  name: "tail_logs",
  title: "Tail a training log",
  description:
    "Read the end of a MindSpeed-MM training log (or what was appended after `offset`) on a host, without reading " +
    "the whole file. Returns the run state (starting, running, finished, failed with its error lines, stalled, " +
    "unknown), the latest iteration metrics (loss, grad norm, step time, learning rate), throughput and ETA, " +
    "warnings (NaN loss, loss spikes, exploding grad norm, skipped iterations, slowing steps), checkpoints and a " +
    "loss curve (with chart, a PNG image returned with the result; nothing is written on the host). With followSeconds it watches the log and reports each " +
    "new iteration as progress. Use nextOffset for incremental reads; on failure call diagnose_error with errorLines. " +
    "A Hugging Face job's log is fetched from the Hub into a cache, the run's log file on this machine (also on a " +
    "read-only server): the only thing this tool writes.",
  toolset: "train",
  // Reads logs and writes nothing but a Hugging Face job's log cache (src/runs/hf-jobs-run.ts): the chart is returned.
  kind: "read",
  input,
  output,
  async handle(args, deps) {
    let host = args.host;
    let logFile = args.logFile;
    let pid = args.pid;
    let processAlive = args.processAlive;
    let waiting: string | undefined;
    let stopped: string | undefined;
    const newest =
      args.runId === undefined && args.logFile === undefined ? await newestRunOn(deps.hosts, args.host) : null;
    if (newest) args = { ...args, runId: newest.runId };
    if (args.runId !== undefined) {
      const run = await runServicesOf(deps).locateLog(args.runId, { hosts: deps.hosts });
      if (!run) throw new ToolError(noSuchRunOrLog(args.runId));
      ({ host, logFile, waiting, stopped } = run);
      pid ??= run.pid;
      processAlive ??= run.processAlive;
    }
    let executor: HostExecutor;
    let settings: HostSettings;
    try {
      ({ executor, settings } = await deps.hosts.get(host));
    } catch (error) {
      if (error instanceof UnknownHostError) throw new ToolError(error.message);
      throw new ToolError(`Cannot reach host ${host}: ${(error as Error).message}`);
    }
    const path = onHost(logFile!, settings);
    if (path === null)
      throw new ToolError(
        `logFile "${logFile}" is relative and host ${host} names no workdir: give the log's absolute path.`,
      );

    let lastProgress = 0;
    let result: Awaited<ReturnType<typeof inspectLog>>;
    // A Hugging Face job's log is a copy on this machine: it is refreshed while the follow lasts.
    const stopRefresh =
      args.runId !== undefined && args.followSeconds
        ? await followHfJobLog(deps.hosts, args.runId, args.followSeconds)
        : null;
    try {
      result = await inspectLog({
        host: executor,
        path,
        lines: args.lines,
        offset: args.offset,
        history: args.history,
        followSeconds: args.followSeconds,
        signal: deps.signal,
        now: deps.now,
        pid,
        processAlive,
        runExpected: args.runId !== undefined,
        stallFactor: args.stallFactor,
        series:
          args.series && args.offset === undefined
            ? { maxPoints: args.series.maxPoints, range: seriesRange(args.series) }
            : undefined,
        onIteration: (rec) => {
          // Progress only moves forward, even if the log restarts.
          if (rec.iteration <= lastProgress) return;
          lastProgress = rec.iteration;
          deps.progress({
            progress: rec.iteration,
            total: rec.totalIterations,
            message: `iteration ${rec.iteration}/${rec.totalIterations}${rec.loss !== undefined ? ` loss ${fmt(rec.loss)}` : ""}${rec.gradNorm !== undefined ? ` grad norm ${fmt(rec.gradNorm)}` : ""}`,
          });
        },
      });
    } catch (error) {
      if (error instanceof LogNotFoundError) {
        throw new ToolError(`${error.message} Check the path, or pass runId/pid if the run was just launched.`);
      }
      throw new ToolError(`Cannot read ${path} on host ${host}: ${(error as Error).message}`);
    } finally {
      await stopRefresh?.();
    }

    const a = result.analysis;
    const l = a.latest;
    const step = a.medianStepMs;
    const samplesPerSecond = l?.globalBatchSize !== undefined && step ? (l.globalBatchSize * 1000) / step : null;
    const curve = thin(a.curve, CURVE_POINTS).map((p) => ({
      iteration: p.iteration,
      loss: orNull(p.loss ?? undefined),
    }));
    const errorLines = a.error?.lines ?? [];
    const stoppedReason = stoppedOnPurpose(stopped, result.verdict.state, a)
      ? `${stopped}${l ? `, after iteration ${l.iteration}/${l.totalIterations}` : ""}`
      : null;
    const out: Output = {
      host,
      logFile: path,
      runId: args.runId ?? null,
      // A run stop_run ended reads stopped, as list_runs says, unless its log ended first (finished, or an error).
      state: stoppedReason ? "stopped" : result.verdict.state,
      // A run the scheduler still holds back has no log yet: say why.
      stateReason: waiting && !result.exists ? `${waiting}; no output yet` : (stoppedReason ?? result.verdict.reason),
      latest: l && {
        iteration: l.iteration,
        totalIterations: l.totalIterations,
        consumedSamples: orNull(l.consumedSamples),
        msPerIteration: orNull(l.msPerIteration),
        learningRate: orNull(l.learningRate),
        globalBatchSize: orNull(l.globalBatchSize),
        tokensPerSample: orNull(l.tokensPerSample),
        loss: orNull(l.loss),
        gradNorm: orNull(l.gradNorm),
        lossScale: orNull(l.lossScale),
        skippedIterations: orNull(l.skippedIterations),
        nanIterations: orNull(l.nanIterations),
        timestamp: l.timestamp ?? null,
        nonFinite: (["loss", "gradNorm", "lossScale"] as const).filter(
          (k) => l[k] !== undefined && !Number.isFinite(l[k]),
        ),
        ...(l.epoch !== undefined ? { epoch: orNull(l.epoch) } : {}),
        ...(l.metrics
          ? { metrics: Object.fromEntries(Object.entries(l.metrics).filter(([, v]) => Number.isFinite(v))) }
          : {}),
      },
      progressPercent: l && l.totalIterations > 0 ? Math.round((l.iteration / l.totalIterations) * 1000) / 10 : null,
      medianStepMs: step,
      logInterval: a.logInterval,
      throughput:
        samplesPerSecond === null
          ? null
          : {
              samplesPerSecond: round3(samplesPerSecond),
              tokensPerSecond: l?.tokensPerSample !== undefined ? round3(samplesPerSecond * l.tokensPerSample) : null,
            },
      etaSeconds:
        l && step && result.verdict.state === "running"
          ? (Math.max(l.totalIterations - l.iteration, 0) * step) / 1000
          : null,
      stallAfterSeconds: result.verdict.stallAfterSeconds,
      secondsSinceLastWrite: result.silenceSeconds === null ? null : Math.round(result.silenceSeconds),
      processAlive: result.processAlive,
      iterationsSeen: a.iterationsSeen,
      // A relative save path (SAVE_PATH=save_dir) is relative to the workdir the run starts in.
      checkpoints: a.checkpoints.map((c) => ({ ...c, path: onHost(c.path, settings) ?? c.path })),
      warnings: a.warnings,
      errorLines,
      diagnosis: null,
      validation: a.validation,
      memory: a.memory,
      memoryByRank: a.memoryByRank,
      lines: result.lines,
      newLineCount: result.newLineCount,
      nextOffset: result.nextOffset,
      fileSize: result.fileSize,
      bytesRead: result.bytesRead,
      followed: result.follow && { stoppedBecause: result.follow.stoppedBecause, newLines: result.follow.newLines },
      sparkline: sparkline(a.curve.filter((p) => p.loss !== null).map((p) => p.loss!)),
      curve,
      chart: null,
      series: !args.series
        ? null
        : args.offset === undefined
          ? a.series
          : new MetricSeriesBuilder(args.series.maxPoints, seriesRange(args.series)).pushLines(result.lines).result(),
      notes: [
        ...(newest ? [newest.note] : []),
        ...result.notes,
        ...(a.runRestarts > 0
          ? [`The iteration count restarted ${a.runRestarts}× in what was read; figures are for the last run.`]
          : []),
      ],
    };
    if (out.state === "failed" && errorLines.length > 0) out.diagnosis = await diagnoseErrorText(errorLines.join("\n"));
    // The host its log was found on holds its record: no other host's ledger is read again.
    const found = args.runId !== undefined ? (await findRun(deps.hosts, args.runId, [host])).found : null;
    // A canary saved nothing: it has no export, benchmark or resume to offer, only the real run it measured.
    if (found && isCanaryRun(found.record)) {
      out.canary = {
        iterations: found.record.canaryOf?.iterations ?? null,
        script: found.record.canaryOf?.script ?? null,
        hosts: found.record.hosts,
      };
    } else if ((out.state === "stopped" || out.state === "finished") && args.runId !== undefined) {
      // The resume call that works for what the run saved (as stop_run names it).
      if (out.state === "stopped" && found && (await savesWithoutOptimizer(deps.hosts, found.record)))
        out.resumeNeedsFreshOptimizer = true;
      // Its latest checkpoint already exported (wherever export_model wrote it): the export is named, not suggested
      // again; a finished run's next steps, and a stopped run's once exported, score it on the host's benchmarks.
      out.exportDir = found ? await exportOfRun(executor, found.record) : null;
      if (found && (out.state === "finished" || out.exportDir))
        out.benchmarks = await benchmarkData(executor, found.record.workdir);
    }
    const drawn = curve.filter((p) => p.loss !== null).length;
    if (args.chart && drawn >= 2) out.chart = { mimeType: "image/png", points: drawn };
    return out;
  },
  summarize: summarizeTail,
  attachments(result) {
    if (!result.chart) return [];
    const png = renderLossPng(result.curve);
    return png ? [{ type: "image", mimeType: "image/png", data: png.toString("base64") }] : [];
  },
});

function summarizeTail(r: Output, delivered?: string): string {
  const out: string[] = [];
  const l = r.latest;
  const head = [`${r.state}: ${r.stateReason}`];
  if (l) {
    const parts = [
      `iteration ${l.iteration}/${l.totalIterations}${r.progressPercent !== null ? ` (${r.progressPercent}%)` : ""}`,
    ];
    parts.push(`loss ${l.loss !== null ? fmt(l.loss) : l.nonFinite.includes("loss") ? "NaN/inf" : "-"}`);
    if (l.gradNorm !== null) parts.push(`grad norm ${fmt(l.gradNorm)}`);
    if (r.medianStepMs !== null) parts.push(`${fmt(r.medianStepMs / 1000)} s/it`);
    if (r.throughput) {
      parts.push(`${fmt(r.throughput.samplesPerSecond)} samples/s`);
      if (r.throughput.tokensPerSecond !== null) parts.push(`${fmt(r.throughput.tokensPerSecond)} tokens/s`);
    }
    if (l.learningRate !== null) parts.push(`lr ${fmt(l.learningRate)}`);
    if (l.epoch !== undefined && l.epoch !== null) parts.push(`epoch ${fmt(l.epoch)}`);
    for (const key of ["reward", "rewards/margins", "rewards/accuracies"])
      if (l.metrics?.[key] !== undefined) parts.push(`${key} ${fmt(l.metrics[key])}`);
    if (r.etaSeconds !== null) parts.push(`ETA ${eta(r.etaSeconds)}`);
    head.push(parts.join(", "));
  }
  out.push(head.join("\n"));
  if (r.sparkline) out.push(`loss ${r.sparkline}`);
  for (const w of r.warnings) out.push(`warning: ${w.message}`);
  if (r.errorLines.length > 0) out.push(["error:", ...r.errorLines.slice(0, 12).map((x) => `  ${x}`)].join("\n"));
  if (r.diagnosis) out.push(`diagnosis: ${r.diagnosis.summary}`);
  // A run's next calls name the host its log was found on: the host a terminal command was typed with may not hold it.
  const ofRun = (runId: string) => ({ runId, host: r.host });
  const tryIt = (runId: string) =>
    `try it with ${callHint("run_inference", ofRun(runId))} (a question from its training data; prompt and images for your own), ${scoreHint(r.benchmarks ?? null, ofRun(runId))}`;
  const exported = (dir: string) =>
    `latest checkpoint is already exported to ${dir} (Hugging Face format, ready to load with transformers or serve with vLLM-Ascend)`;
  if (r.canary && r.runId && (r.state === "finished" || r.state === "stopped")) {
    const where = r.canary.hosts.length > 1 ? { hosts: r.canary.hosts } : { host: r.canary.hosts[0] ?? r.host };
    const real = r.canary.script ? callHint("launch_train", { ...where, script: r.canary.script }) : null;
    out.push(
      `Next: ${r.runId} is a canary${r.canary.iterations !== null ? ` of ${r.canary.iterations} iterations` : ""} (launch_train's short trial run): it saved no checkpoint, so there is nothing to resume, export, try or score. ` +
        (real
          ? `Start the real run with ${real} (it shows the plan; add ${argsHint({ confirm: true })} to start it).`
          : `Start the real run with ${callHint("launch_train", where)} and the script it measured.`),
    );
  } else if (r.state === "finished" && r.runId && !l?.nonFinite.includes("loss")) {
    out.push(
      r.exportDir
        ? `Next: its ${exported(r.exportDir)}; ${tryIt(r.runId)}.`
        : `Next: ${tryIt(r.runId)}, or write it in Hugging Face format with ${callHint("export_model", { ...ofRun(r.runId), confirm: true })}.`,
    );
  }
  if (r.state === "stopped" && r.runId && !r.canary) {
    const nan = l?.nonFinite.includes("loss");
    out.push(
      nan
        ? `Next: its loss had turned NaN: ${callHint("diagnose_error", ofRun(r.runId))} for the cause and a fix.`
        : r.resumeNeedsFreshOptimizer
          ? `Next: ${callHint("resume_run", { ...ofRun(r.runId), allowFreshOptimizer: true })} continues it from its last checkpoint, with a new optimizer: its checkpoints hold no optimizer or RNG state (--no-save-optim/--no-save-rng), so Adam's moments restart from zero.`
          : `Next: ${callHint("resume_run", ofRun(r.runId))} continues it from its last checkpoint.`,
    );
    // Exported before it was stopped, or since: the export is there to use as it is, not to write again.
    if (!nan && r.exportDir) out.push(`Its ${exported(r.exportDir)}: ${tryIt(r.runId)}.`);
  }
  if (r.state !== "failed" && r.state !== "finished" && r.state !== "stopped" && l?.nonFinite.includes("loss")) {
    const target = r.runId ? ofRun(r.runId) : { host: r.host, logFile: r.logFile };
    out.push(
      `Next: the loss is no longer a number, so further steps waste the cards: ${r.runId ? `${callHint("stop_run", ofRun(r.runId))}, then ` : "stop the run, then "}${callHint("diagnose_error", target)} for the cause and a fix.`,
    );
  }
  const ck = r.checkpoints[r.checkpoints.length - 1];
  if (ck)
    out.push(`last checkpoint: ${ck.phase} ${ck.path}${ck.iteration !== null ? ` (iteration ${ck.iteration})` : ""}`);
  if (r.chart)
    out.push(`loss curve: a PNG image of ${r.chart.points} points ${delivered ?? "(returned with the result)"}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  if (r.lines.length > 0) out.push(`--- ${r.logFile} (next offset ${r.nextOffset}) ---\n${r.lines.join("\n")}`);
  return out.join("\n");
}

const eta = formatDuration;

/** A run stop_run ended whose log shows neither its end nor an error of its own: stopped, not failed. */
function stoppedOnPurpose(stopped: string | undefined, state: string, a: { error: unknown; end: unknown }): boolean {
  return stopped !== undefined && state !== "finished" && !a.error && !a.end;
}
