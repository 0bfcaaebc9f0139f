"""peft stand-in of the simulated CUDA host: LoraConfig keeps its arguments; PeftModel loads a saved adapter onto a
base model (refusing a directory without adapter_config.json, in peft's words) and merge_and_unload gives the base
model back with the adapter folded in."""
import os

__version__ = "@@PEFT_VERSION@@"


class LoraConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class PeftModel:
    def __init__(self, base, adapter_dir):
        self.base_model = base
        self.adapter_dir = adapter_dir

    @classmethod
    def from_pretrained(cls, model, model_id, **kwargs):
        if not os.path.isfile(os.path.join(model_id, "adapter_config.json")):
            raise ValueError("Can't find 'adapter_config.json' at '%s'" % model_id)
        if not os.path.isfile(os.path.join(model_id, "adapter_model.safetensors")):
            raise ValueError("Can't find weights for %s in %s" % (model_id, model_id))
        return cls(model, model_id)

    def merge_and_unload(self, progressbar=False, safe_merge=False, adapter_names=None):
        return self.base_model
