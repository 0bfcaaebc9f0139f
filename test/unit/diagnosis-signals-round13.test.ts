// Signals of the tenth collection's tune side, each written from the message's source rather than the collected log:
// the CUDA driver refusing a device's primary context for want of memory, transformers' unwritable cache folder, Meta's
// LLaMA loader finding no checkpoint shard, torch_npu's inductor missing triton-ascend's extension, torch_npu's chip
// lookup meeting an unknown chip, and a processor or tokenizer class given a keyword of a newer config. Each is
// diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("devices", () => {
  it("a context the driver cannot create for want of memory is a card other processes hold, not this run's OOM", () => {
    // TensorFlow's StreamExecutor (stream_executor/cuda/cuda_driver.cc) reporting cuDevicePrimaryCtxRetain's result.
    const log = [
      "W tensorflow/compiler/xla/service/platform_util.cc:240] unable to create StreamExecutor for CUDA:1: failed initializing StreamExecutor for CUDA device ordinal 1: Internal: failed call to cuDevicePrimaryCtxRetain: CUDA_ERROR_OUT_OF_MEMORY: out of memory; total memory reported: 25438126080",
      "F tensorflow/stream_executor/lib/statusor.cc:34] Attempting to fetch value instead of handling error Internal: no supported devices found for platform CUDA",
    ].join("\n");
    expect(top(log).category).toBe("device_busy");
    expect(top("cuCtxCreate_v2 failed: CUDA_ERROR_OUT_OF_MEMORY").category).toBe("device_busy");
    // Memory this process asked for is its own OOM.
    expect(top("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB").category).toBe("npu_oom");
  });

  it("an unknown chip in torch_npu's lookup is a CANN and build not made for it", () => {
    expect(top("RuntimeError: Unsupported soc version: Ascend310P1").category).toBe("cann_version_mismatch");
  });
});

describe("files and versions", () => {
  it("transformers' unwritable cache folder is permission_denied", () => {
    // utils/hub.py's warning when the cache directory cannot be written.
    const log =
      "There was a problem when trying to write in your cache folder (/home/app/.cache/huggingface/hub). You should set the environment variable TRANSFORMERS_CACHE to a writable directory.";
    expect(top(log).category).toBe("permission_denied");
  });

  it("Meta's LLaMA loader finding no shard (MP=0) is missing weights; a shard count off by some is not", () => {
    // llama/generation.py: assert world_size == len(checkpoints), f"Loading a checkpoint for MP={len(checkpoints)} but world size is {world_size}".
    expect(top("AssertionError: Loading a checkpoint for MP=0 but world size is 8").category).toBe("missing_weights");
    expect(
      diagnoseText("AssertionError: Loading a checkpoint for MP=2 but world size is 1").findings.map((f) => f.category),
    ).not.toContain("missing_weights");
  });

  it("torch_npu's inductor without triton-ascend's Ascend extension is a torch_npu stack out of step", () => {
    const log = [
      '  File "/usr/local/lib/python3.11/site-packages/torch_npu/_inductor/npu_triton_helpers.py", line 4, in <module>',
      "torch._inductor.exc.InductorError: ModuleNotFoundError: No module named 'triton.language.extra.ascend'",
    ].join("\n");
    expect(top(log).category).toBe("torch_npu_version_mismatch");
  });

  it("a processor or tokenizer class given a keyword of a newer Hub config is transformers out of step", () => {
    for (const cls of ["LlavaNextProcessor", "Qwen2TokenizerFast", "WhisperFeatureExtractor"]) {
      expect(top(`TypeError: ${cls}.__init__() got an unexpected keyword argument 'image_token'`).category).toBe(
        "transformers_version_conflict",
      );
    }
  });
});
