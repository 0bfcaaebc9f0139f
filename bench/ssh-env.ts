// The loopback sshd the benches measure against (started by `scripts/sshd.sh start` or the test setup).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { HostSettingsSchema } from "../src/hosts/inventory.js";
import { shellJoin } from "../src/hosts/quote.js";

export function benchSsh() {
  const file = join(process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd", "env");
  if (!existsSync(file)) return null;
  const vars = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  ) as Record<string, string>;
  const sshArgs = [
    "-i",
    vars.SSH_TEST_KEY!,
    "-p",
    vars.SSH_TEST_PORT!,
    "-o",
    `UserKnownHostsFile=${vars.SSH_TEST_KNOWN_HOSTS}`,
    "-o",
    "BatchMode=yes",
    `${vars.SSH_TEST_USER}@${vars.SSH_TEST_HOST}`,
  ];
  return {
    user: vars.SSH_TEST_USER!,
    settings: (extra: Record<string, unknown> = {}) =>
      HostSettingsSchema.parse({
        ...extra,
        ssh: `${vars.SSH_TEST_USER}@${vars.SSH_TEST_HOST}:${vars.SSH_TEST_PORT}`,
        identityFile: vars.SSH_TEST_KEY,
        knownHostsFile: vars.SSH_TEST_KNOWN_HOSTS,
      }),
    /** Runs argv remotely with the OpenSSH client: one fresh connection per call, as a person would. */
    run: async (argv: readonly string[]) => {
      // ssh sends one command line; quote it as a person would have to.
      const r = await execa("ssh", [...sshArgs, shellJoin(argv)], { reject: false, stdout: "ignore" });
      if (r.exitCode !== 0) throw new Error(`ssh ${argv.join(" ")} failed: ${r.stderr}`);
    },
  };
}
