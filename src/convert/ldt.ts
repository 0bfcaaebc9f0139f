// Layerwise disaggregated training (LDT, v26.1.0 docs/zh/features/layerwise_disaggregated_training.md): the U-shaped
// split hf_to_mm_ldt converts for. Three virtual stages: the ViT on the first, the LLM's hidden layers on ranks 1..pp-1
// of the second, and the first rank (the "edge") holding the ViT's last layer, the embedding and the output layer.
import { evenSplit } from "../configs/validate.js";

export interface LdtRows {
  llm: number[][];
  vit: number[][];
}

/** upstream: "--virtual-pipeline-model-parallel-size 3  # must be 3". */
export const LDT_VIRTUAL_STAGES = 3;

const zeros = (n: number) => Array.from({ length: n }, () => 0);

/**
 * The documented shape for pp ranks: ViT layers but one over the ranks of virtual stage 0 and the last one on rank 0
 * of stage 1; the LLM's layers over ranks 1..pp-1 of stage 1; stage 2 empty (rank 0 runs the output layer there).
 * For Qwen2.5-VL-32B at pp=5 upstream writes vit [[3,7,7,7,7],[1,0,0,0,0],[0,0,0,0,0]] and
 * llm [[0,0,0,0,0],[0,16,16,16,16],[0,0,0,0,0]]; this default spreads the ViT evenly instead.
 */
export function defaultLdtRows(llmLayers: number, vitLayers: number, pp: number): LdtRows {
  return {
    vit: [evenSplit(vitLayers - 1, pp), [1, ...zeros(pp - 1)], zeros(pp)],
    llm: [zeros(pp), [0, ...evenSplit(llmLayers, pp - 1)], zeros(pp)],
  };
}

/** What hf_to_mm_ldt and the LDT schedule need of the rows; an empty list when they fit. */
export function checkLdtRows(rows: LdtRows, llmLayers: number, vitLayers: number, pp: number): string[] {
  const problems: string[] = [];
  if (pp < 2) problems.push("LDT needs a pipeline: upstream does not support pp=1.");
  for (const [part, r, layers] of [
    ["vppLlmLayerSplit", rows.llm, llmLayers],
    ["vppVitLayerSplit", rows.vit, vitLayers],
  ] as const) {
    if (r.length !== LDT_VIRTUAL_STAGES) {
      problems.push(`${part} has ${r.length} rows; LDT runs exactly ${LDT_VIRTUAL_STAGES} virtual stages.`);
      continue;
    }
    const bad = r.findIndex((row) => row.length !== pp);
    if (bad >= 0) problems.push(`${part} row ${bad} has ${r[bad]!.length} entries but pp=${pp}.`);
    const total = r.flat().reduce((a, b) => a + b, 0);
    if (total !== layers) problems.push(`${part} sums to ${total}; the model has ${layers} layers.`);
  }
  // merge_vpp_index_ldt puts the embedding on the first virtual stage with LLM layers: one must exist.
  if (rows.llm.flat().every((v) => v === 0)) problems.push("vppLlmLayerSplit places no LLM layer.");
  return problems;
}
