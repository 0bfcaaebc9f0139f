// Log benches on a generated MindSpeed-MM log (2 GB; BENCH_SCALE shrinks it), locally or over SSH:
// (a) the last 200 lines through a HostExecutor against `tail -n 200`;
// (b) full-log metric extraction against an awk one-liner doing the same parse.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { HostExecutor } from "../src/hosts/executor.js";
import { HostSettingsSchema } from "../src/hosts/inventory.js";
import { LocalExecutor } from "../src/hosts/local.js";
import { shellJoin, shellQuote } from "../src/hosts/quote.js";
import { extractMetricsFromHost } from "../src/logs/extract.js";
import { tailLines } from "../src/logs/tail.js";
import { ratioResult } from "./measure.js";
import type { BenchResult } from "./types.js";

export interface TailBenchContext {
  executor: HostExecutor;
  /** Runs a baseline command on the same host the executor reaches. */
  runBaseline: (argv: readonly string[]) => Promise<void>;
  /** A directory on that host for the generated log (kept and reused between runs). */
  dir: string;
}

const FULL_BYTES = 2 * 1024 ** 3;
const LINE_BYTES = 369; // the generated iteration line, newline included (checked after generation)

// The same fields tail_logs extracts: iteration, loss, grad norm, step time, learning rate, samples, batch size.
export const AWK_EXTRACT =
  'index($0,"iteration ")&&index($0,"elapsed time"){n++; split($1,a,"iteration"); split(a[2],b,"/"); it=b[1]+0; ' +
  'for(i=2;i<NF;i++){p=index($i,":"); k=substr($i,2,p-2); v=substr($i,p+1)+0; ' +
  'if(k=="loss"||k=="lm loss"){loss=v; s+=v} else if(k=="grad norm")g=v; ' +
  'else if(k=="elapsed time per iteration (ms)")ms=v; else if(k=="learning rate")lr=v; ' +
  'else if(k=="consumed samples")cs=v; else if(k=="global batch size")gbs=v}} ' +
  "END{print n,it,loss,g,ms,lr,cs,gbs,s/n}";

// Generated on the host itself so the bench works the same over SSH.
const AWK_GENERATE =
  "BEGIN{for(i=1;i<=n;i++){" +
  'printf " [2026-04-28 10:00:00] iteration %8d/%8d | consumed samples: %12d | elapsed time per iteration (ms): %.1f | ' +
  "learning rate: %.6E | global batch size: %5d | tokens per sample: %.6E | loss: %.6E | loss scale: 1.0 | " +
  'grad norm: %.3f | number of skipped iterations: %3d | number of nan iterations: %3d |\\n", ' +
  "i, n, i*192, 9000+(i%97), 1e-5, 192, 512, 2+8*exp(-i/50000)+(i%13)/100, 3+(i%7)/10, 0, 0; " +
  'if(i%1000==0) printf "saving checkpoint at iteration %7d to ./ckpt in torch_dist format\\n", i}}';

async function ensureLog(ctx: TailBenchContext, bytes: number): Promise<{ path: string; lines: number }> {
  const lines = Math.max(1000, Math.round(bytes / LINE_BYTES));
  const path = `${ctx.dir}/bench-train-${lines}.log`;
  const have = await ctx.executor.run(["stat", "-c", "%s", path]);
  if (have.exitCode === 0 && Number(have.stdout.trim()) > lines * 300) return { path, lines };
  const tmp = `${path}.tmp`;
  const script = `${shellJoin(["awk", "-v", `n=${lines}`, AWK_GENERATE])} > ${shellQuote(tmp)} && ${shellJoin(["mv", tmp, path])}`;
  const made = await ctx.executor.runScript(script, { timeoutMs: 30 * 60_000 });
  if (made.exitCode !== 0) throw new Error(`could not generate ${path}: ${made.stderr.trim()}`);
  return { path, lines };
}

const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 102.4) / 10;

/** Lets the previous run's process exit and stream handlers finish before the next timing starts. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

async function time(fn: () => Promise<unknown>): Promise<number> {
  await settle();
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function localContext(): TailBenchContext {
  return {
    executor: new LocalExecutor("local", HostSettingsSchema.parse({})),
    runBaseline: async (argv) => {
      const r = await execa(argv[0]!, argv.slice(1), { reject: false, stdout: "ignore" });
      if (r.exitCode !== 0) throw new Error(`${argv[0]} failed: ${r.stderr}`);
    },
    dir: process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), "bench-tail-")),
  };
}

export async function benchTail(ctx: TailBenchContext = localContext()): Promise<BenchResult[]> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const bytes = Math.round(FULL_BYTES * (Number.isFinite(scale) && scale > 0 ? scale : 1));
  const { path, lines } = await ensureLog(ctx, bytes);
  const where = ctx.executor.label;
  const results: BenchResult[] = [];

  // (a) tail: alternate ours and the baseline so both see the same cache and load.
  const tailRuns = Number(process.env.BENCH_RUNS ?? 15);
  const check = await tailLines(ctx.executor, path, 200);
  if (check.lines.length < 200) throw new Error(`tail returned ${check.lines.length} lines`);
  await ctx.runBaseline(["tail", "-n", "200", path]);
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < tailRuns; i++) {
    ours.push(await time(() => tailLines(ctx.executor, path, 200)));
    base.push(await time(() => ctx.runBaseline(["tail", "-n", "200", path])));
  }
  results.push(
    ratioResult({
      name: `tail 200 lines of a ${Math.round(bytes / 1024 ** 2)} MB log (${where})`,
      ours,
      base,
      peakRssMb: maxRssMb(),
      goal: "ratio <= 1.2",
      maxRatio: 1.2,
      note: `read ${check.bytesRead} bytes in ${check.reads} request(s) of a ${check.size}-byte file`,
    }),
  );

  // (b) full extraction.
  const extractRuns = Number(process.env.BENCH_EXTRACT_RUNS ?? 3);
  const oursX: number[] = [];
  const baseX: number[] = [];
  let seen = 0;
  for (let i = 0; i < extractRuns; i++) {
    oursX.push(
      await time(async () => {
        seen = (await extractMetricsFromHost(ctx.executor, path)).iterationsSeen;
      }),
    );
    baseX.push(await time(() => ctx.runBaseline(["awk", "-F", "|", AWK_EXTRACT, path])));
  }
  if (seen !== lines) throw new Error(`extraction saw ${seen} iterations, expected ${lines}`);
  results.push(
    ratioResult({
      name: `extract metrics from a ${Math.round(bytes / 1024 ** 2)} MB log (${where})`,
      ours: oursX,
      base: baseX,
      peakRssMb: maxRssMb(),
      goal: "ratio <= 1.5",
      maxRatio: 1.5,
      note: `awk -F'|' one-liner as baseline; ${lines} iteration lines; peak is this process's high-water mark`,
    }),
  );
  return results;
}
