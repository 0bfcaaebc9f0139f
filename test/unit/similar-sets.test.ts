// The prefix-filtered join finds exactly the pairs that comparing every pair finds: on the shipped known cases' lines
// (what it pairs in the product) and on random sets built to sit near the threshold.
import { describe, expect, it } from "vitest";
import { tokens } from "../../src/diagnosis/signature.js";
import { jaccardAtLeast, similarPairs } from "../../src/diagnosis/similar-sets.js";
import { KNOWN_CASES } from "../../src/knowledge/known-cases.js";

function everyPair(sets: readonly ReadonlySet<string>[], threshold: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++)
      if (jaccardAtLeast(sets[i]!, sets[j]!, threshold) >= threshold) out.push([i, j]);
  return out;
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("similarPairs", () => {
  it("pairs the known cases' lines as comparing all of them does", () => {
    const lines = [...new Set(KNOWN_CASES.flatMap((c) => c.signature))].slice(0, 1500);
    const sets = lines.map((l) => new Set(tokens(l)));
    const expected = everyPair(sets, 0.6);
    expect(expected.length).toBeGreaterThan(100);
    expect(similarPairs(sets, 0.6)).toEqual(expected);
  });

  it("finds the same pairs on random sets near the threshold, at several thresholds", () => {
    const rnd = random(17);
    const vocabulary = Array.from({ length: 40 }, (_, i) => `w${i}`);
    // Sets drawn from a few bases with a word or two changed, so many pairs sit on either side of the threshold.
    const bases = Array.from({ length: 12 }, () => vocabulary.filter(() => rnd() < 0.2));
    const sets = Array.from({ length: 400 }, () => {
      const base = bases[Math.floor(rnd() * bases.length)]!.filter(() => rnd() < 0.85);
      if (rnd() < 0.7) base.push(vocabulary[Math.floor(rnd() * vocabulary.length)]!);
      return new Set(base);
    });
    for (const threshold of [0.3, 0.5, 0.6, 2 / 3, 0.8, 1]) {
      const expected = everyPair(sets, threshold);
      expect(expected.length, `threshold ${threshold}`).toBeGreaterThan(0);
      expect(similarPairs(sets, threshold), `threshold ${threshold}`).toEqual(expected);
    }
  });
});
