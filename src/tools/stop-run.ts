// stop_run: SIGTERM to the run's process group on every node, SIGKILL after a grace period; the ledger records it.
import { posix } from "node:path";
import { z } from "zod";
import { rebuildHint } from "../configs/build-inputs.js";
import type { HostRegistry } from "../hosts/registry.js";
import { divergenceOf } from "../runs/divergence.js";
import { cancelHfJobRun, hfJobOf, isHfJobActive, isHfJobRun } from "../runs/hf-jobs-run.js";
import { ledgerDir, requireRun, writeRecord } from "../runs/ledger.js";
import { isSignallablePid, stopGroup } from "../runs/liveness.js";
import { rebuildInputs } from "../runs/rebuild-inputs.js";
import { savesWithoutOptimizer } from "../runs/saved-state.js";
import { cancelSlurmJob, isSlurmActive, SLURM_JOB_ID } from "../runs/slurm.js";
import { livenessByRun, runStatus, slurmJobOf } from "../runs/status.js";
import { LIVE_STATES, RunIdSchema, type RunRecord } from "../runs/types.js";
import { argsHint, callHint } from "../text/hint.js";
import { defineTool } from "./tool.js";

const NodeOut = z.object({
  host: z.string(),
  nodeRank: z.number(),
  pid: z.number(),
  outcome: z.enum(["terminated", "killed", "gone", "reused", "refused", "failed", "planned"]),
  detail: z.string(),
});

/** The checkpoints a run's save directory holds, in either layout. */
export interface SavedCheckpoints {
  /** Megatron (iter_XXXXXXX folders, latest_checkpointed_iteration.txt) or Transformers/TRL (checkpoint-N folders). */
  layout: "megatron" | "transformers";
  /** The latest complete checkpoint this run wrote, or null. */
  latest: number | null;
  /** Every checkpoint folder this run wrote, by iteration, ascending. */
  iterations: number[];
  /** The folder of a checkpoint of this layout. */
  pathOf: (iteration: number) => string;
}

const CHECKPOINT_LISTING =
  'd=$1; t="$d/latest_checkpointed_iteration.txt"; ' +
  'if [ -f "$t" ]; then printf "T %s %s\\n" "$(stat -c %Y "$t")" "$(head -c 64 "$t" | tr -d "\\r\\n ")"; fi; ' +
  'for c in "$d"/iter_[0-9]* "$d"/checkpoint-[0-9]*; do ' +
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  '[ -d "$c" ] && printf "D %s %s\\n" "$(stat -c %Y "$c")" "${c##*/}"; done | head -n 5000; exit 0';

/**
 * The checkpoints this run saved, or null when its save directory holds none: checkpoints written before the run
 * started (another run of the same configs) are not its own.
 */
export async function savedCheckpoints(hosts: HostRegistry, record: RunRecord): Promise<SavedCheckpoints | null> {
  if (!record.saveDir) return null;
  const saveDir = posix.resolve(record.workdir, record.saveDir);
  try {
    const { executor } = await hosts.get(record.hosts[0]!);
    const r = await executor.run(["sh", "-c", CHECKPOINT_LISTING, "sh", saveDir], {
      timeoutMs: 15_000,
      maxOutputBytes: 256 * 1024,
    });
    if (r.exitCode !== 0) return null;
    const started = Date.parse(record.createdAt) / 1000 - 5;
    let tracker: number | null = null;
    const megatron: number[] = [];
    const transformers: number[] = [];
    for (const line of r.stdout.split("\n")) {
      const [kind, mtime, name] = line.trim().split(" ");
      if (!kind || !mtime || !name || !(Number(mtime) >= started)) continue;
      if (kind === "T" && /^\d+$/.test(name)) tracker = Number(name);
      const iter = /^iter_(\d+)$/.exec(name)?.[1];
      if (kind === "D" && iter) megatron.push(Number(iter));
      const step = /^checkpoint-(\d+)$/.exec(name)?.[1];
      if (kind === "D" && step) transformers.push(Number(step));
    }
    const ascending = (a: number, b: number) => a - b;
    if (tracker !== null || megatron.length > 0) {
      return {
        layout: "megatron",
        // Megatron writes the tracker once a checkpoint is complete; a folder without it may be half written.
        latest: tracker,
        iterations: megatron.sort(ascending),
        pathOf: (i) => posix.join(saveDir, `iter_${String(i).padStart(7, "0")}`),
      };
    }
    if (transformers.length > 0) {
      const iterations = transformers.sort(ascending);
      return {
        layout: "transformers",
        latest: iterations[iterations.length - 1]!,
        iterations,
        pathOf: (i) => posix.join(saveDir, `checkpoint-${i}`),
      };
    }
    return null;
  } catch {
    return null;
  }
}

/** The iteration of the latest checkpoint this run saved, or null. */
export async function savedCheckpoint(hosts: HostRegistry, record: RunRecord): Promise<string | null> {
  const saved = await savedCheckpoints(hosts, record);
  return saved?.latest != null ? String(saved.latest) : null;
}

/**
 * What follows a stop: after a divergence, the diagnosis first and only a checkpoint from before it; otherwise resume
 * from the checkpoint the run saved (saying what resuming without optimizer state means), or, without one, a new
 * launch of the same script.
 */
export async function afterStop(
  hosts: HostRegistry,
  record: RunRecord,
  now: () => Date,
  lead = "Stopped. ",
  /** A fix for the failure was just applied: a divergence needs no diagnosis first. */
  fixed = false,
): Promise<string> {
  const saved = await savedCheckpoints(hosts, record);
  const where = record.hosts.length > 1 ? { hosts: record.hosts } : { host: record.hosts[0] };
  const relaunch = callHint("launch_train", { ...where, script: record.script });
  const diverged = await divergenceOf(hosts, record, now);
  if (diverged) {
    const first = diverged.iteration;
    const before = first === null ? [] : (saved?.iterations.filter((i) => i < first) ?? []);
    const good = before[before.length - 1];
    const head = fixed
      ? `${lead}Its loss diverged (${diverged.message}): do not resume from a checkpoint written after it.`
      : `${lead}Its loss diverged (${diverged.message}): find out why first with ` +
        `${callHint("diagnose_error", { runId: record.id })}, and do not resume from a checkpoint written after it.`;
    if (good === undefined || !saved) {
      if (saved?.latest == null || !record.saveDir)
        return `${head} No checkpoint of this run predates the divergence, so ${fixed ? "" : "once the cause is fixed "}start it again with ${relaunch}.`;
      // Its save directory holds only checkpoints from after the divergence: a new run must not start on top of them.
      const { executor, settings } = await hosts.get(record.hosts[0]!);
      const inputs = await rebuildInputs(executor, record.script, settings);
      const fresh = `${record.saveDir.replace(/\/+$/, "")}-restart`;
      return (
        `${head} No checkpoint of this run predates the divergence, and ${record.saveDir} holds only later ones: ` +
        `${fixed ? "" : "once the cause is fixed, "}build the configs again with a new save directory, ${rebuildHint(inputs, record.hosts[0]!, { saveDir: fresh, overwrite: true })}, ` +
        `then start it with ${relaunch}.`
      );
    }
    const fromIt =
      saved.layout === "megatron"
        ? `resume_run loads the iteration in ${posix.join(record.saveDir!, "latest_checkpointed_iteration.txt")}: write ${good} there before ${callHint("resume_run", { runId: record.id })}`
        : `pass it to the Trainer as resume_from_checkpoint`;
    return `${head} The last checkpoint from before it is ${saved.pathOf(good)} (iteration ${good}); ${fromIt}.`;
  }
  if (saved?.latest != null && saved.layout === "transformers")
    return (
      `${lead}${callHint("resume_run", { runId: record.id })} relaunches its script with ` +
      `resume_from_checkpoint set to its latest checkpoint, ${saved.pathOf(saved.latest)} (step ${saved.latest}).`
    );
  if (saved?.latest != null) {
    if (await savesWithoutOptimizer(hosts, record))
      return (
        `${lead}Its latest checkpoint (iteration ${saved.latest}) holds no optimizer or RNG state ` +
        `(--no-save-optim/--no-save-rng): ${callHint("resume_run", { runId: record.id, allowFreshOptimizer: true })} ` +
        "continues the weights, iteration count and LR schedule with a new optimizer (Adam's moments restart from zero)."
      );
    return `${lead}${callHint("resume_run", { runId: record.id })} continues from its latest checkpoint (iteration ${saved.latest}).`;
  }
  return (
    `${lead}It saved no checkpoint${record.saveDir ? ` in ${record.saveDir}` : ""}, so there is nothing to resume: ` +
    `start it again with ${relaunch}.`
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
    alreadyEnded: z
      .enum(LIVE_STATES)
      .nullable()
      .default(null)
      .describe("the state a run that had already ended keeps (nothing was signalled, its record is unchanged)"),
    nodes: z.array(NodeOut),
    next: z.string(),
  }),
  async handle(args, deps) {
    // Named with a host that does not hold it: nothing is stopped; the refusal names its host and the call again.
    const found = await requireRun(deps.hosts, args.runId, args.host, {
      tool: "stop_run",
      args: {
        ...(args.graceSeconds !== 30 ? { graceSeconds: args.graceSeconds } : {}),
        ...(args.confirm ? { confirm: true } : {}),
      },
    });
    const record = found.record;
    const live = (await livenessByRun(deps.hosts, [{ ...record, state: "launched" }])).get(record.id) ?? [];
    const job = await slurmJobOf(deps.hosts, record);
    const hf = job ? null : await hfJobOf(deps.hosts, record, { syncLog: false });
    const wasRunning =
      live.some((n) => n.alive || (n.groupMembers ?? 0) > 0) ||
      (job !== null && isSlurmActive(job)) ||
      (hf?.job != null && isHfJobActive(hf.job));
    // A run that already ended keeps the end it had (finished, failed, stopped): nothing is signalled or rewritten.
    const nodesGone =
      live.length === record.nodes.length && live.every((n) => n.alive === false && (n.groupMembers ?? 0) === 0);
    const slurmGone = !record.scheduler.some((j) => j.kind === "slurm") || (job !== null && !isSlurmActive(job));
    const hfGone = !hf || (hf.job != null && !isHfJobActive(hf.job));
    const knowsSomething = record.nodes.length > 0 || job !== null || hf?.job != null;
    if (!wasRunning && nodesGone && slurmGone && hfGone && knowsSomething) {
      const status = await runStatus(deps.hosts, record, live, deps.now);
      const state = status.state === "unknown" || status.state === "running" ? "stopped" : status.state;
      // "stopped with SIGTERM at …" says its state itself; "failed: stopped with an error …" needs it named.
      const reason = status.reason ?? "";
      const how = !reason ? state : reason.startsWith(state) ? reason : `${state}: ${reason}`;
      // What a stop would have suggested still holds for a run that failed or was stopped before.
      const then =
        state === "finished"
          ? ` ${callHint("tail_logs", { runId: record.id })} shows how it ended.`
          : `${state === "failed" ? ` ${callHint("diagnose_error", { runId: record.id })} says why it failed.` : ""} ${await afterStop(deps.hosts, record, deps.now, "")}`;
      return {
        runId: record.id,
        stopped: false,
        wasRunning: false,
        alreadyEnded: state,
        nodes: [],
        next: `Run ${record.id} had already ended (${how}); nothing to stop, and its record is unchanged.${then}`,
      };
    }
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
        alreadyEnded: null,
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
      alreadyEnded: null,
      nodes,
      next: failed.length
        ? `Could not stop it everywhere: ${failed.map((f) => `${f.host}: ${f.detail}`).join("; ")}.`
        : await afterStop(deps.hosts, record, deps.now),
    };
  },
  failed: (r) => r.nodes.some((n) => n.outcome === "failed"),
  summarize: (r) =>
    [
      // A run that had already ended: `next` is the one statement (how it ended, that nothing was done, what follows).
      ...(r.alreadyEnded
        ? []
        : [
            `${r.runId}: ${r.stopped ? "stopped" : r.nodes.every((n) => n.outcome === "planned") ? "would stop" : "not fully stopped"}${r.wasRunning ? "" : " (was not running)"}`,
          ]),
      ...r.nodes.map(
        (n) => `  node ${n.nodeRank} ${n.host} pid ${n.pid}: ${n.outcome}${n.detail ? ` ${n.detail}` : ""}`,
      ),
      r.next,
    ].join("\n"),
});
