// tail-logs --chart-file: the loss curve that MCP returns as image content, written as a PNG file on this machine. A
// terminal cannot show the image, so the CLI writes it through the local host, under its write guard (only inside
// the directories it allows) and never over an existing file; without the flag the summary says how to get it.
import { dirname, resolve } from "node:path";
import { HostFileError } from "../hosts/executor.js";
import { ensureWritable, PathNotAllowedError } from "../hosts/paths.js";
import type { HostRegistry } from "../hosts/registry.js";
import type { ToolAttachment } from "../tools/tool.js";

/** The tool whose attachments the flag writes. */
export const CHART_FILE_TOOL = "tail_logs";

export const CHART_FILE_HELP =
  "write the loss curve as a PNG to this file on this machine (implies --chart; never overwrites a file)";

/** What the summary says of a chart asked for with --chart alone: the CLI cannot show it. */
export const CHART_NOT_SHOWN = "(not shown by the CLI: --chart-file loss.png writes it to a file)";

/** A step that either gives its value or refuses with a message (the command then exits 1). */
export type ChartStep<T> = { ok: true; value: T } | { ok: false; error: string };

const exists = (path: string) => `--chart-file ${path} exists; name another file.`;

/**
 * Checks the file before the tool runs (a follow of minutes must not end in a refusal): resolved from the working
 * directory, inside the local host's allowed directories, in a directory that exists, not there yet. Gives the
 * absolute path to write.
 */
export async function claimChartFile(hosts: HostRegistry, file: string): Promise<ChartStep<string>> {
  const { executor } = await hosts.get("local");
  const asked = file.startsWith("~") ? file : resolve(file);
  let path: string;
  try {
    path = await ensureWritable(executor, asked, "--chart-file");
  } catch (error) {
    if (error instanceof PathNotAllowedError) return { ok: false, error: error.message };
    throw error;
  }
  const dir = dirname(path);
  const check = 'if [ -e "$1" ] || [ -L "$1" ]; then exit 10; fi; [ -d "$2" ] || exit 11';
  const there = await executor.run(["sh", "-c", check, "sh", path, dir], { timeoutMs: 15_000 });
  if (there.exitCode === 10) return { ok: false, error: exists(path) };
  if (there.exitCode === 11) return { ok: false, error: `--chart-file ${path}: directory ${dir} does not exist.` };
  return { ok: true, value: path };
}

/** Writes the PNG attachment to `path` (exclusively: a file that appeared meanwhile is left as it is). */
async function writeChartFile(
  hosts: HostRegistry,
  path: string,
  attachments: ToolAttachment[],
): Promise<string | null> {
  const png = attachments.find((a) => a.type === "image" && a.mimeType === "image/png");
  if (!png)
    return `no loss curve to write to ${path}: the log read holds fewer than 2 loss values (--history reads all of it); nothing written.`;
  const { executor } = await hosts.get("local");
  try {
    await executor.writeFile(path, Buffer.from(png.data, "base64"), { exclusive: true });
    return null;
  } catch (error) {
    if (error instanceof HostFileError && error.code === "EEXIST") return exists(path);
    if (error instanceof HostFileError || error instanceof PathNotAllowedError) return `--chart-file: ${error.message}`;
    throw error;
  }
}

/**
 * What became of the attachments, for the summary (`delivered`, see ToolDef.summarize; undefined when the tool
 * returned none and none was asked for), and the refusal when the file named could not be written.
 */
export async function deliverChart(
  hosts: HostRegistry,
  chartFile: string | undefined,
  attachments: ToolAttachment[],
): Promise<{ delivered?: string; error?: string }> {
  if (chartFile === undefined) return attachments.length > 0 ? { delivered: CHART_NOT_SHOWN } : {};
  const error = await writeChartFile(hosts, chartFile, attachments);
  if (error === null) return { delivered: `written to ${chartFile}` };
  return { delivered: `not written to ${chartFile} (see the error below)`, error };
}
