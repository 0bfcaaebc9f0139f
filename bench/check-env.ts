// check_env over SSH against a plain `ssh host true` (baselineArgv), alternating runs in the same process.
import { spawn } from "node:child_process";
import type { HostRegistry } from "../src/hosts/registry.js";
import checkEnv from "../src/tools/check-env.js";
import type { ToolDeps } from "../src/tools/tool.js";
import { peakRssOf, ratioResult } from "./measure.js";
import type { BenchResult } from "./types.js";

function runBaseline(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${argv.join(" ")} exited ${code}`)),
    );
  });
}

async function runCheck(registry: HostRegistry, hostName: string): Promise<{ ms: number; findings: number }> {
  const deps: ToolDeps = { hosts: registry, now: () => new Date(), progress: () => {}, log: () => {} };
  const started = performance.now();
  const result = await checkEnv.handle(checkEnv.input.parse({ host: hostName }), deps);
  const ms = performance.now() - started;
  if (!result.probe?.ok) throw new Error(`check_env probe on ${hostName} incomplete: ${result.probe?.error}`);
  return { ms, findings: result.findings.length };
}

export async function benchCheckEnv(opts: {
  registry: HostRegistry;
  hostName: string;
  baselineArgv: string[];
  runs?: number;
}): Promise<BenchResult[]> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 7);
  // Warm-up: the first SSH connection, Python's bytecode caches on the host.
  await runCheck(opts.registry, opts.hostName);
  await runBaseline(opts.baselineArgv);
  const warm: number[] = [];
  const cold: number[] = [];
  const base: number[] = [];
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    const w = await runCheck(opts.registry, opts.hostName);
    warm.push(w.ms);
    findings = w.findings;
    base.push(await runBaseline(opts.baselineArgv));
    // A fresh connection, as a one-shot CLI call pays it.
    await opts.registry.closeAll();
    cold.push((await runCheck(opts.registry, opts.hostName)).ms);
  }
  const peak = peakRssOf(process.pid);
  const note = `${findings} findings; one probe script per call; median of ${runs} alternating runs; peak is the bench process`;
  return [
    ratioResult({
      name: `check_env over SSH, connection kept (${opts.hostName})`,
      ours: warm,
      base,
      peakRssMb: peak,
      goal: "ratio <= 2 vs `ssh host true`",
      note,
    }),
    ratioResult({
      name: `check_env over SSH, new connection (${opts.hostName})`,
      ours: cold,
      base,
      peakRssMb: peak,
      goal: "ratio <= 2 vs `ssh host true`",
      note,
    }),
  ];
}
