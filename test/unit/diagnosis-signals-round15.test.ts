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
    // Only the fixes for a faulty card: the P2P rule's map_location advice does not mend memory that fails its check.
    expect(thc.fixes.map((f) => f.id)).toEqual(["check-ecc", "exclude-card"]);
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
    // A P2P refusal keeps its own fixes and none of the card's.
    const p2p = top("RuntimeError: CUDA error: peer access is not supported between these two devices");
    expect(p2p.category).toBe("device_p2p_driver_error");
    expect(p2p.fixes.map((f) => f.id)).toEqual(["map-location", "no-cross-copy"]);
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

// Rule coverage of the tune logs no rule was sure of (the likeness or the reading decided them): each message as its
// library, runtime or tool prints it for everyone, with the category it states.
const STATED: Array<[string, string]> = [
  ["ImportError: libcuda.so.1: cannot open shared object file: No such file or directory", "driver_not_mounted"],
  [
    "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1",
    "driver_not_mounted",
  ],
  [
    'docker: Error response from daemon: could not select device driver "nvidia" with capabilities: [[gpu]].',
    "driver_not_mounted",
  ],
  ["docker: Error response from daemon: Unknown runtime specified nvidia.", "driver_not_mounted"],
  [
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /bert-base-uncased/resolve/main/config.json",
    "hub_access",
  ],
  [
    "huggingface_hub.errors.OfflineModeIsEnabled: Cannot reach https://huggingface.co/api/models/x/y: offline mode is enabled. To disable it, please unset the `HF_HUB_OFFLINE` environment variable.",
    "hub_access",
  ],
  [
    "requests.exceptions.HTTPError: 获取模型版本失败，信息：Authentication token does not exist, failed to access model",
    "hub_access",
  ],
  [
    "ImportError: cannot import name 'AutoModel' from partially initialized module 'mylib' (most likely due to a circular import) (/home/u/mylib.py)",
    "import_from_source_dir",
  ],
  ["OSError: dlopen: cannot load any more object with static TLS", "libgomp_static_tls"],
  ["AssertionError: no checkpoint files found in /models/llama-2-7b", "missing_weights"],
  ["Exception: Can't find model in directory models/7B", "missing_weights"],
  ["RuntimeError: Loss became NaN at step 120", "nan_loss"],
  ["FloatingPointError: Loss became infinite or NaN at iteration=7! loss_dict = {'loss_cls': tensor(nan)}", "nan_loss"],
  [
    "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4294967296 bytes.",
    "npu_oom",
  ],
  [
    "ValueError: Ray component worker_ports is trying to use a port number 10002 that is used by other components.",
    "port_in_use",
  ],
  [
    'ValueError: 14 is not divisible by 4\n  File "vllm/distributed/utils.py", line 20, in ensure_divisibility',
    "tp_exceeds_kv_heads",
  ],
  [
    "deepspeed.runtime.zero.utils.ZeRORuntimeException: The checkpoint being loaded used a DP world size of 8 but the current world size is 4. Automatic adjustment of ZeRO's optimizer state partitioning with a new world size is not currently supported.",
    "ckpt_shape_mismatch",
  ],
  [
    '  File "/usr/lib/python3/site-packages/torch/serialization.py", line 1033, in _legacy_load\n    magic_number = pickle_module.load(f, **pickle_load_args)\nEOFError: Ran out of input',
    "checkpoint_incomplete",
  ],
  [
    "RuntimeError: torch._scaled_mm is only supported on CUDA devices with compute capability >= 9.0 or 8.9",
    "dtype_unsupported",
  ],
  [
    "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=1234.batch. Some of your processes may have been killed by the cgroup out-of-memory handler.",
    "host_oom",
  ],
  ["RuntimeError: Number of ranks is larger than number of stages, some ranks are unused", "empty_pp_stage"],
  ["ValueError: Your assigned backend nccl is not avaliable, please use gloo", "cuda_path_on_npu"],
  // Messages whose wording is the runtime's or tool's own but whose source is not public code (libtpu, NVML, the CUDA
  // runtime's error strings, nvidia-smi, bash), so they are not in the upstream phrasebook.
  [
    "RuntimeError: Unable to initialize backend 'tpu': ABORTED: The TPU is already in use by process with pid 2239507. Not attempting to load libtpu.so in this process.",
    "device_busy",
  ],
  [
    "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 580.126",
    "cann_version_mismatch",
  ],
  ["RuntimeError: CUDA error: forward compatibility was attempted on non supported HW", "cann_version_mismatch"],
  [
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    "driver_not_mounted",
  ],
  ["RuntimeError: CUDA error: uncorrectable NVLink error detected during the execution", "device_p2p_driver_error"],
  ["/usr/bin/train.sh: fork: Cannot allocate memory", "host_oom"],
  [
    "ERROR   Columns 'text' could not be found in the provided file (which has columns: 'prompt','label')",
    "dataset_key_error",
  ],
];

describe("messages that state their failure", () => {
  it.each(STATED)("%s", (log, category) => {
    expect(top(log).category).toBe(category);
  });

  it("keeps their look-alikes where they belong", () => {
    // A local path datasets found no data at is the path, not the Hub.
    expect(
      top(
        "FileNotFoundError: Couldn't find any data file at /workspace/data/my_sft. Couldn't find '/workspace/data/my_sft' on the Hugging Face Hub either: LocalEntryNotFoundError: An error happened while trying to locate the file on the Hub and we cannot find the requested files in the local cache.",
      ).category,
    ).not.toBe("hub_access");
    // unsloth's warning about 4-bit loading is not a version conflict.
    expect(
      categories(
        "Unsloth: Your transformers version of 4.44.0 does not support native 4bit loading. Loading in 16bit.",
      ),
    ).not.toContain("transformers_version_conflict");
    // NeMo going on without a checkpoint, as told, is not a failed resume.
    expect(
      categories(
        "[NeMo W exp_manager:1] There was no checkpoint folder at checkpoint_dir :exp/ckpts. Training from scratch.",
      ),
    ).not.toContain("checkpoint_incomplete");
    // "Ran out of input" outside torch.load is a DataLoader worker's pickling on Windows, not a checkpoint.
    expect(
      categories(
        '  File "multiprocessing/spawn.py", line 115, in _main\n    self = reduction.pickle.load(from_parent)\nEOFError: Ran out of input',
      ),
    ).not.toContain("checkpoint_incomplete");
  });
});
