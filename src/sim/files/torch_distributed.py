"""torch.distributed stand-in: process-group bookkeeping for the simulated single-process job."""
import os
import sys

_initialized = False


class DistError(RuntimeError):
    pass


class DistNetworkError(DistError):
    pass


def is_available():
    return True


def is_initialized():
    return _initialized


def _prefix_excepthook(rank):
    import traceback

    def hook(etype, value, tb):
        text = "".join(traceback.format_exception(etype, value, tb))
        for line in text.rstrip("\n").split("\n"):
            sys.stderr.write("[rank%d]: %s\n" % (rank, line))
        sys.stderr.flush()

    sys.excepthook = hook


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, **kwargs):
    global _initialized
    _initialized = True
    major_minor = tuple(int(p) for p in __import__("torch").__version__.split("+")[0].split(".")[:2])
    if major_minor >= (2, 2):
        _prefix_excepthook(get_rank())


def get_rank(group=None):
    return int(os.environ.get("RANK", "0"))


def get_world_size(group=None):
    return int(os.environ.get("WORLD_SIZE", "1"))


def barrier(group=None):
    return None


def destroy_process_group(group=None):
    global _initialized
    _initialized = False
