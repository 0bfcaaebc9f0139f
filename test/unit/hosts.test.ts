import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditedExecutor, AuditLog, redactCommand, withToolContext } from "../../src/hosts/audit.js";
import { hostPrelude } from "../../src/hosts/environment.js";
import { HostSettingsSchema, loadInventory } from "../../src/hosts/inventory.js";
import { knownHostsName } from "../../src/hosts/known-hosts.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { shellJoin, shellQuote } from "../../src/hosts/quote.js";
import { HostRegistry, UnknownHostError } from "../../src/hosts/registry.js";
import { parseDestination, resolveSshTarget } from "../../src/hosts/ssh-target.js";

const tmp = () => mkdtempSync(join(tmpdir(), "hosts-"));

describe("shell quoting", () => {
  it("leaves safe words and quotes everything else so a shell sees one literal word", async () => {
    expect(shellQuote("abc/def-1.0")).toBe("abc/def-1.0");
    const nasty = ["; rm -rf ~", "$(touch /tmp/x)", "`id`", "a'b", 'a"b', "line1\nline2", "*", "", "-rf", "--foo"];
    const local = new LocalExecutor("local", HostSettingsSchema.parse({}));
    for (const value of nasty) {
      const r = await local.run(["bash", "-c", `printf '%s' ${shellQuote(value)}`]);
      expect(r.stdout).toBe(value);
    }
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
    expect(shellJoin(["echo", "a b"])).toBe("echo 'a b'");
  });
});

describe("inventory", () => {
  it("always has local, reads named hosts and lists known ones for an unknown name", () => {
    const dir = tmp();
    writeFileSync(
      join(dir, "ascend-train.yaml"),
      "hosts:\n  node1:\n    ssh: u@10.0.0.1:2200\n    conda: mm\n    npusPerNode: 16\n",
    );
    const inv = loadInventory(dir);
    expect(Object.keys(inv.hosts).sort()).toEqual(["local", "node1"]);
    expect(inv.hosts.node1?.npusPerNode).toBe(16);
    const reg = new HostRegistry(inv);
    expect(() => reg.settings("nod1")).toThrow(UnknownHostError);
    expect(() => reg.settings("nod1")).toThrow(/Known hosts: local, node1/);
  });

  it("rejects a bad inventory with the field at fault", () => {
    const dir = tmp();
    writeFileSync(join(dir, "ascend-train.yaml"), "hosts:\n  n:\n    npusPerNode: lots\n");
    expect(() => loadInventory(dir)).toThrow(/n\.npusPerNode/);
  });
});

describe("SSH targets", () => {
  it("parses destinations and honours ~/.ssh/config", () => {
    expect(parseDestination("u@h:2201")).toEqual({ user: "u", host: "h", port: 2201 });
    expect(parseDestination("[::1]:22")).toEqual({ user: undefined, host: "::1", port: 22 });
    const dir = tmp();
    const cfg = join(dir, "config");
    writeFileSync(
      cfg,
      "Host a2\n  HostName 10.1.2.3\n  User train\n  Port 2022\n  IdentityFile ~/.ssh/a2_key\n  ProxyJump bastion\n",
    );
    process.env.ASCEND_TRAIN_SSH_CONFIG = cfg;
    try {
      const t = resolveSshTarget({ ssh: "a2" });
      expect(t).toMatchObject({ host: "10.1.2.3", user: "train", port: 2022, proxyJump: "bastion" });
      expect(t.identityFiles[0]).toMatch(/\.ssh\/a2_key$/);
    } finally {
      delete process.env.ASCEND_TRAIN_SSH_CONFIG;
    }
    expect(knownHostsName("h", 22)).toBe("h");
    expect(knownHostsName("h", 2222)).toBe("[h]:2222");
  });
});

describe("host prelude", () => {
  it("sources CANN and activates the venv only when asked, with quoted paths", () => {
    const s = HostSettingsSchema.parse({ cannRoot: "/opt/my ascend", venv: "/v", path: ["/sim/bin"] });
    const plain = hostPrelude(s);
    expect(plain).toContain("export PATH=/sim/bin:");
    expect(plain).not.toContain("set_env.sh");
    const full = hostPrelude(s, { sourceCann: true, activatePython: true });
    expect(full).toContain("'/opt/my ascend/cann/set_env.sh'");
    expect(full).toContain("'/opt/my ascend/ascend-toolkit/set_env.sh'");
    expect(full).toContain('VIRTUAL_ENV=/v; PATH=/v/bin:"$PATH"');
  });
});

describe("audit log", () => {
  it("records every command with its tool, exit code and byte count, secrets redacted", async () => {
    const file = join(tmp(), "audit.jsonl");
    const log = new AuditLog(file);
    const exec = new AuditedExecutor(new LocalExecutor("local", HostSettingsSchema.parse({})), log);
    await withToolContext("check_env", async () => {
      await exec.run(["sh", "-c", "echo hello; exit 4"], { env: { HF_TOKEN: "hf_supersecretvalue" } });
      await exec.run(["echo", "HF_TOKEN=hf_supersecretvalue", "--token", "abcdefgh12345"]);
    });
    const entries = log.read();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ host: "local", tool: "check_env", op: "run", exitCode: 4, bytesOut: 6 });
    expect(readFileSync(file, "utf8")).not.toContain("supersecret");
    expect(readFileSync(file, "utf8")).not.toContain("abcdefgh12345");
    expect(redactCommand("Authorization: Bearer abcdefghijkl")).toBe("Authorization: Bearer ***");
  });
});

describe("write paths", () => {
  it("allows paths inside the allowed dirs and refuses .., symlinks out and other absolute paths", async () => {
    const { ensureWritablePath } = await import("../../src/hosts/paths.js");
    const { symlinkSync, mkdirSync } = await import("node:fs");
    const root = tmp();
    const work = join(root, "work");
    mkdirSync(work);
    symlinkSync("/etc", join(work, "escape"));
    const settings = HostSettingsSchema.parse({ workdir: work, allowedDirs: [work] });
    const exec = new LocalExecutor("local", settings);
    expect(await ensureWritablePath(exec, settings, "local", join(work, "out", "cfg.json"))).toBe(
      join(work, "out", "cfg.json"),
    );
    expect(await ensureWritablePath(exec, settings, "local", "relative/x.json")).toBe(join(work, "relative", "x.json"));
    await expect(ensureWritablePath(exec, settings, "local", `${work}/../x`)).rejects.toThrow(/contains "\.\."/);
    await expect(ensureWritablePath(exec, settings, "local", join(work, "escape", "passwd"))).rejects.toThrow(
      /resolves to \/etc\/passwd, outside/,
    );
    await expect(ensureWritablePath(exec, settings, "local", "/var/tmp/x")).rejects.toThrow(
      /allowedDirs for host local/,
    );
  });
});
