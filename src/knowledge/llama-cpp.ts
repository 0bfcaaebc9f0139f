// llama.cpp as the GGUF exporter of TRL runs: the release tag the host's clone is pinned to, the quantization types
// llama-quantize accepts with the llama_ftype each writes into general.file_type, the output types
// convert_hf_to_gguf.py accepts, and the GGUF value types of the file header. Data only, no I/O.

/** The llama.cpp release the export uses (a published tag, `git clone --branch b6500`). */
export const LLAMA_CPP_TAG = "b6500";
export const LLAMA_CPP_REPO = "https://github.com/ggml-org/llama.cpp.git";

export interface QuantType {
  /** The name llama-quantize prints and accepts (case-insensitive). */
  name: string;
  /** llama_ftype (include/llama.h): the value written to general.file_type. */
  ftype: number;
}

/**
 * llama-quantize's QUANT_OPTIONS (tools/quantize/quantize.cpp), in its order, with the llama_ftype values of
 * include/llama.h. Aliases (Q3_K, Q4_K, Q5_K) map to their _M type; COPY is left out (it converts nothing).
 */
export const QUANT_TYPES: readonly QuantType[] = [
  { name: "Q4_0", ftype: 2 },
  { name: "Q4_1", ftype: 3 },
  { name: "MXFP4_MOE", ftype: 38 },
  { name: "Q5_0", ftype: 8 },
  { name: "Q5_1", ftype: 9 },
  { name: "IQ2_XXS", ftype: 19 },
  { name: "IQ2_XS", ftype: 20 },
  { name: "IQ2_S", ftype: 28 },
  { name: "IQ2_M", ftype: 29 },
  { name: "IQ1_S", ftype: 24 },
  { name: "IQ1_M", ftype: 31 },
  { name: "TQ1_0", ftype: 36 },
  { name: "TQ2_0", ftype: 37 },
  { name: "Q2_K", ftype: 10 },
  { name: "Q2_K_S", ftype: 21 },
  { name: "IQ3_XXS", ftype: 23 },
  { name: "IQ3_S", ftype: 26 },
  { name: "IQ3_M", ftype: 27 },
  { name: "Q3_K", ftype: 12 },
  { name: "IQ3_XS", ftype: 22 },
  { name: "Q3_K_S", ftype: 11 },
  { name: "Q3_K_M", ftype: 12 },
  { name: "Q3_K_L", ftype: 13 },
  { name: "IQ4_NL", ftype: 25 },
  { name: "IQ4_XS", ftype: 30 },
  { name: "Q4_K", ftype: 15 },
  { name: "Q4_K_S", ftype: 14 },
  { name: "Q4_K_M", ftype: 15 },
  { name: "Q5_K", ftype: 17 },
  { name: "Q5_K_S", ftype: 16 },
  { name: "Q5_K_M", ftype: 17 },
  { name: "Q6_K", ftype: 18 },
  { name: "Q8_0", ftype: 7 },
  { name: "F16", ftype: 1 },
  { name: "BF16", ftype: 32 },
  { name: "F32", ftype: 0 },
];

/** Types the i-quants need an importance matrix for (llama-quantize refuses them without --imatrix). */
export const NEEDS_IMATRIX = new Set(["IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_S", "IQ1_M", "Q2_K_S"]);

/** convert_hf_to_gguf.py --outtype choices that are also the export's float types. */
export const CONVERT_OUTTYPES = ["f32", "f16", "bf16"] as const;

export function findQuantType(name: string): QuantType | undefined {
  const upper = name.toUpperCase();
  return QUANT_TYPES.find((q) => q.name === upper);
}

/** general.file_type value → the name llama.cpp gives it (the _M name for the aliased ones). */
export function ftypeName(ftype: number): string | null {
  const hits = QUANT_TYPES.filter((q) => q.ftype === ftype);
  return (hits.find((q) => /_M$/.test(q.name)) ?? hits.at(-1))?.name ?? null;
}

/**
 * Hugging Face architectures → the general.architecture convert_hf_to_gguf.py writes for them (its @ModelBase.register
 * lists and gguf-py's MODEL_ARCH_NAMES), for the common causal LMs TRL fine-tunes.
 */
export const GGUF_ARCH_OF: Record<string, string> = {
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "llama",
  Qwen2ForCausalLM: "qwen2",
  Qwen3ForCausalLM: "qwen3",
  Qwen3MoeForCausalLM: "qwen3moe",
  Gemma2ForCausalLM: "gemma2",
  Gemma3ForCausalLM: "gemma3",
  Phi3ForCausalLM: "phi3",
};

/** GGUF metadata value types (ggml/include/gguf.h, enum gguf_type). */
export const GGUF_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** "GGUF" as the first four bytes of the file. */
export const GGUF_MAGIC = "GGUF";
/** The format version current writers produce (GGUF_VERSION in gguf.h); 2 is still read by llama.cpp. */
export const GGUF_VERSION = 3;

/** The GGUF architecture for a config.json `architectures[0]`, when known (own entries only). */
export function ggufArchOf(architecture: string): string | null {
  return Object.hasOwn(GGUF_ARCH_OF, architecture) ? (GGUF_ARCH_OF[architecture] ?? null) : null;
}
