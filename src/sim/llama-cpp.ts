// The simulated CUDA host's GGUF tooling and model cache: a llama.cpp clone at the pinned release tag (a real git
// checkout whose convert_hf_to_gguf.py, gguf-py and build/bin/llama-quantize are stand-ins that write real GGUF files)
// and a Hugging Face cache holding the base models the sample runs fine-tune, so a LoRA merge finds its base offline.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LLAMA_CPP_TAG } from "../knowledge/llama-cpp.js";
import { simFile } from "./files.js";
import { sh, writeTree } from "./util.js";

/** Base models in the simulated host's cache: a Qwen2 causal LM llama.cpp converts, and an OPT one it does not. */
export const SIM_CACHED_MODELS: Record<string, Record<string, unknown>> = {
  "Qwen/Qwen2.5-0.5B-Instruct": {
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    max_position_embeddings: 32768,
    torch_dtype: "bfloat16",
    vocab_size: 151936,
  },
  "facebook/opt-125m": {
    architectures: ["OPTForCausalLM"],
    model_type: "opt",
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    max_position_embeddings: 2048,
    torch_dtype: "float16",
    vocab_size: 50272,
  },
};

const SNAPSHOT = "7ae557604adf67be50417f59c2c2f167def9a775";

function safetensorsBytes(hidden: number): Buffer {
  const n = 8 * hidden * 2;
  let header = JSON.stringify({
    __metadata__: { format: "pt" },
    "model.embed_tokens.weight": { dtype: "BF16", shape: [8, hidden], data_offsets: [0, n] },
  });
  header += " ".repeat((8 - (header.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([len, Buffer.from(header), Buffer.alloc(n)]);
}

/** $HF_HOME/hub/models--org--name/snapshots/<sha>/ for each cached model. */
export async function layOutHfCache(hfHome: string): Promise<void> {
  for (const [id, config] of Object.entries(SIM_CACHED_MODELS)) {
    const repo = join(hfHome, "hub", `models--${id.replace("/", "--")}`);
    const snap = join(repo, "snapshots", SNAPSHOT);
    await writeTree(repo, { "refs/main": SNAPSHOT });
    await writeTree(snap, {
      "config.json": `${JSON.stringify(config, null, 2)}\n`,
      "tokenizer.json": `${JSON.stringify({ version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } })}\n`,
      "tokenizer_config.json": `${JSON.stringify({ model_max_length: 32768, eos_token: "<|endoftext|>" })}\n`,
    });
    await writeFile(join(snap, "model.safetensors"), safetensorsBytes(Number(config.hidden_size)));
  }
}

/** A clone of llama.cpp at LLAMA_CPP_TAG in `dir`, with build/bin/llama-quantize built (untracked, as cmake leaves it). */
export async function layOutLlamaCpp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeTree(dir, {
    "README.md": "# llama.cpp (simulated CUDA host: stand-in scripts, ascend-train sim)\n",
    ".gitignore": "/build*\n__pycache__/\n",
    "convert_hf_to_gguf.py": simFile("llama_convert_hf_to_gguf.py"),
    "gguf-py/gguf/__init__.py": simFile("llama_gguf.py"),
    "requirements/requirements-convert_hf_to_gguf.txt": "numpy\nsentencepiece\ntransformers\ntorch\n",
    "tools/quantize/README.md": "# quantize\n",
  });
  const env = {
    GIT_AUTHOR_NAME: "ascend-train sim",
    GIT_AUTHOR_EMAIL: "sim@ascend-train.invalid",
    GIT_COMMITTER_NAME: "ascend-train sim",
    GIT_COMMITTER_EMAIL: "sim@ascend-train.invalid",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
  const git = (args: string[]) =>
    sh("git", ["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd: dir, env });
  await git(["init", "-q", "-b", "master"]);
  await git(["add", "-A"]);
  await git(["commit", "-q", "-m", "llama.cpp (simulated)"]);
  await git(["tag", LLAMA_CPP_TAG]);
  await writeTree(dir, { "build/bin/llama-quantize": simFile("llama_quantize.py") });
}
