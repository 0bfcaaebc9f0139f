// Hints in the terminal's words: `--confirm`, `ascend-train tail-logs RUN_ID --follow-seconds 60`.
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

/** How the person started this CLI, so a hint can be typed as shown: through npx (npm sets npm_command=exec), or directly. */
const COMMAND = process.env.npm_command === "exec" ? "npx ascend-train" : "ascend-train";

export const renderCliHint: HintRenderer = ({ tool, args }: Hint) => {
  if (!tool) return flags(args).join(" ");
  const positional = POSITIONAL[tool];
  const first = positional && args[positional.field] !== undefined ? [word(args[positional.field])] : [];
  return [COMMAND, kebab(tool), ...first, ...flags(args, positional?.field)].join(" ");
};

/**
 * Tool descriptions are written once for every door; in the terminal the tools are commands: `list_runs` reads
 * `list-runs`, `confirm: true` reads `--confirm`.
 */
export function inTerminalWords(text: string, toolNames: readonly string[]): string {
  let out = text.replace(/\bconfirm: true\b/g, "--confirm").replace(/\boverwrite: true\b/g, "--overwrite");
  for (const name of toolNames) out = out.replace(new RegExp(`\\b${name}\\b`, "g"), name.replaceAll("_", "-"));
  return out;
}
