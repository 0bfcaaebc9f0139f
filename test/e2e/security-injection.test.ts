// Property-based injection test: every string slot of every registered tool (found by walking its zod input, so new
// tools are covered) gets shell metacharacters, quotes, newlines, $(…), backticks, globs, option-like, very long and
// non-UTF-8 values, through one real MCP server over stdio, against a simulated host over SSH. Each firing payload
// tries to create a canary file; afterwards the canary exists nowhere (searched here and on the host over SSH), no
// call ended in an internal error and the server still answers.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { allTools } from "../../src/tools/index.js";
import {
  type BaseValues,
  type CallOutcome,
  classifyResult,
  findCanaryLocally,
  firingPayloads,
  hostileString,
  newCanary,
  placeAt,
  requiredArgs,
  stringSlots,
} from "../helpers/canary.js";
import { iterationLines, type ServerHandle, startServer } from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();
const RUNS_PER_TOOL = Number(process.env.INJECTION_RUNS ?? 18);

describe.skipIf(!env)("hostile strings in every tool input (real MCP client, simulated host over SSH)", () => {
  const canary = newCanary();
  let sim: SshSim;
  let sandbox: string;
  let server: ServerHandle;
  let auditDir: string;
  const outcomes = new Map<string, Record<CallOutcome, number>>();
  const failures: string[] = [];
  let cases = 0;

  const sshOf = () => new SshExecutor("probe", sim.settings);

  beforeAll(async () => {
    sim = await sshSim(env!, "fuzz");
    sandbox = join(sim.dir, "sandbox");
    mkdirSync(sandbox, { recursive: true });
    // Real inputs, so that hostile values in the other fields travel past the first lookup.
    const record = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "ok" },
      ],
      images: [],
    };
    writeFileSync(join(sandbox, "data.json"), JSON.stringify([record]));
    writeFileSync(join(sandbox, "train.log"), iterationLines(1, 20, 400));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync("id", ["-u", env!.user]).toString());
      const gid = Number(execFileSync("id", ["-g", env!.user]).toString());
      for (const f of ["", "data.json", "train.log"]) chownSync(join(sandbox, f), uid, gid);
    }
    chmodSync(sandbox, 0o755);
    auditDir = mkdtempSync(join(tmpdir(), "fuzz-audit-"));
    // Two inventory entries for the same simulated host, for inputs naming several hosts.
    const inventory = writeInventory({ fuzz: sim.settings, fuzz2: sim.settings });
    server = await startServer({ ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_AUDIT_LOG: join(auditDir, "a.jsonl") });
  }, 120_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (sim) await stopSims([sim]);
    if (auditDir) rmSync(auditDir, { recursive: true, force: true });
  });

  const base = (): BaseValues => ({
    byField: {
      host: "fuzz",
      hosts: ["fuzz", "fuzz2"],
      model: "qwen2.5vl-3b",
      query: "qwen2.5vl-3b",
      input: join(sandbox, "data.json"),
      path: join(sandbox, "data.json"),
      dataset: join(sandbox, "data.json"),
      logFile: join(sandbox, "train.log"),
    },
    fallback: (field) => join(sandbox, field),
  });

  it("the canary fires when a payload does reach a shell (control)", async () => {
    const control = newCanary();
    const ssh = sshOf();
    try {
      // Deliberately unquoted: this is what the tools must never do.
      await ssh.runScript(`echo ${firingPayloads(control)[0]}`);
      expect(findCanaryLocally(control, ["/tmp"])).toEqual([control.path]);
    } finally {
      rmSync(control.path, { force: true });
      await ssh.close();
    }
    // The first SSH session of the file: its handshake waits on a loaded machine (CI runs many files at once).
  }, 120_000);

  for (const tool of allTools) {
    it(`${tool.name}: no payload runs, every bad value is a validation or tool error`, async () => {
      const slots = stringSlots(tool.input);
      const hasConfirm = "confirm" in tool.input.shape;
      const tally: Record<CallOutcome, number> = { ok: 0, validation: 0, "tool-error": 0, internal: 0, protocol: 0 };
      outcomes.set(tool.name, tally);
      const around = [sandbox, `${sandbox}/`, "fuzz", "qwen2.5vl-3b"];
      const pick =
        slots.length > 0
          ? fc.array(fc.tuple(fc.nat(slots.length - 1), hostileString(canary, around)), { minLength: 1, maxLength: 3 })
          : fc.constant([] as [number, string][]);
      await fc.assert(
        fc.asyncProperty(pick, fc.boolean(), fc.boolean(), async (chosen, confirm, withInputs) => {
          const args = requiredArgs(tool.input, base());
          // Optional inputs pointing at real files on half the cases (the other half lets their alternatives in).
          if (withInputs) {
            for (const f of ["input", "path", "dataset", "logFile"])
              if (f in tool.input.shape && !(f in args)) args[f] = base().byField[f];
          }
          if (hasConfirm) args.confirm = confirm;
          // The simulated host unless the case names several hosts (host and hosts exclude each other).
          const namesHosts = chosen.some(([i]) => slots[i]!.path[0] === "hosts");
          if ("host" in tool.input.shape && !namesHosts) args.host = "fuzz";
          for (const [i, value] of chosen) placeAt(args, tool.input, slots[i]!, value, base());
          cases++;
          let outcome: CallOutcome;
          let text = "";
          try {
            const res = await server.client.callTool({ name: tool.name, arguments: args }, undefined, {
              timeout: 90_000,
            });
            ({ outcome, text } = classifyResult(res));
          } catch (error) {
            outcome = "protocol";
            text = (error as Error).message;
          }
          tally[outcome]++;
          if (process.env.INJECTION_VERBOSE)
            console.log(tool.name, outcome, text.slice(0, 160).replaceAll("\n", " | "));
          if (outcome === "internal" || outcome === "protocol") {
            failures.push(`${tool.name} ${JSON.stringify(args).slice(0, 300)} -> ${text.slice(0, 300)}`);
          }
          expect(outcome, text.slice(0, 500)).not.toMatch(/internal|protocol/);
          if (outcome !== "ok") expect(text.trim().length).toBeGreaterThan(0);
        }),
        { numRuns: slots.length > 0 ? RUNS_PER_TOOL : 2, endOnFailure: true },
      );
    }, 240_000);
  }

  it("no canary exists anywhere, here or on the host over SSH, and the server is still up", async () => {
    const local = findCanaryLocally(canary, ["/tmp", sim.dir]);
    const ssh = sshOf();
    try {
      const remote = await ssh.runScript(`find /tmp "$HOME" -xdev -name ${canary.name} 2>/dev/null; true`);
      expect(remote.exitCode).toBe(0);
      expect(remote.stdout.trim()).toBe("");
    } finally {
      await ssh.close();
    }
    expect(local).toEqual([]);
    const res = await server.client.callTool({ name: "list_hosts", arguments: { probe: true } });
    expect(res.isError).toBeFalsy();
    expect(process.kill(server.pid, 0)).toBe(true);
    const summary = [...outcomes].map(
      ([t, o]) =>
        `${t}: ${Object.entries(o)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(", ")}`,
    );
    console.log(
      `[injection] ${cases} cases over ${allTools.length} tools, canary never created\n  ${summary.join("\n  ")}`,
    );
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(allTools.length * 2);
  }, 120_000);
});
