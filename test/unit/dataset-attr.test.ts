import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkDatasetAgainstAttr } from "../../src/datasets/attr.js";
import {
  DATASET_FAMILIES,
  DATASET_FORMATS,
  type DataAttr,
  DEFAULT_ATTR,
  mllmKeys,
} from "../../src/datasets/formats.js";

const UPSTREAM = join(import.meta.dirname, "..", "fixtures", "upstream");
// The MLLM data configs (those with an attr block); InternVL's and DeepSeek-VL2's read conversation records instead.
const dataConfigs = readdirSync(UPSTREAM)
  .flatMap((tag) =>
    readdirSync(join(UPSTREAM, tag)).flatMap((model) =>
      readdirSync(join(UPSTREAM, tag, model))
        .filter((f) => /^data_.*\.json$/.test(f))
        .map((f) => ({
          name: `${tag}/${model}/${f}`,
          config: JSON.parse(readFileSync(join(UPSTREAM, tag, model, f), "utf8")),
        })),
    ),
  )
  .filter((c) => c.config.dataset_param?.attr !== undefined);

/** A record shaped by an attr, the way the MLLM format lays it out. */
function recordFor(attr: DataAttr) {
  const rec: Record<string, unknown> = {
    [attr.messages!]: [
      {
        [attr.role_tag!]: attr.user_tag,
        [attr.content_tag!]: attr.videos ? "<video>\nWhat happens?" : "<image>\nWhat is it?",
      },
      { [attr.role_tag!]: attr.assistant_tag, [attr.content_tag!]: "A cat." },
    ],
  };
  if (attr.images) rec[attr.images] = attr.videos ? [] : ["COCO2017/train2017/000000033471.jpg"];
  if (attr.videos) rec[attr.videos] = ["videos/a.mp4"];
  return rec;
}

describe("checkDatasetAgainstAttr with upstream data configs", () => {
  it("found the qwen data configs, image and video ones", () => {
    expect(dataConfigs.length).toBeGreaterThanOrEqual(10);
    expect(dataConfigs.some((c) => c.config.dataset_param.attr.videos === "videos")).toBe(true);
  });

  for (const { name, config } of dataConfigs) {
    it(`accepts a record laid out by ${name}`, () => {
      const attr = config.dataset_param.attr as DataAttr;
      expect(checkDatasetAgainstAttr(recordFor(attr), attr)).toMatchObject({ ok: true, problems: [] });
    });
  }

  it("explains a LLaVA record given to an MLLM config", () => {
    const r = checkDatasetAgainstAttr(
      {
        image: "a.jpg",
        conversations: [
          { from: "human", value: "<image>" },
          { from: "gpt", value: "x" },
        ],
      },
      DEFAULT_ATTR,
    );
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/attr.messages is "messages" but the record has no such key .*prepare_dataset/);
  });

  it("names wrong role/content tags and unknown role values", () => {
    const rec = {
      messages: [
        { from: "human", value: "hi" },
        { role: "bot", content: "x" },
      ],
      images: [],
    };
    const r = checkDatasetAgainstAttr(rec, DEFAULT_ATTR);
    expect(r.problems).toEqual([
      'messages[0] has no "role" (attr.role_tag); it has: from, value.',
      'messages[0] has no "content" (attr.content_tag).',
      'messages[1] has role "bot", which attr does not name (known: "user", "assistant").',
    ]);
  });

  it("catches media keys that attr ignores or lacks, and placeholder counts", () => {
    const videoAttr = { ...DEFAULT_ATTR, images: null, videos: "videos" };
    const withImages = { ...recordFor(DEFAULT_ATTR) };
    const r1 = checkDatasetAgainstAttr(withImages, videoAttr);
    expect(r1.problems.join("\n")).toMatch(/has "images" but attr.images is null/);
    expect(r1.problems.join("\n")).toMatch(/attr.videos is "videos" but the record has no such key/);
    const twoImages = { ...recordFor(DEFAULT_ATTR), images: ["a.jpg", "b.jpg"] };
    expect(checkDatasetAgainstAttr(twoImages, DEFAULT_ATTR).problems).toEqual([
      'the record has 1 <image> placeholder(s) but 2 entr(ies) in "images".',
    ]);
    expect(checkDatasetAgainstAttr({ ...recordFor(DEFAULT_ATTR), images: "a.jpg" }, DEFAULT_ATTR).problems).toEqual([
      '"images" must be a list of path strings.',
    ]);
  });

  it("rejects non-objects and empty turn lists", () => {
    expect(checkDatasetAgainstAttr(null, DEFAULT_ATTR).ok).toBe(false);
    expect(checkDatasetAgainstAttr({ messages: [], images: [] }, DEFAULT_ATTR).problems[0]).toMatch(/non-empty list/);
  });
});

describe("DATASET_FORMATS", () => {
  it("Qwen and GLM use MLLM records through attr; InternVL and DeepSeekVL2 conversation records; DeepSeek-OCR its own", () => {
    for (const family of DATASET_FAMILIES) {
      const spec = DATASET_FORMATS[family];
      const mllm = /^(qwen|glm|step3|mimo|magistral)/.test(family);
      const ocr = family.startsWith("deepseekocr");
      // Ming's VLDataset: MLLM records with hard-coded keys (no attr), its script's DATA_DIR.
      const ming = family === "ming";
      expect(spec.record, family).toBe(mllm || ming ? "mllm" : ocr ? "ocr" : "conversation");
      expect(spec.usesAttr, family).toBe(mllm);
      expect(spec.configKeys.imageRoot, family).toMatch(
        mllm ? /dataset_dir$/ : ocr || ming ? /^DATA_DIR/ : /data_folder$/,
      );
    }
  });

  it("every upstream MLLM data config carries the attr keys mllmKeys reads", () => {
    for (const { config } of dataConfigs) {
      const attr = config.dataset_param.attr;
      const keys = mllmKeys(attr);
      expect(keys.messages).toBe(attr.messages);
      expect(keys.role).toBe(attr.role_tag);
      expect(keys.images).toBe(attr.images);
    }
  });
});
