// Error-line signatures and the nearest known public case. A log's error-like lines are normalised (numbers, hex,
// directories, rank and timestamp prefixes masked) into token bags; known cases carry the same signature, and
// similarity is the TF-IDF cosine of the two bags.
import { RUNTIME_CODES } from "../knowledge/cann-codes.js";
import { KNOWN_CASES, type KnownCaseEntry } from "../knowledge/known-cases.js";
import type { KnownCase } from "./types.js";

const ERROR_LIKE =
  /error|exception|fail|timeout|timed out|times out|killed|abort|not found|no such file|cannot|can not|unable|denied|invalid|mismatch|not support|unsupported|out of memory|memory isn't enough|\bnan\b|overflow|not installed|already in use|bound already|undefined symbol|not divisible|must be|E[A-Z]\d{4}|E\d{5}|ERR\d{5}|错误|报错|失败|未找到|不足|超时/i;
const NOISE_LINE =
  /^\s*(?:Traceback \(most recent call last\)|During handling of the above exception|The above exception was the direct cause)|will fall back to run on the CPU|UserWarning|warnings\.warn|^\s*\^+\s*$/;

const PREFIXES: RegExp[] = [
  /^\s*\[rank\d+\]:\s*/i,
  /^\s*\d+: \[rank\d+\]:\s*/i,
  /^\s*\([\w]+(?: pid=\d+)?(?:, ip=[\d.]+)?\)\s*/,
  /^\s*\(\w+ pid=\d+\)\s*/,
  /^\s*\[[\w-]+\]\s*/,
  /^\s*(?:ERROR|WARNING|INFO|DEBUG)\s+\d\d-\d\d \d\d:\d\d:\d\d\s+(?:\[[^\]]+\]\s*)?/,
  /^\s*\[?\d{4}-\d\d-\d\d[ T-][\d:.,]+\]?\s*/,
];

/** Runtime return codes name a failure; other numbers (sizes, ids, ranks) are masked. */
const KEEP_NUMBERS = new Set(RUNTIME_CODES.map((c) => c.code));

/** Lower-cased, with prefixes, timestamps, source locations, numbers, hex and directories masked. */
export function normalizeLine(text: string): string {
  let s = text;
  for (let i = 0; i < 3; i++) for (const p of PREFIXES) s = s.replace(p, "");
  // CANN's source-location suffix ([func:…][file:…][line:…]) says where the message was printed, not what failed.
  s = s.replace(/\[(?:func|file|line):[^\]]*\]/gi, " ");
  return s
    .replace(/\d{4}-\d\d-\d\d[-T ]\d\d:\d\d:\d\d(?:[.:,]\d+)*/g, " ")
    .replace(/0x[0-9a-f]+/gi, " <hex> ")
    .replace(/(?:[\w.~-]*\/)+([\w.-]+)/g, " $1 ")
    .replace(/\b\d+(?:\.\d+)*\b/g, (n) => (KEEP_NUMBERS.has(n) ? n : " <n> "))
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

export function isErrorLike(text: string): boolean {
  return ERROR_LIKE.test(text) && !NOISE_LINE.test(text);
}

const MAX_SIGNATURE = 10;

/** Up to ten distinct normalised error-like lines: the first half and the last half of those in the text. */
export function signatureLines(lines: Iterable<string>): string[] {
  const seen = new Set<string>();
  const all: string[] = [];
  for (const raw of lines) {
    if (!isErrorLike(raw)) continue;
    const n = normalizeLine(raw).slice(0, 300);
    if (n.length < 8 || seen.has(n)) continue;
    seen.add(n);
    all.push(n);
  }
  if (all.length <= MAX_SIGNATURE) return all;
  return [...all.slice(0, MAX_SIGNATURE / 2), ...all.slice(-MAX_SIGNATURE / 2)];
}

const STOP = new Set(
  "the a an is in of to for and or on at by be it this that with from as not no are was were n hex file line".split(
    " ",
  ),
);

/**
 * A line's words; a dotted or underscored name (a module, a symbol) also counts as its parts, so
 * `transformers.models.bloom` and `transformers.trainer` share `transformers`.
 */
export function tokens(line: string): string[] {
  const words = line
    .split(/[^\p{L}\p{N}_.]+/u)
    .map((t) => t.replace(/^\.+|\.+$/g, ""))
    .filter((t) => t.length >= 2 && !STOP.has(t));
  const out = [...words];
  for (const w of words) {
    if (!/[._]/.test(w)) continue;
    for (const part of w.split(/[._]+/)) if (part.length >= 2 && !STOP.has(part)) out.push(part);
  }
  return out;
}

interface Indexed {
  entry: KnownCaseEntry;
  weights: Map<string, number>;
  norm: number;
}

interface CaseIndex {
  idf: Map<string, number>;
  cases: Indexed[];
  defaultIdf: number;
}

function bag(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) for (const t of new Set(tokens(l))) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/**
 * TF-IDF over the cases in view: document frequencies count only the cases that may be returned. The IDF is raised to
 * the power 1.5 so that words shared by many cases (error, failed, runtimeerror) count even less against the rare
 * words that name a failure.
 */
function buildIndex(entries: readonly KnownCaseEntry[]): CaseIndex {
  const df = new Map<string, number>();
  const bags = entries.map((c) => bag(c.signature));
  for (const b of bags) for (const t of b.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = entries.length;
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log((n + 1) / (d + 0.5)) ** 1.5);
  const defaultIdf = Math.log((n + 1) / 0.5);
  const cases = entries.map((entry, i) => {
    const weights = new Map<string, number>();
    for (const [t, f] of bags[i]!) weights.set(t, (1 + Math.log(f)) * (idf.get(t) ?? defaultIdf));
    return { entry, weights, norm: Math.hypot(...weights.values()) || 1 };
  });
  return { idf, cases, defaultIdf };
}

let caseFilter: ((c: KnownCaseEntry) => boolean) | undefined;
let index: CaseIndex | undefined;

/** Limits the cases considered (evaluation leaves out a log's own source); undefined restores all cases. */
export function setKnownCaseFilter(filter: ((c: KnownCaseEntry) => boolean) | undefined): void {
  if (filter !== caseFilter) index = undefined;
  caseFilter = filter;
}

/** The closest known public cases to these raw log lines, best first (similarity ≥ `min`). */
export function nearestCases(rawLines: Iterable<string>, limit = 3, min = 0.1): KnownCase[] {
  const filter = caseFilter;
  index ??= buildIndex(filter ? KNOWN_CASES.filter(filter) : KNOWN_CASES);
  const sig = signatureLines(rawLines);
  if (sig.length === 0) return [];
  const q = new Map<string, number>();
  for (const [t, f] of bag(sig)) q.set(t, (1 + Math.log(f)) * (index.idf.get(t) ?? index.defaultIdf));
  const qNorm = Math.hypot(...q.values()) || 1;
  const scored: KnownCase[] = [];
  for (const c of index.cases) {
    let dot = 0;
    for (const [t, w] of q) {
      const v = c.weights.get(t);
      if (v) dot += v * w;
    }
    const similarity = Math.round((dot / (qNorm * c.norm)) * 100) / 100;
    if (similarity < min) continue;
    scored.push({
      url: c.entry.url,
      title: c.entry.title,
      resolution: c.entry.resolution,
      category: c.entry.category,
      similarity,
    });
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  const out: KnownCase[] = [];
  for (const s of scored) {
    if (out.some((o) => o.url === s.url)) continue;
    out.push(s);
    if (out.length === limit) break;
  }
  return out;
}

/** How many nearest cases vote on a category. */
export const VOTERS = 5;

/** Categories ranked by the summed similarity of the nearest cases that carry them (best first). */
export function voteCategories(cases: readonly KnownCase[]): { category: string; score: number }[] {
  const score = new Map<string, number>();
  for (const c of cases.slice(0, VOTERS)) score.set(c.category, (score.get(c.category) ?? 0) + c.similarity ** 2);
  return [...score.entries()]
    .map(([category, s]) => ({ category, score: Math.round(s * 100) / 100 }))
    .sort((a, b) => b.score - a.score);
}
