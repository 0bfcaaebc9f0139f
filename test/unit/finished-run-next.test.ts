// After a run finishes, the next step names its Hugging Face export when the host already holds one, wherever
// export_model wrote it (the default directory beside the save directory, or one noted in the run's ledger record),
// and suggests export_model only while there is none; it offers evaluate_model on the benchmarks whose data the host
// holds, or says what to download first.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existingExport, recordExport } from "../../src/export/exported.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { readRecord } from "../../src/runs/ledger.js";
import { RunRecordSchema } from "../../src/runs/types.js";
import { renderHints } from "../../src/text/hint.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { writeHfExport } from "../helpers/hf-export.js";

let dir: string;
let hosts: HostRegistry;
const SCORES_FROM = "https://opencompass.openxlab.space/utils/VLMEval/AI2D_TEST.tsv";
const deps = (): ToolDeps => ({ hosts, now: () => new Date(), progress: () => undefined, log: () => undefined });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "export-discovery-"));
  hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number) =>
  `iteration ${i}/20 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 500.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: ${(2 - i / 20).toFixed(3)} | grad norm: 1.000 |`;

/** A run that finished (its last iteration logged, its process gone) with a checkpoint at iteration 20. */
function finishedRun(name: string, id: string, workdir = dir) {
  const root = join(dir, name);
  const save = join(root, "save");
  mkdirSync(join(save, "iter_0000020", "mp_rank_00"), { recursive: true });
  writeFileSync(join(save, "iter_0000020", "mp_rank_00", "model_optim_rng.pt"), "weights\n");
  writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "20");
  const log = join(root, "train.log");
  writeFileSync(log, `${[5, 10, 15, 20].map(line).join("\n")}\n`);
  const ledgerFile = join(dir, ".ascend-train/runs", `${id}.json`);
  mkdirSync(join(dir, ".ascend-train/runs"), { recursive: true });
  const record = RunRecordSchema.parse({
    version: 1,
    id,
    createdAt: new Date(Date.now() - 3600_000).toISOString(),
    hosts: ["local"],
    nodes: [
      {
        host: "local",
        nodeRank: 0,
        pid: 999_999,
        startTicks: null,
        logFile: log,
        wrapper: join(root, "w.sh"),
        exitFile: join(root, "w.exit"),
        ledgerFile,
      },
    ],
    workdir,
    script: join(root, "finetune.sh"),
    command: ["bash", join(root, "w.sh")],
    env: {},
    configHashes: {},
    saveDir: save,
    loadDir: null,
    masterAddr: "localhost",
    masterPort: 6000,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
    trainIters: 20,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
  });
  writeFileSync(ledgerFile, JSON.stringify(record, null, 2));
  return { save, ledgerFile, checkpoint: { saveDir: save, iterDir: join(save, "iter_0000020"), tracker: "20" } };
}

/** A run stop_run ended at iteration 10 of 20, with its checkpoint at iteration 10. */
function stoppedRun(name: string, id: string) {
  const { save, ledgerFile } = finishedRun(name, id);
  rmSync(join(save, "iter_0000020"), { recursive: true });
  mkdirSync(join(save, "iter_0000010", "mp_rank_00"), { recursive: true });
  writeFileSync(join(save, "iter_0000010", "mp_rank_00", "model_optim_rng.pt"), "weights\n");
  writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
  writeFileSync(join(dir, name, "train.log"), `${[5, 10].map(line).join("\n")}\n`);
  const record = JSON.parse(readFileSync(ledgerFile, "utf8"));
  writeFileSync(
    ledgerFile,
    JSON.stringify({ ...record, state: "stopped", stoppedAt: new Date().toISOString(), stopSignal: "SIGTERM" }),
  );
  return { save, ledgerFile };
}

const hfExport = (out: string, source: string) => writeHfExport(out, { model: "qwen2.5vl-3b", source });

async function nextOf(runId: string, state = "finished") {
  const r = await tailLogs.handle(tailLogs.input.parse({ runId, lines: 3 }), deps());
  expect(r.state).toBe(state);
  const text = renderHints(tailLogs.summarize(r));
  const next = text.split("\n").find((l) => l.startsWith("Next:"));
  return { r, next: next ?? "", text };
}

describe("a finished run's export, found where export_model wrote it", () => {
  it("tail_logs suggests export_model while no export is there, and names the default one once it is", async () => {
    const id = "run-20261202-120000-aaaa";
    const { save } = finishedRun("plain", id);
    const before = await nextOf(id);
    expect(before.r.exportDir).toBeNull();
    expect(before.next).toContain(`export_model {runId: "${id}", host: "local", confirm: true}`);
    const exported = `${save}-hf-iter_0000020`;
    hfExport(exported, save);
    const after = await nextOf(id);
    expect(after.r.exportDir).toBe(exported);
    expect(after.next).not.toContain("export_model");
    expect(after.next).toContain(`already exported to ${exported}`);
    expect(after.next).toContain(`run_inference {runId: "${id}", host: "local"}`);
    expect(after.next).toContain(`evaluate_model {runId: "${id}", host: "local"}`);
  });

  it("an export to a directory of one's own is found through the run's ledger record, for its checkpoint only", async () => {
    const id = "run-20261202-120000-bbbb";
    const { save, ledgerFile, checkpoint } = finishedRun("custom", id);
    const mine = join(dir, "exports", "my-model");
    hfExport(mine, save);
    const executor = (await hosts.get("local")).executor;
    // Not beside the save directory: nothing but a record says where it is.
    expect(await existingExport(executor, checkpoint, await readRecord(executor, ledgerFile))).toBeNull();
    expect((await nextOf(id)).next).toContain("export_model");
    // An export of an earlier checkpoint is not this one's.
    const entry = { dir: mine, saveDir: save, method: "mm_to_hf", at: new Date().toISOString() };
    await recordExport(executor, ledgerFile, { ...entry, iteration: "10" });
    expect(await existingExport(executor, checkpoint, await readRecord(executor, ledgerFile))).toBeNull();
    await recordExport(executor, ledgerFile, { ...entry, iteration: "20" });
    // The same directory again replaces its entry.
    expect((await readRecord(executor, ledgerFile)).exports).toHaveLength(1);
    expect(await existingExport(executor, checkpoint, await readRecord(executor, ledgerFile))).toBe(mine);
    const { r, next } = await nextOf(id);
    expect(r.exportDir).toBe(mine);
    expect(next).toContain(`already exported to ${mine}`);
    expect(next).not.toContain("export_model");
    // Gone from the host: suggested again.
    rmSync(mine, { recursive: true });
    expect((await nextOf(id)).next).toContain("export_model");
  });
});

describe("a stopped run's export", () => {
  it("tail_logs names an export of its latest checkpoint beside the resume, and never suggests export_model", async () => {
    const id = "run-20261202-120000-dddd";
    const { save } = stoppedRun("stopped", id);
    const before = await nextOf(id, "stopped");
    expect(before.r.exportDir).toBeNull();
    expect(before.next).toBe(`Next: resume_run {runId: "${id}", host: "local"} continues it from its last checkpoint.`);
    expect(before.text).not.toMatch(/export_model|already exported/);
    // An export of another checkpoint is not its latest's.
    hfExport(`${save}-hf-iter_0000005`, save);
    expect((await nextOf(id, "stopped")).r.exportDir).toBeNull();
    const exported = `${save}-hf-iter_0000010`;
    hfExport(exported, save);
    const after = await nextOf(id, "stopped");
    expect(after.r.exportDir).toBe(exported);
    expect(after.next).toBe(before.next);
    expect(after.text).toContain(`Its latest checkpoint is already exported to ${exported} (Hugging Face format`);
    expect(after.text).toContain(`run_inference {runId: "${id}", host: "local"}`);
    expect(after.text).toContain(`evaluate_model {runId: "${id}", host: "local"}`);
    expect(after.text).not.toContain("export_model");
  });
});

describe("a finished run's benchmarks, as its host holds them", () => {
  it("tail_logs offers evaluate_model on the benchmarks whose TSV is in the run's workdir, else says what to fetch", async () => {
    const id = "run-20261202-120000-cccc";
    const wd = join(dir, "bench-wd");
    mkdirSync(wd, { recursive: true });
    finishedRun("bench", id, wd);
    const none = await nextOf(id);
    expect(none.r.benchmarks).toMatchObject({ dir: wd, present: [] });
    expect(none.next).toContain(`first put its TSV in ${wd} (none of AI2D_TEST.tsv, MMMU_DEV_VAL.tsv`);
    expect(none.next).toContain(SCORES_FROM);
    // Only DocVQA's: evaluate_model is offered on it, by name (its default is AI2D).
    writeFileSync(join(wd, "DocVQA_VAL.tsv"), "index\tquestion\n");
    const docvqa = await nextOf(id);
    expect(docvqa.next).toContain(
      `score it on docvqa_val with evaluate_model {runId: "${id}", host: "local", benchmarks: ["docvqa_val"]}`,
    );
    expect(docvqa.next).not.toContain(SCORES_FROM);
    writeFileSync(join(wd, "AI2D_TEST.tsv"), "index\tquestion\n");
    const both = await nextOf(id);
    expect(both.r.benchmarks?.present).toEqual(["ai2d_test", "docvqa_val"]);
    expect(both.next).toContain(
      `score it on ai2d_test, docvqa_val with evaluate_model {runId: "${id}", host: "local"} (AI2D_TEST.tsv, DocVQA_VAL.tsv in ${wd}`,
    );
  });
});
