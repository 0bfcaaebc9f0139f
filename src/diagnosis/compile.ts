// Turns the rule base into one pattern table: every distinct signal once, triggers pointing at patterns by index,
// and the literal anchors the byte scanner looks for. Built once per rule list and cached.
import { CODE_ANCHORS, CODE_LINE_RE } from "../knowledge/cann-codes.js";
import { diagnosisRules } from "../knowledge/rules.js";
import { type DiagnosisRule, type Groups, type Signal, signalAnchors, signalKey } from "../knowledge/rules-types.js";
import { LiteralScanner, minimalLiterals } from "./literal-scan.js";

export interface Pattern {
  key: string;
  /** Found by the byte scanner (trigger and suspicion signals); context-only patterns are tested on lines read around a match. */
  scanned: boolean;
  anchors: readonly string[];
  /** Named groups (possibly empty) when the line matches, else null. */
  test(line: string): Groups | null;
}

export interface CompiledTrigger {
  rule: number;
  match: number;
  near: number[];
  unless: number[];
  within: number;
  minCount: number;
  /** Fires only when the match is the log's last non-empty line (Trigger.atEnd). */
  atEnd: boolean;
  confidence: number;
}

/** Generic signs of trouble, used to point at the most suspicious lines when no rule matches. */
const SUSPICION: { signal: Signal; weight: number }[] = [
  { signal: { re: /\b[A-Z]\w*(?:Error|Exception)\b(?::|$)/, anchors: ["Error", "Exception"] }, weight: 6 },
  { signal: { re: /\bE[A-Z0-9]\d{4}\b[:\s]|\bERR\d{5}\b/, anchors: ["Error", "ERROR", "rror!", "ailed"] }, weight: 5 },
  {
    signal: {
      re: /Segmentation fault|core dumped|\bAborted\b|\bKilled\b|已杀死/,
      anchors: ["Segmentation fault", "core dumped", "Aborted", "Killed", "已杀死"],
    },
    weight: 5,
  },
  { signal: { re: /\bFATAL\b|\bFatal\b|\bfatal\b/, anchors: ["FATAL", "Fatal", "fatal"] }, weight: 4 },
  { signal: { re: /\[ERROR\]|\bERROR\b/, anchors: ["ERROR"] }, weight: 4 },
  { signal: { re: /\b(?:failed|Failed|FAILED)\b/, anchors: ["failed", "Failed", "FAILED"] }, weight: 3 },
  { signal: { re: /Traceback \(most recent call last\)/, anchors: ["Traceback"] }, weight: 2 },
  { signal: { re: /\berror\b|\bError\b/, anchors: ["error", "Error"] }, weight: 2 },
];

/** Lines that look alarming but are not causes (heuristic: CPU fallback warnings, launcher epilogues). */
export const NOISE =
  /is not currently supported on the NPU backend and will fall back|ChildFailedError|ERR99999|torch\.distributed\.elastic|warnings\.warn\(|UserWarning/;

/** Lines that may hold an error code (decoded with the CANN code tables). */
const CODE_SIGNAL: Signal = { re: CODE_LINE_RE, anchors: CODE_ANCHORS };
/** A Python traceback frame. */
const FRAME_SIGNAL: Signal = { re: /File "[^"]+", line \d+, in /, anchors: ['  File "'] };

export interface CompiledRules {
  rules: readonly DiagnosisRule[];
  /** Pattern index of the code and frame signals (read on every line that holds their anchors). */
  codePattern: number;
  framePattern: number;
  patterns: Pattern[];
  triggers: CompiledTrigger[];
  byMatch: number[][];
  byNear: number[][];
  byUnless: number[][];
  /** Pattern index → suspicion weight (0 for rule-only patterns). */
  suspicion: number[];
  /** Pattern index → true when a trigger may match it on a traceback's source line. */
  sourceLineMatch: boolean[];
  maxWithin: number;
  /** Trigger index → true when it needs lines around its match (near or unless). */
  needsContext: boolean[];
  anchors: string[];
  scanner: LiteralScanner;
  /** Finds generic error words; run only over the end of a log when no rule matched. */
  suspicionScanner: LiteralScanner;
}

function toPattern(signal: Signal): Pattern {
  const anchors = signalAnchors(signal);
  if ("text" in signal) {
    const text = signal.text;
    return { key: signalKey(signal), scanned: false, anchors, test: (line) => (line.includes(text) ? {} : null) };
  }
  const { re, when } = signal;
  return {
    key: signalKey(signal),
    scanned: false,
    anchors,
    test(line) {
      const m = re.exec(line);
      if (!m) return null;
      const groups = m.groups ?? {};
      return when && !when(groups) ? null : groups;
    },
  };
}

export function compileRules(rules: readonly DiagnosisRule[]): CompiledRules {
  const patterns: Pattern[] = [];
  const index = new Map<string, number>();
  const suspicion: number[] = [];
  const intern = (signal: Signal): number => {
    const key = signalKey(signal);
    let i = index.get(key);
    if (i === undefined) {
      i = patterns.length;
      patterns.push(toPattern(signal));
      suspicion.push(0);
      index.set(key, i);
    }
    return i;
  };
  const triggers: CompiledTrigger[] = [];
  const sourceLinePatterns = new Set<number>();
  rules.forEach((rule, r) => {
    for (const t of rule.triggers) {
      if (t.sourceLine) sourceLinePatterns.add(intern(t.match));
      triggers.push({
        rule: r,
        match: intern(t.match),
        near: (t.near ?? []).map(intern),
        unless: (t.unless ?? []).map(intern),
        within: t.within ?? 12,
        minCount: t.minCount ?? 1,
        atEnd: t.atEnd ?? false,
        confidence: t.confidence,
      });
    }
  });
  for (const s of SUSPICION) suspicion[intern(s.signal)] = s.weight;
  for (const t of triggers) patterns[t.match]!.scanned = true;
  const codePattern = intern(CODE_SIGNAL);
  const framePattern = intern(FRAME_SIGNAL);
  patterns[codePattern]!.scanned = true;
  patterns[framePattern]!.scanned = true;
  const sourceLineMatch = patterns.map((_, i) => sourceLinePatterns.has(i));
  const lists = () => patterns.map(() => [] as number[]);
  const byMatch = lists();
  const byNear = lists();
  const byUnless = lists();
  triggers.forEach((t, i) => {
    byMatch[t.match]!.push(i);
    for (const p of t.near) byNear[p]!.push(i);
    for (const p of t.unless) byUnless[p]!.push(i);
  });
  const anchors = [...new Set(patterns.filter((p) => p.scanned).flatMap((p) => p.anchors))];
  return {
    rules,
    codePattern,
    framePattern,
    patterns,
    triggers,
    byMatch,
    byNear,
    byUnless,
    suspicion,
    sourceLineMatch,
    maxWithin: Math.max(1, ...triggers.map((t) => t.within)),
    needsContext: triggers.map((t) => t.near.length > 0 || t.unless.length > 0),
    anchors,
    // The scan stops at lines, so literals that hold another literal add only false stops.
    scanner: new LiteralScanner(minimalLiterals(anchors)),
    suspicionScanner: new LiteralScanner([...new Set(SUSPICION.flatMap((s) => signalAnchors(s.signal)))]),
  };
}

let cached: CompiledRules | undefined;

/** The compiled default rule base. */
export function defaultCompiled(): CompiledRules {
  cached ??= compileRules(diagnosisRules);
  return cached;
}
