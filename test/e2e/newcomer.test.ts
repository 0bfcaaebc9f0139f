// A newcomer's path past the demo, exactly as the README writes it: the command block between the `newcomer` markers
// runs in order in a fresh directory (sim init → check-env → build-configs → convert-weights → launch-train →
// tail-logs → stop-run). Each command must exit 0, launch-train must return while the run goes on, and the run must
// advance after the CLI that started it has exited. RUN_ID in the README stands for the id launch-train printed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parse as parseShell } from "shell-quote";
import { afterAll, describe, expect, it } from "vitest";
import { stopSimProcesses } from "../../src/sim/index.js";
import { freePort } from "../helpers/free-port.js";
import { lastIteration, waitFor } from "../helpers/local-sim.js";
import { CLI } from "../helpers/mcp.js";

const README = join(import.meta.dirname, "..", "..", "README.md");

/** The commands of the README's newcomer block, comments dropped, one argv each. */
function newcomerCommands(readme: string): string[][] {
  const block = /<!-- newcomer:start -->([\s\S]*?)<!-- newcomer:end -->/.exec(readme)?.[1] ?? "";
  const code = /```bash\n([\s\S]*?)```/.exec(block)?.[1] ?? "";
  return (
    code
      .split("\n")
      .map((l) => l.trim())
      // The directory lines (mkdir, cd) are this test's fresh directory; the rest are the CLI's commands.
      .filter((l) => l && !l.startsWith("#") && /\bascend-train\b/.test(l))
      .map((l) => parseShell(l).filter((w): w is string => typeof w === "string"))
  );
}

describe("the README's path past the demo, as a newcomer types it", () => {
  const dir = mkdtempSync(join(tmpdir(), "newcomer-"));
  afterAll(async () => {
    await stopSimProcesses(join(dir, "sim-host")).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("each documented command exits 0 and the run advances after launch-train has returned", async () => {
    const commands = newcomerCommands(readFileSync(README, "utf8"));
    const names = commands.map((argv) => argv[argv.indexOf("ascend-train") + 1]);
    expect(names).toEqual([
      "sim",
      "check-env",
      "build-configs",
      "convert-weights",
      "launch-train",
      "tail-logs",
      "stop-run",
    ]);
    let runId = "";
    let log = "";
    // The host gets a MASTER_PORT of its own: test files running beside this one may hold the default 6000.
    const masterPort = String(await freePort());
    for (const argv of commands) {
      const typed = argv.slice(argv.indexOf("ascend-train") + 1).map((w) => (w === "RUN_ID" ? runId : w));
      const args = typed[0] === "sim" && typed[1] === "init" ? [...typed, "--master-port", masterPort] : typed;
      const withJson = args[0] === "launch-train" ? [...args, "--json"] : args;
      const r = spawnSync(process.execPath, [CLI, ...withJson], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ASCEND_SIM_STEP_SECONDS: "0.2" },
        timeout: 180_000,
      });
      expect(r.status, `${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (args[0] === "launch-train") {
        const out = JSON.parse(r.stdout);
        expect(out.started).toBe(true);
        expect(String(out.plan.masterPort)).toBe(masterPort);
        runId = out.runId;
        log = out.plan.nodes[0].logFile;
        // The CLI has exited; the run it started goes on.
        await waitFor("a first iteration", () => lastIteration(log) > 0, 90_000);
        const at = lastIteration(log);
        await sleep(2500);
        expect(lastIteration(log)).toBeGreaterThan(at);
      }
      if (args[0] === "tail-logs") expect(r.stdout).toMatch(/iteration \d+\/\d+/);
      // On a slow machine the short run may finish first: stop-run then says so, and that is no failure.
      if (args[0] === "stop-run") expect(r.stdout).toMatch(/stopped|had already ended \(finished/);
    }
    expect(runId).toMatch(/^run-/);
  }, 600_000);
});
