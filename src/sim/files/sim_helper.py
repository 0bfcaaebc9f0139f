"""State of the simulated Ascend host (ascend-train sim). Not part of any real Ascend software."""
import json
import os
import sys
import time

BANNER = "(simulated Ascend host: ascend-train sim)"


def find_root(start=None):
    env = os.environ.get("ASCEND_SIM_ROOT")
    candidates = [env] if env else []
    here = os.path.dirname(os.path.realpath(start or __file__))
    for base in (here, os.path.dirname(os.path.abspath(sys.prefix))):
        path = base
        for _ in range(8):
            candidates.append(path)
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    for cand in candidates:
        if cand and os.path.isfile(os.path.join(cand, ".sim", "state.json")):
            return cand
    return None


def load_state(root):
    with open(os.path.join(root, ".sim", "state.json"), encoding="utf-8") as f:
        return json.load(f)


def banner():
    sys.stderr.write(BANNER + "\n")
    sys.stderr.flush()


def pid_alive(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, ValueError):
        return False
    try:
        with open("/proc/%d/stat" % int(pid), encoding="utf-8") as f:
            if f.read().rsplit(")", 1)[-1].split()[0] == "Z":
                return False
    except OSError:
        pass
    return True


def holders_dir(root):
    return os.path.join(root, ".sim", "holders")


def live_holders(root):
    """Processes that hold NPUs right now (dead registrations are ignored)."""
    out = []
    d = holders_dir(root)
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return out
    for name in names:
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(d, name), encoding="utf-8") as f:
                h = json.load(f)
        except (OSError, ValueError):
            continue
        if pid_alive(h.get("pid", -1)):
            out.append(h)
    return out


def process_name(pid, fallback):
    try:
        with open("/proc/%d/comm" % int(pid), encoding="utf-8") as f:
            return f.read().strip() or fallback
    except OSError:
        return fallback


def register(root, npus, mem_mb, kind="train", name=None, pid=None):
    pid = pid or os.getpid()
    os.makedirs(holders_dir(root), exist_ok=True)
    data = {"pid": pid, "ppid": os.getppid() if pid == os.getpid() else None, "npus": list(npus), "memMB": int(mem_mb), "kind": kind,
            "name": name or process_name(pid, "python"), "startedAt": time.time()}
    tmp = os.path.join(holders_dir(root), ".%d.tmp" % pid)
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, os.path.join(holders_dir(root), "%d.json" % pid))
    return data


def unregister(root, pid=None):
    try:
        os.unlink(os.path.join(holders_dir(root), "%d.json" % (pid or os.getpid())))
    except OSError:
        pass


def visible_devices(state):
    """Physical NPU ids this process may use (ASCEND_RT_VISIBLE_DEVICES, else all)."""
    count = int(state.get("npuCount", 8))
    raw = os.environ.get("ASCEND_RT_VISIBLE_DEVICES") or os.environ.get("ASCEND_VISIBLE_DEVICES")
    if not raw:
        return list(range(count))
    ids = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit() and int(part) < count:
            ids.append(int(part))
    return ids


def ascend_ts():
    """Timestamp in the style of CANN error lines: 2025-06-09-06:57:54."""
    return time.strftime("%Y-%m-%d-%H:%M:%S")


def ascend_ts_us():
    t = time.time()
    return time.strftime("%Y-%m-%d-%H:%M:%S", time.localtime(t)) + ".%03d.%03d" % (int(t * 1000) % 1000, int(t * 1e6) % 1000)
