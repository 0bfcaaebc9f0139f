"""torch.npu for the simulated host: devices come from the simulated host's state."""
import atexit
import os
import sys
import time

from torch_npu.utils import _should_print_warning  # noqa: F401

_registered = None
_current = 0


def _sim():
    sys_path = None
    root = os.environ.get("ASCEND_SIM_ROOT")
    if not root or not os.path.isfile(os.path.join(root, ".sim", "state.json")):
        base = os.path.dirname(os.path.abspath(sys.prefix))
        root = base if os.path.isfile(os.path.join(base, ".sim", "state.json")) else None
    if root is None:
        return None, None
    sys_path = os.path.join(root, ".sim", "lib")
    if sys_path not in sys.path:
        sys.path.insert(0, sys_path)
    import ascend_sim

    return root, ascend_sim


def _state():
    root, sim = _sim()
    if root is None:
        return None, None, None
    return root, sim, sim.load_state(root)


def device_count():
    root, sim, state = _state()
    return len(sim.visible_devices(state)) if state else 0


def is_available():
    return device_count() > 0


def current_device():
    return _current


def _set_device_error(device, code, detail):
    return RuntimeError(
        "Initialize:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:217 NPU function error: "
        "c10_npu::SetDevice(device_id_), error code is %d\n"
        "[ERROR] %s (PID:%d, Device:%d, RankID:-1) ERR00100 PTA call acl api failed\n%s"
        % (code, time.strftime("%Y-%m-%d-%H:%M:%S"), os.getpid(), device, detail)
    )


def set_device(device):
    """Opens the NPUs of this job (LOCAL_WORLD_SIZE of them) and records that this process holds them."""
    global _registered, _current
    if isinstance(device, str):
        device = int(device.split(":")[-1])
    root, sim, state = _state()
    visible = sim.visible_devices(state) if state else []
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    if device >= len(visible) or local_world > len(visible):
        raise _set_device_error(device, 107001, "[Error]: Invalid device ID.\n        Check whether the device ID is valid.")
    _current = device
    if _registered is not None:
        return
    mine = visible[:local_world]
    for h in sim.live_holders(root):
        if h.get("pid") == os.getpid():
            continue
        taken = sorted(set(h.get("npus", [])) & set(mine))
        if taken:
            pid = os.getpid()
            raise _set_device_error(
                taken[0], 507033,
                "[Error]: Failed to start the device.\n"
                "        Rectify the fault based on the error information in the ascend log.\n"
                "EJ0001: [PID: %d] %s Failed to initialize the HCCP process. Reason: Maybe the last training process is running.\n"
                "        Solution: Wait for 10s after killing the last training process and try again.\n"
                "        TraceBack (most recent call last):\n"
                "        tsd client wait response fail, device response code[1]. unknown device error.[FUNC:WaitRsp][FILE:process_mode_manager.cpp][LINE:290]\n"
                "        open device %d failed, runtime result = 507033.[FUNC:ReportCallError][FILE:log_inner.cpp][LINE:161]\n"
                % (pid, sim.ascend_ts_us(), taken[0])
            )
    _registered = (root, sim, mine)
    sim.register(root, mine, int(os.environ.get("ASCEND_SIM_HOLD_MB", "2400")))
    atexit.register(lambda: sim.unregister(root))


def _sim_update_memory(mem_mb):
    """Updates what npu-smi shows for this process once the model is built."""
    if _registered is not None:
        root, sim, mine = _registered
        sim.register(root, mine, mem_mb)


def synchronize(device=None):
    return None


def empty_cache():
    return None


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0
