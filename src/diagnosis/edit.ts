// Small text edits for fixes: replace one JSON array in place (keeping the file's formatting) and show a diff.

/** A unified diff with one hunk: the lines between the common head and tail, with one line of context. */
export function lineDiff(path: string, before: string, after: string): string {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - 1);
  const ctxEnd = Math.min(tail, 1);
  const oldLines = a.slice(head, a.length - tail);
  const newLines = b.slice(head, b.length - tail);
  const after1 = a.slice(a.length - tail, a.length - tail + ctxEnd);
  const before1 = a.slice(from, head);
  const out = [`--- ${path}`, `+++ ${path}`];
  const oldCount = before1.length + oldLines.length + after1.length;
  const newCount = before1.length + newLines.length + after1.length;
  out.push(`@@ -${from + 1},${oldCount} +${from + 1},${newCount} @@`);
  for (const l of before1) out.push(` ${l}`);
  for (const l of oldLines) out.push(`-${l}`);
  for (const l of newLines) out.push(`+${l}`);
  for (const l of after1) out.push(` ${l}`);
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
