import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostFileError, HostUnreachableError } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { SshExecutor, sshStats } from "../../src/hosts/ssh.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();

describe.skipIf(!env)("SshExecutor against a real sshd", () => {
  // Built in a hook: the body of a skipped describe still runs at collection, where env is null.
  let ssh: SshExecutor;
  beforeAll(() => {
    ssh = new SshExecutor("loop", sshHostSettings(env!));
  });
  afterAll(() => ssh?.close());

  it("runs argv with stdout, stderr and exit code, values quoted", async () => {
    const r = await ssh.run(["sh", "-c", 'echo "$1"; echo err >&2; exit 3', "x", "a b; rm -rf ~ $(id) `id` 'q'"]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe("a b; rm -rf ~ $(id) `id` 'q'\n");
    expect(r.stderr).toBe("err\n");
  });

  it("reuses one connection for many calls, in parallel too", async () => {
    await ssh.run(["true"]);
    const before = sshStats.connectionsOpened;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ssh.run(["echo", String(i)])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(sshStats.connectionsOpened).toBe(before);
  });

  it("reconnects after the connection drops", async () => {
    await ssh.run(["true"]);
    await ssh.disconnect();
    const r = await ssh.run(["echo", "back"]);
    expect(r.stdout).toBe("back\n");
  });

  it("bounds time and output, and marks truncation", async () => {
    const slow = await ssh.run(["sleep", "30"], { timeoutMs: 1000 });
    expect(slow.timedOut).toBe(true);
    const big = await ssh.run(["head", "-c", "100000", "/dev/zero"], { maxOutputBytes: 1000 });
    expect(big.truncated).toBe(true);
    expect(big.stdout).toMatch(/\[output truncated: 99000 more bytes not kept\]$/);
  });

  it("reads only the tail or a window of a file, writes atomically and never overwrites unasked", async () => {
    const dir = (await ssh.run(["mktemp", "-d"])).stdout.trim();
    const file = `${dir}/f.txt`;
    await ssh.writeFile(file, "0123456789");
    await expect(ssh.writeFile(file, "other")).rejects.toBeInstanceOf(HostFileError);
    expect((await ssh.readFile(file, { tailBytes: 3 })).content).toBe("789");
    const win = await ssh.readFile(file, { offset: 2, maxBytes: 4 });
    expect(win).toMatchObject({ content: "2345", size: 10, start: 2, end: 6 });
    await ssh.writeFile(file, "replaced", { exclusive: false });
    expect((await ssh.readFile(file)).content).toBe("replaced");
    await expect(ssh.readFile(`${dir}/missing`)).rejects.toThrow(/does not exist/);
  });

  it("starts a detached process that outlives the connection", async () => {
    const dir = (await ssh.run(["mktemp", "-d"])).stdout.trim();
    const { pid } = await ssh.spawnDetached(["sh", "-c", `sleep 1; echo done > ${dir}/marker`], {
      logFile: `${dir}/log`,
    });
    expect(pid).toBeGreaterThan(0);
    await ssh.disconnect();
    await new Promise((r) => setTimeout(r, 1800));
    const r = await ssh.run(["cat", `${dir}/marker`]);
    expect(r.stdout).toBe("done\n");
  });

  it("refuses an unknown host key with its fingerprint and the way to trust it", async () => {
    const empty = join(mkdtempSync(join(tmpdir(), "kh-")), "known_hosts");
    writeFileSync(empty, "");
    const stranger = new SshExecutor("stranger", { ...sshHostSettings(env!), knownHostsFile: empty });
    await expect(stranger.run(["true"])).rejects.toThrow(
      /not in .*known_hosts \(ssh-ed25519 SHA256:[A-Za-z0-9+/]+\).*ssh-keyscan -p \d+ 127\.0\.0\.1/,
    );
    await stranger.close();
  });

  it("refuses a changed host key and says how to remove the old one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-"));
    const file = join(dir, "known_hosts");
    // Another valid ed25519 key recorded for the same name.
    writeFileSync(
      file,
      `[127.0.0.1]:${env!.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`,
    );
    const spoofed = new SshExecutor("spoofed", { ...sshHostSettings(env!), knownHostsFile: file });
    await expect(spoofed.run(["true"])).rejects.toThrow(/HOST KEY CHANGED.*ssh-keygen -R/);
    await spoofed.close();
  });

  it("honours ~/.ssh/config (HostName, Port, User, IdentityFile, UserKnownHostsFile) and ProxyJump", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sshcfg-"));
    const cfg = join(dir, "config");
    const block = (name: string) =>
      `Host ${name}\n  HostName 127.0.0.1\n  Port ${env!.port}\n  User ${env!.user}\n  IdentityFile ${env!.key}\n  UserKnownHostsFile ${env!.knownHosts}\n`;
    writeFileSync(cfg, `${block("bastion")}${block("a2-behind-bastion")}  ProxyJump bastion\n`);
    process.env.ASCEND_TRAIN_SSH_CONFIG = cfg;
    const viaJump = new SshExecutor("a2", HostSettingsSchema.parse({ ssh: "a2-behind-bastion" }));
    try {
      const before = sshStats.connectionsOpened;
      const r = await viaJump.run(["sh", "-c", "echo $SSH_CONNECTION"]);
      expect(r.exitCode).toBe(0);
      // The target sees the connection coming from the bastion's forwarded channel on loopback.
      expect(r.stdout).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+/);
      expect(sshStats.connectionsOpened - before).toBe(2);
      expect(viaJump.label).toBe(`${env!.user}@127.0.0.1:${env!.port}`);
    } finally {
      await viaJump.close();
      delete process.env.ASCEND_TRAIN_SSH_CONFIG;
    }
  });

  it("names the host and what to check when nothing answers", async () => {
    const dead = new SshExecutor("dead", { ...sshHostSettings(env!), ssh: `${env!.user}@127.0.0.1:1` });
    const err = await dead.run(["true"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(String(err)).toMatch(/host "dead".*ECONNREFUSED.*sshd runs/);
    await dead.close();
  });
});
