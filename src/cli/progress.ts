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

/** Seconds left, from the pace since this phase (this total) began. */
function eta(u: ProgressUpdate, startedAt: number, now: number): string {
  if (!u.total || u.progress <= 0 || u.progress >= u.total) return "";
  const elapsed = (now - startedAt) / 1000;
  if (elapsed < 1) return "";
  return `ETA ${formatDuration((elapsed * (u.total - u.progress)) / u.progress)}`;
}

export function progressPrinter(
  stream: NodeJS.WriteStream,
  opts: { now?: () => number; intervalMs?: number; delayMs?: number } = {},
): Printer {
  const now = opts.now ?? Date.now;
  let phase: { total: number | undefined; startedAt: number } | null = null;
  const track = (u: ProgressUpdate) => {
    if (!phase || phase.total !== u.total) phase = { total: u.total, startedAt: now() };
    return phase.startedAt;
  };
  return stream.isTTY
    ? terminalPrinter(stream, track, now)
    : plainPrinter(stream, track, now, opts.intervalMs, opts.delayMs);
}

function terminalPrinter(stream: NodeJS.WriteStream, track: (u: ProgressUpdate) => number, now: () => number): Printer {
  let bar: SingleBar | null = null;
  return {
    update(u) {
      const startedAt = track(u);
      const width = (stream.columns ?? 100) - 1;
      const payload = {
        amounts: amounts(u),
        eta: eta(u, startedAt, now()),
        message: (u.message ?? "").slice(0, Math.max(10, width - 60)),
      };
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: "{bar} {percentage}% {amounts} {eta} {message}",
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
  track: (u: ProgressUpdate) => number,
  now: () => number,
  intervalMs = PLAIN_INTERVAL_MS,
  delayMs = PLAIN_DELAY_MS,
): Printer {
  let firstAt: number | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  return {
    update(u) {
      const startedAt = track(u);
      const at = now();
      firstAt ??= at;
      if (at - firstAt < delayMs || at - lastAt < intervalMs) return;
      lastAt = at;
      const percent = u.total ? `${Math.floor((100 * u.progress) / u.total)}%` : "";
      const line = [percent, amounts(u), eta(u, startedAt, at), u.message ?? ""].filter((x) => x !== "").join(" ");
      stream.write(`progress: ${line}\n`);
    },
    done() {},
  };
}
