// Runs handed to Slurm: submit a batch script with sbatch, read a job back (scontrol while the controller remembers
// it, then sacct where accounting is kept), map its state onto a run's live state, and cancel it with scancel. Every
// command goes through the host's executor, bounded in time and output; a job id is checked to be a number before
// it reaches a command line.
import { posix } from "node:path";
import type { HostExecutor } from "../hosts/executor.js";
import type { LiveState } from "./types.js";

export const SLURM_JOB_ID = /^\d{1,12}$/;

/** What Slurm says about one job. */
export interface SlurmJob {
  jobId: string;
  /** The job state as Slurm spells it (PENDING, RUNNING, COMPLETED, CANCELLED …). */
  state: string;
  /** Why it waits or ended (Priority, Resources, NonZeroExitCode …); null when Slurm gives none. */
  reason: string | null;
  /** exit:signal of the batch script, e.g. "3:0"; null when not known. */
  exitCode: string | null;
  nodeList: string | null;
  runTime: string | null;
  stdOut: string | null;
  /** Which command answered. */
  source: "scontrol" | "sacct";
}

const orNull = (v: string | undefined) => (v === undefined || v === "" || v === "(null)" || v === "None" ? null : v);

/** One job from `scontrol -o show job <id>` (one line of Key=Value pairs). */
export function parseScontrolJob(text: string): SlurmJob | null {
  const line = text.split("\n").find((l) => l.startsWith("JobId="));
  if (!line) return null;
  const fields = new Map<string, string>();
  // Values never hold a space except Command/Comment-like fields at the end; Key=Value split on spaces is enough
  // for the fields read here.
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z][A-Za-z/:_]*)=(\S*)/g)) fields.set(m[1]!, m[2]!);
  const jobId = fields.get("JobId");
  const state = fields.get("JobState");
  if (!jobId || !SLURM_JOB_ID.test(jobId) || !state) return null;
  return {
    jobId,
    state,
    reason: orNull(fields.get("Reason")),
    exitCode: orNull(fields.get("ExitCode")),
    nodeList: orNull(fields.get("NodeList")),
    runTime: orNull(fields.get("RunTime")),
    stdOut: orNull(fields.get("StdOut")),
    source: "scontrol",
  };
}

export const SACCT_FIELDS = "JobID,State,ExitCode,Reason,Elapsed,NodeList";

/** The job's own line from `sacct -n -X -P -o JobID,State,ExitCode,Reason,Elapsed,NodeList` ("CANCELLED by 0"). */
export function parseSacctJob(text: string, jobId: string): SlurmJob | null {
  for (const line of text.split("\n")) {
    const [id, state, exitCode, reason, elapsed, nodeList] = line.trim().split("|");
    if (id !== jobId || !state) continue;
    return {
      jobId,
      state: state.split(/\s+/)[0]!,
      reason: orNull(reason),
      exitCode: orNull(exitCode),
      nodeList: orNull(nodeList === "None assigned" ? "" : nodeList),
      runTime: orNull(elapsed),
      stdOut: null,
      source: "sacct",
    };
  }
  return null;
}

const QUEUED = new Set(["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "CONFIGURING"]);
const RUNNING = new Set(["RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING"]);
const FAILED = new Set([
  "FAILED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "BOOT_FAIL",
  "DEADLINE",
  "PREEMPTED",
  "SPECIAL_EXIT",
]);
const STOPPED = new Set(["CANCELLED", "REVOKED"]);

/** Slurm's job state as a run's live state, with a reason a person reads. */
export function slurmLiveState(job: SlurmJob): { state: LiveState; reason: string } {
  const s = job.state.toUpperCase();
  const tag = `Slurm job ${job.jobId} ${s}`;
  if (QUEUED.has(s)) return { state: "queued", reason: `${tag}${job.reason ? ` (reason: ${job.reason})` : ""}` };
  if (RUNNING.has(s)) return { state: "running", reason: `${tag}${job.nodeList ? ` on ${job.nodeList}` : ""}` };
  if (s === "COMPLETED") return { state: "finished", reason: `${tag}${job.runTime ? ` after ${job.runTime}` : ""}` };
  if (FAILED.has(s)) {
    const why = [job.reason && job.reason !== "None" ? job.reason : null, job.exitCode ? `exit ${job.exitCode}` : null]
      .filter(Boolean)
      .join(", ");
    return { state: "failed", reason: `${tag}${why ? ` (${why})` : ""}` };
  }
  if (STOPPED.has(s)) return { state: "stopped", reason: `${tag}: cancelled` };
  if (s === "SUSPENDED" || s === "STOPPED") return { state: "stalled", reason: `${tag}: held by Slurm` };
  return { state: "unknown", reason: `${tag}: a state ascend-train does not know` };
}

/** Slurm still holds or runs the job: it must be cancelled before the run is resumed. */
export const isSlurmActive = (job: SlurmJob) => {
  const s = slurmLiveState(job).state;
  return s === "queued" || s === "running" || s === "stalled";
};

const QUERY = [
  'j=$1; out=$(timeout 15 scontrol -o show job "$j" 2>/dev/null | head -c 16384)',
  'if [ -n "$out" ]; then printf "%s\\n" "$out"; exit 0; fi',
  `timeout 15 sacct -n -X -P -j "$j" -o ${SACCT_FIELDS} 2>/dev/null | head -c 16384`,
].join("\n");

/** The job as Slurm knows it now; null when neither scontrol nor sacct knows it (or Slurm does not answer). */
export async function querySlurmJob(executor: HostExecutor, jobId: string): Promise<SlurmJob | null> {
  if (!SLURM_JOB_ID.test(jobId)) return null;
  const r = await executor.run(["bash", "-c", QUERY, "sh", jobId], { timeoutMs: 40_000, maxOutputBytes: 64 * 1024 });
  return parseScontrolJob(r.stdout) ?? parseSacctJob(r.stdout, jobId);
}

/** Whether the host can submit to Slurm (sbatch on its PATH). */
export async function hasSbatch(executor: HostExecutor): Promise<boolean> {
  const r = await executor.runScript("command -v sbatch", { timeoutMs: 15_000, maxOutputBytes: 4096 });
  return r.exitCode === 0;
}

/** sbatch --parsable <script>; the job id, or an error with sbatch's own words. */
export async function submitBatch(executor: HostExecutor, script: string, cwd: string): Promise<string> {
  const r = await executor.run(["sbatch", "--parsable", script], {
    cwd,
    timeoutMs: 60_000,
    maxOutputBytes: 64 * 1024,
  });
  const jobId = r.stdout.trim().split("\n").pop()?.split(";")[0] ?? "";
  if (r.exitCode !== 0 || !SLURM_JOB_ID.test(jobId)) {
    throw new Error(`sbatch failed on ${executor.name}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 2000)}`);
  }
  return jobId;
}

/** scancel <id>, then waits (bounded) until Slurm no longer runs it. */
export async function cancelSlurmJob(
  executor: HostExecutor,
  jobId: string,
  waitSeconds: number,
): Promise<{ ok: boolean; detail: string; job: SlurmJob | null }> {
  if (!SLURM_JOB_ID.test(jobId)) return { ok: false, detail: `"${jobId}" is not a Slurm job id`, job: null };
  const r = await executor.run(["scancel", jobId], { timeoutMs: 30_000, maxOutputBytes: 64 * 1024 });
  if (r.exitCode !== 0) return { ok: false, detail: `scancel ${jobId}: ${r.stderr.trim()}`, job: null };
  const end = Date.now() + waitSeconds * 1000;
  let job = await querySlurmJob(executor, jobId);
  while (job && isSlurmActive(job) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = await querySlurmJob(executor, jobId);
  }
  return { ok: true, detail: `scancel ${jobId}${job ? `: ${job.state}` : ""}`, job };
}

/** Where a Slurm run's batch script, output and per-run files go, beside the run ledger. */
export function slurmRunFiles(ledgerDir: string, workdir: string, runId: string) {
  return {
    script: posix.join(ledgerDir, `${runId}.sbatch`),
    hostfile: posix.join(ledgerDir, `${runId}.slurm-hosts`),
    secretsFile: posix.join(ledgerDir, `${runId}.secrets.env`),
    logFile: posix.join(workdir, "logs", `train_${runId}.slurm.log`),
  };
}
