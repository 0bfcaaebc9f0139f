// stop-run on a run it already stopped: one plain statement that the run had already ended (how, that nothing was
// signalled and the record is unchanged, what follows) and exit 0, as for any request already met; never "already
// stopped, not stopped". Through the CLI on the local simulated host, in a temporary HOME and working directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, localTrainableSim, simCliSession, waitFor } from "../helpers/local-sim.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { freePort } from "../helpers/server-probe.js";

describe.skipIf(!canBuildSimHost)("stop-run RUN --confirm a second time", () => {
  let sim: LocalTrainableSim;
  const session = simCliSession("stop-run-repeat", () => sim.inventory);
  const cli = session.cli;

  beforeAll(async () => {
    session.open();
    sim = await localTrainableSim("stop-twice");
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
    session.close();
  });

  it("says once that the run had already stopped and that nothing was done, and exits 0", async () => {
    const port = String(await freePort());
    const started = cli([
      ...["launch-train", "--host", "stop-twice", "--script", sim.script, "--master-port", port, "--confirm", "--json"],
    ]);
    const runId = JSON.parse(started.stdout).runId as string;
    expect(runId, started.stderr).toMatch(/^run-/);
    await waitFor("the run to be running", () => session.runState("stop-twice", runId) === "running");

    const first = cli(["stop-run", runId, "--host", "stop-twice", "--confirm", "--grace-seconds", "5"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${runId}: stopped`);

    const second = cli(["stop-run", runId, "--host", "stop-twice", "--confirm"]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).not.toMatch(/not stopped/);
    expect(second.stdout).toMatch(
      new RegExp(
        `^Run ${runId} had already ended \\(stopped with SIGTERM at [^)]*\\); nothing to stop, and its record is unchanged\\.`,
      ),
    );
    // One statement: the run's state is said once, not in a headline and again in the next step.
    expect(second.stdout.match(/already/g)).toHaveLength(1);

    const json = cli(["stop-run", runId, "--host", "stop-twice", "--confirm", "--json"]);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      runId,
      stopped: false,
      wasRunning: false,
      alreadyEnded: "stopped",
    });
  }, 180_000);
});
