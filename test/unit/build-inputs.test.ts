// Hints that re-run build_configs repeat the recorded build, and CLI hints carry the flags the named tool requires.
import { describe, expect, it } from "vitest";
import { flagSpecs } from "../../src/cli/flags.js";
import { cliHintRenderer, renderCliHint } from "../../src/cli/hints.js";
import { inputsToRecord, rebuildHint } from "../../src/configs/build-inputs.js";
import { callHint, renderHints } from "../../src/text/hint.js";
import { allTools } from "../../src/tools/index.js";
import { hintProblems } from "../helpers/cli-hints.js";

const fields = (name: string) => {
  const tool = allTools.find((t) => t.name === name);
  if (!tool) return undefined;
  const specs = flagSpecs(tool.input);
  return { required: specs.filter((s) => s.required).map((s) => s.field), all: specs.map((s) => s.field) };
};

describe("rebuilding configs from a hint", () => {
  it("records what was given, leaving out defaults and overwrite", () => {
    const recorded = inputsToRecord(
      { host: "sim", model: "qwen2.5vl-3b", dataset: "data/x.json", trainIters: 7, overwrite: true, peft: "lora" },
      { host: "local", model: "qwen2.5vl-3b", overwrite: false, peft: "lora" },
    );
    expect(recorded).toEqual({ host: "sim", model: "qwen2.5vl-3b", dataset: "data/x.json", trainIters: 7 });
  });

  it("a rebuild hint repeats every recorded input and changes only what it names", () => {
    const recorded = { host: "sim", model: "qwen2.5vl-3b", dataset: "data/x.json", trainIters: 7, saveInterval: 5 };
    const text = renderHints(rebuildHint(recorded, "sim", { saveDir: "<new dir>", overwrite: true }), renderCliHint);
    expect(text).toMatch(
      /ascend-train build-configs --host sim --model qwen2\.5vl-3b --dataset data\/x\.json --train-iters 7 --save-interval 5 --save-dir '<new dir>' --overwrite$/,
    );
    expect(hintProblems(text, { host: "sim" })).toEqual([]);
    // With nothing recorded it is still a complete command, the model a placeholder.
    const bare = renderHints(rebuildHint(null, "sim", { saveDir: "<new dir>" }), renderCliHint);
    expect(hintProblems(bare, { host: "sim" })).toEqual([]);
  });

  it("in the terminal, a hint naming another tool takes its required flags and the host from the command given", () => {
    const render = cliHintRenderer({ host: "sim", model: "qwen2.5vl-3b", confirm: true }, fields);
    const text = renderHints(
      `${callHint("build_configs", { ckptDir: "/x" })} then ${callHint("launch_train", { script: "<launch script>" })}`,
      render,
    );
    expect(text).toContain("build-configs --model qwen2.5vl-3b --host sim --ckpt-dir /x");
    expect(text).toContain("launch-train --host sim --script '<launch script>'");
    expect(text).not.toContain("--confirm");
    expect(hintProblems(text, { host: "sim" })).toEqual([]);
  });
});
