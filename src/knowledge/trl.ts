// TRL (Hugging Face's post-training library) as the second trainer: which release the training scripts pin, what
// each release requires of its companions, and what each training method reads from a dataset. Data only, no I/O.

export type TrlMethod = "sft" | "dpo" | "grpo" | "reward";
export const TRL_METHODS: readonly TrlMethod[] = ["sft", "dpo", "grpo", "reward"];

export interface TrlRelease {
  trl: string;
  /** Minimum versions TRL's own packaging requires (install_requires and the `peft` extra). */
  requires: { accelerate: string; datasets: string; transformers: string; peft: string };
  /** Where these requirements are written. */
  source: string;
}

/**
 * TRL releases the scripts can pin, newest first. The requirements are TRL's setup.cfg at the 0.20 development line
 * (install_requires: accelerate>=1.4.0, datasets>=3.0.0, transformers>=4.53.0; extra peft: peft>=0.8.0).
 */
export const TRL_RELEASES: readonly TrlRelease[] = [
  {
    trl: "0.20.0",
    requires: { accelerate: "1.4.0", datasets: "3.0.0", transformers: "4.53.0", peft: "0.8.0" },
    source: "https://github.com/huggingface/trl/blob/0458cfa2d00a1766a2d0e9630a2f582dc9a4adc7/setup.cfg",
  },
];

export const NEWEST_TRL = TRL_RELEASES[0]!;

export function getTrlRelease(version?: string): TrlRelease {
  if (version === undefined) return NEWEST_TRL;
  const found = TRL_RELEASES.find((r) => r.trl === version);
  if (!found) throw new Error(`unknown TRL release ${version}; known: ${TRL_RELEASES.map((r) => r.trl).join(", ")}`);
  return found;
}

export interface TrlMethodInfo {
  trainer: string;
  config: string;
  /** Column sets a dataset may have; the first is the one named in fixes. */
  columnSets: readonly (readonly string[])[];
  /** Learning rate TRL's docs use for the method with LoRA. */
  loraLearningRate: number;
  /** Where the method and its dataset format are documented. */
  docs: string;
}

/**
 * Trainer and config classes per method and the dataset columns each reads (TRL docs, "Dataset formats"): SFT takes
 * conversational `messages`, plain `text` or `prompt`/`completion`; DPO and reward modelling take preference pairs
 * (`chosen`/`rejected`, an explicit `prompt` recommended); GRPO takes prompts only and scores completions with
 * reward functions.
 */
export const TRL_METHOD_INFO: Record<TrlMethod, TrlMethodInfo> = {
  sft: {
    trainer: "SFTTrainer",
    config: "SFTConfig",
    columnSets: [["messages"], ["prompt", "completion"], ["text"]],
    loraLearningRate: 2e-4,
    docs: "https://huggingface.co/docs/trl/sft_trainer",
  },
  dpo: {
    trainer: "DPOTrainer",
    config: "DPOConfig",
    columnSets: [
      ["prompt", "chosen", "rejected"],
      ["chosen", "rejected"],
    ],
    loraLearningRate: 5e-6,
    docs: "https://huggingface.co/docs/trl/dpo_trainer",
  },
  grpo: {
    trainer: "GRPOTrainer",
    config: "GRPOConfig",
    columnSets: [["prompt"]],
    loraLearningRate: 1e-5,
    docs: "https://huggingface.co/docs/trl/grpo_trainer",
  },
  reward: {
    trainer: "RewardTrainer",
    config: "RewardConfig",
    columnSets: [["chosen", "rejected"]],
    loraLearningRate: 1e-5,
    docs: "https://huggingface.co/docs/trl/reward_trainer",
  },
};

/** Common other names of each column, for the mapping a check suggests. */
const COLUMN_ALIASES: Record<string, readonly string[]> = {
  messages: ["conversations", "conversation", "dialog", "chat"],
  prompt: ["question", "instruction", "input", "query", "problem"],
  completion: ["answer", "response", "output", "solution"],
  text: ["content", "document"],
  chosen: ["preferred", "accepted", "chosen_response", "response_chosen", "better"],
  rejected: ["dispreferred", "rejected_response", "response_rejected", "worse"],
};

export interface TrlColumnCheck {
  ok: boolean;
  /** The column set matched, or the one the fix names. */
  expected: readonly string[];
  missing: string[];
  /** Rename the dataset's columns like this (dataset.rename_columns), when some can be recognised. */
  mapping: Record<string, string>;
}

/** Whether a record's columns fit the method; when not, which are missing and which renames would fix it. */
export function checkTrlColumns(method: TrlMethod, columns: readonly string[]): TrlColumnCheck {
  const have = new Set(columns);
  const sets = TRL_METHOD_INFO[method].columnSets;
  const fits = sets.find((s) => s.every((c) => have.has(c)));
  if (fits) return { ok: true, expected: fits, missing: [], mapping: {} };
  // The set the dataset comes closest to (most columns present or renameable), the first on a tie.
  const score = (s: readonly string[]) =>
    s.filter((c) => have.has(c) || (COLUMN_ALIASES[c] ?? []).some((a) => have.has(a))).length;
  const best = [...sets].sort((a, b) => score(b) - score(a))[0]!;
  const missing = best.filter((c) => !have.has(c));
  const mapping: Record<string, string> = {};
  for (const c of missing) {
    const alias = (COLUMN_ALIASES[c] ?? []).find((a) => have.has(a));
    if (alias) mapping[alias] = c;
  }
  return { ok: false, expected: best, missing, mapping };
}
