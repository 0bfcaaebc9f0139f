// list_runs: the run ledgers on one or all hosts, each run with its live state (processes + log). A Hugging Face job's
// log is refreshed into its cache on this machine (see src/runs/hf-jobs-run.ts), the one file this read tool writes.

import { z } from "zod";
import { noInventoryGuidance } from "../hosts/registry.js";
import { listRecordedRuns } from "../runs/list.js";
import { LIVE_STATES } from "../runs/types.js";
import { formatDuration } from "../text/format.js";
import { callHint } from "../text/hint.js";
import { alignColumns } from "../text/table.js";
import { defineTool } from "./tool.js";

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
  launchedFrom: z
    .string()
    .describe("The launch script of the run its resume chain began with (the run's own script when not resumed)"),
  scheduler: z.array(z.object({ kind: z.string(), jobId: z.string().nullable(), state: z.string().nullable() })),
  /** The latest score per benchmark (evaluate_model). */
  scores: z.array(z.object({ benchmark: z.string(), metric: z.string(), score: z.number(), iteration: z.string() })),
});

export default defineTool({
  name: "list_runs",
  title: "List training runs",
  description:
    "List the training runs recorded on one host or on every host (the ledger is kept on the hosts, so runs started " +
    "by any server show up), newest first, each with its live state (queued, starting, running, stalled, finished, " +
    "failed, stopped), latest iteration, loss and ETA. A run that went through Slurm takes its state from its job " +
    "(PENDING is queued with Slurm's reason, CANCELLED is stopped); a Hugging Face job's from its stage, its log fetched " +
    "into a cache, the run's log file on this machine (also on a read-only server; nothing else is written). Use the " +
    "run id with tail_logs, stop_run or resume_run.",
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
    activeOnly: z.boolean().describe("Only runs that may still be running were asked for."),
    noInventory: z
      .string()
      .optional()
      .describe("No runs and no inventory file: where hosts are looked for, and how to add one"),
  }),
  handle: async (args, deps) => {
    const listed = await listRecordedRuns(deps, args);
    // With no inventory only `local` is asked: a host registered elsewhere (sim init in a subdirectory) keeps its runs.
    // Asked for active runs only, none says nothing about where runs are recorded.
    const noInventory =
      listed.runs.length === 0 && !args.active && deps.hosts.inventoryFile === null ? noInventoryGuidance() : undefined;
    return { ...listed, activeOnly: args.active, ...(noInventory ? { noInventory } : {}) };
  },
  summarize: (r) => {
    if (r.runs.length === 0)
      return `${r.activeOnly ? "No active runs." : "No runs recorded."}${r.unreachable.length ? ` Unreachable: ${r.unreachable.map((u) => u.host).join(", ")}.` : ""}${r.noInventory ? `\n${r.noInventory}` : ""}`;
    const lines = alignColumns(
      r.runs.map((x) => [
        x.runId,
        x.state,
        x.hosts.join(","),
        x.iteration !== null ? `iter ${x.iteration}/${x.totalIterations}` : "",
        x.loss !== null ? `loss ${x.loss.toPrecision(4)}` : "",
        x.etaSeconds !== null ? `ETA ${formatDuration(x.etaSeconds)}` : "",
        `${x.reason}${x.scores.length ? `  ${x.scores.map((e) => `${e.benchmark} ${e.score}`).join(", ")}` : ""}`,
      ]),
    );
    const sick = r.runs.filter((x) => x.state === "running" && /^loss is (NaN|-?Infinity)/.test(x.reason));
    for (const x of sick)
      lines.push(
        `Next: ${x.runId} no longer learns: ${callHint("stop_run", { runId: x.runId })}, then ${callHint("diagnose_error", { runId: x.runId })}.`,
      );
    if (r.unreachable.length)
      lines.push(`Unreachable: ${r.unreachable.map((u) => `${u.host} (${u.error})`).join("; ")}`);
    return lines.join("\n");
  },
});
