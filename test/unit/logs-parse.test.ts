import { describe, expect, it } from "vitest";
import { classifyLine, isErrorLine, parseIterationLine, parseLogNumber } from "../../src/logs/parse.js";

// Verbatim lines from MindSpeed-MM's FSDP2 migration doc and stock Megatron-LM logs, and one line in the exact
// padded shape MindSpeed-MM's training_log prints.
const FSDP2_DOC = [
  "iteration 1/10000 | consumed samples: 8 | elapsed time per iteration (ms): 6603.7 | learning rate: 0.000000E+00 | global batch size: 8 | loss: 1.016570E+01 | grad norm: 50.001 |",
  "iteration 2/10000 | consumed samples: 16 | elapsed time per iteration (ms): 2231.6 | learning rate: 1.000000E-08 | global batch size: 8 | loss: 1.009848E+01 | grad norm: 49.063 |",
];
const MEGATRON_STOCK =
  " iteration      122/  250000 | consumed samples:       124928 | elapsed time per iteration (ms): 86545.2 | learning rate: 9.150E-06 | global batch size:  1024 | lm loss: 2.504220E+00 | loss scale: 1.0 | grad norm: 0.231 | number of skipped iterations:   0 | number of nan iterations:   0 |";
const MEGATRON_SKIPPED =
  " iteration       10/ 1000000 | consumed samples:           40 | elapsed time per iteration (ms): 356.2 | learning rate: 0.000E+00 | global batch size:     4 | loss scale: 8388608.0 | number of skipped iterations:  10 | number of nan iterations:   0 |";
const MINDSPEED_MM =
  " [2026-04-28 10:00:00] iteration        2/   10000 | consumed samples:          384 | elapsed time per iteration (ms): 9123.4 | learning rate: 1.000000E-08 | global batch size:   192 | tokens per sample: 5.120000E+02 | loss: 1.204321E+00 | loss scale: 1.0 | grad norm: 3.456 | number of skipped iterations:   0 | number of nan iterations:   0 |";

describe("parseIterationLine", () => {
  it("parses the FSDP2 trainer lines from the MindSpeed-MM docs", () => {
    const [a, b] = FSDP2_DOC.map(parseIterationLine);
    expect(a).toMatchObject({
      iteration: 1,
      totalIterations: 10000,
      consumedSamples: 8,
      msPerIteration: 6603.7,
      learningRate: 0,
      globalBatchSize: 8,
      loss: 10.1657,
      gradNorm: 50.001,
    });
    expect(a?.lossScale).toBeUndefined();
    expect(a?.skippedIterations).toBeUndefined();
    expect(b).toMatchObject({ iteration: 2, learningRate: 1e-8, loss: 10.09848, msPerIteration: 2231.6 });
  });

  it("parses the padded Megatron-path line with timestamp and tokens per sample", () => {
    expect(parseIterationLine(MINDSPEED_MM)).toEqual({
      iteration: 2,
      totalIterations: 10000,
      consumedSamples: 384,
      msPerIteration: 9123.4,
      learningRate: 1e-8,
      globalBatchSize: 192,
      tokensPerSample: 512,
      loss: 1.204321,
      lossScale: 1,
      gradNorm: 3.456,
      skippedIterations: 0,
      nanIterations: 0,
      timestamp: "2026-04-28 10:00:00",
    });
  });

  it("reads `lm loss` from stock Megatron and tolerates a window with no loss at all", () => {
    expect(parseIterationLine(MEGATRON_STOCK)).toMatchObject({ iteration: 122, loss: 2.50422, learningRate: 9.15e-6 });
    const skipped = parseIterationLine(MEGATRON_SKIPPED);
    expect(skipped).toMatchObject({ iteration: 10, skippedIterations: 10, lossScale: 8388608 });
    expect(skipped?.loss).toBeUndefined();
  });

  it("keeps extra loss keys and the throughput field", () => {
    const rec = parseIterationLine(
      " [2026-01-01 00:00:00] iteration 5/10 | consumed samples: 40 | elapsed time per iteration (ms): 100.0 | throughput per GPU (TFLOP/s/GPU): 123.4 | learning rate: 1.000000E-05 | global batch size: 8 | loss: 2.000000E+00 | mtp_0 loss: 3.000000E+00 | aux loss: 1.000000E-02 | grad norm: 1.000 |",
    );
    expect(rec?.tflopsPerDevice).toBe(123.4);
    expect(rec?.extraLosses).toEqual({ "mtp_0 loss": 3, "aux loss": 0.01 });
  });

  it("reads nan and inf as printed by Python", () => {
    const rec = parseIterationLine(
      "iteration 7/100 | consumed samples: 56 | elapsed time per iteration (ms): 900.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: NAN | grad norm: inf |",
    );
    expect(rec?.loss).toBeNaN();
    expect(rec?.gradNorm).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects lines that mention iterations in other formats", () => {
    for (const line of [
      "[Rank 0] (after 1 iterations) memory (MB) | allocated: 19806.4 | max allocated: 21206.0",
      " [2026-04-28 10:00:00] ** validation after iteration 100 ** | validation steps: 10 | validation loss: 1.0E+00 |",
      "{'loss': 1.2, 'grad_norm': 3.4, 'learning_rate': 1e-05, 'epoch': 0.1, 'iteration': 5}",
      "Step 5/100 | loss 1.2",
      "iteration 5/100 done",
      "the iteration 5/100 | something else: text |",
      "exiting program at iteration 100",
    ]) {
      expect(parseIterationLine(line), line).toBeNull();
    }
  });
});

describe("parseLogNumber", () => {
  it("parses Python number spellings and refuses empty fields", () => {
    expect(parseLogNumber(" 1.000000E-05 ")).toBe(1e-5);
    expect(parseLogNumber("   ")).toBeUndefined();
    expect(parseLogNumber("abc")).toBeUndefined();
    expect(parseLogNumber("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseLogNumber("nan")).toBeNaN();
  });
});

describe("classifyLine", () => {
  it("recognises checkpoint saves from both trainers", () => {
    expect(classifyLine("saving checkpoint at iteration     500 to /out/ckpt in torch_dist format")).toEqual({
      kind: "checkpoint",
      checkpoint: { iteration: 500, path: "/out/ckpt", phase: "saving" },
    });
    expect(
      classifyLine("  successfully saved checkpoint from iteration     500 to /out/ckpt [ t 1/2, p 1/2 ]"),
    ).toMatchObject({ kind: "checkpoint", checkpoint: { iteration: 500, path: "/out/ckpt", phase: "saved" } });
    expect(classifyLine("Saved checkpoint to /save/iter_0000010")).toMatchObject({
      checkpoint: { iteration: 10, path: "/save/iter_0000010", phase: "saved" },
    });
  });

  it("recognises end lines, SIGTERM exits, memory and validation reports", () => {
    expect(classifyLine("[after training is done] datetime: 2026-04-28 12:00:00 ")?.kind).toBe("end");
    expect(classifyLine("exiting program at iteration 1000")?.kind).toBe("end");
    expect(classifyLine("exiting program after receiving SIGTERM.")?.kind).toBe("terminated");
    expect(
      classifyLine(
        "[Rank 4] (after 1 iterations) memory (MB) | allocated: 24492.8955078125 | max allocated: 25974.74658203125 | reserved: 1 | max reserved: 2",
      ),
    ).toEqual({
      kind: "memory",
      memory: { rank: 4, allocatedMb: 24492.8955078125, maxAllocatedMb: 25974.74658203125 },
    });
    expect(
      classifyLine(
        " [ts] ** validation after iteration 200 ** | validation steps: 10 | validation loss: 1.234000E+00 |",
      ),
    ).toEqual({ kind: "validation", iteration: 200, loss: 1.234 });
    expect(classifyLine("[after dataloaders are built] datetime: 2022-10-31 08:35:51 ")?.kind).toBe("start");
  });

  it("flags real Ascend and Python error lines but not warnings", () => {
    const errors = [
      "Traceback (most recent call last):",
      "RuntimeError: NPU out of memory. Tried to allocate 386.00 MiB (NPU 2; 60.97 GiB total capacity)",
      "torch.OutOfMemoryError: NPU out of memory. Tried to allocate 72.00 MiB (NPU 0; 61.27 GiB total capacity)",
      "[ERROR] 2025-06-09-06:57:54 (PID:92380, Device:0, RankID:-1) ERR99999 UNKNOWN applicaiton exception",
      "[rank1]: EI0006: [PID: 1292363] 2025-04-08-18:07:20.444.436 Getting socket times out.",
      "EZ9999: 2024-06-28-13:05:55.631.066  Parse dynamic kernel config fail.",
      "[rank0]: RuntimeError: createHCCLComm:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:1479 HCCL function error",
      "[ERROR] HCCL(2717288,python3):2025-07-23-03:47:57.070.463 [hccl_socket.cc:100] listen fail.",
    ];
    for (const line of errors) expect(isErrorLine(line), line).toBe(true);
    const fine = [
      "[W VariableFallbackKernel.cpp:51] Warning: CAUTION: The operator 'aten::isin.Tensor_Tensor_out' is not currently supported on the NPU backend and will fall back to run on the CPU.",
      "[rank7]:[W609 06:57:47.819535026 compiler_depend.ts:877] Warning: The HCCL execution timeout was set to never timeout",
      "training ...",
      MINDSPEED_MM,
    ];
    for (const line of fine) expect(isErrorLine(line), line).toBe(false);
  });
});
