// Destructive tools act only with confirm: true. Every tool of kind "destructive" in allTools must have a valid call
// below (so a tool added later fails the test until it gets one): real arguments naming real things on a simulated
// host (a launch script, a finished run with a checkpoint, a log with a fixable error, a new venv to install into).
// Without confirm each returns its plan — pre-flight passed, nothing started, nothing written — and leaves the host's
// tree byte for byte as it was and starts no process. A running run survives stop_run without confirm. A read-only
// server refuses write and destructive tools by name.
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSimState, stopSimProcesses } from "../../src/sim/index.js";
import { allTools } from "../../src/tools/index.js";
import { classifyResult } from "../helpers/canary.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
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
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

type Structured = Record<string, unknown>;
interface ValidCall {
  args: Record<string, unknown>;
  /** What the structured result of a plan looks like: checks passed, nothing done. */
  plan: (r: Structured) => void;
}

describe.skipIf(!env || !canBuildSimHost)(
  "destructive tools without confirm return their plan and change nothing (simulated host over SSH)",
  () => {
    let sim: SshSim;
    let server: ServerHandle;
    let inventory: string;
    let plannedScript: string;
    let finishedRun: string;
    let oomLog: string;
    let fixScript: string;
    let launchPort: number;
    let resumePort: number;

    async function call(name: string, args: Record<string, unknown>) {
      const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 90_000 });
      return { ...classifyResult(res), structured: res.structuredContent as Structured | undefined };
    }

    async function buildScript(tag: string, extra: Record<string, unknown> = {}): Promise<string> {
      const built = await call("build_configs", { ...trainConfigArgs(sim, tag), ...extra });
      expect(built.outcome, built.text).toBe("ok");
      const files = built.structured!.files as { role: string; path: string }[];
      return files.find((f) => f.role === "launch-script")!.path;
    }

    async function launch(script: string): Promise<{ runId: string; pid: number }> {
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

    function alive(pid: number): boolean {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    }

    beforeAll(async () => {
      sim = await trainableSim(env!, "confirm");
      inventory = writeInventory({ confirm: sim.settings });
      server = await startServer({ ASCEND_TRAIN_CONFIG: inventory });
      const wd = sim.settings.workdir!;
      // A run that trains to its end and saves a checkpoint: resume_run has something to resume, stop_run a record.
      const finished = await launch(await buildScript("finished", { trainIters: 5 }));
      finishedRun = finished.runId;
      const checkpoint = join(wd, "save", "finished", "latest_checkpointed_iteration.txt");
      for (let i = 0; i < 300 && (alive(finished.pid) || !existsSync(checkpoint)); i++) await sleep(200);
      expect(existsSync(checkpoint), "the finished run saved a checkpoint").toBe(true);
      expect(alive(finished.pid), "the finished run ended").toBe(false);
      // Its configs rebuilt for more iterations, as resume_run asks of a finished run to train it further.
      await buildScript("finished", { trainIters: 10, overwrite: true });
      // A fresh launch script, never started; micro batch 2 so that the out-of-memory fix has something to lower.
      plannedScript = await buildScript("planned");
      fixScript = await buildScript("to-fix", { microBatchSize: 2 });
      launchPort = await freePort();
      resumePort = await freePort();
      oomLog = join(wd, "logs", "oom.log");
      copyFileSync(join(import.meta.dirname, "..", "fixtures", "logs", "npu-oom.log"), oomLog);
      // The tree is quiet from here on.
      await sleep(500);
    }, 240_000);

    afterAll(async () => {
      await server?.close().catch(() => undefined);
      if (sim) await stopSimProcesses(sim.dir).catch(() => undefined);
    });

    /** A valid call of each destructive tool, and what its plan must say. */
    function validCalls(): Record<string, ValidCall> {
      const wd = sim.settings.workdir!;
      const noErrors = (checks: unknown) =>
        expect((checks as { level: string; message: string }[]).filter((c) => c.level === "error")).toEqual([]);
      return {
        install_stack: {
          // A venv that does not exist yet: the plan has steps to run.
          args: { host: sim.name, model: "qwen2.5vl-3b", venv: join(sim.dir, "venv-planned") },
          plan: (r) => {
            expect(r).toMatchObject({ applied: false, status: "planned" });
            expect((r.steps as { status: string }[]).some((s) => s.status === "pending")).toBe(true);
          },
        },
        convert_weights: {
          args: {
            host: sim.name,
            model: "qwen2.5vl-3b",
            hfDir: join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
            ckptDir: join(wd, "ckpt/mm/planned"),
          },
          plan: (r) => {
            expect(r).toMatchObject({ started: false, converted: false, marker: null });
            expect(r.command).toMatch(/mm-convert Qwen2_5_VLConverter hf_to_mm/);
            noErrors(r.checks);
          },
        },
        launch_train: {
          args: { host: sim.name, script: plannedScript, masterPort: launchPort },
          plan: (r) => {
            expect(r).toMatchObject({ started: false, preflightOk: true });
            expect((r.plan as { nodes: unknown[] }).nodes.length).toBe(1);
            noErrors(r.checks);
          },
        },
        stop_run: {
          args: { host: sim.name, runId: finishedRun },
          plan: (r) => {
            // A run that already ended keeps its end state: nothing is planned, nothing signalled.
            expect(r).toMatchObject({ runId: finishedRun, stopped: false, alreadyEnded: "finished" });
            expect(r.nodes).toEqual([]);
          },
        },
        resume_run: {
          // The runs build_configs writes save no optimizer state: resuming them needs a fresh optimizer.
          args: { host: sim.name, runId: finishedRun, allowFreshOptimizer: true, masterPort: resumePort },
          plan: (r) => {
            expect(r).toMatchObject({ started: false, preflightOk: true });
            noErrors(r.checks);
          },
        },
        export_model: {
          args: { host: sim.name, runId: finishedRun },
          plan: (r) => {
            expect(r).toMatchObject({ ready: true, exported: false, complete: null });
            expect(r.command).toMatch(/mm-convert Qwen2_5_VLConverter mm_to_hf/);
          },
        },
        export_scheduler_job: {
          args: { host: sim.name, script: plannedScript },
          plan: (r) => {
            expect(r).toMatchObject({ written: false, submitted: false });
            expect((r.slurm as { text: string }).text).toMatch(/#SBATCH --nodes=1/);
          },
        },
        apply_fix: {
          args: { host: sim.name, logFile: oomLog, config: { scriptPath: fixScript } },
          plan: (r) => {
            expect(r).toMatchObject({ rule: "npu-oom", applied: false, results: [] });
            // The allocator holds less reserved-but-unallocated memory than the request, so what makes the run need
            // less comes first: halving its micro batch of 2. The plan shows the diff; the script is untouched.
            expect(r).toMatchObject({ fix: "halve-micro-batch-edit" });
            expect((r.plan as { diff: string }).diff).toMatch(/^\+MBS=1$/m);
          },
        },
      };
    }

    it("covers every destructive tool with a valid call", () => {
      expect(destructive.length).toBeGreaterThan(0);
      const calls = validCalls();
      for (const tool of destructive) {
        expect("confirm" in tool.input.shape, `${tool.name} has no confirm`).toBe(true);
        expect(calls[tool.name], `no valid call for ${tool.name}: add one`).toBeDefined();
        const parsed = tool.input.safeParse(calls[tool.name]!.args);
        expect(parsed.success, `${tool.name}: ${parsed.error?.message}`).toBe(true);
      }
    });

    it.each(destructive.map((t) => [t.name]))(
      "%s returns its plan: same tree, no new process",
      async (name) => {
        const valid = validCalls()[name];
        expect(valid, `no valid call for ${name}`).toBeDefined();
        const treeBefore = snapshotTree(sim.dir, QUIET);
        const procsBefore = processesMentioning(env!.user, sim.dir);
        const holdersBefore = (await readSimState(sim.dir)).holders.map((h) => h.pid);
        const r = await call(name, valid!.args);
        await sleep(500);
        const changes = treeChanges(treeBefore, snapshotTree(sim.dir, QUIET));
        const procsAfter = processesMentioning(env!.user, sim.dir);
        const holdersAfter = (await readSimState(sim.dir)).holders.map((h) => h.pid);
        expect(r.outcome, `${name}: ${r.text}`).toBe("ok");
        valid!.plan(r.structured!);
        expect(changes, `${name} changed the host without confirm`).toEqual([]);
        expect(
          procsAfter.filter((p) => !procsBefore.includes(p)),
          `${name} started a process`,
        ).toEqual([]);
        expect(holdersAfter).toEqual(holdersBefore);
      },
      120_000,
    );

    it("a running run survives stop_run without confirm, and stops with it", async () => {
      const { runId, pid } = await launch(await buildScript("running"));
      const plan = await call("stop_run", { runId, graceSeconds: 1 });
      expect(plan.outcome, plan.text).toBe("ok");
      expect(plan.structured).toMatchObject({ stopped: false, wasRunning: true });
      await sleep(1500);
      expect(alive(pid)).toBe(true);
      const stop = await call("stop_run", { runId, confirm: true, graceSeconds: 5 });
      expect(stop.structured).toMatchObject({ stopped: true });
    }, 120_000);
  },
);

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
