// The checks of a LoRA merge (merge_base_lora_weight, merge_mm_lora_dcp_weight_to_base_hf) that the host's run ledger
// answers, beside the generic ones of convertChecks: the adapters are a LoRA run's (not a full fine-tune's checkpoint),
// the rank and alpha the merge scales by (alpha / rank) are the ones that run trained with, and the base it adds them
// to was converted as a LoRA base, as launch_train's pre-flight demands of the run. A merge that passes them all and
// still scales wrongly writes a model every later check (export's completeness check included) finds complete, so a
// contradiction with the run's record is refused, not warned about: the user may scale otherwise on purpose, and says
// so with ignoreRunLora. Pure: the caller reads the ledger and the markers.
import { argsHint, callHint } from "../text/hint.js";
import type { ConvertCheck } from "./check-types.js";
import { loraBaseMismatch, ownBaseDir } from "./lora-base.js";
import type { ConvertMarker } from "./marker.js";
import type { ConvertPlan } from "./plan.js";

export interface MergeFacts {
  host: string;
  plan: ConvertPlan;
  /** The base the adapters are added to (ckptDir) and its conversion record. */
  base: { path: string; marker: ConvertMarker | null };
  /** The newest recorded run that saved into the adapters' directory, and what it trained (null: a full fine-tune). */
  run: { id: string; lora: { rank: number | null; alpha: number | null } | null } | null;
  /** The rank and alpha of the adapters where they were read (the run's record or script, or the built configs). */
  trained: { rank: number | null; alpha: number | null; from: string; recorded: boolean } | null;
  /** The base the adapters' run loaded, absolute, where its record says. */
  runBase?: { runId: string; dir: string } | null;
  /** What the caller passed. */
  given: { loraRank?: number; loraAlpha?: number; ignoreRunLora?: boolean };
}

export function mergeChecks(f: MergeFacts): { checks: ConvertCheck[]; notes: string[] } {
  const checks: ConvertCheck[] = [];
  const notes: string[] = [];
  const add = (c: Omit<ConvertCheck, "ok">) => checks.push({ ...c, ok: c.level !== "error" });
  const { plan } = f;
  if (f.run && f.run.lora === null) {
    add({
      id: "lora",
      level: "error",
      message: `${plan.spec.loraDir ?? plan.paths.ckptDir} is where run ${f.run.id} saved, and that run is a full fine-tune: it trained no LoRA adapters to merge.`,
      fix: `Its checkpoint is a full model already: export it with ${callHint("export_model", { host: f.host, runId: f.run.id, confirm: true })}.`,
    });
    return { checks, notes };
  }
  const lora = plan.spec.lora;
  if (lora && f.trained) {
    const differs = [
      ...(f.trained.rank !== null && f.trained.rank !== lora.r ? [`rank ${lora.r} (trained ${f.trained.rank})`] : []),
      ...(f.trained.alpha !== null && f.trained.alpha !== lora.alpha
        ? [`alpha ${lora.alpha} (trained ${f.trained.alpha})`]
        : []),
    ];
    const asGiven = f.given.loraRank !== undefined || f.given.loraAlpha !== undefined;
    if (differs.length > 0 && asGiven) {
      const theirs = {
        ...(f.trained.rank !== null ? { loraRank: f.trained.rank } : {}),
        ...(f.trained.alpha !== null ? { loraAlpha: f.trained.alpha } : {}),
      };
      const what = `The merge would scale the adapters by ${lora.alpha} / ${lora.r}: ${differs.join(", ")}, as ${f.trained.from} says they trained.`;
      if (f.trained.recorded && !f.given.ignoreRunLora)
        add({
          id: "lora",
          level: "error",
          message: `${what} A merge with other settings writes a model that loads and exports as complete but is not the one trained.`,
          fix: `Merge with the run's settings: ${argsHint(theirs)} (or leave both out: they are taken from the run). To scale otherwise on purpose, add ${argsHint({ ignoreRunLora: true })}.`,
        });
      else
        notes.push(
          `LoRA settings given differ from the trained ones: ${what}${f.trained.recorded ? " Merged anyway (ignoreRunLora)." : ""}`,
        );
    }
  }
  const mismatch = f.base.marker ? loraBaseMismatch(f.base.marker, true) : null;
  if (mismatch) {
    const own = ownBaseDir(f.base.path, true);
    const convert = {
      host: f.host,
      model: plan.model.id,
      release: plan.release,
      variant: "lora",
      tp: plan.tp,
      ...(plan.layerSplit.llm ? { pp: plan.layerSplit.llm.length, llmLayerSplit: plan.layerSplit.llm } : {}),
      ckptDir: own,
      confirm: true,
    };
    const trainedOn = f.runBase && f.runBase.dir !== f.base.path ? f.runBase : null;
    add({
      id: "lora",
      level: "error",
      message: `The base ${f.base.path}: ${mismatch}`,
      fix: trainedOn
        ? `Merge into the LoRA base run ${trainedOn.runId} trained from: ${argsHint({ ckptDir: trainedOn.dir })}.`
        : `Convert a LoRA base into a folder of its own with ${callHint("convert_weights", convert)}, then merge into it with ${argsHint({ ckptDir: own })}.`,
    });
  }
  return { checks, notes };
}
