// The whole-text reading: which failure category's public reports, taken whole, a log's end reads like. Each report
// is the set of words of its whole log (every line, not only the error lines: the command, the versions, the frames,
// the warnings before the failure say much of what failed), weighed by IDF and normalised; a category is the
// normalised sum of its reports, and a log is scored against each category by the cosine. It is the fallback of a log
// no rule is sure of and no single public case is near. On five collections replayed with the rules and cases before
// each (516 tune logs), it took the place of the category profiles (what a category's error lines share) and of naive
// Bayes as a fallback: 436 → 449 right; leave-one-repository-out on those 1088 tune logs, alone, it names 909 (naive
// Bayes 887, the nearest-case vote 846, the profiles 826).
// The words of the error lines count once more, at half weight, beside those of the whole text (ERROR_LINES_WEIGH): a
// long log's versions and warnings outnumber the two lines that say what failed.

/**
 * How much the error lines' own vector adds to the whole text's before both are normalised again. Chosen on tune,
 * leave-one-repository-out, the reading alone: 1218 of 1475 at 0 (the whole text only), 1230 at 0.3, 1229 at 0.5,
 * 1230 at 0.7, 1225 at 1, 1216 at 2; on the 69 tune logs whose answer the engine took from a reading, 35 at 0, 37 from
 * 0.3 to 0.7, 35 at 1.
 */
const ERROR_LINES_WEIGH = 0.5;

/** One example: its category, the distinct words of its text and those of its error lines. */
export interface TextExample {
  category: string;
  words: ReadonlySet<string>;
  errorWords: ReadonlySet<string>;
}

export interface CategoryCentroids {
  readonly idf: ReadonlyMap<string, number>;
  readonly categories: readonly { category: string; weights: ReadonlyMap<string, number> }[];
}

/** IDF weights of the known words, normalised to unit length. */
function unitVector(words: Iterable<string>, idf: ReadonlyMap<string, number>): Map<string, number> {
  const v = new Map<string, number>();
  for (const w of words) {
    const x = idf.get(w);
    if (x !== undefined && x > 0) v.set(w, x);
  }
  return normalised(v);
}

/** A vector's Euclidean length (Math.hypot over a spread of thousands of arguments is slow). */
function length(xs: Iterable<number>): number {
  let sum = 0;
  for (const x of xs) sum += x * x;
  return Math.sqrt(sum);
}

function normalised(v: Map<string, number>): Map<string, number> {
  const norm = length(v.values()) || 1;
  for (const [w, x] of v) v.set(w, x / norm);
  return v;
}

/** The whole text's unit vector plus ERROR_LINES_WEIGH times the error lines', normalised. */
function textVector(
  words: Iterable<string>,
  errorWords: Iterable<string>,
  idf: ReadonlyMap<string, number>,
): Map<string, number> {
  const v = unitVector(words, idf);
  for (const [w, x] of unitVector(errorWords, idf)) v.set(w, (v.get(w) ?? 0) + ERROR_LINES_WEIGH * x);
  return normalised(v);
}

export function trainCentroids(examples: readonly TextExample[]): CategoryCentroids {
  const df = new Map<string, number>();
  for (const e of examples) for (const w of e.words) df.set(w, (df.get(w) ?? 0) + 1);
  const n = examples.length;
  const idf = new Map([...df].map(([w, d]) => [w, Math.log((n + 1) / (d + 0.5))]));
  const sums = new Map<string, Map<string, number>>();
  for (const e of examples) {
    const sum = sums.get(e.category) ?? new Map<string, number>();
    sums.set(e.category, sum);
    for (const [w, x] of textVector(e.words, e.errorWords, idf)) sum.set(w, (sum.get(w) ?? 0) + x);
  }
  const categories = [...sums].map(([category, sum]) => {
    const norm = length(sum.values()) || 1;
    return { category, weights: new Map([...sum].map(([w, x]) => [w, x / norm])) };
  });
  return { idf, categories };
}

/**
 * Categories by the cosine of the log's words (those of its text and of its error lines) with each category's
 * centroid, best first; none when the model knows fewer than `minWords` of the words (a word or two in common is a
 * coincidence, not a likeness).
 */
export function classifyText(
  model: CategoryCentroids,
  text: { words: Iterable<string>; errorWords: Iterable<string> },
  minWords = 2,
): { category: string; score: number }[] {
  const query = textVector(text.words, text.errorWords, model.idf);
  if (query.size < minWords) return [];
  return model.categories
    .map(({ category, weights }) => {
      let s = 0;
      for (const [w, x] of query) s += x * (weights.get(w) ?? 0);
      return { category, score: Math.round(s * 1000) / 1000 };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
}
