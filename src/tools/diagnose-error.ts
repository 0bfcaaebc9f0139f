// diagnose_error: reads a failed run's log (a file on a host, a run id, or pasted text) and returns ranked findings:
// category, rule, confidence, evidence lines, cause and fixes. Reads the log in chunks (readFile); with a host it
// also runs read-only probes (ss, lsof, npu-smi info) to make fixes concrete. Changes nothing: see apply_fix.
import { z } from "zod";
import {
  DecodedCodeSchema,
  DeviceStackSchema,
  diagnoseRequest,
  FindingSchema,
  findingOut,
  KnownCaseSchema,
  SOURCE_MESSAGE,
  SourceSchema,
  sourceCheck,
} from "../diagnosis/request.js";
import type { RankError } from "../diagnosis/root-rank.js";
import { stallFinding } from "../diagnosis/stall.js";
import { noRuleFinding } from "../diagnosis/verdict.js";
import { onHost } from "../hosts/paths.js";
import { runServicesOf } from "../runs/services.js";
import type { LiveState } from "../runs/types.js";
import { callHint } from "../text/hint.js";
import { defineTool } from "./tool.js";

const RankErrorSchema = z.object({
  rank: z.string().describe("rank8, or the node or file when its lines name no rank"),
  host: z.string().optional().describe("The node's host (runs looked up by runId)."),
  nodeRank: z.number().optional(),
  file: z.string().optional(),
  line: z.number(),
  text: z.string().describe("The rank's first error-like line."),
  time: z.string().optional().describe("When, from the log's timestamps (as written, no time zone)."),
  consequence: z.boolean().describe("A communication timeout or closed link: what a rank prints when another is gone."),
});

function rankErrorOut(e: RankError): z.output<typeof RankErrorSchema> {
  return {
    rank: e.rank,
    ...(e.node ? { host: e.node.host, nodeRank: e.node.nodeRank } : {}),
    ...(e.file ? { file: e.file } : {}),
    line: e.line,
    text: e.text,
    ...(e.time !== undefined ? { time: new Date(e.time).toISOString().replace("T", " ").replace("Z", "") } : {}),
    consequence: e.consequence,
  };
}

/** The log source of a diagnose_error call as apply_fix takes it: pasted text is not repeated (a placeholder). */
function applySource(args: z.output<typeof SourceSchema>): Record<string, unknown> {
  const source = args.runId
    ? { runId: args.runId }
    : args.logFiles
      ? { host: args.host, logFiles: args.logFiles }
      : args.logFile
        ? { host: args.host, logFile: args.logFile }
        : { host: args.host, text: "<the same log text>" };
  return { ...source, ...(args.config ? { config: args.config } : {}) };
}

const where = (e: { rank: string; host?: string; nodeRank?: number }) =>
  e.host ? `${e.rank} on ${e.host} (node ${e.nodeRank})` : e.rank;

const Output = z.object({
  summary: z.string().describe("The verdict in one line: the best finding, or why there is none."),
  findings: z
    .array(FindingSchema)
    .describe("Best first: the earliest primary error, then secondary timeouts and alternatives."),
  stats: z.object({ files: z.number(), bytes: z.number(), lines: z.number(), skippedBytes: z.number() }),
  codes: z.array(DecodedCodeSchema).describe("Every CANN/runtime/HCCL error code in the log, decoded."),
  knownCases: z.array(KnownCaseSchema).describe("Up to 3 public reports closest to this log (URL, resolution)."),
  stack: DeviceStackSchema.optional().describe(
    "The device stack the log's error lines name (NPU or CUDA), when they name one and not the other.",
  ),
  rootCause: z
    .object({
      first: RankErrorSchema.describe("The rank that failed first."),
      consequences: RankErrorSchema.array().describe("The other ranks' first errors, in time order."),
      basis: z.string(),
    })
    .optional()
    .describe("When more than one rank failed: which rank (and node) failed first; the others are its consequences."),
  notes: z.array(z.string()),
  applyWith: z
    .record(z.string(), z.unknown())
    .describe("This call's log source and config as apply_fix takes them; add rule and fix to carry out a fix."),
  logHost: z
    .string()
    .optional()
    .describe("The host whose log was read (the run's, or the logFile's): where the fixes' commands are run"),
});

type Out = z.output<typeof Output>;

/** Run states in which a log without an error means nothing has failed (list_runs' words). */
const NOT_FAILED = new Set<LiveState>(["finished", "running", "starting"]);

/** Whether a run in this state still has a live process; undefined where the state does not say (queued, unknown). */
function processAliveIn(state: LiveState): boolean | undefined {
  if (state === "running" || state === "starting" || state === "stalled") return true;
  if (state === "finished" || state === "failed" || state === "stopped") return false;
  return undefined;
}

export default defineTool({
  name: "diagnose_error",
  title: "Diagnose a failed run",
  description:
    "Find why a training or setup run failed. Give the log as logFile (path on `host`, default local), logFiles (one per " +
    "rank), runId, or pasted text. Returns findings best first: failure category (npu_oom, hccl_timeout, port_in_use, " +
    "cann_env_not_sourced, ckpt_shape_mismatch, ...), confidence, evidence lines with line numbers, the cause and fixes. " +
    "HCCL timeouts are ranked below the primary error that caused them; for a multi-node runId every node's log is read " +
    "on its host and rootCause names the rank and node that failed first. A verdict no rule is sure of (the nearest " +
    "public case, or the public reports of one kind the log reads like as a whole, or the words failures of one kind " +
    "use decided it) starts with 'possibly'; " +
    "`unknown` comes with the most suspicious lines; " +
    "a run whose logs show no error but stopped advancing is `stalled` (how long, each rank's last lines); one that " +
    "finished, was stopped on request, was ended by its scheduler or is still running with no error in its logs says " +
    "so. " +
    "Fixes with applicable: true (an action) can be carried out with apply_fix; the others are steps by hand.",
  toolset: "diagnose",
  kind: "read",
  input: SourceSchema.extend({
    limit: z.number().int().min(1).max(50).default(5).describe("How many findings to return."),
  }).refine(sourceCheck, { message: SOURCE_MESSAGE }),
  output: Output,
  async handle(args, deps): Promise<Out> {
    const services = runServicesOf(deps);
    const { verdict, run, executor } = await diagnoseRequest(args, deps, services.lookup);
    // A run stopped on purpose whose logs show no failure did not fail: say that, not "unknown".
    let top = verdict.findings[0];
    // Where a run without an error in its logs stands, read once (the ledger, each node's liveness, its scheduler):
    // it says whether the process is alive for the stall test, and whether the run finished or still runs.
    const standing =
      args.runId && noRuleFinding(top) && !run?.stopped && services.stateOf
        ? await services.stateOf(args.runId, { hosts: deps.hosts, now: deps.now }).catch(() => null)
        : null;
    // No error in the logs of a run that is still alive: it may have stopped making progress (tail_logs' stall test).
    if (noRuleFinding(top) && !run?.stopped && executor) {
      const files = run ? run.logFiles : (args.logFiles ?? (args.logFile ? [args.logFile] : []));
      const processAlive = standing
        ? processAliveIn(standing.state)
        : args.runId
          ? (await services.locateLog(args.runId, { hosts: deps.hosts }).catch(() => null))?.processAlive
          : undefined;
      const { settings } = await deps.hosts.get(run?.host ?? args.host);
      const stall = await stallFinding({
        executor,
        paths: files.map((f) => onHost(f, settings) ?? f),
        ...(processAlive !== undefined ? { processAlive } : {}),
        now: deps.now,
        signal: deps.signal,
      });
      if (stall) {
        verdict.findings.unshift(stall);
        verdict.summary = `stalled: ${stall.title.replace(/^No/, "no")}`;
        top = stall;
      }
    }
    const stoppedOnPurpose = run?.stopped && noRuleFinding(top);
    const root = verdict.rootCause
      ? {
          first: rankErrorOut(verdict.rootCause.first),
          consequences: verdict.rootCause.consequences.map(rankErrorOut),
          basis: verdict.rootCause.basis,
        }
      : undefined;
    // A job the scheduler ended (time limit, node failure, its OOM killer) may leave no error in the log: say so.
    const endedByScheduler = run?.scheduler?.failed && noRuleFinding(top);
    // A run that ended normally (its log's end, or the last iteration reached and the process gone), or that is still
    // running with no error in its logs, has not failed: the ledger's state says which.
    const notFailed =
      noRuleFinding(top) && !stoppedOnPurpose && !endedByScheduler && standing && NOT_FAILED.has(standing.state)
        ? standing
        : null;
    // Then the hedges read from public cases, and `unknown` with its "get more detail" fix, would contradict the
    // summary: only findings a rule made stay.
    const findings =
      stoppedOnPurpose || notFailed ? verdict.findings.filter((f) => !noRuleFinding(f)) : verdict.findings;
    return {
      summary: stoppedOnPurpose
        ? `${args.runId} did not fail: it was stopped on request with ${run.stopped!.signal ?? "a signal"} at ${run.stopped!.at}, and its logs show no error.`
        : endedByScheduler
          ? `${args.runId} was ended by its scheduler: ${run.scheduler!.reason}; its log shows no training error.`
          : notFailed?.state === "finished"
            ? `${args.runId} did not fail: it finished (${notFailed.reason}), and its logs show no error.`
            : notFailed
              ? `${args.runId} has not failed: it is ${notFailed.state} (${notFailed.reason}), and its logs show no error so far. ${callHint("tail_logs", { runId: args.runId })} follows it.`
              : root
                ? `${verdict.summary} First to fail: ${where(root.first)}.`
                : verdict.summary,
      findings: findings.slice(0, args.limit).map(findingOut),
      stats: verdict.stats,
      codes: verdict.codes,
      knownCases: verdict.knownCases ?? [],
      ...(verdict.stack ? { stack: verdict.stack } : {}),
      ...(root ? { rootCause: root } : {}),
      notes: run?.scheduler ? [run.scheduler.reason, ...verdict.notes] : verdict.notes,
      applyWith: applySource(args),
      ...(run || args.logFile || args.logFiles ? { logHost: run?.host ?? args.host } : {}),
    };
  },
  summarize(r) {
    const lines = [r.summary];
    const nearest = r.knownCases[0];
    // Each listed report with what resolved it there, so the reader need not open the thread to judge the likeness.
    if (nearest)
      lines.push(
        `nearest known case (${nearest.similarity.toFixed(2)}): ${nearest.url}`,
        `   resolved there: ${nearest.resolution}`,
      );
    // A nearest report from the other device stack says less to this log's reader than one from its own, listed too.
    const own = r.stack && nearest?.stack && nearest.stack !== r.stack && r.knownCases.find((c) => c.stack === r.stack);
    if (own)
      lines.push(
        `nearest known case on ${r.stack} (${own.similarity.toFixed(2)}): ${own.url}`,
        `   resolved there: ${own.resolution}`,
      );
    r.findings.forEach((f, i) => {
      const tag = f.secondaryTo
        ? ` (secondary to ${f.secondaryTo})`
        : f.explainedBy
          ? ` (explained by ${f.explainedBy})`
          : "";
      lines.push(`${i + 1}. ${f.category} ${f.confidence.toFixed(2)}${tag}: ${f.cause}`);
      for (const e of f.evidence.slice(0, f.category === "stalled" ? 12 : 3))
        lines.push(`   ${e.file ? `${e.file}:` : "line "}${e.line || "end"}: ${e.text}`);
      for (const fix of f.fixes.slice(0, 3)) {
        lines.push(`   fix: ${fix.summary}`);
        if (fix.action)
          lines.push(`     apply: ${callHint("apply_fix", { ...r.applyWith, rule: f.rule, fix: fix.id })}`);
        // A command reads the host the log came from (npu-smi, ps, df there), not the machine that shows it.
        if (fix.commands?.length && r.logHost && r.logHost !== "local") lines.push(`     on ${r.logHost}:`);
        for (const c of fix.commands ?? []) lines.push(`     $ ${c}`);
        for (const [k, v] of Object.entries(fix.env ?? {})) lines.push(`     export ${k}=${v}`);
        for (const e of fix.edits ?? []) lines.push(`     edit: ${e}`);
        // What apply_fix would change, so the terminal shows the edit itself and not only its summary.
        if (fix.action?.kind === "edit") {
          lines.push(`     in ${fix.action.path}:`);
          for (const d of (fix.action.diff ?? "")
            .split("\n")
            .filter((l) => /^[-+](?![-+])/.test(l))
            .slice(0, 8))
            lines.push(`       ${d}`);
        }
      }
    });
    if (r.rootCause) {
      const f = r.rootCause.first;
      lines.push(`first to fail: ${where(f)}${f.time ? ` at ${f.time}` : ""}, line ${f.line}: ${f.text}`);
      for (const c of r.rootCause.consequences.slice(0, 8))
        lines.push(
          `  then ${where(c)}${c.time ? ` at ${c.time}` : ""}${c.consequence ? " (timed out waiting)" : ""}: ${c.text}`,
        );
    }
    for (const c of r.codes.slice(0, 8)) lines.push(`code ${c.code} (line ${c.line}): ${c.component}: ${c.meaning}`);
    for (const n of r.notes) lines.push(`note: ${n}`);
    return lines.join("\n");
  },
});
