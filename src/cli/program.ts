// `ascend-train`: every tool as a subcommand, plus mcp (stdio), serve (HTTP), ui (the dashboard), demo, sim and chat.
import { Command, CommanderError, Option } from "commander";
import { shellQuote } from "../hosts/quote.js";
import { forTerminal } from "../hosts/redact.js";
import { HostRegistry } from "../hosts/registry.js";
import { renderHints } from "../text/hint.js";
import { allTools } from "../tools/index.js";
import { invokeTool } from "../tools/invoke.js";
import { VERSION } from "../version.js";
import { claimChartFile, deliverChart } from "./chart-file.js";
import { CLI_ONLY_FLAGS } from "./cli-only-flags.js";
import {
  addFlags,
  type FlagSpec,
  flagSpecs,
  flagWithExample,
  kebab,
  optionsToInput,
  POSITIONAL,
  UsageError,
} from "./flags.js";
import { argsInTerminalWords, helpInTerminalWords, type SpecsOf } from "./help-words.js";
import { CLI_COMMAND, cliHintRenderer, type ToolFields } from "./hints.js";
import { stopOnSignalsAndOrphaning } from "./lifetime.js";
import { installFatalHandlers, printFatal } from "./print-error.js";
import { progressPrinter } from "./progress.js";
import { addSimCommands } from "./sim-commands.js";
import { localLogPaths, pipedLog } from "./stdin.js";

import { parseToolsets, TOOLSETS } from "./toolsets.js";
import { terminalView } from "./views.js";

/** The exit codes every command keeps to; shown in --help and the README. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  did what was asked (a plan shown without --confirm counts)
  1  ran and failed or refused (a failed pre-flight or check, nothing written, not ready, no match)
  2  usage or invalid input (an unknown or missing flag, a value of the wrong kind)
With --json an error is also printed on stdout as {"error": "...", "kind": "usage|input|tool|host|internal"}.`;

export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

function mergePositional(
  positional: string | undefined,
  input: Record<string, unknown>,
  spec: { field: string; name: string } | undefined,
): void {
  if (!spec || positional === undefined) return;
  const given = input[spec.field];
  if (given !== undefined && given !== positional) {
    throw new UsageError(`${spec.name} given twice: "${positional}" and --${kebab(spec.field)} "${String(given)}".`);
  }
  input[spec.field] = positional;
}

function checkRequired(toolName: string, specs: FlagSpec[], input: Record<string, unknown>): void {
  const positional = POSITIONAL[toolName];
  const missing = specs.filter((s) => s.required && input[s.field] === undefined);
  if (missing.length === 0) return;
  const says = missing.map((s) =>
    s.field === positional?.field
      ? `${positional.name} (e.g. ascend-train ${kebab(toolName)} ${s.example})`
      : `--${s.flag} (e.g. ${flagWithExample(s)})`,
  );
  throw new UsageError(`missing ${says.join(", ")}`);
}

/**
 * What to do with a word commander found left over. A lone word given to a command that takes no positional while a
 * required flag is missing is that flag's value (`estimate-memory qwen2.5vl-3b`); otherwise it is most often a value
 * given to a switch (--confirm yes) or a name with spaces not quoted.
 */
function leftoverHint(argv: string[]): string {
  const generic =
    "A switch such as --confirm or --overwrite takes no value (write it alone), and a value with spaces needs quotes ('qwen2.5 vl 3b').";
  const words = argv.slice(2);
  const at = words.findIndex((w) => TOOL_SPECS.has(w.replaceAll("-", "_")));
  if (at < 0) return generic;
  const tool = words[at]!.replaceAll("-", "_");
  const specs = TOOL_SPECS.get(tool)!;
  const flagOf = (word: string) => specs.find((s) => `--${s.flag}` === word.split("=")[0]);
  const given = new Set<string>();
  const loose: number[] = [];
  for (let i = at + 1; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("--")) {
      loose.push(i);
      continue;
    }
    const spec = flagOf(word);
    if (spec) given.add(spec.field);
    if (spec && spec.type !== "boolean" && !word.includes("=")) i++;
    else if (!spec && word === "--input-json") i++;
  }
  const missing = specs.filter((s) => s.required && !given.has(s.field) && POSITIONAL[tool]?.field !== s.field);
  if (POSITIONAL[tool] || loose.length !== 1 || missing.length !== 1) return generic;
  const flag = missing[0]!;
  const typed = words
    .slice(at + 1)
    .map((w, i) => (at + 1 + i === loose[0] ? `--${flag.flag} ${shellQuote(w)}` : shellQuote(w)));
  return `${kebab(tool)} takes its ${flag.field} as --${flag.flag}: ${CLI_COMMAND} ${kebab(tool)} ${typed.join(" ")}`;
}

/**
 * What to say for an unknown option that is a switch given a value with `=` (`--confirm=true`): commander takes
 * `--flag=value` for a flag that takes a value, so a known name before the `=` is a switch of that command. Null for
 * anything else.
 */
export function switchValueHint(program: Command, argv: readonly string[], message: string): string | null {
  const typed = /unknown option '(--[^'=]+)=([^']*)'/.exec(message);
  if (!typed) return null;
  const [, flag, value] = typed as unknown as [string, string, string];
  // The deepest command the words name (`sim init`, a tool), whose options and the program's apply.
  let cmd = program;
  for (const word of argv.slice(2)) {
    if (word.startsWith("-")) continue;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    cmd = sub;
  }
  const longs = new Set([cmd, program].flatMap((c) => c.options.map((o) => o.long)));
  const off = /^(false|no|off|0)$/i.test(value);
  const name = flag.slice(2);
  if (longs.has(flag))
    return off
      ? `${flag} is a switch and takes no value: leave it out for ${value} (${flag}=${value} is not a form it reads).`
      : `${flag} is a switch and takes no value: write ${flag} alone, not ${flag}=${value}.`;
  // On by default: only its --no- form is an option.
  if (longs.has(`--no-${name}`))
    return off
      ? `--${name} is on unless turned off, and takes no value: write --no-${name}, not ${flag}=${value}.`
      : `--${name} is on unless turned off, and takes no value: leave ${flag}=${value} out.`;
  return null;
}

const TOOL_NAMES = allTools.map((t) => t.name);
/** Each tool's flags, for its own command and for the clauses of other commands' texts that name its arguments. */
const TOOL_SPECS = new Map(allTools.map((t) => [t.name, flagSpecs(t.input)]));
const specsOf: SpecsOf = (name) => TOOL_SPECS.get(name);
/** Each tool's required and known fields, for hints that name it. */
const TOOL_FIELDS = new Map(
  [...TOOL_SPECS].map(([name, specs]) => [
    name,
    { required: specs.filter((s) => s.required).map((s) => s.field), all: specs.map((s) => s.field) },
  ]),
);
const toolFields: ToolFields = (name) => TOOL_FIELDS.get(name);
/** Suggested commands as the person can type them here (`npx ascend-train …` when the CLI was started through npx). */
const asTyped = (text: string): string => text.replace(/^(\s*)ascend-train /gm, `$1${CLI_COMMAND} `);

/** Every tool as a subcommand of `program`: flags from its schema, help in the terminal's words (help-words.ts). */
export function addToolCommands(program: Command): void {
  for (const tool of allTools) {
    const own = TOOL_SPECS.get(tool.name)!;
    const helpWords = (text: string) => helpInTerminalWords(text, tool.name, own, TOOL_NAMES, specsOf);
    // Its messages and results by the same rules as its --help: its own arguments as flags, keys left as keys.
    const terminalWords = (text: string) => argsInTerminalWords(text, own, TOOL_NAMES, specsOf);
    const specs = own.map((s) => ({ ...s, description: helpWords(s.description) }));
    const positional = POSITIONAL[tool.name];
    const cmd = program
      .command(kebab(tool.name))
      .summary(tool.title)
      .description(
        `${helpWords(tool.description)}\n\nKind: ${tool.kind}${tool.kind === "destructive" ? " (acts only with --confirm)" : ""}.`,
      )
      .option("--json", "print exactly the tool's structured result as JSON")
      .option("--input-json <json>", "the whole input as one JSON object (flags override its fields)")
      .addHelpText("after", EXIT_CODES_HELP);
    if (positional) {
      const spec = specs.find((s) => s.field === positional.field);
      // A log piped in is read when LOGFILE is `-` or none is named (stdin.ts).
      const piped = positional.field === "logFile" ? "; - or a pipe reads it from standard input" : "";
      cmd.argument(
        `[${positional.name}]`,
        `${spec?.description ?? positional.field} (or --${kebab(positional.field)}${piped})`,
      );
    }
    if (tool.name === "audit_log") cmd.alias("audit");
    addFlags(cmd, specs);
    for (const f of CLI_ONLY_FLAGS[tool.name] ?? []) cmd.option(f.flags, f.description);
    cmd.action(async (...actionArgs: unknown[]) => {
      const typedPositional = positional ? (actionArgs[0] as string | undefined) : undefined;
      const options = (positional ? actionArgs[1] : actionArgs[0]) as Record<string, unknown>;
      let base: Record<string, unknown> = {};
      if (options.inputJson) {
        try {
          base = JSON.parse(String(options.inputJson)) as Record<string, unknown>;
        } catch {
          throw new UsageError(`--input-json must be a JSON object, e.g. --input-json '{"host": "sim"}'`);
        }
      }
      const typed = optionsToInput(specs, options);
      const input = { ...base, ...typed };
      mergePositional(typedPositional, input, positional);
      localLogPaths(input);
      await pipedLog(
        tool.name,
        specs.map((s) => s.field),
        input,
      );
      checkRequired(tool.name, specs, input);
      const renderHint = cliHintRenderer(input, toolFields);
      const hosts = new HostRegistry();
      const progress = progressPrinter(process.stderr);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      try {
        // The file is checked before the tool runs: a follow of minutes does not end in "exists".
        let chartFile: string | undefined;
        if (options.chartFile !== undefined) {
          input.chart = true;
          const claimed = await claimChartFile(hosts, String(options.chartFile));
          if (!claimed.ok) return refuse(claimed.error, Boolean(options.json));
          chartFile = claimed.value;
        }
        const outcome = await invokeTool(
          tool,
          input,
          {
            hosts,
            now: () => new Date(),
            signal: controller.signal,
            progress: progress.update,
            log: (level, message) => {
              if (level !== "debug") process.stderr.write(`${level}: ${forTerminal(message)}\n`);
            },
          },
          renderHint,
        );
        progress.done();
        if (!outcome.ok) {
          const message =
            outcome.kind === "input" && outcome.issues
              ? outcome.issues
                  .map((i) =>
                    // A check of the whole input (e.g. "give either runId or logFile") names no one flag.
                    // A message that already names its field ("runId must look like …") is not prefixed again.
                    i.field === "" || i.field === "input" || i.message.startsWith(`${i.field} `)
                      ? i.message
                      : `${i.field.includes(".") ? i.field : `--${kebab(i.field)}`}: ${i.message}`,
                  )
                  .join("; ")
              : outcome.error;
          // The same words on both streams: a script reading --json meets the flags it passed, not the MCP fields.
          const words = terminalWords(message);
          if (options.json) printJsonError(words, outcome.kind);
          process.stderr.write(`error: ${forTerminal(words)}\n`);
          process.exitCode = outcome.kind === "input" ? EXIT.usage : EXIT.failed;
          return;
        }
        // A terminal shows no image: the chart goes to the file named, or the summary says how to get it.
        const { delivered, error: chartError } = await deliverChart(hosts, chartFile, outcome.attachments);
        if (chartError !== undefined && options.json) return refuse(chartError, true);
        if (options.json) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
        else {
          // A terminal that reports no width (0, as under `script`) is taken as 120 columns wide.
          const columns = process.stdout.isTTY ? process.stdout.columns || 120 : undefined;
          const view = terminalView(tool, outcome.result, typed, columns);
          const text =
            view === outcome.result && delivered === undefined
              ? outcome.text
              : renderHints(tool.summarize(view, delivered), renderHint);
          // Secrets hidden and escape sequences from logs neutralised before anything reaches the terminal.
          process.stdout.write(`${forTerminal(terminalWords(text))}\n`);
        }
        if (chartError !== undefined) return refuse(chartError, false);
        process.exitCode = outcome.failed ? EXIT.failed : EXIT.done;
      } finally {
        progress.done();
        process.removeListener("SIGINT", onSigint);
        await hosts.closeAll();
      }
    });
  }
}

function addServerCommands(program: Command): void {
  program
    .command("mcp")
    .description("Serve MCP on stdio (for Claude Code, Claude Desktop and other MCP clients).")
    .option("--read-only", "expose only tools that change nothing")
    .option("--toolsets <list>", `comma-separated subset of: ${TOOLSETS.join(", ")}`)
    .action(async (options: { readOnly?: boolean; toolsets?: string }) => {
      const { runStdio } = await import("../stdio.js");
      await runStdio({ readOnly: options.readOnly, toolsets: parseToolsets(options.toolsets) });
    });

  program
    .command("serve")
    .description(
      "Serve MCP over Streamable HTTP at /mcp and the dashboard at /ui (loopback by default, bearer token required).",
    )
    .option("--bind <address>", "address to listen on (a non-loopback address exposes the server)", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", "8765")
    .option("--token-file <file>", "file holding the bearer token clients must send (default: $ASCEND_TRAIN_TOKEN)")
    .addOption(new Option("--token <token>", "refused: use ASCEND_TRAIN_TOKEN or --token-file").hideHelp())
    .option("--allow-origin <origin...>", "extra browser origins allowed to call the server")
    .option(
      "--allow-host <name...>",
      "extra Host header names clients may use (besides localhost and the bound address)",
    )
    .option("--read-only", "expose only tools that change nothing")
    .option("--toolsets <list>", `comma-separated subset of: ${TOOLSETS.join(", ")}`)
    .action(async (options: Record<string, string | string[] | boolean | undefined>) => {
      const { serveHttp, serveToken } = await import("../http.js");
      const { token, source } = serveToken({
        tokenFile: options.tokenFile as string | undefined,
        tokenOnCommandLine: options.token !== undefined,
      });
      const host = options.bind as string;
      if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
        process.stderr.write(
          `warning: binding to ${host} exposes the server beyond this machine; keep the token secret.\n`,
        );
      }
      const served = await serveHttp({
        host,
        port: Number(options.port),
        token,
        allowedOrigins: options.allowOrigin as string[] | undefined,
        allowedHosts: options.allowHost as string[] | undefined,
        readOnly: Boolean(options.readOnly),
        toolsets: parseToolsets(options.toolsets as string | undefined),
        hosts: new HostRegistry(),
      });
      // Ready for a stop before the address is announced: whoever reads it may signal at once.
      stopOnSignalsAndOrphaning(
        () => served.close(),
        (line) => process.stderr.write(`${line}\n`),
      );
      process.stderr.write(`ascend-train MCP over HTTP at ${served.url}\n`);
      if (source === "generated")
        process.stderr.write(`bearer token (generated; set ASCEND_TRAIN_TOKEN to choose one): ${token}\n`);
    });
}

function addUiCommand(program: Command): void {
  program
    .command("ui")
    .description(
      "Open the training dashboard: every run on every host, live curves, logs and diagnoses. Starts the HTTP server " +
        "on loopback with a fresh token and prints a sign-in link (serve offers the same pages at /ui).",
    )
    .option("--bind <address>", "address to listen on (a non-loopback address exposes the dashboard)", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", "0")
    .option("--open", "open the dashboard in the default browser")
    .option("--read-only", "offer no stop or resume buttons (and only tools that change nothing over /mcp)")
    .action(async (options: { bind: string; port: string; open?: boolean; readOnly?: boolean }) => {
      const { serveHttp } = await import("../http.js");
      const { randomBytes } = await import("node:crypto");
      if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65535)
        throw new UsageError(`--port must be a port number (0-65535), not "${options.port}".`);
      if (!["127.0.0.1", "localhost", "::1"].includes(options.bind)) {
        process.stderr.write(
          `warning: binding to ${options.bind} exposes the dashboard beyond this machine; keep the link secret.\n`,
        );
      }
      const token = randomBytes(24).toString("base64url");
      const served = await serveHttp({
        host: options.bind,
        port: Number(options.port),
        token,
        readOnly: Boolean(options.readOnly),
        hosts: new HostRegistry(),
      });
      // Ready for a stop before the link is printed: whoever reads it may signal at once.
      stopOnSignalsAndOrphaning(
        () => served.close(),
        (line) => process.stderr.write(`${line}\n`),
      );
      const base = served.url.replace(/\/mcp$/, "");
      // The token rides after '#', which a browser never sends to the server; the page trades it for a cookie.
      process.stdout.write(`ascend-train dashboard: ${base}/ui/login#token=${token}\n`);
      process.stderr.write(`MCP over HTTP at ${served.url} with the same token. Ctrl-C stops the server.\n`);
      if (options.open) {
        const { spawn } = await import("node:child_process");
        // A one-time ticket, not the token, goes on the opener's command line.
        const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
        const child = spawn(opener, [`${base}${served.ui.ticketPath()}`], { detached: true, stdio: "ignore" });
        child.on("error", () => process.stderr.write(`could not start ${opener}: open the link above yourself.\n`));
        child.unref();
      } else if (process.stdout.isTTY) {
        process.stderr.write("Open the link in your browser (or start with --open).\n");
      }
    });
}

/** A refusal once the input is parsed: `error: …` on stderr (and the JSON error on stdout with --json), exit 1. */
function refuse(message: string, json: boolean): void {
  if (json) printJsonError(message, "tool");
  process.stderr.write(`error: ${forTerminal(message)}\n`);
  process.exitCode = EXIT.failed;
}

/** --json among the options (not after `--`, where a value would start). */
function askedForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/** With --json, an error is a JSON object on stdout too (kind: usage, input, tool, host or internal), besides the line on stderr. */
function printJsonError(message: string, kind: string): void {
  process.stdout.write(`${JSON.stringify({ error: message, kind }, null, 2)}\n`);
}

export async function runProgram(argv: string[]): Promise<void> {
  const program = new Command("ascend-train")
    .version(VERSION)
    .description(
      "Fine-tune vision-language models on Huawei Ascend NPU hosts with MindSpeed-MM.\n" +
        "Every tool is a subcommand (`ascend-train check-env --host sim`); add --json for the structured result.",
    )
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride();
  addServerCommands(program);
  addUiCommand(program);
  program
    .command("demo")
    .description("Lay out a simulated Ascend host and drive the fine-tune flow through a real MCP client.")
    .option(
      "--dir <dir>",
      "where to lay out the simulated host, kept afterwards (default: a temporary directory, removed unless --keep)",
    )
    .option("--keep", "keep the simulated host afterwards")
    .option(
      "--trainer <name>",
      "mindspeed-mm (an Ascend host) or trl (a CUDA host, ending in a GGUF export)",
      "mindspeed-mm",
    )
    .action(async (options: { dir?: string; keep?: boolean; trainer: string }) => {
      if (options.trainer !== "mindspeed-mm" && options.trainer !== "trl")
        throw new UsageError(`Unknown trainer "${options.trainer}". Known: mindspeed-mm, trl.`);
      if (options.trainer === "trl") {
        const { runTrlDemo } = await import("../demo-trl.js");
        process.exitCode = await runTrlDemo(options);
        return;
      }
      const { runDemo } = await import("../demo.js");
      process.exitCode = await runDemo(options);
    });
  program
    .command("chat")
    .description("Talk with Claude, which drives these tools and asks y/N before destructive steps.")
    .option("--once <text>", "send one message, print the answer and exit (destructive steps are declined)")
    .option("--host <name>", "the host to work on unless the conversation names another")
    .option("--claude-model <id>", "Claude model id (default: $ANTHROPIC_MODEL, else claude-sonnet-4-6)")
    .option("--max-rounds <n>", "tool rounds per message before control returns to you", "20")
    .option("--transcript <file>", "JSONL transcript (default: ~/.local/state/ascend-train/transcripts/<time>.jsonl)")
    .action(async (options: Record<string, string | undefined>) => {
      const { chatCommand } = await import("../agent/chat.js");
      const { claudeModel, ...rest } = options;
      process.exitCode = await chatCommand({ ...rest, model: claudeModel });
    });
  addSimCommands(program, { help: EXIT_CODES_HELP, failed: EXIT.failed, asTyped });
  addToolCommands(program);
  installFatalHandlers(argv);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help / version, exit 0).
      process.exitCode = error.exitCode === 0 ? EXIT.done : EXIT.usage;
      if (error.code === "commander.excessArguments") process.stderr.write(`${leftoverHint(argv)}\n`);
      const switchHint =
        error.code === "commander.unknownOption" ? switchValueHint(program, argv, error.message) : null;
      if (switchHint) process.stderr.write(`${switchHint}\n`);
      if (error.exitCode !== 0 && askedForJson(argv)) printJsonError(error.message.replace(/^error: /, ""), "usage");
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n(add --help for usage)\n`);
      if (askedForJson(argv)) printJsonError(error.message, "usage");
      process.exitCode = EXIT.usage;
      return;
    }
    printFatal(error, argv);
  }
}
