// launch_train's pre-flight reads the data config the launch script names and looks for the first records' images
// under its dataset_dir: missing ones fail the pre-flight (nothing starts) with the path as resolved, the dataset_dir
// and the rebuild with datasetDir; present ones pass. A prepared local host (LocalExecutor, real temp dirs).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import launchTrain from "../../src/tools/launch-train.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const PNG = join(FIXTURES, "datasets", "images", "red-20x30.png");
const root = mkdtempSync(join(tmpdir(), "dataset-media-preflight-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record = (image: string) => ({
  messages: [
    { role: "user", content: "<image>What colour?" },
    { role: "assistant", content: "Red." },
  ],
  images: [image],
});

let n = 0;
/** A host ready to launch (weights, configs, NPUs), whose dataset's images are in `images` (relative to the workdir). */
function host(images: string, datasetDir?: string) {
  const dir = join(root, `h${n++}`);
  const wd = join(dir, "mm");
  for (const d of ["bin", "mm/configs", "mm/data", "mm/hf", "mm/ckpt/release/mp_rank_00", `mm/${images}/imgs`])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, "bin/torchrun"), "#!/bin/sh\necho training\n", { mode: 0o755 });
  copyFileSync(join(FIXTURES, "host-outputs", "npu-smi-info-910b-idle.txt"), join(dir, "npu-smi.txt"));
  writeFileSync(join(dir, "bin/npu-smi"), `#!/bin/sh\ncat ${join(dir, "npu-smi.txt")}\n`, { mode: 0o755 });
  for (let i = 0; i < 3; i++) copyFileSync(PNG, join(wd, images, "imgs", `${i}.png`));
  writeFileSync(join(wd, "data/mllm_mine.json"), JSON.stringify([0, 1, 2].map((i) => record(`imgs/${i}.png`))));
  writeFileSync(join(wd, "ckpt/release/mp_rank_00/model_optim_rng.pt"), "x".repeat(4096));
  writeFileSync(join(wd, "ckpt/latest_checkpointed_iteration.txt"), "release");
  const plan = resolveTrainingPlan("qwen2.5vl-3b", undefined, {
    outputDir: join(wd, "configs"),
    hfDir: join(wd, "hf"),
    ckptDir: join(wd, "ckpt"),
    saveDir: join(wd, "save"),
    dataset: "data/mllm_mine.json",
    ...(datasetDir ? { datasetDir } : {}),
    trainIters: 20,
  });
  for (const f of plan.files) writeFileSync(join(wd, "configs", f.name), f.text);
  const settings = HostSettingsSchema.parse({ workdir: wd, path: [join(dir, "bin")], cannRoot: join(dir, "Ascend") });
  const hosts = new HostRegistry({ file: null, hosts: { npu: settings } });
  const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
  return { wd, deps, script: "configs/finetune_qwen2_5_vl_3b.sh" };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

const preflight = async (h: ReturnType<typeof host>, confirm = false) =>
  launchTrain.handle(
    launchTrain.input.parse({ host: "npu", script: h.script, masterPort: await freePort(), confirm }),
    h.deps,
  );

describe("launch_train pre-flight and the dataset's images", () => {
  it("fails when the first records' images are not under the config's dataset_dir, naming the rebuild", async () => {
    const h = host("mydata");
    const r = await preflight(h, true);
    expect(r.started).toBe(false);
    const failed = r.checks.find((c) => c.id === "dataset-media");
    expect(failed?.ok).toBe(false);
    expect(failed?.message).toContain(
      `the first record's image imgs/0.png resolves under dataset_dir data (${join(h.wd, "data")}) to ${join(h.wd, "data", "imgs", "0.png")}, which does not exist`,
    );
    const fix = renderHints(failed?.fix ?? "", renderCliHint);
    expect(hintProblems(fix, { host: "npu" })).toEqual([]);
    const rebuild = printedCommands(fix).find((c) => c.tool === "build_configs");
    expect(rebuild?.args).toMatchObject({ host: "npu", datasetDir: "/path/to/images-root", overwrite: true });
    expect(printedCommands(fix).find((c) => c.tool === "validate_dataset")?.args).toMatchObject({
      host: "npu",
      imageDir: join(h.wd, "data"),
    });
  });

  it("names the dataset's own folder when the images are next to it", async () => {
    const h = host("data", "mydata");
    const failed = (await preflight(h)).checks.find((c) => c.id === "dataset-media");
    expect(failed?.ok).toBe(false);
    expect(failed?.fix).toContain(`The images are under ${join(h.wd, "data")}`);
  });

  it("passes that check when the images are under dataset_dir", async () => {
    const h = host("data");
    const r = await preflight(h);
    expect(r.checks.filter((c) => c.id === "dataset-media")).toEqual([]);
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
  });
});
