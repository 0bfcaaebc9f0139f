// Resolves what people type (ids, HF repo ids, loose names, family words) to a model entry, the models of the
// families a word names, or the nearest model ids.
import { callHint } from "../text/hint.js";
import { familiesInWords, groupByFamily } from "./catalog.js";
import { MODELS, ROUTES } from "./models.js";
import { textOnlyFamilyOf } from "./text-only-families.js";
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

/** The parameter count a name ends with, in billions ("Qwen2.5-VL-8B" -> 8, "30B-A3B" -> 30); undefined if none. */
function billionsIn(name: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)\s*b(?:-a\d+b)?(?:[-_ ]?(?:instruct|chat|thinking))?$/i.exec(name.trim());
  return match ? Number(match[1]) : undefined;
}

/** How far a typed name is from a key: edits, a query that is a prefix of the key (or the key of it) counting less. */
function nameDistance(q: string, key: string): number {
  // Length difference breaks ties: "internvl3-7b" is nearer 8b than 78b.
  const d = levenshtein(q, key) + Math.abs(key.length - q.length) * 0.1;
  return key.startsWith(q) || q.startsWith(key) ? Math.min(d, Math.abs(key.length - q.length) * 0.5) : d;
}

/**
 * Ids nearest to the query, best first: model ids, and with `includeRoutes` the other kinds too. Only names within a
 * few edits count (about two in five characters), so a name like nothing known gets no suggestion rather than noise.
 */
export function nearestIds(query: string, options: { limit?: number; includeRoutes?: boolean } = {}): string[] {
  const q = canonicalName(query);
  if (!q) return [];
  const withinReach = Math.max(2, q.length * 0.4) + 0.5;
  const pool = options.includeRoutes ? [...modelIndex, ...routeIndex] : modelIndex;
  const askedSize = billionsIn(query);
  const scored = pool.map(({ entry, keys }, order) => {
    const size = "size" in entry ? billionsIn(entry.size ?? "") : undefined;
    // Among names as near, the size nearest the one asked for comes first: 8B suggests 7B before 3B.
    const sizeGap = askedSize && size ? Math.abs(Math.log(askedSize / size)) : Number.POSITIVE_INFINITY;
    return { id: entry.id, order, sizeGap, distance: Math.min(...keys.map((k) => nameDistance(q, k))) };
  });
  return scored
    .filter((s) => s.distance <= withinReach)
    .sort((x, y) => x.distance - y.distance || x.sizeGap - y.sizeGap || x.order - y.order)
    .slice(0, options.limit ?? 5)
    .map((s) => s.id);
}

/**
 * How well a family word meets a family name or example dir, lower is better: 0 the whole name ("qwen2.5vl"), 1 a
 * prefix ending where a word or number ends ("qwen" of "Qwen2.5-VL", "qwen2.5" of it), 2 a prefix ending inside a
 * version number ("qwen3" of "Qwen3.5"); undefined when it stops inside a word ("inter" of "InternVL2").
 */
function familyWordRank(q: string, name: string): number | undefined {
  const lower = name.toLowerCase();
  const squash = (text: string) => text.replace(/[^a-z0-9]/g, "");
  const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let best: number | undefined;
  for (let end = 1; end <= lower.length; end++) {
    const last = lower[end - 1]!;
    if (!/[a-z0-9]/.test(last) || squash(lower.slice(0, end)) !== q) continue;
    const rest = lower.slice(end);
    const next = rest[0];
    let rank: number | undefined;
    if (squash(rest) === "") rank = 0;
    else if (isDigit(last) && /^[._]?\d/.test(rest)) rank = 2;
    else if (!/[a-z0-9]/.test(next!) || isDigit(last) !== isDigit(next)) rank = 1;
    if (rank !== undefined && (best === undefined || rank < best)) best = rank;
  }
  return best;
}

/** The models a family word names, best match first (the family itself, then its wider and its later versions). */
export function modelsOfFamilyWord(query: string): ModelEntry[] {
  const q = canonicalName(query);
  if (!q) return [];
  const ranked = MODELS.flatMap((model, order) => {
    const ranks = [model.family, model.exampleDir].map((name) => familyWordRank(q, name));
    const rank = Math.min(...ranks.map((r) => r ?? Number.POSITIVE_INFINITY));
    return Number.isFinite(rank) ? [{ model, rank, order }] : [];
  });
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map((r) => r.model);
}

/**
 * The one wording, whatever the tool, for a model name that names no single model: several sizes of one family, or
 * nothing known (the nearest ids). A tool's own limits (a route it does not serve) stay in its own words.
 */
export function modelNotResolved(found: Extract<LookupResult, { status: "family" } | { status: "unknown" }>): string {
  if (found.status === "family") {
    const groups = groupByFamily(found.candidates);
    if (groups.length === 1)
      return `"${found.query}" names several sizes: ${found.candidates.map((m) => m.id).join(", ")}; give one id.`;
    return `"${found.query}" names ${found.candidates.length} models in ${groups.length} families: ${familiesInWords(groups)}; give one id.`;
  }
  // A text-only LLM is not a typo of a VLM id: say what it is and where find_model points it.
  const textOnly = textOnlyFamilyOf(found.query);
  if (textOnly)
    return `"${found.query}" is a text-only ${textOnly.name} model, and these recipes fine-tune vision-language models; ${callHint("find_model", { query: found.query })} says where text-only models train.`;
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
  // A family word without a size ("qwen2.5vl", "InternVL3", "qwen", "glm"): one model, or every one it names.
  const family = modelsOfFamilyWord(query);
  if (family.length === 1) return { status: "model", model: family[0]! };
  if (family.length > 1) return { status: "family", query, candidates: family };
  return { status: "unknown", query, suggestions: nearestIds(query) };
}
