// MCP resources over the model knowledge base: data only (the server registers them).
import { CONVERTERS } from "../knowledge/converters.js";
import { getModel, MODELS, ROUTES } from "../knowledge/models.js";
import { RELEASE_DATES, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { RELEASES } from "../knowledge/releases.js";
import { diagnosisRules } from "../knowledge/rules.js";
import { MCP_APP_MIME, TRAINING_VIEW_URI } from "../ui/app-links.js";
import { trainingViewHtml } from "../ui/app-view.js";

export interface StaticResource {
  name: string;
  uri: string;
  title: string;
  description: string;
  mimeType: string;
  read(): string;
}

export interface ResourceTemplate {
  name: string;
  uriTemplate: string;
  title: string;
  description: string;
  mimeType: string;
  /** Concrete resources the template stands for. */
  list(): { uri: string; name: string; title: string }[];
  /** The template's variables, in order ({id} → ["id"]). */
  variables: string[];
  /** Reads one; `vars` holds the template variables ({ id }). Throws UnknownResourceError for a value it lacks. */
  read(vars: Record<string, string>): string;
  /** Values of a variable that start with what the client typed (completion/complete). */
  complete(variable: string, prefix: string): string[];
}

/** A resource URI that fits a template but names nothing (an unknown model id): the caller's mistake. */
export class UnknownResourceError extends Error {
  override name = "UnknownResourceError";
}

const JSON_MIME = "application/json";
const json = (value: unknown) => JSON.stringify(value, null, 2);

function modelSummary() {
  return MODELS.map((m) => ({
    id: m.id,
    family: m.family,
    hfRepo: m.hfRepo ?? null,
    kind: m.kind,
    releases: m.releases,
    backends: [...new Set(m.recipes.map((r) => r.backend))],
    variants: m.recipes.map((r) => r.variant).filter(Boolean),
    isolatedEnv: m.isolatedEnv,
  }));
}

export function readModel(id: string): string {
  const model = getModel(id);
  if (!model) throw new UnknownResourceError(`Unknown model id "${id}". Known: ${MODELS.map((m) => m.id).join(", ")}.`);
  return json(model);
}

export const MODEL_TEMPLATE: ResourceTemplate = {
  name: "model",
  uriTemplate: "ascend-train://models/{id}",
  title: "Model",
  description:
    "One model: architecture, releases, training recipes per release (backend, entry, configs, defaults, env), converter, requirements.",
  mimeType: JSON_MIME,
  list: () => MODELS.map((m) => ({ uri: `ascend-train://models/${m.id}`, name: m.id, title: m.displayName })),
  variables: ["id"],
  read: (vars) => readModel(vars.id ?? ""),
  complete: (variable, prefix) =>
    variable === "id" ? MODELS.map((m) => m.id).filter((id) => id.startsWith(prefix.toLowerCase())) : [],
};

export const RESOURCES: StaticResource[] = [
  {
    name: "models",
    uri: "ascend-train://models",
    title: "VLM models",
    description: "Every VLM MindSpeed-MM can fine-tune, with HF repo ids, the releases that ship it and its backends.",
    mimeType: JSON_MIME,
    read: () => json(modelSummary()),
  },
  {
    name: "other-models",
    uri: "ascend-train://models/other",
    title: "Other MindSpeed-MM examples",
    description: "Generative (video/image), omni and audio examples: what they are, entry script, converter, releases.",
    mimeType: JSON_MIME,
    read: () => json(ROUTES),
  },
  {
    name: "converters",
    uri: "ascend-train://converters",
    title: "mm-convert converters",
    description: "Converter classes per release and which of their methods are real or `pass` stubs.",
    mimeType: JSON_MIME,
    read: () => json(CONVERTERS),
  },
  {
    name: "releases",
    uri: "ascend-train://releases",
    title: "MindSpeed-MM releases",
    description: "Release tags with dates and the VLM ids each one ships.",
    mimeType: JSON_MIME,
    read: () =>
      json(
        RELEASE_TAGS.map((tag) => ({
          tag,
          date: RELEASE_DATES[tag],
          models: MODELS.filter((m) => m.releases.includes(tag)).map((m) => m.id),
        })),
      ),
  },
];

RESOURCES.push(
  {
    name: "release-matrix",
    uri: "ascend-train://release-matrix",
    title: "Install matrix per release",
    description: "CANN, torch, torch_npu, Python, MindSpeed and Megatron versions each MindSpeed-MM release needs.",
    mimeType: JSON_MIME,
    read: () => json(RELEASES),
  },
  {
    name: "troubleshooting",
    uri: "ascend-train://troubleshooting",
    title: "Troubleshooting rules",
    description: "Failure classes diagnose_error recognises: signatures, cause and fixes.",
    mimeType: JSON_MIME,
    read: () => JSON.stringify(diagnosisRules, (_key, value) => (value instanceof RegExp ? value.source : value), 2),
  },
);

// The inline chart chat clients with the MCP Apps extension show for tail_logs and list_runs (see ui/app-links.ts).
RESOURCES.push({
  name: "training-view",
  uri: TRAINING_VIEW_URI,
  title: "Training view",
  description: "The live loss and metric curves of a run (tail_logs) or the runs list (list_runs), drawn inline.",
  mimeType: MCP_APP_MIME,
  read: trainingViewHtml,
});

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [MODEL_TEMPLATE];
