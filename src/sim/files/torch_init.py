"""PyTorch stand-in of the simulated Ascend host (ascend-train sim): versions, autoload and launcher only."""
import os as _os

__version__ = "@@TORCH_VERSION@@"

from torch import version  # noqa: E402
from torch import distributed  # noqa: E402


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


class Size(tuple):
    def __repr__(self):
        return "torch.Size([%s])" % ", ".join(str(x) for x in self)


class _Cuda:
    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0


cuda = _Cuda()


def manual_seed(seed):
    return seed


def device(spec):
    return spec


def _version_tuple(v):
    out = []
    for part in v.split("+")[0].split(".")[:2]:
        out.append(int(part) if part.isdigit() else 0)
    return tuple(out)


def _import_device_backends():
    from importlib.metadata import entry_points

    try:
        eps = entry_points(group="torch.backends")
    except TypeError:
        eps = entry_points().get("torch.backends", [])
    for backend_extension in eps:
        try:
            entrypoint = backend_extension.load()
            entrypoint()
        except Exception as err:
            raise RuntimeError(
                f"Failed to load the backend extension: {backend_extension.name}. "
                f"You can disable extension auto-loading with TORCH_DEVICE_BACKEND_AUTOLOAD=0."
            ) from err


def _is_device_backend_autoload_enabled():
    return _os.getenv("TORCH_DEVICE_BACKEND_AUTOLOAD", "1") == "1"


if _version_tuple(__version__) >= (2, 5) and _is_device_backend_autoload_enabled():
    _import_device_backends()
