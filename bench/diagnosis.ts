// What a user runs on a 1 GiB training log with the failure at the end: `ascend-train diagnose-error LOG --json`
// (the built CLI, a new process) against `grep -E -f` with one pattern per signature of the rule set, both timed
// from spawn to exit, alternating, with their peak RSS from GNU time. The CLI also runs on an eighth of the log to
// show its memory stays flat. BENCH_DIAGNOSIS_MIB (or BENCH_SCALE × 1024) sets the log size in MiB for a quick run.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grepPatterns } from "../src/diagnosis/grep.js";
import { diagnosisRules } from "../src/knowledge/rules.js";
import { median } from "./measure.js";
import type { BenchResult } from "./types.js";

const ROOT = join(import.meta.dirname, "..");
const MIB = 1024 ** 2;
const CLI = join(ROOT, "bin", "ascend-train.js");
const BUILT = join(ROOT, "dist", "src", "cli.js");
const GNU_TIME = "/usr/bin/time";

function line(i: number): string {
  const r = i % 8;
  switch (i % 6) {
    case 0:
      return `[rank${r}]: [2026-04-28 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}] iteration ${String(i).padStart(8)}/ 9000000 | consumed samples: ${String(i * 64).padStart(12)} | elapsed time per iteration (ms): 912.${i % 10} | learning rate: 1.000000E-05 | global batch size:    64 | loss: 1.2${i % 10}4321E+00 | loss scale: 1.0 | grad norm: 3.4${i % 7}6 | number of skipped iterations:   0 | number of nan iterations:   0 |\n`;
    case 1:
      return `[Rank ${r}] (after ${i} iterations) memory (MB) | allocated: 19806.47 | max allocated: 21206.09 | reserved: 22000.00 | max reserved: 23000.00\n`;
    case 2:
      return `[W compiler_depend.ts:${i % 997}] Warning: The operator 'aten::isin.Tensor_Tensor_out' is not currently supported on the NPU backend and will fall back to run on the CPU.\n`;
    case 3:
      return `INFO:mindspeed_mm.data:loaded sample ${i} from /data/coco/train2017/${String(i).padStart(12, "0")}.jpg (448x448, ${1024 + (i % 512)} tokens)\n`;
    case 4:
      return `time (ms) | forward-backward: ${900 + (i % 100)}.12 | forward-compute: 301.${i % 10} | backward-compute: 598.${i % 10} | optimizer: 12.${i % 10} | batch-generator: 0.4${i % 10}\n`;
    default:
      return `[2026-04-28 10:00:00,${String(i % 1000).padStart(3, "0")}] [INFO] [logging.py:96:log_dist] [Rank ${r}] step=${i}, skipped=0, lr=[1e-05], mom=[(0.9, 0.95)]\n`;
  }
}

const FAILURE = [
  "[rank0]: Traceback (most recent call last):",
  '[rank0]:   File "/home/ma-user/MindSpeed-MM/pretrain_vlm.py", line 421, in <module>',
  "[rank0]: RuntimeError: NPU out of memory. Tried to allocate 2.31 GiB (NPU 0; 60.96 GiB total capacity; 57.12 GiB already allocated; 57.12 GiB current active; 1.02 GiB free; 58.80 GiB reserved in total by PyTorch)",
  "[rank3]: RuntimeError: InnerRunOpApi:torch_npu/csrc/framework/OpParamMaker.cpp:281 OPS function error: HcclAllreduce, error code is 6",
  "[rank3]: EI0006: [PID: 51234] 2026-04-28-10:33:02.118.402 Getting socket times out. Reason: Remote Rank did not send the data in time.",
  "",
].join("\n");

async function generate(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    let block = "";
    for (let k = 0; k < 4000; k++) block += line(i++);
    written += Buffer.byteLength(block);
    if (!out.write(block)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  out.end(FAILURE);
  await new Promise<void>((r) => out.once("finish", () => r()));
}

/** A process's wall time from spawn to exit and its peak RSS (GNU time's %M, written to a file); stdout to a file. */
interface Timed {
  ms: number;
  rssMb: number | null;
  stdout: string;
}

function timeProcess(argv: string[], dir: string, env: NodeJS.ProcessEnv): Timed {
  const out = join(dir, "stdout");
  const mem = join(dir, "peak-kb");
  rmSync(mem, { force: true });
  const measured = existsSync(GNU_TIME);
  const command = measured ? [GNU_TIME, "-f", "%M", "-o", mem, ...argv] : argv;
  // stdout goes to a real file: GNU grep stops at the first match when its output is /dev/null.
  const script = 'out=$1; shift; exec "$@" >"$out"';
  const started = performance.now();
  const r = spawnSync("bash", ["-c", script, "bash", out, ...command], { encoding: "utf8", env, cwd: ROOT });
  const ms = performance.now() - started;
  if (r.status !== 0 && !(argv[0] === "grep" && r.status === 1)) {
    throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr.slice(-500)}`);
  }
  const kb = measured && existsSync(mem) ? Number(readFileSync(mem, "utf8").trim().split("\n").pop()) : Number.NaN;
  return { ms, rssMb: Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null, stdout: readFileSync(out, "utf8") };
}

/** The C locale is grep's fastest mode (byte matching, no multibyte DFA): the strictest baseline. */
const ENV = { ...process.env, LC_ALL: "C" };

interface CliVerdict {
  findings: { category: string; evidence: { line: number }[] }[];
  stats: { bytes: number; lines: number; skippedBytes: number };
}

function runCli(log: string, dir: string): Timed & { verdict: CliVerdict } {
  const t = timeProcess([process.execPath, CLI, "diagnose-error", log, "--json"], dir, ENV);
  return { ...t, verdict: JSON.parse(t.stdout) as CliVerdict };
}

export async function benchDiagnosis(): Promise<BenchResult[]> {
  if (!existsSync(BUILT)) throw new Error("dist/src/cli.js is missing: run `node scripts/build.mjs` first");
  // BENCH_DIAGNOSIS_MIB, else BENCH_SCALE (the other benches' size knob) × 1 GiB.
  const mib = Number(process.env.BENCH_DIAGNOSIS_MIB ?? 1024 * Number(process.env.BENCH_SCALE ?? 1));
  const size = Math.floor((Number.isFinite(mib) && mib >= 8 ? mib : 1024) * MIB);
  const runs = Number(process.env.BENCH_RUNS_DIAGNOSIS ?? 3);
  const dir = mkdtempSync(join(tmpdir(), "bench-diagnosis-"));
  try {
    const big = join(dir, "train.log");
    const small = join(dir, "train-eighth.log");
    await generate(big, size);
    await generate(small, Math.floor(size / 8));
    const signatures = grepPatterns();
    const patterns = join(dir, "signatures.txt");
    writeFileSync(patterns, `${signatures.join("\n")}\n`);
    const grepArgv = ["grep", "-n", "-a", "-E", "-f", patterns, big];

    // One of each first: the file in the page cache for both, the built CLI's modules read once.
    runCli(small, dir);
    timeProcess(grepArgv, dir, ENV);
    const ours: ReturnType<typeof runCli>[] = [];
    const base: Timed[] = [];
    for (let k = 0; k < runs; k++) {
      // Alternating, starting with each side in turn, so a drifting machine favours neither.
      if (k % 2 === 0) {
        base.push(timeProcess(grepArgv, dir, ENV));
        ours.push(runCli(big, dir));
      } else {
        ours.push(runCli(big, dir));
        base.push(timeProcess(grepArgv, dir, ENV));
      }
    }
    const eighth = runCli(small, dir);
    const { verdict } = ours[0]!;
    const categories = verdict.findings.map((f) => f.category);
    const lastLine = verdict.stats.lines;
    const failureLine = verdict.findings[0]?.evidence[0]?.line ?? 0;
    const whole = verdict.stats.bytes === statSync(big).size && verdict.stats.skippedBytes === 0;
    if (categories[0] !== "npu_oom" || !categories.includes("hccl_timeout")) {
      throw new Error(`diagnosis found ${categories.join(", ")} instead of npu_oom first, then hccl_timeout`);
    }
    const value = median(ours.map((r) => r.ms));
    const baseline = median(base.map((r) => r.ms));
    const peaks = ours.map((r) => r.rssMb).filter((x): x is number => x !== null);
    const peak = peaks.length ? Math.max(...peaks) : null;
    const flat = peak !== null && eighth.rssMb !== null && peak <= eighth.rssMb * 1.5;
    const hits = base[0]!.stdout.split("\n").filter(Boolean).length;
    return [
      {
        name:
          `diagnose-error CLI on a ${Math.round(size / MIB)} MiB log (failure at the end) vs grep -E -f ` +
          `(${signatures.length} patterns: every signature of the ${diagnosisRules.length} rules)`,
        value: Math.round(value),
        baseline: Math.round(baseline),
        ratio: Math.round((value / baseline) * 100) / 100,
        unit: "ms",
        peakRssMb: peak,
        baselinePeakRssMb: base.map((r) => r.rssMb).find((x) => x !== null) ?? null,
        goal: "ratio <= 2, the whole file read, memory flat (peak at full size <= 1.5 × at 1/8)",
        maxRatio: 2,
        checks: [
          {
            what: `the whole file read (${verdict.stats.bytes} bytes, ${verdict.stats.skippedBytes} skipped)`,
            ok: whole,
          },
          { what: `memory flat (${peak} MB at full size vs ${eighth.rssMb} MB at 1/8)`, ok: flat },
        ],
        note:
          `both are processes timed spawn → exit, median of ${runs} alternating runs; peak RSS ${eighth.rssMb} MB at ` +
          `1/8 of the size, ${peak} MB at full size; found ${categories.join(" → ")} (evidence line ${failureLine} ` +
          `of ${lastLine}); grep printed ${hits} matching lines`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const r of await benchDiagnosis()) console.log(JSON.stringify(r, null, 2));
}
