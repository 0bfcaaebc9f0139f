// Runs through a real Slurm cluster (scripts/slurm.sh: munged, slurmctld and slurmd on this machine) whose node runs
// the simulated host's commands: launch_train --scheduler slurm submits from the host as a login node, list_runs
// follows the job (queued with its reason, running, finished, failed, stopped), tail_logs reads its output,
// stop_run cancels it with scancel, resume_run resubmits it from its checkpoint, and diagnose_error explains a job
// that failed. Skipped only where Slurm is not installed, outside CI.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layOutSim, setScenario, stopSimProcesses } from "../../src/sim/index.js";
import { addTrainingInputs, lastIteration, waitFor } from "../helpers/local-sim.js";
import { CLI } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";
import { sshSim, writeInventory } from "../helpers/sim-host.js";
import { readSshTestEnv } from "../helpers/ssh-env.js";

const SLURM_SH = join(import.meta.dirname, "..", "..", "scripts", "slurm.sh");
const HAS_SLURM =
  spawnSync("sh", ["-c", "command -v sbatch && command -v slurmctld"], { stdio: "ignore" }).status === 0;
const SKIP = !HAS_SLURM && process.env.CI !== "true";
const NAME = "slurmsim";
const SSH_NAME = "slurmlogin";
const sshEnv = readSshTestEnv();

interface RunView {
  runId: string;
  state: string;
  reason: string;
  iteration: number | null;
  scheduler: { kind: string; jobId: string | null; state: string | null }[];
}

describe.skipIf(SKIP)("runs through a real Slurm cluster", () => {
  let base: string;
  let dir: string;
  let wd: string;
  let sshDir: string | undefined;
  let sshWd: string;
  let inventory: string;
  let script: string;
  let failScript: string;
  let port: number;

  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
      timeout: 120_000,
    });
  const json = (args: string[], code = 0) => {
    const r = cli([...args, "--json"]);
    expect(r.status, `${args.join(" ")}: ${r.stderr}${r.stdout}`).toBe(code);
    return JSON.parse(r.stdout);
  };
  const runOf = (runId: string, host = NAME): RunView | undefined =>
    (json(["list-runs", "--host", host]).runs as RunView[]).find((r) => r.runId === runId);
  const waitState = (runId: string, state: string, timeoutMs = 60_000) =>
    waitFor(
      `${runId} to be ${state}`,
      () => {
        const r = runOf(runId);
        return r?.state === state ? r : null;
      },
      timeoutMs,
    );

  /** The launch script of 200 iterations, a checkpoint every 5, in its own configs and save directory. */
  const buildConfigs = (tag: string, host = NAME, workdir = wd): string => {
    const built = json([
      "build-configs",
      "--model",
      "qwen2.5vl-3b",
      "--host",
      host,
      "--output-dir",
      join(workdir, "configs", tag),
      "--hf-dir",
      join(workdir, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
      "--ckpt-dir",
      join(workdir, "ckpt/mm/qwen2.5vl-3b"),
      "--save-dir",
      join(workdir, "save", tag),
      "--dataset",
      join(workdir, "data/train.json"),
      "--train-iters",
      "200",
      "--save-interval",
      "5",
    ]);
    return (built.files as { role: string; path: string }[]).find((f) => f.role === "launch-script")!.path;
  };

  beforeAll(async () => {
    const started = spawnSync("bash", [SLURM_SH, "start"], { encoding: "utf8", timeout: 60_000 });
    expect(started.status, started.stderr).toBe(0);
    base = mkdtempSync(join(tmpdir(), "slurm-e2e-"));
    dir = join(base, "host");
    const laid = await layOutSim(dir, { scenario: "healthy", name: NAME });
    wd = laid.hostSettings.workdir!;
    await addTrainingInputs(wd);
    const hosts = {
      [NAME]: { ...laid.hostSettings, env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.25" } },
    };
    if (sshEnv) {
      // A login node reached over SSH: its user submits, and the job runs as that user.
      const login = await sshSim(sshEnv, SSH_NAME, "healthy", { ASCEND_SIM_STEP_SECONDS: "0.25" });
      sshDir = login.dir;
      sshWd = login.settings.workdir!;
      await addTrainingInputs(sshWd);
      execFileSync("chown", ["-R", `${sshEnv.user}:`, sshWd]);
      Object.assign(hosts, { [SSH_NAME]: login.settings });
    }
    inventory = writeInventory(hosts);
    script = buildConfigs("main");
    failScript = buildConfigs("fail");
    port = await freePort();
  }, 180_000);

  afterAll(async () => {
    // Any job of this test still in Slurm goes, then whatever the simulated host started.
    const listed = existsSync(inventory ?? "") ? (json(["list-runs"]).runs as RunView[]) : [];
    for (const r of listed) {
      for (const j of r.scheduler) if (j.jobId) spawnSync("scancel", [j.jobId], { timeout: 15_000 });
    }
    if (dir) await stopSimProcesses(dir).catch(() => undefined);
    if (sshDir) await stopSimProcesses(sshDir).catch(() => undefined);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("submits, queues a second job behind it, follows the first to its first iteration, cancels and resumes it to the end", async () => {
    const plan = json([
      "launch-train",
      "--host",
      NAME,
      "--script",
      script,
      "--scheduler",
      "slurm",
      "--master-port",
      String(port),
    ]);
    expect(plan.started).toBe(false);
    expect(plan.plan.nodes[0].command).toEqual(["sbatch", "--parsable", plan.slurm.script]);
    expect(plan.plan.wrapperScript).toMatch(/srun --kill-on-bad-exit=1/);
    expect(existsSync(plan.slurm.script)).toBe(false);

    const submittedAt = Date.now();
    const launched = json([
      "launch-train",
      "--host",
      NAME,
      "--script",
      script,
      "--scheduler",
      "slurm",
      "--master-port",
      String(port),
      "--confirm",
    ]);
    expect(launched.started).toBe(true);
    expect(launched.slurm.jobId).toMatch(/^\d+$/);
    const runA = launched.runId as string;
    const record = JSON.parse(readFileSync(join(wd, ".ascend-train", "runs", `${runA}.json`), "utf8"));
    expect(record.scheduler[0]).toMatchObject({ kind: "slurm", jobId: launched.slurm.jobId });

    const log = launched.slurm.logFile as string;
    await waitFor("a first iteration under slurmd", () => existsSync(log) && lastIteration(log) > 0, 60_000);
    const firstIterationMs = Date.now() - submittedAt;
    console.log(`slurm: submit to first iteration ${firstIterationMs} ms`);
    const running = runOf(runA)!;
    expect(running.state).toBe("running");
    expect(running.scheduler[0]!.state).toBe("RUNNING");
    const tail = json(["tail-logs", runA, "--host", NAME]);
    expect(tail.latest.iteration).toBeGreaterThan(0);

    // The node is taken (exclusive): a second submission waits, and says why.
    const second = json(["export-scheduler-job", "--host", NAME, "--script", script, "--gres", "npu:8", "--confirm"]);
    expect(second.submitted).toBe(true);
    const queued = await waitState(second.runId, "queued", 20_000);
    expect(queued.reason).toMatch(new RegExp(`Slurm job ${second.jobId} PENDING \\(reason: \\w+\\)`));
    const tailQueued = json(["tail-logs", second.runId, "--host", NAME]);
    expect(tailQueued.state).toBe("starting");
    expect(tailQueued.stateReason).toMatch(
      /^queued in Slurm \(Slurm job \d+ PENDING \(reason: \w+\)\); no output yet$/,
    );
    // Submitted from the login node while the job runs there: its busy NPUs and port are reported, not refused.
    const third = json([
      "launch-train",
      "--host",
      NAME,
      "--script",
      failScript,
      "--scheduler",
      "slurm",
      "--master-port",
      String(port),
      "--confirm",
    ]);
    expect(third.started).toBe(true);
    const loginChecks = (third.checks as { id: string; level: string; message: string }[]).filter((c) =>
      /on the login node/.test(c.message),
    );
    expect(loginChecks.map((c) => c.id)).toContain("master-port");
    expect(loginChecks.every((c) => c.level === "warning")).toBe(true);
    expect((await waitState(third.runId, "queued", 20_000)).reason).toMatch(/PENDING \(reason: \w+\)/);
    json(["stop-run", third.runId, "--host", NAME, "--confirm"]);
    const cancelQueued = json(["stop-run", second.runId, "--host", NAME, "--confirm"]);
    expect(cancelQueued.nodes[0].detail).toMatch(new RegExp(`scancel ${second.jobId}`));
    const stoppedQueued = runOf(second.runId)!;
    expect(stoppedQueued.state).toBe("stopped");
    expect(stoppedQueued.scheduler[0]!.state).toBe("CANCELLED");

    // A checkpoint at iteration 5, then cancel the job.
    await waitFor("iteration 6", () => lastIteration(log) >= 6, 30_000);
    const stopped = json(["stop-run", runA, "--host", NAME, "--grace-seconds", "15", "--confirm"]);
    expect(stopped.stopped).toBe(true);
    expect(stopped.wasRunning).toBe(true);
    const afterStop = runOf(runA)!;
    expect(afterStop.state).toBe("stopped");
    expect(afterStop.scheduler[0]!.state).toBe("CANCELLED");
    const itAtStop = lastIteration(log);
    expect(itAtStop).toBeLessThan(200);

    const resumed = json([
      "resume-run",
      runA,
      "--host",
      NAME,
      "--allow-fresh-optimizer",
      // The rest of the training at a quicker pace.
      "--env",
      JSON.stringify({ ASCEND_SIM_STEP_SECONDS: "0.04" }),
      "--confirm",
    ]);
    expect(resumed.started).toBe(true);
    expect(resumed.slurm.jobId).toMatch(/^\d+$/);
    expect(resumed.resumeIteration).toBeGreaterThanOrEqual(5);
    const finished = await waitState(resumed.runId, "finished", 60_000);
    expect(finished.scheduler[0]!.state).toBe("COMPLETED");
    expect(finished.iteration).toBe(200);
    expect(readFileSync(resumed.slurm.logFile, "utf8")).not.toMatch(/iteration\s+1\s*\//);
  }, 150_000);

  it("a job whose training fails is failed in list_runs and diagnosed from its Slurm output", async () => {
    await setScenario(dir, "oom");
    const launched = json([
      "launch-train",
      "--host",
      NAME,
      "--script",
      failScript,
      "--scheduler",
      "slurm",
      "--master-port",
      String(port),
      "--confirm",
    ]);
    await waitState(launched.runId, "failed", 60_000);
    // The run's exit file can show the failure a moment before Slurm ends the job: wait for Slurm's own verdict.
    const failed = await waitFor(
      `${launched.runId}'s Slurm job to be FAILED`,
      () => {
        const r = runOf(launched.runId);
        return r?.state === "failed" && r.scheduler[0]?.state === "FAILED" ? r : null;
      },
      30_000,
    );
    expect(failed.scheduler[0]!.state).toBe("FAILED");
    expect(failed.reason).toMatch(/Slurm job \d+ FAILED \(NonZeroExitCode, exit \d+:\d+\)/);
    const diagnosis = json(["diagnose-error", "--run-id", launched.runId]);
    expect(diagnosis.findings[0].category).toBe("npu_oom");
    expect(diagnosis.notes[0]).toMatch(/^Slurm job \d+ FAILED \(NonZeroExitCode, exit \d+:\d+\)$/);
  }, 90_000);

  it.skipIf(!sshEnv)(
    "from a login node reached over SSH: submitted as its user, followed and cancelled",
    async () => {
      const sshScript = buildConfigs("login", SSH_NAME, sshWd);
      const launched = json([
        "launch-train",
        "--host",
        SSH_NAME,
        "--script",
        sshScript,
        "--scheduler",
        "slurm",
        "--master-port",
        String(await freePort()),
        "--confirm",
      ]);
      const jobId = launched.slurm.jobId as string;
      const log = launched.slurm.logFile as string;
      await waitFor("a first iteration over SSH", () => existsSync(log) && lastIteration(log) > 0, 60_000);
      const owner = execFileSync("scontrol", ["-o", "show", "job", jobId], { encoding: "utf8" });
      expect(owner).toMatch(new RegExp(`UserId=${sshEnv!.user}\\(`));
      expect(runOf(launched.runId, SSH_NAME)!.state).toBe("running");
      const stopped = json(["stop-run", launched.runId, "--host", SSH_NAME, "--confirm"]);
      expect(stopped.stopped).toBe(true);
      expect(runOf(launched.runId, SSH_NAME)!.scheduler[0]!.state).toBe("CANCELLED");
    },
    90_000,
  );
});
