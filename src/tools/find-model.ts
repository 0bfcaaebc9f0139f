// find_model: looks up a model by id, HF repo id, loose name or family word and says which MindSpeed-MM release to
// use and why; with no query, lists every model by family and size; a text-only LLM gets a pointer to the trainers
// for it. Reads the knowledge base only; touches no host.
import { z } from "zod";
import { familiesInWords, familyCatalog, groupByFamily, otherKindCatalog } from "../knowledge/catalog.js";
import { converterMethods } from "../knowledge/converters.js";
import { canonicalName, lookupModel, nearestIds } from "../knowledge/lookup.js";
import { MODELS, newestReleaseFor, recipeAt } from "../knowledge/models.js";
import { NEWEST_RELEASE, normalizeRelease, RELEASE_TAGS, type ReleaseTag } from "../knowledge/release-tags.js";
import { type TextOnlyFamily, textOnlyFamilyOf } from "../knowledge/text-only-families.js";
import type { ModelEntry } from "../knowledge/types.js";
import { callHint } from "../text/hint.js";
import { alignColumns } from "../text/table.js";
import { defineTool, ToolError } from "./tool.js";

const Recipe = z.object({
  variant: z.string(),
  description: z.string(),
  backend: z.string(),
  entry: z.string(),
  script: z.string(),
  configFiles: z.array(z.string()),
  converter: z.string().nullable(),
  converterMethods: z.array(z.object({ name: z.string(), stub: z.boolean() })).nullable(),
  defaults: z.record(z.string(), z.unknown()),
  env: z.record(z.string(), z.string()),
});

function describe(model: ModelEntry, release: ReleaseTag) {
  return model.recipes
    .filter((r) => r.releases.includes(release))
    .map((r) => {
      const resolved = recipeAt(model, release, r.variant)!;
      return {
        variant: r.variant,
        description: r.description,
        backend: r.backend,
        entry: r.entry,
        script: r.script,
        configFiles: r.configFiles,
        converter: r.converter ?? null,
        converterMethods: r.converter ? (converterMethods(r.converter, release) ?? null) : null,
        defaults: { ...resolved.defaults },
        env: r.env,
      };
    });
}

function why(model: ModelEntry, chosen: ReleaseTag, asked: ReleaseTag | null): string {
  const first = model.releases[0]!;
  const last = model.releases[model.releases.length - 1]!;
  const removed = last !== NEWEST_RELEASE ? RELEASE_TAGS[RELEASE_TAGS.indexOf(last) + 1] : undefined;
  if (asked && asked === chosen) return `${model.id} is in ${asked} (as asked).`;
  const span = `${model.id} appeared in ${first}${removed ? ` and was removed in ${removed}` : " and is still in the newest release"}`;
  return `${span}; ${chosen} is the newest release that has it${asked ? `, not ${asked}` : ""}.`;
}

const MINDSPEED_LLM = "https://github.com/Ascend/MindSpeed-LLM";

/** The VLMs a text-only name is the language model of: the same name with "VL" ("qwen2.5-7b" → qwen2.5vl-7b). */
function vlmSiblingsOf(query: string): string[] {
  const asked = canonicalName(query);
  const names = (m: ModelEntry) => [m.id, m.displayName, ...(m.hfRepo ? [m.hfRepo] : [])];
  return MODELS.filter((m) => names(m).some((name) => canonicalName(name).replace("vl", "") === asked)).map(
    (m) => m.id,
  );
}

/**
 * Where a text-only LLM trains, since MindSpeed-MM and this server's configs are for VLMs: MindSpeed-LLM on Ascend NPUs,
 * or a TRL script from build_configs on a CUDA or Hugging Face Jobs host (an HF repo id as typed goes into that call).
 */
function textOnlyPointer(query: string, family: TextOnlyFamily, vlmSiblings: string[]): string {
  const typedRepo = query.includes("/") ? query.trim() : undefined;
  const trl = callHint("build_configs", {
    trainer: "trl",
    model: typedRepo ?? "<Hugging Face id>",
    dataset: "<dataset>",
  });
  return [
    `"${query}" is a text-only model (${family.name}), not a VLM this server builds MindSpeed-MM configs for.`,
    `On Ascend NPUs, train it with MindSpeed-LLM (${MINDSPEED_LLM}), MindSpeed-MM's sibling for text-only LLMs.`,
    `On a CUDA or Hugging Face Jobs host, ${trl} writes a TRL script for it${typedRepo ? "" : ` (its Hugging Face id, e.g. ${family.exampleRepo})`}.`,
    ...(vlmSiblings.length
      ? [
          `Its vision-language model, which this server does build: ${callHint("find_model", { query: vlmSiblings[0] })}.`,
        ]
      : []),
  ].join(" ");
}

/** One line per family (its ids, smallest first), then the examples that only get a pointer. */
function catalogInWords(
  families: { family: string; models: { id: string }[] }[],
  otherKinds: { kind: string; ids: string[] }[],
  release: string | null,
): string {
  const count = families.reduce((n, f) => n + f.models.length, 0);
  const rows = alignColumns(families.map((f) => [f.family, f.models.map((m) => m.id).join(", ")]));
  const others = otherKinds.map((k) => `  ${k.kind}: ${k.ids.join(", ")}`);
  return [
    `${count} models in ${families.length} families${release ? ` in ${release}` : ""} (find_model ID for its release, recipe and converter):`,
    ...rows.map((row) => `  ${row}`),
    "Other examples (a pointer to their README, no configs):",
    ...others,
  ].join("\n");
}

export default defineTool({
  name: "find_model",
  title: "Find a model",
  description:
    "Look up a model by id (qwen2.5vl-7b), Hugging Face repo id (Qwen/Qwen2.5-VL-7B-Instruct) or loose name ('qwen 2.5 vl 7b'). " +
    "Returns its family, sizes, architecture, training backend, entry script, converter (and which converter methods are real " +
    "or stubs), config files, default parallelism, env vars, extra requirements, the releases that ship it, and which release " +
    "to use and why. A family word (qwen, qwen2.5, internvl, glm) gets every model it names, best match first; no query " +
    "lists every model by family and size. Unknown names get the nearest ids; non-VLM models (text-only LLMs such as " +
    "Llama, Qwen or Mistral, video generation, audio, omni) get a pointer. " +
    "Next: check_env, then build_configs with the recommended release.",
  toolset: "knowledge",
  kind: "read",
  input: z.object({
    query: z.string().min(1).optional().describe("Model id, HF repo id, name or family word; none lists every model"),
    release: z.string().optional().describe("MindSpeed-MM release to check (v2.1.0 … v26.1.0); default: recommend one"),
  }),
  output: z.object({
    status: z.enum(["found", "family", "other-kind", "text-only", "unknown", "catalog"]),
    query: z.string().nullable(),
    model: z
      .object({
        id: z.string(),
        family: z.string(),
        displayName: z.string(),
        kind: z.string(),
        hfRepo: z.string().nullable(),
        arch: z.unknown().nullable(),
        releases: z.array(z.string()),
        requirements: z.array(z.string()),
        isolatedEnv: z.boolean(),
        notes: z.array(z.string()),
        variants: z.array(z.string()),
      })
      .nullable(),
    release: z.string().nullable().describe("the release to use"),
    inRequestedRelease: z.boolean().nullable(),
    reason: z.string(),
    recipes: z.array(Recipe),
    candidates: z
      .array(z.string())
      .describe(
        "ids: the models a family word names (best first), every model id, the nearest ids to an unknown name, or the VLM of a text-only model",
      ),
    families: z
      .array(
        z.object({ family: z.string(), models: z.array(z.object({ id: z.string(), size: z.string().nullable() })) }),
      )
      .describe("the candidates by family, sizes ascending"),
    otherKinds: z
      .array(z.object({ kind: z.string(), ids: z.array(z.string()) }))
      .describe("with no query: the examples that get a pointer, not configs, by kind"),
    pointer: z
      .object({
        id: z.string(),
        kind: z.string(),
        entry: z.string(),
        exampleDir: z.string(),
        summary: z.string(),
        converter: z.string().nullable().describe("mm-convert class its README converts weights with, when one"),
        readme: z.string().describe("the README to follow, relative to the MindSpeed-MM root"),
        section: z.string().nullable().describe("its training section heading"),
      })
      .nullable(),
    textOnly: z
      .object({
        family: z.string(),
        exampleRepo: z.string().describe("a Hugging Face id of the family, as build_configs with trainer trl takes"),
      })
      .nullable()
      .describe("a text-only LLM: its family; the reason says where it trains (MindSpeed-LLM, or trainer trl)"),
  }),
  async handle({ query, release }) {
    let asked: ReleaseTag | null = null;
    if (release !== undefined) {
      asked = normalizeRelease(release);
      if (!asked) throw new ToolError(`Unknown release "${release}"; known: ${RELEASE_TAGS.join(", ")}.`);
    }
    const empty = {
      query: query ?? null,
      model: null,
      release: null,
      inRequestedRelease: null,
      recipes: [],
      candidates: [],
      families: [],
      otherKinds: [],
      pointer: null,
      textOnly: null,
    };
    if (query === undefined) {
      const families = familyCatalog(asked ?? undefined);
      const ids = families.flatMap((f) => f.models.map((m) => m.id));
      return {
        ...empty,
        status: "catalog" as const,
        release: asked,
        candidates: ids,
        families,
        otherKinds: otherKindCatalog(asked ?? undefined),
        reason: `${ids.length} models in ${families.length} families${asked ? ` in ${asked}` : ""}; ask with one id for its release, recipe and converter.`,
      };
    }
    const found = lookupModel(query);
    if (found.status === "unknown") {
      const textOnly = textOnlyFamilyOf(query);
      if (textOnly) {
        const vlmSiblings = vlmSiblingsOf(query);
        return {
          ...empty,
          status: "text-only" as const,
          candidates: vlmSiblings,
          textOnly: { family: textOnly.name, exampleRepo: textOnly.exampleRepo },
          reason: textOnlyPointer(query, textOnly, vlmSiblings),
        };
      }
      const nearest = nearestIds(query, { includeRoutes: true });
      return {
        ...empty,
        status: "unknown" as const,
        candidates: nearest,
        reason: `No model matches "${query}".${nearest.length ? ` Nearest ids: ${nearest.join(", ")}.` : ""} find_model with no query lists every model by family and size.`,
      };
    }
    if (found.status === "family") {
      const ids = found.candidates.map((m) => m.id);
      const families = groupByFamily(found.candidates);
      const names =
        families.length === 1
          ? `a family with several sizes: ${ids.join(", ")}`
          : `${ids.length} models in ${families.length} families, best match first: ${familiesInWords(families)}`;
      return {
        ...empty,
        status: "family" as const,
        candidates: ids,
        families,
        reason: `"${query}" names ${names}. ${callHint("find_model", { query: ids[0] })} shows one (its recipe, converter and layouts).`,
      };
    }
    if (found.status === "route") {
      const r = found.route;
      const inIt = asked ? r.releases.includes(asked) : null;
      return {
        ...empty,
        status: "other-kind" as const,
        inRequestedRelease: inIt,
        release: asked && inIt ? asked : (r.releases[r.releases.length - 1] ?? null),
        pointer: {
          id: r.id,
          kind: r.kind,
          entry: r.entry,
          exampleDir: r.exampleDir,
          summary: r.summary,
          converter: r.converter ?? null,
          readme: r.readme,
          section: r.section ?? null,
        },
        reason: `${r.displayName} is not a VLM fine-tune this server builds configs for (${r.kind}; entry ${r.entry}${r.converter ? `; converter ${r.converter}` : ""}). ${r.summary} Follow ${r.readme}${r.section ? ` (section "${r.section}")` : ""}. Releases with examples/${r.exampleDir}: ${r.releases.join(", ")}.${inIt === false ? ` Not in ${asked}.` : ""}`,
      };
    }
    const model = found.model;
    const inRequested = asked ? model.releases.includes(asked) : null;
    const chosen = asked && inRequested ? asked : newestReleaseFor(model)!;
    const reason =
      asked && !inRequested
        ? `${model.id} is not in ${asked}; releases that have it: ${model.releases.join(", ")}. ${why(model, chosen, asked)}`
        : why(model, chosen, asked);
    return {
      status: "found" as const,
      query,
      model: {
        id: model.id,
        family: model.family,
        displayName: model.displayName,
        kind: model.kind,
        hfRepo: model.hfRepo ?? null,
        arch: model.arch ?? null,
        releases: [...model.releases],
        requirements: model.requirements,
        isolatedEnv: model.isolatedEnv,
        notes: model.notes,
        variants: [...new Set(model.recipes.map((r) => r.variant))],
      },
      release: chosen,
      inRequestedRelease: inRequested,
      reason,
      recipes: describe(model, chosen),
      candidates: [],
      families: [],
      otherKinds: [],
      pointer: null,
      textOnly: null,
    };
  },
  failed: (r) => r.status === "unknown",
  summarize: (r) => {
    if (r.status === "catalog") return catalogInWords(r.families, r.otherKinds, r.release);
    if (r.status !== "found") return r.reason;
    const main = r.recipes[0];
    const head = `${r.model!.id} (${r.model!.hfRepo ?? r.model!.displayName}): use MindSpeed-MM ${r.release}. ${r.reason}`;
    return main
      ? `${head}\nBackend ${main.backend}, entry ${main.entry}, converter ${main.converter ?? "none"}, configs ${main.configFiles.join(", ") || "none"}.`
      : head;
  },
});
