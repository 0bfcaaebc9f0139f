// A run started by launch_train outlives whoever started it, on a local-executor host too: the CLI is started under a
// real pseudo-terminal (tmux), returns as soon as the run is recorded, and then the whole tmux session (its process
// group and controlling terminal) is killed; the run keeps advancing. The same for an MCP stdio server whose client
// goes away. Then stop_run ends it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { layOutSim, makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import { CLI, stdioClient } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";
import { writeInventory } from "../helpers/sim-host.js";

const HAS_TMUX = spawnSync("sh", ["-c", "command -v tmux"]).status === 0;

/** The highest iteration a MindSpeed-MM log shows. */
function lastIteration(log: string): number {
  const all = [...readFileSync(log, "utf8").matchAll(/iteration\s+(\d+)\s*\//g)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) : 0;
}

async function waitFor<T>(what: string, probe: () => T | null | undefined, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe("launch_train on a local host: the run is detached from its caller", () => {
  let base: string;
  let dir: string;
  let settings: HostSettings;
  let inventory: string;
  let script: string;
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
      timeout: 120_000,
    });

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "detach-"));
    dir = join(base, "host");
    const laid = await layOutSim(dir, { scenario: "healthy", name: "detach" });
    const wd = laid.hostSettings.workdir!;
    await makeFakeHfModel(join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
    const record = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "ok" },
      ],
      images: [],
    };
    writeFileSync(join(wd, "data/train.json"), JSON.stringify([record]));
    mkdirSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00"), { recursive: true });
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00/model_optim_rng.pt"), "weights\n");
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/latest_checkpointed_iteration.txt"), "release");
    settings = { ...laid.hostSettings, env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.2" } };
    inventory = writeInventory({ detach: settings });
    const built = cli([
      "build-configs",
      "--model",
      "qwen2.5vl-3b",
      "--host",
      "detach",
      "--output-dir",
      join(wd, "configs/detach"),
      "--hf-dir",
      join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
      "--ckpt-dir",
      join(wd, "ckpt/mm/qwen2.5vl-3b"),
      "--save-dir",
      join(wd, "save/detach"),
      "--dataset",
      join(wd, "data/train.json"),
      "--train-iters",
      "5000",
      "--json",
    ]);
    expect(built.status, built.stderr).toBe(0);
    const files = JSON.parse(built.stdout).files as { role: string; path: string }[];
    script = files.find((f) => f.role === "launch-script")!.path;
  }, 180_000);

  afterAll(async () => {
    if (dir) await stopSimProcesses(dir).catch(() => undefined);
    if (base) rmSync(base, { recursive: true, force: true });
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
