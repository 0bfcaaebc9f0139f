"""torch_npu stand-in of the simulated Ascend host (ascend-train sim)."""
import os
import sys
import time

__version__ = "@@TORCH_NPU_VERSION@@"


def _autoload():
    """Entry point of the torch.backends group; defined before importing torch, which calls it."""
    return None


import torch  # noqa: E402

try:
    import torch_npu.npu
except ImportError as e:
    if "cannot open shared object file" in str(e):
        raise ImportError(
            "%s. Please check that the cann package is installed. Please run 'source set_env.sh' in the CANN "
            "installation path.\n[ERROR] %s (PID:%d, Device:-1, RankID:-1) ERR00008 PTA resource not found"
            % (e, time.strftime("%Y-%m-%d-%H:%M:%S"), os.getpid())
        )
    from torch_npu.utils._error_code import ErrCode, pta_error  # noqa: F401

from torch_npu import _C  # noqa: E402

torch.npu = torch_npu.npu
sys.modules["torch.npu"] = torch_npu.npu
torch.version.cann = _C.cann_version()
