// scripts/slurm.sh on a cluster of its own (a private directory and ports, /etc/slurm left alone): starting it again
// after the controller died, or after munged's pid file was lost, leaves exactly one munged for its socket, and stop
// ends it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/server-probe.js";

const SLURM_SH = join(import.meta.dirname, "..", "..", "scripts", "slurm.sh");
const HAS_SLURM =
  spawnSync("sh", ["-c", "command -v sbatch && command -v slurmctld && command -v munged"], { stdio: "ignore" })
    .status === 0;
const dir = join(mkdtempSync(join(tmpdir(), "slurm-script-")), "cluster");

async function scriptEnv(): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    SLURM_TEST_DIR: dir,
    SLURM_TEST_CTLD_PORT: String(await freePort()),
    SLURM_TEST_SLURMD_PORT: String(await freePort()),
    SLURM_TEST_LINK_ETC: "0",
  };
}

function slurmSh(env: NodeJS.ProcessEnv, command: string) {
  const r = spawnSync("bash", [SLURM_SH, command], { env, encoding: "utf8", timeout: 90_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The munged processes serving this cluster's socket. */
function mungedCount(): number {
  const r = spawnSync("pgrep", ["-c", "-f", "--", `--socket=${dir}/munge/munge.socket`], { encoding: "utf8" });
  return Number(r.stdout.trim() || "0");
}

function killFromPidFile(file: string) {
  spawnSync("sh", ["-c", `kill "$(cat "$1")"; sleep 1`, "sh", file]);
}

let env: NodeJS.ProcessEnv | undefined;

afterAll(() => {
  if (env) slurmSh(env, "stop");
  rmSync(join(dir, ".."), { recursive: true, force: true });
  rmSync(`${dir}.lock`, { force: true });
});

describe.skipIf(!HAS_SLURM)("scripts/slurm.sh", () => {
  it("start twice, the second after the controller died and munged's pid file was lost, runs one munged", async () => {
    env = await scriptEnv();
    const first = slurmSh(env, "start");
    expect(first.code, first.out).toBe(0);
    expect(mungedCount()).toBe(1);
    expect(slurmSh(env, "start").out).toContain("already running");
    expect(mungedCount()).toBe(1);
    // A cluster that no longer answers, whose munged lost its pid file (a concurrent start removed the directory).
    rmSync(join(dir, "munge", "munged.pid"), { force: true });
    killFromPidFile(join(dir, "slurmctld.pid"));
    const again = slurmSh(env, "start");
    expect(again.code, again.out).toBe(0);
    expect(mungedCount()).toBe(1);
    expect(slurmSh(env, "stop").code).toBe(0);
    expect(mungedCount()).toBe(0);
  }, 240_000);
});
