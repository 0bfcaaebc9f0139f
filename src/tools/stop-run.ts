// stop_run: SIGTERM to the run's process group on every node, SIGKILL after a grace period; the ledger records it.
import { posix } from "node:path";
import { z } from "zod";
import type { HostRegistry } from "../hosts/registry.js";
import { cancelHfJobRun, hfJobOf, isHfJobActive, isHfJobRun } from "../runs/hf-jobs-run.js";
import { findRun, ledgerDir, writeRecord } from "../runs/ledger.js";
import { isSignallablePid, stopGroup } from "../runs/liveness.js";
import { cancelSlurmJob, isSlurmActive, SLURM_JOB_ID } from "../runs/slurm.js";
import { livenessByRun, slurmJobOf } from "../runs/status.js";
import { RunIdSchema, type RunRecord } from "../runs/types.js";
import { argsHint, callHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const NodeOut = z.object({
  host: z.string(),
  nodeRank: z.number(),
  pid: z.number(),
  outcome: z.enum(["terminated", "killed", "gone", "reused", "refused", "failed", "planned"]),
  detail: z.string(),
});

/**
 * The iteration of the latest checkpoint this run saved, or null: none in its save directory, or the one there was
 * written before the run started (another run of the same configs).
 */
export async function savedCheckpoint(hosts: HostRegistry, record: RunRecord): Promise<string | null> {
  if (!record.saveDir) return null;
  try {
    const { executor } = await hosts.get(record.hosts[0]!);
    const tracker = posix.join(record.saveDir, "latest_checkpointed_iteration.txt");
    const r = await executor.run(
      ["sh", "-c", '[ -f "$1" ] || exit 3; stat -c %Y "$1"; head -c 64 "$1"', "sh", tracker],
      { timeoutMs: 15_000, maxOutputBytes: 4096 },
    );
    if (r.exitCode !== 0) return null;
    const [mtime, iteration] = r.stdout.split("\n").map((x) => x.trim());
    if (!iteration) return null;
    const started = Date.parse(record.createdAt) / 1000;
    return Number(mtime) >= started - 5 ? iteration : null;
  } catch {
    return null;
  }
}

/** What follows a stop: resume from the checkpoint the run saved, or, without one, a new launch of the same script. */
async function afterStop(hosts: HostRegistry, record: RunRecord): Promise<string> {
  const iteration = await savedCheckpoint(hosts, record);
  if (iteration !== null)
    return `Stopped. ${callHint("resume_run", { runId: record.id })} continues from its latest checkpoint (iteration ${iteration}).`;
  const where = record.hosts.length > 1 ? { hosts: record.hosts } : { host: record.hosts[0] };
  return (
    `Stopped. It saved no checkpoint${record.saveDir ? ` in ${record.saveDir}` : ""}, so there is nothing to resume: ` +
    `start it again with ${callHint("launch_train", { ...where, script: record.script })}.`
  );
}

export default defineTool({
  name: "stop_run",
  title: "Stop a training run",
  description:
    "Stop a run started by launch_train: SIGTERM to its whole process group (launcher, torchrun, workers) on every " +
    "node, then SIGKILL after graceSeconds; a run Slurm runs is cancelled with scancel, a Hugging Face job through the " +
    "Jobs API. The run's ledger records " +
    "the stop. Without confirm: says what would be " +
    "stopped. Checkpoints already saved stay; resume_run continues from the latest one.",
  toolset: "train",
  kind: "destructive",
  input: z.object({
    runId: RunIdSchema.describe("The run id from launch_train or list_runs."),
    host: z.string().min(1).optional().describe("A host of the run, to look it up faster (default: all hosts)."),
    graceSeconds: z.number().min(0).max(600).default(30).describe("Wait this long after SIGTERM before SIGKILL."),
    confirm: z.boolean().default(false).describe("Actually stop it."),
  }),
  output: z.object({
    runId: z.string(),
    stopped: z.boolean(),
    wasRunning: z.boolean(),
    nodes: z.array(NodeOut),
    next: z.string(),
  }),
  async handle(args, deps) {
    const { found, unreachable } = await findRun(deps.hosts, args.runId, args.host ? [args.host] : undefined);
    if (!found) {
      const also = unreachable.length ? ` (unreachable: ${unreachable.map((u) => u.host).join(", ")})` : "";
      throw new ToolError(`No run "${args.runId}" in the ledgers${also}. list_runs shows the known runs.`);
    }
    const record = found.record;
    const live = (await livenessByRun(deps.hosts, [{ ...record, state: "launched" }])).get(record.id) ?? [];
    const job = await slurmJobOf(deps.hosts, record);
    const hf = job ? null : await hfJobOf(deps.hosts, record, { syncLog: false });
    const wasRunning =
      live.some((n) => n.alive || (n.groupMembers ?? 0) > 0) ||
      (job !== null && isSlurmActive(job)) ||
      (hf?.job != null && isHfJobActive(hf.job));
    const slurmPlan = record.scheduler
      .filter((j) => j.kind === "slurm" && j.jobId && SLURM_JOB_ID.test(j.jobId))
      .map((j) => ({
        host: record.hosts[0]!,
        nodeRank: 0,
        pid: 0,
        outcome: "planned" as const,
        detail: `scancel ${j.jobId}${job?.jobId === j.jobId ? ` (Slurm: ${job.state})` : ""}`,
      }));
    if (hf)
      slurmPlan.push({
        host: record.hosts[0]!,
        nodeRank: 0,
        pid: 0,
        outcome: "planned" as const,
        detail: hf.job
          ? `cancel Hugging Face job ${hf.job.id} (${hf.job.status.stage})`
          : `cancel the Hugging Face job (cannot read it now: ${hf.error})`,
      });
    if (!args.confirm) {
      return {
        runId: record.id,
        stopped: false,
        wasRunning,
        nodes: [
          ...slurmPlan,
          ...record.nodes.map((n) =>
            isSignallablePid(n.pid)
              ? {
                  host: n.host,
                  nodeRank: n.nodeRank,
                  pid: n.pid,
                  outcome: "planned" as const,
                  detail:
                    `kill -TERM -- -${n.pid}, then -KILL after ${args.graceSeconds} s, only if pid ${n.pid} is still ` +
                    `bash ${n.wrapper}${n.startTicks === null ? "" : ` started at tick ${n.startTicks}`}`,
                }
              : {
                  host: n.host,
                  nodeRank: n.nodeRank,
                  pid: n.pid,
                  outcome: "refused" as const,
                  detail: `pid ${n.pid} is not a run's process group; it will not be signalled`,
                },
          ),
        ],
        next: wasRunning
          ? `Call again with ${argsHint({ confirm: true })} to stop it.`
          : "Nothing runs any more; stopping would only mark it stopped.",
      };
    }
    deps.progress({ progress: 0, total: record.nodes.length, message: `stopping ${record.id}` });
    const nodes = await Promise.all(
      record.nodes.map(async (n) => {
        try {
          const { executor } = await deps.hosts.get(n.host);
          const r = await stopGroup(executor, n.pid, n.startTicks, args.graceSeconds, {
            wrapper: n.wrapper,
            runId: record.id,
          });
          return { host: n.host, nodeRank: n.nodeRank, pid: n.pid, ...r };
        } catch (error) {
          return {
            host: n.host,
            nodeRank: n.nodeRank,
            pid: n.pid,
            outcome: "failed" as const,
            detail: (error as Error).message,
          };
        }
      }),
    );
    // Jobs handed to Slurm are cancelled there.
    for (const j of record.scheduler) {
      // A job id is a number; anything else in a record is not passed to scancel.
      if (j.kind !== "slurm" || !j.jobId || !SLURM_JOB_ID.test(j.jobId)) continue;
      const { executor } = await deps.hosts.get(record.hosts[0]!);
      const r = await cancelSlurmJob(executor, j.jobId, args.graceSeconds);
      nodes.push({
        host: record.hosts[0]!,
        nodeRank: 0,
        pid: 0,
        outcome: !r.ok ? "failed" : r.job && isSlurmActive(r.job) ? "killed" : "terminated",
        detail: r.detail,
      });
    }
    // A Hugging Face job is cancelled through the Jobs API.
    if (isHfJobRun(record)) {
      const r = await cancelHfJobRun(deps.hosts, record);
      nodes.push({
        host: record.hosts[0]!,
        nodeRank: 0,
        pid: 0,
        outcome: r.ok ? "terminated" : "failed",
        detail: r.detail,
      });
    }
    const killed = nodes.some((n) => n.outcome === "killed");
    const updated = {
      ...record,
      state: "stopped" as const,
      stoppedAt: deps.now().toISOString(),
      stopSignal: killed ? "SIGKILL" : "SIGTERM",
    };
    const failed = nodes.filter((n) => n.outcome === "failed" || n.outcome === "refused");
    // Every host that keeps the record: the nodes, and the login host of a run Slurm ran.
    const keepers = new Map<string, { host: string; nodeRank: number; pid: number }>();
    for (const [i, h] of record.hosts.entries()) keepers.set(h, { host: h, nodeRank: i, pid: 0 });
    for (const n of record.nodes) keepers.set(n.host, n);
    await Promise.all(
      [...keepers.values()].map(async (n) => {
        try {
          // The record goes back to the ledger directory it belongs in, never to a path the record itself names.
          const { executor, settings } = await deps.hosts.get(n.host);
          await writeRecord(executor, posix.join(await ledgerDir(executor, settings), `${record.id}.json`), updated);
        } catch (error) {
          failed.push({
            host: n.host,
            nodeRank: n.nodeRank,
            pid: n.pid,
            outcome: "failed",
            detail: `ledger: ${(error as Error).message}`,
          });
        }
      }),
    );
    return {
      runId: record.id,
      stopped: failed.length === 0,
      wasRunning,
      nodes,
      next: failed.length
        ? `Could not stop it everywhere: ${failed.map((f) => `${f.host}: ${f.detail}`).join("; ")}.`
        : await afterStop(deps.hosts, record),
    };
  },
  failed: (r) => r.nodes.some((n) => n.outcome === "failed"),
  summarize: (r) =>
    [
      `${r.runId}: ${r.stopped ? "stopped" : r.nodes.every((n) => n.outcome === "planned") ? "would stop" : "not fully stopped"}${r.wasRunning ? "" : " (was not running)"}`,
      ...r.nodes.map(
        (n) => `  node ${n.nodeRank} ${n.host} pid ${n.pid}: ${n.outcome}${n.detail ? ` ${n.detail}` : ""}`,
      ),
      r.next,
    ].join("\n"),
});
