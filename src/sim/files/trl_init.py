"""TRL stand-in of the simulated CUDA host: the trainers take TRL's arguments and print what the Transformers
Trainer prints (tqdm bar, one metric dict per logging step, the closing train_runtime dict). Failures come from the
host's .sim/trl-failure file ("oom@3": CUDA out of memory at step 3), in torch's own words."""
import math
import os
import sys
import time

__version__ = "@@TRL_VERSION@@"

METHOD_COLUMNS = {
    "SFTTrainer": [["messages"], ["prompt", "completion"], ["text"]],
    "DPOTrainer": [["prompt", "chosen", "rejected"], ["chosen", "rejected"]],
    "GRPOTrainer": [["prompt"]],
    "RewardTrainer": [["chosen", "rejected"]],
}


class _Config:
    def __init__(self, output_dir=None, **kwargs):
        self.output_dir = output_dir or "trainer_output"
        self.max_steps = kwargs.pop("max_steps", -1)
        self.learning_rate = kwargs.pop("learning_rate", 2e-5)
        self.logging_steps = kwargs.pop("logging_steps", 10)
        self.save_steps = kwargs.pop("save_steps", 500)
        self.num_train_epochs = kwargs.pop("num_train_epochs", 3.0)
        for k, v in kwargs.items():
            setattr(self, k, v)


class SFTConfig(_Config):
    pass


class DPOConfig(_Config):
    pass


class GRPOConfig(_Config):
    pass


class RewardConfig(_Config):
    pass


def _failure():
    root = os.environ.get("CUDA_SIM_ROOT", "")
    try:
        with open(os.path.join(root, ".sim", "trl-failure")) as f:
            kind, _, step = f.read().strip().partition("@")
            return kind, int(step or "1")
    except (OSError, ValueError):
        return None, 0


def _bar(step, total, elapsed, per_step):
    pct = int(100 * step / total)
    filled = int(10 * step / total)
    bar = "\u2588" * filled + " " * (10 - filled)
    remain = per_step * (total - step)
    fmt = lambda s: "%02d:%02d" % (int(s) // 60, int(s) % 60)  # noqa: E731
    return "%3d%%|%s| %d/%d [%s<%s, %.2fs/it]" % (pct, bar, step, total, fmt(elapsed), fmt(remain), per_step)


def _oom(step):
    sys.stderr.write("Traceback (most recent call last):\n")
    sys.stderr.write('  File "train.py", line 42, in <module>\n    trainer.train()\n')
    sys.stderr.write(
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
        "79.19 GiB of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.12 GiB memory in use. "
        "Of the allocated memory 75.42 GiB is allocated by PyTorch, and 1.98 GiB is reserved by PyTorch but "
        "unallocated. If reserved but unallocated memory is large try setting "
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory "
        "Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)\n"
    )
    sys.stderr.flush()
    sys.exit(1)


class _Trainer:
    def __init__(self, model=None, args=None, train_dataset=None, processing_class=None, peft_config=None, **kwargs):
        self.model = model
        self.args = args or _Config()
        self.train_dataset = train_dataset
        self.peft_config = peft_config
        self.kwargs = kwargs
        name = type(self).__name__
        columns = list(getattr(train_dataset, "column_names", []) or [])
        if not any(all(c in columns for c in s) for s in METHOD_COLUMNS[name]):
            want = METHOD_COLUMNS[name][0]
            missing = [c for c in want if c not in columns]
            raise KeyError(
                "%s expects the dataset to have the columns %s; it has %s (missing %s)" % (name, want, columns, missing)
            )
        if name == "GRPOTrainer" and not kwargs.get("reward_funcs"):
            raise TypeError("GRPOTrainer.__init__() missing 1 required positional argument: 'reward_funcs'")

    def _metrics(self, step, total):
        t = step / total
        lr = self.args.learning_rate * (1 - t)
        base = {
            "loss": round(2.2 * math.exp(-2.0 * t) + 0.3, 4),
            "grad_norm": 1.4 * math.exp(-t) + 0.2,
            "learning_rate": lr,
        }
        name = type(self).__name__
        if name == "DPOTrainer":
            margin = 0.05 + 2.0 * t
            base.update({"rewards/chosen": margin / 2, "rewards/rejected": -margin / 2,
                         "rewards/accuracies": min(1.0, 0.5 + t), "rewards/margins": margin,
                         "logps/chosen": -140.0 + 20 * t, "logps/rejected": -150.0 - 20 * t})
            base["loss"] = round(0.6931 * math.exp(-1.5 * t), 4)
        elif name == "GRPOTrainer":
            reward = 0.2 + 0.7 * t
            base.update({"num_tokens": 2048.0 * step, "completions/mean_length": 180.0 - 40 * t,
                         "rewards/reward_len/mean": reward, "rewards/reward_len/std": 0.3,
                         "reward": reward, "reward_std": 0.3, "frac_reward_zero_std": 0.0, "kl": 0.0004 * step})
            base["loss"] = round(0.01 * (1 - t), 4)
        elif name == "RewardTrainer":
            base["accuracy"] = min(1.0, 0.5 + t)
        return base

    def train(self, resume_from_checkpoint=None):
        total = self.args.max_steps if self.args.max_steps and self.args.max_steps > 0 else 20
        first = 1
        if resume_from_checkpoint:
            # As Trainer does: True means the latest checkpoint-N in output_dir; a path names one.
            path = resume_from_checkpoint
            if path is True:
                steps = [int(n.split("-")[1]) for n in os.listdir(self.args.output_dir) if n.startswith("checkpoint-")]
                if not steps:
                    raise ValueError("No valid checkpoint found in output directory (%s)" % self.args.output_dir)
                path = os.path.join(self.args.output_dir, "checkpoint-%d" % max(steps))
            if not os.path.isdir(path):
                raise ValueError("Can't find a valid checkpoint at %s" % path)
            first = int(os.path.basename(os.path.normpath(path)).split("-")[1]) + 1
            sys.stdout.write("Continuing training from checkpoint, will skip to saved global_step %d\n" % (first - 1))
        per_step = float(os.environ.get("CUDA_SIM_STEP_SECONDS", "0.05"))
        kind, fail_at = _failure()
        start = time.time()
        every = max(1, int(self.args.logging_steps or 1))
        sys.stdout.write(_bar(first - 1, total, 0, per_step) + "\n")
        sys.stdout.flush()
        for step in range(first, total + 1):
            time.sleep(per_step)
            if kind == "oom" and step == fail_at:
                _oom(step)
            sys.stdout.write("\r" + _bar(step, total, time.time() - start, per_step))
            if step % every == 0:
                m = self._metrics(step, total)
                m["epoch"] = round(step / total, 2)
                if kind == "nan" and step >= fail_at:
                    m["loss"] = float("nan")
                sys.stdout.write("\n" + repr(m) + "\n")
            if self.args.save_steps and step % int(self.args.save_steps) == 0:
                os.makedirs(os.path.join(self.args.output_dir, "checkpoint-%d" % step), exist_ok=True)
            sys.stdout.flush()
        runtime = time.time() - start
        summary = {"train_runtime": round(runtime, 4), "train_samples_per_second": round(total / runtime, 3),
                   "train_steps_per_second": round(total / runtime, 3), "train_loss": 1.2345, "epoch": 1.0}
        sys.stdout.write("\n" + repr(summary) + "\n")
        sys.stdout.write(_bar(total, total, runtime, per_step) + "\n")
        sys.stdout.flush()

    def save_model(self, output_dir=None):
        """What Trainer.save_model leaves: the LoRA adapter (adapter_config.json naming the base, adapter weights) or
        the whole model, and the tokenizer's files."""
        import json

        from transformers import AutoModelForCausalLM, AutoTokenizer, write_safetensors

        out = output_dir or self.args.output_dir
        os.makedirs(out, exist_ok=True)
        base = self.model if isinstance(self.model, str) else getattr(self.model, "name_or_path", "model")
        if self.peft_config:
            cfg = {"base_model_name_or_path": base, "peft_type": "LORA", "task_type": getattr(self.peft_config, "task_type", "CAUSAL_LM"),
                   "r": getattr(self.peft_config, "r", 16), "lora_alpha": getattr(self.peft_config, "lora_alpha", 32),
                   "target_modules": getattr(self.peft_config, "target_modules", "all-linear")}
            with open(os.path.join(out, "adapter_config.json"), "w") as f:
                json.dump(cfg, f, indent=2)
            write_safetensors(os.path.join(out, "adapter_model.safetensors"), {
                "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight": ("F32", [16, 256]),
                "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight": ("F32", [256, 16]),
            })
        else:
            try:
                AutoModelForCausalLM.from_pretrained(base).save_pretrained(out)
            except OSError:
                with open(os.path.join(out, "config.json"), "w") as f:
                    f.write("{}\n")
        AutoTokenizer.from_pretrained(base).save_pretrained(out)

    def push_to_hub(self, *args, **kwargs):
        raise RuntimeError("push_to_hub: no network on this host")


class SFTTrainer(_Trainer):
    pass


class DPOTrainer(_Trainer):
    pass


class GRPOTrainer(_Trainer):
    pass


class RewardTrainer(_Trainer):
    pass
