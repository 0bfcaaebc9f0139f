import os
import sys

BUILT_FOR_CANN = "@@CANN_VERSION@@"
_LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "libtorch_npu.so")


def _find_lib(name):
    for d in os.environ.get("LD_LIBRARY_PATH", "").split(":"):
        if d and os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def _cann_home(lib):
    home = os.path.dirname(os.path.dirname(lib))
    return home


def _installed_cann(home):
    try:
        for entry in os.listdir(home):
            info = os.path.join(home, entry, "ascend_toolkit_install.info")
            if entry.endswith("-linux") and os.path.isfile(info):
                with open(info, encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("version="):
                            return line.strip().split("=", 1)[1]
    except OSError:
        pass
    return None


_hccl = _find_lib("libhccl.so")
if _hccl is None:
    raise ImportError("libhccl.so: cannot open shared object file: No such file or directory")
_CANN = _installed_cann(_cann_home(_hccl))
if _CANN != BUILT_FOR_CANN:
    raise ImportError(
        "%s: undefined symbol: _ZN3atb15CreateOperationINS_5infer14GroupTopkParamEEEiRKT_PPNS_9OperationE" % _LIB
    )


def cann_version():
    return _CANN
