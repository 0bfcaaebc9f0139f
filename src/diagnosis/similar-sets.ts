// The pairs of token sets whose Jaccard similarity reaches a threshold, found without comparing every pair: two sets
// that similar must share a token among the first tokens of each, taken rarest first (the prefix filter of set
// similarity joins). The known cases' lines are paired once per process; comparing all of them (about 5 million
// pairs) cost more than scanning a quarter of a gigabyte of log.

/**
 * Jaccard similarity of two token sets, 0 when their sizes alone rule out `floor` (the smaller under `floor` times
 * the larger), so a caller comparing against `floor` may skip the count.
 */
export function jaccardAtLeast(a: ReadonlySet<string>, b: ReadonlySet<string>, floor: number): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size / large.size < floor) return 0;
  let both = 0;
  for (const t of small) if (large.has(t)) both++;
  return both / (a.size + b.size - both);
}

/**
 * Every pair [i, j] (i < j, sorted) of `sets` with Jaccard similarity at least `threshold` (0 < threshold ≤ 1): the
 * same pairs as comparing all of them.
 */
export function similarPairs(sets: readonly ReadonlySet<string>[], threshold: number): [number, number][] {
  const df = new Map<string, number>();
  for (const s of sets) for (const t of s) df.set(t, (df.get(t) ?? 0) + 1);
  const rarestFirst = (a: string, b: string) => df.get(a)! - df.get(b)! || (a < b ? -1 : a > b ? 1 : 0);
  const index = new Map<string, number[]>();
  const pairs: [number, number][] = [];
  sets.forEach((set, i) => {
    if (set.size === 0) return;
    const tokens = [...set].sort(rarestFirst);
    // Sets at least `threshold` alike share at least ceil(threshold × size) tokens, so one of these (the slack
    // against rounding makes the prefix longer, never shorter).
    const prefix = tokens.slice(0, tokens.length - Math.ceil(threshold * tokens.length - 1e-9) + 1);
    const seen = new Set<number>();
    for (const t of prefix) for (const j of index.get(t) ?? []) seen.add(j);
    for (const j of seen) if (jaccardAtLeast(sets[j]!, set, threshold) >= threshold) pairs.push([j, i]);
    for (const t of prefix) {
      const list = index.get(t);
      if (list) list.push(i);
      else index.set(t, [i]);
    }
  });
  return pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}
