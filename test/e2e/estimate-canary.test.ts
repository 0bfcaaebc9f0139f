// launch_train --canary on a simulated Ascend host: the plan shows the canary's edits and starts nothing; confirmed,
// it runs a few iterations of the built launch script under its own run id, follows the log, and reports the pace,
// the ETA and NPU-hours of the configured run and the measured peak memory against the estimate, without writing
// the real run's save directory.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layOutSim, makeFakeHfModel, setScenario, stopSimProcesses } from "../../src/sim/index.js";
import { type LocalTrainableSim, localTrainableSim } from "../helpers/local-sim.js";
import { CLI } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";
import { writeInventory } from "../helpers/sim-host.js";

describe("launch_train --canary on a simulated host", () => {
  let sim: LocalTrainableSim;
  let saveDir: string;

  beforeAll(async () => {
    sim = await localTrainableSim("canary", "0.15");
    saveDir = join(sim.settings.workdir!, "save", "canary");
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
  });

  const launch = async (...extra: string[]) => {
    const r = sim.cli([
      "launch-train",
      "--host",
      "canary",
      "--script",
      sim.script,
      "--master-port",
      String(await freePort()),
      "--canary",
      "6",
      "--json",
      ...extra,
    ]);
    return { ...r, json: r.stdout ? JSON.parse(r.stdout) : null };
  };
  const human = async (...extra: string[]) => {
    const r = sim.cli([
      "launch-train",
      "--host",
      "canary",
      "--script",
      sim.script,
      "--master-port",
      String(await freePort()),
      "--canary",
      "5",
      ...extra,
    ]);
    return r;
  };

  it("without confirm: the plan runs the canary's copy of the script and starts nothing", async () => {
    const r = await launch();
    expect(r.status, r.stderr).toBe(0);
    expect(r.json.started).toBe(false);
    expect(r.json.canary ?? null).toBeNull();
    const check = r.json.checks.find((c: { id: string }) => c.id === "canary");
    expect(check.message).toContain("--train-iters 6");
    expect(check.message).toContain("removed --save");
    expect(r.json.plan.script).toMatch(/\.canary\.sh$/);
    expect(r.json.next).toContain("canary");
  }, 120_000);

  it("confirmed: measures the pace, projects the configured 5000 iterations and leaves the save directory alone", async () => {
    const r = await launch("--confirm", "--canary-timeout-seconds", "120");
    expect(r.status, r.stderr).toBe(0);
    const c = r.json.canary;
    expect(c.ended).toBe("reached");
    expect(c.reachedIteration).toBeGreaterThanOrEqual(6);
    expect(c.secondsPerIteration).toBeGreaterThan(0);
    expect(c.configuredIterations).toBe(5000);
    expect(c.etaSeconds).toBe(Math.round(c.secondsPerIteration * 5000));
    expect(c.npuHours).toBeGreaterThan(0);
    expect(c.measuredMaxAllocatedMiB).toBeGreaterThan(0);
    expect(c.estimatedTensorsGiB).toBeGreaterThan(0);
    expect(typeof c.memoryErrorPercent).toBe("number");
    // nothing saved where the real run saves
    expect(existsSync(saveDir) ? readdirSync(saveDir) : []).toEqual([]);
    // the ledger: the canary is over and names no save directory, so resume_run cannot pick the real one
    const record = JSON.parse(readFileSync(r.json.plan.nodes[0].ledgerFile, "utf8"));
    expect(record).toMatchObject({ id: r.json.runId, state: "stopped", saveDir: null, trainIters: 6 });
    const runs = sim.cli(["list-runs", "--host", "canary", "--json"]);
    expect(runs.status, runs.stderr).toBe(0);
    expect(runs.stdout).toContain(r.json.runId);
    // the real run starts right after on the same master port, under a run id of its own
    const port = String(r.json.plan.masterPort);
    const real = sim.cli([
      "launch-train",
      "--host",
      "canary",
      "--script",
      sim.script,
      "--master-port",
      port,
      "--confirm",
      "--json",
    ]);
    expect(real.status, real.stderr).toBe(0);
    const started = JSON.parse(real.stdout);
    expect(started.started).toBe(true);
    expect(started.runId).not.toBe(r.json.runId);
    const stop = sim.cli(["stop-run", "--run-id", started.runId, "--host", "canary", "--confirm", "--json"]);
    expect(stop.status, stop.stderr).toBe(0);
  }, 180_000);

  it("reads as one line of pace, ETA, NPU-hours and memory for a person", async () => {
    const r = await human("--confirm");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Canary: iteration \d+\/5 \(reached[^)]*\): [\d.]+ s\/iteration.*the configured 5000 iterations: .*NPU-hours on 8 NPUs; per rank, measured max allocated [\d.]+ GiB vs estimated [\d.]+ GiB of tensors \(estimate[-_]memory's [\d.]+ GiB less its 3 GiB allowance for the runtime\): the (estimate is [\d.]+× the measured peak|measured peak is [\d.]+× the estimate)/,
    );
    // The canary's start comes before its result, which says that nothing of it runs any more.
    expect(r.stdout.split("\n")[0]).toMatch(/^Started canary run-/);
    expect(r.stdout).toContain("nothing of it runs now");
  }, 180_000);

  it("says, with its next step, what the real run's pre-flight will still refuse: a save directory holding checkpoints", async () => {
    mkdirSync(saveDir, { recursive: true });
    writeFileSync(join(saveDir, "latest_checkpointed_iteration.txt"), "150\n");
    try {
      const r = await launch("--confirm", "--canary-timeout-seconds", "120");
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.canary.ended).toBe("reached");
      expect(r.json.next).toMatch(/^Canary done\. Before the real run: .*already holds checkpoints/);
      expect(r.json.next).toMatch(/Then (npx )?ascend-train launch-train --host canary/);
    } finally {
      rmSync(join(saveDir, "latest_checkpointed_iteration.txt"), { force: true });
    }
  }, 180_000);
});

describe("launch_train --canary on a host whose training runs out of memory", () => {
  let sim: LocalTrainableSim;

  beforeAll(async () => {
    sim = await localTrainableSim("canary-oom", "0.15");
    await setScenario(sim.dir, "oom");
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
  });

  it("says the canary ended early, points at diagnose_error and exits 1", async () => {
    const r = sim.cli([
      ...["launch-train", "--host", "canary-oom", "--script", sim.script],
      ...["--master-port", String(await freePort()), "--canary", "8", "--confirm", "--json"],
    ]);
    expect(r.status, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.canary.ended).toBe("exited");
    expect(out.canary.reachedIteration).toBeLessThan(8);
    expect(out.next).toContain("diagnose-error");
  }, 180_000);
});

describe("launch_train --canary on a YAML backend (Qwen3.5-4B, native FSDP2 trainer) on a simulated host", () => {
  let base: string;
  let dir: string;
  let wd: string;
  let cli: (args: string[]) => SpawnSyncReturns<string>;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "canary-yaml-"));
    dir = join(base, "host");
    // A MASTER_PORT of its own: the canary launches on the host's, and another suite may hold the default 6000.
    const laid = await layOutSim(dir, { scenario: "healthy", name: "cy", masterPort: await freePort() });
    wd = laid.hostSettings.workdir!;
    const hf = join(wd, "ckpt/hf/Qwen3.5-4B");
    await makeFakeHfModel(hf, "Qwen3.5-4B", { numLayers: 4, numHeads: 16, numKvHeads: 4, hiddenSize: 2560 });
    const record = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "ok" },
      ],
      images: [],
    };
    writeFileSync(join(wd, "data/train.json"), JSON.stringify([record]));
    const settings = { ...laid.hostSettings, env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.15" } };
    const inventory = writeInventory({ cy: settings });
    cli = (args) =>
      spawnSync(process.execPath, [CLI, ...args], {
        encoding: "utf8",
        env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
        timeout: 180_000,
      });
  }, 180_000);

  afterAll(async () => {
    await stopSimProcesses(dir).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  });

  it("runs a copy of the YAML with train_iters and no save, and projects the configured iterations", () => {
    const hf = join(wd, "ckpt/hf/Qwen3.5-4B");
    const saveDir = join(wd, "save/q35");
    const built = cli([
      "build-configs",
      ...["--model", "qwen3_5-4b", "--host", "cy", "--output-dir", join(wd, "configs/q35")],
      ...["--hf-dir", hf, "--ckpt-dir", hf, "--save-dir", saveDir, "--dataset", join(wd, "data/train.json")],
      ...["--train-iters", "300", "--json"],
    ]);
    expect(built.status, built.stderr).toBe(0);
    const files = JSON.parse(built.stdout).files as { role: string; path: string }[];
    const script = files.find((f) => f.role === "launch-script")!.path;
    const config = files.find((f) => f.role === "train-config")!.path;
    const before = readFileSync(config, "utf8");
    const r = cli(["launch-train", "--host", "cy", "--script", script, "--canary", "5", "--confirm", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const check = out.checks.find((c: { id: string }) => c.id === "canary");
    expect(check.message).toContain("training.train_iters: 5");
    expect(check.message).toContain("removed training.save");
    expect(out.canary).toMatchObject({ ended: "reached", configuredIterations: 300 });
    expect(out.canary.etaSeconds).toBe(Math.round(out.canary.secondsPerIteration * 300));
    expect(out.next).toContain("--host cy");
    // the real config is untouched and nothing was saved where the real run saves
    expect(readFileSync(config, "utf8")).toBe(before);
    expect(existsSync(saveDir) ? readdirSync(saveDir) : []).toEqual([]);
  }, 240_000);
});
