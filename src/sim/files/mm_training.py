"""Training loop of the simulated MindSpeed-MM (ascend-train sim).

Prints the log lines of mindspeed_mm/training.py (Megatron path) and of the native FSDP2 trainer, writes
checkpoints, and fails the way real runs fail when the simulated host is in a failure scenario.
"""
import json
import math
import os
import random
import signal
import sys
import time

from mindspeed_mm import sim_config
from mindspeed_mm.data.data_utils.func_utils import mm_plugin

BANNER = "(simulated Ascend host: ascend-train sim)"
SPLIT_MARKER = ".ascend_sim_split.json"


def _find_sim():
    cands = [os.environ.get("ASCEND_SIM_ROOT"), os.path.dirname(os.path.abspath(sys.prefix))]
    here = os.path.dirname(os.path.abspath(__file__))
    for _ in range(6):
        cands.append(here)
        here = os.path.dirname(here)
    for c in cands:
        if c and os.path.isfile(os.path.join(c, ".sim", "state.json")):
            lib = os.path.join(c, ".sim", "lib")
            if lib not in sys.path:
                sys.path.insert(0, lib)
            import ascend_sim

            return c, ascend_sim.load_state(c)
    return None, {}


def _ts():
    return time.strftime("%Y-%m-%d %H:%M:%S")


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


def print_datetime(label):
    log("[%s] datetime: %s " % (label, _ts()))


def _on_sigterm(signum, frame):
    sys.exit(128 + signum)


class Run:
    def __init__(self, native=False):
        sys.stderr.write(BANNER + "\n")
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, _on_sigterm)
        self.native = native
        self.root, self.state = _find_sim()
        self.scenario = self.state.get("scenario", "healthy")
        self.overfilled = False
        self.fail_at = int(os.environ.get("ASCEND_SIM_FAIL_AT", self.state.get("failAtIteration", 3)))
        self.step_s = float(os.environ.get("ASCEND_SIM_STEP_SECONDS", "0.3"))
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))

    # ---- setup -------------------------------------------------------------------------------------------------
    def check_parallel(self, tp, pp, cp, mbs, gbs):
        if self.world % (tp * pp * cp) != 0:
            raise AssertionError(
                "world size (%d) is not divisible by tensor parallel size (%d) times pipeline parallel size (%d) "
                "times context parallel size (%d)" % (self.world, tp, pp, cp))
        dp = self.world // (tp * pp * cp)
        gbs = gbs or mbs * dp
        if gbs % (mbs * dp) != 0:
            raise AssertionError("global batch size (%d) is not divisible by micro batch size (%d) times data "
                                 "parallel size (%d)" % (gbs, mbs, dp))
        return dp, gbs

    def init_devices(self, torch, mem_mb):
        log("> initializing torch distributed ...")
        torch.distributed.init_process_group(backend="hccl")
        os.environ["ASCEND_SIM_HOLD_MB"] = str(mem_mb)
        torch.npu.set_device(self.local_rank)

    def check_data(self, data_cfg):
        dp = (data_cfg or {}).get("dataset_param") or data_cfg or {}
        pre = dp.get("preprocess_parameters") or {}
        basic = dp.get("basic_parameters") or {}
        tok = pre.get("model_name_or_path")
        if tok and not os.path.isdir(tok):
            raise OSError(
                "Can't load tokenizer for '%s'. If you were trying to load it from 'https://huggingface.co/models', "
                "make sure you don't have a local directory with the same name. Otherwise, make sure '%s' is the "
                "correct path to a directory containing all relevant files for a Qwen2TokenizerFast tokenizer." % (tok, tok))
        # MLLM configs name `dataset` and `dataset_dir`; InternVL's a list of {data_path, data_folder}.
        if isinstance(basic, list):
            sources = [(str(b.get("data_path") or ""), b.get("data_folder") or "", False)
                       for b in basic if isinstance(b, dict)]
        else:
            sources = [(p, basic.get("dataset_dir") or "data", True) for p in str(basic.get("dataset") or "").split(",")]
        samples = 0
        for path, media_dir, keep_original in sources:
            if not path:
                continue
            if not os.path.exists(path):
                raise FileNotFoundError("Unable to find '%s'" % os.path.abspath(path))
            try:
                with open(path, encoding="utf-8") as f:
                    samples += len(json.load(f))
            except (ValueError, TypeError, OSError):
                samples += 1
            # Preprocessing opens every record's images: a path that is not there stops the run here.
            mm_plugin.preprocess_dataset(path, str(media_dir), dp.get("attr"), keep_original)
        return samples

    def shm_check(self, workers):
        if self.scenario == "small-shm" and workers and workers > 0:
            sys.stderr.write("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient "
                             "shared memory (shm).\n")
            raise RuntimeError("DataLoader worker (pid %d) is killed by signal: Bus error. It is possible that "
                               "dataloader's workers are out of shared memory. Please try to raise your shared memory "
                               "limit." % (os.getpid() + 17))

    # ---- the loop ----------------------------------------------------------------------------------------------
    def lr_at(self, it, lr, min_lr, warmup, total, style):
        step = it - 1
        if warmup and step <= warmup:
            return lr * step / warmup
        if style == "constant":
            return lr
        ratio = min(1.0, (step - warmup) / max(1, total - warmup))
        if style == "cosine":
            return min_lr + (lr - min_lr) * 0.5 * (math.cos(math.pi * ratio) + 1.0)
        return lr - (lr - min_lr) * ratio

    def oom(self, torch):
        msg = ("NPU out of memory. Tried to allocate 2.32 GiB (NPU %d; 60.97 GiB total capacity; 58.12 GiB already "
               "allocated; 58.12 GiB current active; 1.05 GiB free; 59.35 GiB reserved in total by PyTorch) If reserved "
               "memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation." % self.local_rank)
        if tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]) >= (2, 5):
            raise torch.OutOfMemoryError(msg)
        raise RuntimeError(msg)

    def first_run(self, name, values):
        """What the scenario's first run recorded under .sim/<name>-first-run.json (written now when absent); the file
        goes when the scenario is set again."""
        path = os.path.join(self.root, ".sim", "%s-first-run.json" % name)
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            try:
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(values, f)
            except OSError:
                pass
            return values

    def out_of_memory(self, need):
        """The oom scenario models a card that the scenario's first run overfilled: a run needing at most 80% of that
        run's activation memory (half the micro batch, full recomputation, more TP or PP) fits, as it would on a real
        card; the allocator's expandable segments alone do not make room."""
        if self.scenario != "oom":
            return False
        first = self.first_run("oom", {"need": need})
        return need > 0.8 * float(first.get("need") or need)

    def diverges(self, lr, fp16):
        """The nan-loss scenario models a model and data that diverge above the learning rate its first run used (in
        fp16, when that run trained in fp16): a run at three quarters of that rate or lower, or in bf16 where the first
        was fp16, trains on, as the fixes diagnose_error offers (halve --lr, --fp16 to --bf16) would on a real host.
        The first run's settings are kept in .sim/nan-loss-first-run.json until the scenario is set again."""
        if self.scenario != "nan-loss":
            return False
        first = self.first_run("nan-loss", {"lr": lr, "fp16": bool(fp16)})
        if lr <= 0.75 * float(first.get("lr") or lr):
            return False
        return not (first.get("fp16") and not fp16)

    def forward_backward_step(self, torch, it):
        if self.overfilled and it == self.fail_at:
            self.oom(torch)
        time.sleep(self.step_s)
        # The gradient all-reduce: in a multi-node job it fails once another node's worker is gone.
        torch.distributed.all_reduce()

    def train(self, torch, p):
        """p: dict with start, iters, gbs, lr, min_lr, warmup, style, log_interval, save, save_interval, save_fn,
        micro_ms, tps, mem_line."""
        rng = random.Random(1234 + p["start"])
        skipped = nan_count = 0
        first_logged = False
        it = p["start"]
        diverging = self.diverges(p["lr"], p.get("fp16"))
        self.overfilled = self.out_of_memory(p.get("activation_need", 1.0))
        for it in range(p["start"] + 1, p["iters"] + 1):
            if it == p["start"] + 1:
                self.shm_check(p.get("workers"))
            if self.scenario == "hang" and it == self.fail_at:
                while True:
                    time.sleep(3600)
            self.forward_backward_step(torch, it)
            is_nan = diverging and it >= self.fail_at
            if is_nan:
                skipped += 1
                nan_count += 1
            loss = float("nan") if is_nan else 0.55 + 1.65 * math.exp(-it / 45.0) + rng.uniform(-0.04, 0.04)
            grad = float("nan") if is_nan else 0.7 + 2.6 * math.exp(-it / 70.0) + rng.uniform(-0.05, 0.05)
            elapsed = p["micro_ms"] * (3.1 if it == p["start"] + 1 else 1.0) * rng.uniform(0.97, 1.03)
            lr = self.lr_at(it, p["lr"], p["min_lr"], p["warmup"], p["iters"], p["style"])
            if it % p["log_interval"] == 0:
                self.print_iteration(it, p, elapsed, lr, loss, grad, skipped, nan_count, rng)
                skipped = nan_count = 0
                if not first_logged and not self.native:
                    first_logged = True
                    log(p["mem_line"])
            if p["save"] and p["save_interval"] and it % p["save_interval"] == 0:
                p["save_fn"](it)
        return it

    def print_iteration(self, it, p, elapsed, lr, loss, grad, skipped, nan_count, rng):
        parts = [" [%s] iteration %8d/%8d" % (_ts(), it, p["iters"]),
                 " consumed samples: %12d" % (it * p["gbs"]),
                 " elapsed time per iteration (ms): %.1f" % elapsed]
        if p.get("throughput"):
            parts.append(" throughput per GPU (TFLOP/s/GPU): %.1f" % (p["throughput"] * rng.uniform(0.97, 1.03)))
        parts += [" learning rate: %.6E" % lr, " global batch size: %5d" % p["gbs"]]
        if self.native:
            parts += [" loss: %.6E" % loss, " grad norm: %.3f" % grad]
        else:
            if p.get("tps"):
                parts.append(" tokens per sample: %.6E" % (512.0 * rng.uniform(0.8, 1.2)))
            parts += [" loss: %.6E" % loss, " loss scale: 1.0", " grad norm: %.3f" % grad,
                      " number of skipped iterations: %3d" % skipped, " number of nan iterations: %3d" % nan_count]
        log(" |".join(parts) + " |")


def _ckpt_rank_dirs(tp, pp):
    if pp > 1:
        return ["mp_rank_%02d_%03d" % (t, s) for t in range(tp) for s in range(pp)]
    return ["mp_rank_%02d" % t for t in range(tp)]


def _write_split(save, split):
    if split:
        with open(os.path.join(save, SPLIT_MARKER), "w", encoding="utf-8") as f:
            json.dump(split, f)


def save_megatron(save, it, fmt, tp, pp, split, lora=""):
    log("saving checkpoint at iteration %7d to %s in %s format" % (it, save, fmt))
    d = os.path.join(save, "iter_%07d" % it)
    os.makedirs(d, exist_ok=True)
    if fmt == "torch_dcp" or fmt == "torch_dist":
        for name in (".metadata", "__0_0.distcp"):
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write("ascend-train sim checkpoint shard (placeholder)\n")
    else:
        for rd in _ckpt_rank_dirs(tp, pp):
            os.makedirs(os.path.join(d, rd), exist_ok=True)
            with open(os.path.join(d, rd, "model_optim_rng.pt"), "w", encoding="utf-8") as f:
                f.write("ascend-train sim checkpoint (placeholder): iteration %d, %s%s\n" % (it, rd, lora))
    with open(os.path.join(save, "latest_checkpointed_iteration.txt"), "w", encoding="utf-8") as f:
        f.write(str(it))
    _write_split(save, split)
    log("  successfully saved checkpoint from iteration %7d to %s [ t 1/%d, p 1/%d ]" % (it, save, tp, pp))


def _mismatch(ck, split, tp):
    hidden = int(split.get("hidden_size") or ck.get("hidden_size") or 3584)
    heads = int(split.get("num_attention_heads") or ck.get("num_attention_heads") or 28)
    kv = int(split.get("num_key_value_heads") or ck.get("num_key_value_heads") or 4)
    head_dim = hidden // max(1, heads)
    lines = ["Error(s) in loading state_dict for VLMModel:"]
    ck_tp, ck_layers, layers = int(ck.get("tp", 1)), ck.get("llm_pp_layers") or [], split.get("llm_pp_layers") or []
    a, b = (ck_layers[0] if ck_layers else 0), (layers[0] if layers else 0)
    if a < b:
        keys = ", ".join('"text_decoder.decoder.layers.%d.self_attention.linear_qkv.weight"' % i for i in range(a, b))
        lines.append("\tMissing key(s) in state_dict: %s. " % keys)
    elif a > b:
        keys = ", ".join('"text_decoder.decoder.layers.%d.self_attention.linear_qkv.weight"' % i for i in range(b, a))
        lines.append("\tUnexpected key(s) in state_dict: %s. " % keys)
    if ck_tp != tp or a == b:
        rows_ck, rows = (heads + 2 * kv) * head_dim // ck_tp, (heads + 2 * kv) * head_dim // tp
        if rows_ck == rows:
            rows_ck = rows * 2
        lines.append("\tsize mismatch for text_decoder.decoder.layers.0.self_attention.linear_qkv.weight: copying a param "
                     "with shape torch.Size([%d, %d]) from checkpoint, the shape in current model is torch.Size([%d, %d])."
                     % (rows_ck, hidden, rows, hidden))
    return RuntimeError("\n".join(lines))


def load_megatron(load, tp, pp, fmt, split, finetune):
    tracker = os.path.join(load, "latest_checkpointed_iteration.txt")
    if not os.path.isfile(tracker):
        log("WARNING: could not find the metadata file %s " % tracker)
        log("    will not load any checkpoints and will start from random")
        return 0
    with open(tracker, encoding="utf-8") as f:
        meta = f.read().strip()
    release = meta == "release"
    it = 0 if release else int(meta)
    ck_dir = os.path.join(load, "release" if release else "iter_%07d" % it)
    marker = os.path.join(load, SPLIT_MARKER)
    if os.path.isfile(marker) and split:
        with open(marker, encoding="utf-8") as f:
            ck = json.load(f)
        if int(ck.get("tp", 1)) != tp or (ck.get("llm_pp_layers") and split.get("llm_pp_layers")
                                          and ck["llm_pp_layers"] != split["llm_pp_layers"]):
            raise _mismatch(ck, split, tp)
    if fmt == "torch":
        first = os.path.join(ck_dir, _ckpt_rank_dirs(tp, pp)[0], "model_optim_rng.pt")
        if not os.path.isfile(first):
            raise FileNotFoundError("[Errno 2] No such file or directory: '%s'" % first)
    log(" loading checkpoint from %s at iteration %d" % (load, it))
    log(" successfully loaded checkpoint from %s [ t 1/%d, p 1/%d ] at iteration %d" % (load, tp, pp, it))
    return 0 if (release or finetune) else it


def _print_args(args):
    log("------------------------ arguments ------------------------")
    for key in sorted(vars(args)):
        if key in ("unknown", "yaml_cfg"):
            continue
        log("  %s %s %s" % (key, "." * (48 - len(key)), getattr(args, key)))
    log("-------------------- end of arguments ---------------------")


def pretrain(entry="pretrain_vlm"):
    run = Run()
    import mindspeed.megatron_adaptor  # noqa: F401  (imports torch_npu, checks megatron)
    import torch

    args = sim_config.parse_megatron(sys.argv[1:])
    tp, pp = args.tensor_model_parallel_size, args.pipeline_model_parallel_size
    cp = args.context_parallel_size or 1
    mbs = args.micro_batch_size or 1
    if args.train_iters is None:
        raise AssertionError("either train-iters or train-samples should be provided.")
    dp, gbs = run.check_parallel(tp, pp, cp, mbs, args.global_batch_size)
    if run.rank == 0:
        log("using world size: %d, data-parallel size: %d, context-parallel size: %d, tensor-model-parallel size: %d, "
            "pipeline-model-parallel size: %d " % (run.world, dp, cp, tp, pp))
        _print_args(args)
    yaml_cfg = getattr(args, "yaml_cfg", None) or {}
    model = sim_config.load_json(args.mm_model) if args.mm_model else (yaml_cfg.get("model") or {})
    data = sim_config.load_json(args.mm_data) if args.mm_data else (yaml_cfg.get("data") or {})
    td = model.get("text_decoder") or {}
    ve = (model.get("image_encoder") or {}).get("vision_encoder") or {}
    raw_pp = td.get("pipeline_num_layers")
    if pp > 1 and raw_pp is not None and not args.virtual_pipeline_model_parallel_size and len(raw_pp) != pp:
        raise AssertionError("length of pipeline_num_layers must equal to pipeline-model-parallel-size, but got "
                             "pipeline_num_layers length:%d and pipeline-model-parallel-size:%d." % (len(raw_pp), pp))
    llm_layers = int(td.get("num_layers") or 28)
    llm_pp = sim_config.layer_list(raw_pp) or [llm_layers]
    split = {"tp": tp, "llm_pp_layers": llm_pp, "vit_pp_layers": sim_config.layer_list(ve.get("pipeline_num_layers")),
             "hidden_size": td.get("hidden_size"), "num_attention_heads": td.get("num_attention_heads"),
             "num_key_value_heads": td.get("num_query_groups")}
    hidden = int(td.get("hidden_size") or 3584)
    stage_layers = max(llm_pp) if llm_pp else llm_layers
    mem_mb = min(60200, 6000 + int(stage_layers * hidden * hidden * 12 * 2 / tp / 1e6 * 3))
    run.init_devices(torch, mem_mb)
    log("> initialized tensor model parallel with size %d" % tp)
    log("> initialized pipeline model parallel with size %d" % pp)
    print_datetime("after megatron is initialized")
    log("building %s model ..." % (model.get("model_id") or "VLM"))
    log(" > number of parameters on (tensor, pipeline) model parallel rank (0, 0): %d"
        % int(stage_layers * hidden * hidden * 12 / tp + 152064 * hidden / tp))
    fmt = args.ckpt_format or "torch"
    start = load_megatron(args.load, tp, pp, fmt, split, args.finetune) if args.load else 0
    print_datetime("after model, optimizer, and learning rate scheduler are built")
    log("> building train, validation, and test datasets ...")
    run.check_data(data)
    print_datetime("after dataloaders are built")
    log("done with setup ...")
    log("time (ms) | model-and-optimizer-setup: %.2f | train/valid/test-data-iterators-setup: %.2f"
        % (random.uniform(4000, 9000), random.uniform(1500, 4000)))
    log("training ...")
    print_datetime("before the start of training step")
    grad_acc = gbs // (mbs * dp)
    seq = int(args.seq_length or 1024)
    micro_ms = 11.0 * stage_layers * (hidden / 3584.0) * (seq / 1024.0) / tp * mbs + 60.0
    alloc = mem_mb * 0.62 + random.uniform(0, 300)
    mem_line = ("[Rank %d] (after %d iterations) memory (MB) | allocated: %s | max allocated: %s | reserved: %.1f | "
                "max reserved: %.1f" % (run.rank, start + 1, repr(alloc), repr(alloc * 1.07), mem_mb * 0.9, mem_mb * 0.9))
    save = args.save
    if save:
        os.makedirs(save, exist_ok=True)
    # A LoRA run's checkpoint holds the adapters, trained with these (Megatron keeps the args in each checkpoint).
    lora = (", LoRA adapters lora_r %d, lora_alpha %d" % (int(args.lora_r), int(args.lora_alpha))
            if args.lora_target_modules else "")
    iters = int(args.train_iters)
    params = {
        "start": start, "iters": iters, "gbs": gbs, "lr": float(args.lr or 1e-5), "min_lr": float(args.min_lr or 0.0),
        "warmup": int((args.lr_warmup_fraction or 0.0) * iters), "style": args.lr_decay_style,
        "log_interval": max(1, int(args.log_interval or 1)), "save": save, "save_interval": args.save_interval,
        "save_fn": lambda it: save_megatron(save, it, fmt, tp, pp, split, lora), "micro_ms": micro_ms * grad_acc,
        "tps": bool(args.log_tps), "mem_line": mem_line, "workers": args.num_workers, "fp16": bool(args.fp16),
        # Activation memory per card, relative: what halving the micro batch, recomputation or more TP/PP change.
        "activation_need": mbs * seq * (0.45 if args.recompute_granularity == "full" else 1.0) / (tp * pp),
        "throughput": 180.0 if args.log_throughput else None,
    }
    last = run.train(torch, params)
    print_datetime("after training is done")
    if save and last > start and (not args.save_interval or last % args.save_interval != 0):
        save_megatron(save, last, fmt, tp, pp, split, lora)
    torch.distributed.destroy_process_group()
    return 0


def train_native(config_path):
    """mindspeed_mm/fsdp/train/trainer.py <yaml>: the native FSDP2 trainer's log lines (facts §e.2)."""
    run = Run(native=True)
    import torch
    import torch_npu  # noqa: F401

    cfg = sim_config.load_yaml(config_path)
    tr = cfg.get("training") or {}
    log("Start initializing training environment!!!")
    mbs = int(tr.get("micro_batch_size") or 1)
    acc = int(tr.get("gradient_accumulation_steps") or 1)
    gbs = mbs * acc * run.world
    iters = int(tr.get("train_iters") or 10)
    run.init_devices(torch, 30000)
    log("Prepare data")
    run.check_data(cfg.get("data") or {})
    start = 0
    load = tr.get("load")
    if load and os.path.isfile(os.path.join(str(load), "latest_checkpointed_iteration.txt")):
        with open(os.path.join(str(load), "latest_checkpointed_iteration.txt"), encoding="utf-8") as f:
            meta = f.read().strip()
        start = 0 if meta == "release" else int(meta)
        log("Loaded checkpoint from %s" % load)
        log("No RNG state found in checkpoint, skipping RNG loading")
    save = tr.get("save")
    save_interval = tr.get("save_interval")

    def save_fn(it):
        d = os.path.join(str(save), "iter_%07d" % it)
        os.makedirs(d, exist_ok=True)
        for name in (".metadata", "__0_0.distcp"):
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write("ascend-train sim checkpoint shard (placeholder)\n")
        with open(os.path.join(str(save), "latest_checkpointed_iteration.txt"), "w", encoding="utf-8") as f:
            f.write(str(it))
        log("Saved checkpoint to %s" % d)

    params = {"start": start, "iters": iters, "gbs": gbs, "lr": float(tr.get("lr") or 1e-5), "min_lr": 0.0,
              "warmup": int(float(tr.get("lr_warmup_ratio") or 0.0) * iters), "style": tr.get("lr_decay_style", "cosine"),
              "log_interval": 1, "save": save, "save_interval": save_interval, "save_fn": save_fn,
              "activation_need": float(mbs), "micro_ms": 2200.0 * acc, "workers": (cfg.get("data") or {}).get("dataloader_param", {}).get("num_workers"),
              "mem_line": ""}
    last = run.train(torch, params)
    if save and last > start and (not save_interval or last % int(save_interval) != 0):
        save_fn(last)
    torch.distributed.destroy_process_group()
    return 0
