// Checks of a Hugging Face model directory against the model it is meant to be: config.json numbers, the
// safetensors index and its shards. Pure: the tool reads the files, these functions judge them.
import { MODELS } from "../knowledge/models.js";
import type { ModelEntry } from "../knowledge/types.js";

export interface HfFinding {
  level: "error" | "warning";
  message: string;
}

export interface HfConfigFacts {
  modelType: string | null;
  llmLayers: number | null;
  hidden: number | null;
  heads: number | null;
  kvHeads: number | null;
  vitLayers: number | null;
  experts: number | null;
  tiedEmbeddings: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null);
const num = (...values: unknown[]): number | null => {
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) return v;
  return null;
};

/** The numbers that matter, wherever the family keeps them (text_config, llm_config, language_config, top level). */
export function hfConfigFacts(config: unknown): HfConfigFacts {
  const c = obj(config) ?? {};
  const text = obj(c.text_config) ?? obj(c.llm_config) ?? obj(c.language_config) ?? c;
  const vision = obj(c.vision_config) ?? {};
  return {
    modelType: typeof c.model_type === "string" ? c.model_type : null,
    llmLayers: num(text.num_hidden_layers, c.num_hidden_layers),
    hidden: num(text.hidden_size, c.hidden_size),
    heads: num(text.num_attention_heads, c.num_attention_heads),
    kvHeads: num(text.num_key_value_heads, c.num_key_value_heads),
    vitLayers: num(vision.depth, vision.num_hidden_layers, vision.layers),
    experts: num(text.num_experts, text.n_routed_experts, text.num_local_experts),
    tiedEmbeddings: text.tie_word_embeddings === true || c.tie_word_embeddings === true,
  };
}

/** Models whose LLM has these layer and hidden sizes: a hint at what the directory really holds. */
function lookalikes(f: HfConfigFacts): string[] {
  return MODELS.filter((m) => m.arch && m.arch.llm.layers === f.llmLayers && m.arch.llm.hidden === f.hidden).map(
    (m) => m.id,
  );
}

/** config.json against the model's architecture facts. */
export function checkHfConfig(model: ModelEntry, facts: HfConfigFacts, dir: string): HfFinding[] {
  const arch = model.arch;
  if (!arch) return [{ level: "warning", message: `No architecture facts for ${model.id}; config.json not compared.` }];
  const out: HfFinding[] = [];
  const compare = (what: string, found: number | null, want: number | undefined) => {
    if (want === undefined) return;
    if (found === null) out.push({ level: "warning", message: `${dir}/config.json does not state ${what}.` });
    else if (found !== want) out.push({ level: "error", message: `${what} is ${found}; ${model.id} has ${want}` });
  };
  compare("num_hidden_layers", facts.llmLayers, arch.llm.layers);
  compare("hidden_size", facts.hidden, arch.llm.hidden);
  compare("num_attention_heads", facts.heads, arch.llm.heads);
  compare("num_key_value_heads", facts.kvHeads, arch.llm.kvHeads);
  if (arch.vit) compare("the vision depth", facts.vitLayers, arch.vit.layers);
  if (arch.llm.experts !== undefined && facts.experts !== null)
    compare("the expert count", facts.experts, arch.llm.experts);
  const errors = out.filter((f) => f.level === "error");
  if (errors.length === 0) return out;
  const like = lookalikes(facts).filter((id) => id !== model.id);
  const hint = like.length
    ? ` It looks like ${like.join(" or ")}: pass that model, or point hfDir at ${model.displayName}.`
    : ` Point hfDir at ${model.displayName}.`;
  return [
    ...out.filter((f) => f.level === "warning"),
    {
      level: "error",
      message: `${dir} is not ${model.displayName}: ${errors.map((e) => e.message).join("; ")}.${hint}`,
    },
  ];
}

export interface WeightFiles {
  /** Names in the directory. */
  entries: string[];
  /** model.safetensors.index.json text, null when absent. */
  indexText: string | null;
}

export interface WeightCheck {
  findings: HfFinding[];
  /** The index's tensor names use the newer transformers layout (model.language_model.*). */
  newWeightKeys: boolean;
}

/** The safetensors index and every shard it names; a single model.safetensors needs no index. */
export function checkWeightFiles(files: WeightFiles, dir: string): WeightCheck {
  const shards = files.entries.filter((e) => e.endsWith(".safetensors"));
  if (files.indexText === null) {
    if (shards.length === 1) return { findings: [], newWeightKeys: false };
    return {
      findings: [
        {
          level: "error",
          message:
            shards.length === 0
              ? `${dir} holds no *.safetensors weights (mm-convert needs safetensors; .bin checkpoints must be converted first).`
              : `${dir} has ${shards.length} safetensors shards but no model.safetensors.index.json (incomplete download?).`,
        },
      ],
      newWeightKeys: false,
    };
  }
  let map: Record<string, unknown>;
  try {
    map = obj(obj(JSON.parse(files.indexText))?.weight_map) ?? {};
  } catch (error) {
    return {
      findings: [
        {
          level: "error",
          message: `${dir}/model.safetensors.index.json is not valid JSON (${(error as Error).message}).`,
        },
      ],
      newWeightKeys: false,
    };
  }
  const keys = Object.keys(map);
  if (keys.length === 0) {
    return {
      findings: [{ level: "error", message: `${dir}/model.safetensors.index.json has an empty weight_map.` }],
      newWeightKeys: false,
    };
  }
  const named = [...new Set(Object.values(map).filter((v): v is string => typeof v === "string"))];
  const missing = named.filter((f) => !files.entries.includes(f));
  const findings: HfFinding[] = missing.length
    ? [
        {
          level: "error",
          message: `${dir} lacks ${missing.length} of the ${named.length} shards its index names (${missing.slice(0, 4).join(", ")}${missing.length > 4 ? ", …" : ""}): the download is incomplete.`,
        },
      ]
    : [];
  return { findings, newWeightKeys: keys.some((k) => k.startsWith("model.language_model.")) };
}
