// The run ledger's record: what was launched, where and how, kept on every node of the run.
import { z } from "zod";

export const RunNodeSchema = z.object({
  host: z.string(),
  nodeRank: z.number().int().min(0),
  /** The detached wrapper's pid; it leads its own session and process group (pgid = pid). */
  pid: z.number().int().positive(),
  /** Process start time (clock ticks since boot, /proc/<pid>/stat field 22): guards against pid reuse. */
  startTicks: z.number().int().nullable(),
  logFile: z.string(),
  wrapper: z.string(),
  /** Exit status file the wrapper writes when the launch script returns. */
  exitFile: z.string(),
  ledgerFile: z.string(),
});
export type RunNode = z.output<typeof RunNodeSchema>;

export const SchedulerJobSchema = z.object({
  kind: z.enum(["slurm", "ascendjob", "hf-jobs"]),
  jobId: z.string().nullable(),
  file: z.string(),
  submittedAt: z.string().nullable(),
  /** Where the job's output goes (sbatch --output): the run's log. */
  logFile: z.string().nullable().default(null),
});

export const EvaluationSchema = z.object({
  benchmark: z.string(),
  metric: z.string(),
  score: z.number(),
  iteration: z.string(),
  at: z.string(),
  resultDir: z.string(),
});
export type Evaluation = z.output<typeof EvaluationSchema>;

/** A Hugging Face export of one of the run's checkpoints (export_model), wherever its directory was written. */
export const ExportSchema = z.object({
  dir: z.string(),
  /** The save directory and the iteration (its latest_checkpointed_iteration.txt) that were exported. */
  saveDir: z.string(),
  iteration: z.string(),
  method: z.string(),
  at: z.string(),
});
export type ExportEntry = z.output<typeof ExportSchema>;

export const RunRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  /** Hosts in node-rank order (one for a single-node run). */
  hosts: z.array(z.string()).min(1),
  nodes: z.array(RunNodeSchema),
  workdir: z.string(),
  /** The launch script (absolute path) and what the wrapper runs. */
  script: z.string(),
  command: z.array(z.string()),
  /** Environment set for the run on node 0 (the model's own variables stay in the script), secrets redacted. */
  env: z.record(z.string(), z.string()),
  /** sha256 of each config file at launch time, by absolute path. */
  configHashes: z.record(z.string(), z.string()),
  saveDir: z.string().nullable(),
  loadDir: z.string().nullable(),
  masterAddr: z.string(),
  masterPort: z.number().int(),
  /** HCCL_IF_BASE_PORT the run's ranks listen from (env, host settings or the script's, else HCCL's default). */
  hcclBasePort: z.number().int().optional(),
  parallel: z.object({
    tp: z.number(),
    pp: z.number(),
    cp: z.number(),
    nnodes: z.number(),
    npusPerNode: z.number(),
  }),
  trainIters: z.number().nullable(),
  /**
   * Whether the run's checkpoints hold optimizer and RNG state (its configs at launch had no --no-save-optim): what
   * resume_run may load, whatever the configs say after a rebuild. Absent in records written before it was kept.
   */
  savesOptimizer: z.boolean().optional(),
  /**
   * Whether the run trains LoRA adapters, with the rank and alpha its configs at launch wrote (null where they do not
   * say): null for a full fine-tune. What export, inference and merges take the run to be, whatever the folder it loaded
   * from holds since or its configs say after a rebuild. Absent in records written before it was kept: its launch script
   * is read then.
   */
  lora: z
    .object({ rank: z.number().int().positive().nullable(), alpha: z.number().int().positive().nullable() })
    .nullable()
    .optional(),
  /** "launched" until someone stops it; the live state comes from the processes and the log. */
  state: z.enum(["launched", "stopped"]),
  stoppedAt: z.string().nullable(),
  stopSignal: z.string().nullable(),
  resumedFrom: z.string().nullable(),
  resumeIteration: z.number().nullable(),
  scheduler: z.array(SchedulerJobSchema).default([]),
  /** A run that is a Hugging Face job: where it runs (its id is the scheduler entry's jobId). */
  hfJob: z.object({ namespace: z.string(), flavor: z.string(), endpoint: z.string(), url: z.string() }).optional(),
  /** A run that is a GGUF export job of another run (export_model format gguf on a Hugging Face job's run). */
  ggufExport: z
    .object({
      sourceRunId: z.string(),
      repo: z.string(),
      file: z.string(),
      quantization: z.string(),
      fileType: z.number(),
      architecture: z.string().nullable(),
      baseModel: z.string(),
      peft: z.string(),
    })
    .optional(),
  /**
   * A canary (launch_train canary): the launch script it measured and the iterations it ran. Written when the canary
   * ends; a canary still running is told by its script, the ledger's `<runId>.<name>.canary.sh` copy (isCanaryRun).
   */
  canaryOf: z.object({ script: z.string(), iterations: z.number() }).optional(),
  /** Benchmark scores of the run's checkpoints (evaluate_model), newest last. */
  evaluations: z.array(EvaluationSchema).optional(),
  /** Hugging Face exports of the run's checkpoints (export_model), newest last. */
  exports: z.array(ExportSchema).optional(),
});
export type RunRecord = z.output<typeof RunRecordSchema>;

export const LIVE_STATES = [
  "queued",
  "starting",
  "running",
  "finished",
  "failed",
  "stalled",
  "stopped",
  "unknown",
] as const;
export type LiveState = (typeof LIVE_STATES)[number];

/** Run ids sort by launch time: run-YYYYMMDD-HHMMSS-xxxx. */
export const RUN_ID = /^run-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** Every tool input that names a run: the id's pattern is checked before any ledger or file is touched. */
export const RunIdSchema = z
  .string()
  .regex(RUN_ID, "runId must look like run-YYYYMMDD-HHMMSS-xxxx (from launch_train or list_runs)");
