// The loss curve three ways: a PNG (axes, ticks, line), CSV data, and a text sparkline for terminals.
import { PNG } from "pngjs";
import type { CurvePoint } from "./accumulator.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const AXIS: Rgb = [60, 60, 60];
const GRID: Rgb = [225, 225, 225];
const LINE: Rgb = [31, 119, 180];
const BAD: Rgb = [214, 39, 40];

/** Short label for a tick value: 3 significant digits, k/M for large counts, exponent for tiny values. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a < 1e-2) return v.toExponential(1);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  title?: string;
}

export interface LossPoint {
  iteration: number;
  loss: number | null;
}

/** Draws loss against iteration; NaN/inf losses are marked in red along the top. Null with fewer than 2 points. */
export function renderLossPng(points: readonly LossPoint[], opts: ChartOptions = {}): Buffer | null {
  const width = opts.width ?? 720;
  const height = opts.height ?? 360;
  const withLoss = points.filter((p) => p.loss !== null);
  const finite = withLoss.filter((p) => Number.isFinite(p.loss));
  if (withLoss.length < 2 || finite.length < 1) return null;
  const png = new PNG({ width, height });
  const set = (x: number, y: number, [r, g, b]: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 4;
    png.data[i] = r;
    png.data[i + 1] = g;
    png.data[i + 2] = b;
    png.data[i + 3] = 255;
  };
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) set(x, y, WHITE);

  const left = 70;
  const right = width - 20;
  const top = 34;
  const bottom = height - 40;
  const xMin = withLoss[0]!.iteration;
  let xMax = withLoss[withLoss.length - 1]!.iteration;
  if (xMax === xMin) xMax = xMin + 1;
  const ys = finite.map((p) => p.loss!);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  const pad = (yMax - yMin) * 0.05 || Math.abs(yMax) * 0.05 || 1;
  yMin -= pad;
  yMax += pad;
  const px = (it: number) => left + ((it - xMin) / (xMax - xMin)) * (right - left);
  const py = (v: number) => bottom - ((v - yMin) / (yMax - yMin)) * (bottom - top);

  for (const t of niceTicks(yMin, yMax, 5)) {
    const y = py(t);
    for (let x = left; x <= right; x++) set(x, y, GRID);
    for (let x = left - 4; x < left; x++) set(x, y, AXIS);
    const label = tickLabel(t);
    drawText(label, left - 8 - textWidth(label, 1), y - (GLYPH_HEIGHT >> 1), 1, (a, b) => set(a, b, AXIS));
  }
  for (const t of niceTicks(xMin, xMax, 6)) {
    if (t < xMin || t > xMax) continue;
    const x = px(t);
    for (let y = bottom; y < bottom + 4; y++) set(x, y, AXIS);
    const label = tickLabel(t);
    drawText(label, x - textWidth(label, 1) / 2, bottom + 8, 1, (a, b) => set(a, b, AXIS));
  }
  for (let x = left; x <= right; x++) set(x, bottom, AXIS);
  for (let y = top; y <= bottom; y++) set(left, y, AXIS);
  drawText(opts.title ?? "loss", left, 10, 2, (a, b) => set(a, b, AXIS));
  const xLabel = "iteration";
  drawText(xLabel, right - textWidth(xLabel, 1), height - 14, 1, (a, b) => set(a, b, AXIS));

  let prev: [number, number] | null = null;
  for (const p of withLoss) {
    if (!Number.isFinite(p.loss)) {
      const x = px(p.iteration);
      for (let d = -3; d <= 3; d++) {
        set(x + d, top + 3 + d, BAD);
        set(x + d, top + 3 - d, BAD);
      }
      prev = null;
      continue;
    }
    const cur: [number, number] = [px(p.iteration), py(p.loss!)];
    if (prev)
      line(prev, cur, (x, y) => {
        set(x, y, LINE);
        set(x, y + 1, LINE);
      });
    else set(cur[0], cur[1], LINE);
    prev = cur;
  }
  return PNG.sync.write(png);
}

function line([x0, y0]: [number, number], [x1, y1]: [number, number], dot: (x: number, y: number) => void): void {
  const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
  for (let i = 0; i <= steps; i++) dot(x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps);
}

const BARS = "▁▂▃▄▅▆▇█";

/** A one-line chart of the finite values, averaged into at most `width` buckets; non-finite values show as `!`. */
export function sparkline(values: readonly number[], width = 40): string {
  if (values.length === 0) return "";
  const buckets = Math.min(width, values.length);
  const out: (number | null)[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    let sum = 0;
    let bad = false;
    for (let i = from; i < to; i++) {
      if (Number.isFinite(values[i])) sum += values[i]!;
      else bad = true;
    }
    out.push(bad ? null : sum / (to - from));
  }
  const finite = out.filter((v): v is number => v !== null);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return out
    .map((v) => (v === null ? "!" : BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]))
    .join("");
}

const csvNum = (v: number | null) => (v === null ? "" : String(v));

export function curveCsv(points: readonly CurvePoint[]): string {
  const rows = points.map((p) =>
    [p.iteration, csvNum(p.loss), csvNum(p.gradNorm), csvNum(p.msPerIteration), csvNum(p.learningRate)].join(","),
  );
  return `iteration,loss,grad_norm,ms_per_iteration,learning_rate\n${rows.join("\n")}\n`;
}
