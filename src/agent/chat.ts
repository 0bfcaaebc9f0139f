// `ascend-train chat`: wires the model, the tool registry, the terminal and the transcript into one session.
import { Readable } from "node:stream";
import { HostRegistry } from "../hosts/registry.js";
import { VERSION } from "../version.js";
import { AnthropicProvider, DEFAULT_MODEL } from "./anthropic.js";
import { AgentLoop, DEFAULT_MAX_ROUNDS, type LoopEvent } from "./loop.js";
import type { ModelProvider } from "./provider.js";
import { expandSlashCommand } from "./slash.js";
import { systemPrompt } from "./system.js";
import { Terminal, type TerminalStreams } from "./terminal.js";
import { type AnyTool, createToolExecutor, toolSpecs } from "./tools.js";
import { defaultTranscriptPath, Transcript } from "./transcript.js";

export interface ChatOptions {
  /** One message, answered without any question to the person (destructive steps are declined). */
  once?: string;
  host?: string;
  model?: string;
  maxRounds?: number | string;
  transcript?: string;
}

/** What the session reads from the outside world; tests inject each part. */
export interface ChatContext {
  env?: NodeJS.ProcessEnv;
  streams?: TerminalStreams;
  hosts?: HostRegistry;
  tools?: readonly AnyTool[];
  /** Replaces the Anthropic provider (then no key is needed). */
  provider?: ModelProvider;
  /** Route process SIGINT to the terminal (the real CLI; tests call terminal.interrupt()). */
  handleSignals?: boolean;
  onTerminal?: (terminal: Terminal) => void;
}

export const EXIT_USAGE = 2;

function fail(streams: TerminalStreams, message: string): number {
  streams.errors.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

export async function runChat(opts: ChatOptions, ctx: ChatContext = {}): Promise<number> {
  const env = ctx.env ?? process.env;
  const streams = ctx.streams ?? { input: process.stdin, output: process.stdout, errors: process.stderr };
  const apiKey = env.ANTHROPIC_API_KEY?.trim();
  if (!ctx.provider && !apiKey) {
    return fail(streams, "ANTHROPIC_API_KEY is not set; export your Anthropic API key to use `ascend-train chat`.");
  }
  const maxRounds = opts.maxRounds === undefined ? DEFAULT_MAX_ROUNDS : Number(opts.maxRounds);
  if (!Number.isInteger(maxRounds) || maxRounds < 1 || maxRounds > 1000) {
    return fail(streams, `--max-rounds must be a whole number from 1 to 1000 (got ${opts.maxRounds}).`);
  }
  if (opts.once !== undefined && !opts.once.trim()) return fail(streams, "--once needs a message.");
  const hosts = ctx.hosts ?? new HostRegistry();
  if (opts.host) {
    try {
      hosts.settings(opts.host);
    } catch (error) {
      return fail(streams, (error as Error).message);
    }
  }
  const provider =
    ctx.provider ??
    new AnthropicProvider({
      apiKey: apiKey as string,
      model: opts.model || env.ANTHROPIC_MODEL || DEFAULT_MODEL,
      baseURL: env.ANTHROPIC_BASE_URL || undefined,
    });
  const tools = ctx.tools ?? (await import("../tools/index.js")).allTools;
  const interactive = opts.once === undefined;
  const transcript = Transcript.open(opts.transcript ?? defaultTranscriptPath(env));
  const terminal = new Terminal(interactive ? streams : { ...streams, input: Readable.from([]) });
  ctx.onTerminal?.(terminal);
  const onSigint = () => terminal.interrupt();
  if (ctx.handleSignals) process.on("SIGINT", onSigint);
  terminal.onExit = () => terminal.close();

  const execute = createToolExecutor({
    tools,
    hosts,
    display: terminal,
    log: (level, message) => {
      if (level === "warning" || level === "error") terminal.note(`  ${level}: ${message}`);
    },
    ask: async (request, signal) => {
      if (!interactive) {
        terminal.note(`  ✗ ${request.tool} not run: --once cannot ask for confirmation (use an interactive chat).`);
        transcript.write("consent", { tool: request.tool, args: request.args, answer: "unavailable" });
        return "unavailable";
      }
      const yes = await terminal.confirm(`  ? ${request.title}: ${request.line}\n    Run it?`, signal);
      transcript.write("consent", { tool: request.tool, args: request.args, answer: yes ? "yes" : "no" });
      return yes ? "yes" : "no";
    },
  });

  const render = (event: LoopEvent) => {
    transcript.write(event.type, eventData(event));
    if (event.type === "assistant") {
      terminal.say(event.content.map((b) => (b.type === "text" ? b.text : "")).join(""));
    } else if (event.type === "round_limit") {
      terminal.note(`(stopped after ${event.rounds} tool rounds; say "continue" to let it go on)`);
    } else if (event.type === "interrupted") {
      terminal.note("(stopped)");
    } else if (event.type === "error") {
      terminal.note(`error: ${event.message}`);
    }
  };
  const loop = new AgentLoop({
    provider,
    system: systemPrompt({ host: opts.host, interactive }),
    tools: toolSpecs(tools),
    execute,
    maxRounds,
    onEvent: render,
  });
  transcript.write("session", {
    version: VERSION,
    provider: provider.name,
    model: provider.model,
    host: opts.host ?? null,
    mode: interactive ? "interactive" : "once",
    maxRounds,
    tools: tools.map((t) => t.name),
  });

  const turn = async (text: string) => {
    const signal = terminal.beginStep();
    try {
      return await loop.send(text, signal);
    } finally {
      terminal.endStep();
    }
  };

  try {
    if (!interactive) {
      const outcome = await turn(opts.once as string);
      return { done: 0, round_limit: 1, error: 1, interrupted: 130 }[outcome.status];
    }
    terminal.note(
      `ascend-train chat · ${provider.model}${opts.host ? ` · host ${opts.host}` : ""} · destructive steps ask y/N · ` +
        `Ctrl-C stops a step · /help · /exit\ntranscript: ${transcript.path}`,
    );
    for (;;) {
      const line = await terminal.read();
      if (line === null) break;
      const text = line.trim();
      if (!text) continue;
      if (text === "/exit" || text === "/quit") break;
      const expanded = expandSlashCommand(text);
      if (expanded.kind === "reply") {
        terminal.note(expanded.text);
        continue;
      }
      await turn(expanded.kind === "prompt" ? expanded.text : text);
    }
    return 0;
  } finally {
    if (ctx.handleSignals) process.removeListener("SIGINT", onSigint);
    transcript.write("end");
    transcript.close();
    terminal.close();
    if (!ctx.hosts) await hosts.closeAll();
  }
}

/** The transcript keeps events as the loop saw them; image data is replaced by its size. */
function eventData(event: LoopEvent): Record<string, unknown> {
  const { type: _type, ...rest } = event;
  if (event.type !== "tool_result") return rest;
  return {
    name: event.name,
    toolUseId: event.result.toolUseId,
    isError: event.result.isError,
    content: event.result.content.map((c) =>
      c.type === "text" ? c : { type: "image", mimeType: c.mimeType, bytes: Math.floor((c.data.length * 3) / 4) },
    ),
  };
}

/** The commander action: options as strings, exit code back. */
export async function chatCommand(options: ChatOptions): Promise<number> {
  return runChat(options, { handleSignals: true });
}
