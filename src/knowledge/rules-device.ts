// Rules for NPU runtime failures: memory, device ownership, ports, collectives, kernels, dtypes.
import { type DiagnosisRule, lit, rx, rxWhen } from "./rules-types.js";
import { l10n } from "./strerror-l10n.js";

export const MINDSPEED_FAQ = "https://gitcode.com/Ascend/MindSpeed-MM/blob/master/docs/zh/FAQ.md";
export const MINDSPEED_TROUBLESHOOTING =
  "https://gitcode.com/Ascend/MindSpeed-MM/blob/master/docs/zh/troubleshooting.md";
export const CANN_ENV_VARS =
  "https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/latest/apiref/envvar/envref_07_0001.html";

/** A runtime return code, only where the log says it is one (so "sample 507033" is not a hit). */
const CODE_CONTEXT = ["error code is", "error code:", "result =", "result=", "ErrCode=", "retCode=", "code is:"];
const code = (n: string) =>
  rx(new RegExp(`(?:error code is|error code:|result\\s*=|ErrCode=|retCode=|code is:)\\s*${n}\\b`), ...CODE_CONTEXT);
/** "1.50 GiB", "512 MiB", "0 bytes" as printed by the torch/torch_npu caching allocators, in bytes. */
function allocatorBytes(text: string | undefined): number {
  const m = /^([\d.]+) ?(bytes|[KMGT]iB)$/.exec(text ?? "");
  if (!m) return Number.NaN;
  const scale = { bytes: 0, KiB: 1, MiB: 2, GiB: 3, TiB: 4 }[m[2] as "bytes"];
  return Number(m[1]) * 1024 ** scale;
}

/**
 * The allocator's out-of-memory report shows memory this process does not hold: what it reserved (or, in torch ≥ 2.1's
 * wording, all it has in use) plus what is still free is under half the card, so other processes hold the rest.
 */
const heldElsewhere = (g: { total?: string; free?: string; mine?: string; cached?: string }) =>
  underHalf(
    allocatorBytes(g.total),
    allocatorBytes(g.free) + allocatorBytes(g.mine) + (g.cached === undefined ? 0 : allocatorBytes(g.cached)),
  );

/**
 * torch ≥ 2.1's report, where "this process has U memory in use" comes from the driver (NVML), which in a container
 * may not see the process and says "0 bytes": this process holds at least what PyTorch allocated and keeps reserved.
 */
const heldElsewhereInUse = (g: { total?: string; free?: string; inUse?: string; mine?: string; cached?: string }) =>
  underHalf(
    allocatorBytes(g.total),
    allocatorBytes(g.free) +
      Math.max(allocatorBytes(g.inUse), g.mine === undefined ? 0 : allocatorBytes(g.mine) + allocatorBytes(g.cached)),
  );

/** Whether what this process can account for (free plus its own) is under half the card. */
function underHalf(total: number, accounted: number): boolean {
  return total > 0 && accounted < total / 2;
}

/** "Of the allocated memory A is allocated by PyTorch, [with P allocated in private pools (…),] and R is reserved". */
const PYTORCH_HOLDS = String.raw`Of the allocated memory (?<mine>[\d.]+ (?:bytes|[KMGT]iB)) is allocated by PyTorch,(?: with [\d.]+ (?:bytes|[KMGT]iB) allocated in private pools \(e\.g\., CUDA Graphs\),)? and (?<cached>[\d.]+ (?:bytes|[KMGT]iB)) is reserved by PyTorch but unallocated`;

/** c10d's client timing out on the rendezvous address (torch/csrc/distributed/c10d/socket.cpp). */
const C10D_CONNECT_TIMED_OUT =
  /The client socket has failed to connect to \[[^\]\n]+\]:\d+ \(errno: 110 - Connection timed out\)/;
/** Ranks that cannot reach each other at all: a wrong address or interface, which longer timeouts do not mend. */
const RANKS_UNREACHABLE = new RegExp(`${C10D_CONNECT_TIMED_OUT.source}|Gloo connectFullMesh failed\\b`);
/** CUDA's uncorrectable-ECC error in its three spellings: the P2P rule's trigger for a card's memory fault. */
const CUDA_ECC = /uncorrectable ECC error encountered|CUDA_ERROR_ECC_UNCORRECTABLE|cudaErrorECCUncorrectable/;
/** The kernel's APEI (CPER) report of an uncorrected memory error. */
const MULTI_BIT_ECC = /\[Hardware Error\].*error_type: \d+, multi-bit ECC/;
/**
 * The NVIDIA kernel driver's reports of a card failing (NVIDIA's Xid catalogue): 48 a double-bit ECC error, 64 an ECC
 * page retirement that failed, 74 an NVLink error, 79 the GPU fallen off the bus (gone from PCIe), 94/95 a contained or
 * uncontained ECC error; and the words of 79 as the driver prints them beside it.
 */
const NVIDIA_CARD_FAULT = /NVRM: Xid \(PCI:[\w:.]+\): (?:48|64|74|79|94|95)\b|GPU has fallen off the bus/;
/** Every card fault line of the P2P rule (CUDA's, the Ascend runtime's, the kernel's), which its P2P fixes do not mend. */
const CARD_FAULT = new RegExp(
  `${CUDA_ECC.source}|ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR|\\b507054\\b|${MULTI_BIT_ECC.source}|${NVIDIA_CARD_FAULT.source}`,
);

/** An Ascend error code (EL0004...); anchored with the character that follows it in real logs. */
export const ascendCode = (c: string) => rx(new RegExp(`\\b${c}\\b`), `${c}:`, `${c} `, `${c})`, `${c},`);

export const deviceRules: DiagnosisRule[] = [
  {
    id: "npu-oom",
    category: "npu_oom",
    title: "NPU out of memory",
    role: "primary",
    triggers: [
      // Round 17, upstream (seventh pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/runtime/v1/graph/manager/graph_mem_allocator.cc#L70
      {
        match: rx(/Call (?:acl)?rtMalloc fail, purpose: ?[^\n]*size: ?\d+/, "rtMalloc fail, purpose"),
        confidence: 0.78,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/runtime/v1/graph/manager/graph_mem_allocator.cc#L124
      {
        match: rx(/Malloc Memory fail, purpose:[^\n]*memory_size:\d+/, "Malloc Memory fail, purpose"),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/ascend-transformer-boost/blob/ddcc8b6225b8b7d4703c69c319244bdea0f0c9a1/src/atb/runner/lcal_runner.cpp#L136
      { match: lit("out of NPU memory! Please check if the memory is enough"), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUCachingAllocator.cpp#L2965
      {
        match: rx(
          /Preemptively rejecting allocation of [\d.]+ [KMGT]?i?B on NPU \d+: total_allocated_memory/,
          "Preemptively rejecting allocation of",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/driver/npu_driver_mem.cc#L855
      {
        match: rx(/hal(?:MemAlloc|MemCreate) failed[^\n]*drvRetCode=6\b/, "halMemAlloc failed", "halMemCreate failed"),
        confidence: 0.82,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/driver/npu_driver_mem.cc#L1049
      { match: rx(/DevMemAlloc huge page failed: device_?[iI]d=\d+/, "DevMemAlloc huge page failed"), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/runtime/core/src/common/errcode_manage.cc#L52
      { match: rx(/reason=\[?device oom\b/, "device oom"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/examples/server/generate.py#L1173
      {
        match: rx(/req: \d+ out of memory, need block:\d+ is more than free block/, "out of memory, need block:"),
        confidence: 0.65,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/atb_framework/core/base/model.cpp#L439
      {
        match: rx(
          /Device out of memory during (?:a previous asynchronous step|Setup for operation|Execute \()/,
          "Device out of memory during",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/atb_framework/pytorch/atb_torch/core/base/operation.cpp#L207
      { match: lit("Npu out of memory, OOM"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/atb_llm/utils/memory_utils.py#L35
      {
        match: rx(
          /Remaining memory of rank-\d+ NPU(?:: \d+ Byte)? is not enough to load weights/,
          "NPU is not enough to load weights",
          "Byte is not enough to load weights",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/mindie_llm/text_generator/adapter/torch_utils/kvcache_pool.py#L106
      { match: lit("This is due to warm_up out of memory."), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/mindie_llm/text_generator/generator.py#L697
      { match: lit("Device out of memory (OOM) reported by PyTorch"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/PaddlePaddle/Paddle/blob/0ab6998c22c7f4ea942b2437353f34c257e868d6/paddle/phi/core/memory/allocation/custom_allocator.cc
      {
        match: rx(
          /Out of memory error on [a-z_]+(?::| )\d+\. (?:Cannot allocate [\d.]+\s?[KMGT]?B memory on|total memory is)/,
          "Out of memory error on",
        ),
        confidence: 0.82,
      },
      // Round 16, upstream: https://github.com/mindspore-ai/mindspore/blob/master/mindspore/ccsrc/backend/common/mem_reuse/mem_dynamic_allocator.cc
      {
        match: rx(
          /Memory not enough: current free memory size\[\d+\] is smaller than required size\[\d+/,
          "Memory not enough: current free memory size",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/common_runtime/gpu/gpu_util.cc
      { match: lit("Dst tensor is not initialized."), confidence: 0.6 },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/trainer.py#L1028
      { match: lit("OOM during optimization, irrecoverable"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/trainer.py#L877
      { match: lit("attempting to recover from OOM in forward/backward pass"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/comfyanonymous/ComfyUI/blob/master/execution.py
      { match: lit("Got an OOM, unloading all loaded models."), confidence: 0.85 },
      // Round 16, upstream: https://github.com/comfyanonymous/ComfyUI/blob/master/execution.py
      { match: lit("This error means you ran out of memory on your GPU."), confidence: 0.85 },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L1032
      {
        match: rx(
          /Failed to allocate resource\[[^\]\n]*\] with info \[[^\n]*Memory resources are exhausted/,
          "Memory resources are exhausted",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/lmdeploy/pytorch/engine/executor/base.py#L179
      {
        match: rx(/No enough gpu memory for (?:kv cache|runtime|state cache)/, "No enough gpu memory for "),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/src/turbomind/engine/engine.cc#L605
      { match: lit("cache out of memory, no request can be admitted"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cann/ggml-cann.cpp
      { match: rx(/allocating [\d.]+ MiB on device \d+: aclrtMalloc failed/, "aclrtMalloc failed"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/master/mindspore/ccsrc/runtime/graph_scheduler/actor/memory_manager_actor.cc
      {
        match: rx(
          /Device memory isn't enough and alloc failed, (?:actor name|alloc size)/,
          "Device memory isn't enough and alloc failed",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/HCCLUtils.hpp#L32
      { match: rx(/HCCL function error: [^\n]*, error code is 24\b/, "HCCL function error: "), confidence: 0.7 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v5.18.0/src/transformers/trainer.py#L3210
      { match: lit("Evaluation hit an out-of-memory error."), confidence: 0.85 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/quantizers/quantizer_bnb_4bit.py#L128
      {
        match: lit("Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM"),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/NVIDIA/nccl/blob/5067397c2676d5aed50042fc39e5c8ee96eb0027/src/include/alloc.h#L462
      {
        match: rx(
          /NCCL WARN Failed to CUDA (?:malloc|calloc|calloc async) \d+ bytes/,
          "Failed to CUDA malloc",
          "Failed to CUDA calloc",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/model_executor/model_runner.py
      { match: lit("Not enough memory. Please try to increase --mem-fraction-static"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/mem_cache/common.py
      {
        match: rx(
          /(?:Prefill|Decode) out of memory\. Try to lower your batch size/,
          "out of memory. Try to lower your batch size",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/src/llama-model.cpp
      {
        match: rx(
          /(?:unable|failed) to allocate (?:CUDA|ROCm|Vulkan|SYCL|Metal|CANN|MUSA|OpenCL)\d* buffer/,
          "unable to allocate",
          "failed to allocate",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-vulkan/ggml-vulkan.cpp
      {
        match: rx(
          /ggml_vulkan: Device memory allocation of size \d+ failed|allocateMemory: ErrorOutOfDeviceMemory/,
          "ggml_vulkan: Device memory allocation",
          "ErrorOutOfDeviceMemory",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/openxla/xla/blob/main/xla/stream_executor/integrations/device_mem_allocator.h
      {
        match: rx(
          /Failed to allocate request for [\d.]+\s?[KMGT]?i?B \(\d+B\) on device ordinal \d+/,
          "Failed to allocate request for",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/openxla/xla/blob/main/xla/tsl/framework/bfc_allocator.cc
      {
        match: rx(
          /Allocator \(GPU_\d+_bfc\) ran out of memory trying to allocate [\d.]+\s?[KMGT]?i?B \(rounded to \d+\)/,
          "ran out of memory trying to allocate",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/huggingface/text-generation-inference/blob/main/backends/v3/src/lib.rs#L181
      {
        match: rx(
          /Not enough memory to handle `max_total_tokens=\d+`/,
          "Not enough memory to handle `max_total_tokens",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/c10/cuda/driver_api.h
      { match: lit("CUDA driver error: out of memory"), confidence: 0.85 },
      // Round 15: XLA's allocator ("Out of memory while trying to allocate N bytes" with RESOURCE_EXHAUSTED), vLLM's KV-cache budget gone negative, TGI's "would exceed allowed memory",
      // TensorRT-LLM's "Requested amount of GPU memory … could not be allocated".
      {
        match: rx(/of memory while trying to allocate \d+ bytes/, "of memory while trying to allocate"),
        near: [rx(/Resource exhausted|RESOURCE_EXHAUSTED/, "Resource exhausted", "RESOURCE_EXHAUSTED")],
        within: 6,
        confidence: 0.82,
      },
      {
        match: rx(/the rest of the memory reserved for KV Cache is -\d/, "reserved for KV Cache is -"),
        confidence: 0.75,
      },
      { match: lit("would exceed allowed memory. (out of memory)"), confidence: 0.8 },
      {
        match: rx(
          /Requested amount of GPU memory \(\d+ bytes\) could not be allocated/,
          "Requested amount of GPU memory",
        ),
        confidence: 0.75,
      },
      // Round 13: device memory refused in the runtime's own words, below any framework's allocator report: TurboMind's
      // check_cuda_error ("[TM][ERROR] CUDA runtime error: out of memory"), TVM's CUDA_CALL ("CUDA: out of memory"),
      // the runtime's error name (cudaErrorMemoryAllocation).
      {
        match: rx(
          /CUDA runtime error: out of memory|CUDA: out of memory|cudaErrorMemoryAllocation/,
          "CUDA runtime error: out of memory",
          "CUDA: out of memory",
          "cudaErrorMemoryAllocation",
        ),
        confidence: 0.75,
      },
      // Upstream phrasebook (test/fixtures/diagnosis/upstream): the driver's devmm writes the heap's name capitalised
      // in older releases; torch_npu's device-memory check (PT_DEVMEM); NCCL's own CUDA allocations (src/include/
      // checks.h "Cuda failure %d '%s'", alloc.h "Failed to CUDA calloc"); cuBLAS failing to allocate its workspace;
      // XLA reserving a program's memory; accelerate's find_executable_batch_size giving up.
      { match: lit("Heap_alloc_managed out of memory"), confidence: 0.85 },
      { match: lit("MODULE:PT_DEVMEM Allocation failed"), confidence: 0.8 },
      { match: rx(/Cuda failure (?:2 )?'out of memory'/, "Cuda failure"), confidence: 0.85 },
      { match: rx(/Failed to CUDA calloc \d+ bytes/, "Failed to CUDA calloc"), confidence: 0.75 },
      { match: lit("CUBLAS_STATUS_ALLOC_FAILED"), confidence: 0.78 },
      {
        match: rx(/RESOURCE_EXHAUSTED: Error loading program[^\n]*Attempting to reserve/, "RESOURCE_EXHAUSTED"),
        confidence: 0.82,
      },
      { match: lit("No executable batch size found, reached zero"), confidence: 0.8 },
      { match: lit("NPU out of memory"), confidence: 0.92 },
      {
        match: lit("OutOfMemoryError"),
        // Ray's OutOfMemoryError is the host running low on memory (host_oom).
        unless: [lit("ray.exceptions.OutOfMemoryError"), lit("node running low on memory")],
        within: 0,
        confidence: 0.85,
      },
      {
        match: rx(/rtMalloc[^\n]*out of memory|driver error:out of memory/, "rtMalloc", "error:out of memory"),
        confidence: 0.88,
      },
      { match: lit("Memory_Allocation_Failure"), confidence: 0.82 },
      // The driver's device-memory manager (devmm) when the managed heap has no block of the asked size.
      { match: lit("heap_alloc_managed out of memory"), confidence: 0.85 },
      // text-generation-inference's warmup: the largest prefill batch does not fit in device memory.
      {
        match: rx(/Not enough memory to handle \d+ prefill tokens/, "prefill tokens"),
        confidence: 0.85,
      },
      // The runtime's managed device allocation (npu_driver.cc DevMemAllocManaged, api_error.cc DevMalloc) when the
      // driver's halMemAlloc refuses: "halMemAlloc failed:size=…", then "Device malloc failed, size=…".
      {
        match: rx(
          /DevMemAllocManaged failed|Device malloc failed, size=/,
          "DevMemAllocManaged failed",
          "Device malloc failed",
        ),
        confidence: 0.72,
      },
      // MindIE-LLM's warmup (mindie_llm text generator): "Warmup failed, because of … out of memory when
      // `maxInputTokenLen` set to N".
      { match: rx(/Warmup failed, because of [^\n]*out of memory/, "Warmup failed, because of"), confidence: 0.82 },
      // XLA on TPU (compiler's memory-space assignment): "Ran out of memory in memory space hbm. Used 8.38G of 8.00G", and
      // the compiler's other memory spaces.
      {
        match: rx(
          /Ran out of memory in memory space (?:hbm|vmem|smem|cmem|sflag)/,
          "Ran out of memory in memory space",
        ),
        confidence: 0.85,
      },
      { match: lit("FAIL_TO_ALLOCATE_MEMORY"), confidence: 0.82 },
      { match: lit("Available memory is insufficient"), confidence: 0.8 },
      {
        match: ascendCode("EL0004"),
        unless: [lit("SetDevice"), rx(/open device \d+ failed/, "open device")],
        within: 8,
        confidence: 0.8,
      },
      { match: code("207001"), confidence: 0.75 },
      { match: lit("Failed to allocate memory"), confidence: 0.62 },
      // MindSpore: device memory pool exhausted.
      {
        match: rx(
          /Memory isn't enough|is more than total mem size|Malloc device memory failed|Device\(id:\d+\) memory isn't enough/,
          "Memory isn't enough",
          "more than total mem size",
          "Malloc device memory failed",
          "memory isn't enough",
        ),
        // MindSpore's check that names other processes on the card is device_busy's evidence.
        unless: [lit("may be other processes occupying this card")],
        within: 0,
        confidence: 0.85,
      },
      { match: lit("CUDA out of memory"), confidence: 0.72 },
      // The same failure in other allocators' words: torch on ROCm, XPU and MPS (c10/cuda/CUDACachingAllocator.cpp
      // hipified, c10/xpu/XPUCachingAllocator.cpp, aten/src/ATen/mps/MPSAllocator.mm), CUDA error 2 through
      // C10_CUDA_CHECK (c10/cuda/CUDAException.h), Paddle (phi/core/memory/allocation/retry_allocator.cc), XLA/JAX
      // (RESOURCE_EXHAUSTED).
      {
        match: rx(
          /\b(?:HIP|XPU) out of memory\b|MPS backend out of memory|CUDA error: out of memory|Out of memory error on (?:GPU|NPU|XPU)|RESOURCE_EXHAUSTED: Out of memory/,
          "HIP out of memory",
          "XPU out of memory",
          "MPS backend out of memory",
          "CUDA error: out of memory",
          "Out of memory error on",
          "RESOURCE_EXHAUSTED: Out of memory",
        ),
        confidence: 0.8,
      },
      // TensorFlow's allocator (ResourceExhaustedError "OOM when allocating tensor") and ggml's CUDA backend
      // (llama.cpp ggml-cuda: "cudaMalloc failed: out of memory").
      {
        match: rx(
          /OOM when allocating tensor|cudaMalloc failed: out of memory/,
          "OOM when allocating tensor",
          "cudaMalloc failed",
        ),
        confidence: 0.8,
      },
      // MindSpore's device memory pool (plugin/device/ascend/hal/device/ascend_memory_adapter.cc).
      { match: lit("Out of Memory!!! Request memory size"), confidence: 0.88 },
      // vLLM: the weights left no device memory for the KV cache (vllm/v1/core/kv_cache_utils.py).
      { match: lit("No available memory for the cache blocks"), confidence: 0.8 },
      // vLLM's KV-cache checks (vllm/worker/worker.py raise_if_cache_size_invalid; v1/core/kv_cache_utils.py
      // _check_enough_kv_cache_memory): the memory left after the weights does not hold one max-length request.
      {
        match: rx(
          /larger than the maximum number of tokens that can be stored in KV cache|KV cache is needed, which is larger than the available KV cache memory/,
          "that can be stored in KV cache",
          "larger than the available KV cache memory",
        ),
        confidence: 0.8,
      },
      // MindSpore's older memory-pool wording (docs/mindspore/source_en/faq/implement_problem.md).
      {
        match: rx(/Out of Memory!!! total\[\d+\][^\n]*malloc\[\d+\] failed/, "Out of Memory!!! total["),
        confidence: 0.85,
      },
      // CANN's memory error texts for HCCL (EI0011), the driver (EL0019) and DVPP (EN0012): "Failed to allocate [%s]
      // bytes of NPU memory", "Failed to allocate %s device memory requested by the DRV(%s) module"
      // (maintenref/troubleshooting atlaserrorcode_15_0324, _0462, _0375).
      {
        match: rx(
          /Failed to allocate [^\n]{0,40}(?:bytes of NPU memory|device memory (?:requested by|for))|Resource_Error_Insufficient_Device_Memory/,
          "bytes of NPU memory",
          "device memory requested by",
          "device memory for",
          "Resource_Error_Insufficient_Device_Memory",
        ),
        confidence: 0.85,
      },
      // The name of runtime code 207001 (hicann/runtime include/external/acl/error_codes/rt_error_codes.h).
      {
        match: rx(
          /ACL_ERROR_RT_(?:MEMORY_ALLOCATION|DEVICE_OOM)\b/,
          "ACL_ERROR_RT_MEMORY_ALLOCATION",
          "ACL_ERROR_RT_DEVICE_OOM",
        ),
        confidence: 0.8,
      },
      // Other accelerator runtimes (Sophgo bmlib, generic SDKs) name the same failure in their own words.
      {
        match: rx(
          /[Aa]lloc(?:ate)? [Dd]evice [Mm]emory [Ff]ailed|bm_alloc_gmem failed/,
          "Device Memory Failed",
          "device memory failed",
          "bm_alloc_gmem failed",
        ),
        unless: [lit("may be other processes occupying this card")],
        within: 0,
        confidence: 0.78,
      },
    ],
    extract: [
      /Tried to allocate (?<request>[\d.]+ [KMGT]iB)/,
      /\(NPU (?<device>\d+); (?<total>[\d.]+ [KMGT]iB) total capacity; (?<allocated>[\d.]+ [KMGT]iB) already allocated/,
      /(?<reserved>[\d.]+ [KMGT]iB) reserved in total/,
    ],
    cause:
      "The model, activations and optimizer state need more device memory (HBM) than the card has. At load time this " +
      "usually means the weights were not sharded (no TP/PP, ZeRO-3 or FSDP); during training, the micro batch or " +
      "sequence length is too large for the parallel layout.",
    fixes: [
      {
        id: "halve-micro-batch",
        summary:
          "Halve the micro batch (<micro_batch> → <new_micro_batch>); Megatron keeps the global batch by doubling gradient accumulation.",
        edits: ["launch script: --micro-batch-size <new_micro_batch> (MBS)"],
      },
      {
        id: "recompute",
        summary: "Trade compute for memory with full activation recomputation.",
        edits: [
          "launch script: --recompute-granularity full --recompute-method block --recompute-num-layers <num_layers>",
        ],
      },
      {
        id: "alloc-conf",
        summary: "Reduce fragmentation in the NPU caching allocator.",
        env: { PYTORCH_NPU_ALLOC_CONF: "expandable_segments:True" },
      },
      {
        id: "shard-more",
        summary:
          "Spread the model: raise TP or PP (TP×PP ≤ NPUs), add --use-distributed-optimizer, shorten --seq-length, " +
          "or enable ChunkLoss; for HF trainers use ZeRO-3/FSDP so weights are not loaded whole onto one card.",
      },
    ],
    references: [`${MINDSPEED_FAQ} (#9)`, "https://github.com/hiyouga/LlamaFactory/issues/5491"],
  },
  {
    id: "device-busy",
    category: "device_busy",
    title: "NPU held by another process",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html
      {
        match: rx(
          /exclusive-thread device already in use by a different thread|\bcudaErrorDeviceAlreadyInUse\b/,
          "exclusive-thread device already in use",
          "cudaErrorDeviceAlreadyInUse",
        ),
        confidence: 0.8,
      },
      // Round 24, upstream (tenth pass): https://github.com/ROCm/clr/blob/develop/hipamd/src/hip_error.cpp
      { match: rx(/\bhipErrorContextAlreadyInUse\b/, "hipErrorContextAlreadyInUse"), confidence: 0.8 },
      // Round 20, tune: MindCluster's installation FAQ, the check that finds a card still taken ("npu is busy, check again").
      { match: lit("npu is busy, check again"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/scripts/package/custom/driver/common/scripts/driver_install.sh#L418
      { match: lit("The davinci nodes are occupied by some processes"), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/src/ascend_hal/dmc/dsmi/dsmi_common/dsmi_common_interface.c#L95
      { match: rx(/[Dd]evice is busy\. \((?:device_id=\d+, )?ret=-?87\)/, "evice is busy. ("), confidence: 0.78 },
      // Round 17, upstream (sixth pass): https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__TYPES.html
      {
        match: rx(
          /\b(?:CUDA_ERROR_DEVICE_UNAVAILABLE|cudaErrorDevicesUnavailable)\b/,
          "CUDA_ERROR_DEVICE_UNAVAILABLE",
          "cudaErrorDevicesUnavailable",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/driver/npu_driver.cc#L460
      { match: rx(/drvRetCode=87\b/, "drvRetCode=87"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/accelerators/cuda.py#L131
      {
        match: rx(/The devices \[[\d, ]*\] are occupied by other processes/, "are occupied by other processes"),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/hicann/driver/blob/master/scripts/package/driver/common/scripts/device_hot_reset.sh#L73
      {
        match: rx(
          /davinci(?:\d+|_manager)? has (?:user process:|used by docker)/,
          "has user process:",
          "has used by docker",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/xorbitsai/inference/blob/7ecec16b63383e18e4af790c4b522fb7d79f7e77/xinference/core/worker.py#L1864
      { match: lit("No available slot found for the model"), confidence: 0.62 },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L1406
      { match: rx(/[Ss]tream resources are insufficient/, "tream resources are insufficient"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/dcmi/common.go#L47
      { match: lit("Device resources are occupied"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L105
      { match: lit("The number of started user processes on the device exceeds the limit"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/model_executor/model_runner.py
      { match: lit("The memory capacity is unbalanced"), confidence: 0.72 },
      // Round 15, upstream: libtpu
      { match: lit("The TPU is already in use by process with pid"), confidence: 0.88 },
      // Round 15: Paddle creating a CUDA context on a card already full (platform/device_context.cc reports "out of
      // memory" there, before any tensor), and the runtime failing to retain a device another process holds.
      { match: rx(/out of memory at \[[^\]\n]*device_context\.cc/, "device_context.cc"), confidence: 0.6 },
      { match: lit("rtSetDevice execution failed, reason=device retain error"), confidence: 0.55 },
      // Round 14: ascend-docker-runtime refusing a virtual NPU whose AI cores other vNPUs already use ("check aicore num
      // failed, phy_id:0, core_need:4, used:6, total:8").
      { match: lit("check aicore num failed"), confidence: 0.8 },
      // Round 15: CUDA error 2 raised by a raw runtime call (torch's C10_CUDA_CHECK "CUDA error: out of memory",
      // Paddle's "cuda error(2).out of memory") rather than by the framework's caching allocator, whose own report
      // ("Tried to allocate", "Cannot allocate") comes first when this process filled the card. Outside the allocator
      // the calls that allocate are the context, streams and library handles made at start, before the process holds
      // anything: in the tune logs with this wording (5 of 5) another process held the card. Hedged: an extension's
      // own cudaMalloc can say the same, and an allocator report within 30 lines means the allocator failed first.
      {
        match: rx(/CUDA error: out of memory|cuda error\(2\)\.out of memory/, "error: out of memory", "error(2)"),
        unless: [lit("Tried to allocate"), lit("Cannot allocate")],
        within: 30,
        confidence: 0.6,
      },
      // Round 13: the CUDA driver refusing to create a device's primary context for want of memory (TensorFlow's
      // StreamExecutor: "failed call to cuDevicePrimaryCtxRetain: CUDA_ERROR_OUT_OF_MEMORY"): nothing of this process is
      // allocated yet, so the memory is held by other processes.
      {
        match: rx(
          /(?:cuDevicePrimaryCtxRetain|cuCtxCreate\w*)[^\n]*CUDA_ERROR_OUT_OF_MEMORY/,
          "cuDevicePrimaryCtxRetain",
          "cuCtxCreate",
        ),
        confidence: 0.8,
      },
      // Round 12: CUDA_ERROR_CONTEXT_ALREADY_IN_USE (216), as TensorFlow's driver wrapper checks it: a card in
      // EXCLUSIVE_THREAD/PROCESS compute mode whose context another thread or process holds.
      {
        match: rx(
          /CUDA_ERROR_CONTEXT_ALREADY_IN_USE|cuCtxSetCurrent\(context\) \(0 vs\. 216\)/,
          "CUDA_ERROR_CONTEXT_ALREADY_IN_USE",
          "cuCtxSetCurrent(context) (0 vs. 216)",
        ),
        confidence: 0.8,
      },
      // Upstream phrasebook 2: the driver's device manager refusing an open because another process holds the device
      // ([devmng] "device is busy", ret 87), npu-smi's "occupied by Docker", EBUSY on a device node in every locale glibc
      // ships (strerror-l10n.ts).
      { match: rx(/\[devmng\][^\n]*(?:Device is busy|device is busy)/, "[devmng]"), confidence: 0.8 },
      { match: rx(/The chip \d+ is occupied by Docker/, "is occupied by Docker"), confidence: 0.85 },
      { match: l10n("EBUSY", /\/dev\/davinci/), confidence: 0.8 },
      // Upstream phrasebook: the driver's EL0020 (a device shared by several containers) and vLLM's memory profiling
      // seeing another process release memory on the same card.
      { match: ascendCode("EL0020"), confidence: 0.8 },
      { match: lit("is occupied by multiple containers"), confidence: 0.85 },
      { match: lit("other processes sharing the same container release GPU memory"), confidence: 0.8 },
      { match: ascendCode("EJ0001"), confidence: 0.9 },
      { match: lit("Failed to initialize the HCCP process"), confidence: 0.9 },
      { match: lit("Maybe the last training process is running"), confidence: 0.9 },
      // The runtime out of streams on the card (CANN troubleshooting: "driver error:no stream resource", 207008):
      // another process, or one that has not finished releasing, holds them.
      { match: lit("driver error:no stream resource"), confidence: 0.8 },
      {
        match: ascendCode("EL0004"),
        near: [lit("SetDevice"), rx(/open device \d+ failed/, "open device")],
        within: 8,
        confidence: 0.86,
      },
      { match: lit("Device or resource busy"), near: [lit("davinci"), lit("npu")], within: 4, confidence: 0.75 },
      // EBUSY in glibc's zh_CN text (po/zh_CN.po: "设备或资源忙").
      { match: lit("设备或资源忙"), near: [lit("davinci"), lit("npu")], within: 4, confidence: 0.75 },
      {
        match: rx(/because the device is used|ret is -8020\b/, "the device is used", "ret is -8020"),
        confidence: 0.85,
      },
      // CUDA's wording (error 46, cudaErrorDevicesUnavailable): exclusive-mode cards held by another process.
      {
        match: rx(/CUDA-capable device(?:s|\(s\))? (?:is\/are|are|is) busy or unavailable/i, "busy or unavailable"),
        confidence: 0.85,
      },
      // The caching allocator's report (torch c10/cuda/CUDACachingAllocator.cpp, torch_npu's NPUCachingAllocator):
      // before torch 2.1 "(GPU 0; T total capacity; A already allocated; F free; R reserved in total by PyTorch)",
      // torch_npu adds "C current active"; from 2.1 "a total capacity of T of which F is free … this process has U
      // memory in use". Free plus this process's own memory far below the card means another process holds it.
      {
        match: rxWhen(
          /(?<total>[\d.]+ (?:bytes|[KMGT]iB)) total capacity; [\d.]+ (?:bytes|[KMGT]iB) already allocated;(?: [\d.]+ (?:bytes|[KMGT]iB) current active;)? (?<free>[\d.]+ (?:bytes|[KMGT]iB)) free; (?<mine>[\d.]+ (?:bytes|[KMGT]iB)) reserved in total/,
          ["total capacity; "],
          heldElsewhere,
        ),
        confidence: 0.8,
      },
      // torch 1.0-1.3 (c10/cuda/CUDACachingAllocator.cpp): "(GPU 1; T total capacity; A already allocated; F free;
      // C cached)"; allocated plus cached plus free is the most this process can account for.
      {
        match: rxWhen(
          /(?<total>[\d.]+ (?:bytes|[KMGT]iB)) total capacity; (?<mine>[\d.]+ (?:bytes|[KMGT]iB)) already allocated; (?<free>[\d.]+ (?:bytes|[KMGT]iB)) free; (?<cached>[\d.]+ (?:bytes|[KMGT]iB)) cached\b/,
          ["total capacity; "],
          heldElsewhere,
        ),
        confidence: 0.8,
      },
      {
        match: rxWhen(
          new RegExp(
            String.raw`total capacity of (?<total>[\d.]+ (?:bytes|[KMGT]iB)) of which (?<free>[\d.]+ (?:bytes|[KMGT]iB)) is free\..*this process has (?<inUse>[\d.]+ (?:bytes|[KMGT]iB)) memory in use(?:\. ${PYTORCH_HOLDS})?`,
          ),
          ["total capacity of "],
          heldElsewhereInUse,
        ),
        confidence: 0.8,
      },
      // The same report without the "this process has" sentence: what PyTorch allocated and keeps cached is all of
      // this process's memory it can name.
      {
        match: rxWhen(
          new RegExp(
            String.raw`total capacity of (?<total>[\d.]+ (?:bytes|[KMGT]iB)) of which (?<free>[\d.]+ (?:bytes|[KMGT]iB)) is free\..*${PYTORCH_HOLDS}`,
          ),
          ["total capacity of "],
          heldElsewhere,
        ),
        unless: [lit("this process has")],
        within: 0,
        confidence: 0.78,
      },
      // MindSpore's device-memory check names other processes on the card
      // (docs/mindspore/source_en/faq/data_processing.md: "may be other processes occupying this card").
      { match: lit("may be other processes occupying this card"), confidence: 0.8 },
      // vLLM's startup check (vllm/v1/worker/gpu_worker.py): less free memory than asked for, because other processes
      // hold the card.
      {
        match: rx(
          /on startup is less than desired GPU memory utilization[^\n]*reduce GPU memory used by other processes/,
          "on startup is less than desired GPU memory utilization",
        ),
        confidence: 0.72,
      },
    ],
    extract: [/Device:(?<device>\d+)/, /deviceId=(?<device>\d+)/, /open device (?<device>\d+)/],
    supersedes: ["npu-oom"],
    cause:
      "A leftover or foreign process (a previous run, the HCCP daemon of a killed job, another tenant) still holds the NPU, " +
      "so this process cannot open it or finds its memory already taken.",
    fixes: [
      {
        id: "find-holder",
        summary: "See which processes hold the NPUs.",
        commands: ["npu-smi info", "ps -o pid,etime,cmd -p <pids>"],
      },
      {
        id: "kill-holder",
        summary: "Stop the stale process, wait about 10 s for HCCP to release the card, then relaunch.",
        commands: ["kill <pids>", "sleep 10"],
      },
      { id: "other-card", summary: "Or run on free cards only.", env: { ASCEND_RT_VISIBLE_DEVICES: "<free_devices>" } },
    ],
    references: ["https://github.com/hiyouga/LlamaFactory/issues/3839"],
  },
  {
    id: "port-in-use",
    category: "port_in_use",
    title: "Port already in use",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/pallets/werkzeug/blob/1b00618e787f40dfb21eba29caf8f8be7c8e1d93/src/werkzeug/serving.py#L765
      { match: rx(/Port \d+ is in use by another program/, "is in use by another program"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/benoitc/gunicorn/blob/65ac1a3a4c0aa00960968c720d6e6bd2ac32f1b9/gunicorn/sock.py#L210
      { match: rx(/\[ERROR\] Connection in use: /, "Connection in use: "), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/python/cpython/blob/main/Lib/asyncio/base_events.py
      {
        match: rx(
          /error while attempting to bind on address [^\n]*: only one usage of each socket address/,
          "only one usage of each socket address",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (seventh pass): https://github.com/grpc/grpc/blob/master/src/python/grpcio/grpc/_common.py
      {
        match: rx(/Failed to bind to address \S+; set GRPC_VERBOSITY=debug/, "; set GRPC_VERBOSITY=debug"),
        confidence: 0.7,
      },
      // Round 17, upstream (seventh pass): https://github.com/ray-project/ray/blob/master/python/ray/scripts/scripts.py
      {
        match: rx(/Ray is trying to start at \S+, but is already running at/, "but is already running at"),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/distributed/ParallelTcpStore.cpp#L50
      { match: rx(/start tcp server on port \d+ failed\./, "start tcp server on port "), confidence: 0.72 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/00f0938ae85c7dd68b44b4d80a873f42b1dca16a/tensorflow/core/distributed_runtime/rpc/grpc_server_lib.cc
      { match: lit("Could not start gRPC server"), confidence: 0.62 },
      // Round 16, upstream: https://github.com/PaddlePaddle/Paddle/blob/7cc36bf182f1a82d522107918692296812f77b8b/paddle/phi/core/distributed/store/tcp_utils.cc
      { match: rx(/Bind network on \S+:\d+ failed\./, "Bind network on"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/tensorflow/tensorboard/blob/70b76c922822dcccc3e8d7e5dd89860948690357/tensorboard/program.py#L720
      { match: lit("could not bind to port"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/gradio-app/gradio/blob/375335e60e2b4504a57f3eef0eb6bca3c7bb765a/gradio/http_server.py#L183
      { match: lit("Cannot find empty port in range:"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/nodeports/node_ports.go
      { match: lit("didn't have free ports for the requested pod ports"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/a54b91e6178d4acf979966b412bc895fc9d42823/mindspore/ccsrc/distributed/cluster/topology/meta_server_node.
      { match: lit("Please check if there's another scheduler process with port:"), confidence: 0.72 },
      // Round 15: Ray's parameter check (ray/_private/parameter.py) naming a port another component already uses.
      {
        match: rx(
          /is trying to use a port number \d+ that is used by other components/,
          "that is used by other components",
        ),
        confidence: 0.82,
      },
      // Upstream phrasebook: HCCL's listen failure (hccl_socket.cc "and specific port[%u] fail. Please check the port
      // status"), Docker's port allocator, glibc's EADDRINUSE in every locale it ships (strerror-l10n.ts).
      { match: rx(/listen on ip\[[^\]]*\] and specific port\[\d+\] fail/, "specific port["), confidence: 0.86 },
      { match: lit("port is already allocated"), confidence: 0.86 },
      { match: l10n("EADDRINUSE"), confidence: 0.82 },
      { match: ascendCode("EJ0003"), confidence: 0.9 },
      { match: ascendCode("EI0019"), confidence: 0.9 },
      { match: lit("Communication_Error_Bind_IP_Port"), confidence: 0.9 },
      { match: lit("Failed to bind the IP port"), confidence: 0.9 },
      { match: lit("have been bound already"), confidence: 0.88 },
      { match: lit("host nic listen start failed"), confidence: 0.86 },
      { match: rx(/HcclGetRootInfo[^\n]*error code is (?:11|7)\b/, "HcclGetRootInfo"), confidence: 0.8 },
      { match: rx(/\[HcclSocket\]\[Listen\][^\n]*\bfail/, "[HcclSocket][Listen]"), confidence: 0.82 },
      { match: lit("The server socket has failed to listen"), confidence: 0.88 },
      // accelerate's launcher checks the main process port before starting (accelerate/commands/launch.py): "Tried to
      // launch distributed communication on port `N`, but another process is utilizing it."
      { match: lit("but another process is utilizing it"), confidence: 0.88 },
      {
        match: rx(
          /errno: 98\b|errno:98\b|Address already in use|address already in use|EADDRINUSE/,
          "errno: 98",
          "errno:98",
          "ddress already in use",
          "EADDRINUSE",
        ),
        confidence: 0.85,
      },
      { match: lit("Failed to call bind"), confidence: 0.8 },
      // ps-lite (src/van.cc): CHECK_NE(my_node_.port, -1) << "bind failed", after trying ports in its range.
      { match: lit("(my_node_.port) != (-1) bind failed"), confidence: 0.8 },
      // Winsock WSAEADDRINUSE (10048) in English and zh-CN (learn.microsoft.com windows-sockets-error-codes-2), the
      // glibc zh_CN text of EADDRINUSE (po/zh_CN.po), Python's errno prefix.
      {
        match: rx(
          /Only one usage of each socket address|通常每个套接字地址|地址已在使用|\[Errno 98\]|\[WinError 10048\]/,
          "Only one usage of each socket address",
          "通常每个套接字地址",
          "地址已在使用",
          "[Errno 98]",
          "[WinError 10048]",
        ),
        confidence: 0.85,
      },
      // WSAEACCES (10013) on Windows: the port is taken or reserved (English and zh-CN system text).
      {
        match: rx(
          /\[WinError 10013\] (?:An attempt was made to access a socket in a way forbidden|以一种访问权限不允许的方式)/,
          "[WinError 10013]",
        ),
        confidence: 0.72,
      },
      // Web front ends (streamlit lib/streamlit/web/server/server.py: "Port %s is already in use").
      { match: rx(/\bPort \d+ is already in use/, "is already in use"), confidence: 0.8 },
    ],
    extract: [
      /port\[(?<port>\d+)\]/,
      /\bport: (?<port>\d+)/,
      /:(?<port>\d{2,5}) \(errno/,
      /:(?<port>\d{2,5}),? (?:A|a)ddress already in use/,
      /MASTER_PORT=(?<port>\d+)/,
    ],
    cause:
      "Another process already listens on the port this job needs: two jobs on one host share MASTER_PORT or the HCCL " +
      "base port (60000+), a stale process from an earlier run is still alive, or scheduler variables injected by the " +
      "platform clash with the launcher's.",
    fixes: [
      {
        id: "find-holder",
        summary: "Find what listens on port <port>.",
        commands: ["ss -ltnp 'sport = :<port>'", "lsof -nP -iTCP:<port> -sTCP:LISTEN"],
      },
      { id: "kill-holder", summary: "If it is a stale run of yours, stop it.", commands: ["kill <pid>"] },
      {
        id: "free-master-port",
        summary: "Or give this job its own rendezvous port.",
        env: { MASTER_PORT: "<free_port>" },
      },
      {
        id: "hccl-base-port",
        summary:
          "For HCCL's own ports (60000+), give each job on the host a distinct base port (newer CANN: auto ranges).",
        env: { HCCL_IF_BASE_PORT: "<free_hccl_base_port>" },
      },
    ],
    references: ["https://github.com/vllm-project/vllm-ascend/issues/405", CANN_ENV_VARS],
  },
  {
    id: "hccl-timeout",
    category: "hccl_timeout",
    title: "Collective communication timed out",
    role: "secondary",
    triggers: [
      // Round 18: ranks that cannot reach each other at all — c10d's client timing out on the rendezvous address
      // (torch/csrc/distributed/c10d/socket.cpp, "The client socket has failed to connect to %s (errno: %d - %s)") and
      // Gloo failing to connect its full mesh (ProcessGroupGloo.cpp): a wrong MASTER_ADDR or network interface.
      { match: rx(C10D_CONNECT_TIMED_OUT, "The client socket has failed to connect to ["), confidence: 0.6 },
      // Gloo's full mesh not connecting (ProcessGroupGloo, "Gloo connectFullMesh failed with [...pair.cc...]"); quoted
      // with its detail cut ("failed ... timed out connecting") it says the same.
      { match: lit("Gloo connectFullMesh failed"), confidence: 0.6 },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/main/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp
      {
        match: rx(/Timeout at NCCL work: \d+, last enqueued NCCL work: -?\d+/, "Timeout at NCCL work: "),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/main/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp
      {
        match: rx(
          /(?:Exception \(either an error or timeout\)|failure) detected by watchdog at work(?: sequence id)?: \d+/,
          "detected by watchdog at work",
        ),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/v2.3.0/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp
      {
        match: rx(
          /Received a global timeout from another rank and will start to dump|Received a timeout signal from this local rank and will start to dump|watchdog detected a collective timeout (?:and notified current rank|from the local rank)/,
          "Received a global timeout from another rank",
          "Received a timeout signal from this local rank",
          "watchdog detected a collective timeout",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/distributed/ProcessGroupHCCL.cpp#L1752
      {
        match: rx(
          /Received a global dump signal from rank -?\d+, and will start to dump the debug info/,
          "Received a global dump signal from rank",
        ),
        confidence: 0.68,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/docs/zh/user_guide/fault_diagnosis/param_link_stage.md
      {
        match: rx(/detects that srcRank \([^)]*\) fails to connect to dstRank/, "detects that srcRank ("),
        confidence: 0.78,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/docs/zh/user_guide/fault_diagnosis/param_link_stage.md
      { match: lit("[InitChannelStage][Timeout]"), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/docs/zh/user_guide/fault_diagnosis/param_link_stage.md
      {
        match: rx(
          /Wait links establish completed failed, local role is \w+\. ret\[9\]/,
          "Wait links establish completed failed",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/docs/zh/user_guide/fault_diagnosis/cluster_info_nego.md
      {
        match: rx(/TopoExchangeAgent: connect server\[[^\]]*\] failed/, "TopoExchangeAgent: connect server["),
        confidence: 0.7,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/docs/zh/user_guide/fault_diagnosis/cluster_info_nego.md
      { match: rx(/fault_info\["Failed to connect agent\[/, "Failed to connect agent["), confidence: 0.7 },
      // Round 17, upstream (seventh pass): https://github.com/ray-project/ray/blob/master/python/ray/util/collective/collective_group/nccl_collective_group.py
      {
        match: rx(
          /Unable to meet other processes at the rendezvous store|Unable to get the NCCLUniqueID from the store/,
          "Unable to meet other processes at the rendezvous",
          "Unable to get the NCCLUniqueID from the store",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/distributed/ParallelTcpStore.cpp#L441
      {
        match: rx(/(?:get key \S+|proxy sync (?:wait|get) msg\S*) failed or timeout\./, " failed or timeout."),
        confidence: 0.58,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/main/torch/csrc/distributed/c10d/ProcessGroupGloo.cpp
      {
        match: rx(
          /successfully reached monitoredBarrier, but received errors while waiting for send\/recv from rank \d+/,
          "reached monitoredBarrier, but received errors",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/hccl/blob/master/examples/02_collectives/01_allreduce/main.cc#L34
      {
        match: rx(/hccl interface return err(?:return err)? \S+:\d+, retcode: 9\b/, "hccl interface return err"),
        confidence: 0.75,
      },
      // Round 16, upstream (third pass): https://github.com/NVIDIA/nccl/blob/master/src/transport/net_ib/p2p.cc#L688
      {
        match: rx(
          /NET\/IB ?: Got completion from peer \S+ with (?:status=\w+\(\d+\)|error \d+|status=\d+)/,
          "Got completion from peer",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream (third pass): https://github.com/NVIDIA/nccl/blob/master/src/bootstrap.cc#L126
      { match: lit("Bootstrap : no socket interface found"), confidence: 0.6 },
      // Round 16, upstream (third pass): https://github.com/NVIDIA/nccl/blob/master/src/bootstrap.cc#L120
      { match: lit("NET/Socket : No usable listening interface found"), confidence: 0.6 },
      // Round 16, upstream (third pass): https://github.com/NVIDIA/nccl/blob/master/src/misc/ibvwrap.cc#L376
      {
        match: rx(
          /Call to ibv_modify_qp failed with (?:\d+ )?(?:error )?(?:Connection timed out|110)/,
          "Call to ibv_modify_qp failed with",
        ),
        confidence: 0.65,
      },
      // Round 16, upstream (third pass): https://github.com/pytorch/gloo/blob/main/gloo/transport/tcp/pair.cc#L538
      { match: lit("This is typically caused by a remote worker hanging or bugs in the application"), confidence: 0.7 },
      // Round 16, upstream (third pass): https://github.com/NVIDIA/nccl/blob/master/src/bootstrap.cc#L577
      {
        match: rx(
          /no device found (?:matching|after excluding) (?:exactly )?\S+, verify NCCL_OOB_NET_IFNAME/,
          "verify NCCL_OOB_NET_IFNAME",
        ),
        confidence: 0.58,
      },
      // Round 16, upstream (third pass): https://github.com/pytorch/gloo/blob/main/gloo/transport/tcp/pair.cc#L523
      {
        match: rx(/gloo\/transport\/tcp\/(?:pair|buffer)\.cc:\d+\] (?:Read|Write) timeout \[/, "gloo/transport/tcp/"),
        confidence: 0.75,
      },
      // Round 16, upstream (third pass): https://github.com/pytorch/gloo/blob/main/gloo/rendezvous/file_store.cc#L152
      {
        match: rx(/gloo\/rendezvous\/\w+_store\.cc:\d+\] Wait timeout for key\(s\)/, "Wait timeout for key(s)"),
        confidence: 0.65,
      },
      // Round 16, upstream (third pass): https://github.com/pytorch/gloo/blob/main/gloo/transport/tcp/device.cc#L84
      {
        match: rx(
          /gloo\/transport\/tcp\/device\.cc:\d+\] Unable to find address for: \S+/,
          "Unable to find address for: ",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/openxla/xla/blob/a4771e3c16767599a6e41e36862d0f639714c274/xla/tsl/distributed_runtime/coordination/coordination_service.cc
      {
        match: lit("This usually happens because a task triggered the barrier too early or too slowly"),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/openxla/xla/blob/a4771e3c16767599a6e41e36862d0f639714c274/xla/tsl/distributed_runtime/coordination/coordination_service.cc
      {
        match: rx(
          /heartbeat timeout\. This indicates that the remote task has failed, got preempted, or crashed unexpectedly/,
          "This indicates that the remote task has failed",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream: https://github.com/openxla/xla/blob/a4771e3c16767599a6e41e36862d0f639714c274/xla/tsl/distributed_runtime/coordination/coordination_service.cc
      { match: lit("The following tasks are unhealthy (stopped sending heartbeats)"), confidence: 0.68 },
      // Round 16, upstream: https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/common_runtime/base_collective_executor.cc
      {
        match: rx(
          /Collective ops is aborted by: [^\n]*(?:Deadline Exceeded|DEADLINE_EXCEEDED|failed to connect to all addresses|timed out|[Hh]eartbeat)/,
          "Collective ops is aborted by",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/ProcessGroupHCCL.cpp#L1761
      { match: lit("ProcessGroupHCCL's watchdog detected a dump signal from rank"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/ProcessGroupHCCL.cpp#L2342
      {
        match: rx(
          /is setting up [NH]CCL communicator and retrieving [nh]cclUniqueId from \[0\] via c10d key-value store/,
          "CCL communicator and retrieving",
        ),
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/ProcessGroupHCCL.cpp#L2143
      { match: lit("First watchdog exec timeout to set the dump signal"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUErrorCodes.h
      { match: lit("all tasks in the specified stream are not completed"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUErrorCodes.h
      { match: lit("the event is not executed completely"), confidence: 0.68 },
      // Round 15, upstream: https://www.hiascend.com/document/detail/en/canncommercial/850/commlib/hcclug/hcclug_000050.html
      {
        match: rx(/\[LinksEstablishCompleted\] is failed\. ret\[9\]/, "[LinksEstablishCompleted] is failed"),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/driver/npu_driver_queue.cc#L1181
      {
        match: rx(/Stream sync timeout, time=\d+ms, total timeout=\d+ms/, "Stream sync timeout, time="),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/event/event.cc#L1158
      { match: rx(/event sync timeout, time=\d+ms, timeout=\d+ms/, "event sync timeout, time="), confidence: 0.68 },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/a54b91e6178d4acf979966b412bc895fc9d42823/mindspore/ccsrc/distributed/cluster/cluster_context.cc
      { match: lit("Topology build timed out."), confidence: 0.62 },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/a54b91e6178d4acf979966b412bc895fc9d42823/mindspore/ccsrc/distributed/cluster/topology/meta_server_node.
      {
        match: rx(
          /The node: \S+ is timed out\. It may exit with exception|The total number of timed out node is \d+/,
          "is timed out. It may exit with exception",
          "The total number of timed out node is",
        ),
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/a54b91e6178d4acf979966b412bc895fc9d42823/mindspore/ccsrc/distributed/cluster/topology/compute_graph_nod
      {
        match: rx(
          /The state of the cluster is error, total nodes num: \d+, abnormal nodes num: \d+/,
          "The state of the cluster is error",
        ),
        confidence: 0.6,
      },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/HCCLUtils.hpp#L32
      { match: rx(/HCCL function error: [^\n]*, error code is 9\b/, "HCCL function error: "), confidence: 0.68 },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/cf1380dfb6c8552c8cdb791a85a89499775ad409/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp
      {
        match: rx(
          /Received a dump signal due to a collective timeout from|Observed flight recorder dump signal from another rank/,
          "Received a dump signal due to a collective timeout",
          "Observed flight recorder dump signal",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/cf1380dfb6c8552c8cdb791a85a89499775ad409/torch/csrc/distributed/c10d/TCPStore.cpp
      { match: rx(/wait timeout after \d+ms, keys: \S+/, "wait timeout after "), confidence: 0.72 },
      // Round 15: the runtime's event wait running out during a collective's task (MindSpore on Ascend).
      { match: lit("event wait timeout occurred during task execution"), confidence: 0.65 },
      // Upstream phrasebook 2: PaddleCustomDevice's RUNTIME_CHECK on an HCCL call returning 9 (HCCL_E_TIMEOUT), HCCL's
      // heartbeat report of a device that went silent.
      { match: rx(/Call Hccl\w+\([^\n]*\) failed : 9\b/, ") failed : 9"), confidence: 0.8 },
      { match: lit("Heartbeat Lost Occurred"), confidence: 0.75 },
      // NCCL's bootstrap socket (include/socket.h "Call to connect timeout"): a peer that never answered.
      { match: lit("NCCL WARN Call to connect timeout"), confidence: 0.75 },
      // Upstream phrasebook: torch_npu's HCCL watchdog (ProcessGroupHCCL.cpp, the NCCL wording with HCCL and the
      // heartbeat monitor), HCCL's rendezvous (topoinfo_exchange_server/agent.cc "get socket timeout", EI0015) and task
      // exception record ([TaskExecStage][Timeout]), gloo's pair timeouts (transport/tcp/pair.h, unbound_buffer.cc).
      { match: lit("Some HCCL operations have failed or timed out"), confidence: 0.75 },
      { match: lit("Heartbeat monitor timed out!"), confidence: 0.75 },
      { match: rx(/topo exchange (?:server|agent) get socket timeout/, "get socket timeout"), confidence: 0.85 },
      { match: ascendCode("EI0015"), confidence: 0.78 },
      { match: lit("[TaskExecStage][Timeout]"), confidence: 0.8 },
      { match: lit("[TaskExecStage][HeartbeatAbnormal]"), confidence: 0.72 },
      { match: lit("Application timeout caused pair closure"), confidence: 0.72 },
      { match: rx(/\bConnect timeout \[[0-9a-fA-F.:]+\]:\d+/, "Connect timeout ["), confidence: 0.75 },
      { match: lit("The execution of the internal task times out"), confidence: 0.72 },
      { match: ascendCode("EI0006"), confidence: 0.86 },
      { match: lit("Get_Socket_Timeout"), confidence: 0.86 },
      { match: lit("Getting socket times out"), confidence: 0.86 },
      { match: ascendCode("EI0002"), confidence: 0.86 },
      { match: lit("Notify register times out"), confidence: 0.86 },
      { match: lit("Notify Wait"), confidence: 0.7 },
      { match: rx(/Hccl\w+, error code is 6\b/, ", error code is 6"), confidence: 0.8 },
      // HCCL_E_TIMEOUT (hccl_types.h: 9) as torch_npu prints an HCCL call's result.
      { match: rx(/Hccl\w*[^\n]{0,160}?error code is 9\b/, "error code is 9"), confidence: 0.8 },
      { match: ascendCode("EE1002"), confidence: 0.84 },
      { match: lit("Stream synchronize timeout"), confidence: 0.84 },
      { match: code("507046"), confidence: 0.75 },
      { match: code("107020"), confidence: 0.78 },
      { match: lit("reason=[task timeout]"), confidence: 0.8 },
      { match: lit("wait for compute device to finish failed"), confidence: 0.78 },
      { match: lit("wait socket establish timeout"), confidence: 0.85 },
      { match: lit("Watchdog caught collective operation timeout"), confidence: 0.85 },
      // torch's store-based barrier at process-group creation (distributed_c10d.py _store_based_barrier): some ranks
      // never arrived within the group's timeout.
      { match: lit("Timed out initializing process group in store-based barrier"), confidence: 0.8 },
      // The heartbeat monitor of ProcessGroupNCCL / ProcessGroupHCCL (torch ProcessGroupNCCL.cpp, torch_npu
      // ProcessGroupHCCL.cpp): the watchdog itself hung on a collective.
      {
        match: rx(/ProcessGroup[NH]CCL's watchdog got stuck for \d+ seconds/, "watchdog got stuck for"),
        confidence: 0.78,
      },
      // A peer went away mid-collective (NCCL misc/socket.cc "Net : Connection closed by remote peer"; gloo's tcp pair
      // "Connection closed by peer").
      {
        match: rx(/Net : Connection closed by remote peer|gloo[^\n]*Connection closed by peer/, "Connection closed by"),
        confidence: 0.65,
      },
      // ms-swift's HCCL checkpoint engine (swift/ray/megatron/checkpoint_engine/hccl.py).
      { match: lit("HCCL metadata timeout"), confidence: 0.8 },
      // CANN runtime (device_error_proc.cc ProcessStarsHcclFftsPlusTimeoutErrorInfo): an HCCL task waited past
      // HCCL_EXEC_TIMEOUT for its peers.
      { match: lit("hccl fftsplus task timeout occurred"), confidence: 0.86 },
      // torch's NCCL process group when a collective fails outright (c10d/ProcessGroupNCCL.cpp, "NCCL error in:") and
      // NCCL's own result names (nccl.h): mostly the echo of a peer that died first.
      { match: rx(/NCCL error in: \S*ProcessGroupNCCL\.cpp:\d+/, "NCCL error in:"), confidence: 0.8 },
      {
        match: rx(
          /\bnccl(?:UnhandledCudaError|SystemError|InternalError|RemoteError)\b/,
          "ncclUnhandledCudaError",
          "ncclSystemError",
          "ncclInternalError",
          "ncclRemoteError",
        ),
        confidence: 0.78,
      },
      {
        match: rx(
          /WorkNCCL\([^\n]*\) timed out in blocking wait|WorkHCCL\([^\n]*\) timed out/,
          "timed out in blocking wait",
          "WorkHCCL(",
        ),
        confidence: 0.85,
      },
      {
        match: rx(/store->get\('[^']*'\) got error: Socket Timeout|Socket Timeout/, "Socket Timeout"),
        confidence: 0.78,
      },
      { match: lit("The client socket has timed out after"), confidence: 0.72 },
      // torchrun's store on node 0 when a node never joined the rendezvous.
      { match: rx(/waiting for clients\. \d+\/\d+ clients joined/, "clients joined"), confidence: 0.8 },
      // torch's NCCL process group after a failed or timed-out collective (c10d/ProcessGroupNCCL.cpp).
      { match: lit("Some NCCL operations have failed or timed out"), confidence: 0.75 },
      // Gloo's transport (gloo/transport/tcp/unbound_buffer.cc) and torch's Gloo barrier (c10d/ProcessGroupGloo.cpp).
      {
        match: rx(/Timed out waiting \d+ms for (?:recv|send) operation to complete/, "operation to complete"),
        confidence: 0.8,
      },
      { match: lit("failed to pass monitoredBarrier"), confidence: 0.8 },
      // The names of the runtime's sync/task timeout codes (rt_error_codes.h: 107020, 507046, 507047) and of HCCL's
      // timeout result (hccl_types.h: HCCL_E_TIMEOUT).
      {
        match: rx(
          /ACL_ERROR_RT_(?:STREAM_SYNC|EVENT_SYNC|TASK)_TIMEOUT\b|HCCL_E_TIMEOUT\b/,
          "ACL_ERROR_RT_STREAM_SYNC_TIMEOUT",
          "ACL_ERROR_RT_EVENT_SYNC_TIMEOUT",
          "ACL_ERROR_RT_TASK_TIMEOUT",
          "HCCL_E_TIMEOUT",
        ),
        confidence: 0.78,
      },
      // The store-based barrier at process-group init (torch/distributed/distributed_c10d.py _store_based_barrier).
      { match: lit("Timed out initializing process group in store based barrier"), confidence: 0.82 },
      // torch elastic's rendezvous gave up waiting for the other nodes
      // (torch/distributed/elastic/rendezvous/api.py RendezvousTimeoutError).
      { match: rx(/\bRendezvousTimeoutError\b/, "RendezvousTimeoutError"), confidence: 0.78 },
      // MindSpore: a rank never got the root rank's HCCL unique id (docs/mindspore/source_en/faq/distributed_parallel.md).
      { match: lit("Failed to fetch the unique id of the collective lib from the meta server node"), confidence: 0.8 },
    ],
    extract: [/RankID:(?<rank>\d+)/, /timeout\[(?<timeout_s>\d+)\]/],
    cause:
      "A collective waited for a rank that never arrived: usually another rank crashed or stalled first (look for its " +
      "error), or it was slow (rank 0 tokenizing the dataset), or the ranks talk over the wrong network interface.",
    fixes: [
      {
        id: "reach-master",
        onlyWhen: RANKS_UNREACHABLE,
        summary:
          "The ranks cannot reach the rendezvous address: set MASTER_ADDR to the master node's address that every node can reach (not an example value) and MASTER_PORT to a port open between the nodes, and check it from a worker node.",
        env: { MASTER_ADDR: "<master node address>", MASTER_PORT: "<open port>" },
        commands: ["nc -zv <master node address> <open port>", "ip -br addr"],
      },
      {
        id: "find-first-error",
        summary: "Find the earliest error on any rank; the timeout is usually its consequence.",
        commands: [
          "grep -n -m 20 -E 'Error|ERROR|EL0004|EZ9999|out of memory' <log_files>",
          "ls -t ~/ascend/log/debug/plog | head",
        ],
      },
      {
        id: "raise-timeouts",
        notWhen: RANKS_UNREACHABLE,
        summary: "If a rank is only slow (data preprocessing, checkpoint save), raise the timeouts.",
        env: { HCCL_CONNECT_TIMEOUT: "1200", HCCL_EXEC_TIMEOUT: "1800" },
        edits: ["launch script: --distributed-timeout-minutes 60"],
      },
      {
        id: "nic",
        summary: "Multi-node: bind HCCL, Gloo and TP sockets to the interface that carries the node IP.",
        env: { HCCL_SOCKET_IFNAME: "<iface>", GLOO_SOCKET_IFNAME: "<iface>", TP_SOCKET_IFNAME: "<iface>" },
      },
      { id: "preprocess", summary: "Preprocess and cache the dataset once before launching on many cards." },
    ],
    references: [
      `${MINDSPEED_FAQ} (#11, #12)`,
      "https://github.com/vllm-project/vllm-ascend/issues/486",
      CANN_ENV_VARS,
    ],
  },
  {
    id: "npu-not-available",
    category: "npu_not_available",
    title: "NPU not visible or device id invalid",
    role: "primary",
    triggers: [
      // Round 17, upstream (sixth pass): https://github.com/Ascend/mind-cluster/blob/master/component/ascend-docker-runtime/runtime/process/process.go#L869
      { match: lit("failed to check ASCEND_VISIBLE_DEVICES parameter"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/nvidia-container-toolkit/blob/main/internal/config/image/cuda_image.go#L286
      {
        match: lit("Ignoring devices requested by environment variable(s) in unprivileged container"),
        confidence: 0.6,
      },
      // Round 17, upstream (sixth pass): https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__TYPES.html
      {
        match: rx(/\b(?:CUDA_ERROR_NO_DEVICE|cudaErrorNoDevice)\b/, "CUDA_ERROR_NO_DEVICE", "cudaErrorNoDevice"),
        confidence: 0.65,
      },
      // Round 17, upstream (sixth pass): https://docs.nvidia.com/deploy/nvidia-smi/index.html
      { match: rx(/^\s*No devices were found\s*$/, "No devices were found"), confidence: 0.62 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/mind-cluster/blob/master/component/ascend-for-volcano/common/util/type.go#L207
      { match: rx(/NPUResourceShortage: ?node/, "NPUResourceShortage:"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/mind-cluster/blob/master/component/ascend-device-plugin/pkg/server/plugin.go#L410
      {
        match: rx(/plugin doesn't have device (?:Ascend\d+\w*|huawei\.com)/, "plugin doesn't have device "),
        confidence: 0.62,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/MindIE-LLM/blob/master/examples/atb_models/atb_llm/utils/dist.py#L111
      { match: lit("NPU is not available, please check device and torch_npu library"), confidence: 0.85 },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json#L160
      { match: lit("Failed to obtain the number of devices and the device list."), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/ROCm/clr/blob/develop/hipamd/src/hip_error.cpp
      { match: lit("no ROCm-capable device is detected"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/ROCm/clr/blob/develop/hipamd/src/hip_error.cpp
      { match: rx(/\bhipErrorNoDevice\b/, "hipErrorNoDevice"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/c10/cuda/CUDAFunctions.cpp
      { match: lit("No HIP GPUs are available"), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/c10/cuda/CUDAFunctions.cpp
      { match: lit("CUDA driver initialization failed, you might not have a CUDA gpu"), confidence: 0.75 },
      // Round 16, upstream: https://github.com/PaddlePaddle/Paddle/blob/5d9dfbe6bed4efdb901ee25014689e4428a1f2f0/paddle/phi/backends/gpu/cuda/cuda_info.cc
      {
        match: rx(/Device id must (?:be )?less than GPU count, but received id is: ?\d+/, "less than GPU count"),
        confidence: 0.72,
      },
      // Round 16, upstream: https://gitee.com/mindspore/docs/blob/r2.6.0/tutorials/source_zh_cn/debug/error_analysis/mindrt_debug.md
      {
        match: rx(
          /package type mindspore-(?:cpu|gpu) support .device_target. type [a-z ]+, but got Ascend/,
          "support 'device_target' type",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/utilities/device_parser.py#L137
      { match: lit("But your machine only has:"), confidence: 0.78 },
      // Round 16, upstream: https://github.com/Lightning-AI/pytorch-lightning/blob/7f0c3436cd3f6ad3753125672024fc415cbcb414/src/lightning/fabric/accelerators/cuda.py#L111
      {
        match: rx(
          /You requested to find \d+ devices but (?:this machine only has \d+ GPUs|there are no visible CUDA devices)/,
          "You requested to find ",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/scheduler/framework/plugins/noderesources/fit.go
      {
        match: rx(
          /Insufficient (?:huawei\.com\/(?:Ascend|npu)|nvidia\.com\/gpu)/,
          "Insufficient huawei.com/",
          "Insufficient nvidia.com/gpu",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/NVIDIA/libnvidia-container/blob/main/src/cli/common.c
      {
        match: rx(/nvidia-container-cli: device error: [^\n]*unknown device/, "nvidia-container-cli: device error: "),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/cm/devicemanager/manager.go
      {
        match: rx(
          /(?:no healthy devices present; cannot allocate unhealthy devices|requested number of devices unavailable for) (?:huawei\.com\/|nvidia\.com\/|amd\.com\/)/,
          "cannot allocate unhealthy devices",
          "requested number of devices unavailable for",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/dcmi/common.go#L35
      {
        match: rx(
          /error code: -80(?:07|08),error desc: (?:Invalid deviceID|The device does not exist)/,
          "error desc: ",
        ),
        confidence: 0.68,
      },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/common/errcode_manage.cc#L84
      {
        match: rx(
          /driver error:(?:no valid device|invalid device)\b/,
          "driver error:no valid device",
          "driver error:invalid device",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cann/ggml-cann.cpp
      { match: lit("failed to initialize CANN:"), confidence: 0.6 },
      // Round 16, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/accelerator.py#L572
      {
        match: rx(
          /fp16 mixed precision requires a (?:GPU|device in [^\n]*) \(not 'cpu'\)/,
          "fp16 mixed precision requires a",
        ),
        confidence: 0.55,
      },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L662
      {
        match: rx(
          /Value [\d,]* for environment variable ASCEND_RT_VISIBLE_DEVICES is invalid/,
          "for environment variable ASCEND_RT_VISIBLE_DEVICES is invalid",
        ),
        confidence: 0.88,
      },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/runtime.cc#L5032
      {
        match: rx(
          /set ASCEND_RT_VISIBLE_DEVICES:\[[^\]\n]*\] (?:cannot be duplicated|error), input data range\[0-\d+\)/,
          "set ASCEND_RT_VISIBLE_DEVICES:[",
        ),
        confidence: 0.86,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/accelerator/real_accelerator.py#L74
      { match: lit("NPU_Accelerator requires torch_npu, which is not installed on this system"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/deepspeed/launcher/runner.py#L471
      { match: lit("Unable to proceed, no GPU resources available"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/openxla/xla/blob/main/xla/client/client_library.cc
      {
        match: rx(
          /RuntimeError: Unable to initialize backend '(?:cuda|rocm|gpu)': FAILED_PRECONDITION: No visible GPU devices/,
          "No visible GPU devices",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/c10/cuda/CUDAFunctions.cpp
      { match: lit("changing env variable CUDA_VISIBLE_DEVICES after program start"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/vllm-project/vllm/blob/main/vllm/v1/executor/ray_utils.py
      { match: lit("Current node has no GPU available"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/huggingface/text-generation-inference/blob/main/launcher/src/main.rs#L1386
      {
        match: rx(/`sharded` is true but only found \d+ CUDA devices/, "`sharded` is true but only found"),
        confidence: 0.72,
      },
      // Round 15: the runtime failing to open the device through the driver (device.cc "Failed to open device,
      // retCode=0x7020014", the driver's drvDeviceOpen).
      {
        match: rx(
          /Failed to open device, retCode=0x7020014|drvDeviceOpen failed: deviceId=\d+/,
          "Failed to open device, retCode=0x7020014",
          "drvDeviceOpen failed",
        ),
        confidence: 0.78,
      },
      // Upstream phrasebook 2: vllm-ascend and verl finding no NPU among the visible devices or for the local rank.
      { match: lit("No NPU devices found or specified in ASCEND_RT_VISIBLE_DEVICES"), confidence: 0.85 },
      { match: lit("The current process is not running on the npu device"), confidence: 0.75 },
      {
        match: rx(
          /local_rank \d+ is out of bounds for the available NPU devices/,
          "is out of bounds for the available NPU devices",
        ),
        confidence: 0.85,
      },
      // Upstream phrasebook: torch_npu (NPUFunctions.cpp "No NPUs are available", npu/__init__.py "Invalid device id",
      // NPUCachingAllocator.cpp "Invalid device argument", ProcessGroupHCCL.cpp "Invalid device number"), the runtime
      // (api_error.cc: a device id outside the visible list or the device count; the driver's EL0001), torch.load of
      // storages saved on a device index this host does not have (torch/serialization.py).
      { match: lit("No NPUs are available"), confidence: 0.85 },
      { match: rx(/AssertionError: Invalid device id\b/, "Invalid device id"), confidence: 0.75 },
      { match: rx(/Invalid device argument \d+: did you call init\?/, "did you call init?"), confidence: 0.75 },
      { match: rx(/Invalid device number\d+/, "Invalid device number"), confidence: 0.72 },
      { match: lit("Failed to convert the user device ID"), confidence: 0.88 },
      { match: rx(/for parameter (?:drv )?devId is invalid/, "devId is invalid"), confidence: 0.82 },
      { match: ascendCode("EL0001"), confidence: 0.75 },
      { match: lit("Device not found or invalid"), confidence: 0.75 },
      {
        match: rx(
          /Attempting to deserialize object on \w+ device \d+ but torch\.\w+\.device_count\(\) is \d+/,
          "Attempting to deserialize object on ",
        ),
        confidence: 0.75,
      },
      { match: code("207004"), confidence: 0.86 },
      { match: lit("The device is unavailable"), confidence: 0.8 },
      // The availability check itself answering False, as printed or reported ("torch.npu.is_available() is False").
      {
        match: rx(/torch\.npu\.is_available\(\)`?:? *(?:is |returns? |=+ *|-> *)?False\b/i, "npu.is_available()"),
        confidence: 0.7,
      },
      { match: lit("must be configured in ascending order"), confidence: 0.9 },
      {
        match: ascendCode("EE1001"),
        near: [lit("ASCEND_RT_VISIBLE_DEVICES"), lit("VISIBLE_DEVICES")],
        within: 4,
        confidence: 0.88,
      },
      { match: rx(/ErrCode=107001|device id error/, "ErrCode=107001", "device id error"), confidence: 0.86 },
      // The same code where torch_npu reports it ("AclrtSetDevice(device_index), error code is 107001";
      // ACL_ERROR_RT_INVALID_DEVICEID in rt_error_codes.h).
      { match: code("107001"), confidence: 0.8 },
      { match: lit("Set visible device failed"), confidence: 0.88 },
      // A device id beyond the visible cards: MindSpore's aclrtSetDevice check (docs/mindspore/source_en/faq/
      // distributed_parallel.md) and CUDA's cudaErrorInvalidDevice text.
      { match: lit("please check if device id is valid"), confidence: 0.85 },
      // MindSpeed-LLM FAQ #8 (docs/zh/FAQ.md): more processes per node than visible NPUs.
      { match: rx(/Invalid device ID|SetDevice failed/, "Invalid device ID", "SetDevice failed"), confidence: 0.68 },
      { match: lit("invalid device ordinal"), confidence: 0.78 },
      // CANN's EL0002 ("The device ID is invalid", error-code reference) and torch's device-index check
      // (aten/src/ATen/cuda/CUDAContext.cpp: "device >= 0 && device < num_gpus INTERNAL ASSERT FAILED"): a process
      // given a device index beyond the cards it can see.
      {
        match: rx(
          /\bEL0002[:\s][^\n]*device|The device ID is invalid/,
          "EL0002:",
          "EL0002 ",
          "EL0002\t",
          "The device ID is invalid",
        ),
        confidence: 0.8,
      },
      { match: lit("device >= 0 && device < num_gpus"), confidence: 0.8 },
      // cudaErrorNoDevice: the runtime sees no device at all.
      { match: lit("no CUDA-capable device is detected"), confidence: 0.65 },
      // The names of runtime codes 207004 and 107001 (rt_error_codes.h).
      {
        match: rx(
          /ACL_ERROR_RT_(?:NO_DEVICE|INVALID_DEVICEID)\b/,
          "ACL_ERROR_RT_NO_DEVICE",
          "ACL_ERROR_RT_INVALID_DEVICEID",
        ),
        confidence: 0.82,
      },
      {
        match: ascendCode("EL0003"),
        near: [code("507033"), lit("Failed to open device"), lit("SetDevice")],
        within: 10,
        confidence: 0.86,
      },
      {
        match: code("507033"),
        unless: [ascendCode("EL0004"), ascendCode("E30006"), ascendCode("EJ0001")],
        within: 12,
        confidence: 0.45,
      },
    ],
    extract: [
      /invalid device=(?<device>\d+)/,
      /deviceId=(?<device>\d+)/,
      /ASCEND_RT_VISIBLE_DEVICES[:=] ?'?(?<visible>[\d,]+)/,
    ],
    cause:
      "The process asked for an NPU that is not visible to it: ASCEND_RT_VISIBLE_DEVICES is unordered, names ids that do " +
      "not exist or was changed after the process started, or the device was not passed into the container or VM.",
    fixes: [
      {
        id: "check-visible",
        summary: "List the cards this environment can see.",
        commands: ["npu-smi info", "ls /dev/davinci*", "echo $ASCEND_RT_VISIBLE_DEVICES"],
      },
      {
        id: "set-visible",
        summary: "List only existing ids, in ascending order, before the process starts.",
        env: { ASCEND_RT_VISIBLE_DEVICES: "<visible_devices>" },
      },
      {
        id: "container-devices",
        summary:
          "In a container, pass every card: --device /dev/davinciN for each id plus /dev/davinci_manager, /dev/devmm_svm and /dev/hisi_hdc.",
      },
    ],
    references: ["https://github.com/Ascend/pytorch/issues/67", "https://github.com/gpustack/gpustack/issues/3352"],
  },
  {
    id: "device-p2p-driver-error",
    category: "device_p2p_driver_error",
    title: "Cross-device (P2P) copy refused by the driver, or the card failing (uncorrectable ECC, gone from the bus)",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/pcie/host/devdrv_ctrl.c#L4582
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/ub/host/ascend_ub_main_adapt.c#L549
      {
        match: rx(/\b(?:index_id|dev_id) used up\. \(pid=\d+; (?:index_id|dev_id)=\d+; peer_/, "used up. (pid="),
        confidence: 0.72,
      },
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/pcie/host/devdrv_ctrl.c#L4592
      {
        match: rx(/Device configured failed\. \(pid=\d+; index_id=/, "Device configured failed. (pid="),
        confidence: 0.7,
      },
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/pcie/host/devdrv_dma.c#L872
      { match: rx(/Dma copy failed\. \(dev_id=\d+; chan_id=/, "Dma copy failed. (dev_id="), confidence: 0.7 },
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/pcie/host/devdrv_msg.c#L1121
      { match: lit("Check failed, device_status is dead"), confidence: 0.8 },
      // Round 24, upstream (tenth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/api/impl/api_error.cc#L3378
      // Round 24, upstream (tenth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/api/impl/api_error.cc#L3419
      {
        match: rx(
          /Disable P2P failed, dest deviceId=|Get P2P status failed, dest devId=/,
          "Disable P2P failed",
          "Get P2P status failed",
        ),
        confidence: 0.75,
      },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/drivers/iommu/intel/dmar.c
      {
        match: rx(
          /DMAR: \[DMA (?:Read|Write)(?: NO_PASID| PASID 0x[0-9a-f]+)?\] Request device \[[0-9a-fx:.]+\](?: PASID \w+)? fault addr/,
          "] Request device [",
        ),
        confidence: 0.5,
      },
      // Round 24, upstream (tenth pass): https://github.com/torvalds/linux/blob/v6.6/drivers/iommu/amd/iommu.c
      { match: rx(/AMD-Vi: Event logged \[IO_PAGE_FAULT /, "Event logged [IO_PAGE_FAULT"), confidence: 0.5 },
      // Round 20, tune: the NVIDIA kernel driver could not bring a card up (NVRM's "RmInitAdapter failed!" in dmesg), and
      // CUDA's p2pBandwidthLatencyTest finding cards that cannot reach each other ("Device=3 CANNOT Access Peer Device=0").
      {
        match: rx(
          /NVRM: RmInitAdapter failed!|rm_init_adapter failed for device/,
          "RmInitAdapter failed",
          "rm_init_adapter failed",
        ),
        confidence: 0.75,
      },
      { match: rx(/Device=\d+ CANNOT Access Peer Device=\d+/, "CANNOT Access Peer Device="), confidence: 0.55 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/inc/engine/engine.hpp#L40
      { match: rx(/Device\[\d+\] lost heartbeat\./, "] lost heartbeat."), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/inc/engine/engine.hpp#L50
      { match: rx(/Device \d+, status \d+, DEV_RUNNING_DOWN/, "DEV_RUNNING_DOWN"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/engine/engine.cc#L743
      { match: lit("Device status failure, ret="), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/stream/stream_david.cc#L1036
      { match: rx(/device running down, device_id=\d+/, "device running down, device_id="), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/stream/stream.cc#L3421
      { match: rx(/Device \d+ is unavailable, stream_id=\d+/, "is unavailable, stream_id="), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/device_error_core_proc.cc#L1161
      { match: lit("RAS event detail: device_id="), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUQueue.cpp#L563
      { match: lit("HBM MULTI BIT ECC ERROR"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUException.cpp#L329
      { match: lit("get UCE ERROR, retSize is"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/npu/Stress_detect.cpp#L108
      { match: lit("Stress detect failed due to hardware malfunction"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/npu/Stress_detect.cpp#L123
      { match: lit("Error message is Voltage recovery failed"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/dms/devmng/dc/heart_beat/hb_host.c#L399
      { match: lit("The device urgent heartbeat is lost!"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/ub/host/ascend_ub_main_adapt.c#L1092
      { match: lit("Device heart beat lost, stop all msg send"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/svm/v2/common/svm_dma.c#L80
      { match: lit("Device is offline, can not dma copy"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/src/sdk_driver/comm/pcie/host/devdrv_s2s_msg.c#L423
      { match: lit("device_status not alive"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUQueue.cpp#L401
      { match: lit("UCE ERROR happened, set task queue status"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/core/npu/NPUQueue.cpp#L418
      { match: lit("LINK ERROR happened, set task queue status"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/runtime.cc#L2097
      { match: lit("TsdOpen failed:Device is disconnected"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L215
      { match: lit("Failed to send the OPP to the device"), confidence: 0.7 },
      // Round 17, upstream (seventh pass): https://github.com/NVIDIA/nccl/blob/master/src/transport/p2p.cc#L355
      {
        match: rx(/failed to peer with device \d+(?:\(=[0-9a-f]+\))?: \d+ /, "failed to peer with device "),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/hccn/hccn_tool.go
      { match: rx(/^\s*link status: DOWN\s*$/, "link status: DOWN"), confidence: 0.55 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json
      {
        match: rx(
          /EI0010: |\(EI0010\)|Communication_Error_P2P|P2P communication failed\. Reason:/,
          "EI0010: ",
          "(EI0010)",
          "Communication_Error_P2P",
          "P2P communication failed. Reason:",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUQueue.cpp#L167
      {
        match: rx(
          /NPU function error: SUSPECT REMOTE ERROR|ACL_ERROR_RT_SUSPECT_REMOTE_ERROR/,
          "SUSPECT REMOTE ERROR",
          "ACL_ERROR_RT_SUSPECT_REMOTE_ERROR",
        ),
        confidence: 0.62,
      },
      // Round 17, upstream (seventh pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUQueue.cpp#L167
      {
        match: rx(
          /NPU function error: HCCL OP RETRY FAILED|reason=\[?hccl op retry failed|ACL_ERROR_RT_COMM_OP_RETRY_FAIL/,
          "HCCL OP RETRY FAILED",
          "hccl op retry failed",
          "ACL_ERROR_RT_COMM_OP_RETRY_FAIL",
        ),
        confidence: 0.55,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/runtime/core/src/common/errcode_manage.cc#L106
      {
        match: rx(
          /reason=\[?(?:device (?:local )?mem error|hbm Multi-bit ECC error|suspect device mem error|hccl ccu task error: device local mem error)\]?/,
          "device mem error",
          "device local mem error",
          "Multi-bit ECC error",
          "suspect device mem error",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/runtime/core/src/common/errcode_manage.cc#L107
      { match: rx(/reason=\[?(?:device network )?link error\b/, "link error"), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUQueue.cpp#L162
      {
        match: rx(
          /NPU function error: (?:UCE ERROR|SUSPECT MEM ERROR|HCCS LINK ERROR|UB LINK ERROR)/,
          "UCE ERROR",
          "SUSPECT MEM ERROR",
          "HCCS LINK ERROR",
          "UB LINK ERROR",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/runtime/core/src/common/errcode_manage.cc#L285
      {
        match: rx(
          /reason=\[?(?:lost heartbeat|hdc disconnect|device ub mem error|device remote mem error)\b/,
          "lost heartbeat",
          "hdc disconnect",
          "device ub mem error",
          "device remote mem error",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUErrorCodes.h#L422
      {
        match: rx(
          /The task scheduler loses the heartbeat\.|System Direct Memory Access \(DMA\) hardware execution error\.|The internal host device communication \(HDC\) session is disconnected\./,
          "task scheduler loses the heartbeat",
          "hardware execution error",
          "session is disconnected",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json#L1153
      { match: rx(/The network port is down\./, "network port is down"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json#L1087
      { match: rx(/An error CQE occurred during operator execution\./, "An error CQE occurred"), confidence: 0.55 },
      // Round 16, upstream (second pass): https://github.com/hicann/driver/blob/master/src/sdk_driver/dms/devmng/dc/heart_beat/hb_read.c#L204
      { match: rx(/Heartbeat lost! \(device_id=\d+; old_count=/, "Heartbeat lost! (device_id="), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json#L193
      {
        match: rx(/E3(?:0005|9009): [^\n]*Failed to connect the device\./, "Failed to connect the device"),
        confidence: 0.65,
      },
      // Round 15, upstream: CUDA
      {
        match: rx(
          /uncorrectable NVLink error (?:was )?detected|cudaErrorNvlinkUncorrectable|CUDA_ERROR_NVLINK_UNCORRECTABLE/,
          "uncorrectable NVLink error",
          "cudaErrorNvlinkUncorrectable",
          "CUDA_ERROR_NVLINK_UNCORRECTABLE",
        ),
        confidence: 0.78,
      },
      // Upstream phrasebook 2: the runtime's peer checks (api_error.cc, npu_driver.cc: halDeviceCanAccessPeer, "Device
      // can access peer failed", "Enable P2P failed", P2P queries in offline mode), the driver's PCIe and memory
      // managers refusing P2P (devdrv "not support p2p", "May not enable p2p", devmm "Device copy data p2p failed"),
      // NCCL failing to enable or query P2P between two GPUs.
      {
        match: rx(
          /halDeviceCanAccessPeer failed|Device can access peer failed|EnableP2P:Enable P2P failed|DeviceCanAccessPeer:This feature is not supported|Device copy data p2p failed/,
          "halDeviceCanAccessPeer failed",
          "Device can access peer failed",
          "Enable P2P failed",
          "DeviceCanAccessPeer:This feature",
          "Device copy data p2p failed",
        ),
        confidence: 0.85,
      },
      {
        match: rx(
          /Src_dev and dst_dev not support p2p|Vf not support p2p|Not support p2p\. \(pid=|May not enable p2p, please check/,
          "not support p2p",
          "Not support p2p.",
          "May not enable p2p",
        ),
        confidence: 0.82,
      },
      {
        match: rx(
          /NCCL INFO (?:Could not enable P2P between dev|peer query failed between dev)/,
          "Could not enable P2P between dev",
          "peer query failed between dev",
        ),
        confidence: 0.65,
      },
      // Upstream phrasebook: torch_npu refusing or failing P2P (NPUPeerToPeerAccess.cpp "reached P2P connection limit",
      // CopyKernel.cpp "p2p enable from %d to %d is fails"), CUDA's cudaErrorPeerAccessNotEnabled, NCCL's topology
      // check (graph/paths.cc "P2P is disabled between NVLINK connected GPUs").
      {
        match: rx(
          /has reached P2P connection limit|Cannot enable P2P between devices/,
          "P2P connection limit",
          "Cannot enable P2P between",
        ),
        confidence: 0.85,
      },
      { match: rx(/p2p enable from \d+ to \d+ is fails/, "is fails"), confidence: 0.82 },
      { match: lit("peer access has not been enabled"), confidence: 0.75 },
      { match: lit("P2P is disabled between NVLINK connected GPUs"), confidence: 0.82 },
      { match: lit("halDeviceEnableP2P"), confidence: 0.9 },
      { match: lit("aclrtDeviceEnablePeerAccess"), confidence: 0.88 },
      { match: code("507899"), confidence: 0.55 },
      { match: lit("rtDeviceCanAccessPeer"), confidence: 0.85 },
      // CUDA's cudaErrorTooManyPeers (711, CUDA_ERROR_TOO_MANY_PEERS): the driver's per-device limit on peer mappings
      // (8 peers) is spent, as when every pair of 10 GPUs enables peer access.
      { match: lit("peer mapping resources exhausted"), confidence: 0.86 },
      // accelerate's state check (accelerate/state.py) on RTX 40-series cards, which have no P2P: it asks for
      // NCCL_P2P_DISABLE=1 and NCCL_IB_DISABLE=1.
      { match: lit("doesn't support faster communication broadband via P2P or IB"), confidence: 0.86 },
      // CUDA/driver wording of the same refusal (error 217, cudaErrorPeerAccessUnsupported).
      {
        match: rx(
          /peer access is not supported between|cudaErrorPeerAccessUnsupported|EnablePeerAccess failed/,
          "peer access is not supported",
          "cudaErrorPeerAccessUnsupported",
          "EnablePeerAccess failed",
        ),
        confidence: 0.88,
      },
      // NCCL reports a CUDA call's failure by its number (src/include/checks.h: "Cuda failure %d '%s'"); 217 is
      // cudaErrorPeerAccessUnsupported. Serving stacks check P2P themselves and say so in words.
      { match: rx(/Cuda failure 217\b/, "Cuda failure 217"), confidence: 0.86 },
      // CUDA error 205 (cudaErrorMapBufferObjectFailed, "mapping of buffer object failed"): the driver could not map
      // another GPU's memory, met when enabling peer access or in the P2P samples on consumer cards.
      {
        match: rx(
          /cudaErrorMapBufferObjectFailed|'mapping of buffer object failed'/,
          "cudaErrorMapBufferObjectFailed",
          "'mapping of buffer object failed'",
        ),
        confidence: 0.72,
      },
      {
        match: rx(
          /[Pp]eer[- ]to[- ][Pp]eer (?:access )?is (?:unsupported|not supported)|P2P (?:access )?is not supported/,
          "eer access is unsupported",
          "eer-to-peer access is unsupported",
          "eer access is not supported",
          "eer-to-peer access is not supported",
          "eer to peer access is not supported",
          "eer to peer access is unsupported",
          "P2P is not supported",
          "P2P access is not supported",
        ),
        confidence: 0.8,
      },
      // Round 15: the card's own memory failing its error check, a device fault below the program as the P2P refusals
      // are: CUDA's cudaErrorECCUncorrectable (214; 39 in CUDA < 8, as THC printed it: "cuda runtime error (39) :
      // uncorrectable ECC error encountered"), the driver API's CUDA_ERROR_ECC_UNCORRECTABLE, the Ascend runtime's
      // multi-bit ECC error in HBM (rt_error_codes.h 507054).
      {
        match: rx(
          CUDA_ECC,
          "uncorrectable ECC error encountered",
          "CUDA_ERROR_ECC_UNCORRECTABLE",
          "cudaErrorECCUncorrectable",
        ),
        confidence: 0.88,
      },
      { match: lit("ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR"), confidence: 0.88 },
      // Round 16: the kernel's APEI report of an uncorrected memory error (drivers/firmware/efi/cper.c prints each
      // "[Hardware Error]" section, its "error_type: 3, multi-bit ECC"), as an NPU's own OS logs it to its black box.
      { match: rx(MULTI_BIT_ECC, "multi-bit ECC"), confidence: 0.75 },
      { match: code("507054"), confidence: 0.8 },
      // Round 18: the NVIDIA kernel driver's Xid reports of a card failing (dmesg's "NVRM: Xid (PCI:…): 79, …, GPU has
      // fallen off the bus"), https://docs.nvidia.com/deploy/xid-errors/ — a fault of the card, not of the program.
      { match: rx(NVIDIA_CARD_FAULT, "NVRM: Xid (PCI:", "GPU has fallen off the bus"), confidence: 0.82 },
      // One operation given tensors on two different NPUs: a per-rank load put the tensor on another rank's card.
      {
        match: rxWhen(
          /found at least two devices, npu:(?<a>\d+) and npu:(?<b>\d+)/,
          ["found at least two devices, npu:"],
          (g) => g.a !== g.b,
        ),
        confidence: 0.7,
      },
    ],
    cause:
      "A tensor was copied between two NPUs directly (for example a checkpoint or LoRA adapter loaded onto npu:0 by every " +
      "rank), which needs peer-to-peer access that the driver refused. Where the log reports an uncorrectable ECC error " +
      "instead, the card's memory failed its error check: a hardware fault (or a page waiting to be retired until the " +
      "card is reset), not something in the program or its settings.",
    fixes: [
      {
        id: "map-location",
        notWhen: CARD_FAULT,
        summary: "Load checkpoints on the CPU (or the rank's own device) and move them afterwards.",
        edits: [
          "checkpoint loading: torch.load(path, map_location='cpu'); adapters: PeftModel.from_pretrained(..., device_map={'': 'cpu'})",
        ],
      },
      {
        id: "no-cross-copy",
        notWhen: CARD_FAULT,
        summary: "Avoid fixed device ids in per-rank code.",
        edits: ["per-rank code: .to(f'npu:{torch.npu.current_device()}') instead of .to('npu:0')"],
      },
      {
        id: "check-ecc",
        onlyWhen: CARD_FAULT,
        summary:
          "A card failing (an uncorrectable ECC error, a card gone from the bus): read the cards' health, ECC counters and the kernel log to find it.",
        commands: [
          "npu-smi info",
          "npu-smi info -t health -i <device>",
          "nvidia-smi -q -d ECC",
          "dmesg -T | grep -E 'NVRM: Xid|Hardware Error'",
        ],
      },
      {
        id: "exclude-card",
        onlyWhen: CARD_FAULT,
        summary:
          "Run without a card that reports faults (ECC errors, gone from the bus) until it is reset or replaced, and tell the cluster's administrator.",
        edits: [
          "launch environment: ASCEND_RT_VISIBLE_DEVICES (or CUDA_VISIBLE_DEVICES) listing only the healthy cards",
        ],
      },
    ],
    references: [
      "https://github.com/modelscope/ms-swift/issues/9135",
      "https://docs.nvidia.com/deploy/a100-gpu-mem-error-mgmt/index.html",
    ],
  },
  {
    id: "aicore-error",
    category: "aicore_error",
    title: "Kernel crashed on the device (AI Core / AI CPU exception)",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/common/errcode_manage.cc#L415
      {
        match: rx(
          /reason=(?:aicore|vector core) (?:timeout|exception|trap (?:exception|read overflow|write overflow))|reason=aicpu timeout/,
          "reason=aicore ",
          "reason=vector core ",
          "reason=aicpu timeout",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/device_error_core_proc.cc#L545
      { match: rx(/there is an error of (?:aicore|aivec), core id is \d+/, "there is an error of "), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/device_error_core_proc.cc#L1224
      { match: lit('Search for the keyword "AI Core Error"'), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/task/task_info/davinci/davinci_kernel_task.cc#L94
      { match: lit("AI Core kernel execution failed, device_id="), confidence: 0.85 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/feature/ffts/ffts_task.cc#L761
      {
        match: rx(/FftsPlus task execution failed, [^\n]*fault kernel_name=/, "FftsPlus task execution failed"),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/v200_base/device_error_proc_c.cc#L818
      { match: lit("exception occurred during fusion kernel task execution"), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/feature/fusion/fusion_task.cc#L428
      { match: rx(/Fusion kernel execute failed, device_id=\d+/, "Fusion kernel execute failed"), confidence: 0.8 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/device_error_core_proc.cc#L1314
      { match: lit("aicore task timeout dfx"), confidence: 0.7 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/task/task_info/davinci/davinci_kernel_task.cc#L91
      { match: rx(/\[AIC_INFO\] (?:args\(\d+ to \d+\) )?after execute:/, "[AIC_INFO] "), confidence: 0.72 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/device/device_error_proc.cc#L551
      { match: lit("An exception occurred during AI CPU execution, stream_id:"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L127
      { match: lit("AI CPU operator execution timed out."), confidence: 0.72 },
      // Round 15: the AI CPU's reports in the runtime's other capitalisation.
      {
        match: rx(
          /exception during AICPU execution|Aicpu kernel execute failed/,
          "during AICPU execution",
          "Aicpu kernel execute failed",
        ),
        confidence: 0.85,
      },
      // Upstream phrasebook: torch_npu's words for the runtime's kernel-exception codes 507014-507018 and 507034-507045
      // (torch_npu/csrc/core/npu/NPUErrorCodes.h), and the runtime's report naming the faulting kernel.
      {
        match: rx(
          /The (?:aicore|aicpu|vector core) execution (?:times out|is abnormal)|An exception occurs when (?:the aicore trap is|vector core traps are) executed|Vector core execution timed out|(?:aicore|Vector core) trap (?:read|write) out-of-bounds exception/,
          " execution times out",
          " execution is abnormal",
          "An exception occurs when ",
          "Vector core execution timed out",
          " out-of-bounds exception",
        ),
        confidence: 0.82,
      },
      { match: lit("Aicore kernel execute failed"), confidence: 0.85 },
      { match: lit("aivec error"), confidence: 0.88 },
      { match: lit("aivector error"), confidence: 0.88 },
      {
        match: lit("fftsplus"),
        // CANN runtime's "hccl fftsplus task timeout" (device_error_proc.cc) is a collective that waited too long.
        unless: [lit("hccl fftsplus task timeout")],
        within: 0,
        confidence: 0.8,
      },
      { match: lit("UB address"), confidence: 0.85 },
      { match: lit("aicpu exception"), confidence: 0.88 },
      // The runtime's task report for an AI CPU kernel that did not finish (retCode 0x28), and its kernel report.
      { match: lit("[aicpu timeout]"), confidence: 0.82 },
      { match: lit("aicpu kernel execute failed"), confidence: 0.8 },
      // The runtime's device error report (device_error_proc.cc ProcessStarsAicpuErrorInfo): "The error from
      // device(chipId:0, dieId:0), serial number is 13, an exception occurred during AICPU execution".
      { match: lit("an exception occurred during AICPU execution"), confidence: 0.86 },
      { match: lit("aicore exception"), confidence: 0.88 },
      // CANN's report "there is an aicore error exception" / "an exception of aicore error" (CANN troubleshooting,
      // asys aicore_error analysis) and the runtime's names of the kernel exception codes (rt_error_codes.h).
      { match: lit("aicore error"), confidence: 0.86 },
      {
        match: rx(
          /ACL_ERROR_RT_(?:AICORE|AIVEC|AICPU|VECTOR_CORE|FFTS_PLUS)_(?:TRAP_)?(?:EXCEPTION|TIMEOUT)\b/,
          "ACL_ERROR_RT_AICORE_",
          "ACL_ERROR_RT_AIVEC_",
          "ACL_ERROR_RT_AICPU_",
          "ACL_ERROR_RT_VECTOR_CORE_",
          "ACL_ERROR_RT_FFTS_PLUS_",
        ),
        confidence: 0.8,
      },
      // The CUDA counterpart: a kernel faulted on the device (cudaErrorIllegalAddress, c10/cuda/CUDAException.h).
      { match: lit("an illegal memory access was encountered"), confidence: 0.6 },
      // CUDA's other kernel faults (cudaErrorLaunchFailure, cudaErrorMisalignedAddress, cudaErrorIllegalInstruction).
      {
        match: rx(
          /CUDA error: (?:unspecified launch failure|misaligned address|an illegal instruction was encountered)/,
          "CUDA error: ",
        ),
        confidence: 0.6,
      },
      { match: lit("Kernel task happen error"), confidence: 0.82 },
      { match: ascendCode("E39999"), confidence: 0.8 },
      {
        match: rx(
          /(?:error code is|error code:|result\s*=|ErrCode=|retCode=|code is:)\s*5070(?:15|35|14)\b/,
          "error code is",
          "error code:",
          "result =",
          "result=",
          "ErrCode=",
          "retCode=",
          "code is:",
        ),
        confidence: 0.78,
      },
      { match: ascendCode("EZ9999"), confidence: 0.6 },
    ],
    cause:
      "An operator kernel failed on the NPU: CANN kernels older or newer than torch_npu expects, a shape or dtype the " +
      "kernel does not support, or a real operator bug.",
    fixes: [
      {
        id: "blocking",
        summary: "Rerun with synchronous launch so the failing operator is named.",
        env: { ASCEND_LAUNCH_BLOCKING: "1" },
      },
      {
        id: "align-kernels",
        summary: "Install the CANN toolkit and kernels of the release torch_npu was built for (kernels are per SoC).",
      },
      {
        id: "workaround",
        summary: "Try fp32 or another shape for the failing op; report it to CANN with the plog.",
        commands: ["ls -t ~/ascend/log/debug/plog | head"],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#1)`, "https://github.com/hiyouga/LlamaFactory/issues/4836"],
  },
  {
    id: "dtype-unsupported",
    category: "dtype_unsupported",
    title: "Data type not supported on this chip",
    role: "primary",
    triggers: [
      // Round 21: the old TH dispatch's refusal of a dtype on a backend ("_th_equal not supported on CPUType for
      // BFloat16"), as torch before 1.5 printed it.
      {
        match: rx(/\bnot supported on \w*Type for (?:BFloat16|Half|ComplexFloat|ComplexDouble|Bool)\b/, "Type for "),
        confidence: 0.8,
      },
      // Round 20, tune: torch's ProcessGroupNCCL on a dtype the NCCL it was built with cannot reduce (bfloat16 before NCCL
      // 2.10), and torch.from_numpy/as_tensor (torch/csrc/utils/tensor_numpy.cpp) on an array of a dtype no tensor has.
      { match: lit("Input tensor data type is not supported for NCCL process group"), confidence: 0.8 },
      {
        match: rx(
          /can't convert np\.ndarray of type [\w.]+\. The only supported types are/,
          "The only supported types are",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (seventh pass): https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cuda/Blas.cpp
      {
        match: rx(
          /expected m(?:at)?1 and m(?:at)?2 to have the same dtype, but got: [^\n]*(?:BFloat16|Half)/,
          "to have the same dtype, but got: ",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (seventh pass): https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py
      { match: lit("--tf32 requires Ampere or a newer GPU arch"), confidence: 0.82 },
      // Round 17, upstream (seventh pass): https://github.com/hicann/opbase/blob/aa3cd74b7f6d772acd64ff48292a7e65a9bc8142/include/op_common/log/log.h#L276
      {
        match: rx(/(?:Input p|P)arameter \w+ of \w+ has incorrect dtype \w+\. It should be/, "has incorrect dtype"),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/opbase/blob/aa3cd74b7f6d772acd64ff48292a7e65a9bc8142/src/nnopbase/composite_op/log/op_error_manager.cpp#L99
      {
        match: rx(
          /Operator \w+ does not support data type \w+\. The supported data type range is/,
          "does not support data type",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/opbase/blob/aa3cd74b7f6d772acd64ff48292a7e65a9bc8142/src/op_common/log/log.cpp#L103
      {
        match: rx(
          /In op\[\w+\], the dtype of input\[\w+\] should be one of \[[^\]\n]*\], but actually is \[/,
          "], but actually is [",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (seventh pass): https://github.com/hicann/opbase/blob/aa3cd74b7f6d772acd64ff48292a7e65a9bc8142/src/nnopbase/individual_op/executor/indv_executor.cpp#L304
      { match: lit("Supported dtype and format list is:"), confidence: 0.65 },
      // Round 17, upstream (seventh pass): https://github.com/mindspore-ai/mindspore/blob/2b08f1dcba8a942102addb8c8bc08d9f24445eed/mindspore/ccsrc/plugin/device/ascend/hal/device/kernel_select_
      {
        match: rx(
          /Can not select a valid kernel info for \[[^\]\n]+\] in AI CORE or AI CPU kernel info candidates list/,
          "Can not select a valid kernel info for",
        ),
        confidence: 0.68,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json
      {
        match: rx(/OP\[[^\]\n]*\] [^\n]*has incorrect dtype\[: ?[^\]\n]+\], it should be/, "has incorrect dtype"),
        confidence: 0.6,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/ascend-transformer-boost/blob/master/src/ops/ops_infer/all_reduce/all_reduce_operation.cpp#L189
      {
        match: rx(
          /inference products hccl (?:allreduce|reducescatter)(?: prod)? is not support int(?:16|64) , bf16/,
          "inference products hccl",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json#L1719
      {
        match: rx(
          /op needs to be \[[^\]\n]*\], but incoming data type is \[|of op\[[^\]\n]*\] must in \[[^\]\n]*\], actual dtype is \[/,
          "but incoming data type is",
          "actual dtype is",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/src/diffusers/pipelines/pipeline_utils.py#L592
      {
        match: rx(
          /Pipelines loaded with `(?:torch_)?dtype=torch\.float16` cannot run with `cpu`/,
          "=torch.float16` cannot run with `cpu`",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/Dao-AILab/flash-attention/blob/v2.5.4/csrc/flash_attn/flash_api.cpp
      {
        match: rx(
          /FlashAttention backward for head dim (?:> ?192|256 with dropout, or head dim 224)[^\n]*requires A100\/A800 or H100\/H800/,
          "requires A100/A800 or H100/H800",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/facebookresearch/xformers/blob/main/xformers/ops/fmha/common.py
      {
        match: rx(
          /requires device with capability >=? ?\(8, ?0\) but your GPU has capability \([3-7], ?\d+\) \(too old\)/,
          "but your GPU has capability",
        ),
        unless: [lit("wasn't build with CUDA support")],
        within: 30,
        confidence: 0.55,
      },
      // Round 16, upstream: https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/lmdeploy/lite/utils/load.py#L51
      { match: lit("Your device does not supports bf16(bfloat16)"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/lmdeploy/pytorch/check_env/cuda.py#L22
      { match: lit("model_format=fp8 requires sm>=9.0"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/csrc/distributed/HCCLUtils.cpp#L89
      {
        match: rx(
          /Unsupported data type for [HL]CCL process group/,
          "Unsupported data type for HCCL",
          "Unsupported data type for LCCL",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/mps/EmptyTensor.h
      { match: lit("MPS framework doesn't support float64"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/mps/EmptyTensor.cpp
      { match: lit("MPS BFloat16 is only supported on MacOS 14 or newer"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/mps/OperationUtils.mm
      {
        match: rx(
          /Trying to convert \w+ to the MPS backend but it does not have support for that dtype/,
          "to the MPS backend but it does not have support",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/Dao-AILab/flash-attention/blob/main/csrc/flash_attn/flash_api.cpp
      {
        match: rx(
          /FlashAttention only supports (?:fp16 and bf16|FP16 and BF16) data types?/,
          "FlashAttention only supports",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/accelerator.py#L576
      {
        match: rx(
          /(?:fp16|bf16) mixed precision with MPS device requires a Pytorch >= [\d.]+/,
          "mixed precision with MPS device requires",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/Dispatch.h
      {
        match: rx(
          /not implemented for \\?'(?:Float8_e4m3fn|Float8_e5m2|Float8_e4m3fnuz|Float8_e5m2fnuz|Float8_e8m0fnu|ComplexHalf)\\?'/,
          "not implemented for '",
          "not implemented for \\'",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cuda/Blas.cpp
      { match: lit("_scaled_mm_out_cuda is not compiled for this platform"), confidence: 0.75 },
      // Round 15: ChatGLM/CogVLM's "bf16 is only supported on A100+ GPUs", torch's FP8 matmul (torch._scaled_mm) on cards
      // without FP8, TensorFlow's op type check ("has DataType … not in list of allowed values"), ONNX's schema check of
      // an input's type.
      { match: lit("bf16 is only supported on A100+ GPUs"), confidence: 0.8 },
      { match: lit("torch._scaled_mm is only supported on"), confidence: 0.85 },
      {
        match: rx(/has DataType \w+ not in list of allowed values/, "not in list of allowed values"),
        confidence: 0.75,
      },
      {
        match: rx(
          /Type Error: Type 'tensor\((?:bfloat16|float16|double|int64|int8|uint8|bool)\)' of input parameter \([^)\n]*\) of operator \([\w.]+\)[^\n]* is invalid/,
          "of input parameter (",
        ),
        confidence: 0.75,
      },
      // Round 15: torch's tensor-to-NumPy conversion (torch/csrc/utils/tensor_numpy.cpp) for a type NumPy has no
      // equivalent of: "TypeError: Got unsupported ScalarType BFloat16" from a bf16 tensor's .numpy().
      { match: rx(/Got unsupported ScalarType \w+/, "Got unsupported ScalarType "), confidence: 0.78 },
      // Round 14: exllamav2's weight loader (exllamav2/module.py) meeting a tensor type it has no kernels for: "Unexpected
      // datatype BF16: model.layers.0.self_attn.q_proj.weight".
      { match: rx(/Unexpected datatype \w+: \S+/, "Unexpected datatype "), confidence: 0.7 },
      // Round 14: XLA refusing a type the backend lacks ("Element type C128 is not supported on TPU": jax_enable_x64
      // turns float and complex results into 64-bit types), and ONNX Runtime finding no kernel for a node's op, opset
      // and types on its execution provider ("NOT_IMPLEMENTED : Could not find an implementation for Abs(13) node":
      // a bf16 or quantized int8 graph on a provider without those kernels), hedged, since an opset can cause it too.
      { match: rx(/Element type \w+ is not supported on \w+/, "is not supported on "), confidence: 0.8 },
      {
        match: rx(/Could not find an implementation for \w+\(\d+\)/, "Could not find an implementation for "),
        confidence: 0.55,
      },
      // Upstream phrasebook 2: vllm-ascend's 310P attention (fp16 only), LLaMA-Factory's pure_bf16 device check.
      { match: rx(/must share float16 dtype on 310P/, "float16 dtype on 310P"), confidence: 0.75 },
      { match: lit("This device does not support `pure_bf16`"), confidence: 0.82 },
      // Upstream phrasebook: torch's autocast on an NPU that does not support the requested dtype (bf16 on 910A),
      // flash-attn on a GPU older than Ampere (the chip lacks what the kernels need).
      { match: lit("In npu autocast, but the target dtype is not supported"), confidence: 0.75 },
      { match: lit("FlashAttention only supports Ampere GPUs or newer"), confidence: 0.7 },
      { match: rx(/not implemented for DT_BFLOAT16/, "DT_BFLOAT16"), confidence: 0.92 },
      { match: rx(/not implemented for DT_\w+/, "not implemented for DT_"), confidence: 0.8 },
      // DeepSpeed's engine sanity check (runtime/engine.py _do_sanity_check) when the accelerator reports no fp16 or
      // bf16 support: "Type fp16 is not supported."
      { match: rx(/Type (?:fp16|bf16) is not supported/, "is not supported"), confidence: 0.8 },
      // torch_npu's ProcessGroupHCCL refuses tensor types HCCL has no reduction for ("HCCL AllReduce & Reduce:
      // Unsupported data type at::kByte/at::kBool"; getHcclDataType: "Unsupported data type for HCCL process group").
      { match: rx(/HCCL[^\n]*Unsupported data type/, "Unsupported data type"), confidence: 0.82 },
      // GE's engine choice (dnnengine_manager.cc GetDNNEngineName) when no op store has the op for these inputs:
      // "Op type X of ops kernel AIcoreEngine is unsupported" and "The dtype, format or shape of input in op desc is
      // not supported in op store".
      { match: lit("is not supported in op store"), confidence: 0.74 },
      { match: rx(/of ops kernel \w+Engine is unsupported/, "Engine is unsupported"), confidence: 0.7 },
      { match: ascendCode("EZ1001"), near: [lit("dtype")], within: 2, confidence: 0.7 },
      // A cast kernel failing on a chip without bf16 (310P, 910A) is the dtype, whatever the inner error says.
      {
        match: rx(/aclnnCast failed/, "aclnnCast failed"),
        near: [rx(/\b310P\d?\b|\b910A\b|Ascend910A?\b(?!B)|Ascend310/, "310P", "910A", "Ascend910", "Ascend310")],
        within: 12,
        confidence: 0.8,
      },
      // GPU and framework wording: cards older than Ampere (V100, T4, RTX 20xx, P100) have no bf16.
      {
        match: rx(/bfloat16 is only supported on GPUs with compute capability/i, "float16 is only supported on"),
        confidence: 0.92,
      },
      {
        match: rx(/does not support (?:bfloat16|bf16)\b/i, "support bfloat16", "support bf16", "SUPPORT BF16"),
        confidence: 0.85,
      },
      // ATen's dispatch macros name the dtype a kernel lacks (aten/src/ATen/Dispatch.h): 'BFloat16', or 'Half' on CPU.
      {
        match: rx(
          /not implemented for \\?'(?:BFloat16|Half)\\?'/,
          "implemented for 'BFloat16'",
          "implemented for \\'BFloat16",
          "implemented for 'Half'",
          "implemented for \\'Half",
        ),
        confidence: 0.72,
      },
      // CANN's operator compiler names the dtype a template lacks (E90003 "Compile operator failed … bfloat16 of
      // tbe.dsl.<op> is not supported"); other compilers say "bf16 is not supported" on chips without it.
      {
        match: rx(
          /\b(?:bfloat16|bf16|BF16|DT_BFLOAT16)\b[^\n]{0,60}\bis not supported\b|\bnot support(?:ed)? (?:for )?(?:bfloat16|bf16|DT_BFLOAT16)\b/,
          "is not supported",
          "not support bfloat16",
          "not supported bfloat16",
          "not support bf16",
          "not supported bf16",
          "not supported for bfloat16",
          "not supported for bf16",
          "not support DT_BFLOAT16",
          "not supported DT_BFLOAT16",
          "not supported for DT_BFLOAT16",
          "not support for bfloat16",
          "not support for bf16",
          "not support for DT_BFLOAT16",
        ),
        confidence: 0.75,
      },
      // ptxas refuses bf16 instructions below Ampere (Triton and other JIT compilers pass its message on).
      { match: rx(/Feature '\.bf16' requires \.target sm_\d+/, "Feature '.bf16' requires"), confidence: 0.85 },
      // transformers' bf16 check (src/transformers/training_args.py: "Your setup doesn't support bf16/gpu").
      { match: lit("doesn't support bf16"), confidence: 0.85 },
      // accelerate (accelerator.py / commands/launch.py) when the device has no native bf16 autocast.
      { match: lit("bf16 mixed precision requires PyTorch >= 1.10 and a supported device"), confidence: 0.8 },
      // flash-attention's dtype check (csrc/flash_attn/flash_api.cpp).
      { match: lit("FlashAttention only support fp16 and bf16"), confidence: 0.8 },
    ],
    supersedes: ["aicore-error"],
    cause: "bf16 (or another dtype) was used on a chip whose kernels lack it: Ascend 910/910A and 310P have no bf16.",
    fixes: [
      {
        id: "fp16",
        summary: "Train in fp16 instead: --fp16 instead of --bf16 (Megatron), fp16: true / torch_dtype=float16 (HF).",
      },
      { id: "check-chip", summary: "Check the chip model.", commands: ["npu-smi info"] },
    ],
    references: ["https://github.com/hiyouga/LlamaFactory/issues/4165"],
  },
  {
    id: "host-oom",
    category: "host_oom",
    title: "Killed by the host's out-of-memory killer",
    role: "primary",
    triggers: [
      // Round 20, tune: fish's and zsh's report of a command the kernel SIGKILLed ("fish: Job 1, 'python main.py' terminated
      // by signal SIGKILL (Forced quit)", "zsh: killed     python train.py"), bash's bare "Killed" in other shells.
      {
        match: rx(
          /terminated by signal SIGKILL \(Forced quit\)|^zsh: killed\s+\S/,
          "terminated by signal SIGKILL",
          "zsh: killed",
        ),
        confidence: 0.6,
      },
      // Round 19, upstream (ninth pass): https://docs.python.org/3/library/exceptions.html#MemoryError
      { match: rx(/^(?:[\w.]*\.)?MemoryError(?::|$)/, "MemoryError"), confidence: 0.6 },
      // Round 19, upstream (ninth pass): https://github.com/gcc-mirror/gcc/blob/0eccbc5b8523899ca0b2e909e932ba80c39ba51e/libstdc++-v3/libsupc++/bad_alloc.cc#L33
      { match: rx(/what\(\):\s+std::bad_alloc|instance of 'std::bad_alloc'/, "std::bad_alloc"), confidence: 0.6 },
      // Round 19, upstream (ninth pass): https://github.com/pytorch/pytorch/blob/0964ce97a9c85ef1dc716611e0e672a865332412/aten/src/TH/THGeneral.cpp#L204
      {
        match: rx(/\$ Torch: not enough memory: you tried to (?:re)?allocate/, "Torch: not enough memory"),
        confidence: 0.8,
      },
      // Round 19, upstream (ninth pass): https://github.com/python/cpython/blob/v3.12.0/Python/errors.c
      { match: lit("Cannot recover from MemoryErrors while normalizing exceptions"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/gperftools/gperftools/blob/07c5e9226bda1720bdf783a11f5df0f515e3c9d3/src/central_freelist.cc#L307
      { match: lit("tcmalloc: allocation failed"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/gperftools/gperftools/blob/07c5e9226bda1720bdf783a11f5df0f515e3c9d3/src/page_heap_allocator.h#L77
      { match: lit("Out of memory trying to allocate internal tcmalloc data"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/pmodels/mpich/blob/6a79bf6575c3b5b41cabbd3d59340634d6f9412d/src/pm/hydra/mpiexec/mpiexec.c#L305
      { match: rx(/TERMINATED WITH THE EXIT STRING: Killed \(signal 9\)/, "EXIT STRING: Killed"), confidence: 0.55 },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/mm/oom_kill.c
      { match: rx(/oom_reaper: reaped process \d+ \(/, "oom_reaper: reaped process"), confidence: 0.82 },
      // Round 17, upstream (sixth pass): https://github.com/systemd/systemd/blob/main/src/oom/oomd-manager.c
      {
        match: rx(
          /(?:Killed|Marked) \S+ (?:for killing )?due to (?:memory pressure for|memory used \()/,
          "due to memory pressure for",
          "due to memory used (",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://www.ibm.com/docs/en/spectrum-lsf/10.1.0?topic=information-termination-reasons
      { match: lit("TERM_MEMLIMIT: job killed after reaching LSF memory usage limit"), confidence: 0.85 },
      // Round 17, upstream (sixth pass): https://github.com/openpbs/openpbs/blob/master/src/resmom/linux/mom_mach.c
      {
        match: rx(/PBS: job killed: (?:mem|vmem|pmem|pvmem)\b[^\n]*exceeded limit/, "PBS: job killed: "),
        confidence: 0.82,
      },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/mm/oom_kill.c
      { match: lit("Out of memory and no killable processes"), confidence: 0.85 },
      // Round 17, upstream (sixth pass): https://github.com/dask/distributed/blob/main/distributed/nanny.py
      { match: rx(/exceeded \d+% memory budget\. Restarting/, "memory budget. Restarting"), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://github.com/apache/spark/blob/master/resource-managers/yarn/src/main/scala/org/apache/spark/deploy/yarn/YarnAllocator.scala
      {
        match: rx(
          /Container killed by YARN for exceeding memory limits|is running (?:\d+B )?beyond physical memory limits/,
          "Container killed by YARN for exceeding memory limits",
          "beyond physical memory limits",
        ),
        confidence: 0.82,
      },
      // Round 17, upstream (sixth pass): https://github.com/openjdk/jdk/blob/master/src/hotspot/share/utilities/vmError.cpp
      { match: lit("There is insufficient memory for the Java Runtime Environment to continue"), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://github.com/golang/go/blob/master/src/runtime/mem_linux.go
      {
        match: rx(
          /fatal error: (?:runtime: )?out of memory/,
          "fatal error: runtime: out of memory",
          "fatal error: out of memory",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/rust-lang/rust/blob/master/library/std/src/alloc.rs
      { match: rx(/memory allocation of \d+ bytes failed/, "memory allocation of "), confidence: 0.72 },
      // Round 17, upstream (sixth pass): https://research.google.com/colaboratory/faq.html
      { match: lit("Your session crashed after using all available RAM"), confidence: 0.88 },
      // Round 17, upstream (sixth pass): https://www.kaggle.com/docs/notebooks
      { match: lit("Your notebook tried to allocate more memory than is available"), confidence: 0.88 },
      // Round 17, upstream (sixth pass): https://github.com/joblib/loky/blob/master/loky/process_executor.py
      {
        match: rx(/The exit codes of the workers are \{[^}]*SIGKILL\(-9\)/, "The exit codes of the workers are"),
        confidence: 0.75,
      },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/master/mm/memcontrol.c
      { match: rx(/memory: usage \d+kB, limit \d+kB, failcnt \d+/, "memory: usage "), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/torvalds/linux/blob/v4.18/mm/memcontrol.c
      { match: lit("killed as a result of limit of"), confidence: 0.85 },
      // Round 17, upstream (sixth pass): https://github.com/moby/moby/blob/master/container/state.go
      { match: rx(/\bExited \(137\)/, "Exited (137)"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
      { match: lit("OutOfMemoryError: Container killed due to memory usage"), confidence: 0.88 },
      // Round 17, upstream (sixth pass): https://cloud.google.com/vertex-ai/docs/training/troubleshooting
      {
        match: rx(/[Rr]eplica \S+(?: \d+)? ran out-of-memory and exited/, "ran out-of-memory and exited"),
        confidence: 0.85,
      },
      // Round 17, upstream (sixth pass): https://github.com/htcondor/htcondor/blob/main/src/condor_starter.V6.1/vanilla_proc.cpp
      {
        match: rx(
          /[Jj]ob has gone over (?:cgroup )?memory limit of \d+/,
          "ob has gone over memory limit of",
          "ob has gone over cgroup memory limit of",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream (third pass): https://github.com/pytorch/pytorch/blob/main/torch/utils/data/_utils/signal_handling.py
      {
        match: rx(
          /DataLoader worker \(pid[^)]*\) is killed by signal: (?:已杀死|強制結束)/,
          "is killed by signal: 已杀死",
          "is killed by signal: 強制結束",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream (third pass): https://github.com/bminor/glibc/blob/master/po/zh_TW.po
      { match: lit("[Errno 12] 無法配置記憶體"), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/hicann/driver/blob/master/pkg_inc/hal_error_code/drv_error_code.h#L42
      {
        match: rx(/Failed to allocate \S+ host memory requested by the \S+ module/, "host memory requested by the"),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/numpy/numpy/blob/v1.17.0/numpy/core/src/multiarray/ctors.c
      {
        match: rx(
          /Unable to allocate array with shape \([^)]*\) and data type \w+/,
          "Unable to allocate array with shape",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--1300-1699-
      { match: lit("The paging file is too small for this operation to complete"), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/MapAllocator.cpp
      {
        match: rx(
          /Couldn't open shared file mapping: <[^>]*>, error code: <1455>/,
          "Couldn't open shared file mapping",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/plugins/task/cgroup/task_cgroup_memory.c#L286
      {
        match: rx(/hit memory(?:\+swap)? limit at least once during execution/, "limit at least once during execution"),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/slurmd/slurmd/job_mem_limit.c#L277
      {
        match: rx(
          /exceeded (?:virtual )?memory limit \(\d+ ?> ?\d+\), (?:being killed|cancelling it)/,
          "memory limit (",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/slurmd/slurmstepd/mgr.c#L2576
      { match: rx(/task \d+ \(\d+\) Out Of Memory \(OOM\)/, "Out Of Memory (OOM)"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/common/slurm_protocol_defs.c#L2946
      { match: rx(/(?:^|[\s=,])OUT_OF_ME(?:MORY\b|\+)/, "OUT_OF_ME"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/open-mpi/ompi/blob/v4.1.x/orte/tools/orterun/help-orterun.txt#L140
      { match: lit("exited on signal 9 (Killed)"), confidence: 0.65 },
      // Round 16, upstream: https://github.com/ray-project/ray/blob/master/src/ray/raylet/node_manager.cc
      { match: lit("killed due to memory pressure (OOM)"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/horovod/horovod/blob/master/horovod/runner/gloo_run.py#L284
      { match: rx(/^\s*Exit code: -9\b/, "Exit code: -9"), near: [lit("Process name:")], within: 3, confidence: 0.65 },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L541
      {
        match: rx(
          /Failed to allocate (?:\S+ (?:bytes )?(?:of )?)?host memory (?:via \S+ (?:to|for) (?:Runtime|ACL)|for Profiling|by \S+)/,
          "host memory ",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/oom/oom_watcher_linux.go
      { match: lit("System OOM encountered, victim process"), confidence: 0.82 },
      // Round 16, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/eviction/helpers.go
      { match: rx(/The node had condition: \[[^\]\n]*MemoryPressure/, "The node had condition: "), confidence: 0.72 },
      // Round 16, upstream: https://github.com/SchedMD/slurm/blob/master/src/srun/launch.c#L406
      { match: rx(/srun: error: \S+: tasks? [\d,-]+: Killed\b/, "srun: error: "), confidence: 0.65 },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/common/errcode_manage.cc#L125
      {
        match: rx(
          /Failed to create the \w+ object\. The host memory has been exhausted/,
          "The host memory has been exhausted",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/utils/modeling.py#L1751
      { match: lit("Offloaded module must fit in CPU memory to call save_model!"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/apache/arrow/blob/main/cpp/src/arrow/memory_pool.cc
      { match: rx(/(?:malloc|realloc) of size \d+ failed/, "malloc of size "), confidence: 0.75 },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/utils/py_utils.py#L618
      { match: lit("One of the subprocesses has abruptly died during map operation"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/modeling_utils.py#L5465
      {
        // Killed while loading the weights whole into RAM: the shell's SIGKILL report, in English or zh_CN.
        match: rx(/Loading checkpoint shards|Loading weights: +\d+%/, "Loading checkpoint shards", "Loading weights: "),
        near: [lit("Killed"), lit("已杀死")],
        within: 2,
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-backend.cpp
      {
        match: rx(
          /ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size \d+|failed to allocate CPU(?:_REPACK)? buffer of size \d+|unable to allocate CPU(?:_REPACK)? buffer/,
          "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate",
          "failed to allocate CPU",
          "unable to allocate CPU",
        ),
        confidence: 0.78,
      },
      // Round 15, upstream: https://github.com/SchedMD/slurm/blob/master/src/plugins/jobacct_gather/common/common_jag.c
      { match: rx(/exceeded memory limit \(\d+ > \d+\), being killed/, "exceeded memory limit ("), confidence: 0.85 },
      // Round 15, upstream: https://github.com/SchedMD/slurm/blob/master/src/plugins/task/cgroup/task_cgroup_memory.c
      { match: rx(/Exceeded (?:step|job) memory limit at some point/, "memory limit at some point"), confidence: 0.62 },
      // Round 15, upstream: https://github.com/SchedMD/slurm/blob/master/src/plugins/launch/slurm/launch_slurm.c
      { match: rx(/srun: error: \S+: tasks? [\d,-]+: Out Of Memory/, ": Out Of Memory"), confidence: 0.82 },
      // Round 15, upstream: https://github.com/systemd/systemd/blob/main/src/core/unit.c
      { match: lit("has been killed by the OOM killer"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml.c
      {
        match: rx(
          /ggml_aligned_malloc: insufficient memory \(attempted to allocate [\d.]+ MB\)/,
          "ggml_aligned_malloc: insufficient memory",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: bash/glibc
      { match: rx(/\bfork: Cannot allocate memory/, "fork: Cannot allocate memory"), confidence: 0.6 },
      // Round 15: Paddle's host allocator failing with ENOMEM (12) (memory/detail/system_allocator.cc: posix_memalign, "Fail
      // to alloc memory of N size, error code is 12"), Slurm's cgroup report of OOM kills, Ray's worker-death note.
      {
        match: rx(/posix_memalign\(&p, alignment, size\)\s*:\s*12 != 0/, "posix_memalign(&p, alignment, size)"),
        confidence: 0.85,
      },
      { match: rx(/Fail to alloc memory of \d+ size, error code is 12\b/, "Fail to alloc memory of"), confidence: 0.8 },
      { match: rx(/Detected \d+ oom[-_]kill events? in/, "oom-kill event", "oom_kill event"), confidence: 0.85 },
      // Hedged: Ray lists it among possible causes of any worker's death.
      { match: lit("The process is killed by SIGKILL by OOM killer due to high memory usage"), confidence: 0.55 },
      // Round 14: the kubelet evicting a pod for its node's memory (pkg/kubelet/eviction/helpers.go: "The node was low
      // on resource: memory.").
      { match: lit("The node was low on resource: memory"), confidence: 0.82 },
      // Round 14: ollama's scheduler refusing to load a model the host's free RAM cannot hold (llm/server.go: "model
      // requires more system memory (9.4 GiB) than is available (4.8 GiB)").
      { match: lit("model requires more system memory"), confidence: 0.85 },
      // Upstream phrasebook: Paddle's DataLoader worker ("exited is killed by signal: Killed"), torch's CPU allocator's
      // other wording (c10/core/impl/alloc_cpu.cpp "not enough memory: you tried to allocate"), torch_npu's pinned host
      // memory, XLA's host memory, ENOMEM in zh_CN (glibc po/zh_CN.po).
      { match: rx(/exited is killed by signal: Killed/, "is killed by signal: Killed"), confidence: 0.85 },
      { match: lit("DefaultCPUAllocator: not enough memory"), confidence: 0.85 },
      { match: lit("Malloc pin memory failed, host out of memory"), confidence: 0.85 },
      { match: lit("Out of host memory while trying to allocate"), confidence: 0.82 },
      { match: lit("[Errno 12] 无法分配内存"), confidence: 0.65 },
      // The kernel's OOM killer (mm/oom_kill.c), system-wide or for a memory cgroup's limit ("Memory cgroup out of
      // memory: Kill process N (java) score S or sacrifice child"; newer kernels "Killed process").
      {
        match: rx(/[Oo]ut of memory: Kill(?:ed)? process/, "Out of memory: Kill", "out of memory: Kill"),
        confidence: 0.88,
      },
      { match: lit("oom-kill"), confidence: 0.75 },
      // Go's os/exec for a child ended by SIGKILL ("llama runner process has terminated: signal: killed"): on a host
      // short of memory, the kernel's OOM killer, as the shell's bare "Killed".
      { match: rx(/(?:terminated|exited|exit status)[^\n]{0,20}signal: killed/, "signal: killed"), confidence: 0.6 },
      // Ray's memory monitor (ray-core OOM prevention): it kills workers when the node's memory use passes
      // RAY_memory_usage_threshold, and prints its advice with the top memory users.
      {
        match: rx(
          /node running low on memory|ray-oom-prevention|RAY_memory_usage_threshold/,
          "node running low on memory",
          "ray-oom-prevention",
          "RAY_memory_usage_threshold",
        ),
        confidence: 0.8,
      },
      // DeepSpeed's launcher killing its ranks (launcher/launch.py sigkill_handler: "Killing subprocess") right after
      // its memory report (runtime/utils.py see_memory_usage) found the host's memory nearly full.
      {
        match: rxWhen(
          /CPU Virtual Memory: +used = [\d.]+ GB, percent = (?<percent>[\d.]+)%/,
          ["CPU Virtual Memory:"],
          (g) => Number(g.percent) >= 80,
        ),
        near: [lit("sigkill_handler")],
        within: 20,
        confidence: 0.62,
      },
      // Slurm's cgroup report (task_cgroup_memory.c), Kubernetes' container status, Ray's memory monitor
      // (ray.exceptions.OutOfMemoryError) and numpy's failed host allocation (_ArrayMemoryError).
      { match: lit("killed by the cgroup out-of-memory handler"), confidence: 0.85 },
      { match: rx(/\bOOMKilled\b/, "OOMKilled"), confidence: 0.8 },
      {
        match: rx(
          /ray\.exceptions\.OutOfMemoryError|Task was killed due to the node running low on memory|Ray killed this worker/,
          "ray.exceptions.OutOfMemoryError",
          "node running low on memory",
          "Ray killed this worker",
        ),
        confidence: 0.85,
      },
      {
        match: rx(/Unable to allocate [\d.]+ [KMGTP]i?B for an array with shape/, "for an array with shape"),
        confidence: 0.75,
      },
      { match: rx(/exitcode\s*:\s*-9\b/, "exitcode"), confidence: 0.65 },
      // DeepSpeed's launcher (launcher/launch.py sigkill_handler): "<cmd> exits with return code = -9", a rank SIGKILLed.
      { match: rx(/exits with return code = -9\b/, "exits with return code = -9"), confidence: 0.65 },
      { match: lit("Signal 9 (SIGKILL) received"), confidence: 0.65 },
      { match: lit("<Signals.SIGKILL: 9>"), confidence: 0.65 },
      // Shells and IDEs report the kernel's SIGKILL as exit code 137 (128 + 9).
      {
        match: rx(
          /exit(?:ed with)? code:? ?137\b|exitcode:? ?137\b|interrupted by signal 9\b/,
          "code 137",
          "code: 137",
          "exitcode 137",
          "by signal 9",
        ),
        confidence: 0.7,
      },
      // torch's CPU allocator (c10/core/impl/alloc_cpu.cpp: "DefaultCPUAllocator: can't allocate memory") and ENOMEM
      // as Python prints it.
      { match: lit("DefaultCPUAllocator: can't allocate memory"), confidence: 0.85 },
      { match: lit("[Errno 12] Cannot allocate memory"), confidence: 0.65 },
      // torch's DataLoader names the signal that killed a worker (torch/utils/data/_utils/signal_handling.py).
      {
        match: rx(/DataLoader worker \(pid[^)]*\) is killed by signal: Killed/, "is killed by signal: Killed"),
        confidence: 0.72,
      },
      // bash's job report of a SIGKILLed command (jobs.c, signal names in English and zh_CN: "Killed" / "已杀死").
      { match: rx(/line \d+: +\d+ Killed\b|\d+ 已杀死/, " Killed", "已杀死"), confidence: 0.65 },
      // zsh's job report of the same (Src/jobs.c, signal message in lower case): "[1]    26478 killed     python x.py".
      { match: rx(/\[\d+\] +[+-]? *\d+ killed +\S/, " killed "), confidence: 0.65 },
      // gdb's report of the same signal (infrun.c: "Program terminated with signal SIGKILL, Killed.").
      { match: lit("terminated with signal SIGKILL"), confidence: 0.65 },
    ],
    cause:
      "A process was killed with SIGKILL, usually by the kernel's OOM killer because host RAM ran out (all ranks loading " +
      "full weights to CPU at once, too many DataLoader workers).",
    fixes: [
      {
        id: "check-ram",
        summary: "Confirm in the kernel log and watch host memory.",
        commands: ["dmesg -T | grep -i -E 'killed process|out of memory' | tail", "free -g"],
      },
      {
        id: "reduce-host-memory",
        summary: "Fewer DataLoader workers, lazy or sharded weight loading, or more host RAM/swap.",
      },
      {
        id: "container-memory-limit",
        summary:
          "In a container or a pod the limit is its cgroup's, not the host's RAM: raise the pod's memory limit " +
          "(resources.limits.memory) or docker's --memory; a pod the kubelet killed shows OOMKilled, one it evicted for " +
          "the node's memory shows Evicted.",
        commands: [
          "kubectl describe pod <pod> | grep -i -E 'oomkilled|evicted|memory'",
          "cat /sys/fs/cgroup/memory.max",
        ],
      },
    ],
    references: [MINDSPEED_TROUBLESHOOTING],
  },
];
