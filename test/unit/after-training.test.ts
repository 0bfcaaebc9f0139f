// The pure parts of the post-training tools: the export completeness check, reading inference_vlm.py's answer and
// evaluate_vlm.py's score, and prompts from a JSONL.
import { describe, expect, it } from "vitest";
import { checkHfDir, type HfDirFacts } from "../../src/export/hf-check.js";
import { parseAnswer, parseScoreCsv } from "../../src/infer/run.js";
import { parsePromptsJsonl } from "../../src/tools/run-inference.js";

const complete = (): HfDirFacts => ({
  files: [
    "config.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "model.safetensors.index.json",
  ],
  config: { text_config: { vocab_size: 151936, hidden_size: 2048 } },
  index: {
    weight_map: {
      "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
      "model.norm.weight": "model-00002-of-00002.safetensors",
    },
  },
  headers: {
    "model-00001-of-00002.safetensors": { "model.embed_tokens.weight": [151936, 2048] },
    "model-00002-of-00002.safetensors": { "model.norm.weight": [2048] },
  },
});
const failing = (f: HfDirFacts) =>
  checkHfDir(f)
    .filter((c) => !c.ok)
    .map((c) => c.id);

describe("export completeness check", () => {
  it("passes a complete directory", () => {
    expect(failing(complete())).toEqual([]);
  });
  it("fails a shard the index does not cover", () => {
    const f = complete();
    f.files.push("model-00003-of-00003.safetensors");
    f.headers["model-00003-of-00003.safetensors"] = { "lm_head.weight": [151936, 2048] };
    expect(failing(f)).toEqual(expect.arrayContaining(["shards-indexed", "tensors"]));
  });
  it("fails a shard the index names that is missing", () => {
    const f = complete();
    f.files = f.files.filter((x) => x !== "model-00002-of-00002.safetensors");
    delete f.headers["model-00002-of-00002.safetensors"];
    expect(failing(f)).toContain("index-shards-exist");
  });
  it("fails a tensor its shard lacks, a broken header and a shape that disagrees with config.json", () => {
    const f = complete();
    f.headers["model-00002-of-00002.safetensors"] = { error: "unpack requires a buffer of 8 bytes" };
    f.headers["model-00001-of-00002.safetensors"] = { "model.embed_tokens.weight": [152064, 2048] };
    expect(failing(f)).toEqual(expect.arrayContaining(["headers", "shapes"]));
    const g = complete();
    g.index = {
      weight_map: {
        ...(g.index!.weight_map as object),
        "model.layers.0.mlp.weight": "model-00002-of-00002.safetensors",
      },
    };
    expect(failing(g)).toContain("tensors");
  });
  it("fails without config.json", () => {
    const f = complete();
    f.config = null;
    expect(failing(f)).toContain("config");
  });
});

describe("reading what upstream's entries print and write", () => {
  it("the answer is what follows Megatron's 'successfully loaded checkpoint' line", () => {
    const out = [
      "------------------------ arguments ------------------------",
      " loading checkpoint from /s at iteration 10",
      " successfully loaded checkpoint from /s [ t 1/1, p 1/1 ] at iteration 10",
      "[W1202 12:00:00] some warning",
      "A cat on a sofa.",
    ].join("\n");
    expect(parseAnswer(out)).toBe("A cat on a sofa.");
  });
  it("the score is the Overall column of the *_acc.csv", () => {
    expect(parseScoreCsv('"split","Overall"\n"none","0.8123"\n')).toEqual({ metric: "Overall", score: 0.8123 });
    expect(parseScoreCsv("split,Overall,Category A\nnone,71.2,70\n")).toEqual({ metric: "Overall", score: 71.2 });
    expect(parseScoreCsv("nothing")).toBeNull();
  });
  it("prompts come from a JSONL of {prompt, image} or {query, images}", () => {
    const text = '{"prompt":"a","image":"x.jpg"}\n\n{"query":"b","images":["y.jpg"]}\n';
    expect(parsePromptsJsonl(text)).toEqual([
      { prompt: "a", image: "x.jpg" },
      { prompt: "b", image: "y.jpg" },
    ]);
    expect(() => parsePromptsJsonl("{not json")).toThrow(/line 1/);
  });
});
