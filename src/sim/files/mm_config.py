"""Argument and config parsing of the simulated MindSpeed-MM (ascend-train sim)."""
import argparse
import json
import re


def _scalar(text):
    t = text.strip()
    if t == "" or t in ("~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if (t[0] == t[-1]) and t[0] in "'\"" and len(t) >= 2:
        return t[1:-1]
    if t.startswith("[") and t.endswith("]"):
        if re.match(r"^[\[\]\d\s,.eE+-]*$", t):
            try:
                return json.loads(t)
            except ValueError:
                return t
        inner = t[1:-1].strip()
        return [_scalar(x) for x in inner.split(",")] if inner else []
    if re.match(r"^[-+]?\d+$", t):
        return int(t)
    if re.match(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$", t):
        return float(t)
    return t


def _strip_comment(line):
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def load_yaml(path):
    """The YAML subset MindSpeed-MM configs use: block maps and lists, scalars, flow lists, anchors, aliases."""
    with open(path, encoding="utf-8") as f:
        raw = [_strip_comment(l.rstrip("\n")) for l in f]
    lines = [(len(l) - len(l.lstrip(" ")), l.strip()) for l in raw if l.strip() and l.strip() != "---"]
    anchors = {}

    def value_of(text):
        text = text.strip()
        anchor = None
        if text.startswith("&"):
            parts = text.split(None, 1)
            anchor, text = parts[0][1:], (parts[1] if len(parts) > 1 else "")
        if text.startswith("*"):
            v = anchors.get(text[1:].strip())
        else:
            v = _scalar(text)
        if anchor:
            anchors[anchor] = v
        return anchor, v

    def parse(i, indent):
        if i < len(lines) and lines[i][1].startswith("- "):
            out = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
                body = lines[i][1][1:].strip()
                if ":" in body and not body.startswith(("[", "{", "'", '"')) and re.match(r"^[\w.\-]+\s*:", body):
                    k, _, v = body.partition(":")
                    item = {k.strip(): value_of(v)[1]} if v.strip() else {}
                    i += 1
                    if i < len(lines) and lines[i][0] > indent:
                        sub, i = parse(i, lines[i][0])
                        if isinstance(sub, dict):
                            item.update(sub)
                    out.append(item)
                else:
                    out.append(value_of(body)[1])
                    i += 1
            return out, i
        out = {}
        while i < len(lines) and lines[i][0] == indent:
            key, _, rest = lines[i][1].partition(":")
            key = key.strip().strip("'\"")
            i += 1
            anchor, v = value_of(rest) if rest.strip() else (None, None)
            if not rest.strip() or (rest.strip().startswith("&") and v is None):
                if i < len(lines) and (lines[i][0] > indent or (lines[i][0] == indent and lines[i][1].startswith("- "))):
                    v, i = parse(i, lines[i][0])
                if anchor:
                    anchors[anchor] = v
            out[key] = v
        return out, i

    if not lines:
        return {}
    data, _ = parse(0, lines[0][0])
    return data


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def megatron_parser():
    p = argparse.ArgumentParser(description="Megatron-LM Arguments", allow_abbrev=False)
    add = p.add_argument
    add("--mm-data", type=str, default=None)
    add("--mm-model", type=str, default=None)
    add("--mm-tool", type=str, default=None)
    add("--tensor-model-parallel-size", type=int, default=1)
    add("--pipeline-model-parallel-size", type=int, default=1)
    add("--virtual-pipeline-model-parallel-size", type=int, default=None)
    add("--context-parallel-size", type=int, default=1)
    add("--expert-model-parallel-size", type=int, default=1)
    add("--micro-batch-size", type=int, default=None)
    add("--global-batch-size", type=int, default=None)
    add("--seq-length", type=int, default=None)
    add("--recompute-granularity", default=None)
    add("--train-iters", type=int, default=None)
    add("--lr", type=float, default=None)
    add("--min-lr", type=float, default=0.0)
    add("--lr-warmup-fraction", type=float, default=None)
    add("--lr-decay-style", type=str, default="linear")
    add("--save", type=str, default=None)
    add("--save-interval", type=int, default=None)
    add("--load", type=str, default=None)
    add("--log-interval", type=int, default=100)
    add("--num-workers", type=int, default=2)
    add("--ckpt-format", type=str, default="torch")
    add("--vocab-size", type=int, default=None)
    add("--finetune", action="store_true")
    add("--log-tps", action="store_true")
    add("--log-throughput", action="store_true")
    add("--bf16", action="store_true")
    add("--fp16", action="store_true")
    add("--use-torch-fsdp2", action="store_true")
    add("--fsdp2-config-path", type=str, default=None)
    add("--distributed-backend", type=str, default="nccl")
    add("--seed", type=int, default=1234)
    # MindSpeed's LoRA arguments (LORA_ARGS in the scripts; lora_args in the unified YAML).
    add("--lora-r", type=int, default=16)
    add("--lora-alpha", type=int, default=32)
    add("--lora-dropout", type=float, default=0.0)
    add("--lora-target-modules", nargs="*", default=[])
    return p


def parse_megatron(argv):
    args, unknown = megatron_parser().parse_known_args(argv)
    args.unknown = unknown
    args.yaml = None
    positional = [a for a in unknown if not a.startswith("-") and a.endswith((".yaml", ".yml"))]
    if positional:
        args.yaml = positional[0]
        cfg = load_yaml(args.yaml)
        given = {a.lstrip("-").split("=")[0].replace("-", "_") for a in argv if a.startswith("--")}
        for key, value in list((cfg.get("gpt_args") or {}).items()) + list((cfg.get("lora_args") or {}).items()):
            dest = key.replace("-", "_")
            if dest not in given:
                setattr(args, dest, value)
        args.yaml_cfg = cfg
    return args


def layer_list(value):
    """pipeline_num_layers as a flat list (VPP lists of lists are flattened)."""
    if value is None:
        return None
    flat = []
    for v in value:
        if isinstance(v, list):
            flat.extend(v)
        else:
            flat.append(v)
    return flat
