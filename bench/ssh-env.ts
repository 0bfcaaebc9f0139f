// The loopback sshd the benches measure against (started by bench/index.ts under the test setup's lease, or by
// `scripts/sshd.sh start`), and the OpenSSH client baselines: a fresh connection per call, or calls multiplexed over
// one ControlMaster connection (what a person who keeps a connection open would use).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { HostSettingsSchema } from "../src/hosts/inventory.js";
import { shellJoin } from "../src/hosts/quote.js";

/** Runs `ssh ARGS… [command]`, with `stdin` fed when given; resolves with the wall time from spawn to exit, in ms. */
export function timeSsh(argv: readonly string[], stdin?: string): Promise<{ ms: number; stdoutBytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("ssh", argv, { stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdoutBytes = 0;
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => (stdoutBytes += c.length));
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, stdoutBytes })
        : reject(new Error(`ssh ${argv.join(" ")} exited ${code}: ${stderr.slice(-300)}`)),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

export function benchSsh() {
  const file = join(process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd", "env");
  if (!existsSync(file)) return null;
  const vars = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  ) as Record<string, string>;
  const options = [
    "-i",
    vars.SSH_TEST_KEY!,
    "-p",
    vars.SSH_TEST_PORT!,
    "-o",
    `UserKnownHostsFile=${vars.SSH_TEST_KNOWN_HOSTS}`,
    "-o",
    "BatchMode=yes",
  ];
  const target = `${vars.SSH_TEST_USER}@${vars.SSH_TEST_HOST}`;
  const sshArgs = [...options, target];
  return {
    user: vars.SSH_TEST_USER!,
    /** The client's arguments up to and including user@host: append a command line. */
    sshArgs,
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
    /**
     * An OpenSSH ControlMaster connection: the first call establishes it (ControlPersist keeps it 60 s past the last
     * use), later calls open a session over it. `args` are the client's arguments through user@host.
     */
    master: async () => {
      // A short directory: a unix socket path is limited to about 100 bytes.
      const dir = mkdtempSync(join(tmpdir(), "cm-"));
      const control = ["-o", "ControlMaster=auto", "-o", `ControlPath=${join(dir, "%C")}`, "-o", "ControlPersist=60"];
      const args = [...options, ...control, target];
      await timeSsh([...args, "true"]);
      return {
        args,
        run: async (argv: readonly string[]) => {
          await timeSsh([...args, shellJoin(argv)]);
        },
        close: async () => {
          await timeSsh([...options, ...control, "-O", "exit", target]).catch(() => undefined);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}
