// The default question run_inference asks: the head of the training data read as records, the cut one left out,
// and a record's user turn and first image.
import { describe, expect, it } from "vitest";
import { headRecords, samplePrompt, trainingDataOf } from "../../src/infer/sample.js";

describe("headRecords", () => {
  it("reads the complete records of a JSON array cut anywhere, brackets and escapes inside strings included", () => {
    const records = [
      { q: 'a "quoted" [bracket] {brace} \\ backslash' },
      { q: "second", nested: { list: [1, [2, 3]] } },
      { q: "third" },
    ];
    const text = JSON.stringify(records, null, 1);
    expect(headRecords(text)).toEqual(records);
    const cut = text.slice(0, text.indexOf("third"));
    expect(headRecords(cut)).toEqual(records.slice(0, 2));
    expect(headRecords(`\uFEFF${text}`, 1)).toEqual(records.slice(0, 1));
  });

  it("reads JSON Lines up to a cut last line", () => {
    const text = `${JSON.stringify({ a: 1 })}\n\n${JSON.stringify({ a: 2 })}\n{"a": 3, "b": "cut her`;
    expect(headRecords(text)).toEqual([{ a: 1 }, { a: 2 }]);
  });
});

describe("samplePrompt", () => {
  const data = trainingDataOf(
    {
      dataset_param: {
        basic_parameters: { dataset: "./data/a.json,./data/b.json", dataset_dir: "./data" },
        attr: { messages: "conv", images: "pics", role_tag: "r", content_tag: "c", user_tag: "human" },
      },
    },
    "/w",
  )!;

  it("takes the first dataset file and the image directory from the data config, against the workdir", () => {
    expect(data.file).toBe("/w/data/a.json");
    expect(data.imageDir).toBe("/w/data");
  });

  it("asks the user turn without its <image> placeholder about the first image, under the data config's keys", () => {
    const record = {
      conv: [
        { r: "human", c: "<image>\nWhat colour is it?" },
        { r: "gpt", c: "Red." },
      ],
      pics: ["images/red.png", "images/blue.png"],
    };
    expect(samplePrompt(record, data)).toEqual({ prompt: "What colour is it?", image: "/w/data/images/red.png" });
  });

  it("reads LLaVA conversations with one image, and gives nothing for a record without an image or a question", () => {
    const plain = { ...data, attr: {} };
    const llava = {
      image: "/abs/cat.jpg",
      conversations: [
        { from: "human", value: "<image>\nWhich animal?" },
        { from: "gpt", value: "A cat." },
      ],
    };
    expect(samplePrompt(llava, plain)).toEqual({ prompt: "Which animal?", image: "/abs/cat.jpg" });
    expect(samplePrompt({ messages: [{ role: "user", content: "hi" }], images: [] }, plain)).toBeNull();
    expect(samplePrompt({ messages: [{ role: "user", content: "<image>" }], images: ["x.png"] }, plain)).toBeNull();
  });
});
