import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseCannInstallInfo,
  parseDriverVersionInfo,
  parseNpuSmiInfo,
  parseNpuSmiList,
  parseNpuSmiMapping,
} from "../../src/env/npu-smi.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "host-outputs");
const fixture = (name: string) => readFileSync(join(DIR, name), "utf8");
/** Multi-example fixtures: the blocks between `----- … -----` separator lines. */
const blocks = (name: string) =>
  fixture(name)
    .split(/^-----.*-----$/m)
    .slice(1)
    .map((b) => b.trim());

describe("parseNpuSmiInfo", () => {
  it("reads the 910B3 idle table: 8 NPUs, health, power, temp, HBM, bus ids, no processes", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-910b-idle.txt"));
    expect(r.version).toBe("25.2.0");
    expect(r.npuCount).toBe(8);
    expect(r.chips).toHaveLength(8);
    expect(r.family.family).toBe("910B");
    expect(r.family.bf16).toBe(true);
    expect(r.chips.every((c) => c.health === "OK" && c.name === "910B3")).toBe(true);
    expect(r.chips[0]).toMatchObject({ npuId: 0, powerW: 99.3, tempC: 41, busId: "0000:C1:00.0", aicorePercent: 0 });
    expect(r.chips[0]).toMatchObject({ hbmUsedMb: 3378, hbmTotalMb: 65536, memoryUsedMb: 0, memoryTotalMb: 0 });
    expect(r.chips[7]).toMatchObject({ npuId: 7, powerW: 92, tempC: 45, busId: "0000:42:00.0" });
    expect(r.processes).toEqual([]);
    expect(r.idleNpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("reads the 910B4 32 GB table", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-910b4-32g-idle.txt"));
    expect(r.version).toBe("25.0.rc1.1");
    expect(r.chips.map((c) => c.hbmTotalMb)).toEqual(Array(8).fill(32768));
    expect(r.chips[7]!.hbmUsedMb).toBe(2653);
    expect(r.chipName).toBe("910B4");
  });

  it("reads busy 910B2 rows where a 5-digit HBM value swallows the space before '/'", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-910b-busy.txt"));
    expect(r.chips[0]).toMatchObject({ hbmUsedMb: 46456, hbmTotalMb: 65536 });
    expect(r.chips[4]!.hbmUsedMb).toBe(46457);
    expect(r.processes).toHaveLength(8);
    expect(r.processes[0]).toEqual({ npuId: 0, chipId: 0, pid: 16143, name: "VLLMWorker_DP", memoryMb: 43095 });
    expect(r.processes[7]).toEqual({ npuId: 7, chipId: 0, pid: 16150, name: "VLLMWorker_DP", memoryMb: 43094 });
    expect(r.idleNpus).toEqual([]);
  });

  it("reads several processes on one NPU with empty names, interleaved with idle NPUs", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-910b-busy-mixed.txt"));
    expect(r.version).toBe("24.1.0.3");
    expect(r.chipName).toBe("910B1");
    const onNpu0 = r.processes.filter((p) => p.npuId === 0);
    expect(onNpu0.map((p) => p.pid)).toEqual([1240128, 1241418, 1241419, 1239115]);
    expect(onNpu0.map((p) => p.memoryMb)).toEqual([14734, 1586, 1626, 14788]);
    expect(r.processes.every((p) => p.name === "")).toBe(true);
    expect(r.processes.map((p) => p.npuId)).toEqual([0, 0, 0, 0, 4, 5, 6, 7]);
    expect(r.idleNpus).toEqual([1, 2, 3]);
    expect(r.chips[6]!.hbmUsedMb).toBe(61245);
  });

  it("reads the A3 table: 8 NPUs x 2 chips with Phy-IDs, power '-' on chip 1", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-a3.txt"));
    expect(r.version).toBe("25.2.1");
    expect(r.npuCount).toBe(8);
    expect(r.chips).toHaveLength(16);
    expect(r.chipsPerNpu).toBe(2);
    expect(r.family.family).toBe("910_93");
    expect(r.family.bf16).toBe(true);
    expect(r.chips[1]).toMatchObject({ npuId: 0, chipId: 1, deviceId: 1, powerW: null, busId: "0000:9F:00.0" });
    expect(r.chips[15]).toMatchObject({ npuId: 7, chipId: 1, deviceId: 15 });
    expect(r.chips.map((c) => c.deviceId)).toEqual([...Array(16).keys()]);
    expect(r.idleNpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("reads the busy A3 table: per-chip process rows, AICore load", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-a3-busy.txt"));
    expect(r.chips).toHaveLength(16);
    expect(r.chips[0]).toMatchObject({ aicorePercent: 7, hbmUsedMb: 61609, powerW: 211.3 });
    expect(r.chips[12]!.aicorePercent).toBe(6);
    expect(r.processes).toHaveLength(23);
    expect(r.processes.filter((p) => p.npuId === 0 && p.chipId === 0)).toHaveLength(8);
    expect(r.processes.find((p) => p.npuId === 0 && p.chipId === 1)).toEqual({
      npuId: 0,
      chipId: 1,
      pid: 929405,
      name: "",
      memoryMb: 58780,
    });
    expect(r.processes.at(-1)).toMatchObject({ npuId: 7, chipId: 1, pid: 944268 });
  });

  it("reads the 93-column 910A (910ProB) table: DDR memory and HBM, NPU id 2", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-910a.txt"));
    expect(r.version).toBe("23.0.rc1");
    expect(r.npuCount).toBe(1);
    expect(r.chips[0]).toMatchObject({
      npuId: 2,
      name: "910ProB",
      memoryUsedMb: 2322,
      memoryTotalMb: 15137,
      hbmUsedMb: 1,
      hbmTotalMb: 32768,
      powerW: 81.1,
    });
    expect(r.family.family).toBe("910A");
    expect(r.family.bf16).toBe(false);
    expect(r.idleNpus).toEqual([2]);
  });

  it("reads the 106-column 310P table: no HBM column, power NA, device id column", () => {
    const r = parseNpuSmiInfo(fixture("npu-smi-info-310p.txt"));
    expect(r.version).toBe("23.0.0");
    expect(r.chips[0]).toMatchObject({
      npuId: 24,
      chipId: 0,
      deviceId: 0,
      name: "310P3",
      powerW: null,
      tempC: 29,
      memoryUsedMb: 1832,
      memoryTotalMb: 21527,
      hbmUsedMb: null,
      hbmTotalMb: null,
      busId: "0000:04:00.0",
    });
    expect(r.family.family).toBe("310P");
    expect(r.family.trainingSupported).toBe(false);
    expect(r.idleNpus).toEqual([24]);
  });

  it("returns no chips for error text instead of throwing", () => {
    const r = parseNpuSmiInfo("dcmi module initialize failed. ret is -8005");
    expect(r.chips).toEqual([]);
    expect(r.npuCount).toBe(0);
    expect(r.family.family).toBe("unknown");
  });
});

describe("parseNpuSmiList / parseNpuSmiMapping", () => {
  it("reads `npu-smi info -l`", () => {
    const r = parseNpuSmiList(fixture("npu-smi-info-l.txt"));
    expect(r.totalCount).toBe(8);
    expect(r.npus).toHaveLength(8);
    expect(r.npus.every((n, i) => n.npuId === i && n.chipCount === 1)).toBe(true);
  });

  it("accepts tab indentation in `-l`", () => {
    const r = parseNpuSmiList(
      "\tTotal Count                    : 2\n\n\tNPU ID                         : 0\n\tChip Count                     : 2\n",
    );
    expect(r).toEqual({ totalCount: 2, npus: [{ npuId: 0, chipCount: 2 }] });
  });

  it("reads `npu-smi info -m` including the Mcu rows", () => {
    const rows = parseNpuSmiMapping(fixture("npu-smi-info-m.txt"));
    expect(rows).toHaveLength(16);
    expect(rows[0]).toEqual({ npuId: 0, chipId: 0, logicId: 0, chipName: "Ascend 910B4" });
    expect(rows[1]).toEqual({ npuId: 0, chipId: 1, logicId: null, chipName: "Mcu" });
    expect(rows.filter((r) => r.logicId !== null).map((r) => r.logicId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("version files", () => {
  it("reads both driver version.info blocks", () => {
    const [a, b] = blocks("driver-version-info.txt").map(parseDriverVersionInfo);
    expect(a).toEqual({
      version: "24.1.rc2.2",
      packageVersion: "24.1.rc2.2",
      innerVersion: "V100R001C18SPC001B233",
      compatibleFirmware: "[7.0.0,7.2.99]",
    });
    expect(b!.version).toBe("25.0.rc1.1");
    expect(b!.compatibleFirmware).toBe("[7.0.0,7.7.99]");
  });

  it("reads every ascend_toolkit_install.info block", () => {
    const infos = blocks("cann-toolkit-install-info.txt").map(parseCannInstallInfo);
    expect(infos.map((i) => i.version)).toEqual(["8.3.RC2", "8.3.RC1", "8.2.RC1", "8.1.RC1", "8.1.T6", "8.0.0"]);
    expect(infos.map((i) => i.arch)).toEqual(["aarch64", "aarch64", "aarch64", "aarch64", "x86_64", "aarch64"]);
    expect(infos[0]).toEqual({
      packageName: "Ascend-cann-toolkit",
      version: "8.3.RC2",
      innerVersion: "V100R001C23SPC002B210",
      arch: "aarch64",
      path: "/usr/local/Ascend/ascend-toolkit/8.3.RC2/aarch64-linux",
    });
  });
});
