// What work on hosts needs from whoever asked for it: the hosts, a clock, a way to report progress and log lines,
// and a cancel signal. Tools get these as part of their deps; the domain modules take only this, so they never
// depend on the tool layer above them.
import type { HostRegistry } from "./registry.js";

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
  /** What progress and total count, when bytes (shown as KiB, MiB …). */
  unit?: "bytes";
}

export interface WorkDeps {
  /** The only way work touches a machine. */
  hosts: HostRegistry;
  now: () => Date;
  signal?: AbortSignal;
  /** Progress for long work (MCP progress notifications, a CLI progress line). */
  progress: (update: ProgressUpdate) => void;
  /** Log lines for the client (MCP logging), never stdout. */
  log: (level: "debug" | "info" | "warning" | "error", message: string) => void;
  /** Set on a --read-only server: incidental writes are skipped too. */
  readOnly?: boolean;
}
