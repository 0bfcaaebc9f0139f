// Ascend chip families as npu-smi names them, and what each can do for MindSpeed-MM training.

export type ChipFamily = "910B" | "910_93" | "910A" | "310P" | "310B" | "unknown";

export interface ChipFamilyInfo {
  family: ChipFamily;
  product: string;
  bf16: boolean;
  /** MindSpeed-MM supports Atlas A2 and A3 training series only. */
  trainingSupported: boolean;
}

const FAMILIES: Record<ChipFamily, Omit<ChipFamilyInfo, "family">> = {
  "910B": { product: "Atlas A2 training series (Ascend 910B)", bf16: true, trainingSupported: true },
  "910_93": {
    product: "Atlas A3 training series (Ascend 910_93, 2 chips per NPU)",
    bf16: true,
    trainingSupported: true,
  },
  "910A": { product: "Atlas 800/300T training (Ascend 910A family)", bf16: false, trainingSupported: false },
  "310P": { product: "Atlas 300I/300V inference (Ascend 310P)", bf16: false, trainingSupported: false },
  "310B": { product: "Atlas 200I/500 edge (Ascend 310B)", bf16: false, trainingSupported: false },
  unknown: { product: "unknown Ascend chip", bf16: false, trainingSupported: false },
};

/**
 * Classifies an npu-smi chip name. `chipsPerNpu` tells A3 apart: its chips print as plain `Ascend910`.
 * 910B1–910B4 (and 910B2C, 910B4-1) are A2; 910A/910ProA/910ProB/910PremiumA are the older 910A family.
 */
export function chipFamily(name: string, chipsPerNpu = 1): ChipFamilyInfo {
  const n = name.replace(/^Ascend\s*/i, "").trim();
  let family: ChipFamily = "unknown";
  if (/^310P/i.test(n)) family = "310P";
  else if (/^310B/i.test(n)) family = "310B";
  else if (/^910_?93|^910C/i.test(n) || (/^910$/.test(n) && chipsPerNpu >= 2)) family = "910_93";
  // A bare "910B" is the A2 chip too; the old 910A family prints Pro/Premium variants.
  else if (/^910B\d?/i.test(n)) family = "910B";
  else if (/^910(A|Pro[AB]|Premium[AB]?)?$/i.test(n)) family = "910A";
  return { family, ...FAMILIES[family] };
}
