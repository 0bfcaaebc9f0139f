// Runs a tool the same way for every door (MCP, CLI, chat agent): validate, handle, classify errors.
import { z } from "zod";
import { withToolContext } from "../hosts/audit.js";
import { HostFileError, HostUnreachableError } from "../hosts/executor.js";
import { PathNotAllowedError } from "../hosts/paths.js";
import { UnsafeShellValueError } from "../hosts/quote.js";
import { UnknownHostError } from "../hosts/registry.js";
import { type ToolAttachment, type ToolDef, type ToolDeps, ToolError } from "./tool.js";

export type ToolOutcome =
  | { ok: true; result: Record<string, unknown>; text: string; attachments: ToolAttachment[] }
  | { ok: false; error: string; kind: "input" | "tool" | "host" | "internal" };

/** Turns zod issues into one sentence per field, naming what was expected. */
export function describeInputError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join(".") : "input";
      return `${field}: ${issue.message}`;
    })
    .join("; ");
}

export function errorOutcome(toolName: string, error: unknown): Extract<ToolOutcome, { ok: false }> {
  if (error instanceof ToolError) return { ok: false, error: error.message, kind: "tool" };
  if (
    error instanceof UnknownHostError ||
    error instanceof HostFileError ||
    error instanceof PathNotAllowedError ||
    error instanceof UnsafeShellValueError
  ) {
    return { ok: false, error: error.message, kind: "tool" };
  }
  if (error instanceof HostUnreachableError) return { ok: false, error: error.message, kind: "host" };
  if (error instanceof z.ZodError) return { ok: false, error: describeInputError(error), kind: "input" };
  // A bug: the stack goes to stderr (stdout may carry the MCP protocol), never into the model's context.
  console.error(`[${toolName}]`, error);
  return {
    ok: false,
    error: `Internal error in ${toolName}: ${(error as Error)?.message ?? String(error)}`,
    kind: "internal",
  };
}

// biome-ignore lint/suspicious/noExplicitAny: any tool definition
export async function invokeTool(tool: ToolDef<any, any>, rawArgs: unknown, deps: ToolDeps): Promise<ToolOutcome> {
  const parsed = tool.input.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    return { ok: false, error: `Invalid input for ${tool.name}: ${describeInputError(parsed.error)}`, kind: "input" };
  }
  try {
    const result = (await withToolContext(tool.name, () => tool.handle(parsed.data, deps))) as Record<string, unknown>;
    return { ok: true, result, text: tool.summarize(result), attachments: tool.attachments?.(result) ?? [] };
  } catch (error) {
    return errorOutcome(tool.name, error);
  }
}
