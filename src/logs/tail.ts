// Reading the end of a log, or what was appended after an offset, through HostExecutor.readFile only: the cost
// depends on the lines asked for, never on the file's size, locally and over SSH alike. Lines handed out are capped
// (MAX_LINE_CHARS, marked), and an offset handed out always follows a newline, however long a line is.
import type { FileChunk, HostExecutor } from "../hosts/executor.js";

export interface LogWindow {
  /** Complete lines, oldest first (the partial first line of a window that starts mid-file is dropped), capped. */
  lines: string[];
  /** Each line's length in the file, in bytes (before capping, without its newline). */
  lineBytes: number[];
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

/** Characters of one line kept for output and analysis; the rest is dropped and the line marked. */
export const MAX_LINE_CHARS = 8 * 1024;

/** The line, or its first MAX_LINE_CHARS characters marked with the line's full size. */
export function capLine(line: string, totalBytes?: number): string {
  if (line.length <= MAX_LINE_CHARS && totalBytes === undefined) return line;
  const bytes = totalBytes ?? Buffer.byteLength(line);
  return `${line.slice(0, MAX_LINE_CHARS)}…[line truncated, ${bytes} bytes]`;
}

function splitLines(text: string): { lines: string[]; bytes: number[] } {
  const raw = text.split("\n");
  const lines = new Array<string>(raw.length);
  const bytes = new Array<number>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i]!;
    bytes[i] = Buffer.byteLength(l);
    lines[i] = capLine(l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l);
  }
  return { lines, bytes };
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
    const split = body === null ? { lines: [], bytes: [] } : splitLines(body);
    const lines = split.lines;
    const end = chunk.end - Buffer.byteLength(partial);
    const enough = lines.length + (partial ? 1 : 0) >= count;
    if (enough || fromStart || window >= maxBytes) {
      const start = body === null ? end : end - Buffer.byteLength(body) - (lastNl >= 0 ? 1 : 0);
      return {
        lines,
        lineBytes: split.bytes,
        partial: capLine(partial),
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
  const lastNl = all.lastIndexOf("\n");
  const full = chunk.end - chunk.start >= maxBytes;
  if (lastNl < 0 && full) {
    // One line longer than maxBytes: keep its head and read on to its newline, so the offset handed out follows a
    // newline (an offset inside a line reads as a replaced file, and the reader would start over forever).
    const long = await skipLongLine(host, path, chunk.start, all, chunk.end, maxBytes);
    return { ...long, bytesRead: bytesRead + long.bytesRead, reads: (restarted ? 2 : 1) + long.reads, restarted };
  }
  const body = lastNl >= 0 ? all.slice(0, lastNl) : null;
  const partial = lastNl >= 0 ? all.slice(lastNl + 1) : all;
  const consumed = body === null ? 0 : Buffer.byteLength(body) + 1;
  const end = Math.min(chunk.start + consumed, chunk.end);
  const split = body === null ? { lines: [], bytes: [] } : splitLines(body);
  return {
    lines: split.lines,
    lineBytes: split.bytes,
    partial: capLine(partial),
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

/**
 * A line starting at `start` and running past the first read (`head`, up to `readEnd`): reads on in maxBytes steps
 * (memory stays at one step) until its newline, and returns it capped. With no newline before the end of the file the
 * line is unfinished: nothing is consumed and its head is the partial line.
 */
async function skipLongLine(
  host: HostExecutor,
  path: string,
  start: number,
  head: string,
  readEnd: number,
  maxBytes: number,
): Promise<Omit<SinceResult, "restarted">> {
  let at = readEnd;
  let bytesRead = 0;
  let reads = 0;
  for (;;) {
    const next = await host.readFile(path, { offset: at, maxBytes });
    reads++;
    bytesRead += next.end - next.start;
    const nl = next.content.indexOf("\n");
    if (nl >= 0) {
      const end = at + Buffer.byteLength(next.content.slice(0, nl)) + 1;
      const total = end - 1 - start;
      return {
        lines: [capLine(head, total)],
        lineBytes: [total],
        partial: "",
        start,
        end,
        size: next.size,
        bytesRead,
        reads,
        fromStart: start === 0,
        more: end < next.size,
      };
    }
    if (next.end <= at || next.end >= next.size) {
      return {
        lines: [],
        lineBytes: [],
        partial: capLine(head, Math.max(next.end, at) - start),
        start,
        end: start,
        size: next.size,
        bytesRead,
        reads,
        fromStart: start === 0,
        more: false,
      };
    }
    at = next.end;
  }
}
