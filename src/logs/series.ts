// The metric curves of a run (loss, grad norm, learning rate, step time) downsampled on the way in, in memory bounded
// by the number of points asked for: a 100k-iteration log gives the same few hundred buckets as a 1k one, each the
// mean of its iterations with the loss's minimum and maximum kept, so a spike still shows once the curve is thinned.
import { parseIterationLine } from "./parse.js";
import type { IterationRecord } from "./types.js";

export interface SeriesRange {
  /** Only iterations at or after this one. */
  fromIteration?: number;
  /** Only iterations at or before this one. */
  toIteration?: number;
}

/** Column-wise curves, one entry per bucket, oldest first; null where no finite value fell in the bucket. */
export interface MetricSeries {
  iteration: number[];
  loss: (number | null)[];
  lossMin: (number | null)[];
  lossMax: (number | null)[];
  gradNorm: (number | null)[];
  learningRate: (number | null)[];
  msPerIteration: (number | null)[];
  /** Logged iteration lines per bucket (1 until the curve had to be thinned). */
  linesPerPoint: number;
  /** Iteration lines that fell in the range. */
  linesSeen: number;
}

const METRICS = ["loss", "gradNorm", "learningRate", "msPerIteration"] as const;
type Metric = (typeof METRICS)[number];

interface Bucket {
  lastIteration: number;
  sum: Record<Metric, number>;
  count: Record<Metric, number>;
  lossMin: number;
  lossMax: number;
  lines: number;
}

const emptyTotals = (): Record<Metric, number> => ({ loss: 0, gradNorm: 0, learningRate: 0, msPerIteration: 0 });

function merge(a: Bucket, b: Bucket): Bucket {
  const sum = emptyTotals();
  const count = emptyTotals();
  for (const k of METRICS) {
    sum[k] = a.sum[k] + b.sum[k];
    count[k] = a.count[k] + b.count[k];
  }
  return {
    lastIteration: b.lastIteration,
    sum,
    count,
    lossMin: Math.min(a.lossMin, b.lossMin),
    lossMax: Math.max(a.lossMax, b.lossMax),
    lines: a.lines + b.lines,
  };
}

/**
 * Keeps at most `maxPoints` buckets of an unbounded stream of iteration records: when full, neighbouring buckets
 * merge pairwise and each new bucket takes twice as many lines. A record whose iteration goes back (a new or resumed
 * run appended to the same log) starts the curves over, as the rest of the analysis does.
 */
export class MetricSeriesBuilder {
  private buckets: Bucket[] = [];
  private linesPerBucket = 1;
  private open: Bucket | null = null;
  private lastIteration = -1;
  private seen = 0;

  constructor(
    private readonly maxPoints: number,
    private readonly range: SeriesRange = {},
  ) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError("maxPoints must be an integer ≥ 2");
  }

  push(rec: IterationRecord): void {
    if (rec.iteration < this.lastIteration) this.reset();
    this.lastIteration = rec.iteration;
    if (this.range.fromIteration !== undefined && rec.iteration < this.range.fromIteration) return;
    if (this.range.toIteration !== undefined && rec.iteration > this.range.toIteration) return;
    this.seen++;
    this.open ??= {
      lastIteration: rec.iteration,
      sum: emptyTotals(),
      count: emptyTotals(),
      lossMin: Number.POSITIVE_INFINITY,
      lossMax: Number.NEGATIVE_INFINITY,
      lines: 0,
    };
    const bucket = this.open;
    bucket.lastIteration = rec.iteration;
    bucket.lines++;
    for (const k of METRICS) {
      const v = rec[k];
      if (v === undefined || !Number.isFinite(v)) continue;
      bucket.sum[k] += v;
      bucket.count[k]++;
    }
    if (rec.loss !== undefined && Number.isFinite(rec.loss)) {
      bucket.lossMin = Math.min(bucket.lossMin, rec.loss);
      bucket.lossMax = Math.max(bucket.lossMax, rec.loss);
    }
    if (bucket.lines < this.linesPerBucket) return;
    this.buckets.push(bucket);
    this.open = null;
    if (this.buckets.length > this.maxPoints) {
      const merged: Bucket[] = [];
      for (let i = 0; i < this.buckets.length; i += 2) {
        const next = this.buckets[i + 1];
        merged.push(next ? merge(this.buckets[i]!, next) : this.buckets[i]!);
      }
      this.buckets = merged;
      this.linesPerBucket *= 2;
    }
  }

  /** Feeds each iteration line of `lines` (other lines are ignored). */
  pushLines(lines: Iterable<string>): this {
    for (const line of lines) {
      const rec = parseIterationLine(line);
      if (rec) this.push(rec);
    }
    return this;
  }

  private reset(): void {
    this.buckets = [];
    this.linesPerBucket = 1;
    this.open = null;
    this.seen = 0;
  }

  result(): MetricSeries {
    // The bucket still filling is a point of its own only while there is room; otherwise it joins the last one, so a
    // series never holds more than maxPoints points.
    const all = [...this.buckets];
    if (this.open && all.length < this.maxPoints) all.push(this.open);
    else if (this.open) all[all.length - 1] = merge(all[all.length - 1]!, this.open);
    const mean = (b: Bucket, k: Metric) => (b.count[k] > 0 ? b.sum[k] / b.count[k] : null);
    const finite = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      iteration: all.map((b) => b.lastIteration),
      loss: all.map((b) => mean(b, "loss")),
      lossMin: all.map((b) => finite(b.lossMin)),
      lossMax: all.map((b) => finite(b.lossMax)),
      gradNorm: all.map((b) => mean(b, "gradNorm")),
      learningRate: all.map((b) => mean(b, "learningRate")),
      msPerIteration: all.map((b) => mean(b, "msPerIteration")),
      linesPerPoint: this.linesPerBucket,
      linesSeen: this.seen,
    };
  }
}
