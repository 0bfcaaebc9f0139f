// A simulated host reached through the local executor that can train qwen2.5vl-3b: fake HF weights, one dataset
// record, converted TP1/PP1 weights, and configs written by the CLI's build-configs.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutSim, makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { freePort } from "./free-port.js";
import { CLI } from "./mcp.js";
import { writeInventory } from "./sim-host.js";

export interface LocalTrainableSim {
  name: string;
  base: string;
  dir: string;
  settings: HostSettings;
  inventory: string;
  /** The launch script build-configs wrote. */
  script: string;
  /** Runs the CLI with this sim's inventory. */
  cli(args: string[]): SpawnSyncReturns<string>;
  cleanup(): Promise<void>;
}

/**
 * What a qwen2.5vl-3b run needs in a simulated host's workdir: fake HF weights (ckpt/hf), one dataset record
 * (data/train.json) and converted TP1/PP1 weights (ckpt/mm/qwen2.5vl-3b).
 */
export async function addTrainingInputs(wd: string): Promise<void> {
  await makeFakeHfModel(join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
  const record = {
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: "ok" },
    ],
    images: [],
  };
  writeFileSync(join(wd, "data/train.json"), JSON.stringify([record]));
  mkdirSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00"), { recursive: true });
  writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/release/mp_rank_00/model_optim_rng.pt"), "weights\n");
  writeFileSync(join(wd, "ckpt/mm/qwen2.5vl-3b/latest_checkpointed_iteration.txt"), "release");
}

export async function localTrainableSim(name: string, stepSeconds = "0.2"): Promise<LocalTrainableSim> {
  const base = mkdtempSync(join(tmpdir(), `${name}-`));
  const dir = join(base, "host");
  const laid = await layOutSim(dir, { scenario: "healthy", name, masterPort: await freePort() });
  const wd = laid.hostSettings.workdir!;
  await addTrainingInputs(wd);
  const settings = { ...laid.hostSettings, env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: stepSeconds } };
  const inventory = writeInventory({ [name]: settings });
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: "utf8",
      env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
      timeout: 120_000,
    });
  const built = cli([
    "build-configs",
    "--model",
    "qwen2.5vl-3b",
    "--host",
    name,
    "--output-dir",
    join(wd, "configs", name),
    "--hf-dir",
    join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
    "--ckpt-dir",
    join(wd, "ckpt/mm/qwen2.5vl-3b"),
    "--save-dir",
    join(wd, "save", name),
    "--dataset",
    join(wd, "data/train.json"),
    "--train-iters",
    "5000",
    "--json",
  ]);
  if (built.status !== 0) throw new Error(`build-configs failed: ${built.stderr}`);
  const files = JSON.parse(built.stdout).files as { role: string; path: string }[];
  const script = files.find((f) => f.role === "launch-script")!.path;
  return {
    name,
    base,
    dir,
    settings,
    inventory,
    script,
    cli,
    cleanup: async () => {
      await stopSimProcesses(dir).catch(() => undefined);
      // A stopped run's wrapper may still write its exit file into the ledger while the tree goes: retry the removal
      // (Node retries ENOTEMPTY and EBUSY) rather than fail the suite's teardown.
      rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Tool deps whose hosts are this simulated host (as `local` and by its name), for calling tools' handlers directly. */
export function simToolDeps(sim: Pick<LocalTrainableSim, "name" | "settings">): ToolDeps {
  return {
    hosts: new HostRegistry({ file: null, hosts: { local: sim.settings, [sim.name]: sim.settings } }),
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  };
}

/** The highest iteration a MindSpeed-MM log shows. */
export function lastIteration(log: string): number {
  const all = [...readFileSync(log, "utf8").matchAll(/iteration\s+(\d+)\s*\//g)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) : 0;
}

/** Polls until `probe` gives a value (not null, undefined or false). */
export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/**
 * The CLI as a shell on this machine runs it against a simulated host: in a temporary HOME and working directory (the
 * audit log and the CLI's state land there), with the sim's inventory. `open` before the sim is laid out, `close`
 * after it is cleaned up; `runState` reads a run's state as list-runs prints it.
 */
export function simCliSession(prefix: string, inventory: () => string) {
  const saved = { HOME: process.env.HOME, XDG_STATE_HOME: process.env.XDG_STATE_HOME };
  let home = "";
  const cli = (args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: "utf8",
      cwd: home,
      env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory() },
      timeout: 120_000,
    });
  return {
    cli,
    open(): void {
      home = mkdtempSync(join(tmpdir(), `${prefix}-home-`));
      mkdirSync(join(home, "state"));
      process.env.HOME = home;
      process.env.XDG_STATE_HOME = join(home, "state");
    },
    close(): void {
      if (home) rmSync(home, { recursive: true, force: true });
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
    runState(host: string, runId: string): string | undefined {
      const r = cli(["list-runs", "--host", host, "--json"]);
      return (JSON.parse(r.stdout).runs as { runId: string; state: string }[]).find((x) => x.runId === runId)?.state;
    },
  };
}
