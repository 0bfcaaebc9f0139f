// CANN error codes as data: the code families (E<module><class><3 digits>), the codes seen in public failure logs,
// the ACL/runtime numeric return codes and the HCCL return codes, each decoded to component, meaning, usual cause
// and the failure category it points to. Every code found in a log is decoded with this table, rule or no rule.
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
    meaning: "Communication_Error_Bind_IP_Port: could not bind the HCCL port",
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
];

/** ACL / runtime numeric return codes (`error code is N`, `runtime result = N`, `ret = N`). */
export const RUNTIME_CODES: readonly CodeInfo[] = [
  {
    code: "100000",
    component: "ACL",
    meaning: "generic NPU error raised by an operator",
    cause: "read the EZ/E3 code that follows",
  },
  { code: "107001", component: "Runtime", meaning: "device id error", category: "npu_not_available" },
  { code: "107020", component: "Runtime", meaning: "task timeout", category: "hccl_timeout" },
  { code: "207001", component: "Runtime", meaning: "allocating device memory failed", category: "npu_oom" },
  { code: "207004", component: "Runtime", meaning: "device unavailable", category: "npu_not_available" },
  {
    code: "500001",
    component: "ACL/GE",
    meaning: "ACL/GE initialisation or compile option failure",
    cause: "CANN Python dependencies or numpy version; sometimes a SoC mismatch",
    category: "cann_python_deps_broken",
  },
  { code: "500002", component: "ACL", meaning: "ACL internal error", cause: "read the plog" },
  {
    code: "507011",
    component: "Runtime",
    meaning: "stream synchronize failed (model execution failure)",
    cause: "read the error that precedes it",
  },
  { code: "507014", component: "Runtime", meaning: "AICore execution timeout", category: "aicore_error" },
  { code: "507015", component: "Runtime", meaning: "AICore/AIVector kernel exception", category: "aicore_error" },
  { code: "507018", component: "Runtime", meaning: "AICPU kernel exception", category: "aicore_error" },
  {
    code: "507033",
    component: "Runtime",
    meaning: "failed to open/start the device",
    cause: "bad device id, device held by another process, or OPP/driver mismatch",
  },
  {
    code: "507035",
    component: "Runtime",
    meaning: "vector core exception (DMA alignment / UB overflow)",
    category: "aicore_error",
  },
  { code: "507046", component: "Runtime", meaning: "stream synchronize timeout", category: "hccl_timeout" },
  { code: "507048", component: "Runtime", meaning: "internal task execution timeout", category: "hccl_timeout" },
  {
    code: "507899",
    component: "Driver",
    meaning: "driver internal error",
    cause: "read the EL9999 lines (e.g. P2P refused)",
  },
  {
    code: "561000",
    component: "Operators",
    meaning: "kernel launch failed (no binary / bad kernel config)",
    cause: "the kernels package does not match the toolkit or the SoC",
    category: "cann_version_mismatch",
  },
];

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
    meaning: "HCCL_E_NOT_FOUND: resource not found (printed for socket timeouts)",
    category: "hccl_timeout",
  },
  { code: "7", component: "HCCL", meaning: "HCCL_E_UNAVAIL: resource unavailable" },
  { code: "8", component: "HCCL", meaning: "HCCL_E_SYSCALL: system call error" },
  { code: "9", component: "HCCL", meaning: "HCCL_E_TIMEOUT: timeout", category: "hccl_timeout" },
  { code: "11", component: "HCCL", meaning: "HCCL_E_TCP_CONNECT: TCP connect/listen failed", category: "port_in_use" },
  { code: "15", component: "HCCL", meaning: "HCCL_E_RUNTIME: runtime error" },
  { code: "19", component: "HCCL", meaning: "HCCL_E_NETWORK: network error (listen/bind)" },
];

/** torch_npu's own wrapper codes. */
export const PTA_CODES: readonly CodeInfo[] = [
  { code: "ERR00100", component: "torch_npu (PTA)", meaning: "PTA call acl api failed: the ACL error follows" },
  { code: "ERR01005", component: "torch_npu (OPS)", meaning: "OPS internal error: the operator error follows" },
  { code: "ERR01100", component: "torch_npu (OPS)", meaning: "OPS call acl api failed" },
  { code: "ERR02200", component: "torch_npu (DIST)", meaning: "DIST call hccl api failed: the HCCL error follows" },
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
const RUNTIME_RE =
  /(?:error code is|error code:|error code|runtime result\s*=|result\s*=|ErrCode=|code is:|ret\s*=|errno:)\s*(\d{6})\b/g;
const HCCL_RE = /(?:\bHccl\w*\(?[^\n]{0,160}?error code is|hcclRet ->)\s*(\d{1,2})\b/g;

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

/** Every CANN, runtime, HCCL and torch_npu code in a line, decoded (unknown E-codes by family). */
export function decodeCodes(text: string): CodeSighting[] {
  const out: CodeSighting[] = [];
  const seen = new Set<string>();
  const add = (code: string, info: CodeInfo | undefined) => {
    if (!info || seen.has(code)) return;
    seen.add(code);
    out.push({ code, info });
  };
  for (const m of text.matchAll(ASCEND_RE)) add(m[1]!, byCode.get(m[1]!) ?? familyInfo(m[1]!));
  for (const m of text.matchAll(PTA_RE)) add(m[1]!, byCode.get(m[1]!));
  for (const m of text.matchAll(RUNTIME_RE)) add(m[1]!, byCode.get(m[1]!));
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
  ...PTA_CODES.map((c) => c.code),
  "error code",
  "runtime result",
  "result =",
  "result=",
  "ErrCode=",
  "hcclRet",
];

/** One line of a decoded code, for evidence and notes. */
export function describeCode(s: CodeSighting): string {
  const cat = s.info.category ? ` → ${s.info.category}` : "";
  const cause = s.info.cause ? ` (${s.info.cause})` : "";
  return `${s.code}: ${s.info.component}: ${s.info.meaning}${cause}${cat}`;
}
