// What the scanner notes beside rule firings, each in bounded memory: the first line of every error code (decoded
// later into the verdict), where each traceback ended (the module a trace ends in is evidence of its own), and the
// most suspicious lines (what `unknown` shows when no rule fires). Kept apart from the byte and rule machinery of
// scanner.ts so each concern reads on its own.
import { decodeCodes } from "../knowledge/cann-codes.js";
import { evidenceText } from "./line.js";
import type { CodeLine, EvidenceLine, TraceEnd } from "./types.js";

/** A decoded log line, as much of it as the notes need. */
export interface NotedLine {
  line: number;
  text: string;
  source?: string;
}

const MAX_CODES = 40;
/** Trace ends kept: the first half and the most recent half. */
const MAX_TRACE_ENDS = 16;
/** Frames closer than this many lines belong to one traceback (a frame line, its source line, the next frame). */
const FRAME_GAP = 3;
const FRAME_LINE = /File "([^"]+)", line \d+, in (\S+)/;
const MAX_SUSPICIOUS = 12;

/** The first line of each error code seen (bounded). */
export class CodeNotes {
  private readonly codes = new Map<string, CodeLine>();
  constructor(private readonly file?: string) {}

  has(code: string): boolean {
    return this.codes.has(code);
  }

  note(rec: NotedLine): void {
    for (const { code } of decodeCodes(rec.text)) {
      if (this.codes.has(code) || this.codes.size >= MAX_CODES) continue;
      // Long lines are cut for evidence: cut around the code, so the kept text still decodes to it.
      const c: CodeLine = { code, line: rec.line, text: evidenceText(rec.text, Math.max(0, rec.text.indexOf(code))) };
      if (this.file) c.file = this.file;
      if (rec.source) c.source = rec.source;
      this.codes.set(code, c);
    }
  }

  result(): CodeLine[] {
    return [...this.codes.values()].sort((a, b) => a.line - b.line);
  }
}

/** Follows traceback frames; the last frame before a gap (or another rank's line) is where that trace ended. */
export class TraceEndNotes {
  private readonly ends: TraceEnd[] = [];
  private last: TraceEnd | null = null;
  constructor(private readonly file?: string) {}

  note(rec: NotedLine): void {
    const m = FRAME_LINE.exec(rec.text);
    if (!m) return;
    const frame: TraceEnd = { frame: `${m[1]}:${m[2]}`, line: rec.line, text: evidenceText(rec.text) };
    if (this.file) frame.file = this.file;
    if (rec.source) frame.source = rec.source;
    const last = this.last;
    if (last && (rec.line - last.line > FRAME_GAP || last.source !== frame.source)) this.push(last);
    this.last = frame;
  }

  /** Closes the trace still open at the end of the input. */
  result(): TraceEnd[] {
    if (this.last) this.push(this.last);
    this.last = null;
    return [...this.ends];
  }

  private push(t: TraceEnd): void {
    if (this.ends.length >= MAX_TRACE_ENDS) this.ends.splice(MAX_TRACE_ENDS / 2, 1);
    this.ends.push(t);
  }
}

/** The highest-scoring error-like lines (bounded), in line order when read out. */
export class SuspiciousLines {
  private readonly kept: { score: number; evidence: EvidenceLine }[] = [];

  note(score: number, evidence: EvidenceLine): void {
    const entry = { score, evidence };
    if (this.kept.length < MAX_SUSPICIOUS) {
      this.kept.push(entry);
      return;
    }
    let min = 0;
    for (let i = 1; i < this.kept.length; i++) if (this.kept[i]!.score < this.kept[min]!.score) min = i;
    if (this.kept[min]!.score < score) this.kept[min] = entry;
  }

  result(): { score: number; evidence: EvidenceLine }[] {
    return [...this.kept].sort((a, b) => a.evidence.line - b.evidence.line);
  }
}
