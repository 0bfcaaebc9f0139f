// check_env over SSH against the OpenSSH client doing the same work: the probe script check_env sends, fed to
// `ssh host bash -s`. The kept connection is measured against calls over an OpenSSH ControlMaster connection (the
// first call establishes it), the new connection against a fresh `ssh` per call. Runs alternate in one process.
import { buildProbeScript } from "../src/env/probe.js";
import { hostPrelude } from "../src/hosts/environment.js";
import type { HostRegistry } from "../src/hosts/registry.js";
import checkEnv from "../src/tools/check-env.js";
import type { ToolDeps } from "../src/tools/tool.js";
import { median, peakRssOf, ratioResult } from "./measure.js";
import { timeSsh } from "./ssh-env.js";
import type { BenchResult } from "./types.js";

async function runCheck(registry: HostRegistry, hostName: string): Promise<{ ms: number; findings: number }> {
  const deps: ToolDeps = { hosts: registry, now: () => new Date(), progress: () => {}, log: () => {} };
  const started = performance.now();
  const result = await checkEnv.handle(checkEnv.input.parse({ host: hostName }), deps);
  const ms = performance.now() - started;
  if (!result.probe?.ok) throw new Error(`check_env probe on ${hostName} incomplete: ${result.probe?.error}`);
  return { ms, findings: result.findings.length };
}

/** What check_env sends with its default 90 s bound: the host's prelude, then the probe with the limits it derives. */
async function probeScript(registry: HostRegistry, hostName: string): Promise<string> {
  const { settings } = await registry.get(hostName);
  const seconds = Math.floor(checkEnv.input.parse({ host: hostName }).timeoutMs / 1000);
  const probe = buildProbeScript(settings, {
    liveTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    npuSmiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
  });
  return `${hostPrelude(settings)}\n${probe}`;
}

export async function benchCheckEnv(opts: {
  registry: HostRegistry;
  hostName: string;
  /** OpenSSH client arguments through user@host, for a fresh connection per call. */
  freshArgs: string[];
  /** The same over an established ControlMaster connection. */
  masterArgs: string[];
  runs?: number;
}): Promise<BenchResult[]> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 7);
  const script = await probeScript(opts.registry, opts.hostName);
  const viaSsh = async (args: string[]) => {
    const r = await timeSsh([...args, "bash -s"], script);
    if (r.stdoutBytes === 0) throw new Error("the probe script printed nothing over ssh");
    return r.ms;
  };
  // Warm-up: the first SSH connection, Python's bytecode caches on the host.
  await runCheck(opts.registry, opts.hostName);
  await viaSsh(opts.masterArgs);
  await viaSsh(opts.freshArgs);
  const kept: number[] = [];
  const masterBase: number[] = [];
  const fresh: number[] = [];
  const freshBase: number[] = [];
  const masterTrue: number[] = [];
  const freshTrue: number[] = [];
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    const w = await runCheck(opts.registry, opts.hostName);
    kept.push(w.ms);
    findings = w.findings;
    masterBase.push(await viaSsh(opts.masterArgs));
    // A fresh connection, as a one-shot CLI call pays it.
    await opts.registry.closeAll();
    fresh.push((await runCheck(opts.registry, opts.hostName)).ms);
    freshBase.push(await viaSsh(opts.freshArgs));
    masterTrue.push((await timeSsh([...opts.masterArgs, "true"])).ms);
    freshTrue.push((await timeSsh([...opts.freshArgs, "true"])).ms);
  }
  const peak = peakRssOf(process.pid);
  const note =
    `${findings} findings; the baseline sends check_env's own probe script (${script.length} bytes) to \`bash -s\`; ` +
    `median of ${runs} alternating runs; \`ssh host true\` alone takes ${Math.round(median(masterTrue))} ms over the ` +
    `master, ${Math.round(median(freshTrue))} ms fresh; peak is the bench process`;
  return [
    ratioResult({
      name: "check_env over SSH, connection kept vs the same probe over an OpenSSH ControlMaster connection",
      ours: kept,
      base: masterBase,
      peakRssMb: peak,
      goal: "ratio <= 1.5 (parsing and findings add little to the probe's own time)",
      maxRatio: 1.5,
      note,
    }),
    ratioResult({
      name: "check_env over SSH, new connection vs the same probe over a fresh `ssh`",
      ours: fresh,
      base: freshBase,
      peakRssMb: peak,
      goal: "ratio <= 1.5 (our connection setup costs no more than OpenSSH's)",
      maxRatio: 1.5,
      note,
    }),
  ];
}
