// The shapes a launch pre-flight works with: one check (id, host, level, the fix), the per-node context, and the
// result the plan and the start read. Kept apart so the reading, cluster and per-node parts share them without cycles.
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import type { HostRegistry } from "../hosts/registry.js";
import type { HoldingRun } from "./holders.js";
import type { LaunchScriptInfo } from "./launch-script.js";
import type { NodeFacts } from "./probe.js";
import type { RunConfig } from "./run-config.js";

export interface Check {
  id: string;
  host: string;
  ok: boolean;
  level: "error" | "warning" | "info";
  message: string;
  fix: string | null;
}

export interface NodeContext {
  host: string;
  nodeRank: number;
  executor: HostExecutor;
  settings: HostSettings;
  workdir: string;
  facts: NodeFacts | null;
  /** The runs of this host's own ledger that hold the launch's master port or HCCL ports, when any is taken. */
  portOwners?: { master: HoldingRun | null; hccl: ReadonlyMap<number, HoldingRun> };
  /** Live runs of this host's own ledger that write their checkpoints to the launch's save directory. */
  savingHere?: HoldingRun[];
}

export interface PreflightResult {
  checks: Check[];
  ok: boolean;
  script: { path: string; abs: string; text: string; info: LaunchScriptInfo } | null;
  config: RunConfig | null;
  nodes: NodeContext[];
  masterPort: number;
  hcclBasePort: number;
  configHashes: Record<string, string>;
  /** Planned checkpoint bytes (KiB) when they could be estimated. */
  plannedCheckpointKb: number | null;
  /** The inputs build_configs recorded next to the script, for hints that rebuild it. */
  buildInputs?: Record<string, unknown> | null;
}

export interface PreflightOptions {
  hosts: HostRegistry;
  nodes: string[];
  script: string;
  masterPort?: number;
  env: Record<string, string>;
  /** Resuming: the save directory may (must) hold checkpoints. */
  resume: boolean;
  /** Replace the script text read from the host (resume runs check their edited copy). */
  scriptText?: string;
}

/** Records one check; `ok` defaults to "not an error". */
export type Add = (c: Omit<Check, "ok"> & { ok?: boolean }) => void;
