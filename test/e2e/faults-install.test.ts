// The SSH connection cut (the sshd processes serving it killed, on a private sshd) while install_stack and
// convert_weights run on simulated hosts. Builds and shard saves are slowed on the host (ASCEND_SIM_BUILD_SECONDS,
// ASCEND_SIM_CONVERT_SECONDS) so each cut lands inside the work. After each cut: a clean tool error naming what was
// interrupted, the state file whole, a call made while the cut-off work still runs on the host is refused, and once it
// has ended the next call reports what the host holds and resumes there.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONVERT_MARKER, parseMarker } from "../../src/convert/index.js";
import { makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import { classifyResult } from "../helpers/canary.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import {
  connectionsTo,
  freePort,
  type PrivateSshd,
  processesMentioning,
  type ServerHandle,
  sshdServing,
  startPrivateSshd,
  startServer,
} from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, writeInventory } from "../helpers/sim-host.js";

const shared = readSshTestEnv();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StepOut {
  id: string;
  status: string;
  outcome?: string;
  reason: string;
}
interface InstallOut {
  status: string;
  resumedFrom: string | null;
  failedAt: string | null;
  steps: StepOut[];
  stateFile: string;
  logFile: string;
  check: { ok: boolean } | null;
}
interface Problem {
  id: string;
  severity: string;
  message: string;
  step: string | null;
}
interface StateFile {
  version: number;
  steps: Record<string, { status: string }>;
}

describe.skipIf(!shared || !canBuildSimHost)("SSH cut during install_stack and convert_weights", () => {
  let sshd: PrivateSshd;
  let bare: SshSim;
  let conv: SshSim;
  let server: ServerHandle;
  const summary: string[] = [];

  async function call(
    name: string,
    args: Record<string, unknown>,
    onMessage?: (m: string) => void,
  ): Promise<ReturnType<typeof classifyResult> & { structured: Record<string, unknown> | undefined }> {
    const res = await server.client.callTool({ name, arguments: args }, undefined, {
      timeout: 120_000,
      onprogress: (p) => p.message && onMessage?.(p.message),
    });
    return { ...classifyResult(res), structured: res.structuredContent as Record<string, unknown> | undefined };
  }

  /** Kills the sshd processes serving this server's connections: the network drop, seen from the host side. */
  function cutConnections(): number {
    let killed = 0;
    for (const port of connectionsTo(server.pid, sshd!.env.port)) {
      for (const pid of sshdServing(sshd!.env.port, port)) {
        try {
          process.kill(pid, "SIGKILL");
          killed++;
        } catch {
          // Gone already.
        }
      }
    }
    return killed;
  }

  /** The SSH user's processes working on one simulated host (its paths are in their command lines). */
  const onHost = (sim: SshSim, needle: string) =>
    processesMentioning(sshd!.env.user, needle).filter((l) => l.includes(sim.dir));

  /**
   * Whether an install step still runs on the host: the step holds its lock (apply.lock names the step and the pid
   * of its script, which flock keeps until it ends) and that process is alive. Commands reach SSH hosts on stdin, so
   * a step's script text is on no process's command line.
   */
  const stepRunning = (sim: SshSim, stepId: string): boolean => {
    let lock = "";
    try {
      lock = readFileSync(join(sim.settings.workdir!, ".ascend-train", "apply.lock"), "utf8");
    } catch {
      return false;
    }
    const m = /^(\S+) since \S+ \(pid (\d+)\)/.exec(lock);
    if (!m || m[1] !== stepId) return false;
    try {
      process.kill(Number(m[2]), 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  };

  async function waitFor(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
    const until = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  /** Calls install_stack with confirm and cuts the connection once `stepId` runs its build on the host. */
  async function applyAndCut(stepId: string, alsoKill: boolean) {
    let running = false;
    const pending = call("install_stack", { host: bare.name, confirm: true }, (m) => {
      if (m.startsWith(`${stepId}: running`)) running = true;
    });
    let settled = false;
    void pending.finally(() => {
      settled = true;
    });
    await waitFor(
      `step ${stepId} to build`,
      () => settled || (running && onHost(bare, "_in_process").some((l) => /build_(editable|wheel)/.test(l))),
      90_000,
    );
    expect(settled, "the apply ended before the cut").toBe(false);
    const killed = cutConnections();
    expect(killed).toBeGreaterThan(0);
    let stopped = 0;
    if (alsoKill) {
      // Hosts with logind's KillUserProcesses end the session's processes with the connection.
      for (const line of onHost(bare, "")) if (killQuietly(line)) stopped++;
    }
    return { during: await pending, killed, stopped };
  }

  const readState = (file: string) => JSON.parse(readFileSync(file, "utf8")) as StateFile;
  const statuses = (r: InstallOut) => Object.fromEntries(r.steps.map((s) => [s.id, [s.status, s.outcome]]));

  beforeAll(async () => {
    const started = await startPrivateSshd();
    // The shared sshd runs (else this describe is skipped), so a private one must start too.
    if (!started) throw new Error("a private sshd did not start");
    sshd = started;
    bare = await sshSim(sshd.env, "cut-install", "bare", { ASCEND_SIM_BUILD_SECONDS: "5" });
    conv = await sshSim(sshd.env, "cut-convert", "healthy", { ASCEND_SIM_CONVERT_SECONDS: "3" });
    const ckpt = join(conv.settings.workdir!, "ckpt");
    await makeFakeHfModel(join(ckpt, "hf_path/Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
    const id = (flag: string) => execFileSync("id", [flag, sshd!.env.user]).toString().trim();
    execFileSync("chown", ["-R", `${id("-u")}:${id("-g")}`, ckpt]);
    server = await startServer({
      ASCEND_TRAIN_CONFIG: writeInventory({ [bare.name]: bare.settings, [conv.name]: conv.settings }),
    });
  }, 180_000);

  afterAll(async () => {
    if (summary.length > 0) console.log(`[faults-install] ${summary.length} cuts:\n  ${summary.join("\n  ")}`);
    await server?.close().catch(() => undefined);
    for (const sim of [bare, conv]) if (sim) await stopSimProcesses(sim.dir).catch(() => undefined);
    // Whatever a cut left running on the hosts ends with the test.
    if (sshd) for (const sim of [bare, conv]) if (sim) for (const l of onHost(sim, "")) killQuietly(l);
    sshd?.stop();
    if (sshd) rmSync(sshd.dir, { recursive: true, force: true });
  });

  it("install_stack: a cut step is retried after the session died with it, and waited for while it still runs", async () => {
    // 1. Cut during the MindSpeed build, the step's processes ending with the session.
    const first = await applyAndCut("mindspeed", true);
    expect(first.during.outcome, first.during.text).toBe("tool-error");
    expect(first.during.text).toMatch(/connection dropped .*during step mindspeed\b/);
    expect(first.during.text).toMatch(/resume at this step/);
    expect(first.stopped).toBeGreaterThan(0);
    const stateFile = join(bare.settings.workdir!, ".ascend-train", "install-state.json");
    const log = join(bare.settings.workdir!, ".ascend-train", "install.log");
    const s1 = readState(stateFile);
    expect(s1.version).toBe(1);
    expect(Object.fromEntries(Object.entries(s1.steps).map(([k, v]) => [k, v.status]))).toEqual({
      "mindspeed-mm": "done",
      megatron: "done",
      torch: "done",
      mindspeed: "running",
    });
    expect(
      readdirSync(join(bare.settings.workdir!, ".ascend-train")).filter((n) => n.startsWith(".ascend-train.")),
    ).toEqual([]);

    // The next plan says where the apply stopped: earlier steps kept, the cut step to redo.
    const plan = await call("install_stack", { host: bare.name });
    expect(plan.outcome, plan.text).toBe("ok");
    const p = plan.structured as unknown as InstallOut;
    expect(p.status).toBe("planned");
    expect(p.resumedFrom).toBe("mindspeed");
    const ms = p.steps.find((s) => s.id === "mindspeed")!;
    expect([ms.status, ms.reason]).toEqual(["retry", expect.stringMatching(/stopped during this step/)]);
    expect(p.steps.filter((s) => s.status === "pending").map((s) => s.id)).toEqual([
      "mindspeed-mm-install",
      // The default release (v26.1.0) installs Triton-Ascend after MindSpeed-MM, as its install guide does.
      "triton-ascend",
      "smoke-test",
    ]);

    // 2. Resume: MindSpeed is built again; cut again during the MindSpeed-MM build, which this time runs on.
    const second = await applyAndCut("mindspeed-mm-install", false);
    expect(second.during.outcome, second.during.text).toBe("tool-error");
    expect(second.during.text).toMatch(
      /connection dropped .*during step mindspeed-mm-install\. The step may still be running/,
    );
    expect(stepRunning(bare, "mindspeed-mm-install")).toBe(true);
    const s2 = readState(stateFile);
    expect(s2.steps.mindspeed!.status).toBe("done");
    expect(s2.steps["mindspeed-mm-install"]!.status).toBe("running");

    // A call while the cut-off step still runs on the host is blocked and starts nothing: an error result that keeps
    // its structured result.
    const busy = await call("install_stack", { host: bare.name, confirm: true });
    expect(busy.outcome, busy.text).toBe("tool-error");
    const b = busy.structured as unknown as InstallOut & { applied: boolean; problems: Problem[] };
    expect([b.status, b.applied]).toEqual(["blocked", false]);
    const blocker = b.problems.find((x) => x.severity === "blocker");
    expect(blocker).toMatchObject({ id: "step-still-running", step: "mindspeed-mm-install" });
    expect(blocker!.message).toMatch(/still runs on the host \(mindspeed-mm-install since \S+ \(pid \d+\)\)/);
    expect(stepRunning(bare, "mindspeed-mm-install"), "the step ended before the call").toBe(true);

    // Once it has ended, the next apply sees what it installed and finishes.
    await waitFor("the cut-off step to end", () => !stepRunning(bare, "mindspeed-mm-install"));
    expect(readFileSync(log, "utf8")).toMatch(/===== mindspeed-mm-install exit 0\n/);
    expect(readState(stateFile).steps["mindspeed-mm-install"]!.status).toBe("running");
    const last = await call("install_stack", { host: bare.name, confirm: true });
    expect(last.outcome, last.text).toBe("ok");
    const r = last.structured as unknown as InstallOut;
    // The cut-off step finished its part on its own and its record is settled: only the steps after it run
    // (Triton-Ascend, which the default release's install guide adds after MindSpeed-MM, then the smoke test).
    const trace = JSON.stringify(r.steps.map((x) => [x.id, x.status, x.outcome, x.reason]));
    expect(r.status, trace).toBe("installed");
    expect(statuses(r)).toMatchObject({
      "mindspeed-mm": ["done", "skipped"],
      megatron: ["done", "skipped"],
      torch: ["done", "skipped"],
      mindspeed: ["done", "skipped"],
      "mindspeed-mm-install": ["satisfied", "skipped"],
    });
    expect(
      r.steps.filter((x) => x.outcome !== "skipped").map((x) => x.id),
      trace,
    ).toEqual(["triton-ascend", "smoke-test"]);
    expect(r.check?.ok).toBe(true);
    const s3 = readState(stateFile);
    expect(s3.steps["mindspeed-mm-install"]!.status).toBe("done");
    expect(Object.values(s3.steps).filter((s) => s.status !== "done")).toEqual([]);
    // A port of its own: other suites on this machine may train on the default 6000 meanwhile.
    const check = await call("check_env", { host: bare.name, masterPort: await freePort() });
    expect(check.outcome, check.text).toBe("ok");
    expect((check.structured!.findings as { severity: string }[]).filter((f) => f.severity === "error")).toEqual([]);

    summary.push(
      `install_stack, cut during the MindSpeed build (${first.killed} sshd, ${first.stopped} session processes killed): tool error "${first.during.text.split(".")[0]}"; state file whole (mindspeed: running); the next plan → retry at mindspeed`,
      `install_stack, cut during the MindSpeed-MM build (${second.killed} sshd killed, the step left running): tool error; a call meanwhile → blocked ("${blocker!.message.slice(0, 90)}…"); after the step ended → only triton-ascend and the smoke test run (mindspeed-mm-install satisfied, its record settled to done), check_env clean`,
    );
  }, 150_000);

  it("convert_weights: a cut leaves no marker on the partial tree, and the retry replaces it whole", async () => {
    const out = join(conv.settings.workdir!, "ckpt/mm_path/Qwen2.5-VL-3B-Instruct");
    const args = { host: conv.name, model: "qwen2.5vl-3b", tp: 2 };
    let killed = -1;
    const during = await call("convert_weights", { ...args, confirm: true }, (m) => {
      // Cut once the first of the two shards is saved.
      if (killed < 0 && /Saved .*\(1\/2\)/.test(m)) killed = cutConnections();
    });
    expect(killed).toBeGreaterThan(0);
    expect(during.outcome, during.text).toBe("tool-error");
    expect(during.text).toMatch(/mm-convert lost its connection before it ended/);
    expect(during.text).toMatch(/rerun with overwrite: true/);
    expect(existsSync(join(out, CONVERT_MARKER))).toBe(false);

    // While the cut-off converter still writes there, a retry is refused and runs nothing: an error result that keeps
    // its structured result.
    expect(onHost(conv, "mm-convert").length).toBeGreaterThan(0);
    const busy = await call("convert_weights", { ...args, overwrite: true, confirm: true });
    expect(busy.outcome, busy.text).toBe("tool-error");
    expect(busy.structured).toMatchObject({ ready: false, started: false, converted: false });
    const busyCheck = (busy.structured!.checks as { id: string; ok: boolean; message: string }[]).find((c) => !c.ok);
    expect(busyCheck?.message).toMatch(/An mm-convert is still writing into .*\(pid \d+/);
    expect(onHost(conv, "mm-convert").length, "the converter ended before the refusal").toBeGreaterThan(0);

    // It dies at its next write to the dropped connection: a partial tree, no tracker, no marker.
    await waitFor("the cut-off converter to end", () => onHost(conv, "mm-convert").length === 0);
    expect(existsSync(join(out, "release/mp_rank_00/model_optim_rng.pt"))).toBe(true);
    expect(existsSync(join(out, "latest_checkpointed_iteration.txt"))).toBe(false);
    expect(existsSync(join(out, CONVERT_MARKER))).toBe(false);
    const plan = await call("convert_weights", args);
    const planCheck = (plan.structured!.checks as { id: string; ok: boolean; message: string }[]).find((c) => !c.ok);
    expect(planCheck?.message).toMatch(
      /already holds a converted checkpoint \(an earlier \(possibly partial\) conversion\)/,
    );

    const retry = await call("convert_weights", { ...args, overwrite: true, confirm: true });
    expect(retry.outcome, retry.text).toBe("ok");
    expect(retry.structured).toMatchObject({ converted: true, marker: join(out, CONVERT_MARKER) });
    expect(readFileSync(join(out, "latest_checkpointed_iteration.txt"), "utf8")).toBe("release");
    expect(readdirSync(join(out, "release")).sort()).toEqual(["mp_rank_00", "mp_rank_01"]);
    for (const rank of ["mp_rank_00", "mp_rank_01"])
      expect(readFileSync(join(out, "release", rank, "model_optim_rng.pt"), "utf8")).toContain(rank);
    const marker = parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"));
    expect(marker).toMatchObject({ model: "qwen2.5vl-3b", tp: 2, pp: 1, output: out });

    summary.push(
      `convert_weights, cut after shard 1/2 (${killed} sshd killed): tool error "${during.text.split(":")[0]}"; no ${CONVERT_MARKER}; a retry meanwhile → not started ("${busyCheck!.message.slice(0, 60)}…"); the converter died at its next write (tree without tracker); overwrite retry → complete tp=2 tree + marker`,
    );
  }, 120_000);
});

function killQuietly(psLine: string): boolean {
  try {
    process.kill(Number(psLine.trim().split(/\s+/)[0]), "SIGKILL");
    return true;
  } catch {
    return false; // Gone already.
  }
}
