// Checkpoints that resume exactly: a build's launch plan warns that it saves weights only and names the rebuild that
// keeps optimizer state; built that way, the plan has nothing to warn about and the script saves the optimizer.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, localTrainableSim } from "../helpers/local-sim.js";

let sim: LocalTrainableSim;

beforeAll(async () => {
  sim = await localTrainableSim("save-optim");
}, 180_000);

afterAll(async () => {
  await sim?.cleanup();
});

interface Check {
  id: string;
  level: string;
  message: string;
  fix?: string;
}

const resumable = (json: string) =>
  (JSON.parse(json).checks as Check[]).filter((c) => c.id === "resumable" && c.level === "warning");

describe("saving optimizer state", () => {
  it("the launch plan names build-configs --save-optimizer; the rebuilt run saves it and the warning is gone", () => {
    const plan = sim.cli(["launch-train", "--host", sim.name, "--script", sim.script, "--json"]);
    expect(plan.status, plan.stderr).toBe(0);
    const [warning] = resumable(plan.stdout);
    expect(warning?.message).toMatch(/saves no optimizer\/RNG state/);
    // The rebuild repeats the recorded build (its paths and length) with the one change.
    const rebuild = /ascend-train build-configs .*--save-optimizer.*--overwrite/.exec(warning?.fix ?? "")?.[0];
    expect(rebuild, warning?.fix).toBeDefined();
    expect(rebuild).toContain("--train-iters 5000");
    const args = rebuild!
      .replace(/^ascend-train /, "")
      .split(" ")
      .map((a) => a.replace(/^'(.*)'$/, "$1"));
    const built = sim.cli([...args, "--json"]);
    expect(built.status, built.stderr).toBe(0);
    const script = readFileSync(sim.script, "utf8");
    expect(script).not.toMatch(/--no-save-optim|--no-save-rng/);
    expect(script).toContain("--no-load-optim");
    const again = sim.cli(["launch-train", "--host", sim.name, "--script", sim.script, "--json"]);
    expect(again.status, again.stderr).toBe(0);
    expect(resumable(again.stdout)).toEqual([]);
  }, 120_000);
});
