// install_stack end to end over SSH with a real MCP client: a bare simulated host (driver and CANN only) gets the whole
// stack from its local mirrors and wheel house with real git and pip. The first apply fails for real at the torch step
// (a wheel is missing from the wheel directory); once the wheel is back, the next apply resumes there.
import { existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioClient } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();

interface StepOut {
  id: string;
  status: string;
  outcome?: string;
  commands: string[];
  error?: string;
}
interface InstallOut {
  status: string;
  applied: boolean;
  release: string;
  pins: { torchNpu: string };
  steps: StepOut[];
  problems: { id: string; severity: string; message: string; step: string | null }[];
  resumedFrom: string | null;
  failedAt: string | null;
  stateFile: string;
  logFile: string;
  check: { ok: boolean; findings: { id: string; severity: string }[] } | null;
}

const byId = (r: InstallOut) => Object.fromEntries(r.steps.map((s) => [s.id, s]));

describe.skipIf(!env)("install_stack over SSH on a bare simulated host", () => {
  let sim: SshSim;
  let inventory: string;

  beforeAll(async () => {
    sim = await sshSim(env!, "bare-install", "bare");
    inventory = writeInventory({ [sim.name]: sim.settings });
  }, 60_000);
  afterAll(() => stopSims(sim ? [sim] : []));

  it("plans, fails at a missing wheel, resumes at that step and ends with a clean check_env", async () => {
    const mcp = await stdioClient({ env: { ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_FROM_SOURCE: "1" } });
    // A failed install (a step that did not install) is an error result that keeps its structured result.
    const call = async (name: string, args: Record<string, unknown>, progress?: string[], failed = false) => {
      const res = await mcp.client.callTool({ name, arguments: args }, undefined, {
        timeout: 120_000,
        onprogress: (p) => progress?.push(String(p.message)),
      });
      expect(Boolean(res.isError), JSON.stringify(res.content)).toBe(failed);
      return res.structuredContent as unknown as InstallOut;
    };
    try {
      const workdir = sim.settings.workdir!;
      // Plan: nothing changes on the host; the steps come in the manual flow's order with offline pip options.
      const plan = await call("install_stack", { host: sim.name });
      expect(plan.applied).toBe(false);
      expect(plan.status).toBe("planned");
      expect(plan.steps.map((s) => s.id)).toEqual([
        "python-env",
        "mindspeed-mm",
        "megatron",
        "torch",
        "mindspeed",
        "mindspeed-mm-install",
        // v26.1.0's install guide adds Triton-Ascend after MindSpeed-MM.
        "triton-ascend",
        "smoke-test",
      ]);
      expect(byId(plan)["python-env"]!.status).toBe("satisfied");
      expect(byId(plan)["triton-ascend"]!.commands.join(" ")).toContain("--find-links");
      expect(byId(plan).torch!.status).toBe("pending");
      expect(byId(plan).torch!.commands.join(" ")).toContain(`--no-index --find-links ${join(sim.dir, "wheels")}`);
      expect(existsSync(workdir)).toBe(false);

      // Take the torch_npu wheel the plan pins out of the wheel house: pip will really fail at the torch step.
      const wheels = join(sim.dir, "wheels");
      const wheel = readdirSync(wheels).find((f) => f.startsWith(`torch_npu-${plan.pins.torchNpu}-`));
      expect(wheel).toBeDefined();
      renameSync(join(wheels, wheel!), join(sim.dir, `${wheel}.away`));
      const progress: string[] = [];
      const first = await call("install_stack", { host: sim.name, confirm: true }, progress, true);
      expect(first.problems.some((p) => p.step === "torch" && p.message.includes("torch_npu"))).toBe(true);
      expect(first.status).toBe("failed");
      expect(first.failedAt).toBe("torch");
      const f = byId(first);
      expect([f["mindspeed-mm"]!.outcome, f.megatron!.outcome, f.torch!.outcome, f.mindspeed!.outcome]).toEqual([
        "ok",
        "ok",
        "failed",
        "not-run",
      ]);
      expect(f.torch!.error).toMatch(/torch_npu/);
      expect(progress).toContain("megatron: done");
      const state = JSON.parse(readFileSync(first.stateFile, "utf8")) as { steps: Record<string, { status: string }> };
      expect(state.steps.megatron!.status).toBe("done");
      expect(state.steps.torch!.status).toBe("failed");
      expect(readFileSync(first.logFile, "utf8")).toMatch(/torch_npu==.*\n[\s\S]*===== torch exit [1-9]/);

      // Restore the wheel: the next apply skips the finished steps and starts at torch.
      renameSync(join(sim.dir, `${wheel}.away`), join(wheels, wheel!));
      const second = await call("install_stack", { host: sim.name, confirm: true });
      expect(second.status).toBe("installed");
      expect(second.resumedFrom).toBe("torch");
      const s = byId(second);
      expect([s["mindspeed-mm"]!.status, s["mindspeed-mm"]!.outcome]).toEqual(["done", "skipped"]);
      expect([s.megatron!.status, s.megatron!.outcome]).toEqual(["done", "skipped"]);
      expect([s.torch!.status, s.torch!.outcome]).toEqual(["retry", "ok"]);
      expect(s["smoke-test"]!.outcome).toBe("ok");
      expect(second.check?.ok).toBe(true);

      // A port of its own: another suite may hold the default 6000 meanwhile.
      const check = (await call("check_env", { host: sim.name, masterPort: await freePort() })) as unknown as {
        findings: { id: string; severity: string }[];
      };
      expect(check.findings.filter((x) => x.severity === "error")).toEqual([]);
    } finally {
      await mcp.close();
    }
  }, 120_000);
});
