// The canary's pieces: the edited copy of the launch script (few iterations, nothing saved, the real save directory
// untouched), following a growing log on a host, and what it projects onto the configured run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ALLOWANCE_GIB } from "../../src/estimate/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import {
  canaryReport,
  canaryScript,
  canaryYaml,
  followLog,
  pointScriptAt,
  relaxSaveChecks,
  summarizeCanary,
} from "../../src/runs/canary.js";
import { parseLaunchScript } from "../../src/runs/launch-script.js";
import launchTrain from "../../src/tools/launch-train.js";

const SCRIPT = [
  "#!/bin/bash",
  'SAVE_PATH="/data/save/qwen"',
  "LOAD_PATH=/data/ckpt",
  'GPT_ARGS="',
  "    --train-iters 5000 \\",
  "    --seq-length 1024 \\",
  '"',
  'OUTPUT_ARGS="',
  "    --save-interval 1000 \\",
  "    --save $SAVE_PATH \\",
  "    --ckpt-format torch \\",
  '"',
  "torchrun pretrain_vlm.py $GPT_ARGS $OUTPUT_ARGS",
  "find $SAVE_PATH -type d -exec chmod 750 {} \\;",
  "",
].join("\n");

/** A MindSpeed-MM iteration line as the trainer prints it. */
const iterationLine = (it: number, total: number, ms: number) =>
  ` [2026-12-02 21:00:${String(it).padStart(2, "0")}] iteration ${String(it).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${String(it * 8).padStart(12)} | elapsed time per iteration (ms): ${ms.toFixed(1)} | learning rate: 1.000000E-05 | global batch size:     8 | loss: 1.200000E+00 | loss scale: 1.0 | grad norm: 1.000 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
const memoryLine =
  "[Rank 0] (after 1 iterations) memory (MB) | allocated: 20480.0 | max allocated: 24576.0 | reserved: 30000.0 | max reserved: 30000.0";

describe("the canary's copy of the launch script", () => {
  it("runs the asked iterations, saves nothing and points SAVE_PATH at a scratch folder", () => {
    const edit = canaryScript(SCRIPT, 20, "/home/u/.ascend-train/runs/r1.canary-save");
    expect(edit.problems).toEqual([]);
    const info = parseLaunchScript(edit.text);
    expect(info.flags["train-iters"]).toBe("20");
    expect(info.flags.save).toBeUndefined();
    // the interval stays (harmless without --save); the load path is the real one
    expect(info.flags["save-interval"]).toBe("1000");
    expect(info.loadPath).toBe("/data/ckpt");
    expect(edit.text).not.toContain("/data/save/qwen");
    expect(edit.text).toMatch(/^SAVE_PATH='?\/home\/u\/\.ascend-train\/runs\/r1\.canary-save'?$/m);
    expect(edit.changes).toEqual([
      "--train-iters 20",
      "SAVE_PATH=/home/u/.ascend-train/runs/r1.canary-save",
      "removed --save (no checkpoint)",
    ]);
  });

  it("reads a flag value that starts with 2 as the value (2048, 20), not as a redirection", () => {
    const info = parseLaunchScript(
      'GPT_ARGS="\n    --seq-length 2048 \\\n    --train-iters 20 \\\n"\ntorchrun x.py $GPT_ARGS 2>&1 | tee l\n',
    );
    expect(info.flags["seq-length"]).toBe("2048");
    expect(info.flags["train-iters"]).toBe("20");
  });

  it("names the problem when the script passes no --train-iters", () => {
    const edit = canaryScript(SCRIPT.replace("--train-iters 5000", ""), 20, "/tmp/x");
    expect(edit.problems).toEqual(["the script passes no --train-iters flag"]);
  });

  it("a YAML backend's copy sets training.train_iters and drops training.save; the script runs that copy", () => {
    const yaml = [
      "parallel:",
      "  fully_shard_parallel_size: auto",
      "training:",
      "  micro_batch_size: 1",
      "  train_iters: 10000",
      "  save_interval: 10000",
      "  load: ./ckpt/hf_path/Qwen35",
      "  save: ./save_path",
      "",
    ].join("\n");
    const edit = canaryYaml(yaml, 8);
    expect(edit.problems).toEqual([]);
    expect(edit.text).toContain("train_iters: 8");
    expect(edit.text).not.toContain("save: ./save_path");
    expect(edit.text).toContain("load: ./ckpt/hf_path/Qwen35");
    expect(edit.changes).toEqual(["training.train_iters: 8", "removed training.save (no checkpoint)"]);
    // gpt_args (the Megatron-flavoured YAML) is edited the same way
    expect(canaryYaml("gpt_args:\n  train_iters: 5\n  save: /s\n", 4).text).toBe("gpt_args:\n  train_iters: 4\n");
    expect(canaryYaml("training:\n  lr: 1\n", 4).problems).toEqual(["the config has no training.train_iters"]);
    const script = 'config_path="examples/qwen3_5/qwen3_5_4B_config.yaml"\ntorchrun x.py $config_path\n';
    expect(pointScriptAt(script, "examples/qwen3_5/qwen3_5_4B_config.yaml", "/l/r1.canary.cfg.yaml")).toBe(
      "config_path=/l/r1.canary.cfg.yaml\ntorchrun x.py $config_path\n",
    );
  });

  it("keeps the save-directory and disk checks as information: a canary writes no checkpoint", () => {
    const checks = relaxSaveChecks([
      { id: "save-dir", host: "h", ok: false, level: "error", message: "save dir holds checkpoints", fix: "x" },
      { id: "npus", host: "h", ok: false, level: "error", message: "busy", fix: "y" },
    ]);
    expect(checks[0]).toMatchObject({ ok: true, level: "info" });
    expect(checks[1]).toMatchObject({ ok: false, level: "error" });
  });
});

describe("what a canary measures", () => {
  it("states the estimate with and without the allowance and the ratio in words, not a bare percentage", () => {
    const canary = canaryReport(
      { lines: [], reached: 5, maxAllocatedMiB: 11 * 1024, ended: "reached" },
      {
        iterations: 5,
        npus: 8,
        configuredIterations: 5000,
        estimatedPeakGiB: 29.71,
        stopped: true,
        logFile: "/w/logs/train_r1.log",
      },
    );
    expect(canary).toMatchObject({ estimatedPeakGiB: 29.71, estimatedTensorsGiB: 26.71, estimateToMeasured: 2.43 });
    const text = summarizeCanary(canary);
    expect(text).toContain(
      `measured max allocated 11.0 GiB vs estimated 26.71 GiB of tensors (estimate_memory's 29.71 GiB less its ${ALLOWANCE_GIB} GiB allowance for the runtime): the estimate is 2.43× the measured peak`,
    );
    expect(text).not.toMatch(/\d%\)/);
    expect(text).toContain("launch_train stopped the canary: nothing of it runs now.");
    const under = summarizeCanary({ ...canary, estimateToMeasured: 0.8 });
    expect(under).toContain("the measured peak is 1.25× the estimate");
    expect(summarizeCanary({ ...canary, stopped: false })).toContain(
      "The canary ended after its iterations: nothing of it runs now.",
    );
    // launch_train's summary: the canary's start, then its result, then what to do next.
    const out = launchTrain.summarize({
      runId: "run-20261202-120000-abcd",
      started: true,
      preflightOk: true,
      checks: [],
      plan: null,
      pids: [{ host: "npu", pid: 4510 }],
      exitedEarly: [],
      slurm: null,
      next: "Canary done; start the real run.",
      canary,
    });
    const lines = out.split("\n");
    expect(lines[0]).toBe("Started canary run-20261202-120000-abcd on npu (pid 4510).");
    expect(lines[1]).toMatch(/^Canary: iteration 5\/5 \(reached, stopped\)/);
    expect(lines.at(-1)).toBe("Canary done; start the real run.");
  });

  it("takes the median after the warm-up and projects it onto the configured iterations", () => {
    const lines = [
      iterationLine(1, 10, 9000),
      memoryLine,
      iterationLine(2, 10, 3000),
      ...[3, 4, 5, 6, 7].map((i) => iterationLine(i, 10, [2000, 2100, 1900, 2050, 5000][i - 3]!)),
    ];
    const r = canaryReport(
      { lines, reached: 7, maxAllocatedMiB: 24576, ended: "reached" },
      {
        iterations: 7,
        npus: 8,
        seqLength: 1024,
        configuredIterations: 5000,
        estimatedPeakGiB: 27,
        stopped: true,
        logFile: "/w/logs/train_r1.log",
      },
    );
    // iterations 3–7: 1.9, 2.0, 2.05, 2.1, 5.0 s → median 2.05 s; the slow first two are warm-up
    expect(r.secondsPerIteration).toBe(2.05);
    expect(r.etaSeconds).toBe(Math.round(2.05 * 5000));
    expect(r.npuHours).toBeCloseTo((2.05 * 5000 * 8) / 3600, 1);
    // 8 samples × 1024 tokens per 2.05 s
    expect(r.tokensPerSecond).toBe(Math.round((8 * 1024) / 2.05));
    expect(r.estimatedTensorsGiB).toBe(27 - ALLOWANCE_GIB);
    expect(r.memoryErrorPercent).toBeCloseTo((((27 - ALLOWANCE_GIB) * 1024 - 24576) / 24576) * 100, 1);
  });

  it("reports no pace when no iteration was timed", () => {
    const r = canaryReport(
      { lines: ["starting"], reached: 0, maxAllocatedMiB: null, ended: "exited" },
      {
        iterations: 5,
        npus: 8,
        configuredIterations: 100,
        estimatedPeakGiB: null,
        stopped: false,
        logFile: "l",
      },
    );
    expect(r.secondsPerIteration).toBeNull();
    expect(r.etaSeconds).toBeNull();
    expect(r.memoryErrorPercent).toBeNull();
  });
});

describe("following a canary's log on a host", () => {
  const dir = mkdtempSync(join(tmpdir(), "canary-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const executor = new LocalExecutor("canary", HostSettingsSchema.parse({ workdir: dir }));

  it("returns once the log shows the asked iteration, with progress on the way and the memory line kept", async () => {
    const log = join(dir, "grow.log");
    writeFileSync(log, "");
    const seen: number[] = [];
    let it = 0;
    const writer = setInterval(() => {
      it += 1;
      void appendFile(log, `${iterationLine(it, 100, 1000)}\n${it === 1 ? `${memoryLine}\n` : ""}`);
    }, 40);
    try {
      const r = await followLog(executor, log, {
        iterations: 6,
        deadline: Date.now() + 20_000,
        pollMs: 30,
        alive: async () => true,
        progress: (n) => seen.push(n),
      });
      expect(r.ended).toBe("reached");
      expect(r.reached).toBeGreaterThanOrEqual(6);
      expect(r.maxAllocatedMiB).toBe(24576);
      expect(seen.length).toBeGreaterThan(1);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    } finally {
      clearInterval(writer);
    }
  });

  it("says the run exited when its process is gone before the iteration", async () => {
    const log = join(dir, "dead.log");
    writeFileSync(log, `${iterationLine(1, 100, 1000)}\nRuntimeError: NPU out of memory\n`);
    const r = await followLog(executor, log, {
      iterations: 10,
      deadline: Date.now() + 20_000,
      pollMs: 10,
      alive: async () => false,
      progress: () => undefined,
    });
    expect(r).toMatchObject({ ended: "exited", reached: 1 });
  });

  it("gives up at the deadline", async () => {
    const log = join(dir, "slow.log");
    writeFileSync(log, `${iterationLine(1, 100, 1000)}\n`);
    const r = await followLog(executor, log, {
      iterations: 10,
      deadline: Date.now() + 100,
      pollMs: 20,
      alive: async () => true,
      progress: () => undefined,
    });
    expect(r.ended).toBe("timeout");
  });
});
