// Run ids and ledger records cannot reach outside the ledger or at someone else's process. Through a real MCP
// server: a run id with `..` is refused at the schema of every tool that takes one; a forged record naming an
// unrelated process is not signalled (its command line is not the recorded wrapper); a record with pid 1 plans no
// kill; a record whose log is /etc/shadow and a read of /etc/shadow on a read-only server are refused by the read guard.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopScript } from "../../src/runs/liveness.js";
import { classifyResult } from "../helpers/canary.js";
import { type ServerHandle, startServer } from "../helpers/server-probe.js";
import { writeInventory } from "../helpers/sim-host.js";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("run ids and ledger records (local host, real MCP server)", () => {
  let work: string;
  let ledger: string;
  let victim: ChildProcess;
  let server: ServerHandle;
  let readOnly: ServerHandle;

  const record = (id: string, pid: number, logFile: string) => ({
    version: 1,
    id,
    createdAt: "2026-01-01T00:00:00.000Z",
    hosts: ["box"],
    nodes: [
      {
        host: "box",
        nodeRank: 0,
        pid,
        startTicks: null,
        logFile,
        wrapper: join(ledger, `${id}.wrapper.sh`),
        exitFile: join(ledger, `${id}.exit`),
        ledgerFile: join(ledger, `${id}.json`),
      },
    ],
    workdir: work,
    script: join(work, "train.sh"),
    command: ["bash", join(ledger, `${id}.wrapper.sh`)],
    env: {},
    configHashes: {},
    saveDir: null,
    loadDir: null,
    masterAddr: "localhost",
    masterPort: 29500,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
    trainIters: 10,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
    scheduler: [],
  });
  const put = (id: string, pid: number, logFile = join(ledger, `${id}.log`)) =>
    writeFileSync(join(ledger, `${id}.json`), JSON.stringify(record(id, pid, logFile)));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "runids-"));
    ledger = join(work, ".ascend-train", "runs");
    mkdirSync(ledger, { recursive: true });
    // An unrelated process leading its own process group: what a forged record points stop_run at.
    victim = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
    victim.unref();
    put("run-20260101-000000-aaaa", victim.pid!);
    put("run-20260101-000000-0001", 1);
    put("run-20260101-000000-5ad0", victim.pid!, "/etc/shadow");
    // A record planted as a symlink to a file elsewhere.
    const elsewhere = mkdtempSync(join(tmpdir(), "runids-elsewhere-"));
    writeFileSync(
      join(elsewhere, "r.json"),
      JSON.stringify(record("run-20260101-000000-beef", victim.pid!, "/etc/shadow")),
    );
    symlinkSync(join(elsewhere, "r.json"), join(ledger, "run-20260101-000000-beef.json"));
    const inventory = writeInventory({ box: { workdir: work } as never });
    server = await startServer({ ASCEND_TRAIN_CONFIG: inventory });
    readOnly = await startServer({ ASCEND_TRAIN_CONFIG: inventory }, ["--read-only"]);
  }, 120_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    await readOnly?.close().catch(() => undefined);
    if (victim?.pid && alive(victim.pid)) process.kill(-victim.pid, "SIGKILL");
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const call = async (s: ServerHandle, name: string, args: Record<string, unknown>) =>
    classifyResult(await s.client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 }));

  it("refuses a run id with a path in it at the schema of every tool that takes one", async () => {
    const evil = "../../../../../tmp/evilrun";
    const tools: [string, Record<string, unknown>][] = [
      ["stop_run", { runId: evil, confirm: true }],
      ["resume_run", { runId: evil }],
      ["tail_logs", { runId: evil }],
      ["diagnose_error", { runId: evil }],
      ["apply_fix", { runId: evil }],
      ["export_scheduler_job", { runId: evil }],
    ];
    for (const [name, args] of tools) {
      const r = await call(server, name, args);
      expect(r.outcome, `${name}: ${r.text}`).toBe("validation");
      expect(r.text).toMatch(/runId/);
    }
    const ro = await call(readOnly, "tail_logs", { runId: evil });
    expect(ro.outcome).toBe("validation");
  }, 120_000);

  it("does not signal an unrelated process a forged record names", async () => {
    const r = await call(server, "stop_run", { runId: "run-20260101-000000-aaaa", host: "box", confirm: true });
    // The pid is not this run's process, so the run counts as ended: nothing is signalled, the record is unchanged.
    expect(r.text).toMatch(/had already ended|reused|not this run's process/);
    expect(r.text).toMatch(/nothing to stop|refused|reused|not this run.s process/);
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(victim.pid!)).toBe(true);
  }, 60_000);

  it("plans no kill for a record with pid 1, and the stop script for pid 1 holds no kill", async () => {
    const r = await call(server, "stop_run", { runId: "run-20260101-000000-0001", host: "box" });
    expect(r.outcome).toBe("ok");
    // A record naming pid 1 is never a live run of ours: no node is planned and nothing would be signalled.
    expect(r.text).toMatch(/had already ended|pid 1: refused/);
    expect(r.text).toMatch(/nothing to stop|refused|reused|not this run.s process/);
    expect(r.text).not.toMatch(/kill -TERM -- -1/);
    expect(stopScript(1, null, 5)).not.toMatch(/kill/);
    expect(stopScript(0, null, 5)).not.toMatch(/kill/);
  }, 60_000);

  it("reads no /etc/shadow through a record's log file, a symlinked record, or a read-only server's logFile", async () => {
    for (const runId of ["run-20260101-000000-5ad0", "run-20260101-000000-beef"]) {
      const r = await call(readOnly, "tail_logs", { runId });
      expect(r.outcome, r.text).toBe("tool-error");
      expect(r.text).not.toMatch(/root:/);
    }
    const direct = await call(readOnly, "tail_logs", { host: "box", logFile: "/etc/shadow" });
    expect(direct.outcome).toBe("tool-error");
    expect(direct.text).toMatch(/readableDirs/);
    const diagnose = await call(readOnly, "diagnose_error", { host: "box", logFile: "/etc/shadow" });
    expect(diagnose.outcome).toBe("tool-error");
    expect(diagnose.text).not.toMatch(/root:/);
  }, 60_000);
});
