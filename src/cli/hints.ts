// Hints in the terminal's words: `--confirm`, `ascend-train tail-logs RUN_ID --follow-seconds 60`.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { shellQuote } from "../hosts/quote.js";
import type { Hint, HintRenderer } from "../text/hint.js";
import { kebab, POSITIONAL } from "./flags.js";

const word = (value: unknown): string => shellQuote(typeof value === "string" ? value : JSON.stringify(value));

function flags(args: Record<string, unknown>, skip?: string): string[] {
  return Object.entries(args).flatMap(([field, value]) => {
    if (field === skip || value === undefined) return [];
    if (value === true) return [`--${kebab(field)}`];
    if (value === false) return [`--no-${kebab(field)}`];
    if (Array.isArray(value)) return [`--${kebab(field)}`, value.map(String).join(",")].map(word);
    return [`--${kebab(field)}`, word(value)];
  });
}

/**
 * The command to type after this process has ended, in any shell of this machine: `ascend-train` only when it is on
 * PATH (installed globally) and this process was not started through npm; otherwise `npx ascend-train`, which finds the
 * checkout's own bin (`npm run demo`, `node bin/ascend-train.js`) where a bare `ascend-train` is "command not found".
 */
export function commandToType(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_command) return "npx ascend-train";
  const onPath = (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, "ascend-train")));
  return onPath ? "ascend-train" : "npx ascend-train";
}

/** The command every hint of this process names, so it can be typed as shown (see commandToType). */
export const CLI_COMMAND = commandToType();

export const renderCliHint: HintRenderer = ({ tool, args }: Hint) => {
  if (!tool) return flags(args).join(" ");
  const positional = POSITIONAL[tool];
  const first = positional && args[positional.field] !== undefined ? [word(args[positional.field])] : [];
  return [CLI_COMMAND, kebab(tool), ...first, ...flags(args, positional?.field)].join(" ");
};

/** The flags of a tool a hint names: which it requires and which it has. */
export type ToolFields = (tool: string) => { required: string[]; all: string[] } | undefined;

/**
 * Hints as typed after this command: a call of another tool that leaves out one of its required flags, or the host,
 * takes it from this command's input, so every printed command runs as shown.
 */
export function cliHintRenderer(given: Record<string, unknown>, fieldsOf: ToolFields): HintRenderer {
  return (hint: Hint) => {
    const fields = hint.tool ? fieldsOf(hint.tool) : undefined;
    if (!fields) return renderCliHint(hint);
    const carried = [...fields.required];
    if (fields.all.includes("host") && hint.args.hosts === undefined) carried.push("host");
    const filled = Object.fromEntries(
      carried.filter((f) => hint.args[f] === undefined && given[f] !== undefined).map((f) => [f, given[f]]),
    );
    return renderCliHint({ tool: hint.tool, args: { ...filled, ...hint.args } });
  };
}

/**
 * Tool descriptions and messages are written once for every door; in the terminal the tools are commands: `list_runs`
 * reads `list-runs`, `confirm: true` reads `--confirm`, and `tail_logs {runId}` reads `tail-logs RUN_ID` where the
 * argument is the command's positional. A tool's own arguments read as its flags by help-words.ts
 * (argsInTerminalWords), which ends here.
 */
export function inTerminalWords(text: string, toolNames: readonly string[]): string {
  let out = text;
  for (const name of toolNames) {
    const positional = POSITIONAL[name];
    if (positional) {
      out = out.replace(
        new RegExp(`\\b${name} \\{${positional.field}\\}`, "g"),
        `${name.replaceAll("_", "-")} ${positional.name}`,
      );
    }
    out = out.replace(new RegExp(`\\b${name}\\b`, "g"), name.replaceAll("_", "-"));
  }
  for (const field of ["confirm", "overwrite"]) {
    out = out.replace(new RegExp(`\\b${field}: true\\b`, "g"), `--${kebab(field)}`);
  }
  return out;
}
