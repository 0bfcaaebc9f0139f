#!/usr/bin/env python3
# npu-smi of the simulated Ascend host (ascend-train sim). Output format follows npu-smi 25.x on Atlas A2.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), ".sim", "lib"))
import ascend_sim  # noqa: E402

BUS_IDS = ["0000:C1:00.0", "0000:C2:00.0", "0000:81:00.0", "0000:82:00.0",
           "0000:01:00.0", "0000:02:00.0", "0000:41:00.0", "0000:42:00.0"]
IDLE_POWER = ["99.3", "101.8", "91.0", "99.4", "94.8", "100.8", "99.8", "92.0"]
IDLE_TEMP = [41, 38, 37, 39, 44, 42, 43, 45]
EQ = "+" + "=" * 27 + "+" + "=" * 15 + "+" + "=" * 52 + "+"
DASH = "+" + "-" * 27 + "+" + "-" * 15 + "+" + "-" * 52 + "+"
USAGE = """Usage: npu-smi info <watch|proc|-h|-m|-l|-t type> [Options...]
       npu-smi set -t type [Options...]
       npu-smi clear -t type [Options...]
       npu-smi upgrade -t type [Options...]

Commands:
    info                 Show device properties
    set                  Set device properties
    clear                Clear device status
    upgrade              Upgrade device firmware
"""


def usage(bad):
    sys.stderr.write("Command error: %s is not supported.\n" % bad if bad else "")
    sys.stderr.write(USAGE)
    return 1


def usage_pair(used, total):
    return ("%-5s/ %-14s" % (used, total))


def table(state, holders):
    version = state.get("driver", "25.2.0")
    count = int(state.get("npuCount", 8))
    chip = state.get("chip", "910B3")
    hbm_total = int(state.get("hbmTotalMB", 65536))
    hbm_idle = int(state.get("hbmIdleMB", 3378))
    per_npu = {n: [] for n in range(count)}
    for h in holders:
        for n in h.get("npus", []):
            if n in per_npu:
                per_npu[n].append(h)
    lines = ["+" + "-" * 96 + "+",
             "| " + ("npu-smi " + version).ljust(33) + ("Version: " + version).ljust(62) + "|",
             DASH,
             "| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|",
             "| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |",
             EQ]
    for n in range(count):
        busy = per_npu[n]
        train = [h for h in busy if h.get("kind") == "train"]
        power = IDLE_POWER[n % 8] if not busy else "%.1f" % (float(IDLE_POWER[n % 8]) + (190.0 if train else 60.0) + n)
        temp = IDLE_TEMP[n % 8] + (12 if train else (4 if busy else 0))
        aicore = (37 + (n * 7) % 20) if train else 0
        used = min(hbm_total, hbm_idle + sum(int(h.get("memMB", 0)) for h in busy))
        lines.append("| " + ("%-6s%s" % (n, chip)).ljust(26) + "| " + "OK".ljust(14) + "| "
                     + str(power).ljust(12) + str(temp).ljust(18) + usage_pair(0, 0) + "|")
        lines.append("| " + "0".ljust(26) + "| " + BUS_IDS[n % 8].ljust(14) + "| "
                     + str(aicore).ljust(12) + ("%-5s/ %-11s" % (0, 0)) + usage_pair(used, hbm_total) + "|")
        lines.append(EQ)
    lines += [DASH, "| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |", EQ]
    for n in range(count):
        busy = per_npu[n]
        if not busy:
            lines.append("| " + ("No running processes found in NPU %d" % n).ljust(95) + "|")
        for h in busy:
            name = ascend_sim.process_name(h["pid"], h.get("name", ""))[:15]
            lines.append("| " + ("%-8s%s" % (n, 0)).ljust(26) + "| " + str(h["pid"]).ljust(14) + "| "
                         + name.ljust(25) + "| " + str(int(h.get("memMB", 0))).ljust(24) + "|")
        lines.append(EQ)
    return "\n".join(lines)


def info_l(state):
    count = int(state.get("npuCount", 8))
    pad = " " * 8
    out = [pad + "Total Count".ljust(31) + ": %d" % count, ""]
    for n in range(count):
        out += [pad + "NPU ID".ljust(31) + ": %d" % n, pad + "Chip Count".ljust(31) + ": 1", ""]
    return "\n".join(out).rstrip("\n")


def info_m(state):
    count = int(state.get("npuCount", 8))
    chip = state.get("chip", "910B3")
    pad = " " * 8
    out = [pad + "NPU ID".ljust(31) + "Chip ID".ljust(31) + "Chip Logic ID".ljust(31) + "Chip Name".ljust(30)]
    for n in range(count):
        out.append(pad + str(n).ljust(31) + "0".ljust(31) + str(n).ljust(31) + "Ascend " + chip)
        out.append(pad + str(n).ljust(31) + "1".ljust(31) + "-".ljust(31) + "Mcu".ljust(30))
    return "\n".join(out)


def main(argv):
    ascend_sim.banner()
    root = ascend_sim.find_root(__file__)
    if root is None:
        sys.stderr.write("dcmi module initialize failed. ret is -8005\n")
        return 1
    state = ascend_sim.load_state(root)
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if argv[0] == "-v" or argv[0] == "--version":
        print("npu-smi version: %s" % state.get("driver"))
        return 0
    if argv[0] != "info":
        return usage(argv[0])
    rest = argv[1:]
    if not rest:
        print(table(state, ascend_sim.live_holders(root)))
        return 0
    if rest == ["-l"]:
        print(info_l(state))
        return 0
    if rest == ["-m"]:
        print(info_m(state))
        return 0
    if rest[0] == "-h":
        sys.stdout.write(USAGE)
        return 0
    return usage(" ".join(rest))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
