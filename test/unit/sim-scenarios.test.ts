// Failure scenarios of the simulated host: each one fails the way real Ascend runs fail, at the right moment.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadInventory } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import {
  addSimHostToInventory,
  type LaidOutSim,
  readSimState,
  type ScenarioId,
  setScenario,
  stopSimProcesses,
} from "../../src/sim/index.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { CONVERT_7B, freePort, preparedSim, simShell, trainCmd } from "./sim-helpers.js";

const made: LaidOutSim[] = [];

async function scenario(id: ScenarioId, convert = true) {
  const sim = await preparedSim(id);
  made.push(sim);
  if (convert) {
    const c = await simShell({ ...sim.hostSettings, sourceCann: true }, CONVERT_7B());
    expect(c.code).toBe(0);
  }
  return sim;
}

afterAll(async () => {
  for (const sim of made) {
    await stopSimProcesses(sim.dir);
    rmSync(sim.dir, { recursive: true, force: true });
  }
});

const iterationsOf = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.includes("] iteration "))
    .map((l) => Number(/iteration +(\d+)\//.exec(l)![1]));

describe.skipIf(!canBuildSimHost)("training failure scenarios", () => {
  it("oom: runs out of NPU memory at the configured iteration and exits non-zero", async () => {
    const sim = await scenario("oom");
    const failAt = (await readSimState(sim.dir)).failAtIteration;
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 10 }));
    expect(r.code).not.toBe(0);
    expect(iterationsOf(r.stdout)).toEqual(Array.from({ length: failAt - 1 }, (_, i) => i + 1));
    expect(r.stderr).toMatch(
      /\[rank0\]: torch\.OutOfMemoryError: NPU out of memory\. Tried to allocate [\d.]+ GiB \(NPU 0; /,
    );
    expect(r.stderr).toMatch(/pretrain_vlm\.py FAILED/);
  }, 60_000);

  it("nan-loss: loss and grad norm turn NaN and iterations are counted as skipped", async () => {
    const sim = await scenario("nan-loss");
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 5 }));
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.includes("] iteration "));
    expect(lines[0]).toMatch(/loss: \d\.\d{6}E\+00 \|/);
    expect(lines.at(-1)).toMatch(
      /loss: NAN \| loss scale: 1\.0 \| grad norm: nan \| number of skipped iterations: +1 \| number of nan iterations: +1 \|/,
    );
  }, 60_000);

  it("hang: stops printing but keeps running until the sim's processes are stopped", async () => {
    const sim = await scenario("hang");
    const port = await freePort();
    const log = join(sim.hostSettings.workdir!, "hang.log");
    const started = simShell(sim.hostSettings, `${trainCmd({ port, iters: 50 })} > hang.log 2>&1; echo "rc=$?"`);
    const failAt = (await readSimState(sim.dir)).failAtIteration;
    let seen: number[] = [];
    for (let i = 0; i < 100 && seen.length < failAt - 1; i++) {
      await sleep(100);
      seen = existsSync(log) ? iterationsOf(readFileSync(log, "utf8")) : [];
    }
    await sleep(500);
    expect(iterationsOf(readFileSync(log, "utf8"))).toEqual(Array.from({ length: failAt - 1 }, (_, i) => i + 1));
    const holders = (await readSimState(sim.dir)).holders;
    expect(holders).toHaveLength(1);
    expect(holders[0]!.npus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // diagnose_error an hour later: not `unknown` but stalled, with the last iteration line.
    const later = new Date(Date.now() + 3600_000);
    const hosts = new HostRegistry({ file: null, hosts: { sim: sim.hostSettings } });
    const d = await diagnoseError.handle(diagnoseError.input.parse({ host: "sim", logFile: log }), {
      hosts,
      now: () => later,
      progress: () => {},
      log: () => {},
    });
    expect(d.findings[0]!.category).toBe("stalled");
    expect(d.summary).toMatch(/^stalled: no progress for (59|60) minutes since /);
    expect(d.findings[0]!.evidence.some((e) => new RegExp(`iteration\\s+${failAt - 1}/`).test(e.text))).toBe(true);
    const killed = await stopSimProcesses(sim.dir);
    expect(killed).toContain(holders[0]!.pid);
    const r = await started;
    expect(r.stdout).toMatch(/rc=\d+/);
    expect((await readSimState(sim.dir)).holders).toHaveLength(0);
  }, 60_000);

  it("small-shm: df reports a 64M /dev/shm and DataLoader workers die with a bus error", async () => {
    const sim = await scenario("small-shm");
    const df = await simShell(sim.hostSettings, "df /dev/shm; df -h /dev/shm");
    expect(df.stdout).toMatch(/^shm +65536 +0 +65536 +0% \/dev\/shm$/m);
    expect(df.stdout).toMatch(/^shm +64M /m);
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 4 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/DataLoader worker \(pid \d+\) is killed by signal: Bus error/);
  }, 60_000);
});

describe.skipIf(!canBuildSimHost)("environment scenarios", () => {
  it("npu-busy: a foreign process holds every NPU, npu-smi shows it and training cannot open the devices", async () => {
    const sim = await scenario("npu-busy");
    const state = await readSimState(sim.dir);
    const holder = state.processes.find((p) => p.role === "npu-holder")!;
    const smi = await simShell(sim.hostSettings, "npu-smi info");
    const rows = smi.stdout.split("\n").filter((l) => l.includes(`| ${holder.pid} `));
    expect(rows).toHaveLength(8);
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 3 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("error code is 507033");
    expect(r.stderr).toContain("EJ0001");
    expect(await stopSimProcesses(sim.dir)).toContain(holder.pid);
    const free = await simShell(sim.hostSettings, "npu-smi info");
    expect(free.stdout.match(/No running processes found/g)).toHaveLength(8);
  }, 60_000);

  it("port-in-use: the host's MASTER_PORT is really taken and torchrun fails with errno 98", async () => {
    const sim = await scenario("port-in-use");
    // The port the host's launches use (its settings' MASTER_PORT), which the scenario's listener holds.
    const port = Number(sim.hostSettings.env.MASTER_PORT);
    expect(port).toBe((await readSimState(sim.dir)).masterPort);
    expect(port).not.toBe(6000);
    const r = await simShell(sim.hostSettings, trainCmd({ port, iters: 3 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/The server socket has failed to listen on any local network address/);
    expect(r.stderr).toMatch(/errno: 98 - Address already in use/);
  }, 60_000);

  it("cann-not-sourced: the host settings do not source CANN, so torch cannot load torch_npu", async () => {
    const sim = await scenario("cann-not-sourced");
    expect(sim.hostSettings.sourceCann).toBe(false);
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 3 }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/libhccl\.so: cannot open shared object file/);
    const env = await simShell(sim.hostSettings, "env | grep -c '^ASCEND_HOME_PATH=' || true");
    expect(env.stdout.trim()).toBe("0");
  }, 60_000);

  it("torch-npu-mismatch: undefined symbol at import, fixed by installing the matching wheel offline", async () => {
    const sim = await scenario("torch-npu-mismatch", false);
    const bad = await simShell(sim.hostSettings, `python -c "import torch_npu"`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/libtorch_npu\.so: undefined symbol: _ZN/);
    const want = (await import("../../src/sim/index.js")).SIM_STACKS["v26.1.0"].torchNpu;
    const fix = await simShell(
      sim.hostSettings,
      `pip install -q --no-index --find-links ${sim.dir}/wheels torch_npu==${want} && python -c "import torch_npu; print(torch_npu.__version__)"`,
    );
    expect(fix.stdout.trim().split("\n").at(-1)).toBe(want);
  }, 60_000);

  it("setScenario switches a host in place, starting and stopping its processes", async () => {
    const sim = await scenario("healthy", false);
    await setScenario(sim.dir, "npu-busy");
    const busy = await readSimState(sim.dir);
    expect(busy.scenario).toBe("npu-busy");
    expect(busy.holders.map((h) => h.kind)).toEqual(["foreign"]);
    await setScenario(sim.dir, "healthy");
    const healthy = await readSimState(sim.dir);
    expect(healthy.holders).toHaveLength(0);
    expect(healthy.processes).toHaveLength(0);
  }, 60_000);
});

describe.skipIf(!canBuildSimHost)("inventory", () => {
  it("adds the sim host to an inventory without losing other hosts", async () => {
    const sim = made[0] ?? (await scenario("healthy", false));
    const dir = join(tmpdir(), `sim-inv-${process.pid}`);
    const file = join(dir, "ascend-train.yaml");
    rmSync(dir, { recursive: true, force: true });
    await addSimHostToInventory(file, "first", sim.hostSettings);
    writeFileSync(file, `# my hosts\n${readFileSync(file, "utf8")}`);
    await addSimHostToInventory(file, "box", { ...sim.hostSettings, description: "second" });
    await addSimHostToInventory(file, "first", { ...sim.hostSettings, description: "updated" });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# my hosts");
    expect(Object.keys(parse(text).hosts)).toEqual(["first", "box"]);
    const inv = loadInventory(dir);
    expect(inv.hosts.first?.description).toBe("updated");
    expect(inv.hosts.box?.sources?.wheelDir).toBe(join(sim.dir, "wheels"));
    rmSync(dir, { recursive: true, force: true });
  });
});
