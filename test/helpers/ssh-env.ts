// Where the loopback sshd is, for tests. Under CI=true a missing sshd is a failure, never a silent skip.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";

export interface SshTestEnv {
  host: string;
  port: number;
  user: string;
  key: string;
  knownHosts: string;
  hostKeyPub: string;
}

export function readSshTestEnv(): SshTestEnv | null {
  const file = join(process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd", "env");
  if (!existsSync(file)) {
    if (process.env.CI === "true") throw new Error(`CI=true but the test sshd is not running (${file} missing).`);
    return null;
  }
  const vars = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    host: vars.SSH_TEST_HOST!,
    port: Number(vars.SSH_TEST_PORT),
    user: vars.SSH_TEST_USER!,
    key: vars.SSH_TEST_KEY!,
    knownHosts: vars.SSH_TEST_KNOWN_HOSTS!,
    hostKeyPub: vars.SSH_TEST_HOSTKEY_PUB!,
  };
}

/** Host settings reaching the test sshd, with extra settings merged in (e.g. a simulated host's). */
export function sshHostSettings(env: SshTestEnv, extra: Partial<HostSettings> = {}): HostSettings {
  return HostSettingsSchema.parse({
    ...extra,
    ssh: `${env.user}@${env.host}:${env.port}`,
    identityFile: env.key,
    knownHostsFile: env.knownHosts,
  });
}
