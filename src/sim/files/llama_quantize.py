#!/usr/bin/env python3
"""llama-quantize stand-in of the simulated CUDA host's llama.cpp build: `llama-quantize [options] in.gguf
[out.gguf] type [nthreads]` with the type list of tools/quantize/quantize.cpp; rewrites the input's 2-D tensors in the
type's main ggml type and general.file_type to the type's llama_ftype, and refuses what the real one refuses (an
unknown type, an already quantized input without --allow-requantize, i-quants without an importance matrix)."""
import os
import sys
import time
from pathlib import Path

sys.path.insert(1, str(Path(os.path.realpath(__file__)).parents[2] / "gguf-py"))
import gguf  # noqa: E402

Q = gguf.GGMLQuantizationType
# name: (llama_ftype, main tensor type written here)
QUANT_OPTIONS = {
    "Q4_0": (2, Q.Q4_0), "Q4_1": (3, Q.Q4_1), "MXFP4_MOE": (38, Q.Q8_0), "Q5_0": (8, Q.Q5_0), "Q5_1": (9, Q.Q5_1),
    "IQ2_XXS": (19, None), "IQ2_XS": (20, None), "IQ2_S": (28, None), "IQ2_M": (29, Q.Q2_K), "IQ1_S": (24, None),
    "IQ1_M": (31, None), "TQ1_0": (36, Q.Q2_K), "TQ2_0": (37, Q.Q2_K), "Q2_K": (10, Q.Q2_K), "Q2_K_S": (21, None),
    "IQ3_XXS": (23, Q.Q3_K), "IQ3_S": (26, Q.Q3_K), "IQ3_M": (27, Q.Q3_K), "Q3_K": (12, Q.Q3_K),
    "IQ3_XS": (22, Q.Q3_K), "Q3_K_S": (11, Q.Q3_K), "Q3_K_M": (12, Q.Q3_K), "Q3_K_L": (13, Q.Q3_K),
    "IQ4_NL": (25, Q.Q4_K), "IQ4_XS": (30, Q.Q4_K), "Q4_K": (15, Q.Q4_K), "Q4_K_S": (14, Q.Q4_K),
    "Q4_K_M": (15, Q.Q4_K), "Q5_K": (17, Q.Q5_K), "Q5_K_S": (16, Q.Q5_K), "Q5_K_M": (17, Q.Q5_K),
    "Q6_K": (18, Q.Q6_K), "Q8_0": (7, Q.Q8_0), "F16": (1, Q.F16), "BF16": (32, Q.BF16), "F32": (0, Q.F32),
}
UNQUANTIZED = (0, 1, 32)


def usage(exe):
    print("usage: %s [--help] [--allow-requantize] [--leave-output-tensor] [--pure] [--imatrix] ..." % exe)
    print("       model-f32.gguf [model-quant.gguf] type [nthreads]\n")
    print("Allowed quantization types:")
    for name, (ftype, _) in QUANT_OPTIONS.items():
        print("  %2d  or  %-7s" % (ftype, name))
    sys.exit(1)


def main():
    argv = sys.argv[1:]
    allow_requantize = "--allow-requantize" in argv
    imatrix = "--imatrix" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) < 2:
        usage(sys.argv[0])
    fname_inp = args[0]
    if len(args) >= 3 and not args[1].isdigit() and args[1].upper() not in QUANT_OPTIONS:
        fname_out, type_arg = args[1], args[2]
    else:
        fname_out, type_arg = str(Path(fname_inp).with_name("ggml-model-%s.gguf" % args[1].upper())), args[1]
    key = type_arg.upper()
    if key.isdigit():
        key = next((n for n, (f, _) in QUANT_OPTIONS.items() if f == int(key)), key)
    if key not in QUANT_OPTIONS:
        sys.stderr.write("main: invalid ftype '%s'\n" % type_arg)
        return 1
    ftype, ggml_type = QUANT_OPTIONS[key]
    print("main: build = 6500 (sim)")
    print("main: built with cc for x86_64-linux-gnu")
    print("main: quantizing '%s' to '%s' as %s" % (fname_inp, fname_out, key))
    if ggml_type is None and not imatrix:
        sys.stderr.write("\n==========================================================================================================\n"
                         "Please do not use IQ1_S, IQ1_M, IQ2_S, IQ2_XXS, IQ2_XS or Q2_K_S quantization without an importance matrix\n"
                         "==========================================================================================================\n\n\n")
        return 1
    try:
        src = gguf.GGUFReader(fname_inp)
    except (OSError, ValueError) as e:
        sys.stderr.write("llama_model_quantize: failed to quantize: %s\n" % e)
        print("main: failed to quantize model from '%s'" % fname_inp)
        return 1
    if src.get("general.file_type") not in UNQUANTIZED and not allow_requantize:
        sys.stderr.write("llama_model_quantize: failed to quantize: requantizing from type %d is disabled\n"
                         % src.get("general.file_type"))
        print("main: failed to quantize model from '%s'" % fname_inp)
        return 1
    start = time.time()
    w = gguf.GGUFWriter(fname_out)
    # gguf_set_val_* removes a key and appends it: these two end up last, after the tokenizer's arrays.
    last = ("general.quantization_version", "general.file_type")
    for k, t, v in src.kvs:
        if k not in last:
            w.add(k, t, v)
    w.add("general.quantization_version", gguf.GGUFValueType.UINT32, 2)
    w.add("general.file_type", gguf.GGUFValueType.UINT32, ftype)
    for name, dims, t, data in src.tensors:
        if len(dims) == 2 and t != ggml_type:
            block, size = gguf.GGML_QUANT_SIZES[ggml_type]
            data = b"\0" * (dims[0] * dims[1] // block * size)
            t = ggml_type
        w.add_tensor(name, dims, t, data)
    w.write()
    ms = (time.time() - start) * 1000
    print("main: quantize time = %8.2f ms" % ms)
    print("main:    total time = %8.2f ms" % ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
