// Ming-Lite-Omni's VLDataset (examples/ming/vl_dataset.py, v2.2.0 - v26.0.0) reads one JSON array of MLLM records
// with hard-coded keys, at least one image each, no videos and no system turn. validate_dataset checks those rules for
// family/model ming, and prepare_dataset writes records that meet them.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFamilyForModel, recordFormatWarning } from "../../src/configs/dataset-probe.js";
import { DATASET_FORMATS } from "../../src/datasets/formats.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { getModel } from "../../src/knowledge/models.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";

const HAS_PYTHON = spawnSync("python3", ["--version"]).status === 0;
const FIXTURES = join(import.meta.dirname, "../fixtures/upstream-dataset");

const GOOD = {
  messages: [
    { role: "user", content: "<image>Who are they?" },
    { role: "assistant", content: "They're Kane and Gretzka from Bayern Munich." },
  ],
  images: ["mllm_demo_data/1.jpg"],
};

describe("Ming's record format, read from upstream's dataset class", () => {
  it.each(["v2.2.0", "v2.3.0", "v26.0.0"])("%s: the keys, container and rules vl_dataset.py hard-codes", (tag) => {
    const source = readFileSync(join(FIXTURES, tag, "ming", "vl_dataset.py"), "utf8");
    const constant = (name: string) => new RegExp(`^${name} = "([^"]+)"`, "m").exec(source)?.[1];
    // The keys prepare_dataset writes for Ming.
    expect([
      constant("IMAGES_KEY"),
      constant("MESSAGES_TAG"),
      constant("ROLE_TAG"),
      constant("CONTENT_TAG"),
      constant("USER_TAG"),
      constant("ASSISTANT_TAG"),
      constant("IMAGE_PLACEHOLDER"),
    ]).toEqual(["images", "messages", "role", "content", "user", "assistant", "<image>"]);
    // One JSON array (json.load), images read unconditionally, turns paired two by two, every non-user turn the
    // assistant's.
    expect(source).toContain("raw_dataset = json.load(fr)");
    expect(source).toMatch(/find_media(s|_files)\(example\[IMAGES_KEY\], data_dir\)/);
    expect(source).toMatch(/for i in range\(0, len\(encoded_messages\), 2\)/);
    expect(source).toMatch(/USER_PREFIX if message\[ROLE_TAG\] == USER_TAG else ASSISTANT_PREFIX/);
    expect(source).toMatch(/videos=None/);
    const ming = DATASET_FORMATS.ming;
    expect([ming.record, ming.container, ming.rules]).toEqual(["mllm", "json", "ming"]);
  });

  it("is the family of the Ming model, which reads MLLM records", () => {
    expect(getModel("ming")?.exampleDir).toBe("ming");
    expect(datasetFamilyForModel("ming")).toBe("ming");
    expect(recordFormatWarning(GOOD, "ming")).toBeNull();
    // build_configs' first-record check applies Ming's own rules too.
    expect(recordFormatWarning({ ...GOOD, images: [] }, "ming")).toMatch(/has no images/);
    expect(
      recordFormatWarning({ ...GOOD, messages: [{ role: "system", content: "Be brief." }, ...GOOD.messages] }, "ming"),
    ).toMatch(/has a system turn/);
    expect(recordFormatWarning({ ...GOOD, videos: ["v.mp4"] }, "ming")).toMatch(/has videos/);
    // Other MLLM families take a system turn and text-only records.
    expect(recordFormatWarning({ ...GOOD, images: [] }, "qwen2.5vl")).toBeNull();
    expect(recordFormatWarning({ conversations: [{ from: "human", value: "x" }], image: "a.jpg" }, "ming")).toMatch(
      /ming's dataset class reads MLLM messages\/images/,
    );
  });
});

describe.skipIf(!HAS_PYTHON)("validate_dataset and prepare_dataset for Ming", () => {
  let dir: string;
  let hosts: HostRegistry;
  const deps = (): ToolDeps => ({ hosts, now: () => new Date(0), progress: () => undefined, log: () => undefined });
  const data = (name: string) => join(dir, "data", name);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dataset-ming-"));
    mkdirSync(join(dir, "data"));
    const system = { ...GOOD, messages: [{ role: "system", content: "Be brief." }, ...GOOD.messages] };
    const noImage = { messages: [GOOD.messages[0]!, GOOD.messages[1]!].map((m) => ({ ...m, content: "Hi" })) };
    const video = {
      ...GOOD,
      videos: ["v.mp4"],
      messages: [{ role: "user", content: "<image><video>?" }, GOOD.messages[1]],
    };
    writeFileSync(data("good.json"), JSON.stringify([GOOD, GOOD]));
    writeFileSync(data("mixed.json"), JSON.stringify([GOOD, system, noImage, video]));
    // LLaVA-style records with a system prompt field and custom MLLM keys upstream's Qwen configs would map by attr.
    writeFileSync(
      data("llava.jsonl"),
      `${JSON.stringify({
        system: "Be brief.",
        image: "mllm_demo_data/1.jpg",
        conversations: [
          { from: "human", value: "<image>Who?" },
          { from: "gpt", value: "Them." },
        ],
      })}\n`,
    );
    hosts = new HostRegistry({
      file: null,
      hosts: { local: HostSettingsSchema.parse({ workdir: dir, cannRoot: "/usr/local/Ascend" }) },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const validate = (path: string, extra: Record<string, unknown>) =>
    validateDataset.handle(validateDataset.input.parse({ path, checkImages: false, ...extra }), deps());

  it("accepts upstream's README record and names each record Ming's VLDataset cannot read", async () => {
    expect((await validate(data("good.json"), { model: "ming" })).ok).toBe(true);
    const r = await validate(data("mixed.json"), { family: "ming" });
    expect(r.ok).toBe(false);
    expect(r.problemCounts).toEqual({ "ming-shape": 3 });
    expect(r.problems.map((p) => [p.index, p.message])).toEqual([
      [1, expect.stringMatching(/messages\[0\] is a system turn; Ming's VLDataset has none/)],
      [2, expect.stringMatching(/needs at least one image per record/)],
      [3, expect.stringMatching(/reads images only; the record has 1 video/)],
    ]);
    // Without the family the same file is plain MLLM: the system turn and the text-only record are fine there.
    const plain = await validate(data("mixed.json"), {});
    expect(plain.problemCounts).toEqual({});
  });

  it("converts LLaVA records into Ming's JSON array with its fixed keys, dropping the system field", async () => {
    const out = data("ming.json");
    const r = await prepareDataset.handle(
      prepareDataset.input.parse({
        input: data("llava.jsonl"),
        output: out,
        family: "ming",
        attr: { messages: "turns", role_tag: "speaker", content_tag: "text" },
        checkImages: false,
      }),
      deps(),
    );
    expect([r.to, r.outputFormat, r.written]).toEqual(["mllm", "json", 1]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual([
      {
        messages: [
          { role: "user", content: "<image>Who?" },
          { role: "assistant", content: "Them." },
        ],
        images: ["mllm_demo_data/1.jpg"],
      },
    ]);
    expect((await validate(out, { model: "ming" })).ok).toBe(true);
  });

  it("refuses to write a file Ming could not read, unless told to skip those records", async () => {
    await expect(
      prepareDataset.handle(
        prepareDataset.input.parse({
          input: data("mixed.json"),
          output: data("ming-mixed.json"),
          family: "ming",
          checkImages: false,
        }),
        deps(),
      ),
    ).rejects.toThrow(/3 of 4 records .* invalid \(ming-shape/);
    const kept = await prepareDataset.handle(
      prepareDataset.input.parse({
        input: data("mixed.json"),
        output: data("ming-kept.json"),
        family: "ming",
        checkImages: false,
        skipInvalid: true,
      }),
      deps(),
    );
    expect(kept.written).toBe(1);
    expect(JSON.parse(readFileSync(data("ming-kept.json"), "utf8"))).toEqual([GOOD]);
  });
});
