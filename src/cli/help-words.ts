// A tool's --help in the terminal's words. Its description and its fields' descriptions are written once, for MCP,
// where a client passes `offset`, `overwrite: true` or `trainer: "trl"`; in the terminal the same arguments are flags
// (`--offset`, `--overwrite`, `--trainer trl`), and the result is printed, not returned as fields. The MCP texts stay
// as they are: this rewrites them for --help only.
import type { FlagSpec } from "./flags.js";
import { inTerminalWords } from "./hints.js";

/**
 * What no rule can say: a result field the CLI prints in other words, or a field named as a plain noun. Each `from`
 * occurs in that tool's description or one of its fields' (test/unit/cli-help-words.test.ts keeps it so).
 */
export const CLI_WORDING: Readonly<Record<string, readonly (readonly [from: string, to: string])[]>> = {
  tail_logs: [
    [
      "Use nextOffset for incremental reads; on failure call diagnose_error with errorLines.",
      "For incremental reads pass the next offset it prints (beside the log's name) as --offset; on failure it " +
        "prints the error lines, and diagnose-error on the same run or log explains them.",
    ],
    ["(the nextOffset of an earlier call)", "(the next offset an earlier call printed)"],
    [
      "averaged into at most maxPoints points (over the whole log with history, else the end read; with offset, over " +
        "the lines returned).",
      "averaged into at most N points (over the whole log with --history, else the end read; with --offset, over the " +
        'lines returned): a JSON object whose "maxPoints" is N (default 500) and whose "fromIteration" and ' +
        `"toIteration" bound the iterations, e.g. --series '{"maxPoints": 200}', or '{}' for the defaults.`,
    ],
  ],
  diagnose_error: [
    ["rootCause names the rank and node", "its 'first to fail' line names the rank and node"],
    ["Fixes with applicable: true (an action)", "Fixes with an action (an 'apply:' line)"],
    ["or pasted text.", "or --text (the log pasted)."],
  ],
  resume_run: [["(new run id, resumedFrom set)", "(new run id, recorded as resumed from the old one)"]],
  list_hosts: [["pick the `host` for other tools", "pick the --host for other commands"]],
  install_stack: [
    ["give sources (", "give --sources ("],
    ['with extras ["qlora"]', "with --extras qlora"],
  ],
  export_model: [["(quantization, default", "(--quantization, default"]],
  convert_weights: [["(variant lora)", "(--variant lora)"]],
  estimate_memory: [
    ["or host and logFile", "or --host and --log-file"],
    ["with the chosen tp, pp and llmLayerSplit", "with the chosen --tp, --pp and --llm-layer-split"],
  ],
  build_configs: [
    ["needs pp >= 2", "needs --pp >= 2"],
    ["a multiple of pp;", "a multiple of --pp;"],
    ["(model: a Hugging Face id", "(--model: a Hugging Face id"],
    ["With variant lora (or", "With --variant lora (or"],
  ],
  run_inference: [
    ["every image in images", "every image in --images"],
    ["on the host for prompt", "on the host for --prompt"],
    ["Given a run and no images", "Given a run and no --images"],
  ],
};

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The flag that turns a field on; `--no-…` where the field defaults to true and `off` asks for it off. */
const flagOf = (spec: FlagSpec, off = false) => (off ? `--no-${spec.flag}` : `--${spec.flag}`);

/** Words before an argument's name that make it the argument: "unless overwrite", "With confirm:", "instead of chip". */
const LEAD = "(?:[Ww]ith|[Ww]ithout|[Uu]nless|[Ii]nstead of|[Aa]lternative to|[Ii]mplies|[Oo]n)";

/**
 * A tool's description or one of its fields' descriptions as its --help prints it: the per-tool wordings above, then
 * the rules of argsInTerminalWords.
 */
export function helpInTerminalWords(
  text: string,
  toolName: string,
  specs: readonly FlagSpec[],
  toolNames: readonly string[],
  specsOf?: SpecsOf,
): string {
  let out = text;
  for (const [from, to] of CLI_WORDING[toolName] ?? []) out = out.replaceAll(from, to);
  return argsInTerminalWords(out, specs, toolNames, specsOf);
}

/** Each tool's flags by the tool's name, for a clause that names another tool's arguments after its name. */
export type SpecsOf = (toolName: string) => readonly FlagSpec[] | undefined;

/**
 * A text a tool wrote for every door, as the terminal prints it — its --help, or a message or result of the command:
 * the tool's own arguments as flags where the text names them as arguments — in backticks (`offset`), as
 * `name: true`, camelCase (followSeconds), an enum with one of its values (trainer trl), or after "with", "without",
 * "unless", "instead of", "alternative to", "implies" (a switch also after "on"); a message that starts with the
 * argument it is about ("saveDir: …") names the flag; tool names as commands (see inTerminalWords). Another tool's
 * arguments read as its flags by the same rules in the clause right after its name ("build_configs with trainer trl
 * and peft qlora", "convert_weights method resplit", up to the next , ; . ( or ")"). A plain word that is also an
 * argument's name ("the host", "a prompt") stays a word, and so do a key (`{"microBatchSize": 4}`, `masterPort:
 * 6000`, cfg.saveDir), a path and another tool's names elsewhere, such as the JSON keys a --config takes.
 */
export function argsInTerminalWords(
  text: string,
  specs: readonly FlagSpec[],
  toolNames: readonly string[],
  specsOf?: SpecsOf,
): string {
  let out = text;
  if (specsOf) {
    for (const name of toolNames) {
      const theirs = specsOf(name);
      if (!theirs) continue;
      out = out.replace(
        new RegExp(`\\b(${name})\\b(?! ?\\{)([^,;.()\\n]*)`, "g"),
        // As the command is typed: "with" before its first flag and "and" between flags go.
        (_all, tool: string, clause: string) =>
          tool +
          flagsOf(clause, theirs)
            .replace(/^ with (?=--)/, " ")
            .replace(/(--\S+(?: [^\s-]\S*)?) and (?=--)/g, "$1 "),
      );
    }
  }
  // "saveDir: …" at the start is the argument the message is about; elsewhere "masterPort: 6000" is a key.
  for (const s of specs) {
    if (/^[a-z]+[A-Z]\w*$/.test(s.field) && out.startsWith(`${s.field}: `))
      out = `${flagOf(s)}${out.slice(s.field.length)}`;
  }
  return inTerminalWords(flagsOf(out, specs), toolNames);
}

/** The arguments of one tool that `text` names as arguments, as that tool's flags (see argsInTerminalWords). */
function flagsOf(text: string, specs: readonly FlagSpec[]): string {
  let out = text;
  // Not part of a word, a flag (--x), a path, a key ("x", <x>, {x}) or a dotted name (cfg.x).
  const before = `(?<![-\\w./"'<{])`;
  const after = `(?![-\\w/"'>}])`;
  for (const s of specs) {
    const f = literal(s.field);
    if (s.type === "boolean") {
      out = out.replace(new RegExp(`\`?${before}${f}: true\`?`, "g"), flagOf(s));
      out = out.replace(new RegExp(`\`?${before}${f}: false\`?`, "g"), flagOf(s, s.defaultValue === true));
      out = out.replace(new RegExp(`(\\b[Uu]nless) ${f} is true\\b`, "g"), `$1 ${flagOf(s)}`);
    }
    out = out.replace(new RegExp(`\`${f}\``, "g"), flagOf(s));
    if (s.choices) {
      const choice = s.choices.map(literal).join("|");
      out = out.replace(new RegExp(`${before}${f} "?(${choice})"?(?![-\\w])`, "g"), `${flagOf(s)} $1`);
    }
    // After a leading word a switch is always the argument; another argument when a punctuation mark or the end
    // follows ("with offset, over …", "Instead of prompts: …", "unless prompt)").
    const ends = s.type === "boolean" ? after : `(?=[,:;.)]|$)`;
    out = out.replace(new RegExp(`\\b(${LEAD}) ${f}${ends}`, "g"), (all, lead: string) =>
      /^on$/i.test(lead) && s.type !== "boolean" ? all : `${lead} ${flagOf(s)}`,
    );
    if (/^[a-z]+[A-Z]\w*$/.test(s.field)) out = out.replace(new RegExp(`${before}${f}${after}(?!:)`, "g"), flagOf(s));
  }
  return out;
}
