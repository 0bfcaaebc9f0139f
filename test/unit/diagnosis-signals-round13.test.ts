// Signals of the tenth collection's tune side, each written from the message's source rather than the collected log:
// the CUDA driver refusing a device's primary context for want of memory, transformers' unwritable cache folder, Meta's
// LLaMA loader finding no checkpoint shard, torch_npu's inductor missing triton-ascend's extension, torch_npu's chip
// lookup meeting an unknown chip, and a processor or tokenizer class given a keyword of a newer config; then, from the
// eleventh collection, transformers unable to reach the Hub, device memory refused in the CUDA runtime's own words,
// llama.cpp's loader failing on its GGUF file, and bash's "Killed" in Chinese. Each is diagnosed by the rules alone.
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

describe("the eleventh collection's wordings", () => {
  it("transformers unable to reach the Hub is hub_access, over the missing files it then reports", () => {
    // utils/hub.py (cached_file) when the request fails and the cache has nothing.
    const log = [
      "OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files and it looks like Qwen/Qwen2-7B is not the path to a directory containing a file named config.json.",
      "Checkout your internet connection or see how to run the library in offline mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'.",
    ].join("\n");
    const f = top(log);
    expect(f.category).toBe("hub_access");
    // The fixes cover a Hub the host cannot reach, not only a refusal.
    expect(f.fixes.map((x) => x.id)).toContain("mirror-or-offline");
    expect(f.fixes.find((x) => x.id === "mirror-or-offline")!.summary).toMatch(/HF_ENDPOINT.*HF_HUB_OFFLINE=1/);
  });

  it("device memory refused in the CUDA runtime's own words is the device's out of memory", () => {
    for (const line of [
      "RuntimeError: [TM][ERROR] CUDA runtime error: out of memory /lmdeploy/src/turbomind/utils/allocator.h:231",
      "tvm/src/runtime/cuda/cuda_device_api.cc:129: InternalError: Check failed: (e == cudaSuccess || e == cudaErrorCudartUnloading) is false: CUDA: out of memory",
      "Error: cudaMalloc failed: cudaErrorMemoryAllocation",
    ]) {
      expect(top(line).category).toBe("npu_oom");
    }
  });

  it("llama.cpp's loader failing on its GGUF file is missing or incomplete weights", () => {
    // src/llama.cpp: LLAMA_LOG_ERROR("%s: error loading model: %s\n", ...) around llama_model_loader's exception.
    const log =
      "llama_model_load: error loading model: llama_model_loader: failed to load model from /models/qwen2-7b-q4_k_m.gguf";
    expect(top(log).category).toBe("missing_weights");
  });

  it("bash's SIGKILL report in zh_CN ('已杀死') after a progress bar is the host's OOM killer, hedged as 'Killed' is", () => {
    const log = ["Loading checkpoint shards:  33%|███▎      | 1/3 [00:41<01:22, 41.2s/it]已杀死"].join("\n");
    const f = top(log);
    expect(f.category).toBe("host_oom");
    const english = top("Loading checkpoint shards:  33%|███▎      | 1/3 [00:41<01:22, 41.2s/it]Killed");
    expect(f.confidence).toBe(english.confidence);
  });
});
