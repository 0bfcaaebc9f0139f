// Signals of the twelfth collection's tune side, each written from the message's source rather than the collected log:
// ollama refusing a model the host's free RAM cannot hold, XLA refusing a type the backend lacks, ONNX Runtime finding
// no kernel for a node's op and types, and xFormers whose C++/CUDA part did not load. Each is diagnosed by the rules
// alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("memory", () => {
  it("a model larger than the host's free RAM is host_oom, not the device's", () => {
    // ollama's llm/server.go, as its API returns it.
    const f = top('Error: 500 {"error":"model requires more system memory (9.4 GiB) than is available (4.8 GiB)"}');
    expect(f.category).toBe("host_oom");
    expect(f.confidence).toBeGreaterThanOrEqual(0.8);
  });
});

describe("data types", () => {
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
