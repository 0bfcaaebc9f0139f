import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LogAccumulator } from "../../src/logs/accumulator.js";
import { extractMetrics } from "../../src/logs/extract.js";
import { decideState, errorHeadline } from "../../src/logs/state.js";

interface LineOpts {
  loss?: string | number;
  ms?: number;
  grad?: string | number;
  skipped?: number;
  nan?: number;
}

/** A line in the exact padded shape MindSpeed-MM's training_log prints. */
function mm(i: number, total: number, o: LineOpts = {}): string {
  const loss = typeof o.loss === "string" ? o.loss : (o.loss ?? 10 - i * 0.01).toExponential(6).toUpperCase();
  const grad = typeof o.grad === "string" ? o.grad : (o.grad ?? 3.2).toFixed(3);
  return ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${String(i * 192).padStart(12)} | elapsed time per iteration (ms): ${(o.ms ?? 9000).toFixed(1)} | learning rate: 1.000000E-05 | global batch size:   192 | tokens per sample: 5.120000E+02 | loss: ${loss} | loss scale: 1.0 | grad norm: ${grad} | number of skipped iterations: ${String(o.skipped ?? 0).padStart(3)} | number of nan iterations: ${String(o.nan ?? 0).padStart(3)} |`;
}

function analyse(lines: string[]) {
  const acc = new LogAccumulator();
  for (const l of lines) acc.push(l);
  return acc.analysis();
}

const ctx = { silenceSeconds: 5, processAlive: null, stallFactor: 5 };
const run = (n: number, total = 1000, o: (i: number) => LineOpts = () => ({})) =>
  Array.from({ length: n }, (_, k) => mm(k + 1, total, o(k + 1)));

describe("run state", () => {
  it("is running while iterations arrive, with throughput inputs", () => {
    const a = analyse(["training ...", ...run(30)]);
    expect(a.latest).toMatchObject({
      iteration: 30,
      totalIterations: 1000,
      globalBatchSize: 192,
      tokensPerSample: 512,
    });
    expect(a.medianStepMs).toBe(9000);
    expect(a.iterationsSeen).toBe(30);
    expect(decideState(a, ctx).state).toBe("running");
  });

  it("is finished after the trainer's end line", () => {
    const a = analyse([...run(10, 10), "[after training is done] datetime: 2026-04-28 12:00:00 "]);
    expect(decideState(a, ctx)).toMatchObject({ state: "finished" });
  });

  it("is failed with the first error lines when the log ends in a traceback", () => {
    const tail = [
      "Traceback (most recent call last):",
      '  File "pretrain_vlm.py", line 400, in <module>',
      "RuntimeError: NPU out of memory. Tried to allocate 386.00 MiB (NPU 2; 60.97 GiB total capacity; 59.57 GiB already allocated)",
      "[ERROR] 2025-06-09-06:57:54 (PID:92380, Device:0, RankID:-1) ERR99999 UNKNOWN applicaiton exception",
    ];
    const a = analyse([...run(12), ...tail]);
    const v = decideState(a, ctx);
    expect(v.state).toBe("failed");
    expect(v.reason).toContain("after iteration 12/1000");
    expect(a.error?.lines).toEqual(tail);
    expect(a.error?.afterIteration).toBe(12);
  });

  it("is running again when iterations follow an error (the error was not fatal)", () => {
    const a = analyse([...run(5), "RuntimeError: transient", mm(6, 1000)]);
    expect(a.error).toBeNull();
    expect(a.recoveredErrors).toBe(1);
    expect(decideState(a, ctx).state).toBe("running");
  });

  it("is stalled when the log is silent for k× the step time and the process lives", () => {
    const a = analyse(run(20, 1000, () => ({ ms: 20_000 })));
    expect(decideState(a, { ...ctx, silenceSeconds: 60 }).state).toBe("running");
    const v = decideState(a, { silenceSeconds: 3600, processAlive: true, stallFactor: 5 });
    expect(v.state).toBe("stalled");
    expect(v.stallAfterSeconds).toBe(100);
    expect(v.reason).toContain("still alive");
  });

  it("accounts for the log interval when judging silence", () => {
    const a = analyse(Array.from({ length: 20 }, (_, k) => mm((k + 1) * 10, 1000, { ms: 20_000 })));
    expect(a.logInterval).toBe(10);
    expect(decideState(a, { ...ctx, silenceSeconds: 600 }).state).toBe("running");
    expect(decideState(a, { ...ctx, silenceSeconds: 1200 }).state).toBe("stalled");
  });

  it("is failed when the process is gone mid-run, finished when it is gone after the last iteration", () => {
    expect(decideState(analyse(run(10, 100)), { ...ctx, processAlive: false }).state).toBe("failed");
    expect(decideState(analyse(run(10, 10)), { ...ctx, processAlive: false }).state).toBe("finished");
  });

  it("is starting with only setup lines, failed on SIGTERM, unknown for another format", () => {
    expect(decideState(analyse(["[after megatron is initialized] datetime: 2026-04-28 10:00:00 "]), ctx).state).toBe(
      "starting",
    );
    expect(decideState(analyse([...run(3), "exiting program after receiving SIGTERM."]), ctx).state).toBe("failed");
    // A Transformers/TRL trainer log is read (its own parser); a format no parser knows stays unknown.
    const hf = analyse([
      "  5%|▌         | 50/1000 [01:00<19:00,  1.20s/it]",
      "{'loss': 1.2, 'grad_norm': 3.4, 'learning_rate': 1e-05, 'epoch': 0.1}",
    ]);
    expect(hf.latest).toMatchObject({ iteration: 50, totalIterations: 1000, loss: 1.2 });
    const other = analyse(["epoch 1 | step 5 | loss=1.2", "Step 5/100 | loss 1.2"]);
    expect(other.latest).toBeNull();
    expect(decideState(other, ctx).state).toBe("unknown");
  });
});

describe("a log holding more than one run", () => {
  it("starts per-run figures over when the iteration count goes back", () => {
    const a = analyse([...run(50, 100, () => ({ ms: 500 })), ...run(5, 2000, () => ({ ms: 9000 }))]);
    expect(a.runRestarts).toBe(1);
    expect(a.first?.iteration).toBe(1);
    expect(a.latest).toMatchObject({ iteration: 5, totalIterations: 2000 });
    expect(a.medianStepMs).toBe(9000);
    expect(a.curve.map((p) => p.iteration)).toEqual([1, 2, 3, 4, 5]);
    expect(a.warnings.map((w) => w.kind)).not.toContain("step_time_drift");
  });
});

describe("warnings", () => {
  it("flags NaN loss, loss spikes and exploding grad norms", () => {
    const a = analyse([
      ...run(30, 1000, () => ({ loss: 2.0, grad: 1.5 })),
      mm(31, 1000, { loss: 9.0, grad: 1.5 }),
      mm(32, 1000, { loss: 2.0, grad: 80 }),
      mm(33, 1000, { loss: "NAN", grad: "nan", nan: 1 }),
    ]);
    const kinds = Object.fromEntries(a.warnings.map((w) => [w.kind, w]));
    expect(kinds.loss_spike?.iteration).toBe(31);
    expect(kinds.grad_norm_explosion?.iteration).toBe(32);
    expect(kinds.nonfinite_loss?.iteration).toBe(33);
    expect(a.latest?.loss).toBeNaN();
  });

  it("counts a repeated warning by the logged iterations it was seen on, and names the latest", () => {
    // The trainer's own NaN count and the NaN loss on the same iteration are one sighting, not two.
    const a = analyse([
      ...run(20, 1000, () => ({ loss: 2.0 })),
      ...run(5, 1000).map((_, k) => mm(21 + k, 1000, { loss: "NAN", nan: k + 1 })),
    ]);
    const nan = a.warnings.find((w) => w.kind === "nonfinite_loss")!;
    expect(nan).toMatchObject({ iteration: 21, count: 5, lastIteration: 25 });
    expect(nan.message).toBe("loss is NaN at iteration 21; seen on 5 logged iterations, the latest 25");
  });

  it("says first in a running run's reason that its loss went NaN, and since when; a finite loss says nothing of it", () => {
    const nan = analyse([
      ...run(20, 1000, () => ({ loss: 2.0 })),
      ...run(5, 1000).map((_, k) => mm(21 + k, 1000, { loss: "NAN", nan: k + 1 })),
    ]);
    const v = decideState(nan, ctx);
    expect(v.state).toBe("running");
    expect(v.reason).toMatch(/^loss is NaN since iteration 21: the run is no longer learning/);
    const inf = decideState(analyse([...run(3), mm(4, 1000, { loss: "INF" })]), ctx);
    expect(inf.reason).toMatch(/^loss is Infinity since iteration 4: /);
    expect(decideState(analyse(run(25)), ctx).reason).not.toMatch(/loss is/);
  });

  it("does not flag a smoothly falling loss", () => {
    const a = analyse(run(200, 1000, (i) => ({ loss: 10 * Math.exp(-i / 50) + 1 + 0.05 * Math.sin(i) })));
    expect(a.warnings).toEqual([]);
  });

  it("flags skipped iterations and step time drifting up", () => {
    const a = analyse(run(60, 1000, (i) => ({ ms: i < 30 ? 1000 : 1600, skipped: i === 5 ? 2 : 0 })));
    const kinds = a.warnings.map((w) => w.kind);
    expect(kinds).toContain("skipped_iterations");
    expect(kinds).toContain("step_time_drift");
    expect(a.skippedIterationsTotal).toBe(2);
  });
});

describe("extractMetrics", () => {
  it("parses a streamed log split at arbitrary chunk boundaries, in bounded memory for the curve", async () => {
    const text = `${[
      "[after dataloaders are built] datetime: 2026-04-28 10:00:00 ",
      ...run(5000, 5000),
      "saving checkpoint at iteration    5000 to /out/ckpt in torch_dist format",
      "  successfully saved checkpoint from iteration    5000 to /out/ckpt [ t 1/1, p 1/1 ]",
      "[after training is done] datetime: 2026-04-28 22:00:00 ",
    ].join("\r\n")}\r\n`;
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7919) chunks.push(bytes.subarray(i, i + 7919));
    const a = await extractMetrics(Readable.from(chunks), { curvePoints: 256 });
    expect(a.iterationsSeen).toBe(5000);
    expect(a.latest).toMatchObject({ iteration: 5000, loss: Number((10 - 50).toExponential(6)) });
    expect(a.curve.length).toBeLessThanOrEqual(257);
    expect(a.curve[0]?.iteration).toBe(1);
    expect(a.checkpoints.map((c) => c.phase)).toEqual(["saving", "saved"]);
    expect(a.end?.strong).toBe(true);
  });

  it("decodes multi-byte characters split across chunks", async () => {
    const bytes = Buffer.from(`${mm(1, 2)}\n训练失败\nRuntimeError: 内存不足\n`);
    const cut = bytes.indexOf(Buffer.from("练")) + 1;
    const a = await extractMetrics(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]));
    expect(a.error?.lines).toEqual(["RuntimeError: 内存不足"]);
  });
});

describe("the failure headline", () => {
  it("is the exception a traceback ends in, not the Traceback line", () => {
    expect(
      errorHeadline([
        "[rank0]: Traceback (most recent call last):",
        '[rank0]:   File "pretrain_vlm.py", line 12, in <module>',
        "[rank0]:     main()",
        "[rank0]: RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB",
      ]),
    ).toBe("RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB");
    expect(errorHeadline(["ERROR: something odd happened"])).toBe("ERROR: something odd happened");
  });
});
