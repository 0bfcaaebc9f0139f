// A naive Bayes reading of error lines: which failure category's public reports and upstream messages use the words
// a log's error lines use. Every word weighs for or against every category at once, so a wording no rule has can
// still be placed; the verdict asks it when the lead is weak (a distant likeness to one public case, a rule's generic
// reading) and lets it overrule only when it names another category plainly (verdict.ts, wordsOverrule).
// Leave-one-repository-out on the 1088 tune logs it alone names 887 (the nearest-case vote 846, the whole-text
// reading 909).

/** One example: its category and the distinct words of its error lines. */
export interface BayesExample {
  category: string;
  words: ReadonlySet<string>;
}

export interface BayesModel {
  /** Per category: log P(word | category) for the words seen in it. */
  readonly logLikelihood: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Per category: log P(word | category) of a known word never seen in it. */
  readonly logUnseen: ReadonlyMap<string, number>;
  readonly vocabulary: ReadonlySet<string>;
}

/**
 * Additive smoothing. Small, so a word a category never used counts strongly against it: chosen on the tune side
 * (leave-one-repository-out: 0.03 → 785, 0.1 → 794, 0.3 → 781, 1 → 762).
 */
const SMOOTHING = 0.1;

/** A multinomial model over word presence, with equal priors: a category's share of the reports is not evidence. */
export function trainBayes(examples: Iterable<BayesExample>): BayesModel {
  const counts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const vocabulary = new Set<string>();
  for (const e of examples) {
    const c = counts.get(e.category) ?? new Map<string, number>();
    counts.set(e.category, c);
    for (const w of e.words) {
      c.set(w, (c.get(w) ?? 0) + 1);
      vocabulary.add(w);
    }
    totals.set(e.category, (totals.get(e.category) ?? 0) + e.words.size);
  }
  const logLikelihood = new Map<string, Map<string, number>>();
  const logUnseen = new Map<string, number>();
  for (const [category, c] of counts) {
    const denominator = (totals.get(category) ?? 0) + SMOOTHING * vocabulary.size;
    logLikelihood.set(category, new Map([...c].map(([w, k]) => [w, Math.log((k + SMOOTHING) / denominator)])));
    logUnseen.set(category, Math.log(SMOOTHING / denominator));
  }
  return { logLikelihood, logUnseen, vocabulary };
}

/**
 * Categories by posterior probability, best first. Words the model never saw say nothing and are skipped; a log with
 * fewer than `minWords` known words gets no answer (one or two words in common are a coincidence, not a wording).
 */
export function classifyBayes(
  model: BayesModel,
  words: Iterable<string>,
  minWords = 1,
): { category: string; probability: number }[] {
  const known = [...new Set(words)].filter((w) => model.vocabulary.has(w));
  if (known.length === 0 || known.length < minWords) return [];
  const scores = [...model.logLikelihood].map(([category, logP]) => {
    const unseen = model.logUnseen.get(category)!;
    let s = 0;
    for (const w of known) s += logP.get(w) ?? unseen;
    return { category, s };
  });
  const best = Math.max(...scores.map((x) => x.s));
  const sum = scores.reduce((n, x) => n + Math.exp(x.s - best), 0);
  return scores
    .map(({ category, s }) => ({ category, probability: Math.exp(s - best) / sum }))
    .sort((a, b) => b.probability - a.probability);
}
