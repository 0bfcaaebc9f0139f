// The runs recorded in the ledgers of one host or of every host, newest first, each with its live state: what
// list_runs shows and what plan_finetune asks ("is a run of these configs already going?").
import { ToolError } from "../errors.js";
import type { WorkDeps } from "../hosts/work.js";
import { ledgerDir, readLedger } from "./ledger.js";
import { livenessByRun, runStatus } from "./status.js";
import type { LiveState, RunRecord } from "./types.js";

export interface ListRunsOptions {
  /** Only this host (default: every host in the inventory). */
  host?: string;
  /** Only runs that may still be running. */
  active: boolean;
  limit: number;
}

export interface RunSummary {
  runId: string;
  state: LiveState;
  reason: string;
  hosts: string[];
  createdAt: string;
  script: string;
  logFile: string | null;
  saveDir: string | null;
  iteration: number | null;
  totalIterations: number | null;
  loss: number | null;
  etaSeconds: number | null;
  nodes: { host: string; nodeRank: number; pid: number; alive: boolean | null; exit: string | null }[];
  resumedFrom: string | null;
  /** The script of the run its resume chain started from (resumedFrom followed through the whole ledger). */
  launchedFrom: string;
  scheduler: { kind: string; jobId: string | null; state: string | null }[];
  scores: { benchmark: string; metric: string; score: number; iteration: string }[];
}

export interface RunList {
  runs: RunSummary[];
  unreachable: { host: string; error: string }[];
  brokenRecords: { host: string; file: string; error: string }[];
}

/** The newest evaluation of each benchmark in a run's record. */
function latestScores(record: RunRecord) {
  const byBenchmark = new Map<string, { benchmark: string; metric: string; score: number; iteration: string }>();
  for (const e of record.evaluations ?? [])
    byBenchmark.set(e.benchmark, { benchmark: e.benchmark, metric: e.metric, score: e.score, iteration: e.iteration });
  return [...byBenchmark.values()];
}

const ACTIVE = new Set(["queued", "starting", "running", "stalled", "unknown"]);

/**
 * Each run's first script: a resumed run's (resume_run runs an edited copy from the ledger directory) is the script of
 * the run its chain began with. Every record is visited once (memoized; a loop or a missing link ends the chain).
 */
export function launchScripts(records: ReadonlyMap<string, RunRecord>): Map<string, string> {
  const out = new Map<string, string>();
  for (const start of records.values()) {
    const chain: RunRecord[] = [];
    const seen = new Set<string>();
    let r: RunRecord | undefined = start;
    let root: string | undefined;
    while (r && !seen.has(r.id)) {
      root = out.get(r.id);
      if (root !== undefined) break;
      seen.add(r.id);
      chain.push(r);
      root = r.script;
      r = r.resumedFrom === null ? undefined : records.get(r.resumedFrom);
    }
    for (const c of chain) out.set(c.id, root!);
  }
  return out;
}

/** Ledger order, newest first: by creation time, then by id (ids carry their start time). */
export const newestFirst = (a: RunRecord, b: RunRecord) =>
  b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

export async function listRecordedRuns(deps: Pick<WorkDeps, "hosts" | "now">, args: ListRunsOptions): Promise<RunList> {
  const names = args.host ? [args.host] : deps.hosts.names();
  if (args.host) deps.hosts.settings(args.host);
  const unreachable: { host: string; error: string }[] = [];
  const broken: { host: string; file: string; error: string }[] = [];
  const records = new Map<string, RunRecord>();
  await Promise.all(
    names.map(async (name) => {
      try {
        const { executor, settings } = await deps.hosts.get(name);
        const read = await readLedger(executor, name, await ledgerDir(executor, settings));
        broken.push(...read.broken);
        // A multi-node run has a record on every node; the one seen first stands for all.
        for (const e of read.entries) if (!records.has(e.record.id)) records.set(e.record.id, e.record);
      } catch (error) {
        unreachable.push({ host: name, error: (error as Error).message });
      }
    }),
  );
  if (unreachable.length === names.length && names.length > 0 && args.host) {
    throw new ToolError(`Cannot read the run ledger on ${args.host}: ${unreachable[0]!.error}`);
  }
  const newest = [...records.values()].sort(newestFirst);
  const launched = launchScripts(records);
  const live = await livenessByRun(deps.hosts, newest);
  const runs: RunSummary[] = [];
  for (const record of newest) {
    if (runs.length >= args.limit) break;
    if (args.active && record.state === "stopped") continue;
    const s = await runStatus(deps.hosts, record, live.get(record.id), deps.now);
    if (args.active && !ACTIVE.has(s.state)) continue;
    runs.push({
      runId: record.id,
      state: s.state,
      reason: s.reason,
      hosts: record.hosts,
      createdAt: record.createdAt,
      script: record.script,
      logFile:
        record.nodes.find((n) => n.nodeRank === 0)?.logFile ??
        record.scheduler.find((j) => j.kind === "slurm" && j.logFile)?.logFile ??
        null,
      saveDir: record.saveDir,
      iteration: s.iteration,
      totalIterations: s.totalIterations,
      loss: s.loss,
      // Only a run that is still going has a time left.
      etaSeconds: s.state === "running" || s.state === "starting" ? s.etaSeconds : null,
      nodes: s.nodes.map((n) => ({ host: n.host, nodeRank: n.nodeRank, pid: n.pid, alive: n.alive, exit: n.exit })),
      resumedFrom: record.resumedFrom,
      launchedFrom: launched.get(record.id) ?? record.script,
      scheduler: s.scheduler,
      scores: latestScores(record),
    });
  }
  return { runs, unreachable, brokenRecords: broken };
}
