// The Messages API through @anthropic-ai/sdk, behind the provider-neutral ModelProvider seam.
import Anthropic from "@anthropic-ai/sdk";
import type { AssistantBlock, ChatMessage, ModelProvider, ModelReply, ModelRequest } from "./provider.js";

/** Not on the SDK's deprecation list; ANTHROPIC_MODEL or --model choose another. */
export const DEFAULT_MODEL = "claude-sonnet-4-6";
const DEFAULT_MAX_TOKENS = 8192;

export interface AnthropicOptions {
  apiKey: string;
  model?: string;
  /** Default: ANTHROPIC_BASE_URL, else the public API. */
  baseURL?: string;
  maxTokens?: number;
  maxRetries?: number;
  timeoutMs?: number;
}

type ImageMime = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

function toParam(message: ChatMessage): Anthropic.MessageParam {
  if (message.role === "assistant") {
    return {
      role: "assistant",
      content: message.content.map((b): Anthropic.TextBlockParam | Anthropic.ToolUseBlockParam =>
        b.type === "text"
          ? { type: "text", text: b.text }
          : { type: "tool_use", id: b.id, name: b.name, input: b.input },
      ),
    };
  }
  return {
    role: "user",
    content: message.content.map((b): Anthropic.TextBlockParam | Anthropic.ToolResultBlockParam =>
      b.type === "text"
        ? { type: "text", text: b.text }
        : {
            type: "tool_result",
            tool_use_id: b.toolUseId,
            is_error: b.isError,
            content: b.content.map((c) =>
              c.type === "text"
                ? { type: "text" as const, text: c.text }
                : {
                    type: "image" as const,
                    source: { type: "base64" as const, media_type: c.mimeType as ImageMime, data: c.data },
                  },
            ),
          },
    ),
  };
}

/** Keeps text and tool_use; other block kinds (thinking, server tools) are not requested, so not expected. */
function fromBlocks(content: readonly Anthropic.ContentBlock[]): AssistantBlock[] {
  const out: AssistantBlock[] = [];
  for (const block of content) {
    if (block.type === "text") out.push({ type: "text", text: block.text });
    else if (block.type === "tool_use")
      out.push({
        type: "tool_use",
        id: block.id,
        name: block.name,
        input: (block.input ?? {}) as Record<string, unknown>,
      });
  }
  return out;
}

/** One line a person can act on, from the SDK's error classes. */
export function describeApiError(error: unknown, baseURL: string): string {
  if (error instanceof Anthropic.AuthenticationError)
    return `The Anthropic API rejected the key (401); check ANTHROPIC_API_KEY. ${error.message}`;
  if (error instanceof Anthropic.APIConnectionError)
    return `Could not reach the Anthropic API at ${baseURL}: ${error.message}`;
  if (error instanceof Anthropic.APIError && error.status !== undefined)
    return `Anthropic API error ${error.status}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}

export class AnthropicProvider implements ModelProvider {
  readonly name = "anthropic";
  readonly model: string;
  private readonly client: Anthropic;
  private readonly maxTokens: number;

  constructor(opts: AnthropicOptions) {
    this.model = opts.model ?? DEFAULT_MODEL;
    this.maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      ...(opts.baseURL ? { baseURL: opts.baseURL } : {}),
      maxRetries: opts.maxRetries ?? 2,
      timeout: opts.timeoutMs ?? 600_000,
    });
  }

  get baseURL(): string {
    return this.client.baseURL;
  }

  async complete(request: ModelRequest): Promise<ModelReply> {
    try {
      const message = await this.client.messages.create(
        {
          model: this.model,
          max_tokens: this.maxTokens,
          system: request.system,
          tools: request.tools.map((t) => ({
            name: t.name,
            description: t.description,
            input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
          })),
          messages: request.messages.map(toParam),
        },
        { signal: request.signal },
      );
      return {
        content: fromBlocks(message.content),
        stopReason: message.stop_reason,
        usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
      };
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new Error(describeApiError(error, this.client.baseURL), { cause: error });
    }
  }
}
