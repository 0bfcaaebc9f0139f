// Reads stay inside the host's readable roots and touch only regular files: /etc/passwd, a symlink leading out and a
// credential store are refused with how to widen the roots; a FIFO or a device is refused at once instead of blocking
// the server. Locally (node:fs) and over SSH (the read script), through the same guard.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { guardReads, readableRoots } from "../../src/hosts/paths.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();

/** Settles within `ms` or fails: a read blocked on a FIFO never settles. */
async function settlesWithin<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: Error }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      p.then(
        (value) => ({ value }),
        (error: Error) => ({ error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe("read guard on the local executor", () => {
  let work: string;
  let settings: HostSettings;
  let guarded: HostExecutor;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "read-guard-"));
    writeFileSync(join(work, "train.log"), "iteration 1\n");
    symlinkSync("/etc/passwd", join(work, "passwd-link"));
    mkdirSync(join(work, ".ssh"));
    writeFileSync(join(work, ".ssh", "id_ed25519"), "PRIVATE KEY\n");
    execFileSync("mkfifo", [join(work, "fifo.log")]);
    settings = HostSettingsSchema.parse({ workdir: work, allowedDirs: [work] });
    guarded = guardReads(new LocalExecutor("box", settings), settings);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("reads inside the roots and refuses /etc/shadow, /etc/passwd and a symlink leading out, naming readableDirs", async () => {
    expect((await guarded.readFile(join(work, "train.log"))).content).toBe("iteration 1\n");
    for (const path of ["/etc/shadow", "/etc/passwd", join(work, "passwd-link")]) {
      const error = await guarded.readFile(path).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.name, path).toBe("PathNotAllowedError");
      expect(error?.message).toMatch(/outside the directories ascend-train may read on box/);
      expect(error?.message).toMatch(/readableDirs/);
    }
  });

  it("refuses credential stores even inside the roots", async () => {
    await expect(guarded.readFile(join(work, ".ssh", "id_ed25519"))).rejects.toThrow(/credential/);
  });

  it("readableDirs widens the roots", async () => {
    const wide = HostSettingsSchema.parse({ workdir: work, allowedDirs: [work], readableDirs: ["/etc"] });
    expect(readableRoots(wide)).toContain("/etc");
    const chunk = await guardReads(new LocalExecutor("box", wide), wide).readFile("/etc/passwd", { maxBytes: 64 });
    expect(chunk.content).toMatch(/^root:/);
  });

  it("every executor the registry hands out carries the guard", async () => {
    const registry = new HostRegistry({ file: null, hosts: { box: settings } });
    const { executor } = await registry.get("box");
    await expect(executor.readFile("/etc/passwd")).rejects.toThrow(/readableDirs/);
    expect((await executor.readFile(join(work, "train.log"))).content).toBe("iteration 1\n");
  });

  it("refuses a FIFO at once instead of blocking, guarded or not", async () => {
    for (const exec of [guarded, new LocalExecutor("box", settings)]) {
      const r = await settlesWithin(exec.readFile(join(work, "fifo.log"), { tailBytes: 1024 }), 3000);
      expect(r.error?.message).toMatch(/not a regular file/);
    }
  });

  it("refuses a character device", async () => {
    const r = await settlesWithin(new LocalExecutor("box", settings).readFile("/dev/zero", { maxBytes: 16 }), 3000);
    expect(r.error?.message).toMatch(/not a regular file/);
  });
});

describe.skipIf(!env)("read guard over SSH (loopback sshd)", () => {
  let ssh: SshExecutor;
  let dir: string;
  let settings: HostSettings;

  beforeAll(async () => {
    ssh = new SshExecutor("remote", sshHostSettings(env!));
    dir = (await ssh.run(["mktemp", "-d"])).stdout.trim();
    const made = await ssh.run([
      "sh",
      "-c",
      'cd "$1" && echo "iteration 1" > train.log && ln -s /etc/passwd passwd-link && mkfifo fifo.log && mkdir .ssh && echo key > .ssh/id_rsa',
      "sh",
      dir,
    ]);
    expect(made.exitCode).toBe(0);
    settings = sshHostSettings(env!, { workdir: dir, allowedDirs: [dir] });
  });
  afterAll(async () => {
    await ssh?.run(["rm", "-rf", "--", dir]).catch(() => undefined);
    await ssh?.close();
  });

  it("reads inside the roots and refuses /etc/passwd, a symlink to it and a credential store", async () => {
    const guarded = guardReads(ssh, settings);
    expect((await guarded.readFile(`${dir}/train.log`)).content).toBe("iteration 1\n");
    for (const path of ["/etc/passwd", `${dir}/passwd-link`]) {
      const error = await guarded.readFile(path).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.name, path).toBe("PathNotAllowedError");
      expect(error?.message).toMatch(
        /resolves to \/etc\/passwd, outside the directories ascend-train may read on remote/,
      );
      expect(error?.message).toMatch(/readableDirs/);
    }
    await expect(guarded.readFile(`${dir}/.ssh/id_rsa`)).rejects.toThrow(/credential/);
  });

  it("readableDirs widens the roots", async () => {
    const wide = sshHostSettings(env!, { workdir: dir, allowedDirs: [dir], readableDirs: ["/etc"] });
    expect((await guardReads(ssh, wide).readFile("/etc/passwd", { maxBytes: 64 })).content).toMatch(/^root:/);
  });

  it("refuses a FIFO at once instead of holding the channel", async () => {
    for (const exec of [guardReads(ssh, settings), ssh]) {
      const r = await settlesWithin(exec.readFile(`${dir}/fifo.log`, { tailBytes: 1024 }), 10_000);
      expect(r.error?.message).toMatch(/not a regular file/);
    }
  });
});
