// Two launches on the same MASTER_PORT at the same moment both pass pre-flight (nothing listens yet); the start takes
// the port under a lock in the ledger, so exactly one starts and the other is refused, naming the run that holds it.
// Once that run is stopped its reservation is stale and the port can be used again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import launchTrain from "../../src/tools/launch-train.js";
import stopRun from "../../src/tools/stop-run.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { type LocalTrainableSim, localTrainableSim, simToolDeps } from "../helpers/local-sim.js";
import { freePort } from "../helpers/server-probe.js";

describe("MASTER_PORT is reserved under a lock at start", () => {
  let sim: LocalTrainableSim;
  let deps: ToolDeps;
  beforeAll(async () => {
    sim = await localTrainableSim("portrace", "0.5");
    deps = simToolDeps(sim);
  }, 180_000);
  afterAll(async () => {
    await deps?.hosts.closeAll();
    await sim?.cleanup();
  });

  it("two concurrent launches on one port: one starts, the other is refused with the holder named", async () => {
    const masterPort = await freePort();
    const args = launchTrain.input.parse({
      host: sim.name,
      script: sim.script,
      masterPort,
      settleSeconds: 0,
      confirm: true,
    });
    const results = await Promise.allSettled([launchTrain.handle(args, deps), launchTrain.handle(args, deps)]);
    const ok = results.filter((r) => r.status === "fulfilled" && r.value.started);
    const refused = results.filter((r) => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const runId = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof launchTrain.handle>>>).value.runId;
    expect(String((refused[0] as PromiseRejectedResult).reason.message)).toMatch(
      new RegExp(`MASTER_PORT ${masterPort} .*reserved by run ${runId}`),
    );
    const stopped = await stopRun.handle(stopRun.input.parse({ runId, host: sim.name, confirm: true }), deps);
    expect(stopped).toBeTruthy();
    // The holder is gone: its reservation is stale and a new launch takes the port over.
    const again = await launchTrain.handle(args, deps);
    expect(again.started).toBe(true);
    await stopRun.handle(stopRun.input.parse({ runId: again.runId, host: sim.name, confirm: true }), deps);
  }, 180_000);
});
