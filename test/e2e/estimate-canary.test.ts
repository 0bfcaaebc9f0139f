// launch_train --canary on a simulated Ascend host: the plan shows the canary's edits and starts nothing; confirmed,
// it runs a few iterations of the built launch script under its own run id, follows the log, and reports the pace,
// the ETA and NPU-hours of the configured run and the measured peak memory against the estimate, without writing
// the real run's save directory.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, localTrainableSim } from "../helpers/local-sim.js";
import { freePort } from "../helpers/server-probe.js";

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
  }, 180_000);

  it("reads as one line of pace, ETA, NPU-hours and memory for a person", async () => {
    const r = await human("--confirm");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /Canary: iteration \d+\/5 \(reached[^)]*\): [\d.]+ s\/iteration.*the configured 5000 iterations: .*NPU-hours on 8 NPUs; measured max allocated [\d.]+ GiB vs estimated [\d.]+ GiB/,
    );
  }, 180_000);
});
