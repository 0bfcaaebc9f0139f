// The simulated CUDA host's GGUF tooling and model cache: a bare git mirror of llama.cpp carrying the pinned release
// tag (its convert_hf_to_gguf.py, gguf-py and tools/quantize source are stand-ins that write real GGUF files; the
// host's cmake stand-in "builds" llama-quantize from it), a clone of it with llama-quantize built, and a Hugging Face
// cache holding the base models the sample runs fine-tune, so a LoRA merge finds its base offline.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
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

const GIT_ENV = {
  GIT_AUTHOR_NAME: "ascend-train sim",
  GIT_AUTHOR_EMAIL: "sim@ascend-train.invalid",
  GIT_COMMITTER_NAME: "ascend-train sim",
  GIT_COMMITTER_EMAIL: "sim@ascend-train.invalid",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};
const git = (cwd: string, args: string[]) =>
  sh("git", ["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd, env: GIT_ENV });

/** A bare mirror of llama.cpp at `mirror` whose master carries the tag LLAMA_CPP_TAG. */
export async function layOutLlamaCppMirror(mirror: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "llama-cpp-"));
  try {
    await writeTree(work, {
      "README.md": "# llama.cpp (simulated CUDA host: stand-in scripts, ascend-train sim)\n",
      ".gitignore": "/build*\n__pycache__/\n",
      "CMakeLists.txt": "cmake_minimum_required(VERSION 3.14)\nproject(llama.cpp C CXX)\n",
      "convert_hf_to_gguf.py": simFile("llama_convert_hf_to_gguf.py"),
      "gguf-py/gguf/__init__.py": simFile("llama_gguf.py"),
      "requirements/requirements-convert_hf_to_gguf.txt": "numpy\nsentencepiece\ntransformers\ntorch\n",
      "tools/quantize/quantize.py": simFile("llama_quantize.py"),
    });
    await git(work, ["init", "-q", "-b", "master"]);
    await git(work, ["add", "-A"]);
    await git(work, ["commit", "-q", "-m", "llama.cpp (simulated)"]);
    await git(work, ["tag", LLAMA_CPP_TAG]);
    await mkdir(join(mirror, ".."), { recursive: true });
    await git(work, ["clone", "-q", "--bare", work, mirror]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A clone of the mirror at LLAMA_CPP_TAG in `dir`, with build/bin/llama-quantize built as cmake leaves it. */
export async function layOutLlamaCpp(dir: string, mirror: string): Promise<void> {
  await git(join(dir, ".."), ["clone", "-q", "--branch", LLAMA_CPP_TAG, mirror, dir]);
  await writeTree(dir, { "build/bin/llama-quantize": simFile("llama_quantize.py") });
}
