// check_env through the LocalExecutor against a laid-out simulated Ascend host, one scenario at a time.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/env/facts.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutSim, type ScenarioId, setScenario, stopSimProcesses } from "../../src/sim/index.js";
import { renderHints } from "../../src/text/hint.js";
import checkEnv from "../../src/tools/check-env.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { freePort } from "./sim-helpers.js";

let dir: string;

/** The host's own MASTER_PORT, a free one laid out with it: the default 6000 may be another suite's or a service's. */
let masterPort = 0;

async function checkSim(settings: HostSettings) {
  const hosts = new HostRegistry({ file: null, hosts: { sim: settings } });
  const result = await checkEnv.handle(checkEnv.input.parse({ host: "sim", masterPort }), {
    hosts,
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  });
  await hosts.closeAll();
  return result;
}

async function scenario(id: ScenarioId) {
  const sim = await setScenario(dir, id);
  return { result: await checkSim(sim.hostSettings), settings: sim.hostSettings };
}

const find = (findings: Finding[], id: string) => findings.find((f) => f.id === id);
const errorIds = (findings: Finding[]) => findings.filter((f) => f.severity === "error").map((f) => f.id);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "check-env-sim-"));
  masterPort = await freePort();
  const sim = await layOutSim(dir, { scenario: "healthy", masterPort });
  expect(sim.hostSettings.env.MASTER_PORT).toBe(String(masterPort));
}, 120_000);

afterAll(async () => {
  if (!dir) return;
  await stopSimProcesses(dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!canBuildSimHost)("check_env on the simulated host", () => {
  it("healthy: NPUs, CANN, Python stack and MindSpeed-MM found; no error finding", async () => {
    const { result, settings } = await scenario("healthy");
    expect(errorIds(result.findings)).toEqual([]);
    expect(result.npu).toMatchObject({ npuSmi: "ok", chipFamily: "910B", count: 8, processes: [] });
    expect(result.cann).toMatchObject({ version: "9.1.0", layout: "cann", effective: true });
    expect(result.cann!.setEnvPath).toBe(`${settings.cannRoot}/cann/set_env.sh`);
    expect(result.python!.env.kind).toBe("venv");
    expect(result.python!.packages.torch_npu).not.toBeNull();
    expect(result.live).toMatchObject({ importOk: true, available: true, deviceCount: 8 });
    expect(result.mindspeedMm).toMatchObject({ exists: true, describe: "v26.1.0" });
    expect(result.mindspeedMm!.megatron.present).toBe(true);
  });

  it("healthy: the venv's Python is the version the release documents, so check-env has no python-version finding", async () => {
    const { result } = await scenario("healthy");
    expect(result.python!.version).toMatch(/^3\.10\.\d+$/);
    expect(find(result.findings, "python-version")).toBeUndefined();
    expect(result.findings.filter((f) => f.severity !== "info" || f.id.startsWith("python"))).toEqual([]);
  });

  it("cann-not-sourced: the exact source line for the sim's CANN, and the libhccl import error", async () => {
    const { result, settings } = await scenario("cann-not-sourced");
    const setEnv = `${settings.cannRoot}/cann/set_env.sh`;
    const f = find(result.findings, "cann-not-sourced")!;
    expect(f.severity).toBe("error");
    expect(f.fix).toBe(
      `{ echo 'source ${setEnv}'; cat ~/.bashrc 2>/dev/null || true; } > ~/.bashrc.new && mv ~/.bashrc.new ~/.bashrc`,
    );
    const imp = find(result.findings, "torch-npu-import-failed")!;
    expect(imp.evidence).toContain("libhccl.so");
    expect(imp.fix).toBe(f.fix);
  });

  it("torch-npu-mismatch: undefined symbol at import, fixed by the wheel for the installed CANN", async () => {
    const { result, settings } = await scenario("torch-npu-mismatch");
    const f = find(result.findings, "torch-npu-import-failed")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toContain("undefined symbol");
    expect(result.live!.errorKind).toBe("undefined-symbol");
    // From the host's own wheel directory (its inventory's sources), as install_stack installs.
    expect(f.fix).toBe(
      `${settings.venv}/bin/pip install --no-index --find-links ${settings.sources!.wheelDir} --force-reinstall torch_npu==2.7.1.post8`,
    );
    expect(find(result.findings, "torch-npu-version")!.evidence).toContain("CANN 9.1.0");
  });

  it("npu-busy: the holder's pid on every NPU, fix kills it", async () => {
    const { result } = await scenario("npu-busy");
    const pids = [...new Set(result.npu!.processes.map((p) => p.pid))];
    expect(pids.length).toBeGreaterThan(0);
    expect(new Set(result.npu!.processes.map((p) => p.npuId)).size).toBe(8);
    const f = find(result.findings, "npu-busy")!;
    expect(f.severity).toBe("error");
    expect(f.fix).toBe(`kill ${pids.join(" ")}`);
    // The holder runs in this PID namespace, so ps saw it.
    expect(result.npu!.processes[0]!.command).not.toBeNull();
  });

  it("small-shm: 64 MB /dev/shm is an error with the remount fix", async () => {
    const { result } = await scenario("small-shm");
    expect(result.machine!.shmTotalMb).toBe(64);
    const f = find(result.findings, "shm-small")!;
    expect(f.severity).toBe("error");
    expect(f.fix).toBe("mount -o remount,size=64G /dev/shm");
  });

  it("port-in-use: the host's MASTER_PORT taken, fix picks a free port", async () => {
    const { result } = await scenario("port-in-use");
    expect(result.ports!.masterPort).toBe(masterPort);
    expect(result.ports!.masterPortFree).toBe(false);
    const f = find(result.findings, "master-port-in-use")!;
    expect(f.severity).toBe("error");
    const hint = renderHints(f.fix ?? "");
    const fix = /^launch with master port (\d+) \(launch_train with masterPort: \1\), or MASTER_PORT=\1 /.exec(hint);
    expect(fix, hint).not.toBeNull();
    expect(result.ports!.listening).not.toContain(Number(fix![1]));
  });
});
