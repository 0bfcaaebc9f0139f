// Streams a log through the rule base in bounded memory: bytes in, rule firings and suspicious lines out.
// Only lines holding an anchor literal are decoded; co-occurrence (`near`, `unless`) is checked over a sliding
// window of those lines, so memory depends on the window, not on the log's size.
import type { Groups } from "../knowledge/rules-types.js";
import { type CompiledRules, defaultCompiled, NOISE } from "./compile.js";
import { cleanLine, evidenceText, lastTime, lineSource, parseTime } from "./line.js";
import { CodeNotes, SuspiciousLines, TraceEndNotes } from "./scan-notes.js";
import { isErrorLike } from "./signature.js";
import type { EvidenceLine, RuleFiring, ScanResult } from "./types.js";

interface LineRecord {
  line: number;
  text: string;
  context?: string[];
  source?: string;
  offset: number;
  time?: number;
  hits: Map<number, Groups>;
}

export interface ScanOptions {
  file?: string;
  order?: number;
  /** Who wrote the file when it holds one rank (from its name). */
  fileSource?: string;
  compiled?: CompiledRules;
  /** Line number of the first byte pushed (a tail read of a huge file starts past line 1). */
  firstLine?: number;
  firstOffset?: number;
}

const MAX_LINE = 1 << 20;
const DECODE_AROUND = 16 << 10;

/** The bytes of a line a record keeps: all of it, or DECODE_AROUND either side of the hit on a very long line. */
function lineWindow(start: number, end: number, hitAt: number): [number, number] {
  return end - start > 2 * DECODE_AROUND
    ? [Math.max(start, hitAt - DECODE_AROUND), Math.min(end, hitAt + DECODE_AROUND)]
    : [start, end];
}

const MAX_EVIDENCE = 6;
const SNIFF = 64 << 10;
const BACK_BYTES = 16 << 10;
const TAIL_KEEP = 8 << 20;
const NPU_MARK = /\b(?:NPU|npu|Ascend|HCCL|hccl|torch_npu|CANN|aclnn\w*|aclrt\w*)\b/;
const FRAME_HEADER = /^(.*?)File "[^"\n]+", line \d+, in [^\n]*\n?$/;
const CUDA_MARK = /\b(?:CUDA|cuda|NCCL|nccl|cuDNN|cudnn|NVIDIA|nvidia)\b/;
/** An error code in CANN's E-code shapes (module letter or digit, four digits), as the code tables read it. */
const BARE_CODE = /(?<![A-Za-z0-9])(E[A-Z]\d{4}|E\d{5})(?![A-Za-z0-9])/g;
/** A runtime code on the line after its lead-in, the line wrapped where the code began. */
const WRAPPED_CODE = /(?:error code(?: is)?|runtime result|ErrCode)[ \t]*[:=]?[ \t]*\r?\n[ \t]*([1-5]\d{5})\b/g;
/** The end of a log read for codes the anchors cannot find (codes outside the tables). */
const CODE_TAIL = 1 << 20;
/** The end of the log whose error-like lines are kept for the comparison with whole categories of public cases. */
const ERROR_TAIL = 256 << 10;
/** At most this many of them, the last distinct ones. */
const MAX_ERROR_LINES = 64;
/** The most lines of the log's end kept as its text (for the reading of the whole end against public reports). */
const MAX_END_LINES = 400;

export class LogScanner {
  private readonly c: CompiledRules;
  private carry: Buffer | null = null;
  private base: number;
  private bytes = 0;
  private sniffed = false;
  private binary = false;
  private badUtf8 = false;
  private window: LineRecord[] = [];
  private open: { t: number; rec: LineRecord; expires: number }[] = [];
  private pending: { t: number; lines: LineRecord[]; at: number; expires: number }[] = [];
  private readonly counts: Int32Array;
  private readonly firstForCount: (LineRecord | undefined)[];
  private readonly fired = new Map<number, RuleFiring>();
  /** The latest line each end-only trigger matched (Trigger.atEnd): it fires at the end if nothing followed. */
  private readonly atEnd = new Map<number, LineRecord>();
  private readonly suspicious = new SuspiciousLines();
  private readonly markers = { npu: 0, cuda: 0 };
  private current: LineRecord | null = null;
  private buf: Buffer | null = null;
  private counted = 0;
  private line: number;
  private captureUntil = 0;
  private prevTail: Buffer | null = null;
  private tail: { buf: Buffer; to: number; line: number; base: number }[] = [];
  private tailBytes = 0;
  private lastSeenTime: number | undefined;
  private readonly codes: CodeNotes;
  private readonly traceEnds: TraceEndNotes;

  constructor(private readonly opts: ScanOptions = {}) {
    this.c = opts.compiled ?? defaultCompiled();
    this.counts = new Int32Array(this.c.triggers.length);
    this.firstForCount = new Array(this.c.triggers.length);
    this.line = opts.firstLine ?? 1;
    this.base = opts.firstOffset ?? 0;
    this.codes = new CodeNotes(opts.file);
    this.traceEnds = new TraceEndNotes(opts.file);
  }

  get isBinary(): boolean {
    return this.binary;
  }

  push(chunk: Buffer | string): void {
    if (this.binary) return;
    let buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.bytes += buf.length;
    if (!this.sniffed) {
      this.sniffed = true;
      if (looksBinary(buf.subarray(0, SNIFF))) {
        this.binary = true;
        return;
      }
    }
    if (this.carry) {
      // The line cut at the last chunk's end is completed and scanned on its own: the chunk itself is not copied.
      const carry = this.carry;
      this.carry = null;
      const nl = buf.indexOf(10);
      if (nl === -1) {
        buf = Buffer.concat([carry, buf]);
      } else {
        const line = Buffer.concat([carry, buf.subarray(0, nl + 1)]);
        this.scanRegion(line, line.length, true);
        buf = buf.subarray(nl + 1);
        if (buf.length === 0) return;
      }
    }
    const lastNl = buf.lastIndexOf(10);
    if (lastNl === -1) {
      if (buf.length < MAX_LINE) {
        this.carry = buf;
        return;
      }
      // One enormous line: look at it now, keep nothing.
      this.scanRegion(buf, buf.length, false);
      return;
    }
    this.scanRegion(buf, lastNl + 1, true);
    if (lastNl + 1 < buf.length) this.carry = Buffer.from(buf.subarray(lastNl + 1));
  }

  end(): ScanResult {
    if (this.carry && !this.binary) {
      const rest = this.carry;
      this.carry = null;
      this.scanRegion(rest, rest.length, true);
    }
    for (const p of this.pending) this.commit(p.t, p.lines, p.at);
    this.pending = [];
    const notes: string[] = [];
    if (!this.binary) this.scanTailCodes();
    const { errorLines, endLines } = this.binary ? { errorLines: [], endLines: [] } : this.tailText();
    this.commitAtEnd(endLines.at(-1));
    if (this.fired.size === 0 && !this.binary) {
      if (this.bytes > TAIL_KEEP) notes.push(`Suspicious lines are taken from the last ${TAIL_KEEP >> 20} MiB.`);
      this.scanSuspicion();
    }
    this.tail = [];
    if (this.badUtf8) notes.push("Some bytes are not valid UTF-8; they are shown as \uFFFD.");
    const lines = this.line - (this.opts.firstLine ?? 1);
    return {
      file: this.opts.file,
      order: this.opts.order ?? 0,
      stats: { bytes: this.bytes, lines, skippedBytes: 0, binary: this.binary },
      firings: [...this.fired.values()].sort((a, b) => a.firstLine - b.firstLine),
      suspicious: this.suspicious.result(),
      markers: { ...this.markers },
      codes: this.codes.result(),
      traceEnds: this.traceEnds.result(),
      errorLines,
      endLines,
      notes,
    };
  }

  /** Scans buf[0, to). `complete`: the region ends at a line end (or the input's end). */
  private scanRegion(buf: Buffer, to: number, complete: boolean): void {
    this.keepTail(buf, to);
    this.buf = buf;
    this.counted = 0;
    this.c.scanner.scan(buf, 0, to, (_lit, start) => {
      this.advanceTo(start, to);
      let end = buf.indexOf(10, start);
      if (end === -1 || end > to) end = to;
      this.candidate(this.counted, end, start);
      if (end < to) {
        this.line++;
        this.counted = end + 1;
        return end + 1;
      }
      this.counted = to;
      return to;
    });
    this.advanceTo(to, to);
    // A final line without a newline still counts as a line.
    if (complete && this.counted < to) {
      if (this.line <= this.captureUntil) this.candidate(this.counted, to, this.counted);
      this.line++;
    }
    this.prevTail = history(this.prevTail, buf.subarray(0, to));
    this.base += to;
    this.buf = null;
  }

  /** Keeps the last TAIL_KEEP bytes, for the suspicious-lines pass when no rule matched. */
  private keepTail(buf: Buffer, to: number): void {
    if (to === 0) return;
    this.tail.push({ buf, to, line: this.line, base: this.base });
    this.tailBytes += to;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.to >= TAIL_KEEP)
      this.tailBytes -= this.tail.shift()!.to;
  }

  /**
   * Codes near the failure that the byte scanner's anchors (the tables' codes) miss: every E-code in the last
   * CODE_TAIL bytes is decoded by its family, so a code no table lists still reaches the evidence; and a runtime code
   * that a terminal or a post wrapped onto the next line ("runtime result =" / "507035.") is read with its lead-in.
   */
  private scanTailCodes(): void {
    let skip = Math.max(0, this.tailBytes - CODE_TAIL);
    for (const r of this.tail) {
      const { buf, to } = r;
      if (skip >= to) {
        skip -= to;
        continue;
      }
      const text = buf.toString("latin1", 0, to);
      let line = r.line;
      let counted = 0;
      /** Counts the lines before `at` (matches come in order). */
      const lineOf = (at: number) => {
        for (;;) {
          const nl = text.indexOf("\n", counted);
          if (nl === -1 || nl >= at) break;
          line++;
          counted = nl + 1;
        }
        return line;
      };
      for (const m of text.matchAll(BARE_CODE)) {
        const at = m.index;
        if (at < skip || this.codes.has(m[1]!)) continue;
        lineOf(at);
        let end = text.indexOf("\n", at);
        if (end === -1) end = to;
        const [from, until] = lineWindow(counted, end, at);
        this.codes.note({ line, text: cleanLine(buf.toString("utf8", from, until)) });
      }
      line = r.line;
      counted = 0;
      for (const m of text.matchAll(WRAPPED_CODE)) {
        const at = m.index;
        if (at < skip || this.codes.has(m[1]!)) continue;
        lineOf(at);
        const codeAt = at + m[0].length - m[1]!.length;
        let end = text.indexOf("\n", codeAt);
        if (end === -1) end = to;
        const [from] = lineWindow(counted, at + m[0].length, at);
        const joined = `${buf.toString("utf8", from, text.indexOf("\n", at))} ${buf.toString("utf8", codeAt, end)}`;
        this.codes.note({ line, text: cleanLine(joined) });
      }
      skip = 0;
    }
  }

  /**
   * The log's end (ERROR_TAIL bytes): its last distinct error-like lines, what the log says when it fails, and its
   * last lines whatever they say (the text around the failure), both read whether or not a rule fired, for the
   * comparison with public cases.
   */
  private tailText(): { errorLines: string[]; endLines: string[] } {
    let skip = Math.max(0, this.tailBytes - ERROR_TAIL);
    const kept = new Set<string>();
    const end: string[] = [];
    for (const { buf, to } of this.tail) {
      if (skip >= to) {
        skip -= to;
        continue;
      }
      for (const raw of buf.toString("utf8", skip, to).split("\n")) {
        if (raw.trim()) {
          end.push(raw.slice(0, 400));
          if (end.length > 2 * MAX_END_LINES) end.splice(0, MAX_END_LINES);
        }
        if (!isErrorLike(raw)) continue;
        const text = cleanLine(raw.slice(0, 2000));
        kept.delete(text);
        kept.add(text);
      }
      skip = 0;
    }
    return { errorLines: [...kept].slice(-MAX_ERROR_LINES), endLines: end.slice(-MAX_END_LINES) };
  }

  /** Generic error words over the kept tail: the most suspicious lines for an `unknown` verdict. */
  private scanSuspicion(): void {
    const { suspicionScanner, suspicion } = this.c;
    for (const r of this.tail) {
      const { buf, to, base } = r;
      let line = r.line;
      let counted = 0;
      suspicionScanner.scan(buf, 0, to, (_lit, start) => {
        for (;;) {
          const nl = buf.indexOf(10, counted);
          if (nl === -1 || nl >= start) break;
          line++;
          counted = nl + 1;
        }
        let end = buf.indexOf(10, start);
        if (end === -1 || end > to) end = to;
        const rec = this.decode(buf, counted, end, start, line, base);
        if (rec) {
          let score = 0;
          for (const p of rec.hits.keys()) score = Math.max(score, suspicion[p]!);
          if (NOISE.test(rec.text)) score = Math.min(score, 1);
          if (NPU_MARK.test(rec.text)) this.markers.npu++;
          if (CUDA_MARK.test(rec.text)) this.markers.cuda++;
          // A plain lower-case "error" (weight 2) counts too: a log whose only complaint is "bus error" or "error: …"
          // is still compared with the known cases on that line.
          if (score >= 2) this.suspicious.note(score, this.evidence(rec));
          if (rec.hits.has(this.c.codePattern)) this.codes.note(rec);
        }
        if (end < to) {
          line++;
          counted = end + 1;
          return end + 1;
        }
        counted = to;
        return to;
      });
    }
    this.tail = [];
  }

  /** Counts lines up to `pos`; lines inside a capture window (after a match that needs context) are read too. */
  private advanceTo(pos: number, to: number): void {
    const buf = this.buf!;
    for (;;) {
      const nl = buf.indexOf(10, this.counted);
      if (nl === -1 || nl >= pos || nl >= to) break;
      if (this.line <= this.captureUntil) this.candidate(this.counted, nl, this.counted);
      this.line++;
      this.counted = nl + 1;
    }
  }

  private decode(
    buf: Buffer,
    start: number,
    end: number,
    hitAt: number,
    line: number,
    base: number,
  ): LineRecord | null {
    const [s, e] = lineWindow(start, end, hitAt);
    const raw = buf.toString("utf8", s, e);
    if (!this.badUtf8 && raw.includes("\uFFFD")) this.badUtf8 = true;
    const text = cleanLine(raw);
    let hits: Map<number, Groups> | null = null;
    const { patterns } = this.c;
    for (let p = 0; p < patterns.length; p++) {
      const pat = patterns[p]!;
      if (!pat.anchors.some((a) => text.includes(a))) continue;
      const groups = pat.test(text);
      if (!groups) continue;
      hits ??= new Map();
      hits.set(p, groups);
    }
    if (!hits) return null;
    return {
      line,
      text,
      offset: base + start,
      source: lineSource(text) ?? this.opts.fileSource,
      time: parseTime(text),
      hits,
    };
  }

  private candidate(start: number, end: number, hitAt: number): void {
    const buf = this.buf!;
    const rec = this.decode(buf, start, end, hitAt, this.line, this.base);
    if (!rec) return;
    const { byMatch, byNear, byUnless, needsContext, triggers } = this.c;
    let ruleHit = false;
    let context = 0;
    let extract = false;
    for (const p of rec.hits.keys()) {
      for (const t of byMatch[p]!) if (this.c.rules[triggers[t]!.rule]!.extract) extract = true;
      if (byMatch[p]!.length > 0 || byNear[p]!.length > 0 || byUnless[p]!.length > 0) ruleHit = true;
      for (const t of byMatch[p]!) if (needsContext[t]) context = Math.max(context, triggers[t]!.within);
    }
    if (NPU_MARK.test(rec.text)) this.markers.npu++;
    if (CUDA_MARK.test(rec.text)) this.markers.cuda++;
    if (rec.time === undefined && ruleHit) rec.time = lastTime(this.before(start, 2048).toString("latin1"));
    if (rec.time === undefined) rec.time = this.lastSeenTime;
    else this.lastSeenTime = rec.time;
    if (rec.hits.has(this.c.codePattern)) this.codes.note(rec);
    if (rec.hits.has(this.c.framePattern)) this.traceEnds.note(rec);
    if (!ruleHit) return;
    if (this.isFrameSource(start, rec.text)) {
      // Code, not an error: only a trigger written for source lines (a bare assertion's condition) may read it.
      for (const p of [...rec.hits.keys()]) if (!this.c.sourceLineMatch[p]) rec.hits.delete(p);
      if (rec.hits.size === 0) return;
    }
    if (extract) rec.context = cleanLine(this.before(start, 1024).toString("utf8")).split("\n").slice(-4, -1);
    if (context > 0) {
      this.addBackContext(start, rec.line, context);
      this.captureUntil = Math.max(this.captureUntil, rec.line + context);
    }
    this.process(rec);
  }

  /**
   * The line is the source code a Python traceback shows under a frame (`  File "x.py", line 3, in f` then the
   * code indented further, such as `raise torch.OutOfMemoryError(msg)`): not the error, which comes below.
   */
  private isFrameSource(start: number, text: string): boolean {
    const before = this.before(start, 1024).toString("utf8");
    const header = FRAME_HEADER.exec(before.slice(before.lastIndexOf("\n", before.length - 2) + 1));
    if (!header) return false;
    const indent = header[1]!;
    return text.startsWith(indent) && /^ {2,}\S/.test(text.slice(indent.length));
  }

  /** Up to `n` bytes before `start` in the current buffer, continued into the previous ones. */
  private before(start: number, n: number): Buffer {
    const here = this.buf!.subarray(Math.max(0, start - n), start);
    if (here.length >= n || !this.prevTail) return here;
    return Buffer.concat([this.prevTail.subarray(Math.max(0, this.prevTail.length - (n - here.length))), here]);
  }

  /** Reads up to `n` lines before a match (from this buffer and the end of the previous one) into the window. */
  private addBackContext(start: number, line: number, n: number): void {
    let ctx = this.buf!;
    let pos = start;
    let ctxBase = this.base;
    if (start < BACK_BYTES && this.prevTail) {
      ctx = Buffer.concat([this.prevTail, ctx.subarray(0, start)]);
      pos = ctx.length;
      ctxBase = this.base - this.prevTail.length;
    }
    const have = new Set(this.window.map((r) => r.line));
    const floor = Math.max(0, pos - BACK_BYTES);
    let end = pos - 1;
    for (let k = 1; k <= n && end >= floor; k++) {
      const s = ctx.lastIndexOf(10, end - 1) + 1;
      if (s < floor) break;
      if (!have.has(line - k)) {
        const rec = this.decode(ctx, s, end, s, line - k, ctxBase);
        if (rec) this.insertWindow(rec);
      }
      end = s - 1;
    }
  }

  private insertWindow(rec: LineRecord): void {
    let i = this.window.length;
    while (i > 0 && this.window[i - 1]!.line > rec.line) i--;
    this.window.splice(i, 0, rec);
  }

  private process(rec: LineRecord): void {
    const L = rec.line;
    const { triggers, byMatch, byNear, byUnless, maxWithin } = this.c;
    while (this.window.length > 0 && this.window[0]!.line < L - maxWithin) this.window.shift();
    if (this.open.length > 0) this.open = this.open.filter((o) => o.expires >= L);
    if (this.pending.length > 0) {
      const due = this.pending.filter((p) => p.expires < L);
      if (due.length > 0) {
        this.pending = this.pending.filter((p) => p.expires >= L);
        for (const p of due) this.commit(p.t, p.lines, p.at);
      }
    }
    this.current = rec;
    for (const p of rec.hits.keys()) {
      for (const t of byUnless[p]!) {
        this.pending = this.pending.filter((x) => !(x.t === t && Math.abs(x.at - L) <= triggers[t]!.within));
      }
      for (const t of byNear[p]!) {
        const waiting = this.open.filter((o) => o.t === t && L - o.rec.line <= triggers[t]!.within);
        if (waiting.length === 0) continue;
        this.open = this.open.filter((o) => !waiting.includes(o));
        for (const o of waiting) this.candidateFiring(t, [o.rec, rec], o.rec.line);
      }
    }
    for (const p of rec.hits.keys()) {
      for (const t of byMatch[p]!) {
        const T = triggers[t]!;
        if (T.atEnd) {
          this.atEnd.set(t, rec);
          continue;
        }
        if (T.minCount > 1) {
          const n = ++this.counts[t]!;
          if (n === 1) this.firstForCount[t] = rec;
          if (n === T.minCount) this.candidateFiring(t, [this.firstForCount[t]!, rec], this.firstForCount[t]!.line);
          else if (n > T.minCount) this.bump(T.rule);
          continue;
        }
        if (T.near.length > 0) {
          const has = (r: LineRecord) => T.near.some((q) => r.hits.has(q));
          let near: LineRecord | undefined = has(rec) ? rec : undefined;
          for (let i = this.window.length - 1; !near && i >= 0; i--) {
            const r = this.window[i]!;
            if (L - r.line > T.within) break;
            if (has(r)) near = r;
          }
          if (near) this.candidateFiring(t, near === rec ? [rec] : [near, rec], L);
          else this.open.push({ t, rec, expires: L + T.within });
          continue;
        }
        this.candidateFiring(t, [rec], L);
      }
    }
    this.insertWindow(rec);
    this.current = null;
  }

  /** End-only triggers whose latest match is the log's last non-empty line: the process stopped there. */
  private commitAtEnd(last: string | undefined): void {
    if (last === undefined) return;
    const end = cleanLine(last).trim().slice(0, 200);
    for (const [t, rec] of this.atEnd) if (rec.text.trim().slice(0, 200) === end) this.commit(t, [rec], rec.line);
    this.atEnd.clear();
  }

  private candidateFiring(t: number, lines: LineRecord[], at: number): void {
    const T = this.c.triggers[t]!;
    if (T.unless.length > 0) {
      const blocked = (r: LineRecord) => Math.abs(r.line - at) <= T.within && T.unless.some((q) => r.hits.has(q));
      if (this.window.some(blocked) || (this.current && blocked(this.current))) return;
      this.pending.push({ t, lines, at, expires: at + T.within });
      return;
    }
    this.commit(t, lines, at);
  }

  private bump(rule: number): void {
    const f = this.fired.get(rule);
    if (f) f.count++;
  }

  private commit(t: number, lines: LineRecord[], at: number): void {
    const T = this.c.triggers[t]!;
    const ev = lines.map((r) => this.evidence(r));
    const f = this.fired.get(T.rule);
    if (!f) {
      this.fired.set(T.rule, {
        rule: T.rule,
        confidence: T.confidence,
        count: 1,
        triggers: new Set([t]),
        evidence: ev,
        firstLine: at,
      });
      return;
    }
    f.count++;
    const newTrigger = !f.triggers.has(t);
    f.triggers.add(t);
    f.confidence = Math.max(f.confidence, T.confidence);
    const known = new Set(f.evidence.map((e) => e.line));
    const fresh = ev.filter((e) => !known.has(e.line));
    if (at < f.firstLine) {
      f.firstLine = at;
      f.evidence = [...fresh, ...f.evidence].slice(0, MAX_EVIDENCE);
      return;
    }
    const sources = new Set(f.evidence.map((e) => e.source));
    if (newTrigger || fresh.some((e) => !sources.has(e.source))) {
      f.evidence.push(...fresh.slice(0, MAX_EVIDENCE - f.evidence.length));
    }
  }

  private evidence(rec: LineRecord): EvidenceLine {
    const e: EvidenceLine = { line: rec.line, text: evidenceText(rec.text), offset: rec.offset };
    if (rec.context) e.context = rec.context;
    if (this.opts.file) e.file = this.opts.file;
    if (rec.source) e.source = rec.source;
    if (rec.time !== undefined) e.time = rec.time;
    return e;
  }
}

/** The last BACK_BYTES of everything scanned so far. */
function history(prev: Buffer | null, region: Buffer): Buffer {
  if (region.length >= BACK_BYTES || !prev)
    return Buffer.from(region.subarray(Math.max(0, region.length - BACK_BYTES)));
  return Buffer.concat([prev.subarray(Math.max(0, prev.length - (BACK_BYTES - region.length))), region]);
}

/** More than a tenth of the first bytes are control characters: not a text log. */
export function looksBinary(sample: Uint8Array): boolean {
  if (sample.length === 0) return false;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27)) odd++;
  }
  return odd / sample.length > 0.1;
}
