// The official MCP conformance suite against `ascend-train serve` (scripts/conformance.mjs). It needs Node >= 22,
// fetched from the npm registry with npx: where that cannot be had (offline), the test is skipped, never passed.
// Fixture scenarios (tools, prompts and resources only the SDK's fixture server defines) are the expected failures
// listed in test/conformance/fixture-scenarios.yml; every other scenario must pass.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without types
import { FIXTURE_SCENARIOS, runConformance, SUITE } from "../../scripts/conformance.mjs";

/** Whether npx can provide Node 22 and the suite (both cached after the first fetch). */
const suiteAvailable =
  spawnSync("npx", ["-y", "-p", "node@22", "-p", SUITE, "--", "conformance", "--version"], {
    stdio: "ignore",
    timeout: 240_000,
  }).status === 0;

describe("MCP conformance suite (Streamable HTTP)", () => {
  const out = mkdtempSync(join(tmpdir(), "conformance-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it.skipIf(!suiteAvailable)(
    "passes every scenario but the fixture ones listed as expected failures",
    async () => {
      const code = await runConformance(["--output-dir", out]);
      const results = readdirSync(out).map((name) => {
        const checks = JSON.parse(readFileSync(join(out, name, "checks.json"), "utf8")) as { status: string }[];
        return { scenario: name.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT.*$/, ""), checks };
      });
      const expected = readFileSync(FIXTURE_SCENARIOS, "utf8")
        .split("\n")
        .map((l) => /^\s+-\s+([\w-]+)/.exec(l)?.[1])
        .filter(Boolean);
      const failed = results.filter((r) => r.checks.some((c) => c.status === "FAILURE")).map((r) => r.scenario);
      const passed = results.filter((r) => !failed.includes(r.scenario)).map((r) => r.scenario);
      expect(failed.filter((s) => !expected.includes(s))).toEqual([]);
      expect(passed).toEqual(
        expect.arrayContaining([
          "server-initialize",
          "logging-set-level",
          "ping",
          "tools-list",
          "resources-list",
          "prompts-list",
          "dns-rebinding-protection",
        ]),
      );
      expect(code).toBe(0);
    },
    300_000,
  );
});
