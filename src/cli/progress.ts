// Progress of long work on stderr. On a terminal: one line redrawn in place by cli-progress (bar, percentage, done
// and total in human units, ETA). Without a terminal (a log, a pipe): nothing for work that ends within a couple of
// seconds (as git delays its progress), then a plain line every few seconds at most.
import { SingleBar } from "cli-progress";
import { formatBytes, formatDuration } from "../text/format.js";
import type { ProgressUpdate } from "../tools/tool.js";

/** Least time between two lines when stderr is not a terminal. */
export const PLAIN_INTERVAL_MS = 5_000;
/** How long work runs before its first line when stderr is not a terminal: quick work writes none. */
export const PLAIN_DELAY_MS = 2_000;

interface Printer {
  update(u: ProgressUpdate): void;
  done(): void;
}

function amounts(u: ProgressUpdate): string {
  const show = (n: number) => (u.unit === "bytes" ? formatBytes(n) : n.toLocaleString("en-US"));
  return u.total ? `${show(u.progress)}/${show(u.total)}` : u.unit === "bytes" ? show(u.progress) : "";
}

/** Where this phase (this total) began: when, and how far the work already was (following a run joins it midway). */
interface Phase {
  total: number | undefined;
  startedAt: number;
  startedFrom: number;
}

/** Seconds left, from the pace of the progress made since this phase began. */
function eta(u: ProgressUpdate, phase: Phase, now: number): string {
  if (!u.total || u.progress >= u.total) return "";
  const elapsed = (now - phase.startedAt) / 1000;
  const made = u.progress - phase.startedFrom;
  if (elapsed < 1 || made <= 0) return "";
  return `ETA ${formatDuration((elapsed * (u.total - u.progress)) / made)}`;
}

export function progressPrinter(
  stream: NodeJS.WriteStream,
  opts: { now?: () => number; intervalMs?: number; delayMs?: number } = {},
): Printer {
  const now = opts.now ?? Date.now;
  let phase: Phase | null = null;
  const track = (u: ProgressUpdate) => {
    if (!phase || phase.total !== u.total) phase = { total: u.total, startedAt: now(), startedFrom: u.progress };
    return phase;
  };
  return stream.isTTY
    ? terminalPrinter(stream, track, now)
    : plainPrinter(stream, track, now, opts.intervalMs, opts.delayMs);
}

function terminalPrinter(stream: NodeJS.WriteStream, track: (u: ProgressUpdate) => Phase, now: () => number): Printer {
  let bar: SingleBar | null = null;
  return {
    update(u) {
      const phase = track(u);
      const width = (stream.columns || 100) - 1;
      // Not `eta`: cli-progress fills its own {eta} token (seconds from its own clock) before the payload's.
      const payload = {
        amounts: amounts(u),
        timeLeft: eta(u, phase, now()),
        message: (u.message ?? "").slice(0, Math.max(10, width - 60)),
      };
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: "{bar} {percentage}% {amounts} {timeLeft} {message}",
          barsize: 20,
          hideCursor: false,
          clearOnComplete: true,
          linewrap: false,
          fps: 5,
          barCompleteChar: "█",
          barIncompleteChar: "░",
        });
        bar.start(u.total ?? 0, u.progress, payload);
      }
      if (u.total !== undefined) bar.setTotal(u.total);
      bar.update(u.progress, payload);
    },
    done() {
      bar?.stop();
      bar = null;
    },
  };
}

function plainPrinter(
  stream: NodeJS.WriteStream,
  track: (u: ProgressUpdate) => Phase,
  now: () => number,
  intervalMs = PLAIN_INTERVAL_MS,
  delayMs = PLAIN_DELAY_MS,
): Printer {
  let firstAt: number | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    update(u) {
      const phase = track(u);
      const at = now();
      firstAt ??= at;
      if (at - firstAt < delayMs || at - lastAt < intervalMs) return;
      lastAt = at;
      const percent = u.total ? `${Math.floor((100 * u.progress) / u.total)}%` : "";
      const line = [percent, amounts(u), eta(u, phase, at), u.message ?? ""].filter((x) => x !== "").join(" ");
      stream.write(`progress: ${line}\n`);
    },
    done() {},
  };
}
