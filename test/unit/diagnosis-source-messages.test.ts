// Each category's evidence is checked against the wording of the projects that raise the failure (torch, torch_npu,
// c10d/NCCL/Gloo, CANN, MindSpore, vLLM, transformers/accelerate/datasets, Megatron, pip, the shells and the C
// library in English and Chinese). Every message below is built from the cited source file or document, not from a
// collected log; each must be diagnosed as its own category and no other (a phrase of one category that sits inside
// another category's message would fail here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileRules } from "../../src/diagnosis/compile.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";
import { explains } from "../../src/knowledge/precedence.js";
import { diagnosisRules } from "../../src/knowledge/rules.js";
import type { Category } from "../../src/knowledge/rules-types.js";

interface SourceMessage {
  /** Where the wording comes from: a file in the project's repository or a documentation page. */
  source: string;
  log: string;
}

const TORCH = "https://github.com/pytorch/pytorch/blob/main";
const RT_CODES = "https://github.com/hicann/runtime/blob/master/include/external/acl/error_codes/rt_error_codes.h";
const CANN_DOC = "https://www.hiascend.com/document/detail/zh/canncommercial/latest/maintenref/troubleshooting";

const MESSAGES: Partial<Record<Category, SourceMessage[]>> = {
  npu_oom: [
    { source: RT_CODES, log: "aclrtMalloc failed: ACL_ERROR_RT_DEVICE_OOM" },
    {
      source: `${CANN_DOC}/atlaserrorcode_15_0324.html (EI0011 Resource_Error_Insufficient_Device_Memory)`,
      log: "EI0011: Failed to allocate [2147483648] bytes of NPU memory.",
    },
    {
      source:
        "https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/910beta3/maintenref/troubleshooting/atlaserrorcode_15_0462.html (EL0019)",
      log: "Failed to allocate 1073741824 device memory requested by the DRV(devmm) module.",
    },
    {
      source: `${TORCH}/c10/cuda/CUDACachingAllocator.cpp (hipified on ROCm: "HIP out of memory")`,
      log: "RuntimeError: HIP out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 63.98 GiB of which 0 bytes is free.",
    },
    {
      source: `${TORCH}/c10/xpu/XPUCachingAllocator.cpp`,
      log: "RuntimeError: XPU out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 15.11 GiB.",
    },
    {
      source: `${TORCH}/aten/src/ATen/mps/MPSAllocator.mm`,
      log: "RuntimeError: MPS backend out of memory (MPS allocated: 17.95 GB, other allocations: 2.31 MB, max allowed: 18.13 GB). Tried to allocate 256.00 MB on private pool.",
    },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/ccsrc/plugin/device/ascend/hal/device/ascend_memory_adapter.cc",
      log: "RuntimeError: Out of Memory!!! Request memory size: 33100113920B, Memory Statistic:\nDevice HBM memory size: 32768M",
    },
    {
      source: "https://github.com/vllm-project/vllm/blob/main/vllm/v1/core/kv_cache_utils.py",
      log: "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.",
    },
    {
      source:
        "https://github.com/PaddlePaddle/Paddle/blob/develop/paddle/phi/core/memory/allocation/retry_allocator.cc",
      log: "ResourceExhaustedError: Out of memory error on GPU 0. Cannot allocate 1.000000GB memory on GPU 0, 15.700000GB memory has been allocated and available memory is only 0.000000B.",
    },
    {
      source: "https://github.com/openxla/xla/blob/main/xla/stream_executor/integrations/tf_allocator_adapter.cc",
      log: "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 1073741824 bytes.",
    },
    {
      source: "https://github.com/hicann/runtime/blob/master/include/external/acl/error_codes/rt_error_codes.h",
      log: "aclrtMalloc failed, ret = ACL_ERROR_RT_MEMORY_ALLOCATION",
    },
    {
      source: "https://github.com/vllm-project/vllm/blob/v0.6.0/vllm/worker/worker.py (raise_if_cache_size_invalid)",
      log: "ValueError: The model's max seq len (32768) is larger than the maximum number of tokens that can be stored in KV cache (19632). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
    },
    {
      source:
        "https://github.com/vllm-project/vllm/blob/main/vllm/v1/core/kv_cache_utils.py (_check_enough_kv_cache_memory)",
      log: "ValueError: To serve at least one request with the models's max seq len (32768), (16.00 GiB KV cache is needed, which is larger than the available KV cache memory (4.85 GiB). Based on the available memory, the estimated maximum model length is 9936. Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
    },
    {
      source: "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/implement_problem.md",
      log: "RuntimeError: Out of Memory!!! total[3212254720] (dynamic[0] memory poll[524288000]) malloc[32611480064] failed!",
    },
    {
      source:
        "https://github.com/tensorflow/tensorflow/blob/master/tensorflow/core/framework/op_kernel.cc (ResourceExhaustedError)",
      log: "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[1024,1024,64] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
    },
    {
      source:
        "https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cuda/ggml-cuda.cu (ggml_backend_cuda_buffer_type_alloc_buffer)",
      log: "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 4096.00 MiB on device 0: cudaMalloc failed: out of memory",
    },
  ],
  cann_env_not_sourced: [
    {
      source: "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/ccsrc/utils/ms_context.cc",
      log: "RuntimeError: Unsupported device target Ascend. This process only supports one of the ['CPU']. Please check whether the Ascend environment is installed and configured correctly, and check whether current mindspore wheel package was built with \"-e Ascend\".",
    },
    {
      source: 'glibc po/zh_CN.po ("cannot open shared object file")',
      log: "ImportError: libhccl.so: 无法打开共享对象文件: 没有那个文件或目录",
    },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py",
      log: "[WARNING] ME(18680:1,MainProcess):2024-01-01-00:00:00.000.00 [mindspore/run_check/_check_version.py:460] Can not find the tbe operator implementation(need by mindspore-ascend). Please check if you have set env PYTHONPATH, you can refer to the installation guidelines https://www.mindspore.cn/install",
    },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py",
      log: "Can not find opp path (need by mindspore-ascend). Please check if you have set env ASCEND_OPP_PATH, you can refer to the installation guidelines https://www.mindspore.cn/install",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/utils/utils.py (cann_package_check)",
      log: "Exception: ASCEND_OPP_PATH environment variable is not set. Please check whether the opp package has been installed. If exist, please run 'source set_env.sh' in the CANN installation path.",
    },
    {
      source: "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/implement_problem.md",
      log: "error while loading shared libraries: libge_compiler.so: cannot open shared object file: No such file or directory",
    },
    {
      source:
        "NNAL package layout (nnal/atb/latest/atb/cxx_abi_*/lib: libatb.so with liblcal.so, libasdops.so); NNAL's set_env.sh puts them on LD_LIBRARY_PATH",
      log: "ImportError: liblcal.so: cannot open shared object file: No such file or directory",
    },
    {
      source: "https://github.com/Ascend/MindSpeed/blob/master/mindspeed/op_builder/atb_builder.py",
      log: "RuntimeError: please install cann-nnal package first",
    },
    {
      source:
        "https://github.com/vllm-project/vllm-ascend/blob/main/docs/source/faqs.md (#6: the NPU environment is not configured; source the NNAL and CANN set_env.sh)",
      log: "RuntimeError: Failed to infer device type, please set the environment variable `VLLM_LOGGING_LEVEL=DEBUG` to turn on verbose logging to help debug the issue.",
    },
  ],
  cann_version_mismatch: [
    {
      source:
        "https://www.hiascend.com/document/detail/en/CANNCommunityEdition/910/API/aolapi/atlasascendc_api_07_1205.html",
      log: "RuntimeError: call aclnnGroupedMatmulV4 failed, error code is 561003",
    },
    {
      source: "https://gitcode.com/Ascend/MindSpeed-MM/blob/master/docs/zh/FAQ.md (#1, OPP verification)",
      log: "[ERROR] GE(1234,python):Failed to verify the OPP package version",
    },
    { source: RT_CODES, log: "rtGetSocVersion failed: ACL_ERROR_RT_SOC_VERSION" },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py",
      log: "MindSpore version 2.3.1 and Ascend AI software package (Ascend Data Center Solution)version 7.5 does not match, the version of software package expect one of ['7.2', '7.3']. Please refer to the match info on: https://www.mindspore.cn/install",
    },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py",
      log: 'MindSpore version 2.2.0 and "te" wheel package version 7.1 does not match, refer to the match info on: https://www.mindspore.cn/install',
    },
    {
      source: "https://github.com/vllm-project/vllm-ascend/blob/main/vllm_ascend/device/hardware.py",
      log: "RuntimeError: Undefined soc_version: Ascend910_9392. Please file an issue to vllm-ascend.",
    },
    {
      source: "https://github.com/vllm-project/vllm-ascend/blob/main/vllm_ascend/device/hardware.py",
      log: "RuntimeError: Cannot support runtime soc_version: 240.",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/npu/Event.cpp",
      log: "RuntimeError: Parameter interprocess is not supported, please upgrade the HDK(driver) or CANN package.",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/distributed/ProcessGroupHCCL.cpp",
      log: "The current version of CANN does not support the hcclCommName: hccl_world_group",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/npu/Stress_detect.cpp",
      log: "Stress detect with AmlP2PDetectOnline failed, CANN version lower than 8.3.RC1 and currently does not support AmlP2PDetectOnline.",
    },
    {
      source:
        "https://github.com/PaddlePaddle/PaddleCustomDevice/blob/develop/backends/npu/runtime/runtime.h (RUNTIME_CHECK) with rt_error_codes.h 507008",
      log: "Call aclInit(nullptr) failed : 507008 at file /work/PaddleCustomDevice/backends/npu/runtime/runtime.cc line 403",
    },
    {
      source: "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html (cudaErrorInsufficientDriver)",
      log: "RuntimeError: CUDA driver version is insufficient for CUDA runtime version",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/torch/cuda/__init__.py (_check_driver)",
      log: "RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver by downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx",
    },
    {
      source:
        "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html (cudaErrorNoKernelImageForDevice)",
      log: "RuntimeError: CUDA error: no kernel image is available for execution on the device",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/interface/HcclInterface.cpp",
      log: "RuntimeError: Failed to find function HcclGetCommName, maybe you cann version is too low, please upgrade it",
    },
    {
      source:
        "https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUException.h (feature not supported)",
      log: "RuntimeError: Feature is not supported and the possible cause is that driver and firmware packages do not match.",
    },
  ],
  port_in_use: [
    {
      source: "https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAEADDRINUSE)",
      log: "OSError: [WinError 10048] Only one usage of each socket address (protocol/network address/port) is normally permitted",
    },
    {
      source: "Windows zh-CN text of WSAEADDRINUSE (10048)",
      log: "OSError: [WinError 10048] 通常每个套接字地址(协议/网络地址/端口)只允许使用一次。",
    },
    {
      source: "glibc po/zh_CN.po (EADDRINUSE)",
      log: "OSError: [Errno 98] 地址已在使用",
    },
    {
      source: "https://github.com/streamlit/streamlit/blob/develop/lib/streamlit/web/server/server.py",
      log: "Port 8501 is already in use",
    },
    {
      source: "https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAEACCES)",
      log: "OSError: [WinError 10013] An attempt was made to access a socket in a way forbidden by its access permissions",
    },
  ],
  hccl_timeout: [
    { source: RT_CODES, log: "aclrtSynchronizeStream failed: ACL_ERROR_RT_STREAM_SYNC_TIMEOUT" },
    {
      source: "https://gitee.com/ascend/cann-hccl/blob/master/inc/hccl/hccl_types.h",
      log: "HcclAllReduce returned HCCL_E_TIMEOUT",
    },
    {
      source: `${TORCH}/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp`,
      log: "[E ProcessGroupNCCL.cpp:414] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.",
    },
    {
      source: "https://github.com/pytorch/gloo/blob/main/gloo/transport/tcp/unbound_buffer.cc",
      log: "RuntimeError: [../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete",
    },
    {
      source: `${TORCH}/torch/csrc/distributed/c10d/ProcessGroupGloo.cpp (monitoredBarrier)`,
      log: "RuntimeError: [Rank 0]: Rank 1 failed to pass monitoredBarrier in 1800000 ms",
    },
    {
      source: `${TORCH}/torch/distributed/distributed_c10d.py (_store_based_barrier)`,
      log: "RuntimeError: Timed out initializing process group in store based barrier on rank: 0, for key: store_based_barrier_key:1 (world_size=8, num_workers_joined=1, timeout=0:30:00)",
    },
    {
      source: "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/distributed_parallel.md",
      log: "RuntimeError: Communicator of group hccl_world_group inited: failed. Result: Init communicator for group hccl_world_group exception info: Failed to fetch the unique id of the collective lib from the meta server node. Maybe the root rank process of this group has exited or has not executed to QueryUniqueID step. Please check root rank: 0's log.",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/torch/distributed/elastic/rendezvous/api.py",
      log: "torch.distributed.elastic.rendezvous.api.RendezvousTimeoutError",
    },
    {
      source: "CANN runtime device_error_proc.cc (ProcessStarsHcclFftsPlusTimeoutErrorInfo)",
      log: "EI9999: The error from device(chipId:2, dieId:0), serial number is 9, hccl fftsplus task timeout occurred during task execution, stream_id:5, sq_id:5, task_id:38827, stuck notify num:1, timeout:30min(default).",
    },
    {
      source: "https://github.com/modelscope/ms-swift/blob/main/swift/ray/megatron/checkpoint_engine/hccl.py",
      log: "RuntimeError: HCCL metadata timeout (300s) waiting at broadcast_meta.",
    },
    {
      source:
        "https://gitee.com/ascend/cann-hccl/blob/master/inc/hccl/hccl_types.h (HCCL_E_TIMEOUT = 9) as torch_npu's HCCL_CHECK_ERROR prints it",
      log: "RuntimeError: HCCL function error: HcclAllReduce(inputDataPtr, outputDataPtr, numel, hcclType, hcclReduceOp, comm, stream.stream()), error code is 9",
    },
    {
      source:
        "https://github.com/pytorch/pytorch/blob/main/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp (heartbeat monitor; ProcessGroupHCCL.cpp in torch_npu)",
      log: "[rank1]:[E1111 17:10:53] ProcessGroupNCCL's watchdog got stuck for 480 seconds without making progress in monitoring enqueued collectives.",
    },
    {
      source: "https://github.com/NVIDIA/nccl/blob/master/src/misc/socket.cc",
      log: "node2:4321:4400 [0] misc/socket.cc:47 NCCL WARN Net : Connection closed by remote peer 10.0.9.5<46211>",
    },
  ],
  npu_not_available: [
    { source: RT_CODES, log: "aclrtSetDevice failed: ACL_ERROR_RT_INVALID_DEVICEID" },
    {
      source: "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/distributed_parallel.md",
      log: "Call aclrtSetDevice failed, ret[107001]. Got device count[8] and device id[9], please check if device id is valid.",
    },
    {
      source: "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html (cudaErrorInvalidDevice)",
      log: "RuntimeError: CUDA error: invalid device ordinal",
    },
    {
      source:
        "https://github.com/Ascend/pytorch (NPU_CHECK_ERROR: 'NPU function error: <call>, error code is <n>') with rt_error_codes.h 107001 ACL_ERROR_RT_INVALID_DEVICEID",
      log: "RuntimeError: Initialize:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:217 NPU function error: c10_npu::acl::AclrtSetDevice(device_index), error code is 107001",
    },
    {
      source: "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html (cudaErrorNoDevice)",
      log: "RuntimeError: CUDA error: no CUDA-capable device is detected",
    },
    {
      source:
        "https://github.com/Ascend/MindSpeed-LLM/blob/master/docs/zh/FAQ.md (#8: nproc_per_node above the visible NPUs)",
      log: "RuntimeError: Invalid device ID. SetDevice failed for device 7.",
    },
  ],
  driver_not_mounted: [
    {
      source:
        "https://www.hiascend.com/document (driver layout: /usr/local/Ascend/driver/lib64/driver/libdrvdsmi_host.so)",
      log: "npu-smi: error while loading shared libraries: libdrvdsmi_host.so: cannot open shared object file: No such file or directory",
    },
    {
      source: "https://github.com/moby/moby/blob/master/daemon/oci_linux.go (custom device not on the host)",
      log: 'docker: Error response from daemon: error gathering device information while adding custom device "/dev/davinci0": no such file or directory.',
    },
  ],
  torch_npu_version_mismatch: [
    {
      // A CANN library lacking a symbol torch_npu was built against: the torch_npu/CANN pairing, not the OPP.
      source: "https://github.com/Ascend/pytorch (torch_npu built per CANN release; symbols of libopapi/libhccl)",
      log: "ImportError: /usr/local/Ascend/ascend-toolkit/latest/lib64/libopapi.so: undefined symbol: aclnnGroupedMatmulV4",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/utils/utils.py (cann_package_check)",
      log: "Warning : CANN package version 6.3.RC1 and PyTorch version 2.0.0.rc1 is not matched, please check the README of the ascend pytorch repo.",
    },
    {
      source: "https://github.com/pypa/pip/blob/main/src/pip/_internal/commands/install.py (dependency conflicts)",
      log: "torch-npu 2.1.0.post3 requires torch==2.1.0, but you have torch 2.4.0 which is incompatible.",
    },
    {
      source:
        "https://github.com/Ascend/pytorch/blob/master/torch_npu/_init/registry/registry_manager.py (_cann_package_check)",
      log: "Warning: CANN package version 8.0.RC1 and PyTorch version 2.1.0 do not match. Please check the README of the Ascend PyTorch repo.",
    },
    {
      source: "https://github.com/Ascend/pytorch/blob/master/torch_npu/__init__.py (_check_device_conflict)",
      log: "RuntimeError: Two accelerators cannot be used at the same time in PyTorch: npu and cuda. You can install the cpu version of PyTorch to use your npu device, or use the cuda device with 'export TORCH_DEVICE_BACKEND_AUTOLOAD=0'.",
    },
  ],
  transformers_version_conflict: [
    {
      source: "https://github.com/pypa/pip/blob/main/src/pip/_internal/commands/install.py (dependency conflicts)",
      log: "transformers 4.57.0 requires tokenizers<=0.23.0,>=0.22.0, but you have tokenizers 0.15.2 which is incompatible.",
    },
    {
      source:
        "https://github.com/huggingface/transformers/blob/main/src/transformers/models/auto/configuration_auto.py",
      log: "ValueError: The checkpoint you are trying to load has model type `qwen3` but Transformers does not recognize this architecture. This could be because of an issue with the checkpoint, or because your version of Transformers is out of date.",
    },
    {
      source: "https://github.com/vllm-project/vllm/blob/v0.6.0/vllm/model_executor/models/__init__.py (ModelRegistry)",
      log: "ValueError: Model architectures ['Qwen3ForCausalLM'] are not supported for now. Supported architectures: ['AquilaModel', 'LlamaForCausalLM']",
    },
    {
      source: "Python's AttributeError for a name a transformers release does not export",
      log: "AttributeError: module 'transformers' has no attribute 'Qwen2VLForConditionalGeneration'",
    },
    {
      source:
        "https://github.com/huggingface/transformers/blob/main/src/transformers/trainer.py (tokenizer= renamed processing_class=)",
      log: "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'tokenizer'",
    },
    {
      source:
        "https://github.com/modelscope/ms-swift/blob/main/docs/source_en/Instruction/Frequently-asked-questions.md (peft versions of training and merging differ)",
      log: "  File \"/opt/conda/lib/python3.9/site-packages/peft/config.py\", line 118, in from_peft_type\n    return config_cls(**kwargs)\nTypeError: __init__() got an unexpected keyword argument 'corda_config'",
    },
  ],
  import_from_source_dir: [
    {
      source: `${TORCH}/torch/__init__.py`,
      log: "ImportError: Failed to load PyTorch C extensions:\n    It appears that PyTorch has loaded the `torch/_C` folder\n    of the PyTorch repository rather than the C extensions which\n    are expected in the `torch._C` namespace.",
    },
    {
      source: "https://github.com/numpy/numpy/blob/main/numpy/__init__.py",
      log: "ImportError: Error importing numpy: you should not try to import numpy from its source directory; please exit the numpy source tree, and relaunch your python interpreter from there.",
    },
    {
      source: "https://github.com/scipy/scipy/blob/main/scipy/__init__.py",
      log: "ImportError: Error importing SciPy: you cannot import SciPy while being in scipy source directory; please exit the SciPy source tree first and relaunch your Python interpreter.",
    },
    {
      source: "https://github.com/scikit-learn/scikit-learn/blob/main/sklearn/__check_build/__init__.py (INPLACE_MSG)",
      log: "It appears that you are importing a local scikit-learn source tree. For\nthis, you need to have an inplace install. Maybe you are in the source\ndirectory and you need to try from another location.",
    },
    {
      source: "https://github.com/pandas-dev/pandas/blob/main/pandas/__init__.py",
      log: "ImportError: C extension: None not built. If you want to import pandas from the source directory, you may need to run 'python setup.py build_ext' to build the C extensions first.",
    },
    {
      source:
        "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/installation.md (a directory named like the package)",
      log: "ModuleNotFoundError: No module named 'mindspore.version'",
    },
    {
      source:
        "https://github.com/vllm-project/vllm/blob/main/vllm/_custom_ops.py (vllm._C absent from a source checkout)",
      log: "NameError: name 'vllm_ops' is not defined (Caught error: No module named 'vllm._C')",
    },
    {
      source:
        "https://github.com/facebookresearch/detectron2/blob/main/INSTALL.md (run from another directory than the checkout)",
      log: "ImportError: cannot import name '_C' from 'detectron2' (/home/u/detectron2/detectron2/__init__.py)",
    },
    {
      source: "https://github.com/facebookresearch/sam2/blob/main/INSTALL.md (build_ext --inplace in the repo root)",
      log: "ImportError: cannot import name '_C' from 'sam2'",
    },
    {
      source:
        "https://github.com/python/cpython/blob/main/Objects/moduleobject.c (a module shadowed by a local file or directory of the same name)",
      log: "AttributeError: partially initialized module 'torch' has no attribute 'Tensor' (most likely due to a circular import)",
    },
  ],
  aicore_error: [
    { source: RT_CODES, log: "kernel launch failed: ACL_ERROR_RT_VECTOR_CORE_TRAP_EXCEPTION" },
    {
      source: `${CANN_DOC} (runtime exception report)`,
      log: "The error from device(chipId:0, dieId:0), serial number is 3, there is an aicore error exception, core id is 0, error code = 0x800000.",
    },
    {
      source: "https://github.com/hicann/runtime/blob/master/include/external/acl/error_codes/rt_error_codes.h",
      log: "synchronize stream failed: ACL_ERROR_RT_AICORE_EXCEPTION",
    },
    {
      source: `${TORCH}/c10/cuda/CUDAException.h (cudaErrorIllegalAddress)`,
      log: "RuntimeError: CUDA error: an illegal memory access was encountered",
    },
    {
      source: "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html (cudaErrorLaunchFailure)",
      log: "RuntimeError: CUDA error: unspecified launch failure",
    },
  ],
  dtype_unsupported: [
    {
      source: `${TORCH}/aten/src/ATen/Dispatch.h (AT_DISPATCH "not implemented for")`,
      log: "RuntimeError: \"addmm_impl_cpu_\" not implemented for 'Half'",
    },
    {
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py",
      log: "ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with cuda>=11.0",
    },
    {
      source: "https://github.com/Dao-AILab/flash-attention/blob/main/csrc/flash_attn/flash_api.cpp",
      log: "RuntimeError: FlashAttention only support fp16 and bf16 data type",
    },
    {
      source: "https://github.com/huggingface/accelerate/blob/main/src/accelerate/accelerator.py",
      log: "ValueError: bf16 mixed precision requires PyTorch >= 1.10 and a supported device.",
    },
  ],
  nan_loss: [
    {
      source: "https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/runtime/fp16/loss_scaler.py",
      log: [4, 2, 1, 1]
        .map((s) => `[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: ${s}, reducing to ${s / 2}`)
        .join("\n"),
    },
    {
      source: `${TORCH}/torch/csrc/autograd/engine.cpp (anomaly mode)`,
      log: "RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.",
    },
    {
      source: "https://github.com/NVIDIA/Megatron-LM/blob/main/pretrain_gpt.py (loss_func)",
      log: "Rank 3: found NaN in local forward loss calculation. Device: 3, node: node-1",
    },
    {
      source:
        "https://github.com/Lightning-AI/pytorch-lightning/blob/master/src/lightning/pytorch/callbacks/early_stopping.py (check_finite)",
      log: "Monitored metric val_loss = nan is not finite. Previous best value was inf. Signaling Trainer to stop.",
    },
    {
      source:
        "https://github.com/open-mmlab/mmengine/blob/main/docs/en/tutorials/hook.md (CheckInvalidLossHook; mmcv/runner/hooks)",
      log: "AssertionError: loss become infinite or NaN!",
    },
    {
      source:
        "https://github.com/PaddlePaddle/Paddle/blob/develop/paddle/fluid/framework/details/nan_inf_utils_detail.h (FLAGS_check_nan_inf)",
      log: "PreconditionNotMetError: There are NAN or INF (num_nan=128, num_inf=0, num_zero=0) in [op=matmul_v2] [tensor=linear_0.tmp_0].",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/torch/distributions/distribution.py (validate_args)",
      log: "ValueError: Expected parameter loc (Tensor of shape (1, 1)) of distribution Normal(loc: tensor([[nan]]), scale: tensor([[0.7416]])) to satisfy the constraint Real(), but found invalid values: tensor([[nan]])",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Distributions.cpp (multinomial)",
      log: "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0",
    },
  ],
  cuda_path_on_npu: [
    {
      source: `${TORCH}/torch/distributed/distributed_c10d.py`,
      log: "RuntimeError: Distributed package doesn't have NCCL built in",
    },
    {
      source: `${TORCH}/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp`,
      log: "RuntimeError: ProcessGroupNCCL is only supported with GPUs, no GPUs found!",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/torch/serialization.py",
      log: "RuntimeError: Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to map your storages to the CPU.",
    },
    {
      source: "https://github.com/deepspeedai/DeepSpeed/blob/master/op_builder/builder.py (installed_cuda_version)",
      log: "deepspeed.ops.op_builder.builder.MissingCUDAException: CUDA_HOME does not exist, unable to compile CUDA op(s)",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/c10/core/Device.cpp (parse_type; torch_npu not imported)",
      log: "RuntimeError: Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: npu",
    },
    {
      source: "Python's AttributeError for torch.npu before torch_npu is imported",
      log: "AttributeError: module 'torch' has no attribute 'npu'",
    },
    {
      source: "https://github.com/triton-lang/triton/blob/main/python/triton/runtime/driver.py (_create_driver)",
      log: "RuntimeError: 0 active drivers ([]). There should only be one.",
    },
    {
      source: "https://github.com/bitsandbytes-foundation/bitsandbytes/blob/main/bitsandbytes/cextension.py",
      log: "UserWarning: The installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU quantization are unavailable.",
    },
  ],
  ckpt_shape_mismatch: [
    {
      source: `${TORCH}/torch/distributed/checkpoint/default_planner.py`,
      log: "ValueError: Size mismatch between saved torch.Size([151936, 4096]) and current: torch.Size([75968, 4096]) for model.embed_tokens.weight",
    },
    {
      source: "https://github.com/huggingface/accelerate/blob/main/src/accelerate/utils/modeling.py",
      log: 'ValueError: Trying to set a tensor of shape torch.Size([4096, 4096]) in "weight" (which has shape torch.Size([2048, 4096])), this looks incorrect.',
    },
    {
      source:
        "https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/train/serialization.py (load_param_into_net)",
      log: "RuntimeError: For 'load_param_into_net', model.layers.0.weight in the argument 'net' should have the same shape as model.layers.0.weight in the argument 'parameter_dict'. But got its shape (1024, 1024) in the argument 'net' and shape (2048, 1024) in the argument 'parameter_dict'.",
    },
    {
      source: "https://github.com/PaddlePaddle/Paddle/blob/develop/python/paddle/nn/layer/layers.py (set_state_dict)",
      log: "UserWarning: Skip loading for lm_head.weight. lm_head.weight receives a shape [4096, 32000], but the expected shape is [4096, 64000].",
    },
  ],
  dataset_key_error: [
    {
      source: "https://github.com/hiyouga/LlamaFactory/blob/main/src/llamafactory/data/loader.py",
      log: "RuntimeError: Cannot find valid samples, check `data/README.md` for the data format.",
    },
    {
      source: "https://github.com/huggingface/datasets/blob/main/src/datasets/arrow_dataset.py (set_format)",
      log: "ValueError: Columns ['attention_mask'] not in the dataset. Current columns in the dataset: ['text', 'input_ids']",
    },
    {
      source:
        "https://github.com/huggingface/datasets/blob/main/src/datasets/formatting/formatting.py (_check_valid_column_key)",
      log: "KeyError: 'Column content not in the dataset. Current columns in the dataset: []'",
    },
    {
      source:
        "https://github.com/huggingface/transformers/blob/main/src/transformers/trainer.py (_remove_unused_columns)",
      log: "ValueError: No columns in the dataset match the model's forward method signature. The following columns have been ignored: [text].",
    },
    {
      source: "https://github.com/huggingface/datasets/blob/main/src/datasets/builder.py (DatasetGenerationCastError)",
      log: "All the data files must have the same columns, but at some point there are 2 new columns ({'a', 'b'}) and 1 missing columns ({'c'}).",
    },
  ],
  nfs_cache_hang: [
    {
      source:
        "https://github.com/NVIDIA/Megatron-LM/blob/core_r0.5.0/megatron/data/gpt_dataset.py (_build_index_mappings)",
      log: "FileNotFoundError: [Errno 2] No such file or directory: '/data/my-gpt2_text_document_train_indexmap_1000ns_1024sl_1234s_doc_idx.npy'",
    },
    {
      source: "https://github.com/torvalds/linux/blob/master/net/sunrpc/clnt.c (call_timeout)",
      log: "kernel: nfs: server 10.0.0.5 not responding, still trying",
    },
  ],
  shm_bus_error: [
    {
      source: "https://github.com/NVIDIA/nccl/blob/master/src/misc/shmutils.cc",
      log: "node1:168:168 [0] misc/shmutils.cc:72 NCCL WARN Error: failed to extend /dev/shm/nccl-UbzKZ9 to 9637892 bytes",
    },
    {
      source: `${TORCH}/torch/utils/data/dataloader.py`,
      log: "RuntimeError: DataLoader worker (pid(s) 12345, 12346) exited unexpectedly",
    },
    {
      source: "bash (SIGBUS job report), zh_CN: glibc po/zh_CN.po",
      log: "run.sh: 行 5:  4242 总线错误 (核心已转储) python train.py",
    },
    {
      source: "https://github.com/NVIDIA/nccl/blob/master/src/misc/shmutils.cc",
      log: "node1:168:168 [0] misc/shmutils.cc:113 NCCL WARN Error while creating shared memory segment /dev/shm/nccl-UbzKZ9 (size 9637888)",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/MapAllocator.cpp",
      log: "RuntimeError: unable to allocate shared memory(shm) for file </torch_43012_3143461634_13983>: Resource temporarily unavailable (11)",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/MapAllocator.cpp",
      log: "RuntimeError: unable to mmap 1048576 bytes from file </torch_43012_3143461634_13983>: Cannot allocate memory (12)",
    },
    {
      source:
        "https://github.com/pytorch/pytorch/blob/main/torch/distributed/elastic/multiprocessing/errors/__init__.py",
      log: "Signal 7 (SIGBUS) received by PID 4242",
    },
    {
      source: "https://sourceware.org/git/?p=binutils-gdb.git;a=blob;f=gdb/infrun.c (print_signal_received_reason)",
      log: "Program received signal SIGBUS, Bus error.",
    },
  ],
  disk_full: [
    {
      source:
        "https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/file_download.py (_check_disk_space)",
      log: "UserWarning: Not enough free disk space to download the file. The expected file size is: 31264.22 MB. The target location /root/.cache/huggingface/hub/models--org--m/blobs only has 25030.56 MB free disk space.",
    },
    {
      source: "https://pkg.go.dev/syscall (ENOSPC text used by docker/containerd)",
      log: "failed to register layer: write /var/lib/docker/tmp/abc: no space left on device",
    },
    {
      source: "glibc po/zh_CN.po (ENOSPC)",
      log: "cp: 写入 '/data/ckpt/iter_0001000/model.pt' 出错: 设备上没有空间",
    },
    {
      source: "https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499- (ERROR_DISK_FULL, 112)",
      log: "OSError: [WinError 112] There is not enough space on the disk",
    },
    {
      source:
        "https://github.com/pytorch/pytorch/blob/main/caffe2/serialize/inline_container.cc (torch.save on a full disk)",
      log: "RuntimeError: [enforce fail at inline_container.cc:664] . unexpected pos 1588742400 vs 1588742288",
    },
    {
      source: "https://github.com/huggingface/datasets/blob/main/src/datasets/builder.py (download_and_prepare)",
      log: "OSError: Not enough disk space. Needed: 2.46 GiB (download: 1.20 GiB, generated: 1.26 GiB, post-processed: Unknown size)",
    },
    {
      source: "https://www.sqlite.org/rescode.html (SQLITE_FULL)",
      log: "sqlite3.OperationalError: database or disk is full",
    },
  ],
  permission_denied: [
    {
      source: "glibc po/zh_CN.po (EACCES)",
      log: "bash: ./train.sh: 权限不够",
    },
    {
      source:
        "https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--0-499- (ERROR_ACCESS_DENIED, 5)",
      log: "PermissionError: [WinError 5] Access is denied: 'C:\\\\models\\\\tmp'",
    },
    {
      source: "https://pkg.go.dev/syscall (EACCES text)",
      log: "open /var/log/ascend/run.log: permission denied",
    },
    {
      source: 'Python OSError for EROFS (strerror: "Read-only file system")',
      log: "OSError: [Errno 30] Read-only file system: '/model/kernel_meta'",
    },
    {
      source: "glibc po/zh_CN.po (EROFS)",
      log: 'mkdir: 无法创建目录 "/opt/ckpt": 只读文件系统',
    },
    {
      source:
        "https://www.hiascend.com/document/detail/zh/canncommercial/80RC22/developmentguide/maintenref/troubleshooting/atlaserrorcode_15_0263.html (EL0007, no permission)",
      log: "EL0007: [PID: 4242] 2025-01-01-00:00:00.000.000 No permission.",
    },
  ],
  hub_access: [
    {
      // A Hub id the library could not reach (network, proxy, mirror), nothing cached.
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/hub.py",
      log: "OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files and it looks like Qwen/Qwen2-7B is not the path to a directory containing a file named config.json.",
    },
  ],
  missing_weights: [
    {
      source:
        "https://github.com/pytorch/pytorch/blob/main/torch/serialization.py (torch.load → open(): the file's own OSError)",
      log: "FileNotFoundError: [Errno 2] No such file or directory: 'output/checkpoints/epoch_10.pth'",
    },
    {
      source:
        "https://github.com/PaddlePaddle/Paddle/blob/develop/python/paddle/framework/io.py (paddle.load → open())",
      log: "FileNotFoundError: [Errno 2] No such file or directory: '/work/ckpt/model_state.pdparams'",
    },
    {
      source: "https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_validators.py",
      log: "huggingface_hub.errors.HFValidationError: Repo id must be in the form 'repo_name' or 'namespace/repo_name': '/data/models/Qwen2-7B'. Use `repo_type` argument if needed.",
    },
    {
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/hub.py",
      log: "OSError: Incorrect path_or_model_id: '/data/models/Qwen2-7B'. Please provide either the path to a local folder or the repo_id of a model on the Hub.",
    },
    {
      // Offline, with a local path that is not there: the folder is what is missing.
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/hub.py",
      log: "OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files and it looks like /data/models/Qwen2-7B is not the path to a directory containing a file named config.json.",
    },
    {
      source:
        "https://github.com/huggingface/safetensors/blob/main/bindings/python/src/lib.rs (SafetensorError HeaderTooLarge)",
      log: "safetensors_rust.SafetensorError: Error while deserializing header: HeaderTooLarge",
    },
    {
      source: "https://github.com/python/cpython/blob/main/Modules/_pickle.c (a git-lfs pointer read as a pickle)",
      log: "_pickle.UnpicklingError: invalid load key, 'v'.",
    },
    {
      source:
        "https://github.com/huggingface/transformers/blob/main/src/transformers/tokenization_utils_base.py (from_pretrained)",
      log: "OSError: Can't load tokenizer for 'Qwen/Qwen2-7B'. If you were trying to load it from 'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, make sure 'Qwen/Qwen2-7B' is the correct path to a directory containing all relevant files for a Qwen2TokenizerFast tokenizer.",
    },
    {
      source:
        "https://github.com/huggingface/transformers/blob/main/src/transformers/modeling_utils.py (load_state_dict on a git-lfs pointer)",
      log: "OSError: You seem to have cloned a repository without having git-lfs installed. Please install git-lfs and run `git lfs install` followed by `git lfs pull` in the folder you cloned.",
    },
    {
      source:
        "https://github.com/modelscope/ms-swift/blob/main/docs/source_en/Instruction/Frequently-asked-questions.md (weights corrupted)",
      log: "safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer",
    },
    {
      source: "https://github.com/Ascend/MindSpeed-LLM/blob/master/docs/zh/FAQ.md (#1: CKPT_LOAD_DIR)",
      log: "Checkpoint path not found: /data/ckpt/qwen2-7b-tp8-pp1",
    },
  ],
  host_oom: [
    {
      source: `${TORCH}/c10/core/impl/alloc_cpu.cpp`,
      log: "RuntimeError: [enforce fail at alloc_cpu.cpp:117] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 2359296 bytes. Error code 12 (Cannot allocate memory)",
    },
    { source: "Python OSError for ENOMEM", log: "OSError: [Errno 12] Cannot allocate memory" },
    {
      source: "bash jobs.c (signal description of SIGKILL in the job report)",
      log: "./train.sh: line 12: 12345 Killed                  python train.py --config cfg.yaml",
    },
    {
      source: "bash po/zh_CN.po (SIGKILL)",
      log: "./train.sh: 行 12: 12345 已杀死               python train.py",
    },
    {
      source: "https://github.com/pytorch/pytorch/blob/main/torch/utils/data/_utils/signal_handling.py",
      log: "RuntimeError: DataLoader worker (pid 28841) is killed by signal: Killed.",
    },
    {
      source: "https://sourceware.org/git/?p=binutils-gdb.git;a=blob;f=gdb/infrun.c (print_signal_exited_reason)",
      log: "Program terminated with signal SIGKILL, Killed.",
    },
    {
      source: "https://github.com/ray-project/ray/blob/master/python/ray/exceptions.py (OutOfMemoryError)",
      log: "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.",
    },
    {
      source:
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/ (container status reason OOMKilled)",
      log: "Last State: Terminated  Reason: OOMKilled  Exit Code: 137",
    },
    {
      source: "https://github.com/SchedMD/slurm/blob/master/src/plugins/task/cgroup/task_cgroup_memory.c",
      log: "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=123.batch. Some of your processes may have been killed by the cgroup out-of-memory handler.",
    },
    {
      source: "https://github.com/numpy/numpy/blob/main/numpy/_core/_exceptions.py (_ArrayMemoryError)",
      log: "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.50 GiB for an array with shape (1000000, 940) and data type float32",
    },
  ],
  tp_exceeds_kv_heads: [
    {
      source: "https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/transformer/transformer_config.py",
      log: "ValueError: num_query_groups (4) must be a multiple of tensor_model_parallel_size (8).",
    },
    {
      source: "https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/transformer/transformer_config.py",
      log: "ValueError: num_attention_heads (28) must be a multiple of tensor_model_parallel_size (8).",
    },
    {
      source:
        "https://github.com/vllm-project/vllm-ascend/blob/main/vllm_ascend/distributed/kv_transfer/utils/utils.py",
      log: "ValueError: Number of heads (8) cannot be evenly divided by TP (16).",
    },
  ],
  pp_layers_mismatch: [
    {
      source: "https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/training/arguments.py (validate_args)",
      log: "AssertionError: Number of layers should be divisible by the pipeline-model-parallel size",
    },
    {
      source: "https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/transformer/transformer_block.py",
      log: "AssertionError: num_layers must be divisible by pipeline_model_parallel_size",
    },
    {
      source: "https://gitcode.com/Ascend/MindSpeed-LLM (checkpoint converter _valid_parameter)",
      log: "ValueError: number of layers (61) should be divisible by the pipeline parallel size (4)",
    },
  ],
  megatron_version_mismatch: [
    {
      source: "https://github.com/NVIDIA/NeMo/blob/main/scripts/checkpoint_averaging (ImportError wording)",
      log: "ImportError: Megatron is not installed. Please install Megatron-LM to use this script.",
    },
    {
      source: 'Megatron-LM consumers\' import guard ("megatron.core is not available. Please install Megatron-LM")',
      log: "ImportError: megatron.core is not available. Please install Megatron-LM to use TopoSharder.",
    },
    {
      source: "https://github.com/NVIDIA/NeMo (HAVE_MEGATRON_CORE guard of the Megatron-based models)",
      log: "[NeMo W 2023-10-05 22:24:59 nemo_logging:393] megatron-core was not found. Please see the NeMo README for installation instructions: https://github.com/NVIDIA/NeMo#megatron-gpt.",
    },
  ],
  device_busy: [
    {
      // Outside the caching allocator (whose own report says "Tried to allocate"): the context and handles made at
      // start, on a card others already fill.
      source: `${TORCH}/c10/cuda/CUDAException.h (cudaErrorMemoryAllocation through C10_CUDA_CHECK)`,
      log: "RuntimeError: CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported at some other API call.",
    },
    {
      source: "glibc po/zh_CN.po (EBUSY) on the device node",
      log: "open /dev/davinci0 failed: 设备或资源忙",
    },
    {
      source: "https://github.com/mindspore-ai/docs/blob/master/docs/mindspore/source_en/faq/data_processing.md",
      log: "RuntimeError: Malloc device memory failed, free memory size is less than half of total memory size.Device 0 Device MOC total size:65464696832 Device MOC free size:3596279808 may be other processes occupying this card, check as: ps -ef|grep python",
    },
    {
      source: "https://github.com/vllm-project/vllm/blob/main/vllm/v1/worker/gpu_worker.py (init_device)",
      log: "ValueError: Free memory on device npu:0 (15.32/62.00 GiB) on startup is less than desired GPU memory utilization (0.9, 55.80 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes.",
    },
  ],
  windows_line_endings: [
    {
      source: "https://github.com/coreutils/coreutils/blob/master/src/env.c (program name quoted by lib/quotearg.c)",
      log: "/usr/bin/env: ‘python3\\r’: No such file or directory",
    },
    {
      source: "bash po/zh_CN.po (command not found, with a CR in the word)",
      log: "run.sh: 行 2: $'\\r': 未找到命令",
    },
    {
      source: "bash po/zh_CN.po (bad interpreter)",
      log: "bash: ./run.sh: /bin/bash^M: 解释器错误: 没有那个文件或目录",
    },
    {
      source: "bash builtins/set.def (set -o with an unknown option name; here `pipefail\\r`)",
      log: "run.sh: line 3: set: pipefail\r: invalid option name",
    },
    {
      source: "bash print_cmd.c / general.c (ansic_quote: a word holding a CR is shown as $'…\\r')",
      log: "run.sh: line 3: cd: $'/data/checkpoints\\r': No such file or directory",
    },
    {
      source: 'bash builtins/common.c (sh_invalidid: "`%s\': not a valid identifier", the CR kept in the word)',
      log: "run.sh: line 2: export: `MASTER_PORT=29500\r': not a valid identifier",
    },
  ],
  cann_python_deps_broken: [
    {
      source:
        "CANN installation guide, Python dependencies of the operator compiler (attrs, decorator, sympy, cffi, pyyaml, pathlib2, psutil, protobuf, scipy, requests, absl-py): https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/80RC2alpha002/quickstart/quickstart/quickstart_18_0004.html",
      log: "  File \"/usr/local/Ascend/ascend-toolkit/latest/python/site-packages/tbe/common/utils/log.py\", line 20, in <module>\nModuleNotFoundError: No module named 'google'",
    },
  ],
  libgomp_static_tls: [
    {
      source: 'glibc po/zh_CN.po ("cannot allocate memory in static TLS block")',
      log: "ImportError: /usr/lib/aarch64-linux-gnu/libgomp.so.1: 无法在静态 TLS 块中分配内存",
    },
  ],
  input_path_missing: [
    {
      source: "https://github.com/huggingface/datasets/blob/main/src/datasets/data_files.py (resolve_pattern)",
      log: "FileNotFoundError: Unable to find '/data/sft/train.jsonl'",
    },
    {
      source: "https://github.com/huggingface/datasets/blob/2.14.0/src/datasets/load.py (dataset_module_factory)",
      log: "FileNotFoundError: Couldn't find a dataset script at /data/sft/mydata/mydata.py or any data file in the same directory.",
    },
    {
      source: "CPython Objects/exceptions.c (OSError's str: [Errno N] strerror: 'filename')",
      log: "FileNotFoundError: [Errno 2] No such file or directory: '/home/user/configs/data.json'",
    },
  ],
};

// The rules alone must name each category: the nearest known public cases are switched off here.
beforeAll(() => setKnownCaseFilter(() => false));
afterAll(() => setKnownCaseFilter(undefined));

const top = (log: string) => diagnoseText(log).findings[0]?.category ?? "unknown";

describe("each category recognises the wording of every stack that raises it", () => {
  const cases = Object.entries(MESSAGES).flatMap(([category, list]) => (list ?? []).map((m) => ({ category, ...m })));

  it.each(cases)("$category: $source", ({ category, log }) => {
    expect(top(log)).toBe(category);
  });

  it("keeps every category's source messages out of every other category (no substring traps)", () => {
    const wrong: string[] = [];
    for (const { category, log } of cases) {
      const cats = new Set(diagnoseText(log).findings.map((f) => f.category));
      cats.delete(category as Category);
      // A generic reading that the precedence table ranks below this category (a bare "No such file" under the
      // rule that knows which file) is the same failure told less precisely, not a trap.
      for (const c of cats) if (explains(category, c)) cats.delete(c);
      if (cats.size) wrong.push(`${category} also read as ${[...cats].join(", ")}: ${log.slice(0, 80)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("anchors every pattern that matches a source message with a literal the message holds", () => {
    const compiled = compileRules(diagnosisRules);
    const lines = cases.flatMap((c) => c.log.split("\n"));
    for (const [i, p] of compiled.patterns.entries()) {
      if (!p.key.startsWith("r:") || compiled.suspicion[i]! > 0) continue;
      if (i === compiled.codePattern || i === compiled.framePattern) continue;
      for (const line of lines) {
        if (p.test(line) === null) continue;
        expect(
          p.anchors.some((a) => line.includes(a)),
          `${p.key} matches a line without its anchors: ${line}`,
        ).toBe(true);
      }
    }
  });
});

describe("new source wordings keep root causes above the symptoms they cause", () => {
  it.each([
    {
      cause: "npu_oom",
      log: [
        "[rank1]: torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB.",
        "[E ProcessGroupNCCL.cpp:414] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.",
      ],
    },
    {
      cause: "port_in_use",
      log: [
        "OSError: [Errno 98] 地址已在使用",
        "RuntimeError: Timed out initializing process group in store based barrier on rank: 0, for key: store_based_barrier_key:1 (world_size=8, num_workers_joined=1, timeout=0:30:00)",
      ],
    },
    {
      cause: "host_oom",
      log: [
        "RuntimeError: [enforce fail at alloc_cpu.cpp:117] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 2359296 bytes.",
        "RuntimeError: [Rank 0]: Rank 1 failed to pass monitoredBarrier in 1800000 ms",
      ],
    },
    {
      cause: "shm_bus_error",
      log: [
        "node1:168:168 [0] misc/shmutils.cc:72 NCCL WARN Error: failed to extend /dev/shm/nccl-UbzKZ9 to 9637892 bytes: No space left on device",
        "RuntimeError: [../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete",
      ],
    },
    {
      cause: "dtype_unsupported",
      log: [
        "RuntimeError: Tensor self not implemented for DT_BFLOAT16, should be in dtype support list [DT_FLOAT16,DT_FLOAT,].",
        "RuntimeError: call aclnnGroupedMatmulV4 failed, error code is 561003",
      ],
    },
    {
      cause: "shm_bus_error",
      log: [
        "Signal 7 (SIGBUS) received by PID 4242",
        "[Rank 0] Watchdog caught collective operation timeout: WorkHCCL(SeqNum=1, OpType=ALLREDUCE) ran for 1800000 milliseconds before timing out.",
      ],
    },
    {
      cause: "host_oom",
      log: [
        "RuntimeError: DataLoader worker (pid 28841) is killed by signal: Killed.",
        "RuntimeError: [Rank 0]: Rank 1 failed to pass monitoredBarrier in 1800000 ms",
      ],
    },
  ])("$cause ranks first", ({ cause, log }) => {
    expect(top(log.join("\n"))).toBe(cause);
  });
});

describe("harmless warnings of other stacks are not read as failures", () => {
  it("does not read vLLM's warning about vllm._C on plugin platforms as an import from a source tree", () => {
    // vllm/_custom_ops.py logs this on every vLLM-Ascend start; the extension is not used there.
    const log =
      "WARNING 05-27 09:33:16 [_custom_ops.py:21] Failed to import from vllm._C with ModuleNotFoundError(\"No module named 'vllm._C'\")";
    expect(diagnoseText(log).findings.map((f) => f.category)).not.toContain("import_from_source_dir");
  });

  it("does not read a missing vllm._C as a transformers/vLLM version conflict", () => {
    const log = "NameError: name 'vllm_ops' is not defined (Caught error: No module named 'vllm._C')";
    expect(diagnoseText(log).findings.map((f) => f.category)).not.toContain("transformers_version_conflict");
  });
});
