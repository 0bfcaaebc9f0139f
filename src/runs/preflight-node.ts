// Pre-flight, per node: probe each host once (files, weights, save directory, disk, ports, NPUs and who holds them),
// then check what the run needs there. Every failure carries the fix a person can act on.

import { convertHint, rebuildHint } from "../configs/build-inputs.js";
import { loraBaseMismatch, ownBaseDir } from "../convert/lora-base.js";
import { type ConvertMarker, markerMismatch, parseMarker } from "../convert/marker.js";
import { runLabel } from "../env/finding.js";
import { parseNpuSmiInfo } from "../env/npu-smi.js";
import { modelOfScript } from "../estimate/launch.js";
import { argsHint, callHint } from "../text/hint.js";
import { type HoldingRun, processGroups, type RunHolders, type TakenOnHost } from "./holders.js";
import { ledgerDir, readLedger } from "./ledger.js";
import { DEFAULT_HCCL_BASE_PORT, HCCL_HOST_PORTS } from "./ports.js";
import type { Add, NodeContext } from "./preflight-types.js";
import { probeNode } from "./probe.js";
import type { RunConfig } from "./run-config.js";

export { DEFAULT_HCCL_BASE_PORT, loraBaseMismatch };

/** Ports HCCL takes from its base on the host NIC (16; CANN 8.2 and later document 32). */
const HCCL_PORTS = 16;
const HCCL_PORTS_NEW = HCCL_HOST_PORTS;

const MP_RANK = /^mp_rank_(\d{2})(?:_(\d{3}))?$/;

function layoutOf(entries: string[]): { tp: number; pp: number } | null {
  let tp = 0;
  let pp = 0;
  for (const e of entries) {
    const m = MP_RANK.exec(e);
    if (!m) continue;
    tp = Math.max(tp, Number(m[1]) + 1);
    pp = Math.max(pp, m[2] === undefined ? 1 : Number(m[2]) + 1);
  }
  return tp > 0 ? { tp, pp } : null;
}

function range(ids: number[]): string {
  return ids.length > 1 && ids[ids.length - 1]! - ids[0]! === ids.length - 1
    ? `${ids[0]}-${ids[ids.length - 1]}`
    : ids.join(",");
}

export function plannedSaves(trainIters: number | null, saveInterval: number | null): number {
  if (!trainIters) return 1;
  if (!saveInterval || saveInterval <= 0) return 1;
  return Math.floor(trainIters / saveInterval) + (trainIters % saveInterval === 0 ? 0 : 1);
}

export interface NodeCheckInputs {
  /** The launch script as given and the config files it names (their copies on every node must agree). */
  script: string;
  configPaths: string[];
  config: RunConfig;
  /** The inputs build_configs recorded next to the script: a hint that rebuilds repeats them. */
  buildInputs?: Record<string, unknown> | null;
  resume: boolean;
  /** Set for resumed runs, whose script is an edited copy: no cross-node hash comparison. */
  scriptReplaced: boolean;
  masterPort: number;
  hcclBasePort: number;
  /** Which runs of a host's own ledger hold what is taken there (runHolders), so a taken port names its run. */
  holders?: (host: string, taken: TakenOnHost) => Promise<RunHolders>;
  /** The live runs of a host's own ledger that save to a directory (runsSavingTo): two runs must not share one. */
  savers?: (host: string, saveDir: string) => Promise<HoldingRun[]>;
  npusPerNode: number;
  env: (n: NodeContext) => Record<string, string>;
}

/**
 * Probes every node in parallel (one round trip each) and finds which NPU holders belong to our own runs (same
 * process group as a recorded wrapper), so they are named by run id rather than as strangers.
 */
export async function probeNodes(nodes: NodeContext[], inputs: NodeCheckInputs): Promise<Map<number, string>> {
  const ourPids = new Map<number, string>();
  await Promise.all(
    nodes.map(async (n) => {
      n.facts = await probeNode(n.executor, n.settings, {
        files: [inputs.script, ...inputs.configPaths, ...inputs.config.inputs],
        loadPath: inputs.config.loadPath,
        savePath: inputs.config.savePath,
      });
      n.portOwners = await portOwners(n, inputs);
      n.savingHere = await savingHere(n, inputs);
      const holders = parseNpuSmiInfo(n.facts.npuSmi.text).processes.map((p) => p.pid);
      if (holders.length === 0) return;
      try {
        const ledger = await readLedger(n.executor, n.host, await ledgerDir(n.executor, n.settings));
        const runOfGroup = new Map<number, string>();
        for (const e of ledger.entries) for (const node of e.record.nodes) runOfGroup.set(node.pid, e.record.id);
        for (const [pid, pgid] of await processGroups(n.executor, holders)) {
          const run = runOfGroup.get(pgid);
          if (run) ourPids.set(pid, run);
        }
      } catch {
        // No ledger or no ps: the holders are reported without a run id.
      }
    }),
  );
  return ourPids;
}

/** The ports a launch needs on a node that something listens on: the master port (node rank 0) and HCCL's. */
function takenPorts(n: NodeContext, inputs: Pick<NodeCheckInputs, "masterPort" | "hcclBasePort">) {
  const listening = n.facts!.listening;
  const master = n.nodeRank === 0 && listening.has(inputs.masterPort) ? inputs.masterPort : null;
  const hccl = Array.from({ length: HCCL_PORTS_NEW }, (_, i) => inputs.hcclBasePort + i).filter((p) =>
    listening.has(p),
  );
  return { master, hccl };
}

/** The runs of the node's own ledger that hold the ports the launch needs; none asked when every port is free. */
async function portOwners(n: NodeContext, inputs: NodeCheckInputs): Promise<NodeContext["portOwners"]> {
  const taken = takenPorts(n, inputs);
  if (!inputs.holders || (taken.master === null && taken.hccl.length === 0)) return undefined;
  try {
    const h = await inputs.holders(n.host, { npuPids: [], masterPort: taken.master, hcclPorts: taken.hccl });
    return { master: h.masterPort, hccl: h.hcclPorts };
  } catch {
    // No ledger or no ps: the ports are reported without a run id.
    return undefined;
  }
}

/** The live runs of the node's own ledger that write to the launch's save directory; none asked without one. */
async function savingHere(n: NodeContext, inputs: NodeCheckInputs): Promise<HoldingRun[] | undefined> {
  const save = n.facts!.save;
  if (!inputs.savers || !inputs.config.savePath || !save?.abs) return undefined;
  try {
    return await inputs.savers(n.host, save.abs);
  } catch {
    // No ledger or no ps: the save directory is judged by its contents alone.
    return undefined;
  }
}

/** The first port from `from` up that nothing listens on, for a launch beside what holds `from`. */
function freePortFrom(listening: ReadonlySet<number>, from: number, width = 1): number | null {
  for (let base = from; base + width <= 65536; base += width)
    if (!Array.from({ length: width }, (_, i) => base + i).some((p) => listening.has(p))) return base;
  return null;
}

/** "run-… (running, iteration 58/2000)": stop it with stop_run, the call rendered in the caller's words. */
const stopIt = (runs: readonly HoldingRun[], host: string) =>
  runs.map((r) => `${runLabel(r)}: stop it with ${callHint("stop_run", { runId: r.runId, host })}`).join("; ");

/**
 * The checks of one probed node. Returns the planned checkpoint size (KiB) when it could be estimated; the master's
 * file hashes go into `hashes`.
 */
export function checkNode(
  n: NodeContext,
  master: NodeContext,
  inputs: NodeCheckInputs,
  ourPids: Map<number, string>,
  hashes: Record<string, string>,
  add: Add,
): number | null {
  const facts = n.facts!;
  if (!facts.workdirExists) {
    add({
      id: "workdir",
      host: n.host,
      level: "error",
      message: `The workdir ${n.workdir} does not exist on ${n.host}.`,
      fix: "Install MindSpeed-MM there (install_stack) or correct workdir in ascend-train.yaml.",
    });
    return null;
  }
  checkFiles(n, master, inputs, hashes, add);
  // A resumed run loads its own checkpoints, not the converted weights.
  if (!inputs.resume) checkWeights(n, inputs, add);
  checkSave(n, inputs.config, inputs.resume, add, inputs.buildInputs ?? null);
  const planned = checkDisk(n, inputs.config, add);
  checkPorts(n, inputs.masterPort, inputs.hcclBasePort, npusHeld(n, inputs), add);
  checkNpus(n, inputs, ourPids, add);
  return planned;
}

/** The script, configs and inputs exist on the node, and its copies of the script and configs match the master's. */
function checkFiles(
  n: NodeContext,
  master: NodeContext,
  inputs: NodeCheckInputs,
  hashes: Record<string, string>,
  add: Add,
): void {
  for (const f of n.facts!.files) {
    if (!f.exists) {
      const isInput = inputs.config.inputs.includes(f.path);
      add({
        id: isInput ? "inputs" : "configs",
        host: n.host,
        level: "error",
        message: `${f.path} (${f.abs}) does not exist on ${n.host}.`,
        fix: isInput
          ? "Prepare the dataset / download the model to that path on every node, or rebuild the configs with the right paths."
          : "Run build_configs (on every node of a multi-node run) so the configs exist there.",
      });
    } else if (f.sha256) {
      if (n === master) hashes[f.abs] = f.sha256;
      else if (inputs.configPaths.includes(f.path) || f.path === inputs.script) {
        const mine = master.facts?.files.find((m) => m.path === f.path)?.sha256;
        if (mine && mine !== f.sha256 && !inputs.scriptReplaced) {
          // Paths inside may differ legitimately between nodes; anything else would break the run.
          add({
            id: "configs",
            host: n.host,
            level: "warning",
            message: `${f.path} on ${n.host} differs from the copy on ${master.host}.`,
            fix: "Make sure both describe the same run (build_configs with the same parameters on each host, or a shared filesystem).",
          });
        }
      }
    }
  }
}

/** The convert_weights call that writes the weights the script loads, split as it trains. */
function convertForScript(n: NodeContext, inputs: NodeCheckInputs, args: Record<string, unknown> = {}): string {
  const { config } = inputs;
  const recorded = inputs.buildInputs ?? null;
  return convertHint(
    recorded,
    n.host,
    {
      tp: config.tp,
      pp: config.pp,
      ...(config.llmSplit ? { llmLayerSplit: config.llmSplit } : {}),
      ckptDir: config.loadPath,
      ...(n.facts!.load?.exists ? { overwrite: true } : {}),
      confirm: true,
      ...args,
    },
    modelOfScript(inputs.script),
  );
}

function checkWeights(n: NodeContext, inputs: NodeCheckInputs, add: Add): void {
  const { config } = inputs;
  const load = n.facts!.load;
  if (!config.loadPath || !load) return;
  const megatronTorch = config.kind === "megatron-json" && config.ckptFormat === "torch";
  const convert = `Convert the weights split as the script trains (tp=${config.tp}, pp=${config.pp}${config.llmSplit ? `, llm layers [${config.llmSplit.join(",")}]` : ""}) into ${config.loadPath}: ${convertForScript(n, inputs)}.`;
  if (!load.exists) {
    add({
      id: "weights",
      host: n.host,
      level: "error",
      message: `The converted weights ${load.abs} do not exist on ${n.host}.`,
      fix: convert,
    });
    return;
  }
  if (load.tracker === null) {
    // HF weights loaded directly (native trainer, load_format auto) have no tracker.
    add({
      id: "weights",
      host: n.host,
      level: megatronTorch ? "error" : "info",
      message: megatronTorch
        ? `${load.abs} has no latest_checkpointed_iteration.txt: it is not a converted Megatron checkpoint.`
        : `${load.abs} exists (no Megatron tracker file; loaded as given).`,
      fix: megatronTorch ? convert : null,
    });
    return;
  }
  const entries = load.trackedEntries ?? [];
  if (megatronTorch) {
    const found = layoutOf(entries);
    if (!found || found.tp !== config.tp || found.pp !== config.pp) {
      add({
        id: "weights",
        host: n.host,
        level: "error",
        message: found
          ? `The converted weights in ${load.abs} are split for tp=${found.tp}, pp=${found.pp}; the script trains with tp=${config.tp}, pp=${config.pp}.`
          : `${load.abs}/${load.tracker === "release" ? "release" : `iter_${load.tracker.padStart(7, "0")}`} holds no mp_rank_* directories.`,
        fix: convert,
      });
      return;
    }
  } else if (!entries.includes(".metadata") && config.ckptFormat !== "torch") {
    add({
      id: "weights",
      host: n.host,
      level: "error",
      message: `${load.abs} (tracker ${load.tracker}) holds no DCP .metadata file.`,
      fix: convert,
    });
    return;
  }
  const marker = load.convertMarker ? parseMarker(load.convertMarker) : null;
  const loraMismatch = marker ? loraBaseMismatch(marker, config.lora) : null;
  if (loraMismatch) {
    add({
      id: "weights",
      host: n.host,
      level: "error",
      message: `${load.abs}: ${loraMismatch}`,
      fix: otherKindFix(n, inputs, marker!),
    });
    return;
  }
  if (marker) {
    // The layer split is invisible in the tree; convert_weights recorded the one it used.
    const diff = markerMismatch(marker, {
      tp: config.tp,
      pp: config.pp,
      llm: config.llmSplit,
      vit: null,
      ...(config.kind === "megatron-json" ? { vpp: config.vpp } : {}),
    });
    if (diff.length > 0) {
      add({
        id: "weights",
        host: n.host,
        level: "error",
        message: `The weights in ${load.abs} were converted with a different split: ${diff.join(", ")}. Training would fail with a checkpoint shape mismatch.`,
        fix: convert,
      });
      return;
    }
  }
  add({
    id: "weights",
    host: n.host,
    level: "info",
    message: `Converted weights found in ${load.abs} (${load.tracker}, tp=${config.tp}, pp=${config.pp}${marker ? `, layer split matches the conversion record` : ""}).`,
    fix: null,
  });
}

/**
 * The fix for a base of the other kind: a folder of its own for this run's kind, and these configs pointed at it. The
 * folder it loads now stays as it is: the runs of the other kind (and their export, inference and merges) read it.
 */
function otherKindFix(n: NodeContext, inputs: NodeCheckInputs, marker: ConvertMarker): string {
  const { config } = inputs;
  const own = ownBaseDir(config.loadPath!, config.lora);
  const kind = config.lora ? "for LoRA" : "for a full fine-tune";
  const variant = config.lora ? "lora" : undefined;
  const recorded = inputs.buildInputs ?? null;
  const convert = convertForScript(n, inputs, { model: marker.model, variant, ckptDir: own, overwrite: undefined });
  const rebuild = rebuildHint(recorded, n.host, {
    ...(recorded ? {} : { model: marker.model, variant }),
    ckptDir: own,
    overwrite: true,
  });
  return `Leave ${config.loadPath} as it is (runs of the other kind read it) and give this run a base of its own: convert one ${kind} into ${own} with ${convert}, then point these configs at it with ${rebuild}.`;
}

function checkSave(
  n: NodeContext,
  config: RunConfig,
  resume: boolean,
  add: Add,
  buildInputs: Record<string, unknown> | null,
): void {
  const save = n.facts!.save;
  if (!config.savePath || !save) {
    add({
      id: "save-dir",
      host: n.host,
      level: "warning",
      message: "The run sets no save directory: no checkpoint will be written and it cannot be resumed.",
      fix: `Rebuild the configs with a save directory: ${rebuildHint(buildInputs, n.host, { saveDir: "<save dir>", overwrite: true })}.`,
    });
    return;
  }
  const writers = n.savingHere ?? [];
  if (writers.length > 0) {
    const other = `${save.abs}-2`;
    add({
      id: "save-dir",
      host: n.host,
      level: "error",
      message: `The save directory ${save.abs} is where this host's run ${writers.map(runLabel).join(", ")} writes its checkpoints: two runs saving there overwrite each other's iterations and latest_checkpointed_iteration.txt.`,
      fix: `Give this run a save directory of its own (${rebuildHint(buildInputs, n.host, { saveDir: other, overwrite: true })}), or let ${writers.length > 1 ? "those runs" : "that run"} finish, or stop ${writers.length > 1 ? "them" : "it"}: ${writers.map((r) => callHint("stop_run", { runId: r.runId, host: n.host })).join("; ")}.`,
    });
    return;
  }
  if (resume) {
    const ok = save.exists && save.tracker !== null;
    const missing = ok ? incompleteCheckpoint(save.trackedEntries, config) : null;
    if (ok && missing && n.nodeRank === 0) {
      const others = save.iterDirs.filter((d) => d !== `iter_${save.tracker!.padStart(7, "0")}`);
      add({
        id: "save-dir",
        host: n.host,
        level: "error",
        message: `The latest checkpoint in ${save.abs} (iteration ${save.tracker}) is incomplete: ${missing}.`,
        fix: others.length
          ? `Write an earlier complete iteration (${others.join(", ")}) into ${save.abs}/latest_checkpointed_iteration.txt, then resume.`
          : "No other checkpoint is there: launch a new run.",
      });
      return;
    }
    add({
      id: "save-dir",
      host: n.host,
      level: ok || n.nodeRank > 0 ? "info" : "error",
      message: ok
        ? `Resuming from ${save.abs} (latest checkpointed iteration ${save.tracker}).`
        : `${save.abs} holds no checkpoint to resume from (no latest_checkpointed_iteration.txt).`,
      fix: ok ? null : "Launch a new run instead of resuming.",
    });
    return;
  }
  if (save.exists && !save.empty) {
    const what = save.tracker !== null ? `checkpoints up to iteration ${save.tracker}` : "files";
    add({
      id: "save-dir",
      host: n.host,
      level: "error",
      message: `The save directory ${save.abs} already holds ${what}; a new run would mix its checkpoints with them.`,
      fix: `Write the configs with a new save directory (${rebuildHint(buildInputs, n.host, { saveDir: `${save.abs}-2`, overwrite: true })}), or continue that training: ${callHint("list_runs", { host: n.host })} shows the run that saved there, and resume_run takes its run id.`,
    });
    return;
  }
  add({ id: "save-dir", host: n.host, level: "info", message: `Checkpoints go to ${save.abs} (new).`, fix: null });
}

/** What a checkpoint directory lacks for the run's layout, or null when it is complete. */
export function incompleteCheckpoint(entries: string[] | null, config: RunConfig): string | null {
  if (entries === null) return "its directory is missing";
  if (config.kind === "megatron-json" && config.ckptFormat === "torch") {
    const found = layoutOf(entries);
    if (!found) return "no mp_rank_* directories";
    if (found.tp !== config.tp || found.pp !== config.pp) {
      return `it is split for tp=${found.tp}, pp=${found.pp}, the run uses tp=${config.tp}, pp=${config.pp}`;
    }
    return null;
  }
  return entries.includes(".metadata") ? null : "no DCP .metadata file";
}

function checkDisk(n: NodeContext, config: RunConfig, add: Add): number | null {
  const facts = n.facts!;
  const base = facts.load?.sizeKb ?? null;
  if (!config.savePath) return null;
  if (base === null || base === 0) {
    add({
      id: "disk",
      host: n.host,
      level: "warning",
      message: `Cannot estimate the checkpoint size (no converted weights to measure); ${facts.freeKb !== null ? `${Math.round(facts.freeKb / 1024 / 1024)} GiB free` : "free space unknown"}.`,
      fix: "Make sure the save directory's disk has room for the checkpoints.",
    });
    return null;
  }
  // Weights in bf16 are 2 bytes per parameter; fp32 master weights and two Adam moments add 12.
  const perCheckpoint = config.noSaveOptim ? base : base * 7;
  const planned = perCheckpoint * plannedSaves(config.trainIters, config.saveInterval);
  const gib = (kb: number) => `${(kb / 1024 / 1024).toFixed(1)} GiB`;
  if (facts.freeKb !== null && facts.freeKb < planned) {
    add({
      id: "disk",
      host: n.host,
      level: "error",
      message: `The planned checkpoints need about ${gib(planned)} (${plannedSaves(config.trainIters, config.saveInterval)} x ${gib(perCheckpoint)}) but only ${gib(facts.freeKb)} are free.`,
      fix: "Free disk space, save less often (save-interval), or put saveDir on a larger disk.",
    });
  } else {
    add({
      id: "disk",
      host: n.host,
      level: "info",
      message: `Planned checkpoints about ${gib(planned)}; ${facts.freeKb !== null ? `${gib(facts.freeKb)} free` : "free space unknown"}.`,
      fix: null,
    });
  }
  return planned;
}

/** The NPUs the launch would use on this node, as npu-smi reports them, are held by some process. */
function npusHeld(n: NodeContext, inputs: NodeCheckInputs): boolean {
  const info = parseNpuSmiInfo(n.facts!.npuSmi.text);
  const used = usedNpus(inputs.env(n), inputs.npusPerNode);
  return info.processes.some((p) => used.includes(p.npuId));
}

/** The NPU ids a launch uses on a node: ASCEND_RT_VISIBLE_DEVICES (or ASCEND_VISIBLE_DEVICES), else 0 … perNode-1. */
function usedNpus(env: Record<string, string>, perNode: number): number[] {
  const visible = (env.ASCEND_RT_VISIBLE_DEVICES ?? env.ASCEND_VISIBLE_DEVICES ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
  return visible.length > 0 ? visible : Array.from({ length: perNode }, (_, i) => i);
}

/**
 * The master port and HCCL's host ports. A port held by a run of the host's own ledger names that run; a launch
 * "beside it" on another port is offered only while the launch's NPUs are free (else the port alone cannot help).
 */
function checkPorts(n: NodeContext, masterPort: number, base: number, npusTaken: boolean, add: Add): void {
  const listening = n.facts!.listening;
  const taken = takenPorts(n, { masterPort, hcclBasePort: base });
  const owners = n.portOwners;
  if (n.nodeRank === 0) {
    const busy = taken.master !== null;
    const owner = owners?.master ?? null;
    const free = busy ? freePortFrom(listening, masterPort + 1) : null;
    const beside =
      free !== null && !npusTaken ? `, or launch beside it on a free port: ${argsHint({ masterPort: free })}` : "";
    add({
      id: "master-port",
      host: n.host,
      level: busy ? "error" : "info",
      message: !busy
        ? `MASTER_PORT ${masterPort} is free.`
        : owner
          ? `MASTER_PORT ${masterPort} on ${n.host} is held by this host's run ${runLabel(owner)}: a second torchrun on it would fail with "Address already in use".`
          : `MASTER_PORT ${masterPort} is already in use on ${n.host}: torchrun would fail with "Address already in use".`,
      fix: !busy
        ? null
        : owner
          ? `Stop it first (${callHint("stop_run", { runId: owner.runId, host: n.host })})${beside}.`
          : `Stop what listens there (ss -ltnp)${free !== null ? `, or pass another port: ${argsHint({ masterPort: free })}` : ""}.`,
    });
  }
  const hard = taken.hccl.filter((p) => p < base + HCCL_PORTS);
  if (taken.hccl.length > 0) {
    const runs = [...new Map([...(owners?.hccl.values() ?? [])].map((r) => [r.runId, r])).values()];
    const freeBase = freePortFrom(listening, base + HCCL_PORTS_NEW, HCCL_PORTS_NEW);
    const moveTo =
      freeBase !== null
        ? `launch with HCCL's ports from a free base: ${argsHint({ env: { HCCL_IF_BASE_PORT: String(freeBase) } })}`
        : "set HCCL_IF_BASE_PORT (env) to a free range";
    add({
      id: "hccl-ports",
      host: n.host,
      level: hard.length > 0 ? "error" : "warning",
      message:
        `HCCL's host ports ${base}-${base + (hard.length > 0 ? HCCL_PORTS : HCCL_PORTS_NEW) - 1} are not free on ${n.host}: ${taken.hccl.join(", ")} in use` +
        (runs.length > 0 ? ` by this host's run ${runs.map(runLabel).join(", ")}.` : "."),
      fix:
        runs.length > 0
          ? `To train beside it, ${moveTo}; or ${stopIt(runs, n.host)}.`
          : `Stop what listens there, or ${moveTo}.`,
    });
  } else {
    add({
      id: "hccl-ports",
      host: n.host,
      level: "info",
      message: `HCCL ports ${base}-${base + HCCL_PORTS_NEW - 1} are free.`,
      fix: null,
    });
  }
}

function checkNpus(n: NodeContext, inputs: NodeCheckInputs, ourPids: Map<number, string>, add: Add): void {
  const perNode = inputs.npusPerNode;
  const env = inputs.env(n);
  const smi = n.facts!.npuSmi;
  if (smi.exitCode === 127 || /command not found/.test(smi.text)) {
    add({
      id: "npus",
      host: n.host,
      level: "warning",
      message: `npu-smi is not available on ${n.host}: cannot check that the NPUs are free.`,
      fix: "Install the Ascend driver (npu-smi), or check the NPUs by hand.",
    });
    return;
  }
  const info = parseNpuSmiInfo(smi.text);
  const used = usedNpus(env, perNode);
  if (info.npuCount > 0 && used.length > info.npuCount) {
    add({
      id: "npus",
      host: n.host,
      level: "error",
      message: `The run needs ${used.length} NPUs per node but ${n.host} has ${info.npuCount}.`,
      fix: `Rebuild the configs for ${info.npuCount} NPUs per node: ${rebuildHint(inputs.buildInputs ?? null, n.host, { npusPerNode: info.npuCount, overwrite: true })}.`,
    });
    return;
  }
  const holders = info.processes.filter((p) => used.includes(p.npuId));
  if (holders.length === 0) {
    add({ id: "npus", host: n.host, level: "info", message: `NPUs ${range(used)} are free.`, fix: null });
    return;
  }
  const byPid = new Map<number, { name: string; npus: number[]; mb: number }>();
  for (const p of holders) {
    const e = byPid.get(p.pid) ?? { name: p.name, npus: [], mb: 0 };
    if (!e.npus.includes(p.npuId)) e.npus.push(p.npuId);
    e.mb += p.memoryMb;
    byPid.set(p.pid, e);
  }
  const list = [...byPid.entries()].map(
    ([pid, e]) => `pid ${pid}${e.name ? ` (${e.name})` : ""} on NPU ${range(e.npus.sort((a, b) => a - b))}`,
  );
  const runs = [...new Set([...byPid.keys()].map((pid) => ourPids.get(pid)).filter(Boolean))];
  add({
    id: "npus",
    host: n.host,
    level: "error",
    message: `NPUs ${range(used)} on ${n.host} are held by ${runs.length > 0 ? `this host's run ${runs.join(", ")}` : "another process"}: ${list.join("; ")}.`,
    fix:
      runs.length > 0
        ? `They belong to run ${runs.map((runId) => `${runId}: stop it first with ${callHint("stop_run", { runId, host: n.host })}`).join("; ")}.`
        : `Stop the stale process (kill ${[...byPid.keys()].join(" ")}) or use other NPUs (ASCEND_RT_VISIBLE_DEVICES).`,
  });
}
