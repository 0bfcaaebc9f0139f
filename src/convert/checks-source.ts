// Checks of the checkpoint a conversion reads (mm_to_hf, dcp_to_hf, resplit): is it one, and split how. Pure.
import { type ConvertArgSpec, type ParallelLayout, trackedIterationDir } from "./args.js";
import type { Add, CheckInput } from "./check-types.js";
import { CONVERT_MARKER, type ConvertMarker, markerMismatch, parseMarker } from "./marker.js";

/** tp and pp of a Megatron tree from its mp_rank_TT[_PPP] names. */
export function megatronLayout(entries: string[]): { tp: number; pp: number } | null {
  let tp = 0;
  let pp = 0;
  for (const e of entries) {
    const m = /^mp_rank_(\d{2})(?:_(\d{3}))?$/.exec(e);
    if (!m) continue;
    tp = Math.max(tp, Number(m[1]) + 1);
    pp = Math.max(pp, m[2] ? Number(m[2]) + 1 : 1);
  }
  return tp > 0 ? { tp, pp } : null;
}

export function describeMarker(m: ConvertMarker): string {
  const split = m.layerSplit.llm ? `, LLM layers ${JSON.stringify(m.layerSplit.llm)}` : "";
  return `${m.model} @ ${m.release} via ${m.converter}.${m.method}, tp=${m.tp} pp=${m.pp}${split}, ${m.createdAt}`;
}

const sameLayout = (a: ParallelLayout, b: ParallelLayout) =>
  a.tp === b.tp && a.llm.join() === b.llm.join() && (a.vit ?? []).join() === (b.vit ?? []).join();

function layoutArgs(l: { tp: number; llm: number[] | null; vit: number[] | null }): string {
  return `tp: ${l.tp}, pp: ${l.llm?.length ?? 1}${l.llm ? `, llmLayerSplit: ${JSON.stringify(l.llm)}` : ""}${l.vit ? `, vitLayerSplit: ${JSON.stringify(l.vit)}` : ""}`;
}

export function checkSource(input: CheckInput, add: Add, extra: Partial<ConvertArgSpec>): void {
  const { plan, facts } = input;
  const src = facts.input!;
  if (!src.exists || !src.isDir) {
    add({
      id: "source",
      level: "error",
      message: `The checkpoint ${src.path} does not exist on the host.`,
      fix: "Pass ckptDir: the converted or trained checkpoint to read.",
    });
    return;
  }
  if (plan.checkpoint === "dcp") {
    extra.sourceIteration = trackedIterationDir(src.tracker);
    add(
      src.dcpMetadata
        ? { id: "source", level: "info", message: `${src.path} holds a DCP checkpoint.`, fix: null }
        : {
            id: "source",
            level: "error",
            message: `${src.path} holds no DCP .metadata file: not a torch DCP checkpoint.`,
            fix: "Point ckptDir at the run's iter_NNNNNNN directory (or the converted DCP directory).",
          },
    );
    return;
  }
  const marker = src.marker ? parseMarker(src.marker) : null;
  const found = megatronLayout(src.trackedEntries.length ? src.trackedEntries : src.entries);
  if (!found) {
    add({
      id: "source",
      level: "error",
      message: `${src.path} holds no mp_rank_* directories${src.tracker ? ` under ${src.tracker}` : " and no latest_checkpointed_iteration.txt"}: not a Megatron checkpoint.`,
      fix: "Point ckptDir at the directory holding latest_checkpointed_iteration.txt.",
    });
    return;
  }
  const target = plan.spec.layout!;
  if (plan.direction === "resplit") {
    let source = plan.spec.sourceLayout;
    if (!source && marker?.layerSplit.llm)
      source = { tp: marker.tp, llm: marker.layerSplit.llm, vit: marker.layerSplit.vit };
    if (!source) {
      add({
        id: "source",
        level: "error",
        message: `${src.path} has no ${CONVERT_MARKER} saying how it is split (tp=${found.tp}, pp=${found.pp} from its directories).`,
        fix: `Pass sourceTp: ${found.tp} and sourceLlmLayerSplit (${found.pp} stages) as the checkpoint was converted.`,
      });
      return;
    }
    extra.sourceLayout = source;
    const sum = (v: number[] | null) => (v ?? []).reduce((a, b) => a + b, 0);
    const problems: string[] = [];
    if (source.tp !== found.tp || source.llm.length !== found.pp)
      problems.push(
        `its directories say tp=${found.tp}, pp=${found.pp}, the source layout says tp=${source.tp}, pp=${source.llm.length}`,
      );
    if (sum(source.llm) !== sum(target.llm))
      problems.push(`source LLM layers sum to ${sum(source.llm)}, target to ${sum(target.llm)}`);
    if (problems.length) {
      add({
        id: "source",
        level: "error",
        message: `${src.path}: ${problems.join("; ")}.`,
        fix: "Give the source layout the checkpoint was converted with.",
      });
      return;
    }
    if (sameLayout(source, target)) {
      add({
        id: "source",
        level: "error",
        message: `${src.path} is already split as requested (${layoutArgs(target)}).`,
        fix: "Nothing to resplit; pass the target tp/pp/layer split you want.",
      });
      return;
    }
    add({
      id: "source",
      level: "info",
      message: `${src.path}: ${layoutArgs(source)} -> ${layoutArgs(target)}.`,
      fix: null,
    });
    return;
  }
  // mm_to_hf: the split passed must be the one the checkpoint was written with.
  const diffs = marker
    ? markerMismatch(marker, { tp: target.tp, pp: target.llm.length, llm: target.llm, vit: target.vit })
    : found.tp !== target.tp || found.pp !== target.llm.length
      ? [`tp=${found.tp}, pp=${found.pp} from its directories (wanted tp=${target.tp}, pp=${target.llm.length})`]
      : [];
  if (diffs.length > 0) {
    add({
      id: "source",
      level: "error",
      message: `${src.path} was converted with a different layout: ${diffs.join("; ")}.`,
      fix: marker
        ? `Pass ${layoutArgs({ tp: marker.tp, llm: marker.layerSplit.llm, vit: marker.layerSplit.vit })}.`
        : `Pass tp: ${found.tp} and a ${found.pp}-stage llmLayerSplit.`,
    });
    return;
  }
  add({
    id: "source",
    level: "info",
    message: `${src.path}: Megatron checkpoint, tp=${found.tp} pp=${found.pp}${marker ? ` (${describeMarker(marker)})` : ""}.`,
    fix: null,
  });
}

/** LoRA conversions read a PEFT adapter directory (adapter_config.json + adapter weights), not a full model. */
export function checkLoraAdapter(hf: { path: string; entries: string[] }, add: Add): void {
  const hasConfig = hf.entries.includes("adapter_config.json");
  const hasWeights = hf.entries.some((e) => /^adapter_model\.(safetensors|bin)$/.test(e));
  add(
    hasConfig && hasWeights
      ? { id: "hf-dir", level: "info", message: `${hf.path} holds a PEFT LoRA adapter.`, fix: null }
      : {
          id: "hf-dir",
          level: "error",
          message: `${hf.path} is not a PEFT LoRA adapter (${hasConfig ? "no adapter_model.safetensors" : "no adapter_config.json"}).`,
          fix: "Pass hfDir: the LoRA adapter directory (adapter_config.json and adapter_model.safetensors); the base model is converted with hf_to_mm / hf_to_dcp.",
        },
  );
}
