// The one way a tool runs, whatever the door (MCP tools/call, a CLI subcommand, the chat agent): strict input
// validation, the audit context, the host-kind check (host-kinds.ts), the handler (whose plan-without-confirm mode is
// the confirm gate), hints rendered in the door's words, redaction, and errors sorted into input / tool / host /
// internal. A door only adapts ToolDeps (progress, log lines, cancellation) and renders the outcome.
import { z } from "zod";
import { AuditUnavailableError, withToolContext } from "../hosts/audit.js";
import { HostFileError, HostUnreachableError } from "../hosts/executor.js";
import { InventoryError } from "../hosts/inventory.js";
import { PathNotAllowedError } from "../hosts/paths.js";
import { UnsafeShellValueError } from "../hosts/quote.js";
import { redactDeep, redactText } from "../hosts/redact.js";
import { UnknownHostError } from "../hosts/registry.js";
import { UnsafeEnvError } from "../hosts/unsafe-env.js";
import { type HintRenderer, renderHints, renderMcpHint } from "../text/hint.js";
import { refuseUnsupportedHosts } from "./host-kinds.js";
import { type ToolAttachment, type ToolDef, type ToolDeps, ToolError } from "./tool.js";

export type ToolOutcome =
  | {
      ok: true;
      result: Record<string, unknown>;
      text: string;
      attachments: ToolAttachment[];
      /** It ran but did not do what was asked (failed checks, nothing written, no match). */
      failed: boolean;
    }
  | { ok: false; error: string; kind: "input" | "tool" | "host" | "internal"; issues?: InputIssue[] };

/** One invalid or missing input field; `missing` when it was not given at all. */
export interface InputIssue {
  field: string;
  message: string;
  missing: boolean;
}

/** The known name nearest to a misspelt one (edit distance at most a third of its length), if any. */
function nearestName(given: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++) {
        row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      prev = row;
    }
    return prev[b.length]!;
  };
  const scored = known
    .map((name) => ({ name, d: distance(given.toLowerCase(), name.toLowerCase()) }))
    .sort((x, y) => x.d - y.d);
  const best = scored[0];
  return best && best.d <= Math.max(1, Math.floor(given.length / 3)) ? best.name : undefined;
}

const KIND_WORDS: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "text",
  boolean: "true or false",
  array: "a list",
  object: "an object",
};

/**
 * The issues of a failed parse, each marked missing when the caller did not give the field. An argument the tool does
 * not know is one issue of its own, naming it and the nearest known argument (`known`: the input's field names).
 */
export function inputIssues(error: z.ZodError, rawArgs?: unknown, known: readonly string[] = []): InputIssue[] {
  const given = rawArgs !== null && typeof rawArgs === "object" ? (rawArgs as Record<string, unknown>) : {};
  return error.issues.flatMap((issue): InputIssue[] => {
    if (issue.code === "unrecognized_keys") {
      const names = issue.path.length === 0 ? known : [];
      return issue.keys.map((key) => {
        const near = nearestName(key, names);
        const hint = near ? `; did you mean ${near}?` : names.length > 0 ? `; known: ${names.join(", ")}` : "";
        return { field: [...issue.path, key].join("."), message: `unknown argument${hint}`, missing: false };
      });
    }
    const field = issue.path.length > 0 ? issue.path.join(".") : "input";
    const top = issue.path[0];
    const missing = issue.path.length === 1 && typeof top === "string" && given[top] === undefined;
    if (missing) return [{ field, message: "required, not given", missing }];
    // A value of the wrong kind: what was expected and what was given, in plain words ("expected a number, got
    // "eight""), not zod's "Invalid input: expected number, received string".
    if (issue.code === "invalid_type" && issue.path.length === 1 && typeof top === "string") {
      const value = given[top];
      const shown =
        typeof value === "string"
          ? JSON.stringify(value)
          : typeof value === "number" || typeof value === "boolean"
            ? String(value)
            : Array.isArray(value)
              ? "a list"
              : value === null
                ? "null"
                : "an object";
      return [{ field, message: `expected ${KIND_WORDS[issue.expected] ?? issue.expected}, got ${shown}`, missing }];
    }
    return [{ field, message: issue.message, missing }];
  });
}

/** Turns zod issues into one sentence per field, naming what was expected. */
export function describeInputError(error: z.ZodError, rawArgs?: unknown, known: readonly string[] = []): string {
  return inputIssues(error, rawArgs, known)
    .map((issue) => `${issue.field}: ${issue.message}`)
    .join("; ");
}

export function errorOutcome(
  toolName: string,
  error: unknown,
  render: HintRenderer = renderMcpHint,
): Extract<ToolOutcome, { ok: false }> {
  const outcome = classifyError(toolName, error);
  return { ...outcome, error: redactText(renderHints(outcome.error, render)) };
}

function classifyError(toolName: string, error: unknown): Extract<ToolOutcome, { ok: false }> {
  if (error instanceof ToolError) return { ok: false, error: error.message, kind: "tool" };
  if (
    error instanceof HostFileError ||
    error instanceof PathNotAllowedError ||
    error instanceof UnsafeShellValueError ||
    error instanceof AuditUnavailableError ||
    error instanceof UnsafeEnvError ||
    error instanceof InventoryError
  ) {
    return { ok: false, error: error.message, kind: "tool" };
  }
  // A host that is not in the inventory or cannot be reached: the README's `host` kind.
  if (error instanceof UnknownHostError || error instanceof HostUnreachableError)
    return { ok: false, error: error.message, kind: "host" };
  if (error instanceof z.ZodError) return { ok: false, error: describeInputError(error), kind: "input" };
  // A bug: the stack goes to stderr (stdout may carry the MCP protocol), never into the model's context.
  // One line unless DEBUG or ASCEND_TRAIN_DEBUG asks for the stack (which may quote inputs: redacted either way).
  const detail = process.env.DEBUG || process.env.ASCEND_TRAIN_DEBUG ? (error as Error)?.stack : undefined;
  console.error(`[${toolName}] internal error: ${redactText(detail ?? String((error as Error)?.message ?? error))}`);
  return {
    ok: false,
    error: `Internal error in ${toolName}: ${(error as Error)?.message ?? String(error)}`,
    kind: "internal",
  };
}

export async function invokeTool(
  // biome-ignore lint/suspicious/noExplicitAny: any tool definition
  tool: ToolDef<any, any>,
  rawArgs: unknown,
  deps: ToolDeps,
  /** How hints read at this door (default: MCP argument names). */
  render: HintRenderer = renderMcpHint,
): Promise<ToolOutcome> {
  const parsed = tool.input.safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const known = Object.keys(tool.input.shape ?? {});
    return {
      ok: false,
      error: redactText(`Input validation error for ${tool.name}: ${describeInputError(parsed.error, rawArgs, known)}`),
      kind: "input",
      issues: inputIssues(parsed.error, rawArgs, known),
    };
  }
  try {
    const raw = (await withToolContext(
      tool.name,
      async () => {
        // A host of a kind the tool cannot act on (a Hugging Face Jobs namespace, say) is refused before anything runs.
        if (deps.hosts) await refuseUnsupportedHosts(tool.name, parsed.data, deps.hosts);
        return tool.handle(parsed.data, deps);
      },
      tool.kind,
    )) as Record<string, unknown>;
    const result = renderHints(raw, render);
    return {
      ok: true,
      result: redactDeep(result),
      text: redactText(renderHints(tool.summarize(raw), render)),
      attachments: tool.attachments?.(raw) ?? [],
      failed: tool.failed?.(raw) ?? false,
    };
  } catch (error) {
    return errorOutcome(tool.name, error, render);
  }
}
