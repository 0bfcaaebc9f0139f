// Derives a tool's CLI flags from the JSON Schema of its zod input (z.toJSONSchema): one flag per field, in
// kebab-case, with the field's description; the primary argument of some tools is also positional.
import { type Command, Option } from "commander";
import { z } from "zod";

export type FlagType = "string" | "number" | "boolean" | "array" | "enum" | "json";

export interface FlagSpec {
  field: string;
  flag: string;
  type: FlagType;
  /** For arrays: whether the items are numbers. */
  numericItems?: boolean;
  required: boolean;
  description: string;
  choices?: string[];
  defaultValue?: unknown;
  /** A value to show in hints and errors (from the schema's examples, else a well-known one). */
  example: string;
}

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replaceAll("_", "-");

/** The tools whose primary argument a person types without a flag: `tail-logs RUN_ID`. */
export const POSITIONAL: Record<string, { field: string; name: string }> = {
  find_model: { field: "query", name: "QUERY" },
  diagnose_error: { field: "logFile", name: "LOGFILE" },
  tail_logs: { field: "runId", name: "RUN_ID" },
  stop_run: { field: "runId", name: "RUN_ID" },
  resume_run: { field: "runId", name: "RUN_ID" },
  validate_dataset: { field: "path", name: "PATH" },
};

/** Example values for fields whose schema gives none. */
const EXAMPLES: Record<string, string> = {
  host: "sim",
  hosts: "a2-node1,a2-node2",
  model: "qwen2.5vl-3b",
  query: "qwen2.5vl-3b",
  release: "v26.1.0",
  runId: "run-20261127-120000-ab12",
  logFile: "/path/to/train.log",
  path: "/data/mllm_format_llava_instruct_data.json",
  input: "/data/llava.json",
  output: "/data/mllm_format_llava_instruct_data.json",
  dataset: "/data/mllm_format_llava_instruct_data.json",
  script: "/path/to/finetune_qwen2_5_vl_3b.sh",
  rule: "npu-oom",
  fix: "reduce-micro-batch",
  text: "'RuntimeError: NPU out of memory'",
};

interface JsonProperty {
  type?: string | string[];
  enum?: unknown[];
  items?: { type?: string };
  description?: string;
  default?: unknown;
  examples?: unknown[];
}

function exampleFor(field: string, type: FlagType, prop: JsonProperty): string {
  const given = prop.examples?.[0];
  if (given !== undefined) return typeof given === "string" ? given : JSON.stringify(given);
  if (EXAMPLES[field]) return EXAMPLES[field]!;
  if (prop.enum) return String(prop.enum[0]);
  if (type === "number") return "1";
  if (type === "json") return `'{"KEY": "value"}'`;
  if (type === "array") return "a,b";
  return "VALUE";
}

export function flagSpecs(input: z.ZodObject): FlagSpec[] {
  const schema = z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonProperty>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([field, prop]) => {
    const jsonType = Array.isArray(prop.type) ? prop.type.find((t) => t !== "null") : prop.type;
    const type: FlagType = prop.enum
      ? "enum"
      : // A list of lists (VPP layer rows) is typed as JSON: commas cannot separate it.
        jsonType === "array" && prop.items?.type === "array"
        ? "json"
        : jsonType === "string" || jsonType === "boolean" || jsonType === "array"
          ? jsonType
          : jsonType === "integer" || jsonType === "number"
            ? "number"
            : "json";
    return {
      field,
      flag: kebab(field),
      type,
      numericItems: type === "array" && (prop.items?.type === "integer" || prop.items?.type === "number"),
      required: required.has(field) && prop.default === undefined,
      description: prop.description ?? "",
      choices: prop.enum?.map(String),
      defaultValue: prop.default,
      example: exampleFor(field, type, prop),
    };
  });
}

/** How a flag is written with a value, e.g. `--model qwen2.5vl-3b` or `--confirm`. */
export function flagWithExample(spec: FlagSpec): string {
  return spec.type === "boolean" ? `--${spec.flag}` : `--${spec.flag} ${spec.example}`;
}

export function addFlags(cmd: Command, specs: FlagSpec[]): void {
  for (const s of specs) {
    const choices = s.choices ? ` [${s.choices.join("|")}]` : "";
    const desc = `${s.description}${choices}${s.required ? " (required)" : ""}`;
    if (s.type === "boolean") {
      // A plain switch; only a field that defaults to true gets the --no- form that turns it off.
      const on = s.defaultValue === true;
      cmd.addOption(
        new Option(
          on ? `--no-${s.flag}` : `--${s.flag}`,
          on ? `do not ${desc.charAt(0).toLowerCase()}${desc.slice(1)}` : desc,
        ),
      );
      continue;
    }
    const shown = s.defaultValue !== undefined ? ` (default: ${JSON.stringify(s.defaultValue)})` : "";
    const option =
      s.type === "array"
        ? new Option(`--${s.flag} <value...>`, `${desc}${shown} (repeat or separate with commas)`)
        : s.type === "json"
          ? new Option(`--${s.flag} <json>`, `${desc}${shown} (JSON)`)
          : new Option(`--${s.flag} <value>`, `${desc}${shown}`);
    cmd.addOption(option);
  }
}

/** Commander's parsed options → the tool's raw input (zod then validates and coerces it). */
export function optionsToInput(specs: FlagSpec[], options: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const toNumber = (value: unknown) => {
    const n = Number(value);
    return Number.isFinite(n) && String(value).trim() !== "" ? n : value;
  };
  for (const s of specs) {
    const key = s.flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const value = options[key];
    if (value === undefined) continue;
    if (s.type === "boolean" && s.defaultValue === true && value === true) continue;
    if (s.type === "number") {
      input[s.field] = toNumber(value);
    } else if (s.type === "array") {
      const items = (value as string[]).flatMap((v) => v.split(",")).filter((v) => v !== "");
      input[s.field] = s.numericItems ? items.map(toNumber) : items;
    } else if (s.type === "json") {
      try {
        input[s.field] = JSON.parse(String(value));
      } catch {
        throw new UsageError(`--${s.flag} must be JSON, e.g. --${s.flag} '{"KEY": "value"}'`);
      }
    } else {
      input[s.field] = value;
    }
  }
  return input;
}

/** A mistake in how the command was typed: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
