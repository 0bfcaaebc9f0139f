// Simulated Ascend hosts for end-to-end tests: laid out locally, owned by the sshd test user, reached over SSH.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { layOutSim, type ScenarioId, stopSimProcesses } from "../../src/sim/index.js";
import { freePort } from "./free-port.js";
import { readSshTestEnv, type SshTestEnv, sshHostSettings } from "./ssh-env.js";

export interface SshSim {
  name: string;
  dir: string;
  settings: HostSettings;
}

function ownerOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", user]).toString().trim());
  return { uid, gid };
}

/**
 * A sim laid out under a fresh directory the SSH test user owns, with host settings that reach it over SSH, and a
 * MASTER_PORT of its own so that its runs never meet another suite's on the default 6000.
 */
export async function sshSim(
  env: SshTestEnv,
  name: string,
  scenario: ScenarioId = "healthy",
  extraEnv: Record<string, string> = {},
): Promise<SshSim> {
  const base = mkdtempSync(join(tmpdir(), `sim-${name}-`));
  chmodSync(base, 0o755);
  const dir = join(base, "host");
  const laid = await layOutSim(dir, { scenario, name, owner: ownerOf(env.user), masterPort: await freePort() });
  const settings = sshHostSettings(env, {
    ...laid.hostSettings,
    env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.05", ...extraEnv },
  });
  return { name, dir, settings };
}

/** Writes an inventory file holding the given hosts; returns its path (for ASCEND_TRAIN_CONFIG). */
export function writeInventory(hosts: Record<string, HostSettings>): string {
  const dir = mkdtempSync(join(tmpdir(), "inv-"));
  const file = join(dir, "ascend-train.yaml");
  writeFileSync(file, stringify({ hosts }));
  return file;
}

export async function stopSims(sims: SshSim[]): Promise<void> {
  await Promise.all(sims.map((s) => stopSimProcesses(s.dir).catch(() => undefined)));
}

export { readSshTestEnv };
