// `npm run eval:diagnosis`: scores the rule base on the public corpus of real failure logs
// (test/fixtures/diagnosis/corpus/public.jsonl). The corpus is split by source repository into `tune` (rules may be
// written against it) and `holdout` (never looked at while writing rules); both are scored, top-1 and top-3, with a
// per-category confusion table and every miss. A third set, the upstream phrasebook (test/fixtures/diagnosis/upstream:
// the messages the stacks' own code and documentation print), is scored by the rules alone.
// `--split tune|holdout|phrasebook` limits the report, `--json` prints raw numbers.
// `--cv` cross-validates on `tune` alone, leaving one repository out at a time: the known cases a log may be compared
// with are the tune cases of the other repositories (never a holdout case), and the nearest-case vote alone, the
// whole-text reading alone, naive Bayes alone and the whole engine are scored, so the mechanisms that read known cases
// are measured on repositories they have not seen.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnoseText } from "../src/diagnosis/index.js";
import {
  bayesCategories,
  nearestCases,
  setKnownCaseFilter,
  textCategories,
  VOTERS,
  voteCategories,
} from "../src/diagnosis/signature.js";
import type { Verdict } from "../src/diagnosis/types.js";
import type { KnownCaseEntry } from "../src/knowledge/known-cases.js";

export interface CorpusItem {
  id: string;
  split: "tune" | "holdout";
  label: string;
  repo: string;
  source: string;
  title: string;
  resolution: string;
  log: string;
}

const ROOT = join(import.meta.dirname, "..");
export const CORPUS_PATH = join(ROOT, "test", "fixtures", "diagnosis", "corpus", "public.jsonl");

/** The split is a function of the source repository only: sha256("split-v2:" + repo) mod 100 < 30 → holdout. */
export const SPLIT_SALT = "split-v2:";
export function splitOf(repo: string): "tune" | "holdout" {
  const h = createHash("sha256")
    .update(SPLIT_SALT + repo.toLowerCase())
    .digest("hex");
  return Number.parseInt(h.slice(0, 8), 16) % 100 < 30 ? "holdout" : "tune";
}

/** One JSON object per non-empty line. */
function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

export function loadCorpus(path = CORPUS_PATH): CorpusItem[] {
  const items = readJsonl<CorpusItem>(path);
  for (const item of items) {
    if (splitOf(item.repo) !== item.split) throw new Error(`${item.id}: split field disagrees with the repo hash`);
  }
  return items;
}

export interface Miss {
  id: string;
  label: string;
  got: string[];
  source: string;
}

export interface Score {
  total: number;
  top1: number;
  top3: number;
  /** expected → predicted top-1 → count */
  confusion: Map<string, Map<string, number>>;
  misses: Miss[];
}

/** Distinct categories in ranked order (the first three are the top-3 answer). */
export function rankedCategories(log: string): string[] {
  return categoriesOf(diagnoseText(log));
}

/** A verdict's distinct categories in ranked order. */
export function categoriesOf(verdict: Verdict): string[] {
  const seen: string[] = [];
  for (const f of verdict.findings) if (!seen.includes(f.category)) seen.push(f.category);
  return seen.length ? seen : ["unknown"];
}

/**
 * Known cases a log may be compared with: never its own repository (so never its own thread), and for a holdout
 * log only tune cases, so the holdout score does not depend on holdout data.
 */
function useCasesFor(item: CorpusItem): void {
  setKnownCaseFilter(
    (c) => c.repo.toLowerCase() !== item.repo.toLowerCase() && (item.split === "tune" || c.split === "tune"),
  );
}

export function evaluate(items: CorpusItem[], casesFor: (item: CorpusItem) => void = useCasesFor): Score {
  const confusion = new Map<string, Map<string, number>>();
  const misses: Miss[] = [];
  let top1 = 0;
  let top3 = 0;
  for (const item of items) {
    casesFor(item);
    const got = rankedCategories(item.log);
    const first = got[0] ?? "unknown";
    if (first === item.label) top1++;
    if (got.slice(0, 3).includes(item.label)) top3++;
    if (first !== item.label)
      misses.push({ id: item.id, label: item.label, got: got.slice(0, 3), source: item.source });
    const row = confusion.get(item.label) ?? new Map<string, number>();
    row.set(first, (row.get(first) ?? 0) + 1);
    confusion.set(item.label, row);
  }
  setKnownCaseFilter(undefined);
  return { total: items.length, top1, top3, confusion, misses };
}

export const PHRASEBOOK_PATH = join(ROOT, "test", "fixtures", "diagnosis", "upstream", "phrasebook.jsonl");

/**
 * The upstream phrasebook (the messages the stacks' own code and documentation print for each category) scored by the
 * rules alone: no public case may decide, as the phrasebook measures what the rules recognise.
 */
export interface Phrase {
  id: string;
  category: string;
  log: string;
  template: string;
  source: string;
  library: string;
  note: string;
}

export const loadPhrasebook = (path = PHRASEBOOK_PATH): Phrase[] => readJsonl<Phrase>(path);

export function evaluatePhrasebook(path = PHRASEBOOK_PATH): Score {
  const items = loadPhrasebook(path).map(
    (p): CorpusItem => ({
      id: p.id,
      split: "tune",
      label: p.category,
      repo: "",
      source: p.source,
      title: "",
      resolution: "",
      log: p.log,
    }),
  );
  return evaluate(items, () => setKnownCaseFilter(() => false, { upstreamMessages: false }));
}

export interface CrossValidation {
  total: number;
  repos: number;
  /** The nearest-case vote alone (categories ranked by the summed similarity of the nearest cases). */
  vote: { top1: number; top3: number };
  /** The whole-text reading alone (categories ranked by the likeness of the log's words to their reports'). */
  text: { top1: number; top3: number };
  bayes: { top1: number; top3: number };
  /** The whole engine: rules, then the nearest cases where the rules are not confident. */
  engine: { top1: number; top3: number };
  misses: Miss[];
}

/** Categories the nearest-case vote alone gives a log, best first (`unknown` when no case is close). */
export function votedCategories(log: string): string[] {
  const ranked = voteCategories(nearestCases(log.split("\n"), VOTERS)).map((v) => v.category);
  return ranked.length ? ranked : ["unknown"];
}

/** Categories the whole-text reading alone gives a log, best first (`unknown` when it knows too few of its words). */
export function textReadCategories(log: string): string[] {
  const ranked = textCategories(log.split("\n")).map((v) => v.category);
  return ranked.length ? ranked : ["unknown"];
}

/** Categories naive Bayes alone gives a log, best first (`unknown` when it knows none of the log's words). */
export function bayesianCategories(log: string): string[] {
  const ranked = bayesCategories(log.split("\n")).map((v) => v.category);
  return ranked.length ? ranked : ["unknown"];
}

/** The known cases a log of `repo` may be compared with in cross-validation: tune cases of other repositories. */
export function crossValidationFilter(repo: string): (c: KnownCaseEntry) => boolean {
  const left = repo.toLowerCase();
  return (c) => c.split === "tune" && c.repo.toLowerCase() !== left;
}

/**
 * Leave-one-repository-out over the tune items: for each repository, the known cases are the tune cases of every
 * other repository. Holdout items and holdout cases take no part. `observe` sees each log's verdict as the engine
 * gave it under that log's filter (tests check the verdicts without a second pass).
 */
export function crossValidate(
  items: CorpusItem[],
  observe?: (item: CorpusItem, verdict: Verdict) => void,
): CrossValidation {
  const tune = items.filter((i) => i.split === "tune");
  const repos = [...new Set(tune.map((i) => i.repo.toLowerCase()))];
  const out: CrossValidation = {
    total: tune.length,
    repos: repos.length,
    vote: { top1: 0, top3: 0 },
    text: { top1: 0, top3: 0 },
    bayes: { top1: 0, top3: 0 },
    engine: { top1: 0, top3: 0 },
    misses: [],
  };
  for (const repo of repos) {
    setKnownCaseFilter(crossValidationFilter(repo));
    for (const item of tune.filter((i) => i.repo.toLowerCase() === repo)) {
      const vote = votedCategories(item.log);
      if (vote[0] === item.label) out.vote.top1++;
      if (vote.slice(0, 3).includes(item.label)) out.vote.top3++;
      const text = textReadCategories(item.log);
      if (text[0] === item.label) out.text.top1++;
      if (text.slice(0, 3).includes(item.label)) out.text.top3++;
      const bayes = bayesianCategories(item.log);
      if (bayes[0] === item.label) out.bayes.top1++;
      if (bayes.slice(0, 3).includes(item.label)) out.bayes.top3++;
      const verdict = diagnoseText(item.log);
      observe?.(item, verdict);
      const got = categoriesOf(verdict);
      if (got[0] === item.label) out.engine.top1++;
      else out.misses.push({ id: item.id, label: item.label, got: got.slice(0, 3), source: item.source });
      if (got.slice(0, 3).includes(item.label)) out.engine.top3++;
    }
  }
  setKnownCaseFilter(undefined);
  return out;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : "-");

export function report(name: string, s: Score): string {
  const lines = [`== ${name}: ${s.total} logs ==`];
  lines.push(
    `top-1 ${s.top1}/${s.total} = ${pct(s.top1, s.total)}   top-3 ${s.top3}/${s.total} = ${pct(s.top3, s.total)}`,
  );
  lines.push("", `${"expected".padEnd(30)} hit/n   predicted (top-1)`);
  for (const [label, row] of [...s.confusion.entries()].sort()) {
    const n = [...row.values()].reduce((a, b) => a + b, 0);
    const hit = row.get(label) ?? 0;
    const others = [...row.entries()]
      .filter(([k]) => k !== label)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}×${v}`)
      .join(", ");
    lines.push(`${label.padEnd(30)} ${`${hit}/${n}`.padEnd(7)} ${others}`);
  }
  lines.push("");
  for (const m of s.misses) lines.push(`miss ${m.id}: expected ${m.label}, got ${m.got.join(" > ")}  ${m.source}`);
  return lines.join("\n");
}

async function main() {
  const args = process.argv.slice(2);
  const only = args.includes("--split") ? args[args.indexOf("--split") + 1] : undefined;
  const items = loadCorpus();
  if (args.includes("--cv")) {
    const cv = crossValidate(items);
    if (args.includes("--json")) {
      console.log(
        JSON.stringify({
          total: cv.total,
          repos: cv.repos,
          vote: cv.vote,
          text: cv.text,
          bayes: cv.bayes,
          engine: cv.engine,
        }),
      );
      return;
    }
    console.log(`leave-one-repository-out on tune: ${cv.total} logs, ${cv.repos} repositories\n`);
    for (const m of cv.misses) console.log(`miss ${m.id}: expected ${m.label}, got ${m.got.join(" > ")}  ${m.source}`);
    console.log("");
    for (const [name, s] of [
      ["vote", cv.vote],
      ["text", cv.text],
      ["bayes", cv.bayes],
      ["engine", cv.engine],
    ] as const) {
      console.log(
        `${name.padEnd(8)} top-1 ${pct(s.top1, cv.total).padStart(6)}  top-3 ${pct(s.top3, cv.total).padStart(6)}`,
      );
    }
    return;
  }
  const splits = (["tune", "holdout"] as const).filter((s) => !only || s === only);
  const scores: (readonly [string, Score])[] = splits.map((s) => [s, evaluate(items.filter((i) => i.split === s))]);
  if (!only || only === "phrasebook") scores.push(["phrasebook", evaluatePhrasebook()]);
  if (args.includes("--json")) {
    const out = Object.fromEntries(scores.map(([n, s]) => [n, { total: s.total, top1: s.top1, top3: s.top3 }]));
    console.log(JSON.stringify(out));
    return;
  }
  console.log(`corpus: ${CORPUS_PATH} (${items.length} logs)\n`);
  for (const [name, s] of scores) console.log(`${report(name, s)}\n`);
  for (const [name, s] of scores) {
    console.log(
      `${name.padEnd(8)} top-1 ${pct(s.top1, s.total).padStart(6)}  top-3 ${pct(s.top3, s.total).padStart(6)}`,
    );
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
