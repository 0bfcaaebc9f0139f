// Reads the probe's marked sections back into HostFacts. Tolerates missing or cut-off sections (timeouts, truncation).

import { nnalSetEnv } from "../hosts/environment.js";
import type { HostSettings } from "../hosts/inventory.js";
import { cannLayoutFor, megatronBranchForVersion } from "../knowledge/releases.js";
import type { HostFacts } from "./facts.js";
import { parseCannInstallInfo, parseDriverVersionInfo, parseKeyValues, parseNpuSmiInfo } from "./npu-smi.js";
import { SECTION_MARK, SECTIONS, type SectionName } from "./probe.js";

export interface ProbeRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  truncated: boolean;
}

export interface ParseContext {
  host: string;
  settings: HostSettings;
  masterPort: number;
  /** Explicit HCCL base port; else HCCL_IF_BASE_PORT from the tool shell, else 60000. */
  hcclBasePort?: number;
  hcclPortCount: number;
}

export const DEFAULT_HCCL_BASE_PORT = 60000;

export function splitSections(stdout: string): Map<SectionName, string> {
  const out = new Map<SectionName, string>();
  const known = new Set<string>(SECTIONS);
  let current: SectionName | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (current) out.set(current, buf.join("\n").replace(/\n+$/, ""));
  };
  for (const line of stdout.split("\n")) {
    if (line.startsWith(SECTION_MARK)) {
      const name = line.slice(SECTION_MARK.length).trim();
      if (known.has(name)) {
        flush();
        current = name as SectionName;
        buf = [];
        continue;
      }
    }
    if (current) buf.push(line);
  }
  flush();
  return out;
}

const nonEmpty = (v: string | undefined): string | null => (v === undefined || v.trim() === "" ? null : v.trim());
const int = (v: string | undefined): number | null => {
  const n = v === undefined ? Number.NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : null;
};

/** `df -Pk` data line → [total KiB, available KiB]. */
function dfLine(text: string | undefined): [number, number] | null {
  const line = (text ?? "").split("\n").find((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+\d+%/.test(l));
  if (!line) return null;
  const f = line.trim().split(/\s+/);
  return [Number(f[1]), Number(f[3])];
}

export function parseProbe(run: ProbeRun, ctx: ParseContext): HostFacts {
  const s = splitSections(run.stdout);
  const missingSections = SECTIONS.filter((n) => !s.has(n));

  const machineKv = parseKeyValues(s.get("machine") ?? "");
  const mem = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(s.get("machine") ?? "");
    return m ? Math.round(Number(m[1]) / 1024) : null;
  };
  const disk = dfLine(s.get("disk"));
  const shm = dfLine(s.get("shm"));
  const diskPath = nonEmpty(parseKeyValues(s.get("disk") ?? "").path);

  // NPUs
  const smiSection = s.get("npu-smi") ?? "";
  const smiLines = smiSection.split("\n");
  const smiRc = int(/^rc=(\d+)/m.exec(smiSection)?.[1]);
  const smiPath = nonEmpty(/^path=(.*)$/m.exec(smiSection)?.[1]);
  const smiBody = smiLines.filter((l) => !/^(rc|path)=/.test(l)).join("\n");
  const smi = parseNpuSmiInfo(smiBody);
  const npuSmiState: HostFacts["npu"]["npuSmi"] =
    smiRc === 127 && !smiPath
      ? "missing"
      : smiRc === 124 || smiRc === 137
        ? "timeout"
        : smiRc === 0 && smi.chips.length > 0
          ? "ok"
          : s.has("npu-smi")
            ? "failed"
            : "missing";
  const ps = new Map<number, { user: string; elapsedSec: number | null; command: string }>();
  for (const line of (s.get("npu-procs") ?? "").split("\n")) {
    const m = /^\s*(\d+)\s+(\S+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) ps.set(Number(m[1]), { user: m[2]!, elapsedSec: Number(m[3]), command: m[4]!.trim() });
  }
  const driver = parseDriverVersionInfo(s.get("driver") ?? "");
  const firmware = parseKeyValues(s.get("firmware") ?? "");

  // Environment before and after the tool prelude
  const plain = parseKeyValues(s.get("plain-env") ?? "");
  const tool = parseKeyValues(s.get("tool-env") ?? "");

  // CANN
  const files = (s.get("cann-files") ?? "").split("\n");
  const present = (path: string) => files.includes(`present ${path}`);
  const root = ctx.settings.cannRoot.replace(/\/+$/, "");
  const setEnvCann = `${root}/cann/set_env.sh`;
  const setEnvToolkit = `${root}/ascend-toolkit/set_env.sh`;
  const setEnvPath = present(setEnvCann) ? setEnvCann : present(setEnvToolkit) ? setEnvToolkit : null;
  const infoStart = files.findIndex((l) => l.startsWith("info "));
  const installInfoPath = infoStart >= 0 ? files[infoStart]!.slice(5) : null;
  const installInfo =
    infoStart >= 0
      ? parseCannInstallInfo(
          files
            .slice(infoStart + 1)
            .join("\n")
            .split(/\ninfo /)[0]!,
        )
      : null;
  const ascendHomePath = nonEmpty(tool.ASCEND_HOME_PATH);
  const cannVersion = installInfo?.version ?? versionFromPath(ascendHomePath) ?? versionFromPath(installInfoPath);
  const layout = setEnvPath
    ? setEnvPath === setEnvCann
      ? "cann"
      : "ascend-toolkit"
    : cannVersion
      ? cannLayoutFor(cannVersion)
      : null;
  const nnalPath = nnalSetEnv(ctx.settings.cannRoot);

  // Python
  const pySection = s.get("python") ?? "";
  const pyPath = nonEmpty(/^path=(.*)$/m.exec(pySection)?.[1]);
  const jsonLine = pySection.split("\n").find((l) => l.startsWith("{"));
  let py: {
    python?: string;
    executable?: string;
    prefix?: string;
    basePrefix?: string;
    machine?: string;
    packages?: Record<string, HostFacts["python"]["packages"][string]>;
  } = {};
  let pyError: string | null = null;
  if (jsonLine) {
    try {
      py = JSON.parse(jsonLine);
    } catch {
      pyError = "could not read the Python package report";
    }
  } else if (pyPath) {
    pyError = nonEmpty(pySection.split("\n").slice(1).join("\n").slice(-2000)) ?? "python printed nothing";
  }
  const venv = nonEmpty(tool.VIRTUAL_ENV);
  const conda = nonEmpty(tool.CONDA_PREFIX);
  const envKind: HostFacts["python"]["env"] = !pyPath
    ? { kind: "none", path: null }
    : venv
      ? { kind: "venv", path: venv }
      : conda
        ? { kind: "conda", path: conda }
        : py.prefix && py.basePrefix && py.prefix !== py.basePrefix
          ? { kind: "venv", path: py.prefix }
          : { kind: "system", path: py.prefix ?? null };
  const packages = py.packages ?? {};
  const torchTags = packages.torch?.tags ?? packages.torch_npu?.tags ?? [];
  const wheelArch = torchTags.map((t) => /(aarch64|x86_64|arm64|win_amd64|macosx)/.exec(t)?.[1]).find(Boolean) ?? null;

  // Live torch check
  const liveSection = s.get("torch-live") ?? "";
  const liveKv = parseKeyValues(liveSection);
  const liveRc = int(liveKv.rc);
  const skipped = nonEmpty(liveKv.skipped);
  const liveRan = liveRc !== null;
  const importOk = liveKv.import === "ok";
  const liveTimedOut = liveRc === 124 || liveRc === 137;
  const liveError =
    liveRan && (!importOk || liveRc !== 0)
      ? liveTimedOut
        ? "import torch_npu did not finish in time"
        : lastErrorLine(liveSection)
      : null;

  // Workdir
  const wd = parseKeyValues(s.get("workdir") ?? "");
  const megatronVersion =
    wd.MAJOR !== undefined && wd.MINOR !== undefined
      ? `${wd.MAJOR}.${wd.MINOR}.${wd.PATCH ?? "0"}`.replace(/["' ]/g, "")
      : null;

  // Ports
  const listening = (s.get("ports") ?? "")
    .split("\n")
    .map((h) => Number.parseInt(h.trim(), 16))
    .filter((n) => Number.isFinite(n) && n > 0)
    .sort((a, b) => a - b);
  const listenSet = new Set(listening);
  const hcclBase = ctx.hcclBasePort ?? int(tool.HCCL_IF_BASE_PORT) ?? DEFAULT_HCCL_BASE_PORT;
  const hcclEnd = hcclBase + ctx.hcclPortCount - 1;
  const portsKnown = s.has("ports");

  const toolsKv = parseKeyValues(s.get("tools") ?? "");

  return {
    host: ctx.host,
    probe: {
      ok: !run.timedOut && s.has("end"),
      durationMs: run.durationMs,
      timedOut: run.timedOut,
      truncated: run.truncated,
      missingSections,
      error: run.timedOut
        ? "the probe did not finish in time"
        : !s.has("machine")
          ? (nonEmpty(run.stderr.slice(-1000)) ?? `the probe printed nothing (exit ${run.exitCode})`)
          : null,
    },
    machine: {
      arch: nonEmpty(machineKv.arch),
      kernel: nonEmpty(machineKv.kernel),
      os: nonEmpty(machineKv.os),
      cpuCount: int(machineKv.cpus),
      memTotalMb: mem("MemTotal"),
      memAvailableMb: mem("MemAvailable"),
      container: nonEmpty(machineKv.container),
      user: nonEmpty(machineKv.user),
      diskPath,
      diskFreeGb: disk ? Math.round((disk[1] / 1024 / 1024) * 10) / 10 : null,
      shmTotalMb: shm ? Math.round(shm[0] / 1024) : null,
      shmFreeMb: shm ? Math.round(shm[1] / 1024) : null,
    },
    npu: {
      npuSmi: npuSmiState,
      npuSmiPath: smiPath,
      npuSmiVersion: smi.version,
      error: npuSmiState === "ok" ? null : nonEmpty(smiBody.slice(0, 2000)),
      chipFamily: smi.family.family,
      chipName: smi.chipName,
      product: smi.chips.length > 0 ? smi.family.product : null,
      bf16: smi.chips.length > 0 ? smi.family.bf16 : null,
      count: smi.npuCount,
      chipCount: smi.chips.length,
      chipsPerNpu: smi.chipsPerNpu,
      chips: smi.chips.map(({ hugepagesUsed: _u, hugepagesTotal: _t, ...chip }) => chip),
      processes: smi.processes.map((p) => {
        const seen = ps.get(p.pid);
        return { ...p, user: seen?.user ?? null, elapsedSec: seen?.elapsedSec ?? null, command: seen?.command ?? null };
      }),
      deviceFiles: (s.get("devices") ?? "").split("\n").filter((l) => l.trim() !== ""),
      driverVersion: driver.version,
      driverCompatibleFirmware: driver.compatibleFirmware,
      firmwareVersion: nonEmpty(firmware.Version ?? firmware.version ?? firmware.package_version),
      visibleDevices: nonEmpty(tool.ASCEND_RT_VISIBLE_DEVICES) ?? nonEmpty(tool.ASCEND_VISIBLE_DEVICES),
    },
    cann: {
      root,
      layout,
      setEnvPath,
      version: cannVersion,
      arch: installInfo?.arch ?? null,
      installInfoPath,
      sourceCann: ctx.settings.sourceCann,
      plainShellHasEnv: nonEmpty(plain.ASCEND_HOME_PATH) !== null,
      effective: ascendHomePath !== null,
      ascendHomePath,
      nnal: {
        present: present(nnalPath),
        setEnvPath: nnalPath,
        sourced: nonEmpty(tool.ATB_HOME_PATH) !== null,
        atbHomePath: nonEmpty(tool.ATB_HOME_PATH),
      },
    },
    python: {
      path: pyPath,
      executable: py.executable ?? null,
      version: py.python ?? null,
      env: envKind,
      wheelArch,
      packages,
      error: pyError,
    },
    mindspeedMm: {
      workdir: ctx.settings.workdir ?? null,
      exists: wd.exists === "1",
      describe: nonEmpty(wd.describe),
      commit: nonEmpty(wd.commit),
      branch: nonEmpty(wd.branch),
      megatron: {
        present: wd.megatron === "1",
        version: megatronVersion,
        // A copied megatron/ has no git history: its package_info version names the branch it came from.
        branch: nonEmpty(wd.megatron_branch) ?? (megatronVersion ? megatronBranchForVersion(megatronVersion) : null),
      },
    },
    live: {
      ran: liveRan,
      importOk,
      available: liveKv.available === undefined ? null : liveKv.available === "True",
      deviceCount: int(liveKv.count),
      torchCann: nonEmpty(liveKv.cann) === "None" ? null : nonEmpty(liveKv.cann),
      timedOut: liveTimedOut,
      error: liveError,
      errorKind: liveError ? classifyImportError(liveSection, liveTimedOut) : null,
      skipped,
    },
    ports: {
      masterPort: ctx.masterPort,
      masterPortFree: portsKnown ? !listenSet.has(ctx.masterPort) : null,
      hcclBasePort: hcclBase,
      hcclPortRange: [hcclBase, hcclEnd],
      hcclPortsInUse: listening.filter((p) => p >= hcclBase && p <= hcclEnd),
      listening,
    },
    tools: { pdsh: nonEmpty(toolsKv.pdsh), git: nonEmpty(toolsKv.git) },
  };
}

/** ".../ascend-toolkit/8.3.RC2/aarch64-linux" or ".../cann-8.5.0" → the version in it. */
function versionFromPath(path: string | null): string | null {
  if (!path) return null;
  const m = /(?:^|[/-])(\d+\.\d+\.(?:\d+|RC\d+|T\d+)(?:\.\w+)?)(?:\/|$)/i.exec(path);
  return m ? m[1]! : null;
}

/** The line that says what went wrong in a Python traceback (the last `XxxError: …` line). */
function lastErrorLine(text: string): string | null {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !/^rc=/.test(l));
  // torch's autoload wrapper ("Failed to load the backend extension") hides the cause printed before it.
  const reversed = [...lines].reverse();
  const isError = (l: string) => /^\w[\w.]*(Error|Exception)\b.*:/.test(l);
  const err =
    reversed.find((l) => isError(l) && !/Failed to load the backend extension/.test(l)) ??
    reversed.find(isError) ??
    reversed.find((l) => /ERR\d{5}/.test(l));
  return (err ?? lines.at(-1))?.trim().slice(0, 500) ?? null;
}

export type LiveErrorKind =
  | "cann-libs-missing"
  | "undefined-symbol"
  | "autoload"
  | "module-missing"
  | "timeout"
  | "other";

/** What a failed `import torch_npu` says about its cause. */
export function classifyImportError(text: string, timedOut: boolean): LiveErrorKind {
  if (timedOut) return "timeout";
  if (/undefined symbol/i.test(text)) return "undefined-symbol";
  if (
    /lib(hccl|ascendcl|acl_op_compiler|ge_runner|runtime|graph|opapi)\S*\.so: cannot open|ERR00008|No module named 'acl'/i.test(
      text,
    )
  )
    return "cann-libs-missing";
  if (/No module named '(torch|torch_npu)'/.test(text)) return "module-missing";
  if (/Failed to load the backend extension/i.test(text)) return "autoload";
  return "other";
}
