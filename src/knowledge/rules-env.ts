// Rules for broken installations: CANN not sourced, driver not mounted, mismatched versions, launch-script problems.
import { getRelease } from "./releases.js";
import { ascendCode, MINDSPEED_FAQ } from "./rules-device.js";
import { CONFIG_MAPPING_LOOKUP } from "./rules-train.js";
import { type DiagnosisRule, lit, rx, rxWhen } from "./rules-types.js";
import { l10n } from "./strerror-l10n.js";

/** Libraries of the CANN toolkit's lib64 (and NNAL's ATB); a loader error naming one means the environment script
 * was not sourced. libge_compiler: MindSpore FAQ (docs/mindspore/source_en/faq/implement_problem.md). */
const CANN_LIBS =
  "hccl|ascendcl|atb|ge_runner|graph|register|opapi|acl_op_compiler|runtime|hccl_plugin|tiling_api|platform|c_sec|msprofiler|nnopbase|ascend_protobuf|fmk_parser|ge_common|acl_tdt_channel|" +
  "lcal|asdops|mki|ascend_dump|ge_compiler|ge_executor|graph_base|exe_graph|error_manager|mmpa|profapi|msprof|ascendalog|unified_dlog|acl_dvpp|acl_cblas|aclnn_\\w+|cust_opapi|tsdclient|lowering|fmk_onnx_parser";

/** Python's ImportError naming the file it imported the package from (Python/ceval.c, "cannot import name %R from %R (%S)"). */
const IMPORT_FROM_FILE = /cannot import name '[\w.]+' from '[\w.]+' \((?<path>[^)\n]+\.py)\)/;

/**
 * A path relative to the working directory (`./pkg/__init__.py`, `project/pkg/__init__.py`), not under site-packages
 * or dist-packages, nor absolute, home-relative or elided (`.../env/…`).
 */
const inWorkingTree = (path: string) =>
  !/^(?:[/\\~]|[A-Za-z]:|\.\.\.)/.test(path) && !/(?:site|dist)-packages/.test(path);

/**
 * A local file or folder standing in for a package: the ImportError's module file relative to the working directory,
 * CPython's hints for a module named like a library, a module partially initialised by importing itself.
 */
const LOCAL_NAMESAKE =
  /cannot import name '[\w.]+' from '[\w.]+' \((?![/\\~]|[A-Za-z]:|\.\.\.|unknown location)(?![^)\n]*(?:site|dist)-packages)[^)\n]+\.py\)|if it has the same name as a library you intended to import|has the same name as the standard library module|partially initialized module/;

const HF_PACKAGES =
  "transformers|accelerate|peft|trl|datasets|tokenizers|huggingface_hub|vllm|vllm_ascend|deepspeed|diffusers|safetensors|verl|qwen_vl_utils|timm|llamafactory|swift";

/** pip's report of an installed set that breaks a requirement (pip/_internal/commands/install.py, dependency
 * conflicts): "<pkg> <ver> requires <req><spec>, but you have <dep> <ver> which is incompatible." */
const PIP_CONFLICT = /[\w.-]+ [\w.+!-]+ requires [\w.-]+[<>=!~][^\n]*, but you have (?<have>[\w.-]+) /;
const distName = (name: string | undefined) => (name ?? "").toLowerCase().replace(/-/g, "_");
const HF_DISTS = new Set(HF_PACKAGES.split("|"));

/** A call and the function it reaches disagree in shape: what an API changed between two releases looks like. */
const API_SHAPE = rx(
  /got an unexpected keyword argument|missing \d+ required (?:positional|keyword-only) arguments?|has no attribute '\w+'|cannot import name '\w+'/,
  "unexpected keyword argument",
  "required positional argument",
  "required keyword-only argument",
  "has no attribute '",
  "cannot import name '",
);

export const envRules: DiagnosisRule[] = [
  {
    id: "cann-env-not-sourced",
    category: "cann_env_not_sourced",
    title: "CANN environment not sourced",
    role: "primary",
    triggers: [
      // Round 17, upstream (eighth pass): https://github.com/Ascend/tools/blob/master/train/atlas_benchmark-master/image_classification/MobileNet/pytorch/code/8p/set_env_b020.sh
      {
        match: rx(
          /No module named '(?:hccl|llm_datadist)(?:\.[\w.]+)?'/,
          "No module named 'hccl",
          "No module named 'llm_datadist",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/profiler/analysis/prof_view/cann_parse/_cann_export.py
      { match: lit("please verify that the ascend-toolkit is installed and set-env.sh is sourced"), confidence: 0.72 },
      // Round 17, upstream (eighth pass): https://github.com/hicann/runtime/blob/master/scripts/package/runtime/set_env.sh
      {
        match: rx(
          /KeyError: '(?:ASCEND_HOME_PATH|ASCEND_TOOLKIT_HOME|ASCEND_OPP_PATH|ASCEND_AICPU_PATH|TOOLCHAIN_HOME)'/,
          "KeyError: 'ASCEND_",
          "KeyError: 'TOOLCHAIN_HOME'",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/mindspore-ai/mindspore/blob/master/docs
      {
        match: rx(
          /lib(?:hcomm|optiling|llm_datadist|metadef|cann_hixl|adxl|op_common|constant_folding_ops|ops_host_cpu)\.so[^\n]*(?:cannot open shared object file|无法打开共享对象文件|无法打开共享目标文件)/,
          "cannot open shared object file",
          "无法打开共享对象文件",
          "无法打开共享目标文件",
        ),
        confidence: 0.85,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/tools/blob/master/ais-bench_workload/tool/ais_bench/backend/setup.py
      { match: lit("find no cann path"), confidence: 0.75 },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/MindSpeed/blob/master/mindspeed/op_builder/builder.py#L26
      {
        match: lit("expected str, bytes or os.PathLike object, not NoneType"),
        near: [lit("mindspeed/op_builder/")],
        within: 8,
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/core/npu/NPUErrorCodes.h#L199
      {
        match: rx(
          /error code is 148049\b|\bACL_ERROR_INVALID_OPP_PATH\b/,
          "error code is 148049",
          "ACL_ERROR_INVALID_OPP_PATH",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (eighth pass): https://github.com/hicann/runtime/blob/master/scripts/package/runtime/set_env.sh
      {
        match: rx(
          /(?:^|[\s:])(?:bisheng|aoe|asys|msobjdump|msdebug|mssanitizer|msopst|show_kernel_debug_data): (?:command )?not found|command not found: (?:bisheng|aoe|asys|msobjdump|msdebug|mssanitizer|msopst|show_kernel_debug_data)\b/,
          "bisheng: command not found",
          "bisheng: not found",
          "aoe: command not found",
          "aoe: not found",
          "msobjdump: command not found",
          "msobjdump: not found",
          "msdebug: command not found",
          "msdebug: not found",
          "mssanitizer: command not found",
          "mssanitizer: not found",
          "msopst: command not found",
          "msopst: not found",
          "command not found: ",
          "asys: command not found",
          "asys: not found",
          "show_kernel_debug_data: command not found",
          "show_kernel_debug_data: not found",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (eighth pass): https://github.com/hicann/runtime/blob/master/scripts/package/runtime/set_env.sh
      {
        match: rx(
          /No such file or directory: '(?:atc|bisheng|ccec|msprof|opc|msopgen|aoe)'/,
          "No such file or directory: '",
        ),
        confidence: 0.72,
      },
      // Round 17, upstream (eighth pass): https://github.com/verylucky01/MindIE-Motor/blob/master/build/mindie/install.sh
      {
        match: rx(
          /[Pp]lease source (?:the )?(?:CANN|cann) set_env\.sh/,
          "lease source CANN set_env.sh",
          "lease source cann set_env.sh",
          "lease source the CANN set_env.sh",
          "lease source the cann set_env.sh",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream (second pass): https://github.com/Ascend/torchair/blob/master/python/torchair/_utils/error_messages.py#L39
      { match: lit("Failed to load GetRegisteredIrDef from libge_runner.so"), confidence: 0.8 },
      // Round 16, upstream: https://git.savannah.gnu.org/cgit/bash.git/tree/execute_cmd.c (and its po/zh_CN.po wording)
      {
        match: rx(
          /(?:^|[\s:])(?:atc|opc|msopgen|msprof|ccec): (?:command )?not found|command not found: (?:atc|opc|msopgen|msprof|ccec)\b|(?:^|[\s:])(?:atc|opc|msopgen|msprof|ccec)[:：] ?未找到命令/,
          "atc: command not found",
          "atc: not found",
          "opc: command not found",
          "opc: not found",
          "msopgen: command not found",
          "msopgen: not found",
          "msprof: command not found",
          "msprof: not found",
          "ccec: command not found",
          "ccec: not found",
          "command not found: ",
          "atc: 未找到命令",
          "atc：未找到命令",
          "opc: 未找到命令",
          "opc：未找到命令",
          "msopgen: 未找到命令",
          "msopgen：未找到命令",
          "msprof: 未找到命令",
          "msprof：未找到命令",
          "ccec: 未找到命令",
          "ccec：未找到命令",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/dfx/error_manager/error_code.json#L2826
      {
        match: rx(/the environment path \[\w+\] is not set or invalid, expect \[/, "] is not set or invalid, expect ["),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py
      {
        match: rx(
          /No such directory: \S+\. Please check if Ascend AI software package \(Ascend Data ?Center Solution\) is installed correctly/,
          "Please check if Ascend AI software package",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/npu/builder.py#L48
      { match: lit("CANN_HOME does not exist, unable to compile NPU op(s)"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/npu/builder.py#L34
      { match: lit("ascend_cann is missing, npu ops cannot be compiled!"), confidence: 0.7 },
      // Round 15: ascend-dmi (MindCluster ToolBox) failing to load a CANN library: "Failed to load the libascendcl.so
      // dynamic library. Check the environment configuration".
      {
        match: rx(
          /Failed to load the lib\w+\.so dynamic library\. Check the environment configuration/,
          "dynamic library. Check the environment configuration",
        ),
        confidence: 0.85,
      },
      // Upstream phrasebook: the toolkit's own path checks ("ASCEND_OPP_PATH : <dir> does not exist. … please run
      // 'source set_env.sh'"), torch_npu looking for ASCEND_HOME_PATH, the stub-library error (ACL 100039,
      // NPUErrorCodes.h), MindSpore's check for CANN's te/hccl wheels (run_check/_check_version.py).
      { match: lit("please run 'source set_env.sh'"), confidence: 0.8 },
      { match: lit("Could not find ASCEND_HOME_PATH in env"), confidence: 0.85 },
      { match: lit("is the path of the compilation stub"), confidence: 0.85 },
      // Round 15: MindSpore prints it after any failed import of te; a NumPy 2 removal on the line before is the reason
      // (cann_python_deps_broken), not a missing environment.
      {
        match: lit('relies on whl packages of "te" and "hccl"'),
        unless: [lit("was removed in the NumPy 2.0 release")],
        within: 2,
        confidence: 0.75,
      },
      {
        match: rx(
          // The loader's message in English and in glibc's zh_CN text (po/zh_CN.po: "无法打开共享对象文件", since 2025
          // "无法打开共享目标文件") and zh_TW's ("無法開啟共用物件").
          new RegExp(
            `lib(?:${CANN_LIBS})\\.so[^\\n]*(?:cannot open shared object file|无法打开共享对象文件|无法打开共享目标文件|無法開啟共用物件)`,
          ),
          "cannot open shared object file",
          "无法打开共享对象文件",
          "无法打开共享目标文件",
          "無法開啟共用物件",
        ),
        confidence: 0.9,
      },
      {
        match: rx(
          /No module named '(?:acl|te|te_fusion|tbe|auto_tune|schedule_search|op_compile_tool|opc_tool)(?:\.[\w.]+)?'/,
          "No module named 'acl",
          "No module named 'te",
          "No module named 'tbe",
          "No module named 'auto_tune",
          "No module named 'schedule_search",
          "No module named 'op",
        ),
        confidence: 0.88,
      },
      { match: lit("Please run 'source set_env.sh'"), confidence: 0.88 },
      // vLLM finds no platform; on Ascend the vLLM-Ascend FAQ (docs/source/faqs.md #6) traces it to the CANN/NNAL
      // environment not being set up (source set_env.sh of both).
      { match: lit("Failed to infer device type"), confidence: 0.62 },
      // MindSpeed's ATB op builder when ATB_HOME_PATH is unset (mindspeed/op_builder/atb_builder.py).
      { match: lit("please install cann-nnal package first"), confidence: 0.78 },
      // MindSpore's environment check (mindspore/run_check/_check_version.py, AscendEnvChecker._check_env): "Can not
      // find ccec_compiler / the tbe operator implementation / driver so / opp path (need by mindspore-ascend)".
      {
        match: rx(/Can not find [^\n]{0,50}\(?need by mindspore-ascend\)/, "need by mindspore-ascend"),
        confidence: 0.72,
      },
      // MindSpore could not load its Ascend plugin (mindspore/ccsrc/utils/ms_context.cc SetDeviceTargetFromInner): the
      // loader's own message, when printed, names the missing library more precisely.
      {
        match: rx(
          /Unsupported device target Ascend\. This process only supports one of/,
          "Unsupported device target Ascend",
        ),
        confidence: 0.6,
      },
      {
        match: rx(
          /ASCEND_(?:HOME_PATH|TOOLKIT_HOME|OPP_PATH)[^\n]{0,40}(?:is not set|not set|is empty)/,
          "ASCEND_HOME_PATH",
          "ASCEND_TOOLKIT_HOME",
          "ASCEND_OPP_PATH",
        ),
        confidence: 0.7,
      },
    ],
    extract: [/(?<library>lib[\w.-]+\.so(?:\.\d+)*): cannot open/, /No module named '(?<module>[\w.]+)'/],
    cause:
      "The CANN toolkit (or NNAL/ATB) environment script was not sourced in the shell that launched Python, so " +
      "LD_LIBRARY_PATH and PYTHONPATH lack CANN's libraries and Python packages. NNAL installed before the toolkit was " +
      "sourced shows the same symptom for libatb.so.",
    fixes: [
      {
        id: "source-env",
        summary:
          "Source the toolkit and NNAL scripts in the launching shell (and in ~/.bashrc or the container entrypoint).",
        commands: [
          "source <cann_root>/ascend-toolkit/set_env.sh  # CANN 8.5+: <cann_root>/cann/set_env.sh",
          "source <cann_root>/nnal/atb/set_env.sh",
        ],
      },
      { id: "reinstall-nnal", summary: "If libatb.so is still missing, reinstall NNAL after sourcing the toolkit." },
    ],
    references: [`${MINDSPEED_FAQ} (#2, #3)`, "https://github.com/Ascend/pytorch/issues/29"],
  },
  {
    id: "driver-not-mounted",
    category: "driver_not_mounted",
    title: "Ascend driver not available (container without driver mounts)",
    role: "primary",
    triggers: [
      // Round 20, tune (no rule read these logs; only their own public case did): NVIDIA's container toolkit after a
      // `systemctl daemon-reload` (its troubleshooting page, "Containers losing access to GPUs with error: Failed to
      // initialize NVML: Unknown Error"): the container's cgroup no longer grants the device nodes; the driver is there.
      { match: lit("Failed to initialize NVML: Unknown Error"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/k8s-device-plugin/blob/main/internal/plugin/factory.go#L119
      { match: lit("did you configure the NVIDIA Container Toolkit?"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/k8s-device-plugin/blob/main/internal/plugin/factory.go#L99
      {
        match: rx(/(?:Failed to initialize NVML|nvml init failed): ERROR_LIBRARY_NOT_FOUND/, "ERROR_LIBRARY_NOT_FOUND"),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://docs.nvidia.com/deploy/nvml-api/group__nvmlReturn.html
      { match: lit("Failed to initialize NVML: Driver Not Loaded"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/src/ascend_hal/dms/common/dms_user_common.c#L121
      {
        match: rx(
          /Open failed\. \(dev_name=\/dev\/(?:davinci_manager|npu_device_cust); fd=-1;[^)\n]*errno=2\)/,
          "Open failed. (dev_name=/dev/",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/src/ascend_hal/dms/drv_devmng/ascend910/devdrv_hccl.c#L69
      {
        match: rx(/open (?:devdrv|drvdev)_device manager failed, fd\(-\d+\)/, "_device manager failed, fd("),
        confidence: 0.75,
      },
      // Round 17, upstream (sixth pass): https://github.com/triton-lang/triton/blob/main/third_party/nvidia/backend/driver.py
      { match: lit("libcuda.so cannot found!"), confidence: 0.68 },
      // Round 16, upstream (second pass): https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html
      {
        match: rx(
          /(?:CUDA driver is a stub library|\bcudaErrorStubLibrary\b|CUDA_ERROR_STUB_LIBRARY)/,
          "CUDA driver is a stub library",
          "cudaErrorStubLibrary",
          "CUDA_ERROR_STUB_LIBRARY",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/NVIDIA/nvidia-container-toolkit/blob/main/vendor/tags.cncf.io/container-device-interface/pkg/cdi/cache.go#L257
      {
        match: rx(/unresolvable CDI devices \S*(?:nvidia\.com|huawei\.com|amd\.com)\//, "unresolvable CDI devices"),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/NVIDIA/nvidia-container-toolkit/blob/main/cmd/nvidia-container-runtime-hook/hook_config.go#L130
      { match: lit("invoking the NVIDIA Container Runtime Hook directly"), confidence: 0.72 },
      // Round 16, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-docker-runtime/cli/src/u_mount.c#L153
      {
        match: rx(
          /(?:failed to mount src dir|Check file subset failed): \S*(?:Ascend|npu-smi|dcmi|davinci)/,
          "failed to mount src dir: ",
          "Check file subset failed: ",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/common-utils/utils/path.go#L381
      { match: lit("cannot found valid driver lib"), confidence: 0.78 },
      // Round 16, upstream: https://github.com/kubernetes/kubernetes/blob/master/pkg/volume/hostpath/host_path.go
      {
        match: rx(
          /hostPath type check failed: \S*(?:Ascend|nvidia|npu-smi|dcmi|davinci|hiai)/,
          "hostPath type check failed: ",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/moby/moby/blob/master/daemon/runtime_unix.go#L219
      {
        match: rx(/unknown or invalid runtime name: (?:nvidia|ascend)/, "unknown or invalid runtime name: "),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/moby/moby/blob/master/daemon/volume/mounts/validate.go#L20
      {
        match: rx(
          /bind source path does not exist: \S*(?:Ascend|npu-smi|dcmi|davinci|nvidia)/,
          "bind source path does not exist: ",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/dcmi/common.go#L53
      { match: lit("dcmi libdcmi.so failed to load"), confidence: 0.78 },
      // Round 15, upstream: nvidia-smi
      { match: lit("couldn't communicate with the NVIDIA driver"), confidence: 0.68 },
      // Round 15 (rule coverage of tune logs no rule was sure of): the NVIDIA driver's user-space library absent from a
      // container or host (glibc elf/dl-load.c naming libcuda.so.1, which only the driver installs), the container toolkit
      // failing to start or mount it (libnvidia-container "nvidia-container-cli: initialization error", "mount error",
      // "load library failed: libnvidia-ml.so"), NVML not loadable, Docker without the GPU runtime (moby
      // daemon/devices.go "could not select device driver … with capabilities", "Unknown runtime specified nvidia"),
      // and HAMi's Ascend device plugin not finding npu-smi on the node.
      {
        match: rx(/libcuda\.so(?:\.1)?: cannot open shared object file/, "libcuda.so"),
        confidence: 0.78,
      },
      { match: lit("nvidia-container-cli: initialization error"), confidence: 0.8 },
      { match: lit("nvidia-container-cli: mount error"), confidence: 0.72 },
      { match: lit("load library failed: libnvidia-ml.so"), confidence: 0.82 },
      {
        match: rx(
          /Failed to initialize NVML: could not load NVML library|did you set the docker default runtime to `nvidia`/,
          "could not load NVML library",
          "did you set the docker default runtime",
        ),
        confidence: 0.78,
      },
      {
        match: rx(/could not select device driver "[^"\n]*" with capabilities/, "could not select device driver"),
        confidence: 0.85,
      },
      { match: rx(/[Uu]nknown runtime specified nvidia/, "nknown runtime specified nvidia"), confidence: 0.8 },
      { match: lit("npu-smi not found in"), confidence: 0.7 },
      // Hedged: libcurand missing was a container without the host's CUDA libraries mounted (Jetson's L4T runtime
      // mounts them) in every tune log; on x86 it can also be a CUDA toolkit not installed.
      { match: rx(/libcurand\.so[.\d]*: cannot open shared object file/, "libcurand.so"), confidence: 0.55 },
      // Upstream phrasebook 2: the driver's device nodes absent (devmng/dms/devmm/hdc opens failing with fd=-1),
      // torch_npu and dcmi failing to reach the driver (dcmi -8005), the container runtime mounting no device or unable
      // to load dcmi, the driver package incomplete, vllm-ascend finding no npu-smi.
      {
        match: rx(
          /[Oo]pen device manager failed|Davinci open memory device fail|Open dms device failed|Open pcie device failed/,
          "pen device manager failed",
          "Davinci open memory device fail",
          "Open dms device failed",
          "Open pcie device failed",
        ),
        confidence: 0.8,
      },
      { match: lit("drvGetDevNum failed"), confidence: 0.75 },
      { match: lit("Can't get ascend_hal device count"), confidence: 0.75 },
      {
        match: rx(
          /Failed to init dcmi\. Error code: -8005|dcmi (?:init|lib load) failed, error code/,
          "Failed to init dcmi",
          "dcmi init failed",
          "dcmi lib load failed",
        ),
        confidence: 0.82,
      },
      { match: lit("ASCEND_VISIBLE_DEVICES env variable is empty, will not mount any ascend device"), confidence: 0.8 },
      { match: lit("The driver package may not be completely installed"), confidence: 0.7 },
      { match: lit("npu-smi tool not found"), confidence: 0.45 },
      // Upstream phrasebook: the driver's device manager node missing (drv_comm_intf.c, devmm_svm_init.c "Open device
      // fail. (fd=-1; chardev=/dev/davinci_manager)") and the runtime's device count call to the driver failing.
      { match: rx(/Open device fail\.[^\n]*chardev=\/dev\/davinci/, "chardev=/dev/davinci"), confidence: 0.82 },
      { match: lit("Call driver api drvGetDevNum failed"), confidence: 0.75 },
      { match: rx(/libascend_hal\.so[^\n]*cannot open/, "libascend_hal.so"), confidence: 0.92 },
      { match: lit("libascend_hal.so"), confidence: 0.75 },
      { match: lit("dcmi module initialize failed"), confidence: 0.8 },
      // The GPU counterparts: NVIDIA's CUDA images print at start (nvidia_entrypoint.sh) "WARNING: The NVIDIA Driver
      // was not detected" when run without --gpus / the container toolkit, and TensorFlow's CUDA diagnostics
      // (stream_executor/cuda/cuda_diagnostics.cc) find no libcuda.so in the process.
      { match: lit("The NVIDIA Driver was not detected"), confidence: 0.82 },
      { match: lit("was unable to find libcuda.so DSO loaded into this program"), confidence: 0.8 },
      // Container runtimes and device plugins: the host driver files or device nodes are not in the container.
      {
        match: rx(/failed to mount src: \S*(?:npu-smi|Ascend|dcmi|davinci)/, "failed to mount src"),
        confidence: 0.85,
      },
      // The driver's tools are the host's: a container without them mounted (Ascend's npu-smi; nvidia-smi, which the
      // NVIDIA container runtime injects with the driver libraries) finds no such command: bash's words (in zh_CN too),
      // dash's ("sh: 1: npu-smi: not found") and Python's subprocess (FileNotFoundError naming the command).
      {
        match: rx(
          /(?:npu|nvidia)-smi: (?:No such file or directory|command not found|not found$)|(?:npu|nvidia)-smi[:：] ?(?:没有那个文件或目录|未找到命令)|No such file or directory: '(?:npu|nvidia)-smi'/,
          "npu-smi:",
          "npu-smi：",
          "nvidia-smi:",
          "nvidia-smi：",
          "directory: 'npu-smi'",
          "directory: 'nvidia-smi'",
        ),
        confidence: 0.82,
      },
      {
        match: rx(
          /Failed to initialize DCMI|DCMI_ERROR_LIBRARY_NOT_FOUND|libdcmi\.so[^\n]*cannot open/,
          "Failed to initialize DCMI",
          "DCMI_ERROR_LIBRARY_NOT_FOUND",
          "libdcmi.so",
        ),
        confidence: 0.82,
      },
      { match: rx(/HDC init failed|driver may not load/, "HDC init failed", "driver may not load"), confidence: 0.8 },
      {
        match: rx(
          /\/dev\/davinci(?:_manager|\d+)[^\n]*(?:No such file|no such file|does not exist|not found)/,
          "/dev/davinci",
        ),
        confidence: 0.8,
      },
      // npu-smi and DCMI users load the driver's management library from /usr/local/Ascend/driver/lib64/driver.
      { match: rx(/libdrvdsmi\w*\.so[^\n]*cannot open/, "libdrvdsmi"), confidence: 0.85 },
      {
        match: lit("Failed to load the backend extension: torch_npu"),
        unless: [
          lit("undefined symbol"),
          lit("cannot open shared object file"),
          lit("has no attribute"),
          lit("No module named"),
        ],
        within: 40,
        confidence: 0.5,
      },
    ],
    cause:
      "The Ascend driver libraries and device nodes are not visible to this process: the container was started without " +
      "the driver mounts (/usr/local/Ascend/driver, /dev/davinci*), or torch_npu was imported while building an image.",
    fixes: [
      {
        id: "docker-run",
        summary: "Start the container with the devices and driver mounts.",
        commands: [
          "docker run --device /dev/davinci0 --device /dev/davinci_manager --device /dev/devmm_svm --device /dev/hisi_hdc " +
            "-v /usr/local/Ascend/driver:/usr/local/Ascend/driver -v /usr/local/bin/npu-smi:/usr/local/bin/npu-smi " +
            "-v /etc/ascend_install.info:/etc/ascend_install.info <image>",
        ],
      },
      {
        id: "no-build-import",
        summary: "Do not import torch_npu during docker build; set TORCH_DEVICE_BACKEND_AUTOLOAD=0 there.",
      },
    ],
    references: ["https://github.com/vllm-project/vllm-ascend/issues/1440"],
  },
  {
    id: "torch-npu-version-mismatch",
    category: "torch_npu_version_mismatch",
    title: "torch, torch_npu, CANN or NNAL versions do not match",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/pytorch/vision/blob/0d7913da146566a8fd92c307ddf21ab12aa4b7bd/torchvision/extension.py#L26
      {
        match: rx(
          /Couldn't load custom C\+\+ ops\. This can happen if your (?:PyTorch|torch) and \w+ versions are incompatible/,
          "Couldn't load custom C++ ops",
        ),
        confidence: 0.75,
      },
      // Round 24, upstream (tenth pass): https://github.com/pytorch/vision/blob/0d7913da146566a8fd92c307ddf21ab12aa4b7bd/torchvision/extension.py#L58
      // Round 24, upstream (tenth pass): https://github.com/pytorch/audio/blob/b29b6ad97020c7ac98fdcad7c4d83492996322d0/src/torchaudio/_extension/utils.py
      {
        match: rx(
          /Detected that PyTorch and (?:torchvision|TorchAudio|torchaudio) were compiled with different CUDA versions/,
          "were compiled with different CUDA versions",
        ),
        confidence: 0.75,
      },
      // Round 24, upstream (tenth pass): https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/training/training.py#L83
      { match: lit("please upgrade torch_npu"), confidence: 0.5 },
      // Round 24, upstream (tenth pass): https://github.com/Ascend/op-plugin/blob/517f2e7d0f202f38b76310706cb977ca2388ad21/op_plugin/ops/opapi/MlaPrologV3KernelNpuOpApi.cpp#L97
      {
        match: rx(/torch_npu supports the \w+ only in version later than v[\d.]+/, "only in version later than"),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/_inductor/runtime/triton_heuristics.py#L1255
      { match: lit("Installed triton version too old, please upgrade"), confidence: 0.65 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/MindSpeed/blob/master/mindspeed/op_builder/gmm_builder.py#L352
      { match: rx(/(?:touch|torch)_npu_api_version (?:\S+ )?unsupport/, "_npu_api_version"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/op-plugin/blob/master/op_plugin/ops/opapi/MoeInitRoutingV2KernelNpuOpApi.cpp#L137
      {
        match: rx(
          /on this version of torch with torch_npu\. Please upgrade to at least v[\d.]+/,
          "on this version of torch with torch_npu",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream (second pass): https://github.com/pypa/pip/blob/main/src/pip/_internal/resolution/resolvelib/factory.py
      {
        match: rx(
          /Cannot install [^\n]*torch[-_]npu[^\n]* because these package versions have conflicting dependencies/,
          "because these package versions have conflicting dependencies",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/vision/blob/main/torchvision/extension.py
      {
        match: lit("Detected that PyTorch and torchvision were compiled with different CUDA major versions"),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/vision/blob/main/torchvision/_meta_registrations.py
      { match: rx(/operator torchvision::\w+ does not exist/, "operator torchvision::"), confidence: 0.7 },
      // Round 16, upstream: https://github.com/DeepLink-org/dlinfer/blob/a50184e3734e5799bd4cec484d3a2ac46a36ae86/dlinfer/graph/dicp/dynamo_bridge/torch_version.py#L33
      { match: rx(/unsupported dicp torch version: \S+/, "unsupported dicp torch version"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/builder.py#L131
      {
        match: rx(
          /DeepSpeed Op Builder: Installed CUDA version [\d.]+ does not match the version torch was compiled with [\d.]+, unable to compile/,
          "does not match the version torch was compiled with",
        ),
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/builder.py#L178
      {
        match: lit(
          "PyTorch version mismatch! DeepSpeed ops were compiled and installed with a different version than what is being used at runtime",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/builder.py#L190
      {
        match: lit(
          "CUDA version mismatch! DeepSpeed ops were compiled and installed with a different version than what is being used at runtime",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed-LLM/blob/c77308a14bfcb1aa7ca61da9c1aa24a893cb1b91/mindspeed_llm/fsdp2/models/common/indexer_loss.py#L88
      {
        match: rx(/torch_npu is unavailable or does not provide \w+/, "torch_npu is unavailable or does not provide"),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/trainer.py#L1522
      { match: lit("Trainer failed to import FusedAdamW from torch_npu"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/bitsandbytes-foundation/bitsandbytes/blob/95f9af309d4d5793847169c39288dcd3fcbdf564/bitsandbytes/cextension.py#L230
      { match: rx(/\b(?:CUDA|ROCm|HIP) VERSION MISMATCH\b/, "VERSION MISMATCH"), confidence: 0.6 },
      // Round 15, upstream: https://github.com/pytorch/pytorch/blob/main/torch/utils/cpp_extension.py
      {
        match: rx(
          /The detected CUDA version \([\d.]+\) mismatches the version that was used to compile/,
          "mismatches the version that was used to compile",
        ),
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/NVIDIA/apex/blob/master/setup.py
      {
        match: lit(
          "Cuda extensions are being compiled with a version of Cuda that does not match the version used to compile Pytorch binaries",
        ),
        confidence: 0.62,
      },
      // Round 14: xFormers whose C++/CUDA part did not load (xformers/ops/fmha/common.py lists "xFormers wasn't build
      // with CUDA support" for each attention operator when `_built_with_cuda` is false; at import it warns "xFormers
      // can't load C++/CUDA extensions. xFormers was built for: PyTorch …"): a wheel built for another torch or CUDA.
      { match: lit("xFormers wasn't build with CUDA support"), confidence: 0.7 },
      { match: lit("xFormers can't load C++/CUDA extensions"), confidence: 0.8 },
      // Round 13: torch_npu's inductor backend importing the Ascend extension of a triton-ascend older or newer than it
      // (torch_npu/_inductor/npu_triton_helpers.py: "No module named 'triton.language.extra.ascend'").
      { match: lit("No module named 'triton.language.extra.ascend"), confidence: 0.75 },
      // Round 12: the same message wrapped after "undefined" (a terminal or a post breaking the long line): the mangled
      // C++ name on the next line.
      {
        match: rx(/^\s*symbol: _Z\w+/, "symbol: _Z"),
        near: [rx(/\.so: undefined\s*$/, ".so: undefined")],
        within: 1,
        confidence: 0.7,
      },
      // Upstream phrasebook 2: MindSpeed asking for a newer torch_npu ("please update the latest PTA version", "PTA dose
      // not support this func"), pip's resolver naming the torch or torch_npu pin another package needs.
      {
        match: rx(
          /please update the latest PTA version|PTA dose not support this func/,
          "latest PTA version",
          "PTA dose not support",
        ),
        confidence: 0.8,
      },
      {
        match: rx(
          /torch-npu [\w.+]+ has requirement torch==|requires torch[-_]npu==[\w.+]+, but you have torch[-_]npu/,
          "has requirement torch==",
          "requires torch-npu==",
          "requires torch_npu==",
        ),
        confidence: 0.88,
      },
      {
        match: rx(
          /(?:libtorch_npu|libtorch\w*|libtbe_adapter|libatb\w*|libruntime|libhccl|libopapi|libascendcl|_C\.cpython[\w-]*)\.so[^\n]*undefined symbol/,
          "undefined symbol",
        ),
        // A toolkit library missing an internal (C++) symbol of the toolkit is two CANN releases mixed
        // (cann-version-mismatch).
        unless: [rx(/ascend-toolkit\/[^\s:]*\/lib(?:64)?\/lib[\w.-]+\.so: undefined symbol: _Z/, "ascend-toolkit/")],
        within: 0,
        confidence: 0.9,
      },
      { match: lit("undefined symbol"), confidence: 0.72 },
      { match: rx(/depends on torch==[\w.+]+/, "depends on torch=="), confidence: 0.8 },
      { match: rx(/module 'torch_npu[\w.]*' has no attribute/, "module 'torch_npu"), confidence: 0.8 },
      // torch_npu's own check of the CANN release it runs on (torch_npu/utils/utils.py cann_package_check).
      // Newer releases (torch_npu/_init/registry/registry_manager.py) say "do not match".
      {
        match: rx(
          /CANN package version \S+ and PyTorch version \S+ (?:is not matched|do not match)/,
          "is not matched",
          "do not match",
        ),
        confidence: 0.75,
      },
      // torch_npu/__init__.py _check_device_conflict: a CUDA (or other accelerator) build of torch next to torch_npu.
      { match: lit("Two accelerators cannot be used at the same time in PyTorch"), confidence: 0.85 },
      // pip's dependency-conflict report about torch_npu's pinned torch.
      {
        match: rx(/torch[-_]npu [\w.+!-]+ requires torch[<>=!~][^\n]*, but you have torch /, ", but you have "),
        confidence: 0.85,
      },
    ],
    cause:
      "torch, torch_npu, the CANN toolkit and NNAL/ATB are not from the same row of the compatibility table (or the C++ " +
      "ABI differs), so a shared library references a symbol the others do not export.",
    fixes: [
      {
        id: "show-versions",
        summary: "Show what is installed.",
        commands: [
          "pip list 2>/dev/null | grep -i -E '^torch'",
          "cat <cann_root>/cann/*/ascend_toolkit_install.info <cann_root>/ascend-toolkit/latest/*/ascend_toolkit_install.info 2>/dev/null",
        ],
      },
      {
        id: "reinstall-pair",
        summary:
          "Reinstall torch and torch_npu as a pair of exact versions, then the matching CANN toolkit, kernels and NNAL.",
        commands: ["pip install torch==<torch_version> torch_npu==<torch_npu_version>"],
      },
      { id: "no-deps", summary: "Install frameworks that pin torch with --no-deps so they do not replace the pair." },
    ],
    references: [`${MINDSPEED_FAQ} (#1, #15)`, "https://github.com/Ascend/pytorch/issues/35"],
  },
  {
    id: "cann-version-mismatch",
    category: "cann_version_mismatch",
    title: "CANN does not match the driver, firmware or chip",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/Ascend/op-plugin/blob/517f2e7d0f202f38b76310706cb977ca2388ad21/op_plugin/ops/opapi/DynamicQuantKernelNpuOpApi.cpp#L102
      { match: lit("please check CANN version"), confidence: 0.75 },
      // Round 24, upstream (tenth pass): https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/api/impl/api_impl.cc#L7590
      { match: lit("because the tsch version does not support this feature"), confidence: 0.72 },
      // Round 24, upstream (tenth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/base/common/helper/custom_op_registry_builder.cc#L63
      {
        match: rx(/\[CUSTOM OP\] pull creator ABI version \d+ does not match expected \d+/, "pull creator ABI version"),
        confidence: 0.75,
      },
      // Round 24, upstream (tenth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/scripts/package/ge-compiler/scripts/ver_check.sh#L52
      { match: lit("Check version does not matched"), confidence: 0.7 },
      // Round 24, upstream (tenth pass): https://github.com/hicann/driver/blob/ef377e950a32b1641c108c59481e39e9643b7d63/scripts/package/custom/driver/common/scripts/run_driver_upgrade_check.sh#L394
      {
        match: rx(
          /The driver version \S+ is not allowed in this device|Version check does not match, please use /,
          "is not allowed in this device",
          "Version check does not match, please use",
        ),
        confidence: 0.75,
      },
      // Round 19, upstream (ninth pass): https://github.com/mindspore-ai/docs/blob/61b219b8f542b7ea7e50639f8fee289ef7492bbf/docs/mindspore/source_en/faq/tools.md#L5
      { match: lit("aclnnAllFiniteGetWorkspaceSize call failed"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/csrc/framework/OpParamMaker.cpp#L112
      { match: lit("requires newer CANN runtime and operator packages"), confidence: 0.78 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/MindSpeed/blob/master/mindspeed/core/transformer/moe/legacy_a2a_token_dispatcher.py#L60
      { match: lit("is no longer supported by the Megatron upgrade. Please check the CANN version"), confidence: 0.72 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/ge/blob/master/base/common/helper/model_helper.cc#L1227
      { match: lit("The opp version of the model does not match the current opp run package"), confidence: 0.82 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/runtime/blob/master/src/runtime/api/impl/api_impl.cc#L4875
      {
        match: rx(
          /(?:This feature is not supported because the tsch version is too low|feature not support because tsch version too low)/,
          "tsch version is too low",
          "tsch version too low",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (sixth pass): https://github.com/hicann/ge/blob/master/base/common/helper/model_helper.cc
      {
        match: rx(
          /Model soc version\[\w+\] is not support in this device|offline socVersion mismatch\. build socVersion/,
          "is not support in this device",
          "offline socVersion mismatch",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (sixth pass): https://github.com/mindspore-ai/mindspore/blob/master/mindspore/python/mindspore/run_check/_check_version.py
      { match: rx(/CUDA version [\d.]+ and cuDNN version \d+ does not match/, "does not match"), confidence: 0.65 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/op-plugin/blob/master/op_plugin/ops/opapi/FlashAttentionKernelNpuOpApi.cpp#L1531
      {
        match: rx(
          /is not supported in this CANN version|The current CANN version does not support|It is recommended to upgrade the CANN package/,
          "is not supported in this CANN version",
          "The current CANN version does not support",
          "recommended to upgrade the CANN package",
        ),
        confidence: 0.76,
      },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/torch/cuda/__init__.py
      {
        match: rx(
          /with CUDA capability sm_\d+ is not compatible with the current PyTorch installation/,
          "is not compatible with the current PyTorch installation",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/ROCm/clr/blob/develop/hipamd/src/hip_fatbin.cpp
      { match: lit("Unable to find code object for all current devices"), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/ROCm/rocBLAS/blob/develop/library/src/tensile_host.cpp
      {
        match: rx(
          /TensileLibrary[\w.]*\.dat: No such file or directory for GPU arch : gfx\w+/,
          "No such file or directory for GPU arch",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html
      { match: rx(/\bcudaErrorInsufficientDriver\b/, "cudaErrorInsufficientDriver"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__TYPES.html
      { match: rx(/\bCUDA_ERROR_SYSTEM_DRIVER_MISMATCH\b/, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/ROCm/clr/blob/develop/hipamd/src/hip_error.cpp
      { match: rx(/\bhipErrorInsufficientDriver\b/, "hipErrorInsufficientDriver"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/openxla/xla/blob/main/xla/stream_executor/cuda/cuda_dnn.cc
      {
        match: rx(
          /Loaded runtime CuDNN library: [\d.]+ but source was compiled with: [\d.]+/,
          "but source was compiled with",
        ),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/jax-ml/jax/blob/cec06d116c05f0d52adfceee3d3b730fdbcb0ce5/jax_plugins/cuda/__init__.py#L169
      {
        match: rx(/Outdated (?:CUDA|cuDNN|cuFFT|cuPTI|cuBLAS|cuSPARSE) installation found\./, "installation found."),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/docs/en/error_code_ref/RTS-Errors/EE1015-Package_Error_Incorrect_Drive
      { match: lit("driver version capacity is insufficient"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/hicann/driver/blob/master/scripts/package/driver/common/scripts/install.sh#L1048
      {
        match: rx(
          /the driver package version=\S+ is earlier than the device flash hardware version/,
          "is earlier than the device flash hardware version",
        ),
        confidence: 0.65,
      },
      // Round 16, upstream: https://github.com/NVIDIA/libnvidia-container/blob/main/src/cli/configure.c
      {
        match: rx(
          /nvidia-container-cli: initialization error: (?:nvml error: driver\/library version mismatch|cuda error: forward compatibility was attempted on non supported HW)/,
          "nvidia-container-cli: initialization error: ",
        ),
        confidence: 0.86,
      },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/common/errcode_manage.cc#L103
      {
        match: lit("current driver version does not support to update this op, please upgrade the driver"),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/dcmi/common.go#L52
      { match: lit("The called function is missing,please upgrade the driver"), confidence: 0.75 },
      // Round 15, upstream: NVIDIA
      { match: lit("Failed to initialize NVML: Driver/library version mismatch"), confidence: 0.65 },
      // Round 15, upstream: CUDA
      {
        match: rx(
          /forward compatibility was attempted on non supported HW|system has unsupported display driver \/ cuda driver combination/,
          "forward compatibility was attempted",
          "unsupported display driver / cuda driver",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/NVIDIA/libnvidia-container/blob/main/src/cli/common.c
      {
        match: rx(
          /requirement error: unsatisfied condition: cuda\s*>=\s*[\d.]+/,
          "requirement error: unsatisfied condition",
        ),
        confidence: 0.85,
      },
      // Round 13: torch_npu's chip lookup (NpuVariables.cpp) meeting a chip its CANN and build do not know: "Unsupported
      // soc version: Ascend310".
      { match: rx(/Unsupported soc version: ?\w+/, "Unsupported soc version"), confidence: 0.8 },
      // Round 12: an undefined symbol between CANN's own libraries (libruntime.so, libascendcl.so of one toolkit
      // calling into another's internals, a mangled C++ name): two CANN releases mixed on the library path. An aclnn
      // operator (a C name) missing is torch_npu built for another CANN (torch-npu-version-mismatch).
      {
        match: rx(/ascend-toolkit\/[^\s:]*\/lib(?:64)?\/lib[\w.-]+\.so: undefined symbol: _Z/, "ascend-toolkit/"),
        confidence: 0.78,
      },
      // CUDA's form of a toolkit newer than the driver: kernels compiled as PTX the driver cannot JIT (error 222,
      // cudaErrorUnsupportedPtxVersion / CUDA_ERROR_UNSUPPORTED_PTX_VERSION).
      {
        match: rx(
          /the provided PTX was compiled with an unsupported toolchain|cudaErrorUnsupportedPtxVersion|CUDA_ERROR_UNSUPPORTED_PTX_VERSION/,
          "the provided PTX was compiled with an unsupported toolchain",
          "cudaErrorUnsupportedPtxVersion",
          "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
        ),
        confidence: 0.82,
      },
      // Upstream phrasebook 2: torch_npu and op-plugin finding CANN without what they call (libopapi.so lacking an aclnn
      // entry, "The current version of CANN does not support", "Current CANN (package) version do(es) not support",
      // a feature needing CANN newer than a release, a function missing from the runtime).
      {
        match: rx(
          /not in libopapi\.so, or libopapi\.so not found|The current version of CANN does not support|Current CANN (?:package )?version do(?:es)? not support|CANN version should greater than|Please upgrade CANN/,
          "libopapi.so",
          "version of CANN does not support",
          "Current CANN ",
          "CANN version should greater than",
          "Please upgrade CANN",
        ),
        confidence: 0.78,
      },
      { match: rx(/Failed to find function (?:acl|Hccl|hccl)\w+/, "Failed to find function "), confidence: 0.72 },
      // Upstream phrasebook 2: vllm-ascend's checks of the HDK and of the chip its package was built for, torch_npu's
      // "PTA and CANN version is too old to support".
      { match: lit("Please upgrade Ascend HDK to"), confidence: 0.8 },
      { match: lit("does not match the installed version's device type"), confidence: 0.85 },
      { match: lit("PTA and CANN version is too old to support"), confidence: 0.75 },
      // Upstream phrasebook: the runtime's driver-capability check (EE1015 "The driver version capability is
      // insufficient"), torch_npu's HDK/CANN function lookups and driver version check, the SoC the toolkit was set up
      // for against the real one (EE1011, runtime.cc), the task scheduler's version (raw_device.cc), MindSpore's and
      // torch_npu's checks of the CANN packages, HCCL's version check across nodes (EI0008).
      { match: lit("driver version capability is insufficient"), confidence: 0.85 },
      { match: ascendCode("EE1015"), confidence: 0.8 },
      { match: rx(/maybe your? (?:hdk|cann) version is too low/, "version is too low"), confidence: 0.82 },
      { match: lit("Please upgrade CANN version"), confidence: 0.8 },
      {
        match: rx(
          /When the (?:cann )?version [^\n]*is less than "[^"]+", this function is not supported/,
          "this function is not supported",
        ),
        confidence: 0.78,
      },
      {
        match: rx(/Driver Version: \S+ is invalid or not supported yet/, "is invalid or not supported yet"),
        confidence: 0.45,
      },
      { match: lit("does not match the actual SoC version"), confidence: 0.85 },
      { match: lit("device cannot be created on real soc version"), confidence: 0.85 },
      { match: lit("not match current runtime version"), confidence: 0.8 },
      {
        match: rx(/MindSpore version \S+ and [^\n]*(?:does not match|not match)/, "MindSpore version "),
        confidence: 0.72,
      },
      { match: lit("The HCCL versions are inconsistent"), confidence: 0.8 },
      { match: ascendCode("EI0008"), confidence: 0.78 },
      { match: rx(/\bE30006\b/, "E30006:", "E30006 ", "E30006)"), confidence: 0.88 },
      // Ascend C's build check (compiler/tikcpp/ascendc_kernel_cmake/host_config.cmake): the installed toolkit has no
      // kernels for this chip.
      { match: rx(/SOC_VERSION \w+ does not support/, "does not support"), confidence: 0.78 },
      { match: lit("Failed to verify the OPP"), confidence: 0.9 },
      // The op-binary lookup (aclnn kernels, opp/built-in/op_impl/ai_core/tbe/kernel): "Cannot find bin of op Range,
      // integral key …" / "Cannot find binary for op X" — the kernels package is missing or not the toolkit's.
      { match: rx(/Cannot find bin(?:ary)? (?:of|for) op \w+/, "Cannot find bin"), confidence: 0.76 },
      // torch_npu's op-api loader (op_plugin/utils/op_api_common.h): "aclnnX or aclnnXGetWorkspaceSize not in
      // libopapi.so, or libopapi.sonot found" — the installed CANN has no such operator: older than this torch_npu.
      { match: rx(/\w+GetWorkspaceSize not in libopapi\.so/, "GetWorkspaceSize not in libopapi"), confidence: 0.78 },
      // The operator kernels are a separate CANN package that must match the toolkit (MindSpore's and MindSpeed's
      // checks of the kernels package: "opp_kernels is not installed").
      {
        match: rx(
          /opp_kernels? (?:is )?not installed/i,
          "kernels is not installed",
          "kernel is not installed",
          "kernels not installed",
          "kernel not installed",
        ),
        confidence: 0.72,
      },
      { match: lit("init runtime platform info failed"), confidence: 0.88 },
      { match: rx(/Failed to find function aclrt\w*/, "Failed to find function"), confidence: 0.85 },
      // torch_npu's HCCL interface when the CANN release lacks a function it needs (HcclInterface.cpp).
      { match: lit("maybe you cann version is too low, please upgrade it"), confidence: 0.85 },
      { match: lit("does not has any binary"), confidence: 0.75 },
      // aclnn found no kernel binary for the operator (561003 ACLNN_ERR_INNER_FIND_KERNEL_ERROR, aclnn return codes:
      // CANNCommunityEdition API atlasascendc_api_07_1205): the kernels package lacks it, unless the log names a dtype.
      {
        match: rx(
          /(?:error code is|error code:|ErrCode=|retCode=)\s*561003\b|ACLNN_ERR_INNER_FIND_KERNEL_ERROR/,
          "error code is",
          "error code:",
          "ErrCode=",
          "retCode=",
          "ACLNN_ERR_INNER_FIND_KERNEL_ERROR",
        ),
        unless: [lit("not implemented for"), lit("dtype"), lit("DT_BFLOAT16")],
        within: 12,
        confidence: 0.65,
      },
      // The name of runtime code 507008 (rt_error_codes.h): the SoC is not the one the software was built for.
      { match: lit("ACL_ERROR_RT_SOC_VERSION"), confidence: 0.8 },
      // The same code as a number where the log says it is a return code (PaddleCustomDevice's RUNTIME_CHECK prints
      // "Call aclInit(nullptr) failed : 507008").
      {
        match: rx(
          /(?:error code is|error code:|ErrCode=|retCode=|result\s*=|failed ?:|\bret ?=|ret\[)\s*507008\b/,
          "error code is",
          "error code:",
          "ErrCode=",
          "retCode=",
          "result =",
          "result=",
          "failed : 507008",
          "failed: 507008",
          "ret = 507008",
          "ret=507008",
          "ret[507008",
        ),
        confidence: 0.8,
      },
      // The chip is not the one the packages were built for (torch_npu, vLLM-Ascend, MindSpore, Paddle wording; the op
      // build's "Invalid socVersion" when the toolkit is older than the SoC, e.g. ascend910_93).
      {
        match: rx(
          /Unsupported SOC version|Unsupported soc_version|Can not support soc_version|socversion \S+ of bin package does not match|Get soc name failed|op info json suffix path failed, soc_version|Invalid socVersion/i,
          "SOC version",
          "soc_version",
          "socversion",
          "socVersion",
          "Get soc name failed",
        ),
        confidence: 0.85,
      },
      {
        match: rx(
          /CANN version mismatch|version mismatch\. The build version/,
          "CANN version mismatch",
          "version mismatch.",
        ),
        confidence: 0.8,
      },
      { match: lit("Parse dynamic kernel config fail"), confidence: 0.7 },
      // The same mismatch on CUDA hosts: runtime newer than the driver (cudaErrorInsufficientDriver; torch/cuda/__init__.py
      // "driver on your system is too old") and kernels not built for this GPU (cudaErrorNoKernelImageForDevice).
      {
        match: rx(
          /CUDA driver version is insufficient for CUDA runtime version|The NVIDIA driver on your system is too old|no kernel image is available for execution on the device/,
          "driver version is insufficient",
          "driver on your system is too old",
          "no kernel image is available",
        ),
        confidence: 0.72,
      },
      // vLLM-Ascend (vllm_ascend/device/hardware.py): a SoC the installed release does not know.
      {
        match: rx(
          /Undefined soc_version: \S+\. Please file an issue to vllm-ascend|Cannot support runtime soc_version/,
          "Undefined soc_version",
          "Cannot support runtime soc_version",
        ),
        confidence: 0.8,
      },
      // torch_npu asks for a newer CANN or driver when a call it needs is missing (torch_npu/csrc/npu/Event.cpp,
      // AclInterface.cpp, ProcessGroupHCCL.cpp, utils/_step.py).
      {
        match: rx(
          /please upgrade the HDK\(driver\) or CANN package|[Pp]lease upgrade (?:the )?CANN|current version of CANN does not support|CANN version (?:is )?lower than [\w.]+ and (?:currently )?does not support/,
          "upgrade the HDK(driver) or CANN package",
          "lease upgrade CANN",
          "lease upgrade the CANN",
          "current version of CANN does not support",
          "CANN version lower than",
          "CANN version is lower than",
        ),
        confidence: 0.72,
      },
      // MindSpore's version check against the CANN toolkit and its te/hccl wheels
      // (mindspore/run_check/_check_version.py AscendEnvChecker.check_version, check_deps_version).
      {
        match: rx(/MindSpore version [\w.]+ and [^\n]{0,80}version [\w.]+ does not match/, "MindSpore version "),
        confidence: 0.78,
      },
      {
        match: rx(
          /(?:[Dd]river|[Ff]irmware|CANN|[Tt]oolkit)[^\n]{0,80}(?:does not match|do not match|not match|is incompatible|are incompatible|not compatible)/,
          "not match",
          "ncompatible",
          "not compatible",
        ),
        // torch_npu's "CANN package version … and PyTorch version … is not matched" is the torch_npu pairing.
        unless: [lit("and PyTorch version")],
        within: 0,
        confidence: 0.7,
      },
    ],
    supersedes: ["aicore-error", "npu-not-available"],
    cause:
      "The CANN toolkit or kernels do not match the installed driver/firmware or the actual SoC (an image built for A2 " +
      "running on 910, kernels for another chip).",
    fixes: [
      {
        id: "show-versions",
        summary: "Compare driver, firmware and toolkit versions and the chip.",
        commands: [
          "cat /usr/local/Ascend/driver/version.info",
          "npu-smi info",
          "cat <cann_root>/cann/*/ascend_toolkit_install.info <cann_root>/ascend-toolkit/latest/*/ascend_toolkit_install.info 2>/dev/null",
        ],
      },
      {
        id: "align",
        summary:
          "Install driver, firmware, toolkit, the per-SoC kernels package and torch_npu from one release row, or use the image built for this chip.",
      },
    ],
    references: [`${MINDSPEED_FAQ} (#1)`, "https://github.com/vllm-project/vllm-ascend/issues/4284"],
  },
  {
    id: "cann-python-deps-broken",
    category: "cann_python_deps_broken",
    title: "CANN's Python operator-compiler stack cannot start",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/py_decouple.cc#L51
      { match: lit("Launch dynamic-handle failed"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/py_decouple.cc#L55
      { match: lit("Failed to load functions from dynamic library"), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/py_decouple.cc#L182
      { match: lit("Failed to run cmd[python -V]"), confidence: 0.75 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/py_decouple.cc#L250
      { match: rx(/Failed to dlsym function Py\w+/, "Failed to dlsym function Py"), confidence: 0.8 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/python_adapter_manager.cc#L43
      { match: lit("Failed to initialize handle manager"), confidence: 0.65 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/python_adapter_manager.cc#L59
      { match: lit("Failed to initialize py logger"), confidence: 0.7 },
      // Round 19, upstream (ninth pass): https://github.com/hicann/ge/blob/ffdcbc9f7496c17a98c1d12762c61ed608ef3503/compiler/opcompiler/op_compile_adapter/source/python_adapter/py_wrapper.cc#L30
      { match: lit("Failed to import te_fusion.log_util"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json
      {
        match: rx(
          /Failed to import Python module \[(?:AttributeError: module 'numpy' has no attribute|ImportError: cannot import name '\w+' from '(?:fractions|collections|numpy|scipy|sympy|attr|decorator)')/,
          "Failed to import Python module [AttributeError: module 'numpy'",
          "Failed to import Python module [ImportError: cannot import name",
        ),
        confidence: 0.75,
      },
      // Round 17, upstream (eighth pass): https://github.com/hicann/runtime/blob/master/src/dfx/error_manager/error_code.json
      {
        match: rx(
          /Failed to import Python module \[ModuleNotFoundError: No module named '(?:synr|pathlib2|numpy|google|yaml|protobuf|absl|attr|scipy)/,
          "Failed to import Python module [ModuleNotFoundError",
        ),
        confidence: 0.78,
      },
      // Round 17, upstream (eighth pass): https://github.com/pypa/pip/blob/main/src/pip/_internal/commands/install.py
      {
        match: rx(
          /\b(?:te|opc-tool|auto-tune|schedule-search|dataflow|op-compile-tool|hccl|topi|llm-datadist) [\w.+-]+ requires (?:[\w.<>=!~,-]+, but you have [\w.-]+ [\w.+-]+ which is incompatible|[\w.-]+, which is not installed)/,
          "which is incompatible",
          "which is not installed",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/numpy/numpy/blob/v1.24.0/numpy/__init__.py
      {
        match: rx(/`np\.\w+` was a deprecated alias for the builtin/, "was a deprecated alias for the builtin"),
        near: [lit("/tbe/"), lit("te_fusion"), lit("/Ascend/"), lit("Failed to import Python module")],
        within: 6,
        confidence: 0.75,
      },
      // Round 15: CANN's op-compiler wheels missing their requirements (pip's "te 0.4.0 requires attrs, which is not
      // installed"), mxRec's "init tbe error", and those modules (or torch_npu's own pyyaml) missing beside torch_npu.
      {
        match: rx(
          /\b(?:te|opc-tool|auto-tune|schedule-search|dataflow|op-compile-tool|hccl|topi) [\w.+-]+ requires [\w.-]+, which is not installed/,
          ", which is not installed",
        ),
        confidence: 0.75,
      },
      { match: lit("init tbe error"), confidence: 0.6 },
      {
        match: rx(
          /No module named '(?:decorator|sympy|cffi|attrs|psutil|scipy|cloudpickle|tornado|ml_dtypes|absl|yaml)'/,
          "No module named '",
        ),
        near: [lit("torch_npu")],
        within: 30,
        confidence: 0.6,
      },
      // Upstream phrasebook 2: the op compiler's Python side failing to start (E40001 PATH and python3-config, E49999
      // "Failed to initialize Python module", TEFUSION's te_fusion import and Python version checks), and NumPy 2's
      // removed aliases inside CANN's tbe package (ops-nn requirements pin numpy<2.0).
      { match: lit("is invalid when executing the cmd python3-config"), confidence: 0.8 },
      { match: ascendCode("E40001"), confidence: 0.72 },
      { match: lit("Failed to initialize Python module and API call"), confidence: 0.8 },
      {
        match: rx(
          /Failed to import python module te_fusion|Failed to initialize parallel compilation/,
          "te_fusion",
          "Failed to initialize parallel compilation",
        ),
        confidence: 0.8,
      },
      { match: lit("only Python 3 is supported and version should no less than"), confidence: 0.8 },
      { match: rx(/LoadDynLibFromPyCfg Python path\[[^\]]*\] is invalid/, "LoadDynLibFromPyCfg"), confidence: 0.7 },
      {
        match: rx(/was removed in the NumPy 2\.0 release/, "removed in the NumPy 2.0 release"),
        // Round 15: or in the words of CANN's EC0010 ("Failed to import Python module [AttributeError: ...]"), the
        // TBE adapter's import of its Python side, and of MindSpore's check for CANN's te wheel.
        near: [
          lit("/tbe/"),
          lit("te_fusion"),
          lit("/Ascend/"),
          lit("Failed to import Python module"),
          lit('relies on whl packages of "te"'),
        ],
        within: 6,
        confidence: 0.78,
      },
      // Upstream phrasebook: CANN's environment errors E40020 (a Python module of the op compiler does not import) and
      // E40002 (a Python version the toolkit does not support), from the error-code reference.
      { match: ascendCode("E40020"), confidence: 0.82 },
      { match: lit("Environment_Error_Import_Python_Module_Failed"), confidence: 0.82 },
      { match: ascendCode("E40002"), confidence: 0.75 },
      { match: lit("Environment_Error_Incorrect_Python_Version"), confidence: 0.75 },
      { match: rx(/AclSetCompileopt[^\n]*500001/, "AclSetCompileopt"), confidence: 0.88 },
      { match: lit("The internal ACL of the system is incorrect"), confidence: 0.85 },
      {
        match: rx(
          /(?:result = |error code is |result=)500001\b/,
          "result = 500001",
          "error code is 500001",
          "result=500001",
        ),
        confidence: 0.8,
      },
      { match: lit("init env failed"), confidence: 0.78 },
      // GE's E40024 (CANN error-code reference): "Failed call Python Func/Meathod [name], Reason[...]" — the
      // operator tooling's Python code raised in the environment it was given.
      { match: lit("Failed call Python Func/Meathod"), confidence: 0.8 },
      {
        match: rx(
          /No modules? named '(?:decorator|sympy|cffi|attrs?|psutil|absl|cloudpickle|ml_dtypes|tornado|scipy)'/i,
          "named 'decorator'",
          "named 'sympy'",
          "named 'cffi'",
          "named 'attr",
          "named 'psutil'",
          "named 'absl'",
          "named 'cloudpickle'",
          "named 'ml_dtypes'",
          "named 'tornado'",
          "named 'scipy'",
        ),
        confidence: 0.75,
      },
      { match: rx(/compiled using NumPy 1\.x cannot be run in/, "compiled using NumPy 1.x"), confidence: 0.7 },
      {
        match: rx(
          /No module named '(?:decorator|sympy|cffi|attrs|psutil|scipy|cloudpickle|tornado|ml_dtypes|absl|google|google\.protobuf|yaml|pathlib2)'/,
          "No module named '",
        ),
        near: [lit("te_fusion"), lit("tbe"), lit("Ascend")],
        within: 30,
        confidence: 0.65,
      },
    ],
    cause:
      "CANN's operator compiler runs in Python and cannot import its dependencies (decorator, sympy, cffi, protobuf, " +
      "attrs, pyyaml, scipy, psutil...), or numpy 2.x is installed with a CANN release that needs numpy 1.x.",
    fixes: [
      {
        id: "install-deps",
        summary: "Install CANN's Python dependencies in the training environment.",
        commands: [
          "pip install attrs cloudpickle decorator ml-dtypes psutil scipy sympy tornado cffi protobuf pyyaml 'numpy<2.0'",
        ],
      },
    ],
    references: ["https://github.com/Ascend/pytorch/issues/7"],
  },
  {
    id: "libgomp-static-tls",
    category: "libgomp_static_tls",
    title: "libgomp cannot be loaded (static TLS exhausted)",
    role: "primary",
    triggers: [
      // Round 21: the same glibc message as posted with its spaces or case mangled ("cannotallocate memoryin staticTLS").
      {
        match: rx(/cannot\s*allocate\s*memory\s*in\s*static\s*TL[Ss]\s*block/, "allocate memory", "cannotallocate"),
        confidence: 0.9,
      },
      // Round 17, upstream (eighth pass): https://sourceware.org/git/?p=glibc.git;a=blob;f=po/de.po
      {
        match: rx(
          /Kein Speicher im statischen TLS-Block|静的 TLS ブロック内にメモリを配置出来ません|無法在靜態 TLS 區塊中配置記憶體/,
          "Kein Speicher im statischen TLS-Block",
          "静的 TLS ブロック内にメモリを配置出来ません",
          "無法在靜態 TLS 區塊中配置記憶體",
        ),
        confidence: 0.85,
      },
      // Round 15, upstream: https://sourceware.org/git/?p=glibc.git;a=blob;f=elf/dl-reloc.c
      {
        match: rx(
          /Kan ikke tildele hukommelse i statisk TLS-blok|No se pudo asignar memoria en el bloque TLS estático|durağan TLS bloğunda bellek ayrılamıyor|impossibile allocare memoria nel blocco statico TLS|impossibile de allocar memoria in un bloco TLS static|impossível alocar memória em bloco TLS estático|kan geen geheugen reserveren binnen statisch TLS-blok|kan inte allokera minne i statiskt TLS-block|không thể cấp phát bộ nhớ trong khối TLS tĩnh|ne peut allouer de la mémoire dans un bloc statique TLS|nelze alokovat paměť uvnitř statického bloku TLS|ni mogoče dodeliti pomnilnika v statičnem bloku TLS|nie je možné prideliť pamäť v statickom bloku TLS|nie można przydzielić pamięci w statycznym bloku TLS|nije moguće dodijeliti memoriju u statičkom TLS bloku|no s’ha pogut reservar memòria al bloc TLS estàtic|não foi possível alocar memória em bloco TLS estático|tidak dapat mengalokasikan memori dalam blok TLS statis|не вдалося отримати область пам’яті у статичному блоці TLS|не могу да доделим меморију у статичком ТЛС блоку|не може да се задели памет в статичен TSL блок|невозможно выделить память в статичном блоке TLS|немагчыма размеркаваць памяць ў статычным блоку TLS|정적 TLS 블럭에는 메모리를 할당할 수 없습니다/,
          "Kan ikke tildele hukommelse i statisk TLS-blok",
          "No se pudo asignar memoria en el bloque TLS estático",
          "durağan TLS bloğunda bellek ayrılamıyor",
          "impossibile allocare memoria nel blocco statico TLS",
          "impossibile de allocar memoria in un bloco TLS static",
          "impossível alocar memória em bloco TLS estático",
          "kan geen geheugen reserveren binnen statisch TLS-blok",
          "kan inte allokera minne i statiskt TLS-block",
          "không thể cấp phát bộ nhớ trong khối TLS tĩnh",
          "ne peut allouer de la mémoire dans un bloc statique TLS",
          "nelze alokovat paměť uvnitř statického bloku TLS",
          "ni mogoče dodeliti pomnilnika v statičnem bloku TLS",
          "nie je možné prideliť pamäť v statickom bloku TLS",
          "nie można przydzielić pamięci w statycznym bloku TLS",
          "nije moguće dodijeliti memoriju u statičkom TLS bloku",
          "no s’ha pogut reservar memòria al bloc TLS estàtic",
          "não foi possível alocar memória em bloco TLS estático",
          "tidak dapat mengalokasikan memori dalam blok TLS statis",
          "не вдалося отримати область пам’яті у статичному блоці TLS",
          "не могу да доделим меморију у статичком ТЛС блоку",
          "не може да се задели памет в статичен TSL блок",
          "невозможно выделить память в статичном блоке TLS",
          "немагчыма размеркаваць памяць ў статычным блоку TLS",
          "정적 TLS 블럭에는 메모리를 할당할 수 없습니다",
        ),
        confidence: 0.85,
      },
      // Round 15: glibc's other static-TLS message (elf/dl-open.c: "cannot load any more object with static TLS").
      { match: lit("cannot load any more object with static TLS"), confidence: 0.85 },
      // Upstream phrasebook: glibc's static-TLS message in zh_TW, de and ja (po/*.po), MindSpore's preload warning.
      {
        match: rx(
          /libgomp[^\n]*(?:無法在靜態 TLS 區塊中配置記憶體|Kein Speicher im statischen TLS-Block|静的 TLS ブロック内にメモリを配置出来ません)/,
          "靜態 TLS",
          "statischen TLS-Block",
          "静的 TLS",
        ),
        confidence: 0.9,
      },
      { match: lit("Pre-Load Library libgomp.so.1 failed"), confidence: 0.45 },
      { match: lit("cannot allocate memory in static TLS block"), confidence: 0.92 },
      // The same loader message in glibc's zh_CN text (po/zh_CN.po).
      { match: lit("无法在静态 TLS 块中分配内存"), confidence: 0.9 },
      { match: lit("allocate memory in static TLS block"), near: [lit("libgomp")], within: 2, confidence: 0.88 },
    ],
    extract: [/(?<library>\/[^\s:]*lib[\w.-]+\.so(?:\.\d+)*): cannot allocate memory in static TLS block/],
    cause: "On aarch64 the conda environment's libgomp is loaded too late to get static TLS space.",
    fixes: [
      { id: "preload", summary: "Preload the library before Python starts.", env: { LD_PRELOAD: "<library>" } },
      { id: "clean-env", summary: "Or recreate a clean environment without the conda libgomp." },
    ],
    references: ["https://github.com/Ascend/pytorch/issues/7"],
  },
  {
    id: "import-from-source-dir",
    category: "import_from_source_dir",
    title: "A package imported from its source tree, or a local file or folder named like it",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/tensorflow/tensorflow/blob/09746cd5cf7ea63f048f0ffa57fd5964a0c9b382/tensorflow/python/platform/self_check.py#L40
      { match: lit("Do not import tensorflow from its source directory"), confidence: 0.9 },
      // Round 17, upstream (sixth pass): https://github.com/facebookresearch/detectron2/blob/02b5c4e295e990042a714712c21dc79b731e8833/INSTALL.md#L177
      {
        match: rx(/No module named '[\w.]+\._C(?:\.\w+)?'/, "No module named '"),
        unless: [lit("Failed to import from vllm._C")],
        within: 0,
        confidence: 0.65,
      },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/pytorch/blob/9e73e708ab9350d203475609f36f8a43f6a0c2ab/torch_npu/__init__.py#L44
      {
        match: rx(/No module named '(?:torch|torch_npu|torchvision|torchaudio)\.version'/, "No module named '"),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/Dao-AILab/flash-attention/blob/0251105a2fb19d2957484b7f023cd8c115286ced/flash_attn/flash_attn_interface.py#L23
      { match: rx(/No module named 'flash_attn_(?:2_)?cuda'/, "No module named 'flash_attn_"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/scikit-learn/scikit-learn/blob/main/sklearn/__check_build/__init__.py
      { match: lit("It seems that scikit-learn has not been built correctly."), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://github.com/vllm-project/vllm-ascend/blob/182b75ea84ff13ece27b57391331ef8935410aea/vllm_ascend/device/device_config.py#L30
      { match: lit("No module named 'vllm_ascend._build_info'"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/python/cpython/blob/main/Objects/moduleobject.c
      {
        match: rx(
          /\(consider renaming '[^']+' if it has the same name as a library you intended to import\)/,
          "if it has the same name as a library you intended to import",
        ),
        confidence: 0.93,
      },
      // Round 16, upstream (second pass): https://github.com/python/cpython/blob/main/Objects/moduleobject.c
      {
        match: rx(
          /since it has the same name as the standard library module named '[\w.]+' and prevents importing that standard library module/,
          "and prevents importing that standard library module",
        ),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/open-mmlab/mmcv/blob/a8073c74bf83d62ec36a103f835faa4837fb6585/mmcv/utils/ext_loader.py#L13
      { match: lit("No module named 'mmcv._ext'"), confidence: 0.78 },
      // Round 16, upstream: https://github.com/open-mmlab/mmcv/blob/a8073c74bf83d62ec36a103f835faa4837fb6585/mmcv/utils/ext_loader.py#L15
      { match: rx(/\w+ miss in module _ext/, "miss in module _ext"), confidence: 0.68 },
      // Round 16, upstream: https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/fairseq/data/data_utils.py#L319
      {
        match: rx(/Please build (?:\(or rebuild\) )?Cython components with/, "Cython components with"),
        confidence: 0.85,
      },
      // Round 16, upstream: https://github.com/bitsandbytes-foundation/bitsandbytes/blob/95f9af309d4d5793847169c39288dcd3fcbdf564/bitsandbytes/cextension.py#L240
      { match: lit("Forgot to compile the bitsandbytes library?"), confidence: 0.6 },
      // Round 15: CPython's partially-initialised import for any module (a file named like the package it imports, in
      // every tune log with this wording), and SAM 2's own check (sam2/build_sam.py: "You're likely running Python from
      // the parent directory of the sam2 repository").
      {
        match: rx(
          /partially initialized module '[\w.]+'[^\n]*most likely due to a circular import/,
          "most likely due to a circular import",
        ),
        confidence: 0.62,
      },
      { match: lit("likely running Python from the parent directory of the"), confidence: 0.9 },
      // Round 18: Python's ImportError names the file it imported the package from (Python/ceval.c, "cannot import name
      // %R from %R (%S)"). A path relative to the working directory, not under site-packages or dist-packages, is a
      // folder or file of the working tree standing in for the installed package (a project's own `datasets/` folder
      // shadowing Hugging Face datasets); an installed or editable package is named by its absolute path.
      {
        match: rxWhen(IMPORT_FROM_FILE, ["cannot import name"], (g) => inWorkingTree(g.path ?? "")),
        confidence: 0.9,
      },
      // Upstream phrasebook 2: SciPy's and scikit-learn's source-tree guards, a local module named like the package
      // ("No module named 'x.y'; 'x' is not a package").
      { match: lit("you cannot import SciPy while"), confidence: 0.9 },
      { match: lit("No module named 'sklearn.__check_build._check_build'"), confidence: 0.85 },
      { match: rx(/No module named '[\w.]+'; '\w+' is not a package/, "is not a package"), confidence: 0.7 },
      { match: lit("No module named 'torch_npu._C'"), confidence: 0.9 },
      {
        match: rx(
          /cannot import name '_C' from (?:partially initialized module )?'torch_npu'/,
          "cannot import name '_C'",
        ),
        confidence: 0.8,
      },
      // torch's own check (torch/__init__.py): the source checkout's torch/_C folder shadows the extension.
      { match: lit("PyTorch has loaded the `torch/_C` folder"), confidence: 0.9 },
      // torchvision's own check (torchvision/__init__.py): the working directory is its source checkout.
      { match: lit("You are importing torchvision within its own root folder"), confidence: 0.85 },
      { match: lit("Failed to load PyTorch C extensions"), confidence: 0.8 },
      { match: lit("No module named 'torch._C'"), confidence: 0.8 },
      // A file or directory named like the package in the working directory (CPython's import machinery:
      // "partially initialized module 'X' … (most likely due to a circular import)").
      {
        match: rx(
          /partially initialized module '(?:torch|torch_npu|numpy|transformers|datasets|mindspore|vllm|deepspeed|accelerate|peft|trl)'/,
          "partially initialized module",
        ),
        confidence: 0.65,
      },
      // Any package whose compiled `_C` is absent from the tree Python found: detectron2's and SAM 2's install FAQs
      // (facebookresearch/detectron2 INSTALL.md, facebookresearch/sam2 INSTALL.md: run from another directory or
      // build the extension in place).
      {
        match: rx(/cannot import name '_C' from (?:partially initialized module )?'[\w.]+'/, "cannot import name '_C'"),
        confidence: 0.75,
      },
      { match: lit("cannot import name '_C'"), confidence: 0.6 },
      // vLLM run from its checkout lacks the built vllm._C; vLLM's own warning "Failed to import from vllm._C with
      // ModuleNotFoundError(...)" (vllm/_custom_ops.py) is harmless on plugin platforms such as vLLM-Ascend.
      {
        match: lit("No module named 'vllm._C'"),
        unless: [lit("Failed to import from vllm._C")],
        within: 0,
        confidence: 0.6,
      },
      // The same check in other packages: numpy/__init__.py, scipy/__init__.py, sklearn/__check_build/__init__.py
      // (INPLACE_MSG), pandas/__init__.py (C extension not built), and MindSpore's FAQ for a directory named like the
      // package ("No module named 'mindspore.version'", docs/mindspore/source_en/faq/installation.md).
      {
        match: rx(
          /you should not try to import numpy from its source directory|you cannot import SciPy while being in scipy source directory|you are importing a local scikit-learn source tree|If you want to import pandas from the source directory/,
          "import numpy from its source directory",
          "in scipy source directory",
          "local scikit-learn source tree",
          "import pandas from the source directory",
        ),
        confidence: 0.78,
      },
      { match: lit("No module named 'mindspore.version'"), confidence: 0.75 },
      // numpy's message wraps after "from" (numpy/__init__.py builds it over three lines).
      { match: lit("you should not try to import numpy from"), confidence: 0.78 },
      // A compiled extension (a leading underscore, or _C/_ext/_cuda/_cpp/_cpu/_ops/_kernels at the end) missing while the
      // traceback runs through a package's __init__.py outside site-packages: Python found the source checkout,
      // where the extension was never built (setuptools puts built extensions in site-packages or build/). Python 2
      // names the module without quotes ("ImportError: cannot import name _perlin").
      {
        match: rx(
          /No module named '(?:[\w.]*\._\w+|_\w+|[\w.]*_(?:C|ext|cuda|cpp|cpu|gpu|ops|kernels?|impl|native))'|cannot import name '_\w+'$|(?:No module named|cannot import name) _\w+$/,
          "No module named '",
          "cannot import name '_",
          "No module named _",
          "cannot import name _",
        ),
        // A frame as Python prints it, or as IPython does ("/path/pkg/__init__.py in <module>()").
        near: [
          rx(
            /File "[^"]*\/__init__\.py", line \d+|\/__init__\.py in <module>/,
            '/__init__.py", line ',
            "/__init__.py in <module>",
          ),
        ],
        unless: [lit("site-packages"), lit("dist-packages")],
        within: 12,
        confidence: 0.62,
      },
    ],
    extract: [
      /cannot import name '[\w.]+' from '(?<module>[\w.]+)'/,
      /partially initialized module '(?<module>[\w.]+)'/,
      /No module named '(?<module>\w+)\./,
    ],
    cause:
      "Python found the package in the directory it was started from (which comes first on its path) before the " +
      "installed one: the package's own source tree, whose compiled parts were never built there, or a local file or " +
      "folder that bears the package's name.",
    fixes: [
      {
        id: "rename-local",
        onlyWhen: LOCAL_NAMESAKE,
        summary:
          "Rename the local file or folder that bears the package's name (Python imports it instead of the installed package), and remove its __pycache__.",
        commands: ['python -c "import <module>; print(<module>.__file__)"'],
      },
      {
        id: "cd-away",
        summary: "Run from another directory than the package's source tree.",
        commands: ['cd ~ && python -c "import <module>; print(<module>.__file__)"'],
      },
    ],
    references: ["https://github.com/Ascend/pytorch/issues/24"],
  },
  {
    id: "transformers-version-conflict",
    category: "transformers_version_conflict",
    title: "Framework expects another transformers/accelerate/vLLM version",
    role: "primary",
    triggers: [
      // Round 17, upstream (sixth pass): https://github.com/vllm-project/vllm-ascend/blob/main/vllm_ascend/utils.py#L587
      {
        match: rx(
          /Invalid vllm version \S+ found\. A dev version of vllm is installed probably/,
          "A dev version of vllm is installed probably",
        ),
        confidence: 0.62,
      },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/MindSpeed-MM/blob/master/mindspeed_mm/fsdp/models/kimi_k3/modeling_kimi_linear.py#L70
      { match: rx(/Please upgrade transformers to >= ?[\d.]+/, "Please upgrade transformers to"), confidence: 0.8 },
      // Round 17, upstream (sixth pass): https://github.com/huggingface/peft/blob/main/src/peft/utils/other.py#L1696
      { match: lit("Your transformers version is too old"), confidence: 0.82 },
      // Round 17, upstream (sixth pass): https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/comm/torch.py#L444
      {
        match: rx(
          /Current torch version does not have (?:device mesh|all_reduce_coalesced|\w+)/,
          "Current torch version does not have",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (sixth pass): https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/comm/torch.py#L457
      { match: rx(/Torch version must be [\d.]+ or higher to use/, "or higher to use"), confidence: 0.68 },
      // Round 17, upstream (sixth pass): https://github.com/deepspeedai/DeepSpeed/blob/master/deepspeed/utils/init_on_device.py#L40
      { match: lit("Meta tensor support is not available, please upgrade to torch"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/modeling_tf_utils.py
      {
        match: lit(
          "Your currently installed version of Keras is Keras 3, but this is not yet supported in Transformers",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/MindSpeed-LLM/blob/2.1.0/mindspeed_llm/tasks/checkpoint/loader_hf.py#L73
      {
        match: rx(
          /the version transformers should greater or equal [\d.]+/,
          "the version transformers should greater or equal",
        ),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/extensions/transformer_engine.py#L2144
      {
        match: rx(
          /Transformer-Engine v[\w.+]+ must be >= ?[\d.]+ to support|Only Transformer-Engine version >= ?[\d.]+ supports|is only supported with TE >= ?[\d.]+|TE version >= ?[\d.]+ is required for|requires TE version >= ?[\d.]+|requires TransformerEngine version >= ?[\d.]+|Only TE with version >= ?[\d.]+ supports|Invalid Transformer Engine version for/,
          "Transformer-Engine v",
          "only supported with TE >=",
          "TE version >=",
          "requires TransformerEngine version",
          "Only TE with version >=",
          "Invalid Transformer Engine version",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/transformer/transformer_config.py#L3133
      {
        match: rx(
          /Must have at least torch version [\d.]+ or higher|supported for pytorch v[\d.]+ and above|is only supported with PyTorch [\d.]+ and above/,
          "Must have at least torch version",
          "supported for pytorch v",
          "only supported with PyTorch",
        ),
        confidence: 0.62,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/Megatron-LM/blob/main/megatron/core/ssm/ops/mamba2/ssd_chunk_state.py#L16
      { match: rx(/Triton version [\d.]+ or higher is required/, "or higher is required"), confidence: 0.62 },
      // Round 16, upstream (second pass): https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/features/features.py#L1594
      {
        match: rx(/Feature type '\w+' not found\. Available feature types:/, "not found. Available feature types:"),
        confidence: 0.75,
      },
      // Round 16, upstream (second pass): https://github.com/pypa/setuptools/blob/main/pkg_resources/__init__.py
      { match: rx(/pkg_resources\.(?:Contextual)?VersionConflict: \(/, "VersionConflict: ("), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/cython/cython/blob/master/Cython/Utility/ImportExport.c
      { match: lit("numpy.dtype size changed, may indicate binary incompatibility"), confidence: 0.8 },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/torch/csrc/utils/tensor_numpy.cpp
      { match: lit("Failed to initialize NumPy: _ARRAY_API not found"), confidence: 0.75 },
      // Round 16, upstream (second pass): https://github.com/pytorch/pytorch/blob/main/torch/csrc/utils/tensor_numpy.cpp
      { match: rx(/RuntimeError: Numpy is not available/, "Numpy is not available"), confidence: 0.6 },
      // Round 16, upstream (second pass): https://github.com/numpy/numpy/blob/main/numpy/__init__.py
      {
        match: rx(
          /`np\.(?:float|int|bool|object|str|long|complex)` was a deprecated alias for the builtin/,
          "was a deprecated alias for the builtin",
        ),
        confidence: 0.65,
      },
      // Round 16, upstream (second pass): https://github.com/protocolbuffers/protobuf/blob/main/python/google/protobuf/descriptor.py
      { match: lit("Descriptors cannot be created directly."), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/numpy/numpy/blob/main/numpy/_core/code_generators/generate_numpy_api.py
      { match: rx(/numpy\.(?:_?core)\.multiarray failed to import/, "multiarray failed to import"), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/numpy/numpy/blob/main/numpy/_core/code_generators/generate_numpy_api.py
      { match: rx(/AttributeError: _ARRAY_API not found/, "_ARRAY_API not found"), confidence: 0.7 },
      // Round 16, upstream (second pass): https://github.com/pypa/pip/blob/main/src/pip/_internal/resolution/resolvelib/factory.py
      {
        match: rx(
          /Cannot install [^\n]*(?:transformers|tokenizers|accelerate|peft|trl|vllm|deepspeed|datasets)[^\n]* because these package versions have conflicting dependencies/,
          "because these package versions have conflicting dependencies",
        ),
        unless: [lit("torch-npu"), lit("torch_npu")],
        within: 30,
        confidence: 0.65,
      },
      // Round 16, upstream: https://github.com/open-mmlab/mmpretrain/blob/ee7f2e88501f61aa95c742dd5f429f039935ee90/mmpretrain/__init__.py#L19
      { match: rx(/MM(?:CV|Engine)==[\w.+]+ is used but incompatible/, "is used but incompatible"), confidence: 0.85 },
      // Round 16, upstream: https://github.com/huggingface/tokenizers/blob/3ba8ad0061a885baf052bbb7bbd22857e73e0c4e/bindings/python/src/pre_tokenizers.rs#L936
      {
        match: rx(
          /data did not match any variant of untagged enum (?:Py)?(?:PreTokenizer|Normalizer|Decoder|PostProcessor)(?:Type)?Wrapper/,
          "did not match any variant of untagged enum",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/unslothai/unsloth/blob/015bdef0d94a241bcd94eec7a405b1700632180d/unsloth/models/loader.py#L1611
      {
        match: rx(/Unsloth: [\w .-]+ (?:only works on|requires) transformers >= ?[\d.]+/, "transformers >="),
        confidence: 0.8,
      },
      // Round 16, upstream: https://github.com/fsspec/filesystem_spec/blob/master/fsspec/utils.py
      { match: lit("Invalid pattern: '**' can only be an entire path component"), confidence: 0.7 },
      // Round 16, upstream: https://github.com/huggingface/datasets/blob/2.14.0/src/datasets/features/features.py
      { match: lit("module 'pyarrow' has no attribute 'PyExtensionType'"), confidence: 0.8 },
      // Round 16, upstream: https://github.com/huggingface/safetensors/blob/24b0b2857fef49be734b9ab72ce97c09bb25f5b9/bindings/python/src/lib.rs#L492
      { match: rx(/SafetensorError: device npu(?::\d+)? is invalid/, "SafetensorError: device npu"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/pipelines/train/tuner.py#L88
      { match: lit("Please upgrade liger-kernel to apply liger kernel to this model"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/modelscope/ms-swift/blob/3602360a562313afbf2ef6065fdf61f271a2c5b9/swift/ray/megatron/pipeline.py#L279
      { match: rx(/requires vLLM ?>= ?[\d.]+/, "requires vLLM>=", "requires vLLM >="), confidence: 0.75 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/quantizers/auto.py#L135
      {
        match: rx(/Unknown quantization type, got \w+ - supported types are/, "Unknown quantization type, got"),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/modeling_utils.py#L2429
      {
        match: rx(
          /you need flash_attn package version to be greater or equal than [\d.]+/,
          "you need flash_attn package version",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/quantizers/quantizer_bnb_4bit.py#L87
      {
        match: rx(
          /Using `bitsandbytes` [48]-bit quantization requires the latest version of bitsandbytes/,
          "quantization requires the latest version of bitsandbytes",
        ),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/huggingface/peft/blob/5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40/src/peft/import_utils.py#L89
      {
        match: rx(
          /Found an incompatible version of (?:auto-gptq|gptqmodel|torchao|optimum)\. Found version/,
          "Found an incompatible version of",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/quantizers/quantizer_eetq.py#L64
      {
        match: lit("You are using a version of EETQ that is incompatible with the current transformers version"),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/quantizers/quantizer_gptq.py#L74
      {
        match: rx(
          /You need a version of auto_gptq >= [\d.]+ to use GPTQ|The gptqmodel version should be >= [\d.]+/,
          "You need a version of auto_gptq",
          "The gptqmodel version should be",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/arguments.py#L1109
      {
        match: rx(
          /requires (?:Transformer Engine|TE) >= ?[\d.]+|Please install TE >= ?[\d.]+/,
          "requires Transformer Engine >=",
          "requires TE >=",
          "Please install TE >=",
        ),
        confidence: 0.7,
      },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/training/training.py#L2485
      {
        match: rx(
          /requires (?:a |to have )?(?:torch|PyTorch|Pytorch) ?>= ?\d[\d.]*/,
          "requires torch>=",
          "requires PyTorch >=",
          "requires a Pytorch >=",
          "requires to have torch>=",
        ),
        unless: [lit("and a supported device")],
        within: 0,
        confidence: 0.62,
      },
      // Round 15, upstream: https://github.com/huggingface/trl/blob/f2cd57710ae345ea6428ae95363267fcf38a3dc8/trl/experimental/async_grpo/async_rollout_worker.py#L940
      { match: rx(/vLLM >= ?[\d.]+ is required to use/, "is required to use"), confidence: 0.75 },
      // Round 15, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/accelerator.py#L2156
      {
        match: rx(
          /requires [Dd]eep[Ss]peed >= ?[\d.]+/,
          "requires deepspeed >=",
          "requires DeepSpeed >=",
          "requires deepspeed>=",
          "requires DeepSpeed>=",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/utils/bnb.py#L93
      { match: lit("You have a version of `bitsandbytes` that is not compatible with"), confidence: 0.72 },
      // Round 15, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/accelerator.py#L2073
      { match: lit("was not found on your system or is too old of a version"), confidence: 0.65 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/modeling_utils.py#L5989
      {
        match: rx(
          /requires `accelerate` v[\d.]+\. Please upgrade your version of accelerate|accelerate v[\d.]+ and above\. Please upgrade accelerate/,
          "Please upgrade your version of accelerate",
          "Please upgrade accelerate",
        ),
        confidence: 0.82,
      },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/import_utils.py#L1647
      { match: lit("we now require users to upgrade torch to at least v2.6"), confidence: 0.8 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/import_utils.py#L253
      {
        match: rx(
          /Disabling PyTorch because PyTorch >= [\d.]+ is required but found/,
          "Disabling PyTorch because PyTorch",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/load.py#L1066
      {
        match: rx(
          /Dataset scripts are no longer supported, but found|`trust_remote_code` is not supported anymore\./,
          "Dataset scripts are no longer supported",
          "is not supported anymore.",
        ),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/huggingface/datasets/blob/b7cb10b0e38ab8bbefdb142d0279bc85ac8c7ab8/src/datasets/builder.py#L1029
      { match: lit("Loading a dataset cached in a LocalFileSystem is not supported"), confidence: 0.78 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.42.4/src/transformers/models/llama/configuration_llama.py
      {
        match: rx(
          /`rope_scaling` must be a dictionary with (?:with )?two fields, `type` and `factor`/,
          "`rope_scaling` must be a dictionary with",
        ),
        confidence: 0.8,
      },
      // Round 15, upstream: https://github.com/huggingface/tokenizers/blob/main/tokenizers/src/models/mod.rs
      { match: lit("data did not match any variant of untagged enum ModelWrapper"), confidence: 0.78 },
      // Round 15: unsloth's checks of the installed transformers (unsloth/models/loader.py: "is not supported yet in
      // `transformers==…`", "Your transformers version of … does not support"), pkg_resources finding a Hugging Face
      // package missing that another requires, a name newer transformers define.
      {
        match: rx(/is not supported yet in `transformers==[\w.+-]+`/, "is not supported yet in `transformers=="),
        confidence: 0.85,
      },
      {
        match: rx(/Your transformers version of [\w.+-]+ does not support/, "Your transformers version of"),
        // The same opening warns that 4-bit weights load another way ("does not support native 4bit loading").
        unless: [lit("does not support native")],
        within: 0,
        confidence: 0.85,
      },
      {
        match: rx(
          /The '(?:transformers|accelerate|peft|trl|tokenizers|huggingface-hub|datasets)[^'\n]*' distribution was not found and is required by/,
          "distribution was not found and is required by",
        ),
        confidence: 0.7,
      },
      { match: lit("name 'PreTrainedConfig' is not defined"), confidence: 0.7 },
      // Round 14: a tokenizer asked for a special token its transformers version does not define (tokenization_utils_base
      // __getattr__: "Qwen2TokenizerFast has no attribute video_token"): model code written for another transformers.
      {
        match: rx(
          /\w+Tokenizer(?:Fast)? has no attribute \w+/,
          "Tokenizer has no attribute",
          "TokenizerFast has no attribute",
        ),
        confidence: 0.72,
      },
      // Upstream phrasebook 2: verl's and ms-swift's version checks of tensordict, vLLM, megatron-core and torch_npu.
      { match: rx(/at least requires \w+ version [\d.]+/, "at least requires "), confidence: 0.75 },
      {
        match: rx(
          /upgrade vLLM to >= ?[\d.]+|the version of vLLM is too old|is not supported in vLLM version < [\d.]+/,
          "upgrade vLLM to >=",
          "the version of vLLM is too old",
          "in vLLM version < ",
        ),
        confidence: 0.78,
      },
      { match: rx(/requires m\w*core >= [\d.]+/, "core >= "), confidence: 0.75 },
      { match: rx(/[\w-]+==[\d.]+ or higher is required/, " or higher is required"), confidence: 0.72 },
      // Upstream phrasebook: transformers (a tokenizer class this version does not have; the examples' check_min_version;
      // the Trainer's accelerate and PEFT requirements), ms-swift's and TRL's version checks, a feature that "requires
      // transformers >= X", a launcher's own minimum DeepSpeed.
      {
        match: rx(
          /Tokenizer class \w+ does not exist or is not currently imported/,
          "does not exist or is not currently imported",
        ),
        confidence: 0.75,
      },
      {
        match: rx(
          /This example requires a (?:source install|minimum version)[^\n]*but the version found is/,
          "but the version found is",
        ),
        confidence: 0.85,
      },
      { match: lit("The version of PEFT you are using is not compatible"), confidence: 0.8 },
      { match: rx(/requires Accelerate (?:version|to be version of)/, "requires Accelerate "), confidence: 0.8 },
      {
        match: rx(
          /Please install the package: `pip install "?[\w-]+[<>=~]=/,
          "Please install the package: `pip install",
        ),
        confidence: 0.72,
      },
      { match: rx(/TRL currently supports vLLM versions from/, "currently supports vLLM versions"), confidence: 0.72 },
      { match: rx(/requires transformers(?: version)? (?:>=? ?)?\d[\w.]*/, "requires transformers "), confidence: 0.8 },
      { match: rx(/DeepSpeed version must be >= [\d.]+/, "DeepSpeed version must be >="), confidence: 0.75 },
      // Lightning's precision check (fabric/connector.py): 'bf16-true', '16-mixed' … are Lightning 2.0's names, so a
      // release that lists only '16', 'bf16' … is older than the code that asks for them.
      {
        match: rx(/Precision '(?:bf16|16|32|64)-(?:true|mixed)' is invalid/, "' is invalid. Allowed precision"),
        confidence: 0.78,
      },
      {
        match: rx(new RegExp(`cannot import name '[\\w.]+' from '(?:${HF_PACKAGES})[.']`), "cannot import name"),
        // A package's own compiled `_C` missing is an unbuilt source tree (import_from_source_dir).
        unless: [lit("cannot import name '_C'")],
        within: 0,
        confidence: 0.88,
      },
      {
        match: rx(new RegExp(`No module named '(?:${HF_PACKAGES})\\.[\\w.]+'`), "No module named '"),
        // A missing compiled extension (vllm._C) is an unbuilt source tree, not another version.
        unless: [lit("._C'")],
        within: 0,
        confidence: 0.75,
      },
      { match: lit("is required for a normal functioning of this module"), confidence: 0.85 },
      // transformers' AutoConfig (models/auto/configuration_auto.py) and vLLM's model registry
      // (model_executor/models/registry.py) meet a model newer than the installed release.
      { match: lit("but Transformers does not recognize this architecture"), confidence: 0.85 },
      // Releases before that message: AutoConfig's mapping lookup (configuration_auto.py, printed in the trace) raises a
      // bare KeyError naming the model type.
      {
        match: CONFIG_MAPPING_LOOKUP,
        near: [rx(/^KeyError: '[\w-]+'/, "KeyError: '")],
        within: 6,
        sourceLine: true,
        confidence: 0.8,
      },
      // AutoAWQ's model-type check (awq/models/auto.py check_and_get_model_type): the installed AutoAWQ predates the
      // model's architecture.
      {
        match: rx(/TypeError: [\w-]+ isn't supported yet\./, "isn't supported yet."),
        near: [lit("awq/")],
        within: 6,
        confidence: 0.72,
      },
      // An adapter saved by a newer peft read by an older one (ms-swift FAQ: "__init__() got an unexpected keyword
      // argument 'corda_config'" raised in peft/config.py from_peft_type).
      {
        match: lit("got an unexpected keyword argument"),
        near: [lit("peft/config.py"), lit("from_peft_type")],
        within: 4,
        confidence: 0.75,
      },
      // A keyword the installed trainer no longer takes (transformers 4.46+ / trl: tokenizer= became processing_class=),
      // one the installed accelerate does not take yet (Accelerator(use_seedable_sampler=) came in accelerate 0.26), or
      // one a Hub repository's processor or tokenizer config passes to an older class (round 13: LlavaNextProcessor and
      // "image_token").
      {
        match: rx(
          /\w*(?:Trainer|TrainingArguments|Config|Accelerator|Processor|Tokenizer(?:Fast)?|FeatureExtractor)\.__init__\(\) got an unexpected keyword argument/,
          "got an unexpected keyword argument",
        ),
        confidence: 0.7,
      },
      {
        match: rx(/Model architectures \[[^\]]*\] are not supported for now/, "are not supported for now"),
        confidence: 0.78,
      },
      {
        match: rx(new RegExp(`module '(?:${HF_PACKAGES})(?:\\.[\\w.]+)?' has no attribute`), "has no attribute"),
        confidence: 0.72,
      },
      {
        match: rx(
          /requires `?(?:accelerate|transformers|peft|trl|datasets)>=[\d.]+/,
          "requires `",
          "requires accelerate",
          "requires transformers",
        ),
        confidence: 0.82,
      },
      {
        match: rx(/cannot import name '[\w.]+' from '[\w.]+'/, "cannot import name"),
        unless: [lit("cannot import name '_C'")],
        within: 0,
        confidence: 0.55,
      },
      // pip's dependency-conflict report naming one of the HF stack's packages.
      {
        match: rxWhen(PIP_CONFLICT, [", but you have "], (g) => HF_DISTS.has(distName(g.have))),
        confidence: 0.8,
      },
    ],
    extract: [/cannot import name '(?<name>[\w.]+)' from '(?<module>[\w.]+)'/],
    cause:
      "The training framework was written against another version of transformers, accelerate, peft or vLLM-Ascend than " +
      "the one installed.",
    fixes: [
      {
        id: "show-versions",
        summary: "Show the installed versions.",
        commands: ["pip list 2>/dev/null | grep -i -E 'transformers|accelerate|peft|trl|vllm|datasets'"],
      },
      {
        id: "pin",
        summary:
          "Pin what the framework release documents (MindSpeed-MM 2.2/2.3: transformers 4.53.0; 26.x: 4.57.0); upgrade accelerate together with transformers.",
      },
    ],
    references: [`${MINDSPEED_FAQ} (#20)`, "https://github.com/huggingface/transformers/issues/26744"],
  },
  {
    id: "cuda-path-on-npu",
    category: "cuda_path_on_npu",
    title: "Code took the CUDA path on an NPU host",
    role: "primary",
    triggers: [
      // Round 24, upstream (tenth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/cuda/nvtx.py
      { match: lit("NVTX functions not installed. Are you sure you have a CUDA build?"), confidence: 0.75 },
      // Round 24, upstream (tenth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/aten/src/ATen/detail/CUDAHooksInterface.h
      { match: lit("Cannot initialize CUDA without ATen_cuda library"), confidence: 0.8 },
      // Round 24, upstream (tenth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/cuda/__init__.py
      // Round 24, upstream (tenth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/cuda/memory.py
      {
        match: rx(/module 'torch\._C' has no attribute '_cuda_\w+'/, "has no attribute '_cuda_"),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/cuda/_utils.py#L34
      {
        match: rx(/Expected a cuda (?:or cpu )?device, but got: npu(?::\d+)?/, "device, but got: npu"),
        confidence: 0.85,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/distributed/distributed_c10d.py
      { match: rx(/[Uu]nknown c10d backend type HCCL/, "nknown c10d backend type HCCL"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/facebookresearch/xformers/blob/bed3978b5efc34b92a84e6116b01f598d83b8af1/xformers/ops/fmha/common.py#L452
      { match: rx(/device=(?:npu|cpu)(?::\d+)? \(supported: \{'cuda'\}\)/, "(supported: {'cuda'})"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://github.com/Dao-AILab/flash-attention/blob/0251105a2fb19d2957484b7f023cd8c115286ced/setup.py#L164
      {
        match: rx(/\S+ was requested, but nvcc was not found/, "was requested, but nvcc was not found"),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/apex/blob/6424da3b4faa6c8f062da4a48c424fff3f02d42d/apex/optimizers/fused_adam.py#L136
      {
        match: rx(/apex\.(?:contrib\.)?optimizers\.\w+ requires cuda extensions/, "requires cuda extensions"),
        confidence: 0.62,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/Megatron-LM/blob/dc7fa885a3aa0bc51f70093efcdabf66b01762cd/megatron/core/optimizer/clip_grads.py#L8
      {
        match: rx(
          /No module named '(?:amp_C|fused_layer_norm_cuda|fused_mix_prec_layer_norm_cuda|scaled_upper_triang_masked_softmax_cuda|scaled_masked_softmax_cuda|scaled_softmax_cuda|fused_weight_gradient_mlp_cuda|fused_dense_cuda)'/,
          "No module named '",
        ),
        confidence: 0.6,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA/Megatron-LM/blob/dc7fa885a3aa0bc51f70093efcdabf66b01762cd/megatron/fused_kernels/__init__.py#L59
      {
        match: rx(/unsupported operand type\(s\) for \+: 'NoneType' and 'str'/, "for +: 'NoneType' and 'str'"),
        near: [lit('cuda_dir + "/bin/nvcc"')],
        within: 4,
        confidence: 0.68,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/csrc/distributed/c10d/ProcessGroup.hpp
      {
        match: rx(/No backend type associated with device type npu/, "No backend type associated with device type npu"),
        confidence: 0.55,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/cuda/__init__.py
      { match: lit("PyTorch was compiled without CUDA support"), confidence: 0.75 },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/_utils.py
      {
        match: rx(
          /Tried to instantiate dummy base class (?:Stream|Event|CUDAGraph|_Cuda\w+)/,
          "Tried to instantiate dummy base class",
        ),
        confidence: 0.65,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.1.0/torch/amp/autocast_mode.py
      {
        match: rx(/unsupported autocast device_type 'npu'/, "unsupported autocast device_type 'npu'"),
        confidence: 0.72,
      },
      // Round 17, upstream (sixth pass): https://github.com/pytorch/pytorch/blob/v2.5.1/torch/utils/cpp_extension.py
      { match: lit("list index out of range"), near: [lit("arch_list[-1] += '+PTX'")], within: 3, confidence: 0.6 },
      // Round 16, upstream: https://gitee.com/mindspore/docs/blob/r2.6.0/tutorials/source_zh_cn/debug/error_analysis/mindrt_debug.md
      {
        match: rx(
          /package type mindspore(?:-ascend)? support .device_target. type [a-z ]+, but got GPU/,
          "support 'device_target' type",
        ),
        confidence: 0.7,
      },
      // Round 16, upstream: https://github.com/bitsandbytes-foundation/bitsandbytes/blob/95f9af309d4d5793847169c39288dcd3fcbdf564/bitsandbytes/cextension.py#L98
      { match: lit("not available in CPU-only version of bitsandbytes"), confidence: 0.65 },
      // Round 16, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/utils/bnb.py#L158
      {
        match: rx(
          /No GPU (?:or (?:Intel )?XPU )?found\. A GPU (?:or (?:Intel )?XPU )?is needed for (?:FP8 )?quantization/,
          "is needed for ",
        ),
        confidence: 0.6,
      },
      // Round 16, upstream: https://github.com/InternLM/lmdeploy/blob/1263d5cd889b7ad500e85b8eb20401327a4516ab/lmdeploy/pytorch/check_env/cuda.py#L17
      { match: lit("<CUDA> check failed!"), near: [lit("cuda is not available.")], within: 3, confidence: 0.62 },
      // Round 16, upstream: https://github.com/unslothai/unsloth/blob/015bdef0d94a241bcd94eec7a405b1700632180d/unsloth/device_type.py#L87
      {
        match: rx(
          /Unsloth cannot find any torch accelerator\? You need a GPU|Unsloth currently only works on NVIDIA(?:, AMD)? and Intel GPUs|Unsloth: No NVIDIA GPU found\? Unsloth currently only supports GPUs/,
          "Unsloth cannot find any torch accelerator",
          "Unsloth currently only works on NVIDIA",
          "Unsloth: No NVIDIA GPU found",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/AutoGPTQ/AutoGPTQ/blob/9f7d37072917ab3a7545835f23e808294a542153/auto_gptq/modeling/_base.py#L603
      { match: lit("Load pretrained model to do quantization requires CUDA available."), confidence: 0.65 },
      // Round 16, upstream: https://github.com/huggingface/transformers/blob/v4.46.0/src/transformers/quantizers/quantizer_gptq.py#L62
      {
        match: rx(
          /GPU is required to (?:quantize or run quantize model|run AWQ quantized model)/,
          "GPU is required to ",
        ),
        confidence: 0.68,
      },
      // Round 16, upstream: https://github.com/huggingface/accelerate/blob/16cb6eb80dd9aa8b4df1a63ef57863e455d53b83/src/accelerate/state.py#L197
      {
        match: rx(/Your assigned backend \S+ is not available, please use \S+/, "is not available, please use"),
        confidence: 0.6,
      },
      // Round 15, upstream: https://github.com/deepspeedai/DeepSpeed/blob/edaa7221267243c7be7fb49c5d5f5c4fb97b4641/op_builder/builder.py#L705
      { match: rx(/DeepSpeed JIT builder for '\w+' found no CUDA devices/, "found no CUDA devices"), confidence: 0.68 },
      // Round 15, upstream: https://github.com/bitsandbytes-foundation/bitsandbytes/blob/95f9af309d4d5793847169c39288dcd3fcbdf564/bitsandbytes/cextension.py#L243
      {
        match: lit("Attempted to use bitsandbytes native library functionality but it's not available"),
        confidence: 0.58,
      },
      // Round 15: accelerate's backend check (state.py) when the default backend (nccl) is not there.
      {
        match: rx(/Your assigned backend \S+ is not avaliable, please use \S+/, "is not avaliable, please use"),
        confidence: 0.6,
      },
      // Upstream phrasebook 2: a CUDA-only path taken where no CUDA device is (Megatron's initialize assertion, DeepSpeed
      // building CUDA ops without nvcc, transformers' Flash Attention 2 checks, CUDA_HOME unset, Lightning's CUDA
      // accelerator, Paddle's 'gpu' device on a build without CUDA).
      { match: lit("Megatron requires CUDA."), confidence: 0.8 },
      { match: rx(/MissingCUDAException: Unable to run \S*nvcc/, "MissingCUDAException"), confidence: 0.82 },
      {
        match: rx(
          /Flash Attention 2 is not available on CPU|use Flash Attention 2 with a model not initialized on GPU and with no GPU available|FlashAttention2 has been toggled on, but it cannot be used due to the following error: the package flash_attn seems to be not installed/,
          "Flash Attention 2 ",
          "FlashAttention2 has been toggled on",
        ),
        confidence: 0.62,
      },
      { match: lit("CUDA_HOME environment variable is not set"), confidence: 0.62 },
      {
        match: rx(
          /No supported gpu backend found!|`CUDAAccelerator` can not run on your system since the accelerator is not available/,
          "No supported gpu backend found",
          "`CUDAAccelerator` can not run",
        ),
        confidence: 0.72,
      },
      { match: lit("since PaddlePaddle is not compiled with CUDA"), confidence: 0.75 },
      // Upstream phrasebook 2: verl's device detection falling back to CUDA when torch has no npu namespace.
      { match: lit("Device namespace 'npu' not found in torch, try to load torch.cuda"), confidence: 0.45 },
      // Upstream phrasebook: torch's autocast and GradScaler asked for CUDA where it is not (torch/amp/autocast_mode.py,
      // grad_scaler.py: "but CUDA is not available"), a CPU-only torch build asked to set a CUDA device.
      {
        match: rx(
          /device_type of 'cuda', but CUDA is not available|GradScaler is enabled, but CUDA is not available/,
          "but CUDA is not available",
        ),
        confidence: 0.55,
      },
      { match: lit("module 'torch._C' has no attribute '_cuda_setDevice'"), confidence: 0.75 },
      { match: lit("Torch not compiled with CUDA enabled"), confidence: 0.9 },
      // torch_npu never imported: torch does not know the "npu" device (c10/core/Device.cpp) or has no torch.npu.
      {
        match: rx(
          /device type at start of device string: npu|module 'torch' has no attribute 'npu'/,
          "device string: npu",
          "has no attribute 'npu'",
        ),
        confidence: 0.7,
      },
      // CUDA-only libraries on an NPU host: triton's driver probe (triton/runtime/driver.py) and bitsandbytes' CPU build.
      { match: rx(/\b0 active drivers \(\[\]\)\. There should only be one/, "0 active drivers"), confidence: 0.65 },
      { match: lit("bitsandbytes was compiled without GPU support"), confidence: 0.65 },
      { match: lit("Found no NVIDIA driver on your system"), confidence: 0.72 },
      // The nccl backend asked of a torch without NCCL (CPU/NPU wheels: torch/distributed/distributed_c10d.py) or on a
      // host without CUDA devices (torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp).
      { match: lit("Distributed package doesn't have NCCL built in"), confidence: 0.8 },
      { match: lit("ProcessGroupNCCL is only supported with GPUs"), confidence: 0.72 },
      // torch on a host without CUDA devices (c10/cuda/CUDAFunctions.cpp), a checkpoint saved on CUDA loaded without
      // map_location (torch/serialization.py), DeepSpeed building CUDA ops (op_builder/builder.py).
      { match: lit("No CUDA GPUs are available"), confidence: 0.6 },
      { match: lit("Attempting to deserialize object on a CUDA device"), confidence: 0.75 },
      { match: lit("CUDA_HOME does not exist, unable to compile CUDA op"), confidence: 0.72 },
    ],
    cause:
      "An integer device index (.to(3), device_map values) or a .cuda() call was resolved to CUDA; with transformers newer " +
      "than 4.49 on torch_npu 2.2 this happens inside the library.",
    fixes: [
      {
        id: "npu-strings",
        summary: "Use 'npu:N' device strings and import torch_npu before anything else.",
        edits: [
          "training code: import torch_npu (or from torch_npu.contrib import transfer_to_npu) first; .to('npu:3') instead of .to(3)",
        ],
      },
      {
        id: "versions",
        summary: "Use transformers ≤ 4.49 with torch_npu 2.2, or torch/torch_npu 2.4 or later.",
        commands: ["pip install 'transformers<=4.49'"],
      },
    ],
    references: ["https://github.com/Ascend/pytorch/issues/16"],
  },
  {
    id: "permission-denied",
    category: "permission_denied",
    title: "Permission denied (kernel cache or device nodes)",
    role: "primary",
    triggers: [
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/src/custom/dev_prod/user/dcmi/dcmi_inner/src/dcmi_permission_judge.c#L89
      {
        match: rx(
          /Operation not permitted, (?:only (?:root user|physical|privileged|on physical)|non-root user is not supported|docker user does not|this api cannot be called in docker|current environment can't call)/,
          "Operation not permitted, ",
        ),
        confidence: 0.7,
      },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/mind-cluster/blob/master/component/ascend-common/devmanager/dcmi/common.go#L31
      { match: rx(/error code: -8002,error desc: Permission error/, "error desc: Permission error"), confidence: 0.7 },
      // Round 17, upstream (sixth pass): https://docs.nvidia.com/deploy/nvml-api/group__nvmlReturn.html
      { match: lit("GPU access blocked by the operating system"), confidence: 0.6 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/utils/_error_code.py#L31
      { match: rx(/\bERR\d{2}012 [A-Z]+ permission error/, " permission error"), confidence: 0.72 },
      // Round 17, upstream (sixth pass): https://github.com/Ascend/pytorch/blob/master/torch_npu/profiler/analysis/prof_view/cann_parse/_cann_export.py#L141
      { match: lit("path and current owner have inconsistent permissions"), confidence: 0.72 },
      // Round 17, upstream (sixth pass): https://github.com/hicann/driver/blob/master/src/custom/dev_prod/user/npucli/src/npu_common.c#L908
      { match: lit("This command can be executed only by the root user."), confidence: 0.7 },
      // Round 16, upstream (third pass): https://github.com/bminor/glibc/blob/master/po/zh_CN.po
      { match: rx(/PermissionError: \[Errno 1\] 不允许的操作/, "PermissionError: [Errno 1]"), confidence: 0.65 },
      // Round 16, upstream (second pass): https://github.com/rust-lang/rust/blob/master/library/std/src/io/error.rs
      {
        match: rx(
          /(?:Read-only file system|Permission denied) \(os error (?:30|13)\)/,
          "(os error 30)",
          "(os error 13)",
        ),
        confidence: 0.75,
      },
      // Round 16, upstream: https://github.com/hicann/driver/blob/master/scripts/package/driver/common/scripts/install.sh#L515
      { match: lit("do not have root permission, operation failed"), confidence: 0.75 },
      // Round 16, upstream: https://github.com/NVIDIA/libnvidia-container/blob/main/src/cli/configure.c
      {
        match: rx(
          /nvidia-container-cli: permission error: [^\n]*operation not permitted/,
          "nvidia-container-cli: permission error: ",
        ),
        confidence: 0.78,
      },
      // Round 16, upstream: https://github.com/hicann/runtime/blob/681ef7610df13c8128982901142a2c869ddbb53e/src/runtime/core/src/common/errcode_manage.cc#L92
      { match: lit("driver error:operation no permitted"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/conda/conda/blob/0f64223fb8da4328457a69fe6483959dbb783152/conda/exceptions.py#L1371
      { match: lit("The current user does not have write permissions to"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/conda/conda/blob/0f64223fb8da4328457a69fe6483959dbb783152/conda/exceptions.py#L1413
      { match: rx(/No writeable (?:envs|pkgs) directories configured/, "directories configured"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/python/cpython/blob/main/Objects/exceptions.c
      {
        match: rx(/PermissionError: \[Errno 1\] Operation not permitted/, "PermissionError: [Errno 1]"),
        confidence: 0.65,
      },
      // Round 15, upstream: https://github.com/git/git/blob/master/object-file.c
      { match: lit("insufficient permission for adding an object to repository database"), confidence: 0.8 },
      // Round 15, upstream: https://docs.nvidia.com/deploy/nvml-api/group__nvmlReturn.html
      { match: lit("Failed to initialize NVML: Insufficient Permissions"), confidence: 0.7 },
      // Round 15, upstream: https://learn.microsoft.com/en-us/windows/win32/debug/system-error-codes--1300-1699-
      { match: lit("A required privilege is not held by the client"), confidence: 0.7 },
      // Round 15, upstream: https://github.com/huggingface/transformers/blob/v4.57.6/src/transformers/utils/hub.py#L524
      {
        match: rx(
          /PermissionError at \S+ when downloading \S+\. Check cache directory permissions/,
          "Check cache directory permissions",
        ),
        confidence: 0.75,
      },
      // Round 13: transformers' and huggingface_hub's check of the cache folder (utils/hub.py): "There was a problem when
      // trying to write in your cache folder (/data). You should set the environment variable TRANSFORMERS_CACHE to a
      // writable directory."
      { match: lit("There was a problem when trying to write in your cache folder"), confidence: 0.8 },
      // Upstream phrasebook 2: torch_npu's dynamic profiler config it may not read or write.
      {
        match: rx(/is not (?:readable|writeable), please check the permission/, "please check the permission"),
        confidence: 0.75,
      },
      {
        match: rx(/Permission denied[^\n]*kernel_meta|kernel_meta[^\n]*Permission denied/, "kernel_meta"),
        confidence: 0.92,
      },
      {
        match: rx(/\/dev\/davinci[^\n]*Permission denied|Permission denied[^\n]*\/dev\/davinci/, "/dev/davinci"),
        confidence: 0.9,
      },
      { match: lit("set_kernel_meta_parent_dir"), confidence: 0.75 },
      {
        match: rx(/PermissionError: \[Errno 13\]|\[Errno 13\] Permission denied/, "PermissionError", "[Errno 13]"),
        confidence: 0.8,
      },
      {
        match: lit("Permission denied"),
        unless: [lit("(publickey"), lit("please try again")],
        within: 2,
        confidence: 0.5,
      },
      // EROFS: the job writes into a read-only mount (Python's "[Errno 30] Read-only file system", glibc zh_CN
      // "只读文件系统"), and the driver's own no-permission code (EL0007).
      {
        match: rx(/\[Errno 30\] Read-only file system|只读文件系统/, "[Errno 30] Read-only", "只读文件系统"),
        confidence: 0.72,
      },
      { match: rx(/\bEL0007\b/, "EL0007:", "EL0007 "), confidence: 0.75 },
      // EACCES in glibc's zh_CN text (po/zh_CN.po), Windows ERROR_ACCESS_DENIED (5), and Go's lower-case errno text.
      {
        match: rx(/权限不够|\[WinError 5\] (?:Access is denied|拒绝访问)/, "权限不够", "[WinError 5] "),
        confidence: 0.75,
      },
      // EACCES and EROFS in every locale glibc ships (strerror-l10n.ts), as a C tool in that locale prints them.
      { match: l10n("EACCES"), confidence: 0.75 },
      { match: l10n("EROFS"), confidence: 0.72 },
      // Upstream phrasebook: the runtime's "no permission" return (torch_npu NPUErrorCodes.h) and torch_npu's check of
      // a path's permissions.
      { match: lit("You do not have the operation permission"), confidence: 0.8 },
      { match: lit("The path permission check failed:"), confidence: 0.7 },
      {
        match: lit("permission denied"),
        unless: [lit("(publickey"), lit("please try again")],
        within: 2,
        confidence: 0.5,
      },
    ],
    extract: [/Permission denied: '(?<path>[^']+)'/],
    cause:
      "The process cannot write where CANN or the job needs to: the operator compiler writes kernel_meta/ into the " +
      "current directory (read-only '/' for a non-root user), or the user is not in the HwHiAiUser group that owns /dev/davinci*.",
    fixes: [
      {
        id: "writable-cwd",
        summary: "Start from a writable directory, or point CANN's work/cache paths at one.",
        commands: ["cd <workdir>"],
        env: { ASCEND_WORK_PATH: "<writable_dir>", ASCEND_CACHE_PATH: "<writable_dir>" },
      },
      { id: "group", summary: "Let the user open the devices.", commands: ["usermod -aG HwHiAiUser <user>"] },
    ],
    references: ["https://github.com/vllm-project/vllm-ascend/issues/433"],
  },
  {
    id: "pdsh-missing",
    category: "pdsh_missing",
    title: "pdsh not installed (multi-node launcher)",
    role: "primary",
    triggers: [
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/bash.git/tree/po/es.po
      {
        match: rx(
          /\bpdsh: (?:bevel nie gevind nie|командата не е открита|no s'ha trobat l'ordre|příkaz nenalezen|kommando ikke fundet|εντολή δεν βρέθηκε|Komando ne trovita|orden no encontrada|käsku ei ole|komentoa ei löydy|níor aimsíodh an t-ordú|non se atopou a orde|naredba nije pronađena|parancs nem található|perintah tidak ditemukan|comando non trovato|명령어를 찾을 수 없음|komanda nerasta|opdracht niet gevonden|nie znaleziono polecenia|comando não encontrado|comandă negăsită|príkaz nenájdený|ukaza ni mogoče najti|нема такве наредбе|kommandot finns inte|komut yok|команду не знайдено|không tìm thấy lệnh)|fant ikke kommando pdsh/,
          "bevel nie gevind nie",
          "командата не е открита",
          "no s'ha trobat l'ordre",
          "příkaz nenalezen",
          "kommando ikke fundet",
          "εντολή δεν βρέθηκε",
          "Komando ne trovita",
          "orden no encontrada",
          "käsku ei ole",
          "komentoa ei löydy",
          "níor aimsíodh an t-ordú",
          "non se atopou a orde",
          "naredba nije pronađena",
          "parancs nem található",
          "perintah tidak ditemukan",
          "comando non trovato",
          "명령어를 찾을 수 없음",
          "komanda nerasta",
          "opdracht niet gevonden",
          "nie znaleziono polecenia",
          "comando não encontrado",
          "comandă negăsită",
          "príkaz nenájdený",
          "ukaza ni mogoče najti",
          "нема такве наредбе",
          "kommandot finns inte",
          "komut yok",
          "команду не знайдено",
          "không tìm thấy lệnh",
          "fant ikke kommando pdsh",
        ),
        confidence: 0.88,
      },
      // Round 17, upstream (eighth pass): https://github.com/fish-shell/fish-shell/blob/master/share/functions/fish_command_not_found.fish
      {
        match: rx(
          /fish: Unknown command: pdsh\b|\bpdsh: Command not found\./,
          "Unknown command: pdsh",
          "pdsh: Command not found.",
        ),
        confidence: 0.88,
      },
      // Round 17, upstream (seventh pass): https://github.com/chaos/pdsh/blob/master/src/pdsh/main.c#L117
      {
        match: rx(
          /pdsh@\S+: (?:Couldn't load any pdsh modules|no modules found)/,
          "Couldn't load any pdsh modules",
          "no modules found",
        ),
        confidence: 0.72,
      },
      // Round 16, upstream: https://github.com/chaos/pdsh/blob/master/src/pdsh/rcmd.c#L179
      {
        match: rx(
          /No such rcmd module "ssh"|unable to initialize an rcmd module/,
          "No such rcmd module",
          "unable to initialize an rcmd module",
        ),
        confidence: 0.75,
      },
      // Upstream phrasebook: DeepSpeed before 0.4 ("pdsh is not installed, unable to proceed"), zsh, GNU which, and
      // bash's command-not-found in zh_CN, zh_TW, de, fr, ja, ru (po/*.po).
      { match: lit("pdsh is not installed"), confidence: 0.9 },
      { match: lit("command not found: pdsh"), confidence: 0.9 },
      { match: lit("which: no pdsh in ("), confidence: 0.85 },
      {
        match: rx(
          /\bpdsh ?[:：] ?(?:未找到命令|指令找不到|Kommando nicht gefunden|commande introuvable|コマンドが見つかりません|команда не найдена)/,
          "未找到命令",
          "指令找不到",
          "Kommando nicht gefunden",
          "commande introuvable",
          "コマンドが見つかりません",
          "команда не найдена",
        ),
        confidence: 0.88,
      },
      { match: rx(/pdsh: (?:command )?not found/, "pdsh: command not found", "pdsh: not found"), confidence: 0.92 },
      { match: lit("launcher 'pdsh' not installed"), confidence: 0.92 },
      { match: rx(/launcher '[^']*' not installed/, "not installed"), confidence: 0.7 },
      { match: lit("No such file or directory: 'pdsh'"), confidence: 0.9 },
    ],
    cause: "The multi-node launcher needs pdsh on every node; without it the launch fails or hangs with no error.",
    fixes: [
      {
        id: "install",
        summary: "Install pdsh on every node.",
        commands: ["apt-get install -y pdsh  # or: yum install -y pdsh"],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#4)`],
  },
  {
    id: "windows-line-endings",
    category: "windows_line_endings",
    title: "Script has Windows (CRLF) line endings",
    role: "primary",
    triggers: [
      // Round 21: bash's report of a CR left at a line's end, quoted without its `$` (markdown ate it): "'\\r': command
      // not found".
      { match: rx(/(?:^|[\s:])'\\r': command not found/, "'\\r': command"), confidence: 0.9 },
      // Round 19, upstream (ninth pass): https://github.com/SchedMD/slurm/blob/284c3b95f08a2dc2478499837b03355e1b9c5c75/src/sbatch/sbatch.c#L701
      { match: lit("Batch script contains DOS line breaks"), confidence: 0.9 },
      // Round 19, upstream (ninth pass): https://github.com/SchedMD/slurm/blob/284c3b95f08a2dc2478499837b03355e1b9c5c75/src/sbatch/sbatch.c#L702
      { match: lit("instead of expected UNIX line breaks"), confidence: 0.85 },
      // Round 19, upstream (ninth pass): https://github.com/koalaman/shellcheck/blob/764802b7c023e9fdc191c12f57c418f186ad76ae/src/ShellCheck/Parser.hs#L147
      { match: rx(/SC1017 \(error\): Literal carriage return/, "Literal carriage return"), confidence: 0.8 },
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/bash.git/tree/po/de.po
      {
        match: rx(
          /\^M\s?: ?(?:лош интерпретатор|intèrpret erroni|chybný interpretr|dårlig fortolker|Defekter Interpreter|κακός interpreter|Misa interpretilo|intérprete erróneo|halb interpretaator|virheellinen tulkki|mauvais interpréteur|drochléirmhínitheoir|loš interpreter|rossz parancsértelmező|interpreter buruk|interprete errato|誤ったインタプリタです|잘못된 인터프리터|blogas interpretatorius|ugyldig tolk|ongeldige interpreter|zły interpreter|interpretador errado|interpretador incorreto|interpret greșit|неверный интерпретатор|chybný interpreter|slab tolmač|лош тумач|felaktig tolk|hatalı yorumlayıcı|неправильний інтерпретатор|bộ thông dịch sai|不當的直譯器)/,
          "лош интерпретатор",
          "intèrpret erroni",
          "chybný interpretr",
          "dårlig fortolker",
          "Defekter Interpreter",
          "κακός interpreter",
          "Misa interpretilo",
          "intérprete erróneo",
          "halb interpretaator",
          "virheellinen tulkki",
          "mauvais interpréteur",
          "drochléirmhínitheoir",
          "loš interpreter",
          "rossz parancsértelmező",
          "interpreter buruk",
          "interprete errato",
          "誤ったインタプリタです",
          "잘못된 인터프리터",
          "blogas interpretatorius",
          "ugyldig tolk",
          "ongeldige interpreter",
          "zły interpreter",
          "interpretador errado",
          "interpretador incorreto",
          "interpret greșit",
          "неверный интерпретатор",
          "chybný interpreter",
          "slab tolmač",
          "лош тумач",
          "felaktig tolk",
          "hatalı yorumlayıcı",
          "неправильний інтерпретатор",
          "bộ thông dịch sai",
          "^M: 不當的直譯器",
        ),
        confidence: 0.9,
      },
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/bash.git/tree/po/de.po
      {
        match: rx(
          /лексема „\$'\\r'“|inesperat «\$'\\r'»|tokenu „\$'\\r'“|Symbol »\$'\\r'«|σύμβολο «\$'\\r'»|token ‘\$'\\r'’|simbolo „\$'\\r'‟|avainsanaa ”\$'\\r'”|inattendu « \$'\\r' »|comhartha '\$'\\r''|simbola „\$'\\r'“|hiba „\$'\\r'”|leksemos: „\$'\\r'“|ved «\$'\\r'»|symbool '\$'\\r''|lângă „\$'\\r'”|маркером «\$'\\r'»|симбола „\$'\\r'“|symbolen ”\$'\\r'”|лексеми «\$'\\r'»|thường “\$'\\r'”|未預期的字組「\$'\\r'」/,
          "лексема „$'\\r'“",
          "inesperat «$'\\r'»",
          "tokenu „$'\\r'“",
          "Symbol »$'\\r'«",
          "σύμβολο «$'\\r'»",
          "token ‘$'\\r'’",
          "simbolo „$'\\r'‟",
          "avainsanaa ”$'\\r'”",
          "inattendu « $'\\r' »",
          "comhartha '$'\\r''",
          "simbola „$'\\r'“",
          "hiba „$'\\r'”",
          "leksemos: „$'\\r'“",
          "ved «$'\\r'»",
          "symbool '$'\\r''",
          "lângă „$'\\r'”",
          "маркером «$'\\r'»",
          "симбола „$'\\r'“",
          "symbolen ”$'\\r'”",
          "лексеми «$'\\r'»",
          "thường “$'\\r'”",
          "未預期的字組「$'\\r'」",
        ),
        confidence: 0.9,
      },
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/bash.git/tree/po/de.po
      {
        match: rx(
          /\$'[^'\n]*(?:\\r': bevel nie gevind nie|\\r': командата не е открита|\\r': no s'ha trobat l'ordre|\\r': příkaz nenalezen|\\r': kommando ikke fundet|\\r': Kommando nicht gefunden\.|\\r': εντολή δεν βρέθηκε|\\r': Komando ne trovita|\\r': orden no encontrada|\\r': käsku ei ole|\\r': komentoa ei löydy|\\r' : commande introuvable|\\r': níor aimsíodh an t-ordú|\\r': non se atopou a orde|\\r': naredba nije pronađena|\\r': parancs nem található|\\r': perintah tidak ditemukan|\\r': comando non trovato|\\r': コマンドが見つかりません|\\r': 명령어를 찾을 수 없음|\\r': komanda nerasta|\\r': opdracht niet gevonden|\\r': nie znaleziono polecenia|\\r': comando não encontrado|\\r': comandă negăsită|\\r': команда не найдена|\\r': príkaz nenájdený|\\r': ukaza ni mogoče najti|\\r': нема такве наредбе|\\r': kommandot finns inte|\\r': komut yok|\\r': команду не знайдено|\\r': không tìm thấy lệnh|\\r'：指令找不到|\\r': Няма такога файла ці каталога|\\r': Няма такъв файл или директория|\\r': El fitxer o directori no existeix|\\r': Adresář nebo soubor neexistuje|\\r': Ingen sådan fil eller filkatalog|\\r': Datei oder Verzeichnis nicht gefunden|\\r': Δεν υπάρχει τέτοιο αρχείο ή κατάλογος|\\r': Dosiero aŭ dosierujo ne ekzistas|\\r': No existe el fichero o el directorio|\\r': Tiedostoa tai hakemistoa ei ole|\\r': Aucun fichier ou dossier de ce type|\\r': Non hai tal ficheiro ou directorio|\\r': Nema takve datoteke ili direktorija|\\r': Nincs ilyen fájl vagy könyvtár|\\r': Necun tal file o directorio|\\r': Tidak ada berkas atau direktori seperti itu|\\r': File o directory non esistente|\\r': そのようなファイルやディレクトリはありません|\\r': 그런 파일이나 디렉터리가 없습니다|\\r': Toks failas ar aplankas neegzistuoja|\\r': Ingen slik fil eller filkatalog|\\r': Bestand of map bestaat niet|\\r': Nie ma takiego pliku ani katalogu|\\r': Ficheiro ou pasta inexistente|\\r': Arquivo ou diretório inexistente|\\r': Нет такого файла или каталога|\\r': Adresár alebo súbor neexistuje|\\r': Datoteka ali imenik s tem imenom ne obstaja|\\r': Нема такве датотеке или директоријума|\\r': Filen eller katalogen finns inte|\\r': Böyle bir dosya ya da dizin yok|\\r': Немає такого файла або каталогу|\\r': Không có tập tin hoặc thư mục như vậy|\\r': 沒有此一檔案或目錄)/,
          "\\r': bevel nie gevind nie",
          "\\r': командата не е открита",
          "\\r': no s'ha trobat l'ordre",
          "\\r': příkaz nenalezen",
          "\\r': kommando ikke fundet",
          "\\r': Kommando nicht gefunden.",
          "\\r': εντολή δεν βρέθηκε",
          "\\r': Komando ne trovita",
          "\\r': orden no encontrada",
          "\\r': käsku ei ole",
          "\\r': komentoa ei löydy",
          "\\r' : commande introuvable",
          "\\r': níor aimsíodh an t-ordú",
          "\\r': non se atopou a orde",
          "\\r': naredba nije pronađena",
          "\\r': parancs nem található",
          "\\r': perintah tidak ditemukan",
          "\\r': comando non trovato",
          "\\r': コマンドが見つかりません",
          "\\r': 명령어를 찾을 수 없음",
          "\\r': komanda nerasta",
          "\\r': opdracht niet gevonden",
          "\\r': nie znaleziono polecenia",
          "\\r': comando não encontrado",
          "\\r': comandă negăsită",
          "\\r': команда не найдена",
          "\\r': príkaz nenájdený",
          "\\r': ukaza ni mogoče najti",
          "\\r': нема такве наредбе",
          "\\r': kommandot finns inte",
          "\\r': komut yok",
          "\\r': команду не знайдено",
          "\\r': không tìm thấy lệnh",
          "\\r'：指令找不到",
          "\\r': Няма такога файла ці каталога",
          "\\r': Няма такъв файл или директория",
          "\\r': El fitxer o directori no existeix",
          "\\r': Adresář nebo soubor neexistuje",
          "\\r': Ingen sådan fil eller filkatalog",
          "\\r': Datei oder Verzeichnis nicht gefunden",
          "\\r': Δεν υπάρχει τέτοιο αρχείο ή κατάλογος",
          "\\r': Dosiero aŭ dosierujo ne ekzistas",
          "\\r': No existe el fichero o el directorio",
          "\\r': Tiedostoa tai hakemistoa ei ole",
          "\\r': Aucun fichier ou dossier de ce type",
          "\\r': Non hai tal ficheiro ou directorio",
          "\\r': Nema takve datoteke ili direktorija",
          "\\r': Nincs ilyen fájl vagy könyvtár",
          "\\r': Necun tal file o directorio",
          "\\r': Tidak ada berkas atau direktori seperti itu",
          "\\r': File o directory non esistente",
          "\\r': そのようなファイルやディレクトリはありません",
          "\\r': 그런 파일이나 디렉터리가 없습니다",
          "\\r': Toks failas ar aplankas neegzistuoja",
          "\\r': Ingen slik fil eller filkatalog",
          "\\r': Bestand of map bestaat niet",
          "\\r': Nie ma takiego pliku ani katalogu",
          "\\r': Ficheiro ou pasta inexistente",
          "\\r': Arquivo ou diretório inexistente",
          "\\r': Нет такого файла или каталога",
          "\\r': Adresár alebo súbor neexistuje",
          "\\r': Datoteka ali imenik s tem imenom ne obstaja",
          "\\r': Нема такве датотеке или директоријума",
          "\\r': Filen eller katalogen finns inte",
          "\\r': Böyle bir dosya ya da dizin yok",
          "\\r': Немає такого файла або каталогу",
          "\\r': Không có tập tin hoặc thư mục như vậy",
          "\\r': 沒有此一檔案或目錄",
        ),
        confidence: 0.88,
      },
      // Round 17, upstream (eighth pass): https://git.savannah.gnu.org/cgit/coreutils.git/tree/src/env.c
      {
        match: rx(/\/usr\/bin\/env: [„«»”“「"`'‘] ?[^\s"'’”“»«」]+\\r ?[“”»«’」"']: /, "/usr/bin/env: "),
        confidence: 0.88,
      },
      // Round 15, upstream: https://github.com/python/cpython/blob/main/Lib/argparse.py
      { match: rx(/invalid (?:\w+ value|choice): '[^'\n]*\\r'/, " value: '", "invalid choice: '"), confidence: 0.88 },
      // Round 15, upstream: https://github.com/python/cpython/blob/main/Objects/longobject.c
      { match: rx(/invalid literal for \w+\(\) with base \d+: '[^'\n]*\\r'/, "invalid literal for"), confidence: 0.85 },
      // Round 15, upstream: https://github.com/python/cpython/blob/main/Objects/exceptions.c
      { match: rx(/No such file or directory: '[^'\n]*\\r'/, "No such file or directory: '"), confidence: 0.85 },
      // Round 15, upstream: https://git.kernel.org/pub/scm/utils/dash/dash.git/tree/src/options.c
      { match: rx(/set: [Ii]llegal option -\r?$/, "set: Illegal option -", "set: illegal option -"), confidence: 0.65 },
      // Round 15, upstream: https://github.com/python/cpython/blob/main/Lib/argparse.py
      { match: rx(/error: unrecognized arguments:\s*$/, "unrecognized arguments:"), confidence: 0.8 },
      // Round 15: a CR at the end of a word a shell or Python prints before its message: the carriage return sends the
      // cursor back, so the line begins with the message (dash's "…: not found" over "x.sh: 3:", CPython's "': [Errno 2]
      // No such file or directory" over the file name).
      { match: rx(/^: not found\S*: \d+:/, ": not found"), confidence: 0.8 },
      {
        match: rx(/^': \[Errno 2\] No such file or directory/, "': [Errno 2] No such file or directory"),
        confidence: 0.8,
      },
      // `file` naming a script's line terminators (file/magic: "with CRLF line terminators").
      { match: lit("with CRLF line terminators"), confidence: 0.9 },
      // Upstream phrasebook: bash in zh_CN ("未预期的记号 "$'\r'" 附近有语法错误", "错误的解释器"), set's option name with the
      // CR in zh_CN, the interpreter's own file name ending in a CR (CPython "can't open file '…\r'"), coreutils env.
      { match: rx(/["`]\$'\\r'["']/, "\"$'\\r'\"", "`$'\\r''"), confidence: 0.88 },
      { match: lit("^M: 错误的解释器"), confidence: 0.9 },
      { match: rx(/set: pipefail\r?: 无效的选项名/, "无效的选项名"), confidence: 0.75 },
      { match: rx(/can't open file '[^'\n]*\\r'/, "\\r': [Errno 2]"), confidence: 0.88 },
      { match: lit("use -[v]S to pass options in shebang lines"), confidence: 0.45 },
      // bash quotes a word that is a lone CR as $'\r' wherever it prints it: a command, a token, a file name.
      { match: rx(/\$'\\r'/, "\\r': command", "token `$'\\r'", "$'\\r': ", "'$'\\r' ", "'$'\\r':"), confidence: 0.95 },
      // bash quotes any word holding a CR with $'…' (print_cmd.c ansic_quote): "cd: $'/data/run\r': No such file".
      {
        match: rx(
          /\$'[^'\n]+\\r': (?:No such|command not|not a valid|invalid option|Is a directory|没有那个|未找到)/,
          "\\r': No such",
          "\\r': command not",
          "\\r': not a valid",
          "\\r': invalid option",
          "\\r': Is a directory",
          "\\r': 没有那个",
          "\\r': 未找到",
        ),
        confidence: 0.88,
      },
      // A CR left as a word of its own: a launcher printing the command it ran as a Python list
      // (DeepSpeed's sigkill_handler: "['python', '-u', 'train.py', '--local_rank=0', '\r'] exits with return code").
      { match: rx(/, '\\r'\]/, ", '\\r']"), confidence: 0.86 },
      // Each continued line of a CRLF script runs as a command of its own: "x.sh: line 3: --model: command not found".
      { match: rx(/line \d+: --?[\w-]+: command not found/, ": command not found"), minCount: 2, confidence: 0.62 },
      // The CR itself left in a word bash complains about ("export: `X=1\r': not a valid identifier").
      {
        match: rx(
          /\r'?: (?:not a valid identifier|command not found|invalid option)/,
          "\r': not a valid",
          "\r': command not",
          "\r: command not",
          "\r': invalid option",
          "\r: invalid option",
        ),
        confidence: 0.85,
      },
      // bash in zh_CN (po/zh_CN.po: "bad interpreter" → "解释器错误") and `set -o pipefail` read with a CR
      // (builtins/set.def: "invalid option name").
      { match: rx(/\^M: 解释器错误/, "^M: 解释器错误"), confidence: 0.9 },
      { match: rx(/set: pipefail\r?: invalid option name/, "set: pipefail"), confidence: 0.8 },
      {
        match: rx(/\^M: bad interpreter|\^M: No such file/, "^M: bad interpreter", "^M: No such file"),
        confidence: 0.9,
      },
      { match: rx(/\r'?: No such file or directory/, "\r': No such", "\r: No such"), confidence: 0.88 },
      { match: lit("syntax error near unexpected token"), confidence: 0.55 },
      // coreutils env quotes the program name with ‘…’ in UTF-8 locales and escapes the CR (lib/quotearg.c).
      { match: rx(/(?:env|bin): ‘[\w./-]+\\r’: No such file/, "\\r’: No such"), confidence: 0.9 },
      {
        match: rx(
          /bad interpreter: [^\n]*\^M|(?:env|bin): '?\w+\\r'?: No such file/,
          "bad interpreter",
          "\\r: No such",
          "\\r': No such",
        ),
        confidence: 0.9,
      },
    ],
    extract: [/(?<file>[\w./~-]+\.sh): (?:line \d+: )?/],
    cause:
      "The launch script was saved with CRLF line endings (edited on Windows), so bash sees a stray \\r on every line.",
    fixes: [
      {
        id: "dos2unix",
        summary: "Convert the script to Unix line endings.",
        commands: ["sed -i 's/\\r$//' <file>  # or: dos2unix <file>"],
      },
      {
        id: "git",
        summary: "Stop git from converting on checkout.",
        commands: ["git config --global core.autocrlf input"],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#14)`],
  },
  {
    id: "megatron-version-mismatch",
    category: "megatron_version_mismatch",
    title: "Megatron-LM missing or at the wrong version",
    role: "primary",
    triggers: [
      // Round 19, upstream (ninth pass): https://github.com/NVIDIA/NeMo/blob/8cfedd7203462cb251a914e700e5605444277561/nemo/collections/llm/gpt/model/gpt_oss.py#L118
      {
        match: rx(/Megatron version does not support \S+ model/, "Megatron version does not support"),
        confidence: 0.8,
      },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/main/src/megatron/bridge/compat/mcore_version.py
      {
        match: rx(
          /megatron-core \S+ is outside the version range supported by this Megatron Bridge release/,
          "is outside the version range supported by this Megatron Bridge",
        ),
        confidence: 0.82,
      },
      // Round 17, upstream (sixth pass): https://github.com/linkedin/Liger-Kernel/blob/main/src/liger_kernel/megatron/monkey_patch.py
      { match: lit("The symbol path may have changed in your Megatron-LM version"), confidence: 0.78 },
      // Round 17, upstream (sixth pass): https://github.com/NVIDIA-NeMo/Megatron-Bridge/blob/main/src/megatron/bridge/training/utils/packed_seq_utils.py#L57
      {
        match: rx(
          /[Pp]lease upgrade [Mm]egatron(?:-[Cc]ore|-LM)?\b|requires Megatron-Core >= ?[\d.]+/,
          "lease upgrade ",
          "requires Megatron-Core >=",
        ),
        confidence: 0.76,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/patch_utils.py#L147
      {
        match: rx(/No module named '(?:mindspeed|mindspeed_llm|mindspeed_mm)\.[\w.]+'/, "No module named 'mindspeed"),
        confidence: 0.75,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/patch_utils.py#L160
      {
        match: rx(
          /module '(?:mindspeed|mindspeed_llm|mindspeed_mm)(?:\.[\w.]+)?' has no attribute/,
          "module 'mindspeed",
        ),
        confidence: 0.72,
      },
      // Round 15, upstream: https://github.com/Ascend/MindSpeed/blob/028de58ca629d035185b00ff7d1eb7eff4f7fd48/mindspeed/patch_utils.py#L192
      { match: rx(/The function <megatron[\w.]*> not exist/, "> not exist."), confidence: 0.75 },
      // Round 15, upstream: https://github.com/NVIDIA/Megatron-LM/blob/d98e8a64ddf34856e74b24714e3bedb2f5a39553/megatron/core/transformer/transformer_layer.py#L251
      {
        match: rx(
          /(?:TransformerLayerSubmodules|SelfAttentionSubmodules|CrossAttentionSubmodules|MLPSubmodules|MoESubmodules|ModuleSpec|TransformerBlockSubmodules)\.__init__\(\) got an unexpected keyword argument/,
          "Submodules.__init__() got an unexpected keyword argument",
          "ModuleSpec.__init__() got an unexpected keyword argument",
        ),
        confidence: 0.72,
      },
      // Upstream phrasebook 2: a Megatron layer-spec function of another release, MindSpeed's arguments missing from
      // the parsed namespace.
      {
        match: rx(
          /get_gpt_layer_\w+_spec\(\) got an unexpected keyword argument/,
          "_spec() got an unexpected keyword argument",
        ),
        confidence: 0.8,
      },
      {
        match: rx(
          /'Namespace' object has no attribute '(?:moe|mm|ascend|npu)_\w+'/,
          "'Namespace' object has no attribute",
        ),
        confidence: 0.6,
      },
      // Upstream phrasebook: MindSpeed's patch manager finding no Megatron function to patch ("no exist <name> of
      // <module 'megatron…'>", "function <name> no exist"), a feature MindSpeed does not support on this Megatron core,
      // Megatron's argument checks for flags of another release.
      { match: rx(/no exist \w+ of <module 'megatron/, "of <module 'megatron"), confidence: 0.85 },
      { match: rx(/RuntimeError: function \w+ no exist/, "no exist"), confidence: 0.7 },
      { match: rx(/not supported in Megatron core_r[\d.]+/, "not supported in Megatron core_r"), confidence: 0.8 },
      {
        match: rx(/--[\w-]+ (?:argument )?is no longer valid, use --[\w-]+/, "is no longer valid, use --"),
        confidence: 0.75,
      },
      {
        match: rx(/--[\w-]+ is deprecated(?: and has no effect)?[.,] [Uu]se --[\w-]+/, "is deprecated"),
        confidence: 0.72,
      },
      { match: rx(/cannot import name '[\w.]+' from 'megatron[\w.]*'/, "from 'megatron"), confidence: 0.88 },
      {
        match: rx(
          /cannot import name '[\w.]+' from '(?:mindspeed|mindspeed_llm|mindspeed_mm)[\w.]*'/,
          "from 'mindspeed",
        ),
        confidence: 0.85,
      },
      { match: rx(/No module named 'megatron(?:\.[\w.]+)?'/, "No module named 'megatron"), confidence: 0.86 },
      { match: rx(/module 'megatron[\w.]*' has no attribute/, "module 'megatron"), confidence: 0.85 },
      // accelerate's Megatron-LM plugin and conversion tools say it in words.
      {
        match: rx(
          /Megatron(?:-LM)? is not installed|Unable to import Megatron|megatron\.core is not available|[Mm]egatron-core was not found/,
          "Megatron is not installed",
          // NeMo's guard on every Megatron-based model (HAVE_MEGATRON_CORE): "megatron-core was not found. Please see
          // the NeMo README".
          "egatron-core was not found",
          "Megatron-LM is not installed",
          "Unable to import Megatron",
          "megatron.core is not available",
        ),
        confidence: 0.85,
      },
      {
        match: rx(/megatron[\w./]*\.py[^\n]*got an unexpected keyword argument/, "unexpected keyword argument"),
        confidence: 0.55,
      },
      // A call and the function it reaches disagree in shape, and the traceback around it runs through Megatron
      // (megatron/, megatron.core, mbridge, Megatron-Bridge): the calling code was written for another Megatron
      // release. The same when the error names one of Megatron's public classes.
      {
        match: API_SHAPE,
        near: [
          rx(
            /[/.]megatron[/.]|\bmegatron[/.](?:core|training|legacy)\b|\bmbridge\/|megatron\/bridge\//,
            "megatron/",
            "megatron.",
            "mbridge/",
          ),
        ],
        within: 8,
        confidence: 0.6,
      },
      {
        match: rx(
          /\b(?:VocabParallelEmbedding|ColumnParallelLinear|RowParallelLinear|TransformerConfig|ModelParallelConfig|TransformerLayer|TransformerBlock|GPTModel|ModelType|DistributedDataParallelConfig|OptimizerConfig|ParallelAttention|ParallelMLP)\b[^\n]*(?:got an unexpected keyword argument|missing \d+ required (?:positional|keyword-only) arguments?|has no attribute)/,
          "unexpected keyword argument",
          "required positional argument",
          "required keyword-only argument",
          "has no attribute",
        ),
        confidence: 0.6,
      },
    ],
    supersedes: ["transformers-version-conflict"],
    cause:
      "MindSpeed-MM runs on a copied megatron/ directory from one Megatron-LM tag (core_r0.8.0 for 2.1.0, core_v0.12.1 " +
      "from 2.2.0); it is missing or from another tag.",
    fixes: [
      {
        id: "checkout",
        summary:
          `Copy megatron/ from the tag the install guide names into the MindSpeed-MM checkout (${getRelease().megatron.branch} ` +
          "for the newest release; core_r0.8.0 for 2.1.0).",
        commands: [
          `git clone https://github.com/NVIDIA/Megatron-LM.git && git -C Megatron-LM checkout ${getRelease().megatron.branch}`,
          "cp -r Megatron-LM/megatron <workdir>/",
        ],
      },
    ],
    references: [`${MINDSPEED_FAQ} (#19)`],
  },
];
