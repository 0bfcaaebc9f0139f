// The root-cause rank of a multi-rank, multi-node failure. In a collective job one rank fails first (out of memory, a
// bad batch, a dead card) and every other rank then fails waiting for it (HCCL EI0002/EI0006, watchdog timeouts,
// closed sockets). Each rank's first error-like line is noted with its time (its own timestamp, else the nearest one
// in the lines of that error, else the last one before it); the earliest error that is not itself a communication
// timeout is the root cause, and the others are its consequences. Memory is bounded: one entry per rank.
import { cleanLine, evidenceText, lineSource, parseTime } from "./line.js";

/** Where a log came from, when the run ledger knows: the node's host and its node rank. */
export interface LogNode {
  host: string;
  nodeRank: number;
}

export interface RankError {
  /** rank8, or the file's source when its lines name no rank. */
  rank: string;
  file?: string;
  node?: LogNode;
  line: number;
  text: string;
  /** Milliseconds (as if UTC), from the line or its neighbours; absent when the log has no timestamp. */
  time?: number;
  /** The error is a communication timeout or a closed link: the typical consequence of another rank's failure. */
  consequence: boolean;
}

export interface RootCause {
  first: RankError;
  consequences: RankError[];
  /** How the first was chosen, in words. */
  basis: string;
}

/** A rank prefix at (or near) the start of a line: `[rank3]: `, also behind a pid tag (`[80746] [rank0]:`). */
const LEAD_RANK = /^.{0,24}?\[rank(\d+)\]:\s?/i;
/** An exception line, an Ascend error code, an [ERROR] header, a torch/c10d error-level line, behind any tags. */
const ERROR_LIKE =
  /(?:^|[\s\]])(?:[A-Za-z_][\w.]*(?:Error|Exception)(?::|$)|E[A-Z0-9]\d{4}:|\[ERROR\]|\[E\d{0,4}[^\]]*\.cpp:\d+\]|terminate called after throwing)/;
const CONSEQUENCE =
  /EI0002|EI0006|EE1002|Notify register times out|Getting socket times out|Get_Socket_Timeout|Watchdog caught collective operation timeout|timed out in blocking wait|Socket Timeout|client socket has timed out|waiting for clients|Connection closed by peer|Connection reset by peer|error code is 507048|error code is 507046|error code is 107020|Hccl\w+, error code is 6\b|wait socket establish timeout/;
/** Every timestamp parseTime reads has a clock time: lines without one are not parsed. */
const CLOCK = /\d\d:\d\d:\d\d/;
/** Lines of one error read after its first line, for its time and whether it is a consequence. */
const BLOCK = 10;

interface Open {
  entry: RankError;
  left: number;
}

const NOTHING = Buffer.alloc(0);
/** What every error-like line holds in bytes (ERROR_LIKE's parts): a word or code, found in one regex pass... */
// (Every alternative starts with E: the regex engine then skips to the next E, which keeps the pass fast.)
const ERROR_WORD = /E(?:rror|xception|RROR\]|[A-Z0-9]\d{4}:)/g;
/** ...and the literals of its other parts (a c10d `[E… Foo.cpp:12]` header, std::terminate). */
const ERROR_LITERALS = [".cpp:", "terminate called"];

/** Start offsets, ascending, of the lines of data[0, end) that may be error-like (a superset of ERROR_LIKE's lines). */
function candidateLines(data: Buffer, end: number): number[] {
  // Latin-1 maps each byte to one character, so string offsets are byte offsets.
  const text = data.toString("latin1", 0, end);
  const starts: number[] = [];
  const lineOf = (at: number) => text.lastIndexOf("\n", at) + 1;
  ERROR_WORD.lastIndex = 0;
  for (let m = ERROR_WORD.exec(text); m; m = ERROR_WORD.exec(text)) {
    starts.push(lineOf(m.index));
    const nl = text.indexOf("\n", m.index);
    if (nl === -1) break;
    ERROR_WORD.lastIndex = nl + 1;
  }
  // Buffer search is much faster than a string's for a literal; byte offsets are the string's.
  for (const lit of ERROR_LITERALS) {
    for (let at = data.indexOf(lit); at !== -1 && at < end; at = data.indexOf(lit, at + lit.length)) {
      starts.push(lineOf(at));
    }
  }
  starts.sort((a, b) => a - b);
  return starts;
}

/** Newlines in data[from, to). */
function countLines(data: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = data.indexOf(10, from); at !== -1 && at < to; at = data.indexOf(10, at + 1)) n++;
  return n;
}

/** Notes each rank's first error-like line in one log, streaming. */
export class RankTimeline {
  /** The start of a line whose end has not come yet (bytes: lines are cut at newline bytes, so no character is). */
  private carry: Buffer = NOTHING;
  private lineNo: number;
  private lastTime: number | undefined;
  private readonly firsts = new Map<string, RankError>();
  /** Ranks named by the file or the node, not by the line: dropped when the lines name ranks themselves. */
  private readonly fallback = new Set<string>();
  private readonly open: Open[] = [];

  constructor(private readonly opts: { file?: string; node?: LogNode; fileSource?: string; firstLine?: number } = {}) {
    this.lineNo = opts.firstLine ?? 1;
  }

  push(chunk: Buffer | string): void {
    let data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    if (this.carry.length > 0) {
      // The line cut at the last chunk's end is completed on its own: the chunk itself is not copied.
      const nl = data.indexOf(10);
      const head = nl === -1 ? data : data.subarray(0, nl + 1);
      const line = Buffer.concat([this.carry, head]);
      this.carry = NOTHING;
      data = nl === -1 ? line : data.subarray(nl + 1);
      if (nl !== -1) this.lines(line, line.length);
    }
    const end = data.lastIndexOf(10) + 1;
    this.carry = end < data.length ? Buffer.from(data.subarray(end)) : NOTHING;
    // A single line longer than this is not an error line worth keeping whole.
    if (this.carry.length > 1 << 20) this.carry = NOTHING;
    if (end > 0) this.lines(data, end);
  }

  end(): RankError[] {
    if (this.carry.length > 0) this.line(this.carry.toString("utf8"));
    this.carry = NOTHING;
    for (const o of this.open) if (o.entry.time === undefined) o.entry.time = this.lastTime;
    this.open.length = 0;
    const all = [...this.firsts.values()];
    // Lines that name no rank beside lines that do are the launcher's (torchrun's report of a failed worker).
    const named = all.filter((e) => !this.fallback.has(e.rank));
    return named.length > 0 ? named : all;
  }

  /**
   * The complete lines of data[0, end). Only lines that can be error-like (found in bytes: ERROR_LIKE's literal parts)
   * and the lines of an open error are decoded and read; the others are counted, and the last timestamp before a line
   * that is read is found by reading back from it, so each rank's first error, its time and the line numbers are
   * what reading every line gives, at a fraction of the cost on a multi-GB log.
   */
  private lines(data: Buffer, end: number): void {
    const starts = candidateLines(data, end);
    let next = 0;
    let pos = 0;
    // Where the lines not yet read for their timestamp begin.
    let unread = 0;
    while (pos < end) {
      if (this.open.length === 0) {
        while (next < starts.length && starts[next]! < pos) next++;
        const at = next < starts.length ? starts[next]! : end;
        this.lineNo += countLines(data, pos, at);
        pos = at;
        if (pos >= end) break;
        this.readTimeBack(data, unread, pos);
      }
      const nl = data.indexOf(10, pos);
      this.line(data.toString("utf8", pos, nl === -1 || nl >= end ? end : nl));
      pos = nl === -1 || nl >= end ? end : nl + 1;
      unread = pos;
    }
    this.readTimeBack(data, unread, end);
  }

  /** The last timestamp among the lines of data[from, to) (whole lines), read from the end back. */
  private readTimeBack(data: Buffer, from: number, to: number): void {
    for (let e = to; e > from; ) {
      // (lastIndexOf takes a negative offset from the end: the first line starts at 0.)
      const s = e >= 2 ? Math.max(from, data.lastIndexOf(10, e - 2) + 1) : from;
      const raw = data.toString("utf8", s, Math.min(e - 1 >= s ? e - 1 : e, s + 64 * 1024));
      const t = parseTime(cleanLine(raw));
      if (t !== undefined) {
        this.lastTime = t;
        return;
      }
      e = s;
    }
  }

  private line(raw: string): void {
    const n = this.lineNo++;
    const text = cleanLine(raw.length > 64 * 1024 ? raw.slice(0, 64 * 1024) : raw);
    // Most lines are neither an error nor inside one: only their timestamp is kept, and only when they may hold one.
    const errorLike = ERROR_LIKE.test(text.replace(LEAD_RANK, ""));
    const own = CLOCK.test(text) ? parseTime(text) : undefined;
    if (errorLike || this.open.length > 0) this.noteError(text, n, own, errorLike);
    if (own !== undefined) this.lastTime = own;
  }

  private noteError(text: string, n: number, own: number | undefined, errorLike: boolean): void {
    const source = rankOf(text);
    for (let i = this.open.length - 1; i >= 0; i--) {
      const o = this.open[i]!;
      // An error's own lines: the same rank's, or lines that name no rank (continuations, Ascend's code lines).
      if (source !== undefined && source !== o.entry.rank) continue;
      if (CONSEQUENCE.test(text)) o.entry.consequence = true;
      if (o.entry.time === undefined && own !== undefined) o.entry.time = own;
      if (--o.left <= 0) {
        if (o.entry.time === undefined) o.entry.time = this.lastTime;
        this.open.splice(i, 1);
      }
    }
    if (!errorLike) return;
    const rank = source ?? this.opts.fileSource ?? (this.opts.node ? `node${this.opts.node.nodeRank}` : undefined);
    if (rank === undefined || this.firsts.has(rank)) return;
    if (source === undefined && !this.opts.fileSource) this.fallback.add(rank);
    const entry: RankError = { rank, line: n, text: evidenceText(text), consequence: CONSEQUENCE.test(text) };
    if (this.opts.file) entry.file = this.opts.file;
    if (this.opts.node) entry.node = this.opts.node;
    if (own !== undefined) entry.time = own;
    this.firsts.set(rank, entry);
    this.open.push({ entry, left: BLOCK });
  }
}

function rankOf(text: string): string | undefined {
  const named = lineSource(text);
  // `torch.OutOfMemoryError: ...` reads like `host: ...` to the pdsh pattern; an exception name is nobody.
  if (named && !/(?:Error|Exception)$/.test(named)) return named;
  const lead = LEAD_RANK.exec(text) ?? /\[Rank (\d+)\]/.exec(text);
  return lead ? `rank${lead[1]}` : undefined;
}

function byTime(a: RankError, b: RankError): number {
  if (a.time !== undefined && b.time !== undefined && a.time !== b.time) return a.time - b.time;
  if (a.time !== undefined && b.time === undefined) return -1;
  if (a.time === undefined && b.time !== undefined) return 1;
  return (a.node?.nodeRank ?? 0) - (b.node?.nodeRank ?? 0) || a.line - b.line;
}

/**
 * The rank that failed first, when errors come from more than one rank: the earliest error that is not a
 * communication timeout (those are what the other ranks print when one is gone); if every rank only timed out,
 * the earliest of them, said so in `basis`.
 */
export function rootCauseOf(errors: RankError[]): RootCause | null {
  // Ranks that share a name across files (rank0 in every per-node file of a tool that restarts numbering) stay apart.
  const keyed = new Map<string, RankError>();
  for (const e of errors) {
    const key = `${e.node?.host ?? e.file ?? ""}\u0000${e.rank}`;
    const had = keyed.get(key);
    if (!had || byTime(e, had) < 0) keyed.set(key, e);
  }
  const all = [...keyed.values()].sort(byTime);
  if (all.length < 2) return null;
  const primary = all.filter((e) => !e.consequence);
  const first = primary[0] ?? all[0]!;
  const consequences = all.filter((e) => e !== first);
  const where = (e: RankError) => (e.node ? `${e.rank} on ${e.node.host} (node ${e.node.nodeRank})` : e.rank);
  const basis =
    primary.length === 0
      ? `Every rank only timed out waiting for another; ${where(first)} timed out first. The rank that failed first left no error in these logs (a hang, or a crash with no output).`
      : primary.length === 1
        ? `${where(first)} is the only rank with an error that is not a communication timeout; the ${consequences.length} other rank(s) failed waiting for it.`
        : `${where(first)} has the earliest error that is not a communication timeout (by the logs' timestamps); the others followed it.`;
  return { first, consequences, basis };
}
