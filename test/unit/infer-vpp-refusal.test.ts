// export_model and run_inference on a run trained with a virtual pipeline: its checkpoint holds model0, model1 … per
// rank, which mm_to_hf and the inference loader (one 'model' entry per checkpoint) cannot read, so the checkpoint
// source is refused with the reason, from the run's convert marker or its launch script.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { resolveSource, SourceError } from "../../src/infer/source.js";

const dir = mkdtempSync(join(tmpdir(), "infer-vpp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });

/** A finished run in the ledger: its launch script, a complete checkpoint and the converted weights it loaded. */
function layOutRun(id: string, opts: { vppFlag?: number; markerVpp?: { size: number; llm: number[][] } }) {
  const runDir = join(dir, id);
  const save = join(runDir, "save");
  const load = join(runDir, "mm");
  mkdirSync(join(save, "iter_0000010", "mp_rank_00_000"), { recursive: true });
  mkdirSync(join(save, "iter_0000010", "mp_rank_00_001"), { recursive: true });
  writeFileSync(join(save, "iter_0000010", "mp_rank_00_000", "model_optim_rng.pt"), "x");
  writeFileSync(join(save, "iter_0000010", "mp_rank_00_001", "model_optim_rng.pt"), "x");
  writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
  mkdirSync(load, { recursive: true });
  const hf = join(dir, "Qwen2.5-VL-3B-Instruct");
  writeFileSync(
    join(load, "ascend-train-convert.json"),
    JSON.stringify({
      tool: "ascend-train convert_weights",
      version: 1,
      model: "qwen2.5vl-3b",
      release: "v2.3.0",
      variant: "",
      converter: "mm-convert",
      method: "hf_to_mm",
      format: "megatron",
      tp: 1,
      pp: 2,
      ep: 1,
      layerSplit: { llm: [18, 18], vit: [32, 0] },
      vpp: opts.markerVpp ?? null,
      source: hf,
      output: load,
      command: "mm-convert …",
      createdAt: "2026-12-02T20:00:00Z",
    }),
  );
  const script = join(runDir, "finetune.sh");
  writeFileSync(
    script,
    [
      "#!/bin/bash",
      `LOAD_PATH="${load}"`,
      `SAVE_PATH="${save}"`,
      'GPT_ARGS="',
      "    --tensor-model-parallel-size 1 \\",
      "    --pipeline-model-parallel-size 2 \\",
      ...(opts.vppFlag ? [`    --virtual-pipeline-model-parallel-size ${opts.vppFlag} \\`] : []),
      "    --seq-length 1024 \\",
      '"',
      "torchrun pretrain_vlm.py $GPT_ARGS --load $LOAD_PATH --save $SAVE_PATH",
      "",
    ].join("\n"),
  );
  const ledger = join(dir, ".ascend-train", "runs");
  mkdirSync(ledger, { recursive: true });
  writeFileSync(
    join(ledger, `${id}.json`),
    JSON.stringify({
      version: 1,
      id,
      createdAt: "2026-12-02T20:00:00Z",
      hosts: ["local"],
      nodes: [],
      workdir: dir,
      script,
      command: ["bash", script],
      env: {},
      configHashes: {},
      saveDir: save,
      loadDir: load,
      masterAddr: "127.0.0.1",
      masterPort: 6000,
      parallel: { tp: 1, pp: 2, cp: 1, nnodes: 1, npusPerNode: 2 },
      trainIters: 10,
      state: "stopped",
      stoppedAt: null,
      stopSignal: null,
      resumedFrom: null,
      resumeIteration: null,
    }),
  );
}

async function refusal(runId: string): Promise<SourceError> {
  const error = await resolveSource(hosts, { host: "local", runId } as Parameters<typeof resolveSource>[1]).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe("a checkpoint trained with a virtual pipeline", () => {
  it("is refused with the virtual stages its convert marker records and why mm_to_hf cannot read it", async () => {
    layOutRun("run-20261202-200000-0001", {
      vppFlag: 2,
      markerVpp: {
        size: 2,
        llm: [
          [9, 9],
          [9, 9],
        ],
      },
    });
    const error = await refusal("run-20261202-200000-0001");
    expect(error.message).toMatch(
      /virtual pipeline \(2 virtual stages per rank, LLM layers per virtual stage \[\[9,9\],\[9,9\]\]\)/,
    );
    expect(error.message).toMatch(/model0, model1 .*single 'model' entry/);
  });

  it("is refused from the launch script's --virtual-pipeline-model-parallel-size when the marker has no rows", async () => {
    layOutRun("run-20261202-200000-0002", { vppFlag: 2 });
    expect((await refusal("run-20261202-200000-0002")).message).toMatch(
      /virtual pipeline \(2 virtual stages per rank\)/,
    );
  });

  it("a plain pipeline run gets past the check", async () => {
    layOutRun("run-20261202-200000-0003", {});
    const source = await resolveSource(hosts, { host: "local", runId: "run-20261202-200000-0003" } as Parameters<
      typeof resolveSource
    >[1]);
    expect(source).toMatchObject({ tp: 1, pp: 2 });
    expect(source.model.id).toBe("qwen2.5vl-3b");
  });
});
