// check_env over SSH on a healthy simulated host owned by the sshd test user, through HostRegistry and the tool's
// handle (connection kept open, and a new connection per call), against the OpenSSH client running the same probe:
// over a ControlMaster connection for the kept one, a fresh `ssh` for the new one.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostRegistry } from "../src/hosts/registry.js";
import { layOutSim, stopSimProcesses } from "../src/sim/index.js";
import { benchCheckEnv } from "./check-env.js";
import { benchSsh } from "./ssh-env.js";
import type { BenchResult } from "./types.js";

function ownerOf(user: string): { uid: number; gid: number } | undefined {
  // Handing the sim to the login user needs chown, so root only; otherwise it stays readable (mode 755).
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function benchCheckEnvAll(): Promise<BenchResult[]> {
  const ssh = benchSsh();
  if (!ssh) throw new Error("no test sshd (start it with `bash scripts/sshd.sh start`)");
  const base = mkdtempSync(join(tmpdir(), "bench-check-env-"));
  chmodSync(base, 0o755);
  const dir = join(base, "host");
  const sim = await layOutSim(dir, { scenario: "healthy", name: "bench-sim", owner: ownerOf(ssh.user) });
  const registry = new HostRegistry({ file: null, hosts: { "bench-sim": ssh.settings(sim.hostSettings) } });
  const master = await ssh.master();
  try {
    return await benchCheckEnv({
      registry,
      hostName: "bench-sim",
      freshArgs: ssh.sshArgs,
      masterArgs: master.args,
    });
  } finally {
    await master.close();
    await registry.closeAll();
    await stopSimProcesses(dir).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  }
}
