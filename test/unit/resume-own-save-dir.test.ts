// resume_run after the configs were rebuilt: the resumed run loads the checkpoints of the run's own save directory
// (its record's saveDir), not the one the rebuilt script names, and the plan says which of the run's files changed
// since it launched; a rebuilt parallel layout, which the checkpoint was not saved in, is refused with its fix.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { filesChangedSinceLaunch, ownSaveDirScript } from "../../src/runs/resume.js";
import { renderHints } from "../../src/text/hint.js";
import launchTrain from "../../src/tools/launch-train.js";
import resumeRun from "../../src/tools/resume-run.js";
import stopRun from "../../src/tools/stop-run.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { hintProblems } from "../helpers/cli-hints.js";
import { type LocalTrainableSim, localTrainableSim, simToolDeps, waitFor } from "../helpers/local-sim.js";
import { freePort } from "../helpers/server-probe.js";

let sim: LocalTrainableSim;
let deps: ToolDeps;
let wd: string;
const firstSave = () => join(wd, "save", "first");
const rebuiltSave = () => join(wd, "save", "rebuilt");

/** build-configs for the sim's qwen2.5vl-3b, saving every 5 iterations into `saveDir`, over the files already there. */
function build(saveDir: string, ...extra: string[]) {
  const r = sim.cli([
    "build-configs",
    "--model",
    "qwen2.5vl-3b",
    "--host",
    sim.name,
    "--output-dir",
    join(wd, "configs", sim.name),
    "--hf-dir",
    join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
    "--ckpt-dir",
    join(wd, "ckpt/mm/qwen2.5vl-3b"),
    "--save-dir",
    saveDir,
    "--dataset",
    join(wd, "data/train.json"),
    "--train-iters",
    "5000",
    "--save-interval",
    "5",
    "--save-optimizer",
    "--overwrite",
    "--json",
    ...extra,
  ]);
  expect(r.status, r.stderr).toBe(0);
}

const errorsOf = (r: { checks: { level: string; message: string; fix: string | null; id: string }[] }) =>
  r.checks.filter((c) => c.level === "error");

let runId: string;
let savedIteration: number;

beforeAll(async () => {
  sim = await localTrainableSim("resumeown", "0.05");
  wd = sim.settings.workdir!;
  deps = simToolDeps(sim);
  build(firstSave());
  const launched = await launchTrain.handle(
    launchTrain.input.parse({
      host: sim.name,
      script: sim.script,
      masterPort: await freePort(),
      confirm: true,
      settleSeconds: 0.5,
    }),
    deps,
  );
  expect(launched.started, JSON.stringify(launched.checks)).toBe(true);
  runId = launched.runId;
  const tracker = join(firstSave(), "latest_checkpointed_iteration.txt");
  await waitFor("a first checkpoint", () => existsSync(tracker));
  await stopRun.handle(stopRun.input.parse({ runId, confirm: true, graceSeconds: 5 }), deps);
  savedIteration = Number(readFileSync(tracker, "utf8").trim());
  expect(savedIteration).toBeGreaterThan(0);
}, 180_000);

afterAll(async () => {
  await sim?.cleanup();
});

describe("resume_run after the configs were rebuilt with a new save directory", () => {
  it("loads the run's own save directory and names what changed since it launched", async () => {
    build(rebuiltSave(), "--lr", "2e-5");
    const plan = await resumeRun.handle(resumeRun.input.parse({ runId }), deps);
    expect(errorsOf(plan)).toEqual([]);
    expect(plan.resumeIteration).toBe(savedIteration);
    expect(plan.changes).toContain(`LOAD_PATH=${firstSave()}`);
    // The resumed run goes on saving where its checkpoints are, not into the rebuilt configs' new directory.
    expect(plan.changes).toContain(`SAVE_PATH=${firstSave()}`);
    const changed = plan.checks.find((c) => c.id === "resume-changes");
    expect(changed?.level).toBe("warning");
    expect(changed?.message).toContain(sim.script);
    expect(changed?.message).toContain(runId);
    expect(resumeRun.summarize(plan)).toContain(`from iteration ${savedIteration}`);

    const started = await resumeRun.handle(resumeRun.input.parse({ runId, confirm: true, settleSeconds: 1 }), deps);
    expect(started.started, JSON.stringify(errorsOf(started))).toBe(true);
    const log = started.plan!.nodes[0]!.logFile;
    await waitFor("the resumed run's load", () =>
      existsSync(log) ? /loading checkpoint from (\S+) at iteration (\d+)/.exec(readFileSync(log, "utf8")) : null,
    ).then((m) => {
      expect(m[1]).toBe(firstSave());
      expect(Number(m[2])).toBe(savedIteration);
    });
    await stopRun.handle(stopRun.input.parse({ runId: started.runId, confirm: true, graceSeconds: 5 }), deps);
    expect(existsSync(rebuiltSave())).toBe(false);
  }, 120_000);

  it("refuses a rebuilt parallel layout the checkpoint was not saved in, naming the run's layout", async () => {
    build(rebuiltSave(), "--tp", "2");
    const plan = await resumeRun.handle(resumeRun.input.parse({ runId }), deps);
    const layout = errorsOf(plan).find((c) => c.id === "resumable" && /layout/.test(c.message));
    expect(layout?.message).toMatch(/layout \(TP 2, PP 1, CP 1\) than run .* in \(TP 1, PP 1, CP 1\)/);
    expect(layout?.fix).toContain('"tp":1');
    // In the terminal the fix is commands with the CLI's own flags.
    const inTerminal = renderHints(layout!.fix!, renderCliHint);
    expect(inTerminal).toContain("--tp 1");
    expect(hintProblems(inTerminal, { host: sim.name })).toEqual([]);
    expect(plan.started).toBe(false);
  }, 60_000);
});

describe("pointing a rebuilt launch script at the run's save directory", () => {
  const own = "/w/save/first";
  it("points SAVE_PATH, or a literal --save, and leaves a script that saves there already alone", () => {
    const viaVar = 'SAVE_PATH="save/rebuilt"\ntorchrun x.py \\\n  --save $SAVE_PATH \\\n  --save-interval 5\n';
    const edited = ownSaveDirScript(viaVar, own, "/w");
    expect(edited?.changes).toEqual([`SAVE_PATH=${own}`]);
    expect(edited?.text).toContain(`SAVE_PATH=${own}\n`);
    expect(edited?.text).toContain("--save-interval 5");
    const literal = ownSaveDirScript("torchrun x.py --save /w/save/rebuilt --lr 1e-5\n", own, "/w");
    expect(literal?.text).toBe(`torchrun x.py --save ${own} --lr 1e-5\n`);
    expect(ownSaveDirScript('SAVE_PATH="save/first/"\ntorchrun x.py --save $SAVE_PATH\n', own, "/w")).toBeNull();
    expect(ownSaveDirScript("torchrun x.py --lr 1e-5\n", own, "/w")).toBeNull();
  });

  it("compares a resumed run's files by path, not its ledger copies against the files they were copied from", () => {
    const launched = { "/w/configs/run.sh": "a", "/w/configs/data.json": "b", "/w/configs/main.yaml": "c" };
    const now = {
      "/w/.ascend-train/runs/run-x.run.resume.sh": "d",
      "/w/.ascend-train/runs/run-x.main.yaml": "e",
      "/w/configs/data.json": "f",
      "/w/data/extra.json": "g",
    };
    expect(filesChangedSinceLaunch(launched, now, "/w/.ascend-train/runs/")).toEqual({
      changed: ["/w/configs/data.json"],
      gone: ["/w/configs/main.yaml"],
      added: ["/w/data/extra.json"],
    });
  });
});
