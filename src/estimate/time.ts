// Time to train, from the iteration lines a run has printed: seconds per iteration (median of the steady iterations,
// the first ones skipped as warm-up), tokens per second, the ETA for the iterations left and the NPU-hours of the
// whole run. Also the measured peak memory when Megatron printed its "memory (MB)" line.
import { classifyLine, parseIterationLine } from "../logs/index.js";
import type { IterationRecord } from "../logs/types.js";

export interface TimeEstimate {
  iterationsSeen: number;
  currentIteration: number;
  totalIterations: number;
  secondsPerIteration: number;
  /** Samples × sequence length per iteration over its time; null when the global batch is unknown. */
  tokensPerSecond: number | null;
  remainingIterations: number;
  etaSeconds: number;
  /** NPUs × the whole run's iterations × seconds per iteration, in hours. */
  npuHoursTotal: number;
  npuHoursRemaining: number;
  /** Highest "max allocated" any rank printed, MiB; null when none was printed. */
  measuredMaxAllocatedMiB: number | null;
}

/** Iterations counted as warm-up (graph compilation, the first all-reduces, the first data loads). */
const WARMUP = 2;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export interface TimeInputs {
  npus: number;
  /** Tokens per sample when the log does not say (the configs' seq length). */
  seqLength?: number;
  /** Iterations planned, when the log's total should be overridden (a longer or shorter run). */
  trainIters?: number;
}

export function timeFromLog(lines: readonly string[], inputs: TimeInputs): TimeEstimate | null {
  const records: IterationRecord[] = [];
  let memory: number | null = null;
  for (const line of lines) {
    const rec = parseIterationLine(line);
    if (rec) {
      records.push(rec);
      continue;
    }
    const event = classifyLine(line);
    if (event?.kind === "memory") memory = Math.max(memory ?? 0, event.memory.maxAllocatedMb);
  }
  const timed = records.filter((r) => r.msPerIteration !== undefined && r.msPerIteration > 0);
  if (timed.length === 0) return null;
  const steady = timed.length > WARMUP ? timed.filter((r) => r.iteration > WARMUP) : timed;
  const pool = steady.length > 0 ? steady : timed;
  const secondsPerIteration = median(pool.slice(-50).map((r) => r.msPerIteration! / 1000));
  const last = records[records.length - 1]!;
  const totalIterations = inputs.trainIters ?? last.totalIterations;
  const remainingIterations = Math.max(0, totalIterations - last.iteration);
  const batch = last.globalBatchSize;
  const tokensPerSample = last.tokensPerSample ?? inputs.seqLength;
  const tokensPerSecond =
    batch !== undefined && tokensPerSample !== undefined
      ? Math.round((batch * tokensPerSample) / secondsPerIteration)
      : null;
  const hours = (iterations: number) =>
    Math.round(((iterations * secondsPerIteration * inputs.npus) / 3600) * 100) / 100;
  return {
    iterationsSeen: records.length,
    currentIteration: last.iteration,
    totalIterations,
    secondsPerIteration: Math.round(secondsPerIteration * 1000) / 1000,
    tokensPerSecond,
    remainingIterations,
    etaSeconds: Math.round(remainingIterations * secondsPerIteration),
    npuHoursTotal: hours(totalIterations),
    npuHoursRemaining: hours(remainingIterations),
    measuredMaxAllocatedMiB: memory,
  };
}
