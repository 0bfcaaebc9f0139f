// estimate_memory as a tool (verdict, layouts, next step) and the time estimate from a running log.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { timeFromLog } from "../../src/estimate/time.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import estimateMemory from "../../src/tools/estimate-memory.js";
import { findTool } from "../../src/tools/index.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const deps = {} as never;
const call = (args: Record<string, unknown>) => estimateMemory.handle(estimateMemory.input.parse(args), deps);

describe("estimate_memory", () => {
  it("is registered as a read tool with a CLI name", () => {
    expect(findTool("estimate-memory")?.name).toBe("estimate_memory");
    expect(estimateMemory.kind).toBe("read");
  });

  it("gives a verdict with its breakdown and the layouts that fit for 32B on 16 NPUs", async () => {
    const r = await call({ model: "Qwen2.5-VL-32B-Instruct", npus: 16, npusPerNode: 8, tp: 4, pp: 2 });
    expect(r.model).toBe("qwen2.5vl-32b");
    expect(r.fits).toBe(true);
    expect(r.marginGiB).toBeCloseTo(r.hbmGiB - r.peakGiBPerRank, 1);
    const b = r.breakdown;
    const sum =
      b.weightsGiB + b.gradientsGiB + b.optimizerGiB + b.llmActivationsGiB + b.vitActivationsGiB + b.logitsGiB;
    expect(sum + b.allowanceGiB).toBeCloseTo(r.peakGiBPerRank, 0);
    expect(r.layout.llmLayerSplit).toEqual([32, 32]);
    expect(r.layouts.length).toBeGreaterThan(0);
    expect(r.layouts.every((c) => c.fits && c.tp * c.pp * c.dp === 16)).toBe(true);
    const text = estimateMemory.summarize(r);
    expect(text).toContain("fits, margin");
    expect(text).toContain("Layouts that fit on 16 NPUs");
  });

  it("says a layout does not fit and names the nearest one with the build_configs call", async () => {
    const r = await call({ model: "qwen2.5vl-72b", npus: 8, npusPerNode: 8, tp: 8, pp: 1 });
    expect(r.fits).toBe(false);
    expect(r.layouts).toEqual([]);
    expect(r.nearest?.moreNpus).toBe(true);
    const text = estimateMemory.summarize(r);
    expect(text).toContain("does NOT fit");
    expect(text).toMatch(/Nearest that fits: TP \d+, PP \d+/);
    expect(text).toContain("build_configs");
  });

  it("a smaller chip changes the verdict (910B4, 32 GB)", async () => {
    const big = await call({ model: "qwen2.5vl-7b", npus: 8, npusPerNode: 8, tp: 1, pp: 2 });
    const small = await call({ model: "qwen2.5vl-7b", npus: 8, npusPerNode: 8, tp: 1, pp: 2, chip: "910B4" });
    expect(big.fits).toBe(true);
    expect(small.hbmGiB).toBe(32);
    expect(small.fits).toBe(false);
  });

  it("reports a layout that does not divide the NPUs as a problem, not a fit", async () => {
    const r = await call({ model: "qwen2.5vl-7b", npus: 8, tp: 3 });
    expect(r.layoutProblems.join(" ")).toContain("does not divide 8 NPUs");
    expect(r.fits).toBe(false);
  });

  it("estimates DeepSeek-OCR from its stored shape and refuses unknown chips with a clear message", async () => {
    expect((await call({ model: "deepseekocr" })).peakGiBPerRank).toBeGreaterThan(0);
    const chip = estimateMemory.input.safeParse({ model: "qwen2.5vl-7b", chip: "910X" });
    expect(chip.error?.issues[0]).toMatchObject({
      path: ["chip"],
      message: expect.stringMatching(/^unknown chip "910X"; known: .*910B4/),
    });
  });

  it("LoRA needs far less than the full fine-tune", async () => {
    const full = await call({ model: "qwen2.5vl-72b", npus: 16, npusPerNode: 8, tp: 8, pp: 2 });
    const lora = await call({ model: "qwen2.5vl-72b", npus: 16, npusPerNode: 8, tp: 8, pp: 2, lora: true });
    expect(lora.peakGiBPerRank).toBeLessThan(full.peakGiBPerRank / 2);
  });
});

describe("time from the running log", () => {
  const line = (i: number, ms: number) =>
    ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/    1000 | consumed samples: ${i * 96} | elapsed time per iteration (ms): ${ms} | learning rate: 1.000000E-05 | global batch size:    96 | loss: 1.2E+00 | grad norm: 3.4 |`;

  it("takes the steady iterations' median, and gives tokens/s, ETA and NPU-hours", () => {
    const lines = [
      line(1, 60000),
      line(2, 9000),
      ...Array.from({ length: 10 }, (_, k) => line(k + 3, 4000 + (k % 2) * 200)),
      "[Rank 0] (after 10 iterations) memory (MB) | allocated: 30000.0 | max allocated: 51200.0 | reserved: 52000.0 | max reserved: 52000.0",
    ];
    const t = timeFromLog(lines, { npus: 16, seqLength: 1024 })!;
    expect(t.secondsPerIteration).toBeCloseTo(4.1, 1);
    expect(t.currentIteration).toBe(12);
    expect(t.remainingIterations).toBe(988);
    expect(t.tokensPerSecond).toBe(Math.round((96 * 1024) / t.secondsPerIteration));
    expect(t.etaSeconds).toBe(Math.round(988 * t.secondsPerIteration));
    expect(t.npuHoursTotal).toBeCloseTo((1000 * t.secondsPerIteration * 16) / 3600, 1);
    expect(t.measuredMaxAllocatedMiB).toBe(51200);
  });

  it("honours a planned iteration count and says nothing without timed iterations", () => {
    const t = timeFromLog([line(5, 2000), line(6, 2000), line(7, 2000)], { npus: 8, trainIters: 100 })!;
    expect(t.totalIterations).toBe(100);
    expect(t.remainingIterations).toBe(93);
    expect(timeFromLog(["loading checkpoint"], { npus: 8 })).toBeNull();
  });
});

describe("estimate_memory with a running log", () => {
  const dir = mkdtempSync(join(tmpdir(), "estimate-log-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a run id no ledger holds with where it looked and list_runs, and a malformed id at the door", async () => {
    const deps: ToolDeps = {
      hosts: new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ allowedDirs: [dir] }) } }),
      now: () => new Date(0),
      progress: () => undefined,
      log: () => undefined,
      runs: { lookup: async () => null, locateLog: async () => null },
    };
    await expect(
      estimateMemory.handle(
        estimateMemory.input.parse({ model: "qwen2.5vl-3b", npus: 8, runId: "run-20260101-000000-0009" }),
        deps,
      ),
    ).rejects.toThrow(/No run "run-20260101-000000-0009" on any host in the inventory: .*list_runs.*pass logFile/);
    expect(estimateMemory.input.safeParse({ model: "qwen2.5vl-3b", npus: 8, runId: "../../etc/passwd" }).success).toBe(
      false,
    );
  });

  it("reads the log on the host and adds time per iteration, ETA, NPU-hours and the measured peak", async () => {
    const log = join(dir, "train.log");
    const lines = Array.from(
      { length: 20 },
      (_, k) =>
        ` iteration ${String(k + 1).padStart(8)}/     500 | consumed samples: ${(k + 1) * 16} | elapsed time per iteration (ms): ${k < 2 ? 30000 : 3000} | learning rate: 1.0E-05 | global batch size:    16 | loss: 1.1E+00 |`,
    );
    lines.push(
      "[Rank 0] (after 10 iterations) memory (MB) | allocated: 30000.0 | max allocated: 40960.0 | reserved: 41000.0 | max reserved: 41000.0",
    );
    writeFileSync(log, `${lines.join("\n")}\n`);
    const deps: ToolDeps = {
      hosts: new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ allowedDirs: [dir] }) } }),
      now: () => new Date(0),
      progress: () => undefined,
      log: () => undefined,
    };
    const r = await estimateMemory.handle(
      estimateMemory.input.parse({ model: "qwen2.5vl-3b", npus: 8, host: "local", logFile: log }),
      deps,
    );
    expect(r.time?.secondsPerIteration).toBe(3);
    expect(r.time?.remainingIterations).toBe(480);
    expect(r.time?.etaSeconds).toBe(1440);
    expect(r.time?.npuHoursTotal).toBeCloseTo((500 * 3 * 8) / 3600, 2);
    expect(r.time?.measuredMaxAllocatedMiB).toBe(40960);
    const text = estimateMemory.summarize(r);
    expect(text).toContain("Time: 3 s/iteration");
    expect(text).toContain("measured max allocated 40.0 GiB");
  });
});

describe("estimate_memory with the host's HBM", () => {
  const smi = (name: string) => readFileSync(join(import.meta.dirname, "../fixtures/host-outputs", name), "utf8");
  const depsWith = (out: string): ToolDeps => {
    const host = new ScriptedExecutor().on(/^npu-smi info$/, { stdout: out });
    const hosts = new HostRegistry({ file: null, hosts: { npu: HostSettingsSchema.parse({}) } }, async () => host);
    return { hosts, now: () => new Date(0), progress: () => undefined, log: () => undefined };
  };
  const run = (out: string) =>
    estimateMemory.handle(
      estimateMemory.input.parse({ model: "qwen2.5vl-7b", npus: 8, tp: 1, pp: 2, host: "npu", hbmFromHost: true }),
      depsWith(out),
    );

  it("reads HBM per NPU from npu-smi: 64 GiB on a 910B, 32 GiB on a 910B4", async () => {
    const b3 = await run(smi("npu-smi-info-910b-idle.txt"));
    expect(b3.hbmGiB).toBe(64);
    expect(b3.fits).toBe(true);
    const b4 = await run(smi("npu-smi-info-910b4-32g-idle.txt"));
    expect(b4.hbmGiB).toBe(32);
    expect(b4.fits).toBe(false);
  });

  it("says so when npu-smi prints no HBM size", async () => {
    await expect(run("")).rejects.toThrow(/printed no HBM size/);
  });
});
