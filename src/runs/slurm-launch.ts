// A run started through Slurm from a login host: the pre-flighted launch (or resume) becomes a batch script that
// runs the same launch script in the same environment as a direct launch on that host (PATH, the host's variables,
// CANN, the Python env), submitted with sbatch; the ledger records the job id, its output file and the scheduler.
// launch_train --scheduler slurm and resume_run of a Slurm run share it; export_scheduler_job shares the record.
import { posix } from "node:path";
import { ensureDir, redactEnv, writeRecord } from "./ledger.js";
import type { PreparedLaunch } from "./orchestrate.js";
import { loraOfConfig } from "./run-config.js";
import { jobSecrets, type SchedulerJobSpec, secretsFileText, slurmScript } from "./scheduler.js";
import { slurmRunFiles, submitBatch } from "./slurm.js";
import type { RunRecord } from "./types.js";

export interface SlurmLaunchPlan {
  spec: SchedulerJobSpec;
  scriptPath: string;
  scriptText: string;
  ledgerFile: string;
  /** Secret-named variables, kept out of the script in an owner-only file it reads. */
  secrets: Record<string, string>;
}

/** Checks about this machine's own NPUs and ports: on a login node they say nothing about the nodes Slurm picks. */
const NODE_LOCAL_CHECKS = new Set(["npus", "master-port", "hccl-ports"]);

/**
 * The pre-flight of a submission from a login node: its files, configs, weights and save directory count (the nodes
 * share them); a busy NPU or port on the login node itself does not stop the submission, it is only reported.
 */
export function relaxLoginNodeChecks(prepared: PreparedLaunch): void {
  prepared.pre.checks = prepared.pre.checks.map((c) =>
    NODE_LOCAL_CHECKS.has(c.id) && c.level === "error"
      ? {
          ...c,
          ok: true,
          level: "warning",
          message: `${c.message} (on the login node; Slurm runs the job on the nodes it allocates)`,
        }
      : c,
  );
}

export function planSlurmLaunch(
  prepared: PreparedLaunch,
  opts: { env: Record<string, string>; scriptPath?: string; gres?: string },
): SlurmLaunchPlan {
  const { pre, plan, runId } = prepared;
  if (!plan || !pre.script) throw new Error("Nothing to submit: the pre-flight found no launch script.");
  const login = pre.nodes[0]!;
  const ledgerFile = plan.nodes[0]!.ledgerFile;
  const files = slurmRunFiles(posix.dirname(ledgerFile), login.workdir, runId);
  const npusPerNode = pre.script.info.npusPerNode ?? login.settings.npusPerNode;
  const spec: SchedulerJobSpec = {
    runId,
    nodes: pre.script.info.nnodes ?? pre.nodes.length,
    npusPerNode,
    workdir: login.workdir,
    script: opts.scriptPath ?? pre.script.abs,
    env: opts.env,
    masterPort: plan.masterPort,
    hostfile: files.hostfile,
    logFile: files.logFile,
    secretsFile: files.secretsFile,
  };
  return {
    spec,
    scriptPath: files.script,
    scriptText: slurmScript(spec, login.settings, { gres: opts.gres ?? `npu:${npusPerNode}` }),
    ledgerFile,
    secrets: jobSecrets(spec, login.settings),
  };
}

/** A ledger record for a run whose processes Slurm owns (no node pids: the job id stands for them). */
export function slurmRunRecord(
  base: Pick<RunRecord, "id" | "hosts" | "workdir" | "script" | "env" | "masterPort" | "parallel"> & Partial<RunRecord>,
  job: { jobId: string; file: string; logFile: string; submittedAt: string },
): RunRecord {
  return {
    version: 1,
    createdAt: job.submittedAt,
    nodes: [],
    command: ["sbatch", job.file],
    configHashes: {},
    saveDir: null,
    loadDir: null,
    masterAddr: "(slurm)",
    trainIters: null,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
    ...base,
    scheduler: [
      { kind: "slurm", jobId: job.jobId, file: job.file, submittedAt: job.submittedAt, logFile: job.logFile },
    ],
  };
}

/** Writes the batch script (and the secrets file), submits it and records the run. */
export async function submitSlurmLaunch(
  prepared: PreparedLaunch,
  slurm: SlurmLaunchPlan,
  meta: { now: Date; resumedFrom?: string | null; resumeIteration?: number | null; beforeStart?: () => Promise<void> },
): Promise<{ record: RunRecord; jobId: string }> {
  const { pre } = prepared;
  const login = pre.nodes[0]!;
  const ex = login.executor;
  await ensureDir(ex, posix.dirname(slurm.ledgerFile));
  await ensureDir(ex, posix.dirname(slurm.spec.logFile));
  await meta.beforeStart?.();
  if (Object.keys(slurm.secrets).length > 0) {
    await ex.writeFile(slurm.spec.secretsFile, secretsFileText(slurm.secrets), { exclusive: false, mode: 0o600 });
  }
  await ex.writeFile(slurm.scriptPath, slurm.scriptText, { mode: 0o700 });
  const jobId = await submitBatch(ex, slurm.scriptPath, login.workdir);
  const cfg = pre.config!;
  const record = slurmRunRecord(
    {
      id: prepared.runId,
      hosts: [login.host],
      workdir: login.workdir,
      script: slurm.spec.script,
      env: redactEnv(slurm.spec.env),
      configHashes: pre.configHashes,
      saveDir: cfg.savePath ? (login.facts?.save?.abs ?? cfg.savePath) : null,
      loadDir: cfg.loadPath ? (login.facts?.load?.abs ?? cfg.loadPath) : null,
      masterPort: slurm.spec.masterPort,
      parallel: { tp: cfg.tp, pp: cfg.pp, cp: cfg.cp, nnodes: slurm.spec.nodes, npusPerNode: slurm.spec.npusPerNode },
      trainIters: cfg.trainIters,
      savesOptimizer: !cfg.noSaveOptim,
      lora: loraOfConfig(cfg),
      resumedFrom: meta.resumedFrom ?? null,
      resumeIteration: meta.resumeIteration ?? null,
    },
    { jobId, file: slurm.scriptPath, logFile: slurm.spec.logFile, submittedAt: meta.now.toISOString() },
  );
  await writeRecord(ex, slurm.ledgerFile, record);
  return { record, jobId };
}
