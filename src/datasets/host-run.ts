// Runs the dataset program on a host and turns its protocol into a typed result; moves finished output into place
// without following a symlink (src/hosts/no-follow.ts).
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { z } from "zod";
import { ToolError } from "../errors.js";
import type { HostExecutor } from "../hosts/executor.js";
import { enterParentScript, NO_FOLLOW_EXIT, placeScript } from "../hosts/no-follow.js";
import { shellQuote, trapScript } from "../hosts/quote.js";
import type { Container, DatasetRules, MllmKeys, RecordFormat } from "./formats.js";
import { DATASET_HOST_SCRIPT } from "./host-script.js";

export interface HostScriptArgs {
  input: string;
  /** Set with tmp: convert; absent: validate only. */
  output?: string;
  tmp?: string;
  from: RecordFormat | "auto";
  to?: RecordFormat;
  /** A dataset class's own rules on top of the record format (Ming's VLDataset). */
  rules?: DatasetRules;
  outputFormat?: Container;
  keys: MllmKeys;
  imageDir: string;
  imagePrefix?: string;
  checkImages: boolean;
  skipInvalid: boolean;
  overwrite: boolean;
  maxProblems: number;
}

export const DatasetProblem = z.object({
  index: z.number().describe("0-based record index (JSON Lines: among non-blank lines)"),
  kind: z
    .string()
    .describe(
      "fields, roles, placeholders, json, record, image-missing, image-format, image-unreadable, image-outside (leaves imageDir), video-missing, video-outside, ocr-shape, ming-shape",
    ),
  message: z.string(),
});
export type DatasetProblem = z.output<typeof DatasetProblem>;

const HostScriptResult = z.object({
  container: z.enum(["json", "jsonl"]),
  outputFormat: z.enum(["json", "jsonl"]).nullable(),
  records: z.number(),
  valid: z.number(),
  invalid: z.number(),
  written: z.number(),
  images: z.number(),
  videos: z.number(),
  distinctMediaChecked: z.number(),
  recordFormats: z.record(z.string(), z.number()),
  problems: z.array(DatasetProblem),
  problemCounts: z.record(z.string(), z.number()),
  firstRecord: z.unknown(),
  tmpKept: z.boolean(),
  peakRssKb: z.number().nullable(),
  seconds: z.number(),
});
export type HostScriptResult = z.output<typeof HostScriptResult>;

export interface RunOptions {
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number, records: number) => void;
}

/** Runs the program with python3 on the host (program on stdin, arguments as one JSON word). */
export async function runDatasetScript(
  executor: HostExecutor,
  args: HostScriptArgs,
  opts: RunOptions,
): Promise<HostScriptResult> {
  let pending = "";
  const onStdout = (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("P ")) continue;
      const [bytes, total, records] = line.slice(2).split(" ").map(Number);
      opts.onProgress?.(bytes ?? 0, total ?? 0, records ?? 0);
    }
  };
  const result = await executor.run(["python3", "-", JSON.stringify(args)], {
    stdin: DATASET_HOST_SCRIPT,
    cwd: opts.cwd,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onStdout,
  });
  if (result.timedOut) {
    throw new ToolError(
      `The dataset job on ${executor.name} ran past ${Math.round(opts.timeoutMs / 1000)} s and was stopped; raise timeoutSec.`,
    );
  }
  if (result.exitCode === 127 || /python3: (command )?not found/.test(result.stderr)) {
    throw new ToolError(
      `python3 was not found on ${executor.name}; the dataset tools run a small stdlib-only Python 3 program next to the data.`,
    );
  }
  const line = result.stdout.split("\n").find((l) => l.startsWith("R "));
  if (!line) {
    const tail = result.stderr.trim().split("\n").slice(-5).join("\n");
    throw new ToolError(`The dataset job on ${executor.name} failed (exit ${result.exitCode}): ${tail || "no output"}`);
  }
  const payload = JSON.parse(line.slice(2)) as unknown;
  if (typeof payload === "object" && payload !== null && "fatal" in payload) {
    throw new ToolError(`${args.input}: ${String((payload as { fatal: unknown }).fatal)}`);
  }
  return HostScriptResult.parse(payload);
}

/** A hidden temporary name next to the output, so the final rename stays on one filesystem. */
export function tempNameFor(output: string): string {
  const dir = posix.dirname(output);
  return posix.join(dir, `.${posix.basename(output)}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Puts tmp (a name next to output) in place following no symlink: the output's directory is entered once and must
 * still be the checked one, then `mv -T` (overwrite) or `ln` (no clobber, atomic) acts on names relative to it. Without
 * overwrite, an output that appeared meanwhile is left alone. Either way the temporary file is gone afterwards.
 */
export async function moveIntoPlace(
  executor: HostExecutor,
  tmp: string,
  output: string,
  overwrite: boolean,
  cwd?: string,
): Promise<void> {
  if (posix.dirname(tmp) !== posix.dirname(output)) throw new Error(`${tmp} is not next to ${output}`);
  const tmpName = posix.basename(tmp);
  const script = [
    enterParentScript(output),
    trapScript(`rm -f -- ${shellQuote(`./${tmpName}`)}`, "EXIT"),
    placeScript(tmpName, !overwrite),
  ].join("\n");
  const moved = await executor.runScript(script, { cwd, timeoutMs: 60_000 });
  if (moved.exitCode === 0) return;
  const why =
    moved.exitCode === NO_FOLLOW_EXIT.exists
      ? `${output} already exists`
      : moved.stderr.trim() || `exit ${moved.exitCode}`;
  throw new ToolError(`Could not move the converted file into place: ${why}. Nothing was changed.`);
}

/** One line per problem, for error messages and summaries. */
export function formatProblems(problems: readonly DatasetProblem[]): string {
  return problems.map((p) => `  #${p.index} ${p.kind}: ${p.message}`).join("\n");
}

export function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
}

/** The counts both dataset tools report, from the host program's result. */
export function resultCounts(result: HostScriptResult, startedMs: number) {
  return {
    records: result.records,
    valid: result.valid,
    invalid: result.invalid,
    images: result.images,
    videos: result.videos,
    distinctMediaChecked: result.distinctMediaChecked,
    problemCounts: result.problemCounts,
    problems: result.problems,
    hostPeakRssMb: result.peakRssKb === null ? null : Math.round(result.peakRssKb / 102.4) / 10,
    seconds: Math.round((Date.now() - startedMs) / 100) / 10,
  };
}
