// A tiny stand-in for a downloaded Hugging Face model directory (config.json, index, safetensors shards).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface FakeHfSpec {
  modelType: string;
  architectures: string[];
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  hiddenSize: number;
  intermediateSize: number;
  vocabSize: number;
  visionDepth: number;
  shards: number;
}

const QWEN25: Omit<
  FakeHfSpec,
  "numLayers" | "numHeads" | "numKvHeads" | "hiddenSize" | "intermediateSize" | "vocabSize"
> = {
  modelType: "qwen2_5_vl",
  architectures: ["Qwen2_5_VLForConditionalGeneration"],
  visionDepth: 32,
  shards: 2,
};

/** Layer/head numbers of models people fine-tune (facts §c.2); others need an explicit spec. */
export const KNOWN_HF_MODELS: Record<string, FakeHfSpec> = {
  "Qwen2.5-VL-3B-Instruct": {
    ...QWEN25,
    numLayers: 36,
    numHeads: 16,
    numKvHeads: 2,
    hiddenSize: 2048,
    intermediateSize: 11008,
    vocabSize: 151936,
  },
  "Qwen2.5-VL-7B-Instruct": {
    ...QWEN25,
    numLayers: 28,
    numHeads: 28,
    numKvHeads: 4,
    hiddenSize: 3584,
    intermediateSize: 18944,
    vocabSize: 152064,
  },
  "Qwen2.5-VL-32B-Instruct": {
    ...QWEN25,
    numLayers: 64,
    numHeads: 40,
    numKvHeads: 8,
    hiddenSize: 5120,
    intermediateSize: 27648,
    vocabSize: 152064,
    shards: 4,
  },
  "Qwen2.5-VL-72B-Instruct": {
    ...QWEN25,
    numLayers: 80,
    numHeads: 64,
    numKvHeads: 8,
    hiddenSize: 8192,
    intermediateSize: 29568,
    vocabSize: 152064,
    shards: 4,
  },
  "Qwen2-VL-2B-Instruct": {
    modelType: "qwen2_vl",
    architectures: ["Qwen2VLForConditionalGeneration"],
    numLayers: 28,
    numHeads: 12,
    numKvHeads: 2,
    hiddenSize: 1536,
    intermediateSize: 8960,
    vocabSize: 151936,
    visionDepth: 32,
    shards: 1,
  },
  "Qwen2-VL-7B-Instruct": {
    modelType: "qwen2_vl",
    architectures: ["Qwen2VLForConditionalGeneration"],
    numLayers: 28,
    numHeads: 28,
    numKvHeads: 4,
    hiddenSize: 3584,
    intermediateSize: 18944,
    vocabSize: 152064,
    visionDepth: 32,
    shards: 2,
  },
  "Qwen3-VL-8B-Instruct": {
    modelType: "qwen3_vl",
    architectures: ["Qwen3VLForConditionalGeneration"],
    numLayers: 36,
    numHeads: 32,
    numKvHeads: 8,
    hiddenSize: 4096,
    intermediateSize: 12288,
    vocabSize: 151936,
    visionDepth: 27,
    shards: 2,
  },
};

function safetensors(names: string[]): Buffer {
  // A valid file: 8-byte header length, JSON header, data (2 bytes of bf16 per placeholder tensor).
  const header: Record<string, unknown> = { __metadata__: { format: "pt", note: "ascend-train sim placeholder" } };
  names.forEach((n, i) => {
    header[n] = { dtype: "BF16", shape: [1], data_offsets: [i * 2, i * 2 + 2] };
  });
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json), Buffer.alloc(names.length * 2)]);
}

/** Writes a fake HF model dir; `modelId` may be an org/name id (the name part picks the built-in numbers). */
export async function makeFakeHfModel(dir: string, modelId: string, spec: Partial<FakeHfSpec> = {}): Promise<string> {
  const name = modelId.split("/").pop() ?? modelId;
  const base = Object.hasOwn(KNOWN_HF_MODELS, name) ? KNOWN_HF_MODELS[name] : undefined;
  if (!base && spec.numLayers === undefined) {
    throw new Error(`Unknown model ${modelId}: pass numLayers, numHeads, numKvHeads and hiddenSize.`);
  }
  const s: FakeHfSpec = { ...(base ?? KNOWN_HF_MODELS["Qwen2.5-VL-7B-Instruct"]!), ...spec };
  await mkdir(dir, { recursive: true });
  const text = {
    hidden_size: s.hiddenSize,
    intermediate_size: s.intermediateSize,
    num_hidden_layers: s.numLayers,
    num_attention_heads: s.numHeads,
    num_key_value_heads: s.numKvHeads,
    vocab_size: s.vocabSize,
    max_position_embeddings: 128000,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
  };
  const config = {
    _name_or_path: modelId,
    architectures: s.architectures,
    model_type: s.modelType,
    torch_dtype: "bfloat16",
    tie_word_embeddings: s.hiddenSize <= 2048,
    ...text,
    ...(s.modelType === "qwen3_vl" ? { text_config: { ...text, model_type: "qwen3_vl_text" } } : {}),
    vision_config: { depth: s.visionDepth, hidden_size: 1280, num_heads: 16, patch_size: 14, spatial_merge_size: 2 },
    image_token_id: 151655,
    vision_start_token_id: 151652,
    transformers_version: "4.57.0",
  };
  const weightMap: Record<string, string> = {};
  const perShard: string[][] = Array.from({ length: s.shards }, () => []);
  const names = [
    "model.embed_tokens.weight",
    ...Array.from({ length: s.numLayers }, (_, i) => `model.layers.${i}.self_attn.q_proj.weight`),
    ...Array.from({ length: s.visionDepth }, (_, i) => `visual.blocks.${i}.attn.qkv.weight`),
    "lm_head.weight",
  ];
  names.forEach((n, i) => {
    const shard = Math.min(s.shards - 1, Math.floor((i * s.shards) / names.length));
    const file = `model-${String(shard + 1).padStart(5, "0")}-of-${String(s.shards).padStart(5, "0")}.safetensors`;
    weightMap[n] = file;
    perShard[shard]!.push(n);
  });
  await writeFile(join(dir, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(
    join(dir, "model.safetensors.index.json"),
    `${JSON.stringify({ metadata: { total_size: names.length * 2 }, weight_map: weightMap }, null, 2)}\n`,
  );
  await Promise.all(
    perShard.map((list, i) =>
      writeFile(
        join(dir, `model-${String(i + 1).padStart(5, "0")}-of-${String(s.shards).padStart(5, "0")}.safetensors`),
        safetensors(list),
      ),
    ),
  );
  await writeFile(
    join(dir, "generation_config.json"),
    `${JSON.stringify({ bos_token_id: 151643, eos_token_id: 151645 }, null, 2)}\n`,
  );
  await writeFile(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify({ tokenizer_class: "Qwen2Tokenizer", model_max_length: 131072 }, null, 2)}\n`,
  );
  await writeFile(
    join(dir, "preprocessor_config.json"),
    `${JSON.stringify({ image_processor_type: "Qwen2VLImageProcessor", patch_size: 14 }, null, 2)}\n`,
  );
  return dir;
}
