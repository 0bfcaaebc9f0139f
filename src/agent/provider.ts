// The seam between the chat loop and a model API: provider-neutral messages, tools and replies.

export interface TextBlock {
  type: "text";
  text: string;
}

export interface ImageBlock {
  type: "image";
  mimeType: string;
  /** base64 */
  data: string;
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: "tool_result";
  toolUseId: string;
  content: (TextBlock | ImageBlock)[];
  isError: boolean;
}

export type UserBlock = TextBlock | ToolResultBlock;
export type AssistantBlock = TextBlock | ToolUseBlock;

export type ChatMessage = { role: "user"; content: UserBlock[] } | { role: "assistant"; content: AssistantBlock[] };

/** A tool as the model sees it: name, description and a JSON Schema for its input. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  system: string;
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  signal?: AbortSignal;
}

export interface ModelReply {
  content: AssistantBlock[];
  /** "end_turn", "tool_use", "max_tokens", … as the provider names it. */
  stopReason: string | null;
  usage?: { inputTokens: number; outputTokens: number };
}

/** One model API. Implementations throw on transport or API errors; an aborted signal rejects the call. */
export interface ModelProvider {
  readonly name: string;
  readonly model: string;
  complete(request: ModelRequest): Promise<ModelReply>;
}

export const textOf = (blocks: readonly { type: string; text?: string }[]): string =>
  blocks
    .filter((b): b is TextBlock => b.type === "text")
    .map((b) => b.text)
    .join("");
