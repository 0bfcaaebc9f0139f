// One measured ratio: ours against a baseline run in the same process of the same bench, with the goal it must meet.
export interface BenchResult {
  name: string;
  /** Our figure (time in ms unless `unit` says otherwise). */
  value: number;
  baseline: number;
  /** value / baseline: below 1 is faster than the baseline. */
  ratio: number;
  unit: string;
  /** Peak resident memory of the measured work, MB (null when not measurable). */
  peakRssMb: number | null;
  baselinePeakRssMb?: number | null;
  /** The target, in words: "ratio <= 1.3 vs a minimal SDK server". */
  goal: string;
  /** The goal as a number: the bench misses its goal when `ratio` is above it. */
  maxRatio: number;
  /** The goal's other conditions (memory flat, no hand edits), each met or not. */
  checks?: { what: string; ok: boolean }[];
  note?: string;
}

/** Whether a result meets its goal, and if not, why. */
export function goalMisses(r: BenchResult): string[] {
  const misses = r.ratio <= r.maxRatio ? [] : [`ratio ${r.ratio} > ${r.maxRatio}`];
  for (const c of r.checks ?? []) if (!c.ok) misses.push(c.what);
  return misses;
}
