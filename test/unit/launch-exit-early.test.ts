// A confirmed launch whose run ends right after the start with a non-zero status was started but failed: the CLI
// exits 1 (the README's "ran and failed"), and the JSON and MCP results say so with ok: false (over MCP with isError
// too), as other failed outcomes do. A run that already finished (exit 0) within the settle time is a success. A resume is judged alike.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { mcpResult } from "../../src/server.js";
import { invokeTool } from "../../src/tools/invoke.js";
import launchTrain from "../../src/tools/launch-train.js";
import resumeRun from "../../src/tools/resume-run.js";
import { annotationsFor, type ToolDeps } from "../../src/tools/tool.js";
import { CLI } from "../helpers/mcp.js";
import { writeInventory } from "../helpers/sim-host.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "host-outputs");
const SCRIPT = "configs/finetune_qwen2_5_vl_3b.sh";
const DIES = '#!/bin/sh\necho "RuntimeError: cannot start" >&2\nexit 3\n';
const FINISHES = '#!/bin/sh\necho " iteration 2/ 2 | lm loss: 1.0"\nexit 0\n';

const root = mkdtempSync(join(tmpdir(), "launch-exit-early-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

let hostCount = 0;
/** A host on this machine with idle NPUs, converted weights, built configs and this torchrun. */
function hostWithTorchrun(torchrun: string) {
  const dir = join(root, `h${hostCount++}`);
  const wd = join(dir, "mm");
  for (const d of ["bin", "mm/configs", "mm/data", "mm/hf", "mm/ckpt/release/mp_rank_00", "mm/logs"]) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  writeFileSync(join(dir, "bin/torchrun"), torchrun, { mode: 0o755 });
  copyFileSync(join(FIXTURES, "npu-smi-info-910b-idle.txt"), join(dir, "npu-smi.txt"));
  writeFileSync(join(dir, "bin/npu-smi"), `#!/bin/sh\ncat ${join(dir, "npu-smi.txt")}\n`, { mode: 0o755 });
  writeFileSync(join(wd, "data/train.json"), "[]");
  writeFileSync(join(wd, "ckpt/release/mp_rank_00/model_optim_rng.pt"), "x".repeat(4096));
  writeFileSync(join(wd, "ckpt/latest_checkpointed_iteration.txt"), "release");
  const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
    outputDir: join(wd, "configs"),
    hfDir: join(wd, "hf"),
    ckptDir: join(wd, "ckpt"),
    saveDir: join(wd, "save"),
    dataset: join(wd, "data/train.json"),
    trainIters: 20,
  });
  for (const f of plan.files) writeFileSync(join(wd, "configs", f.name), f.text);
  const settings = HostSettingsSchema.parse({ workdir: wd, path: [join(dir, "bin")], cannRoot: join(dir, "Ascend") });
  const hosts = new HostRegistry({ file: null, hosts: { npu: settings } });
  const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
  return { dir, settings, deps };
}

const confirmed = async () => ({
  host: "npu",
  script: SCRIPT,
  masterPort: await freePort(),
  confirm: true,
  settleSeconds: 1.5,
});

describe("a confirmed launch whose run ends right after the start", () => {
  it("is failed in the result (ok: false) and over MCP, with its exit status", async () => {
    const { deps } = hostWithTorchrun(DIES);
    const outcome = await invokeTool(launchTrain, await confirmed(), deps);
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.failed).toBe(true);
    expect(outcome.result).toMatchObject({ started: true, ok: false, exitedEarly: [{ host: "npu", exit: "3" }] });
    expect(outcome.text).toContain("exited right after the start");
    const mcp = mcpResult(outcome, annotationsFor(launchTrain));
    expect(mcp.isError).toBe(true);
    expect(mcp.structuredContent).toMatchObject({ ok: false, started: true });
  });

  it("that finished (exit 0) is ok", async () => {
    const { deps } = hostWithTorchrun(FINISHES);
    const outcome = await invokeTool(launchTrain, await confirmed(), deps);
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.failed).toBe(false);
    expect(outcome.result).toMatchObject({ started: true, ok: true, exitedEarly: [{ host: "npu", exit: "0" }] });
  });

  it("a plan that passed its pre-flight is ok, one that failed it is not", async () => {
    const { deps } = hostWithTorchrun(FINISHES);
    const plan = await invokeTool(launchTrain, { host: "npu", script: SCRIPT, masterPort: await freePort() }, deps);
    expect(plan.ok && plan.result).toMatchObject({ started: false, preflightOk: true, ok: true });
    const missing = await invokeTool(launchTrain, { host: "npu", script: "configs/nope.sh" }, deps);
    expect(missing.ok && missing.result).toMatchObject({ preflightOk: false, ok: false });
  });

  it("the CLI exits 1 and its JSON says ok: false", async () => {
    const { settings } = hostWithTorchrun(DIES);
    const home = mkdtempSync(join(root, "home-"));
    const r = spawnSync(
      process.execPath,
      [CLI, "launch-train", "--host", "npu", "--script", SCRIPT, "--master-port", String(await freePort())].concat([
        "--settle-seconds",
        "1.5",
        "--confirm",
        "--json",
      ]),
      {
        cwd: home,
        encoding: "utf8",
        env: {
          ...process.env,
          HOME: home,
          ASCEND_TRAIN_CONFIG: writeInventory({ npu: settings }),
          ASCEND_TRAIN_FROM_SOURCE: "1",
        },
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as { ok: boolean; started: boolean; next: string };
    expect(json).toMatchObject({ ok: false, started: true });
    expect(json.next).toContain("exited right after the start");
  });
});

describe("a confirmed resume whose run ends right after the start", () => {
  it("is failed in the result (ok: false), as a launch is", async () => {
    const { dir, deps, settings } = hostWithTorchrun(FINISHES);
    const first = await invokeTool(launchTrain, await confirmed(), deps);
    if (!first.ok) throw new Error(first.error);
    expect(first.result).toMatchObject({ ok: true });
    const runId = (first.result as { runId: string }).runId;
    // The run saved iteration 10; the relaunch dies at once.
    const save = join(settings.workdir!, "save");
    mkdirSync(join(save, "iter_0000010/mp_rank_00"), { recursive: true });
    writeFileSync(join(save, "iter_0000010/mp_rank_00/model_optim_rng.pt"), "x".repeat(4096));
    writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
    writeFileSync(join(dir, "bin/torchrun"), DIES, { mode: 0o755 });
    const resumed = await invokeTool(
      resumeRun,
      // The script saves no optimizer state: the weights, iteration and schedule resume with a fresh optimizer.
      {
        runId,
        host: "npu",
        allowFreshOptimizer: true,
        confirm: true,
        settleSeconds: 1.5,
        masterPort: await freePort(),
      },
      deps,
    );
    if (!resumed.ok) throw new Error(resumed.error);
    expect(resumed.result, resumed.text).toMatchObject({ started: true, ok: false, exitedEarly: [{ host: "npu" }] });
    expect(resumed.failed).toBe(true);
  });
});
