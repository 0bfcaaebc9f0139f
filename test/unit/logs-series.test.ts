// The dashboard's curves: downsampled on the server in bounded memory, spikes kept, ranges honoured, restarts
// starting over; tail_logs returns them over the whole log, the end read, or the lines after an offset.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { MetricSeriesBuilder } from "../../src/logs/series.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "logs-series-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function line(i: number, total: number, loss = 10 - i * 0.0001): string {
  return ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${i * 8} | elapsed time per iteration (ms): ${(2000 + (i % 7)).toFixed(1)} | learning rate: 1.000000E-05 | global batch size:     8 | tokens per sample: 1.024000E+03 | loss: ${loss.toExponential(6).toUpperCase()} | loss scale: 1.0 | grad norm: 3.100 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
}
const lines = (from: number, to: number, total: number, lossAt?: (i: number) => number) =>
  Array.from({ length: to - from + 1 }, (_, k) => line(from + k, total, lossAt?.(from + k)));

describe("MetricSeriesBuilder", () => {
  it("keeps at most maxPoints points of 100k iterations, with a one-iteration loss spike kept in lossMax", () => {
    const series = new MetricSeriesBuilder(200)
      .pushLines(lines(1, 100_000, 100_000, (i) => (i === 54_321 ? 50 : 2)))
      .result();
    expect(series.iteration.length).toBeLessThanOrEqual(200);
    expect(series.iteration.length).toBeGreaterThan(100);
    expect(series.linesSeen).toBe(100_000);
    expect(Math.max(...series.lossMax.map((v) => v ?? 0))).toBe(50);
    expect(series.iteration.at(-1)).toBe(100_000);
    expect(series.msPerIteration.every((v) => v !== null && v >= 2000 && v <= 2006)).toBe(true);
    // Iterations only grow along the curve.
    expect(series.iteration.every((it, k) => k === 0 || it > series.iteration[k - 1]!)).toBe(true);
  });

  it("never returns more than maxPoints points, whatever the count (the bucket still filling included)", () => {
    for (let n = 1; n <= 70; n++) {
      const series = new MetricSeriesBuilder(8).pushLines(lines(1, n, n)).result();
      expect(series.iteration.length, `${n} iterations`).toBeLessThanOrEqual(8);
      expect(series.iteration.at(-1), `${n} iterations`).toBe(n);
      expect(series.linesSeen).toBe(n);
    }
  });

  it("keeps every point while they fit, and only the iterations of a range", () => {
    const all = new MetricSeriesBuilder(500).pushLines(lines(1, 300, 300)).result();
    expect(all.iteration).toEqual(Array.from({ length: 300 }, (_, k) => k + 1));
    expect(all.linesPerPoint).toBe(1);
    const part = new MetricSeriesBuilder(500, { fromIteration: 100, toIteration: 150 }).pushLines(lines(1, 300, 300));
    expect(part.result().iteration).toEqual(Array.from({ length: 51 }, (_, k) => k + 100));
  });

  it("starts over when the iteration count goes back (a run appended to the same log)", () => {
    const series = new MetricSeriesBuilder(100).pushLines([...lines(1, 50, 50), ...lines(1, 10, 10)]).result();
    expect(series.iteration).toEqual(Array.from({ length: 10 }, (_, k) => k + 1));
  });

  it("treats nan and inf as gaps, not as values", () => {
    const text = lines(1, 3, 3).map((l, k) => (k === 1 ? l.replace(/loss: \S+/, "loss: nan") : l));
    const series = new MetricSeriesBuilder(10).pushLines(text).result();
    expect(series.loss[1]).toBeNull();
    expect(series.loss[0]).not.toBeNull();
  });
});

describe("tail_logs series", () => {
  const settings = HostSettingsSchema.parse({});
  const deps: ToolDeps = {
    hosts: new HostRegistry(
      { file: null, hosts: { local: settings } },
      async () => new LocalExecutor("local", settings),
    ),
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  };
  const call = (args: Record<string, unknown>) => tailLogs.handle(tailLogs.input.parse(args), deps);

  it("covers the whole log with history, the lines after an offset otherwise, and memory per rank", async () => {
    const path = join(dir, "run.log");
    const memory = [0, 1, 2, 3].map(
      (r) =>
        `[Rank ${r}] (after 10 iterations) memory (MB) | allocated: ${1000 + r} | max allocated: ${2000 + r} | reserved: 3000.0 | max reserved: 3000.0`,
    );
    writeFileSync(path, `${[...lines(1, 5000, 10_000), ...memory].join("\n")}\n`);
    const whole = await call({ logFile: path, history: true, series: { maxPoints: 300 } });
    expect(whole.series!.iteration.length).toBeLessThanOrEqual(300);
    expect(whole.series!.linesSeen).toBe(5000);
    expect(whole.memoryByRank.map((m) => [m.rank, m.maxAllocatedMb])).toEqual([
      [0, 2000],
      [1, 2001],
      [2, 2002],
      [3, 2003],
    ]);
    const without = await call({ logFile: path, lines: 5 });
    expect(without.series).toBeNull();

    writeFileSync(path, `${[...lines(1, 5000, 10_000), ...lines(5001, 5003, 10_000)].join("\n")}\n`);
    const after = await call({ logFile: path, offset: whole.nextOffset - memory.join("\n").length - 1, series: {} });
    expect(after.series!.iteration).toEqual([5001, 5002, 5003]);
  });
});
