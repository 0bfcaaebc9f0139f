// Resolves a run id to its host, log files and config. The run ledger installs the lookup; until then runId
// answers with a clear error.
import type { ToolDeps } from "../tools/tool.js";
import { ToolError } from "../tools/tool.js";
import type { RunContext } from "./context.js";

export interface RunRecord {
  host: string;
  logFiles: string[];
  config?: RunContext;
}

export type RunLookup = (runId: string, deps: ToolDeps) => Promise<RunRecord | null>;

let lookup: RunLookup | null = null;

/** Installs (or with null removes) the run-id lookup used by diagnose_error and apply_fix. */
export function setRunLookup(fn: RunLookup | null): void {
  lookup = fn;
}

export async function lookupRun(runId: string, deps: ToolDeps): Promise<RunRecord> {
  if (!lookup) throw new ToolError("run ledger not available: pass logFile (and host) instead of runId.");
  const run = await lookup(runId, deps);
  if (!run) throw new ToolError(`Unknown run "${runId}".`);
  if (run.logFiles.length === 0) throw new ToolError(`Run "${runId}" has no log file recorded.`);
  return run;
}
