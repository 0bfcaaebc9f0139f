// Watching a running MCP server from outside: its memory (/proc), its SSH connections (sockets to the sshd port and
// the sshd process serving each), a private loopback sshd whose log counts only our connections, and snapshots of a
// directory tree to prove nothing changed.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { layOutSim } from "../../src/sim/index.js";
import { freePort } from "./free-port.js";
import { addTrainingInputs } from "./local-sim.js";
import { CLI } from "./mcp.js";
import type { SshSim } from "./sim-host.js";
import { type SshTestEnv, sshHostSettings } from "./ssh-env.js";

export interface ServerHandle {
  client: Client;
  pid: number;
  stderr: () => string;
  close: () => Promise<void>;
}

/** One `ascend-train mcp` process over stdio, from the sources (the checkout may hold a stale build). */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<ServerHandle> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", ...args],
    env: { ...getDefaultEnvironment(), ASCEND_TRAIN_FROM_SOURCE: "1", ...env },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
    if (err.length > 200_000) err = err.slice(-100_000);
  });
  const client = new Client({ name: "ascend-train-tests", version: "1.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (!pid) throw new Error("server process has no pid");
  return { client, pid, stderr: () => err, close: () => client.close() };
}

/** VmRSS / VmHWM of a process in MiB. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

interface TcpRow {
  localPort: number;
  remotePort: number;
  inode: string;
  established: boolean;
}

function tcpRows(): TcpRow[] {
  const rows: TcpRow[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      rows.push({
        localPort: Number.parseInt(cols[1]!.split(":")[1]!, 16),
        remotePort: Number.parseInt(cols[2]!.split(":")[1]!, 16),
        established: cols[3] === "01",
        inode: cols[9]!,
      });
    }
  }
  return rows;
}

/** Local ports of the process's established TCP connections to `port` (one per SSH connection). */
export function connectionsTo(pid: number, port: number): number[] {
  const mine = socketInodes(pid);
  return tcpRows()
    .filter((r) => r.established && r.remotePort === port && mine.has(r.inode))
    .map((r) => r.localPort);
}

/** The sshd processes serving a client connection from `clientPort` (they hold the server side of the socket). */
export function sshdServing(sshdPort: number, clientPort: number): number[] {
  const inodes = new Set(
    tcpRows()
      .filter((r) => r.localPort === sshdPort && r.remotePort === clientPort)
      .map((r) => r.inode),
  );
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("sshd")) continue;
    } catch {
      continue;
    }
    for (const inode of socketInodes(pid)) if (inodes.has(inode)) pids.push(pid);
  }
  return [...new Set(pids)];
}

export interface PrivateSshd {
  env: SshTestEnv;
  dir: string;
  log: () => string;
  /** "Accepted publickey" lines so far: one per SSH connection opened. */
  accepted: () => number;
  /** "Starting session: command" lines so far, per client port: one per command (channel) run. */
  sessionsByPort: () => Map<number, number>;
  stop: () => void;
}

export { freePort };

const SSHD_SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "sshd.sh");

/**
 * A loopback sshd of our own (same script and user as the shared one, its own port, keys and log), so that counting
 * connections and cutting them never touches other tests. Null when sshd cannot start here.
 */
export async function startPrivateSshd(): Promise<PrivateSshd | null> {
  const dir = `/tmp/ascend-train-sshd-${randomBytes(4).toString("hex")}`;
  const port = await freePort();
  const env = { ...process.env, SSHD_TEST_DIR: dir, SSHD_TEST_PORT: String(port) };
  try {
    execFileSync("bash", [SSHD_SCRIPT, "start"], { env, stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    if (process.env.CI === "true") throw error;
    return null;
  }
  const vars = Object.fromEntries(
    readFileSync(join(dir, "env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const log = () => (existsSync(join(dir, "sshd.log")) ? readFileSync(join(dir, "sshd.log"), "utf8") : "");
  return {
    dir,
    env: {
      host: vars.SSH_TEST_HOST!,
      port: Number(vars.SSH_TEST_PORT),
      user: vars.SSH_TEST_USER!,
      key: vars.SSH_TEST_KEY!,
      knownHosts: vars.SSH_TEST_KNOWN_HOSTS!,
      hostKeyPub: vars.SSH_TEST_HOSTKEY_PUB!,
    },
    log,
    accepted: () => (log().match(/Accepted publickey for /g) ?? []).length,
    sessionsByPort: () => {
      const counts = new Map<number, number>();
      for (const m of log().matchAll(/Starting session: command for \S+ from \S+ port (\d+)/g)) {
        const p = Number(m[1]);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
      return counts;
    },
    stop: () => execFileSync("bash", [SSHD_SCRIPT, "stop"], { env, stdio: "ignore" }),
  };
}

/** path -> type, mode, size and content hash (or link target) of every entry under dir; skips bytecode caches. */
export function snapshotTree(dir: string, skip: RegExp = /(^|\/)__pycache__(\/|$)/): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = rel ? join(dir, rel) : dir;
    for (const name of readdirSync(abs)) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip.test(r)) continue;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out.set(r, `link ${readlinkSync(join(dir, r))}`);
      else if (st.isDirectory()) {
        out.set(r, `dir ${st.mode.toString(8)}`);
        walk(r);
      } else {
        const hash = createHash("sha256")
          .update(readFileSync(join(dir, r)))
          .digest("hex")
          .slice(0, 16);
        out.set(r, `file ${st.mode.toString(8)} ${st.size} ${hash}`);
      }
    }
  };
  walk("");
  return out;
}

/** Entries added, removed or changed between two snapshots. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p)) changes.push(`+ ${p}`);
    else if (before.get(p) !== v) changes.push(`~ ${p}`);
  }
  for (const p of before.keys()) if (!after.has(p)) changes.push(`- ${p}`);
  return changes;
}

/** Processes of a user whose command line mentions `needle` (pid and command). */
export function processesMentioning(user: string, needle: string): string[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-u", user, "-o", "pid=,stat=,args="], { encoding: "utf8" });
  } catch {
    return [];
  }
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.includes(needle) && !/^\d+\s+Z/.test(l));
}

/** Megatron-style iteration lines `from..to` of `total`, stamped one second apart from a fixed start. */
export function iterationLines(from: number, to: number, total: number, startMs = Date.UTC(2026, 0, 1)): string {
  const lines: string[] = [];
  for (let i = from; i <= to; i++) {
    const t = new Date(startMs + i * 1000).toISOString().replace("T", " ").slice(0, 19);
    const loss = (2 / Math.sqrt(i)).toExponential(6).toUpperCase();
    lines.push(
      ` [${t}] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${String(i * 64).padStart(12)} | elapsed time per iteration (ms): 1000.0 | learning rate: 1.000000E-05 | global batch size:    64 | loss: ${loss} | loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A simulated host that can train qwen2.5vl-3b (fake HF weights, one dataset record, converted TP1/PP1 weights), owned
 * by the SSH user and reached over SSH.
 */
export async function trainableSim(env: SshTestEnv, name: string, stepSeconds = "0.2"): Promise<SshSim> {
  const base = mkdtempSync(join(tmpdir(), `sim-${name}-`));
  chmodSync(base, 0o755);
  const dir = join(base, "host");
  const uid = Number(execFileSync("id", ["-u", env.user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", env.user]).toString().trim());
  const laid = await layOutSim(dir, { scenario: "healthy", name, owner: { uid, gid } });
  await addTrainingInputs(laid.hostSettings.workdir!);
  execFileSync("chown", ["-R", `${uid}:${gid}`, dir]);
  const settings = sshHostSettings(env, {
    ...laid.hostSettings,
    env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: stepSeconds },
  });
  return { name, dir, settings };
}

/** build_configs arguments for a qwen2.5vl-3b run on a trainable sim, written under <workdir>/configs/<tag>. */
export function trainConfigArgs(sim: SshSim, tag: string, trainIters = 400): Record<string, unknown> {
  const wd = sim.settings.workdir!;
  return {
    model: "qwen2.5vl-3b",
    host: sim.name,
    outputDir: join(wd, "configs", tag),
    hfDir: join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
    ckptDir: join(wd, "ckpt/mm/qwen2.5vl-3b"),
    saveDir: join(wd, "save", tag),
    dataset: join(wd, "data/train.json"),
    trainIters,
  };
}
