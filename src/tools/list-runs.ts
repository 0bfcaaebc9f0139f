// list_runs: the run ledgers on one or all hosts, each run with its live state (processes + log).

import { z } from "zod";
import { ledgerDir, readLedger } from "../runs/ledger.js";
import { livenessByRun, runStatus } from "../runs/status.js";
import { LIVE_STATES, type RunRecord } from "../runs/types.js";
import { formatDuration } from "../text/format.js";
import { defineTool, ToolError } from "./tool.js";

const RunOut = z.object({
  runId: z.string(),
  state: z.enum(LIVE_STATES),
  reason: z.string(),
  hosts: z.array(z.string()),
  createdAt: z.string(),
  script: z.string(),
  logFile: z.string().nullable(),
  saveDir: z.string().nullable(),
  iteration: z.number().nullable(),
  totalIterations: z.number().nullable(),
  loss: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  nodes: z.array(
    z.object({
      host: z.string(),
      nodeRank: z.number(),
      pid: z.number(),
      alive: z.boolean().nullable(),
      exit: z.string().nullable(),
    }),
  ),
  resumedFrom: z.string().nullable(),
  scheduler: z.array(z.object({ kind: z.string(), jobId: z.string().nullable(), state: z.string().nullable() })),
  /** The latest score per benchmark (evaluate_model). */
  scores: z.array(z.object({ benchmark: z.string(), metric: z.string(), score: z.number(), iteration: z.string() })),
});

/** The newest evaluation of each benchmark in a run's record. */
function latestScores(record: RunRecord) {
  const byBenchmark = new Map<string, { benchmark: string; metric: string; score: number; iteration: string }>();
  for (const e of record.evaluations ?? [])
    byBenchmark.set(e.benchmark, { benchmark: e.benchmark, metric: e.metric, score: e.score, iteration: e.iteration });
  return [...byBenchmark.values()];
}

const ACTIVE = new Set(["starting", "running", "stalled", "unknown"]);

export default defineTool({
  name: "list_runs",
  title: "List training runs",
  description:
    "List the training runs recorded on one host or on every host (the ledger is kept on the hosts, so runs started " +
    "by any server show up), newest first, each with its live state (starting, running, stalled, finished, failed, " +
    "stopped), latest iteration, loss and ETA. Use the run id with tail_logs, stop_run or resume_run.",
  toolset: "train",
  kind: "read",
  input: z.object({
    host: z.string().min(1).optional().describe("Only this host (default: every host in the inventory)."),
    active: z.boolean().default(false).describe("Only runs that may still be running."),
    limit: z.number().int().min(1).max(200).default(20).describe("At most this many runs, newest first."),
  }),
  output: z.object({
    runs: z.array(RunOut),
    unreachable: z.array(z.object({ host: z.string(), error: z.string() })),
    brokenRecords: z.array(z.object({ host: z.string(), file: z.string(), error: z.string() })),
  }),
  async handle(args, deps) {
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
    const newest = [...records.values()].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
    const live = await livenessByRun(deps.hosts, newest);
    const runs: z.output<typeof RunOut>[] = [];
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
        logFile: record.nodes.find((n) => n.nodeRank === 0)?.logFile ?? null,
        saveDir: record.saveDir,
        iteration: s.iteration,
        totalIterations: s.totalIterations,
        loss: s.loss,
        etaSeconds: s.etaSeconds,
        nodes: s.nodes.map((n) => ({ host: n.host, nodeRank: n.nodeRank, pid: n.pid, alive: n.alive, exit: n.exit })),
        resumedFrom: record.resumedFrom,
        scheduler: s.scheduler,
        scores: latestScores(record),
      });
    }
    return { runs, unreachable, brokenRecords: broken };
  },
  summarize: (r) => {
    if (r.runs.length === 0)
      return `No runs recorded.${r.unreachable.length ? ` Unreachable: ${r.unreachable.map((u) => u.host).join(", ")}.` : ""}`;
    const eta = (s: number | null) => (s === null ? "" : ` ETA ${formatDuration(s)}`);
    const lines = r.runs.map(
      (x) =>
        `${x.runId}  ${x.state.padEnd(8)} ${x.hosts.join(",")}  ${x.iteration !== null ? `iter ${x.iteration}/${x.totalIterations}` : ""}${x.loss !== null ? ` loss ${x.loss.toPrecision(4)}` : ""}${eta(x.etaSeconds)}  ${x.reason}${x.scores.length ? `  ${x.scores.map((e) => `${e.benchmark} ${e.score}`).join(", ")}` : ""}`,
    );
    if (r.unreachable.length)
      lines.push(`Unreachable: ${r.unreachable.map((u) => `${u.host} (${u.error})`).join("; ")}`);
    return lines.join("\n");
  },
});
