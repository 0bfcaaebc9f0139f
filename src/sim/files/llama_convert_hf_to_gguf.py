#!/usr/bin/env python3
"""convert_hf_to_gguf.py stand-in of the simulated CUDA host's llama.cpp clone: reads a Hugging Face directory's
config.json, refuses an architecture it has no converter for the way llama.cpp's script does, and writes a small GGUF
file with the metadata and tensor layout the real converter gives (general.architecture, the model's hyperparameters,
general.file_type, the tokenizer) using the clone's gguf-py."""
import argparse
import json
import logging
import os
import sys
from pathlib import Path

if "NO_LOCAL_GGUF" not in os.environ:
    sys.path.insert(1, str(Path(__file__).parent / "gguf-py"))
import gguf  # noqa: E402

logger = logging.getLogger("hf-to-gguf")

ARCHITECTURES = {
    "LlamaForCausalLM": "llama",
    "MistralForCausalLM": "llama",
    "Qwen2ForCausalLM": "qwen2",
    "Qwen3ForCausalLM": "qwen3",
    "Qwen3MoeForCausalLM": "qwen3moe",
    "Gemma2ForCausalLM": "gemma2",
    "Gemma3ForCausalLM": "gemma3",
    "Phi3ForCausalLM": "phi3",
}
FILE_TYPES = {"f32": (0, gguf.GGMLQuantizationType.F32), "f16": (1, gguf.GGMLQuantizationType.F16),
              "bf16": (32, gguf.GGMLQuantizationType.BF16), "q8_0": (7, gguf.GGMLQuantizationType.Q8_0)}
HIDDEN = 256
VOCAB = 8


def main():
    parser = argparse.ArgumentParser(description="Convert a huggingface model to a GGML compatible file")
    parser.add_argument("--vocab-only", action="store_true", help="extract only the vocab")
    parser.add_argument("--outfile", type=Path, help="path to write to; default: based on input.")
    parser.add_argument("--outtype", type=str, choices=["f32", "f16", "bf16", "q8_0", "tq1_0", "tq2_0", "auto"],
                        default="f16", help="output format")
    parser.add_argument("--bigendian", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("model", type=Path, help="directory containing model file", nargs="?")
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    dir_model = args.model
    if dir_model is None or not dir_model.is_dir():
        logger.error(f"Error: {dir_model} is not a directory")
        sys.exit(1)
    logger.info(f"Loading model: {dir_model.name}")
    with open(dir_model / "config.json", encoding="utf-8") as f:
        hparams = json.load(f)
    arch = (hparams.get("architectures") or ["?"])[0]
    logger.info(f"Model architecture: {arch}")
    if arch not in ARCHITECTURES:
        logger.error(f"Model {arch} is not supported")
        sys.exit(1)
    if not any(p.suffix in (".safetensors", ".bin") for p in dir_model.iterdir()):
        raise FileNotFoundError(f"No such file or directory: '{dir_model / 'model.safetensors'}'")
    outtype = "f16" if args.outtype == "auto" else args.outtype
    if outtype not in FILE_TYPES:
        logger.error(f"the simulated host does not write {outtype}")
        sys.exit(1)
    ftype, ggml_type = FILE_TYPES[outtype]
    name = arch_name = ARCHITECTURES[arch]
    fname_out = args.outfile or dir_model / f"{dir_model.name}-{outtype.upper()}.gguf"
    w = gguf.GGUFWriter(str(fname_out))
    T = gguf.GGUFValueType
    w.add("general.architecture", T.STRING, arch_name)
    w.add("general.type", T.STRING, "model")
    w.add("general.name", T.STRING, dir_model.name)
    w.add(f"{name}.block_count", T.UINT32, int(hparams.get("num_hidden_layers", 1)))
    w.add(f"{name}.context_length", T.UINT32, int(hparams.get("max_position_embeddings", 32768)))
    w.add(f"{name}.embedding_length", T.UINT32, int(hparams.get("hidden_size", HIDDEN)))
    w.add(f"{name}.feed_forward_length", T.UINT32, int(hparams.get("intermediate_size", 4 * HIDDEN)))
    w.add(f"{name}.attention.head_count", T.UINT32, int(hparams.get("num_attention_heads", 1)))
    w.add("general.file_type", T.UINT32, ftype)
    w.add("general.quantization_version", T.UINT32, 2)
    w.add("tokenizer.ggml.model", T.STRING, "gpt2")
    w.add("tokenizer.ggml.tokens", T.ARRAY, (T.STRING, ["<|endoftext|>"] + ["tok%d" % i for i in range(VOCAB - 1)]))
    logger.info(f"gguf: file type = {ftype}")
    block, size = gguf.GGML_QUANT_SIZES[ggml_type]
    w.add_tensor("token_embd.weight", [HIDDEN, VOCAB], ggml_type, b"\0" * (HIDDEN * VOCAB // block * size))
    w.add_tensor("blk.0.attn_norm.weight", [HIDDEN], gguf.GGMLQuantizationType.F32, b"\0" * (HIDDEN * 4))
    w.add_tensor("output_norm.weight", [HIDDEN], gguf.GGMLQuantizationType.F32, b"\0" * (HIDDEN * 4))
    w.write()
    logger.info(f"Model successfully exported to {fname_out}")


if __name__ == "__main__":
    main()
