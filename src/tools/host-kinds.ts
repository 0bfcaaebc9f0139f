// Which kinds of host (an inventory entry's `accelerator`) each tool can act on, declared once per tool here, and the
// check every door runs before a tool's handler (invokeTool). A Hugging Face Jobs host is a namespace on the Hub with
// a workdir on this machine, not a machine: a tool that runs commands on "the host" would run them here instead, so
// it is refused before it starts, with the tools that do work with such a host. Tools that run MindSpeed-MM's own
// programs (mm-convert, its launch scripts under a scheduler) are refused on CUDA hosts the same way.
// The host comes from the call's `host` / `hosts`, or, for a call that names a run only, from the run's ledger record.
import type { HostSettings } from "../hosts/inventory.js";
import type { HostRegistry } from "../hosts/registry.js";
import { findRun } from "../runs/ledger.js";
import { callHint } from "../text/hint.js";
import { ToolError } from "./tool.js";

export type HostKind = HostSettings["accelerator"];

const ANY: readonly HostKind[] = ["ascend", "cuda", "hf-jobs"];
/** Tools that run commands on the host: a machine, reached locally or over ssh. */
const MACHINE: readonly HostKind[] = ["ascend", "cuda"];
/** Tools that run MindSpeed-MM's programs. */
const ASCEND: readonly HostKind[] = ["ascend"];

/** The kinds of host a tool acts on, or, where an argument decides, which for a call's arguments. */
export type HostKindDeclaration = readonly HostKind[] | ((args: Record<string, unknown>) => readonly HostKind[]);

/**
 * Every tool's host kinds. A tool missing here counts as running commands on a machine (and
 * test/unit/tool-host-kinds.test.ts fails), so a new tool has to say which hosts it works with.
 */
export const TOOL_HOST_KINDS: Readonly<Record<string, HostKindDeclaration>> = {
  // Read only what the server holds, or the inventory.
  list_hosts: ANY,
  audit_log: ANY,
  find_model: ANY,
  // Know a Hugging Face Jobs host: its token and namespace, a TRL script for it, its jobs and their logs.
  check_env: ANY,
  build_configs: (args) => (args.trainer === "trl" ? ANY : MACHINE),
  launch_train: ANY,
  list_runs: ANY,
  tail_logs: ANY,
  stop_run: ANY,
  diagnose_error: ANY,
  // Run commands on the host.
  install_stack: MACHINE,
  prepare_dataset: MACHINE,
  validate_dataset: MACHINE,
  estimate_memory: MACHINE,
  resume_run: MACHINE,
  apply_fix: MACHINE,
  plan_finetune: MACHINE,
  run_inference: MACHINE,
  evaluate_model: MACHINE,
  // A GGUF export of a Hugging Face job's run is itself a job; the MindSpeed-MM conversion runs on the host.
  export_model: (args) => (args.format === "gguf" ? ANY : MACHINE),
  // Run mm-convert, or MindSpeed-MM launch scripts under Slurm / MindCluster.
  convert_weights: ASCEND,
  export_scheduler_job: ASCEND,
};

/** The host kinds a call of `tool` with these arguments can act on. Undeclared: a machine (the test requires one). */
export function hostKindsOf(tool: string, args: Record<string, unknown>): readonly HostKind[] {
  const declared = TOOL_HOST_KINDS[tool] ?? MACHINE;
  return typeof declared === "function" ? declared(args) : declared;
}

/** The tools a host of this kind works with, as hints in the door's words. */
function toolsFor(kind: HostKind): string {
  const trl = callHint("build_configs", { trainer: "trl" });
  const tools =
    kind === "hf-jobs"
      ? [
          callHint("check_env"),
          trl,
          ...["launch_train", "list_runs", "tail_logs", "stop_run", "diagnose_error"].map((t) => callHint(t)),
        ]
      : [
          callHint("check_env"),
          callHint("install_stack"),
          trl,
          ...["launch_train", "tail_logs", "stop_run", "resume_run", "diagnose_error"].map((t) => callHint(t)),
        ];
  return tools.join(", ");
}

/** Why `tool` may not act on `host`, in the words every door shows. */
export function hostKindRefusal(tool: string, host: string, kind: HostKind): string {
  if (kind === "hf-jobs")
    return `${tool} runs commands on a machine; host ${host} is a Hugging Face Jobs namespace. Use ${toolsFor(kind)} with it.`;
  if (kind === "cuda")
    return `${tool} runs MindSpeed-MM programs on Ascend NPUs; host ${host} is a CUDA host (TRL). Use ${toolsFor(kind)} with it.`;
  return `${tool} does not act on ${kind} hosts such as ${host}.`;
}

const kindOf = (hosts: HostRegistry, name: string): HostKind | null => {
  try {
    return hosts.settings(name).accelerator;
  } catch {
    return null; // an unknown host: the tool itself says so, with the known ones
  }
};

/** The hosts a call names: `host` and `hosts`, after defaults. */
function namedHosts(args: Record<string, unknown>): string[] {
  const names: string[] = [];
  if (typeof args.host === "string") names.push(args.host);
  if (Array.isArray(args.hosts)) for (const h of args.hosts) if (typeof h === "string") names.push(h);
  return names;
}

/**
 * Refuses a call whose hosts the tool cannot act on, before anything runs: the hosts it names, else the hosts of the
 * run it names (looked up only when the inventory holds a host of a kind the tool does not take).
 */
export async function refuseUnsupportedHosts(
  tool: string,
  args: Record<string, unknown>,
  hosts: HostRegistry,
): Promise<void> {
  const kinds = hostKindsOf(tool, args);
  if (ANY.every((k) => kinds.includes(k))) return;
  const refuse = (names: readonly string[]) => {
    for (const name of names) {
      const kind = kindOf(hosts, name);
      if (kind && !kinds.includes(kind)) throw new ToolError(hostKindRefusal(tool, name, kind));
    }
  };
  refuse(namedHosts(args));
  if (typeof args.runId !== "string") return;
  const inventory = hosts.names();
  if (!inventory.some((n) => !kinds.includes(kindOf(hosts, n) ?? "ascend"))) return;
  const { found } = await findRun(hosts, args.runId);
  if (found) refuse(found.record.hosts);
}
