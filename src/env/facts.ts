// The facts check_env reports per host, and its findings: zod schemas (the tool's output) and their types.
import { z } from "zod";

export const FindingSchema = z.object({
  id: z.string().describe("Stable identifier, e.g. 'cann-not-sourced'"),
  severity: z.enum(["error", "warning", "info"]),
  title: z.string(),
  evidence: z.string().describe("The value seen on the host"),
  expected: z.string().nullable().describe("What the release matrix or the check expects"),
  fix: z.string().nullable().describe("One exact command that fixes it, run on the host"),
  detail: z.string().optional(),
  host: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

const Chip = z.object({
  npuId: z.number(),
  chipId: z.number(),
  deviceId: z.number().nullable(),
  name: z.string(),
  health: z.string(),
  powerW: z.number().nullable(),
  tempC: z.number().nullable(),
  aicorePercent: z.number().nullable(),
  memoryUsedMb: z.number().nullable(),
  memoryTotalMb: z.number().nullable(),
  hbmUsedMb: z.number().nullable(),
  hbmTotalMb: z.number().nullable(),
  busId: z.string(),
});

const NpuProcessFacts = z.object({
  npuId: z.number(),
  chipId: z.number(),
  pid: z.number(),
  name: z.string(),
  memoryMb: z.number(),
  /** From `ps` in this PID namespace; null when the process is not visible here (another container). */
  user: z.string().nullable(),
  elapsedSec: z.number().nullable(),
  command: z.string().nullable(),
});

const Pkg = z
  .object({
    version: z.string(),
    tags: z.array(z.string()).optional(),
    path: z.string().optional(),
    editable: z.boolean().optional(),
    commit: z.string().nullable().optional(),
    describe: z.string().nullable().optional(),
    branch: z.string().nullable().optional(),
  })
  .nullable();

export const HostFactsSchema = z.object({
  host: z.string(),
  probe: z.object({
    ok: z.boolean(),
    durationMs: z.number(),
    timedOut: z.boolean(),
    truncated: z.boolean(),
    missingSections: z.array(z.string()),
    error: z.string().nullable(),
  }),
  machine: z.object({
    arch: z.string().nullable(),
    kernel: z.string().nullable(),
    os: z.string().nullable(),
    cpuCount: z.number().nullable(),
    memTotalMb: z.number().nullable(),
    memAvailableMb: z.number().nullable(),
    container: z.string().nullable(),
    user: z.string().nullable(),
    diskPath: z.string().nullable(),
    diskFreeGb: z.number().nullable(),
    shmTotalMb: z.number().nullable(),
    shmFreeMb: z.number().nullable(),
  }),
  npu: z.object({
    npuSmi: z.enum(["ok", "missing", "failed", "timeout"]),
    npuSmiPath: z.string().nullable(),
    npuSmiVersion: z.string().nullable(),
    error: z.string().nullable(),
    chipFamily: z.string(),
    chipName: z.string().nullable(),
    product: z.string().nullable(),
    bf16: z.boolean().nullable(),
    count: z.number(),
    chipCount: z.number(),
    chipsPerNpu: z.number(),
    chips: z.array(Chip),
    processes: z.array(NpuProcessFacts),
    deviceFiles: z.array(z.string()),
    driverVersion: z.string().nullable(),
    driverCompatibleFirmware: z.string().nullable(),
    firmwareVersion: z.string().nullable(),
    visibleDevices: z.string().nullable(),
  }),
  cann: z.object({
    root: z.string(),
    layout: z.enum(["cann", "ascend-toolkit"]).nullable(),
    setEnvPath: z.string().nullable(),
    version: z.string().nullable(),
    arch: z.string().nullable(),
    installInfoPath: z.string().nullable(),
    sourceCann: z.boolean(),
    plainShellHasEnv: z.boolean(),
    effective: z.boolean().describe("ASCEND_HOME_PATH is set in the shell the tools use"),
    ascendHomePath: z.string().nullable(),
    nnal: z.object({
      present: z.boolean(),
      setEnvPath: z.string(),
      sourced: z.boolean(),
      atbHomePath: z.string().nullable(),
    }),
  }),
  python: z.object({
    path: z.string().nullable(),
    executable: z.string().nullable(),
    version: z.string().nullable(),
    env: z.object({ kind: z.enum(["venv", "conda", "system", "none"]), path: z.string().nullable() }),
    wheelArch: z.string().nullable(),
    packages: z.record(z.string(), Pkg),
    error: z.string().nullable(),
  }),
  mindspeedMm: z.object({
    workdir: z.string().nullable(),
    exists: z.boolean(),
    describe: z.string().nullable(),
    commit: z.string().nullable(),
    branch: z.string().nullable(),
    megatron: z.object({ present: z.boolean(), version: z.string().nullable(), branch: z.string().nullable() }),
  }),
  live: z.object({
    ran: z.boolean(),
    importOk: z.boolean(),
    available: z.boolean().nullable(),
    deviceCount: z.number().nullable(),
    torchCann: z.string().nullable(),
    timedOut: z.boolean(),
    error: z.string().nullable(),
    errorKind: z
      .enum(["cann-libs-missing", "undefined-symbol", "autoload", "module-missing", "timeout", "other"])
      .nullable(),
    skipped: z.string().nullable(),
  }),
  ports: z.object({
    masterPort: z.number(),
    masterPortFree: z.boolean().nullable(),
    masterPortFrom: z
      .enum(["given", "host", "script", "default"])
      .optional()
      .describe(
        "Why this port: given to check_env, the host's MASTER_PORT setting, the launch script's own, or the default 6000",
      ),
    masterPortScript: z.string().optional().describe("The launch script whose port it is (masterPortFrom script)"),
    hcclBasePort: z.number(),
    hcclPortRange: z.tuple([z.number(), z.number()]),
    hcclPortsInUse: z.array(z.number()),
    listening: z.array(z.number()),
  }),
  tools: z.object({ pdsh: z.string().nullable(), git: z.string().nullable() }),
});
export type HostFacts = z.infer<typeof HostFactsSchema>;
