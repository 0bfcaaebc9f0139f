// Faults injected under one MCP server talking SSH to simulated hosts (on a private sshd, so cutting connections
// touches no other test): the SSH connection cut during a long follow, during check_env and during a launch; the
// disk filling up under build_configs; a log truncated under a follow. Each call ends with a result or a clean error
// (never an internal one, never a hang), the next call reports the true state, and a summary lists the outcomes.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopSimProcesses } from "../../src/sim/index.js";
import { classifyResult } from "../helpers/canary.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import {
  connectionsTo,
  freePort,
  iterationLines,
  type PrivateSshd,
  type ServerHandle,
  sshdServing,
  startPrivateSshd,
  startServer,
  trainableSim,
  trainConfigArgs,
} from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, writeInventory } from "../helpers/sim-host.js";

const shared = readSshTestEnv();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!shared || !canBuildSimHost)("faults under one server over SSH", () => {
  let sshd: PrivateSshd;
  let sim: SshSim;
  let server: ServerHandle;
  let uid = 0;
  let mounted: string | null = null;
  const summary: string[] = [];

  async function call(name: string, args: Record<string, unknown>, timeout = 90_000) {
    const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout });
    return { ...classifyResult(res), structured: res.structuredContent as Record<string, unknown> | undefined };
  }

  /** Kills the sshd processes serving this server's connections: the network drop, seen from the host side. */
  function cutConnections(): number {
    let killed = 0;
    for (const port of connectionsTo(server.pid, sshd!.env.port)) {
      for (const pid of sshdServing(sshd!.env.port, port)) {
        try {
          process.kill(pid, "SIGKILL");
          killed++;
        } catch {
          // Gone already.
        }
      }
    }
    return killed;
  }

  function ownedFile(path: string, text: string) {
    writeFileSync(path, text);
    chownSync(path, uid, uid);
  }

  beforeAll(async () => {
    const started = await startPrivateSshd();
    // The shared sshd runs (else this describe is skipped), so a private one must start too.
    if (!started) throw new Error("a private sshd did not start");
    sshd = started;
    uid = Number(execFileSync("id", ["-u", sshd.env.user]).toString());
    sim = await trainableSim(sshd.env, "faulty");
    server = await startServer({ ASCEND_TRAIN_CONFIG: writeInventory({ faulty: sim.settings }) });
  }, 180_000);

  afterAll(async () => {
    if (summary.length > 0) console.log(`[faults] ${summary.length} faults injected:\n  ${summary.join("\n  ")}`);
    await server?.close().catch(() => undefined);
    if (mounted) spawnSync("umount", ["-l", mounted]);
    if (sim) await stopSimProcesses(sim.dir).catch(() => undefined);
    sshd?.stop();
    if (sshd) rmSync(sshd.dir, { recursive: true, force: true });
  });

  it("cut during a long follow: the call ends cleanly and the next call sees the true last iteration", async () => {
    const log = join(sim.settings.workdir!, "logs", "cut.log");
    ownedFile(log, iterationLines(1, 10, 1000));
    let next = 11;
    const writer = setInterval(() => {
      if (next > 400) return;
      appendFileSync(log, iterationLines(next, next + 4, 1000));
      next += 5;
    }, 50);
    const pending = call("tail_logs", { host: "faulty", logFile: log, followSeconds: 8, chart: false });
    await sleep(2500);
    const killed = cutConnections();
    expect(killed).toBeGreaterThan(0);
    const during = await pending;
    while (next <= 400) await sleep(100);
    clearInterval(writer);
    const after = await call("tail_logs", { host: "faulty", logFile: log, lines: 5, chart: false });
    expect(during.outcome, during.text).not.toMatch(/internal|protocol/);
    expect(after.outcome, after.text).toBe("ok");
    expect((after.structured!.latest as { iteration: number }).iteration).toBe(400);
    summary.push(
      `SSH cut during tail_logs follow (${killed} sshd processes killed): in-flight call → ${during.outcome}` +
        `${during.outcome === "ok" ? ` (reconnected, saw iteration ${(during.structured!.latest as { iteration: number }).iteration})` : ` "${during.text.slice(0, 80)}"`}; next call → iteration 400 of 400 written`,
    );
  }, 60_000);

  it("cut during check_env: a clean outcome, and the next check_env answers", async () => {
    await call("list_hosts", {});
    const pending = call("check_env", { host: "faulty" });
    await sleep(400);
    const killed = cutConnections();
    const during = await pending;
    const after = await call("check_env", { host: "faulty" });
    expect(during.outcome, during.text).not.toMatch(/internal|protocol/);
    expect(after.outcome, after.text).toBe("ok");
    expect(after.structured!.findings).toBeDefined();
    summary.push(
      `SSH cut during check_env (${killed} killed): in-flight call → ${during.outcome}; next check_env → ok`,
    );
  }, 60_000);

  it("cut during launch_train: the run outlives the connection and list_runs reports it running", async () => {
    const built = await call("build_configs", { ...trainConfigArgs(sim, "cut"), host: "faulty" });
    expect(built.outcome, built.text).toBe("ok");
    const script = (built.structured!.files as { role: string; path: string }[]).find(
      (f) => f.role === "launch-script",
    )!.path;
    const pending = call("launch_train", {
      host: "faulty",
      script,
      masterPort: await freePort(),
      settleSeconds: 4,
      confirm: true,
    });
    // Cut while the launch settles (the run has started by then, or is about to).
    await sleep(2500);
    const killed = cutConnections();
    const during = await pending;
    expect(during.outcome, during.text).not.toMatch(/internal|protocol/);
    const runs = await call("list_runs", { host: "faulty" });
    expect(runs.outcome, runs.text).toBe("ok");
    const list = runs.structured!.runs as { runId: string; state: string }[];
    let outcome: string;
    if (during.outcome === "ok" && during.structured!.started) {
      const run = list.find((r) => r.runId === during.structured!.runId);
      expect(run?.state).toMatch(/running|starting/);
      outcome = `started ${run!.runId}; list_runs after the cut → ${run!.state}`;
      await call("stop_run", { runId: run!.runId, confirm: true, graceSeconds: 3 });
    } else {
      // The launch itself was cut: whatever the ledger holds is reported, and nothing claims to run unseen.
      const live = list.filter((r) => /running|starting/.test(r.state));
      outcome = `in-flight launch → ${during.outcome} "${during.text.slice(0, 80)}"; list_runs → ${live.length} running`;
      for (const r of live) await call("stop_run", { runId: r.runId, confirm: true, graceSeconds: 3 });
    }
    summary.push(`SSH cut during launch_train (${killed} killed): ${outcome}`);
  }, 90_000);

  it("disk full under build_configs: a clear error and no half-written config", async () => {
    const dir = join(sim.dir, "full");
    mkdirSync(dir);
    const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=64k,uid=${uid},gid=${uid},mode=0755`, "tmpfs", dir]);
    if (mount.status !== 0) {
      summary.push(`disk full under build_configs: not run (mount -t tmpfs not permitted: ${mount.stderr})`);
      console.warn("[faults] mount -t tmpfs is not permitted here; the disk-full fault was not injected");
      return;
    }
    mounted = dir;
    // What a complete set looks like, written where there is room.
    const ref = await call("build_configs", { ...trainConfigArgs(sim, "ref"), host: "faulty" });
    expect(ref.outcome, ref.text).toBe("ok");
    const refFiles = (ref.structured!.files as { path: string }[]).map((f) => f.path);
    const reference = new Map(refFiles.map((p) => [p.split("/").pop()!, readFileSync(p, "utf8")]));
    // Fill all but one 4 KiB page: less room than the set needs, so the writes start and then one fails.
    const needed = [...reference.values()].reduce((sum, t) => sum + Math.ceil(Buffer.byteLength(t) / 4096) * 4096, 0);
    execFileSync("dd", ["if=/dev/zero", `of=${join(dir, "filler")}`, "bs=4096", "count=15"], { stdio: "ignore" });
    const avail = Number(
      execFileSync("df", ["-B1", "--output=avail", dir], { encoding: "utf8" }).trim().split("\n").pop(),
    );
    expect(avail).toBeLessThan(needed);
    const out = join(dir, "cfg");
    const r = await call("build_configs", { ...trainConfigArgs(sim, "ref"), host: "faulty", outputDir: out });
    expect(r.outcome, r.text).toBe("tool-error");
    expect(r.text).toMatch(/No space left|ENOSPC|space/i);
    const left = readdirSync(out, { withFileTypes: true }).map((d) => d.name);
    expect(left.filter((n) => n.startsWith(".ascend-train."))).toEqual([]);
    for (const name of left) expect(readFileSync(join(out, name), "utf8"), name).toBe(reference.get(name));
    summary.push(
      `disk full under build_configs (64 KiB tmpfs, one 4 KiB page free): tool error "${r.text.split("\n")[0]!.slice(0, 90)}"; ` +
        `${left.length} complete file(s), no partial or temporary file`,
    );
  }, 60_000);

  it("a log truncated under a follow: reading restarts and the result says so", async () => {
    const log = join(sim.settings.workdir!, "logs", "rotate.log");
    ownedFile(log, iterationLines(1, 300, 1000));
    const pending = call("tail_logs", { host: "faulty", logFile: log, followSeconds: 5, chart: false });
    await sleep(2000);
    // Truncated in place, then a new run writes from iteration 1.
    writeFileSync(log, "");
    await sleep(300);
    appendFileSync(log, iterationLines(1, 12, 1000));
    const r = await pending;
    expect(r.outcome, r.text).toBe("ok");
    const notes = (r.structured!.notes as string[] | undefined) ?? [];
    expect(notes.join(" ")).toMatch(/truncated|replaced|restarted/);
    expect((r.structured!.latest as { iteration: number }).iteration).toBe(12);
    summary.push(`log truncated under tail_logs follow: ok, "${notes.find((n) => /truncat|restart/.test(n))}"`);
  }, 30_000);
});
