// The shapes the conversion checks share: one check, what the checks read (plan, host facts, the HF directory's
// config and index) and how a check is recorded. Apart from checks.ts so checks-source.ts can use them without a cycle.
import type { ConvertPlan } from "./plan.js";
import type { ConvertHostFacts } from "./probe.js";

export interface ConvertCheck {
  /** lora: a merge's adapters, rank and alpha, and base against the run that trained them (merge-checks.ts). */
  id: "mm-convert" | "release" | "hf-dir" | "source" | "output" | "disk" | "lora";
  ok: boolean;
  level: "error" | "warning" | "info";
  message: string;
  fix: string | null;
}

export interface CheckInput {
  plan: ConvertPlan;
  facts: ConvertHostFacts;
  /** config.json and model.safetensors.index.json of the HF directory; null when absent. */
  hfConfigText: string | null;
  hfIndexText: string | null;
  overwrite: boolean;
  /** The venv or conda env the host activates, for messages. */
  pythonEnv: string | null;
}

/** Records one check. */
export type Add = (c: Omit<ConvertCheck, "ok">) => void;
