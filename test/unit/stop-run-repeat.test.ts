// stop-run on a run it already stopped: one plain statement that the run had already ended (how, that nothing was
// signalled and the record is unchanged, what follows) and exit 0, as for any request already met; never "already
// stopped, not stopped". Through the CLI on the local simulated host, in a temporary HOME and working directory.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, localTrainableSim, waitFor } from "../helpers/local-sim.js";
import { CLI } from "../helpers/mcp.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { freePort } from "../helpers/server-probe.js";

describe.skipIf(!canBuildSimHost)("stop-run RUN --confirm a second time", () => {
  let sim: LocalTrainableSim;
  let home: string;
  const saved = { HOME: process.env.HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };
  /** The CLI with this sim's inventory, run in a temporary directory under a temporary HOME. */
  const cli = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: "utf8",
      cwd: home,
      env: { ...process.env, ASCEND_TRAIN_CONFIG: sim.inventory },
      timeout: 120_000,
    });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "stop-run-repeat-home-"));
    mkdirSync(join(home, "state"));
    // The audit log and anything else the CLI keeps under HOME land in the temporary directory.
    process.env.HOME = home;
    process.env.XDG_STATE_HOME = join(home, "state");
    sim = await localTrainableSim("stop-twice");
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
    rmSync(home, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("says once that the run had already stopped and that nothing was done, and exits 0", async () => {
    const port = String(await freePort());
    const started = cli([
      ...["launch-train", "--host", "stop-twice", "--script", sim.script, "--master-port", port, "--confirm", "--json"],
    ]);
    const runId = JSON.parse(started.stdout).runId as string;
    expect(runId, started.stderr).toMatch(/^run-/);
    await waitFor("the run to be running", () => {
      const r = cli(["list-runs", "--host", "stop-twice", "--json"]);
      const run = (JSON.parse(r.stdout).runs as { runId: string; state: string }[]).find((x) => x.runId === runId);
      return run?.state === "running";
    });

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
