// Writes stay inside the directories the host configuration allows. A simulated host whose allowedDirs is its root
// holds symlinks leading out (to /etc and to a directory of the SSH user elsewhere); build_configs and
// prepare_dataset are asked to write through them, through `..` and to absolute paths elsewhere, over SSH through a
// real MCP server. Each is refused with a clear tool error and nothing appears outside; the same tools still write
// inside the allowed root.
import { execFileSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyResult } from "../helpers/canary.js";
import { type ServerHandle, snapshotTree, startServer } from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();

describe.skipIf(!env)("writes stay inside allowedDirs (simulated host over SSH)", () => {
  let sim: SshSim;
  let outside: string;
  let server: ServerHandle;
  let uid = 0;
  let gid = 0;

  beforeAll(async () => {
    sim = await sshSim(env!, "paths");
    expect(sim.settings.allowedDirs).toEqual([sim.dir]);
    uid = Number(execFileSync("id", ["-u", env!.user]).toString());
    gid = Number(execFileSync("id", ["-g", env!.user]).toString());
    // A directory the SSH user may write to, outside the allowed root: only the guard keeps writes out of it.
    outside = mkdtempSync(join(tmpdir(), "outside-"));
    chownSync(outside, uid, gid);
    const sandbox = join(sim.dir, "sandbox");
    mkdirSync(sandbox);
    const record = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "ok" },
      ],
      images: [],
    };
    writeFileSync(join(sandbox, "data.json"), JSON.stringify([record]));
    symlinkSync(outside, join(sim.dir, "escape"));
    symlinkSync("/etc", join(sim.dir, "etc-link"));
    symlinkSync(outside, join(sandbox, "nested-escape"));
    execFileSync("chown", ["-R", "-h", `${uid}:${gid}`, sandbox, join(sim.dir, "escape"), join(sim.dir, "etc-link")]);
    server = await startServer({ ASCEND_TRAIN_CONFIG: writeInventory({ paths: sim.settings }) });
  }, 120_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (sim) await stopSims([sim]);
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  async function call(name: string, args: Record<string, unknown>) {
    const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
    return classifyResult(res);
  }

  const badDirs = () => [
    { why: "a symlink inside the root pointing outside", path: join(sim.dir, "escape", "cfg") },
    { why: "a symlink deeper inside pointing outside", path: join(sim.dir, "sandbox", "nested-escape", "cfg") },
    { why: "a symlink to /etc", path: join(sim.dir, "etc-link", "ascend-train") },
    { why: "`..` out of the root", path: `${sim.dir}/../${basename(outside)}/cfg` },
    { why: "`..` relative to the workdir", path: `../../../${basename(outside)}/cfg` },
    { why: "an absolute path elsewhere", path: join(outside, "cfg") },
    { why: "an absolute system path", path: "/etc/ascend-train" },
  ];

  it("build_configs refuses every outputDir leading out, and creates nothing there", async () => {
    const etcBefore = snapshotTree("/etc", /^$/).size;
    for (const bad of badDirs()) {
      const r = await call("build_configs", { model: "qwen2.5vl-3b", host: "paths", outputDir: bad.path });
      expect(r.outcome, `${bad.why}: ${r.text}`).toBe("tool-error");
      expect(r.text, bad.why).toMatch(/outside the directories|contains ".."|allowedDirs/);
      expect(readdirSync(outside), `${bad.why}: something was created outside`).toEqual([]);
    }
    expect(existsSync("/etc/ascend-train")).toBe(false);
    expect(snapshotTree("/etc", /^$/).size).toBe(etcBefore);
  });

  it("prepare_dataset refuses every output leading out, and writes nothing there", async () => {
    for (const bad of badDirs()) {
      const r = await call("prepare_dataset", {
        host: "paths",
        input: join(sim.dir, "sandbox", "data.json"),
        output: `${bad.path}.json`,
        checkImages: false,
      });
      expect(r.outcome, `${bad.why}: ${r.text}`).toBe("tool-error");
      expect(r.text, bad.why).toMatch(/outside the directories|contains ".."|allowedDirs/);
      expect(readdirSync(outside), `${bad.why}: something was written outside`).toEqual([]);
    }
  });

  it("the same tools write inside the allowed root", async () => {
    const cfg = join(sim.dir, "sandbox", "cfg");
    const built = await call("build_configs", { model: "qwen2.5vl-3b", host: "paths", outputDir: cfg });
    expect(built.outcome, built.text).toBe("ok");
    expect(readdirSync(cfg).length).toBeGreaterThanOrEqual(2);
    const out = join(sim.dir, "sandbox", "out.json");
    const prepared = await call("prepare_dataset", {
      host: "paths",
      input: join(sim.dir, "sandbox", "data.json"),
      output: out,
      checkImages: false,
    });
    expect(prepared.outcome, prepared.text).toBe("ok");
    expect(existsSync(out)).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("a relative path is checked and written against the workdir, not the login directory", async () => {
    const workdir = sim.settings.workdir!;
    const home = execFileSync("bash", ["-c", `echo ~${env!.user}`], { encoding: "utf8" }).trim();
    const built = await call("build_configs", { model: "qwen2.5vl-3b", host: "paths", outputDir: "cfg-rel" });
    expect(built.outcome, built.text).toBe("ok");
    expect(readdirSync(join(workdir, "cfg-rel")).length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(home, "cfg-rel"))).toBe(false);
    const prepared = await call("prepare_dataset", {
      host: "paths",
      input: join(sim.dir, "sandbox", "data.json"),
      output: "rel-out.json",
      checkImages: false,
    });
    expect(prepared.outcome, prepared.text).toBe("ok");
    expect(existsSync(join(workdir, "rel-out.json"))).toBe(true);
    expect(existsSync(join(home, "rel-out.json"))).toBe(false);
  });
});
