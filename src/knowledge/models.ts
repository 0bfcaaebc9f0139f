// The model registry: every VLM entry and routing entry, and the per-release view of a recipe.
import { DEEPSEEK_MODELS } from "./models-deepseek.js";
import { GLM_MODELS } from "./models-glm.js";
import { INTERNVL_MODELS } from "./models-internvl.js";
import { OTHER_VLM_MODELS, ROUTING_ENTRIES } from "./models-other.js";
import { QWEN_MODELS } from "./models-qwen.js";
import type { ReleaseTag } from "./release-tags.js";
import type { ModelEntry, RoutingEntry, TrainingDefaults, TrainingRecipe } from "./types.js";

export const MODELS: readonly ModelEntry[] = [
  ...QWEN_MODELS,
  ...INTERNVL_MODELS,
  ...GLM_MODELS,
  ...DEEPSEEK_MODELS,
  ...OTHER_VLM_MODELS,
];
export const ROUTES: readonly RoutingEntry[] = ROUTING_ENTRIES;

const byId = new Map(MODELS.map((m) => [m.id, m]));

export function getModel(id: string): ModelEntry | undefined {
  return byId.get(id);
}

export function modelIds(): string[] {
  return MODELS.map((m) => m.id);
}

/** A recipe at one release, with the release's default overrides applied. */
export interface ResolvedRecipe extends Omit<TrainingRecipe, "defaultsAt" | "envAt"> {
  release: ReleaseTag;
}

export function recipeAt(model: ModelEntry, release: ReleaseTag, variant = ""): ResolvedRecipe | undefined {
  const recipe = model.recipes.find((r) => r.variant === variant && r.releases.includes(release));
  if (!recipe) return undefined;
  const { defaultsAt, envAt, ...rest } = recipe;
  const defaults: TrainingDefaults = { ...recipe.defaults, ...(defaultsAt?.[release] ?? {}) };
  const env = Object.fromEntries(
    Object.entries({ ...recipe.env, ...(envAt?.[release] ?? {}) }).filter(([, value]) => value !== ""),
  );
  const upstreamDifferences = recipe.upstreamDifferences?.filter((d) => !d.releases || d.releases.includes(release));
  return { ...rest, defaults, env, upstreamDifferences, release };
}

/** Newest release that has the model (and the variant when given). */
export function newestReleaseFor(model: ModelEntry, variant = ""): ReleaseTag | undefined {
  const releases = model.recipes.filter((r) => r.variant === variant).flatMap((r) => [...r.releases]);
  const pool = releases.length > 0 ? releases : [...model.releases];
  return [...model.releases].reverse().find((t) => pool.includes(t));
}
