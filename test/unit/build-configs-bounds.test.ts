// build_configs' and convert_weights' layout sizes are bounded as estimate_memory's are: a pipeline, VPP, node or split size beyond any
// cluster is refused as bad input naming the argument and its ceiling, before any plan is made (unbounded, pp 1e8 ran
// for minutes and vpp 1e8 ended in an internal error).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostRegistry } from "../../src/hosts/registry.js";
import buildConfigs from "../../src/tools/build-configs.js";
import convertWeights from "../../src/tools/convert-weights.js";
import { invokeTool } from "../../src/tools/invoke.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { CLI } from "../helpers/mcp.js";

const deps: ToolDeps = {
  hosts: new HostRegistry({ file: null, hosts: {} }),
  now: () => new Date(),
  progress: () => {},
  log: () => {},
};

describe("convert_weights' layout sizes, as build_configs'", () => {
  for (const [arg, value, ceiling] of [
    ["pp", 100_000_000, 128],
    ["vpp", 100_000_000, 128],
    ["nodes", 1_000_000_000, 4096],
  ] as const) {
    it(`refuses ${arg} ${value} naming the ceiling ${ceiling}`, async () => {
      const outcome = await invokeTool(convertWeights, { model: "qwen2.5vl-3b", [arg]: value }, deps);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toContain(`${arg}: at most ${ceiling}`);
    }, 20_000);
  }
});

describe("build_configs' layout sizes", () => {
  for (const [arg, value, ceiling] of [
    ["pp", 100_000_000, 128],
    ["vpp", 100_000_000, 128],
    ["nodes", 1_000_000_000, 4096],
    ["npusPerNode", 1_000_000_000, 16],
  ] as const) {
    it(`refuses ${arg} ${value} naming the ceiling ${ceiling}`, async () => {
      const outcome = await invokeTool(
        buildConfigs,
        { model: "qwen2.5vl-3b", outputDir: "/tmp/never-written", [arg]: value },
        deps,
      );
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.kind).toBe("input");
      expect(outcome.error).toContain(`${arg}: at most ${ceiling}`);
    }, 20_000);
  }

  it("refuses a layer split with a stage of a hundred million layers", async () => {
    const outcome = await invokeTool(
      buildConfigs,
      { model: "qwen2.5vl-3b", outputDir: "/tmp/never-written", pp: 2, llmLayerSplit: [100_000_000, 1] },
      deps,
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toContain("at most 1024 (layers per stage)");
  }, 20_000);

  it("in a shell, names the flag (--pp: at most 128) and exits 2", () => {
    const home = mkdtempSync(join(tmpdir(), "build-configs-bounds-"));
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, "build-configs", "--model", "qwen2.5vl-3b", "--output-dir", join(home, "out"), "--pp", "100000000"],
        { cwd: home, encoding: "utf8", env: { ...process.env, HOME: home }, timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain("--pp: at most 128");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
