// One look at a training log on a host: the tail (or what came after an offset), the analysis, the run's state,
// and optionally a bounded follow. Every byte goes through HostExecutor.readFile; the cost is set by the window read.
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import { LogAccumulator, type LogAnalysis } from "./accumulator.js";
import { feedWholeLog } from "./extract.js";
import { type FollowResult, followLog } from "./follow.js";
import type { SeriesRange } from "./series.js";
import { decideState, type StateVerdict } from "./state.js";
import { type LogWindow, readSince, tailLines } from "./tail.js";
import type { IterationRecord } from "./types.js";

/** Bytes from the end that feed the analysis (thousands of iteration lines), whatever the file's size. */
export const ANALYSIS_BYTES = 1024 * 1024;

export interface InspectOptions {
  host: HostExecutor;
  path: string;
  lines: number;
  offset?: number;
  /** Parse the whole file for the analysis and curve (cost grows with the file). */
  history?: boolean;
  followSeconds?: number;
  pollMs?: number;
  signal?: AbortSignal;
  now: () => Date;
  pid?: number;
  processAlive?: boolean;
  /** A run is known to have been launched: a missing log means it has not started writing yet. */
  runExpected?: boolean;
  stallFactor?: number;
  onIteration?: (rec: IterationRecord) => void;
  /** Also build downsampled metric curves of what is analysed (the whole log with `history`). */
  series?: { maxPoints: number; range?: SeriesRange };
}

export interface InspectResult {
  exists: boolean;
  analysis: LogAnalysis;
  verdict: StateVerdict;
  /** The last `lines` lines (new lines only, with an offset), oldest first. */
  lines: string[];
  /** Complete new lines after the offset (or in the window) before trimming to `lines`. */
  newLineCount: number;
  nextOffset: number;
  fileSize: number;
  bytesRead: number;
  mtime: number | null;
  silenceSeconds: number | null;
  processAlive: boolean | null;
  follow: FollowResult | null;
  notes: string[];
}

export class LogNotFoundError extends Error {
  override name = "LogNotFoundError";
}

interface FileStat {
  exists: boolean;
  mtime: number | null;
  size: number | null;
}

/** mtime (epoch s) and size through `stat`; exists=false only when stat says the file is missing. */
export async function statFile(host: HostExecutor, path: string): Promise<FileStat> {
  const r = await host.run(["stat", "-c", "%Y %s", path], { timeoutMs: 15_000 });
  if (r.exitCode === 0) {
    const [m, s] = r.stdout.trim().split(/\s+/).map(Number);
    if (Number.isFinite(m) && Number.isFinite(s)) return { exists: true, mtime: m!, size: s! };
  }
  if (r.exitCode !== 0 && /No such file/i.test(r.stderr)) return { exists: false, mtime: null, size: null };
  return { exists: true, mtime: null, size: null };
}

export async function processAliveByPid(host: HostExecutor, pid: number): Promise<boolean | null> {
  const r = await host.run(["test", "-d", `/proc/${pid}`], { timeoutMs: 15_000 });
  return r.exitCode === 0 ? true : r.exitCode === 1 ? false : null;
}

const lastN = <T>(items: T[], n: number) => (items.length > n ? items.slice(items.length - n) : items);

function withPartial(window: LogWindow): string[] {
  return window.partial ? [...window.lines, window.partial] : window.lines;
}

export async function inspectLog(opts: InspectOptions): Promise<InspectResult> {
  const { host, path } = opts;
  const notes: string[] = [];
  const stallFactor = opts.stallFactor ?? 5;
  const aliveCheck =
    opts.processAlive !== undefined
      ? Promise.resolve(opts.processAlive)
      : opts.pid !== undefined
        ? processAliveByPid(host, opts.pid)
        : Promise.resolve(null);
  const [stat, tail, alive] = await Promise.all([
    statFile(host, path),
    tailLines(host, path, opts.lines, { minBytes: opts.history ? 0 : ANALYSIS_BYTES }).catch(
      (e: unknown) => e as Error,
    ),
    aliveCheck,
  ]);
  const processAlive = alive;
  const acc = new LogAccumulator({ series: opts.series });

  if (tail instanceof Error) {
    if (!(tail instanceof HostFileError && tail.code === "ENOENT")) throw tail;
    if (!opts.runExpected && opts.pid === undefined)
      throw new LogNotFoundError(`${path} does not exist on host ${host.name}.`);
    const analysis = acc.analysis();
    const verdict =
      processAlive === false
        ? { state: "failed" as const, reason: "the process exited before it wrote the log", stallAfterSeconds: null }
        : { state: "starting" as const, reason: "the log file has not been created yet", stallAfterSeconds: null };
    return {
      exists: false,
      analysis,
      verdict,
      lines: [],
      newLineCount: 0,
      nextOffset: 0,
      fileSize: 0,
      bytesRead: 0,
      mtime: null,
      silenceSeconds: null,
      processAlive,
      follow: null,
      notes,
    };
  }

  let bytesRead = tail.bytesRead;
  let shown: string[];
  let newLineCount: number;
  let nextOffset = tail.end;
  if (opts.offset === undefined) {
    shown = withPartial(tail);
    newLineCount = tail.lines.length;
  } else {
    const since = await linesSince(host, path, opts.offset, tail);
    bytesRead += since.bytesRead;
    if (since.restarted) {
      notes.push(
        `The log is smaller than offset ${opts.offset} or was replaced (now ${tail.size} bytes): it was rotated or truncated, so reading restarted from 0.`,
      );
    }
    newLineCount = since.lines.length;
    if (since.lines.length > opts.lines && !(opts.followSeconds ?? 0)) {
      // Reading forward from an offset pages through everything: the first `lines` now, the rest next call.
      shown = since.lines.slice(0, opts.lines);
      // Offsets count the lines' bytes in the file, not the (capped) text shown.
      nextOffset = since.lineBytes.slice(0, opts.lines).reduce((pos, bytes) => pos + bytes + 1, since.start);
      notes.push(`${since.lines.length - opts.lines} more new lines; call again with offset ${nextOffset}.`);
    } else {
      shown = since.lines;
      nextOffset = since.end;
      if (since.more) notes.push(`More lines remain after offset ${since.end}; call again with that offset.`);
    }
  }
  if (!tail.fromStart && opts.offset === undefined && tail.lines.length < opts.lines && !tail.partial) {
    notes.push(`Only ${tail.lines.length} lines fit in the ${tail.end - tail.start} bytes read from the end.`);
  }

  if (opts.history) {
    bytesRead += (await feedWholeLog(host, path, acc)).bytesRead;
  } else {
    for (const line of tail.lines) acc.push(line);
  }

  const nowS = () => opts.now().getTime() / 1000;
  let silenceSeconds = stat.mtime !== null ? Math.max(0, nowS() - stat.mtime) : null;
  let analysis = acc.analysis();
  let verdict = decideState(analysis, { silenceSeconds, processAlive, stallFactor });

  let follow: FollowResult | null = null;
  const followSeconds = opts.followSeconds ?? 0;
  if (followSeconds > 0 && verdict.state !== "finished" && verdict.state !== "failed") {
    const startedAt = nowS();
    acc.onIteration = opts.onIteration;
    const followed: string[] = [];
    follow = await followLog({
      host,
      path,
      offset: nextOffset,
      acc,
      until: Date.now() + followSeconds * 1000,
      pollMs: opts.pollMs,
      signal: opts.signal,
      onLines: (lines) => {
        followed.push(...lines);
        if (followed.length > opts.lines * 2) followed.splice(0, followed.length - opts.lines);
      },
    });
    acc.onIteration = undefined;
    nextOffset = follow.offset;
    shown = [...(shown.length && shown[shown.length - 1] === tail.partial ? shown.slice(0, -1) : shown), ...followed];
    newLineCount += follow.newLines;
    if (follow.restarts > 0) notes.push("The log was truncated or replaced while following; reading restarted from 0.");
    analysis = acc.analysis();
    const lastSeen = verdict;
    if (follow.stoppedBecause === "host_error") {
      verdict = {
        state: "unknown",
        reason: `lost contact with host ${host.name} while following (${follow.hostError}); last seen: ${lastSeen.state}, ${lastSeen.reason}`,
        stallAfterSeconds: lastSeen.stallAfterSeconds,
      };
    } else {
      const elapsed = nowS() - startedAt;
      silenceSeconds =
        follow.lastGrowthAt !== null
          ? Math.max(0, (Date.now() - follow.lastGrowthAt) / 1000)
          : silenceSeconds === null
            ? null
            : silenceSeconds + elapsed;
      const aliveNow =
        opts.pid !== undefined && opts.processAlive === undefined
          ? await processAliveByPid(host, opts.pid)
          : processAlive;
      verdict = decideState(analysis, { silenceSeconds, processAlive: aliveNow, stallFactor });
    }
  }

  return {
    exists: true,
    analysis,
    verdict,
    lines: lastN(shown, opts.lines),
    newLineCount,
    nextOffset,
    fileSize: Math.max(tail.size, nextOffset),
    bytesRead,
    mtime: stat.mtime,
    silenceSeconds,
    processAlive,
    follow,
    notes,
  };
}

/** Lines after `offset`, from the window already read when it covers the offset, else from the host. */
async function linesSince(host: HostExecutor, path: string, offset: number, tail: LogWindow) {
  if (offset >= tail.start && offset <= tail.end) {
    const cut = lineIndexAt(tail, offset);
    if (cut !== null) {
      return {
        lines: tail.lines.slice(cut),
        lineBytes: tail.lineBytes.slice(cut),
        start: offset,
        end: tail.end,
        restarted: false,
        more: false,
        bytesRead: 0,
      };
    }
  }
  const r = await readSince(host, path, offset);
  return {
    lines: r.lines,
    lineBytes: r.lineBytes,
    start: r.start,
    end: r.end,
    restarted: r.restarted,
    more: r.more,
    bytesRead: r.bytesRead,
  };
}

function lineIndexAt(tail: LogWindow, offset: number): number | null {
  let pos = tail.start;
  for (let i = 0; i < tail.lines.length; i++) {
    if (pos === offset) return i;
    if (pos > offset) return null;
    pos += tail.lineBytes[i]! + 1;
  }
  return pos === offset ? tail.lines.length : null;
}
