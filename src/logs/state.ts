// The state of a run from its log analysis plus what the caller knows: is the process alive, when was the log last
// written. The log's own words win (an end line, an error); silence and a dead process fill in the rest.
import { formatDuration } from "../text/format.js";
import type { LogAnalysis } from "./accumulator.js";
import { fmt } from "./accumulator.js";
import type { RunState } from "./types.js";

export interface StateContext {
  /** Seconds since the log was last written (now − mtime); null when unknown. */
  silenceSeconds: number | null;
  /** True/false when known (a pid was checked or the caller said so); null when unknown. */
  processAlive: boolean | null;
  /** Stalled after this many median step times without a new iteration line. */
  stallFactor: number;
}

export interface StateVerdict {
  state: RunState;
  reason: string;
  /** Seconds of silence after which the run counts as stalled; null without step times. */
  stallAfterSeconds: number | null;
}

/** Never call a run stalled before this much silence: step times of a few seconds would make it jumpy. */
export const MIN_STALL_SECONDS = 60;
/** Startup (compilation, checkpoint loading, HCCL init) may be slow, but not this slow. */
export const STARTUP_STALL_SECONDS = 1800;
/** Saving a checkpoint of a large model takes minutes. */
export const SAVE_STALL_SECONDS = 900;

const duration = formatDuration;

export function stallThreshold(a: LogAnalysis, factor: number): number | null {
  if (a.medianStepMs === null) return null;
  let limit = Math.max((factor * a.medianStepMs * a.logInterval) / 1000, MIN_STALL_SECONDS);
  const lastSave = a.checkpoints[a.checkpoints.length - 1];
  if (lastSave && a.latest && lastSave.phase === "saving" && (lastSave.iteration ?? 0) >= a.latest.iteration) {
    limit = Math.max(limit, SAVE_STALL_SECONDS);
  }
  return limit;
}

/** A Python exception statement ("RuntimeError: NPU out of memory…"), with or without a rank prefix. */
const EXCEPTION = /(?:^|\]:\s*)((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Interrupt|Exit)\b.*)$/;

/** The line that says what went wrong: the exception a traceback ends in, else the error block's first line. */
export function errorHeadline(lines: readonly string[]): string {
  for (const raw of lines) {
    const line = raw.trim();
    if (/Traceback \(most recent call last\)|^\s*File "/.test(line)) continue;
    const m = EXCEPTION.exec(line);
    if (m) return m[1]!.trim();
  }
  return lines[0]!.trim();
}

/**
 * A run whose latest loss is NaN or infinite still runs but no longer learns: said first in its reason, with where
 * it began, so that a list of runs never shows it as healthy.
 */
function nonFiniteLoss(a: LogAnalysis): string | null {
  const loss = a.latest?.loss;
  if (loss === undefined || Number.isFinite(loss)) return null;
  const since = a.warnings.find((w) => w.kind === "nonfinite_loss")?.iteration;
  const from = since !== undefined && since !== null ? ` since iteration ${since}` : "";
  return `loss is ${loss}${from}: the run is no longer learning (stop it, then diagnose the log)`;
}

export function decideState(a: LogAnalysis, ctx: StateContext): StateVerdict {
  const stallAfterSeconds = stallThreshold(a, ctx.stallFactor);
  const verdict = (state: RunState, reason: string): StateVerdict => ({ state, reason, stallAfterSeconds });
  const where = a.latest
    ? `after iteration ${a.latest.iteration}/${a.latest.totalIterations}`
    : "before the first iteration";

  if (a.error) return verdict("failed", `stopped with an error ${where}: ${errorHeadline(a.error.lines)}`);
  if (a.terminated) return verdict("failed", `stopped by a signal ${where}: ${a.terminated}`);
  if (a.end) return verdict("finished", `normal end ${where}: ${a.end.reason}`);

  const silence = ctx.silenceSeconds;
  const latest = a.latest;
  if (latest) {
    const atEnd = latest.totalIterations > 0 && latest.iteration >= latest.totalIterations;
    if (ctx.processAlive === false) {
      return atEnd
        ? verdict("finished", `reached the last iteration ${latest.iteration} and the process has exited`)
        : verdict("failed", `the process is gone ${where}, with no end line and no error in the log`);
    }
    if (stallAfterSeconds !== null && silence !== null && silence > stallAfterSeconds) {
      if (atEnd && ctx.processAlive === null) {
        return verdict(
          "finished",
          `reached the last iteration ${latest.iteration}; the log has been quiet for ${duration(silence)}`,
        );
      }
      const step = ((a.medianStepMs ?? 0) * a.logInterval) / 1000;
      return verdict(
        "stalled",
        `no new iteration for ${duration(silence)} (${fmt(silence / Math.max(step, 1e-9))}× the ${fmt(step)} s between iteration lines)` +
          (ctx.processAlive ? "; the process is still alive" : ""),
      );
    }
    const written =
      silence === null ? "iteration lines, no end or error after them" : `log last written ${duration(silence)} ago`;
    return verdict("running", nonFiniteLoss(a) ? `${nonFiniteLoss(a)}; ${written}` : written);
  }

  if (ctx.processAlive === false) return verdict("failed", "the process exited before the first iteration");
  if (a.startSeen || a.linesSeen === 0) {
    if (silence !== null && silence > STARTUP_STALL_SECONDS) {
      return verdict("stalled", `no output for ${duration(silence)} while starting up`);
    }
    return verdict("starting", a.linesSeen === 0 ? "the log is empty" : "setting up; no iteration logged yet");
  }
  return verdict(
    "unknown",
    "no MindSpeed-MM or Megatron iteration, startup, end or error lines in what was read (a different log format?)",
  );
}
