"""accelerate stand-in of the simulated CUDA host: `accelerate launch [options] script.py [args]` runs the script in
this interpreter (one process stands for all of them)."""
import runpy
import sys

VALUE_OPTIONS = {"--num_processes", "--num_machines", "--mixed_precision", "--main_process_port", "--config_file",
                 "--machine_rank", "--main_process_ip", "--gpu_ids"}


def main():
    args = sys.argv[1:]
    if not args or args[0] != "launch":
        sys.stderr.write("usage: accelerate launch [options] script.py [args]\n")
        return 2
    rest = args[1:]
    i = 0
    while i < len(rest) and rest[i].startswith("--"):
        opt = rest[i].split("=", 1)[0]
        i += 1 if "=" in rest[i] or opt not in VALUE_OPTIONS else 2
    if i >= len(rest):
        sys.stderr.write("accelerate launch: no training script given\n")
        return 2
    sys.argv = rest[i:]
    runpy.run_path(rest[i], run_name="__main__")
    return 0
