// Signals of the twelfth collection's tune side, each written from the message's source rather than the collected log:
// ollama refusing a model the host's free RAM cannot hold, XLA refusing a type the backend lacks, ONNX Runtime finding
// no kernel for a node's op and types, and xFormers whose C++/CUDA part did not load; then, from the thirteenth, the
// kubelet evicting a pod for disk or memory, torch's report of "0 bytes" in use by a process the driver cannot see,
// exllamav2 meeting a tensor type it has no kernels for, ascend-docker-runtime refusing a vNPU whose AI cores others use,
// and a tokenizer asked for a special token its transformers does not define. Each is diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("memory", () => {
  it("a process the driver reports as using 0 bytes holds at least what PyTorch allocated", () => {
    // torch >= 2.1's report: "this process has" comes from NVML, which in a container may not see the process.
    const mine =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.63 GiB. GPU 7 has a total capacity of 79.11 GiB of which 2.61 GiB is free. Including non-PyTorch memory, this process has 0 bytes memory in use. Of the allocated memory 48.15 GiB is allocated by PyTorch, with 50.00 MiB allocated in private pools (e.g., CUDA Graphs), and 3.49 GiB is reserved by PyTorch but unallocated.";
    expect(top(mine).category).toBe("npu_oom");
    // Another process listed with most of the card is still a card others hold.
    const others =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.15 GiB of which 18.75 MiB is free. Process 2848 has 50.66 GiB memory in use. Including non-PyTorch memory, this process has 28.46 GiB memory in use. Of the allocated memory 27.8 GiB is allocated by PyTorch, and 100.00 MiB is reserved by PyTorch but unallocated.";
    expect(top(others).category).toBe("device_busy");
    // The report without the driver's sentence, private pools named: PyTorch's 2.9 GiB of 79 is all this process holds.
    const pools =
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.15 GiB of which 18.75 MiB is free. Of the allocated memory 2.8 GiB is allocated by PyTorch, with 50.00 MiB allocated in private pools (e.g., CUDA Graphs), and 100.00 MiB is reserved by PyTorch but unallocated.";
    expect(top(pools).category).toBe("device_busy");
  });

  it("a model larger than the host's free RAM is host_oom, not the device's", () => {
    // ollama's llm/server.go, as its API returns it.
    const f = top('Error: 500 {"error":"model requires more system memory (9.4 GiB) than is available (4.8 GiB)"}');
    expect(f.category).toBe("host_oom");
    expect(f.confidence).toBeGreaterThanOrEqual(0.8);
  });
});

describe("clusters", () => {
  it("a pod the kubelet evicted for disk is disk_full, for memory host_oom", () => {
    // pkg/kubelet/eviction/helpers.go, as kubectl describe and the job's status print them.
    expect(
      top(
        "The node was low on resource: ephemeral-storage. Threshold quantity: 10120387530, available: 9702960Ki. Container main was using 26498512Ki, request is 0, has larger consumption of ephemeral-storage.",
      ).category,
    ).toBe("disk_full");
    expect(
      top(
        "  Warning  Evicted  109s  kubelet  Pod ephemeral local storage usage exceeds the total limit of containers 5Gi.",
      ).category,
    ).toBe("disk_full");
    expect(top('Container trainer exceeded its local ephemeral storage limit "20Gi".').category).toBe("disk_full");
    // The fixes say where a pod's disk is, not only df on the host.
    const evicted = top("The node was low on resource: ephemeral-storage.");
    expect(evicted.fixes.map((f) => f.id)).toContain("pod-storage");
    expect(evicted.cause).toMatch(/ephemeral storage/);
    const memory = top(
      "The node was low on resource: memory. Container trainer was using 61203456Ki, request is 32Gi.",
    );
    expect(memory.category).toBe("host_oom");
    // The fixes say that a pod's limit is its cgroup's.
    expect(memory.fixes.map((f) => f.id)).toContain("container-memory-limit");
  });

  it("ascend-docker-runtime refusing a vNPU whose AI cores other vNPUs use is device_busy", () => {
    const log =
      "ascend-docker-runtime: [ERROR] check aicore num failed, phy_id:0, core_need:4, used:6, total:8 Failed to create vdev info. (dev_id=0; ret=-22)";
    expect(top(log).category).toBe("device_busy");
  });
});

describe("data types", () => {
  it("exllamav2 meeting a tensor type it has no kernels for is dtype_unsupported", () => {
    expect(top("ValueError: Unexpected datatype BF16: model.layers.0.self_attn.q_proj.weight").category).toBe(
      "dtype_unsupported",
    );
  });

  it("a 64-bit or complex type XLA's backend lacks is dtype_unsupported", () => {
    // XLA on TPU with jax_enable_x64: an FFT of float64 input yields complex128.
    expect(top("XlaRuntimeError: INVALID_ARGUMENT: Element type C128 is not supported on TPU.").category).toBe(
      "dtype_unsupported",
    );
    expect(top("Element type F64 is not supported on TPU").category).toBe("dtype_unsupported");
  });

  it("ONNX Runtime finding no kernel for a node's op and types is dtype_unsupported, hedged", () => {
    const f = top(
      "onnxruntime.capi.onnxruntime_pybind11_state.NotImplemented: [ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Could not find an implementation for Abs(13) node with name 'Abs0'",
    );
    expect(f.category).toBe("dtype_unsupported");
    expect(f.confidence).toBeLessThan(0.7);
    // A sentence that only shares the words is not the message.
    expect(top("Moxie could not find an implementation for redis.").category).not.toBe("dtype_unsupported");
  });
});

describe("versions", () => {
  it("a tokenizer without the special token model code asks for is another transformers' model code", () => {
    expect(top("AttributeError: Qwen2TokenizerFast has no attribute video_token").category).toBe(
      "transformers_version_conflict",
    );
  });

  it("xFormers whose C++/CUDA part did not load is a wheel built for another torch", () => {
    // xformers/ops/fmha/common.py lists the reason under each operator memory_efficient_attention cannot use.
    const log = [
      "NotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:",
      "`cutlassF-pt` is not supported because:",
      "    xFormers wasn't build with CUDA support",
    ].join("\n");
    expect(top(log).category).toBe("torch_npu_version_mismatch");
    expect(
      top(
        "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for: PyTorch 2.6.0+cu124 with CUDA 1204 (you have 2.7.1+cu126)",
      ).category,
    ).toBe("torch_npu_version_mismatch");
  });
});
