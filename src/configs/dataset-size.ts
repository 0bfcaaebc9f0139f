// How many passes over the data a training length means: a handful of records read thousands of times over is
// memorised, not learned, so build_configs warns and proposes a length of a few epochs.
import type { HostExecutor } from "../hosts/executor.js";
import { argsHint } from "../text/hint.js";

/** Files larger than this are not counted: they hold enough records for any length worth warning about. */
const COUNT_LIMIT_BYTES = 4 * 1024 * 1024;
/** More passes than this over the data is worth a warning. */
const MAX_EPOCHS = 10;
/** The length proposed instead, in passes over the data. */
const PROPOSED_EPOCHS = 3;
/** Fewer optimizer steps per epoch than this is a step larger than a small dataset can feed usefully. */
const MIN_STEPS_PER_EPOCH = 8;

/** Records in a JSON array or JSON Lines file on the host, or null when it is large, unreadable or neither. */
export async function countDatasetRecords(executor: HostExecutor, path: string): Promise<number | null> {
  let text: string;
  try {
    const read = await executor.readFile(path, { maxBytes: COUNT_LIMIT_BYTES });
    text = read.content;
  } catch {
    return null;
  }
  if (text.length >= COUNT_LIMIT_BYTES) return null;
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith("[")) {
      const parsed = JSON.parse(trimmed) as unknown;
      return Array.isArray(parsed) ? parsed.length : null;
    }
    const lines = trimmed.split("\n").filter((l) => l.trim() !== "");
    for (const line of lines) JSON.parse(line);
    return lines.length;
  } catch {
    return null;
  }
}

/** Epochs as a person reads them: one decimal under 10 (4.3), whole above. */
const epochsText = (epochs: number): string =>
  epochs < 10 ? String(Math.round(epochs * 10) / 10) : String(Math.round(epochs));

/** A warning when `steps` x `samplesPerStep` reads the records more than MAX_EPOCHS times, else null. */
export function tinyDatasetWarning(
  records: number,
  samplesPerStep: number,
  steps: number,
  stepWord: "iterations" | "steps",
  /** The smallest global batch the layout allows (micro batch × data-parallel size); offers a smaller one. */
  batchUnit?: number,
): string | null {
  if (records <= 0 || samplesPerStep <= 0 || steps <= 0) return null;
  const consumed = samplesPerStep * steps;
  const epochs = consumed / records;
  if (epochs <= MAX_EPOCHS) return null;
  const proposed = Math.max(1, Math.ceil((PROPOSED_EPOCHS * records) / samplesPerStep));
  // What the proposal reads, said as it is: a single step may already read the data many times over.
  const proposedEpochs = (proposed * samplesPerStep) / records;
  const fewer =
    proposed === 1 && proposedEpochs > 2 * PROPOSED_EPOCHS
      ? `even ${argsHint({ trainIters: 1 })} reads the data about ${epochsText(proposedEpochs)} times over`
      : `${argsHint({ trainIters: proposed })} is about ${epochsText(proposedEpochs)} epochs`;
  // So few steps that the optimizer barely moves: a smaller global batch gives an epoch at least MIN_STEPS_PER_EPOCH
  // steps, in whole multiples of what the layout takes per step.
  let smaller = "";
  if (batchUnit && batchUnit > 0 && records / samplesPerStep < MIN_STEPS_PER_EPOCH) {
    const batch = Math.max(batchUnit, Math.floor(records / MIN_STEPS_PER_EPOCH / batchUnit) * batchUnit);
    if (batch < samplesPerStep) {
      const iters = Math.max(1, Math.ceil((PROPOSED_EPOCHS * records) / batch));
      smaller = `, or take smaller steps (${argsHint({ globalBatchSize: batch, trainIters: iters })}: about ${epochsText((iters * batch) / records)} epochs in ${iters} ${stepWord})`;
    }
  }
  return (
    `dataset: ${records} records, but ${steps} ${stepWord} x ${samplesPerStep} samples per step read ${consumed} samples, ` +
    `about ${Math.round(epochs)} epochs over the data: the model would memorise it. Train fewer ${stepWord} ` +
    `(${fewer})${smaller}, or bring more data.`
  );
}
