// The write guard and the no-follow writers: a directory swapped for a symlink between the guard's check and the
// write, a symlink planted at the target, the detached log, locally and over SSH.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ExecOptions, HostExecutor } from "../../src/hosts/executor.js";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { ensureWritable, guardWrites } from "../../src/hosts/paths.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { ensureDir } from "../../src/runs/ledger.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const base = mkdtempSync(join(tmpdir(), "write-guard-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const env = readSshTestEnv();

/** A fresh layout: <root>/allowed/sub (inside the allowed root) and <root>/outside (a victim directory). */
function layout(tag: string) {
  const root = join(base, tag);
  const allowed = join(root, "allowed");
  const sub = join(allowed, "sub");
  const outside = join(root, "outside");
  mkdirSync(sub, { recursive: true });
  mkdirSync(outside, { recursive: true });
  return { root, allowed, sub, outside };
}

/** Swaps `dir` for a symlink to `to` right after the guard's realpath check ran, as an attacker racing it would. */
function swapAfterCheck(inner: HostExecutor, dir: string, to: string): HostExecutor {
  const hooked = Object.create(inner) as HostExecutor;
  hooked.run = async (argv: readonly string[], opts?: ExecOptions) => {
    const result = await inner.run(argv, opts);
    if (argv.some((a) => a.includes("realpath -m")) && !lstatSync(dir).isSymbolicLink()) {
      rmSync(dir, { recursive: true });
      symlinkSync(to, dir);
    }
    return result;
  };
  return hooked;
}

const localSettings = (allowed: string): HostSettings => HostSettingsSchema.parse({ allowedDirs: [allowed] });

describe("local writes follow no symlink after the guard's check", () => {
  it("refuses a directory swapped for a symlink between the check and the write", async () => {
    const { allowed, sub, outside } = layout("swap-local");
    const settings = localSettings(allowed);
    const guarded = guardWrites(swapAfterCheck(new LocalExecutor("local", settings), sub, outside), settings);
    await expect(guarded.writeFile(join(sub, "config.yaml"), "pwned\n")).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, "config.yaml"))).toBe(false);
  });

  it("refuses a symlinked directory on the way, even unguarded", async () => {
    const { allowed, outside } = layout("link-local");
    symlinkSync(outside, join(allowed, "link"));
    const local = new LocalExecutor("local", localSettings(allowed));
    await expect(local.writeFile(join(allowed, "link", "f.txt"), "x")).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, "f.txt"))).toBe(false);
  });

  it("never writes through a symlink planted at the target name", async () => {
    const { allowed, outside } = layout("planted-local");
    const victim = join(outside, "victim");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(allowed, "out.csv"));
    const local = new LocalExecutor("local", localSettings(allowed));
    await expect(local.writeFile(join(allowed, "out.csv"), "new\n")).rejects.toThrow(/already exists/);
    await local.writeFile(join(allowed, "out.csv"), "new\n", { exclusive: false });
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(allowed, "out.csv")).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(allowed, "out.csv"), "utf8")).toBe("new\n");
  });

  it("writes the mode asked for and leaves no temporary file", async () => {
    const { allowed } = layout("mode-local");
    const local = new LocalExecutor("local", localSettings(allowed));
    await local.writeFile(join(allowed, "run.sh"), "#!/bin/sh\n", { mode: 0o700 });
    expect(lstatSync(join(allowed, "run.sh")).mode & 0o777).toBe(0o700);
    await expect(local.writeFile(join(allowed, "run.sh"), "again")).rejects.toThrow(/already exists/);
    await expect(local.writeFile(join(allowed, "missing", "f"), "x")).rejects.toThrow(/does not exist/);
    expect(readFileSync(join(allowed, "run.sh"), "utf8")).toBe("#!/bin/sh\n");
    expect(readdirSync(allowed)).toEqual(["run.sh", "sub"]);
  });

  it("guards the detached process's log file like any write", async () => {
    const { allowed, outside } = layout("detached-local");
    const settings = localSettings(allowed);
    const guarded = guardWrites(new LocalExecutor("local", settings), settings);
    await expect(guarded.spawnDetached(["true"], { logFile: join(outside, "train.log") })).rejects.toThrow(
      /outside the directories/,
    );
    expect(existsSync(join(outside, "train.log"))).toBe(false);
  });

  it("creates the run ledger directory only inside the allowed directories", async () => {
    const { allowed, outside } = layout("ledger-local");
    const settings = localSettings(allowed);
    const guarded = guardWrites(new LocalExecutor("local", settings), settings);
    await expect(ensureDir(guarded, join(outside, "runs"))).rejects.toThrow(/outside the directories/);
    expect(existsSync(join(outside, "runs"))).toBe(false);
    await ensureDir(guarded, join(allowed, "runs"));
    expect(existsSync(join(allowed, "runs"))).toBe(true);
  });

  it("ensureWritable checks commands' targets on a guarded executor", async () => {
    const { allowed, outside } = layout("ensure-local");
    const settings = localSettings(allowed);
    const guarded = guardWrites(new LocalExecutor("local", settings), settings);
    await expect(ensureWritable(guarded, join(outside, "x"), "output")).rejects.toThrow(/outside the directories/);
    await expect(ensureWritable(guarded, join(allowed, "x"), "output")).resolves.toBe(join(allowed, "x"));
  });
});

const TEXT_ONLY = JSON.stringify([
  {
    id: "t",
    conversations: [
      { from: "human", value: "Say hi." },
      { from: "gpt", value: "hi" },
    ],
  },
]);

/** prepare_dataset through a registry whose host swaps `dir` for a symlink right after the guard's check. */
async function prepareWithSwap(inner: HostExecutor, settings: HostSettings, dir: string, to: string, input: string) {
  const hosts = new HostRegistry({ file: null, hosts: { h: settings } }, async () => swapAfterCheck(inner, dir, to));
  const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
  try {
    return await prepareDataset.handle(
      prepareDataset.input.parse({ host: "h", input, output: join(dir, "out.json") }),
      deps,
    );
  } finally {
    await hosts.closeAll();
  }
}

describe("prepare_dataset's output follows no symlink after the guard's check", () => {
  it("refuses locally when the output directory becomes a symlink after the check", async () => {
    const { allowed, sub, outside } = layout("prepare-local");
    const input = join(allowed, "in.json");
    writeFileSync(input, TEXT_ONLY);
    const settings = localSettings(allowed);
    await expect(prepareWithSwap(new LocalExecutor("h", settings), settings, sub, outside, input)).rejects.toThrow(
      /symbolic link/,
    );
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe.skipIf(!env)("SSH writes follow no symlink after the guard's check", () => {
  const ssh = env ? new SshExecutor("ssh", sshHostSettings(env)) : (null as unknown as SshExecutor);
  const made: string[] = [];
  afterAll(async () => {
    if (made.length > 0) await ssh.run(["rm", "-rf", "--", ...made]);
    await ssh?.close();
  });
  /** The same layout made by the SSH user (the files belong to it, as on a real host). */
  const remoteLayout = async () => {
    const r = await ssh.run([
      "sh",
      "-c",
      'd=$(mktemp -d) && mkdir -p "$d/allowed/sub" "$d/outside" && printf "precious\\n" > "$d/outside/victim" && echo "$d"',
    ]);
    expect(r.exitCode).toBe(0);
    const root = r.stdout.trim();
    made.push(root);
    return { root, allowed: join(root, "allowed"), sub: join(root, "allowed", "sub"), outside: join(root, "outside") };
  };

  it("refuses a directory swapped for a symlink between the check and the write", async () => {
    const { allowed, sub, outside } = await remoteLayout();
    const settings = sshHostSettings(env!, { allowedDirs: [allowed] });
    const guarded = guardWrites(swapAfterCheck(ssh, sub, outside), settings);
    await expect(guarded.writeFile(join(sub, "config.yaml"), "pwned\n")).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, "config.yaml"))).toBe(false);
  });

  it("never writes through a symlink planted at the target name, and keeps the mode", async () => {
    const { allowed, outside } = await remoteLayout();
    const victim = join(outside, "victim");
    await ssh.run(["ln", "-s", victim, join(allowed, "out.csv")]);
    await expect(ssh.writeFile(join(allowed, "out.csv"), "new\n")).rejects.toThrow(/already exists/);
    await ssh.writeFile(join(allowed, "out.csv"), "new\n", { exclusive: false, mode: 0o600 });
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(allowed, "out.csv")).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(allowed, "out.csv")).mode & 0o777).toBe(0o600);
    await ssh.writeFile(join(allowed, "new.txt"), "fresh\n");
    expect(readFileSync(join(allowed, "new.txt"), "utf8")).toBe("fresh\n");
    await expect(ssh.writeFile(join(allowed, "nowhere", "f"), "x")).rejects.toThrow(/does not exist/);
    expect(readdirSync(allowed).sort()).toEqual(["new.txt", "out.csv", "sub"]);
  });

  it("prepare_dataset refuses when the output directory becomes a symlink after the check", async () => {
    const { allowed, sub, outside } = await remoteLayout();
    const input = join(allowed, "in.json");
    await ssh.writeFile(input, TEXT_ONLY);
    const settings = sshHostSettings(env!, { allowedDirs: [allowed] });
    await expect(prepareWithSwap(ssh, settings, sub, outside, input)).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual(["victim"]);
  });

  it("refuses a symlinked directory on the way", async () => {
    const { allowed, outside } = await remoteLayout();
    await ssh.run(["ln", "-s", outside, join(allowed, "link")]);
    await expect(ssh.writeFile(join(allowed, "link", "f.txt"), "x")).rejects.toThrow(/symbolic link/);
    expect(existsSync(join(outside, "f.txt"))).toBe(false);
  });
});
