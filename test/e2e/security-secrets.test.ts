// Secrets and terminal output through the real doors: inventory secrets never appear in `ps` (local: the process
// environment; SSH: the command travels on stdin), `~name` is refused over SSH too, the CLI prints no escape sequence
// read from the audit log, and the HTTP server takes its token from the environment or a file and any-case bearer.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { ensureWritablePath } from "../../src/hosts/paths.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { CLI, startHttpServer } from "../helpers/mcp.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const sshEnv = readSshTestEnv();
const SECRET = `hf_${"Kp7".repeat(9)}visible`;

/** Every command line on this machine while `script` runs on the host (the loopback sshd runs here too). */
async function commandLinesDuring(exec: HostExecutor, script: string): Promise<string> {
  const running = exec.runScript(script, { timeoutMs: 20_000 });
  let seen = "";
  for (let i = 0; i < 10; i++) {
    await sleep(150);
    seen += execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
  }
  const r = await running;
  expect(r.exitCode, r.stderr).toBe(0);
  return seen;
}

describe("inventory secrets stay out of ps", () => {
  it("local: env travels in the process environment, the script in a variable", async () => {
    const exec = new LocalExecutor("local", HostSettingsSchema.parse({ env: { HF_TOKEN: SECRET } }));
    const seen = await commandLinesDuring(exec, 'test -n "$HF_TOKEN" && sleep 2 # marker-local');
    expect(seen).toContain("__ASCEND_TRAIN_SCRIPT");
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toContain("marker-local");
  });

  it.skipIf(!sshEnv)("SSH: the command and its exports travel on stdin; the caller's stdin still follows", async () => {
    const exec = new SshExecutor("loop", sshHostSettings(sshEnv!, { env: { HF_TOKEN: SECRET } }));
    try {
      const seen = await commandLinesDuring(exec, 'test -n "$HF_TOKEN" && sleep 2 # marker-ssh');
      expect(seen).toContain("read -r -d");
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain("marker-ssh");
      const echoed = await exec.runScript('printf "%s|" "$HF_TOKEN" && cat', { stdin: "from stdin" });
      expect(echoed.stdout).toBe(`${SECRET}|from stdin`);
      await expect(exec.run(["true"], { env: { BASH_ENV: "/tmp/x" } })).rejects.toThrow(/BASH_ENV/);
    } finally {
      await exec.close();
    }
  });

  it.skipIf(!sshEnv)("SSH: ~name is refused by the write guard, not read as $HOME/name", async () => {
    const settings = sshHostSettings(sshEnv!);
    const exec = new SshExecutor("loop", settings);
    try {
      await expect(ensureWritablePath(exec, settings, "loop", "~nobody/cfg")).rejects.toThrow(/only ~ and ~\//);
      expect(await ensureWritablePath(exec, settings, "loop", "~/cfg-x")).toMatch(/\/cfg-x$/);
    } finally {
      await exec.close();
    }
  });
});

describe("the CLI's text output", () => {
  it("shows audit entries without the escape sequences they hold, and without secrets", () => {
    const dir = mkdtempSync(join(tmpdir(), "audit-esc-"));
    const file = join(dir, "audit.jsonl");
    const entry = {
      time: "2026-01-01T00:00:00.000Z",
      user: "u",
      host: "h1",
      tool: "tail_logs",
      op: "run",
      command: `echo \x1b]0;pwned\x07\x1b[2J hi https://bob:pw-${"9".repeat(8)}@git.example/x`,
      exitCode: 0,
      durationMs: 1,
      bytesOut: 0,
    };
    writeFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    const r = spawnSync(process.execPath, [CLI, "audit", "--host", "h1"], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_AUDIT_LOG: file, ASCEND_TRAIN_FROM_SOURCE: "1" },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("hi https://bob:***@git.example/x");
    expect(r.stdout).not.toContain("\x1b");
    expect(r.stdout).not.toContain("\x07");
  });

  it("a broken inventory gives one line: no stack, no quoted secret", () => {
    const dir = mkdtempSync(join(tmpdir(), "inv-err-"));
    const file = join(dir, "hosts.yaml");
    writeFileSync(file, `hosts:\n  a:\n    env: { DB_PASSWORD: "${SECRET}" }\n   bad: [\n`);
    const r = spawnSync(process.execPath, [CLI, "list-hosts"], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_CONFIG: file, ASCEND_TRAIN_FROM_SOURCE: "1", DEBUG: "" },
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("the HTTP server's token", () => {
  it("refuses --token on the command line and says what to use instead", () => {
    const r = spawnSync(process.execPath, [CLI, "serve", "--port", "0", "--token", "cmdline-token-0123456789"], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_FROM_SOURCE: "1" },
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ASCEND_TRAIN_TOKEN or use --token-file/);
    expect(r.stderr).not.toContain("cmdline-token-0123456789");
  });

  it("accepts a lowercase bearer scheme", async () => {
    const server = await startHttpServer({ env: { ASCEND_TRAIN_FROM_SOURCE: "1" } });
    try {
      const res = await fetch(server.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `bearer ${server.token}`,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "t", version: "1" } },
        }),
      });
      expect(res.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
