// The input shared by diagnose_error and apply_fix: which log (file on a host, run id, or pasted text), the run's
// config, and how the result is shaped for tools (structured output without the full edit texts).
import { posix } from "node:path";
import { z } from "zod";
import { ToolError } from "../errors.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { onHost } from "../hosts/paths.js";
import { shellJoin } from "../hosts/quote.js";
import type { WorkDeps } from "../hosts/work.js";
import { RUN_ID, RunIdSchema } from "../runs/types.js";
import { type RunContext, refineFindings } from "./context.js";
import { forHostAccelerator } from "./cuda-host.js";
import { lookupRun, type RunLookup, type RunRecord } from "./runs.js";
import { diagnoseHostFiles, diagnoseNodeLogs, diagnoseText } from "./sources.js";
import type { Finding, FixAction, Verdict } from "./types.js";

export const MAX_TEXT = 16 * 1024 * 1024;

export const RunContextSchema = z
  .object({
    scriptPath: z.string().min(1).optional().describe("Launch script on the host (holds --micro-batch-size)."),
    modelJsonPath: z.string().min(1).optional().describe("model.json on the host (holds pipeline_num_layers)."),
    microBatchSize: z.number().int().min(1).optional(),
    tp: z.number().int().min(1).optional(),
    pp: z.number().int().min(1).optional(),
    numKvHeads: z.number().int().min(1).optional(),
    numLayers: z.number().int().min(1).optional(),
    llmPpLayers: z.array(z.number().int().min(0)).optional().describe("The training's LLM layer split per PP stage."),
    vitPpLayers: z.array(z.number().int().min(0)).optional(),
    convertedLlmPpLayers: z
      .array(z.number().int().min(0))
      .optional()
      .describe("The split the weights were converted with."),
    convertedVitPpLayers: z.array(z.number().int().min(0)).optional(),
    masterPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();

export const sourceShape = {
  host: z.string().min(1).default("local").describe("Host holding the log (and where fixes would apply)."),
  logFile: z
    .string()
    .min(1)
    .optional()
    .describe("Path of the log on the host (a relative path is read from the host's workdir)."),
  logFiles: z
    .array(z.string().min(1))
    .min(1)
    .max(256)
    .optional()
    .describe("Several logs read together, e.g. one per rank."),
  runId: RunIdSchema.optional().describe("A run launched by launch_train; its logs and config are looked up."),
  text: z.string().max(MAX_TEXT).optional().describe("Log text pasted directly (up to 16 MiB)."),
  config: RunContextSchema.optional().describe(
    "What is known about the run, to make fixes concrete. Keys: scriptPath, modelJsonPath, microBatchSize, tp, pp, " +
      "numKvHeads, numLayers, llmPpLayers, vitPpLayers, convertedLlmPpLayers, convertedVitPpLayers, masterPort " +
      '(e.g. {"microBatchSize": 4, "tp": 2}).',
  ),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .optional()
    .describe("Read at most this many bytes per file (its head and tail beyond it); default: the whole file."),
};

export const SourceSchema = z.object(sourceShape);
type SourceArgs = z.output<typeof SourceSchema>;

export const sourceCheck = (a: SourceArgs) =>
  [a.logFile, a.logFiles, a.runId, a.text].filter((x) => x !== undefined).length === 1;
export const SOURCE_MESSAGE = "Give exactly one of logFile, logFiles, runId or text.";

export interface Diagnosis {
  verdict: Verdict;
  /** The run the log belongs to, when it was named by run id. */
  run?: RunRecord;
  executor?: HostExecutor;
  settings?: HostSettings;
}

/** Reads and diagnoses the requested log, then makes the fixes concrete for the host and run. */
export async function diagnoseRequest(args: SourceArgs, deps: WorkDeps, runs: RunLookup): Promise<Diagnosis> {
  let host = args.host;
  let files = args.logFiles ?? (args.logFile ? [args.logFile] : undefined);
  let config: RunContext | undefined = args.config;
  let run: RunRecord | undefined;
  if (args.runId) {
    run = await lookupRun(args.runId, deps.hosts, runs);
    host = run.host;
    files = run.logFiles;
    config = { ...run.config, ...args.config };
  }
  let verdict: Verdict;
  let executor: HostExecutor | undefined;
  let settings: HostSettings | undefined;
  const needHost = files !== undefined || config !== undefined || args.host !== "local";
  if (needHost) ({ executor, settings } = await deps.hosts.get(host));
  if (files && settings) {
    // Relative names are read from the host's workdir, as every tool reads them.
    const where = settings;
    files = files.map((f) => onHost(f, where) ?? f);
  }
  const nodes = run?.nodes && run.nodes.length > 1 ? run.nodes : undefined;
  if (nodes) {
    // A multi-node run: every node's log is read on its own host, so the rank that failed first can be named.
    deps.progress({ progress: 0, message: `reading the logs of ${nodes.length} nodes` });
    const logs = [];
    for (const n of nodes) {
      const { executor: onNode } = await deps.hosts.get(n.host);
      logs.push({ executor: onNode, node: { host: n.host, nodeRank: n.nodeRank }, paths: [n.logFile] });
    }
    try {
      verdict = await diagnoseNodeLogs(logs, { maxBytes: args.maxBytes, signal: deps.signal });
    } catch (error) {
      if (error instanceof HostFileError) throw new ToolError(`Cannot read a node's log: ${error.message}`);
      throw error;
    }
  } else if (files) {
    deps.progress({ progress: 0, message: `reading ${files.length} log file(s) on ${host}` });
    try {
      verdict = await diagnoseHostFiles(executor!, files, {
        maxBytes: args.maxBytes,
        signal: deps.signal,
        onProgress: (read, total) => deps.progress({ progress: read, total, unit: "bytes", message: "scanning" }),
      });
    } catch (error) {
      if (error instanceof HostFileError) {
        // A run id given where a log path goes (the CLI's positional is a log file): say where it belongs.
        const name = files.length === 1 ? posix.basename(files[0]!) : "";
        const hint = RUN_ID.test(name)
          ? ` "${name}" is a run id: give it as runId to read that run's logs on its hosts.`
          : "";
        throw new ToolError(`Cannot read the log on ${host}: ${error.message}${hint}`);
      }
      throw error;
    }
  } else {
    verdict = diagnoseText(args.text ?? "");
  }
  verdict = forHostAccelerator(verdict, settings, host);
  await refineFindings(verdict.findings, { executor, settings, config, host });
  return { verdict, executor, settings, ...(run ? { run } : {}) };
}

export const ActionSchema = z.object({
  kind: z.enum(["commands", "edit", "kill"]),
  description: z.string(),
  commands: z.array(z.string()).optional(),
  targets: z
    .array(z.object({ pid: z.number(), command: z.string() }))
    .optional()
    .describe("kill: each process and the command line it must still run when the fix is applied."),
  path: z.string().optional(),
  diff: z.string().optional(),
});

/** A device stack a log or a report names (types.ts DeviceStack). */
export const DeviceStackSchema = z.enum(["NPU", "CUDA"]);

export const KnownCaseSchema = z.object({
  url: z.string(),
  title: z.string(),
  resolution: z.string(),
  category: z.string(),
  similarity: z.number().describe("0..1, over normalised error lines"),
  stack: DeviceStackSchema.optional().describe(
    "The device stack the report's log names, when it names one and not the other.",
  ),
});

export const DecodedCodeSchema = z.object({
  code: z.string(),
  component: z.string(),
  meaning: z.string(),
  cause: z.string().optional(),
  category: z.string().optional(),
  line: z.number(),
  file: z.string().optional(),
  source: z.string().optional(),
});

export const FindingSchema = z.object({
  category: z.string(),
  rule: z.string(),
  title: z.string(),
  confidence: z.number(),
  role: z.enum(["primary", "secondary"]),
  secondaryTo: z.string().optional(),
  explainedBy: z.string().optional(),
  occurrences: z.number(),
  evidence: z.array(
    z.object({
      line: z.number(),
      text: z.string(),
      file: z.string().optional(),
      source: z.string().optional(),
      offset: z.number().optional(),
    }),
  ),
  cause: z.string(),
  fixes: z.array(
    z.object({
      id: z.string(),
      summary: z.string(),
      commands: z.array(z.string()).optional(),
      env: z.record(z.string(), z.string()).optional(),
      edits: z.array(z.string()).optional(),
      action: ActionSchema.optional().describe("A change apply_fix can make (with confirm: true)."),
      applicable: z
        .boolean()
        .describe("apply_fix can carry out this fix (it has an action); otherwise it is a step by hand."),
    }),
  ),
  references: z.array(z.string()),
  facts: z.record(z.string(), z.string()),
  knownCases: z.array(KnownCaseSchema).optional().describe("Public reports closest to this log, best first."),
});

export type FindingOut = z.output<typeof FindingSchema>;

export function actionOut(a: FixAction): z.output<typeof ActionSchema> {
  if (a.kind === "commands")
    return { kind: a.kind, description: a.description, commands: a.argv.map((argv) => shellJoin(argv)) };
  if (a.kind === "kill")
    return {
      kind: a.kind,
      description: a.description,
      commands: a.targets.map((t) => shellJoin(["kill", String(t.pid)])),
      targets: a.targets,
    };
  return { kind: a.kind, description: a.description, path: a.path, diff: a.diff };
}

/** Longest evidence line returned; a log line can be megabytes long (a dumped tensor, a minified payload). */
const MAX_EVIDENCE_CHARS = 2000;

function capLine(text: string): string {
  if (text.length <= MAX_EVIDENCE_CHARS) return text;
  return `${text.slice(0, MAX_EVIDENCE_CHARS)}…[line truncated, ${text.length} characters]`;
}

export function findingOut(f: Finding): FindingOut {
  return {
    ...f,
    evidence: f.evidence.map(({ time: _time, context: _context, ...e }) => ({ ...e, text: capLine(e.text) })),
    fixes: f.fixes.map(({ action, ...rest }) =>
      action ? { ...rest, action: actionOut(action), applicable: true } : { ...rest, applicable: false },
    ),
  };
}
