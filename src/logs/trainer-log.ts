// Lines of a Hugging Face Transformers / TRL trainer log: the per-step metric dicts the Trainer prints
// (`{'loss': 1.23, 'grad_norm': 0.5, 'learning_rate': 2e-05, 'epoch': 0.1}`), the tqdm progress bar
// (` 5%|▌    | 5/100 [00:10<03:10,  2.00s/it]`) and the closing `{'train_runtime': …}` summary. The dicts carry no
// step number: the reader keeps the last bar's step and total, so one reader reads one log, line by line.
import { parseLogNumber } from "./parse.js";
import type { IterationRecord } from "./types.js";

const TQDM = /(\d+)\/(\d+) \[[^\]]*?,\s*([0-9.]+)\s*(s\/it|it\/s)/g;
const PAIR = /'([^']+)':\s*([^,}]+)/g;

/** Reads a `{'key': number, …}` dict as Python prints it; null when the text is not one. */
export function parseTrainerDict(text: string): Record<string, number> | null {
  const open = text.indexOf("{'");
  if (open < 0) return null;
  const close = text.indexOf("}", open);
  if (close < 0) return null;
  const body = text.slice(open, close + 1);
  const out: Record<string, number> = {};
  let n = 0;
  for (const m of body.matchAll(PAIR)) {
    const value = parseLogNumber(m[2]!.trim().replace(/^tensor\(([^)]*)\)$/, "$1"));
    if (value !== undefined) {
      out[m[1]!] = value;
      n++;
    }
  }
  return n > 0 ? out : null;
}

/** The last tqdm bar on the line (a file log holds many, joined by carriage returns). */
export function parseTqdm(line: string): { step: number; total: number; msPerStep: number } | null {
  let last: RegExpMatchArray | null = null;
  for (const m of line.matchAll(TQDM)) last = m;
  if (!last) return null;
  const rate = Number(last[3]);
  if (!Number.isFinite(rate) || rate <= 0) return null;
  return {
    step: Number(last[1]),
    total: Number(last[2]),
    msPerStep: last[4] === "s/it" ? rate * 1000 : 1000 / rate,
  };
}

export type TrainerLogEvent = { kind: "iteration"; record: IterationRecord } | { kind: "end"; reason: string };

const KNOWN = new Set(["loss", "grad_norm", "learning_rate", "epoch"]);

/** One log's reader: remembers the progress bar between the dict lines. */
export class TrainerLogReader {
  private step = 0;
  private total = 0;
  private msPerStep: number | undefined;
  private dicts = 0;

  read(line: string): TrainerLogEvent | null {
    // Cheap tests first: most lines of a long log are neither a bar nor a dict.
    const bar = line.indexOf("/it") >= 0 || line.indexOf("it/s") >= 0 ? parseTqdm(line) : null;
    if (bar) {
      this.step = bar.step;
      this.total = bar.total;
      this.msPerStep = bar.msPerStep;
    }
    if (line.indexOf("{'") < 0) return null;
    const dict = parseTrainerDict(line);
    if (!dict) return null;
    if (dict.train_runtime !== undefined) {
      return { kind: "end", reason: `trainer finished (train_runtime ${dict.train_runtime}s)` };
    }
    // The Trainer adds the epoch to every dict it logs; a dict without it (a config dump) is not a step.
    if (dict.epoch === undefined || (dict.loss === undefined && dict.learning_rate === undefined)) return null;
    this.dicts++;
    // Without a bar yet, the dicts are counted (logging_steps=1 is what the scripts write).
    const iteration = bar || this.step > 0 ? this.step : this.dicts;
    const record: IterationRecord = { iteration, totalIterations: Math.max(this.total, iteration) };
    if (dict.loss !== undefined) record.loss = dict.loss;
    if (dict.grad_norm !== undefined) record.gradNorm = dict.grad_norm;
    if (dict.learning_rate !== undefined) record.learningRate = dict.learning_rate;
    if (dict.epoch !== undefined) record.epoch = dict.epoch;
    if (this.msPerStep !== undefined) record.msPerIteration = this.msPerStep;
    const metrics = Object.entries(dict).filter(([k]) => !KNOWN.has(k));
    if (metrics.length > 0) record.metrics = Object.fromEntries(metrics);
    return { kind: "iteration", record };
  }
}
