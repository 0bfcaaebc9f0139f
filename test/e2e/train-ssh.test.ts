// launch_train end to end over SSH on simulated Ascend hosts: launch, drop the connection, a new server process finds
// the run in the host's ledger, tails it and stops it; failure scenarios end as failed / stalled; a two-node run.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import type { AuditedExecutor } from "../../src/hosts/audit.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import type { SshExecutor } from "../../src/hosts/ssh.js";
import { layOutSim, makeFakeHfModel, setScenario, stopSimProcesses } from "../../src/sim/index.js";
import launchTrain from "../../src/tools/launch-train.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { stdioClient } from "../helpers/mcp.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();

interface Sim {
  name: string;
  dir: string;
  settings: HostSettings;
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const owner = () => ({
  uid: Number(execFileSync("id", ["-u", env!.user]).toString().trim()),
  gid: Number(execFileSync("id", ["-g", env!.user]).toString().trim()),
});

describe.skipIf(!env)("launch_train over SSH on simulated hosts", () => {
  let base: string;
  let inventory: string;
  let simA: Sim;
  let simB: Sim;
  const started: number[] = [];
  let server: { client: Client; close: () => Promise<void> } | null = null;

  /** Configs for a run (what build_configs writes), owned by the SSH user. */
  function writeConfigs(
    sim: Sim,
    name: string,
    opts: { nodes?: number; iters?: number; saveInterval?: number } = {},
  ): string {
    const wd = sim.settings.workdir!;
    const out = join(wd, "configs", name);
    const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
      outputDir: out,
      hfDir: join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
      ckptDir: join(wd, "ckpt/mm/qwen2.5vl-3b"),
      saveDir: join(wd, "save", name),
      dataset: join(wd, "data/train.json"),
      trainIters: opts.iters ?? 400,
      nodes: opts.nodes,
      saveInterval: opts.saveInterval,
    });
    expect(plan.errors).toEqual([]);
    mkdirSync(out, { recursive: true });
    for (const f of plan.files) writeFileSync(join(out, f.name), f.text);
    const o = owner();
    execFileSync("chown", ["-R", `${o.uid}:${o.gid}`, join(wd, "configs")]);
    return join(out, plan.files.find((f) => f.role === "launch-script")!.name);
  }

  async function layOut(name: string): Promise<Sim> {
    const dir = join(base, name);
    const sim = await layOutSim(dir, { scenario: "healthy", name, owner: owner() });
    const wd = sim.hostSettings.workdir!;
    await makeFakeHfModel(join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
    writeFileSync(join(wd, "data/train.json"), JSON.stringify([{ messages: [], images: [] }]));
    // Converted weights for TP1/PP1, the layout mm-convert writes.
    mkdirSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00"), { recursive: true });
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00/model_optim_rng.pt"), "weights\n");
    writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/latest_checkpointed_iteration.txt"), "release");
    const o = owner();
    execFileSync("chown", ["-R", `${o.uid}:${o.gid}`, dir]);
    const settings = sshHostSettings(env!, {
      ...sim.hostSettings,
      env: { ...sim.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.2" },
    });
    return { name, dir, settings };
  }

  function writeInventory() {
    writeFileSync(inventory, stringify({ hosts: { [simA.name]: simA.settings, [simB.name]: simB.settings } }));
  }

  /** The structured result; an error result throws, unless `failed` expects one that ran and did not act. */
  async function call(name: string, args: Record<string, unknown>, failed = false) {
    if (!server) {
      server = await stdioClient({ env: { ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_FROM_SOURCE: "1" } });
    }
    const r = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
    if (failed) expect(r.isError && r.structuredContent, JSON.stringify(r.content)).toBeTruthy();
    else if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
    // biome-ignore lint/suspicious/noExplicitAny: structured tool output
    return r.structuredContent as any;
  }

  /**
   * Until the run listed satisfies `until`, polled against a wall-clock deadline: the simulated run's pace follows the
   * machine's load, so a test waits on the state it needs, not on a count of looks.
   */
  // biome-ignore lint/suspicious/noExplicitAny: structured tool output
  async function waitForRun(runId: string, until: (run: any) => boolean, what: string, seconds = 90) {
    // biome-ignore lint/suspicious/noExplicitAny: structured tool output
    let last: any;
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const runs = await call("list_runs", { host: simA.name });
      last = runs.runs.find((r: { runId: string }) => r.runId === runId);
      if (last && until(last)) return last;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`run ${runId} never reached ${what} in ${seconds} s: ${JSON.stringify(last)}`);
  }

  async function waitForState(runId: string, states: string[], seconds = 90) {
    return waitForRun(runId, (r) => states.includes(r.state), states.join("/"), seconds);
  }

  /** Switches host A to a scenario, builds configs for it and launches them (confirmed, on a free port). */
  async function launchIn(scenario: "oom" | "hang" | "nan-loss", name: string, opts: { saveInterval?: number } = {}) {
    await setScenario(simA.dir, scenario);
    const run = await call("launch_train", {
      host: simA.name,
      script: writeConfigs(simA, name, opts),
      masterPort: await freePort(),
      confirm: true,
      settleSeconds: 0,
    });
    started.push(...run.pids.map((p: { pid: number }) => p.pid));
    return run;
  }

  function inProcess(): { hosts: HostRegistry; deps: ToolDeps } {
    const hosts = new HostRegistry({
      file: inventory,
      hosts: { [simA.name]: simA.settings, [simB.name]: simB.settings },
    });
    return { hosts, deps: { hosts, now: () => new Date(), progress: () => {}, log: () => {} } };
  }

  /** Live members of a process group; zombies do not count (this container's init may not reap them). */
  const groupAlive = (pid: number) =>
    execFileSync("ps", ["-eo", "pgid=,stat="])
      .toString()
      .split("\n")
      .some((l) => {
        const [g, st] = l.trim().split(/\s+/);
        return Number(g) === pid && !st?.startsWith("Z");
      });

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "train-ssh-"));
    chmodSync(base, 0o755);
    inventory = join(base, "ascend-train.yaml");
    [simA, simB] = await Promise.all([layOut("npu-a"), layOut("npu-b")]);
    writeInventory();
  }, 180_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    for (const pid of started) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    for (const s of [simA, simB]) if (s) await stopSimProcesses(s.dir).catch(() => undefined);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("launch, disconnect, a new server lists it, tails it with ETA, and stops it", async () => {
    const script = writeConfigs(simA, "main");
    const { hosts, deps } = inProcess();
    const masterPort = await freePort();
    const plan = await launchTrain.handle(launchTrain.input.parse({ host: simA.name, script, masterPort }), deps);
    expect(plan.started).toBe(false);
    expect(plan.preflightOk).toBe(true);
    expect(plan.checks.find((c) => c.id === "weights")).toMatchObject({ ok: true, level: "info" });
    expect(plan.plan!.wrapperScript).toContain(`bash ${script}`);

    const run = await launchTrain.handle(
      launchTrain.input.parse({ host: simA.name, script, masterPort, confirm: true }),
      deps,
    );
    expect(run.started).toBe(true);
    started.push(...run.pids.map((p) => p.pid));
    expect(run.exitedEarly).toEqual([]);
    // Cut the SSH connection the way a network drop would, and leave this server behind.
    const handle = await hosts.get(simA.name);
    await ((handle.executor as unknown as AuditedExecutor).unwrap() as SshExecutor).disconnect();
    await hosts.closeAll();

    const running = await waitForState(run.runId, ["running"]);
    expect(running).toMatchObject({ hosts: [simA.name], nodes: [{ host: simA.name, alive: true }] });
    const tail = await call("tail_logs", { runId: run.runId, lines: 5, chart: false });
    expect(tail.state).toBe("running");
    expect(tail.latest.iteration).toBeGreaterThan(0);
    expect(tail.latest.loss).toBeGreaterThan(0);
    expect(tail.etaSeconds).toBeGreaterThan(0);

    const stop = await call("stop_run", { runId: run.runId, confirm: true, graceSeconds: 10 });
    expect(stop.stopped).toBe(true);
    expect(stop.nodes[0].outcome).toMatch(/terminated|killed/);
    expect(groupAlive(run.pids[0]!.pid)).toBe(false);
    const after = await waitForState(run.runId, ["stopped"]);
    expect(after.reason).toContain("SIG");
    // tail_logs says the same as list_runs: stopped on purpose, not failed, and how to continue it.
    const tailed = await server!.client.callTool({ name: "tail_logs", arguments: { runId: run.runId } }, undefined, {
      timeout: 60_000,
    });
    const st = tailed.structuredContent as { state: string; stateReason: string };
    expect(st.state).toBe("stopped");
    expect(st.stateReason).toMatch(/^stopped with SIG\w+ at .*, after iteration \d+\/\d+/);
    const said = (tailed.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
    // Its script saves weights only (as upstream's examples): the call that works resumes with a new optimizer.
    expect(said).toContain(
      `Next: resume_run {runId: "${run.runId}", host: "${simA.name}", allowFreshOptimizer: true} continues it from its last checkpoint, with a new optimizer`,
    );
  }, 120_000);

  it("a run that runs out of NPU memory ends as failed; the allocator setting alone does not fit it, recomputation does", async () => {
    const run = await launchIn("oom", "oom");
    expect(run.started).toBe(true);
    const failed = await waitForState(run.runId, ["failed"]);
    expect(failed.reason).toMatch(/out of memory|error/i);

    // The allocator setting alone does not make room; full recomputation, applied as apply_fix makes it, does.
    const script = run.plan.script as string;
    const relaunch = async () => {
      const r = await call("launch_train", {
        host: simA.name,
        script,
        masterPort: await freePort(),
        confirm: true,
        settleSeconds: 0,
      });
      started.push(...r.pids.map((p: { pid: number }) => p.pid));
      return r;
    };
    const alloc = await call("apply_fix", { runId: run.runId, rule: "npu-oom", fix: "alloc-conf", confirm: true });
    expect(alloc.applied).toBe(true);
    const stillOom = await relaunch();
    expect((await waitForState(stillOom.runId, ["failed"])).reason).toMatch(/out of memory|error/i);
    const recompute = await call("apply_fix", {
      runId: stillOom.runId,
      rule: "npu-oom",
      fix: "recompute",
      confirm: true,
    });
    expect(recompute.applied).toBe(true);
    // The run died before its first checkpoint: the way to run it again with the fix is a new start, not a resume.
    expect(recompute.next).toMatch(/^Run it again with the fix\. It saved no checkpoint/);
    expect(recompute.next).not.toContain("resume_run");
    expect(recompute.next).toContain(`launch_train {host: "${simA.name}", script: "${script}"}`);
    expect(readFileSync(script, "utf8")).toContain("--recompute-granularity full");
    const fits = await relaunch();
    const listed = await waitForRun(
      fits.runId,
      (r) => r.state === "finished" || (r.state === "running" && (r.iteration ?? 0) >= 6),
      "iteration 6",
    );
    expect(listed.iteration).toBeGreaterThanOrEqual(6);
    await call("stop_run", { runId: fits.runId, confirm: true, graceSeconds: 5 });
  }, 240_000);

  it("a run that stops printing while its process lives on ends as stalled", async () => {
    const run = await launchIn("hang", "hang");
    const first = await waitForState(run.runId, ["running"]);
    expect(first.iteration).toBeGreaterThan(0);
    // Ten quiet minutes, without waiting for them: the log's mtime moves back (again at each look, since the run may
    // still write a line or two before it goes quiet).
    // biome-ignore lint/suspicious/noExplicitAny: structured tool output
    let stalled: any;
    for (let i = 0; i < 20 && stalled?.state !== "stalled"; i++) {
      execFileSync("touch", ["-d", "10 minutes ago", first.logFile]);
      const runs = await call("list_runs", { host: simA.name });
      stalled = runs.runs.find((r: { runId: string }) => r.runId === run.runId);
      if (stalled?.state !== "stalled") await new Promise((r) => setTimeout(r, 500));
    }
    expect(stalled.state).toBe("stalled");
    expect(stalled.nodes[0].alive).toBe(true);
    await call("stop_run", { runId: run.runId, confirm: true, graceSeconds: 5 });
    await setScenario(simA.dir, "healthy");
  }, 90_000);

  it("a run whose loss turns NaN lists as running with that said first, and both tools name the next step", async () => {
    const run = await launchIn("nan-loss", "nan", { saveInterval: 5 });
    let listed = await waitForRun(run.runId, (r) => /^loss is NaN/.test(r.reason ?? ""), "a NaN reason");
    expect(listed.reason).toMatch(/^loss is NaN since iteration \d+: the run is no longer learning/);
    const text = async (name: string, args: Record<string, unknown>) => {
      const r = await server!.client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 });
      return (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
    };
    expect(await text("list_runs", { host: simA.name })).toContain(
      `Next: ${run.runId} no longer learns: stop_run {runId: "${run.runId}"}, then diagnose_error {runId: "${run.runId}"}.`,
    );
    const tail = await text("tail_logs", { runId: run.runId, lines: 3 });
    expect(tail).toMatch(/^running: loss is NaN/);
    expect(tail).toContain(`Next: the loss is no longer a number`);
    expect(tail).toContain(`diagnose_error {runId: "${run.runId}", host: "${simA.name}"}`);
    // The step named reads the cause from the running run's log.
    const diagnosis = await call("diagnose_error", { runId: run.runId });
    expect(diagnosis.findings[0].category).toBe("nan_loss");
    // A bf16 Megatron run: neither fp16's range nor a DeepSpeed upgrade is offered as the cause or the fix.
    expect(diagnosis.findings[0].cause).toMatch(/^The run trains in bf16/);
    expect(diagnosis.findings[0].fixes.map((x: { id: string }) => x.id)).not.toContain("deepspeed");
    expect(diagnosis.findings[0].fixes.map((x: { id: string }) => x.id)).not.toContain("bf16");
    // Past a checkpoint saved after the divergence (every 5 iterations, NaN from iteration 3).
    listed = await waitForRun(run.runId, (r) => r.state === "running" && (r.iteration ?? 0) >= 7, "iteration 7");
    const stopped = await text("stop_run", { runId: run.runId, confirm: true, graceSeconds: 5 });
    // Its save directory holds only checkpoints from after the divergence: a restart goes to a new one.
    const saveDir = join(simA.settings.workdir!, "save", "nan");
    expect(stopped).toContain("No checkpoint of this run predates the divergence");
    expect(stopped).toContain(`saveDir: "${saveDir}-restart"`);
    // resume_run refuses the diverged checkpoint, saying why and what instead: a failed pre-flight, an error result.
    const resume = await call("resume_run", { runId: run.runId }, true);
    const refusal = resume.checks.find((c: { id: string; ok: boolean }) => c.id === "resumable" && !c.ok);
    expect(refusal?.message).toMatch(/was saved after the run's loss turned NaN\/inf at iteration \d+/);
    expect(refusal?.fix).toContain(`${saveDir}/latest_checkpointed_iteration.txt`);

    // The fix diagnose_error offers, applied as apply_fix makes it (the run's script, --lr halved), and the run
    // started again into a fresh save directory: the loss stays a number past the iteration it diverged at before.
    const fixed = await call("apply_fix", { runId: run.runId, rule: "nan-loss", fix: "lr", confirm: true });
    expect(fixed.applied).toBe(true);
    const script = run.plan.script as string;
    const text0 = readFileSync(script, "utf8");
    expect(text0).toMatch(/--lr 5e-06\b/);
    // The same fix asked for again on the same run would halve the rate once more: refused, saying why and how.
    await expect(call("apply_fix", { runId: run.runId, rule: "nan-loss", fix: "lr", confirm: true })).rejects.toThrow(
      /has changed since run \S+ launched .*launch it again to see whether the change helped.*again: true/,
    );
    const onTop = await call("apply_fix", { runId: run.runId, rule: "nan-loss", fix: "lr", again: true });
    expect(onTop.applied).toBe(false);
    expect(onTop.plan.diff).toContain("--lr 2.5e-06");
    expect(readFileSync(script, "utf8")).toBe(text0);
    // Its next step knows the fix is in: no diagnosis first, and a new save directory for the restart.
    expect(fixed.next).not.toContain("diagnose_error");
    expect(fixed.next).not.toContain("once the cause is fixed");
    expect(fixed.next).toContain(`saveDir: "${saveDir}-restart"`);
    writeFileSync(script, text0.replaceAll(saveDir, `${saveDir}-fixed`));
    const again = await call("launch_train", {
      host: simA.name,
      script,
      masterPort: await freePort(),
      confirm: true,
      settleSeconds: 0,
    });
    started.push(...again.pids.map((p: { pid: number }) => p.pid));
    // "unknown" is a log that could not be read this time (a loaded host): still active, as list_runs counts it.
    const healthy = await waitForRun(
      again.runId,
      (r) =>
        (r.state === "running" && (r.iteration ?? 0) >= 6) || !["starting", "running", "unknown"].includes(r.state),
      "iteration 6 or an end",
    );
    expect(healthy.state).toBe("running");
    expect(healthy.iteration).toBeGreaterThanOrEqual(6);
    expect(healthy.reason).not.toMatch(/NaN/);
    expect(Number.isFinite(healthy.loss)).toBe(true);
    await call("stop_run", { runId: again.runId, confirm: true, graceSeconds: 5 });
    await setScenario(simA.dir, "healthy");
  }, 300_000);

  it("a run that reaches its last iteration reads finished, and tail_logs names what comes after training", async () => {
    await setScenario(simA.dir, "healthy");
    const run = await call("launch_train", {
      host: simA.name,
      script: writeConfigs(simA, "short", { iters: 4 }),
      masterPort: await freePort(),
      confirm: true,
      settleSeconds: 0,
    });
    started.push(...run.pids.map((p: { pid: number }) => p.pid));
    await waitForState(run.runId, ["finished"]);
    const r = await server!.client.callTool({ name: "tail_logs", arguments: { runId: run.runId } }, undefined, {
      timeout: 60_000,
    });
    const text = (r.content as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
    expect(text).toMatch(/^finished: /);
    expect(text).toContain(`evaluate_model {runId: "${run.runId}", host: "${simA.name}"}`);
    expect(text).toContain(`export_model {runId: "${run.runId}", host: "${simA.name}", confirm: true}`);
  }, 90_000);

  it("runs on two hosts under one run id with NODE_RANK, MASTER_ADDR and the NIC variables", async () => {
    const scriptA = writeConfigs(simA, "multi", { nodes: 2 });
    writeConfigs(simB, "multi", { nodes: 2 });
    const scriptB = scriptA.replace(simA.settings.workdir!, simB.settings.workdir!);
    expect(scriptB).not.toBe(scriptA);
    // Each sim keeps its checkout elsewhere, so each node runs the same relative script.
    const rel = scriptA.slice(simA.settings.workdir!.length + 1);
    const run = await call("launch_train", {
      hosts: [simA.name, simB.name],
      script: rel,
      masterPort: await freePort(),
      confirm: true,
      settleSeconds: 1,
    });
    expect(run.started).toBe(true);
    started.push(...run.pids.map((p: { pid: number }) => p.pid));
    const envs = run.plan.nodes.map((n: { env: Record<string, string> }) => n.env);
    expect(envs.map((e: Record<string, string>) => e.NODE_RANK)).toEqual(["0", "1"]);
    expect(envs.every((e: Record<string, string>) => e.MASTER_ADDR === "127.0.0.1" && e.NNODES === "2")).toBe(true);
    expect(envs[1].HCCL_SOCKET_IFNAME).toBe("lo");
    expect(envs[1].GLOO_SOCKET_IFNAME).toBe("lo");

    const listed = await call("list_runs", {});
    const mine = listed.runs.find((r: { runId: string }) => r.runId === run.runId);
    expect(mine.hosts).toEqual([simA.name, simB.name]);
    expect(mine.nodes.map((n: { alive: boolean }) => n.alive)).toEqual([true, true]);
    const onB = await call("list_runs", { host: simB.name });
    expect(onB.runs.map((r: { runId: string }) => r.runId)).toContain(run.runId);

    const stop = await call("stop_run", { runId: run.runId, confirm: true, graceSeconds: 5 });
    expect(stop.nodes).toHaveLength(2);
    for (const p of run.pids) expect(groupAlive(p.pid)).toBe(false);
  }, 90_000);
});
