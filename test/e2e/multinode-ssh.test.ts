// A two-node run end to end: two simulated Ascend hosts reached over SSH at different loopback addresses
// (127.0.0.2 and 127.0.0.3, a second listener of the test sshd) meet at MASTER_ADDR:MASTER_PORT and train to the end;
// when one node runs out of memory the other fails after it (HCCL EI0002) and diagnose_error names the first; a node
// that never comes leaves node 0 with torch's store timeout.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { hostPrelude } from "../../src/hosts/environment.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { shellQuote } from "../../src/hosts/quote.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutSim, setScenario, stopSimProcesses } from "../../src/sim/index.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import launchTrain from "../../src/tools/launch-train.js";
import listRuns from "../../src/tools/list-runs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { addTrainingInputs } from "../helpers/local-sim.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();
const ADDR_A = "127.0.0.2";
const ADDR_B = "127.0.0.3";

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

const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host, port }, () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

interface Sim {
  name: string;
  dir: string;
  settings: HostSettings;
}

// The second listener logs in as the test user, which takes root (as the test sshd itself does).
describe.skipIf(!env || process.getuid?.() !== 0)("a two-node run over SSH on two loopback addresses", () => {
  let base: string;
  let sshd: ChildProcess | null = null;
  let knownHosts: string;
  let simA: Sim;
  let simB: Sim;
  let hosts: HostRegistry;
  let deps: ToolDeps;
  const owner = () => ({
    uid: Number(execFileSync("id", ["-u", env!.user]).toString().trim()),
    gid: Number(execFileSync("id", ["-g", env!.user]).toString().trim()),
  });

  /** A second listener of the test sshd (same keys and user) on the two addresses, with their known_hosts lines. */
  async function startSshd(): Promise<void> {
    const dir = dirname(env!.key);
    const config = readFileSync(join(dir, "sshd_config"), "utf8")
      .replace(/^ListenAddress .*$/m, `ListenAddress ${ADDR_A}\nListenAddress ${ADDR_B}`)
      .replace(/^PidFile .*$/m, `PidFile ${join(base, "sshd.pid")}`);
    writeFileSync(join(base, "sshd_config"), config);
    const bin = existsSshd();
    sshd = spawn(bin, ["-D", "-e", "-f", join(base, "sshd_config")], { stdio: "ignore" });
    const key = readFileSync(env!.hostKeyPub, "utf8").split(" ").slice(0, 2).join(" ");
    knownHosts = join(base, "known_hosts");
    writeFileSync(knownHosts, `[${ADDR_A}]:${env!.port} ${key}\n[${ADDR_B}]:${env!.port} ${key}\n`);
    for (let i = 0; i < 50; i++) {
      if ((await answers(ADDR_A, env!.port)) && (await answers(ADDR_B, env!.port))) return;
      await sleep(100);
    }
    throw new Error(`the second sshd did not listen on ${ADDR_A} and ${ADDR_B}`);
  }

  function existsSshd(): string {
    const r = spawnSync("sh", ["-c", "command -v sshd || echo /usr/sbin/sshd"], { encoding: "utf8" });
    return r.stdout.trim();
  }

  async function layOut(name: string, addr: string): Promise<Sim> {
    const dir = join(base, name);
    const sim = await layOutSim(dir, { scenario: "healthy", name, owner: owner() });
    await addTrainingInputs(sim.hostSettings.workdir!);
    const o = owner();
    execFileSync("chown", ["-R", `${o.uid}:${o.gid}`, dir]);
    const settings = sshHostSettings(env!, {
      ...sim.hostSettings,
      env: { ...sim.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.05", HCCL_EXEC_TIMEOUT: "1" },
    });
    return {
      name,
      dir,
      settings: { ...settings, ssh: `${env!.user}@${addr}:${env!.port}`, knownHostsFile: knownHosts },
    };
  }

  /** The configs build_configs writes for a two-node run, the same relative path on both hosts. */
  function writeConfigs(name: string, iters: number): string {
    let rel = "";
    for (const sim of [simA, simB]) {
      const wd = sim.settings.workdir!;
      const out = join(wd, "configs", name);
      const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
        outputDir: out,
        hfDir: join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
        ckptDir: join(wd, "ckpt/mm/qwen2.5vl-3b"),
        saveDir: join(wd, "save", name),
        dataset: join(wd, "data/train.json"),
        trainIters: iters,
        nodes: 2,
      });
      expect(plan.errors).toEqual([]);
      mkdirSync(out, { recursive: true });
      for (const f of plan.files) writeFileSync(join(out, f.name), f.text);
      const o = owner();
      execFileSync("chown", ["-R", `${o.uid}:${o.gid}`, join(wd, "configs")]);
      rel = join("configs", name, plan.files.find((f) => f.role === "launch-script")!.name);
    }
    return rel;
  }

  async function launch(script: string) {
    const run = await launchTrain.handle(
      launchTrain.input.parse({
        hosts: [simA.name, simB.name],
        script,
        masterAddr: ADDR_A,
        masterPort: await freePort(),
        settleSeconds: 0,
        confirm: true,
      }),
      deps,
    );
    expect(run.started).toBe(true);
    return run;
  }

  /** Until the run is in one of `states` and, with `allEnded`, no node's process is alive. */
  async function waitForState(runId: string, states: string[], seconds = 40, allEnded = false) {
    let last: Awaited<ReturnType<typeof listRuns.handle>>["runs"][number] | undefined;
    for (let i = 0; i < seconds * 4; i++) {
      const r = await listRuns.handle(listRuns.input.parse({ host: simA.name }), deps);
      last = r.runs.find((x) => x.runId === runId);
      if (last && states.includes(last.state) && (!allEnded || last.nodes.every((n) => n.alive === false))) return last;
      await sleep(250);
    }
    throw new Error(`run ${runId} never reached ${states.join("/")}: ${JSON.stringify(last)}`);
  }

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "multinode-"));
    chmodSync(base, 0o755);
    await startSshd();
    [simA, simB] = await Promise.all([layOut("node-a", ADDR_A), layOut("node-b", ADDR_B)]);
    hosts = new HostRegistry({
      file: join(base, "ascend-train.yaml"),
      hosts: { [simA.name]: simA.settings, [simB.name]: simB.settings },
    });
    deps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
  }, 180_000);

  afterAll(async () => {
    await hosts?.closeAll().catch(() => undefined);
    for (const s of [simA, simB]) if (s) await stopSimProcesses(s.dir).catch(() => undefined);
    sshd?.kill("SIGTERM");
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("both nodes join at MASTER_ADDR:MASTER_PORT, print their own ranks and train to the end", async () => {
    const run = await launch(writeConfigs("together", 6));
    expect(run.plan!.nodes.map((n) => n.env.MASTER_ADDR)).toEqual([ADDR_A, ADDR_A]);
    // Both nodes' processes gone, so each log holds its last line.
    const done = await waitForState(run.runId, ["finished", "failed"], 120, true);
    expect(done.state).toBe("finished");
    const [logA, logB] = run.plan!.nodes.map((n) => readFileSync(n.logFile, "utf8"));
    expect(logA).toMatch(/Rendezvous complete for workers[\s\S]*group_rank=0\n\s+group_world_size=2/);
    expect(logB).toMatch(/group_rank=1\n[\s\S]*global_ranks=\[8, 9, 10, 11, 12, 13, 14, 15\]/);
    expect(logA).toContain("using world size: 16");
    for (const log of [logA, logB]) expect(log).toMatch(/iteration\s+6\/\s+6/);
    expect(logB).not.toContain("Traceback");
  }, 180_000);

  it("node 1 runs out of memory, node 0 fails after it with HCCL's EI0002, and diagnose_error names node 1's rank first", async () => {
    await setScenario(simB.dir, "oom");
    try {
      const run = await launch(writeConfigs("oom", 40));
      // The run fails with its first node; node 0 ends HCCL_EXEC_TIMEOUT (1 s here) later.
      const failed = await waitForState(run.runId, ["failed", "finished"], 40, true);
      expect(failed.state).toBe("failed");
      expect(failed.reason).toContain(`node 1 (${simB.name}) exited with 1`);
      const nodeA = readFileSync(run.plan!.nodes[0]!.logFile, "utf8");
      expect(nodeA).toMatch(/\[rank0\]: EI0002: .*remote rank: \[8\]/);
      const d = await diagnoseError.handle(diagnoseError.input.parse({ runId: run.runId }), deps);
      expect(d.findings[0]!.category).toBe("npu_oom");
      expect(d.rootCause!.first).toMatchObject({ rank: "rank8", host: simB.name, nodeRank: 1, consequence: false });
      expect(d.rootCause!.consequences).toEqual([
        expect.objectContaining({ rank: "rank0", host: simA.name, nodeRank: 0, consequence: true }),
      ]);
      expect(d.summary).toContain(`First to fail: rank8 on ${simB.name} (node 1).`);
    } finally {
      await setScenario(simB.dir, "healthy");
    }
  }, 60_000);

  it("a node that never comes: node 0's torchrun gives up with torch's store timeout, diagnosed as a communication timeout", async () => {
    const rel = writeConfigs("alone", 6);
    const wd = simA.settings.workdir!;
    const log = join(wd, "logs", "alone.log");
    // Node 0 started by hand, as on a cluster where the other node was never launched.
    const prelude = hostPrelude(simA.settings, { sourceCann: true, activatePython: true });
    const r = spawnSync("bash", ["-c", `${prelude}\nbash ${shellQuote(rel)}`], {
      cwd: wd,
      encoding: "utf8",
      timeout: 30_000,
      env: {
        ...process.env,
        MASTER_ADDR: ADDR_A,
        MASTER_PORT: String(await freePort()),
        NODE_RANK: "0",
        ASCEND_SIM_RDZV_TIMEOUT: "2",
      },
    });
    writeFileSync(log, r.stdout + r.stderr);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(
      /torch\.distributed\.DistStoreError: Timed out after 3 seconds waiting for clients\. 1\/2 clients joined\./,
    );
    expect(r.stdout + r.stderr).not.toMatch(/iteration\s+1\//);
    const d = await diagnoseError.handle(diagnoseError.input.parse({ host: simA.name, logFile: log }), deps);
    expect(d.findings[0]!.category).toBe("hccl_timeout");
  }, 60_000);
});
