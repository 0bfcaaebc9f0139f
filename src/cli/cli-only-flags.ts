// Flags a tool takes only in the terminal, beside those derived from its input schema (flags.ts): what MCP returns as
// content the CLI cannot print, such as tail-logs' loss curve, goes to a file. Both the commands and the README's
// tool table list them from here.
import { CHART_FILE_HELP, CHART_FILE_TOOL } from "./chart-file.js";

export interface CliOnlyFlag {
  /** As commander takes it: `--chart-file <file.png>`. */
  flags: string;
  description: string;
}

export const CLI_ONLY_FLAGS: Readonly<Record<string, readonly CliOnlyFlag[]>> = {
  [CHART_FILE_TOOL]: [{ flags: "--chart-file <file.png>", description: CHART_FILE_HELP }],
};

/** The flags alone (`--chart-file`), for the README's table. */
export const cliOnlyFlagNames = (tool: string): string[] =>
  (CLI_ONLY_FLAGS[tool] ?? []).map((f) => f.flags.split(" ")[0]!);
