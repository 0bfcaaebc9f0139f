// Real background processes of the failure scenarios (a foreign NPU holder, a MASTER_PORT squatter) and their end.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { simFile } from "./files.js";
import { liveHolders, pidAlive, type SimProcess } from "./state.js";

const HOLDER_PY = simFile("npu_holder.py");

const LISTENER_PY = simFile("port_listener.py");

function detached(python: string, code: string, args: string[], owner?: { uid: number; gid: number }): number {
  const child = spawn(python, ["-c", code, ...args], {
    detached: true,
    stdio: "ignore",
    ...(owner && process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  child.unref();
  if (!child.pid) throw new Error(`Could not start ${python} for the simulated host.`);
  return child.pid;
}

export async function startNpuHolder(
  dir: string,
  python: string,
  npuCount: number,
  owner?: { uid: number; gid: number },
): Promise<SimProcess> {
  const pid = detached(python, HOLDER_PY, [dir, String(npuCount), "61245"], owner);
  for (let i = 0; i < 100 && !existsSync(join(dir, ".sim", "holders", `${pid}.json`)); i++) await sleep(30);
  return { pid, role: "npu-holder" };
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: "127.0.0.1", port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

export async function startPortListener(
  python: string,
  port: number,
  owner?: { uid: number; gid: number },
): Promise<SimProcess> {
  const pid = detached(python, LISTENER_PY, [String(port)], owner);
  for (let i = 0; i < 100 && !(await portTaken(port)); i++) await sleep(30);
  return { pid, role: "port-listener" };
}

function launcherOf(ppid: number | undefined): number | null {
  if (!ppid || ppid <= 1) return null;
  try {
    const cmd = readFileSync(`/proc/${ppid}/cmdline`, "utf8");
    return /torchrun|torch\.distributed\.run/.test(cmd) ? ppid : null;
  } catch {
    return null;
  }
}

/** Ends the given processes plus every registered NPU holder (training runs and their torchrun). */
export async function stopProcesses(dir: string, started: readonly SimProcess[]): Promise<number[]> {
  const pids = new Set<number>(started.map((p) => p.pid));
  for (const h of await liveHolders(dir)) {
    pids.add(h.pid);
    const launcher = launcherOf(h.ppid);
    if (launcher) pids.add(launcher);
  }
  const alive = [...pids].filter(pidAlive);
  for (const pid of alive) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
  for (let i = 0; i < 40 && alive.some(pidAlive); i++) await sleep(25);
  for (const pid of alive.filter(pidAlive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  return alive;
}
