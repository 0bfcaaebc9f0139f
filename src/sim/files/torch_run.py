"""torchrun of the simulated Ascend host (ascend-train sim): one worker process stands in for all ranks."""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

from torch.distributed import DistNetworkError
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

BANNER = "(simulated Ascend host: ascend-train sim)"


def _glog(level, msg):
    t = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime(t)) + ".%06d" % (int(t * 1e6) % 1000000)
    sys.stderr.write("%s%s %d torch/distributed/run.py:792] %s\n" % (level, stamp, os.getpid(), msg))


def get_args_parser():
    p = argparse.ArgumentParser(prog="torchrun", description="Torch Distributed Elastic Training Launcher")
    p.add_argument("--nnodes", type=str, default="1:1")
    p.add_argument("--nproc-per-node", "--nproc_per_node", dest="nproc_per_node", type=str, default="1")
    p.add_argument("--rdzv-backend", "--rdzv_backend", dest="rdzv_backend", type=str, default="static")
    p.add_argument("--rdzv-endpoint", "--rdzv_endpoint", dest="rdzv_endpoint", type=str, default="")
    p.add_argument("--rdzv-id", "--rdzv_id", dest="rdzv_id", type=str, default="none")
    p.add_argument("--rdzv-conf", "--rdzv_conf", dest="rdzv_conf", type=str, default="")
    p.add_argument("--standalone", action="store_true")
    p.add_argument("--max-restarts", "--max_restarts", dest="max_restarts", type=int, default=0)
    p.add_argument("--monitor-interval", "--monitor_interval", dest="monitor_interval", type=float, default=0.1)
    p.add_argument("--start-method", "--start_method", dest="start_method", type=str, default="spawn")
    p.add_argument("--role", type=str, default="default")
    p.add_argument("-m", "--module", action="store_true")
    p.add_argument("--no-python", "--no_python", dest="no_python", action="store_true")
    p.add_argument("--run-path", "--run_path", dest="run_path", action="store_true")
    p.add_argument("--log-dir", "--log_dir", dest="log_dir", type=str, default=None)
    p.add_argument("-r", "--redirects", type=str, default="0")
    p.add_argument("-t", "--tee", type=str, default="0")
    p.add_argument("--local-ranks-filter", "--local_ranks_filter", dest="local_ranks_filter", type=str, default="")
    p.add_argument("--node-rank", "--node_rank", dest="node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", dest="master_addr", type=str, default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", dest="master_port", type=int, default=29500)
    p.add_argument("--local-addr", "--local_addr", dest="local_addr", type=str, default=None)
    p.add_argument("training_script", type=str)
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def _nnodes(spec):
    parts = spec.split(":")
    return int(parts[-1])


def _listen(port):
    """The c10d TCPStore server of node 0 binds MASTER_PORT; a taken port fails exactly like torch's."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
        s.listen(64)
    except OSError as e:
        s.close()
        if e.errno != 98:
            raise
        stamp = time.strftime("%m%d %H:%M:%S")
        sys.stderr.write("[W%s.%06d socket.cpp:464] [c10d] The server socket has failed to bind to [::]:%d (errno: 98 - Address already in use).\n" % (stamp, int(time.time() * 1e6) % 1000000, port))
        sys.stderr.write("[W%s.%06d socket.cpp:464] [c10d] The server socket has failed to bind to 0.0.0.0:%d (errno: 98 - Address already in use).\n" % (stamp, int(time.time() * 1e6) % 1000000, port))
        sys.stderr.write("[E%s.%06d socket.cpp:500] [c10d] The server socket has failed to listen on any local network address.\n" % (stamp, int(time.time() * 1e6) % 1000000))
        raise DistNetworkError(
            "The server socket has failed to listen on any local network address. "
            "The server socket has failed to bind to [::]:%d (errno: 98 - Address already in use). "
            "The server socket has failed to bind to 0.0.0.0:%d (errno: 98 - Address already in use)." % (port, port)
        ) from None
    return s


def _failure_report(script, rank, pid, exitcode, sig=None):
    host = socket.gethostname()
    stamp = time.strftime("%Y-%m-%d_%H:%M:%S")
    if sig:
        reason = "Signal %d (%s) received by PID %d" % (sig, signal.Signals(sig).name, pid)
        exitcode_line = "  exitcode  : -%d (pid: %d)" % (sig, pid)
    else:
        reason = None
        exitcode_line = "  exitcode  : %d (pid: %d)" % (exitcode, pid)
    lines = ["", "=" * 60, "%s FAILED" % script, "-" * 60, "Failures:", "  <NO_OTHER_FAILURES>", "-" * 60,
             "Root Cause (first observed failure):", "[0]:", "  time      : %s" % stamp, "  host      : %s" % host,
             "  rank      : %d (local_rank: 0)" % rank, exitcode_line, "  error_file: <N/A>",
             "  traceback : " + (reason or "To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html"),
             "=" * 60]
    return "\n".join(lines)


def run(args):
    sys.stderr.write(BANNER + "\n")
    nproc = int(args.nproc_per_node) if args.nproc_per_node.isdigit() else 8
    nnodes = _nnodes(args.nnodes)
    if args.standalone:
        args.master_addr, args.master_port = "localhost", args.master_port or 29400
    if nproc > 1:
        _glog("W", "")
        _glog("W", "*" * 41)
        _glog("W", "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed. ")
        _glog("W", "*" * 41)
    store = _listen(args.master_port) if args.node_rank == 0 else None
    if nnodes > 1:
        # The other nodes never join a single simulated box: the rendezvous waits, as a real one would.
        while True:
            time.sleep(3600)
    env = dict(os.environ)
    env.update({
        "RANK": str(args.node_rank * nproc), "LOCAL_RANK": "0", "GROUP_RANK": str(args.node_rank),
        "WORLD_SIZE": str(nproc * nnodes), "LOCAL_WORLD_SIZE": str(nproc), "ROLE_RANK": "0",
        "MASTER_ADDR": args.master_addr, "MASTER_PORT": str(args.master_port),
        "TORCHELASTIC_RUN_ID": args.rdzv_id if args.rdzv_id != "none" else uuid.uuid4().hex[:8],
        "TORCHELASTIC_RESTART_COUNT": "0", "TORCHELASTIC_MAX_RESTARTS": str(args.max_restarts),
        "OMP_NUM_THREADS": env.get("OMP_NUM_THREADS", "1"), "PYTHONUNBUFFERED": "1",
    })
    if args.no_python:
        cmd = [args.training_script] + args.training_script_args
    elif args.module:
        cmd = [sys.executable, "-u", "-m", args.training_script] + args.training_script_args
    else:
        cmd = [sys.executable, "-u", args.training_script] + args.training_script_args
    child = subprocess.Popen(cmd, env=env)

    def forward(signum, frame):
        _glog("W", "Received %s death signal, shutting down workers" % signal.Signals(signum).name)
        try:
            child.send_signal(signum)
        except OSError:
            pass

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    code = child.wait()
    if store is not None:
        store.close()
    if code == 0:
        return 0
    sig = -code if code < 0 else None
    t = time.time()
    stamp = time.strftime("%m%d %H:%M:%S", time.localtime(t)) + ".%06d" % (int(t * 1e6) % 1000000)
    sys.stderr.write("E%s %d torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: %d) local_rank: 0 (pid: %d) of binary: %s\n"
                     % (stamp, os.getpid(), code, child.pid, sys.executable))
    raise ChildFailedError(name=args.training_script, failures=_failure_report(args.training_script, args.node_rank * nproc, child.pid, code, sig))


def main(args=None):
    args = get_args_parser().parse_args(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
