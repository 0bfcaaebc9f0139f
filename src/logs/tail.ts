// Reading the end of a log, or what was appended after an offset, through HostExecutor.readFile only: the cost
// depends on the lines asked for, never on the file's size, locally and over SSH alike.
import type { FileChunk, HostExecutor } from "../hosts/executor.js";

export interface LogWindow {
  /** Complete lines, oldest first (the partial first line of a window that starts mid-file is dropped). */
  lines: string[];
  /** A last line with no newline yet (the writer is mid-line); not counted in `end`. */
  partial: string;
  /** Byte offset of the first complete line. */
  start: number;
  /** Byte offset just after the last complete line: where an incremental read continues. */
  end: number;
  /** File size when read. */
  size: number;
  /** Bytes transferred from the host for this window. */
  bytesRead: number;
  reads: number;
  /** The window reaches the start of the file. */
  fromStart: boolean;
}

export interface TailOptions {
  /** First window size; it grows ×4 until enough lines are found. */
  minBytes?: number;
  /** Never read more than this many bytes (lines beyond it are not returned). */
  maxBytes?: number;
}

const DEFAULT_MAX = 64 * 1024 * 1024;

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** The last `count` lines (at least; the window may hold more), reading growing windows from the end. */
export async function tailLines(
  host: HostExecutor,
  path: string,
  count: number,
  opts: TailOptions = {},
): Promise<LogWindow> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX;
  // Iteration lines run 250–450 bytes: 640 per line finds N lines in one read nearly always.
  let window = Math.min(maxBytes, Math.max(opts.minBytes ?? 0, 16 * 1024, (count + 1) * 640));
  let bytesRead = 0;
  let reads = 0;
  let anchor: number | null = null; // the file size at the first read: later reads end there
  for (;;) {
    const chunk: FileChunk =
      anchor === null
        ? await host.readFile(path, { tailBytes: window })
        : await host.readFile(path, { offset: Math.max(anchor - window, 0), maxBytes: Math.min(window, anchor) });
    reads++;
    bytesRead += chunk.end - chunk.start;
    if (anchor !== null && chunk.size < anchor) {
      // Truncated between two reads: start over on the new file.
      anchor = null;
      continue;
    }
    anchor ??= chunk.size;
    const fromStart = chunk.start === 0;
    const all = chunk.content;
    const lastNl = all.lastIndexOf("\n");
    const partial = all.slice(lastNl + 1);
    const firstNl = fromStart ? -1 : all.indexOf("\n");
    const body = lastNl > firstNl ? all.slice(firstNl + 1, lastNl) : null;
    const lines = body === null ? [] : splitLines(body);
    const end = chunk.end - Buffer.byteLength(partial);
    const enough = lines.length + (partial ? 1 : 0) >= count;
    if (enough || fromStart || window >= maxBytes) {
      const start = body === null ? end : end - Buffer.byteLength(body) - (lastNl >= 0 ? 1 : 0);
      return {
        lines,
        partial,
        start: Math.max(start, chunk.start),
        end,
        size: chunk.size,
        bytesRead,
        reads,
        fromStart,
      };
    }
    window = Math.min(maxBytes, window * 4);
  }
}

export interface SinceResult extends LogWindow {
  /** The file was smaller than the offset asked for (rotated or truncated): read again from 0. */
  restarted: boolean;
  /** More bytes remain after `end` (the read stopped at maxBytes). */
  more: boolean;
}

/** Complete lines appended after `offset` (at most `maxBytes` of them). */
export async function readSince(
  host: HostExecutor,
  path: string,
  offset: number,
  maxBytes = 8 * 1024 * 1024,
): Promise<SinceResult> {
  // Read one byte early: the offsets handed out always follow a newline, so anything else there means the file was
  // replaced (rotated, or truncated and rewritten past the old size).
  const from = Math.max(offset - 1, 0);
  let chunk = await host.readFile(path, { offset: from, maxBytes: maxBytes + (offset > 0 ? 1 : 0) });
  let restarted = false;
  let bytesRead = chunk.end - chunk.start;
  let all = chunk.content;
  if (offset > 0 && (chunk.size < offset || all.charCodeAt(0) !== 10)) {
    restarted = true;
    chunk = await host.readFile(path, { offset: 0, maxBytes });
    bytesRead += chunk.end - chunk.start;
    all = chunk.content;
  } else if (offset > 0) {
    all = all.slice(1);
    chunk = { ...chunk, start: chunk.start + 1 };
  }
  let lastNl = all.lastIndexOf("\n");
  const full = chunk.end - chunk.start >= maxBytes;
  // One line longer than maxBytes would stall an incremental reader: take it as it is.
  if (lastNl < 0 && full) lastNl = all.length;
  const body = lastNl >= 0 ? all.slice(0, lastNl) : null;
  const partial = lastNl >= 0 ? all.slice(lastNl + 1) : all;
  const consumed = body === null ? 0 : Buffer.byteLength(body) + (lastNl < all.length ? 1 : 0);
  const end = Math.min(chunk.start + consumed, chunk.end);
  return {
    lines: body === null ? [] : splitLines(body),
    partial,
    start: chunk.start,
    end,
    size: chunk.size,
    bytesRead,
    reads: restarted ? 2 : 1,
    fromStart: chunk.start === 0,
    restarted,
    more: end < chunk.size,
  };
}
