// A run started by launch_train outlives whoever started it, on a local-executor host too: the CLI is started under a
// real pseudo-terminal (tmux), returns as soon as the run is recorded, and then the whole tmux session (its process
// group and controlling terminal) is killed; the run keeps advancing. The same for an MCP stdio server whose client
// goes away. Then stop_run ends it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, lastIteration, localTrainableSim, waitFor } from "../helpers/local-sim.js";
import { CLI, stdioClient } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";

const HAS_TMUX = spawnSync("sh", ["-c", "command -v tmux"]).status === 0;

describe("launch_train on a local host: the run is detached from its caller", () => {
  let sim: LocalTrainableSim;
  let base: string;
  let inventory: string;
  let script: string;
  const cli = (args: string[]) => sim.cli(args);

  beforeAll(async () => {
    sim = await localTrainableSim("detach");
    ({ base, inventory, script } = sim);
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
  });

  async function stopAndCheck(runId: string, pid: number) {
    const stopped = cli(["stop-run", "--run-id", runId, "--host", "detach", "--confirm", "--json"]);
    expect(stopped.status, stopped.stderr).toBe(0);
    await waitFor(`pid ${pid} to end`, () => {
      try {
        process.kill(pid, 0);
        return null;
      } catch {
        return true;
      }
    });
  }

  it.skipIf(!HAS_TMUX)(
    "the CLI returns at once under a terminal; killing the terminal's session leaves the run advancing",
    async () => {
      const session = `detach-${process.pid}`;
      const out = join(base, "launch.json");
      const port = await freePort();
      // The shell stays after the CLI (sleep), so the session is alive when it is killed: the run must not be in it.
      const line = [
        `ASCEND_TRAIN_CONFIG=${inventory}`,
        process.execPath,
        CLI,
        "launch-train",
        "--host detach",
        `--script ${script}`,
        `--master-port ${port}`,
        "--confirm --json",
        `> ${out} 2>${out}.err; echo $? > ${out}.code; sleep 600`,
      ].join(" ");
      execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "200", "-y", "50", line]);
      try {
        const code = await waitFor(
          "the CLI to return",
          () => (existsSync(`${out}.code`) ? readFileSync(`${out}.code`, "utf8").trim() : null),
          90_000,
        );
        expect(code, readFileSync(`${out}.err`, "utf8")).toBe("0");
        const launched = JSON.parse(readFileSync(out, "utf8"));
        expect(launched.started).toBe(true);
        const runId = launched.runId as string;
        const pid = launched.pids[0].pid as number;
        const log = launched.plan.nodes[0].logFile as string;
        await waitFor("a first iteration", () => (existsSync(log) && lastIteration(log) > 0 ? true : null));
        // The terminal, its shell and everything in its process group go away.
        execFileSync("tmux", ["kill-session", "-t", session]);
        const at = lastIteration(log);
        await sleep(3000);
        expect(lastIteration(log)).toBeGreaterThan(at);
        process.kill(pid, 0);
        await stopAndCheck(runId, pid);
      } finally {
        spawnSync("tmux", ["kill-session", "-t", session]);
      }
    },
    180_000,
  );

  it("a run started through an MCP stdio server survives the client and server going away", async () => {
    const fromSource = process.env.ASCEND_TRAIN_FROM_SOURCE;
    const { client, close } = await stdioClient({
      env: { ASCEND_TRAIN_CONFIG: inventory, ...(fromSource ? { ASCEND_TRAIN_FROM_SOURCE: fromSource } : {}) },
    });
    let runId = "";
    let pid = 0;
    let log = "";
    try {
      const res = await client.callTool(
        {
          name: "launch_train",
          arguments: { host: "detach", script, masterPort: await freePort(), settleSeconds: 0, confirm: true },
        },
        undefined,
        { timeout: 90_000 },
      );
      const out = res.structuredContent as {
        runId: string;
        started: boolean;
        pids: { pid: number }[];
        plan: { nodes: { logFile: string }[] };
      };
      expect(out?.started, JSON.stringify(res.content)).toBe(true);
      runId = out.runId;
      pid = out.pids[0]!.pid;
      log = out.plan.nodes[0]!.logFile;
    } finally {
      await close();
    }
    await waitFor("a first iteration", () => (existsSync(log) && lastIteration(log) > 0 ? true : null));
    const at = lastIteration(log);
    await sleep(3000);
    expect(lastIteration(log)).toBeGreaterThan(at);
    await stopAndCheck(runId, pid);
  }, 180_000);
});
