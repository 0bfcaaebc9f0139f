// The simulated host trains the way MindSpeed-MM does when a dataset's images are not under dataset_dir: the dataset's
// preprocessing opens them, and the run stops there with a Python traceback ending in FileNotFoundError (after the
// converter's "Use original path." warning) instead of finishing. plan_finetune no longer says the first record
// "already fits" then. Each case on its own laid-out sim.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostRegistry } from "../../src/hosts/registry.js";
import type { LaidOutSim } from "../../src/sim/index.js";
import { stopSimProcesses } from "../../src/sim/index.js";
import { invokeTool } from "../../src/tools/invoke.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { CONVERT_7B, freePort, preparedSim, simShell, trainCmd } from "./sim-helpers.js";

const PNG = join(import.meta.dirname, "..", "fixtures", "datasets", "images", "red-20x30.png");
const record = (image: string) => ({
  messages: [
    { role: "user", content: "<image>What colour?" },
    { role: "assistant", content: "Red." },
  ],
  images: [image],
});

let sim: LaidOutSim;
let mm: string;

beforeAll(async () => {
  sim = await preparedSim("healthy");
  mm = sim.hostSettings.workdir!;
  const conv = await simShell(sim.hostSettings, CONVERT_7B());
  expect(conv.code, conv.stderr).toBe(0);
  // The examples' data config reads ./data/mllm_format_llava_instruct_data.json with dataset_dir ./data; the images
  // of these records are left in ./mydata.
  mkdirSync(join(mm, "mydata", "imgs"), { recursive: true });
  for (let i = 0; i < 3; i++) copyFileSync(PNG, join(mm, "mydata", "imgs", `${i}.png`));
  writeFileSync(
    join(mm, "data", "mllm_format_llava_instruct_data.json"),
    JSON.stringify([0, 1, 2].map((i) => record(`imgs/${i}.png`))),
  );
}, 120_000);

afterAll(async () => {
  if (sim) {
    await stopSimProcesses(sim.dir);
    rmSync(sim.dir, { recursive: true, force: true });
  }
});

describe.skipIf(!canBuildSimHost)("the simulated run and a dataset's missing images", () => {
  it("plan_finetune does not call the first record fitting when its images are not under the dataset's folder", async () => {
    const hosts = new HostRegistry({ file: null, hosts: { sim: sim.hostSettings } });
    const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
    const dataset = join(mm, "data", "mllm_format_llava_instruct_data.json");
    const r = await invokeTool(planFinetune, { host: "sim", model: "qwen2.5vl-7b", dataset }, deps);
    await hosts.closeAll();
    if (!r.ok) throw new Error(r.error);
    const steps = (r.result as { steps: { tool: string; status: string; detail: string }[] }).steps;
    const prepare = steps.find((s) => s.tool === "prepare_dataset")!;
    expect(prepare.detail).not.toMatch(/already fits/);
    expect(prepare.detail).toContain(`imgs/0.png resolves under dataset_dir ${join(mm, "data")}`);
    expect(prepare.detail).toMatch(/build_configs \{.*datasetDir/);
    expect(steps.find((s) => s.tool === "validate_dataset")?.status).toBe("todo");
  }, 120_000);

  it("stops at the first missing image with a traceback ending in FileNotFoundError, as MindSpeed-MM's dataloader does", async () => {
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 3 }));
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.code).not.toBe(0);
    expect(out).toContain("Media imgs/0.png does not exist in `media_dir`. Use original path.");
    expect(out).toMatch(/Traceback \(most recent call last\):/);
    expect(out).toMatch(/mm_plugin\.py", line \d+, in _regularize_images/);
    expect(out).toContain("FileNotFoundError: [Errno 2] No such file or directory: 'imgs/0.png'");
    expect(out).not.toMatch(/\] iteration +\d+\//);
  }, 120_000);

  it("trains to the end once the images are under dataset_dir", async () => {
    mkdirSync(join(mm, "data", "imgs"), { recursive: true });
    for (let i = 0; i < 3; i++) copyFileSync(PNG, join(mm, "data", "imgs", `${i}.png`));
    const r = await simShell(sim.hostSettings, trainCmd({ port: await freePort(), iters: 3, save: "save_media" }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\] iteration +3\/ +3/);
  }, 120_000);
});
