// Following a growing log for a bounded time: poll what was appended, feed it to the analysis, stop at the end.
import type { HostExecutor } from "../hosts/executor.js";
import type { LogAccumulator } from "./accumulator.js";
import { readSince } from "./tail.js";

export interface FollowOptions {
  host: HostExecutor;
  path: string;
  offset: number;
  acc: LogAccumulator;
  /** Epoch ms after which following stops. */
  until: number;
  /** Longest wait between two reads; waits start short and double while nothing new arrives. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called with each batch of new complete lines. */
  onLines?: (lines: string[]) => void;
}

export type FollowStop = "time" | "finished" | "failed" | "aborted" | "host_error";

export interface FollowResult {
  offset: number;
  stoppedBecause: FollowStop;
  newLines: number;
  /** The log was truncated or replaced while following (read again from the start). */
  restarts: number;
  hostError: string | null;
  /** Epoch ms of the last read that brought new lines. */
  lastGrowthAt: number | null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

export async function followLog(opts: FollowOptions): Promise<FollowResult> {
  const pollMs = opts.pollMs ?? 2000;
  let wait = Math.min(250, pollMs);
  let offset = opts.offset;
  let newLines = 0;
  let restarts = 0;
  let lastGrowthAt: number | null = null;
  const stop = (stoppedBecause: FollowStop, hostError: string | null = null): FollowResult => ({
    offset,
    stoppedBecause,
    newLines,
    restarts,
    hostError,
    lastGrowthAt,
  });
  for (;;) {
    if (opts.signal?.aborted) return stop("aborted");
    let chunk: Awaited<ReturnType<typeof readSince>>;
    try {
      chunk = await readSince(opts.host, opts.path, offset);
    } catch (error) {
      return stop("host_error", (error as Error).message);
    }
    if (chunk.restarted) restarts++;
    offset = chunk.end;
    if (chunk.lines.length > 0) {
      wait = Math.min(250, pollMs);
      lastGrowthAt = Date.now();
      newLines += chunk.lines.length;
      for (const line of chunk.lines) opts.acc.push(line);
      opts.onLines?.(chunk.lines);
      const outcome = opts.acc.outcome();
      if (outcome) return stop(outcome);
    }
    if (chunk.more) continue;
    const left = opts.until - Date.now();
    if (left <= 0) return stop("time");
    await sleep(Math.min(wait, left), opts.signal);
    wait = Math.min(wait * 2, pollMs);
  }
}
