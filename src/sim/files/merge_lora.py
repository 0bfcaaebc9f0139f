"""checkpoint/common/merge_base_lora_weight.py of the simulated MindSpeed-MM (ascend-train sim): reads the base and
LoRA trees the way the real script does (latest_checkpointed_iteration.txt, mp_rank_TT[_PPP]) and writes the merged
tree as release/ with placeholder weights."""
import argparse
import os
import shutil
import sys


def iteration_dir(root):
    tracker = os.path.join(root, "latest_checkpointed_iteration.txt")
    it = open(tracker).read().strip() if os.path.exists(tracker) else "release"
    return os.path.join(root, it if it == "release" else "iter_%07d" % int(it))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base_save_dir", required=True)
    p.add_argument("--lora_save_dir", required=True)
    p.add_argument("--merge_save_dir", required=True)
    p.add_argument("--lora_target_modules", nargs="+")
    p.add_argument("--lora_alpha", type=int, default=16)
    p.add_argument("--lora_r", type=int, default=8)
    p.add_argument("--pp_size", type=int, default=1)
    p.add_argument("--tp_size", type=int, default=1)
    a = p.parse_args()
    base, lora = iteration_dir(a.base_save_dir), iteration_dir(a.lora_save_dir)
    os.makedirs(a.merge_save_dir, exist_ok=True)
    with open(os.path.join(a.merge_save_dir, "latest_checkpointed_iteration.txt"), "w") as f:
        f.write("release")
    for tp in range(a.tp_size):
        for pp in range(a.pp_size):
            rank = "mp_rank_%02d_%03d" % (tp, pp) if a.pp_size > 1 else "mp_rank_%02d" % tp
            for d in (base, lora):
                if not os.path.exists(os.path.join(d, rank, "model_optim_rng.pt")):
                    sys.stderr.write("FileNotFoundError: %s\n" % os.path.join(d, rank, "model_optim_rng.pt"))
                    return 1
            out = os.path.join(a.merge_save_dir, "release", rank)
            os.makedirs(out, exist_ok=True)
            shutil.copyfile(os.path.join(base, rank, "model_optim_rng.pt"), os.path.join(out, "model_optim_rng.pt"))
            print("Merging Base model and Lora model in %s... scaling %.1f" % (rank, a.lora_alpha / a.lora_r))
    print("Finished!")
    return 0


if __name__ == "__main__":
    sys.exit(main())
