// `npm run bench`: every benchmark as a ratio against a baseline measured in the same run, with peak memory.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { BenchResult } from "./types.js";

type Bench = { name: string; file: string; fn: string; args?: () => Promise<unknown> };

const ROOT = join(import.meta.dirname, "..");

const BENCHES: Bench[] = [
  { name: "cold start", file: "cold-start.ts", fn: "benchColdStart" },
  { name: "datasets", file: "dataset.ts", fn: "benchDataset" },
  { name: "diagnosis", file: "diagnosis.ts", fn: "benchDiagnosis" },
  { name: "logs", file: "tail-bench.ts", fn: "benchTailAll" },
  { name: "check_env", file: "check-env-bench.ts", fn: "benchCheckEnvAll" },
  { name: "fine-tune flow", file: "flow.ts", fn: "benchFlow" },
  { name: "load", file: "load.ts", fn: "benchLoad" },
];

function format(r: BenchResult): string {
  const mem = r.peakRssMb !== null ? ` peak ${r.peakRssMb} MB` : "";
  const baseMem = r.baselinePeakRssMb ? ` (baseline ${r.baselinePeakRssMb} MB)` : "";
  return `  ${r.name}\n    ours ${r.value} ${r.unit} vs baseline ${r.baseline} ${r.unit} → ratio ${r.ratio}×  [goal: ${r.goal}]${mem}${baseMem}${r.note ? `\n    ${r.note}` : ""}`;
}

async function main() {
  const build = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, stdio: "inherit" });
  if (build.status !== 0) console.error("warning: build reported errors; benchmarking what was emitted");
  const only = process.argv.slice(2);
  const all: BenchResult[] = [];
  for (const b of BENCHES) {
    if (only.length > 0 && !only.some((o) => b.name.includes(o) || b.file.includes(o))) continue;
    const path = join(import.meta.dirname, b.file);
    if (!existsSync(path)) continue;
    console.log(`\n▶ ${b.name}`);
    try {
      const mod = (await import(path)) as Record<string, () => Promise<BenchResult[]>>;
      const results = await mod[b.fn]!();
      for (const r of results) console.log(format(r));
      all.push(...results);
    } catch (error) {
      console.log(`  failed: ${(error as Error).message}`);
    }
  }
  console.log("\nSummary (ratio = ours / baseline):");
  for (const r of all) console.log(`  ${r.ratio.toFixed(2)}×  ${r.name}  [${r.goal}]`);
  process.exit(0);
}

await main();
