// Deterministic injection sweep over a local-executor simulated host, through a real MCP server over stdio: every
// string slot of every registered tool (values, record keys and values, array elements: masterAddr, runId, env names
// and values included) gets firing payloads in turn, with the tool's other inputs real (a launch script, a recorded
// run, a log, a dataset) so the hostile value travels as far as it can; multi-host tools get two hosts so the
// multi-node planning runs. Then apply_fix reads logs whose lines carry hostile file names, ports and pids and
// carries out what it finds. Afterwards the canary exists nowhere, no call ended in an internal error, and the
// server still answers. The random fuzz over SSH (security-injection.test.ts) covers the SSH executor's paths.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allTools } from "../../src/tools/index.js";
import {
  type BaseValues,
  type CallOutcome,
  classifyResult,
  findCanaryLocally,
  firingPayloads,
  newCanary,
  placeAt,
  requiredArgs,
  stringSlots,
} from "../helpers/canary.js";
import { type LocalTrainableSim, localTrainableSim } from "../helpers/local-sim.js";
import { freePort, iterationLines, type ServerHandle, startServer } from "../helpers/server-probe.js";

/** Payloads tried per slot (SWEEP_PER_SLOT), taken in turn from the firing list so every payload meets many slots. */
const PER_SLOT = Number(process.env.SWEEP_PER_SLOT ?? 1);
/** Tools whose confirmed call would run for minutes on a valid input (an install); they are swept as plans. */
const PLAN_ONLY = new Set(["install_stack"]);

describe("every string slot of every tool, firing payloads, local simulated host (real MCP client)", () => {
  const canary = newCanary();
  let sim: LocalTrainableSim;
  let server: ServerHandle;
  let runId = "";
  let cases = 0;
  const failures: string[] = [];
  const tally: Record<CallOutcome, number> = { ok: 0, validation: 0, "tool-error": 0, internal: 0, protocol: 0 };

  async function call(name: string, args: Record<string, unknown>) {
    cases++;
    let outcome: CallOutcome;
    let text: string;
    try {
      const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
      ({ outcome, text } = classifyResult(res));
    } catch (error) {
      outcome = "protocol";
      text = (error as Error).message;
    }
    tally[outcome]++;
    if (outcome === "internal" || outcome === "protocol")
      failures.push(`${name} ${JSON.stringify(args).slice(0, 300)} -> ${text.slice(0, 300)}`);
    return { outcome, text };
  }

  beforeAll(async () => {
    sim = await localTrainableSim("sweep", "0.5");
    const wd = sim.settings.workdir!;
    writeFileSync(join(wd, "train.log"), iterationLines(1, 20, 400));
    // The same host twice, for inputs naming several hosts.
    writeFileSync(sim.inventory, stringify({ hosts: { sweep: sim.settings, sweep2: sim.settings } }));
    server = await startServer({
      ASCEND_TRAIN_CONFIG: sim.inventory,
      ASCEND_TRAIN_AUDIT_LOG: join(sim.base, "a.jsonl"),
    });
    const launched = await server.client.callTool(
      {
        name: "launch_train",
        arguments: { host: "sweep", script: sim.script, masterPort: await freePort(), settleSeconds: 0, confirm: true },
      },
      undefined,
      { timeout: 120_000 },
    );
    runId = (launched.structuredContent as { runId: string }).runId;
    expect(runId).toMatch(/^run-/);
  }, 240_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    await sim?.cleanup();
  });

  const base = (): BaseValues => {
    const wd = sim.settings.workdir!;
    return {
      byField: {
        host: "sweep",
        hosts: ["sweep", "sweep2"],
        model: "qwen2.5vl-3b",
        query: "qwen2.5vl-3b",
        runId,
        script: sim.script,
        input: join(wd, "data/train.json"),
        path: join(wd, "data/train.json"),
        dataset: join(wd, "data/train.json"),
        logFile: join(wd, "train.log"),
        hfDir: join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
      },
      fallback: (field) => join(wd, "sweep-out", field),
    };
  };

  it("no payload in any slot of any tool runs, and every refusal is a validation or tool error", async () => {
    const payloads = firingPayloads(canary);
    let turn = 0;
    for (const tool of allTools) {
      const slots = stringSlots(tool.input);
      const hasConfirm = "confirm" in tool.input.shape;
      for (const slot of slots) {
        for (let k = 0; k < PER_SLOT; k++) {
          const value = payloads[turn++ % payloads.length]!;
          const args = requiredArgs(tool.input, base());
          if (hasConfirm) args.confirm = !PLAN_ONLY.has(tool.name);
          // Multi-node planning (masterAddr, socketIfname) runs only with two hosts.
          if ("hosts" in tool.input.shape && /^(masterAddr|socketIfname|hosts)$/.test(String(slot.path[0])))
            args.hosts = ["sweep", "sweep2"];
          else if ("host" in tool.input.shape) args.host = "sweep";
          if ("settleSeconds" in tool.input.shape) args.settleSeconds = 0;
          placeAt(args, tool.input, slot, value, base());
          const { outcome, text } = await call(tool.name, args);
          expect(outcome, `${tool.name} ${slot.path.join(".")}: ${text.slice(0, 400)}`).not.toMatch(
            /internal|protocol/,
          );
        }
      }
    }
  }, 900_000);

  it("apply_fix on logs whose lines carry hostile file names, ports and pids runs nothing of them", async () => {
    const wd = sim.settings.workdir!;
    for (const p of firingPayloads(canary)) {
      const oneLine = p.replaceAll(/[\r\n]/g, " ");
      const logs = [
        `${oneLine}.sh: line 2: $'\\r': command not found`,
        `examples/${oneLine}/run.sh: line 1: $'\\r': command not found`,
        `RuntimeError: The server socket has failed to listen on any local network address. port: 29500 ${oneLine}`,
        `RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB ${oneLine}`,
      ];
      for (const [i, text] of logs.entries()) {
        const logFile = join(wd, `hostile-${i}.log`);
        writeFileSync(logFile, `${text}\n`);
        for (const args of [
          { host: "sweep", text, confirm: true },
          { host: "sweep", logFile, confirm: true, config: { scriptPath: sim.script, masterPort: 29500 } },
        ]) {
          const { outcome, text: out } = await call("apply_fix", args);
          expect(outcome, out.slice(0, 400)).not.toMatch(/internal|protocol/);
        }
      }
    }
  }, 600_000);

  it("no canary exists anywhere and the server still answers", async () => {
    expect(findCanaryLocally(canary, ["/tmp", "/var/tmp", sim.base, process.cwd()])).toEqual([]);
    const res = await server.client.callTool({ name: "list_hosts", arguments: {} });
    expect(res.isError).toBeFalsy();
    console.log(`[injection sweep] ${cases} cases over ${allTools.length} tools: ${JSON.stringify(tally)}`);
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(allTools.length * PER_SLOT);
  }, 60_000);
});
