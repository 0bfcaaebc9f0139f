// Deep merge for config templates: objects merge, arrays and scalars replace, DROP removes a key.

export const DROP = Symbol("drop");

export type Patch = { [key: string]: unknown };

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function merge<T>(base: T, ...patches: Patch[]): T {
  let out: unknown = structuredClone(base);
  for (const patch of patches) out = mergeOne(out, patch);
  return out as T;
}

function mergeOne(base: unknown, patch: Patch): unknown {
  if (!isPlain(base)) return stripDrops(patch);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === DROP) delete out[key];
    else if (isPlain(value) && isPlain(out[key])) out[key] = mergeOne(out[key], value as Patch);
    else out[key] = stripDrops(value);
  }
  return out;
}

function stripDrops(value: unknown): unknown {
  if (!isPlain(value)) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== DROP) out[k] = stripDrops(v);
  return out;
}
