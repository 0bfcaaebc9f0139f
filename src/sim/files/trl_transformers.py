"""transformers stand-in of the simulated CUDA host: the classes the TRL scripts import."""
__version__ = "@@TRANSFORMERS_VERSION@@"


class BitsAndBytesConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class _Pretrained:
    pad_token_id = 0

    @classmethod
    def from_pretrained(cls, name, **kwargs):
        obj = cls()
        obj.name_or_path = name
        obj.config = type("Config", (), {"pad_token_id": None})()
        return obj


class AutoModelForSequenceClassification(_Pretrained):
    pass


class AutoModelForCausalLM(_Pretrained):
    pass


class AutoTokenizer(_Pretrained):
    pass
