// The one redaction rule set and the one terminal sanitiser; the environment hosts get; the inventory's limits; the
// audit log failing closed; the HTTP token's sources; `~name` paths. Each test fails on the code before these rules.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { describeFatal } from "../../src/cli/print-error.js";
import { AuditedExecutor, AuditLog, AuditUnavailableError, withToolContext } from "../../src/hosts/audit.js";
import { hostEnvironment } from "../../src/hosts/environment.js";
import { expandHome, HostSettingsSchema, loadInventory } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { ensureWritablePath } from "../../src/hosts/paths.js";
import { redactDeep, redactText, sanitizeTerminal } from "../../src/hosts/redact.js";
import { isUnsafeEnvName } from "../../src/hosts/unsafe-env.js";
import { bearerToken, readTokenFile, serveToken } from "../../src/http.js";
import { envInput } from "../../src/runs/launch-result.js";
import { redactEnv } from "../../src/runs/ledger.js";
import { ascendJobManifest, type SchedulerJobSpec, slurmScript } from "../../src/runs/scheduler.js";
import { newCanary } from "../helpers/canary.js";

const tmp = () => mkdtempSync(join(tmpdir(), "redact-"));
const HF = `hf_${"Ab1".repeat(10)}`;

describe("redaction by pattern", () => {
  it("hides every secret-named export in a wrapper script, not only HF_TOKEN", () => {
    const wrapper = [
      `export HF_TOKEN='${HF}'`,
      "export DB_PASS=hunter2hunter2",
      "export WANDB_KEY=0123456789abcdef",
      "export AWS_SECRET_ACCESS_KEY='a b c d'",
      "export TOKENIZERS_PARALLELISM=false",
      "export HCCL_IF_BASE_PORT=50000",
    ].join("\n");
    const out = redactText(wrapper);
    for (const secret of [HF, "hunter2hunter2", "0123456789abcdef", "a b c d"]) expect(out).not.toContain(secret);
    expect(out).toContain("export TOKENIZERS_PARALLELISM=false");
    expect(out).toContain("export HCCL_IF_BASE_PORT=50000");
    expect(redactEnv({ DB_PASS: "x1", WANDB_KEY: "y2", NNODES: "2" })).toEqual({
      DB_PASS: "***",
      WANDB_KEY: "***",
      NNODES: "2",
    });
  });

  it("hides URL passwords, bearer tokens in any case, --token values and token-shaped values", () => {
    const out = redactText(
      `git clone https://alice:s3cr3tpw@git.example.com/mm.git; pip --index-url https://ghp_${"x".repeat(30)}@pypi.example/simple ` +
        `Authorization: bearer abcdefghijkl --token zzzzzzzzzzzz sk-ant-${"q".repeat(30)}`,
    );
    expect(out).toContain("https://alice:***@git.example.com/mm.git");
    for (const secret of ["s3cr3tpw", "ghp_", "abcdefghijkl", "zzzzzzzzzzzz", "sk-ant-"])
      expect(out).not.toContain(secret);
    // An ssh remote's user name is not a secret.
    expect(redactText("ssh://git@example.com/repo.git")).toBe("ssh://git@example.com/repo.git");
  });

  it("masks values under environment-style secret names in structured results, leaving other fields alone", () => {
    const result = redactDeep({
      plan: { env: { DB_PASS: "pw-value-1", NNODES: "2" }, wrapperScript: "export WANDB_KEY=abc123abc" },
      checksPassed: "all",
      tokenizer: "/models/tok",
    });
    expect(result).toEqual({
      plan: { env: { DB_PASS: "***", NNODES: "2" }, wrapperScript: "export WANDB_KEY=***" },
      checksPassed: "all",
      tokenizer: "/models/tok",
    });
  });

  it("hides this process's own token and API key wherever they appear", async () => {
    const token = `tok-${"z9".repeat(12)}`;
    // The values a server process holds are registered when the module loads; a fresh import sees them.
    const { vi } = await import("vitest");
    vi.resetModules();
    process.env.ASCEND_TRAIN_TOKEN = token;
    try {
      const fresh = await import("../../src/hosts/redact.js");
      expect(fresh.redactText(`the log says ${token} here`)).toBe("the log says *** here");
    } finally {
      delete process.env.ASCEND_TRAIN_TOKEN;
    }
  });
});

describe("terminal sanitiser", () => {
  it("drops escape sequences and shows other control characters, keeping text, tabs and newlines", () => {
    const raw =
      "loss \x1b[31m2.5\x1b[0m\t\x1b]0;pwned\x07title \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \x9b2J bell\x07\r\nnext";
    const out = sanitizeTerminal(raw);
    expect(out).not.toMatch(/[\x1b\x07\x9b]/);
    expect(out).toBe("loss 2.5\ttitle link  bell\\x07\nnext");
    expect(sanitizeTerminal("plain text\n")).toBe("plain text\n");
  });

  it("the chat terminal shows no escape sequence from a tool's text or the model", async () => {
    const { PassThrough } = await import("node:stream");
    const { Terminal } = await import("../../src/agent/terminal.js");
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    let shown = "";
    output.on("data", (c) => (shown += c));
    errors.on("data", (c) => (shown += c));
    const term = new Terminal({ input, output, errors });
    term.say("model says \x1b]0;owned\x07 hi");
    term.note("note \x1b[2J");
    term.end({ type: "tool_use", id: "1", name: "tail_logs", input: {} }, { ok: true, ms: 5, text: "\x1b[31mred" });
    term.close();
    expect(shown).toContain("model says");
    expect(shown).not.toContain("\x1b");
    expect(shown).not.toContain("\x07");
  });

  it("an unexpected CLI error is one redacted line; the stack only when asked for", () => {
    const error = new Error(`boom HF_TOKEN=${HF}\n  at secret line`);
    expect(describeFatal(error, false)).toBe("error: boom HF_TOKEN=***");
    expect(describeFatal(error, true)).toContain("at ");
    expect(describeFatal(error, true)).not.toContain(HF);
  });
});

describe("the environment a host command gets", () => {
  it("inherits an allowlist: never the server's token, API keys or own settings", () => {
    const parent = {
      PATH: "/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      ASCEND_HOME_PATH: "/usr/local/Ascend",
      HCCL_CONNECT_TIMEOUT: "1200",
      ASCEND_TRAIN_TOKEN: "server-token-123456",
      ASCEND_TRAIN_CONFIG: "/x/hosts.yaml",
      ANTHROPIC_API_KEY: "sk-ant-xxxxxxxxxxxxxxxxxxxx",
      AWS_SECRET_ACCESS_KEY: "aws",
      RANDOM_VAR: "x",
    };
    const settings = HostSettingsSchema.parse({ path: ["/opt/bin"], env: { ASCEND_SIM_ROOT: "/sim" } });
    const env = hostEnvironment(settings, { NODE_RANK: "0" }, parent);
    expect(env).toEqual({
      PATH: "/opt/bin:/usr/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      ASCEND_HOME_PATH: "/usr/local/Ascend",
      HCCL_CONNECT_TIMEOUT: "1200",
      ASCEND_SIM_ROOT: "/sim",
      NODE_RANK: "0",
    });
  });

  it("a local command and a detached run see neither ASCEND_TRAIN_TOKEN nor ANTHROPIC_API_KEY", async () => {
    const dir = tmp();
    process.env.ASCEND_TRAIN_TOKEN = "leak-check-token-0123456789";
    process.env.ANTHROPIC_API_KEY = "sk-ant-leak-check-0123456789";
    try {
      const exec = new LocalExecutor("local", HostSettingsSchema.parse({ env: { MY_SETTING: "on" } }));
      const r = await exec.run(["env"]);
      expect(r.stdout).toContain("MY_SETTING=on");
      expect(r.stdout).not.toContain("ASCEND_TRAIN_TOKEN");
      expect(r.stdout).not.toContain("ANTHROPIC_API_KEY");
      const s = await exec.runScript("env");
      expect(s.stdout).not.toContain("leak-check");
      const log = join(dir, "detached.log");
      await exec.spawnDetached(["env"], { logFile: log });
      for (let i = 0; i < 50 && !readFileSync(log, "utf8").includes("MY_SETTING"); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(log, "utf8")).toContain("MY_SETTING=on");
      expect(readFileSync(log, "utf8")).not.toContain("leak-check");
    } finally {
      delete process.env.ASCEND_TRAIN_TOKEN;
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it("refuses loader and shell-hook variables in the inventory unless allowUnsafeEnv names them", () => {
    for (const name of ["BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PROMPT_COMMAND", "PS4"])
      expect(isUnsafeEnvName(name), name).toBe(true);
    for (const name of ["SHELLOPTS", "BASHOPTS", "IFS", "PATH", "NODE_OPTIONS", "PYTHONSTARTUP"])
      expect(isUnsafeEnvName(name), name).toBe(true);
    expect(isUnsafeEnvName("HCCL_IF_BASE_PORT")).toBe(false);
    expect(() => HostSettingsSchema.parse({ env: { BASH_ENV: "/tmp/x" } })).toThrow(/BASH_ENV/);
    expect(HostSettingsSchema.parse({ env: { LD_PRELOAD: "/l.so" }, allowUnsafeEnv: ["LD_PRELOAD"] }).env).toEqual({
      LD_PRELOAD: "/l.so",
    });
  });

  it("refuses them in launch_train/resume_run/export_scheduler_job env and at the executor", async () => {
    // The one env schema the three tools share.
    for (const name of ["LD_PRELOAD", "BASH_ENV", "PATH"])
      expect(envInput.safeParse({ [name]: "x" }).success).toBe(false);
    expect(envInput.safeParse({ HCCL_BUFFSIZE: "120" }).success).toBe(true);
    const canary = newCanary();
    writeFileSync(`${canary.path}.sh`, `touch ${canary.path}\n`);
    const exec = new LocalExecutor("local", HostSettingsSchema.parse({}));
    await expect(exec.runScript("true", { env: { BASH_ENV: `${canary.path}.sh` } })).rejects.toThrow(/BASH_ENV/);
    expect(existsSync(canary.path)).toBe(false);
  });
});

describe("the inventory file", () => {
  const withConfig = <T>(file: string, fn: () => T): T => {
    const before = process.env.ASCEND_TRAIN_CONFIG;
    process.env.ASCEND_TRAIN_CONFIG = file;
    try {
      return fn();
    } finally {
      if (before === undefined) delete process.env.ASCEND_TRAIN_CONFIG;
      else process.env.ASCEND_TRAIN_CONFIG = before;
    }
  };

  it("cannot redefine local", () => {
    const file = join(tmp(), "hosts.yaml");
    writeFileSync(file, "hosts:\n  local:\n    ssh: attacker@evil.example\n");
    expect(() => withConfig(file, () => loadInventory())).toThrow(/reserved for this machine/);
    writeFileSync(file, "hosts:\n  here:\n    workdir: /tmp\n");
    const inv = withConfig(file, () => loadInventory());
    expect(inv.hosts.local!.ssh).toBeUndefined();
    expect(inv.file).toBe(file);
  });

  it("refuses a file over 1 MiB before reading it, and a FIFO without waiting", () => {
    const dir = tmp();
    const big = join(dir, "big.yaml");
    writeFileSync(big, `hosts: {}\n# ${"x".repeat(2 * 1024 * 1024)}\n`);
    expect(() => withConfig(big, () => loadInventory())).toThrow(/more than the 1048576 allowed/);
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(() => withConfig(fifo, () => loadInventory())).toThrow(/not a regular file/);
  });

  it("a YAML error names the line and column, never the line's text", () => {
    const file = join(tmp(), "hosts.yaml");
    writeFileSync(file, `hosts:\n  a:\n    env: { DB_PASSWORD: "${HF}" }\n   bad: [\n`);
    let message = "";
    try {
      withConfig(file, () => loadInventory());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/Cannot parse the host inventory .*line \d+, column \d+/);
    expect(message).not.toContain(HF);
  });
});

describe("~name paths", () => {
  it("expands only ~ and ~/; ~name is not $HOME followed by name", async () => {
    expect(expandHome("~")).toBe(homedir());
    expect(expandHome("~/cfg")).toBe(join(homedir(), "cfg"));
    expect(expandHome(`~${userInfo().username}/cfg`)).toBe(join(homedir(), "cfg"));
    expect(() => expandHome("~nobody/cfg")).toThrow(/only ~ and ~\//);
    expect(() => HostSettingsSchema.parse({ workdir: "~nobody/w" })).toThrow(/absolute path/);
    const settings = HostSettingsSchema.parse({});
    const exec = new LocalExecutor("local", settings);
    await expect(ensureWritablePath(exec, settings, "local", "~nobody/cfg")).rejects.toThrow(/only ~ and ~\//);
    expect(await ensureWritablePath(exec, settings, "local", "~/cfg-x")).toBe(join(homedir(), "cfg-x"));
  });
});

describe("the audit log fails closed", () => {
  const destructive = <T>(fn: () => Promise<T>) => withToolContext("launch_train", fn, "destructive");

  it("refuses commands of a destructive tool when the log is a FIFO, a /proc entry or a directory", async () => {
    const dir = tmp();
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    for (const file of [fifo, "/proc/self/attr/current", dir]) {
      const canary = newCanary();
      const exec = new AuditedExecutor(new LocalExecutor("local", HostSettingsSchema.parse({})), new AuditLog(file));
      const started = Date.now();
      await expect(destructive(() => exec.run(["touch", canary.path]))).rejects.toThrow(AuditUnavailableError);
      await expect(destructive(() => exec.writeFile(join(dir, "w.txt"), "x"))).rejects.toThrow(/audit log/);
      expect(existsSync(canary.path), file).toBe(false);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it("lets a read-only tool's command run (with a warning) and records a normal log", async () => {
    const dir = tmp();
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    const exec = new AuditedExecutor(new LocalExecutor("local", HostSettingsSchema.parse({})), new AuditLog(fifo));
    const r = await withToolContext("check_env", () => exec.run(["echo", "ok"]), "read");
    expect(r.stdout.trim()).toBe("ok");
    const file = join(dir, "audit.jsonl");
    const good = new AuditedExecutor(new LocalExecutor("local", HostSettingsSchema.parse({})), new AuditLog(file));
    await destructive(() => good.run(["echo", `HF_TOKEN=${HF}`]));
    expect(readFileSync(file, "utf8")).toContain('"tool":"launch_train"');
    expect(readFileSync(file, "utf8")).not.toContain(HF);
  });
});

describe("the HTTP server's token", () => {
  it("accepts the bearer scheme in any case", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("BEARER  abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBe("");
    expect(bearerToken(undefined)).toBe("");
  });

  it("comes from ASCEND_TRAIN_TOKEN or an owner-only file; a token on the command line is refused", () => {
    expect(() => serveToken({ tokenOnCommandLine: true }, {})).toThrow(/ASCEND_TRAIN_TOKEN or use --token-file/);
    expect(serveToken({}, { ASCEND_TRAIN_TOKEN: "from-env-0123456789" })).toEqual({
      token: "from-env-0123456789",
      source: "env",
    });
    const file = join(tmp(), "token");
    writeFileSync(file, "from-file-0123456789\n", { mode: 0o600 });
    expect(readTokenFile(file)).toBe("from-file-0123456789");
    chmodSync(file, 0o644);
    expect(() => readTokenFile(file)).toThrow(/readable by other users/);
    expect(serveToken({}, {}).source).toBe("generated");
  });
});

describe("scheduler hand-off keeps secrets out of the job files", () => {
  const spec: SchedulerJobSpec = {
    runId: "run-20260101-120000-abcd",
    nodes: 2,
    npusPerNode: 8,
    workdir: "/w",
    script: "/w/run.sh",
    env: { HF_TOKEN: HF, DB_PASS: "pw-123456", HCCL_BUFFSIZE: "120" },
    masterPort: 6000,
    hostfile: "/w/.ascend-train/runs/h",
    logFile: "/w/logs/t.log",
    secretsFile: "/w/.ascend-train/runs/run.secrets.env",
  };

  it("the Slurm script loads them from the owner-only env file; the AscendJob refers to a Secret", () => {
    const settings = HostSettingsSchema.parse({ env: { WANDB_API_KEY: "wandb-0123456789" } });
    const slurm = slurmScript(spec, settings, { gres: "npu:8" });
    for (const secret of [HF, "pw-123456", "wandb-0123456789"]) expect(slurm).not.toContain(secret);
    expect(slurm).toContain("export HCCL_BUFFSIZE=120");
    expect(slurm).toContain("< /w/.ascend-train/runs/run.secrets.env");
    const text = ascendJobManifest(spec, {
      image: "i",
      namespace: "d",
      queue: "q",
      ringController: "ascend-910b",
      acceleratorType: "module-910b-8",
      hostArch: "huawei-arm",
    });
    expect(text).not.toContain(HF);
    const env = parseYaml(text).spec.replicaSpecs.Master.template.spec.containers[0].env as {
      name: string;
      valueFrom?: { secretKeyRef?: { name: string; key: string } };
    }[];
    expect(env.find((e) => e.name === "HF_TOKEN")?.valueFrom?.secretKeyRef).toEqual({
      name: "run-20260101-120000-abcd-secrets",
      key: "HF_TOKEN",
    });
  });
});
