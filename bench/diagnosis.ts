// Diagnosis of a 1 GiB training log with the failure at the end, against `grep -E -f` with the same signature list,
// measured in the same run. Ours runs in a child process so its peak RSS (VmHWM) is its own; it also runs on an
// eighth of the log to show memory stays flat. BENCH_SCALE shrinks the log (e.g. 0.1 for 100 MiB).
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grepPatterns } from "../src/diagnosis/grep.js";
import { median } from "./measure.js";
import type { BenchResult } from "./types.js";

const ROOT = join(import.meta.dirname, "..");
const GIB = 1024 ** 3;

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

const CHILD = `
import { readFileSync } from "node:fs";
import { diagnoseLocalFiles } from ${JSON.stringify(join(ROOT, "src", "diagnosis", "index.ts"))};
const started = performance.now();
const v = await diagnoseLocalFiles([process.argv[2]], { maxBytes: 4 * 1024 ** 3 });
const ms = performance.now() - started;
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;
console.log(JSON.stringify({ ms, rssMb: hwm, top: v.findings.map((f) => f.category), line: v.findings[0]?.evidence[0]?.line }));
`;

interface Run {
  ms: number;
  rssMb: number;
  top: string[];
  line?: number;
}

function runOurs(script: string, log: string): Run {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, log], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`diagnosis child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Run;
}

/** The C locale is grep's fastest mode (byte matching, no multibyte DFA): the strictest baseline. */
const GREP_ENV = { ...process.env, LC_ALL: "C" };

function runGrep(patterns: string, log: string): { ms: number; rssMb: number | null; hits: number } {
  const time = existsSync("/usr/bin/time");
  const argv = ["grep", "-n", "-a", "-E", "-f", patterns, log];
  const started = performance.now();
  const r = time
    ? spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { encoding: "utf8", maxBuffer: 64 << 20, env: GREP_ENV })
    : spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 64 << 20, env: GREP_ENV });
  const ms = performance.now() - started;
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
  const kb = time ? Number(r.stderr.trim().split("\n").pop()) : Number.NaN;
  return {
    ms,
    rssMb: Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null,
    hits: r.stdout.split("\n").filter(Boolean).length,
  };
}

export async function benchDiagnosis(): Promise<BenchResult[]> {
  const scale = Number(process.env.BENCH_SCALE ?? "1");
  const size = Math.max(8 << 20, Math.floor(GIB * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const dir = mkdtempSync(join(tmpdir(), "bench-diagnosis-"));
  try {
    const big = join(dir, "train.log");
    const small = join(dir, "train-eighth.log");
    await generate(big, size);
    await generate(small, Math.floor(size / 8));
    const patterns = join(dir, "signatures.txt");
    writeFileSync(patterns, `${grepPatterns().join("\n")}\n`);
    const script = join(dir, "diagnose.mts");
    writeFileSync(script, CHILD);

    const ours: Run[] = [];
    const base: ReturnType<typeof runGrep>[] = [];
    for (let k = 0; k < 3; k++) {
      base.push(runGrep(patterns, big));
      ours.push(runOurs(script, big));
    }
    const eighth = runOurs(script, small);
    const found = ours[0]!;
    if (found.top[0] !== "npu_oom" || found.top[1] !== "hccl_timeout") {
      throw new Error(`diagnosis found ${found.top.join(", ")} instead of npu_oom then hccl_timeout`);
    }
    const value = median(ours.map((r) => r.ms));
    const baseline = median(base.map((r) => r.ms));
    const peak = Math.round(Math.max(...ours.map((r) => r.rssMb)) * 10) / 10;
    const grepPeak = base.map((r) => r.rssMb).find((x) => x !== null) ?? null;
    return [
      {
        name: `diagnose ${Math.round(size / 1024 ** 2)} MiB log (failure at the end) vs grep -E -f (${grepPatterns().length} signatures)`,
        value: Math.round(value),
        baseline: Math.round(baseline),
        ratio: Math.round((value / baseline) * 100) / 100,
        unit: "ms",
        peakRssMb: peak,
        baselinePeakRssMb: grepPeak,
        goal: "ratio <= 2, memory flat",
        note:
          `peak RSS ${Math.round(eighth.rssMb)} MB at 1/8 of the size, ${Math.round(peak)} MB at full size; ` +
          `found ${found.top.join(" → ")} at line ${found.line}; grep printed ${base[0]!.hits} matching lines`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const r of await benchDiagnosis()) console.log(JSON.stringify(r, null, 2));
}
