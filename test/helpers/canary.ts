// Injection probes: hostile strings that each try to create a canary file, a walk over a tool's zod input that finds
// every string slot (nested objects, arrays, record keys and values), and a search for the canary afterwards.
// A canary is named canary-<token>-42 where the 42 only exists after shell (or Python) evaluation, so a hostile
// string that is merely stored as a file or directory name never looks like a fired canary.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { z } from "zod";

export interface Canary {
  token: string;
  /** The file name that exists only if a payload was evaluated. */
  name: string;
  /** Absolute path payloads aim at (world-writable /tmp). */
  path: string;
}

export function newCanary(): Canary {
  const token = randomBytes(6).toString("hex");
  return { token, name: `canary-${token}-42`, path: `/tmp/canary-${token}-42` };
}

/** Payloads that create the canary when a shell, Python or YAML-to-shell step evaluates them. */
export function firingPayloads(c: Canary): string[] {
  const abs = `/tmp/canary-${c.token}-$((6*7))`;
  const cmd = `touch ${abs}`;
  const rel = `touch canary-${c.token}-$((6*7))`;
  const py = `__import__('os').system('touch /tmp/canary-${c.token}-'+str(6*7))`;
  return [
    `$(${cmd})`,
    `;${cmd}`,
    `; ${cmd} #`,
    `&& ${cmd}`,
    `|| ${cmd}`,
    `| ${cmd}`,
    `\`${cmd}\``,
    `x\n${cmd}\n`,
    `x\r\n${cmd}`,
    `'; ${cmd}; echo '`,
    `"; ${cmd}; echo "`,
    `'"$(${cmd})"'`,
    `\\'$(${cmd})`,
    `$(${rel})`,
    `\`${rel}\``,
    `& ${cmd} &`,
    `>(${cmd})`,
    `<(${cmd})`,
    `\${IFS}${cmd.replaceAll(" ", "$IFS")}`,
    `x'); ${py} #`,
    `x"); ${py} #`,
    `{{ ${py} }}`,
    `-oProxyCommand=${cmd}`,
    `--output=$(${cmd})`,
    `!!python/object/apply:os.system ["${cmd}"]`,
  ];
}

/** Values that fire nothing but probe quoting, globbing, option parsing and encoding. */
export const oddValues: string[] = [
  "*",
  "/tmp/*",
  "~/*",
  "{a,b}",
  "[a-z]*",
  "?",
  "--foo",
  "-rf",
  "-",
  "--",
  "--help",
  "-n -e \\c",
  "'",
  '"',
  "\\",
  "'\"'\"'",
  // Names of Object.prototype members: a lookup by name must not find them (a host named valueOf once did).
  "__proto__",
  "constructor",
  "valueOf",
  "toString",
  "hasOwnProperty",
  "$HOME",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell expansion
  "${PATH}",
  "~root",
  "a b\tc",
  "\n",
  "\r",
  "\u0000",
  "x\u0000y",
  "\u001b[31mred",
  "\ud800",
  "\udfff\ud800",
  "\ufffe\uffff",
  "é\u00ff\u0080",
  "\u202e\u2066",
  "%s%n%x",
  "../../../../etc/passwd",
  "/etc/passwd",
  "null",
  "[]",
  "{}",
];

/** One hostile string: a firing payload, an odd value, arbitrary UTF-16 (lone surrogates too), or a very long one. */
export function hostileString(c: Canary, around: string[] = []): fc.Arbitrary<string> {
  const core = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...firingPayloads(c)) },
    { weight: 3, arbitrary: fc.constantFrom(...oddValues) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(4097, 70_000, 140_000), fc.constantFrom(...firingPayloads(c)))
        .map(([n, p]) => `${"A".repeat(n)}${p}`),
    },
  );
  // Embedded in a plausible value too, so checks that only look at the first characters are probed.
  const base = around.length > 0 ? fc.constantFrom(...around) : fc.constant("x");
  return fc.oneof(
    core,
    fc.tuple(base, core).map(([b, p]) => `${b}${p}`),
    fc.tuple(base, core).map(([b, p]) => `${b}/${p}/y`),
  );
}

type Segment = string | number;

/** A place in a tool's input that holds a string: a value, or the key of a record. */
export interface StringSlot {
  path: Segment[];
  asKey: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: zod internals are walked generically
type AnySchema = z.ZodType & { _zod: { def: any } };

/** The schema under optional / default / nullable / pipe wrappers. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def;
    if (["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(def.type))
      s = def.innerType;
    else if (def.type === "pipe") s = def.in;
    else if (def.type === "lazy") s = def.getter();
    else break;
  }
  return s;
}

const RECORD_KEY = "FUZZ_VAR";

/** Every string slot reachable in the schema (objects, arrays, unions, records' keys and values). */
export function stringSlots(schema: AnySchema, path: Segment[] = [], depth = 0): StringSlot[] {
  if (depth > 6) return [];
  const s = unwrap(schema);
  const def = s._zod.def;
  switch (def.type) {
    case "string":
      return [{ path, asKey: false }];
    case "object":
      return Object.entries(def.shape as Record<string, AnySchema>).flatMap(([k, v]) =>
        stringSlots(v, [...path, k], depth + 1),
      );
    case "array":
      return stringSlots(def.element, [...path, 0], depth + 1);
    case "record":
      return [
        ...(unwrap(def.keyType)._zod.def.type === "string" ? [{ path: [...path, RECORD_KEY], asKey: true }] : []),
        ...stringSlots(def.valueType, [...path, RECORD_KEY], depth + 1),
      ];
    case "union":
      // The first option holding strings stands for the union.
      for (const option of def.options as AnySchema[]) {
        const found = stringSlots(option, path, depth + 1);
        if (found.length > 0) return found;
      }
      return [];
    default:
      return [];
  }
}

/** Whether a field must be given (not optional, no default). */
function required(schema: AnySchema): boolean {
  const t = schema._zod.def.type;
  if (t === "optional" || t === "default" || t === "prefault") return false;
  if (t === "nullable" || t === "readonly" || t === "pipe") {
    return required(t === "pipe" ? schema._zod.def.in : schema._zod.def.innerType);
  }
  return true;
}

export interface BaseValues {
  /** Values for string fields by field name (host, model...); other strings get `fallback(field)`. */
  byField: Record<string, unknown>;
  fallback: (field: string) => string;
}

/** A plausible value for a schema, used where no hostile string goes. */
function plausible(schema: AnySchema, field: string, base: BaseValues, depth = 0): unknown {
  if (field in base.byField) return base.byField[field];
  const s = unwrap(schema);
  const def = s._zod.def;
  switch (def.type) {
    case "string":
      return base.fallback(field);
    case "number":
    case "int": {
      const min = (s as unknown as { minValue?: number | null }).minValue;
      return typeof min === "number" && Number.isFinite(min) ? Math.max(min, 1) : 1;
    }
    case "boolean":
      return false;
    case "enum":
      return Object.values(def.entries)[0];
    case "literal":
      return def.values[0];
    case "array": {
      const min = (s as unknown as { _zod: { bag: { minimum?: number } } })._zod.bag.minimum ?? 1;
      return Array.from({ length: Math.max(1, min) }, () => plausible(def.element, field, base, depth + 1));
    }
    case "object":
      return requiredArgs(s as unknown as z.ZodObject, base, depth + 1);
    case "record":
      return {};
    case "union":
      return plausible(def.options[0], field, base, depth + 1);
    default:
      return undefined;
  }
}

/** The required fields of an object schema filled with plausible values. */
export function requiredArgs(schema: z.ZodObject, base: BaseValues, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 5) return out;
  for (const [k, v] of Object.entries(schema.shape as Record<string, AnySchema>)) {
    if (required(v)) out[k] = plausible(v, k, base, depth);
  }
  return out;
}

/** The schema found at a slot's path (for filling missing parents). */
function schemaAt(root: AnySchema, path: Segment[]): AnySchema | null {
  let s: AnySchema | null = root;
  for (const seg of path) {
    if (!s) return null;
    const u = unwrap(s);
    const def = u._zod.def;
    if (def.type === "object") s = (def.shape as Record<string, AnySchema>)[String(seg)] ?? null;
    else if (def.type === "array") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else if (def.type === "union") s = def.options.find((o: AnySchema) => unwrap(o)._zod.def.type !== "null") ?? null;
    else return null;
  }
  return s;
}

/** Puts `value` at the slot, creating parents (arrays get plausible siblings up to their minimum length). */
export function placeAt(
  args: Record<string, unknown>,
  root: z.ZodObject,
  slot: StringSlot,
  value: string,
  base: BaseValues,
): void {
  // biome-ignore lint/suspicious/noExplicitAny: walking plain JSON
  let cur: any = args;
  for (let i = 0; i < slot.path.length; i++) {
    const seg = slot.path[i]!;
    const last = i === slot.path.length - 1;
    const nextSchema = schemaAt(root as unknown as AnySchema, slot.path.slice(0, i + 1));
    if (last) {
      if (slot.asKey) {
        const inner = nextSchema ? plausible(nextSchema, String(seg), base) : "1";
        cur[value] = typeof inner === "string" ? "1" : inner;
      } else cur[seg] = value;
      return;
    }
    if (cur[seg] === undefined || cur[seg] === null || typeof cur[seg] !== "object") {
      const made = nextSchema ? plausible(nextSchema, String(seg), base) : {};
      cur[seg] = made && typeof made === "object" ? made : {};
    }
    cur = cur[seg];
  }
}

/** Files named exactly like the canary under the given directories (local search; /tmp holds the sims). */
export function findCanaryLocally(c: Canary, dirs: string[]): string[] {
  // Directories vanishing under other tests make find exit non-zero; what it printed still counts.
  const out = spawnSync("find", [...dirs, "-xdev", "-name", c.name], { encoding: "utf8" }).stdout.trim();
  return out ? out.split("\n") : [];
}

/** Outcome classes of a tools/call through a real MCP client. */
export type CallOutcome = "ok" | "validation" | "tool-error" | "internal" | "protocol";

export function classifyResult(result: unknown): { outcome: CallOutcome; text: string } {
  const res = result as { isError?: unknown; content?: unknown };
  const text = Array.isArray(res.content)
    ? (res.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n")
    : "";
  if (!res.isError) return { outcome: "ok", text };
  if (/^Internal error|Output validation error|MCP error -32603/.test(text)) return { outcome: "internal", text };
  if (/Input validation error|Invalid arguments for tool/.test(text)) return { outcome: "validation", text };
  return { outcome: "tool-error", text };
}
