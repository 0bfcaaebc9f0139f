// Probe outputs for check_env unit tests, assembled from the real host-output fixtures.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatSection, SECTIONS, type SectionName } from "../../src/env/probe.js";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "host-outputs");

/** A fixture without its `source:` header. */
export function fixtureBody(name: string): string {
  return readFileSync(join(DIR, name), "utf8").replace(/^source:.*\n\n/, "");
}

/** One `----- … (label…) -----` block of a multi-example fixture. */
export function fixtureBlock(name: string, label: string): string {
  const parts = readFileSync(join(DIR, name), "utf8").split(/^(-----.*-----)$/m);
  const i = parts.findIndex((p) => p.startsWith("-----") && p.includes(label));
  if (i < 0) throw new Error(`no block ${label} in ${name}`);
  return parts[i + 1]!.trim();
}

/** The 8.3.RC2 install info, re-versioned for the CANN a scenario needs (same file format). */
export function cannInfo(version: string, arch = "aarch64", layout: "cann" | "ascend-toolkit" = "cann"): string {
  return fixtureBlock("cann-toolkit-install-info.txt", "8.3.RC2, aarch64")
    .replaceAll("8.3.RC2", version)
    .replaceAll("aarch64", arch)
    .replace("/ascend-toolkit/", `/${layout}/`);
}

export interface PyPackage {
  version: string;
  tags?: string[];
  path?: string;
  editable?: boolean;
  commit?: string | null;
  describe?: string | null;
  branch?: string | null;
}

export const MINDSPEED_26_0 = "69f41000786438204b5f2ffdb788c055788f7378";

export function healthyPackages(arch = "aarch64"): Record<string, PyPackage | null> {
  const tag = `cp310-cp310-manylinux_2_28_${arch}`;
  return {
    torch: { version: arch === "x86_64" ? "2.7.1+cpu" : "2.7.1", tags: [tag] },
    torch_npu: { version: "2.7.1.post8", tags: [tag] },
    transformers: { version: "4.57.0" },
    accelerate: { version: "1.2.0" },
    peft: { version: "0.19.1" },
    numpy: { version: "1.26.4", tags: [tag] },
    mindspeed: {
      version: "0.12.1",
      path: "/home/ma/MindSpeed",
      editable: true,
      commit: "0123456789abcdef0123456789abcdef01234567",
      describe: "26.1.0_core_r0.12.1",
      branch: "26.1.0_core_r0.12.1",
    },
    mindspeed_mm: { version: "26.1.0", path: "/home/ma/MindSpeed-MM", editable: true },
    triton_ascend: { version: "3.2.1" },
    apex: null,
    torchvision: { version: "0.22.1" },
  };
}

export function pythonSection(packages: Record<string, PyPackage | null>, version = "3.10.18"): string {
  const report = {
    python: version,
    executable: "/home/ma/venv/bin/python",
    prefix: "/home/ma/venv",
    basePrefix: "/usr",
    machine: "aarch64",
    packages,
  };
  return `path=/home/ma/venv/bin/python\n${JSON.stringify(report)}`;
}

export function envSection(vars: Record<string, string>): string {
  const names = [
    "ASCEND_HOME_PATH",
    "ASCEND_TOOLKIT_HOME",
    "ASCEND_OPP_PATH",
    "ATB_HOME_PATH",
    "ASCEND_RT_VISIBLE_DEVICES",
    "ASCEND_VISIBLE_DEVICES",
    "HCCL_IF_BASE_PORT",
    "MASTER_PORT",
    "VIRTUAL_ENV",
    "CONDA_DEFAULT_ENV",
    "CONDA_PREFIX",
  ];
  return names.map((n) => `${n}=${vars[n] ?? ""}`).join("\n");
}

export const SOURCED_ENV = {
  ASCEND_HOME_PATH: "/usr/local/Ascend/cann/latest",
  ASCEND_TOOLKIT_HOME: "/usr/local/Ascend/cann/latest",
  ASCEND_OPP_PATH: "/usr/local/Ascend/cann/latest/opp",
  ATB_HOME_PATH: "/usr/local/Ascend/nnal/atb/latest/atb/cxx_abi_1",
  VIRTUAL_ENV: "/home/ma/venv",
};

const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");

/** A healthy Atlas A2 host (8x 910B3 idle) on the newest release; override any section. */
export function healthySections(): Record<SectionName, string> {
  return {
    machine: [
      "arch=aarch64",
      "kernel=5.10.0-182.0.0.95.oe2203sp3.aarch64",
      "os=openEuler 22.03 (LTS-SP3)",
      "cpus=192",
      "MemTotal:       1584969728 kB",
      "MemAvailable:   1500000000 kB",
      "user=ma",
      "home=/home/ma",
    ].join("\n"),
    disk: "path=/home/ma/MindSpeed-MM\n/dev/nvme0n1p1   7500000000 1000000000 6500000000      14% /home",
    shm: "tmpfs            792484864        0 792484864       0% /dev/shm",
    "plain-env": envSection({}),
    "cann-files": [
      "present /usr/local/Ascend/cann/set_env.sh",
      "absent /usr/local/Ascend/ascend-toolkit/set_env.sh",
      "present /usr/local/Ascend/nnal/atb/set_env.sh",
      "info /usr/local/Ascend/cann/latest/aarch64-linux/ascend_toolkit_install.info",
      cannInfo("9.1.0"),
    ].join("\n"),
    driver: fixtureBlock("driver-version-info.txt", "25.0.rc1.1"),
    firmware: "Version=7.7.0.1.231",
    devices: [
      "davinci0",
      "davinci1",
      "davinci2",
      "davinci3",
      "davinci4",
      "davinci5",
      "davinci6",
      "davinci7",
      "davinci_manager",
    ].join("\n"),
    "npu-smi": `path=/usr/local/sbin/npu-smi\nrc=0\n${fixtureBody("npu-smi-info-910b-idle.txt")}`,
    "npu-procs": "",
    "tool-env": envSection(SOURCED_ENV),
    python: pythonSection(healthyPackages()),
    "torch-live": "rc=0\nimport=ok\navailable=True\ncount=8\ncann=9.1.0",
    workdir: [
      "exists=1",
      "describe=v26.1.0",
      "commit=1111111111111111111111111111111111111111",
      "branch=HEAD",
      "megatron=1",
      "MAJOR = 0",
      "MINOR = 12",
      "PATCH = 1",
      "megatron_branch=",
    ].join("\n"),
    ports: [22, 111, 8080].map(hex).join("\n"),
    tools: "pdsh=/usr/bin/pdsh\ngit=/usr/bin/git",
    end: "",
  };
}

export function probeOutput(sections: Partial<Record<SectionName, string | null>> = {}): string {
  const all = { ...healthySections(), ...sections };
  return SECTIONS.filter((n) => all[n] !== null && all[n] !== undefined)
    .map((n) => formatSection(n, all[n]!))
    .join("");
}

export const hostSettings = (extra: Record<string, unknown> = {}): HostSettings =>
  HostSettingsSchema.parse({ workdir: "/home/ma/MindSpeed-MM", venv: "/home/ma/venv", ...extra });

/** A registry whose hosts answer the probe with the given output. */
export function scriptedHosts(
  hosts: Record<
    string,
    { stdout: string; settings?: HostSettings; exitCode?: number; timedOut?: boolean; truncated?: boolean }
  >,
) {
  const executors = new Map<string, ScriptedExecutor>();
  for (const [name, h] of Object.entries(hosts)) {
    executors.set(
      name,
      new ScriptedExecutor(name).on(/ascend-train-probe/, {
        stdout: h.stdout,
        exitCode: h.exitCode ?? 0,
        timedOut: h.timedOut ?? false,
        truncated: h.truncated ?? false,
      }),
    );
  }
  const inventory = {
    file: null,
    hosts: Object.fromEntries(Object.entries(hosts).map(([n, h]) => [n, h.settings ?? hostSettings()])),
  };
  const registry = new HostRegistry(inventory, async (name) => executors.get(name)!);
  const deps: ToolDeps = { hosts: registry, now: () => new Date(0), progress: () => {}, log: () => {} };
  return { deps, executors };
}
