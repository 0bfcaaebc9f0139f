// Which kind of run a converted base serves: a LoRA run needs its base converted for LoRA (Qwen2.5-VL: the canonical
// HF-equal structure; Qwen3-VL, Magistral: `hf_to_dcp --is_lora_base true`, keys under base_model.model.), a full
// fine-tune the plain conversion, and either way the other one does not load. launch_train's pre-flight, the merge of
// trained adapters and the tools after training read it from the base's conversion record; the two kinds of base keep
// folders of their own (the LoRA recipe's is the full one's with LORA_BASE_SUFFIX), so a fix never overwrites one with
// the other.
import { LORA_BASE_SUFFIX, loraBaseDir } from "../configs/template.js";
import { getModel } from "../knowledge/models.js";
import type { ConvertMarker } from "./marker.js";

/** What is wrong with `marker`'s base for a run of this kind; null when the conversion record agrees with the run. */
export function loraBaseMismatch(marker: ConvertMarker, runIsLora: boolean): string | null {
  if (!["hf_to_mm", "hf_to_dcp"].includes(marker.method)) return null;
  const model = getModel(marker.model);
  const lora = model?.recipes.find((r) => r.lora && r.variant === "lora")?.lora;
  if (!lora) return null;
  const convertedForLora = marker.variant === "lora";
  if (convertedForLora === runIsLora) return null;
  const how =
    lora.baseConversion === "canonical"
      ? "the canonical (HF-equal) structure, enable_canonical_hf_struct"
      : "hf_to_dcp --is_lora_base true (keys under base_model.model.)";
  return runIsLora
    ? `the run trains LoRA adapters, but these weights were converted for a full fine-tune (${marker.method}, variant "${marker.variant || "standard"}"); LoRA needs the base converted with ${how}. The adapters would not attach and loading fails on the key names.`
    : `these weights were converted as a LoRA base (${how}), but the run is a full fine-tune: the checkpoint's key names do not match the model's.`;
}

/**
 * A folder of its own for a base of the kind a run needs, beside `dir` that holds the other kind: the LoRA base goes
 * to `<dir>-lora-base`, the full one back to the folder without the suffix (or `<dir>-full`).
 */
export function ownBaseDir(dir: string, lora: boolean): string {
  const d = dir.replace(/(.)\/+$/, "$1");
  if (lora) return d.endsWith(LORA_BASE_SUFFIX) ? `${d}-2` : loraBaseDir(d);
  return d.endsWith(LORA_BASE_SUFFIX) ? d.slice(0, -LORA_BASE_SUFFIX.length) : `${d}-full`;
}
