// Resolves a run id to its host, log files and config through the lookup the caller passes (the run ledger), with
// a clear error for an unknown run or one without logs.
import { ToolError } from "../errors.js";
import type { HostRegistry } from "../hosts/registry.js";
import { noSuchRun } from "../runs/ledger.js";
import type { RunContext } from "./context.js";

export interface RunRecord {
  host: string;
  logFiles: string[];
  /** Every node of a multi-node run with the host that holds its log: all are read, each on its own host. */
  nodes?: { host: string; nodeRank: number; logFile: string }[];
  config?: RunContext;
  /** Set when the run was stopped on purpose (stop_run): when, and with which signal. */
  stopped?: { at: string; signal: string | null };
  /** What the scheduler says about the run's job when it went through one (Slurm's state, reason and exit code). */
  scheduler?: { failed: boolean; reason: string };
}

export type RunLookup = (runId: string, ctx: { hosts: HostRegistry }) => Promise<RunRecord | null>;

export async function lookupRun(runId: string, hosts: HostRegistry, lookup: RunLookup): Promise<RunRecord> {
  const run = await lookup(runId, { hosts });
  if (!run) throw new ToolError(noSuchRun(runId));
  if (run.logFiles.length === 0) throw new ToolError(`Run "${runId}" has no log file recorded.`);
  return run;
}
