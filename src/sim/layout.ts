// layOutSim: builds a whole simulated Atlas 800T A2 host (8x 910B3) under one directory.
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type HostSettings, HostSettingsSchema } from "../hosts/inventory.js";
import { NEWEST_RELEASE, type ReleaseTag } from "../knowledge/release-tags.js";
import { RELEASES } from "../knowledge/releases.js";
import { layOutCann, simArch } from "./cann.js";
import { megatronFiles } from "./checkout.js";
import { simFile } from "./files.js";
import { mirrorCache } from "./mirrors.js";
import { stackPackages } from "./packages.js";
import { startNpuHolder, startPortListener, stopProcesses } from "./processes.js";
import { SIM_STACKS, type SimStack, usesCannLayout } from "./releases.js";
import { DEFAULT_FAIL_AT_ITERATION, type ScenarioId } from "./scenarios.js";
import { DF_SHIM_SH, NPU_SMI_PY, SIM_HELPER_PY } from "./shims.js";
import { loadState, type SimProcess, type SimState, writeState } from "./state.js";
import { sh, writeTree } from "./util.js";
import { createVenv, findPython, installEditable, installPackages, pythonVersion, sitePackages } from "./venv.js";
import { wheelCache } from "./wheels.js";

export interface LayOutOptions {
  scenario?: ScenarioId;
  name?: string;
  release?: ReleaseTag;
  owner?: { uid: number; gid: number };
  /**
   * The host's MASTER_PORT (default 6000): set in its settings' env when another, so launches and plans use it, and
   * the port port-in-use's listener holds. Lets several simulated hosts on one machine stay off each other's port.
   */
  masterPort?: number;
}

export interface LaidOutSim {
  dir: string;
  scenario: ScenarioId;
  hostSettings: HostSettings;
}

const DEFAULT_MASTER_PORT = 6000;

export function simHostSettings(
  dir: string,
  scenario: ScenarioId,
  state: Pick<SimState, "release" | "name"> & Partial<Pick<SimState, "masterPort">>,
): HostSettings {
  const port = state.masterPort ?? DEFAULT_MASTER_PORT;
  return HostSettingsSchema.parse({
    cannRoot: join(dir, "usr", "local", "Ascend"),
    sourceCann: scenario !== "cann-not-sourced",
    venv: join(dir, "venv"),
    workdir: join(dir, "MindSpeed-MM"),
    npusPerNode: 8,
    path: [join(dir, "bin")],
    env: { ASCEND_SIM_ROOT: dir, ...(port !== DEFAULT_MASTER_PORT ? { MASTER_PORT: String(port) } : {}) },
    allowedDirs: [dir],
    // Like any offline site: its mirrors and wheel directory, under the names and tags of the real ones.
    sources: {
      mindspeedMm: join(dir, "mirrors", "MindSpeed-MM.git"),
      megatron: join(dir, "mirrors", "Megatron-LM.git"),
      mindspeed: join(dir, "mirrors", "MindSpeed.git"),
      transformers: join(dir, "mirrors", "transformers.git"),
      wheelDir: join(dir, "wheels"),
    },
    description: `Simulated Atlas 800T A2 (8x Ascend 910B3, 64 GB HBM), MindSpeed-MM ${state.release}, scenario ${scenario}`,
  });
}

/** The release whose torch_npu gets installed in the mismatch scenario: built for another CANN. */
function mismatchedStack(stack: SimStack): SimStack {
  const all = Object.values(SIM_STACKS);
  const i = all.findIndex((s) => s.release === stack.release);
  return all[i > 0 ? i - 1 : i + 1]!;
}

async function installStack(dir: string, stack: SimStack, python: string, scenario: ScenarioId) {
  const pyver = await pythonVersion(python);
  const venv = join(dir, "venv");
  const npuFrom = scenario === "torch-npu-mismatch" ? mismatchedStack(stack) : stack;
  const mmDir = join(dir, "MindSpeed-MM");
  const msDir = join(dir, "MindSpeed");
  const mirrors = join(dir, "mirrors");
  await Promise.all([
    installPackages(venv, pyver, stackPackages(stack, npuFrom)),
    sh("git", ["clone", "-q", "--branch", stack.release, join(mirrors, "MindSpeed-MM.git"), mmDir]),
    checkOutMindSpeed(dir, stack, msDir),
  ]);
  // The install guide copies Megatron-LM's megatron/ into the checkout (untracked there).
  const megatron = Object.entries(megatronFiles(stack.megatronVersion)).filter(([p]) => p.startsWith("megatron/"));
  await writeTree(mmDir, { ...Object.fromEntries(megatron), "logs/.keep": "", "data/.keep": "", "ckpt/.keep": "" });
  await installEditable(venv, pyver, { name: "mindspeed", version: stack.mindspeedVersion, src: msDir });
  await installEditable(venv, pyver, {
    name: "mindspeed_mm",
    version: stack.mmVersion,
    src: mmDir,
    scripts: { "mm-convert": "checkpoint.convert_cli:main" },
  });
}

/** MindSpeed at the release's pinned commit, the way install_stack checks it out (through the host's own git). */
async function checkOutMindSpeed(dir: string, stack: SimStack, msDir: string) {
  const hostGit = join(dir, "bin", "git");
  const env = { PATH: `${join(dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}` };
  const { branch, commit } = RELEASES[stack.release].mindspeed;
  await sh(hostGit, ["init", "-q", msDir], { env });
  await sh(hostGit, ["-C", msDir, "fetch", "-q", "--no-tags", join(dir, "mirrors", "MindSpeed.git"), branch], { env });
  await sh(hostGit, ["-C", msDir, "checkout", "-q", "-B", branch, commit ?? "FETCH_HEAD"], { env });
}

async function writeBin(dir: string, scenario: ScenarioId) {
  await writeTree(dir, {
    "bin/npu-smi": NPU_SMI_PY,
    "bin/git": simFile("git.sh"),
    ".sim/lib/ascend_sim.py": SIM_HELPER_PY,
  });
  // The Atlas's own disks (a large NVMe data volume, a large /dev/shm), or the small /dev/shm of the small-shm case.
  await writeTree(dir, { "bin/df": DF_SHIM_SH });
  if (scenario === "small-shm") await writeTree(dir, { "bin/.small-shm": "" });
  else await rm(join(dir, "bin", ".small-shm"), { force: true });
}

/**
 * Makes the venv's Python report the version the release documents (3.10), as on a host set up by its guide: this
 * machine's python3 may be another minor. A .pth line loads the module at start-up; only the reported version changes.
 */
async function reportReleasePython(dir: string, pyver: string, release: ReleaseTag): Promise<string> {
  const want = RELEASES[release].python.recommended;
  await writeTree(sitePackages(join(dir, "venv"), pyver), {
    "_ascend_sim_python.py": simFile("python_version.py").replaceAll("@@PYTHON_MINOR@@", want),
    "_ascend_sim_python.pth": "import _ascend_sim_python\n",
  });
  return want;
}

/** Starts the background processes a scenario needs and returns them. */
export async function startScenarioProcesses(
  dir: string,
  scenario: ScenarioId,
  npuCount: number,
  owner?: { uid: number; gid: number },
  masterPort = DEFAULT_MASTER_PORT,
): Promise<SimProcess[]> {
  const python = findPython();
  if (scenario === "npu-busy") return [await startNpuHolder(dir, python, npuCount, owner)];
  if (scenario === "port-in-use") return [await startPortListener(python, masterPort, owner)];
  return [];
}

export async function layOutSim(target: string, opts: LayOutOptions = {}): Promise<LaidOutSim> {
  const dir = resolve(target);
  const scenario = opts.scenario ?? "healthy";
  const release = opts.release ?? NEWEST_RELEASE;
  const stack = SIM_STACKS[release];
  const name = opts.name ?? "ascend-sim";
  if (existsSync(join(dir, ".sim", "state.json"))) {
    const old = await loadState(dir).catch(() => null);
    await stopProcesses(dir, old?.processes ?? []);
  }
  for (const sub of ["bin", "usr", "venv", "MindSpeed-MM", "MindSpeed", "mirrors", "wheels", ".sim"]) {
    await rm(join(dir, sub), { recursive: true, force: true });
  }
  await mkdir(join(dir, ".sim", "holders"), { recursive: true });
  const python = findPython();
  const [mirrorInfo, wheels] = await Promise.all([mirrorCache(), wheelCache(python)]);
  const [cann] = await Promise.all([
    layOutCann(dir, stack),
    sh("cp", ["-a", mirrorInfo.dir, join(dir, "mirrors")]).then(() =>
      Promise.all([".complete", "mindspeed-commits.json"].map((f) => rm(join(dir, "mirrors", f), { force: true }))),
    ),
    sh("cp", ["-a", join(wheels, "wheels"), join(dir, "wheels")]),
    createVenv(join(dir, "venv"), python),
    writeBin(dir, scenario),
  ]);
  const pyver = await pythonVersion(python);
  const reportedPython = await reportReleasePython(dir, pyver, release);
  if (scenario !== "bare") await installStack(dir, stack, python, scenario);
  const state: SimState = {
    version: 1,
    simulated: true,
    name,
    scenario,
    release,
    chip: "910B3",
    npuCount: 8,
    hbmTotalMB: 65536,
    hbmIdleMB: 3378,
    driver: stack.driver,
    arch: simArch(),
    masterPort: opts.masterPort ?? DEFAULT_MASTER_PORT,
    failAtIteration: DEFAULT_FAIL_AT_ITERATION,
    versions: {
      mindspeedMm: stack.mmVersion,
      mindspeed: stack.mindspeedBranch,
      megatron: stack.megatronBranch,
      cann: stack.cann,
      cannLayout: usesCannLayout(stack.cann) ? "cann" : "ascend-toolkit",
      torch: stack.torch,
      torchNpu: scenario === "torch-npu-mismatch" ? mismatchedStack(stack).torchNpu : stack.torchNpu,
      transformers: stack.transformers,
      python: reportedPython,
    },
    cannHome: cann.home,
    ...(opts.owner ? { owner: opts.owner } : {}),
    processes: [],
    mirrors: { mindspeedCommits: mirrorInfo.mindspeedCommits },
    createdAt: new Date().toISOString(),
  };
  await writeState(dir, state);
  await writeFile(
    join(dir, "SIMULATED_ASCEND_HOST.txt"),
    `This directory is a simulated Ascend host (ascend-train sim): ${simHostSettings(dir, scenario, state).description}.\n`,
  );
  if (opts.owner) await sh("chown", ["-R", `${opts.owner.uid}:${opts.owner.gid}`, dir]);
  state.processes = await startScenarioProcesses(dir, scenario, state.npuCount, opts.owner, state.masterPort);
  await writeState(dir, state);
  if (opts.owner) await sh("chown", [`${opts.owner.uid}:${opts.owner.gid}`, join(dir, ".sim", "state.json")]);
  return { dir, scenario, hostSettings: simHostSettings(dir, scenario, state) };
}
