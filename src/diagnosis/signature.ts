// Error-line signatures and the nearest known public case. A log's error-like lines are normalised (numbers, hex,
// directories, rank and timestamp prefixes masked) into token bags; known cases carry the same signature, and
// similarity is the TF-IDF cosine of the two bags, in which the words a case has only on template lines (messages
// many cases share) count less: a case alike only in those is the same kind of failure, not a near case.
import { RUNTIME_CODES } from "../knowledge/cann-codes.js";
import { KNOWN_CASES, type KnownCaseEntry } from "../knowledge/known-cases.js";
import { UPSTREAM_MESSAGES } from "../knowledge/upstream-messages.js";
import { type BayesModel, classifyBayes, trainBayes } from "./bayes.js";
import { type CategoryCentroids, classifyText, trainCentroids } from "./centroids.js";
import { similarPairs } from "./similar-sets.js";
import type { DeviceStack, KnownCase } from "./types.js";

const ERROR_LIKE =
  /error|exception|fail|timeout|timed out|times out|killed|abort|not found|no such file|cannot|can not|unable|denied|invalid|mismatch|not support|unsupported|out of memory|memory isn't enough|\bnan\b|overflow|not installed|already in use|bound already|undefined symbol|not divisible|must be|E[A-Z]\d{4}|E\d{5}|ERR\d{5}|错误|报错|失败|未找到|不足|超时/i;
/**
 * Lines that look like errors and are not: vLLM's warning that its CUDA extension is absent (vllm/_custom_ops.py logs it
 * on every start on a plugin platform such as vLLM-Ascend), Megatron's progress line with 0 NaN iterations (printed
 * every step), traceback headers, CPU-fallback and Python warnings, caret underlines.
 */
const NOISE_LINE =
  /Failed to import from vllm\._C with ModuleNotFoundError|number of nan iterations:\s+0\s*\||^\s*(?:Traceback \(most recent call last\)|During handling of the above exception|The above exception was the direct cause)|will fall back to run on the CPU|UserWarning|warnings\.warn|^\s*\^+\s*$/;

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

/**
 * torchrun's failure report, as normalised: printed by every failed run whatever killed it ("failed (exitcode: 1)
 * local_rank", ChildFailedError, "train.py FAILED", "Root Cause (first observed failure):"). It says that a rank
 * failed, never why, so it is no part of a signature: two logs alike only in it are not alike. A negative exit code
 * stays: it names the signal that killed the rank (-9 is often the kernel's OOM killer).
 */
const LAUNCHER_REPORT =
  /failed \(exitcode: <n> \) local_rank|childfailederror|^[\w.-]+\.py failed$|^root cause \(first observed failure\):$/;

/** Up to `max` (ten) distinct normalised error-like lines: the first half and the last half of those in the text. */
export function signatureLines(lines: Iterable<string>, max = MAX_SIGNATURE): string[] {
  const seen = new Set<string>();
  const all: string[] = [];
  for (const raw of lines) {
    if (!isErrorLike(raw)) continue;
    const n = normalizeLine(raw).slice(0, 300);
    if (n.length < 8 || seen.has(n) || LAUNCHER_REPORT.test(n)) continue;
    seen.add(n);
    all.push(n);
  }
  if (all.length <= max) return all;
  return [...all.slice(0, max / 2), ...all.slice(-max / 2)];
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

/** Words that name a device stack in a report's log (its words are split at dots and underscores: torch_npu is npu). */
const STACK_WORDS = {
  NPU: ["npu", "ascend", "hccl", "cann", "aclnn", "davinci", "mindspore", "mindspeed"],
  CUDA: ["cuda", "nccl", "nvidia", "cudnn", "nvcc"],
} as const;

/** The device stack a report's log names: one of them, or none when it names neither or both. */
function caseStack(words: string): DeviceStack | undefined {
  const set = new Set(words.split(" "));
  const npu = STACK_WORDS.NPU.some((w) => set.has(w));
  const cuda = STACK_WORDS.CUDA.some((w) => set.has(w));
  return npu === cuda ? undefined : npu ? "NPU" : "CUDA";
}

interface Indexed {
  entry: KnownCaseEntry;
  /** The device stack the report's log names, if one. */
  stack: DeviceStack | undefined;
  weights: Map<string, number>;
  norm: number;
  /** Tokens that occur in a line of this case that few other cases share (not a template line). */
  specific: Set<string>;
}

/**
 * A line many known cases share (the NPU out-of-memory message, CANN's "rectify the fault" advice) is a template: it
 * says what kind of failure a log shows, not which case it is, as do the skeleton lines below. A case line is a
 * template when lines of at least this many cases are near copies of it.
 */
const TEMPLATE_CASES = 3;
/**
 * Lines every failed run prints whatever the cause, as normalised: a bare `raise X(` code line, an exception name
 * with no message, torchrun's ChildFailedError and its "failed (exitcode …) local_rank" report.
 */
const SKELETON =
  /^raise [\w.]+\($|^[\w.]*(?:error|exception):?$|childfailederror|failed \(exitcode: -? ?<n> \) local_rank/;

/**
 * CPython's own messages for its built-in errors, as normalised: they say which Python error happened, not why (a
 * division by zero in a data loader, in a head count, in a learning-rate schedule). Their words name a case no more
 * than an exception's name does.
 */
const PYTHON_BUILTIN_MESSAGE =
  /^zerodivisionerror: (?:float |integer )?(?:division|modulo)(?: or modulo)? by zero$|^indexerror: (?:list|tuple|string) index out of range$|^typeerror: 'nonetype' object is not (?:subscriptable|iterable|callable)$|^recursionerror: maximum recursion depth exceeded/;

/** An exception's name (runtimeerror, torch.outofmemoryerror) says which kind of failure, never which case. */
const EXCEPTION_NAME = /(?:error|exception)$/;

/** Token-set Jaccard from which two lines count as copies of one message (sizes and units differ). */
const SAME_LINE = 0.6;
/**
 * The part of a match that rests on template lines counts this much: a case whose only common lines with a log are
 * templates is at most this similar, however alike the two texts are.
 */
const TEMPLATE_WEIGHT = 0.4;

/** For every case line: the near copies of it in all cases (itself included), with their case ids; computed once. */
let copiesOf: Map<string, { id: string; words: Set<string> }[]> | undefined;
function lineCopies(): Map<string, { id: string; words: Set<string> }[]> {
  if (copiesOf) return copiesOf;
  const lines = new Map<string, { words: Set<string>; ids: Set<string> }>();
  for (const c of KNOWN_CASES) {
    for (const l of c.signature) {
      const at = lines.get(l) ?? { words: new Set(tokens(l)), ids: new Set<string>() };
      at.ids.add(c.id);
      lines.set(l, at);
    }
  }
  const all = [...lines.values()];
  const copies = all.map((at) => [...at.ids].map((id) => ({ id, words: at.words })));
  for (const [i, j] of similarPairs(
    all.map((at) => at.words),
    SAME_LINE,
  )) {
    for (const id of all[j]!.ids) copies[i]!.push({ id, words: all[j]!.words });
    for (const id of all[i]!.ids) copies[j]!.push({ id, words: all[i]!.words });
  }
  copiesOf = new Map([...lines.keys()].map((l, i) => [l, copies[i]!]));
  return copiesOf;
}

/**
 * The words of a case line that are its own: all but exception names, unless the line is a skeleton or a template; of
 * a template, the words its copies do not share (the name in "cannot import name 'X'" stays, the message around it does not).
 */
function ownWords(line: string, inView: ReadonlySet<string>): string[] {
  if (SKELETON.test(line)) return [];
  const copies = (lineCopies().get(line) ?? []).filter((c) => inView.has(c.id));
  const words = tokens(line).filter((t) => !EXCEPTION_NAME.test(t));
  if (new Set(copies.map((c) => c.id)).size < TEMPLATE_CASES) return words;
  return words.filter((t) => new Set(copies.filter((c) => c.words.has(t)).map((c) => c.id)).size < TEMPLATE_CASES);
}

interface CaseIndex {
  idf: Map<string, number>;
  cases: Indexed[];
  defaultIdf: number;
  /** Built on first use: the naive Bayes model of the cases in view and the upstream messages. */
  bayes: () => BayesModel;
  /** Built on first use: the categories' centroids of the cases' whole texts and the upstream messages. */
  centroids: () => CategoryCentroids;
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
  const bags = entries.map((c) => entryWords(c).bag);
  for (const b of bags) for (const t of b.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = entries.length;
  const idf = new Map<string, number>();
  for (const [t, d] of df) idf.set(t, Math.log((n + 1) / (d + 0.5)) ** 1.5);
  const defaultIdf = Math.log((n + 1) / 0.5);
  const inView = new Set(entries.map((c) => c.id));
  const cases = entries.map((entry, i) => {
    const weights = new Map<string, number>();
    for (const [t, f] of bags[i]!) weights.set(t, (1 + Math.log(f)) * (idf.get(t) ?? defaultIdf));
    const specific = new Set(entry.signature.flatMap((l) => ownWords(l, inView)));
    return { entry, weights, norm: Math.hypot(...weights.values()) || 1, specific, stack: entryWords(entry).stack };
  });
  return {
    idf,
    cases,
    defaultIdf,
    bayes: once(() =>
      trainBayes(
        [...entries, ...(withUpstream ? UPSTREAM_MESSAGES : [])].map((e) => ({
          category: e.category,
          words: entryWords(e).words,
        })),
      ),
    ),
    centroids: once(() =>
      trainCentroids([
        ...entries.map((e) => ({
          category: e.category,
          words: entryWords(e).text!,
          errorWords: entryWords(e).words,
        })),
        ...(withUpstream ? UPSTREAM_MESSAGES : []).map((m) => {
          const words = entryWords(m).words;
          return { category: m.category, words, errorWords: words };
        }),
      ]),
    ),
  };
}

/**
 * The distinct words of a text, every line normalised (not only the error-like ones), exception names aside, and
 * without the lines every failure prints whatever its cause: torchrun's failure report, traceback headers, CPU-fallback
 * and Python warnings (a likeness in those is no likeness).
 */
export function textWords(lines: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const raw of lines) {
    if (raw.trim().length < 8 || NOISE_LINE.test(raw)) continue;
    const line = normalizeLine(raw.slice(0, 400));
    if (LAUNCHER_REPORT.test(line)) continue;
    for (const t of tokens(line)) if (!EXCEPTION_NAME.test(t)) out.add(t);
  }
  return out;
}

/** The words naive Bayes reads: those of the lines, exception names aside (a RuntimeError is every kind of failure). */
function bayesWords(lines: readonly string[]): Set<string> {
  return new Set(lines.flatMap(tokens).filter((t) => !EXCEPTION_NAME.test(t)));
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/**
 * The words of a shipped case's or message's lines, read once per entry: leaving one repository out at a time builds
 * the index, the reading and naive Bayes again for every repository, over the same entries.
 */
const wordsOfEntry = new WeakMap<
  object,
  { bag: Map<string, number>; words: Set<string>; text?: Set<string>; stack?: DeviceStack }
>();
function entryWords(entry: { signature: readonly string[]; words?: string }) {
  let w = wordsOfEntry.get(entry);
  if (!w) {
    w = { bag: bag(entry.signature), words: bayesWords(entry.signature) };
    if (entry.words !== undefined) {
      w.text = new Set(entry.words.split(" ").filter(Boolean));
      const stack = caseStack(entry.words);
      if (stack) w.stack = stack;
    }
    wordsOfEntry.set(entry, w);
  }
  return w;
}

let caseFilter: ((c: KnownCaseEntry) => boolean) | undefined;
let withUpstream = true;
let index: CaseIndex | undefined;

/** The index of the cases in view, built on first use after the filter changes. */
function caseIndex(): CaseIndex {
  index ??= buildIndex(caseFilter ? KNOWN_CASES.filter(caseFilter) : KNOWN_CASES);
  return index;
}

/**
 * Limits the cases considered (evaluation leaves out a log's own source); undefined restores all cases.
 * `upstreamMessages: false` also leaves the upstream messages out of naive Bayes (scoring the phrasebook they come
 * from by the rules alone).
 */
export function setKnownCaseFilter(
  filter: ((c: KnownCaseEntry) => boolean) | undefined,
  opts: { upstreamMessages?: boolean } = {},
): void {
  const upstream = opts.upstreamMessages ?? true;
  if (filter !== caseFilter || upstream !== withUpstream) index = undefined;
  caseFilter = filter;
  withUpstream = upstream;
}

/**
 * How strongly a listed case speaks for its category: the plain cosine, template lines included (they name the kind
 * of failure, which is what the vote asks), where its `similarity` says how near the case itself is.
 */
const categoryEvidence = new WeakMap<KnownCase, number>();
/** A case that shares one word with the log decides only when that word is most of the case (a one-line case). */
const ONE_WORD_DECIDES = 0.5;
/**
 * Listed cases that share with the log nothing besides exception names (a TypeError is not a diagnosis), or one word
 * that is little of the case ("job" in a Slurm cancellation and in a CRLF case's job_driver.sh).
 */
const tooLittleShared = new WeakSet<KnownCase>();

/** Whether the case shares enough with the log besides exception names to decide for it (see tooLittleShared). */
export function sharesMoreThanNames(c: KnownCase): boolean {
  return !tooLittleShared.has(c);
}

/** How strongly a case from nearestCases speaks for its category (its `similarity` for any other case). */
export function caseEvidence(c: KnownCase): number {
  return categoryEvidence.get(c) ?? c.similarity;
}

/** The closest known public cases to these raw log lines, best first (cosine ≥ `min`). */
export function nearestCases(rawLines: Iterable<string>, limit = 3, min = 0.1): KnownCase[] {
  const view = caseIndex();
  const sig = signatureLines(rawLines);
  if (sig.length === 0) return [];
  const q = new Map<string, number>();
  for (const [t, f] of bag(sig)) q.set(t, (1 + Math.log(f)) * (view.idf.get(t) ?? view.defaultIdf));
  const qNorm = Math.hypot(...q.values()) || 1;
  // Words only CPython's built-in messages give the log count as names do (PYTHON_BUILTIN_MESSAGE).
  const builtinOnly = new Set(sig.filter((l) => PYTHON_BUILTIN_MESSAGE.test(l)).flatMap(tokens));
  for (const l of sig) if (!PYTHON_BUILTIN_MESSAGE.test(l)) for (const t of tokens(l)) builtinOnly.delete(t);
  const scored: KnownCase[] = [];
  for (const c of view.cases) {
    let dot = 0;
    let onTemplates = 0;
    let beyondNames = 0;
    for (const [t, w] of q) {
      const v = c.weights.get(t);
      if (!v) continue;
      dot += v * w;
      if (!c.specific.has(t)) onTemplates += v * w;
      if (!EXCEPTION_NAME.test(t) && !builtinOnly.has(t)) beyondNames++;
    }
    const cosine = Math.round((dot / (qNorm * c.norm)) * 100) / 100;
    if (cosine < min) continue;
    const weighted = dot - (1 - TEMPLATE_WEIGHT) * onTemplates;
    const near: KnownCase = {
      url: c.entry.url,
      title: c.entry.title,
      resolution: c.entry.resolution,
      category: c.entry.category,
      similarity: Math.round((weighted / (qNorm * c.norm)) * 100) / 100,
      ...(c.stack ? { stack: c.stack } : {}),
    };
    categoryEvidence.set(near, cosine);
    if (beyondNames === 0 || (beyondNames === 1 && cosine < ONE_WORD_DECIDES)) tooLittleShared.add(near);
    scored.push(near);
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

/**
 * Categories by the naive Bayes posterior over the words of the log's error-like lines (bayes.ts), learnt from the
 * known cases in view and the upstream messages: best first.
 */
export function bayesCategories(rawLines: Iterable<string>, minWords = 1): { category: string; probability: number }[] {
  return classifyBayes(caseIndex().bayes(), bayesWords(signatureLines(rawLines, Number.POSITIVE_INFINITY)), minWords);
}

/**
 * Categories by the likeness of the log's whole text (its end's lines, whatever they say) to each category's public
 * reports taken whole and the upstream messages (centroids.ts): best first.
 */
export function textCategories(lines: Iterable<string>, minWords = 2): { category: string; score: number }[] {
  const all = [...lines];
  return classifyText(
    caseIndex().centroids(),
    { words: textWords(all), errorWords: bayesWords(signatureLines(all)) },
    minWords,
  );
}

/** How many nearest cases vote on a category. */
export const VOTERS = 5;

/** Categories ranked by the summed similarity of the nearest cases that carry them (best first). */
export function voteCategories(cases: readonly KnownCase[]): { category: string; score: number }[] {
  const score = new Map<string, number>();
  for (const c of cases.slice(0, VOTERS)) {
    score.set(c.category, (score.get(c.category) ?? 0) + caseEvidence(c) ** 2);
  }
  return [...score.entries()]
    .map(([category, s]) => ({ category, score: Math.round(s * 100) / 100 }))
    .sort((a, b) => b.score - a.score);
}
