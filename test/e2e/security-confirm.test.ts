// Destructive tools act only with confirm: true. For every tool of kind "destructive" in allTools (so tools added later
// are covered), a call without confirm — with arguments that name real things on a simulated host: a launch script,
// a recorded run, a log with a fixable error — leaves the host's tree byte for byte as it was and starts no process.
// A running run survives stop_run without confirm. A read-only server refuses write and destructive tools by name.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSimState, stopSimProcesses } from "../../src/sim/index.js";
import { allTools } from "../../src/tools/index.js";
import { classifyResult, requiredArgs } from "../helpers/canary.js";
import {
  freePort,
  processesMentioning,
  type ServerHandle,
  snapshotTree,
  startServer,
  trainableSim,
  trainConfigArgs,
  treeChanges,
} from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();
const destructive = allTools.filter((t) => t.kind === "destructive");
// Bytecode caches, and git's index: `git status` refreshes its stat cache in place (same entries, new timestamps).
const QUIET = /(^|\/)__pycache__(\/|$)|\/\.git\/index$/;

describe.skipIf(!env)("destructive tools without confirm change nothing (simulated host over SSH)", () => {
  let sim: SshSim;
  let server: ServerHandle;
  let inventory: string;
  let script: string;
  let stoppedRun: string;
  const values: Record<string, unknown> = {};

  async function call(name: string, args: Record<string, unknown>) {
    const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 90_000 });
    return { ...classifyResult(res), structured: res.structuredContent as Record<string, unknown> | undefined };
  }

  async function launch(tag: string): Promise<{ runId: string; pid: number }> {
    // Micro batch 2, so that the out-of-memory fix has something to lower.
    const built = await call("build_configs", { ...trainConfigArgs(sim, tag), microBatchSize: 2 });
    expect(built.outcome, built.text).toBe("ok");
    const files = built.structured!.files as { role: string; path: string }[];
    script = files.find((f) => f.role === "launch-script")!.path;
    const run = await call("launch_train", {
      host: sim.name,
      script,
      masterPort: await freePort(),
      settleSeconds: 0,
      confirm: true,
    });
    expect(run.outcome, run.text).toBe("ok");
    const pids = run.structured!.pids as { pid: number }[];
    return { runId: run.structured!.runId as string, pid: pids[0]!.pid };
  }

  beforeAll(async () => {
    sim = await trainableSim(env!, "confirm");
    inventory = writeInventory({ confirm: sim.settings });
    server = await startServer({ ASCEND_TRAIN_CONFIG: inventory });
    // A recorded run, stopped again: the tree is quiet from here on.
    const first = await launch("first");
    stoppedRun = first.runId;
    const stop = await call("stop_run", { runId: stoppedRun, confirm: true, graceSeconds: 5 });
    expect(stop.outcome, stop.text).toBe("ok");
    const log = join(sim.settings.workdir!, "logs", "oom.log");
    copyFileSync(join(import.meta.dirname, "..", "fixtures", "logs", "npu-oom.log"), log);
    Object.assign(values, {
      host: sim.name,
      model: "qwen2.5vl-3b",
      script,
      logFile: log,
      config: { scriptPath: script },
      runId: stoppedRun,
    });
  }, 240_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (sim) await stopSimProcesses(sim.dir).catch(() => undefined);
  });

  /** Required fields plus the largest set of known real values the schema accepts together (earlier keys first). */
  function argsFor(tool: (typeof allTools)[number]): Record<string, unknown> {
    const base = requiredArgs(tool.input, { byField: values, fallback: (f) => join(sim.dir, "sandbox", f) });
    const keys = Object.keys(values).filter((k) => k in tool.input.shape && !(k in base));
    let best: Record<string, unknown> = base;
    let bestScore = -1;
    for (let mask = 0; mask < 1 << keys.length; mask++) {
      const picked = keys.filter((_, i) => mask & (1 << i));
      const args = { ...base, ...Object.fromEntries(picked.map((k) => [k, values[k]])) };
      // More fields first; among equals, the ones listed earlier in `values`.
      const score = picked.length * 1000 - picked.reduce((sum, k) => sum + keys.indexOf(k), 0);
      if (score > bestScore && tool.input.safeParse(args).success) {
        best = args;
        bestScore = score;
      }
    }
    return best;
  }

  it("covers every destructive tool", () => {
    expect(destructive.length).toBeGreaterThan(0);
    for (const tool of destructive) expect("confirm" in tool.input.shape, `${tool.name} has no confirm`).toBe(true);
  });

  it("each destructive tool only plans: same tree, no new process", async () => {
    const report: string[] = [];
    for (const tool of destructive) {
      const args = argsFor(tool);
      expect(tool.input.safeParse(args).success, `${tool.name}: ${JSON.stringify(args)}`).toBe(true);
      const treeBefore = snapshotTree(sim.dir, QUIET);
      const procsBefore = processesMentioning(env!.user, sim.dir);
      const holdersBefore = (await readSimState(sim.dir)).holders.map((h) => h.pid);
      const r = await call(tool.name, args);
      await new Promise((res) => setTimeout(res, 500));
      const changes = treeChanges(treeBefore, snapshotTree(sim.dir, QUIET));
      const procsAfter = processesMentioning(env!.user, sim.dir);
      const holdersAfter = (await readSimState(sim.dir)).holders.map((h) => h.pid);
      report.push(`${tool.name}: ${r.outcome}${r.outcome === "ok" ? "" : ` (${r.text.split("\n")[0]!.slice(0, 90)})`}`);
      expect(r.outcome, `${tool.name}: ${r.text}`).not.toBe("internal");
      expect(changes, `${tool.name} changed the host without confirm`).toEqual([]);
      expect(
        procsAfter.filter((p) => !procsBefore.includes(p)),
        `${tool.name} started a process`,
      ).toEqual([]);
      expect(holdersAfter).toEqual(holdersBefore);
    }
    console.log(`[confirm] ${destructive.length} destructive tools called without confirm:\n  ${report.join("\n  ")}`);
  }, 180_000);

  it("a running run survives stop_run without confirm, and stops with it", async () => {
    const { runId, pid } = await launch("second");
    const plan = await call("stop_run", { runId, graceSeconds: 1 });
    expect(plan.outcome, plan.text).toBe("ok");
    expect(plan.structured).toMatchObject({ stopped: false, wasRunning: true });
    await new Promise((res) => setTimeout(res, 1500));
    expect(() => process.kill(pid, 0)).not.toThrow();
    const stop = await call("stop_run", { runId, confirm: true, graceSeconds: 5 });
    expect(stop.structured).toMatchObject({ stopped: true });
  }, 120_000);
});

describe("read-only server", () => {
  it("refuses a write or destructive tool called by name", async () => {
    const server = await startServer({ ASCEND_TRAIN_CONFIG: writeInventory({}) }, ["--read-only"]);
    try {
      const writers = allTools.filter((t) => t.kind !== "read");
      expect(writers.length).toBeGreaterThan(0);
      for (const tool of writers) {
        // Refused either as a JSON-RPC error or as an error result; never run.
        const refusal = await server.client
          .callTool({ name: tool.name, arguments: { confirm: true } })
          .then((res) => (res.isError ? JSON.stringify(res.content) : null))
          .catch((error: Error) => error.message);
        expect(refusal, tool.name).toMatch(new RegExp(`Tool ${tool.name} not found`));
      }
      const read = await server.client.callTool({ name: "list_hosts", arguments: { probe: false } });
      expect(read.isError).toBeFalsy();
    } finally {
      await server.close();
    }
  });
});
