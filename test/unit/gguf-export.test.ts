// What the GGUF export reads from the TRL script build_configs writes (model, PEFT mode, method, TRL pin, output
// directory) for every method and PEFT mode, and which line of a failed step's output it reports.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTrlScript } from "../../src/configs/trl-script.js";
import { ggufErrorLine, isTrlRecord, readGgufHeader, readTrlScriptFacts } from "../../src/export/gguf-export.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { GGUF_TYPE } from "../../src/knowledge/llama-cpp.js";
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

describe("GGUF export: the header read through the host", () => {
  it("reads on past a large vocabulary to general.file_type, which llama-quantize writes last", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gguf-read-"));
    try {
      const u32 = (v: number) => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(v);
        return b;
      };
      const u64 = (v: number) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(v));
        return b;
      };
      const str = (t: string) => Buffer.concat([u64(Buffer.byteLength(t)), Buffer.from(t)]);
      // 200,000 tokens of 12 bytes each: about 4 MB of vocabulary before the file type, past the first 2 MiB read.
      const tokens = Array.from({ length: 200_000 }, (_, i) => `token_${String(i).padStart(6, "0")}`);
      const file = join(dir, "m-Q4_K_M.gguf");
      writeFileSync(
        file,
        Buffer.concat([
          Buffer.from("GGUF"),
          u32(3),
          u64(1),
          u64(3),
          str("general.architecture"),
          u32(GGUF_TYPE.STRING),
          str("llama"),
          str("tokenizer.ggml.tokens"),
          u32(GGUF_TYPE.ARRAY),
          u32(GGUF_TYPE.STRING),
          u64(tokens.length),
          ...tokens.map(str),
          str("general.file_type"),
          u32(GGUF_TYPE.UINT32),
          u32(15),
        ]),
      );
      const executor = new LocalExecutor("local", HostSettingsSchema.parse({}));
      const { header, size } = await readGgufHeader(executor, file);
      expect(size).toBeGreaterThan(2 * 1024 * 1024);
      expect(header.complete).toBe(true);
      expect(header.metadata["general.architecture"]).toBe("llama");
      expect(header.metadata["general.file_type"]).toBe(15);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
