// Small measuring helpers shared by the benches.
import { readFileSync } from "node:fs";
import type { BenchResult } from "./types.js";

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Peak resident set of a live process, MB (Linux VmHWM). */
export function peakRssOf(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

export function ratioResult(args: {
  name: string;
  ours: number[];
  base: number[];
  unit?: string;
  peakRssMb: number | null;
  baselinePeakRssMb?: number | null;
  goal: string;
  maxRatio: number;
  checks?: BenchResult["checks"];
  note?: string;
}): BenchResult {
  const value = median(args.ours);
  const baseline = median(args.base);
  return {
    name: args.name,
    value: Math.round(value * 10) / 10,
    baseline: Math.round(baseline * 10) / 10,
    ratio: Math.round((value / baseline) * 100) / 100,
    unit: args.unit ?? "ms",
    peakRssMb: args.peakRssMb,
    baselinePeakRssMb: args.baselinePeakRssMb ?? null,
    goal: args.goal,
    maxRatio: args.maxRatio,
    ...(args.checks ? { checks: args.checks } : {}),
    note: args.note,
  };
}
