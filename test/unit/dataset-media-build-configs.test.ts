// build_configs looks for the dataset's first images under the dataset_dir it writes: a dataset converted into the
// workdir with its images left elsewhere gets a warning naming the first missing path as resolved, the dataset_dir
// and the call again with datasetDir (the dataset's own folder when the images are there). Real temp dirs, local host.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";

const PNG = join(import.meta.dirname, "..", "fixtures", "datasets", "images", "red-20x30.png");
const record = (image: string) => ({
  messages: [
    { role: "user", content: "<image>What colour?" },
    { role: "assistant", content: "Red." },
  ],
  images: [image],
});

let wd: string;
let deps: ToolDeps;

beforeAll(() => {
  wd = mkdtempSync(join(tmpdir(), "dataset-media-build-"));
  // The trial: data/mllm_mine.json in the workdir, its images (imgs/N.png) left in ./mydata.
  mkdirSync(join(wd, "data"));
  mkdirSync(join(wd, "mydata", "imgs"), { recursive: true });
  for (let i = 0; i < 3; i++) copyFileSync(PNG, join(wd, "mydata", "imgs", `${i}.png`));
  const records = [0, 1, 2].map((i) => record(`imgs/${i}.png`));
  writeFileSync(join(wd, "data", "mllm_mine.json"), JSON.stringify(records));
  // The same records next to their images.
  writeFileSync(join(wd, "mydata", "mine.json"), JSON.stringify(records));
  // Records whose paths start at the workdir: MindSpeed-MM reads them from there when dataset_dir does not hold them.
  mkdirSync(join(wd, "shots"));
  copyFileSync(PNG, join(wd, "shots", "a.png"));
  writeFileSync(join(wd, "data", "from-workdir.json"), JSON.stringify([record("shots/a.png")]));
  const hosts = new HostRegistry({
    file: null,
    hosts: { sim: HostSettingsSchema.parse({ workdir: wd, cannRoot: "/usr/local/Ascend" }) },
  });
  deps = { hosts, now: () => new Date(0), progress: () => undefined, log: () => undefined };
});
afterAll(() => rmSync(wd, { recursive: true, force: true }));

const build = (over: Record<string, unknown>) =>
  buildConfigs.handle(
    buildConfigs.input.parse({ host: "sim", model: "qwen2.5vl-3b", globalBatchSize: 8, trainIters: 50, ...over }),
    deps,
  );
const mediaWarnings = (r: { warnings: string[] }) => r.warnings.filter((w) => w.startsWith("datasetDir: "));

describe("build_configs and the dataset's images", () => {
  it("warns when the first record's images are not under the dataset_dir it writes, with the call again", async () => {
    const r = await build({ dataset: "data/mllm_mine.json", outputDir: join(wd, "out-trial") });
    expect(r.written).toBe(true);
    const data = JSON.parse(readFileSync(join(wd, "out-trial", "data_3b.json"), "utf8"));
    expect(data.dataset_param.basic_parameters.dataset_dir).toBe("data");
    const [warning] = mediaWarnings(r);
    expect(warning).toContain(
      `the first record's image imgs/0.png resolves under dataset_dir data (${join(wd, "data")}) to ${join(wd, "data", "imgs", "0.png")}, which does not exist`,
    );
    expect(warning).toContain("FileNotFoundError");
    // The summary says it, and its command is the same call with --dataset-dir, runnable as printed.
    const text = renderHints(buildConfigs.summarize!(r), renderCliHint);
    expect(text).toMatch(/warning: the first record's image imgs\/0\.png/);
    const again = printedCommands(text).find((c) => c.tool === "build_configs" && c.args.datasetDir);
    expect(again?.args).toMatchObject({
      host: "sim",
      model: "qwen2.5vl-3b",
      dataset: "data/mllm_mine.json",
      globalBatchSize: "8",
      trainIters: "50",
      datasetDir: "/path/to/images-root",
    });
    expect(hintProblems(text, { host: "sim" })).toEqual([]);
  });

  it("names the dataset's own folder when the images are there", async () => {
    const r = await build({ dataset: "mydata/mine.json", datasetDir: "data", outputDir: join(wd, "out-own") });
    const [warning] = mediaWarnings(r);
    expect(warning).toContain(`They are under ${join(wd, "mydata")}:`);
    expect(warning).toContain(`"datasetDir":"${join(wd, "mydata")}"`);
  });

  it("says nothing when the images are under dataset_dir, or where MindSpeed-MM reads them from the workdir", async () => {
    expect(mediaWarnings(await build({ dataset: "mydata/mine.json", outputDir: join(wd, "out-ok") }))).toEqual([]);
    expect(
      mediaWarnings(
        await build({ dataset: "data/mllm_mine.json", datasetDir: "mydata", outputDir: join(wd, "out-dir") }),
      ),
    ).toEqual([]);
    expect(
      mediaWarnings(await build({ dataset: "data/from-workdir.json", outputDir: join(wd, "out-workdir") })),
    ).toEqual([]);
  });
});
