// find_model on a text-only LLM (Llama, Qwen, Mistral …): not "no match" but a pointer, as its description promises
// for non-VLM models: MindSpeed-LLM on Ascend NPUs, or build_configs with trainer trl on a CUDA host. VLM names of
// the same families stay VLMs, and a name no family claims is still unknown (exit 1). Other tools given such a name
// say what it is and name the find-model call.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderHints } from "../../src/text/hint.js";
import findModel from "../../src/tools/find-model.js";
import { CLI } from "../helpers/mcp.js";

const deps = {} as never;
const ask = (query: string) => findModel.handle(findModel.input.parse({ query }), deps);

describe("find_model on text-only models", () => {
  for (const [query, family] of [
    ["llama3-8b", "Llama"],
    ["llama-3.1-8b-instruct", "Llama"],
    ["meta-llama/Meta-Llama-3-8B-Instruct", "Llama"],
    ["qwen2.5-7b", "Qwen"],
    ["Qwen/Qwen3-8B", "Qwen"],
    ["mistral-7b", "Mistral"],
    ["mixtral-8x7b-instruct", "Mistral"],
    ["mistralai/Mistral-Small-24B-Instruct-2501", "Mistral"],
    ["Ministral-8B-Instruct-2410", "Mistral"],
    ["gemma-2-9b", "Gemma"],
    ["deepseek-r1-distill-qwen-7b", "DeepSeek"],
  ] as const) {
    it(`points ${query} (${family}) at MindSpeed-LLM and the TRL path, not a failure`, async () => {
      const r = await ask(query);
      expect(r.status).toBe("text-only");
      expect(r.textOnly?.family).toContain(family);
      expect(findModel.failed!(r)).toBe(false);
      const text = renderHints(findModel.summarize(r));
      expect(text).toContain("text-only");
      expect(text).toContain("MindSpeed-LLM");
      expect(text).toMatch(/build_configs \{trainer: "trl", model: "[^"]+"/);
    });
  }

  it("passes an HF repo id on to the TRL call as it was typed", async () => {
    const text = renderHints(findModel.summarize(await ask("Qwen/Qwen2.5-7B-Instruct")));
    expect(text).toContain('build_configs {trainer: "trl", model: "Qwen/Qwen2.5-7B-Instruct"');
  });

  it("names the vision-language model of the family this server does build, when one is near", async () => {
    const r = await ask("qwen2.5-7b");
    expect(r.candidates).toContain("qwen2.5vl-7b");
    expect(findModel.summarize(r)).toContain("qwen2.5vl-7b");
  });

  it("keeps VLMs of those families as they were: found, or unknown when not in the catalog", async () => {
    expect((await ask("qwen2.5-vl-7b")).status).toBe("found");
    expect((await ask("qwen3.5-9b")).status).toBe("found");
    for (const vlm of [
      "Llama-3.2-11B-Vision-Instruct",
      "qwen2-audio-7b",
      "phi-3-vision-128k",
      // Mistral releases that read images without saying so in their names.
      "mistralai/Mistral-Small-3.1-24B-Instruct-2503",
      "Mistral-Small-3.2-24B-Instruct-2506",
      "mistral-small-2503",
      "Ministral-3-8B-Instruct-2512",
      "mistral-large-3",
    ]) {
      const r = await ask(vlm);
      expect(r.status, vlm).toBe("unknown");
      expect(findModel.failed!(r)).toBe(true);
    }
  });

  it("still answers no match, exit 1, for a name no family claims", async () => {
    const r = await ask("zorblax-7b");
    expect(r.status).toBe("unknown");
    expect(findModel.failed!(r)).toBe(true);
  });

  it("claims a family's word only alone or with a version or size, not 'llama-banana'", async () => {
    for (const made of ["llama-banana", "mistral-banana", "qwen-banana"]) {
      const r = await ask(made);
      expect(r.status, made).toBe("unknown");
      expect(r.textOnly, made).toBeNull();
    }
    for (const real of ["llama", "codellama", "Llama-2-7b-hf", "tinyllama-1.1b-chat", "Mistral-Nemo-Instruct-2407"])
      expect((await ask(real)).status, real).toBe("text-only");
  });
});

describe("ascend-train find-model on a text-only model", () => {
  const home = mkdtempSync(join(tmpdir(), "find-model-text-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
  delete env.ASCEND_TRAIN_CONFIG;

  it("exits 0 with the pointer in flags", () => {
    const r = spawnSync(process.execPath, [CLI, "find-model", "llama3-8b"], {
      cwd: home,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain("MindSpeed-LLM");
    expect(r.stdout).toMatch(/ascend-train build-configs --trainer trl --model \S+/);
    expect(r.stdout).not.toContain("No model matches");
  }, 120_000);
});

describe("another tool given a made-up name of a text-only family", () => {
  it("check_env says it knows no such model, not that it is a text-only Llama model", () => {
    const home = mkdtempSync(join(tmpdir(), "text-only-made-up-"));
    try {
      const r = spawnSync(process.execPath, [CLI, "check-env", "--model", "llama-banana"], {
        cwd: home,
        encoding: "utf8",
        env: { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" },
        timeout: 60_000,
      });
      expect(r.stderr).toContain('Unknown model "llama-banana"');
      expect(r.stderr).not.toContain("text-only");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("another tool given a text-only model", () => {
  it("says what the name is and names the find-model call, not the nearest VLM ids", () => {
    const home = mkdtempSync(join(tmpdir(), "text-only-estimate-"));
    try {
      const r = spawnSync(process.execPath, [CLI, "estimate-memory", "--model", "llama3-8b", "--npus", "8"], {
        cwd: home,
        encoding: "utf8",
        env: { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" },
        timeout: 60_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('"llama3-8b" is a text-only Llama model');
      expect(r.stderr).toContain("find-model llama3-8b");
      expect(r.stderr).not.toContain("Nearest:");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
