// Signals read from the stacks' own sources (torch's allocator report, errno texts, bash, NCCL, CANN's compiler and
// build checks, detectron2 and fairseq loss checks, vLLM's head assertions): each message below is built from the
// cited source, not copied from a collected log, and must be diagnosed as its category.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

// The rules alone: no public case may stand in for a missing signal.
beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("another process holds the card, read from the allocator's own numbers", () => {
  it("old torch / torch_npu wording: free plus this process's reserve far below the card is device_busy", () => {
    // c10/cuda/CUDACachingAllocator.cpp before 2.1: "(GPU %d; %s total capacity; %s already allocated; %s free; %s
    // reserved in total by PyTorch)"; torch_npu adds "current active".
    const gpu =
      "RuntimeError: CUDA out of memory. Tried to allocate 64.00 MiB (GPU 0; 23.65 GiB total capacity; 1.10 GiB already allocated; 12.50 MiB free; 1.20 GiB reserved in total by PyTorch)";
    expect(top(gpu).category).toBe("device_busy");
    const npu =
      "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 3; 60.97 GiB total capacity; 3.02 GiB already allocated; 3.02 GiB current active; 310.00 MiB free; 3.50 GiB reserved in total by PyTorch)";
    expect(top(npu).category).toBe("device_busy");
  });

  it("torch ≥ 2.1 wording: what this process has in use plus free, against the total", () => {
    const log =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 301.25 MiB is free. Process 4412 has 70.12 GiB memory in use. Including non-PyTorch memory, this process has 8.70 GiB memory in use. Of the allocated memory 8.10 GiB is allocated by PyTorch, and 80.00 MiB is reserved by PyTorch but unallocated.";
    expect(top(log).category).toBe("device_busy");
  });

  it("torch ≥ 2.1 wording without the 'this process has' sentence: what PyTorch allocated and cached", () => {
    const log =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 30.00 MiB is free. Process 1234 has 79.10 GiB memory in use. Of the allocated memory 0 bytes is allocated by PyTorch, and 0 bytes is reserved by PyTorch but unallocated.";
    expect(top(log).category).toBe("device_busy");
    const own =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 30.00 MiB is free. Process 1234 has 79.10 GiB memory in use. Of the allocated memory 76.40 GiB is allocated by PyTorch, and 2.10 GiB is reserved by PyTorch but unallocated.";
    expect(top(own).category).toBe("npu_oom");
  });

  it("a CUDA out-of-memory's allocator fix names PYTORCH_CUDA_ALLOC_CONF, an NPU one PYTORCH_NPU_ALLOC_CONF", () => {
    const cuda = top(
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.25 GiB is free. Including non-PyTorch memory, this process has 77.88 GiB memory in use.",
    );
    const envs = (f: typeof cuda) => f.fixes.flatMap((x) => Object.keys(x.env ?? {}));
    expect(cuda.title).toBe("Device out of memory (CUDA)");
    expect(envs(cuda)).toContain("PYTORCH_CUDA_ALLOC_CONF");
    expect(envs(cuda)).not.toContain("PYTORCH_NPU_ALLOC_CONF");
    const npu = top(
      "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated; 58.12 GiB current active; 1.05 GiB free; 59.35 GiB reserved in total by PyTorch)",
    );
    expect(envs(npu)).toContain("PYTORCH_NPU_ALLOC_CONF");
  });

  it("a process that holds most of the card itself is out of memory, not blocked", () => {
    const old =
      "RuntimeError: NPU out of memory. Tried to allocate 2.32 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated; 58.12 GiB current active; 1.05 GiB free; 59.35 GiB reserved in total by PyTorch)";
    expect(top(old).category).toBe("npu_oom");
    const recent =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.25 GiB is free. Including non-PyTorch memory, this process has 77.88 GiB memory in use. Of the allocated memory 76.10 GiB is allocated by PyTorch, and 1.10 GiB is reserved by PyTorch but unallocated.";
    expect(top(recent).category).toBe("npu_oom");
    // A huge request on an empty card is the model's size, not a neighbour.
    const huge =
      "RuntimeError: CUDA out of memory. Tried to allocate 30.00 GiB (GPU 0; 31.75 GiB total capacity; 0 bytes already allocated; 30.90 GiB free; 0 bytes reserved in total by PyTorch)";
    expect(top(huge).category).toBe("npu_oom");
  });
});

describe("file systems without locks, and NFS's silly renames", () => {
  it.each([
    // filelock/_unix.py and datasets' copy of it call fcntl.flock; ENOLCK is errno 37, ENOSYS 38 (Linux errno.h).
    ["OSError: [Errno 37] No locks available", "nfs_cache_hang"],
    ["OSError: [Errno 37] 没有可用的锁", "nfs_cache_hang"],
    [
      '  File "/opt/env/lib/python3.11/site-packages/filelock/_unix.py", line 44, in _acquire\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nOSError: [Errno 38] Function not implemented',
      "nfs_cache_hang",
    ],
    // The NFS client renames a deleted but open file to .nfsXXXX (nfs(5), "silly rename"); rmtree then meets EBUSY.
    [
      "OSError: [Errno 16] Device or resource busy: '/shared/cache/tmpab12/.nfs000000000a1b2c3d00000042'",
      "nfs_cache_hang",
    ],
  ])("%s → %s", (log, category) => {
    expect(top(log).category).toBe(category);
  });

  it("ENOSYS from anything but a lock call is not read as a lock failure", () => {
    const log = "OSError: [Errno 38] Function not implemented: 'os.sched_getaffinity'";
    expect(diagnoseText(log).findings.map((f) => f.category)).not.toContain("nfs_cache_hang");
  });
});

describe("peer access refused, in NCCL's and serving stacks' words", () => {
  it.each([
    // NCCL src/include/checks.h: WARN("Cuda failure %d '%s'", ...); 217 = cudaErrorPeerAccessUnsupported.
    "misc/p2p.cc:88 NCCL WARN Cuda failure 217 'peer access is not supported between these two devices'",
    "RuntimeError: Peer-to-peer access is unsupported on this platform.",
    "AssertionError: P2P access is not supported between GPU 0 and GPU 3",
  ])("%s", (log) => {
    expect(top(log).category).toBe("device_p2p_driver_error");
  });
});

describe("a device index beyond the visible cards", () => {
  it.each([
    // CANN error-code reference: EL0002 "The device ID is invalid".
    "EL0002: [PID: 77] 2025-01-02-03:04:05.123.456 The device ID is invalid.",
    // aten/src/ATen/cuda/CUDAContext.cpp: TORCH_INTERNAL_ASSERT(device >= 0 && device < num_gpus).
    'RuntimeError: device >= 0 && device < num_gpus INTERNAL ASSERT FAILED at "../aten/src/ATen/cuda/CUDAContext.cpp":50, please report a bug to PyTorch. device=2, num_gpus=2',
  ])("%s", (log) => {
    expect(top(log).category).toBe("npu_not_available");
  });
});

describe("bf16 on chips and compilers without it", () => {
  it.each([
    // CANN's TBE compiler (E90003, "Compile operator failed, cause: Template constraint").
    "E90003: Compile operator failed, cause: Template constraint, detailed information: bfloat16 of tbe.dsl.vadd is not supported.",
    // ptxas, through Triton, on a card below sm_80.
    "ptxas /tmp/compile-ptx-src-1a2b3c, line 120; error   : Feature '.bf16' requires .target sm_80 or higher",
  ])("%s", (log) => {
    expect(top(log).category).toBe("dtype_unsupported");
  });
});

describe("losses that explode, in detectron2's and fairseq's words", () => {
  it("detectron2's anomaly check says 'became'", () => {
    // detectron2/engine/train_loop.py _detect_anomaly.
    expect(top("FloatingPointError: Loss became infinite or NaN at iteration=1200!").category).toBe("nan_loss");
  });

  it("fairseq's loss scaler halving again and again, and its floor", () => {
    const halvings = [2, 1, 0.5, 0.25].map((s) => `| WARNING: overflow detected, setting loss scale to: ${s}`);
    expect(top(halvings.join("\n")).category).toBe("nan_loss");
    // One halving is routine in fp16 training.
    expect(diagnoseText(halvings[0]!).findings.map((f) => f.category)).not.toContain("nan_loss");
    expect(
      top(
        "FloatingPointError: Minimum loss scale reached (0.0001). Your loss is probably exploding. Try lowering the learning rate",
      ).category,
    ).toBe("nan_loss");
  });
});

describe("heads that do not divide by the TP size, as a bare assertion", () => {
  it("reads the assertion's condition on the traceback's source line", () => {
    const log = [
      "Traceback (most recent call last):",
      '  File "/opt/vllm/model_executor/models/qwen2.py", line 140, in __init__',
      "    assert self.total_num_kv_heads % tp_size == 0",
      "AssertionError",
    ].join("\n");
    expect(top(log).category).toBe("tp_exceeds_kv_heads");
  });

  it("still reads no other source line as an error", () => {
    const log = [
      "Traceback (most recent call last):",
      '  File "/opt/app/train.py", line 12, in main',
      '    raise RuntimeError("NPU out of memory")',
      "ValueError: bad config",
    ].join("\n");
    expect(diagnoseText(log).findings.map((f) => f.category)).not.toContain("npu_oom");
  });
});

describe("a compiled extension missing from a source checkout", () => {
  it("a private or _ext module not found while the package imports from outside site-packages", () => {
    const log = [
      "Traceback (most recent call last):",
      '  File "<stdin>", line 1, in <module>',
      '  File "/home/me/src/fastops/fastops/__init__.py", line 4, in <module>',
      "    from fastops._ext import fused_add",
      "ModuleNotFoundError: No module named 'fastops._ext'",
    ].join("\n");
    expect(top(log).category).toBe("import_from_source_dir");
  });

  it("not when the package was imported from site-packages (a broken install, not a checkout)", () => {
    const log = [
      '  File "/opt/env/lib/python3.10/site-packages/fastops/__init__.py", line 4, in <module>',
      "    from fastops._ext import fused_add",
      "ModuleNotFoundError: No module named 'fastops._ext'",
    ].join("\n");
    expect(diagnoseText(log).findings.map((f) => f.category)).not.toContain("import_from_source_dir");
  });
});

describe("Megatron API drift", () => {
  it("a call whose shape Megatron no longer takes, with Megatron in the traceback", () => {
    const log = [
      '  File "/work/Megatron-LM/megatron/core/models/gpt/gpt_model.py", line 101, in __init__',
      "    self.decoder = TransformerBlock(",
      "TypeError: TransformerBlock.__init__() got an unexpected keyword argument 'post_layer_norm'",
    ].join("\n");
    expect(top(log).category).toBe("megatron_version_mismatch");
  });

  it("one of Megatron's classes named in the error", () => {
    expect(
      top("TypeError: ColumnParallelLinear.__init__() missing 1 required keyword-only argument: 'config'").category,
    ).toBe("megatron_version_mismatch");
  });
});

describe("CANN without kernels for the chip", () => {
  it.each([
    // compiler/tikcpp/ascendc_kernel_cmake/host_config.cmake.
    "  SOC_VERSION ascend910_9391 does not support, the support list is ascend910b1;ascend910b2",
    "RuntimeError: Ascend opp_kernels is not installed",
  ])("%s", (log) => {
    expect(top(log).category).toBe("cann_version_mismatch");
  });
});

describe("the shell's bare Killed", () => {
  it("is the host's OOM killer when nothing else explains the end", () => {
    const v = diagnoseText(["step 120 loss 1.02", "saving checkpoint", "Killed"].join("\n"));
    expect(v.findings[0]!.category).toBe("host_oom");
    expect(v.findings[0]!.evidence[0]!.text).toBe("Killed");
    expect(v.summary).toMatch(/^host_oom \(0\.60\)/);
    // Right after a progress bar, as tqdm leaves the line.
    expect(top(" 20%|██        | 216/1063 [00:27<02:17,  6.17it/s]Killed").category).toBe("host_oom");
  });

  it("never outranks a rule that explains the failure, nor reads 'Killed' inside a sentence", () => {
    const oom = ["RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB", "Killed"].join("\n");
    expect(top(oom).category).toBe("npu_oom");
    const prose = "INFO worker 3 was Killed by the supervisor after the job ended";
    expect(diagnoseText(prose).findings.map((f) => f.category)).not.toContain("host_oom");
  });
});
