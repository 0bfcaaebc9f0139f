// Small text edits for fixes: replace one JSON array in place (keeping the file's formatting) and show a diff.

/** A unified-style diff of the changed lines, with one line of context. */
export function lineDiff(path: string, before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const out = [`--- ${path}`, `+++ ${path}`];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    // Same line count: the edits here replace values in place.
    let j = i;
    while (j < n && a[j] !== b[j]) j++;
    const from = Math.max(0, i - 1);
    const to = Math.min(n, j + 1);
    out.push(`@@ -${from + 1},${to - from} +${from + 1},${to - from} @@`);
    for (let k = from; k < to; k++) {
      if (k >= i && k < j) {
        if (a[k] !== undefined) out.push(`-${a[k]}`);
        if (b[k] !== undefined) out.push(`+${b[k]}`);
      } else out.push(` ${a[k] ?? ""}`);
    }
    i = j;
  }
  return out.join("\n");
}

/**
 * Replaces the array at `path` (object keys) in JSON text, leaving everything else byte for byte. Returns null
 * when the text is not JSON or the path does not lead to an array.
 */
export function replaceJsonArray(text: string, path: string[], value: number[]): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  let node: unknown = parsed;
  for (const key of path) node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(node)) return null;
  // Walk the keys in the text: each next key is searched after the previous one.
  let at = 0;
  for (const key of path) {
    const i = text.indexOf(`"${key}"`, at);
    if (i === -1) return null;
    at = i + key.length + 2;
  }
  const open = text.indexOf("[", at);
  if (open === -1) return null;
  let depth = 0;
  let close = -1;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "[") depth++;
    else if (text[i] === "]" && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close === -1) return null;
  const next = `${text.slice(0, open)}[${value.join(", ")}]${text.slice(close + 1)}`;
  try {
    let check: unknown = JSON.parse(next);
    for (const key of path) check = (check as Record<string, unknown>)[key];
    return JSON.stringify(check) === JSON.stringify(value) ? next : null;
  } catch {
    return null;
  }
}
