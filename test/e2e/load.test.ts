// Load through one MCP server: 50 concurrent tool calls across 5 hosts over SSH are all answered over at most one
// connection per host (counted in a private sshd's log and in the server's own sockets) with bounded memory; a
// follow of a log that grows through "30 minutes" of training, compressed into ~20 s, keeps the server's memory flat.
import { appendFileSync, chownSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canBuildSimHost } from "../helpers/prereqs.js";
import {
  connectionsTo,
  iterationLines,
  memoryOf,
  type PrivateSshd,
  type ServerHandle,
  startPrivateSshd,
  startServer,
} from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const shared = readSshTestEnv();
const HOSTS = ["n1", "n2", "n3", "n4", "n5"];

describe.skipIf(!shared || !canBuildSimHost)("one server under load over SSH", () => {
  let sshd: PrivateSshd;
  let sim: SshSim;
  let server: ServerHandle;
  let log: string;
  let uid = 0;

  beforeAll(async () => {
    const started = await startPrivateSshd();
    // The shared sshd runs (else this describe is skipped), so a private one must start too.
    if (!started) throw new Error("a private sshd did not start");
    sshd = started;
    sim = await sshSim(sshd.env, "load");
    uid = Number((await import("node:child_process")).execFileSync("id", ["-u", sshd.env.user]).toString());
    log = join(sim.settings.workdir!, "logs", "load.log");
    writeFileSync(log, iterationLines(1, 200, 1800));
    chownSync(log, uid, uid);
    // Five inventory entries reaching the same simulated host: five executors, five connections at most.
    const inventory = writeInventory(Object.fromEntries(HOSTS.map((h) => [h, sim.settings])));
    server = await startServer({ ASCEND_TRAIN_CONFIG: inventory });
  }, 120_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (sim) await stopSims([sim]);
    sshd?.stop();
    if (sshd) rmSync(sshd.dir, { recursive: true, force: true });
  });

  it("answers 50 concurrent calls across 5 hosts over at most 5 SSH connections", async () => {
    const acceptedBefore = sshd.accepted();
    const ports = new Set<number>();
    let peakConnections = 0;
    const sampler = setInterval(() => {
      const now = connectionsTo(server.pid, sshd!.env.port);
      peakConnections = Math.max(peakConnections, now.length);
      for (const p of now) ports.add(p);
    }, 50);
    const calls = Array.from({ length: 50 }, (_, i) => {
      const host = HOSTS[i % HOSTS.length]!;
      const [name, args] =
        i % 5 === 0
          ? ["check_env", { host }]
          : i % 5 < 3
            ? ["tail_logs", { host, logFile: log, lines: 20, chart: false }]
            : ["list_hosts", {}];
      return server.client
        .callTool({ name: name as string, arguments: args }, undefined, { timeout: 180_000 })
        .then((res) => ({ name, res }));
    });
    const started = Date.now();
    const answers = await Promise.all(calls);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    for (const p of connectionsTo(server.pid, sshd.env.port)) ports.add(p);
    const opened = sshd.accepted() - acceptedBefore;
    const mem = memoryOf(server.pid);
    const failed = answers.filter((a) => a.res.isError).map((a) => `${a.name}: ${JSON.stringify(a.res.content)}`);
    console.log(
      `[load] 50 concurrent calls (10 check_env, 20 tail_logs, 20 list_hosts) over ${HOSTS.length} hosts in ${seconds.toFixed(1)} s; ` +
        `${opened} SSH connections opened (${ports.size} seen from the server, at most ${peakConnections} at once); ` +
        `server peak RSS ${mem.hwmMb.toFixed(0)} MiB`,
    );
    expect(failed).toEqual([]);
    expect(answers).toHaveLength(50);
    const hostsAnswered = new Set(
      answers
        .filter((a) => a.name === "tail_logs")
        .map((a) => (a.res.structuredContent as { latest: { iteration: number } }).latest.iteration),
    );
    expect(hostsAnswered).toEqual(new Set([200]));
    expect(opened).toBeLessThanOrEqual(HOSTS.length);
    expect(ports.size).toBeLessThanOrEqual(HOSTS.length);
    expect(ports.size).toBeGreaterThan(0);
    expect(mem.hwmMb).toBeLessThan(768);
  }, 240_000);

  it("follows a log through 30 compressed minutes of training with flat memory", async () => {
    // 1800 one-second iterations (30 minutes of log time), appended in ~20 s of real time.
    const total = 1800;
    let next = 201;
    const writer = setInterval(() => {
      const upto = Math.min(total, next + 9);
      if (next <= upto) appendFileSync(log, iterationLines(next, upto, total));
      next = upto + 1;
    }, 110);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(memoryOf(server.pid).rssMb), 250);
    let progressEvents = 0;
    let lastProgress = 0;
    const res = await server.client.callTool(
      { name: "tail_logs", arguments: { host: "n1", logFile: log, followSeconds: 24, lines: 10, chart: false } },
      undefined,
      {
        timeout: 90_000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => {
          progressEvents++;
          expect(p.progress).toBeGreaterThanOrEqual(lastProgress);
          lastProgress = p.progress;
        },
      },
    );
    clearInterval(writer);
    clearInterval(sampler);
    expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
    const latest = (res.structuredContent as { latest: { iteration: number } }).latest.iteration;
    // The first samples include the call's own start-up; growth is measured after it, as the rise from the settled
    // start to the end (the median of each quarter of the samples), so that a collection's passing peak is not a leak
    // while a footprint that keeps what it read is.
    const settled = samples.slice(4);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const quarter = Math.max(1, Math.floor(settled.length / 4));
    const growth = median(settled.slice(-quarter)) - median(settled.slice(0, quarter));
    console.log(
      `[load] follow: ${next - 201} iterations appended over ${samples.length / 4} s, latest seen ${latest}, ` +
        `${progressEvents} progress notifications, server RSS ${Math.min(...settled).toFixed(0)}–${Math.max(...settled).toFixed(0)} MiB (growth from the first quarter to the last ${growth.toFixed(1)} MiB)`,
    );
    expect(latest).toBeGreaterThan(1500);
    expect(progressEvents).toBeGreaterThan(10);
    expect(growth).toBeLessThan(64);
  }, 120_000);
});
