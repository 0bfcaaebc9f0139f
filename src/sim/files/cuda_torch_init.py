"""PyTorch stand-in of the simulated CUDA host (ascend-train sim --accelerator cuda): what a CUDA build reports."""
import json as _json
import os as _os

__version__ = "@@TORCH_VERSION@@"


def _config():
    root = _os.environ.get("CUDA_SIM_ROOT", "")
    try:
        with open(_os.path.join(root, ".sim", "cuda.json")) as f:
            return _json.load(f)
    except OSError:
        return {"gpuCount": 0, "bf16": False, "cuda": None}


class _Version:
    cuda = "@@TORCH_CUDA@@"
    git_version = "sim"


version = _Version()


class OutOfMemoryError(RuntimeError):
    pass


class dtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name


float32 = dtype("float32")
float16 = dtype("float16")
bfloat16 = dtype("bfloat16")


class _Nccl:
    @staticmethod
    def version():
        return (2, 26, 2)


class _Cuda:
    OutOfMemoryError = OutOfMemoryError
    nccl = _Nccl()

    @staticmethod
    def is_available():
        return _config().get("gpuCount", 0) > 0

    @staticmethod
    def device_count():
        return _config().get("gpuCount", 0)

    @staticmethod
    def is_bf16_supported():
        return bool(_config().get("bf16", False))

    @staticmethod
    def get_device_name(index=0):
        return _config().get("gpuName", "")


cuda = _Cuda()


def manual_seed(seed):
    return seed
