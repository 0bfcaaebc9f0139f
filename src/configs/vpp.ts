// Virtual pipeline (VPP) layouts: one pipeline_num_layers row per virtual stage, each row one entry per pipeline rank,
// as docs/features/virtual_pipeline_parallel.md and examples/internvl2/model_8B_vpp.json write them, and the rules
// MindSpeed-MM (validate_args_patch.py, vlm_model.py) and Megatron's interleaved schedule enforce at run time.
import type { ReleaseTag } from "../knowledge/release-tags.js";
import type { ModelEntry } from "../knowledge/types.js";
import type { PlanIssue } from "./types.js";
import { evenSplit, vitSplit } from "./validate.js";

export interface VppLayout {
  /** Virtual stages per pipeline rank (--virtual-pipeline-model-parallel-size). */
  size: number;
  /** LLM layers per virtual stage: `size` rows of `pp` entries (text_decoder.pipeline_num_layers). */
  llm: number[][];
  /** ViT layers per virtual stage, same shape (vision_encoder.pipeline_num_layers). */
  vit: number[][];
}

/**
 * Training entries whose model class reads list-of-lists pipeline_num_layers (VLMModel in vlm_model.py,
 * InternVLModel in internvl_model.py). deepseekvl_model.py and the DPO trainer's model have no virtual stages.
 */
export const VPP_ENTRIES: ReadonlySet<string> = new Set(["pretrain_vlm.py", "pretrain_internvl.py"]);

/**
 * A default layout: the pp x size virtual stages in forward order (rank 0..pp-1 of virtual stage 0, then of stage 1,
 * …) split like a plain pipeline of that many stages (LLM evenly, earlier stages lighter; the ViT on the first
 * stage), then cut into one row per virtual stage.
 */
export function defaultVppRows(layers: number, pp: number, size: number, part: "llm" | "vit"): number[][] {
  const flat = part === "llm" ? evenSplit(layers, pp * size) : vitSplit(layers, pp * size);
  return Array.from({ length: size }, (_, v) => flat.slice(v * pp, (v + 1) * pp));
}

/** A rank's layers: the sum of its column over the virtual stages. */
export function rankSums(rows: number[][]): number[] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, i) => rows.reduce((a, r) => a + (r[i] ?? 0), 0));
}

/** Forward order of the virtual stages: rank by rank within a virtual stage, virtual stage after virtual stage. */
const forwardOrder = (rows: number[][]) => rows.flat();

export interface VppNumbers {
  backend: string;
  entry: string;
  release: ReleaseTag;
  pp: number;
  /** Micro-batches per step per data-parallel rank (the script's GRAD_ACC_STEP). */
  gradAccSteps: number;
  microBatchSize: number;
  dp: number;
  vpp: VppLayout;
}

/** The rules a VPP layout must meet; each issue names the field to change and, where it can, a working value. */
export function checkVpp(model: ModelEntry, n: VppNumbers): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const { size, llm, vit } = n.vpp;
  if (n.backend !== "megatron" || !VPP_ENTRIES.has(n.entry)) {
    issues.push({
      field: "vpp",
      message: `${model.id} trains with ${n.entry} (${n.backend}), whose model has no virtual pipeline stages; VPP exists for the Megatron recipes of pretrain_vlm.py and pretrain_internvl.py. Leave vpp out.`,
      suggestion: 1,
    });
    return issues;
  }
  const arch = model.arch;
  if (!arch?.vit) {
    issues.push({ field: "vpp", message: `${model.id} has no architecture facts to split virtual stages with.` });
    return issues;
  }
  // validate_args_patch.py: the interleaved schedule needs a pipeline (overlapped P2P is Megatron's default).
  if (n.pp < 2) {
    issues.push({
      field: "pp",
      message: `vpp=${size} needs a pipeline: the interleaved schedule runs with pp >= 2 (MindSpeed-MM's example: pp=4, vpp=3).`,
      suggestion: 4,
    });
    return issues;
  }
  for (const [field, rows, layers, fix] of [
    ["vppLlmLayerSplit", llm, arch.llm.layers, defaultVppRows(arch.llm.layers, n.pp, size, "llm")],
    ["vppVitLayerSplit", vit, arch.vit.layers, defaultVppRows(arch.vit.layers, n.pp, size, "vit")],
  ] as const) {
    const shown = JSON.stringify(fix);
    // validate_args_patch.py: len(pipeline_num_layers) must equal --virtual-pipeline-model-parallel-size.
    if (rows.length !== size) {
      issues.push({
        field,
        message: `${field} has ${rows.length} rows but vpp=${size}: one row per virtual stage; use ${shown}.`,
        suggestion: fix,
      });
      continue;
    }
    // vlm_model.py: pp x vpp must equal the rows times their length.
    const bad = rows.findIndex((r) => r.length !== n.pp);
    if (bad >= 0) {
      issues.push({
        field,
        message: `${field} row ${bad} has ${rows[bad]!.length} entries but pp=${n.pp}: one per pipeline rank; use ${shown}.`,
        suggestion: fix,
      });
      continue;
    }
    if (rows.flat().some((v) => v < 0 || !Number.isInteger(v))) {
      issues.push({ field, message: `${field} must hold non-negative integers; use ${shown}.`, suggestion: fix });
      continue;
    }
    const total = rows.flat().reduce((a, b) => a + b, 0);
    // ConvertVppMMConfig: the flattened rows sum to the model's layers (and the model splits by them).
    if (total !== layers) {
      issues.push({
        field,
        message: `${field} ${JSON.stringify(rows)} sums to ${total}, ${model.id} has ${layers} ${field === "vppLlmLayerSplit" ? "LLM" : "ViT"} layers; use ${shown}.`,
        suggestion: fix,
      });
    }
  }
  if (issues.length > 0) return issues;
  const llmOrder = forwardOrder(llm);
  const vitOrder = forwardOrder(vit);
  const empty = llmOrder.findIndex((v, i) => v + vitOrder[i]! === 0);
  if (empty >= 0) {
    issues.push({
      field: "vppLlmLayerSplit",
      message: `Virtual stage ${Math.floor(empty / n.pp)} of rank ${empty % n.pp} holds no layers; every virtual stage needs a ViT or LLM layer.`,
      suggestion: defaultVppRows(arch.llm.layers, n.pp, size, "llm"),
    });
  }
  // The ViT runs before the LLM: in forward order (rank 0..pp-1 of virtual stage 0, then stage 1 …) no ViT layer
  // may come after the first LLM layer.
  const firstLlm = llmOrder.findIndex((v) => v > 0);
  const lastVit = vitOrder.reduce((last, v, i) => (v > 0 ? i : last), -1);
  if (firstLlm >= 0 && lastVit > firstLlm) {
    issues.push({
      field: "vppVitLayerSplit",
      message: `ViT layers sit after the first LLM layer in forward order (virtual stage ${Math.floor(lastVit / n.pp)}, rank ${lastVit % n.pp}); the ViT must finish first, e.g. ${JSON.stringify(defaultVppRows(arch.vit.layers, n.pp, size, "vit"))}.`,
      suggestion: defaultVppRows(arch.vit.layers, n.pp, size, "vit"),
    });
  }
  // Megatron's interleaved schedule: the micro-batches of a step (GRAD_ACC_STEP) come in groups of pp; core 0.8
  // (v2.1.0) demands a multiple of pp, core 0.12 a count >= pp whose remainder is 0 or >= pp, i.e. the same.
  if (n.gradAccSteps % n.pp !== 0) {
    const steps = Math.max(n.pp, Math.ceil(n.gradAccSteps / n.pp) * n.pp);
    const gbs = steps * n.microBatchSize * n.dp;
    issues.push({
      field: "globalBatchSize",
      message: `With vpp the micro-batches per step (${n.gradAccSteps}) must be a multiple of pp=${n.pp} (Megatron's interleaved schedule); use globalBatchSize ${gbs} (${steps} micro-batches).`,
      suggestion: gbs,
    });
  }
  return issues;
}
