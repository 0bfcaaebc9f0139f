// A recorded run that is a Hugging Face job: its live state from the job's stage, its log copied from the job's log
// stream into the run's log file on this machine (so tail_logs, list_runs and diagnose_error read it like any
// training log), and its cancellation. The client comes from the run's host settings (token, endpoint).
//
// The log copy is a cache, not a host write: it holds only what the Hub already holds, nothing reads it as state,
// and deleting it loses nothing (the next look fetches the log again). So the read tools (list_runs, tail_logs,
// diagnose_error) refresh it, on a --read-only server too, rather than streaming the log past the log readers. It is
// confined: only the run's log file directly under the host's <workdir>/logs and its `.complete` marker are ever
// written (through the path guard, like every write); a record naming any other file gets no copy.

import { userInfo } from "node:os";
import { posix } from "node:path";
import { type AuditLog, currentAuditTool } from "../hosts/audit.js";
import type { HostExecutor } from "../hosts/executor.js";
import { type HfJobInfo, type HfJobsClient, hfJobsClientFor, TERMINAL_STAGES } from "../hosts/hf-jobs.js";
import { hfJobsSettingsOf } from "../hosts/hf-jobs-settings.js";
import type { HostRegistry } from "../hosts/registry.js";
import { findRun } from "./ledger.js";
import type { LiveState, RunRecord } from "./types.js";

/** The client of an hf-jobs host: its endpoint and token file, else the environment's. */
export async function hfJobsClientOf(hosts: HostRegistry, host: string): Promise<HfJobsClient> {
  const s = hfJobsSettingsOf(hosts.settings(host));
  return hfJobsClientFor({ endpoint: s.endpoint, tokenFile: s.tokenFile });
}

/** The job's stage as a run's live state (stages from huggingface_hub's JobStage). */
export function hfJobLiveState(job: HfJobInfo): { state: LiveState; reason: string } {
  const stage = job.status.stage.toUpperCase();
  const tag = `Hugging Face job ${job.id} ${stage}`;
  const said = job.status.message ? `: ${job.status.message}` : "";
  if (stage === "SCHEDULING") return { state: "queued", reason: `${tag} (waiting for ${job.flavor ?? "hardware"})` };
  if (stage === "RUNNING" || stage === "UPDATING")
    return { state: "running", reason: `${tag}${job.flavor ? ` on ${job.flavor}` : ""}` };
  if (stage === "COMPLETED") return { state: "finished", reason: tag };
  if (stage === "ERROR") return { state: "failed", reason: `${tag}${said}` };
  if (stage === "CANCELED" || stage === "DELETED") return { state: "stopped", reason: `${tag}${said}` };
  return { state: "unknown", reason: `${tag}: a stage ascend-train does not know` };
}

export const isHfJobActive = (job: HfJobInfo) => !TERMINAL_STAGES.has(job.status.stage.toUpperCase());

export interface HfJobLook {
  job: HfJobInfo | null;
  mapped: { state: LiveState; reason: string } | null;
  /** Why the job could not be read (token, network, gone). */
  error: string | null;
  logFile: string | null;
}

const entryOf = (record: RunRecord) => record.scheduler.find((j) => j.kind === "hf-jobs" && j.jobId) ?? null;

export const isHfJobRun = (record: RunRecord) => record.hfJob !== undefined && entryOf(record) !== null;

/**
 * Where a job's log is cached: the run's log file when it lies directly in the host's <workdir>/logs (where
 * launch_train puts it), else null: a ledger record edited to name another file never makes a read tool write there.
 */
export function hfJobLogCache(hosts: HostRegistry, host: string, logFile: string | null | undefined): string | null {
  const workdir = hosts.settings(host).workdir;
  if (!workdir || !logFile) return null;
  const file = posix.normalize(logFile);
  const inLogs = posix.dirname(file) === posix.join(workdir, "logs");
  return inLogs && /^[\w.-]+\.log$/.test(posix.basename(file)) ? file : null;
}

/**
 * The run's job as the Hub reports it now, with its log copied into the run's log cache (a complete copy each
 * time: the file is what the log readers read). Null when the run is not a Hugging Face job.
 */
export async function hfJobOf(
  hosts: HostRegistry,
  record: RunRecord,
  opts: { syncLog?: boolean } = {},
): Promise<HfJobLook | null> {
  const entry = entryOf(record);
  if (!record.hfJob || !entry?.jobId) return null;
  const host = record.hosts[0]!;
  try {
    const client = await hfJobsClientOf(hosts, host);
    const job = await client.inspectJob(record.hfJob.namespace, entry.jobId);
    const cache = opts.syncLog === false ? null : hfJobLogCache(hosts, host, entry.logFile);
    if (cache && job.status.stage === "SCHEDULING") {
      // No log yet: an empty copy lets tail_logs follow the job from its start.
      const { executor } = await hosts.get(host);
      const exists = await executor.readFile(cache, { maxBytes: 1 }).then(
        () => true,
        () => false,
      );
      if (!exists) await executor.writeFile(cache, "", { exclusive: false, mode: 0o640 });
    } else if (cache) {
      const { executor } = await hosts.get(host);
      // An ended job's log no longer changes: once copied whole, it is not fetched again.
      const complete = `${cache}.complete`;
      const done = !isHfJobActive(job) && (await isCopied(executor, complete, job));
      if (!done) {
        const active = isHfJobActive(job);
        const logs = await client.logs(record.hfJob.namespace, entry.jobId, {
          idleMs: active ? 1_500 : 5_000,
          timeoutMs: 20_000,
          ...(active ? { caughtUpAfter: new Date() } : {}),
        });
        const text = logs.lines.length ? `${logs.lines.join("\n")}\n` : "";
        await executor.writeFile(cache, text, { exclusive: false, mode: 0o640 });
        // An ended job's stream either ends or, like a running one's, goes quiet (huggingface_hub reads it with a
        // short read timeout): both mean the whole log was read.
        if (!isHfJobActive(job) && (logs.endedBy === "end" || logs.endedBy === "idle"))
          await executor.writeFile(complete, `${job.id} ${job.status.stage}\n`, { exclusive: false, mode: 0o640 });
      }
    }
    return { job, mapped: hfJobLiveState(job), error: null, logFile: entry.logFile };
  } catch (error) {
    return { job: null, mapped: null, error: (error as Error).message, logFile: entry.logFile };
  }
}

async function isCopied(executor: HostExecutor, marker: string, job: HfJobInfo): Promise<boolean> {
  try {
    const text = (await executor.readFile(marker, { maxBytes: 1024 })).content;
    return text.trim() === `${job.id} ${job.status.stage}`;
  } catch {
    return false;
  }
}

/** Cancels the run's job; says what happened. */
export async function cancelHfJobRun(
  hosts: HostRegistry,
  record: RunRecord,
): Promise<{ ok: boolean; wasActive: boolean; detail: string }> {
  const entry = entryOf(record);
  if (!record.hfJob || !entry?.jobId) return { ok: false, wasActive: false, detail: "not a Hugging Face job" };
  try {
    const client = await hfJobsClientOf(hosts, record.hosts[0]!);
    const before = await client.inspectJob(record.hfJob.namespace, entry.jobId);
    if (!isHfJobActive(before))
      return { ok: true, wasActive: false, detail: `job ${entry.jobId} had already ended (${before.status.stage})` };
    const started = Date.now();
    const what = `POST ${client.endpoint}/api/jobs/${record.hfJob.namespace}/${entry.jobId}/cancel`;
    try {
      await client.cancelJob(record.hfJob.namespace, entry.jobId);
    } catch (error) {
      auditHubCall(hosts.audit, record.hosts[0]!, what, started, error);
      throw error;
    }
    auditHubCall(hosts.audit, record.hosts[0]!, what, started);
    return { ok: true, wasActive: true, detail: `cancelled Hugging Face job ${entry.jobId}` };
  } catch (error) {
    return { ok: false, wasActive: false, detail: (error as Error).message };
  }
}

/**
 * While tail_logs follows a Hugging Face job's run, its log copy is refreshed every few seconds (the log readers
 * follow the file); stops at the deadline, when the job ends, or when the returned function is called. Nothing is
 * started for other runs.
 */
export async function followHfJobLog(
  hosts: HostRegistry,
  runId: string,
  seconds: number,
  everyMs = 2_000,
): Promise<() => Promise<void>> {
  const { found } = await findRun(hosts, runId);
  if (!found || !isHfJobRun(found.record) || found.record.state === "stopped") return async () => undefined;
  const record = found.record;
  const until = Date.now() + seconds * 1000;
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped && Date.now() < until) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, everyMs);
      });
      if (stopped) break;
      const look = await hfJobOf(hosts, record);
      if (!look?.job || !isHfJobActive(look.job)) break;
    }
  })();
  return async () => {
    stopped = true;
    (wake as (() => void) | null)?.();
    await loop;
  };
}

/**
 * Records a call that changes something on the Hub (a job created or cancelled) in the audit log, as host commands
 * are: the method and URL, never the token. A log that cannot be written is reported, not fatal: the call was made.
 */
export function auditHubCall(audit: AuditLog, host: string, command: string, started: number, error?: unknown): void {
  try {
    audit.append({
      time: new Date(started).toISOString(),
      user: userInfo().username,
      host,
      tool: currentAuditTool(),
      op: "spawn",
      command,
      exitCode: error ? null : 0,
      durationMs: Date.now() - started,
      bytesOut: 0,
      ...(error ? { error: (error as Error).message } : {}),
    });
  } catch (failure) {
    console.error(`[audit] ${(failure as Error).message}; not recorded: ${command} for ${host}`);
  }
}
