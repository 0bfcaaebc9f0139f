// A run's ledger record as launch_train writes it, for tests that lay out runs on a host by hand: one local node,
// the given log and save directory, every other field at launch_train's default.
import { join } from "node:path";
import { type RunRecord, RunRecordSchema } from "../../src/runs/types.js";

export interface RunLayout {
  id: string;
  /** The host's workdir: the ledger is its .ascend-train/runs. */
  workdir: string;
  /** Where the run's own files (log, wrapper, script) lie. */
  root: string;
  createdAt?: Date;
  pid?: number;
  trainIters?: number;
}

/** The record, its ledger file's path beside it. */
export function runRecord(layout: RunLayout, over: Partial<RunRecord> = {}): RunRecord {
  const { id, workdir, root } = layout;
  return RunRecordSchema.parse({
    version: 1,
    id,
    createdAt: (layout.createdAt ?? new Date(Date.now() - 3600_000)).toISOString(),
    hosts: ["local"],
    nodes: [
      {
        host: "local",
        nodeRank: 0,
        pid: layout.pid ?? 999_999,
        startTicks: null,
        logFile: join(root, "train.log"),
        wrapper: join(root, "w.sh"),
        exitFile: join(root, "w.exit"),
        ledgerFile: ledgerFileOf(workdir, id),
      },
    ],
    workdir,
    script: join(root, "finetune.sh"),
    command: ["bash", join(root, "w.sh")],
    env: {},
    configHashes: {},
    saveDir: join(root, "save"),
    loadDir: null,
    masterAddr: "localhost",
    masterPort: 6000,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
    trainIters: layout.trainIters ?? 20,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
    ...over,
  });
}

export const ledgerFileOf = (workdir: string, id: string) => join(workdir, ".ascend-train", "runs", `${id}.json`);
