// launch_train and resume_run share this: pre-flight, the plan people see before confirming, and the start.
import type { HostRegistry } from "../hosts/registry.js";
import { type LaunchPlan, planLaunch, type StartedRun, startRun } from "./launch.js";
import { newRunId } from "./ledger.js";
import { stopGroup } from "./liveness.js";
import type { NodeContext } from "./preflight.js";
import { type Check, type PreflightResult, runPreflight } from "./preflight.js";

export interface LaunchRequest {
  hosts: HostRegistry;
  nodes: string[];
  script: string;
  env: Record<string, string>;
  masterPort?: number;
  masterAddr?: string;
  socketIfname?: string;
  resume: boolean;
  now: Date;
  runId?: string;
  /** The script's text as it is to run, when the caller edited it (resume_run: saving back where the run saved). */
  scriptText?: string;
}

export interface PreparedLaunch {
  runId: string;
  pre: PreflightResult;
  plan: LaunchPlan | null;
}

export async function prepareLaunch(
  req: LaunchRequest,
  scriptPath?: (n: NodeContext) => string,
): Promise<PreparedLaunch> {
  const runId = req.runId ?? newRunId(req.now);
  const pre = await runPreflight({
    hosts: req.hosts,
    nodes: req.nodes,
    script: req.script,
    masterPort: req.masterPort,
    env: req.env,
    resume: req.resume,
    ...(req.scriptText !== undefined ? { scriptText: req.scriptText } : {}),
  });
  const plan = pre.script
    ? await planLaunch(pre, {
        runId,
        env: req.env,
        masterAddr: req.masterAddr,
        socketIfname: req.socketIfname,
        scriptPath,
      })
    : null;
  return { runId, pre, plan };
}

export async function executeLaunch(
  prepared: PreparedLaunch,
  meta: {
    now: Date;
    settleMs: number;
    resumedFrom?: string;
    resumeIteration?: number | null;
    scriptPath?: string;
    beforeStart?: () => Promise<void>;
  },
): Promise<StartedRun> {
  if (!prepared.plan) throw new Error("Nothing to start: the pre-flight found no launch script.");
  await meta.beforeStart?.();
  return startRun(prepared.pre, prepared.plan, {
    ...meta,
    stopGroup: (n, pid) => stopGroup(n.executor, pid, null, 5),
  });
}

export interface CheckView {
  id: string;
  host: string;
  ok: boolean;
  level: "error" | "warning" | "info";
  message: string;
  fix: string | null;
}

export const checkView = (c: Check): CheckView => ({ ...c });

export function describeChecks(checks: readonly Check[]): string[] {
  return checks
    .filter((c) => c.level !== "info")
    .map((c) => `${c.level === "error" ? "✗" : "!"} [${c.host}] ${c.message}${c.fix ? ` Fix: ${c.fix}` : ""}`);
}
