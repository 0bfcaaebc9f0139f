// Checks a Kubernetes object against a CRD's openAPIV3Schema the way the API server treats a structural schema:
// types, int32/int64 ranges, enums, patterns, required fields, int-or-string, and unknown fields (which the server
// prunes, or refuses under strict field validation) reported unless x-kubernetes-preserve-unknown-fields allows them.
// Small on purpose: CRD schemas use only this part of OpenAPI v3.

export interface SchemaNode {
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

const RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Every problem found, as `path: what`; empty when the object fits the schema. */
export function checkAgainstSchema(value: unknown, schema: SchemaNode, path = ""): string[] {
  const at = path || "<root>";
  const errors: string[] = [];
  if (schema["x-kubernetes-int-or-string"]) {
    const t = typeOf(value);
    if (t !== "integer" && t !== "string") errors.push(`${at}: must be an integer or a string, not ${t}`);
    if (t === "string" && schema.pattern && !new RegExp(schema.pattern).test(value as string))
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    return errors;
  }
  if (schema.anyOf && !schema.anyOf.some((s) => checkAgainstSchema(value, s, path).length === 0))
    errors.push(`${at}: matches none of the allowed forms`);
  if (schema.type) {
    const t = typeOf(value);
    const ok = t === schema.type || (schema.type === "number" && t === "integer");
    if (!ok) return [...errors, `${at}: must be ${schema.type}, not ${t}`];
  }
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number") {
    const range = schema.format ? RANGES[schema.format] : undefined;
    if (range && (value < range[0] || value > range[1])) errors.push(`${at}: ${value} is out of ${schema.format}`);
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${at}: too long`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${at}: too many items`);
    if (schema.items) {
      for (const [i, v] of value.entries()) errors.push(...checkAgainstSchema(v, schema.items, `${path}[${i}]`));
    }
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${at}: ${key} is required`);
    const opaque = !schema.properties && schema.additionalProperties === undefined;
    for (const [key, v] of Object.entries(obj)) {
      const sub = `${path}.${key}`;
      const known = schema.properties?.[key];
      if (known) errors.push(...checkAgainstSchema(v, known, sub));
      else if (typeof schema.additionalProperties === "object")
        errors.push(...checkAgainstSchema(v, schema.additionalProperties, sub));
      else if (!opaque && !schema["x-kubernetes-preserve-unknown-fields"] && schema.additionalProperties !== true)
        errors.push(`${sub}: unknown field (the API server prunes it)`);
    }
  }
  return errors;
}

/** A label value (empty, or up to 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric). */
export const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** A label key: an optional DNS-subdomain prefix and a name of up to 63 characters. */
export const LABEL_KEY =
  /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** An object name that is a DNS-1123 label (what the operator's pods and services are named from). */
export const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
