"""transformers stand-in of the simulated CUDA host: the classes the TRL scripts and the merge step import. A model
id is found as a local directory or in the Hugging Face cache ($HF_HOME/hub/models--org--name/snapshots/*); an id
that is in neither is answered the way an offline host answers it. save_pretrained writes config.json and a small,
well-formed model.safetensors."""
import glob
import json
import os
import shutil
import struct

__version__ = "@@TRANSFORMERS_VERSION@@"

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json",
                   "generation_config.json", "chat_template.jinja")


def resolve_model_dir(name):
    """The directory holding `name`: itself when it is one, else its newest snapshot in the cache, else None."""
    if os.path.isdir(name):
        return name
    home = os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface")
    snaps = sorted(glob.glob(os.path.join(home, "hub", "models--" + name.replace("/", "--"), "snapshots", "*")))
    return snaps[-1] if snaps else None


def _not_found(name):
    return OSError(
        "We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in the cached "
        "files.\nCheck your internet connection or see how to run the library in offline mode at "
        "'https://huggingface.co/docs/transformers/installation#offline-mode'. (%s)" % name
    )


def write_safetensors(path, tensors):
    """tensors: {name: (dtype, shape)}; the data is zeros of the right size."""
    sizes = {"BF16": 2, "F16": 2, "F32": 4}
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, (dtype, shape) in tensors.items():
        n = sizes[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)


class BitsAndBytesConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class _Pretrained:
    pad_token_id = 0
    strict = False

    @classmethod
    def from_pretrained(cls, name, **kwargs):
        obj = cls()
        obj.name_or_path = name
        obj.source_dir = resolve_model_dir(name)
        if obj.source_dir is None and cls.strict:
            raise _not_found(name)
        config = {}
        if obj.source_dir and os.path.exists(os.path.join(obj.source_dir, "config.json")):
            with open(os.path.join(obj.source_dir, "config.json")) as f:
                config = json.load(f)
        obj.config = type("Config", (), {"pad_token_id": None, "to_dict": lambda self, c=config: dict(c)})()
        return obj

    def save_pretrained(self, out, safe_serialization=True, **kwargs):
        os.makedirs(out, exist_ok=True)
        config = self.config.to_dict()
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        hidden = int(config.get("hidden_size", 256))
        write_safetensors(os.path.join(out, "model.safetensors"), {
            "model.embed_tokens.weight": ("BF16", [8, hidden]),
            "model.norm.weight": ("BF16", [hidden]),
        })


class AutoModelForSequenceClassification(_Pretrained):
    pass


class AutoModelForCausalLM(_Pretrained):
    strict = True


class AutoTokenizer(_Pretrained):
    def save_pretrained(self, out, **kwargs):
        os.makedirs(out, exist_ok=True)
        for name in TOKENIZER_FILES:
            src = os.path.join(self.source_dir or "", name)
            if self.source_dir and os.path.isfile(src):
                shutil.copyfile(src, os.path.join(out, name))
