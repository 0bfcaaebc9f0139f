// What stop_run suggests after a stop, read from the run's save directory, launch script and log: the checkpoint
// layouts (Megatron's iter_XXXXXXX with its tracker, the Trainer's checkpoint-N), checkpoints without optimizer
// state, and a loss that went NaN.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import type { RunRecord } from "../../src/runs/types.js";
import { afterStop, savedCheckpoints } from "../../src/tools/stop-run.js";
import { runRecord } from "../helpers/run-record.js";

let dir: string;
let hosts: HostRegistry;
const now = () => new Date();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stop-next-"));
  hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number, loss: string) =>
  `iteration ${i}/100 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 500.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: ${loss} | grad norm: 1.000 |`;

/** A Megatron run in its own folder: a script, a save directory with iterations 10 and 20, and a log. */
function megatronRun(name: string, opts: { scriptFlags: string; losses: string[] }): RunRecord {
  const root = join(dir, name);
  const save = join(root, "save");
  for (const i of [10, 20])
    mkdirSync(join(save, `iter_${String(i).padStart(7, "0")}`, "mp_rank_00"), { recursive: true });
  writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "20");
  const script = join(root, "finetune.sh");
  writeFileSync(
    script,
    `#!/bin/bash\nSAVE_PATH=${save}\ntorchrun pretrain_vlm.py --save $SAVE_PATH --save-interval 10 ${opts.scriptFlags}\n`,
  );
  const log = join(root, "train.log");
  writeFileSync(log, `${opts.losses.map((l, k) => line(k * 5 + 5, l)).join("\n")}\n`);
  return runRecord({ id: "run-20261202-120000-abcd", workdir: root, root, trainIters: 100 });
}

const healthy = ["2.1", "1.9", "1.7", "1.6", "1.5"];

describe("stop_run's next step", () => {
  it("a checkpoint saved with --no-save-optim: the hint names allowFreshOptimizer and what it means", async () => {
    const r = megatronRun("no-optim", { scriptFlags: "--no-save-optim --no-save-rng", losses: healthy });
    const next = await afterStop(hosts, r, now);
    expect(next).toContain("allowFreshOptimizer");
    expect(next).toContain("new optimizer");
    expect(next).toContain("iteration 20");
  });

  it("a checkpoint with optimizer state: plain resume_run from the latest", async () => {
    const r = megatronRun("with-optim", { scriptFlags: "", losses: healthy });
    const next = await afterStop(hosts, r, now);
    expect(next).toContain("continues from its latest checkpoint (iteration 20)");
    expect(next).not.toContain("allowFreshOptimizer");
  });

  it("a NaN loss: diagnose_error first, and only the checkpoint before the divergence", async () => {
    const r = megatronRun("nan", { scriptFlags: "", losses: ["2.1", "1.9", "1.7", "nan", "nan"] });
    const next = await afterStop(hosts, r, now);
    expect(next).toContain("loss diverged");
    expect(next).toContain("diagnose_error");
    // NaN from iteration 20 on: iteration 10 is the last checkpoint before it, not the latest (20).
    expect(next).toContain("iter_0000010 (iteration 10)");
    expect(next).not.toContain("continues from its latest checkpoint");
  });

  it("a NaN loss before any checkpoint: no resume is suggested", async () => {
    const r = megatronRun("nan-early", { scriptFlags: "", losses: ["nan", "nan", "nan", "nan", "nan"] });
    const next = await afterStop(hosts, r, now);
    expect(next).toContain("No checkpoint of this run predates the divergence");
    expect(next).not.toContain("resume_run");
  });

  it("reads the Trainer's checkpoint-N folders", async () => {
    const r = megatronRun("trl", { scriptFlags: "", losses: healthy });
    const out = join(r.workdir, "outputs", "trl-sft");
    for (const i of [250, 500]) mkdirSync(join(out, `checkpoint-${i}`), { recursive: true });
    const saved = await savedCheckpoints(hosts, { ...r, saveDir: "outputs/trl-sft" });
    expect(saved).toMatchObject({ layout: "transformers", latest: 500, iterations: [250, 500] });
    expect(saved?.pathOf(250)).toBe(join(out, "checkpoint-250"));
  });
});
