// DeepSeek-OCR / OCR2 read their own records (examples/deepseekocr*/ocr_dataset.py): JSON Lines of
// {conversations: [{role "<|User|>", content, images: [path]}, {role "<|Assistant|>", content}]}. validate_dataset
// names an MLLM file as the wrong format for them, and prepare_dataset converts to and from it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFamilyForModel, recordFormatWarning } from "../../src/configs/dataset-probe.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";

const HAS_PYTHON = spawnSync("python3", ["--version"]).status === 0;

const MLLM = {
  id: 7,
  messages: [
    { role: "user", content: "<image>\nFree OCR." },
    { role: "assistant", content: "Hello world" },
  ],
  images: ["img/a.jpg"],
};
const OCR = {
  id: 7,
  conversations: [
    { role: "<|User|>", content: "Free OCR.", images: ["img/a.jpg"] },
    { role: "<|Assistant|>", content: "Hello world" },
  ],
};

describe("DeepSeek-OCR record format", () => {
  it("is the family format of both OCR models, and an MLLM record is named as the wrong one", () => {
    expect(datasetFamilyForModel("deepseekocr")).toBe("deepseekocr");
    expect(datasetFamilyForModel("deepseekocr2")).toBe("deepseekocr2");
    expect(recordFormatWarning(MLLM, "deepseekocr")).toMatch(/reads DeepSeek-OCR .* first record is MLLM/);
    expect(recordFormatWarning(OCR, "deepseekocr2")).toBeNull();
    expect(recordFormatWarning(OCR, "qwen2.5vl")).toMatch(/first record is DeepSeek-OCR/);
  });
});

describe.skipIf(!HAS_PYTHON)("validate_dataset and prepare_dataset on OCR records", () => {
  let dir: string;
  let hosts: HostRegistry;
  const deps = (): ToolDeps => ({ hosts, now: () => new Date(0), progress: () => undefined, log: () => undefined });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dataset-ocr-"));
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "mllm.json"), JSON.stringify([MLLM, MLLM]));
    writeFileSync(join(dir, "data", "ocr.jsonl"), `${JSON.stringify(OCR)}\n${JSON.stringify(OCR)}\n`);
    const twoTurns = {
      ...MLLM,
      messages: [...MLLM.messages, { role: "user", content: "More?" }, { role: "assistant", content: "No." }],
    };
    writeFileSync(join(dir, "data", "multi.json"), JSON.stringify([MLLM, twoTurns]));
    hosts = new HostRegistry({
      file: null,
      hosts: { local: HostSettingsSchema.parse({ workdir: dir, cannRoot: "/usr/local/Ascend" }) },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (path: string, model: string) =>
    validateDataset.handle(validateDataset.input.parse({ path, model, checkImages: false }), deps());

  it("validates OCR records for DeepSeek-OCR and refuses an MLLM file for it", async () => {
    const ok = await validate(join(dir, "data", "ocr.jsonl"), "deepseekocr");
    expect(ok.recordFormats).toEqual({ ocr: 2 });
    expect(ok.ok).toBe(true);
    const wrong = await validate(join(dir, "data", "mllm.json"), "deepseekocr2");
    expect(wrong.ok).toBe(false);
    expect(wrong.familyMismatch).toMatch(/deepseekocr2 expects ocr records but the file holds mllm records/);
  });

  it("converts MLLM to the OCR JSON Lines and back", async () => {
    const out = join(dir, "data", "to-ocr.jsonl");
    const r = await prepareDataset.handle(
      prepareDataset.input.parse({
        input: join(dir, "data", "mllm.json"),
        output: out,
        family: "deepseekocr",
        checkImages: false,
      }),
      deps(),
    );
    expect(r.to).toBe("ocr");
    expect(r.outputFormat).toBe("jsonl");
    const lines = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([OCR, OCR]);
    const back = join(dir, "data", "back.json");
    await prepareDataset.handle(
      prepareDataset.input.parse({ input: out, output: back, to: "mllm", outputFormat: "json", checkImages: false }),
      deps(),
    );
    expect(JSON.parse(readFileSync(back, "utf8"))[0]).toEqual(MLLM);
  });

  it("refuses a record DeepSeek-OCR cannot read (two rounds), naming why", async () => {
    const r = await prepareDataset.handle(
      prepareDataset.input.parse({
        input: join(dir, "data", "multi.json"),
        output: join(dir, "data", "multi.jsonl"),
        family: "deepseekocr",
        checkImages: false,
        skipInvalid: true,
      }),
      deps(),
    );
    expect([r.written, r.invalid]).toEqual([1, 1]);
    expect(r.problems[0]).toMatchObject({ index: 1, kind: "ocr-shape" });
    expect(r.problems[0]!.message).toMatch(/one user turn with one image and one answer \(4 turn/);
  });
});
