// export_scheduler_job: the same run as a Slurm batch script and a MindCluster AscendJob manifest; submits to
// Slurm with sbatch where the host has it (unless asked not to), and records the job id and the job's output file in
// the run ledger, so the run tools follow it through Slurm.
import { posix } from "node:path";
import { z } from "zod";
import { envInput } from "../runs/launch-result.js";
import { parseLaunchScript } from "../runs/launch-script.js";
import { ensureDir, ledgerDir, newRunId, redactEnv, requireRun, writeRecord } from "../runs/ledger.js";
import { resolveOnHost } from "../runs/preflight.js";
import { carriedEnv } from "../runs/resume.js";
import {
  acceleratorTypeFor,
  ascendJobManifest,
  jobSecrets,
  k8sSecretName,
  type SchedulerJobSpec,
  secretsFileText,
  slurmScript,
} from "../runs/scheduler.js";
import { hasSbatch, submitBatch } from "../runs/slurm.js";
import { slurmRunRecord } from "../runs/slurm-launch.js";
import { RunIdSchema, type RunRecord } from "../runs/types.js";
import { argsHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const input = z
  .object({
    runId: RunIdSchema.optional().describe("A recorded run to hand off (its hosts, script and env)."),
    host: z.string().min(1).optional().describe("Without runId: the host holding the launch script (login node)."),
    nodes: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .optional()
      .describe("Without runId: how many nodes (default: the script's NNODES)."),
    script: z
      .string()
      .min(1)
      .optional()
      .describe("Without runId: the launch script (absolute or relative to the workdir)."),
    env: envInput,
    image: z.string().min(1).default("mindspeed-mm:latest").describe("Container image for the AscendJob."),
    namespace: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default("default")
      .describe("Kubernetes namespace for the AscendJob."),
    queue: z.string().min(1).default("default").describe("Volcano queue."),
    partition: z
      .string()
      .regex(/^[A-Za-z0-9_,-]+$/)
      .optional()
      .describe("Slurm partition."),
    account: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .optional()
      .describe("Slurm account to charge."),
    time: z
      .string()
      .regex(/^[0-9:-]+$/)
      .optional()
      .describe("Slurm time limit, e.g. 2-00:00:00."),
    gres: z
      .string()
      .regex(/^[A-Za-z0-9_:]*$/)
      .optional()
      .describe('Slurm GRES (default "npu:<NPUs per node>"; "" for none).'),
    submit: z
      .boolean()
      .default(true)
      .describe("Submit the Slurm script with sbatch on confirm, where the host has it (default)."),
    confirm: z.boolean().default(false).describe("Write the files (and submit). Without it, only the texts come back."),
  })
  .refine((v) => Boolean(v.runId) !== Boolean(v.script), { message: "Give runId, or script (with host), not both." });

export default defineTool({
  name: "export_scheduler_job",
  title: "Hand a run to Slurm or Kubernetes",
  description:
    "Generate a Slurm batch script (one task per node, NODE_RANK from SLURM_NODEID, MASTER_ADDR from the node list) " +
    "and a MindCluster AscendJob manifest for Volcano (Master + Workers, huawei.com/Ascend910 per pod) that run the " +
    "same launch script. Without confirm: returns both texts. With confirm: writes them next to the run ledger and, " +
    "where the host has sbatch, submits the Slurm script and records the job id, so list_runs, tail_logs, stop_run, " +
    "resume_run and diagnose_error follow the run through Slurm (submit: false only writes).",
  toolset: "train",
  kind: "destructive",
  input,
  output: z.object({
    runId: z.string(),
    slurm: z.object({ path: z.string(), text: z.string() }),
    ascendJob: z.object({ path: z.string(), text: z.string() }),
    written: z.boolean(),
    submitted: z.boolean(),
    jobId: z.string().nullable(),
    notes: z.array(z.string()),
  }),
  async handle(args, deps) {
    let record: RunRecord | null = null;
    let master: string;
    let spec: Omit<SchedulerJobSpec, "hostfile" | "logFile" | "secretsFile">;
    if (args.runId) {
      const found = await requireRun(deps.hosts, args.runId, args.host, { tool: "export_scheduler_job" });
      record = found.record;
      master = record.hosts[0]!;
      spec = {
        runId: record.id,
        nodes: record.parallel.nnodes,
        npusPerNode: record.parallel.npusPerNode,
        workdir: record.workdir,
        script: record.script,
        env: { ...carriedEnv(record).env, ...args.env },
        masterPort: record.masterPort,
      };
    } else {
      master = args.host ?? "local";
      const { executor, settings } = await deps.hosts.get(master);
      if (!settings.workdir) throw new ToolError(`Host ${master} has no workdir in the inventory.`);
      const abs = resolveOnHost(settings.workdir, args.script!);
      const text = await executor
        .readFile(abs)
        .then((c) => c.content)
        .catch(() => null);
      if (text === null) throw new ToolError(`${abs} does not exist on ${master}; run build_configs first.`);
      const info = parseLaunchScript(text);
      spec = {
        runId: newRunId(deps.now()),
        nodes: args.nodes ?? info.nnodes ?? 1,
        npusPerNode: info.npusPerNode ?? settings.npusPerNode,
        workdir: settings.workdir,
        script: abs,
        env: args.env,
        masterPort: info.masterPort ?? 6000,
      };
    }
    const { executor, settings } = await deps.hosts.get(master);
    const dir = await ledgerDir(executor, settings);
    const full: SchedulerJobSpec = {
      ...spec,
      hostfile: posix.join(dir, `${spec.runId}.slurm-hosts`),
      logFile: posix.join(spec.workdir, "logs", `train_${spec.runId}.scheduler.log`),
      secretsFile: posix.join(dir, `${spec.runId}.secrets.env`),
    };
    // Secret-named variables stay out of both job files: they go to an owner-only env file next to them.
    const secrets = jobSecrets(full, settings);
    const secretNames = Object.keys(secrets);
    const slurm = {
      path: posix.join(dir, `${spec.runId}.sbatch`),
      text: slurmScript(full, settings, {
        gres: args.gres ?? `npu:${spec.npusPerNode}`,
        partition: args.partition,
        account: args.account,
        time: args.time,
      }),
    };
    const ascendJob = {
      path: posix.join(dir, `${spec.runId}.ascendjob.yaml`),
      text: ascendJobManifest(full, {
        image: args.image,
        namespace: args.namespace,
        queue: args.queue,
        ringController: "ascend-910b",
        acceleratorType: acceleratorTypeFor(spec.npusPerNode),
        hostArch: "huawei-arm",
      }),
    };
    const notes: string[] = [];
    if (args.image === "mindspeed-mm:latest")
      notes.push("Set image to your training image before applying the AscendJob.");
    if (secretNames.length > 0) {
      notes.push(
        `${secretNames.join(", ")} ${secretNames.length > 1 ? "are" : "is"} kept out of the job files, in ${full.secretsFile} ` +
          "(owner-only; the Slurm script reads it). For the AscendJob create the Secret first: kubectl create secret " +
          `generic ${k8sSecretName(spec.runId)} -n ${args.namespace} --from-env-file=${full.secretsFile}`,
      );
    }
    const out = {
      runId: spec.runId,
      slurm,
      ascendJob,
      written: false,
      submitted: false,
      jobId: null as string | null,
      notes,
    };
    if (!args.confirm) return out;
    await ensureDir(executor, dir);
    // Owner-only: the job files name paths and settings of this user's run; the secrets file holds credentials.
    if (secretNames.length > 0)
      await executor.writeFile(full.secretsFile, secretsFileText(secrets), { exclusive: false, mode: 0o600 });
    await executor.writeFile(slurm.path, slurm.text, { exclusive: false, mode: 0o700 });
    await executor.writeFile(ascendJob.path, ascendJob.text, { exclusive: false, mode: 0o600 });
    out.written = true;
    if (!args.submit) return out;
    if (!(await hasSbatch(executor))) {
      notes.push(`sbatch is not available on ${master}: submit ${slurm.path} from a Slurm login node.`);
      return out;
    }
    // sbatch opens the output file in a directory that must exist.
    await ensureDir(executor, posix.dirname(full.logFile));
    let jobId: string;
    try {
      jobId = await submitBatch(executor, slurm.path, spec.workdir);
    } catch (error) {
      throw new ToolError((error as Error).message);
    }
    out.submitted = true;
    out.jobId = jobId;
    const job = {
      kind: "slurm" as const,
      jobId,
      file: slurm.path,
      submittedAt: deps.now().toISOString(),
      logFile: full.logFile,
    };
    const updated: RunRecord = record
      ? { ...record, scheduler: [...record.scheduler, job] }
      : slurmRunRecord(
          {
            id: spec.runId,
            hosts: [master],
            workdir: spec.workdir,
            script: spec.script,
            env: redactEnv(spec.env),
            masterPort: spec.masterPort,
            parallel: { tp: 1, pp: 1, cp: 1, nnodes: spec.nodes, npusPerNode: spec.npusPerNode },
          },
          job,
        );
    await writeRecord(executor, posix.join(dir, `${spec.runId}.json`), updated);
    return out;
  },
  summarize: (r) =>
    [
      `${r.runId}: Slurm script ${r.slurm.path}, AscendJob ${r.ascendJob.path}${r.written ? " (written)" : ` (not written; ${argsHint({ confirm: true })} writes them)`}`,
      ...(r.submitted ? [`Submitted to Slurm as job ${r.jobId}; list_runs tracks it.`] : []),
      ...r.notes,
    ].join("\n"),
});
