// One measured ratio: ours against a baseline run in the same process of the same bench.
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
  /** The target, in words: "ratio <= 1.3". */
  goal: string;
  note?: string;
}
