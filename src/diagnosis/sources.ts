// Where logs come from: pasted text, a stream, local files, or files on a host read in chunks through its executor.
// Every file is scanned whole by default, streaming with flat memory: a root cause can sit anywhere (an early rank's
// error, a warning hours before the crash). A caller that wants a bound gives maxBytes: beyond it the head and the
// tail are read (the failure is almost always at the end).
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { type HostExecutor, HostFileError } from "../hosts/executor.js";
import type { CompiledRules } from "./compile.js";
import { rankFromFileName } from "./line.js";
import { type LogNode, RankTimeline } from "./root-rank.js";
import { LogScanner } from "./scanner.js";
import type { ScanResult, Verdict } from "./types.js";
import { buildVerdict } from "./verdict.js";

export interface DiagnoseOptions {
  compiled?: CompiledRules;
  signal?: AbortSignal;
  /** Read at most this many bytes per file; larger files are read head and tail. */
  maxBytes?: number;
  /** Bytes read so far (of all files) and the total when known. */
  onProgress?: (read: number, total?: number) => void;
}

/** Default bound per file: none, the whole file is scanned. */
export const LOCAL_MAX_BYTES = Number.POSITIVE_INFINITY;
export const REMOTE_MAX_BYTES = Number.POSITIVE_INFINITY;
/** Bytes per read from a host: round trips, not bytes, dominate over SSH (16 MiB held at a time). */
const HOST_CHUNK = 16 * 1024 ** 2;

/** Diagnoses pasted or captured text. */
export function diagnoseText(text: string, opts: Pick<DiagnoseOptions, "compiled"> = {}): Verdict {
  const scanner = new LogScanner({ compiled: opts.compiled });
  const timeline = new RankTimeline();
  scanner.push(text);
  timeline.push(text);
  return buildVerdict([{ ...scanner.end(), rankErrors: timeline.end() }], opts.compiled);
}

/** Diagnoses a stream of bytes or strings (a child's stdout, a file stream) without holding it in memory. */
export async function diagnoseStream(
  readable: AsyncIterable<Buffer | Uint8Array | string>,
  opts: DiagnoseOptions & { file?: string } = {},
): Promise<Verdict> {
  return buildVerdict([await scanStream(readable, opts)], opts.compiled);
}

async function scanStream(
  readable: AsyncIterable<Buffer | Uint8Array | string>,
  opts: DiagnoseOptions & { file?: string; order?: number },
): Promise<ScanResult> {
  const scanner = new LogScanner({
    compiled: opts.compiled,
    file: opts.file,
    order: opts.order,
    fileSource: opts.file ? rankFromFileName(opts.file) : undefined,
  });
  const limit = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  let read = 0;
  for await (const chunk of readable) {
    opts.signal?.throwIfAborted();
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    read += buf.length;
    scanner.push(read > limit ? buf.subarray(0, buf.length - (read - limit)) : buf);
    opts.onProgress?.(read);
    if (read >= limit || scanner.isBinary) break;
  }
  const result = scanner.end();
  if (read > limit) result.notes.push(`Stopped after ${limit} bytes.`);
  return result;
}

interface Plan {
  size: number;
  /** Byte ranges to read, in order. */
  ranges: { start: number; end: number }[];
}

/** Whole file when it fits; else its head and the rest of the budget from its tail. */
export function readPlan(size: number, maxBytes: number): Plan {
  if (size <= maxBytes) return { size, ranges: [{ start: 0, end: size }] };
  const head = Math.min(64 * 1024 ** 2, Math.floor(maxBytes / 8));
  return {
    size,
    ranges: [
      { start: 0, end: head },
      { start: size - (maxBytes - head), end: size },
    ],
  };
}

function skippedNote(plan: Plan, lines: number): string {
  const [head, tail] = plan.ranges;
  const mib = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;
  return (
    `The file is ${mib(plan.size)}; read its first ${mib(head!.end)} and last ${mib(tail!.end - tail!.start)}. ` +
    `Line numbers after line ${lines} are counted from byte ${tail!.start}; byte offsets are exact.`
  );
}

/** Diagnoses files on this machine (one per rank, or one combined log), ordered by time across files. */
export async function diagnoseLocalFiles(paths: string[], opts: DiagnoseOptions = {}): Promise<Verdict> {
  const scans: ScanResult[] = [];
  let total = 0;
  for (const [order, path] of paths.entries()) {
    const { size } = await stat(path);
    const plan = readPlan(size, opts.maxBytes ?? LOCAL_MAX_BYTES);
    scans.push(
      await scanRanges(
        plan,
        path,
        order,
        opts,
        async function* (start, end) {
          if (end > start)
            yield* createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20, signal: opts.signal });
        },
        (n) => opts.onProgress?.(total + n),
      ),
    );
    total += plan.ranges.reduce((n, r) => n + r.end - r.start, 0);
  }
  return buildVerdict(scans, opts.compiled);
}

/** Diagnoses files on a host, read in chunks through its executor (nothing is copied whole). */
export async function diagnoseHostFiles(
  executor: HostExecutor,
  paths: string[],
  opts: DiagnoseOptions = {},
): Promise<Verdict> {
  return buildVerdict(await scanHostFiles(executor, paths, opts), opts.compiled);
}

/** One node's logs of a multi-node run: the host that holds them and the node's rank. */
export interface NodeLogs {
  executor: HostExecutor;
  node: LogNode;
  paths: string[];
}

/** Diagnoses the logs of every node of a run together, each read on its own host; the rank that failed first is named. */
export async function diagnoseNodeLogs(nodes: NodeLogs[], opts: DiagnoseOptions = {}): Promise<Verdict> {
  const scans: ScanResult[] = [];
  const unread: string[] = [];
  for (const n of nodes) {
    try {
      scans.push(...(await scanHostFiles(n.executor, n.paths, opts, n.node, scans.length)));
    } catch (error) {
      // One node's missing or unreadable log leaves the others to be read: say which one could not be.
      if (!(error instanceof HostFileError) || nodes.length === 1) throw error;
      unread.push(`The log of node ${n.node.nodeRank} on ${n.node.host} could not be read: ${error.message}`);
    }
  }
  if (scans.length === 0) throw new HostFileError(unread.join(" "), "ENOENT");
  const verdict = buildVerdict(scans, opts.compiled);
  verdict.notes.push(...unread);
  return verdict;
}

async function scanHostFiles(
  executor: HostExecutor,
  paths: string[],
  opts: DiagnoseOptions,
  node?: LogNode,
  firstOrder = 0,
): Promise<ScanResult[]> {
  const scans: ScanResult[] = [];
  for (const [i, path] of paths.entries()) {
    const order = firstOrder + i;
    const first = await executor.readFile(path, { offset: 0, maxBytes: 1 });
    const plan = readPlan(first.size, opts.maxBytes ?? REMOTE_MAX_BYTES);
    const readAll = plan.ranges.reduce((n, r) => n + r.end - r.start, 0);
    scans.push(
      await scanRanges(
        plan,
        path,
        order,
        opts,
        async function* (start, end) {
          for (let at = start; at < end; ) {
            const chunk = await executor.readFile(path, { offset: at, maxBytes: Math.min(HOST_CHUNK, end - at) });
            if (chunk.end <= at) break;
            at = chunk.end;
            yield chunk.bytes ?? Buffer.from(chunk.content, "utf8");
          }
        },
        (n) => opts.onProgress?.(n, readAll),
        node,
      ),
    );
  }
  return scans;
}

async function scanRanges(
  plan: Plan,
  file: string,
  order: number,
  opts: DiagnoseOptions,
  read: (start: number, end: number) => AsyncIterable<Buffer | Uint8Array | string>,
  progress: (read: number) => void,
  node?: LogNode,
): Promise<ScanResult> {
  const base = { compiled: opts.compiled, file, order, fileSource: rankFromFileName(file) };
  let done = 0;
  const pump = async (scanner: LogScanner, timeline: RankTimeline, start: number, end: number) => {
    for await (const chunk of read(start, end)) {
      opts.signal?.throwIfAborted();
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      done += buf.length;
      const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
      scanner.push(bytes);
      if (!scanner.isBinary) timeline.push(bytes);
      progress(done);
      if (scanner.isBinary) break;
    }
    const result = scanner.end();
    return { ...result, rankErrors: result.stats.binary ? [] : timeline.end() };
  };
  const timelineOf = (firstLine?: number) =>
    new RankTimeline({ file, node, fileSource: base.fileSource, ...(firstLine ? { firstLine } : {}) });
  const [head, tail] = plan.ranges;
  const first = await pump(new LogScanner(base), timelineOf(), head!.start, head!.end);
  if (!tail || first.stats.binary) return first;
  // The tail starts mid-line: its scanner numbers lines from the head's end; offsets stay exact.
  const second = await pump(
    new LogScanner({ ...base, firstLine: first.stats.lines + 1, firstOffset: tail.start }),
    timelineOf(first.stats.lines + 1),
    tail.start,
    tail.end,
  );
  return {
    ...second,
    rankErrors: [...(first.rankErrors ?? []), ...(second.rankErrors ?? [])],
    stats: {
      bytes: first.stats.bytes + second.stats.bytes,
      lines: first.stats.lines + second.stats.lines,
      skippedBytes: tail.start - head!.end,
      binary: false,
    },
    firings: mergeFirings(first, second),
    suspicious: [...first.suspicious, ...second.suspicious].sort((a, b) => b.score - a.score).slice(0, 12),
    markers: { npu: first.markers.npu + second.markers.npu, cuda: first.markers.cuda + second.markers.cuda },
    notes: [...first.notes, ...second.notes, skippedNote(plan, first.stats.lines)],
  };
}

function mergeFirings(a: ScanResult, b: ScanResult): ScanResult["firings"] {
  const out = new Map(
    a.firings.map((f) => [f.rule, { ...f, evidence: [...f.evidence], triggers: new Set(f.triggers) }]),
  );
  for (const f of b.firings) {
    const m = out.get(f.rule);
    if (!m) {
      out.set(f.rule, f);
      continue;
    }
    m.count += f.count;
    m.confidence = Math.max(m.confidence, f.confidence);
    for (const t of f.triggers) m.triggers.add(t);
    m.evidence.push(...f.evidence.slice(0, Math.max(0, 6 - m.evidence.length)));
  }
  return [...out.values()];
}
