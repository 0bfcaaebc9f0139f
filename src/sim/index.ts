// The simulated Ascend host: lay it out, switch scenarios, read its state, stop what it started, register it.
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { isMap, parseDocument, parse as parseYaml, type YAMLMap } from "yaml";
import { type HostSettings, HostSettingsSchema } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import { NEWEST_RELEASE } from "../knowledge/release-tags.js";
import { cudaSimHostSettings, layOutCudaSim, layOutTrlSampleData } from "./cuda.js";
import { type LaidOutSim, type LayOutOptions, layOutSim, simHostSettings, startScenarioProcesses } from "./layout.js";
import { stackPackages } from "./packages.js";
import { stopProcesses } from "./processes.js";
import { SIM_STACKS } from "./releases.js";
import { layOutSampleData } from "./sample-host.js";
import { isScenarioId, SCENARIOS, type ScenarioId, scenarioNextSteps } from "./scenarios.js";
import { DF_SHIM_SH } from "./shims.js";
import { liveHolders, loadState, type SimHolder, type SimState, writeState } from "./state.js";
import { sh, writeTree } from "./util.js";
import { findPython, installPackages, pythonVersion } from "./venv.js";

export {
  type CudaSimConfig,
  cudaSimHostSettings,
  DEFAULT_CUDA_SIM,
  layOutCudaSim,
  layOutTrlSampleData,
} from "./cuda.js";
export { type FakeHfSpec, KNOWN_HF_MODELS, makeFakeHfModel } from "./hf-model.js";
export { SIM_STACKS, type SimStack } from "./releases.js";
export { SCENARIO_IDS } from "./scenarios.js";

/** The model `sim init` lays out when none is named: small, and the one the demo fine-tunes. */
export const DEFAULT_SIM_MODEL = "qwen2.5vl-3b";
export type { LaidOutSim, LayOutOptions, ScenarioId, SimHolder, SimState };
export { isScenarioId, layOutSim, SCENARIOS, scenarioNextSteps, simHostSettings };

export interface SimStateView extends SimState {
  /** Processes holding NPUs right now (training runs, the npu-busy holder). */
  holders: SimHolder[];
}

export async function readSimState(dir: string): Promise<SimStateView> {
  const state = await loadState(resolve(dir));
  return { ...state, holders: await liveHolders(resolve(dir)) };
}

/** A process the simulated host started, in words: a training run (its process name) or a scenario's process. */
export interface SimProcessView {
  pid: number;
  what: string;
}

/** Training runs alive on the host: registered NPU holders that are not the scenario's own processes. */
export async function activeRuns(dir: string): Promise<SimProcessView[]> {
  const root = resolve(dir);
  const state = await loadState(root);
  const own = new Set(state.processes.map((p) => p.pid));
  return (await liveHolders(root))
    .filter((h) => !own.has(h.pid))
    .map((h) => ({ pid: h.pid, what: `training run ${h.name} on NPU ${h.npus.join(",")}` }));
}

/** Everything stopSimProcesses would end, in words. */
export async function simProcesses(dir: string): Promise<SimProcessView[]> {
  const root = resolve(dir);
  const state = await loadState(root);
  const scenario = state.processes.map((p) => ({
    pid: p.pid,
    what:
      p.role === "npu-holder"
        ? `${state.scenario}: foreign process holding the NPUs`
        : `${state.scenario}: listener on port ${state.masterPort}`,
  }));
  return [...scenario, ...(await activeRuns(root))];
}

/** Kills everything the simulated host started: scenario processes and registered training runs. */
export async function stopSimProcesses(dir: string): Promise<number[]> {
  const root = resolve(dir);
  const state = await loadState(root);
  const killed = await stopProcesses(root, state.processes);
  state.processes = [];
  await writeState(root, state);
  return killed;
}

/** Switching into or out of `bare` lays the host out again, deleting what was made on it; refused unless asked. */
export class SimRelayRefused extends Error {
  override name = "SimRelayRefused";
}

/**
 * A host laid out bare on which the stack has since been installed (install_stack, as on a real host): torch_npu in
 * its venv and the MindSpeed-MM package in its checkout. Leaving `bare` then needs no new layout.
 */
export function installedSinceBare(dir: string): boolean {
  const root = resolve(dir);
  const lib = join(root, "venv", "lib");
  if (!existsSync(join(root, "MindSpeed-MM", "mindspeed_mm")) || !existsSync(lib)) return false;
  return readdirSync(lib).some((d) => existsSync(join(lib, d, "site-packages", "torch_npu")));
}

/**
 * True when switching `from` → `to` lays the simulated host out again: into `bare`, or out of it before the stack was
 * installed there (`installed`), or into torch-npu-mismatch, which swaps the torch_npu the layout put in place.
 */
export const switchRelays = (from: ScenarioId, to: ScenarioId, installed = false) =>
  from !== to && (to === "bare" || (from === "bare" && (!installed || to === "torch-npu-mismatch")));

/**
 * Switches the scenario in place. Runtime scenarios only change state, processes and shims; switching into or
 * out of `bare` lays the whole host out again (its checkout with the data, configs, checkpoints and run records made
 * on it, its venv and mirrors are deleted), so it is refused unless `relay` is set; `torch-npu-mismatch` changes
 * installed software, which the Python stand-ins pick up.
 */
export async function setScenario(
  dir: string,
  scenario: ScenarioId,
  opts: { relay?: boolean } = {},
): Promise<LaidOutSim> {
  const root = resolve(dir);
  const state = await loadState(root);
  const relays = switchRelays(state.scenario, scenario, state.scenario === "bare" && installedSinceBare(root));
  if (relays && opts.relay !== true)
    throw new SimRelayRefused(
      `switching ${dir} from ${state.scenario} to ${scenario} lays the simulated host out again: its MindSpeed-MM ` +
        "checkout (data, configs, checkpoints, run logs and records), venv and mirrors would be deleted.",
    );
  if (relays) {
    return layOutSim(root, {
      scenario,
      name: state.name,
      release: state.release,
      masterPort: state.masterPort,
      ...(state.owner ? { owner: state.owner } : {}),
    });
  }
  await stopProcesses(root, state.processes);
  const stack = SIM_STACKS[state.release];
  if ((scenario === "torch-npu-mismatch") !== (state.scenario === "torch-npu-mismatch")) {
    const python = findPython();
    const all = Object.values(SIM_STACKS);
    const i = all.findIndex((s) => s.release === stack.release);
    const from = scenario === "torch-npu-mismatch" ? all[i > 0 ? i - 1 : i + 1]! : stack;
    const pyver = await pythonVersion(python);
    const site = join(root, "venv", "lib", `python${pyver}`, "site-packages");
    await rm(join(site, "torch_npu"), { recursive: true, force: true });
    await rm(join(site, `torch_npu-${state.versions.torchNpu}.dist-info`), { recursive: true, force: true });
    await installPackages(
      join(root, "venv"),
      pyver,
      stackPackages(stack, from).filter((p) => p.name === "torch_npu"),
    );
    state.versions.torchNpu = from.torchNpu;
  }
  await writeTree(root, { "bin/df": DF_SHIM_SH });
  if (scenario === "small-shm") await writeTree(root, { "bin/.small-shm": "" });
  else await rm(join(root, "bin", ".small-shm"), { force: true });
  // The nan-loss and oom scenarios remember their first run (mm_training.py first_run): a new scenario forgets it.
  for (const name of ["nan-loss", "oom"]) await rm(join(root, ".sim", `${name}-first-run.json`), { force: true });
  state.scenario = scenario;
  state.processes = [];
  await writeState(root, state);
  if (state.owner)
    await sh("chown", [
      "-R",
      `${state.owner.uid}:${state.owner.gid}`,
      join(root, "venv"),
      join(root, "bin"),
      join(root, ".sim"),
    ]);
  state.processes = await startScenarioProcesses(root, scenario, state.npuCount, state.owner, state.masterPort);
  await writeState(root, state);
  return { dir: root, scenario, hostSettings: simHostSettings(root, scenario, state) };
}

/** Adds or replaces one host in an inventory file, keeping the other hosts and the file's comments. */
export async function addSimHostToInventory(
  inventoryFile: string,
  name: string,
  hostSettings: HostSettings,
): Promise<void> {
  const settings = HostSettingsSchema.parse(hostSettings);
  const text = existsSync(inventoryFile) ? await readFile(inventoryFile, "utf8") : "";
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`Cannot parse ${inventoryFile}: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  let hosts = doc.get("hosts");
  if (!isMap(hosts)) {
    hosts = doc.createNode({});
    doc.set("hosts", hosts);
  }
  (hosts as YAMLMap).flow = false;
  (hosts as YAMLMap).set(name, doc.createNode(settings));
  await mkdir(dirname(resolve(inventoryFile)), { recursive: true });
  await writeFile(inventoryFile, doc.toString());
}

/**
 * Records a scenario switch in the inventory entry of the host: sourceCann (the cann-not-sourced scenario is how the
 * host is reached: its tools run without CANN's set_env.sh) and the description's "scenario <id>", which list_hosts
 * shows. Returns what changed; an inventory without the host changes nothing.
 */
export async function recordSimScenario(
  inventoryFile: string,
  name: string,
  scenario: string,
): Promise<{ sourceCann: boolean | null; description: string | null }> {
  const none = { sourceCann: null, description: null };
  if (!existsSync(inventoryFile)) return none;
  const doc = parseDocument(await readFile(inventoryFile, "utf8"));
  if (doc.errors.length > 0) return none;
  const host = doc.getIn(["hosts", name]);
  if (!isMap(host)) return none;
  const out: { sourceCann: boolean | null; description: string | null } = { ...none };
  const source = scenario !== "cann-not-sourced";
  if (host.get("sourceCann") !== source) {
    host.set("sourceCann", source);
    out.sourceCann = source;
  }
  const description = host.get("description");
  if (typeof description === "string" && /, scenario [\w-]+$/.test(description)) {
    const next = description.replace(/, scenario [\w-]+$/, `, scenario ${scenario}`);
    if (next !== description) {
      host.set("description", next);
      out.description = next;
    }
  }
  if (out.sourceCann !== null || out.description !== null) await writeFile(inventoryFile, doc.toString());
  return out;
}

/** `sim init` declined to act: nothing was changed, and the message says what exists and how to go on. */
export class SimRefusal extends Error {
  override name = "SimRefusal";
}

/** What `sim init` deletes and lays out again under the host's directory. */
const ASCEND_PARTS = ["bin", "usr", "venv", "MindSpeed-MM", "MindSpeed", "mirrors", "wheels", ".sim"] as const;
const CUDA_PARTS = ["bin", "venv", ".sim", "hf-home", "wheels", "mirrors", "work"] as const;

/** How `sim init` was typed, for the commands a refusal suggests. */
export interface SimInitTyped {
  dir: string;
  /** Flags other than the directory, --name and --force (e.g. `--accelerator cuda`). */
  flags?: string;
}

async function describeSimAt(root: string): Promise<string | null> {
  if (existsSync(join(root, ".sim", "cuda.json"))) return "a simulated CUDA host";
  if (!existsSync(join(root, ".sim", "state.json"))) return null;
  const state = await loadState(root).catch(() => null);
  return state
    ? `a simulated Ascend host (host "${state.name}", scenario ${state.scenario}, MindSpeed-MM ${state.release}, laid out ${state.createdAt})`
    : "a simulated Ascend host";
}

/** Refuses to lay a host out over an existing one (or over directories it would delete) unless forced. */
async function refuseToReplace(dir: string, parts: readonly string[], typed: SimInitTyped): Promise<void> {
  const root = resolve(dir);
  const sim = await describeSimAt(root);
  const present = parts.filter((p) => existsSync(join(root, p)));
  if (!sim && present.length === 0) return;
  const flags = typed.flags ? ` ${typed.flags}` : "";
  const what = sim
    ? `${typed.dir} is already ${sim}. Laying it out again deletes everything in it: its run records, configs, dataset, checkpoints and exports.`
    : `${typed.dir} already has ${present.join(", ")}, which sim init deletes and lays out again.`;
  throw new SimRefusal(
    [
      `refused: ${what}`,
      "Nothing was changed. To go on:",
      `  ascend-train sim init ${typed.dir}${flags} --force   # delete it and lay it out again`,
      `  ascend-train sim init ./another-dir${flags} --name another   # a second host beside it`,
      ...(sim && !sim.includes("CUDA")
        ? [`  ascend-train sim scenario ${typed.dir} <id>   # keep it; switch how it fails`]
        : []),
    ].join("\n"),
  );
}

/** Refuses a host name that the inventory gives to a different host (another workdir): never replaced. */
async function refuseNameTaken(
  inventoryFile: string,
  name: string,
  workdir: string,
  typed: SimInitTyped,
): Promise<void> {
  if (!existsSync(inventoryFile)) return;
  const hosts = (parseYaml(await readFile(inventoryFile, "utf8")) as { hosts?: Record<string, unknown> } | null)?.hosts;
  const entry = hosts?.[name] as { workdir?: unknown; description?: unknown; ssh?: unknown } | undefined;
  if (!hosts || entry === undefined || entry === null) return;
  if (!entry.ssh && typeof entry.workdir === "string" && resolve(entry.workdir) === workdir) return;
  const taken = new Set(Object.keys(hosts));
  let free = `${name}-2`;
  for (let i = 3; taken.has(free); i++) free = `${name}-${i}`;
  const its =
    typeof entry.description === "string"
      ? entry.description
      : typeof entry.workdir === "string"
        ? `workdir ${entry.workdir}`
        : "another host";
  const flags = typed.flags ? ` ${typed.flags}` : "";
  throw new SimRefusal(
    [
      `refused: host name "${name}" is taken in ${inventoryFile} by another host (${its}); sim init does not replace it.`,
      "Nothing was changed. Pick another name:",
      `  ascend-train sim init ${typed.dir}${flags} --name ${free}`,
      `(or remove host "${name}" from ${inventoryFile} first to reuse the name)`,
    ].join("\n"),
  );
}

/** `ascend-train sim init`: lays out a host with a model and a dataset, registers it, and says what was made. */
export async function simInitCommand(
  dir: string,
  opts: {
    scenario?: ScenarioId;
    name?: string;
    inventoryFile: string;
    model?: string;
    /** Lay out over an existing host or directories (it deletes them). */
    force?: boolean;
    typed?: SimInitTyped;
  } & Pick<LayOutOptions, "release" | "owner" | "masterPort">,
): Promise<string> {
  const name = opts.name ?? "ascend-sim";
  const model = opts.model ?? DEFAULT_SIM_MODEL;
  const typed = opts.typed ?? { dir };
  await refuseNameTaken(opts.inventoryFile, name, join(resolve(dir), "MindSpeed-MM"), typed);
  if (!opts.force) await refuseToReplace(dir, ASCEND_PARTS, typed);
  const sim = await layOutSim(dir, { ...opts, name });
  const workdir = sim.hostSettings.workdir!;
  const data = await layOutSampleData(workdir, model);
  if (opts.owner) await sh("chown", ["-R", `${opts.owner.uid}:${opts.owner.gid}`, workdir]);
  await addSimHostToInventory(opts.inventoryFile, name, sim.hostSettings);
  const state = await loadState(sim.dir);
  const scenario = SCENARIOS.find((s) => s.id === sim.scenario)!;
  const next =
    sim.scenario === "bare"
      ? `ascend-train install-stack --host ${name} --model ${data.model}${state.release === NEWEST_RELEASE ? "" : ` --release ${state.release}`}`
      : `ascend-train check-env --host ${name} --model ${data.model}`;
  return [
    `Simulated Ascend host "${name}" laid out in ${sim.dir} (ascend-train sim).`,
    `  hardware: Atlas 800T A2, ${state.npuCount}x Ascend ${state.chip}, 64 GB HBM each; driver ${state.driver}`,
    sim.scenario === "bare"
      ? `  software: CANN ${state.versions.cann} only; its mirrors and wheels hold MindSpeed-MM ${state.release}, torch ${state.versions.torch}, torch_npu ${state.versions.torchNpu} for install-stack`
      : `  software: MindSpeed-MM ${state.release}, CANN ${state.versions.cann}, torch ${state.versions.torch}, torch_npu ${state.versions.torchNpu}`,
    `  scenario: ${sim.scenario} - ${scenario.description}`,
    `  model:    ${data.hfDir} (${data.model}, Hugging Face layout, placeholder weights)`,
    `  dataset:  ${data.dataset} (MindSpeed-MM format), from ${data.llava} (LLaVA) with images in ${join(data.imageDir, "images")}`,
    `  eval:     ${data.benchmark} (AI2D's TSV columns; evaluate-model reads it by default)`,
    ...data.skipped.map((p) => `  not laid out: ${p} (a default path outside the host's directory)`),
    `  registered in ${opts.inventoryFile} as host "${name}"${state.masterPort === 6000 ? "" : `, MASTER_PORT ${state.masterPort}`}`,
    "",
    "Next:",
    `  ${next}`,
    // A short run over the sample's records (the README's first run): the defaults' 10000 iterations would pass
    // over them thousands of times, and build-configs warns that the model would memorise them.
    `  ascend-train build-configs --host ${name} --model ${data.model} --global-batch-size 8 --train-iters 75 --save-interval 25   # uses the paths above; a short run over the sample`,
    mcpClientLine(opts.inventoryFile),
  ].join("\n");
}

/**
 * The inventory an MCP server reads is the one in the directory it starts in (a desktop client's may be "/"): the
 * variable that points it at this one, as the README's registration takes it.
 */
function mcpClientLine(inventoryFile: string): string {
  const file = shellQuote(resolve(inventoryFile));
  return `  from an MCP client: start the server with ASCEND_TRAIN_CONFIG=${file} (Claude Code: claude mcp add ascend-train -e ASCEND_TRAIN_CONFIG=${file} -- node /path/to/ascend-train/bin/ascend-train.js mcp)`;
}

/** `ascend-train sim init --accelerator cuda`: a CUDA host with one sample dataset per TRL method, registered. */
export async function simInitCudaCommand(
  dir: string,
  opts: { name?: string; inventoryFile: string; bare?: boolean; force?: boolean; typed?: SimInitTyped },
): Promise<string> {
  const name = opts.name ?? "cuda-sim";
  const typed = opts.typed ?? { dir, flags: "--accelerator cuda" };
  await refuseNameTaken(opts.inventoryFile, name, cudaSimHostSettings(resolve(dir)).workdir!, typed);
  if (!opts.force) await refuseToReplace(dir, CUDA_PARTS, typed);
  const sim = await layOutCudaSim(dir, undefined, { bare: opts.bare });
  const data = await layOutTrlSampleData(sim.hostSettings.workdir!);
  await addSimHostToInventory(opts.inventoryFile, name, sim.hostSettings);
  return [
    `Simulated CUDA host "${name}" laid out in ${sim.dir} (ascend-train sim).`,
    `  hardware: ${sim.hostSettings.description}`,
    `  datasets: ${Object.values(data).join(", ")}`,
    `  registered in ${opts.inventoryFile} as host "${name}"`,
    "",
    "Next:",
    opts.bare ? `  ascend-train install-stack --host ${name}` : `  ascend-train check-env --host ${name}`,
    `  ascend-train build-configs --host ${name} --trainer trl --method sft --model Qwen/Qwen2.5-0.5B-Instruct --dataset ${data.sft}`,
    mcpClientLine(opts.inventoryFile),
  ].join("\n");
}
