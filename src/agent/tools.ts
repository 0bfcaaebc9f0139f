// The tool registry as the chat model sees it, and the runner that asks the person before destructive steps.
import { z } from "zod";
import type { HostRegistry } from "../hosts/registry.js";
import { invokeTool } from "../tools/invoke.js";
import { annotationsFor, failedIsError, type ProgressUpdate, type ToolDef } from "../tools/tool.js";
import type { ToolExecutor } from "./loop.js";
import type { ImageBlock, TextBlock, ToolResultBlock, ToolSpec, ToolUseBlock } from "./provider.js";

// biome-ignore lint/suspicious/noExplicitAny: any tool definition
export type AnyTool = ToolDef<any, any>;

const MAX_RESULT_CHARS = 24_000;

/** Anthropic-style tool definitions: the input's JSON Schema as the model fills it (defaults optional). */
export function toolSpecs(tools: readonly AnyTool[]): ToolSpec[] {
  return tools.map((tool) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    return {
      name: tool.name,
      description: `${tool.description}${tool.kind === "destructive" ? " The person is asked y/N before it acts." : ""}`,
      inputSchema: { ...schema, type: "object" },
    };
  });
}

export type ConsentAnswer = "yes" | "no" | "unavailable";

export interface ConsentRequest {
  tool: string;
  title: string;
  args: Record<string, unknown>;
  /** One line: the tool and its arguments. */
  line: string;
}

export interface ToolDisplay {
  start(call: ToolUseBlock, line: string): void;
  progress(call: ToolUseBlock, update: ProgressUpdate): void;
  end(call: ToolUseBlock, outcome: { ok: boolean; ms: number; text: string }): void;
}

export interface ToolRunnerOptions {
  tools: readonly AnyTool[];
  hosts: HostRegistry;
  /** Asks the person; "unavailable" where nobody can answer (a --once run). */
  ask: (request: ConsentRequest, signal: AbortSignal) => Promise<ConsentAnswer>;
  display?: ToolDisplay;
  log?: (level: "debug" | "info" | "warning" | "error", message: string) => void;
  now?: () => Date;
}

/** `check_env host=sim model=qwen2.5vl-7b`, cut to one line. */
export function formatCall(name: string, input: Record<string, unknown>, width = 110): string {
  const args = Object.entries(input ?? {})
    .map(([k, v]) => `${k}=${typeof v === "string" ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(" ");
  const line = args ? `${name} ${args}` : name;
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

const text = (t: string): TextBlock => ({ type: "text", text: t });
const result = (call: ToolUseBlock, content: (TextBlock | ImageBlock)[], isError: boolean): ToolResultBlock => ({
  type: "tool_result",
  toolUseId: call.id,
  content,
  isError,
});

function bounded(s: string): string {
  return s.length <= MAX_RESULT_CHARS
    ? s
    : `${s.slice(0, MAX_RESULT_CHARS)}\n… [truncated ${s.length - MAX_RESULT_CHARS} chars]`;
}

const hasConfirmField = (tool: AnyTool) => Boolean((tool.input as z.ZodObject).shape?.confirm);

/** Why a destructive call must wait for the person: it acts (confirm: true), or the tool has no plan mode. */
function needsConsent(tool: AnyTool, args: Record<string, unknown>): boolean {
  return tool.kind === "destructive" && (args.confirm === true || !hasConfirmField(tool));
}

/** Settles with the work, or rejects as soon as the signal aborts (tools that ignore the signal can't hold the chat). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function createToolExecutor(opts: ToolRunnerOptions): ToolExecutor {
  const byName = new Map(opts.tools.map((t) => [t.name, t]));
  return async (call, signal) => {
    const line = formatCall(call.name, call.input);
    const tool = byName.get(call.name);
    if (!tool) {
      return result(call, [text(`Unknown tool "${call.name}". Available: ${[...byName.keys()].join(", ")}.`)], true);
    }
    const parsed = tool.input.safeParse(call.input ?? {});
    if (parsed.success && needsConsent(tool, parsed.data as Record<string, unknown>)) {
      const answer = await opts.ask({ tool: tool.name, title: tool.title, args: call.input, line }, signal);
      if (signal.aborted) return result(call, [text(`${tool.name} did not run: the person interrupted.`)], true);
      if (answer === "no") {
        return result(
          call,
          [
            text(
              `The person declined (answered N): ${tool.name} did not run and nothing changed. Ask what to do instead.`,
            ),
          ],
          true,
        );
      }
      if (answer === "unavailable") {
        return result(
          call,
          [
            text(
              `${tool.name} did not run: this is a non-interactive session, so nobody could confirm a destructive step. ` +
                "Tell the person what would run and that they can do it from an interactive `ascend-train chat` or the CLI.",
            ),
          ],
          true,
        );
      }
    }
    opts.display?.start(call, line);
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const outcome = await untilAborted(
        invokeTool(tool, call.input, {
          hosts: opts.hosts,
          now: opts.now ?? (() => new Date()),
          signal,
          progress: (update) => opts.display?.progress(call, update),
          log: opts.log ?? (() => undefined),
        }),
        signal,
      );
      if (!outcome.ok) {
        opts.display?.end(call, { ok: false, ms: ms(), text: outcome.error });
        return result(call, [text(outcome.error)], true);
      }
      // As over MCP: an action that ran but did not do what was asked is an error result; a query's "no" is not.
      const isError = outcome.failed && failedIsError(annotationsFor(tool));
      opts.display?.end(call, { ok: !isError, ms: ms(), text: outcome.text });
      const images: ImageBlock[] = outcome.attachments.map((a) => ({
        type: "image",
        mimeType: a.mimeType,
        data: a.data,
      }));
      const body = `${outcome.text}\n\nStructured result (JSON):\n${JSON.stringify(outcome.result)}`;
      return result(call, [text(bounded(body)), ...images], isError);
    } catch (error) {
      const message = signal.aborted
        ? `${tool.name} was stopped by the person (Ctrl-C) after ${ms()} ms; its work may be incomplete.`
        : `Internal error in ${tool.name}: ${(error as Error)?.message ?? String(error)}`;
      opts.display?.end(call, { ok: false, ms: ms(), text: message });
      return result(call, [text(message)], true);
    }
  };
}
