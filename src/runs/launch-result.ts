// What launch_train and resume_run return and how it reads: the pre-flight checks, the plan (exact command, env with
// secrets redacted, the wrapper script), the start and the next step. Both tools finish a prepared launch here.
import { z } from "zod";
import { ToolError } from "../errors.js";
import { isEnvName } from "../hosts/quote.js";
import { redactText } from "../hosts/redact.js";
import { describeUnsafeEnv, unsafeEnvNames } from "../hosts/unsafe-env.js";
import { argsHint, callHint } from "../text/hint.js";
import { redactEnv } from "./ledger.js";
import { describeChecks, executeLaunch, type prepareLaunch } from "./orchestrate.js";
import { type SlurmLaunchPlan, submitSlurmLaunch } from "./slurm-launch.js";

export const CheckOut = z.object({
  id: z
    .string()
    .describe(
      "workdir, script, configs, configs-agree, inputs, weights, save-dir, disk, master-port, hccl-ports, npus, resumable",
    ),
  host: z.string(),
  ok: z.boolean(),
  level: z.enum(["error", "warning", "info"]),
  message: z.string(),
  fix: z.string().nullable(),
});

export const PlanOut = z.object({
  script: z.string(),
  masterAddr: z.string(),
  masterPort: z.number(),
  nodes: z.array(
    z.object({
      host: z.string(),
      nodeRank: z.number(),
      command: z.array(z.string()),
      env: z.record(z.string(), z.string()).describe("secrets redacted"),
      wrapper: z.string(),
      logFile: z.string(),
      ledgerFile: z.string(),
    }),
  ),
  wrapperScript: z.string().describe("what node 0 runs, exactly"),
  notes: z.array(z.string()),
});

/** A launch result's verdict field (optional in the type only: summaries are made of results without it). */
export const LaunchOk = z
  .boolean()
  .optional()
  .describe(
    "false when the launch failed: the pre-flight failed, the run ended right after the start with a non-zero " +
      "status (or none recorded), or a canary ended before its iterations. A run that already finished (exit 0) is ok.",
  );

/**
 * Whether a launch failed: a run that ended at once with a non-zero status (or none recorded) was started but failed,
 * and so did a canary that died before its iterations. A run that already finished (exit 0) did what was asked.
 */
export function launchFailed(r: {
  preflightOk: boolean;
  exitedEarly: readonly { exit: string | null }[];
  canary?: { ended?: string | null } | null;
}): boolean {
  return !r.preflightOk || r.exitedEarly.some((e) => e.exit !== "0") || r.canary?.ended === "exited";
}

/** The result with its verdict, for a JSON or MCP reader as for the exit status. */
export const withVerdict = <R extends Parameters<typeof launchFailed>[0]>(r: R): R & { ok: boolean } => ({
  ...r,
  ok: !launchFailed(r),
});

export const LaunchOut = z.object({
  runId: z.string(),
  started: z.boolean(),
  preflightOk: z.boolean(),
  checks: z.array(CheckOut),
  plan: PlanOut.nullable(),
  pids: z.array(z.object({ host: z.string(), pid: z.number() })),
  exitedEarly: z.array(z.object({ host: z.string(), exit: z.string().nullable() })),
  slurm: z
    .object({ jobId: z.string().nullable(), script: z.string(), logFile: z.string() })
    .nullable()
    .describe("When the run goes through Slurm: its job id (once submitted), batch script and output file."),
  hfJob: z
    .object({
      jobId: z.string().nullable(),
      namespace: z.string(),
      flavor: z.string(),
      timeoutSeconds: z.number(),
      costCeilingUsd: z.number().nullable(),
      url: z.string().nullable(),
    })
    .optional()
    .describe("When the run is a Hugging Face job: its id (once created), namespace, flavor, timeout and most cost."),
  next: z.string(),
});

export const envInput = z
  .record(z.string(), z.string())
  .default({})
  .refine((e) => Object.keys(e).every(isEnvName), "env names must be shell variable names")
  .superRefine((e, ctx) => {
    const bad = unsafeEnvNames(e);
    if (bad.length > 0) ctx.addIssue({ code: "custom", message: describeUnsafeEnv(bad, "env") });
  })
  .describe("Extra environment variables for the run (e.g. ASCEND_RT_VISIBLE_DEVICES, HCCL_IF_BASE_PORT).");

type Prepared = Awaited<ReturnType<typeof prepareLaunch>>;

export async function finishLaunch(
  prepared: Prepared,
  confirm: boolean,
  settleSeconds: number,
  deps: { now: () => Date; progress: (u: { progress: number; total?: number; message?: string }) => void },
  meta: {
    resumedFrom?: string;
    resumeIteration?: number | null;
    scriptPath?: string;
    extraChecks?: z.output<typeof CheckOut>[];
    beforeStart?: () => Promise<void>;
    /** Submit to Slurm with this batch script instead of starting the nodes directly. */
    slurm?: SlurmLaunchPlan;
    /** The arguments that start this plan, beyond the ones given (default: confirm); they carry the planned run id. */
    confirmArgs?: Record<string, unknown>;
  },
): Promise<z.output<typeof LaunchOut>> {
  const { pre, plan, runId } = prepared;
  const checks = [...pre.checks, ...(meta.extraChecks ?? [])];
  const preflightOk = checks.every((c) => c.ok);
  const planOut = plan
    ? {
        script: meta.scriptPath ?? pre.script!.abs,
        masterAddr: plan.masterAddr,
        masterPort: plan.masterPort,
        nodes: plan.nodes.map((n) => ({
          host: n.host,
          nodeRank: n.nodeRank,
          command: n.command,
          env: redactEnv(n.env),
          wrapper: n.wrapper,
          logFile: n.logFile,
          ledgerFile: n.ledgerFile,
        })),
        wrapperScript: redactText(plan.nodes[0]!.wrapperText),
        notes: plan.notes,
      }
    : null;
  const slurm = meta.slurm;
  if (planOut && slurm) {
    // What runs is the batch script: it, its submission and its output file are the plan.
    planOut.masterAddr = "(the first node Slurm allocates)";
    planOut.nodes = planOut.nodes.slice(0, 1).map((n) => ({
      ...n,
      command: ["sbatch", "--parsable", slurm.scriptPath],
      wrapper: slurm.scriptPath,
      logFile: slurm.spec.logFile,
    }));
    planOut.wrapperScript = redactText(slurm.scriptText);
  }
  const base = {
    runId,
    preflightOk,
    checks,
    plan: planOut,
    pids: [],
    exitedEarly: [],
    slurm: slurm ? { jobId: null, script: slurm.scriptPath, logFile: slurm.spec.logFile } : null,
  };
  if (!preflightOk) {
    return { ...base, started: false, next: "Fix the failed checks (each names its fix), then call again." };
  }
  if (!confirm) {
    return {
      ...base,
      started: false,
      next: startNext(runId, meta.confirmArgs),
    };
  }
  deps.progress({ progress: 1, total: 2, message: `starting ${runId}` });
  if (slurm) {
    let jobId: string;
    try {
      ({ jobId } = await submitSlurmLaunch(prepared, slurm, {
        now: deps.now(),
        resumedFrom: meta.resumedFrom,
        resumeIteration: meta.resumeIteration,
        beforeStart: meta.beforeStart,
      }));
    } catch (error) {
      throw new ToolError(`Could not submit ${runId} to Slurm: ${(error as Error).message}`);
    }
    deps.progress({ progress: 2, total: 2, message: `submitted ${runId} as Slurm job ${jobId}` });
    return {
      ...base,
      started: true,
      slurm: { jobId, script: slurm.scriptPath, logFile: slurm.spec.logFile },
      next: `Submitted as Slurm job ${jobId}. ${callHint("list_runs")} shows it queued or running; follow it with ${callHint("tail_logs", { runId, followSeconds: 60 })}.`,
    };
  }
  let started: Awaited<ReturnType<typeof executeLaunch>>;
  try {
    started = await executeLaunch(prepared, {
      now: deps.now(),
      settleMs: settleSeconds * 1000,
      resumedFrom: meta.resumedFrom,
      resumeIteration: meta.resumeIteration,
      scriptPath: meta.scriptPath,
      beforeStart: meta.beforeStart,
    });
  } catch (error) {
    throw new ToolError(`Could not start ${runId}: ${(error as Error).message}`);
  }
  deps.progress({ progress: 2, total: 2, message: `started ${runId}` });
  const early = started.exitedEarly;
  return {
    ...base,
    started: true,
    pids: started.record.nodes.map((n) => ({ host: n.host, pid: n.pid })),
    exitedEarly: early,
    next:
      early.length && early.every((e) => e.exit === "0")
        ? `The run already finished (exit 0) on ${early.map((e) => e.host).join(", ")}: its loss and last checkpoint: ${callHint("tail_logs", { runId })}.`
        : early.length
          ? `The run exited right after the start on ${early.map((e) => e.host).join(", ")}: call ${callHint("tail_logs", { runId })} to see why, then ${callHint("diagnose_error", { runId })}.`
          : `Follow it with ${callHint("tail_logs", { runId, followSeconds: 60 })}; ${callHint("list_runs")} shows all runs.`,
  };
}

/** What a plan that passed says next: the call that starts it under the run id the plan shows. */
export function startNext(runId: string, confirmArgs: Record<string, unknown> = { confirm: true }): string {
  const again = argsHint(confirmArgs);
  return "runId" in confirmArgs || "newRunId" in confirmArgs
    ? `Pre-flight passed. Call again with ${again} to start it as ${runId}.`
    : `Pre-flight passed. Call again with ${again} to start (it gets a new run id then).`;
}

export function summarizeLaunch(r: z.output<typeof LaunchOut>): string {
  const lines: string[] = [];
  if (r.started && r.hfJob)
    lines.push(`Started ${r.runId} as Hugging Face job ${r.hfJob.jobId} on ${r.hfJob.flavor} (${r.hfJob.url}).`);
  else if (r.started && r.slurm)
    lines.push(`Submitted ${r.runId} to Slurm as job ${r.slurm.jobId} (output ${r.slurm.logFile}).`);
  else if (r.started) lines.push(`Started ${r.runId} on ${r.pids.map((p) => `${p.host} (pid ${p.pid})`).join(", ")}.`);
  else if (r.preflightOk) lines.push(`Plan only, nothing started (planned run id ${r.runId}).`);
  else lines.push("Not started: the pre-flight failed.");
  lines.push(...describeChecks(r.checks));
  if (!r.started && r.plan && r.hfJob) {
    const cost = r.hfJob.costCeilingUsd === null ? "" : `: at most $${r.hfJob.costCeilingUsd.toFixed(2)}`;
    lines.push(
      `Hugging Face job in ${r.hfJob.namespace} on ${r.hfJob.flavor}, stopped after ${r.hfJob.timeoutSeconds} s${cost}; its log is copied to ${r.plan.nodes[0]!.logFile}.`,
    );
  } else if (!r.started && r.plan) {
    lines.push(
      `Command on ${r.plan.nodes[0]!.host}: ${r.plan.nodes[0]!.command.join(" ")} > ${r.plan.nodes[0]!.logFile}`,
    );
  }
  lines.push(r.next);
  return lines.join("\n");
}
