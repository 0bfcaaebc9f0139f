// `npm run bench`: every benchmark as a ratio against a baseline measured in the same run, with peak memory.
// Each result declares its goal (a highest ratio, plus conditions such as flat memory); the command exits 1 when a
// bench throws or a result misses its goal, so a regression cannot pass as a printed number. The loopback sshd the
// SSH benches measure against is started (or reused) under the same lease the test setup uses.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setup as leaseSshd, teardown as releaseSshd } from "../test/helpers/global-setup.js";
import { type BenchResult, goalMisses } from "./types.js";

type Bench = { name: string; file: string; fn: string };

const ROOT = join(import.meta.dirname, "..");

const BENCHES: Bench[] = [
  { name: "cold start", file: "cold-start.ts", fn: "benchColdStart" },
  { name: "datasets", file: "dataset.ts", fn: "benchDataset" },
  { name: "diagnosis", file: "diagnosis.ts", fn: "benchDiagnosis" },
  { name: "logs", file: "tail-bench.ts", fn: "benchTailAll" },
  { name: "check_env", file: "check-env-bench.ts", fn: "benchCheckEnvAll" },
  { name: "fine-tune flow", file: "flow.ts", fn: "benchFlow" },
  { name: "load", file: "load.ts", fn: "benchLoad" },
  { name: "dashboard", file: "dashboard.ts", fn: "benchDashboard" },
];

function format(r: BenchResult): string {
  const mem = r.peakRssMb !== null ? ` peak ${r.peakRssMb} MB` : "";
  const baseMem = r.baselinePeakRssMb ? ` (baseline ${r.baselinePeakRssMb} MB)` : "";
  const misses = goalMisses(r);
  const verdict = misses.length ? `MISSED (${misses.join("; ")})` : "met";
  return (
    `  ${r.name}\n    ours ${r.value} ${r.unit} vs baseline ${r.baseline} ${r.unit} → ratio ${r.ratio}×` +
    `  [goal: ${r.goal}: ${verdict}]${mem}${baseMem}${r.note ? `\n    ${r.note}` : ""}`
  );
}

async function main(): Promise<number> {
  // BENCH_SKIP_BUILD=1 measures the dist/ already there (a rerun of one bench).
  if (process.env.BENCH_SKIP_BUILD !== "1") {
    const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) console.error("warning: build reported errors; benchmarking what was emitted");
  }
  const only = process.argv.slice(2);
  const all: BenchResult[] = [];
  const failed: string[] = [];
  await leaseSshd();
  try {
    for (const b of BENCHES) {
      if (only.length > 0 && !only.some((o) => b.name.includes(o) || b.file.includes(o))) continue;
      const path = join(import.meta.dirname, b.file);
      if (!existsSync(path)) continue;
      console.log(`\n▶ ${b.name}`);
      try {
        const mod = (await import(path)) as Record<string, () => Promise<BenchResult[]>>;
        const results = await mod[b.fn]!();
        if (results.length === 0) throw new Error("measured nothing");
        for (const r of results) console.log(format(r));
        all.push(...results);
      } catch (error) {
        console.log(`  failed: ${(error as Error).message}`);
        failed.push(b.name);
      }
    }
  } finally {
    await releaseSshd();
  }
  const missed = all.filter((r) => goalMisses(r).length > 0);
  console.log("\nSummary (ratio = ours / baseline; goal = the highest ratio allowed):");
  for (const r of all) {
    const mem = r.peakRssMb !== null ? `${r.peakRssMb} MB` : "n/a";
    const mark = goalMisses(r).length ? "MISSED" : "met   ";
    console.log(
      `  ${mark} ${r.ratio.toFixed(2).padStart(6)}× ≤ ${String(r.maxRatio).padEnd(5)} peak ${mem.padEnd(9)} ${r.name}`,
    );
  }
  console.log(
    `${all.length - missed.length} met, ${missed.length} missed, ${failed.length} failed${failed.length ? ` (${failed.join(", ")})` : ""}`,
  );
  return missed.length + failed.length > 0 ? 1 : 0;
}

process.exit(await main());
