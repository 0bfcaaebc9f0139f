// Signals of the fourteenth collection's round, each written from the message's source rather than a collected log:
// CUDA error 2 raised outside the framework's caching allocator (a card already full when the context and handles are
// made). Each is diagnosed by the rules alone.
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
