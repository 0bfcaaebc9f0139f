// After a stop, tail-logs names the resume call that works for what the run saved, as stop-run does: a script built
// as upstream's examples are (weights only, --no-save-optim) resumes only with --allow-fresh-optimizer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, lastIteration, localTrainableSim, waitFor } from "../helpers/local-sim.js";
import { freePort } from "../helpers/server-probe.js";

let sim: LocalTrainableSim;

beforeAll(async () => {
  sim = await localTrainableSim("resumehint");
}, 180_000);

afterAll(async () => {
  await sim?.cleanup();
});

describe("the next step after a stop", () => {
  it("stop-run and tail-logs both name --allow-fresh-optimizer for a run that saves no optimizer state", async () => {
    const port = String(await freePort());
    const launched = sim.cli([
      "launch-train",
      "--host",
      sim.name,
      "--script",
      sim.script,
      "--master-port",
      port,
      "--confirm",
      "--json",
    ]);
    expect(launched.status, launched.stderr).toBe(0);
    const run = JSON.parse(launched.stdout) as { runId: string; plan: { nodes: { logFile: string }[] } };
    const log = run.plan.nodes[0]!.logFile;
    await waitFor("a first iteration", () => lastIteration(log) > 0);
    const stopped = sim.cli(["stop-run", run.runId, "--host", sim.name, "--confirm"]);
    expect(stopped.status, stopped.stderr).toBe(0);
    const tailed = sim.cli(["tail-logs", run.runId, "--lines", "3"]);
    expect(tailed.status, tailed.stderr).toBe(0);
    expect(tailed.stdout).toMatch(/^stopped/m);
    const next = tailed.stdout.split("\n").find((l) => l.startsWith("Next:"));
    expect(next).toContain(`resume-run ${run.runId}`);
    expect(next).toContain("--allow-fresh-optimizer");
    const json = JSON.parse(sim.cli(["tail-logs", run.runId, "--lines", "3", "--json"]).stdout);
    expect(json.resumeNeedsFreshOptimizer).toBe(true);
  }, 180_000);
});
