// check_env's work: one bounded probe script per host → facts (machine, NPUs, CANN, Python, live torch_npu, ports)
// and findings against the release matrix. plan_finetune asks the same question, so it lives here, not in the tool.
import { posix } from "node:path";
import { PlanError, resolveModel, resolveTrainingPlan } from "../configs/plan.js";
import { ToolError } from "../errors.js";
import { type HostExecutor, HostFileError } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import type { WorkDeps } from "../hosts/work.js";
import { getRelease, type ReleaseStack } from "../knowledge/releases.js";
import { NEWEST_TRL } from "../knowledge/trl.js";
import { type RunHolders, runHolders } from "../runs/holders.js";
import { type LaunchScriptInfo, parseLaunchScript } from "../runs/launch-script.js";
import { launchMasterPort } from "../runs/preflight.js";
import { compareHosts } from "./compare.js";
import { buildCudaProbeScript, type CudaFacts, evaluateCudaHost, parseCudaProbe } from "./cuda.js";
import type { Finding, HostFacts } from "./facts.js";
import { evaluateHost } from "./findings.js";
import { checkHfJobsHost, type HfJobsFacts } from "./hf-jobs.js";
import { parseProbe } from "./parse-probe.js";
import { buildProbeScript } from "./probe.js";

const HCCL_PORT_COUNT = 16;
const MAX_PROBE_OUTPUT = 1024 * 1024;

export interface EnvCheckOptions {
  host?: string;
  hosts?: string[];
  model?: string;
  release?: string;
  /** The port to check; else the one launch_train would use (see masterPortToCheck). */
  masterPort?: number;
  hcclBasePort?: number;
  timeoutMs: number;
}

/** The MASTER_PORT check_env checks, and why that one. */
export interface MasterPortChoice {
  port: number;
  from: "given" | "host" | "script" | "default";
  /** The launch script on the host whose port it is (from "script"; absent when not written yet, as planned). */
  script?: string;
}

/** One host's facts at the top level, or several under `hosts`; findings sorted errors first. */
export type EnvCheck = Partial<HostFacts> & {
  release: string;
  model: string | null;
  ok: boolean;
  hosts?: HostFacts[];
  unreachable?: { host: string; error: string }[];
  findings: Finding[];
  /** CUDA hosts: what nvidia-smi, torch and the TRL stack report. */
  cuda?: CudaFacts;
  /** Hugging Face Jobs hosts: the token's user and namespaces, the flavors and their prices. */
  hfJobs?: HfJobsFacts;
};

/**
 * The MASTER_PORT a launch on this host would use, by launch_train's own rule (launchMasterPort): the one given, else
 * the host's MASTER_PORT setting, else the port of the launch script build_configs writes for the model (as written
 * in the host's workdir, else as it would be written), else 6000.
 */
export async function masterPortToCheck(
  name: string,
  opts: { masterPort?: number; model: string | null; release: string },
  deps: WorkDeps,
): Promise<MasterPortChoice> {
  if (opts.masterPort !== undefined) return { port: opts.masterPort, from: "given" };
  let host: Awaited<ReturnType<WorkDeps["hosts"]["get"]>>;
  try {
    host = await deps.hosts.get(name);
  } catch {
    // An unknown or unreachable host: the probe reports it.
    return { port: launchMasterPort(null, {}), from: "default" };
  }
  const { settings } = host;
  const script =
    !Number(settings.env.MASTER_PORT) && opts.model && settings.workdir
      ? await launchScriptOf(host.executor, settings, opts.model, opts.release).catch(() => null)
      : null;
  const env = { ...script?.info.exports, ...settings.env };
  const port = launchMasterPort(script?.info ?? null, env);
  if (Number(settings.env.MASTER_PORT)) return { port, from: "host" };
  if (script && (Number(script.info.exports.MASTER_PORT) || script.info.masterPort))
    return { port, from: "script", ...(script.written ? { script: script.path } : {}) };
  return { port, from: "default" };
}

/** The model's launch script in the host's configs directory (build_configs' default), else as it would be written. */
async function launchScriptOf(
  executor: HostExecutor,
  settings: HostSettings,
  model: string,
  release: string,
): Promise<{ path: string; info: LaunchScriptInfo; written: boolean } | null> {
  const workdir = settings.workdir!;
  const outputDir = posix.join(workdir, "configs", model);
  let planned: string | undefined;
  let path: string;
  try {
    const plan = resolveTrainingPlan(model, release, { outputDir, cannRoot: settings.cannRoot, workdir });
    const file = plan.files.find((f) => f.role === "launch-script");
    if (!file) return null;
    planned = file.text;
    path = posix.join(outputDir, file.name);
  } catch (error) {
    if (error instanceof PlanError) return null;
    throw error;
  }
  try {
    const text = (await executor.readFile(path, { maxBytes: 4 * 1024 * 1024 })).content;
    return { path, info: parseLaunchScript(text), written: true };
  } catch (error) {
    if (!(error instanceof HostFileError)) throw error;
  }
  return planned ? { path, info: parseLaunchScript(planned), written: false } : null;
}

async function probeHost(
  name: string,
  args: EnvCheckOptions & { port: MasterPortChoice },
  deps: WorkDeps,
): Promise<{ facts: HostFacts; settings: HostSettings; runs?: RunHolders }> {
  const { settings, executor } = await deps.hosts.get(name);
  const seconds = Math.floor(args.timeoutMs / 1000);
  const script = buildProbeScript(settings, {
    liveTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    npuSmiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
  });
  const run = await executor.runScript(script, {
    timeoutMs: args.timeoutMs,
    maxOutputBytes: MAX_PROBE_OUTPUT,
    signal: deps.signal,
  });
  const facts = parseProbe(run, {
    host: name,
    settings,
    masterPort: args.port.port,
    hcclBasePort: args.hcclBasePort,
    hcclPortCount: HCCL_PORT_COUNT,
  });
  facts.ports.masterPortFrom = args.port.from;
  if (args.port.script) facts.ports.masterPortScript = args.port.script;
  // Busy NPUs or taken ports: the host's own runs are named as such. Without a ledger, as strangers.
  const npuPids = facts.npu.processes.map((p) => p.pid);
  const masterPort = facts.ports.masterPortFree === false ? facts.ports.masterPort : null;
  const hcclPorts = facts.ports.hcclPortsInUse;
  if (npuPids.length === 0 && masterPort === null && hcclPorts.length === 0) return { facts, settings };
  const runs = await runHolders(deps, name, { npuPids, masterPort, hcclPorts }).catch(() => undefined);
  return { facts, settings, runs };
}

const bySeverity = (a: Finding, b: Finding) =>
  ["error", "warning", "info"].indexOf(a.severity) - ["error", "warning", "info"].indexOf(b.severity);

/**
 * Probes each named host (one bounded script each) and compares what it finds with the release's matrix; with
 * several hosts, also every difference that breaks multi-node training. A single unreachable host is an error;
 * among several, it is reported and the others are still checked.
 */
export async function checkEnvironment(args: EnvCheckOptions, deps: WorkDeps): Promise<EnvCheck> {
  // Unknown names are left to the probe below, which reports them as it always has.
  const isCuda = (n: string) => {
    try {
      return deps.hosts.settings(n).accelerator === "cuda";
    } catch {
      return false;
    }
  };
  const hfJobsHost = (args.hosts ?? [args.host ?? "local"]).find((n) => {
    try {
      return deps.hosts.settings(n).accelerator === "hf-jobs";
    } catch {
      return false;
    }
  });
  if (hfJobsHost) {
    if (args.hosts) throw new ToolError(`Check Hugging Face Jobs hosts one at a time: ${hfJobsHost}.`);
    const { facts, findings } = await checkHfJobsHost(hfJobsHost, deps.hosts.settings(hfJobsHost));
    findings.sort(bySeverity);
    const ok = !findings.some((f) => f.severity === "error");
    return { host: hfJobsHost, release: "hf-jobs", model: args.model ?? null, ok, findings, hfJobs: facts };
  }
  const cudaHosts = (args.hosts ?? [args.host ?? "local"]).filter(isCuda);
  if (cudaHosts.length > 0) {
    if (args.hosts) throw new ToolError(`Check CUDA hosts one at a time: ${cudaHosts.join(", ")}.`);
    return checkCudaHost(args.host ?? "local", args, deps);
  }
  let release: ReleaseStack;
  try {
    release = getRelease(args.release);
  } catch (error) {
    throw new ToolError((error as Error).message);
  }
  const names = args.hosts ?? [args.host ?? "local"];
  const model = args.model ? knownModelId(args.model) : null;
  let done = 0;
  deps.progress({ progress: 0, total: names.length, message: `probing ${names.join(", ")}` });
  // The master's port (the first host's, as launch_train orders the nodes), checked on every host.
  const port = await masterPortToCheck(names[0]!, { masterPort: args.masterPort, model, release: release.tag }, deps);
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        const r = await probeHost(name, { ...args, port }, deps);
        return { name, ...r, error: null };
      } catch (error) {
        if (names.length === 1) throw error;
        return { name, facts: null, settings: null, error: (error as Error).message };
      } finally {
        deps.progress({ progress: ++done, total: names.length, message: `probed ${name}` });
      }
    }),
  );

  const findings: Finding[] = [];
  const reached: HostFacts[] = [];
  const unreachable: { host: string; error: string }[] = [];
  for (const r of results) {
    if (!r.facts || !r.settings) {
      unreachable.push({ host: r.name, error: r.error ?? "unknown error" });
      findings.push({
        id: "host-unreachable",
        severity: "error",
        title: `${r.name} could not be probed`,
        evidence: r.error ?? "unknown error",
        expected: "the host answers",
        fix: null,
        host: r.name,
      });
      continue;
    }
    reached.push(r.facts);
    const own = evaluateHost(r.facts, { release, settings: r.settings, model, runs: r.runs });
    findings.push(...(names.length > 1 ? own.map((f) => ({ ...f, host: r.name })) : own));
  }
  findings.push(...compareHosts(reached, release));
  findings.sort(bySeverity);
  const ok = !findings.some((f) => f.severity === "error");

  if (names.length === 1) {
    return { ...reached[0]!, release: release.tag, model, ok, findings };
  }
  return {
    release: release.tag,
    model,
    ok,
    hosts: reached,
    ...(unreachable.length > 0 ? { unreachable } : {}),
    findings,
  };
}

/** check_env on a CUDA host: nvidia-smi, torch with CUDA, bf16, NCCL, the TRL stack and disk, in one probe. */
async function checkCudaHost(name: string, args: EnvCheckOptions, deps: WorkDeps): Promise<EnvCheck> {
  const { settings, executor } = await deps.hosts.get(name);
  const seconds = Math.floor(args.timeoutMs / 1000);
  deps.progress({ progress: 0, total: 1, message: `probing ${name}` });
  const run = await executor.runScript(
    buildCudaProbeScript(settings, {
      smiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
      torchTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    }),
    { timeoutMs: args.timeoutMs, maxOutputBytes: MAX_PROBE_OUTPUT, signal: deps.signal },
  );
  deps.progress({ progress: 1, total: 1, message: `probed ${name}` });
  const cuda = parseCudaProbe(run.stdout);
  const findings = evaluateCudaHost(cuda).sort(bySeverity);
  const trl = NEWEST_TRL.trl;
  return {
    host: name,
    release: `trl ${trl}`,
    model: args.model ?? null,
    ok: !findings.some((f) => f.severity === "error"),
    findings,
    cuda,
  };
}

/** The catalogue id of the model asked about; an unknown name is refused with the nearest ids, as build_configs does. */
function knownModelId(query: string): string {
  try {
    return resolveModel(query).id;
  } catch (error) {
    if (error instanceof PlanError)
      throw new ToolError(`model: ${error.message}`, { field: "model", suggestion: error.suggestion });
    throw error;
  }
}
