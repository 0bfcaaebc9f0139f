// Chat commands: /help, and each MCP prompt as /<name> key=value … (its text becomes the person's message).
import { z } from "zod";
import { allPrompts } from "../prompts/index.js";
import { describeInputError } from "../tools/invoke.js";

export type Expansion =
  | { kind: "message" }
  | { kind: "prompt"; name: string; text: string }
  | { kind: "reply"; text: string };

const usage = (p: (typeof allPrompts)[number]) =>
  `/${p.name} ${Object.entries(p.args)
    .map(([k, schema]) => ((schema as z.ZodType).safeParse(undefined).success ? `[${k}=…]` : `${k}=…`))
    .join(" ")}`;

export function helpText(): string {
  return [
    "Type a message, or one of:",
    ...allPrompts.map((p) => `  ${usage(p).padEnd(44)} ${p.title}`),
    "  /exit                                        leave (Ctrl-C stops the current step)",
  ].join("\n");
}

/** `key=value` pairs; values may be double-quoted to hold spaces. */
export function parseSlashArgs(text: string): Record<string, string> {
  const args: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S+))/g)) args[m[1] as string] = m[2] ?? m[3] ?? "";
  return args;
}

export function expandSlashCommand(line: string): Expansion {
  const m = /^\/([a-z][a-z-]*)(?:\s+(.*))?$/s.exec(line.trim());
  if (!m) return { kind: "message" };
  const name = m[1] as string;
  if (name === "help") return { kind: "reply", text: helpText() };
  const prompt = allPrompts.find((p) => p.name === name);
  if (!prompt) return { kind: "reply", text: `Unknown command /${name}. ${helpText()}` };
  const parsed = z
    .object(prompt.args)
    .strict()
    .safeParse(parseSlashArgs(m[2] ?? ""));
  if (!parsed.success) return { kind: "reply", text: `${describeInputError(parsed.error)}\nusage: ${usage(prompt)}` };
  return { kind: "prompt", name, text: prompt.render(parsed.data as never) };
}
