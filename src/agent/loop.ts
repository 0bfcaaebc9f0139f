// Bounded model ↔ tool rounds for one conversation, independent of the model API and of the terminal.
import {
  type AssistantBlock,
  type ChatMessage,
  type ModelProvider,
  type ModelReply,
  type ToolResultBlock,
  type ToolSpec,
  type ToolUseBlock,
  textOf,
} from "./provider.js";

export const DEFAULT_MAX_ROUNDS = 20;

/** Runs one tool call; never throws (failures come back as isError results). */
export type ToolExecutor = (call: ToolUseBlock, signal: AbortSignal) => Promise<ToolResultBlock>;

export type LoopEvent =
  | { type: "user"; text: string }
  | { type: "assistant"; content: AssistantBlock[]; stopReason: string | null; usage?: ModelReply["usage"] }
  | { type: "tool_result"; name: string; result: ToolResultBlock }
  | { type: "round_limit"; rounds: number }
  | { type: "interrupted"; during: "model" | "tool" }
  | { type: "error"; message: string };

export interface LoopOptions {
  provider: ModelProvider;
  system: string;
  tools: readonly ToolSpec[];
  execute: ToolExecutor;
  /** Tool rounds allowed per person's message before control returns to the person. */
  maxRounds?: number;
  onEvent?: (event: LoopEvent) => void;
}

export interface TurnOutcome {
  status: "done" | "round_limit" | "interrupted" | "error";
  /** Tool rounds used in this turn. */
  rounds: number;
  /** The model's text in its last reply. */
  text: string;
  error?: string;
}

const interruptedResult = (call: ToolUseBlock, why: string): ToolResultBlock => ({
  type: "tool_result",
  toolUseId: call.id,
  content: [{ type: "text", text: why }],
  isError: true,
});

export class AgentLoop {
  readonly messages: ChatMessage[] = [];
  private readonly maxRounds: number;

  constructor(private readonly opts: LoopOptions) {
    this.maxRounds = opts.maxRounds ?? DEFAULT_MAX_ROUNDS;
    if (!Number.isInteger(this.maxRounds) || this.maxRounds < 1)
      throw new Error("maxRounds must be a positive integer");
  }

  private emit(event: LoopEvent): void {
    this.opts.onEvent?.(event);
  }

  /** The API needs alternating roles: a message after tool results (or a failed request) joins that user message. */
  private addUserText(text: string): void {
    const last = this.messages.at(-1);
    if (last?.role === "user") last.content.push({ type: "text", text });
    else this.messages.push({ role: "user", content: [{ type: "text", text }] });
  }

  /** Sends the person's message and runs tool rounds until the model ends its turn, the bound, an abort or an error. */
  async send(text: string, signal: AbortSignal = new AbortController().signal): Promise<TurnOutcome> {
    this.emit({ type: "user", text });
    this.addUserText(text);
    let rounds = 0;
    let lastText = "";
    for (;;) {
      let reply: ModelReply;
      try {
        signal.throwIfAborted();
        reply = await this.opts.provider.complete({
          system: this.opts.system,
          messages: this.messages,
          tools: this.opts.tools,
          signal,
        });
      } catch (error) {
        if (signal.aborted) {
          this.emit({ type: "interrupted", during: "model" });
          return { status: "interrupted", rounds, text: lastText };
        }
        const message = (error as Error)?.message ?? String(error);
        this.emit({ type: "error", message });
        return { status: "error", rounds, text: lastText, error: message };
      }
      this.emit({ type: "assistant", content: reply.content, stopReason: reply.stopReason, usage: reply.usage });
      lastText = textOf(reply.content);
      if (reply.content.length > 0) this.messages.push({ role: "assistant", content: reply.content });
      const calls = reply.content.filter((b): b is ToolUseBlock => b.type === "tool_use");
      if (calls.length === 0) return { status: "done", rounds, text: lastText };

      rounds++;
      const results: ToolResultBlock[] = [];
      for (const call of calls) {
        const result = signal.aborted
          ? interruptedResult(call, "Not run: the person interrupted this step.")
          : await this.opts.execute(call, signal);
        results.push(result);
        this.emit({ type: "tool_result", name: call.name, result });
      }
      this.messages.push({ role: "user", content: results });
      if (signal.aborted) {
        this.emit({ type: "interrupted", during: "tool" });
        return { status: "interrupted", rounds, text: lastText };
      }
      if (rounds >= this.maxRounds) {
        this.emit({ type: "round_limit", rounds });
        return { status: "round_limit", rounds, text: lastText };
      }
    }
  }
}
