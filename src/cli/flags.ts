// Derives CLI flags from a tool's zod input: one flag per field, named in kebab-case.
import type { Command } from "commander";
import type { z } from "zod";

export type FlagType = "string" | "number" | "boolean" | "array" | "enum" | "json";

export interface FlagSpec {
  field: string;
  flag: string;
  type: FlagType;
  required: boolean;
  description: string;
  choices?: string[];
  defaultValue?: unknown;
}

const WRAPPERS = new Set(["default", "optional", "nullable", "prefault", "readonly", "catch"]);

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replaceAll("_", "-");

// biome-ignore lint/suspicious/noExplicitAny: zod internals are walked structurally
function unwrap(schema: any): { inner: any; optional: boolean; defaultValue: unknown } {
  let inner = schema;
  let optional = false;
  let defaultValue: unknown;
  while (inner?.def && WRAPPERS.has(inner.def.type)) {
    if (inner.def.type === "default" || inner.def.type === "prefault") {
      optional = true;
      defaultValue = typeof inner.def.defaultValue === "function" ? inner.def.defaultValue() : inner.def.defaultValue;
    }
    if (inner.def.type === "optional" || inner.def.type === "nullable") optional = true;
    inner = inner.def.innerType;
  }
  if (inner?.def?.type === "pipe") {
    const piped = unwrap(inner.def.in);
    return {
      inner: piped.inner,
      optional: optional || piped.optional,
      defaultValue: defaultValue ?? piped.defaultValue,
    };
  }
  return { inner, optional, defaultValue };
}

export function flagSpecs(input: z.ZodObject): FlagSpec[] {
  return Object.entries(input.shape).map(([field, schema]) => {
    const { inner, optional, defaultValue } = unwrap(schema);
    const kind: string = inner?.def?.type ?? "unknown";
    const type: FlagType =
      kind === "string" || kind === "number" || kind === "boolean" || kind === "array" || kind === "enum"
        ? kind
        : kind === "literal"
          ? "string"
          : "json";
    return {
      field,
      flag: kebab(field),
      type,
      required: !optional,
      description: (schema as z.ZodType).description ?? inner?.description ?? "",
      choices: kind === "enum" ? (inner.options as string[]) : undefined,
      defaultValue,
    };
  });
}

export function addFlags(cmd: Command, specs: FlagSpec[]): void {
  for (const s of specs) {
    const shown =
      s.defaultValue !== undefined && s.type !== "boolean" ? ` (default: ${JSON.stringify(s.defaultValue)})` : "";
    const choices = s.choices ? ` [${s.choices.join("|")}]` : "";
    const desc = `${s.description}${choices}${shown}${s.required ? " (required)" : ""}`;
    if (s.type === "boolean") {
      cmd.option(`--${s.flag}`, desc);
      cmd.option(`--no-${s.flag}`, `set ${s.field} to false`);
    } else if (s.type === "array") {
      cmd.option(`--${s.flag} <value...>`, `${desc} (repeat or separate with commas)`);
    } else if (s.type === "json") {
      cmd.option(`--${s.flag} <json>`, `${desc} (JSON)`);
    } else {
      cmd.option(`--${s.flag} <value>`, desc);
    }
  }
}

/** Commander's parsed options → the tool's raw input (zod then validates and coerces it). */
export function optionsToInput(specs: FlagSpec[], options: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const s of specs) {
    const key = s.flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const value = options[key];
    if (value === undefined) continue;
    if (s.type === "number") {
      const n = Number(value);
      input[s.field] = Number.isFinite(n) && String(value).trim() !== "" ? n : value;
    } else if (s.type === "array") {
      input[s.field] = (value as string[]).flatMap((v) => v.split(",")).filter((v) => v !== "");
    } else if (s.type === "json") {
      try {
        input[s.field] = JSON.parse(String(value));
      } catch {
        throw new Error(`--${s.flag} must be JSON, e.g. --${s.flag} '{"key": "value"}'`);
      }
    } else {
      input[s.field] = value;
    }
  }
  return input;
}
