// Signals read from the stacks' own sources, fourth collection: torch's clip_grad_norm_ on a non-finite norm, tqdm's
// loss postfix, filelock's polling message and flock() failing on a network filesystem, PyTorchStreamWriter's short
// write, vLLM's and MindSpore's missing weights, TensorRT-LLM's GQA check, accelerate's P2P check for RTX 40-series,
// the runtime's AICPU exception report and the kernel's memory-cgroup OOM killer. Each message is built from the cited
// source's format string, not copied from a collected log, and must be diagnosed as its category by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;
const categories = (log: string) => diagnoseText(log).findings.map((f) => f.category);

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("a loss or gradient norm that is no longer finite", () => {
  it("torch's clip_grad_norm_: the FutureWarning it printed, and the error it raises with error_if_nonfinite", () => {
    // torch/nn/utils/clip_grad.py (1.9-1.12): warnings.warn("Non-finite norm encountered in
    // torch.nn.utils.clip_grad_norm_; continuing anyway. ...", FutureWarning)
    const warned =
      "/env/lib/python3.8/site-packages/torch/nn/utils/clip_grad.py:52: FutureWarning: Non-finite norm encountered in torch.nn.utils.clip_grad_norm_; continuing anyway. Note that the default behavior will change in a future release to error out if a non-finite total norm is encountered.";
    expect(top(warned).category).toBe("nan_loss");
    // torch/nn/utils/clip_grad.py (1.13+): f"The total norm of order {norm_type} for gradients from `parameters` is
    // non-finite, so it cannot be clipped. To disable this error ..."
    const raised =
      "RuntimeError: The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`";
    expect(top(raised).category).toBe("nan_loss");
  });

  it("tqdm's postfix (key=value) with a NaN loss, under any key ending in loss; a finite one is not", () => {
    const bar = (loss: string) =>
      `Steps:   1%|▏         | 12/2000 [00:30<1:20:00,  2.41s/it, lr=1e-05, train_loss=${loss}]`;
    expect(top(bar("nan")).category).toBe("nan_loss");
    expect(top("100%|██████████| 50/50 [00:10<00:00, 4.9it/s, loss=nan]").category).toBe("nan_loss");
    expect(categories(bar("0.731"))).not.toContain("nan_loss");
    expect(categories(bar("nanoseconds"))).not.toContain("nan_loss");
  });
});

describe("locks on a shared filesystem", () => {
  it("filelock polling a lock it never gets is nfs_cache_hang", () => {
    // filelock/_api.py: _LOGGER.debug("Lock %s not acquired on %s, waiting %s seconds ...", lock_id, lock_filename,
    // poll_interval); datasets/utils/filelock.py words it the same way.
    const log = [
      "DEBUG:filelock:Attempting to acquire lock 139911 on /mnt/shared/hf/datasets/_mnt_shared_hf_datasets_c4.lock",
      "DEBUG:filelock:Lock 139911 not acquired on /mnt/shared/hf/datasets/_mnt_shared_hf_datasets_c4.lock, waiting 0.05 seconds ...",
    ].join("\n");
    expect(top(log).category).toBe("nfs_cache_hang");
  });

  it("flock() failing with EIO, EBADF or EOPNOTSUPP is the cache's filesystem; the same errno with no flock call is not", () => {
    // filelock/_unix.py _acquire: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); OSError as Python words errno.
    const trace = (error: string) =>
      [
        '  File "/env/lib/python3.10/site-packages/filelock/_unix.py", line 43, in _acquire',
        "    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)",
        error,
      ].join("\n");
    expect(top(trace("OSError: [Errno 5] Input/output error")).category).toBe("nfs_cache_hang");
    expect(top(trace("OSError: [Errno 9] Bad file descriptor")).category).toBe("nfs_cache_hang");
    expect(top(trace("OSError: [Errno 95] Operation not supported")).category).toBe("nfs_cache_hang");
    // The same errno far from any flock call says nothing about locks.
    expect(categories("OSError: [Errno 5] Input/output error")).not.toContain("nfs_cache_hang");
  });
});

describe("checkpoints and weights", () => {
  it("PyTorchStreamWriter's short write ('unexpected pos N vs M') is disk_full, whatever prefixes the line", () => {
    // caffe2/serialize/inline_container.cc writeRecord: "unexpected pos ", current_pos_, " vs ", ...
    expect(top("RuntimeError: [enforce fail at inline_container.cc:337] . unexpected pos 896 vs 790").category).toBe(
      "disk_full",
    );
    expect(top("RuntimeError: unexpected pos 1457862912 vs 1457862800").category).toBe("disk_full");
  });

  it("vLLM and MindSpore saying the weights are not where they were pointed is missing_weights", () => {
    // vllm/model_executor/model_loader/default_loader.py: f"Cannot find any model weights with `{model_name_or_path}`"
    expect(top("RuntimeError: Cannot find any model weights with `/models/qwen2-7b-sft`").category).toBe(
      "missing_weights",
    );
    // mindspore/train/serialization.py load_checkpoint / _check_ckpt_file_name.
    expect(
      top(
        "ValueError: For 'load_checkpoint', the checkpoint file should end with '.ckpt', please input the correct 'ckpt_file_name'.",
      ).category,
    ).toBe("missing_weights");
    expect(
      top(
        "ValueError: For 'load_checkpoint', the checkpoint file: ./ckpt/resnet50-90_1251.ckpt does not exist, please check whether the 'ckpt_file_name' is correct.",
      ).category,
    ).toBe("missing_weights");
  });
});

describe("devices and parallel layouts", () => {
  it("TensorRT-LLM's GQA check (K/V heads must equal the GPUs) is tp_exceeds_kv_heads", () => {
    expect(
      top(
        "AssertionError: The current implementation of GQA requires the number of K/V heads to match the number of GPUs. This limitation will be removed in a future version.",
      ).category,
    ).toBe("tp_exceeds_kv_heads");
  });

  it("accelerate's refusal on RTX 40-series cards (no P2P) is device_p2p_driver_error", () => {
    // accelerate/state.py: NotImplementedError("Using RTX 4000 series doesn't support faster communication broadband
    // via P2P or IB. " 'Please set `NCCL_P2P_DISABLE="1"` and `NCCL_IB_DISABLE="1" or use `accelerate launch` ...')
    expect(
      top(
        'NotImplementedError: Using RTX 4000 series doesn\'t support faster communication broadband via P2P or IB. Please set `NCCL_P2P_DISABLE="1"` and `NCCL_IB_DISABLE="1" or use `accelerate launch` which will do this automatically.',
      ).category,
    ).toBe("device_p2p_driver_error");
  });

  it("the runtime's report of an AICPU exception is aicore_error", () => {
    // CANN runtime device_error_proc.cc ProcessStarsAicpuErrorInfo.
    const log =
      "The error from device(chipId:1, dieId:0), serial number is 7, an exception occurred during AICPU execution, stream_id:5, task_id:812, errcode:21008, msg:inner error.[FUNC:ProcessStarsAicpuErrorInfo][FILE:device_error_proc.cc][LINE:1232]";
    expect(top(log).category).toBe("aicore_error");
  });

  it("the kernel's memory-cgroup OOM killer, old and new wording, is host_oom", () => {
    // mm/oom_kill.c: "Memory cgroup out of memory: Kill process %d (%s) score %u or sacrifice child" (before 4.19),
    // "Memory cgroup out of memory: Killed process %d (%s) total-vm:%lukB, ..." (later).
    expect(
      top("[81234.5] Memory cgroup out of memory: Kill process 4121 (python) score 1990 or sacrifice child").category,
    ).toBe("host_oom");
    expect(
      top(
        "[1000.1] Memory cgroup out of memory: Killed process 9911 (pt_main_thread) total-vm:98765432kB, anon-rss:61234567kB, file-rss:0kB",
      ).category,
    ).toBe("host_oom");
  });
});
