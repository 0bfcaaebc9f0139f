// A log with no error line whose end is a training's own last words did not fail: diagnose_error says so instead of
// a reading of its words ("possibly nan_loss" for a finished MindSpeed-MM run's log); an error line anywhere in it, or
// an end that is not such words, is read as before.
import { describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";

const iterations = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      ` [2026-01-01 10:00:00] iteration ${String(i + 1).padStart(8)}/${String(n).padStart(8)} | consumed samples: ${String((i + 1) * 8).padStart(12)} | elapsed time per iteration (ms): 290.0 | learning rate: 1.000000E-05 | global batch size:     8 | loss: 1.500000E+00 | grad norm: 2.000 |`,
  ).join("\n");

describe("a log that ends as a finished training does", () => {
  it("a MindSpeed-MM run's log ending at [after training is done] has no failure", () => {
    const v = diagnoseText(
      `training ...\n${iterations(75)}\n[after training is done] datetime: 2026-01-01 10:00:01 \n\n`,
    );
    expect(v.findings).toEqual([]);
    expect(v.summary).toMatch(
      /^no failure: the log ends as a training that finished does \("\[after training is done\]/,
    );
  });

  it("a Hugging Face Trainer's log ending with its train metrics has no failure", () => {
    const log = [
      "{'loss': 1.2031, 'grad_norm': 3.1, 'learning_rate': 1e-05, 'epoch': 0.98}",
      "Training completed. Do not forget to share your model on huggingface.co/models =)",
      "{'train_runtime': 812.4, 'train_samples_per_second': 3.1, 'train_steps_per_second': 0.2, 'train_loss': 1.31, 'epoch': 1.0}",
    ].join("\n");
    const v = diagnoseText(log);
    expect(v.findings).toEqual([]);
    expect(v.summary).toContain("no failure");
  });

  it("an error line in the log is read as before, whatever its end says", () => {
    const v = diagnoseText(
      `${iterations(3)}\nRuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\n[after training is done] datetime: x`,
    );
    expect(v.findings[0]?.category).toBe("npu_oom");
  });

  it("a log that stops mid-training, with no such end, is not called finished", () => {
    const v = diagnoseText(`training ...\n${iterations(30)}`);
    expect(v.summary).not.toContain("no failure");
    expect(v.findings.length).toBeGreaterThan(0);
  });
});
