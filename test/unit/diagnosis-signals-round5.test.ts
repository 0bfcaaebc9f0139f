// Signals read from the stacks' own sources, third collection: apex's, DeepSpeed's, guided-diffusion's and
// mindyolo's loss scalers, torch 1.x's allocator report, XLA's HBM report, CUDA error 205, ps-lite's bind check,
// NVIDIA's container banner, TensorFlow's libcuda diagnostics, numpy's wrapped source-tree message, IPython frames,
// torch_npu's op-api loader and zsh's job report. Each message is built from the cited source's format string, not
// copied from a collected log, and must be diagnosed as its category by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("fp16 loss scalers that keep overflowing", () => {
  // apex/amp/handle.py: "Gradient overflow.  Skipping step, loss scaler {} reducing loss scale to {}" (two spaces).
  const apex = (scale: number) => `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to ${scale}`;

  it("apex: three overflows in a row, or one that brings the scale below 1, is nan_loss", () => {
    expect(top([65536, 32768, 16384].map(apex).join("\n")).category).toBe("nan_loss");
    expect(top(["epoch 3 step 120 loss 2.31", apex(0.25)].join("\n")).category).toBe("nan_loss");
  });

  it("apex: one overflow at a normal scale is the scaler finding its range, not a failure", () => {
    const v = diagnoseText(["epoch 0 step 10 loss 5.1", apex(32768), "epoch 0 step 20 loss 4.9"].join("\n"));
    expect(v.findings.map((f) => f.category)).not.toContain("nan_loss");
  });

  it("DeepSpeed at its minimum scale, guided-diffusion's NaN halvings, mindyolo's repeated overflows", () => {
    // deepspeed/runtime/fp16/loss_scaler.py (raise_error_at_min_scale).
    expect(
      top("Exception: Current loss scale already at minimum - cannot decrease scale anymore. Exiting run.").category,
    ).toBe("nan_loss");
    // guided_diffusion/fp16_util.py: logger.log(f"Found NaN, decreased lg_loss_scale to {self.lg_loss_scale}").
    expect(
      top(["Found NaN, decreased lg_loss_scale to 19.001", "Found NaN, decreased lg_loss_scale to 18.001"].join("\n"))
        .category,
    ).toBe("nan_loss");
    // mindyolo/utils/train_step_factory.py: "overflow, still update, loss scale adjust to {}".
    const ms = (s: number) => `2024-01-02 10:00:00,000 [WARNING] overflow, still update, loss scale adjust to ${s}`;
    expect(top([ms(2048), ms(1024), ms(512)].join("\n")).category).toBe("nan_loss");
  });
});

describe("memory", () => {
  it("torch 1.0-1.3's report ('… free; C cached)'): memory this process cannot account for is device_busy", () => {
    // c10/cuda/CUDACachingAllocator.cpp (1.0-1.3): "(GPU %d; %s total capacity; %s already allocated; %s free; %s
    // cached)".
    const other =
      "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 10.92 GiB total capacity; 1.05 GiB already allocated; 18.50 MiB free; 60.12 MiB cached)";
    expect(top(other).category).toBe("device_busy");
    const own =
      "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 10.92 GiB total capacity; 10.05 GiB already allocated; 18.50 MiB free; 10.60 GiB cached)";
    expect(top(own).category).toBe("npu_oom");
  });

  it("XLA on TPU: the HBM memory space exhausted at compile time is the device's out of memory", () => {
    const log = [
      "Status code: Resource exhausted [1x]",
      "  Compilation failure: Ran out of memory in memory space hbm. Used 17.20G of 16.00G hbm. Exceeded hbm capacity by 1.20G.",
    ].join("\n");
    expect(top(log).category).toBe("npu_oom");
  });

  it("zsh's report of a SIGKILLed command is the host's OOM killer, as bash's is", () => {
    // zsh Src/jobs.c prints the job number, the pid and the signal's message in lower case.
    expect(top("[2]  + 31337 killed     python train.py --config cfg.yaml").category).toBe("host_oom");
    expect(top("the process was killed by the user at step 5").category).not.toBe("host_oom");
  });
});

describe("devices, drivers and ports", () => {
  it("CUDA error 205 while mapping a peer's memory is the P2P driver refusing", () => {
    // cuda_runtime_api.h: cudaErrorMapBufferObjectFailed = 205, "mapping of buffer object failed".
    const samples = `CUDA error at simpleP2P.cu:130 code=205(cudaErrorMapBufferObjectFailed) "cudaDeviceEnablePeerAccess(gpuid[1], 0)"`;
    expect(top(samples).category).toBe("device_p2p_driver_error");
    expect(top("Cuda failure p2pBandwidthLatencyTest.cu:200: 'mapping of buffer object failed'").category).toBe(
      "device_p2p_driver_error",
    );
  });

  it("ps-lite's bind check is a port in use", () => {
    // ps-lite src/van.cc: CHECK_NE(my_node_.port, -1) << "bind failed".
    const log =
      "[10:00:00] src/van.cc:80: Check failed: (my_node_.port) != (-1) bind failed\nterminate called after throwing an instance of 'dmlc::Error'";
    expect(top(log).category).toBe("port_in_use");
  });

  it("an NVIDIA container started without the driver, and TensorFlow finding no libcuda, are the driver not mounted", () => {
    // NVIDIA CUDA images' nvidia_entrypoint.sh.
    const banner = [
      "CUDA Version 12.1.0",
      "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.",
      "   Use the NVIDIA Container Toolkit to start this container with GPU support",
    ].join("\n");
    expect(top(banner).category).toBe("driver_not_mounted");
    // tensorflow/stream_executor/cuda/cuda_diagnostics.cc.
    const tf =
      "I tensorflow/stream_executor/cuda/cuda_diagnostics.cc:150] libcuda reported version is: Not found: was unable to find libcuda.so DSO loaded into this program";
    expect(top(tf).category).toBe("driver_not_mounted");
  });

  it("torch.npu.is_available() answering False is the NPU not visible", () => {
    expect(top(">>> torch.npu.is_available()\nFalse").category).not.toBe("npu_not_available");
    expect(top("torch.npu.is_available() returns False inside the job").category).toBe("npu_not_available");
    expect(top("[FAIL] torch.npu.is_available(): False").category).toBe("npu_not_available");
  });
});

describe("imports and versions", () => {
  it("numpy's source-tree message as numpy wraps it", () => {
    // numpy/__init__.py: msg = """Error importing numpy: you should not try to import numpy from
    //     its source directory; please exit the numpy source tree, and relaunch ..."""
    const log = [
      "ImportError: Error importing numpy: you should not try to import numpy from",
      "        its source directory; please exit the numpy source tree, and relaunch",
      "        your python interpreter from there.",
    ].join("\n");
    expect(top(log).category).toBe("import_from_source_dir");
  });

  it("a private extension missing from a package imported from a checkout, in IPython's frame format", () => {
    const log = [
      "ImportError                               Traceback (most recent call last)",
      "/home/me/src/fastpkg/fastpkg/__init__.py in <module>()",
      "----> 1 from .core import solve",
      "/home/me/src/fastpkg/fastpkg/core.py in <module>()",
      "----> 3 from . import _fastpkg",
      "ImportError: cannot import name '_fastpkg'",
    ].join("\n");
    expect(top(log).category).toBe("import_from_source_dir");
    // The same name from an installed package is not a checkout.
    const installed = log.replaceAll("/home/me/src/fastpkg/", "/usr/lib/python3/site-packages/");
    expect(top(installed).category).not.toBe("import_from_source_dir");
  });

  it("an operator missing from CANN's op-api library is CANN older than torch_npu", () => {
    // op_plugin/utils/op_api_common.h: #aclnn_api " or " #aclnn_api "GetWorkspaceSize" " not in " lib ", or " lib
    // "not found."
    const log =
      "RuntimeError: aclnnFooBarV2 or aclnnFooBarV2GetWorkspaceSize not in libopapi.so, or libopapi.sonot found.";
    expect(top(log).category).toBe("cann_version_mismatch");
  });
});

describe("more stacks in their own words", () => {
  it("GE's E40024 (a Python function of CANN's tooling raised) is CANN's Python stack, and the code is decoded", () => {
    const log =
      "E40024: 2025-01-02-03:04:05.678.901 Failed call Python Func/Meathod [get_soc_spec], Reason[ModuleNotFoundError: No module named 'foo']";
    const v = diagnoseText(log);
    expect(v.findings[0]!.category).toBe("cann_python_deps_broken");
    expect(v.codes[0]).toMatchObject({ code: "E40024", category: "cann_python_deps_broken" });
  });

  it("a bus error reported in words together with shared memory is /dev/shm too small", () => {
    expect(top("the job dies with a bus error, shared memory is 64M in this container").category).toBe("shm_bus_error");
    expect(top("Bus error: failed to write to /dev/shm/torch_1234_5678").category).toBe("shm_bus_error");
  });

  it("DeepSpeed's launcher killing its ranks right after a memory report with the host nearly full is host_oom", () => {
    // deepspeed/runtime/utils.py see_memory_usage and deepspeed/launcher/launch.py sigkill_handler.
    const report = (percent: number) =>
      [
        "[2025-01-01 10:00:00,000] [INFO] [utils.py:800:see_memory_usage] MA 0.0 GB Max_MA 0.0 GB CA 2.0 GB Max_CA 2 GB",
        `[2025-01-01 10:00:00,001] [INFO] [utils.py:807:see_memory_usage] CPU Virtual Memory:  used = 120.3 GB, percent = ${percent}%`,
        "[2025-01-01 10:00:09,000] [INFO] [launch.py:315:sigkill_handler] Killing subprocess 4242",
      ].join("\n");
    expect(top(report(95.2)).category).toBe("host_oom");
    expect(top(report(31.0)).category).not.toBe("host_oom");
  });

  it("MindIE's warmup running out of memory is the device's out of memory", () => {
    const log =
      "[llm] [ERROR] [logging.py-348] : Warmup failed, because of model inference out of memory when `maxInputTokenLen` set to 4096. Please try to decrease `maxPrefillTokens`.";
    expect(top(log).category).toBe("npu_oom");
  });
});
