"""torch.distributed stand-in: process-group bookkeeping for the simulated job.

A worker stands in for every rank of its node. In a multi-node job (WORLD_SIZE > LOCAL_WORLD_SIZE) it joins the
store that node 0's torchrun serves at MASTER_ADDR:MASTER_PORT and keeps that link for the whole run: HCCL's
communicator is established only when every node's worker has joined (else EI0006 after HCCL_CONNECT_TIMEOUT), and
when another node's worker goes away each collective after it fails the way HCCL does (EI0002 after
HCCL_EXEC_TIMEOUT), naming the rank that no longer answers.
"""
import os
import socket
import sys
import threading
import time

_initialized = False
_link = None
_peer = {"failed": None, "seen": None}


class DistError(RuntimeError):
    pass


class DistNetworkError(DistError):
    pass


class DistStoreError(DistError):
    pass


class DistBackendError(DistError):
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


def _ascend_stamp(t=None):
    t = time.time() if t is None else t
    us = int(t * 1e6) % 1000000
    return time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime(t)) + ".%03d.%03d" % (us // 1000, us % 1000)


def _env_seconds(name, default):
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return float(default)


def _multi_node():
    return get_world_size() > int(os.environ.get("LOCAL_WORLD_SIZE", get_world_size()))


def _connect_timeout_error(rank, world):
    stamp = _ascend_stamp()
    device = int(os.environ.get("LOCAL_RANK", "0"))
    return DistBackendError(
        "InnerRunOpApi:torch_npu/csrc/framework/OpParamMaker.cpp:281 OPS function error: HcclCommInitRootInfo, error code is 6\n"
        "[ERROR] %s (PID:%d, Device:%d, RankID:%d) ERR01100 OPS call acl api failed.\n"
        "EI0006: [PID: %d] %s Getting socket times out. Reason: 1. The remote does not initiate a connect request. "
        "some NPUs in the cluster are abnormal.    2. The remote does not initiate a connect request because the "
        "collective communication operator is started too late or is not started by some NPU in the cluster.    "
        "3. The communication link is disconnected. (For example, the IP addresses are not on the same network segment "
        "or the TLS configurations are inconsistent.)\n"
        "        Solution: 1. Check the rank service processes with other errors or no errors in the cluster.2. If this "
        "error is reported for all NPUs, check whether the time difference between the earliest and latest errors is "
        "greater than the connect timeout interval (%ds by default). If so, adjust the timeout interval by using the "
        "HCCL_CONNECT_TIMEOUT environment variable.\n"
        "        TraceBack (most recent call last):\n"
        "        Transport init error. Reason: [Create][DestLink]Create Dest error! rankSize[%d]"
        % (stamp[:19], os.getpid(), device, rank, os.getpid(), stamp, 120, world))


def _watch(sock):
    """Reads the store's word about the other nodes; a closed link means node 0 is gone."""
    buf = b""
    while True:
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        if not data:
            if _peer["failed"] is None and _initialized:
                _peer["failed"], _peer["seen"] = 0, time.time()
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            parts = line.decode("ascii", "replace").split()
            if parts[:1] == ["fail"] and _peer["failed"] is None:
                _peer["failed"], _peer["seen"] = int(parts[1]), time.time()


def _join_store(rank, world):
    """Registers this node's worker with the store on node 0 and waits until every node's worker is there."""
    global _link
    addr, port = os.environ.get("MASTER_ADDR", "127.0.0.1"), int(os.environ.get("MASTER_PORT", "29500"))
    limit = _env_seconds("HCCL_CONNECT_TIMEOUT", 120)
    deadline = time.time() + limit
    sock = None
    while sock is None:
        try:
            sock = socket.create_connection((addr, port), timeout=5)
        except OSError:
            if time.time() >= deadline:
                raise _connect_timeout_error(rank, world) from None
            time.sleep(0.2)
    sock.sendall(("worker %s %d\n" % (os.environ.get("GROUP_RANK", "0"), rank)).encode())
    sock.settimeout(max(0.1, deadline - time.time()))
    try:
        reply = b""
        while not reply.endswith(b"\n"):
            data = sock.recv(64)
            if not data:
                raise OSError("closed")
            reply += data
    except OSError:
        sock.close()
        raise _connect_timeout_error(rank, world) from None
    sock.settimeout(None)
    _link = sock
    threading.Thread(target=_watch, args=(sock,), daemon=True).start()


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, **kwargs):
    global _initialized
    major_minor = tuple(int(p) for p in __import__("torch").__version__.split("+")[0].split(".")[:2])
    if major_minor >= (2, 2):
        _prefix_excepthook(get_rank())
    if _multi_node():
        _join_store(get_rank(), get_world_size())
    _initialized = True


def get_rank(group=None):
    return int(os.environ.get("RANK", "0"))


def get_world_size(group=None):
    return int(os.environ.get("WORLD_SIZE", "1"))


def _exec_timeout_error(remote):
    rank = get_rank()
    device = int(os.environ.get("LOCAL_RANK", "0"))
    pid = os.getpid()
    stamp = _ascend_stamp()
    world = get_world_size()
    return RuntimeError(
        "npuSynchronizeDevice:torch_npu/csrc/core/npu/NPUStream.cpp:479 NPU function error: "
        "AclrtSynchronizeDeviceWithTimeout, error code is 507048\n"
        "[ERROR] %s (PID:%d, Device:%d, RankID:%d) ERR00100 PTA call acl api failed\n"
        "[Error]: The execution of the internal task times out. \n"
        "        Rectify the fault based on the error information in the ascend log.\n"
        "EI0002: [PID: %d] %s The wait execution of the Notify register times out. Reason: The Notify register has "
        "not received the Notify record from remote rank: [%d]. base information: [streamID:[1], taskID[38], "
        "taskType[Notify Wait], tag[AllReduce_group_name_1], AlgType(level 0-1-2):[fullmesh-ring-NHR].]. task "
        "information: [notify id:[0x0000000000000213], stage:[0], remote rank:[%d]]. group information: "
        "[group:[group_name_1], user define information[Unspecified], rankSize[%d], rankId[%d %d]]\n"
        "        Possible Cause: 1. An exception occurs during the execution on some NPUs in the cluster. As a result, "
        "collective communication operation failed.2. The execution speed on some NPU in the cluster is too slow to "
        "complete a communication operation within the timeout interval. (default 1800s, You can set the interval by "
        "using HCCL_EXEC_TIMEOUT.)3. The number of training samples of each NPU is inconsistent.4. Packet loss or "
        "other connectivity problems occur on the communication link."
        % (stamp[:19], pid, device, rank, pid, stamp, remote, remote, world, remote, rank))


def all_reduce(tensor=None, op=None, group=None, async_op=False):
    """A collective over every node: once a peer is gone it waits HCCL_EXEC_TIMEOUT for it, then fails."""
    failed = _peer["failed"]
    if failed is None:
        return None
    wait = _peer["seen"] + _env_seconds("HCCL_EXEC_TIMEOUT", 1800) - time.time()
    if wait > 0:
        time.sleep(wait)
    raise _exec_timeout_error(failed)


def barrier(group=None):
    return all_reduce()


def destroy_process_group(group=None):
    """Leaves the job cleanly: the store does not count this node's worker as failed."""
    global _initialized, _link
    _initialized = False
    if _link is not None:
        try:
            _link.sendall(b"done\n")
            _link.close()
        except OSError:
            pass
        _link = None
