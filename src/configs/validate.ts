// Checks a resolved plan against the rules MindSpeed-MM enforces (or fails on) at run time.
import type { ModelEntry } from "../knowledge/types.js";
import type { PlanIssue } from "./types.js";

export interface PlanNumbers {
  backend: string;
  tp: number;
  pp: number;
  cp: number;
  ep: number;
  npusPerNode: number;
  nodes: number;
  microBatchSize: number;
  globalBatchSize: number;
  llmSplit: number[] | null;
  vitSplit: number[] | null;
  /** The upstream split allows empty leading LLM stages when the ViT fills them (InternVL2 26B/76B, InternVL2.5 78B). */
  allowEmptyLeadingLlmStage: boolean;
}

const divisorsOf = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

/** Splits `total` layers over `stages`, earlier stages lighter (they also hold the embedding / ViT). */
export function evenSplit(total: number, stages: number): number[] {
  const base = Math.floor(total / stages);
  const extra = total % stages;
  return Array.from({ length: stages }, (_, i) => base + (i >= stages - extra ? 1 : 0));
}

/** ViT layers all on the first stage, as every upstream example does. */
export function vitSplit(total: number, stages: number): number[] {
  return Array.from({ length: stages }, (_, i) => (i === 0 ? total : 0));
}

export function validatePlan(model: ModelEntry, n: PlanNumbers): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const world = n.npusPerNode * n.nodes;
  const llm = model.arch?.llm;
  const megatron = n.backend === "megatron";

  // megatron-yaml: Megatron TP / EP / CP from the YAML, but no pipeline split list to give a pipeline.
  if (n.backend === "megatron-yaml" && n.pp !== 1) {
    issues.push({
      field: "pp",
      message: "pp must be 1 on the megatron-yaml backend: the example's YAML has no pipeline layer split.",
      suggestion: 1,
    });
  }
  if (!megatron && n.backend !== "megatron-yaml" && (n.tp !== 1 || n.pp !== 1)) {
    const field = n.tp !== 1 ? "tp" : "pp";
    issues.push({
      field,
      message: `${field} must be 1 on the ${n.backend} backend (FSDP2 shards instead).`,
      suggestion: 1,
    });
  }
  if (llm && n.tp > 1) {
    if (llm.heads % n.tp !== 0 || llm.kvHeads % n.tp !== 0) {
      const ok = divisorsOf(llm.kvHeads).filter((d) => llm.heads % d === 0 && d <= world);
      issues.push({
        field: "tp",
        message: `tp=${n.tp} must divide the ${llm.heads} attention heads and the ${llm.kvHeads} KV heads of ${model.id}; use one of ${ok.join(", ")}.`,
        suggestion: ok.filter((d) => d <= n.tp).pop() ?? 1,
      });
    }
  }
  if (llm && n.cp > 1 && llm.heads % n.cp !== 0) {
    issues.push({ field: "cp", message: `cp=${n.cp} must divide the ${llm.heads} attention heads.`, suggestion: 1 });
  }
  const modelParallel = n.tp * n.pp * n.cp;
  if (world % modelParallel !== 0 || modelParallel > world) {
    const nodesNeeded = Math.ceil(modelParallel / n.npusPerNode);
    let nodes = nodesNeeded;
    while ((nodes * n.npusPerNode) % modelParallel !== 0 && nodes < nodesNeeded * modelParallel) nodes++;
    issues.push({
      field: "nodes",
      message: `world size ${world} (${n.nodes} node(s) x ${n.npusPerNode} NPUs) is not a multiple of tp x pp x cp = ${modelParallel}; use nodes=${nodes} or smaller tp/pp/cp.`,
      suggestion: nodes,
    });
  }
  const dp = Math.max(1, Math.floor(world / modelParallel));
  if (n.ep > 1 && world % n.ep !== 0) {
    issues.push({
      field: "ep",
      message: `ep=${n.ep} must divide the world size ${world}.`,
      suggestion: divisorsOf(world)
        .filter((d) => d <= n.ep)
        .pop(),
    });
  }
  const per = n.microBatchSize * dp;
  if (n.globalBatchSize % per !== 0 || n.globalBatchSize < per) {
    const fixed = Math.max(per, Math.floor(n.globalBatchSize / per) * per);
    issues.push({
      field: "globalBatchSize",
      message: `globalBatchSize=${n.globalBatchSize} must be microBatchSize x gradient accumulation x DP = ${n.microBatchSize} x k x ${dp}; use ${fixed}.`,
      suggestion: fixed,
    });
  }
  if (megatron && n.llmSplit && llm)
    issues.push(...checkSplit("llmLayerSplit", n.llmSplit, llm.layers, n.pp, n.allowEmptyLeadingLlmStage, n.vitSplit));
  if (megatron && n.vitSplit && model.arch?.vit)
    issues.push(...checkSplit("vitLayerSplit", n.vitSplit, model.arch.vit.layers, n.pp, true, null));
  return issues;
}

function checkSplit(
  field: string,
  split: number[],
  layers: number,
  pp: number,
  allowEmpty: boolean,
  vit: number[] | null,
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const fix = field === "vitLayerSplit" ? vitSplit(layers, pp) : evenSplit(layers, pp);
  if (split.length !== pp) {
    issues.push({
      field,
      message: `${field} has ${split.length} stages but pp=${pp}; use ${JSON.stringify(fix)}.`,
      suggestion: fix,
    });
    return issues;
  }
  const sum = split.reduce((a, b) => a + b, 0);
  if (sum !== layers) {
    issues.push({
      field,
      message: `${field} ${JSON.stringify(split)} sums to ${sum}, the model has ${layers} layers; use ${JSON.stringify(fix)}.`,
      suggestion: fix,
    });
  }
  if (field === "llmLayerSplit") {
    // Leading stages may hold only ViT layers (InternVL2 26B/76B, InternVL2.5 78B): empty there, never after.
    const empty = split.findIndex(
      (v, i) => v < 1 && !(allowEmpty && split.slice(0, i).every((x) => x === 0) && (vit?.[i] ?? 0) > 0),
    );
    if (empty >= 0) {
      issues.push({
        field,
        message: `${field} stage ${empty} has no LLM layers (Megatron then fails with learning_rate=None); every stage needs at least 1, e.g. ${JSON.stringify(fix)}.`,
        suggestion: fix,
      });
    }
  }
  if (split.some((v) => v < 0 || !Number.isInteger(v))) {
    issues.push({
      field,
      message: `${field} must hold non-negative integers; use ${JSON.stringify(fix)}.`,
      suggestion: fix,
    });
  }
  return issues;
}
