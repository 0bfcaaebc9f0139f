// The model registry as people browse it: VLM models grouped by family, smallest size first, and the other kinds
// (omni, audio, video generation) that get a pointer instead of configs.
import { MODELS, ROUTES } from "./models.js";
import type { ReleaseTag } from "./release-tags.js";
import type { ModelEntry, ModelKind } from "./types.js";

export interface FamilyGroup {
  family: string;
  models: { id: string; size: string | null }[];
}

export interface OtherKindGroup {
  kind: ModelKind;
  ids: string[];
}

/** "30B-A3B" -> 30; a model with no size sorts first in its family. */
const billions = (size: string | undefined): number => (size ? Number.parseFloat(size) || 0 : 0);

/** The models grouped by family, families in the order given (best match first), sizes ascending in each. */
export function groupByFamily(models: readonly ModelEntry[]): FamilyGroup[] {
  const groups = new Map<string, ModelEntry[]>();
  for (const model of models) groups.set(model.family, [...(groups.get(model.family) ?? []), model]);
  return [...groups].map(([family, members]) => ({
    family,
    models: [...members]
      .sort((a, b) => billions(a.size) - billions(b.size))
      .map((m) => ({ id: m.id, size: m.size ?? null })),
  }));
}

/** "Qwen2-VL: qwen2vl-2b, qwen2vl-7b; Qwen2.5-VL: …" for a message. */
export function familiesInWords(groups: readonly FamilyGroup[]): string {
  return groups.map((g) => `${g.family}: ${g.models.map((m) => m.id).join(", ")}`).join("; ");
}

/** Every model build_configs serves (in one release, when given), by family and size. */
export function familyCatalog(release?: ReleaseTag): FamilyGroup[] {
  return groupByFamily(MODELS.filter((m) => !release || m.releases.includes(release)));
}

/** The examples that are not VLM fine-tunes (in one release, when given), by kind: find_model gives a pointer. */
export function otherKindCatalog(release?: ReleaseTag): OtherKindGroup[] {
  const routes = ROUTES.filter((r) => !release || r.releases.includes(release));
  const kinds = [...new Set(routes.map((r) => r.kind))];
  return kinds.map((kind) => ({ kind, ids: routes.filter((r) => r.kind === kind).map((r) => r.id) }));
}
