// A guided flow offered to MCP clients as a prompt: arguments in, one user message out.
import type { z } from "zod";

export interface PromptDef<Args extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  args: Args;
  /** The text of the user message; it names the tools to call, in order. */
  render(args: { [K in keyof Args]: z.output<Args[K]> }): string;
}

export const definePrompt = <Args extends z.ZodRawShape>(def: PromptDef<Args>): PromptDef<Args> => def;
