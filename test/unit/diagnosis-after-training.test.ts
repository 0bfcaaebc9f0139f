import { describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { renderHints } from "../../src/text/hint.js";

const top = (log: string) => diagnoseText(log).findings[0]!;
const fixText = (log: string) =>
  renderHints(top(log).fixes)
    .map((f) => f.summary)
    .join("\n");

const inferenceHead = [
  "+ torchrun --nproc_per_node 2 --master_port 6001 inference_vlm.py --config /w/.ascend-train/inference/r1/inference_qwen2_5_vl_3b.json",
  "> initializing torch distributed ...",
  "[rank0]: Traceback (most recent call last):",
  '[rank0]:   File "/home/ma-user/MindSpeed-MM/inference_vlm.py", line 62, in <module>',
  "[rank0]:     main()",
];
const trainingHead = [
  "+ torchrun --nproc_per_node 8 --master_port 6000 pretrain_vlm.py --tensor-model-parallel-size 1",
  "[rank0]: Traceback (most recent call last):",
  '[rank0]:   File "/home/ma-user/MindSpeed-MM/pretrain_vlm.py", line 410, in <module>',
];
const sizeMismatch = [
  "[rank0]: RuntimeError: Error(s) in loading state_dict for VLModel:",
  "[rank0]: \tsize mismatch for text_decoder.decoder.layers.0.self_attention.linear_qkv.weight: copying a param with shape torch.Size([2304, 3584]) from checkpoint, the shape in current model is torch.Size([4608, 3584]).",
];
const hccpBusy = [
  "[ERROR] 2026-12-02-10:20:11 (PID:41002, Device:0, RankID:0) ERR02200 DIST call hccl api failed.",
  "EJ0001: 2026-12-02-10:20:11.331.020 Failed to initialize the HCCP process. Reason: Maybe the last training process is running.",
];

describe("after-training diagnosis rules", () => {
  it("reads a missing iteration named by the tracker (Megatron's FileNotFoundError on mp_rank_00) as an incomplete checkpoint", () => {
    const log = [
      " loading checkpoint from /data/save/qwen25vl-3b at iteration 6000",
      "FileNotFoundError: [Errno 2] No such file or directory: '/data/save/qwen25vl-3b/iter_0006000/mp_rank_00/model_optim_rng.pt'",
    ].join("\n");
    const f = top(log);
    expect(f.rule).toBe("checkpoint-incomplete");
    expect(f.category).toBe("checkpoint_incomplete");
    expect(f.facts.iteration_dir).toBe("iter_0006000");
    expect(fixText(log)).toContain("export_model {checkpointDir:");
  });

  it("reads the dist-ckpt metadata missing and the post-training tools' own message as an incomplete checkpoint", () => {
    expect(
      top("FileNotFoundError: [Errno 2] No such file or directory: '/data/save/run/iter_0000200/.metadata'").rule,
    ).toBe("checkpoint-incomplete");
    expect(
      top(
        "/data/save/run/iter_0000500 holds no mp_rank_* directories: the checkpoint named by latest_checkpointed_iteration.txt is incomplete.",
      ).rule,
    ).toBe("checkpoint-incomplete");
  });

  it("reads a shape mismatch in inference_vlm.py as a layout mismatch between checkpoint and inference config, with run_inference as the fix", () => {
    const log = [...inferenceHead, ...sizeMismatch].join("\n");
    const d = diagnoseText(log);
    expect(d.findings[0]!.rule).toBe("inference-layout-mismatch");
    expect(d.findings[0]!.facts.param).toBe("text_decoder.decoder.layers.0.self_attention.linear_qkv.weight");
    const fixes = fixText(log);
    expect(fixes).toContain("run_inference {runId:");
    expect(fixes).toContain("export_model {runId:");
    const generic = d.findings.find((x) => x.rule === "ckpt-shape-mismatch");
    if (generic) expect(generic.explainedBy).toBe("inference-layout-mismatch");
  });

  it("reads a missing mp_rank_01 in an inference run (checkpoint saved with a smaller TP) as a layout mismatch", () => {
    const log = [
      ...inferenceHead,
      "[rank1]: FileNotFoundError: [Errno 2] No such file or directory: '/data/save/run/iter_0000500/mp_rank_01/model_optim_rng.pt'",
    ].join("\n");
    expect(top(log).rule).toBe("inference-layout-mismatch");
  });

  it("keeps the training rules for the same errors in a training log", () => {
    expect(top([...trainingHead, ...sizeMismatch].join("\n")).rule).toBe("ckpt-shape-mismatch");
    expect(top([...trainingHead, ...hccpBusy].join("\n")).rule).toBe("device-busy");
  });

  it("reads a missing benchmark TSV as missing evaluation data, with evaluate_model's datasetDir as the fix", () => {
    const log = [
      '[rank0]:   File "/home/ma-user/MindSpeed-MM/evaluate_vlm.py", line 88, in <module>',
      "[rank0]:     self.data = pd.read_csv(self.data_path, sep='\\t')",
      "[rank0]: FileNotFoundError: [Errno 2] No such file or directory: '/data/eval/MMMU_DEV_VAL.tsv'",
    ].join("\n");
    const f = top(log);
    expect(f.rule).toBe("eval-data-missing");
    expect(f.facts.dataset_file).toBe("/data/eval/MMMU_DEV_VAL.tsv");
    expect(fixText(log)).toContain("evaluate_model {runId:");
    expect(fixText(log)).toContain("datasetDir:");
  });

  it("reads an NPU held at inference time as the training run still holding it, with stop_run and run_inference as fixes", () => {
    const log = [...inferenceHead, ...hccpBusy].join("\n");
    const d = diagnoseText(log);
    expect(d.findings[0]!.rule).toBe("inference-device-busy");
    expect(d.findings[0]!.facts.device).toBe("0");
    const fixes = fixText(log);
    expect(fixes).toContain("stop_run {runId:");
    expect(fixes).toContain("run_inference {runId:");
    expect(fixes).toContain("list_runs");
  });
});
