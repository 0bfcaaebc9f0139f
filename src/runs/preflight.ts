// Pre-flight of a launch: every check runs before anything starts, and each failure says how to fix it. This module
// orders the three parts — reading the script and configs on the master (preflight-read), the cluster-wide checks
// (preflight-cluster) and the per-node probes and checks (preflight-node) — and gathers their checks.
import { parseNpuSmiInfo } from "../env/npu-smi.js";
import { hbmFromChips } from "../estimate/index.js";
import { estimateLaunch, layoutCalls } from "../estimate/launch.js";
import { runHolders, runsSavingTo } from "./holders.js";
import type { LaunchScriptInfo } from "./launch-script.js";
import { checkInventory, checkLayout, checkResumable } from "./preflight-cluster.js";
import { checkDatasetMediaOnMaster } from "./preflight-media.js";
import { checkNode, DEFAULT_HCCL_BASE_PORT, type NodeCheckInputs, probeNodes } from "./preflight-node.js";
import { readLaunchInputs } from "./preflight-read.js";
import type { Add, Check, NodeContext, PreflightOptions, PreflightResult } from "./preflight-types.js";

export { DEFAULT_HCCL_BASE_PORT, incompleteCheckpoint, plannedSaves } from "./preflight-node.js";
export { resolveOnHost } from "./preflight-read.js";
export type { Check, NodeContext, PreflightOptions, PreflightResult } from "./preflight-types.js";

/**
 * The MASTER_PORT a launch uses: launch_train's masterPort, else MASTER_PORT in its environment (launch_train's env,
 * the host's, the script's exports), else the script's own default, else 6000.
 */
export function launchMasterPort(
  info: Pick<LaunchScriptInfo, "masterPort"> | null,
  env: Record<string, string | undefined>,
  explicit?: number,
): number {
  return explicit ?? (Number(env.MASTER_PORT) || info?.masterPort || 6000);
}

export async function runPreflight(opts: PreflightOptions): Promise<PreflightResult> {
  const checks: Check[] = [];
  const add: Add = (c) => checks.push({ ok: c.level !== "error", ...c });
  const nodes: NodeContext[] = [];
  for (const [rank, name] of opts.nodes.entries()) {
    const { executor, settings } = await opts.hosts.get(name);
    nodes.push({ host: name, nodeRank: rank, executor, settings, workdir: settings.workdir ?? "", facts: null });
  }
  const master = nodes[0]!;
  const result: PreflightResult = {
    checks,
    ok: false,
    script: null,
    config: null,
    nodes,
    masterPort: opts.masterPort ?? 6000,
    hcclBasePort: DEFAULT_HCCL_BASE_PORT,
    configHashes: {},
    plannedCheckpointKb: null,
  };
  checkInventory(nodes, add);
  if (checks.some((c) => !c.ok)) return result;

  // The script and its configs, read on the master; every node must hold the same files (checked by hash).
  const read = await readLaunchInputs(master, opts.script, opts.scriptText, add);
  if (!read) return result;
  result.script = read.script;
  result.buildInputs = read.buildInputs;
  if (!read.script.info.entry) return result;
  const { info } = read.script;
  const config = read.config;
  result.config = config;
  const env = { ...info.exports, ...master.settings.env, ...opts.env };
  result.masterPort = launchMasterPort(info, env, opts.masterPort);
  result.hcclBasePort = Number(env.HCCL_IF_BASE_PORT) || DEFAULT_HCCL_BASE_PORT;
  const npusPerNode = info.npusPerNode ?? master.settings.npusPerNode;
  checkLayout(info, config, nodes, npusPerNode, add);

  // Per node: files, weights, save dir, disk, ports, NPUs.
  const inputs: NodeCheckInputs = {
    script: opts.script,
    configPaths: read.configPaths,
    config,
    buildInputs: read.buildInputs,
    resume: opts.resume,
    scriptReplaced: opts.scriptText !== undefined,
    masterPort: result.masterPort,
    hcclBasePort: result.hcclBasePort,
    npusPerNode,
    env: (n) => ({ ...info.exports, ...n.settings.env, ...opts.env }),
    holders: (host, taken) => runHolders({ hosts: opts.hosts, now: () => new Date() }, host, taken),
    savers: (host, saveDir) => runsSavingTo({ hosts: opts.hosts, now: () => new Date() }, host, saveDir),
  };
  const ourPids = await probeNodes(nodes, inputs);
  for (const n of nodes) {
    const planned = checkNode(n, master, inputs, ourPids, result.configHashes, add);
    result.plannedCheckpointKb = planned ?? result.plannedCheckpointKb;
  }
  // The dataset's first images under the data config's dataset_dir (the master reads the data).
  await checkDatasetMediaOnMaster(master, info, read.buildInputs, add);
  checkResumable(config, opts.resume, master, add, read.buildInputs);
  checkMemory(read.script, config, nodes, npusPerNode, read.buildInputs, add);
  result.ok = checks.every((c) => c.ok);
  return result;
}

/** The layout's estimated peak memory per NPU against the master's HBM: a warning with the nearest fitting layout. */
function checkMemory(
  script: NonNullable<PreflightResult["script"]>,
  config: PreflightResult["config"],
  nodes: NodeContext[],
  npusPerNode: number,
  buildInputs: Record<string, unknown> | null,
  add: Add,
): void {
  const master = nodes[0]!;
  const chips = master.facts ? parseNpuSmiInfo(master.facts.npuSmi.text).chips : undefined;
  const memory = estimateLaunch(
    {
      scriptPath: script.path,
      flags: script.info.flags,
      tp: config?.tp ?? script.info.tp,
      pp: config?.pp ?? script.info.pp,
      cp: config?.cp ?? script.info.cp,
      npusPerNode,
      nnodes: nodes.length,
      llmSplit: config?.llmSplit ?? null,
      lora: config?.lora ?? false,
    },
    { hbmGiB: hbmFromChips(chips) },
  );
  if (!memory || memory.fits) return;
  const p = memory.proposed;
  add({
    id: "memory-fit",
    host: master.host,
    level: "warning",
    message: `estimated peak memory does not fit: ${memory.summary}`,
    fix: p
      ? `Rebuild the configs for TP ${p.tp}, PP ${p.pp} (LLM layers split ${p.llmLayerSplit.join(",")})${p.npus !== nodes.length * npusPerNode ? ` on ${p.npus} NPUs` : ""} and convert the weights with the same split: ${layoutCalls(memory, buildInputs, master.host)}; or lower the micro batch / sequence length.`
      : "Use more NPUs, LoRA, or a shorter sequence.",
  });
}
