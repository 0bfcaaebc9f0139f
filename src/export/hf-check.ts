// Is an exported Hugging Face directory complete? The host dumps what is there (config.json, the safetensors index,
// each shard's header) in one bounded Python call; the checks here are pure: the index covers every shard and every
// tensor, every shard it names exists and holds the tensors it says, and the embedding shapes agree with config.json.
import type { HostExecutor } from "../hosts/executor.js";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

export interface HfDirFacts {
  files: string[];
  config: Json | null;
  index: Json | null;
  /** shard file → tensor name → shape; or the reason its header could not be read. */
  headers: Record<string, Record<string, number[]> | { error: string }>;
}

export interface HfCheck {
  id: string;
  ok: boolean;
  message: string;
}

/** Reads names, config.json, the index and every shard's header (not the tensors) in one Python call. */
export const HF_FACTS_PY = `import json, os, struct, sys
d = sys.argv[1]
out = {"files": [], "config": None, "index": None, "headers": {}}
if os.path.isdir(d):
    out["files"] = sorted(os.listdir(d))[:5000]
    for name, key in (("config.json", "config"), ("model.safetensors.index.json", "index")):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.path.getsize(p) < 64 * 1024 * 1024:
            try:
                with open(p, encoding="utf-8") as f:
                    out[key] = json.load(f)
            except Exception as e:
                out[key] = {"__error__": str(e)[:200]}
    for name in out["files"]:
        if not name.endswith(".safetensors"):
            continue
        try:
            with open(os.path.join(d, name), "rb") as f:
                n = struct.unpack("<Q", f.read(8))[0]
                if n > 100 * 1024 * 1024:
                    raise ValueError("header of %d bytes" % n)
                h = json.loads(f.read(n))
            out["headers"][name] = {k: v.get("shape") for k, v in h.items() if k != "__metadata__"}
        except Exception as e:
            out["headers"][name] = {"error": str(e)[:200]}
print(json.dumps(out))
`;

export async function readHfDirFacts(executor: HostExecutor, dir: string): Promise<HfDirFacts> {
  const r = await executor.run(["python3", "-c", HF_FACTS_PY, dir], { timeoutMs: 120_000, maxOutputBytes: 32 << 20 });
  if (r.exitCode !== 0 || r.truncated)
    throw new Error(`Cannot read ${dir}: ${r.stderr.trim().slice(-400) || "output too large"}`);
  return JSON.parse(r.stdout) as HfDirFacts;
}

const isError = (h: unknown): h is { error: string } => typeof obj(h).error === "string";

export function checkHfDir(facts: HfDirFacts): HfCheck[] {
  const checks: HfCheck[] = [];
  const add = (id: string, ok: boolean, message: string) => checks.push({ id, ok, message });
  add(
    "config",
    facts.config !== null && !("__error__" in (facts.config ?? {})),
    facts.config ? "config.json is present." : "config.json is missing.",
  );
  const shards = facts.files.filter((f) => f.endsWith(".safetensors"));
  add("shards", shards.length > 0, `${shards.length} safetensors shard(s).`);
  let weightMap: Record<string, string> = {};
  if (facts.index) {
    weightMap = obj(facts.index.weight_map) as Record<string, string>;
    add(
      "index",
      Object.keys(weightMap).length > 0,
      `model.safetensors.index.json maps ${Object.keys(weightMap).length} tensors.`,
    );
  } else if (shards.length === 1 && shards[0] === "model.safetensors") {
    const h = facts.headers["model.safetensors"];
    if (h && !isError(h)) for (const k of Object.keys(h)) weightMap[k] = "model.safetensors";
  } else {
    add(
      "index",
      false,
      "model.safetensors.index.json is missing (more than one shard, or none named model.safetensors).",
    );
  }
  const named = new Set(Object.values(weightMap));
  const missing = [...named].filter((s) => !facts.files.includes(s));
  add(
    "index-shards-exist",
    missing.length === 0,
    missing.length
      ? `The index names shards that do not exist: ${missing.slice(0, 5).join(", ")}.`
      : "Every shard the index names exists.",
  );
  const unindexed = shards.filter((s) => !named.has(s));
  add(
    "shards-indexed",
    unindexed.length === 0,
    unindexed.length
      ? `Shards the index does not cover: ${unindexed.slice(0, 5).join(", ")}.`
      : "The index covers every shard.",
  );
  const unreadable = Object.entries(facts.headers).filter(([, h]) => isError(h));
  add(
    "headers",
    unreadable.length === 0,
    unreadable.length
      ? `Unreadable safetensors headers: ${unreadable
          .map(([s, h]) => `${s} (${(h as { error: string }).error})`)
          .slice(0, 3)
          .join("; ")}.`
      : "Every shard has a valid safetensors header.",
  );
  const absent: string[] = [];
  for (const [tensor, shard] of Object.entries(weightMap)) {
    const h = facts.headers[shard];
    if (h && !isError(h) && !(tensor in h)) absent.push(`${tensor} (in ${shard})`);
  }
  const extra: string[] = [];
  for (const [shard, h] of Object.entries(facts.headers)) {
    if (isError(h)) continue;
    for (const tensor of Object.keys(h)) if (weightMap[tensor] !== shard) extra.push(`${tensor} (in ${shard})`);
  }
  add(
    "tensors",
    absent.length === 0 && extra.length === 0,
    absent.length || extra.length
      ? [
          absent.length && `The index names tensors their shard lacks: ${absent.slice(0, 3).join(", ")}.`,
          extra.length && `Tensors the index does not name: ${extra.slice(0, 3).join(", ")}.`,
        ]
          .filter(Boolean)
          .join(" ")
      : "Every tensor is where the index says.",
  );
  const text = obj(facts.config?.text_config ?? facts.config);
  const vocab = Number(text.vocab_size ?? facts.config?.vocab_size);
  const hidden = Number(text.hidden_size ?? facts.config?.hidden_size);
  const shapes: string[] = [];
  const wrong: string[] = [];
  for (const [shard, h] of Object.entries(facts.headers)) {
    if (isError(h)) continue;
    for (const [tensor, shape] of Object.entries(h)) {
      if (!/(embed_tokens|lm_head)\.weight$/.test(tensor) || !Array.isArray(shape)) continue;
      shapes.push(tensor);
      if (Number.isFinite(vocab) && Number.isFinite(hidden) && (shape[0] !== vocab || shape[1] !== hidden))
        wrong.push(`${tensor} in ${shard} is [${shape.join(", ")}], config.json says [${vocab}, ${hidden}]`);
    }
  }
  if (shapes.length)
    add(
      "shapes",
      wrong.length === 0,
      wrong.length
        ? `${wrong.join("; ")}.`
        : `Embedding shapes agree with config.json (vocab ${vocab}, hidden ${hidden}).`,
    );
  return checks;
}
