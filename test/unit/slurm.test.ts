// Slurm's answers, as captured from the test cluster (scripts/slurm.sh, Slurm 22.05), parsed and mapped onto a run's
// live state; and the batch script puts the job inside the same environment a direct launch on the host gets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunLookup } from "../../src/diagnosis/index.js";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import type { PreparedLaunch } from "../../src/runs/orchestrate.js";
import { slurmScript } from "../../src/runs/scheduler.js";
import { parseSacctJob, parseScontrolJob, type SlurmJob, slurmLiveState } from "../../src/runs/slurm.js";
import { relaxLoginNodeChecks, slurmRunRecord } from "../../src/runs/slurm-launch.js";
import { runStatus } from "../../src/runs/status.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "slurm");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const job = (name: string): SlurmJob => {
  const j = parseScontrolJob(fixture(name));
  if (!j) throw new Error(`${name} did not parse`);
  return j;
};

describe("scontrol -o show job, parsed", () => {
  it("reads the state, reason, exit code, node and output file of a job", () => {
    const failed = job("scontrol-failed.txt");
    expect(failed).toMatchObject({ state: "FAILED", reason: "NonZeroExitCode", exitCode: "1:0", source: "scontrol" });
    expect(failed.jobId).toMatch(/^\d+$/);
    expect(failed.nodeList).toBeTruthy();
    expect(failed.stdOut).toMatch(/^\/.*\.slurm\.log$/);
    expect(job("scontrol-pending-resources.txt")).toMatchObject({ state: "PENDING", reason: "Resources" });
  });

  it("gives null for a job Slurm does not know and for sacct without accounting storage", () => {
    expect(parseScontrolJob(fixture("scontrol-unknown.txt"))).toBeNull();
    expect(parseSacctJob(fixture("sacct-disabled.txt"), "19")).toBeNull();
  });

  it("reads sacct's parsable line, state words after the first dropped", () => {
    // sacct -n -X -P -o JobID,State,ExitCode,Reason,Elapsed,NodeList on a cluster that keeps accounting.
    expect(parseSacctJob("4242|CANCELLED by 0|0:15|None|00:00:07|vm\n", "4242")).toMatchObject({
      state: "CANCELLED",
      exitCode: "0:15",
      reason: null,
      runTime: "00:00:07",
      source: "sacct",
    });
    expect(parseSacctJob("4242|COMPLETED|0:0|None|00:01:00|vm\n", "4243")).toBeNull();
  });
});

describe("Slurm job states as run states", () => {
  it.each([
    ["scontrol-pending-resources.txt", "queued", /PENDING \(reason: Resources\)/],
    ["scontrol-running.txt", "running", /RUNNING on \S+/],
    ["scontrol-completed.txt", "finished", /COMPLETED after \d\d:\d\d:\d\d/],
    ["scontrol-failed.txt", "failed", /FAILED \(NonZeroExitCode, exit 1:0\)/],
    ["scontrol-timeout.txt", "failed", /TIMEOUT \(TimeLimit, exit 0:15\)/],
    ["scontrol-cancelled.txt", "stopped", /CANCELLED: cancelled/],
  ])("%s → %s", (name, state, reason) => {
    const mapped = slurmLiveState(job(name));
    expect(mapped.state).toBe(state);
    expect(mapped.reason).toMatch(reason);
  });

  it.each([
    ["OUT_OF_MEMORY", "failed"],
    ["NODE_FAIL", "failed"],
    ["PREEMPTED", "failed"],
    ["CONFIGURING", "queued"],
    ["COMPLETING", "running"],
    ["SUSPENDED", "stalled"],
    ["SOMETHING_NEW", "unknown"],
  ])("%s → %s", (state, expected) => {
    const j: SlurmJob = { ...job("scontrol-running.txt"), state };
    expect(slurmLiveState(j).state).toBe(expected);
  });
});

describe("the batch script's environment", () => {
  it("puts the host's PATH directories, variables, CANN and Python env around the launch, like a direct launch", () => {
    const settings = {
      path: ["/opt/sim host/bin"],
      env: { ASCEND_SIM_ROOT: "/opt/sim host", HF_TOKEN: "hf_secret" },
      cannRoot: "/usr/local/Ascend",
      venv: "/opt/venv",
      sourceCann: true,
    } as unknown as HostSettings;
    const text = slurmScript(
      {
        runId: "run-20260101-000000-abcd",
        nodes: 1,
        npusPerNode: 8,
        workdir: "/w",
        script: "/w/finetune.sh",
        env: { MY_FLAG: "1" },
        masterPort: 6000,
        hostfile: "/w/h",
        logFile: "/w/logs/x.log",
        secretsFile: "/w/s.env",
      },
      settings,
      { gres: "npu:8" },
    );
    expect(text).toContain("export PATH='/opt/sim host/bin':\"$PATH\"");
    expect(text).toMatch(/export ASCEND_SIM_ROOT='\/opt\/sim host'/);
    expect(text).toMatch(/export MY_FLAG=1/);
    expect(text).toContain("VIRTUAL_ENV=/opt/venv; PATH=/opt/venv/bin:");
    expect(text).toContain("/usr/local/Ascend/ascend-toolkit/set_env.sh");
    // The secret stays out of the script: it is read from the owner-only file.
    expect(text).not.toContain("hf_secret");
    expect(text).toContain("< /w/s.env");
    // Every line that sets the environment comes before the step that runs the launch script.
    expect(text.indexOf("activate")).toBeLessThan(text.indexOf("srun "));
  });
});

describe("diagnose_error on a job Slurm ended", () => {
  it("says Slurm ended it, with Slurm's reason, when its output shows no training error", async () => {
    const host = new ScriptedExecutor();
    host.files.set("/w/logs/train_run.slurm.log", fixture("output-timeout.txt"));
    const settings = HostSettingsSchema.parse({ workdir: "/w" });
    const hosts = new HostRegistry({ file: null, hosts: { login: settings } }, async () => host);
    const reason = slurmLiveState(job("scontrol-timeout.txt")).reason;
    const lookup: RunLookup = async () => ({
      host: "login",
      logFiles: ["/w/logs/train_run.slurm.log"],
      scheduler: { failed: true, reason },
    });
    const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
    const r = await diagnoseError.handle(diagnoseError.input.parse({ runId: "run-20260101-000000-0001" }), {
      ...deps,
      runs: { lookup, locateLog: async () => null },
    });
    expect(r.summary).toBe(
      `run-20260101-000000-0001 was ended by its scheduler: ${reason}; its log shows no training error.`,
    );
    expect(r.summary).toMatch(/TIMEOUT \(TimeLimit, exit 0:15\)/);
    expect(r.notes[0]).toBe(reason);
  });
});

describe("the pre-flight of a submission from a login node", () => {
  it("reports the login node's busy NPUs and ports without refusing; its files and save directory still count", () => {
    const check = (id: string, level: "error" | "warning" | "info") => ({
      id,
      host: "login",
      ok: level !== "error",
      level,
      message: `${id} problem`,
      fix: null,
    });
    const prepared = {
      runId: "run-20260101-000000-abcd",
      plan: null,
      pre: { checks: [check("npus", "error"), check("master-port", "error"), check("save-dir", "error")] },
    } as unknown as PreparedLaunch;
    relaxLoginNodeChecks(prepared);
    const [npus, port, save] = prepared.pre.checks;
    expect(npus).toMatchObject({ ok: true, level: "warning" });
    expect(npus!.message).toMatch(/on the login node; Slurm runs the job on the nodes it allocates/);
    expect(port).toMatchObject({ ok: true, level: "warning" });
    expect(save).toMatchObject({ ok: false, level: "error", message: "save-dir problem" });
  });
});

describe("the live state of a run Slurm runs", () => {
  const LOG = "/w/logs/train_run-20260101-000000-abcd.slurm.log";
  const record = slurmRunRecord(
    {
      id: "run-20260101-000000-abcd",
      hosts: ["login"],
      workdir: "/w",
      script: "/w/finetune.sh",
      env: {},
      masterPort: 6000,
      parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
    },
    { jobId: "20", file: "/w/run.sbatch", logFile: LOG, submittedAt: "2026-01-01T00:00:00.000Z" },
  );
  /** The login host answering scontrol with `slurm` (a captured fixture, or nothing) and holding `log`. */
  const statusWith = async (slurm: string, log: string | null) => {
    const host = new ScriptedExecutor()
      .on(/scontrol -o show job/, { stdout: slurm })
      .on(
        /^stat /,
        log === null ? { exitCode: 1, stderr: "No such file or directory" } : { stdout: "1767225600 100\n" },
      );
    if (log !== null) host.files.set(LOG, log);
    const settings = HostSettingsSchema.parse({ workdir: "/w" });
    const hosts = new HostRegistry({ file: null, hosts: { login: settings } }, async () => host);
    return { status: await runStatus(hosts, record, undefined, () => new Date("2026-01-01T00:10:00Z")), host };
  };
  const oomLog = readFileSync(join(FIXTURES, "..", "logs", "npu-oom.log"), "utf8");

  it("is queued with Slurm's reason while the job waits, without reading a log that is not there yet", async () => {
    const { status, host } = await statusWith(
      fixture("scontrol-pending-resources.txt").replace(/JobId=\d+/, "JobId=20"),
      null,
    );
    expect(status.state).toBe("queued");
    expect(status.reason).toMatch(/PENDING \(reason: Resources\)/);
    expect(status.scheduler).toEqual([{ kind: "slurm", jobId: "20", state: "PENDING" }]);
    expect(host.calls.some((c) => c.command.startsWith("stat "))).toBe(false);
  });

  it("is failed with Slurm's reason and the log's error lines when the job failed", async () => {
    const { status } = await statusWith(fixture("scontrol-failed.txt").replace(/JobId=\d+/, "JobId=20"), oomLog);
    expect(status.state).toBe("failed");
    expect(status.reason).toMatch(/^Slurm job 20 FAILED \(NonZeroExitCode, exit 1:0\); /);
    expect(status.errorLines.length).toBeGreaterThan(0);
  });

  it("falls back on the log when Slurm no longer knows the job", async () => {
    const { status } = await statusWith("", oomLog);
    expect(status.state).toBe("failed");
    expect(status.reason).toMatch(/slurm job 20: Slurm does not know it \(any more\); /);
  });
});
