// Run ids → where their log lives. The run ledger plugs in here; until it does, run ids cannot be resolved.
import type { HostRegistry } from "../hosts/registry.js";

export interface RunLocation {
  host: string;
  logFile: string;
  /** The training launcher's pid on that host, to tell a stalled run from a dead one. */
  pid?: number;
  processAlive?: boolean;
}

export type RunResolver = (runId: string, ctx: { hosts: HostRegistry }) => Promise<RunLocation | null>;

let resolver: RunResolver | null = null;

/** Installs (or, with null, removes) the function that finds a run's log from its id. */
export function setRunResolver(fn: RunResolver | null): void {
  resolver = fn;
}

export function getRunResolver(): RunResolver | null {
  return resolver;
}
