"""peft stand-in of the simulated CUDA host: LoraConfig keeps its arguments."""
__version__ = "@@PEFT_VERSION@@"


class LoraConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
