// dir/.sim/state.json: what the simulated host is (scenario, chips, versions) and which processes it started.
import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReleaseTag } from "../knowledge/release-tags.js";
import type { ScenarioId } from "./scenarios.js";

export interface SimProcess {
  pid: number;
  role: "npu-holder" | "port-listener";
}

export interface SimHolder {
  pid: number;
  ppid?: number;
  npus: number[];
  memMB: number;
  kind: string;
  name: string;
  startedAt: number;
}

export interface SimState {
  version: 1;
  simulated: true;
  name: string;
  scenario: ScenarioId;
  release: ReleaseTag;
  chip: string;
  npuCount: number;
  hbmTotalMB: number;
  hbmIdleMB: number;
  driver: string;
  arch: string;
  masterPort: number;
  failAtIteration: number;
  versions: Record<string, string>;
  cannHome: string;
  owner?: { uid: number; gid: number };
  processes: SimProcess[];
  mirrors: { mindspeedCommits: Record<string, string> };
  createdAt: string;
}

export function statePath(dir: string): string {
  return join(dir, ".sim", "state.json");
}

export async function writeState(dir: string, state: SimState): Promise<void> {
  const tmp = `${statePath(dir)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, statePath(dir));
}

export async function loadState(dir: string): Promise<SimState> {
  if (!existsSync(statePath(dir))) throw new Error(`${dir} is not a simulated Ascend host (no .sim/state.json).`);
  return JSON.parse(await readFile(statePath(dir), "utf8")) as SimState;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // The state letter after the command name: a zombie has exited already.
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** NPU holders registered under .sim/holders whose process is still alive. */
export async function liveHolders(dir: string): Promise<SimHolder[]> {
  const hdir = join(dir, ".sim", "holders");
  if (!existsSync(hdir)) return [];
  const out: SimHolder[] = [];
  for (const name of await readdir(hdir)) {
    if (!name.endsWith(".json")) continue;
    try {
      const h = JSON.parse(await readFile(join(hdir, name), "utf8")) as SimHolder;
      if (pidAlive(h.pid)) out.push(h);
    } catch {
      // A holder being rewritten right now; the next read sees it.
    }
  }
  return out;
}
