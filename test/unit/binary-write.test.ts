// writeFile takes bytes as well as text: a PNG (every byte value, NULs, sequences that are not UTF-8) reaches the file
// exactly as given, through the local executor, the registry's guarded and audited one, the scripted one and SSH.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostFileError } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const dir = mkdtempSync(join(tmpdir(), "binary-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = readSshTestEnv();

/** The PNG signature (its 0x89, \r\n, 0x1a and \n are what text handling mangles), then every byte value twice. */
const BYTES = Uint8Array.from([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 512 }, (_, i) => i % 256),
]);

describe("writeFile with bytes", () => {
  it("the local executor writes them exactly, and still refuses to overwrite", async () => {
    const local = new LocalExecutor("local", HostSettingsSchema.parse({ allowedDirs: [dir] }));
    const file = join(dir, "local.png");
    await local.writeFile(file, BYTES);
    expect(Buffer.compare(readFileSync(file), Buffer.from(BYTES))).toBe(0);
    await expect(local.writeFile(file, BYTES)).rejects.toThrow(/already exists/);
  });

  it("the registry's executor (write guard, audit) passes them on intact and logs their byte count", async () => {
    process.env.ASCEND_TRAIN_AUDIT_LOG = join(dir, "audit.jsonl");
    const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ allowedDirs: [dir] }) } });
    try {
      const { executor } = await hosts.get("local");
      const file = join(dir, "guarded.png");
      await executor.writeFile(file, BYTES);
      expect(Buffer.compare(readFileSync(file), Buffer.from(BYTES))).toBe(0);
      expect(hosts.audit.read().at(-1)?.command).toBe(`write ${file} (${BYTES.length} bytes)`);
    } finally {
      await hosts.closeAll();
    }
  });

  it("the scripted executor keeps them apart from text and reads them back", async () => {
    const host = new ScriptedExecutor();
    await host.writeFile("/w/chart.png", BYTES);
    expect(host.binaryFiles.get("/w/chart.png")).toEqual(BYTES);
    expect(host.files.has("/w/chart.png")).toBe(false);
    expect((await host.readFile("/w/chart.png")).size).toBe(BYTES.length);
    await expect(host.writeFile("/w/chart.png", "text")).rejects.toBeInstanceOf(HostFileError);
  });

  it.skipIf(!env)("SSH sends them intact through the command's stdin", async () => {
    const ssh = new SshExecutor("ssh", sshHostSettings(env!));
    try {
      const remote = (await ssh.run(["mktemp", "-d"])).stdout.trim();
      const file = `${remote}/ssh.png`;
      await ssh.writeFile(file, BYTES);
      expect(Buffer.compare(readFileSync(file), Buffer.from(BYTES))).toBe(0);
      await ssh.run(["rm", "-rf", "--", remote]);
    } finally {
      await ssh.close();
    }
  });
});
