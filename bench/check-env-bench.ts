// check_env over SSH on a healthy simulated host owned by the sshd test user, through HostRegistry and the tool's
// handle (connection kept open, and a new connection per call), against `ssh -i KEY -p PORT … true` in the same run.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostSettingsSchema } from "../src/hosts/inventory.js";
import { HostRegistry } from "../src/hosts/registry.js";
import { layOutSim, stopSimProcesses } from "../src/sim/index.js";
import { benchCheckEnv } from "./check-env.js";
import type { BenchResult } from "./types.js";

interface SshdEnv {
  host: string;
  port: string;
  user: string;
  key: string;
  knownHosts: string;
}

/** The loopback sshd the tests start (scripts/sshd.sh): null when it is not there. */
function readSshdEnv(): SshdEnv | null {
  const file = join(process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd", "env");
  if (!existsSync(file)) return null;
  const vars = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  ) as Record<string, string | undefined>;
  const { SSH_TEST_HOST: host, SSH_TEST_PORT: port, SSH_TEST_USER: user, SSH_TEST_KEY: key } = vars;
  const knownHosts = vars.SSH_TEST_KNOWN_HOSTS;
  return host && port && user && key && knownHosts ? { host, port, user, key, knownHosts } : null;
}

function ownerOf(user: string): { uid: number; gid: number } | undefined {
  // Handing the sim to the login user needs chown, so root only; otherwise it stays readable (mode 755).
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

export async function benchCheckEnvAll(): Promise<BenchResult[]> {
  const env = readSshdEnv();
  if (!env) {
    console.log("  skipped: no test sshd (start it with `bash scripts/sshd.sh start`)");
    return [];
  }
  const base = mkdtempSync(join(tmpdir(), "bench-check-env-"));
  chmodSync(base, 0o755);
  const dir = join(base, "host");
  const sim = await layOutSim(dir, { scenario: "healthy", name: "bench-sim", owner: ownerOf(env.user) });
  const settings = HostSettingsSchema.parse({
    ...sim.hostSettings,
    ssh: `${env.user}@${env.host}:${env.port}`,
    identityFile: env.key,
    knownHostsFile: env.knownHosts,
  });
  const registry = new HostRegistry({ file: null, hosts: { "bench-sim": settings } });
  try {
    return await benchCheckEnv({
      registry,
      hostName: "bench-sim",
      baselineArgv: [
        "ssh",
        "-i",
        env.key,
        "-p",
        env.port,
        "-o",
        `UserKnownHostsFile=${env.knownHosts}`,
        "-o",
        "BatchMode=yes",
        `${env.user}@${env.host}`,
        "true",
      ],
    });
  } finally {
    await registry.closeAll();
    await stopSimProcesses(dir).catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  }
}
