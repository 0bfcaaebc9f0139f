"""mm-convert of the simulated MindSpeed-MM (ascend-train sim): validates like the real converters, writes
a Megatron/DCP checkpoint tree of placeholder files and records the layer split it used."""
import glob
import json
import os
import sys
import time

BANNER = "(simulated Ascend host: ascend-train sim)"
SPLIT_MARKER = ".ascend_sim_split.json"
MEGATRON = ["Qwen2_5_VLConverter", "Qwen2VLConverter", "InternVLConverter", "GlmConverter", "DeepSeekVLConverter",
            "Qwen3VLMegatronConverter", "Qwen2_5_OmniConverter", "VideoAlignConverter"]
DCP = ["Qwen3VLConverter", "Qwen35Converter", "GenericDCPConverter", "ExpertMergeDcpConverter", "Mistral3Converter"]
METHODS = {"hf_to_mm", "mm_to_hf", "resplit", "hf_to_dcp", "dcp_to_hf", "hf_to_mm_dcp", "lora_hf_to_mm",
           "lora_mm_to_hf", "lora_hf_to_dcp", "merge_mm_lora_dcp_weight_to_base_hf", "hf_to_mm_ldt"}


def usage(msg):
    choices = ",".join(MEGATRON + DCP + ["moe_expert"])
    sys.stderr.write("usage: mm-convert [-h] [--config CONFIG] [--print_config[=flags]] {%s} ...\n" % choices)
    sys.stderr.write("error: %s\n" % msg)
    return 2


class ValidationError(Exception):
    pass


def fail(model, msg, value=None):
    sys.stderr.write("Traceback (most recent call last):\n  File \"checkpoint/convert_cli.py\", line 15, in main\n")
    sys.stderr.write("pydantic_core._pydantic_core.ValidationError: 1 validation error for %s\n" % model)
    sys.stderr.write("  Value error, %s [type=value_error, input_value=%s, input_type=dict]\n" % (msg, value or "{...}"))
    return 1


def parse_flags(argv):
    flags, i = {}, 0
    while i < len(argv):
        a = argv[i]
        if not a.startswith("--"):
            raise ValueError("Unrecognized arguments: %s" % a)
        if "=" in a:
            k, v = a[2:].split("=", 1)
            i += 1
        else:
            if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                k, v = a[2:], "true"
                i += 1
            else:
                k, v = a[2:], argv[i + 1]
                i += 2
        flags[k] = v
    return flags


def as_layers(text):
    v = json.loads(text) if isinstance(text, str) else text
    if not isinstance(v, list):
        raise ValueError("not a list")
    return v


def flat(v):
    out = []
    for x in v:
        out.extend(x if isinstance(x, list) else [x])
    return out


def read_hf(hf_dir):
    if not os.path.isdir(hf_dir) or not os.path.isfile(os.path.join(hf_dir, "config.json")):
        raise ValidationError("No config.json in %s" % hf_dir)
    if not glob.glob(os.path.join(hf_dir, "*.safetensors")):
        raise ValidationError("No *.safetensors files found in %s" % hf_dir)
    with open(os.path.join(hf_dir, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    text = cfg.get("text_config") or cfg
    vision = cfg.get("vision_config") or {}
    return {
        "model_type": cfg.get("model_type"),
        "llm_layers": int(text.get("num_hidden_layers") or cfg.get("num_hidden_layers") or 0),
        "hidden_size": text.get("hidden_size") or cfg.get("hidden_size"),
        "num_attention_heads": text.get("num_attention_heads") or cfg.get("num_attention_heads"),
        "num_key_value_heads": text.get("num_key_value_heads") or cfg.get("num_key_value_heads"),
        "vit_layers": int(vision.get("depth") or vision.get("num_hidden_layers") or 0),
    }


def progress(msg):
    sys.stdout.write("%s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg))
    sys.stdout.flush()


def pause():
    """ASCEND_SIM_CONVERT_SECONDS: how long each shard takes to save (real conversions take minutes per shard)."""
    try:
        delay = float(os.environ.get("ASCEND_SIM_CONVERT_SECONDS") or 0)
    except ValueError:
        delay = 0
    if delay > 0:
        time.sleep(delay)


def hf_to_mm(cls, flags):
    model = "ConvertVppMMConfig"
    mm_dir = flags.get("cfg.mm_dir")
    hf_dir = flags.get("cfg.hf_config.hf_dir")
    if not mm_dir or not hf_dir:
        return usage('Key "cfg.%s" is required but not included in config object or its value is None.'
                     % ("mm_dir" if not mm_dir else "hf_config.hf_dir"))
    try:
        hf = read_hf(hf_dir)
        llm = as_layers(flags.get("cfg.parallel_config.llm_pp_layers", "[[%d]]" % 0))
        vit = as_layers(flags.get("cfg.parallel_config.vit_pp_layers", "[[%d]]" % 0))
    except ValidationError as e:
        return fail("HfConfig", str(e), "'%s'" % hf_dir)
    except ValueError as e:
        return usage("Parser key \"cfg.parallel_config\": %s" % e)
    tp = int(flags.get("cfg.parallel_config.tp_size", "1"))
    llm_flat, vit_flat = flat(llm), flat(vit)
    vpp = len(llm) if llm and isinstance(llm[0], list) else 1
    pp = len(llm_flat) // max(1, vpp)
    kv = hf["num_key_value_heads"]
    if kv and kv % tp != 0:
        return fail(model, "Number of key-value heads (%d) must be divisible by TP size (%d)" % (kv, tp))
    if sum(llm_flat) != hf["llm_layers"]:
        return fail(model, "Sum of llm_pipeline_num_layers_flat must be equal to llm_num_layers, but got %d and %d."
                    % (sum(llm_flat), hf["llm_layers"]))
    if hf["vit_layers"] and sum(vit_flat) != hf["vit_layers"]:
        return fail(model, "Sum of vit_pipeline_num_layers_flat must be equal to vit_num_layers, but got %d and %d."
                    % (sum(vit_flat), hf["vit_layers"]))
    if not llm_flat:
        return fail(model, "At least one stage is required.")
    if len(vit_flat) != len(llm_flat):
        sys.stderr.write("WARNING: vit_pipeline_num_layers and llm_pipeline_num_layers have different lengths\n")
    progress("Loading HF weights from %s (%s, %d LLM layers, %d ViT layers)" % (hf_dir, hf["model_type"], hf["llm_layers"], hf["vit_layers"]))
    release = os.path.join(mm_dir, "release")
    names = ["mp_rank_%02d_%03d" % (t, s) for t in range(tp) for s in range(pp)] if pp > 1 else ["mp_rank_%02d" % t for t in range(tp)]
    for i, name in enumerate(names):
        pause()
        os.makedirs(os.path.join(release, name), exist_ok=True)
        with open(os.path.join(release, name, "model_optim_rng.pt"), "w", encoding="utf-8") as f:
            f.write("ascend-train sim converted weights (placeholder): %s %s\n" % (cls, name))
        progress("Saved %s (%d/%d)" % (os.path.join(release, name, "model_optim_rng.pt"), i + 1, len(names)))
    with open(os.path.join(mm_dir, "latest_checkpointed_iteration.txt"), "w", encoding="utf-8") as f:
        f.write("release")
    with open(os.path.join(mm_dir, SPLIT_MARKER), "w", encoding="utf-8") as f:
        json.dump({"converter": cls, "tp": tp, "pp": pp, "llm_pp_layers": llm_flat, "vit_pp_layers": vit_flat,
                   "llm_layers": hf["llm_layers"], "hidden_size": hf["hidden_size"],
                   "num_attention_heads": hf["num_attention_heads"], "num_key_value_heads": kv}, f)
    progress("Convert finished: %s -> %s" % (hf_dir, mm_dir))
    return 0


def hf_to_dcp(cls, flags):
    hf_dir = flags.get("hf_dir")
    out = flags.get("dcp_dir") or flags.get("save_dir")
    if not hf_dir or not out:
        return usage('Key "%s" is required but not included in config object or its value is None.'
                     % ("hf_dir" if not hf_dir else "dcp_dir"))
    try:
        hf = read_hf(hf_dir)
    except ValidationError as e:
        return fail("HfConfig", str(e), "'%s'" % hf_dir)
    progress("Loading HF weights from %s (%s)" % (hf_dir, hf["model_type"]))
    release = os.path.join(out, "release")
    os.makedirs(release, exist_ok=True)
    for name in (".metadata", "__0_0.distcp"):
        pause()
        with open(os.path.join(release, name), "w", encoding="utf-8") as f:
            f.write("ascend-train sim DCP shard (placeholder): %s\n" % cls)
    with open(os.path.join(out, "latest_checkpointed_iteration.txt"), "w", encoding="utf-8") as f:
        f.write("release")
    progress("Saved DCP checkpoint to %s" % release)
    return 0


def write_hf_shards(dst):
    """Three safetensors shards with valid headers and the shapes config.json implies (bf16, data left sparse),
    and the index that maps every tensor to its shard: what a real mm_to_hf leaves, in miniature."""
    cfg = {}
    if os.path.isfile(os.path.join(dst, "config.json")):
        with open(os.path.join(dst, "config.json"), encoding="utf-8") as f:
            cfg = json.load(f)
    text = cfg.get("text_config") or cfg
    vocab = int(text.get("vocab_size") or cfg.get("vocab_size") or 1024)
    hidden = int(text.get("hidden_size") or cfg.get("hidden_size") or 64)
    tied = bool(text.get("tie_word_embeddings", cfg.get("tie_word_embeddings", False)))
    shards = [
        {"model.embed_tokens.weight": [vocab, hidden], "model.layers.0.input_layernorm.weight": [hidden]},
        {"model.layers.0.post_attention_layernorm.weight": [hidden], "visual.merger.ln_q.weight": [1280]},
        {"model.norm.weight": [hidden]},
    ]
    if not tied:
        shards[2]["lm_head.weight"] = [vocab, hidden]
    names = ["model-%05d-of-%05d.safetensors" % (i + 1, len(shards)) for i in range(len(shards))]
    weight_map, total = {}, 0
    for name, tensors in zip(names, shards):
        header, offset = {"__metadata__": {"format": "pt"}}, 0
        for key, shape in tensors.items():
            size = 2
            for n in shape:
                size *= n
            header[key] = {"dtype": "BF16", "shape": shape, "data_offsets": [offset, offset + size]}
            offset += size
            weight_map[key] = name
        raw = json.dumps(header, separators=(",", ":")).encode()
        raw += b" " * (-len(raw) % 8)
        with open(os.path.join(dst, name), "wb") as f:
            f.write(len(raw).to_bytes(8, "little") + raw)
            f.truncate(8 + len(raw) + offset)
        total += offset
    with open(os.path.join(dst, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def to_hf(cls, flags):
    src = flags.get("cfg.mm_dir") or flags.get("load_dir") or flags.get("dcp_dir")
    dst = flags.get("cfg.save_hf_dir") or flags.get("save_dir") or flags.get("save_hf_dir")
    assets = flags.get("cfg.hf_config.hf_dir") or flags.get("model_assets_dir") or flags.get("origin_hf_dir") or flags.get("hf_dir")
    if not src or not dst:
        return usage("source and target directories are required")
    if not os.path.isdir(src):
        sys.stderr.write("FileNotFoundError: [Errno 2] No such file or directory: '%s'\n" % src)
        return 1
    os.makedirs(dst, exist_ok=True)
    if assets and os.path.isfile(os.path.join(assets, "config.json")):
        with open(os.path.join(assets, "config.json"), encoding="utf-8") as f, open(os.path.join(dst, "config.json"), "w", encoding="utf-8") as g:
            g.write(f.read())
    write_hf_shards(dst)
    progress("Saved HF weights to %s" % dst)
    return 0


def moe_expert(args):
    """checkpoint/vlm_model/converters/moe_expert.py: --style merge|split --hf_dir --save_dir [--max_shard_size]."""
    try:
        flags = parse_flags(args)
    except ValueError as e:
        return usage(str(e))
    style, hf_dir, save_dir = flags.get("style"), flags.get("hf_dir"), flags.get("save_dir")
    if style not in ("merge", "split"):
        return usage("Parser key \"style\": Expected a Literal['merge', 'split']. Got value: %s" % style)
    if not hf_dir or not save_dir:
        return usage('Key "%s" is required but not included in config object or its value is None.' % ("hf_dir" if not hf_dir else "save_dir"))
    if not os.path.isfile(os.path.join(hf_dir, "config.json")):
        sys.stderr.write("FileNotFoundError: [Errno 2] No such file or directory: '%s'\n" % os.path.join(hf_dir, "config.json"))
        return 1
    return to_hf("moe_expert", {"load_dir": hf_dir, "save_dir": save_dir, "hf_dir": hf_dir})


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    sys.stderr.write(BANNER + "\n")
    if not argv or argv[0] in ("-h", "--help"):
        usage("the following arguments are required: subcommand") if not argv else None
        return 0 if argv else 2
    cls = argv[0]
    if cls not in MEGATRON + DCP + ["moe_expert"]:
        return usage("argument subcommand: invalid choice: '%s' (choose from %s)"
                     % (cls, ", ".join("'%s'" % c for c in MEGATRON + DCP + ["moe_expert"])))
    if cls == "moe_expert":
        return moe_expert(argv[1:])
    if len(argv) < 2 or argv[1] not in METHODS:
        return usage("'%s' expects a subcommand such as hf_to_mm" % cls)
    method = argv[1]
    try:
        flags = parse_flags(argv[2:])
    except ValueError as e:
        return usage(str(e))
    if method == "hf_to_mm_dcp" and cls in MEGATRON:
        return hf_to_dcp(cls, {"hf_dir": flags.get("cfg.hf_config.hf_dir"), "dcp_dir": flags.get("cfg.mm_dir")})
    if (method in ("hf_to_mm", "lora_hf_to_mm") and cls in MEGATRON) or (method == "hf_to_mm_ldt" and cls == "Qwen2_5_VLConverter"):
        return hf_to_mm(cls, flags)
    if method in ("hf_to_dcp", "lora_hf_to_dcp"):
        return hf_to_dcp(cls, flags)
    if method in ("mm_to_hf", "dcp_to_hf", "lora_mm_to_hf"):
        return to_hf(cls, flags)
    if method == "merge_mm_lora_dcp_weight_to_base_hf" and cls in ("Qwen3VLConverter", "Mistral3Converter"):
        return to_hf(cls, {"load_dir": flags.get("lora_dcp_dir"), "save_dir": flags.get("save_merged_hf_dir"),
                           "model_assets_dir": flags.get("base_hf_dir")})
    if method == "resplit":
        return usage("resplit is not supported by this converter")
    return usage("'%s' does not implement %s" % (cls, method))


if __name__ == "__main__":
    sys.exit(main())
