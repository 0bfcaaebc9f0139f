// Run ids → where their log lives. The run ledger (src/runs/services.ts) answers this; the log tools receive it.
import type { HostRegistry } from "../hosts/registry.js";

export interface RunLocation {
  host: string;
  logFile: string;
  /** The training launcher's pid on that host, to tell a stalled run from a dead one. */
  pid?: number;
  processAlive?: boolean;
  /** Set while a scheduler still holds the run back (e.g. "queued in Slurm: PENDING (Resources)"): no log yet. */
  waiting?: string;
  /** Set when the run was stopped on purpose (stop_run): how and when, e.g. "stopped with SIGTERM at …". */
  stopped?: string;
}

export type RunResolver = (runId: string, ctx: { hosts: HostRegistry }) => Promise<RunLocation | null>;
