// The shape of a tool: one definition object per file, turned into MCP tools, CLI commands and agent tools.
import type { z } from "zod";
import type { WorkDeps } from "../hosts/work.js";
import type { RunServices } from "../runs/services.js";

/** read: changes nothing; write: creates files or state but destroys nothing; destructive: installs, kills, launches, overwrites. */
export type ToolKind = "read" | "write" | "destructive";
export type Toolset = "hosts" | "knowledge" | "setup" | "data" | "train" | "diagnose" | "audit";

export type { ProgressUpdate } from "../hosts/work.js";

/** What every tool gets: the work context, and the run ledger's lookups (run id → host, logs, config). */
export interface ToolDeps extends WorkDeps {
  /** How run ids are found; the ledger on the hosts unless a caller (a test) gives its own. */
  runs?: RunServices;
}

/** Extra content a tool may return next to its structured result (for example a PNG chart). */
export interface ToolAttachment {
  type: "image";
  mimeType: string;
  /** base64 */
  data: string;
}

export interface ToolDef<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  /** snake_case, verb first. */
  name: string;
  title: string;
  /** Written for the model: when to call, what comes back, the usual next tool. */
  description: string;
  toolset: Toolset;
  kind: ToolKind;
  input: In;
  output: Out;
  handle(args: z.output<In>, deps: ToolDeps): Promise<z.output<Out>>;
  /**
   * The short text shown to people and models; name arguments and next calls with argsHint / callHint. `delivered`
   * says, in the door's words, what became of the attachments (a door that cannot show an image writes it to a file
   * or says how to); without it they went back with the result.
   */
  summarize(result: z.output<Out>, delivered?: string): string;
  /** True when the call ran but did not do what was asked (a failed check, nothing written, no match): exit 1. */
  failed?(result: z.output<Out>): boolean;
  attachments?(result: z.output<Out>): ToolAttachment[];
}

/**
 * A tool definition as every door uses it. Its input is made strict here, once for every tool: an argument the tool
 * does not know (a misspelt `confrim`) is refused with an error naming it instead of being dropped silently, and the
 * advertised JSON Schema says `additionalProperties: false`.
 */
export const defineTool = <In extends z.ZodObject, Out extends z.ZodObject>(
  def: ToolDef<In, Out>,
): ToolDef<In, Out> => ({
  ...def,
  input: def.input.strict() as unknown as In,
});

/**
 * Toolsets whose tools read only what the server itself holds (the model knowledge base, its own audit log): they
 * never reach a host, so they are not open-world. Every other toolset acts on a host named in the call.
 */
const SERVER_LOCAL_TOOLSETS: readonly Toolset[] = ["knowledge", "audit"];

/** Whether a tool reaches out to a host (a machine outside the server), derived from its toolset. */
export const actsOnHost = (def: { toolset: Toolset }): boolean => !SERVER_LOCAL_TOOLSETS.includes(def.toolset);

/** MCP tool annotations, derived from the definition so that no door can state them differently. */
export function annotationsFor(def: { title: string; kind: ToolKind; toolset: Toolset }) {
  return {
    title: def.title,
    readOnlyHint: def.kind === "read",
    destructiveHint: def.kind === "destructive",
    idempotentHint: def.kind === "read",
    openWorldHint: actsOnHost(def),
  };
}

export type ToolAnnotations = ReturnType<typeof annotationsFor>;

/**
 * Whether a call that ran but failed is an error result (MCP isError, the chat agent's tool_result): a tool that changes
 * a host (not readOnlyHint) and failed did not do the action asked of it; a read-only query's failure is its negative
 * answer (no fit, no match).
 */
export const failedIsError = (annotations: Pick<ToolAnnotations, "readOnlyHint">): boolean => !annotations.readOnlyHint;

export { ToolError } from "../errors.js";

export const kebabCase = (name: string) => name.replaceAll("_", "-");
