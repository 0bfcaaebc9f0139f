// The memory estimate for a launch script as written: the model from the script's name or directory (build_configs
// writes configs/<model id>/finetune_<name>.sh, upstream examples are finetune_<name>.sh), the layout from its flags
// and the layer split from its model config. Serves launch pre-flight and diagnose_error on an out-of-memory run.
import { lookupModel } from "../knowledge/lookup.js";
import { type MemoryAdvice, memoryAdvice } from "./index.js";

export interface LaunchLayout {
  scriptPath: string;
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
    ep: num(f["--expert-model-parallel-size"]),
    microBatchSize: num(f["--micro-batch-size"]),
    globalBatchSize: num(f["--global-batch-size"]),
    seqLength: num(f["--seq-length"]),
    llmLayerSplit: layout.llmSplit && layout.llmSplit.length === layout.pp ? layout.llmSplit : undefined,
    lora: layout.lora || undefined,
    hbmGiB: opts.hbmGiB,
  });
  return advice && { ...advice, model };
}
