// The root-cause rank of a multi-rank, multi-node failure. In a collective job one rank fails first (out of memory, a
// bad batch, a dead card) and every other rank then fails waiting for it (HCCL EI0002/EI0006, watchdog timeouts,
// closed sockets). Each rank's first error-like line is noted with its time (its own timestamp, else the nearest one
// in the lines of that error, else the last one before it); the earliest error that is not itself a communication
// timeout is the root cause, and the others are its consequences. Memory is bounded: one entry per rank.
import { StringDecoder } from "node:string_decoder";
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
/** Lines of one error read after its first line, for its time and whether it is a consequence. */
const BLOCK = 10;

interface Open {
  entry: RankError;
  left: number;
}

/** Notes each rank's first error-like line in one log, streaming. */
export class RankTimeline {
  private carry = "";
  private readonly decoder = new StringDecoder("utf8");
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
    const text = this.carry + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines = text.split("\n");
    this.carry = lines.pop() ?? "";
    // A single line longer than this is not an error line worth keeping whole.
    if (this.carry.length > 1 << 20) this.carry = "";
    for (const raw of lines) this.line(raw);
  }

  end(): RankError[] {
    if (this.carry) this.line(this.carry);
    this.carry = "";
    for (const o of this.open) if (o.entry.time === undefined) o.entry.time = this.lastTime;
    this.open.length = 0;
    const all = [...this.firsts.values()];
    // Lines that name no rank beside lines that do are the launcher's (torchrun's report of a failed worker).
    const named = all.filter((e) => !this.fallback.has(e.rank));
    return named.length > 0 ? named : all;
  }

  private line(raw: string): void {
    const n = this.lineNo++;
    const text = cleanLine(raw.length > 64 * 1024 ? raw.slice(0, 64 * 1024) : raw);
    const own = parseTime(text);
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
    const body = text.replace(LEAD_RANK, "");
    if (ERROR_LIKE.test(body)) {
      const rank = source ?? this.opts.fileSource ?? (this.opts.node ? `node${this.opts.node.nodeRank}` : undefined);
      if (rank !== undefined && source === undefined && !this.opts.fileSource) this.fallback.add(rank);
      if (rank !== undefined && !this.firsts.has(rank)) {
        const entry: RankError = { rank, line: n, text: evidenceText(text), consequence: CONSEQUENCE.test(text) };
        if (this.opts.file) entry.file = this.opts.file;
        if (this.opts.node) entry.node = this.opts.node;
        if (own !== undefined) entry.time = own;
        this.firsts.set(rank, entry);
        this.open.push({ entry, left: BLOCK });
      }
    }
    if (own !== undefined) this.lastTime = own;
  }
}

/** Who wrote a line: its rank prefix, a pid-tagged rank prefix, Megatron's [Rank N], or the Ascend RankID. */
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
