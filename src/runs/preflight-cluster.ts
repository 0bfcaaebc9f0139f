// Pre-flight, the cluster as a whole: every node has a workdir in the inventory, the script's node count and the
// parallel layout fit the hosts it is launched on, and whether the run can be resumed later.
import { rebuildHint } from "../configs/build-inputs.js";
import type { LaunchScriptInfo } from "./launch-script.js";
import type { Add, NodeContext } from "./preflight-types.js";
import type { RunConfig } from "./run-config.js";

/** Each node names its workdir (the MindSpeed-MM checkout); without it nothing else can be checked. */
export function checkInventory(nodes: NodeContext[], add: Add): void {
  for (const n of nodes) {
    if (n.settings.workdir) continue;
    add({
      id: "workdir",
      host: n.host,
      level: "error",
      message: `Host ${n.host} has no workdir (the MindSpeed-MM checkout) in the inventory.`,
      fix: `Set workdir for host ${n.host} in ascend-train.yaml.`,
    });
  }
}

/** NNODES agrees with the hosts given, and TP*PP*CP divides the world size. */
export function checkLayout(
  info: LaunchScriptInfo,
  config: RunConfig,
  nodes: NodeContext[],
  npusPerNode: number,
  add: Add,
): void {
  const master = nodes[0]!;
  const nnodes = nodes.length;
  if (info.nnodes !== null && info.nnodes !== nnodes) {
    add({
      id: "configs-agree",
      host: master.host,
      level: "error",
      message: `The script sets NNODES=${info.nnodes} but the run is launched on ${nnodes} host(s).`,
      fix: `Rebuild the configs with nodes=${nnodes}, or launch on ${info.nnodes} host(s).`,
    });
  }
  const world = npusPerNode * nnodes;
  if (world % (config.tp * config.pp * config.cp) !== 0) {
    add({
      id: "configs-agree",
      host: master.host,
      level: "error",
      message: `World size ${world} (${npusPerNode} NPUs x ${nnodes} node(s)) is not divisible by TP*PP*CP = ${config.tp}*${config.pp}*${config.cp}.`,
      fix: "Rebuild the configs with a parallel layout that divides the NPU count.",
    });
  }
}

/** A run that saves no optimizer or RNG state can be resumed only partly: say so before it starts. */
export function checkResumable(
  config: RunConfig,
  resume: boolean,
  master: NodeContext,
  add: Add,
  buildInputs: Record<string, unknown> | null,
): void {
  if (!config.noSaveOptim || resume) return;
  add({
    id: "resumable",
    host: master.host,
    level: "warning",
    message:
      "The run saves no optimizer/RNG state (--no-save-optim/--no-save-rng, as upstream's examples): resume_run can restore weights and the iteration, not the optimizer.",
    fix: buildInputs
      ? `To resume exactly later, rebuild keeping it (checkpoints grow about sevenfold: Adam's fp32 state is about 12 bytes a parameter, bf16 weights 2): ${rebuildHint(buildInputs, master.host, { saveOptimizer: true, overwrite: true })}.`
      : `To resume exactly later, remove --no-save-optim and --no-save-rng from the script (or build it with ${rebuildHint(null, master.host, { saveOptimizer: true })}).`,
  });
}
