// How a tool's result reads in the terminal when it differs from the text models get: tail-logs shows its summary
// and the last few log lines cut to the terminal's width, unless asked for more with --lines. Output that goes to a
// pipe or a file is not a terminal: it gets every line whole, as a script reading it (grep, less, a file) expects.
import type { ToolDef } from "../tools/tool.js";

/** Log lines tail-logs shows in the terminal unless --lines asks for more. */
export const TERMINAL_LOG_LINES = 10;

const cut = (line: string, width: number) => (line.length > width ? `${line.slice(0, width - 1)}…` : line);

/**
 * The result to summarize for a person, given what they typed and how wide their terminal is (`columns` undefined when
 * the output is not a terminal: the result is then shown whole).
 */
export function terminalView(
  // biome-ignore lint/suspicious/noExplicitAny: any tool definition
  tool: ToolDef<any, any>,
  result: Record<string, unknown>,
  typed: Record<string, unknown>,
  columns: number | undefined,
): Record<string, unknown> {
  if (columns === undefined) return result;
  if (tool.name !== "tail_logs" || typed.lines !== undefined || !Array.isArray(result.lines)) return result;
  const all = result.lines as string[];
  const width = Math.max(40, columns);
  const lines = all.slice(-TERMINAL_LOG_LINES).map((l) => cut(l, width));
  const shortened = all.length > lines.length || lines.some((l, i) => l !== all[all.length - lines.length + i]);
  // Say what the view left out, and how to see it, above the lines (in brackets: it is not a line of the log).
  if (shortened)
    lines.unshift(
      `[the last ${lines.length} of ${all.length} lines, cut to ${width} columns: --lines ${all.length} or a pipe shows them whole]`,
    );
  return { ...result, lines };
}
