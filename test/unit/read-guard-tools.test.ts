// Every tool that reads a file named by its caller refuses it, before reading, where tail_logs and diagnose_error
// would: outside the host's readable roots (/etc/passwd, a folder outside /tmp and the workdir, a symlink leading out)
// or in a credential store. The refusal is the read guard's own sentence, with how to allow the directory
// (readableDirs), and nothing of the refused file comes back. Inside the roots the tools read as before.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { ensureReadable, guardReads, guardWrites } from "../../src/hosts/paths.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import { invokeTool } from "../../src/tools/invoke.js";
import launchTrain from "../../src/tools/launch-train.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const RECORD = {
  messages: [
    { role: "user", content: "<image>What colour is it?" },
    { role: "assistant", content: "Orange." },
  ],
  images: ["orange.png"],
};
/** The read guard's refusal of a path outside the roots of host "box", with its fix. */
const OUTSIDE =
  /outside the directories ascend-train may read on box .*readableDirs for host box in ascend-train\.yaml/;

let base: string;
let wd: string;
let home: string;
/** A valid dataset outside every readable root (not under /tmp, the workdir or ~/.ascend-train). */
let outsideDir: string | null = null;
let deps: ToolDeps;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "read-guard-tools-")));
  home = join(base, "home");
  mkdirSync(home);
  vi.stubEnv("HOME", home);
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(base, "audit.jsonl"));
  wd = join(base, "MindSpeed-MM");
  mkdirSync(join(wd, "data"), { recursive: true });
  writeFileSync(join(wd, "data", "train.json"), JSON.stringify([RECORD]));
  writeFileSync(join(wd, "data", "orange.png"), "png");
  symlinkSync("/etc/passwd", join(wd, "data", "passwd.json"));
  mkdirSync(join(wd, ".ssh"));
  writeFileSync(join(wd, ".ssh", "train.json"), JSON.stringify([RECORD]));
  try {
    outsideDir = mkdtempSync("/var/tmp/read-guard-tools-");
    writeFileSync(join(outsideDir, "x.json"), JSON.stringify([RECORD]));
  } catch {
    outsideDir = null;
  }
  // /tmp is always readable: the roots here are the workdir's parent (allowedDirs), the workdir, ~/.ascend-train, /tmp.
  const settings = HostSettingsSchema.parse({ workdir: wd, allowedDirs: [base] });
  const hosts = new HostRegistry({ file: null, hosts: { box: settings } });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
});
afterAll(async () => {
  await deps?.hosts.closeAll();
  vi.unstubAllEnvs();
  rmSync(base, { recursive: true, force: true });
  if (outsideDir) rmSync(outsideDir, { recursive: true, force: true });
});

async function refusal(tool: Parameters<typeof invokeTool>[0], args: Record<string, unknown>): Promise<string> {
  const outcome = await invokeTool(tool, args, deps);
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  return outcome.ok ? "" : outcome.error;
}

describe("validate_dataset", () => {
  it("refuses /etc/passwd in tail_logs' words and says nothing of what it holds", async () => {
    const error = await refusal(validateDataset, { host: "box", path: "/etc/passwd" });
    expect(error).toMatch(/^"\/etc\/passwd" resolves to \/etc\/passwd, /);
    expect(error).toMatch(OUTSIDE);
    expect(error).not.toMatch(/starts with|root:|JSON/);
    // The same sentence as diagnose_error gives for the same file.
    const diagnosed = await refusal(diagnoseError, { host: "box", logFile: "/etc/passwd" });
    expect(error).toBe(diagnosed);
  });

  it.skipIf(!existsSync("/var/tmp"))("refuses a valid dataset outside the roots instead of validating it", async () => {
    if (!outsideDir) return;
    const error = await refusal(validateDataset, { host: "box", path: join(outsideDir, "x.json") });
    expect(error).toMatch(OUTSIDE);
    expect(error).not.toMatch(/records/);
  });

  it("refuses a relative path whose symlink leads out, a credential store, and an imageDir outside", async () => {
    expect(await refusal(validateDataset, { host: "box", path: "data/passwd.json" })).toMatch(
      new RegExp(`^"data/passwd.json" resolves to /etc/passwd, ${OUTSIDE.source}`),
    );
    expect(await refusal(validateDataset, { host: "box", path: join(wd, ".ssh", "train.json") })).toMatch(
      /a credential file or directory: ascend-train never reads those on box/,
    );
    expect(await refusal(validateDataset, { host: "box", path: "data/train.json", imageDir: "/etc" })).toMatch(
      /^"\/etc" resolves to \/etc, outside the directories ascend-train may read on box/,
    );
  });

  it("still validates a dataset inside the roots, relative to the workdir", async () => {
    const outcome = await invokeTool(
      validateDataset,
      { host: "box", path: "data/train.json", checkImages: false },
      deps,
    );
    expect(outcome).toMatchObject({ ok: true, result: { records: 1, invalid: 0 } });
  });
});

describe("prepare_dataset", () => {
  it("refuses an input outside the roots before converting, and writes nothing", async () => {
    const output = join(wd, "data", "out.json");
    const error = await refusal(prepareDataset, { host: "box", input: "/etc/passwd", output });
    expect(error).toMatch(OUTSIDE);
    expect(error).not.toMatch(/starts with|root:/);
    expect(existsSync(output)).toBe(false);
    expect(await refusal(prepareDataset, { host: "box", input: "data/train.json", output, imageDir: "/etc" })).toMatch(
      OUTSIDE,
    );
    expect(existsSync(output)).toBe(false);
  });
});

describe("plan_finetune", () => {
  it("refuses a dataset outside the roots instead of calling it a directory", async () => {
    for (const dataset of ["/etc/passwd", ...(outsideDir ? [join(outsideDir, "x.json")] : [])]) {
      const error = await refusal(planFinetune, { host: "box", model: "qwen2.5vl-3b", dataset });
      expect(error).toMatch(OUTSIDE);
      expect(error).not.toMatch(/a directory\?/);
    }
  });
});

describe("launch_train", () => {
  it("refuses a script outside the roots with the guard's words and fix, not 'does not exist'", async () => {
    const r = await launchTrain.handle(launchTrain.input.parse({ host: "box", script: "/etc/passwd" }), deps);
    expect(r.preflightOk).toBe(false);
    const check = r.checks.find((c) => c.id === "script")!;
    expect(check.message).toMatch(/^"\/etc\/passwd" resolves to \/etc\/passwd, outside the directories/);
    expect(check.message).not.toMatch(/does not exist/);
    expect(check.fix).toBe(
      "Choose a file inside them, or add its directory to readableDirs for host box in ascend-train.yaml.",
    );
    expect(JSON.stringify(r)).not.toMatch(/root:/);
  });
});

describe("ensureReadable", () => {
  it("resolves inside the roots as the host reads it and refuses elsewhere, like readFile", async () => {
    const settings = HostSettingsSchema.parse({ workdir: wd, allowedDirs: [base] });
    const executor = guardWrites(guardReads(new LocalExecutor("box", settings), settings), settings);
    expect(await ensureReadable(executor, "data/train.json")).toBe(join(wd, "data", "train.json"));
    expect(await ensureReadable(executor, "data/not-yet.json")).toBe(join(wd, "data", "not-yet.json"));
    await expect(ensureReadable(executor, "/etc/passwd")).rejects.toThrow(OUTSIDE);
    await expect(executor.readFile("/etc/passwd")).rejects.toThrow(OUTSIDE);
    await expect(ensureReadable(executor, "data/../../x", "input")).rejects.toThrow(/^input .* contains "\.\."/);
    // readableDirs widens the roots for both.
    const wide = HostSettingsSchema.parse({ workdir: wd, allowedDirs: [base], readableDirs: ["/etc"] });
    const widened = guardReads(new LocalExecutor("box", wide), wide);
    expect(await ensureReadable(widened, "/etc/passwd")).toBe("/etc/passwd");
  });

  const env = readSshTestEnv();
  it.skipIf(!env)("refuses over SSH in the same words", async () => {
    const settings = sshHostSettings(env!, { workdir: "/tmp", allowedDirs: ["/tmp"] });
    const ssh = new SshExecutor("box", settings);
    try {
      const guarded = guardReads(ssh, settings);
      await expect(ensureReadable(guarded, "/etc/passwd")).rejects.toThrow(OUTSIDE);
      expect(await ensureReadable(guarded, "/tmp")).toBe("/tmp");
    } finally {
      await ssh.close();
    }
  });
});
