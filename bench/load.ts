// Load: 50 tool calls across 5 simulated hosts over SSH through one MCP server, issued at once, against the same calls
// issued one after another through one server, and against 50 fresh `ssh host true` (what a script would pay just to
// connect). Reports the ratio, the SSH connections the server opened and its peak memory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { stringify } from "yaml";
import { layOutSim, stopSimProcesses } from "../src/sim/index.js";
import { median, peakRssOf, ratioResult } from "./measure.js";
import { benchSsh } from "./ssh-env.js";
import type { BenchResult } from "./types.js";

const ROOT = join(import.meta.dirname, "..");
const HOSTS = ["l1", "l2", "l3", "l4", "l5"];
const REPS = 3;

/** Local ports of the process's established TCP connections to `port`. */
function connectionsTo(pid: number, port: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports: number[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length < 10 || c[3] !== "01" || !inodes.has(c[9]!)) continue;
      if (Number.parseInt(c[2]!.split(":")[1]!, 16) === port) ports.push(Number.parseInt(c[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

function callsFor(log: string): [string, Record<string, unknown>][] {
  return Array.from({ length: 50 }, (_, i) => {
    const host = HOSTS[i % HOSTS.length]!;
    if (i % 5 === 0) return ["check_env", { host }];
    if (i % 5 < 3) return ["tail_logs", { host, logFile: log, lines: 20, chart: false }];
    return ["list_hosts", {}];
  });
}

async function withServer<T>(inventory: string, fn: (client: Client, pid: number) => Promise<T>): Promise<T> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, "bin", "ascend-train.js"), "mcp"],
    env: { ...getDefaultEnvironment(), ASCEND_TRAIN_CONFIG: inventory },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  try {
    return await fn(client, transport.pid!);
  } finally {
    await client.close();
  }
}

async function run(client: Client, calls: [string, Record<string, unknown>][], concurrent: boolean) {
  const one = async ([name, args]: [string, Record<string, unknown>]) => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 300_000 });
    if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  };
  const started = performance.now();
  if (concurrent) await Promise.all(calls.map(one));
  else for (const c of calls) await one(c);
  return performance.now() - started;
}

export async function benchLoad(): Promise<BenchResult[]> {
  const ssh = benchSsh();
  if (!ssh) throw new Error("no loopback sshd: run `bash scripts/sshd.sh start` first");
  const base = mkdtempSync(join(tmpdir(), "bench-load-"));
  execFileSync("chmod", ["755", base]);
  const dir = join(base, "host");
  const uid = Number(execFileSync("id", ["-u", ssh.user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", ssh.user]).toString().trim());
  try {
    const sim = await layOutSim(dir, { scenario: "healthy", name: "bench-load", owner: { uid, gid } });
    const log = join(sim.hostSettings.workdir!, "logs", "bench.log");
    const lines = Array.from(
      { length: 2000 },
      (_, i) =>
        ` [2026-01-01 00:00:00] iteration ${String(i + 1).padStart(8)}/    5000 | consumed samples: ${(i + 1) * 64} | elapsed time per iteration (ms): 1000.0 | learning rate: 1.000000E-05 | global batch size:    64 | loss: 1.000000E+00 | loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |`,
    );
    writeFileSync(log, `${lines.join("\n")}\n`);
    execFileSync("chown", [`${uid}:${gid}`, log]);
    const settings = ssh.settings({ ...sim.hostSettings });
    const inventory = join(base, "ascend-train.yaml");
    writeFileSync(inventory, stringify({ hosts: Object.fromEntries(HOSTS.map((h) => [h, settings])) }));
    const port = Number(/:(\d+)$/.exec(settings.ssh!)?.[1]);
    const calls = callsFor(log);

    const concurrent: number[] = [];
    const sequential: number[] = [];
    const freshSsh: number[] = [];
    const opened: number[] = [];
    let peak: number | null = null;
    let seqPeak: number | null = null;
    for (let rep = 0; rep < REPS; rep++) {
      await withServer(inventory, async (client, pid) => {
        const ports = new Set<number>();
        const sampler = setInterval(() => {
          for (const p of connectionsTo(pid, port)) ports.add(p);
        }, 50);
        concurrent.push(await run(client, calls, true));
        clearInterval(sampler);
        for (const p of connectionsTo(pid, port)) ports.add(p);
        opened.push(ports.size);
        peak = Math.max(peak ?? 0, peakRssOf(pid) ?? 0);
      });
      await withServer(inventory, async (client, pid) => {
        sequential.push(await run(client, calls, false));
        seqPeak = Math.max(seqPeak ?? 0, peakRssOf(pid) ?? 0);
      });
      const started = performance.now();
      await Promise.all(Array.from({ length: 50 }, () => ssh.run(["true"])));
      freshSsh.push(performance.now() - started);
    }
    const note =
      `50 calls (10 check_env, 20 tail_logs, 20 list_hosts) over ${HOSTS.length} hosts; ` +
      `SSH connections opened by the server per run: ${opened.join(", ")} (median ${median(opened)})`;
    return [
      ratioResult({
        name: "50 concurrent calls vs the same calls one after another (one server each)",
        ours: concurrent,
        base: sequential,
        peakRssMb: peak,
        baselinePeakRssMb: seqPeak,
        goal: "ratio < 1 (calls overlap); connections <= 5",
        maxRatio: 0.99,
        checks: [{ what: `connections opened ${Math.max(...opened)} > 5`, ok: Math.max(...opened) <= 5 }],
        note,
      }),
      ratioResult({
        name: "50 concurrent tool calls vs 50 concurrent fresh `ssh host true`",
        ours: concurrent,
        base: freshSsh,
        peakRssMb: peak,
        goal: "ratio <= 3 (real work over 5 reused connections vs bare connects)",
        maxRatio: 3,
        note,
      }),
    ];
  } finally {
    await stopSimProcesses(dir).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  }
}
