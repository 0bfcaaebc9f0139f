"""torchrun of the simulated Ascend host (ascend-train sim): one worker process stands in for all ranks of a node.

With more than one node the nodes really meet: node 0 serves a small store at MASTER_PORT, the other nodes' agents
connect to MASTER_ADDR:MASTER_PORT, and the workers start only once every node has joined (else the timeout torch
prints: on node 0 `DistStoreError: Timed out after N seconds waiting for clients`, elsewhere `The client socket has
timed out`). The store then carries the workers' links, so a node whose worker dies makes the others fail after it.
The rendezvous timeout is `--rdzv-conf timeout=N` or ASCEND_SIM_RDZV_TIMEOUT (seconds; torch's default is 600).
"""
import argparse
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from torch.distributed import DistNetworkError, DistStoreError
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


def _rdzv_timeout(args):
    for item in (args.rdzv_conf or "").split(","):
        key, _, value = item.partition("=")
        if key.strip() == "timeout" and value.strip().isdigit():
            return float(value)
    try:
        return float(os.environ.get("ASCEND_SIM_RDZV_TIMEOUT", "600"))
    except ValueError:
        return 600.0


class Store:
    """Node 0's store: counts the agents that joined, then serves the workers' links until the job ends."""

    def __init__(self, server, nnodes):
        self.server = server
        self.nnodes = nnodes
        self.agents = {0}
        self.workers = {}
        self.done = set()
        self.gone = set()
        self.joined = threading.Event()
        self.lock = threading.Lock()
        self.sel = selectors.DefaultSelector()
        server.setblocking(False)
        self.sel.register(server, selectors.EVENT_READ, None)
        self.buffers = {}
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                events = self.sel.select(timeout=0.5)
            except (OSError, ValueError):
                return
            for key, _ in events:
                if key.data is None:
                    try:
                        conn, _ = self.server.accept()
                    except OSError:
                        continue
                    conn.setblocking(True)
                    self.buffers[conn] = b""
                    self.sel.register(conn, selectors.EVENT_READ, "peer")
                    continue
                self.read(key.fileobj)

    def read(self, conn):
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if not data:
            self.sel.unregister(conn)
            self.closed(conn)
            return
        self.buffers[conn] += data
        while b"\n" in self.buffers[conn]:
            line, self.buffers[conn] = self.buffers[conn].split(b"\n", 1)
            self.message(conn, line.decode("ascii", "replace").split())

    def message(self, conn, parts):
        with self.lock:
            if parts[:1] == ["agent"] and len(parts) == 2:
                self.agents.add(int(parts[1]))
                if len(self.agents) >= self.nnodes:
                    self.joined.set()
            elif parts[:1] == ["worker"] and len(parts) == 3:
                self.workers[conn] = int(parts[2])
                if len(self.workers) == self.nnodes:
                    for c in self.workers:
                        self.send(c, b"ready\n")
            elif parts[:1] == ["done"]:
                self.done.add(conn)

    def closed(self, conn):
        with self.lock:
            rank = self.workers.get(conn)
            if rank is not None:
                self.gone.add(conn)
                if conn not in self.done:
                    for c in self.workers:
                        if c is not conn and c not in self.gone:
                            self.send(c, ("fail %d\n" % rank).encode())
        try:
            conn.close()
        except OSError:
            pass

    @staticmethod
    def send(conn, data):
        try:
            conn.sendall(data)
        except OSError:
            pass

    def wait_exit(self, limit):
        """torch's exit barrier: node 0 keeps the store up until every node's worker has left (or the limit)."""
        deadline = time.time() + limit
        while time.time() < deadline:
            with self.lock:
                if len(self.gone | self.done) >= len(self.workers):
                    return
            time.sleep(0.1)


def _stamp():
    t = time.time()
    return time.strftime("%m%d %H:%M:%S", time.localtime(t)) + ".%06d" % (int(t * 1e6) % 1000000)


def _join(args, nnodes, timeout):
    """A non-zero node: connect to the store on node 0 (retrying, as torch's client does) and wait for the others."""
    deadline = time.time() + timeout
    warned = False
    while True:
        try:
            sock = socket.create_connection((args.master_addr, args.master_port), timeout=5)
            break
        except OSError as e:
            if not warned:
                warned = True
                sys.stderr.write("[W%s socket.cpp:663] [c10d] The client socket has failed to connect to [%s]:%d "
                                 "(errno: %d - %s).\n" % (_stamp(), args.master_addr, args.master_port,
                                                          e.errno or 111, e.strerror or "Connection refused"))
            if time.time() >= deadline:
                raise DistNetworkError("The client socket has timed out after %ds while trying to connect to (%s, %d)."
                                       % (int(timeout), args.master_addr, args.master_port)) from None
            time.sleep(0.2)
    sock.sendall(("agent %d\n" % args.node_rank).encode())
    sock.settimeout(max(0.1, deadline - time.time()))
    reply = b""
    try:
        while not reply.endswith(b"\n"):
            data = sock.recv(64)
            if not data:
                break
            reply += data
    except OSError:
        pass
    if not reply.startswith(b"go"):
        raise DistNetworkError("The client socket has timed out after %ds while trying to connect to (%s, %d)."
                               % (int(timeout), args.master_addr, args.master_port))
    return sock


def _rendezvous_result(args, nproc, nnodes):
    first = args.node_rank * nproc
    ranks = list(range(first, first + nproc))
    world = nproc * nnodes
    sys.stderr.write("INFO:torch.distributed.elastic.agent.server.api:[default] Rendezvous complete for workers. Result:\n"
                     "  restart_count=0\n  master_addr=%s\n  master_port=%d\n  group_rank=%d\n  group_world_size=%d\n"
                     "  local_ranks=%s\n  role_ranks=%s\n  global_ranks=%s\n  role_world_sizes=%s\n"
                     "  global_world_sizes=%s\n\n"
                     % (args.master_addr, args.master_port, args.node_rank, nnodes, list(range(nproc)), ranks, ranks,
                        [world] * nproc, [world] * nproc))
    sys.stderr.flush()


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
    server = _listen(args.master_port) if args.node_rank == 0 else None
    store = agent_link = None
    if nnodes > 1:
        timeout = _rdzv_timeout(args)
        if server is not None:
            store = Store(server, nnodes)
            if not store.joined.wait(timeout):
                raise DistStoreError("Timed out after %d seconds waiting for clients. %d/%d clients joined."
                                     % (int(timeout) + 1, len(store.agents), nnodes))
            for conn in list(store.buffers):
                Store.send(conn, b"go\n")
        else:
            agent_link = _join(args, nnodes, timeout)
        _rendezvous_result(args, nproc, nnodes)
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
    if store is not None and code == 0:
        store.wait_exit(300)
    if server is not None:
        server.close()
    if agent_link is not None:
        agent_link.close()
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
