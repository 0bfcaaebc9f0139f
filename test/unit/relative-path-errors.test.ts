// A relative path is read from the host's workdir; when nothing is there, the error names the path as read, the rule,
// and the path probably meant: one that repeats the workdir's own last folders (typed from the folder above it), or
// one relative to the current directory on a host that is this machine. build_configs is the fix for a launch script
// only when no script is found either way.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { explainRelativeMiss } from "../../src/hosts/paths.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import launchTrain from "../../src/tools/launch-train.js";
import runInference from "../../src/tools/run-inference.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";

const SCRIPT = "configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh";
const RECORD = {
  messages: [
    { role: "user", content: "hi" },
    { role: "assistant", content: "ok" },
  ],
  images: [],
};

// The layout `sim init ./sim-host` makes, seen from the folder it was run in: the workdir is sim-host/MindSpeed-MM.
let base: string;
let wd: string;
let deps: ToolDeps;
const startDir = process.cwd();

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "relative-path-errors-")));
  wd = join(base, "sim-host", "MindSpeed-MM");
  mkdirSync(join(wd, "configs", "qwen2.5vl-3b"), { recursive: true });
  writeFileSync(join(wd, SCRIPT), "#!/bin/bash\n");
  // A trained checkpoint and its Hugging Face directory, enough for run_inference to reach its image check.
  mkdirSync(join(wd, "save", "release", "mp_rank_00"), { recursive: true });
  writeFileSync(join(wd, "save", "release", "mp_rank_00", "model_optim_rng.pt"), "w");
  writeFileSync(join(wd, "save", "latest_checkpointed_iteration.txt"), "release");
  mkdirSync(join(wd, "hf"), { recursive: true });
  writeFileSync(join(wd, "hf", "config.json"), "{}");
  // The user's own files, next to sim-host (relative to the current directory, not to the workdir).
  mkdirSync(join(base, "mydata", "imgs"), { recursive: true });
  writeFileSync(join(base, "mydata", "train.json"), JSON.stringify([RECORD]));
  writeFileSync(join(base, "mydata", "imgs", "orange.png"), "png");
  const settings = HostSettingsSchema.parse({ workdir: wd, allowedDirs: [base] });
  const hosts = new HostRegistry({ file: null, hosts: { sim: settings } });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
});
afterEach(() => process.chdir(startDir));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const rule = () => `relative paths are read from sim's workdir ${wd}`;
const inTerminal = (text: string) => renderHints(text, renderCliHint);
const overMcp = (text: string) => renderHints(text);
const refusal = (work: Promise<unknown>) =>
  work.then(
    () => "",
    (error: Error) => error.message,
  );

async function scriptCheck(script: string) {
  const r = await launchTrain.handle(launchTrain.input.parse({ host: "sim", script }), deps);
  expect(r.preflightOk).toBe(false);
  return r.checks.find((c) => c.id === "script")!;
}

describe("launch_train with a relative script that is not in the workdir", () => {
  it("a path that repeats the workdir's last folders names the doubled path, the rule and the call with the path meant", async () => {
    process.chdir(base);
    const check = await scriptCheck(`sim-host/MindSpeed-MM/${SCRIPT}`);
    expect(check.message).toContain(`${wd}/sim-host/MindSpeed-MM/${SCRIPT} does not exist on sim`);
    expect(check.message).toContain(rule());
    expect(check.message).toContain(`(sim-host/MindSpeed-MM)`);
    expect(check.message).toContain(`relative to the workdir it is ${SCRIPT}.`);
    // The configs were just built: no "run build_configs first", but the call that finds them.
    expect(check.fix).not.toContain("build_configs");
    expect(overMcp(check.fix!)).toBe(`Call again with script: "${SCRIPT}".`);
    expect(inTerminal(check.fix!)).toBe(`Call again with --script ${SCRIPT}.`);
  });

  it("a path that exists relative to the current directory is given back absolute", async () => {
    mkdirSync(join(base, "mine"), { recursive: true });
    writeFileSync(join(base, "mine", "finetune.sh"), "#!/bin/bash\n");
    process.chdir(base);
    const check = await scriptCheck("mine/finetune.sh");
    expect(check.message).toContain(`${wd}/mine/finetune.sh does not exist on sim: ${rule()}.`);
    expect(check.message).toContain(`It exists relative to the current directory ${base}`);
    expect(overMcp(check.fix!)).toBe(`Call again with script: "${join(base, "mine", "finetune.sh")}".`);
  });

  it("a script found nowhere still says where it was looked for, and build_configs is the fix", async () => {
    process.chdir(base);
    const check = await scriptCheck("sim-host/MindSpeed-MM/configs/other/finetune.sh");
    expect(check.message).toContain(rule());
    expect(check.message).toContain(
      "relative to the workdir it is configs/other/finetune.sh, which does not exist either",
    );
    expect(check.fix).toMatch(/^Run build_configs first/);
    const plain = await scriptCheck("configs/nope.sh");
    expect(plain.message).toBe(`The launch script ${wd}/configs/nope.sh does not exist on sim: ${rule()}.`);
    expect(plain.fix).toMatch(/^Run build_configs first/);
  });
});

describe("validate_dataset with a relative path that is not in the workdir", () => {
  it("names the path as read, the rule, and the file relative to the current directory", async () => {
    process.chdir(base);
    const message = await refusal(
      validateDataset.handle(validateDataset.input.parse({ host: "sim", path: "mydata/train.json" }), deps),
    );
    expect(message).toContain(`${wd}/mydata/train.json does not exist on sim or is not a file: ${rule()}.`);
    expect(message).toContain(`as an absolute path, ${base}/mydata/train.json`);
    expect(inTerminal(message)).toContain(`Call again with --path ${base}/mydata/train.json.`);
    // The path given again works.
    const r = await validateDataset.handle(
      validateDataset.input.parse({ host: "sim", path: `${base}/mydata/train.json` }),
      deps,
    );
    expect(r.records).toBe(1);
  });

  it("a file found nowhere names the path as read and the rule", async () => {
    process.chdir(base);
    const message = await refusal(
      validateDataset.handle(validateDataset.input.parse({ host: "sim", path: "nodata/train.json" }), deps),
    );
    expect(message).toBe(
      `nodata/train.json: ${wd}/nodata/train.json does not exist on sim or is not a file: ${rule()}.`,
    );
  });
});

describe("run_inference with a relative image that is not in the workdir", () => {
  it("names the image as read, the rule, and the images to pass instead", async () => {
    process.chdir(base);
    const args = { host: "sim", checkpointDir: "save", model: "qwen2.5vl-3b", hfDir: "hf" };
    const message = await refusal(
      runInference.handle(runInference.input.parse({ ...args, images: ["mydata/imgs/orange.png"] }), deps),
    );
    expect(message).toContain(`Not on sim: ${wd}/mydata/imgs/orange.png; ${rule()}.`);
    expect(message).toContain(`as an absolute path, ${base}/mydata/imgs/orange.png`);
    expect(inTerminal(message)).toContain(`Call again with --images ${base}/mydata/imgs/orange.png.`);
  });
});

describe("explainRelativeMiss", () => {
  it("looks in the current directory only on a host that is this machine", async () => {
    process.chdir(base);
    const executor = new LocalExecutor("far", HostSettingsSchema.parse({ workdir: wd }));
    const remote = await explainRelativeMiss(executor, "far", { workdir: wd, ssh: "far.example" }, "mydata/train.json");
    expect(remote).toEqual({
      resolved: `${wd}/mydata/train.json`,
      rule: `relative paths are read from far's workdir ${wd}`,
      meant: "",
      corrected: null,
    });
    const local = await explainRelativeMiss(executor, "here", { workdir: wd }, "mydata/train.json");
    expect(local?.corrected).toBe(`${base}/mydata/train.json`);
  });

  it("says nothing for a file that is there, an absolute path or a host without a workdir", async () => {
    const executor = new LocalExecutor("sim", HostSettingsSchema.parse({ workdir: wd }));
    expect(await explainRelativeMiss(executor, "sim", { workdir: wd }, SCRIPT)).toBeNull();
    expect(await explainRelativeMiss(executor, "sim", { workdir: wd }, "/nope/x.sh")).toBeNull();
    expect(await explainRelativeMiss(executor, "sim", {}, "nope/x.sh")).toBeNull();
  });
});
