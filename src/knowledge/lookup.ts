// Resolves what people type (ids, HF repo ids, loose names) to a model entry, or to the nearest ids.
import { MODELS, ROUTES } from "./models.js";
import type { ModelEntry, RoutingEntry } from "./types.js";

/** Lower case, no org prefix, no "-instruct", no separators: "Qwen/Qwen2.5-VL-3B-Instruct" -> "qwen25vl3b". */
export function canonicalName(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/^[a-z0-9_.-]+\//, "")
    .replace(/[-_ .]?(instruct|chat|hf)$/g, "")
    .replace(/[^a-z0-9]/g, "");
}

function keysOf(entry: ModelEntry | RoutingEntry): string[] {
  const keys = [entry.id, entry.displayName, ...entry.aliases];
  if ("hfRepo" in entry && entry.hfRepo) keys.push(entry.hfRepo);
  return [...new Set(keys.map(canonicalName).filter(Boolean))];
}

const modelIndex = MODELS.map((m) => ({ entry: m, keys: keysOf(m) }));
const routeIndex = ROUTES.map((r) => ({ entry: r, keys: keysOf(r) }));

export type LookupResult =
  | { status: "model"; model: ModelEntry }
  | { status: "family"; query: string; candidates: ModelEntry[] }
  | { status: "route"; route: RoutingEntry }
  | { status: "unknown"; query: string; suggestions: string[] };

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Ids nearest to the query, best first. */
export function nearestIds(query: string, limit = 5): string[] {
  const q = canonicalName(query);
  const scored = [...modelIndex, ...routeIndex].map(({ entry, keys }) => {
    const distance = Math.min(
      ...keys.map((k) => {
        // Length difference breaks ties: "internvl3-7b" is nearer 8b than 78b.
        const d = levenshtein(q, k) + Math.abs(k.length - q.length) * 0.1;
        // A query that is a prefix of (or contains) a key is closer than its edit distance says.
        return k.startsWith(q) || q.startsWith(k) ? Math.min(d, Math.abs(k.length - q.length) * 0.5) : d;
      }),
    );
    return { id: entry.id, distance };
  });
  scored.sort((x, y) => x.distance - y.distance || x.id.localeCompare(y.id));
  return scored.slice(0, limit).map((s) => s.id);
}

/**
 * The one wording, whatever the tool, for a model name that names no single model: several sizes of one family, or
 * nothing known (the nearest ids). A tool's own limits (a route it does not serve) stay in its own words.
 */
export function modelNotResolved(found: Extract<LookupResult, { status: "family" } | { status: "unknown" }>): string {
  if (found.status === "family")
    return `"${found.query}" names several sizes: ${found.candidates.map((m) => m.id).join(", ")}; give one id.`;
  const nearest = found.suggestions.length ? ` Nearest: ${found.suggestions.join(", ")};` : "";
  return `Unknown model "${found.query}".${nearest} find_model lists every model by family and size.`;
}

export function lookupModel(query: string): LookupResult {
  const q = canonicalName(query);
  if (!q) return { status: "unknown", query, suggestions: [] };
  const exact = modelIndex.find(({ keys }) => keys.includes(q));
  if (exact) return { status: "model", model: exact.entry };
  const route = routeIndex.find(({ keys }) => keys.includes(q));
  if (route) return { status: "route", route: route.entry };
  // A family or example dir without a size ("qwen2.5vl", "InternVL3").
  const family = MODELS.filter((m) => [m.exampleDir, m.family].map(canonicalName).includes(q));
  if (family.length === 1) return { status: "model", model: family[0]! };
  if (family.length > 1) return { status: "family", query, candidates: family };
  return { status: "unknown", query, suggestions: nearestIds(query) };
}
