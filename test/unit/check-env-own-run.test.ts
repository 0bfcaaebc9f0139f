// check_env and plan_finetune while the host trains a run of its own ledger: the run's workers and its master port
// are that run, named with its progress, not strangers to kill; the plan shows the run going, not check_env blocked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Finding } from "../../src/env/facts.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutSim, stopSimProcesses } from "../../src/sim/index.js";
import { layOutSampleData } from "../../src/sim/sample-host.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import checkEnv from "../../src/tools/check-env.js";
import convertWeights from "../../src/tools/convert-weights.js";
import { invokeTool } from "../../src/tools/invoke.js";
import launchTrain from "../../src/tools/launch-train.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import stopRun from "../../src/tools/stop-run.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { canBuildSimHost } from "../helpers/prereqs.js";

const root = mkdtempSync(join(tmpdir(), "check-env-own-run-"));
let simDir = "";
let deps: ToolDeps;
let runId = "";
let masterPort = 0;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function call<T>(tool: Parameters<typeof invokeTool>[0], input: Record<string, unknown>): Promise<T> {
  const outcome = await invokeTool(tool, input, deps);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.result as T;
}

const find = (findings: Finding[], id: string) => findings.find((f) => f.id === id);

beforeAll(async () => {
  if (!canBuildSimHost) return;
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(root, "audit.jsonl"));
  // The host's own MASTER_PORT, free now: the default 6000 may be another suite's or a service's.
  masterPort = await freePort();
  const sim = await layOutSim(join(root, "sim"), { scenario: "healthy", masterPort });
  simDir = sim.dir;
  await layOutSampleData(sim.hostSettings.workdir!, "qwen2.5vl-3b");
  const hosts = new HostRegistry({ file: null, hosts: { sim: sim.hostSettings } });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
  const model = "qwen2.5vl-3b";
  const { files } = await call<{ files: { role: string; path: string }[] }>(buildConfigs, {
    host: "sim",
    model,
    globalBatchSize: 8,
    trainIters: 2000,
    saveInterval: 25,
  });
  await call(convertWeights, { host: "sim", model, confirm: true });
  const script = files.find((f) => f.role === "launch-script")!.path;
  // Launched on the host's MASTER_PORT, as plan_finetune without a masterPort checks it.
  const launched = await call<{ runId: string; started: boolean; plan: { masterPort: number } }>(launchTrain, {
    host: "sim",
    script,
    confirm: true,
  });
  expect(launched.started).toBe(true);
  expect(launched.plan.masterPort).toBe(masterPort);
  runId = launched.runId;
}, 180_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await deps?.hosts.closeAll();
  if (simDir) await stopSimProcesses(simDir).catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canBuildSimHost)("check_env and plan_finetune while the host's own run trains", () => {
  it("check_env names the run holding the NPUs and the master port, and does not fail for it", async () => {
    type Out = { ok: boolean; findings: Finding[]; npu: { processes: { pid: number }[] } };
    const r = await call<Out>(checkEnv, { host: "sim", model: "qwen2.5vl-3b", masterPort });
    expect(r.npu.processes.length).toBeGreaterThan(0);
    expect(find(r.findings, "npu-busy")).toBeUndefined();
    expect(find(r.findings, "master-port-in-use")).toBeUndefined();
    expect(r.ok).toBe(true);
    const npus = find(r.findings, "npu-in-use-by-run")!;
    expect(npus.severity).toBe("warning");
    expect(npus.title).toMatch(
      new RegExp(`^NPUs 0-7 are in use by ${runId} \\((starting|running)(, iteration \\d+/2000)?\\)$`),
    );
    expect(renderHints(npus.fix)).toBe(`wait for it, or stop_run {runId: "${runId}"}`);
    const port = find(r.findings, "master-port-in-use-by-run")!;
    expect(port.severity).toBe("info");
    expect(port.title).toContain(`MASTER_PORT ${masterPort} is the master port of ${runId}`);
    expect(checkEnv.failed!(r as Parameters<NonNullable<typeof checkEnv.failed>>[0])).toBe(false);
    // Without a port: the host's MASTER_PORT, the one the run was launched on, named as the run's.
    const own = await call<Out & { ports: { masterPort: number; masterPortFrom: string } }>(checkEnv, {
      host: "sim",
      model: "qwen2.5vl-3b",
    });
    expect(own.ports).toMatchObject({ masterPort, masterPortFrom: "host" });
    expect(find(own.findings, "master-port-in-use")).toBeUndefined();
    expect(find(own.findings, "master-port-in-use-by-run")!.title).toContain(
      `MASTER_PORT ${masterPort} is the master port of ${runId}`,
    );
    expect(own.ok).toBe(true);
  }, 60_000);

  it("plan_finetune shows the run training, not check_env blocked by it", async () => {
    type Plan = { next: { tool: string } | null; steps: { tool: string; status: string; detail: string }[] };
    const p = await call<Plan>(planFinetune, { host: "sim", model: "qwen2.5vl-3b" });
    const step = (tool: string) => p.steps.find((s) => s.tool === tool)!;
    expect(step("check_env").detail).not.toMatch(/hold NPUs|kill/);
    expect(step("check_env").detail).toContain(`in use by ${runId}`);
    expect(step("launch_train")).toMatchObject({ status: "done", detail: expect.stringContaining(runId) });
    expect(step("prepare_dataset")).toMatchObject({
      status: "done",
      detail: `${runId} is training on the dataset its configs name`,
    });
    expect(step("tail_logs").status).toBe("todo");
    expect(step("check_env").status).toBe("done");
    expect(p.next?.tool).toBe("tail_logs");
    // Planned on the run's own master port: named as the run's, with the port a run beside it can take.
    const q = await call<Plan>(planFinetune, { host: "sim", model: "qwen2.5vl-3b", masterPort });
    const env = q.steps.find((s) => s.tool === "check_env")!;
    expect(env.status).toBe("done");
    expect(renderHints(env.detail)).toMatch(
      new RegExp(
        `MASTER_PORT ${masterPort} is the master port of ${runId} \\([^)]*\\): a new run beside it needs another, e\\.g\\. launch_train \\{masterPort: \\d+\\}`,
      ),
    );
  }, 60_000);

  it("a stopped run whose workers outlived the stop: named with the stop_run call, which ends them", async () => {
    type Out = { ok: boolean; findings: Finding[]; npu: { processes: { pid: number }[] } };
    // The wrapper killed, its record marked stopped, its launch script and workers still running in its group.
    const workdir = deps.hosts.settings("sim").workdir!;
    const recordFile = join(workdir, ".ascend-train", "runs", `${runId}.json`);
    const record = JSON.parse(readFileSync(recordFile, "utf8"));
    process.kill(record.nodes[0].pid, "SIGKILL");
    const stopped = { ...record, state: "stopped", stoppedAt: new Date().toISOString(), stopSignal: "SIGKILL" };
    writeFileSync(recordFile, JSON.stringify(stopped));
    const before = await call<Out>(checkEnv, { host: "sim", model: "qwen2.5vl-3b", masterPort });
    expect(find(before.findings, "npu-busy")).toBeUndefined();
    const held = find(before.findings, "npu-held-by-stopped-run")!;
    expect(held.severity).toBe("error");
    expect(held.title).toMatch(new RegExp(`^NPUs 0-7 are still held by workers of ${runId} \\(stopped`));
    expect(renderHints(held.fix)).toMatch(`stop_run {runId: "${runId}", graceSeconds: 0}`);
    const stop = await call<{ stopped: boolean; wasRunning: boolean }>(stopRun, {
      runId,
      host: "sim",
      graceSeconds: 0,
      confirm: true,
    });
    expect(stop).toMatchObject({ stopped: true, wasRunning: true });
    const after = await call<Out>(checkEnv, { host: "sim", model: "qwen2.5vl-3b", masterPort });
    expect(after.npu.processes).toEqual([]);
    expect(find(after.findings, "npu-held-by-stopped-run")).toBeUndefined();
    expect(find(after.findings, "master-port-in-use")).toBeUndefined();
  }, 90_000);
});
