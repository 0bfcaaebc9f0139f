// The run ledger as a service for the log tools: tail_logs finds a run's log and whether it still runs,
// diagnose_error and apply_fix find every node's log and the run's layout. Passed to them in their deps (a test
// can give its own); nothing is installed globally.
import type { RunLookup } from "../diagnosis/runs.js";
import type { HostRegistry } from "../hosts/registry.js";
import type { RunResolver } from "../logs/resolver.js";
import { hfJobOf } from "./hf-jobs-run.js";
import { findRun } from "./ledger.js";
import { slurmLiveState } from "./slurm.js";
import { livenessByRun, runStatus, slurmJobOf } from "./status.js";
import type { LiveState, RunRecord } from "./types.js";

/**
 * A run handed to Slurm: its log is the job's output on the host that submitted it. A Hugging Face job: its log is
 * copied into the run's log file on this machine each time the job is looked up (hfJobOf).
 */
const slurmLog = (record: RunRecord) =>
  record.nodes.length === 0
    ? (record.scheduler.find((j) => (j.kind === "slurm" || j.kind === "hf-jobs") && j.logFile)?.logFile ?? null)
    : null;

export interface RunServices {
  /** The master node's log of a run, and whether its process is alive. */
  locateLog: RunResolver;
  /** Every log of a run (each node's, on its host), and what the fixes need to know about it. */
  lookup: RunLookup;
  /** Where a run stands as list_runs shows it (finished, failed, running…) and why; null for an unknown run. */
  stateOf?: RunStateLookup;
}

export type RunStateLookup = (
  runId: string,
  ctx: { hosts: HostRegistry; now: () => Date },
) => Promise<{ state: LiveState; reason: string } | null>;

const locateLog: RunResolver = async (runId, { hosts }) => {
  const { found } = await findRun(hosts, runId);
  if (!found) return null;
  const viaSlurm = slurmLog(found.record);
  if (viaSlurm) {
    const job = found.record.state === "stopped" ? null : await slurmJobOf(hosts, found.record);
    const hf = job ? null : await hfJobOf(hosts, found.record);
    const mapped = job ? slurmLiveState(job) : found.record.state === "stopped" ? null : (hf?.mapped ?? null);
    return {
      host: found.record.hosts[0]!,
      logFile: viaSlurm,
      // Queued: nothing has run yet, so nothing has exited either.
      processAlive:
        mapped === null || mapped.state === "queued"
          ? found.record.state === "stopped"
            ? false
            : undefined
          : mapped.state === "running",
      ...(mapped?.state === "queued" ? { waiting: job ? `queued in Slurm (${mapped.reason})` : mapped.reason } : {}),
    };
  }
  const master = found.record.nodes.find((n) => n.nodeRank === 0);
  if (!master) return null;
  if (found.record.state === "stopped") {
    const how = `stopped with ${found.record.stopSignal ?? "a signal"} at ${found.record.stoppedAt ?? "an unknown time"}`;
    return { host: master.host, logFile: master.logFile, pid: master.pid, processAlive: false, stopped: how };
  }
  const live = (await livenessByRun(hosts, [found.record])).get(runId)?.find((n) => n.nodeRank === 0);
  const alive = live && live.alive !== null ? live.alive || (live.groupMembers ?? 0) > 0 : undefined;
  return { host: master.host, logFile: master.logFile, pid: master.pid, processAlive: alive };
};

// Every node's log, each on its host (the primary error may be on any rank of any node), and the run's layout.
const lookup: RunLookup = async (runId, { hosts }) => {
  const { found } = await findRun(hosts, runId);
  if (!found) return null;
  const viaSlurm = slurmLog(found.record);
  if (viaSlurm) {
    const job = await slurmJobOf(hosts, found.record);
    const hf = job ? null : await hfJobOf(hosts, found.record);
    const mapped = job ? slurmLiveState(job) : (hf?.mapped ?? null);
    const cancelled = mapped?.state === "stopped";
    return {
      host: found.record.hosts[0]!,
      logFiles: [viaSlurm],
      config: {
        scriptPath: found.record.script,
        tp: found.record.parallel.tp,
        pp: found.record.parallel.pp,
        masterPort: found.record.masterPort,
      },
      ...(found.record.state === "stopped" && found.record.stoppedAt
        ? { stopped: { at: found.record.stoppedAt, signal: found.record.stopSignal } }
        : cancelled
          ? job
            ? { stopped: { at: "its cancellation in Slurm", signal: `scancel (Slurm job ${job.jobId})` } }
            : { stopped: { at: "its cancellation", signal: `cancel (Hugging Face job ${hf?.job?.id})` } }
          : {}),
      ...(mapped ? { scheduler: { failed: mapped.state === "failed", reason: mapped.reason } } : {}),
    };
  }
  const master = found.record.nodes.find((n) => n.nodeRank === 0) ?? found.record.nodes[0]!;
  const modelJson = Object.keys(found.record.configHashes).find((p) => /model[^/]*\.json$/.test(p));
  return {
    host: master.host,
    logFiles: found.record.nodes.filter((n) => n.host === master.host).map((n) => n.logFile),
    nodes: found.record.nodes.map((n) => ({ host: n.host, nodeRank: n.nodeRank, logFile: n.logFile })),
    config: {
      scriptPath: found.record.script,
      modelJsonPath: modelJson,
      tp: found.record.parallel.tp,
      pp: found.record.parallel.pp,
      masterPort: found.record.masterPort,
    },
    ...(found.record.state === "stopped" && found.record.stoppedAt
      ? { stopped: { at: found.record.stoppedAt, signal: found.record.stopSignal } }
      : {}),
  };
};

const stateOf: RunStateLookup = async (runId, { hosts, now }) => {
  const { found } = await findRun(hosts, runId);
  if (!found) return null;
  const live = found.record.state === "stopped" ? undefined : (await livenessByRun(hosts, [found.record])).get(runId);
  const { state, reason } = await runStatus(hosts, found.record, live, now);
  return { state, reason };
};

/** The ledger kept on the hosts themselves. */
export const ledgerRunServices: RunServices = { locateLog, lookup, stateOf };

/** The services a tool uses: the ones it was given, else the ledger. */
export const runServicesOf = (deps: { runs?: RunServices }): RunServices => deps.runs ?? ledgerRunServices;
