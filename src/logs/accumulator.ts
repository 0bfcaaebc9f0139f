// Online analysis of a training log, one line at a time, in bounded memory: the same code serves a tail window,
// a followed log and a full multi-gigabyte log.
import { classifyLine, parseIterationLine } from "./parse.js";
import { type MetricSeries, MetricSeriesBuilder, type SeriesRange } from "./series.js";
import { Downsampler, median, Ring } from "./stats.js";
import { TrainerLogReader } from "./trainer-log.js";
import type { CheckpointEvent, IterationRecord, LogWarning, MemoryReport, WarningKind } from "./types.js";

export interface CurvePoint {
  iteration: number;
  loss: number | null;
  gradNorm: number | null;
  msPerIteration: number | null;
  learningRate: number | null;
}

export interface ErrorBlock {
  /** The first error line and the lines after it (bounded). */
  lines: string[];
  /** Last iteration logged before the error, if any. */
  afterIteration: number | null;
}

export interface WarningSummary extends LogWarning {
  /** Logged iterations it was seen on (one iteration counts once, however many lines said so). */
  count: number;
  /** The latest of those iterations. */
  lastIteration: number | null;
}

export interface LogAnalysis {
  linesSeen: number;
  iterationsSeen: number;
  first: IterationRecord | null;
  latest: IterationRecord | null;
  /** Median ms per iteration over recent lines, first (compile/warm-up) line excluded. */
  medianStepMs: number | null;
  /** Iterations between two logged lines (`--log-interval`). */
  logInterval: number;
  checkpoints: CheckpointEvent[];
  warnings: WarningSummary[];
  /** An error after the last iteration line: the run stopped there unless training resumed. */
  error: ErrorBlock | null;
  /** Errors that were followed by more iterations (training went on). */
  recoveredErrors: number;
  /** A normal end line after the last iteration. */
  end: { reason: string; strong: boolean } | null;
  terminated: string | null;
  startSeen: boolean;
  validation: { iteration: number; loss: number } | null;
  memory: MemoryReport | null;
  /** The latest memory report of each rank that printed one, by rank. */
  memoryByRank: MemoryReport[];
  curve: CurvePoint[];
  /** Downsampled metric curves, when asked for (LogAccumulator's `series` option). */
  series: MetricSeries | null;
  skippedIterationsTotal: number;
  /** Times the iteration count went back (a new or resumed run appended to the same log); figures are the last run's. */
  runRestarts: number;
  /** Only iteration lines contribute; so a log of another format ends with zero here. */
  recent: IterationRecord[];
}

const ERROR_BLOCK_LINES = 40;
const RECENT = 256;
const DRIFT_SAMPLES = 20;
/** Ranks whose memory report is kept (a bound, far above any real job's rank count per log). */
const MEMORY_RANKS = 4096;

export class LogAccumulator {
  private linesSeen = 0;
  private iterations = 0;
  private first: IterationRecord | null = null;
  private latest: IterationRecord | null = null;
  private readonly recent = new Ring<IterationRecord>(RECENT);
  private readonly earlyMs: number[] = [];
  private curve: Downsampler<CurvePoint>;
  private readonly curvePoints: number;
  private runRestarts = 0;
  private readonly checkpoints = new Ring<CheckpointEvent>(10);
  private readonly warnings = new Map<WarningKind, WarningSummary>();
  private error: ErrorBlock | null = null;
  private recoveredErrors = 0;
  private end: { reason: string; strong: boolean } | null = null;
  private terminated: string | null = null;
  private startSeen = false;
  private validation: { iteration: number; loss: number } | null = null;
  private memory: MemoryReport | null = null;
  private readonly memoryByRank = new Map<number, MemoryReport>();
  private readonly series: MetricSeriesBuilder | null;
  private skippedTotal = 0;
  private lossEma = 0;
  private lossDev = 0;
  private lossN = 0;
  private gradEma = 0;
  private gradN = 0;
  private readonly trainerLog = new TrainerLogReader();

  /** Called with each new iteration record (follow mode turns these into progress updates). */
  onIteration?: (rec: IterationRecord) => void;

  constructor(opts: { curvePoints?: number; series?: { maxPoints: number; range?: SeriesRange } } = {}) {
    this.curvePoints = opts.curvePoints ?? 1024;
    this.curve = new Downsampler(this.curvePoints);
    this.series = opts.series ? new MetricSeriesBuilder(opts.series.maxPoints, opts.series.range) : null;
  }

  push(line: string): void {
    this.linesSeen++;
    const rec = parseIterationLine(line);
    if (rec) {
      this.addIteration(rec);
      return;
    }
    const trainer = this.trainerLog.read(line);
    if (trainer?.kind === "iteration") {
      this.addIteration(trainer.record);
      return;
    }
    const event = trainer ?? classifyLine(line);
    if (this.error && this.error.lines.length < ERROR_BLOCK_LINES && event?.kind !== "end") this.error.lines.push(line);
    if (!event) return;
    switch (event.kind) {
      case "error":
        this.error ??= { lines: [line], afterIteration: this.latest?.iteration ?? null };
        break;
      case "end":
        this.end = { reason: event.reason, strong: event.reason !== "launch script epilogue" };
        // A trainer's own end line after an error means the error was not fatal.
        if (this.end.strong) this.error = null;
        break;
      case "terminated":
        this.terminated = event.reason;
        break;
      case "checkpoint":
        this.checkpoints.push(event.checkpoint);
        break;
      case "start":
        this.startSeen = true;
        break;
      case "memory":
        this.memory = event.memory;
        if (this.memoryByRank.size < MEMORY_RANKS || this.memoryByRank.has(event.memory.rank))
          this.memoryByRank.set(event.memory.rank, event.memory);
        break;
      case "validation":
        this.validation = { iteration: event.iteration, loss: event.loss };
        break;
    }
  }

  private addIteration(rec: IterationRecord): void {
    if (this.latest && rec.iteration < this.latest.iteration) this.newRun();
    if (this.error) {
      this.recoveredErrors++;
      this.error = null;
    }
    this.end = null;
    this.terminated = null;
    this.iterations++;
    this.first ??= rec;
    const prev = this.latest;
    this.latest = rec;
    this.recent.push(rec);
    if (rec !== this.first && rec.msPerIteration !== undefined && this.earlyMs.length < DRIFT_SAMPLES) {
      this.earlyMs.push(rec.msPerIteration);
    }
    this.curve.push({
      iteration: rec.iteration,
      loss: rec.loss ?? null,
      gradNorm: rec.gradNorm ?? null,
      msPerIteration: rec.msPerIteration ?? null,
      learningRate: rec.learningRate ?? null,
    });
    this.series?.push(rec);
    this.checkHealth(rec, prev);
    this.onIteration?.(rec);
  }

  /** The iteration count went back: a new run (or a resume) appended to the same log. Per-run figures start over. */
  private newRun(): void {
    this.runRestarts++;
    this.first = null;
    this.latest = null;
    this.recent.clear();
    this.earlyMs.length = 0;
    this.curve = new Downsampler(this.curvePoints);
    this.memoryByRank.clear();
    this.lossN = 0;
    this.lossEma = 0;
    this.lossDev = 0;
    this.gradN = 0;
    this.gradEma = 0;
  }

  private warn(kind: WarningKind, iteration: number, message: string): void {
    const existing = this.warnings.get(kind);
    if (!existing) this.warnings.set(kind, { kind, message, iteration, count: 1, lastIteration: iteration });
    else if (iteration !== existing.lastIteration) {
      existing.count++;
      existing.lastIteration = iteration;
    }
  }

  private checkHealth(rec: IterationRecord, prev: IterationRecord | null): void {
    const { loss, gradNorm } = rec;
    if (loss !== undefined) {
      if (!Number.isFinite(loss)) {
        this.warn("nonfinite_loss", rec.iteration, `loss is ${loss} at iteration ${rec.iteration}`);
      } else {
        if (this.lossN >= 10) {
          const excess = loss - this.lossEma;
          if (excess > Math.max(6 * this.lossDev, 0.5 * Math.abs(this.lossEma))) {
            this.warn(
              "loss_spike",
              rec.iteration,
              `loss jumped to ${fmt(loss)} at iteration ${rec.iteration} (recent average ${fmt(this.lossEma)})`,
            );
          }
        }
        if (this.lossN === 0) this.lossEma = loss;
        this.lossDev += 0.1 * (Math.abs(loss - this.lossEma) - this.lossDev);
        this.lossEma += 0.1 * (loss - this.lossEma);
        this.lossN++;
      }
    }
    if (rec.nanIterations !== undefined && rec.nanIterations > 0 && (prev?.nanIterations ?? 0) === 0) {
      this.warn(
        "nonfinite_loss",
        rec.iteration,
        `the trainer counted ${rec.nanIterations} NaN iteration(s) by iteration ${rec.iteration}`,
      );
    }
    if (gradNorm !== undefined) {
      if (!Number.isFinite(gradNorm)) {
        this.warn("grad_norm_explosion", rec.iteration, `grad norm is ${gradNorm} at iteration ${rec.iteration}`);
      } else {
        if (this.gradN >= 5 && gradNorm > 10 * this.gradEma && gradNorm > 1) {
          this.warn(
            "grad_norm_explosion",
            rec.iteration,
            `grad norm ${fmt(gradNorm)} at iteration ${rec.iteration} is over 10× its recent average ${fmt(this.gradEma)}`,
          );
        }
        this.gradEma = this.gradN === 0 ? gradNorm : this.gradEma + 0.1 * (gradNorm - this.gradEma);
        this.gradN++;
      }
    }
    if (rec.skippedIterations !== undefined && rec.skippedIterations > 0) {
      this.skippedTotal += rec.skippedIterations;
      this.warn(
        "skipped_iterations",
        rec.iteration,
        `${rec.skippedIterations} iteration(s) skipped by iteration ${rec.iteration} (a gradient that was not finite: fp16 loss-scale overflow, or NaN/inf)`,
      );
    }
  }

  /** "failed" or "finished" once the log says so; cheap enough to ask after every batch of lines. */
  outcome(): "failed" | "finished" | null {
    if (this.error || this.terminated) return "failed";
    return this.end ? "finished" : null;
  }

  analysis(): LogAnalysis {
    const recent = this.recent.toArray();
    const steps = recent
      .filter((r) => r !== this.first && r.msPerIteration !== undefined)
      .map((r) => r.msPerIteration!);
    const medianStepMs = median(steps.length > 0 ? steps : recent.flatMap((r) => r.msPerIteration ?? []));
    const gaps: number[] = [];
    for (let i = 1; i < recent.length; i++) {
      const gap = recent[i]!.iteration - recent[i - 1]!.iteration;
      if (gap > 0) gaps.push(gap);
    }
    const warnings = [...this.warnings.values()].map((w) => ({
      ...w,
      message:
        w.count > 1 ? `${w.message}; seen on ${w.count} logged iterations, the latest ${w.lastIteration}` : w.message,
    }));
    const drift = this.stepDrift(steps);
    if (drift) warnings.push(drift);
    return {
      linesSeen: this.linesSeen,
      iterationsSeen: this.iterations,
      first: this.first,
      latest: this.latest,
      medianStepMs: medianStepMs ?? null,
      logInterval: median(gaps) ?? 1,
      checkpoints: this.checkpoints.toArray(),
      warnings,
      error: this.error ? { ...this.error, lines: [...this.error.lines] } : null,
      recoveredErrors: this.recoveredErrors,
      end: this.end,
      terminated: this.terminated,
      startSeen: this.startSeen,
      validation: this.validation,
      memory: this.memory,
      memoryByRank: [...this.memoryByRank.values()].sort((a, b) => a.rank - b.rank),
      curve: this.curve.toArray(),
      series: this.series?.result() ?? null,
      skippedIterationsTotal: this.skippedTotal,
      runRestarts: this.runRestarts,
      recent,
    };
  }

  /** Step time drifting up: the recent median against the median early in what was read. */
  private stepDrift(steps: number[]): WarningSummary | null {
    if (this.earlyMs.length < 5 || steps.length < 10) return null;
    const early = median(this.earlyMs)!;
    const late = median(steps.slice(-DRIFT_SAMPLES))!;
    if (early <= 0 || late < 1.3 * early) return null;
    const iteration = this.latest?.iteration ?? null;
    return {
      kind: "step_time_drift",
      iteration,
      count: 1,
      lastIteration: iteration,
      message: `step time rose from ${fmt(early)} ms to ${fmt(late)} ms per iteration (+${Math.round((late / early - 1) * 100)}%)`,
    };
  }
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return n.toExponential(3);
  return String(Number(n.toPrecision(5)));
}
