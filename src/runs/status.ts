// The live state of a recorded run: its processes on every node, the master's log (through the log parser), and
// its scheduler job when it was handed to Slurm.
import type { HostRegistry } from "../hosts/registry.js";
import { inspectLog } from "../logs/inspect.js";
import { type HfJobLook, hfJobOf } from "./hf-jobs-run.js";
import { type Liveness, nodeLiveness } from "./liveness.js";
import { querySlurmJob, type SlurmJob, slurmLiveState } from "./slurm.js";
import type { LiveState, RunRecord } from "./types.js";

export interface NodeStatus {
  host: string;
  nodeRank: number;
  pid: number;
  alive: boolean | null;
  groupMembers: number | null;
  exit: string | null;
  error: string | null;
}

export interface RunStatus {
  state: LiveState;
  reason: string;
  nodes: NodeStatus[];
  iteration: number | null;
  totalIterations: number | null;
  loss: number | null;
  etaSeconds: number | null;
  errorLines: string[];
  scheduler: { kind: string; jobId: string | null; state: string | null }[];
}

const finite = (n: number | undefined | null) => (n === undefined || n === null || !Number.isFinite(n) ? null : n);

/** Liveness of every node of the given runs, one round trip per host. */
export async function livenessByRun(
  hosts: HostRegistry,
  records: readonly RunRecord[],
): Promise<Map<string, NodeStatus[]>> {
  const perHost = new Map<string, { run: string; node: RunRecord["nodes"][number] }[]>();
  for (const r of records) {
    if (r.state === "stopped") continue;
    for (const node of r.nodes) {
      const list = perHost.get(node.host) ?? [];
      list.push({ run: r.id, node });
      perHost.set(node.host, list);
    }
  }
  const out = new Map<string, NodeStatus[]>();
  await Promise.all(
    [...perHost.entries()].map(async ([host, items]) => {
      let answers: Liveness[] | Error;
      try {
        const { executor } = await hosts.get(host);
        answers = await nodeLiveness(
          executor,
          items.map((i) => ({
            pid: i.node.pid,
            startTicks: i.node.startTicks,
            exitFile: i.node.exitFile,
            wrapper: i.node.wrapper,
          })),
        );
      } catch (error) {
        answers = error as Error;
      }
      for (const [k, item] of items.entries()) {
        const a = answers instanceof Error ? null : (answers[k] ?? null);
        const list = out.get(item.run) ?? [];
        list.push({
          host,
          nodeRank: item.node.nodeRank,
          pid: item.node.pid,
          alive: a ? a.alive : null,
          groupMembers: a ? a.groupMembers : null,
          exit: a ? a.exit : null,
          error: answers instanceof Error ? answers.message : null,
        });
        out.set(item.run, list);
      }
    }),
  );
  for (const list of out.values()) list.sort((a, b) => a.nodeRank - b.nodeRank);
  return out;
}

const running = (n: NodeStatus) => n.alive === true || (n.groupMembers ?? 0) > 0;

/** The run's Slurm job as Slurm knows it now (null when it is not a Slurm run or Slurm does not know the job). */
export async function slurmJobOf(hosts: HostRegistry, record: RunRecord): Promise<SlurmJob | null> {
  const job = record.scheduler.find((j) => j.kind === "slurm" && j.jobId);
  if (!job?.jobId) return null;
  try {
    const { executor } = await hosts.get(record.hosts[0]!);
    return await querySlurmJob(executor, job.jobId);
  } catch {
    return null;
  }
}

export async function runStatus(
  hosts: HostRegistry,
  record: RunRecord,
  nodes: NodeStatus[] | undefined,
  now: () => Date,
  opts: { stallFactor?: number } = {},
): Promise<RunStatus> {
  const status: RunStatus = {
    state: "unknown",
    reason: "",
    // Stopped runs are not probed: their nodes show with unknown liveness.
    nodes:
      nodes ??
      record.nodes.map((n) => ({
        host: n.host,
        nodeRank: n.nodeRank,
        pid: n.pid,
        alive: null,
        groupMembers: null,
        exit: null,
        error: null,
      })),
    iteration: null,
    totalIterations: null,
    loss: null,
    etaSeconds: null,
    errorLines: [],
    scheduler: [],
  };
  const slurm = await slurmJobOf(hosts, record);
  // A Hugging Face job: its stage from the Hub, its log copied into the run's log file first.
  const hf = slurm ? null : await hfJobOf(hosts, record);
  for (const job of record.scheduler) {
    status.scheduler.push({
      kind: job.kind,
      jobId: job.jobId,
      state:
        job.kind === "slurm" && slurm && job.jobId === slurm.jobId
          ? slurm.state
          : job.kind === "hf-jobs" && hf?.job?.id === job.jobId
            ? hf.job.status.stage
            : null,
    });
  }
  if (record.state === "stopped") {
    status.state = "stopped";
    status.reason = `stopped with ${record.stopSignal ?? "a signal"} at ${record.stoppedAt ?? "an unknown time"}`;
  }
  const master = record.nodes.find((n) => n.nodeRank === 0);
  if (!master) return schedulerRunStatus(hosts, record, status, slurm, now, opts, hf);
  const masterLive = status.nodes.find((n) => n.nodeRank === 0);
  const processAlive = masterLive && masterLive.alive !== null ? running(masterLive) : undefined;
  try {
    const { executor } = await hosts.get(master.host);
    const look = await inspectLog({
      host: executor,
      path: master.logFile,
      lines: 20,
      now,
      processAlive: record.state === "stopped" ? false : processAlive,
      runExpected: true,
      stallFactor: opts.stallFactor ?? 5,
    });
    const a = look.analysis;
    status.iteration = a.latest?.iteration ?? null;
    status.totalIterations = a.latest?.totalIterations ?? null;
    status.loss = finite(a.latest?.loss);
    if (a.latest && a.medianStepMs && a.latest.totalIterations > a.latest.iteration) {
      status.etaSeconds = Math.round(((a.latest.totalIterations - a.latest.iteration) * a.medianStepMs) / 1000);
    }
    status.errorLines = a.error?.lines ?? [];
    if (record.state !== "stopped") {
      status.state = look.verdict.state;
      status.reason = look.verdict.reason;
    }
  } catch (error) {
    if (record.state !== "stopped") {
      status.state = "unknown";
      status.reason = `cannot read the log on ${master.host}: ${(error as Error).message}`;
    }
  }
  if (record.state === "stopped") return status;
  // A worker node that died takes the run with it, whatever the master's log says yet.
  const dead = status.nodes.filter((n) => n.nodeRank > 0 && n.alive !== null && !running(n));
  if (dead.length > 0 && status.state !== "finished") {
    const exited = `node ${dead.map((d) => `${d.nodeRank} (${d.host})`).join(", ")} exited${dead[0]!.exit ? ` with ${dead[0]!.exit}` : ""}`;
    // When the master failed too, its own error is often only the consequence (a collective that lost a peer).
    status.reason = status.state === "failed" ? `${status.reason}; ${exited}` : `${exited}; ${status.reason}`;
    status.state = "failed";
  }
  return status;
}

/**
 * A run whose processes belong to Slurm: its state comes from the job (queued with Slurm's reason, cancelled,
 * completed, failed), its progress and error lines from the job's output file, read like any training log.
 */
async function schedulerRunStatus(
  hosts: HostRegistry,
  record: RunRecord,
  status: RunStatus,
  slurm: SlurmJob | null,
  now: () => Date,
  opts: { stallFactor?: number },
  hf: HfJobLook | null = null,
): Promise<RunStatus> {
  const job =
    record.scheduler.find((j) => (j.kind === "slurm" || j.kind === "hf-jobs") && j.jobId) ?? record.scheduler[0];
  const mapped = slurm ? slurmLiveState(slurm) : (hf?.mapped ?? null);
  if (record.state !== "stopped") {
    status.state = mapped?.state ?? "unknown";
    status.reason =
      mapped?.reason ??
      (job
        ? `${job.kind} job ${job.jobId ?? "(not submitted)"}: ${hf?.error ?? "Slurm does not know it (any more)"}`
        : "no node started");
  }
  if (!job?.logFile || mapped?.state === "queued") return status;
  const jobRuns = mapped?.state === "running";
  try {
    const { executor } = await hosts.get(record.hosts[0]!);
    const look = await inspectLog({
      host: executor,
      path: job.logFile,
      lines: 20,
      now,
      processAlive: record.state === "stopped" || mapped ? jobRuns : undefined,
      runExpected: true,
      stallFactor: opts.stallFactor ?? 5,
    });
    const a = look.analysis;
    status.iteration = a.latest?.iteration ?? null;
    status.totalIterations = a.latest?.totalIterations ?? null;
    status.loss = finite(a.latest?.loss);
    if (a.latest && a.medianStepMs && a.latest.totalIterations > a.latest.iteration) {
      status.etaSeconds = Math.round(((a.latest.totalIterations - a.latest.iteration) * a.medianStepMs) / 1000);
    }
    status.errorLines = a.error?.lines ?? [];
    if (record.state === "stopped") return status;
    const v = look.verdict;
    if (!mapped) {
      status.state = v.state;
      status.reason = `${status.reason}; ${v.reason}`;
    } else if (jobRuns && (v.state === "starting" || v.state === "stalled" || v.state === "failed")) {
      // Slurm runs the job; the log tells whether training has begun, stalls, or has already failed.
      status.state = v.state;
      status.reason = `${mapped.reason}; ${v.reason}`;
    } else if (mapped.state === "failed" && v.state === "failed") {
      status.reason = `${mapped.reason}; ${v.reason}`;
    }
  } catch {
    // No output yet (the job has not written it): Slurm's word stands.
  }
  return status;
}
