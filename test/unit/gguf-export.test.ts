// What the GGUF export reads from the TRL script build_configs writes (model, PEFT mode, method, TRL pin, output
// directory) for every method and PEFT mode, and which line of a failed step's output it reports.
import { describe, expect, it } from "vitest";
import { buildTrlScript } from "../../src/configs/trl-script.js";
import { ggufErrorLine, isTrlRecord, readTrlScriptFacts } from "../../src/export/gguf-export.js";
import { NEWEST_TRL, TRL_METHODS } from "../../src/knowledge/trl.js";

const script = (method: (typeof TRL_METHODS)[number], peft: "lora" | "qlora" | "full") =>
  buildTrlScript({
    method,
    model: "Qwen/Qwen2.5-0.5B-Instruct",
    dataset: "/data/x.jsonl",
    peft,
    outputDir: '/out/run "a"',
    release: NEWEST_TRL,
    maxSteps: 10,
    perDeviceBatchSize: 2,
    gradientAccumulationSteps: 4,
    saveSteps: 5,
    bf16: true,
  });

describe("GGUF export: the TRL script's facts", () => {
  for (const method of TRL_METHODS)
    for (const peft of ["lora", "qlora", "full"] as const)
      it(`${method} ${peft}`, () => {
        expect(readTrlScriptFacts(script(method, peft))).toEqual({
          model: "Qwen/Qwen2.5-0.5B-Instruct",
          peft,
          method,
          trl: NEWEST_TRL.trl,
          outputDir: '/out/run "a"',
        });
      });

  it("a TRL run is a Python script; a MindSpeed-MM run a launch script", () => {
    expect(isTrlRecord({ script: "/w/configs/trl-sft/train_sft.py" })).toBe(true);
    expect(isTrlRecord({ script: "/w/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh" })).toBe(false);
  });

  it("reports convert_hf_to_gguf.py's ERROR line, llama-quantize's refusal, else the last exception", () => {
    expect(
      ggufErrorLine(
        "INFO:hf-to-gguf:Loading model: m\nINFO:hf-to-gguf:Model architecture: OPTForCausalLM\nERROR:hf-to-gguf:Model OPTForCausalLM is not supported\n",
      ),
    ).toBe("ERROR:hf-to-gguf:Model OPTForCausalLM is not supported");
    expect(ggufErrorLine("main: build = 6500 (x)\nmain: invalid ftype 'q4_k_xl'\n")).toBe(
      "main: invalid ftype 'q4_k_xl'",
    );
    expect(
      ggufErrorLine(
        "Traceback (most recent call last):\n  File \"<stdin>\", line 6, in <module>\nValueError: Can't find 'adapter_config.json' at '/out'\n",
      ),
    ).toBe("ValueError: Can't find 'adapter_config.json' at '/out'");
  });
});
