// A second launch on a host where a run of its own ledger trains: the pre-flight names that run as the holder of the
// master port (not "something listens there") with the stop-run call that frees it, and offers no other port while
// that run holds the NPUs too; a launch that would save where that run saves is refused, naming it.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { renderHints } from "../../src/text/hint.js";
import launchTrain from "../../src/tools/launch-train.js";
import stopRun from "../../src/tools/stop-run.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";
import { type LocalTrainableSim, localTrainableSim, simToolDeps } from "../helpers/local-sim.js";
import { freePort } from "../helpers/server-probe.js";

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("launch pre-flight beside a run of the host's own ledger", () => {
  let sim: LocalTrainableSim;
  let deps: ToolDeps;
  beforeAll(async () => {
    sim = await localTrainableSim("ownport", "0.5");
    deps = simToolDeps(sim);
  }, 180_000);
  afterAll(async () => {
    await deps?.hosts.closeAll();
    await sim?.cleanup();
  });

  it("names the run on the master port and in the save directory, with the stop-run call", async () => {
    const masterPort = await freePort();
    const launch = (port: number, confirm: boolean) =>
      launchTrain.handle(
        launchTrain.input.parse({ host: sim.name, script: sim.script, masterPort: port, settleSeconds: 0, confirm }),
        deps,
      );
    const first = await launch(masterPort, true);
    expect(first.started).toBe(true);
    try {
      for (const end = Date.now() + 60_000; !(await listens(masterPort)); ) {
        if (Date.now() > end) throw new Error(`run ${first.runId} never listened on ${masterPort}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const second = await launch(masterPort, false);
      expect(second.started).toBe(false);
      const check = second.checks.find((c) => c.id === "master-port")!;
      expect(check).toMatchObject({ ok: false, level: "error" });
      expect(check.message).toContain(
        `MASTER_PORT ${masterPort} on ${sim.name} is held by this host's run ${first.runId}`,
      );
      const fix = renderHints(check.fix ?? "", renderCliHint);
      expect(hintProblems(fix, { host: sim.name })).toEqual([]);
      const [stop] = printedCommands(fix);
      expect(stop).toMatchObject({ tool: "stop_run", args: { runId: first.runId } });
      // Its ranks hold the NPUs this launch needs too: another port alone cannot help, so none is offered.
      const npus = second.checks.find((c) => c.id === "npus")!;
      expect(npus).toMatchObject({ ok: false });
      expect(npus.message).toContain(`are held by this host's run ${first.runId}`);
      expect(fix).not.toContain("--master-port");
      // The same script saves where the first run saves, before either has written a checkpoint: refused, named.
      const save = second.checks.find((c) => c.id === "save-dir")!;
      expect(save).toMatchObject({ ok: false, level: "error" });
      expect(save.message).toMatch(new RegExp(`is where this host's run ${first.runId} \\((?:starting|running)`));
      const saveFix = renderHints(save.fix ?? "", renderCliHint);
      expect(hintProblems(saveFix, { host: sim.name })).toEqual([]);
      expect(printedCommands(saveFix).map((c) => c.tool)).toEqual(["build_configs", "stop_run"]);
    } finally {
      await stopRun.handle(stopRun.input.parse({ runId: first.runId, host: sim.name, confirm: true }), deps);
    }
  }, 180_000);
});
