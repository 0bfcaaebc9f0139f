from torch_npu import _C  # noqa: F401


def _should_print_warning():
    return True
