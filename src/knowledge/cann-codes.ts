// CANN error codes as data: the code families (E<module><class><3 digits>), the codes seen in public failure logs,
// the ACL/runtime numeric return codes, the aclnn, HCCL and torch_npu codes, each decoded to component, meaning, usual
// cause and the failure category it points to. Every code found in a log is decoded with this table, rule or no rule.
// Sources (public):
// - aclError return codes (1xxxxx-5xxxxx rules, acl_base.h):
//   https://www.hiascend.com/document/detail/en/CANNCommunityEdition/910/API/runtimeapi/aclcppdevg_03_6666.html
//   https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/80RC2alpha002/apiref/appdevgapi/aclpythondevg_01_0911.html
// - runtime codes 107xxx/207xxx/507xxx (rt_error_codes.h):
//   https://github.com/hicann/runtime/blob/master/include/external/acl/error_codes/rt_error_codes.h
// - aclnn return codes 161xxx/361xxx/561xxx:
//   https://www.hiascend.com/document/detail/en/CANNCommunityEdition/910/API/aolapi/atlasascendc_api_07_1205.html
// - HCCL errors (EI0001-EI0020):
//   https://www.hiascend.com/document/detail/zh/canncommercial/latest/maintenref/troubleshooting/atlaserrorcode_15_0242.html
//   https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/850/maintenref/troubleshooting/atlaserrorcode_15_0246.html
//   https://www.hiascend.com/document/detail/en/CANNCommunityEdition/900/API/hcclug/hcclug_000049.html
//   https://www.hiascend.com/document/detail/zh/canncommercial/900/maintenref/troubleshooting/atlaserrorcode_15_0384.html
// - HCCP errors (EJ0001, EJ0003):
//   https://www.hiascend.com/document/detail/zh/CANNCommunityEdition/850/maintenref/troubleshooting/atlaserrorcode_15_0251.html
//   https://www.hiascend.com/document/detail/en/canncommercial/850/commlib/hcclug/hcclug_000035.html
// - Driver errors (EL0001-EL0015):
//   https://www.hiascend.com/document/detail/zh/canncommercial/80RC22/developmentguide/maintenref/troubleshooting/atlaserrorcode_15_0263.html
// - HcclResult values: hccl_types.h (HCCL_E_PARA = 1 ... HCCL_E_SUSPENDING = 22).
// - torch_npu ERR<submodule><code>: torch_npu/utils/_error_code.py, https://github.com/Ascend/pytorch
// E-codes not listed below are decoded by family (module letter) and class; 6-digit ACL codes by their first digit.
import type { Category } from "./rules-types.js";

export interface CodeInfo {
  code: string;
  component: string;
  meaning: string;
  cause?: string;
  /** The category the code implies on its own; absent when the code is generic (an inner error, for example). */
  category?: Category;
}

/** Module letter of an `E?xxxx` code (the character after the E). Classes: the digit after it; x9999 is "inner error". */
export const CODE_FAMILIES: Readonly<Record<string, string>> = {
  E1: "ATC / offline model conversion (argument and configuration checks)",
  E2: "ATC / graph compilation",
  E3: "OPP operator package and op compilation (TBE, AICPU)",
  E4: "runtime tooling (AOE, profiling)",
  E5: "graph engine",
  E6: "AICPU",
  // Seen as E89999 "Inner Error!" over an operator's tiling message (op[Range] … [FILE:range.cc]) in a public log.
  E8: "Operators (tiling and checks in an operator's host code)",
  E9: "inner error of a framework component",
  EB: "Profiling",
  EE: "Runtime (device, stream, task)",
  EH: "Graph Engine / runtime initialisation",
  EI: "HCCL (collective communication)",
  EJ: "HCCP (communication process on the device)",
  EK: "Driver management (DSMI/DCMI)",
  EL: "Driver (device memory, P2P, device open)",
  EZ: "Operators (AICore/AIVector kernels, aclnn parameter checks)",
};

/** Codes as seen in public logs, with the meaning their messages state. */
export const ASCEND_CODES: readonly CodeInfo[] = [
  {
    code: "EL0003",
    component: "Driver",
    meaning: "The argument is invalid (device open)",
    cause: "bad or remapped device id",
    category: "npu_not_available",
  },
  {
    code: "EL0004",
    component: "Driver",
    meaning: "Memory_Allocation_Failure: failed to allocate device memory",
    cause: "card memory full (this job, or another process when raised while opening the device)",
    category: "npu_oom",
  },
  { code: "EL0001", component: "Driver", meaning: "Device absent or abnormal", category: "npu_not_available" },
  { code: "EL0002", component: "Driver", meaning: "Invalid device ID", category: "npu_not_available" },
  {
    code: "EL0005",
    component: "Driver",
    meaning: "Resource busy",
    cause: "another process holds the device",
    category: "device_busy",
  },
  { code: "EL0006", component: "Driver", meaning: "Insufficient resources" },
  { code: "EL0007", component: "Driver", meaning: "No permission", category: "permission_denied" },
  { code: "EL0014", component: "Driver", meaning: "Operation unsupported" },
  { code: "EL0015", component: "Driver", meaning: "Invalid device access" },
  {
    code: "EI0001",
    component: "HCCL",
    meaning: "Config_Error_Invalid_Environment_Variable: an HCCL environment variable is invalid",
    cause: "the message names the variable and its valid range",
  },
  { code: "EI0003", component: "HCCL", meaning: "Invalid argument of a collective communication operator" },
  { code: "EI0004", component: "HCCL", meaning: "Invalid ranktable configuration" },
  { code: "EI0005", component: "HCCL", meaning: "Collective arguments inconsistent between ranks" },
  { code: "EI0007", component: "HCCL", meaning: "Resource allocation failure" },
  {
    code: "EI0008",
    component: "HCCL",
    meaning: "Package_Error_Incorrect_HCCL_Version",
    category: "cann_version_mismatch",
  },
  { code: "EI0009", component: "HCCL", meaning: "Communication_Error_Initialize_Transport" },
  { code: "EI0010", component: "HCCL", meaning: "Communication_Error_P2P" },
  { code: "EI0011", component: "HCCL", meaning: "Resource_Error_Insufficient_Device_Memory", category: "npu_oom" },
  { code: "EI0012", component: "HCCL", meaning: "Execution_Error_SDMA" },
  {
    code: "EI0013",
    component: "HCCL",
    meaning: "Execution_Error_ROCE_CQE",
    cause: "packet loss or a broken link between NPUs",
  },
  {
    code: "EI0020",
    component: "HCCL",
    meaning: "Communication_Error_Bind_IP_Port: failed to listen on the host NIC socket",
    cause: "several processes on one card: set HCCL_NPU_SOCKET_PORT_RANGE",
    category: "port_in_use",
  },
  {
    code: "EL9999",
    component: "Driver",
    meaning: "Driver inner error (e.g. halDeviceEnableP2P failed)",
    cause: "read the TraceBack lines",
  },
  {
    code: "EE1001",
    component: "Runtime",
    meaning: "The argument is invalid (e.g. ASCEND_RT_VISIBLE_DEVICES, SoC version)",
    category: "npu_not_available",
  },
  {
    code: "EE1002",
    component: "Runtime",
    meaning: "Stream synchronize timeout",
    cause: "a collective or kernel waited on a slow or dead rank",
    category: "hccl_timeout",
  },
  {
    code: "EE8888",
    component: "Runtime",
    meaning: "Runtime module tag of a device-level failure",
    cause: "read the message that follows",
  },
  { code: "EE9999", component: "Runtime", meaning: "Runtime inner error", cause: "read the TraceBack lines" },
  {
    code: "EH9999",
    component: "Graph Engine / runtime init",
    meaning: "Inner error (init env, platform info, device synchronize)",
    cause: "read the TraceBack lines: init env failed, SocVersion, task timeout",
  },
  {
    code: "EI0002",
    component: "HCCL",
    meaning: "Notify wait timed out during a collective (HCCL_EXEC_TIMEOUT, default 1800 s)",
    cause: "another rank failed, was slow, or had fewer samples",
    category: "hccl_timeout",
  },
  {
    code: "EI0006",
    component: "HCCL",
    meaning: "Get_Socket_Timeout: a remote rank did not connect in time (HCCL_CONNECT_TIMEOUT, default 120 s)",
    cause: "a remote rank crashed, started late or is unreachable",
    category: "hccl_timeout",
  },
  {
    code: "EI0019",
    component: "HCCL",
    meaning: "Communication_Error_Bind_IP_Port: port binding failed on the parameter plane (device NIC port in use)",
    category: "port_in_use",
  },
  {
    code: "EI9999",
    component: "HCCL",
    meaning: "HCCL inner error (e.g. fftsplus task timeout)",
    cause: "read the TraceBack lines",
  },
  {
    code: "EJ0001",
    component: "HCCP",
    meaning: "Failed to initialize the HCCP process: the last training process may still run",
    cause: "a previous process holds the card",
    category: "device_busy",
  },
  {
    code: "EJ0003",
    component: "HCCP",
    meaning: "Failed to bind the IP port: already bound",
    cause: "two jobs share the HCCL base port",
    category: "port_in_use",
  },
  {
    code: "EZ1001",
    component: "Operators (aclnn)",
    meaning: "Parameter check failed (e.g. dtype not in the support list)",
    cause: "a dtype or shape the chip's kernel does not support",
    category: "dtype_unsupported",
  },
  {
    code: "EZ9999",
    component: "Operators",
    meaning: "Operator/kernel inner error (AICore, AIVector, AICPU exception, missing kernel binary)",
    cause: "read the TraceBack lines",
    category: "aicore_error",
  },
  { code: "E19999", component: "Framework", meaning: "Inner error", cause: "read the TraceBack lines" },
  {
    code: "E30006",
    component: "OPP",
    meaning: "Failed to verify the OPP (operator package does not match the device/driver)",
    category: "cann_version_mismatch",
  },
  { code: "E39999", component: "AICPU", meaning: "Inner error during AICPU execution", category: "aicore_error" },
  {
    code: "E40024",
    component: "Graph Engine",
    meaning: "Failed call Python Func/Method: a Python function of CANN's operator tooling raised",
    cause: "the Python environment CANN's tooling runs in (its packages, or a Python version it was not built for)",
    category: "cann_python_deps_broken",
  },
  // Its message states meaning and fix: "EC0010: Failed to import Python module [...]. Solution: Check that all
  // required components are properly installed and the specified Python path matches the Python installation
  // directory. (If the path does not match the directory, run set_env.sh in the installation package.)"
  {
    code: "EC0010",
    component: "Operator compilation (TBE adapter)",
    meaning: "Failed to import Python module: the op compiler's Python packages (tbe, te) cannot be imported",
    cause: "CANN's set_env.sh not sourced for the Python that runs, or its Python packages not installed there",
    category: "cann_env_not_sourced",
  },
];

/**
 * ACL / runtime numeric return codes (`error code is N`, `runtime result = N`, `failed: N`): acl_base.h (1xxxxx-5xxxxx
 * general codes), rt_error_codes.h (107xxx, 207xxx, 507xxx) and the aclnn return codes (161xxx, 361xxx, 561xxx).
 * Meanings are the headers' and docs' own words; `category` only where the code on its own points at one failure class.
 */
export const RUNTIME_CODES: readonly CodeInfo[] = [
  {
    code: "100000",
    component: "ACL",
    meaning: "ACL_ERROR_INVALID_PARAM: parameter verification failed",
    cause: "torch_npu prints it for a failed operator: read the EZ/E3 code that follows",
  },
  { code: "100001", component: "ACL", meaning: "ACL_ERROR_UNINITIALIZE: not initialized (aclInit not called)" },
  { code: "100002", component: "ACL", meaning: "ACL_ERROR_REPEAT_INITIALIZE: repeated initialization" },
  {
    code: "100039",
    component: "ACL",
    meaning: "ACL_ERROR_COMPILING_STUB_MODE: the library path is the compile-time stub, not the runtime library",
    cause: "LD_LIBRARY_PATH points at CANN's stub libraries: the toolkit's set_env.sh was not sourced",
    category: "cann_env_not_sourced",
  },
  {
    code: "107000",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_PARAM_INVALID: parameter invalid",
    cause: "e.g. rtDeviceCanAccessPeer on a pair without peer access",
  },
  {
    code: "107001",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_INVALID_DEVICEID: invalid device id",
    category: "npu_not_available",
  },
  {
    code: "107002",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_CONTEXT_NULL: current context null",
    cause: "the device was never opened in this thread (set_device failed or skipped)",
  },
  { code: "107003", component: "Runtime", meaning: "ACL_ERROR_RT_STREAM_CONTEXT: stream not in current context" },
  {
    code: "107019",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_WAIT_TIMEOUT: wait timeout",
    category: "hccl_timeout",
  },
  {
    code: "107020",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_TASK_TIMEOUT: task timeout",
    category: "hccl_timeout",
  },
  { code: "107022", component: "Runtime", meaning: "ACL_ERROR_RT_DEVICE_TASK_ABORT: device task aborting" },
  { code: "200000", component: "ACL", meaning: "ACL_ERROR_BAD_ALLOC: memory allocation failed", category: "npu_oom" },
  {
    code: "207000",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_FEATURE_NOT_SUPPORT: feature not supported",
    cause: "the chip or driver lacks the feature the software uses",
  },
  {
    code: "207001",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_MEMORY_ALLOCATION: memory allocation error (out of memory)",
    category: "npu_oom",
  },
  { code: "207002", component: "Runtime", meaning: "ACL_ERROR_RT_MEMORY_FREE: memory free error" },
  {
    code: "207003",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICORE_OVER_FLOW: AI Core overflow",
    category: "nan_loss",
  },
  { code: "207004", component: "Runtime", meaning: "ACL_ERROR_RT_NO_DEVICE: no device", category: "npu_not_available" },
  { code: "207005", component: "Runtime", meaning: "ACL_ERROR_RT_RESOURCE_ALLOC_FAIL: resource allocation failed" },
  {
    code: "207006",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_NO_PERMISSION: no permission",
    category: "permission_denied",
  },
  {
    code: "207016",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AIVEC_OVER_FLOW: AI Vector overflow",
    category: "nan_loss",
  },
  {
    code: "207018",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_DEVICE_OOM: device out of memory",
    category: "npu_oom",
  },
  { code: "207020", component: "Runtime", meaning: "ACL_ERROR_RT_TIMEOUT: driver timeout" },
  { code: "500000", component: "ACL", meaning: "ACL_ERROR_INTERNAL_ERROR: unknown internal error" },
  {
    code: "500001",
    component: "ACL",
    meaning: "ACL_ERROR_FAILURE: internal error",
    cause:
      "seen in logs when the operator compiler cannot start: CANN's Python dependencies, numpy 2.x, or a SoC the toolkit does not support",
    category: "cann_python_deps_broken",
  },
  {
    code: "500002",
    component: "ACL",
    meaning: "ACL_ERROR_GE_FAILURE: error in the GE (Graph Engine) module",
    cause: "read the plog",
  },
  { code: "500003", component: "ACL", meaning: "ACL_ERROR_RT_FAILURE: error in the runtime module" },
  { code: "500004", component: "ACL", meaning: "ACL_ERROR_DRV_FAILURE: error in the driver module" },
  { code: "507000", component: "Runtime", meaning: "ACL_ERROR_RT_INTERNAL_ERROR: runtime internal error" },
  { code: "507001", component: "Runtime", meaning: "ACL_ERROR_RT_TS_ERROR: task scheduler internal error" },
  {
    code: "507008",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_SOC_VERSION: SoC version error",
    category: "cann_version_mismatch",
  },
  {
    code: "507010",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_LOST_HEARTBEAT: task scheduler lost heartbeat",
    cause: "the device stopped responding",
  },
  {
    code: "507011",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_MODEL_EXECUTE: model execute failed",
    cause: "read the error that precedes it",
  },
  { code: "507013", component: "Runtime", meaning: "ACL_ERROR_RT_SYS_DMA: system DMA error" },
  {
    code: "507014",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICORE_TIMEOUT: AI Core timeout",
    category: "aicore_error",
  },
  {
    code: "507015",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICORE_EXCEPTION: AI Core exception",
    category: "aicore_error",
  },
  {
    code: "507016",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICORE_TRAP_EXCEPTION: AI Core trap exception",
    category: "aicore_error",
  },
  {
    code: "507017",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICPU_TIMEOUT: AI CPU timeout",
    category: "aicore_error",
  },
  {
    code: "507018",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_AICPU_EXCEPTION: AI CPU exception",
    category: "aicore_error",
  },
  {
    code: "507033",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_DEV_SETUP_ERROR: device setup error",
    cause: "bad device id, device held by another process, or OPP/driver mismatch: read the EL/EE/E3 code that follows",
  },
  {
    code: "507034",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_VECTOR_CORE_TIMEOUT: vector core timeout",
    category: "aicore_error",
  },
  {
    code: "507035",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_VECTOR_CORE_EXCEPTION: vector core exception",
    category: "aicore_error",
  },
  {
    code: "507036",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_VECTOR_CORE_TRAP_EXCEPTION: vector core trap exception",
    category: "aicore_error",
  },
  {
    code: "507042",
    component: "Runtime",
    meaning: "AI Core trap: read out of bounds",
    category: "aicore_error",
  },
  {
    code: "507043",
    component: "Runtime",
    meaning: "AI Core trap: write out of bounds",
    category: "aicore_error",
  },
  {
    code: "507044",
    component: "Runtime",
    meaning: "vector core trap: read out of bounds",
    category: "aicore_error",
  },
  {
    code: "507045",
    component: "Runtime",
    meaning: "vector core trap: write out of bounds",
    category: "aicore_error",
  },
  {
    code: "507046",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_STREAM_SYNC_TIMEOUT: stream sync timeout",
    category: "hccl_timeout",
  },
  {
    code: "507047",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_EVENT_SYNC_TIMEOUT: event sync timeout",
    category: "hccl_timeout",
  },
  {
    code: "507048",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_FFTS_PLUS_TIMEOUT: FFTS+ task timeout",
    category: "hccl_timeout",
  },
  {
    code: "507049",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_FFTS_PLUS_EXCEPTION: FFTS+ task exception",
    category: "aicore_error",
  },
  {
    code: "507050",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_FFTS_PLUS_TRAP_EXCEPTION: FFTS+ trap exception",
    category: "aicore_error",
  },
  { code: "507053", component: "Runtime", meaning: "ACL_ERROR_RT_DEVICE_MEM_ERROR: device memory error (hardware)" },
  {
    code: "507054",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR: HBM multi-bit ECC error (hardware)",
  },
  { code: "507056", component: "Runtime", meaning: "ACL_ERROR_RT_LINK_ERROR: link error" },
  {
    code: "507057",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_SUSPECT_REMOTE_ERROR: suspected error on the remote side",
  },
  {
    code: "507899",
    component: "Driver",
    meaning: "ACL_ERROR_RT_DRV_INTERNAL_ERROR: driver internal error",
    cause: "read the EL9999 lines (e.g. P2P refused)",
  },
  { code: "507900", component: "Runtime", meaning: "ACL_ERROR_RT_AICPU_INTERNAL_ERROR: AI CPU internal error" },
  { code: "507901", component: "Runtime", meaning: "ACL_ERROR_RT_SOCKET_CLOSE: HDC disconnected" },
  {
    code: "507904",
    component: "Runtime",
    meaning: "ACL_ERROR_RT_COMM_OP_RETRY_FAIL: HCCL operation retry failed",
    category: "hccl_timeout",
  },
  {
    code: "161001",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_PARAM_NULLPTR: parameter verification error (null pointer)",
  },
  {
    code: "161002",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_PARAM_INVALID: parameter verification error (e.g. dtypes that cannot be combined)",
    cause: "a dtype or shape the operator does not support",
  },
  {
    code: "361001",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_RUNTIME_ERROR: the NPU runtime call inside the operator failed",
  },
  { code: "561000", component: "Operators (aclnn)", meaning: "ACLNN_ERR_INNER: inner error of the operator API" },
  {
    code: "561001",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_INNER_INFERSHAPE_ERROR: output shape inference failed",
  },
  {
    code: "561002",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_INNER_TILING_ERROR: tiling of the NPU kernel failed",
  },
  {
    code: "561003",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_INNER_FIND_KERNEL_ERROR: NPU kernel not found",
    cause: "the operator binary (kernels) package is not installed or is for another toolkit/SoC",
    category: "cann_version_mismatch",
  },
  {
    code: "561101",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_INNER_CREATE_EXECUTOR: creating aclOpExecutor failed",
  },
  {
    code: "561103",
    component: "Operators (aclnn)",
    meaning: "ACLNN_ERR_INNER_NULLPTR: null pointer inside the operator API",
  },
];

/** What a 6-digit ACL code means by its first digit when the tables above do not list it (aclError rules 1-5). */
const RUNTIME_CLASSES: Readonly<Record<string, string>> = {
  "1": "environment or calling-code error (1xxxxx)",
  "2": "resource insufficient or API/arguments not matching the hardware (2xxxxx)",
  "3": "service error such as a full or empty queue (3xxxxx)",
  "5": "internal software/hardware error: read the plog (5xxxxx)",
};

/** HCCL return codes (HcclResult) as printed in `Hccl..., error code is N` and `hcclRet -> N`. */
export const HCCL_CODES: readonly CodeInfo[] = [
  { code: "1", component: "HCCL", meaning: "HCCL_E_PARA: parameter error" },
  { code: "2", component: "HCCL", meaning: "HCCL_E_PTR: empty pointer" },
  { code: "3", component: "HCCL", meaning: "HCCL_E_MEMORY: memory error" },
  { code: "4", component: "HCCL", meaning: "HCCL_E_INTERNAL: internal error" },
  { code: "5", component: "HCCL", meaning: "HCCL_E_NOT_SUPPORT: feature not supported" },
  {
    code: "6",
    component: "HCCL",
    meaning: "HCCL_E_NOT_FOUND: specific resource not found (printed for socket timeouts)",
    category: "hccl_timeout",
  },
  { code: "7", component: "HCCL", meaning: "HCCL_E_UNAVAIL: resource unavailable (e.g. the listen port is taken)" },
  { code: "8", component: "HCCL", meaning: "HCCL_E_SYSCALL: system call error" },
  { code: "9", component: "HCCL", meaning: "HCCL_E_TIMEOUT: timeout", category: "hccl_timeout" },
  { code: "10", component: "HCCL", meaning: "HCCL_E_OPEN_FILE_FAILURE: open file failed" },
  { code: "11", component: "HCCL", meaning: "HCCL_E_TCP_CONNECT: TCP connect failed (check the ports on both ends)" },
  { code: "12", component: "HCCL", meaning: "HCCL_E_ROCE_CONNECT: RoCE connect failed" },
  { code: "13", component: "HCCL", meaning: "HCCL_E_TCP_TRANSFER: TCP transfer failed" },
  { code: "14", component: "HCCL", meaning: "HCCL_E_ROCE_TRANSFER: RoCE transfer failed" },
  { code: "15", component: "HCCL", meaning: "HCCL_E_RUNTIME: runtime API call failed" },
  { code: "16", component: "HCCL", meaning: "HCCL_E_DRV: driver API call failed" },
  { code: "19", component: "HCCL", meaning: "HCCL_E_NETWORK: network API call failed" },
  { code: "20", component: "HCCL", meaning: "HCCL_E_AGAIN: try again" },
  { code: "21", component: "HCCL", meaning: "HCCL_E_REMOTE: error CQE from the remote side" },
  { code: "22", component: "HCCL", meaning: "HCCL_E_SUSPENDING: communicator suspending" },
];

/** torch_npu's own wrapper codes, ERR<submodule 2 digits><code 3 digits> (torch_npu/utils/_error_code.py). */
const PTA_SUBMODULES: Readonly<Record<string, string>> = {
  "00": "PTA",
  "01": "OPS",
  "02": "DIST",
  "03": "GRAPH",
  "04": "PROF",
  "99": "UNKNOWN",
};
const PTA_ERRORS: Readonly<Record<number, string>> = {
  1: "invalid parameter",
  2: "invalid type",
  3: "invalid value",
  4: "invalid pointer",
  5: "internal error",
  6: "memory error",
  7: "feature not supported",
  8: "resource not found",
  9: "resource unavailable",
  10: "system call failed",
  11: "timeout error",
  12: "permission error",
  100: "call acl api failed: the ACL error follows",
  200: "call hccl api failed: the HCCL error follows",
  300: "call ge api failed",
  999: "application exception (a Python error, usually above)",
};

function ptaInfo(code: string): CodeInfo | undefined {
  const sub = PTA_SUBMODULES[code.slice(3, 5)];
  const what = PTA_ERRORS[Number(code.slice(5))];
  if (!sub || !what) return undefined;
  return { code, component: `torch_npu (${sub})`, meaning: `${sub} ${what}` };
}

/** The torch_npu codes seen in public logs (every other ERR code decodes structurally). */
export const PTA_CODES: readonly CodeInfo[] = [
  ...["ERR00100", "ERR01005", "ERR01100", "ERR02200", "ERR00008", "ERR02005"].flatMap((c) => ptaInfo(c) ?? []),
  {
    code: "ERR99999",
    component: "torch_npu",
    meaning: "unknown application exception (a Python error, usually above)",
  },
];

export interface CodeSighting {
  code: string;
  info: CodeInfo;
}

const byCode = new Map<string, CodeInfo>();
for (const c of [...ASCEND_CODES, ...RUNTIME_CODES, ...PTA_CODES]) byCode.set(c.code, c);
const hcclByCode = new Map(HCCL_CODES.map((c) => [c.code, c]));

const ASCEND_RE = /(?<![A-Za-z0-9])(E[A-Z]\d{4}|E\d{5})(?![A-Za-z0-9])/g;
const PTA_RE = /\b(ERR\d{5})\b/g;
/** A 6-digit ACL code where the log says it is one: `error code is 507033`, `error code is : 500001`, `failed: 507015`, `err=507015`. */
const RUNTIME_RE =
  /(?:error code(?: is)?|runtime result|result|ErrCode|retCode|code is|\bret|errno|\berr|\bfailed)\s*[:=]?\s*([1-5]\d{5})\b/g;
const HCCL_RE = /(?:\bHccl\w*\(?[^\n]{0,160}?error code is|hcclRet ->)\s*(\d{1,2})\b/g;

/** Lines that may hold an error code: the scanner reads every line that holds an anchor below and matches this. */
export const CODE_LINE_RE =
  /E[A-Z]\d{4}|E\d{5}|ERR\d{5}|error code|runtime result|result\s*=|ErrCode=|hcclRet|(?:failed|\bret)\s*:?\s*[1-5]\d{5}\b|\berr(?:no)?\s*[:=]\s*[1-5]\d{5}\b/;

/** An E-code not in the table: decoded from its family and class. */
function familyInfo(code: string): CodeInfo | undefined {
  const family = CODE_FAMILIES[code.slice(0, 2)];
  if (!family) return undefined;
  const inner = code.endsWith("9999");
  return {
    code,
    component: family,
    meaning: inner ? "inner error: the cause is in the TraceBack lines that follow" : "see the message after the code",
  };
}

/** A 6-digit ACL code not in the table: its class by first digit (aclError rules). */
function runtimeClass(code: string): CodeInfo | undefined {
  const cls = RUNTIME_CLASSES[code[0]!];
  return cls ? { code, component: "ACL", meaning: cls } : undefined;
}

/** Every CANN, runtime, HCCL and torch_npu code in a line, decoded (unknown codes by family or class). */
export function decodeCodes(line: string): CodeSighting[] {
  // Messages quoted inside a Python repr keep their newlines as a literal backslash-n before the code.
  const text = line.includes("\\n") ? line.replaceAll("\\n", " \n") : line;
  const out: CodeSighting[] = [];
  const seen = new Set<string>();
  const add = (code: string, info: CodeInfo | undefined) => {
    if (!info || seen.has(code)) return;
    seen.add(code);
    out.push({ code, info });
  };
  for (const m of text.matchAll(ASCEND_RE)) add(m[1]!, byCode.get(m[1]!) ?? familyInfo(m[1]!));
  for (const m of text.matchAll(PTA_RE)) add(m[1]!, byCode.get(m[1]!) ?? ptaInfo(m[1]!));
  for (const m of text.matchAll(RUNTIME_RE)) add(m[1]!, byCode.get(m[1]!) ?? runtimeClass(m[1]!));
  for (const m of text.matchAll(HCCL_RE)) add(`HCCL ${m[1]}`, hcclByCode.get(m[1]!));
  return out;
}

/**
 * Literals for the byte scanner: every code in the tables and every family's inner-error code. A code outside these
 * is still decoded when its line is read for another reason (a rule, a suspicious line, a trace end).
 */
export const CODE_ANCHORS: readonly string[] = [
  // A code is followed or preceded by punctuation in every log format seen: that keeps anchors ≥ 7 bytes.
  ...[...ASCEND_CODES.map((c) => c.code), ...Object.keys(CODE_FAMILIES).map((f) => `${f}9999`)].flatMap((c) => [
    `${c}:`,
    `${c} `,
    `${c})`,
    `(${c}`,
    `${c}[`,
    `${c},`,
  ]),
  // The runtime's own report line: `report error module_type=3, module_name=EE8888`.
  "module_name=E",
  ...PTA_CODES.map((c) => c.code),
  // torch_npu prints its code after the `(PID:…, Device:…, RankID:…)` prefix.
  ...Object.keys(PTA_SUBMODULES).map((s) => `) ERR${s}`),
  "error code",
  "runtime result",
  "result =",
  "result=",
  "ErrCode=",
  "hcclRet",
  // A kernel library's own check of a runtime call: `launch failed for Range, errno:561103` (`err=507015` is too short
  // an anchor for the scan's window; it is decoded where its line is read for another reason, as an error line is).
  ...["1", "2", "3", "5"].map((d) => `errno:${d}`),
  // `aclrtSetDevice(deviceId) failed: 507033`; PaddleCustomDevice's RUNTIME_CHECK (backends/npu/runtime/runtime.h):
  // `Call aclInit(nullptr) failed : 507008 at file ...`
  // The runtime's task-exception callback writes it with no space: `exception_cb deviceId:0 … failed:500002`.
  ...["1", "2", "3", "5"].flatMap((d) =>
    [": ", " : ", ":"].flatMap((sep) => [`failed${sep}${d}0`, `failed${sep}${d}6`]),
  ),
];

/** One line of a decoded code, for evidence and notes. */
export function describeCode(s: CodeSighting): string {
  const cat = s.info.category ? ` → ${s.info.category}` : "";
  const cause = s.info.cause ? ` (${s.info.cause})` : "";
  return `${s.code}: ${s.info.component}: ${s.info.meaning}${cause}${cat}`;
}
