// The three-way merge of a launch script's edits into its rebuild: added, changed and removed flags and exports are
// carried where the rebuild leaves the flag as the old build had it; anything else is reported, never lost silently.
import { describe, expect, it } from "vitest";
import { carryScriptEdits } from "../../src/configs/carry-edits.js";

const script = (flags: string[], exports: string[] = []) =>
  ["#!/bin/bash", ...exports, 'GPT_ARGS="', ...flags.map((f) => `    ${f} \\`), '"', "torchrun $GPT_ARGS"].join("\n");

describe("carryScriptEdits", () => {
  const built = script(["--micro-batch-size 1", "--lr 1e-5", "--fp16", "--train-iters 100"]);

  it("swaps a precision flag, adds one after its neighbour and keeps the rebuild's own change", () => {
    const edited = script(["--micro-batch-size 1", "--use-flash-attn", "--lr 1e-5", "--bf16", "--train-iters 100"]);
    const fresh = script(["--micro-batch-size 1", "--lr 1e-5", "--fp16", "--train-iters 300"]);
    const r = carryScriptEdits(built, edited, fresh);
    expect(r.text).toBe(
      script(["--micro-batch-size 1", "--use-flash-attn", "--lr 1e-5", "--bf16", "--train-iters 300"]),
    );
    expect(r.carried).toEqual(["--use-flash-attn", "--bf16", "--fp16 removed"]);
    expect(r.complete).toBe(true);
  });

  it("leaves a flag the rebuild sets to a value of its own, and says so", () => {
    const edited = script(["--micro-batch-size 1", "--lr 5e-6", "--fp16", "--train-iters 100"]);
    const fresh = script(["--micro-batch-size 1", "--lr 2e-6", "--fp16", "--train-iters 100"]);
    const r = carryScriptEdits(built, edited, fresh);
    expect(r.text).toBe(fresh);
    expect(r.leftOut).toEqual(["--lr 5e-6 (this build sets --lr 2e-6)"]);
    expect(r.complete).toBe(false);
  });

  it("carries an export and counts an edit of another kind (a comment) as not carried", () => {
    const edited = `${script(["--micro-batch-size 1", "--lr 1e-5", "--fp16", "--train-iters 100"], ["export TASK_QUEUE_ENABLE=2"])}\n# note`;
    const r = carryScriptEdits(built, edited, built);
    expect(r.text).toContain("export TASK_QUEUE_ENABLE=2");
    expect(r.text).not.toContain("# note");
    expect(r.complete).toBe(false);
  });
});
