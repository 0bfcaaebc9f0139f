// A suggested rebuild repeats the recorded build with the script's edits since: a fix applied to the script (a lower
// learning rate, a halved micro batch) is carried into the build_configs call instead of being written back over.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in generated scripts
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { withScriptEdits } from "../../src/runs/rebuild-inputs.js";

const recorded = { host: "npu", model: "qwen2.5vl-3b", trainIters: 200, saveDir: "save/a" };
const script = () =>
  resolveTrainingPlan("qwen2.5vl-3b", undefined, recorded).files.find((f) => f.role === "launch-script")!.text;

describe("withScriptEdits", () => {
  it("adds nothing for a script as its build wrote it", () => {
    expect(withScriptEdits(recorded, script(), {})).toEqual(recorded);
  });

  it("carries a learning rate edited into the script, keeping the recorded inputs", () => {
    const edited = script().replace(/--lr \S+/, "--lr 5e-06");
    expect(edited).toContain("--lr 5e-06");
    expect(withScriptEdits(recorded, edited, {})).toEqual({ ...recorded, lr: 5e-6 });
  });

  it("carries a micro batch given as a flag, with the global batch the script runs", () => {
    const edited = script()
      .replace("--micro-batch-size ${MBS}", "--micro-batch-size 2")
      .replace("--global-batch-size ${GBS}", "--global-batch-size 64");
    expect(withScriptEdits(recorded, edited, {})).toEqual({ ...recorded, microBatchSize: 2, globalBatchSize: 64 });
  });

  it("keeps the recorded inputs when they no longer plan (an unknown model)", () => {
    const odd = { ...recorded, model: "no-such-model" };
    expect(withScriptEdits(odd, script().replace(/--lr \S+/, "--lr 5e-06"), {})).toEqual(odd);
  });
});
