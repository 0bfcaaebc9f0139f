#!/usr/bin/env python3
# nvidia-smi of the simulated CUDA host (ascend-train sim --accelerator cuda). Output follows driver 570's layout: the
# default table (91 columns, separators at 0/42/67/90) and --query-gpu=... --format=csv[,noheader][,nounits].
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def config():
    with open(os.path.join(ROOT, ".sim", "cuda.json")) as f:
        return json.load(f)


def used_mib(cfg, index):
    busy = os.path.join(ROOT, ".sim", "gpu-busy")
    return cfg["memoryTotalMiB"] - 1024 if os.path.exists(busy) else 0


def table(cfg):
    out = [time.strftime("%a %b %d %H:%M:%S %Y") + "       "]
    out.append("+" + "-" * 89 + "+")
    out.append("| NVIDIA-SMI %-23sDriver Version: %-15sCUDA Version: %-9s|" % (cfg["driver"], cfg["driver"], cfg["cuda"]))
    out.append("|" + "-" * 41 + "+" + "-" * 24 + "+" + "-" * 22 + "+")
    out.append("| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |")
    out.append("| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |")
    out.append("|                                         |                        |               MIG M. |")
    out.append("|" + "=" * 41 + "+" + "=" * 24 + "+" + "=" * 22 + "|")
    for i in range(cfg["gpuCount"]):
        used = used_mib(cfg, i)
        first = ("   %d  %s" % (i, cfg["gpuName"]))[:36].ljust(37) + "On  "
        bus = "   00000000:%02X:00.0 Off " % (0x18 + 0x10 * i)
        out.append("|" + first + "|" + bus.ljust(24) + "|" + "0 ".rjust(22) + "|")
        power = "%3dW / %4dW " % (70 if used == 0 else 650, 700)
        second = " N/A   %2dC    %s" % (33 + i, "P0" if used else "P8")
        second = second + power.rjust(41 - len(second))
        mem = ("%dMiB / %6dMiB " % (used, cfg["memoryTotalMiB"])).rjust(24)
        util = ("%d%%      Default " % (98 if used else 0)).rjust(22)
        out.append("|" + second + "|" + mem + "|" + util + "|")
        out.append("|" + " " * 41 + "|" + " " * 24 + "|" + "Disabled ".rjust(22) + "|")
        out.append("+" + "-" * 41 + "+" + "-" * 24 + "+" + "-" * 22 + "+")
    out.append("")
    out.append("+" + "-" * 89 + "+")
    out.append("| Processes:" + " " * 78 + "|")
    out.append("|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |")
    out.append("|        ID   ID                                                               Usage      |")
    out.append("|" + "=" * 89 + "|")
    out.append("|  No running processes found" + " " * 61 + "|")
    out.append("+" + "-" * 89 + "+")
    return "\n".join(out)


def query(cfg, fields, noheader, nounits):
    units = {"memory.total": "MiB", "memory.used": "MiB", "memory.free": "MiB"}
    lines = []
    if not noheader:
        lines.append(", ".join(f + (" [%s]" % units[f] if f in units and not nounits else "") for f in fields))
    for i in range(cfg["gpuCount"]):
        used = used_mib(cfg, i)
        values = {
            "index": str(i),
            "name": cfg["gpuName"],
            "driver_version": cfg["driver"],
            "memory.total": str(cfg["memoryTotalMiB"]),
            "memory.used": str(used),
            "memory.free": str(cfg["memoryTotalMiB"] - used),
            "uuid": "GPU-5e1a%04d-0000-4000-8000-%012d" % (i, i),
            "pci.bus_id": "00000000:%02X:00.0" % (0x18 + 0x10 * i),
        }
        row = []
        for f in fields:
            if f not in values:
                sys.stderr.write('Field "%s" is not a valid field to query.\n' % f)
                sys.exit(2)
            v = values[f]
            row.append(v + (" " + units[f] if f in units and not nounits else ""))
        lines.append(", ".join(row))
    return "\n".join(lines)


def main(argv):
    cfg = config()
    fields = None
    fmt = ""
    for a in argv:
        if a.startswith("--query-gpu="):
            fields = [f.strip() for f in a.split("=", 1)[1].split(",") if f.strip()]
        elif a.startswith("--format="):
            fmt = a.split("=", 1)[1]
        elif a == "-L":
            for i in range(cfg["gpuCount"]):
                print("GPU %d: %s (UUID: GPU-5e1a%04d-0000-4000-8000-%012d)" % (i, cfg["gpuName"], i, i))
            return 0
    if fields is not None:
        opts = fmt.split(",")
        if "csv" not in opts:
            sys.stderr.write("--query-gpu requires --format=csv\n")
            return 2
        print(query(cfg, fields, "noheader" in opts, "nounits" in opts))
        return 0
    print(table(cfg))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
