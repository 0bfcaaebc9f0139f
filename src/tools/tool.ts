// The shape of a tool: one definition object per file, turned into MCP tools, CLI commands and agent tools.
import type { z } from "zod";
import type { HostRegistry } from "../hosts/registry.js";

/** read: changes nothing; write: creates files or state but destroys nothing; destructive: installs, kills, launches, overwrites. */
export type ToolKind = "read" | "write" | "destructive";
export type Toolset = "hosts" | "knowledge" | "setup" | "data" | "train" | "diagnose" | "audit";

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
  /** What progress and total count, when bytes (shown as KiB, MiB …). */
  unit?: "bytes";
}

export interface ToolDeps {
  /** The only way a tool touches a machine. */
  hosts: HostRegistry;
  now: () => Date;
  signal?: AbortSignal;
  /** Progress for long work (MCP progress notifications, a CLI progress line). */
  progress: (update: ProgressUpdate) => void;
  /** Log lines for the client (MCP logging), never stdout. */
  log: (level: "debug" | "info" | "warning" | "error", message: string) => void;
  /** Set on a --read-only server: tools skip even incidental writes. */
  readOnly?: boolean;
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
  /** The short text shown to people and models; name arguments and next calls with argsHint / callHint. */
  summarize(result: z.output<Out>): string;
  /** True when the call ran but did not do what was asked (a failed check, nothing written, no match): exit 1. */
  failed?(result: z.output<Out>): boolean;
  attachments?(result: z.output<Out>): ToolAttachment[];
}

export const defineTool = <In extends z.ZodObject, Out extends z.ZodObject>(def: ToolDef<In, Out>): ToolDef<In, Out> =>
  def;

export function annotationsFor(def: { title: string; kind: ToolKind }) {
  return {
    title: def.title,
    readOnlyHint: def.kind === "read",
    destructiveHint: def.kind === "destructive",
    idempotentHint: def.kind === "read",
    openWorldHint: true,
  };
}

/** A problem the caller can act on; its message is shown as written. */
export class ToolError extends Error {
  override name = "ToolError";
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const kebabCase = (name: string) => name.replaceAll("_", "-");
