// The build_configs inputs that rebuild a launch script as it is now: the inputs its build recorded, with the
// training values edited into the script since (by apply_fix or by hand: a lower --lr, a halved micro batch) carried
// over, so that a suggested rebuild (a new save directory, a longer run) does not quietly undo a fix.

import { readBuildInputs } from "../configs/build-inputs.js";
import { resolveTrainingPlan } from "../configs/index.js";
import type { TrainingParams } from "../configs/types.js";
import type { HostExecutor } from "../hosts/executor.js";
import { parseLaunchScript } from "./launch-script.js";

/** Script flags that build_configs sets from an input of its own: flag → input. */
const FLAG_INPUTS: readonly (readonly [
  flag: string,
  input: "lr" | "microBatchSize" | "globalBatchSize" | "seqLength" | "trainIters",
])[] = [
  ["lr", "lr"],
  ["micro-batch-size", "microBatchSize"],
  ["global-batch-size", "globalBatchSize"],
  ["seq-length", "seqLength"],
  ["train-iters", "trainIters"],
];

/** `recorded` with every value the script now sets differently from the build's plan. */
export function withScriptEdits(
  recorded: Record<string, unknown>,
  scriptText: string,
  settings: { workdir?: string; cannRoot?: string },
): Record<string, unknown> {
  let planned: ReturnType<typeof resolveTrainingPlan>;
  try {
    planned = resolveTrainingPlan(recorded.model as string, recorded.release as string | undefined, {
      ...(recorded as TrainingParams),
      cannRoot: settings.cannRoot,
      workdir: settings.workdir,
    });
  } catch {
    return recorded;
  }
  const { flags } = parseLaunchScript(scriptText);
  const out = { ...recorded };
  const value = (flag: string) => {
    const raw = flags[flag];
    const n = typeof raw === "string" ? Number(raw) : Number.NaN;
    return Number.isFinite(n) && n > 0 ? n : null;
  };
  for (const [flag, input] of FLAG_INPUTS) {
    const now = value(flag);
    if (now !== null && now !== planned[input]) out[input] = now;
  }
  // A changed micro batch alone would let the rebuild derive another global batch: the script's stays.
  const gbs = value("global-batch-size");
  if (out.microBatchSize !== recorded.microBatchSize && gbs !== null) out.globalBatchSize = gbs;
  return out;
}

/** The recorded inputs of the build that wrote `scriptAbs`, with the script's edits since; null without a record. */
export async function rebuildInputs(
  executor: HostExecutor,
  scriptAbs: string,
  settings: { workdir?: string; cannRoot?: string },
): Promise<Record<string, unknown> | null> {
  const recorded = await readBuildInputs(executor, scriptAbs);
  if (!recorded) return null;
  const text = await executor
    .readFile(scriptAbs, { maxBytes: 1 << 20 })
    .then((c) => c.content)
    .catch(() => null);
  return text === null ? recorded : withScriptEdits(recorded, text, settings);
}
