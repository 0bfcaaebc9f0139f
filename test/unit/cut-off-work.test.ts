// Work cut off from its caller (the SSH connection dropped) that may still run on the host: install_stack's step lock
// and records, and convert_weights' check for an mm-convert still writing the output. The SSH runs themselves are in
// test/e2e/faults-install.test.ts; here are the races that e2e cannot time.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { convertChecks, planConversion, probeConvertHost } from "../../src/convert/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { stepScript } from "../../src/install/apply.js";
import type { BuiltPlan } from "../../src/install/plan.js";
import { INSTALL_MARK } from "../../src/install/probe.js";
import type { StepDef } from "../../src/install/types.js";
import installStack from "../../src/tools/install-stack.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { BARE_EXTRAS, bareSections, extrasOutput, hostSettings, probeOutput, WD } from "./install-helpers.js";

const STATE = `${WD}/.ascend-train/install-state.json`;
const hasFlock = spawnSync("flock", ["--version"]).status === 0;

/** A bare host whose init script (the apply's first command) and steps answer as given. */
function host(opts: {
  init?: { exitCode: number; stdout?: string };
  step?: (id: string) => { exitCode: number | null; stdout?: string };
  lock?: string;
}) {
  let extras = extrasOutput(BARE_EXTRAS);
  if (opts.lock) extras = extras.replace(`${INSTALL_MARK}checkouts`, `${INSTALL_MARK}lock\n${opts.lock}\n$&`);
  const ran: string[] = [];
  const executor = new ScriptedExecutor("ma")
    .on(/ascend-train-install::/, { stdout: `${probeOutput(bareSections())}${extras}` })
    .on(/# ascend-train install step: ([\w-]+)/, (command) => {
      const id = /# ascend-train install step: ([\w-]+)/.exec(command)![1]!;
      ran.push(id);
      return opts.step?.(id) ?? { exitCode: 0, stdout: `===== ${id} exit 0\n` };
    })
    .on(/ascend-train-probe/, { stdout: probeOutput() })
    .on(/#####|===== smoke-test/, opts.init ?? {})
    .on(/realpath/, (command) => ({
      stdout: `${command.split("' sh ")[1]!.replaceAll("'", "").split(" ").join("\n")}\n`,
    }));
  const deps: ToolDeps = {
    hosts: new HostRegistry({ file: null, hosts: { ma: hostSettings() } }, async () => executor),
    now: () => new Date("2026-08-10T10:00:00Z"),
    progress: () => undefined,
    log: () => undefined,
  };
  const apply = (confirm: boolean) => installStack.handle(installStack.input.parse({ host: "ma", confirm }), deps);
  return { executor, ran, apply };
}

describe("install_stack and a step cut off from its caller", () => {
  it("a step that returns no exit status is a tool error naming it; its record stays running", async () => {
    const h = host({ step: (id) => (id === "megatron" ? { exitCode: null } : { exitCode: 0 }) });
    await expect(h.apply(true)).rejects.toThrow(
      /connection dropped before the step ended .* during step megatron\. The step may still be running there/,
    );
    expect(h.ran).toEqual(["python-env", "mindspeed-mm", "megatron"]);
    const state = JSON.parse(h.executor.files.get(STATE)!);
    expect(state.steps.megatron.status).toBe("running");
    expect(state.steps["mindspeed-mm"].status).toBe("done");
  });

  it("an apply finding the lock held (a step started since the plan's probe) starts nothing", async () => {
    const h = host({ init: { exitCode: 75, stdout: "torch since 2026-08-10T09:58:00Z (pid 4711)\n" } });
    await expect(h.apply(true)).rejects.toThrow(
      /an earlier install step still runs there \(torch since .* \(pid 4711\)/,
    );
    expect(h.ran).toEqual([]);
    expect(h.executor.files.has(STATE)).toBe(false);
  });

  it("a step the lock kept from starting fails as not started, with the lock's words", async () => {
    const line = "STEP NOT STARTED: an earlier install step still runs here: torch since x (pid 9)";
    const h = host({ step: (id) => (id === "python-env" ? { exitCode: 75, stdout: `${line}\n` } : { exitCode: 0 }) });
    const r = await h.apply(true);
    expect(r.failedAt).toBe("python-env");
    expect(r.steps[0]!.error).toBe(`not started: ${line}`);
  });

  it("the plan is blocked while the lock names a running step", async () => {
    const h = host({ lock: "mindspeed since 2026-08-10T09:59:00Z (pid 321)" });
    const r = await h.apply(true);
    expect([r.status, r.applied]).toEqual(["blocked", false]);
    expect(r.problems.find((p) => p.severity === "blocker")).toMatchObject({
      id: "step-still-running",
      step: "mindspeed",
      message: expect.stringContaining("(mindspeed since 2026-08-10T09:59:00Z (pid 321))"),
    });
    expect(h.ran).toEqual([]);
  });

  it.skipIf(!hasFlock)(
    "a running step holds the lock: a second step is refused, what it leaves behind does not keep it",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "cut-lock-"));
      const stateDir = join(dir, ".ascend-train");
      const plan = {
        targetSettings: HostSettingsSchema.parse({}),
        settings: { sourceCann: false },
        paths: { stateDir, log: join(stateDir, "install.log"), lock: join(stateDir, "apply.lock") },
        // Local sources, no credentials to export.
        sources: {
          pipIndex: null,
          torchIndex: "/wheels",
          mindspeedMm: "/m",
          megatron: "/m",
          mindspeed: "/m",
          transformers: "/m",
        },
      } as unknown as BuiltPlan;
      const def = (id: string, commands: string[]) =>
        ({ id, title: id, commands, verifyScript: "true", timeoutSec: 30 }) as unknown as StepDef;
      const local = new LocalExecutor("box", HostSettingsSchema.parse({}));
      const bgPid = join(dir, "bg.pid");
      try {
        const first = local.runScript(
          stepScript(plan, def("torch", [`sleep 30 >/dev/null 2>&1 & echo $! > ${bgPid}`, "sleep 1.5"])),
          { timeoutMs: 20_000 },
        );
        for (let i = 0; i < 100 && !existsSync(bgPid); i++) await new Promise((r) => setTimeout(r, 50));
        const second = await local.runScript(stepScript(plan, def("mindspeed", ["true"])), { timeoutMs: 20_000 });
        expect(second.exitCode).toBe(75);
        expect(second.stdout).toMatch(
          /STEP NOT STARTED: an earlier install step still runs here: torch since \S+ \(pid \d+\)/,
        );
        expect((await first).exitCode).toBe(0);
        // The step's background child outlives it without holding the lock.
        const third = await local.runScript(stepScript(plan, def("mindspeed", ["true"])), { timeoutMs: 20_000 });
        expect(third.exitCode, third.stdout).toBe(0);
      } finally {
        if (existsSync(bgPid)) process.kill(Number(readFileSync(bgPid, "utf8")), "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("convert_weights and an mm-convert still writing the output", () => {
  const root = mkdtempSync(join(tmpdir(), "cut-convert-"));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("the probe finds it by its arguments, and the checks refuse to start a second one", async () => {
    const out = join(root, "ckpt/mm");
    const other = join(root, "ckpt/other");
    mkdirSync(join(root, "bin"), { recursive: true });
    const fake = join(root, "bin", "mm-convert");
    writeFileSync(fake, "import time\ntime.sleep(60)\n");
    chmodSync(fake, 0o755);
    const writing = spawn("python3", [fake, "Qwen2_5_VLConverter", "hf_to_mm", "--cfg.mm_dir", out], {
      stdio: "ignore",
    });
    children.push(writing);
    const executor = new LocalExecutor("box", HostSettingsSchema.parse({}));
    const hf = join(root, "hf");
    let facts = await probeConvertHost(executor, "", { hf, output: out });
    for (let i = 0; i < 50 && facts.busy.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      facts = await probeConvertHost(executor, "", { hf, output: out });
    }
    expect(facts.busy).toEqual([
      expect.stringMatching(new RegExp(`^${writing.pid} \\S*python3 ${fake} .*--cfg\\.mm_dir ${out}$`)),
    ]);
    // Another output, or the probe's own shell (whose script names both), is not a writer.
    expect((await probeConvertHost(executor, "", { output: other })).busy).toEqual([]);

    const plan = planConversion({ model: "qwen2.5vl-3b", ckptDir: out, hfDir: hf, workdir: root });
    const outcome = convertChecks({
      plan,
      facts,
      hfConfigText: null,
      hfIndexText: null,
      overwrite: true,
      pythonEnv: null,
    });
    const check = outcome.checks.find((c) => c.id === "output")!;
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(new RegExp(`still writing into ${out} \\(pid ${writing.pid}:`));
    expect(check.fix).toContain(`kill ${writing.pid}`);
    expect(outcome.replaceOutput).toBe(false);
  });
});
