// The demo tells the truth: its temporary folder is gone afterwards unless --keep, the audit command it prints reads
// the commands it ran, the run starts under the id its launch plan showed, and the warning its long run draws is
// explained, not hidden.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";

const work = mkdtempSync(join(tmpdir(), "demo-cleanup-"));
const env = {
  ...process.env,
  ASCEND_TRAIN_FROM_SOURCE: "1",
  ASCEND_TRAIN_AUDIT_LOG: join(work, "audit.jsonl"),
  TMPDIR: work,
};

describe("ascend-train demo", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("removes its folder and prints an audit command that reads its trail", () => {
    const demo = spawnSync(process.execPath, [CLI, "demo"], { cwd: work, env, encoding: "utf8", timeout: 400_000 });
    expect(demo.status, demo.stderr).toBe(0);
    // The launch is confirmed as its plan asks, so the run starts under the id the plan showed: one id until the
    // failing run.
    const healthy = demo.stdout.split("Now a run that fails")[0]!;
    expect(healthy).toMatch(/runId: "run-/);
    expect(new Set(healthy.match(/run-\d{8}-\d{6}-[0-9a-f]{4}/g)).size).toBe(1);
    // build_configs' warning that the demo's long run would memorise its sample is kept, and said why the demo goes
    // on with it, right after it.
    const warned = demo.stdout.split("\n").findIndex((l) => l.includes("the model would memorise it"));
    expect(warned).toBeGreaterThan(-1);
    const after = demo.stdout
      .split("\n")
      .slice(warned + 1, warned + 8)
      .join("\n");
    expect(after).toMatch(/the warning is right: 500 iterations would read the 60 sample records about \d+ times over/);
    expect(after).toMatch(/its point is the flow, not the model/);
    const removed = /Removed (\S+);/.exec(demo.stdout)?.[1];
    expect(removed).toBeDefined();
    expect(existsSync(removed!)).toBe(false);
    const command = /: (?:npx )?ascend-train (audit-log [^\n]+)/.exec(demo.stdout)?.[1];
    expect(command).toBeDefined();
    const audit = spawnSync(process.execPath, [CLI, ...command!.split(" "), "--json"], {
      cwd: work,
      env,
      encoding: "utf8",
    });
    expect(audit.status).toBe(0);
    const entries = JSON.parse(audit.stdout).entries as { tool: string }[];
    expect(entries.some((e) => e.tool === "launch_train")).toBe(true);
  }, 420_000);
});
