// The memory estimate for a launch script as written: the model from the script's name or directory (build_configs
// writes configs/<model id>/finetune_<name>.sh, upstream examples are finetune_<name>.sh), the layout from its flags
// and the layer split from its model config. Serves launch pre-flight and diagnose_error on an out-of-memory run.
import { convertHint, rebuildHint } from "../configs/build-inputs.js";
import { lookupModel } from "../knowledge/lookup.js";
import { parseLaunchScript } from "../runs/launch-script.js";
import { type MemoryAdvice, memoryAdvice } from "./index.js";

export interface LaunchLayout {
  scriptPath: string;
  /** The script's flags by name without dashes, as parseLaunchScript reads them. */
  flags: Record<string, string | true>;
  tp: number;
  pp: number;
  cp: number;
  npusPerNode: number | null;
  nnodes: number | null;
  llmSplit: number[] | null;
  lora: boolean;
}

const num = (v: string | true | undefined): number | undefined => {
  if (v === undefined || v === true) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
};

/** The registry model a script trains, from its directory or file name; null when neither names one. */
export function modelOfScript(scriptPath: string): string | null {
  const parts = scriptPath.split("/").filter(Boolean);
  const file = (parts[parts.length - 1] ?? "").replace(/\.sh$/, "").replace(/^finetune_(lora_)?/, "");
  const dir = parts[parts.length - 2] ?? "";
  for (const candidate of [dir, file]) {
    if (!candidate) continue;
    const found = lookupModel(candidate);
    if (found.status === "model") return found.model.id;
  }
  return null;
}

export interface LaunchMemory extends MemoryAdvice {
  model: string;
  /** The NPUs the script's layout runs on, and per node. */
  npus: number;
  npusPerNode: number;
}

/** The estimate for the script's layout; null when the model or its shape is unknown. */
export function estimateLaunch(
  layout: LaunchLayout,
  opts: { nodes?: number; hbmGiB?: number } = {},
): LaunchMemory | null {
  const model = modelOfScript(layout.scriptPath);
  if (!model) return null;
  const npusPerNode = layout.npusPerNode ?? 8;
  const nodes = opts.nodes ?? layout.nnodes ?? 1;
  const f = layout.flags;
  const advice = memoryAdvice({
    model,
    npus: npusPerNode * nodes,
    npusPerNode,
    tp: layout.tp,
    pp: layout.pp,
    cp: layout.cp,
    ep: num(f["expert-model-parallel-size"]),
    microBatchSize: num(f["micro-batch-size"]),
    globalBatchSize: num(f["global-batch-size"]),
    seqLength: num(f["seq-length"]),
    llmLayerSplit: layout.llmSplit && layout.llmSplit.length === layout.pp ? layout.llmSplit : undefined,
    lora: layout.lora || undefined,
    hbmGiB: opts.hbmGiB,
    // The script's own memory flags (distributed optimizer, --reuse-fp32-param, --swap-attention, recompute).
    flags: f,
  });
  return advice && { ...advice, model, npus: npusPerNode * nodes, npusPerNode };
}

/**
 * The estimate for a launch script's text (a failed run's): layout from its flags, overridden by what the run's
 * config is known to hold (TP, PP, layer split); the chip's HBM when the error printed it.
 */
export function estimateScript(
  scriptPath: string,
  scriptText: string,
  known: { tp?: number; pp?: number; llmSplit?: number[]; nodes?: number; hbmGiB?: number } = {},
): LaunchMemory | null {
  const info = parseLaunchScript(scriptText);
  const lora = Object.keys(info.flags).some((k) => k.startsWith("lora"));
  return estimateLaunch(
    {
      scriptPath,
      flags: info.flags,
      tp: known.tp ?? info.tp,
      pp: known.pp ?? info.pp,
      cp: info.cp,
      npusPerNode: info.npusPerNode,
      nnodes: info.nnodes,
      llmSplit: known.llmSplit ?? null,
      lora,
    },
    { nodes: known.nodes, hbmGiB: known.hbmGiB },
  );
}

/**
 * The build_configs and convert_weights inputs of a proposed layout: TP, PP, EP and the layer splits, and the NPUs per
 * node and nodes where it asks for another number of NPUs than the `current` run has.
 */
function layoutInputs(
  p: NonNullable<MemoryAdvice["proposed"]>,
  current: { npus: number; npusPerNode: number },
): Record<string, unknown> {
  const perNode = p.npus % current.npusPerNode === 0 ? current.npusPerNode : Math.min(p.npus, 8);
  const nodes =
    p.npus !== current.npus && p.npus % perNode === 0 ? { npusPerNode: perNode, nodes: p.npus / perNode } : {};
  return {
    tp: p.tp,
    pp: p.pp,
    ...(p.ep > 1 ? { ep: p.ep } : {}),
    ...(p.pp > 1 ? { llmLayerSplit: p.llmLayerSplit } : {}),
    ...(p.pp > 1 && p.vitLayerSplit ? { vitLayerSplit: p.vitLayerSplit } : {}),
    ...nodes,
  };
}

/**
 * The calls that move a run to the proposed layout: build_configs again (the recorded build's inputs kept), then
 * convert_weights with the same split into the checkpoint directory the configs load.
 */
export function layoutCalls(memory: LaunchMemory, recorded: Record<string, unknown> | null, host: string): string {
  const p = memory.proposed;
  if (!p) return "";
  const layout = layoutInputs(p, memory);
  const mbs =
    p.microBatchSize > 1 || recorded?.microBatchSize !== undefined ? { microBatchSize: p.microBatchSize } : {};
  const rebuild = rebuildHint(recorded ?? { model: memory.model }, host, { ...layout, ...mbs, overwrite: true });
  const convert = convertHint(recorded, host, { ...layout, overwrite: true, confirm: true }, memory.model);
  return `${rebuild}, then ${convert}`;
}
