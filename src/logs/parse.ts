// Line parsers for MindSpeed-MM training logs (Megatron path and native FSDP2 trainer) and stock Megatron.
// Hot path: most lines of a long log are iteration lines, so they are parsed with indexOf, never a regex.
import type { IterationRecord, LineEvent } from "./types.js";

/** A number as Python prints it: `1.000000E-05`, `384`, `nan`, `NAN`, `inf`, `-inf`. Undefined when not a number. */
export function parseLogNumber(text: string): number | undefined {
  const n = Number(text);
  if (!Number.isNaN(n)) {
    // Number("  ") is 0: an empty field is not a zero.
    if (n === 0 && text.trim() === "") return undefined;
    return n;
  }
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "-nan" || t === "+nan") return Number.NaN;
  if (t === "inf" || t === "+inf" || t === "infinity") return Number.POSITIVE_INFINITY;
  if (t === "-inf" || t === "-infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** Reads `<spaces><digits>` at pos; returns [value, next] or null. */
function readInt(line: string, pos: number): [number, number] | null {
  let p = pos;
  while (line.charCodeAt(p) === 32) p++;
  const start = p;
  while (isDigit(line.charCodeAt(p))) p++;
  if (p === start) return null;
  return [Number(line.slice(start, p)), p];
}

/**
 * Parses ` [ts] iteration   12/ 1000 | consumed samples: … | elapsed time per iteration (ms): … | … |`.
 * Returns null for anything else, including lines that mention "iteration" in another format.
 */
export function parseIterationLine(line: string): IterationRecord | null {
  const at = line.indexOf("iteration ");
  if (at < 0) return null;
  if (at > 0) {
    const before = line.charCodeAt(at - 1);
    if (before !== 32 && before !== 93 && before !== 9) return null; // space, ']' or tab
  }
  const cur = readInt(line, at + 10);
  if (!cur || line.charCodeAt(cur[1]) !== 47) return null; // '/'
  const tot = readInt(line, cur[1] + 1);
  if (!tot) return null;
  let pos = line.indexOf("|", tot[1]);
  if (pos < 0) return null;
  const rec: IterationRecord = { iteration: cur[0], totalIterations: tot[0] };
  let known = 0;
  pos++;
  const len = line.length;
  while (pos < len) {
    let bar = line.indexOf("|", pos);
    if (bar < 0) bar = len;
    const colon = line.indexOf(":", pos);
    if (colon >= 0 && colon < bar) {
      const key = line.slice(pos, colon).trim();
      const value = parseLogNumber(line.slice(colon + 1, bar));
      if (value !== undefined) {
        known++;
        switch (key) {
          case "consumed samples":
            rec.consumedSamples = value;
            break;
          case "elapsed time per iteration (ms)":
            rec.msPerIteration = value;
            break;
          case "learning rate":
            rec.learningRate = value;
            break;
          case "global batch size":
            rec.globalBatchSize = value;
            break;
          case "tokens per sample":
            rec.tokensPerSample = value;
            break;
          case "loss":
          case "lm loss":
            rec.loss = value;
            break;
          case "loss scale":
            rec.lossScale = value;
            break;
          case "grad norm":
            rec.gradNorm = value;
            break;
          case "number of skipped iterations":
            rec.skippedIterations = value;
            break;
          case "number of nan iterations":
            rec.nanIterations = value;
            break;
          case "throughput per GPU (TFLOP/s/GPU)":
            rec.tflopsPerDevice = value;
            break;
          default:
            if (key.endsWith(" loss")) {
              rec.extraLosses ??= {};
              rec.extraLosses[key] = value;
            } else known--;
        }
      }
    }
    pos = bar + 1;
  }
  // The line must carry the fields every variant prints; otherwise it is some other format.
  if (known === 0 || (rec.msPerIteration === undefined && rec.consumedSamples === undefined)) return null;
  const open = line.indexOf("[");
  if (open >= 0 && open < at) {
    const close = line.indexOf("]", open);
    if (close > open && close < at) rec.timestamp = line.slice(open + 1, close);
  }
  return rec;
}

// Error signatures: Python tracebacks and exceptions, Ascend error codes (EZ9999, EI0006, ERR01100…), [ERROR] lines,
// fatal signals. Only applied to lines that are not iteration lines.
const ERROR_LINE =
  /Traceback \(most recent call last\)|^\s*(?:\[rank\d+\]:\s*)?(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception)(?::|$)|\b(?:E[A-Z]\d{4}|ERR\d{5})\b|^\s*(?:\[rank\d+\]:\s*)?\[ERROR\]|^\s*ERROR[:\s]|Segmentation fault|core dumped|^\s*Killed\s*$/;

/** True when the line starts or belongs to an error report. */
export function isErrorLine(line: string): boolean {
  return ERROR_LINE.test(line);
}

const START_MARKERS = [
  "datetime:",
  "Start initializing training environment",
  "Prepare data",
  "training ...",
  "initial: text_decoder",
  "> initializing",
  "> building",
  "loading checkpoint from",
  "Loaded checkpoint from",
  "using world size",
];

function checkpointIteration(text: string): number | null {
  const m = /iter(?:ation)?[_\s]*0*(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Megatron's "saving checkpoint at iteration N to PATH" / "saved checkpoint from iteration N to PATH". */
function checkpointEvent(line: string, at: number, phase: "saving" | "saved"): LineEvent {
  const to = line.indexOf(" to ", at);
  const path =
    to >= 0
      ? (line
          .slice(to + 4)
          .trim()
          .split(/\s+/)[0] ?? "")
      : "";
  return { kind: "checkpoint", checkpoint: { iteration: checkpointIteration(line.slice(at)), path, phase } };
}

/** Classifies a line that is not an iteration line. Null: nothing the analysis needs. */
export function classifyLine(line: string): LineEvent | null {
  if (line.length === 0) return null;
  let i = line.indexOf("checkpoint");
  if (i >= 0) {
    const saving = line.indexOf("saving checkpoint at iteration");
    if (saving >= 0) return checkpointEvent(line, saving, "saving");
    const saved = line.indexOf("saved checkpoint from iteration");
    if (saved >= 0) return checkpointEvent(line, saved, "saved");
    i = line.indexOf("Saved checkpoint to ");
    if (i >= 0) {
      const path =
        line
          .slice(i + 20)
          .trim()
          .split(/\s+/)[0] ?? "";
      return { kind: "checkpoint", checkpoint: { iteration: checkpointIteration(path), path, phase: "saved" } };
    }
  }
  if (line.indexOf("exiting program") >= 0) {
    if (line.indexOf("SIGTERM") >= 0) return { kind: "terminated", reason: line.trim() };
    return { kind: "end", reason: line.trim() };
  }
  if (line.indexOf("[after training is done]") >= 0) return { kind: "end", reason: "after training is done" };
  // The last line of a GGUF export job (src/export/gguf-hf-job.ts): it has no iterations, only this end.
  if (line.startsWith("GGUF export complete: ")) return { kind: "end", reason: line.trim() };
  if (line.indexOf("Elapsed Time Per iteration") >= 0 || line.indexOf("Average Samples per Second") >= 0) {
    return { kind: "end", reason: "launch script epilogue" };
  }
  if (line.indexOf("(after ") >= 0 && line.indexOf("memory (MB)") >= 0) {
    const m = /\[Rank (\d+)\].*?allocated: ([0-9.]+) \| max allocated: ([0-9.]+)/.exec(line);
    if (m)
      return {
        kind: "memory",
        memory: { rank: Number(m[1]), allocatedMb: Number(m[2]), maxAllocatedMb: Number(m[3]) },
      };
  }
  if (line.indexOf("validation") >= 0) {
    const m =
      /validation after iteration\s+(\d+).*?validation loss:\s*(\S+)/.exec(line) ??
      /validation loss at iteration\s+(\d+).*?(?:lm )?loss value:\s*(\S+)/.exec(line);
    const loss = m ? parseLogNumber(m[2]!) : undefined;
    if (m && loss !== undefined) return { kind: "validation", iteration: Number(m[1]), loss };
  }
  if (isErrorLine(line)) return { kind: "error" };
  for (const marker of START_MARKERS) if (line.indexOf(marker) >= 0) return { kind: "start" };
  return null;
}
