// Every failure scenario of the simulated host, diagnosed end to end over SSH: one host prepared once (data, weights,
// configs through the tools), then per scenario the launch script run by hand, the way a person would, and
// diagnose_error on the log it wrote. The top finding's category, its evidence lines (checked against the log) and
// the fixes made concrete from the host (who holds the port or the NPUs, the micro batch, the converted split).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostPrelude } from "../../src/hosts/environment.js";
import { shellQuote } from "../../src/hosts/quote.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { makeFakeHfModel, readSimState, type ScenarioId, type SimStateView, setScenario } from "../../src/sim/index.js";
import { writeSampleLlavaDataset } from "../../src/sim/sample-data.js";
import buildConfigs from "../../src/tools/build-configs.js";
import convertWeights from "../../src/tools/convert-weights.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { freePort } from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();
const HOST = "diag";
const MODEL = "qwen2.5vl-3b";
const HF_NAME = "Qwen2.5-VL-3B-Instruct";
/** Trained split vs converted split for the checkpoint mismatch (qwen2.5vl-3b has 36 LLM layers). */
const TRAIN_SPLIT = [18, 18];
const CONVERTED_SPLIT = [12, 24];

type Diagnosis = Awaited<ReturnType<typeof diagnoseError.handle>>;
type Finding = Diagnosis["findings"][number];

interface Launch {
  script: string;
  modelJson: string;
}

describe.skipIf(!env)("diagnose_error on each failure scenario of a simulated host over SSH", () => {
  let sim: SshSim;
  let inventory: string;
  let hosts: HostRegistry;
  let deps: ToolDeps;
  let base: Launch;
  let split: Launch;
  const observed: string[] = [];

  const call = <I, O>(tool: { input: { parse(x: unknown): I }; handle(a: I, d: ToolDeps): Promise<O> }, args: object) =>
    tool.handle(tool.input.parse({ host: HOST, ...args }), deps);

  function launchOf(files: { role: string; path: string }[]): Launch {
    const script = files.find((f) => f.role === "launch-script")?.path;
    const modelJson = files.find((f) => f.role === "model-config")?.path;
    if (!script || !modelJson) throw new Error(`build_configs wrote no launch script/model config: ${files.length}`);
    return { script, modelJson };
  }

  /** Runs shell text on the host over SSH in a login where the person activated the venv. */
  async function shell(text: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}) {
    const { executor, settings } = await hosts.get(HOST);
    return executor.runScript(`${hostPrelude(settings, { activatePython: true })}\n${text}\n`, opts);
  }

  /**
   * Runs the launch script by hand over SSH; returns the log it wrote (logs/train_<time>.log). Like upstream's
   * scripts it exits 0 whatever training did (its last command is an echo), so the log is what tells.
   */
  async function runByHand(script: string, masterPort: number): Promise<string> {
    const logs = join(sim.settings.workdir!, "logs");
    // Logs are named by the second they start in: clear the earlier runs' so the one left is this run's.
    for (const f of readdirSync(logs)) if (/^train_.*\.log$/.test(f)) rmSync(join(logs, f));
    const r = await shell(`bash ${shellQuote(script)}`, {
      env: { MASTER_PORT: String(masterPort) },
      timeoutMs: 90_000,
    });
    expect(r.timedOut).toBe(false);
    const written = readdirSync(logs).filter((f) => /^train_.*\.log$/.test(f));
    if (written.length !== 1) throw new Error(`expected one log in ${logs}, got ${written}:\n${r.stdout.slice(-2000)}`);
    return join(logs, written[0]!);
  }

  /** The top finding, with every evidence line checked against the log it cites. */
  function topFinding(d: Diagnosis, logFile: string, errorLine: RegExp): Finding {
    const lines = readFileSync(logFile, "utf8").split("\n");
    const top = d.findings[0];
    if (!top) throw new Error(`no finding: ${d.summary}`);
    expect(top.evidence.length).toBeGreaterThan(0);
    for (const e of top.evidence) {
      expect(e.line).toBeGreaterThan(0);
      expect(lines[e.line - 1]).toContain(e.text.replace(/^…/, "").trim().slice(0, 60));
    }
    // The first evidence line is the first line of the log that carries the real error (not a traceback's code).
    const first = lines.findIndex((l) => errorLine.test(l)) + 1;
    expect(first).toBeGreaterThan(0);
    expect(top.evidence[0]!.line).toBe(first);
    return top;
  }

  async function scenarioRun(
    scenario: ScenarioId,
    launch: Launch,
    opts: { simPort?: boolean; config?: Record<string, unknown>; label?: string } = {},
  ): Promise<{ d: Diagnosis; logFile: string; state: SimStateView }> {
    await setScenario(sim.dir, scenario);
    const state = await readSimState(sim.dir);
    // A free port keeps other suites' runs out of the way; port-in-use wants the one the sim's listener holds.
    const port = opts.simPort ? state.masterPort : await freePort();
    const logFile = await runByHand(launch.script, port);
    const d = await call(diagnoseError, { logFile, ...(opts.config ? { config: opts.config } : {}) });
    observed.push(`${(opts.label ?? scenario).padEnd(20)} → ${d.findings[0]?.category ?? "none"} (${d.summary})`);
    return { d, logFile, state };
  }

  /** Who listens on a port right now, seen from here (root sees every process). */
  function listeners(port: number): number[] {
    const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`]).toString();
    return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  }

  beforeAll(async () => {
    sim = await sshSim(env!, HOST, "healthy", { ASCEND_SIM_STEP_SECONDS: "0.02" });
    inventory = writeInventory({ [HOST]: sim.settings });
    hosts = new HostRegistry({ file: inventory, hosts: { [HOST]: sim.settings } });
    deps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
    const id = (flag: string) => execFileSync("id", [flag, env!.user]).toString().trim();
    const owner = `${id("-u")}:${id("-g")}`;

    // What a person brings: HF weights and a LLaVA-style dataset with images, owned by the SSH user.
    const home = sim.dir;
    const hfDir = join(home, "models", HF_NAME);
    await makeFakeHfModel(hfDir, HF_NAME);
    const llava = await writeSampleLlavaDataset(join(home, "data"), 12);
    execFileSync("chown", ["-R", owner, join(home, "models"), join(home, "data")]);

    const mllm = join(home, "data", "mllm_colours.json");
    await call(prepareDataset, { input: llava, output: mllm });
    const ckpt = join(home, "ckpt", "mm");
    const ckptSplit = join(home, "ckpt", "mm-pp2");
    const converted = await call(convertWeights, { model: MODEL, hfDir, ckptDir: ckpt, confirm: true });
    expect(converted.converted).toBe(true);
    const resplit = await call(convertWeights, {
      model: MODEL,
      hfDir,
      ckptDir: ckptSplit,
      pp: 2,
      llmLayerSplit: CONVERTED_SPLIT,
      confirm: true,
    });
    expect(resplit.converted).toBe(true);
    expect(resplit.layerSplit.llm).toEqual(CONVERTED_SPLIT);

    const configs = (run: string, extra: object) =>
      call(buildConfigs, {
        model: MODEL,
        dataset: mllm,
        datasetDir: join(home, "data"),
        hfDir,
        saveDir: join(home, "save", run),
        outputDir: join(home, "configs", run),
        trainIters: 6,
        ...extra,
      });
    // Micro batch 2, so the OOM fix can halve it; the launch script's DataLoader uses workers (--num-workers).
    const main = await configs("main", { ckptDir: ckpt, microBatchSize: 2 });
    expect(main.written).toBe(true);
    base = launchOf(main.files);
    const pp2 = await configs("pp2", { ckptDir: ckptSplit, pp: 2, llmLayerSplit: TRAIN_SPLIT });
    expect(pp2.written).toBe(true);
    expect(pp2.layerSplit.llm).toEqual(TRAIN_SPLIT);
    split = launchOf(pp2.files);
    expect(readFileSync(base.script, "utf8")).toMatch(/--num-workers [1-9]/);
  }, 240_000);

  afterAll(async () => {
    if (observed.length > 0) console.log(`[diagnose-scenarios]\n  ${observed.join("\n  ")}`);
    await hosts?.closeAll();
    if (sim) {
      await stopSims([sim]);
      rmSync(dirname(sim.dir), { recursive: true, force: true });
    }
    if (inventory) rmSync(dirname(inventory), { recursive: true, force: true });
  });

  it("oom: npu_oom at the allocation error; the fix halves the script's micro batch", async () => {
    const { d, logFile } = await scenarioRun("oom", base, { config: { scriptPath: base.script } });
    const top = topFinding(d, logFile, /OutOfMemoryError: NPU out of memory/);
    expect(top.category).toBe("npu_oom");
    expect(top.facts).toMatchObject({ micro_batch: "2", new_micro_batch: "1", total: "60.97 GiB" });
    const edit = top.fixes.find((f) => f.id === "halve-micro-batch-edit");
    expect(edit?.action?.path).toBe(base.script);
    expect(readFileSync(base.script, "utf8")).toMatch(/--micro-batch-size \$\{?MBS\b/);
    expect(edit?.action?.diff).toMatch(/^-MBS=2\n\+MBS=1$/m);
  }, 120_000);

  it("port-in-use: port_in_use at the bind error; the fix names the process holding the port", async () => {
    const { d, logFile, state } = await scenarioRun("port-in-use", base, { simPort: true });
    const listener = state.processes.find((p) => p.role === "port-listener");
    expect(listener).toBeDefined();
    const top = topFinding(d, logFile, /errno: 98 - Address already in use/);
    expect(top.category).toBe("port_in_use");
    expect(top.facts.port).toBe(String(state.masterPort));
    // The sim's listener holds the port unless another suite on this machine got there first.
    const holders = listeners(state.masterPort);
    expect(holders.length).toBeGreaterThan(0);
    const named = top.facts.pid?.split(" ").map(Number) ?? [];
    expect(named).toEqual(expect.arrayContaining(holders));
    if (holders.includes(listener!.pid)) expect(top.facts.holder).toBe(`python3 (PID ${listener!.pid})`);
    else observed.push(`  (port ${state.masterPort} was held by ${holders}, not by the sim's listener)`);
    const kills = top.fixes.filter((f) => f.id === "kill-holder");
    expect(kills).toHaveLength(1);
    expect(kills[0]!.commands).toEqual(holders.map((p) => `kill ${p}`));
    expect(kills[0]!.action?.kind).toBe("kill");
    // A port nothing listens on, offered as this job's MASTER_PORT; HCCL's base port is not the one at fault.
    const free = Number(top.facts.free_port);
    expect(free).toBeGreaterThan(state.masterPort);
    expect(listeners(free)).toEqual([]);
    expect(top.fixes.find((f) => f.id === "free-master-port")?.env).toEqual({ MASTER_PORT: String(free) });
    expect(top.fixes.map((f) => f.id)).not.toContain("hccl-base-port");
  }, 120_000);

  it("npu-busy: device_busy at the 507033 error; the fix names the foreign holder from npu-smi", async () => {
    const { d, logFile, state } = await scenarioRun("npu-busy", base);
    const holder = state.processes.find((p) => p.role === "npu-holder");
    expect(holder).toBeDefined();
    const top = topFinding(d, logFile, /Failed to initialize the HCCP process|EJ0001/);
    expect(top.category).toBe("device_busy");
    expect(top.cause).toContain(`PID ${holder!.pid}`);
    const kills = top.fixes.filter((f) => f.id === "kill-holder");
    expect(kills).toHaveLength(1);
    expect(kills[0]!.commands).toEqual([`kill ${holder!.pid}`]);
    expect(kills[0]!.action?.kind).toBe("kill");
    expect(top.fixes.find((f) => f.id === "find-holder")?.commands).toContain(`ps -o pid,etime,cmd -p ${holder!.pid}`);
    // The holder takes all eight NPUs: no "run on free cards" with nothing to fill in.
    expect(top.fixes.map((f) => f.id)).not.toContain("other-card");
  }, 120_000);

  it("nan-loss: nan_loss at the first NaN iteration", async () => {
    const { d, logFile } = await scenarioRun("nan-loss", base);
    const top = topFinding(d, logFile, /grad norm: nan|number of nan iterations:\s*[1-9]/);
    expect(top.category).toBe("nan_loss");
    const firstNan = top.evidence[0]!;
    expect(firstNan.text).toMatch(/iteration\s+3\//);
  }, 120_000);

  it("small-shm: shm_bus_error at the DataLoader bus error", async () => {
    const { d, logFile } = await scenarioRun("small-shm", base);
    const top = topFinding(d, logFile, /[Bb]us error/);
    expect(top.category).toBe("shm_bus_error");
    expect(top.fixes.flatMap((f) => f.commands ?? [])).toContain("df -h /dev/shm");
  }, 120_000);

  it("checkpoint converted with another layer split: ckpt_shape_mismatch; the fix edits model.json to it", async () => {
    const { d, logFile } = await scenarioRun("healthy", split, {
      label: "ckpt-split-mismatch",
      config: { modelJsonPath: split.modelJson, llmPpLayers: TRAIN_SPLIT, convertedLlmPpLayers: CONVERTED_SPLIT },
    });
    const top = topFinding(d, logFile, /Error\(s\) in loading state_dict|Missing key\(s\)|size mismatch for/);
    expect(top.category).toBe("ckpt_shape_mismatch");
    expect(top.facts.converted_llm_pp_layers).toBe(JSON.stringify(CONVERTED_SPLIT));
    const edit = top.fixes.find((f) => f.id === "match-split-edit");
    expect(edit?.action?.path).toBe(split.modelJson);
    expect(edit?.action?.diff).toMatch(/^-\s*"pipeline_num_layers": \[/m);
    expect(edit?.action?.diff).toMatch(/^\+\s*"pipeline_num_layers": \[12, 24\],$/m);
  }, 120_000);

  it("torch-npu-mismatch: torch_npu_version_mismatch at the undefined symbol; its commands show the pair", async () => {
    const { d, logFile, state } = await scenarioRun("torch-npu-mismatch", base);
    const top = topFinding(d, logFile, /libtorch_npu\.so: undefined symbol/);
    expect(top.category).toBe("torch_npu_version_mismatch");
    // The commands, run on the host as given, show the torch_npu installed and the CANN it does not fit.
    const show = top.fixes.find((f) => f.id === "show-versions")?.commands ?? [];
    expect(show.join("\n")).toContain(sim.settings.cannRoot);
    const out = await shell(show.join("\n"));
    expect(out.stdout).toMatch(
      new RegExp(`^torch[_-]npu\\s+${state.versions.torchNpu!.replace(/[.+]/g, "\\$&")}\\b`, "im"),
    );
    expect(out.stdout).toContain(`version=${state.versions.cann}`);
    // The pair to reinstall names versions, read on the host (torch installed, CANN), not placeholders.
    const pair = top.fixes.find((f) => f.id === "reinstall-pair");
    expect(pair?.commands?.[0]).toMatch(/torch==\d[\w.+]* torch_npu==\d/);
    expect(pair?.commands?.[0]).not.toContain("<");
    // The terminal says where to type them: on the host whose log was read, not the machine showing it.
    expect(d.logHost).toBe(HOST);
    const printed = diagnoseError.summarize(d);
    expect(printed).toContain(`     on ${HOST}:\n     $ ${show[0]}`);
  }, 180_000);
});
