// Full-log metric extraction from a stream, in bounded memory (a 5 GB log needs no more than a 5 MB one).
import { StringDecoder } from "node:string_decoder";
import { setImmediate } from "node:timers/promises";
import type { HostExecutor } from "../hosts/executor.js";
import { LogAccumulator, type LogAnalysis } from "./accumulator.js";
import { readSince } from "./tail.js";

export type LineSource = AsyncIterable<Buffer | Uint8Array | string>;

/** Splits decoded chunks into lines; a final line without a newline is held until `end()`. */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private carry = "";

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | Uint8Array | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf("\n");
    if (nl < 0) {
      this.carry += text;
      return;
    }
    if (this.carry.length > 0) {
      this.emit(this.carry + text.slice(0, nl));
      this.carry = "";
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    while (nl >= 0) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    this.carry = text.slice(start);
  }

  /** The unterminated last line, if any (not emitted). */
  get pending(): string {
    return this.carry;
  }

  end(): void {
    const rest = this.carry + this.decoder.end();
    this.carry = "";
    if (rest.length > 0) this.emit(rest);
  }

  private emit(line: string): void {
    // CRLF line ends.
    this.onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
  }
}

/**
 * Parses a whole training log from a stream (fs.createReadStream, a process's stdout, an ssh channel) into
 * the same analysis tail_logs reports: latest metrics, warnings, checkpoints, end or error, a downsampled curve.
 */
export async function extractMetrics(readable: LineSource, opts: { curvePoints?: number } = {}): Promise<LogAnalysis> {
  const acc = new LogAccumulator(opts);
  const splitter = new LineSplitter((line) => acc.push(line));
  for await (const chunk of readable) splitter.write(chunk);
  splitter.end();
  return acc.analysis();
}

/** Lines parsed between two turns of the event loop while a whole log is fed (about 1.5 MB of iteration lines). */
const YIELD_EVERY_LINES = 4096;

/**
 * Feeds a whole log on a host to an accumulator in line-aligned chunks through HostExecutor.readFile (memory stays
 * at two chunks). Returns the bytes transferred and the offset after the last complete line. Chunks are 16 MB: each
 * is one round trip over SSH, and at 4 MB the round trips, not the bytes, dominated a remote read. The next chunk is
 * asked for before this one is parsed, and parsing yields now and then, so the host reads and sends while this
 * process parses.
 */
export async function feedWholeLog(
  host: HostExecutor,
  path: string,
  acc: LogAccumulator,
  chunkBytes = 16 * 1024 * 1024,
): Promise<{ bytesRead: number; end: number }> {
  let offset = 0;
  let bytesRead = 0;
  let next = readSince(host, path, offset, chunkBytes);
  for (;;) {
    const part = await next;
    bytesRead += part.bytesRead;
    const last = !part.more || part.end === offset;
    if (!last) {
      next = readSince(host, path, part.end, chunkBytes);
      // Read ahead: a failure surfaces when it is awaited, not as an unhandled rejection in between.
      next.catch(() => undefined);
    }
    const lines = part.lines;
    for (let i = 0; i < lines.length; i++) {
      acc.push(lines[i]!);
      // Let the connection take in the chunk being read ahead: parsing 16 MB at a stretch stalls the host's sending.
      if (i % YIELD_EVERY_LINES === YIELD_EVERY_LINES - 1) await setImmediate();
    }
    if (last) return { bytesRead, end: part.end };
    offset = part.end;
  }
}

/** extractMetrics for a log on a host (local or over SSH). */
export async function extractMetricsFromHost(
  host: HostExecutor,
  path: string,
  opts: { curvePoints?: number; chunkBytes?: number } = {},
): Promise<LogAnalysis & { bytesRead: number }> {
  const acc = new LogAccumulator(opts);
  const { bytesRead } = await feedWholeLog(host, path, acc, opts.chunkBytes);
  return { ...acc.analysis(), bytesRead };
}
