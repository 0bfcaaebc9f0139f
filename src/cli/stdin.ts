// Logs as a shell hands them to the CLI. A log piped in (`kubectl logs pod | ascend-train diagnose-error`,
// `diagnose-error - < train.log`, `--log-file -`): for the tools that take pasted log text (diagnose_error, apply_fix),
// standard input becomes that text when LOGFILE is `-`, or when no log is named and standard input is a pipe or a
// file; a terminal or a socket (how a parent process that passes nothing leaves it) is never read, so nothing waits
// on input no one will type. And a log path typed with `..` for the local host, resolved as the shell would.
import { fstatSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_TEXT } from "../diagnosis/request.js";
import { kebab, POSITIONAL, UsageError } from "./flags.js";
import { CLI_COMMAND } from "./hints.js";

/** The fields that name a log; when none is given, standard input may be the log. */
const LOG_SOURCES = ["logFile", "logFiles", "runId", "text"] as const;

/** Whether standard input is a pipe or a redirected file: something a person sent on purpose. */
function stdinIsPiped(): boolean {
  try {
    const s = fstatSync(0);
    return s.isFIFO() || s.isFile();
  } catch {
    return false;
  }
}

/** Standard input as text, refused past `limit` characters with what to do instead. */
async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) {
      process.stdin.destroy();
      throw new UsageError(
        `standard input holds more than ${limit / 1024 / 1024} MiB: save the log to a file and name it ` +
          "(LOGFILE or --log-file), which is read whole with flat memory.",
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Moves a piped log into `input.text` for a tool whose input takes pasted text: when logFile is `-`, or when no log
 * source is given and standard input is a pipe or a file. With no source and nothing piped, says every way to give
 * the log. Returns whether it read standard input.
 */
export async function pipedLog(
  tool: string,
  fields: readonly string[],
  input: Record<string, unknown>,
): Promise<boolean> {
  if (!fields.includes("text") || !fields.includes("logFile")) return false;
  const dash = input.logFile === "-";
  if (!dash && LOG_SOURCES.some((f) => input[f] !== undefined)) return false;
  if (!dash && !stdinIsPiped()) {
    const command = `${CLI_COMMAND} ${kebab(tool)}`;
    const file =
      POSITIONAL[tool]?.field === "logFile" ? `${command} /path/to/train.log` : `--log-file /path/to/train.log`;
    throw new UsageError(
      `missing the log: a file (${file}), --log-files, --run-id, --text, or piped in (cat train.log | ${command})`,
    );
  }
  if (dash && input.text !== undefined)
    throw new UsageError('LOGFILE "-" reads the log from standard input: drop --text or the "-".');
  delete input.logFile;
  input.text = await readStdin(MAX_TEXT);
  return true;
}

/**
 * A log path typed in this shell with `..` in it (`diagnose-error ../run/train.log`), for the local host: resolved
 * against the current directory, as the shell would, so the tools' refusal of `..` (and their readable-directory
 * check, which still applies to the result) meets the path the person meant.
 */
export function localLogPaths(input: Record<string, unknown>): void {
  if ((input.host ?? "local") !== "local") return;
  const typed = (p: unknown) => (typeof p === "string" && p.split("/").includes("..") ? resolve(p) : p);
  if (input.logFile !== undefined) input.logFile = typed(input.logFile);
  if (Array.isArray(input.logFiles)) input.logFiles = input.logFiles.map(typed);
}
