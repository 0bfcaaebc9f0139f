// Parsers for `npu-smi info` (98-col A2/A3, 93-col 910A, 106-col 310P tables), `npu-smi info -l` and `-m`.
// Cells are found by splitting on `|`, never by column offsets: widths differ between chips and versions.
import { type ChipFamilyInfo, chipFamily } from "./chips.js";

export interface NpuChip {
  npuId: number;
  chipId: number;
  /** Second number of row 2: Phy-ID on A3 (= logical device id), Device on 310P; null on A2/910A tables. */
  deviceId: number | null;
  name: string;
  health: string;
  powerW: number | null;
  tempC: number | null;
  hugepagesUsed: number | null;
  hugepagesTotal: number | null;
  busId: string;
  aicorePercent: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  hbmUsedMb: number | null;
  hbmTotalMb: number | null;
}

export interface NpuProcess {
  npuId: number;
  chipId: number;
  pid: number;
  /** Empty when the process runs in another PID namespace (another container). */
  name: string;
  memoryMb: number;
}

export interface NpuSmiInfo {
  version: string | null;
  chips: NpuChip[];
  processes: NpuProcess[];
  /** NPUs whose row says "No running processes found". */
  idleNpus: number[];
  npuCount: number;
  chipsPerNpu: number;
  family: ChipFamilyInfo;
  chipName: string | null;
}

const num = (s: string | undefined): number | null => {
  if (s === undefined) return null;
  const v = Number.parseFloat(s);
  return Number.isFinite(v) && /^-?\d/.test(s) ? v : null;
};

/** Cells of a `| a | b | c |` row, trimmed; null for separators and other text. */
function cells(line: string): string[] | null {
  const t = line.trimEnd();
  if (!t.startsWith("|") || !t.endsWith("|")) return null;
  return t
    .slice(1, -1)
    .split("|")
    .map((c) => c.trim());
}

const PAIR = /(\d+)\s*\/\s*(\d+)/g;

export function parseNpuSmiInfo(text: string): NpuSmiInfo {
  const lines = text.split(/\r?\n/);
  let version: string | null = null;
  const chips: NpuChip[] = [];
  const processes: NpuProcess[] = [];
  const idleNpus: number[] = [];
  let section: "none" | "devices" | "processes" = "none";
  let phyIdHeader = false;
  let pending: string[] | null = null;

  for (const line of lines) {
    const v = /npu-smi\s+(\S+)\s+Version:\s*(\S+)/.exec(line);
    if (v) {
      version = v[2]!;
      continue;
    }
    const c = cells(line);
    if (!c) continue;
    const joined = c.join(" ");
    if (/\bNPU\b/.test(c[0] ?? "") && /Name/.test(c[0] ?? "") && /Health/.test(joined)) {
      section = "devices";
      continue;
    }
    if (/Process id/i.test(joined)) {
      section = "processes";
      continue;
    }
    if (section === "devices") {
      if (/^Chip\b/.test(c[0] ?? "")) {
        phyIdHeader = /Phy-ID/i.test(c[0]!);
        continue;
      }
      if (c.length < 3) continue;
      if (!pending) {
        pending = c;
        continue;
      }
      const chip = deviceRows(pending, c);
      pending = null;
      if (chip) chips.push(chip);
      continue;
    }
    if (section === "processes") {
      const idle = /No running processes found in NPU\s+(\d+)/i.exec(joined);
      if (idle) {
        idleNpus.push(Number(idle[1]));
        continue;
      }
      if (c.length < 4) continue;
      const ids = (c[0] ?? "").split(/\s+/);
      const pid = Number.parseInt(c[1] ?? "", 10);
      if (!/^\d+$/.test(ids[0] ?? "") || !Number.isFinite(pid)) continue;
      processes.push({
        npuId: Number(ids[0]),
        chipId: ids[1] !== undefined && /^\d+$/.test(ids[1]) ? Number(ids[1]) : 0,
        pid,
        name: c[2] ?? "",
        memoryMb: num(c[3]) ?? 0,
      });
    }
  }

  const npuIds = [...new Set(chips.map((c) => c.npuId))];
  const perNpu = npuIds.map((id) => chips.filter((c) => c.npuId === id).length);
  const chipsPerNpu = Math.max(phyIdHeader ? 2 : 1, ...perNpu, 1);
  const chipName = chips[0]?.name ?? null;
  return {
    version,
    chips,
    processes,
    idleNpus,
    npuCount: npuIds.length,
    chipsPerNpu: chips.length === 0 ? 0 : chipsPerNpu,
    family: chipFamily(chipName ?? "", chipsPerNpu),
    chipName,
  };
}

function deviceRows(row1: string[], row2: string[]): NpuChip | null {
  const id = /^(\d+)\s+(.*)$/.exec(row1[0] ?? "");
  if (!id) return null;
  // Row 1, cell 3: power, temperature, hugepages used / total.
  const r1 = (row1[2] ?? "").split(/\s+/);
  const hp = [...(row1[2] ?? "").matchAll(PAIR)][0];
  // Row 2, cell 1: chip id, then Phy-ID (A3) or Device (310P).
  const ids = (row2[0] ?? "").split(/\s+/).filter(Boolean);
  // Row 2, cell 3: AICore%, then Memory used / total, then HBM used / total (absent on 310P).
  const pairs = [...(row2[2] ?? "").matchAll(PAIR)];
  const aicore = /^(\S+)/.exec(row2[2] ?? "");
  return {
    npuId: Number(id[1]),
    chipId: num(ids[0]) ?? 0,
    deviceId: num(ids[1]),
    name: (id[2] ?? "").trim(),
    health: row1[1] ?? "",
    powerW: num(r1[0]),
    tempC: num(r1[1]),
    hugepagesUsed: hp ? Number(hp[1]) : null,
    hugepagesTotal: hp ? Number(hp[2]) : null,
    busId: row2[1] ?? "",
    aicorePercent: num(aicore?.[1]),
    memoryUsedMb: pairs[0] ? Number(pairs[0][1]) : null,
    memoryTotalMb: pairs[0] ? Number(pairs[0][2]) : null,
    hbmUsedMb: pairs[1] ? Number(pairs[1][1]) : null,
    hbmTotalMb: pairs[1] ? Number(pairs[1][2]) : null,
  };
}

export interface NpuSmiList {
  totalCount: number | null;
  npus: { npuId: number; chipCount: number }[];
}

/** `npu-smi info -l`: `Total Count : 8`, then `NPU ID : n` / `Chip Count : 1` pairs (leading spaces or a tab). */
export function parseNpuSmiList(text: string): NpuSmiList {
  let totalCount: number | null = null;
  const npus: { npuId: number; chipCount: number }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(\S+)/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const value = Number.parseInt(m[2]!, 10);
    if (!Number.isFinite(value)) continue;
    if (key === "total count") totalCount = value;
    else if (key === "npu id") npus.push({ npuId: value, chipCount: 0 });
    else if (key === "chip count" && npus.length > 0) npus[npus.length - 1]!.chipCount = value;
  }
  return { totalCount, npus };
}

export interface NpuSmiMapping {
  npuId: number;
  chipId: number;
  /** Logical device id (what ASCEND_RT_VISIBLE_DEVICES counts); null for the Mcu. */
  logicId: number | null;
  chipName: string;
}

/** `npu-smi info -m`: NPU ID, Chip ID, Chip Logic ID (`-` for the Mcu), Chip Name (may contain a space). */
export function parseNpuSmiMapping(text: string): NpuSmiMapping[] {
  const rows: NpuSmiMapping[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+|-)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    rows.push({
      npuId: Number(m[1]),
      chipId: Number(m[2]),
      logicId: m[3] === "-" ? null : Number(m[3]),
      chipName: m[4]!,
    });
  }
  return rows;
}

/** `key=value` lines (driver version.info, ascend_toolkit_install.info), keys as written. */
export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!;
  }
  return out;
}

export interface DriverVersionInfo {
  version: string | null;
  packageVersion: string | null;
  innerVersion: string | null;
  /** compatible_version_fw, e.g. "[7.0.0,7.7.99]". */
  compatibleFirmware: string | null;
}

/** /usr/local/Ascend/driver/version.info (keys `Version`, `package_version`, `Innerversion`, …). */
export function parseDriverVersionInfo(text: string): DriverVersionInfo {
  const kv = lowerKeys(parseKeyValues(text));
  return {
    version: kv.version ?? kv.package_version ?? null,
    packageVersion: kv.package_version ?? null,
    innerVersion: kv.innerversion ?? null,
    compatibleFirmware: kv.compatible_version_fw ?? null,
  };
}

export interface CannInstallInfo {
  packageName: string | null;
  version: string | null;
  innerVersion: string | null;
  arch: string | null;
  path: string | null;
}

/** `<toolkit>/latest/<arch>-linux/ascend_toolkit_install.info` and the like. */
export function parseCannInstallInfo(text: string): CannInstallInfo {
  const kv = lowerKeys(parseKeyValues(text));
  return {
    packageName: kv.package_name ?? null,
    version: kv.version ?? null,
    innerVersion: kv.innerversion ?? null,
    arch: kv.arch ?? null,
    path: kv.path ?? null,
  };
}

function lowerKeys(kv: Record<string, string>): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(kv)) if (!(k.toLowerCase() in out)) out[k.toLowerCase()] = v;
  return out;
}
