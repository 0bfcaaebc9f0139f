// `ascend-train demo --trainer trl`: the TRL flow on a simulated CUDA host through a real MCP client, from a bare venv
// to a checked Q4_K_M GGUF file and a diagnosed out-of-memory run, in about 20 seconds; its folder is removed and the
// audit command it prints reads what it ran.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";

const work = mkdtempSync(join(tmpdir(), "demo-trl-"));
const env = {
  ...process.env,
  ASCEND_TRAIN_FROM_SOURCE: "1",
  ASCEND_TRAIN_AUDIT_LOG: join(work, "audit.jsonl"),
  TMPDIR: work,
};

describe("ascend-train demo --trainer trl", () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("installs, trains, exports a checked GGUF and diagnoses an OOM on a simulated CUDA host", () => {
    const demo = spawnSync(process.execPath, [CLI, "demo", "--trainer", "trl"], {
      cwd: work,
      env,
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(demo.status, `${demo.stdout}\n${demo.stderr}`).toBe(0);
    const out = demo.stdout;
    for (const step of ["check_env", "install_stack", "build_configs", "launch_train", "tail_logs", "export_model"])
      expect(out).toContain(`] ${step}`);
    expect(out).toMatch(/TRL stack \(trl 0\.20\.0\) into venv .* — installed/);
    expect(out).toContain("GGUF v3: 3 tensors");
    expect(out).toContain("qwen2, file type 15");
    expect(out).toMatch(/GGUF Q4_K_M, llama\.cpp b6500\) exported, checked/);
    expect(out).toContain("Halve per_device_train_batch_size (2 → 1)");
    const seconds = Number(/Demo finished in ([\d.]+) s/.exec(out)?.[1]);
    // About 20 s on a developer machine; the bound leaves room for a loaded CI runner.
    expect(seconds).toBeLessThan(90);
    const removed = /Removed (\S+);/.exec(out)?.[1];
    expect(removed).toBeDefined();
    expect(existsSync(removed!)).toBe(false);
    const command = /: (?:npx )?ascend-train (audit-log [^\n]+)/.exec(out)?.[1];
    expect(command).toBeDefined();
    const audit = spawnSync(process.execPath, [CLI, ...command!.split(" "), "--json"], {
      cwd: work,
      env,
      encoding: "utf8",
    });
    expect(audit.status).toBe(0);
    const entries = JSON.parse(audit.stdout).entries as { tool: string }[];
    expect(entries.some((e) => e.tool === "export_model")).toBe(true);
    expect(entries.some((e) => e.tool === "install_stack")).toBe(true);
  }, 260_000);

  it("refuses an unknown trainer as a usage error", () => {
    const r = spawnSync(process.execPath, [CLI, "demo", "--trainer", "megatron"], { cwd: work, env, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown trainer "megatron"');
  }, 60_000);
});
