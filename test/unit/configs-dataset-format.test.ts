// InternVL2.5/3 and DeepSeek-VL2 read conversations/image records: an MLLM messages file is named as the wrong
// format by validate_dataset (given a model) and by build_configs (a warning), before training fails on it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFamilyForModel, recordFormatWarning } from "../../src/configs/dataset-probe.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import buildConfigs from "../../src/tools/build-configs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";

// validate_dataset runs its streaming check with the host's python3.
const HAS_PYTHON = spawnSync("python3", ["--version"]).status === 0;

const MLLM = {
  messages: [
    { role: "user", content: "<image>What is this?" },
    { role: "assistant", content: "A cat." },
  ],
  images: ["a.jpg"],
};
const CONVERSATION = {
  image: "a.jpg",
  conversations: [
    { from: "human", value: "<image>\nWhat is this?" },
    { from: "gpt", value: "A cat." },
  ],
};

describe("record format per family", () => {
  it("maps models to the family whose dataset class reads their data", () => {
    expect(datasetFamilyForModel("internvl2.5-4b")).toBe("internvl2.5");
    expect(datasetFamilyForModel("internvl3-8b")).toBe("internvl3");
    expect(datasetFamilyForModel("deepseekvl2")).toBe("deepseekvl2");
    expect(datasetFamilyForModel("Qwen/Qwen2.5-VL-7B-Instruct")).toBe("qwen2.5vl");
    // examples/ming/vl_dataset.py: MLLM records under Ming's own rules (dataset-ming-format.test.ts).
    expect(datasetFamilyForModel("ming")).toBe("ming");
    expect(datasetFamilyForModel("nonexistent-model-xyz")).toBeNull();
  });

  it("warns for an MLLM record where conversations are read, and the other way round", () => {
    expect(recordFormatWarning(MLLM, "internvl2.5")).toMatch(/conversations\/image .* MLLM messages\/images/);
    expect(recordFormatWarning(MLLM, "deepseekvl2")).toMatch(/prepare_dataset \(family: deepseekvl2\)/);
    expect(recordFormatWarning(CONVERSATION, "qwen2.5vl")).toMatch(/reads MLLM messages\/images records/);
    expect(recordFormatWarning(CONVERSATION, "internvl3")).toBeNull();
    expect(recordFormatWarning(MLLM, "qwen2vl")).toBeNull();
  });
});

describe("tools", () => {
  let dir: string;
  let hosts: HostRegistry;
  const deps = (): ToolDeps => ({
    hosts,
    now: () => new Date(0),
    progress: () => undefined,
    log: () => undefined,
  });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dataset-format-"));
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "mllm.json"), JSON.stringify([MLLM, MLLM]));
    hosts = new HostRegistry({
      file: null,
      hosts: { local: HostSettingsSchema.parse({ workdir: dir, cannRoot: "/usr/local/Ascend" }) },
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("build_configs warns that InternVL2.5 reads conversations/image records", async () => {
    const r = await buildConfigs.handle(
      buildConfigs.input.parse({
        model: "internvl2.5-4b",
        release: "v26.0.0",
        dataset: join(dir, "data", "mllm.json"),
        outputDir: join(dir, "out-ivl"),
      }),
      deps(),
    );
    expect(r.warnings.join("\n")).toMatch(/internvl2\.5's dataset class reads conversations\/image/);
  });

  it("build_configs stays quiet for a Qwen2.5-VL model and an MLLM file", async () => {
    const r = await buildConfigs.handle(
      buildConfigs.input.parse({
        model: "qwen2.5vl-3b",
        release: "v26.0.0",
        dataset: join(dir, "data", "mllm.json"),
        outputDir: join(dir, "out-qwen"),
      }),
      deps(),
    );
    expect(r.warnings.join("\n")).not.toMatch(/dataset class reads/);
  });

  it.skipIf(!HAS_PYTHON)("validate_dataset given a model says the file holds the wrong records", async () => {
    const r = await validateDataset.handle(
      validateDataset.input.parse({
        path: join(dir, "data", "mllm.json"),
        model: "internvl2.5-4b",
        checkImages: false,
      }),
      deps(),
    );
    expect(r.ok).toBe(false);
    expect(r.familyMismatch).toMatch(/internvl2\.5 expects conversation records but the file holds mllm records/);
  });
});
