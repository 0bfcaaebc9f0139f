// Signals of the fourteenth collection's round, each written from the message's source rather than a collected log:
// CUDA error 2 raised outside the framework's caching allocator (a card already full when the context and handles are
// made); then, from the fourteenth collection's tune side, a card's memory failing its ECC check, a resume asking a
// weights-only checkpoint for its optimizer state or missing a file its layout always holds, a bf16 tensor handed to
// NumPy, and NumPy 2 breaking CANN's te in CANN's and MindSpore's words. Each is diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;
const categories = (log: string) => diagnoseText(log).findings.map((f) => f.category);

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("memory", () => {
  it("CUDA error 2 from a raw runtime call is a card others fill, hedged, with out-of-memory behind it", () => {
    // c10/cuda/CUDAException.cpp (C10_CUDA_CHECK) while building a model, before the allocator has reported anything.
    const raw = [
      '  File "/usr/lib/python3/site-packages/torch/nn/modules/conv.py", line 41, in __init__',
      "    out_channels, in_channels // groups, *kernel_size))",
      "RuntimeError: CUDA error: out of memory",
    ].join("\n");
    const f = top(raw);
    expect(f.category).toBe("device_busy");
    expect(f.confidence).toBeLessThan(0.7);
    expect(categories(raw)).toContain("npu_oom");
    // Paddle's own check of the same runtime error (platform/stream/cuda_stream.cc).
    expect(top("cuda error(2).out of memory.\n[operator <gaussian_random> error]").category).toBe("device_busy");
  });

  it("the same error after the caching allocator's own report is this process's out-of-memory", () => {
    const log = [
      "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.63 GiB (GPU 0; 44.56 GiB total capacity; 40.91 GiB already allocated; 565.31 MiB free; 41.93 GiB reserved in total by PyTorch)",
      "During handling of the above exception, another exception occurred:",
      "RuntimeError: CUDA error: out of memory",
    ].join("\n");
    expect(top(log).category).toBe("npu_oom");
  });
});

describe("devices", () => {
  it("an uncorrectable ECC error is a hardware fault of the card, with a check of its counters", () => {
    // CUDA's cudaErrorECCUncorrectable through THC (CUDA < 8 numbered it 39) and the driver API's name for it.
    const thc = top(
      "RuntimeError: cuda runtime error (39) : uncorrectable ECC error encountered at /pytorch/aten/src/THC/THCCachingHostAllocator.cpp:265",
    );
    expect(thc.category).toBe("device_p2p_driver_error");
    expect(thc.fixes.map((f) => f.id)).toEqual(expect.arrayContaining(["check-ecc", "exclude-card"]));
    expect(thc.cause).toMatch(/ECC/);
    expect(
      top(
        "failed initializing StreamExecutor for CUDA device ordinal 0: Internal: failed call to cuDevicePrimaryCtxRetain: CUDA_ERROR_ECC_UNCORRECTABLE: uncorrectable ECC error encountered",
      ).category,
    ).toBe("device_p2p_driver_error");
    // The Ascend runtime's multi-bit HBM ECC error (rt_error_codes.h), by name and by its code where a log says so.
    expect(top("rtStreamSynchronize execute failed, reason=ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR").category).toBe(
      "device_p2p_driver_error",
    );
    expect(top("synchronize stream failed, runtime result = 507054").category).toBe("device_p2p_driver_error");
    // A correctable-error count in a health report is not a failure.
    expect(categories("Volatile Uncorr. ECC : 0")).not.toContain("device_p2p_driver_error");
  });
});

describe("checkpoints", () => {
  it("a resume asking a checkpoint for the optimizer state it was saved without is checkpoint_incomplete", () => {
    const log = [
      '  File "train.py", line 183, in <module>',
      '    optimizer.load_state_dict(checkpoint["optimizer"])',
      "KeyError: 'optimizer'",
    ].join("\n");
    expect(top(log).category).toBe("checkpoint_incomplete");
    // Any other missing key stays a data key.
    expect(top("KeyError: 'conversations'").category).toBe("dataset_key_error");
  });

  it("a file every checkpoint of its layout holds, missing from a checkpoint directory, is checkpoint_incomplete", () => {
    expect(
      top("FileNotFoundError: [Errno 2] No such file or directory: '/data/out/checkpoint-500/trainer_state.json'")
        .category,
    ).toBe("checkpoint_incomplete");
    expect(
      top(
        "FileNotFoundError: [Errno 2] No such file or directory: '/ckpt/run-checkpoints-20K/experiment_cfg/metadata.json'",
      ).category,
    ).toBe("checkpoint_incomplete");
    // The same file name outside a checkpoint directory is a path that does not exist, not a partial save.
    expect(
      categories("FileNotFoundError: [Errno 2] No such file or directory: '/data/configs/metadata.json'")[0],
    ).not.toBe("checkpoint_incomplete");
  });
});

describe("types and CANN's Python side", () => {
  it("a bf16 tensor handed to NumPy is dtype_unsupported", () => {
    // torch/csrc/utils/tensor_numpy.cpp.
    expect(top("TypeError: Got unsupported ScalarType BFloat16").category).toBe("dtype_unsupported");
  });

  it("NumPy 2 breaking CANN's te is cann_python_deps_broken, in CANN's EC0010 and in MindSpore's check", () => {
    expect(
      top(
        "EC0010: Failed to import Python module [AttributeError: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` instead..].",
      ).category,
    ).toBe("cann_python_deps_broken");
    const mindspore = [
      "[ERROR] ME(1:1,MainProcess):2024-08-03-16:18:41.796.176 [mindspore/run_check/_check_version.py:388] CheckFailed: `np.float_` was removed in the NumPy 2.0 release. Use `np.float64` instead.",
      '[ERROR] ME(1:1,MainProcess):2024-08-03-16:18:41.796.376 [mindspore/run_check/_check_version.py:389] MindSpore relies on whl packages of "te" and "hccl" in the "latest" folder of the Ascend AI software package (Ascend Data Center Solution). Please check whether they are installed correctly or not, refer to the match info on: https://www.mindspore.cn/install',
    ].join("\n");
    expect(top(mindspore).category).toBe("cann_python_deps_broken");
    // The same check after an import that is not NumPy's is still the environment not sourced.
    expect(top(mindspore.split("\n")[1]!).category).toBe("cann_env_not_sourced");
  });
});
