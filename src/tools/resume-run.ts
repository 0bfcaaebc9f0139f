// resume_run: a new run continuing a stopped or failed one from the latest complete checkpoint in its own save directory
// (the one its ledger record names, even after the configs were rebuilt to save elsewhere).
import { posix } from "node:path";
import { z } from "zod";
import { divergenceOf } from "../runs/divergence.js";
import {
  envInput,
  finishLaunch,
  LaunchOk,
  LaunchOut,
  launchFailed,
  summarizeLaunch,
  withVerdict,
} from "../runs/launch-result.js";
import type { ResumeEdit } from "../runs/launch-script.js";
import { findRun, ledgerDir, newRunId, requireRun } from "../runs/ledger.js";
import { prepareLaunch } from "../runs/orchestrate.js";
import { resolveOnHost } from "../runs/preflight.js";
import { buildResume, carriedEnv, ownSaveDirScript, type ResumeFiles, recordedSaveDir } from "../runs/resume.js";
import { isSlurmActive } from "../runs/slurm.js";
import { planSlurmLaunch, relaxLoginNodeChecks } from "../runs/slurm-launch.js";
import { livenessByRun, slurmJobOf } from "../runs/status.js";
import { launchTrlRun } from "../runs/trl-launch.js";
import { RunIdSchema, type RunRecord } from "../runs/types.js";
import { callHint } from "../text/hint.js";
import { savedCheckpoints } from "./stop-run.js";
import { defineTool, type ToolDeps, ToolError } from "./tool.js";

/** The line build_configs' TRL scripts start training with. */
const TRAIN_CALL = /^trainer\.train\(\)\s*$/m;

/**
 * A TRL run resumes through the Trainer: a copy of its script calls trainer.train(resume_from_checkpoint=…) with the
 * latest checkpoint-N folder the run saved (weights, optimizer, scheduler, RNG and step), started like launch_train.
 */
async function resumeTrlRun(
  record: RunRecord,
  runId: string,
  args: { env: Record<string, string>; masterPort?: number; settleSeconds: number; confirm: boolean },
  deps: ToolDeps,
) {
  const host = record.hosts[0]!;
  const { executor, settings } = await deps.hosts.get(host);
  const relaunch = callHint("launch_train", { host, script: record.script });
  const saved = await savedCheckpoints(deps.hosts, record);
  if (saved?.layout !== "transformers" || saved.latest === null)
    throw new ToolError(
      `${record.id} is a TRL run and saved no checkpoint-N folder in ${record.saveDir ?? "its output_dir"}: there is ` +
        `nothing to resume from; start it again with ${relaunch}.`,
    );
  const checkpoint = saved.pathOf(saved.latest);
  const text = (await executor.readFile(record.script, { maxBytes: 1024 * 1024 })).content;
  if (!TRAIN_CALL.test(text))
    throw new ToolError(
      `${record.script} does not call \`trainer.train()\` on a line of its own as build_configs writes it, so resume_run ` +
        `cannot point it at ${checkpoint}: change its call to \`trainer.train(resume_from_checkpoint=True)\` and start it ` +
        `with ${relaunch}.`,
    );
  const call = `trainer.train(resume_from_checkpoint=${JSON.stringify(checkpoint)})`;
  const dir = await ledgerDir(executor, settings);
  const scriptPath = posix.join(dir, `${runId}.${posix.basename(record.script).replace(/\.py$/, "")}.resume.py`);
  const out = await launchTrlRun({
    host,
    executor,
    settings,
    script: scriptPath,
    env: { ...carriedEnv(record).env, ...args.env },
    masterPort: args.masterPort ?? record.masterPort,
    settleSeconds: args.settleSeconds,
    confirm: args.confirm,
    now: deps.now(),
    runId,
    progress: deps.progress,
    resume: { text: text.replace(TRAIN_CALL, call), from: record.id, iteration: saved.latest },
  });
  return { ...out, resumedFrom: record.id, resumeIteration: saved.latest, changes: [`${call} in ${scriptPath}`] };
}

/**
 * The run's launch script as it is now, pointed at the run's own save directory when it was rebuilt to save elsewhere
 * since the launch (ownSaveDirScript); null when it saves there already, cannot be read, or names no such path.
 */
async function pointedAtOwnSaveDir(record: RunRecord, deps: ToolDeps): Promise<ResumeEdit | null> {
  const saveDir = recordedSaveDir(record);
  if (!saveDir) return null;
  const { executor, settings } = await deps.hosts.get(record.hosts[0]!);
  const workdir = settings.workdir ?? "";
  const text = await executor
    .readFile(resolveOnHost(workdir, record.script), { maxBytes: 4 * 1024 * 1024 })
    .then((c) => c.content)
    .catch(() => null);
  return text === null ? null : ownSaveDirScript(text, saveDir, workdir);
}

export default defineTool({
  name: "resume_run",
  title: "Resume a training run",
  description:
    "Continue a stopped, failed or stalled run from the latest complete checkpoint in its save directory " +
    "(latest_checkpointed_iteration.txt), on the same hosts with the same layout and configs: --load points at the " +
    "save directory and --no-load-optim / --no-load-rng / --finetune are removed so the optimizer, RNG and iteration " +
    "count are restored. Configs rebuilt since the launch run as they are now, still loading and saving in the run's own " +
    "save directory (its record's); the plan names the files that changed, and a rebuilt parallel layout is refused. " +
    "Runs the launch pre-flight. Without confirm: returns the plan and the changes. With " +
    "confirm: starts a new run (new run id, resumedFrom set); a run Slurm ran is resubmitted to Slurm. A TRL run " +
    "resumes through the Trainer: a copy of its script calls trainer.train(resume_from_checkpoint=<its latest " +
    "checkpoint-N folder>) and starts like launch_train.",
  toolset: "train",
  kind: "destructive",
  input: z.object({
    runId: RunIdSchema.describe("The run to continue."),
    host: z.string().min(1).optional().describe("A host of the run, to look it up faster."),
    env: envInput,
    masterPort: z.number().int().min(1024).max(65535).optional().describe("MASTER_PORT (default: the run's)."),
    allowFreshOptimizer: z
      .boolean()
      .default(false)
      .describe(
        "For runs saved without optimizer state: resume weights, iteration and LR schedule with a new optimizer.",
      ),
    settleSeconds: z
      .number()
      .min(0)
      .max(60)
      .default(2)
      .describe("Seconds to watch the resumed run after its start, to catch an immediate exit."),
    newRunId: RunIdSchema.optional().describe(
      "The new run's id a plan showed: the resumed run starts under it (refused when it exists). Default: a new one.",
    ),
    confirm: z.boolean().default(false).describe("Start the resumed run."),
  }),
  output: LaunchOut.extend({
    resumedFrom: z.string(),
    resumeIteration: z.number().nullable(),
    changes: z.array(z.string()).describe("what differs from the original launch"),
    ok: LaunchOk,
  }),
  async handle(args, deps) {
    const found = await requireRun(deps.hosts, args.runId, args.host, { tool: "resume_run" });
    const record = found.record;
    if (record.hfJob)
      throw new ToolError(
        `${record.id} ran as a Hugging Face job, whose disk (checkpoints included) went away with it: start it again ` +
          `with ${callHint("launch_train", { host: record.hosts[0], script: record.script })}.`,
      );
    // A run Slurm ran is resubmitted to Slurm from the same login host, once Slurm no longer holds it.
    const viaSlurm = record.nodes.length === 0 && record.scheduler.some((j) => j.kind === "slurm" && j.jobId);
    if (record.nodes.length === 0 && !viaSlurm) {
      throw new ToolError(`${record.id} was handed to a scheduler without a job id; resubmit it there.`);
    }
    const job = viaSlurm ? await slurmJobOf(deps.hosts, record) : null;
    if (job && isSlurmActive(job)) {
      throw new ToolError(
        `${record.id} is still ${job.state} in Slurm (job ${job.jobId}): stop it first with ${callHint("stop_run", { runId: record.id, confirm: true })}.`,
      );
    }
    const live = (await livenessByRun(deps.hosts, [{ ...record, state: "launched" }])).get(record.id) ?? [];
    const running = live.filter((n) => n.alive || (n.groupMembers ?? 0) > 0);
    if (running.length > 0) {
      throw new ToolError(
        `${record.id} is still running on ${running.map((n) => n.host).join(", ")}: stop it first with ${callHint("stop_run", { runId: record.id, confirm: true })}.`,
      );
    }
    if (args.newRunId) {
      const taken = (await findRun(deps.hosts, args.newRunId, record.hosts)).found;
      if (taken)
        throw new ToolError(
          `A run ${args.newRunId} already exists on ${taken.host}: call again without newRunId for a new run id.`,
        );
    }
    const runId = args.newRunId ?? newRunId(deps.now());
    if (record.script.endsWith(".py")) return resumeTrlRun(record, runId, args, deps);
    // Each node's own ledger directory, never a directory the record names.
    const dirOf = new Map(
      await Promise.all(
        [...new Set(record.hosts)].map(async (host) => {
          const { executor, settings } = await deps.hosts.get(host);
          return [host, await ledgerDir(executor, settings)] as const;
        }),
      ),
    );
    const scriptInfoEnv = carriedEnv(record);
    const ownSaveDir = await pointedAtOwnSaveDir(record, deps);
    const prepared = await prepareLaunch(
      {
        hosts: deps.hosts,
        nodes: record.hosts,
        script: record.script,
        ...(ownSaveDir ? { scriptText: ownSaveDir.text } : {}),
        env: { ...scriptInfoEnv.env, ...args.env },
        masterPort: args.masterPort ?? record.masterPort,
        resume: true,
        now: deps.now(),
        runId,
      },
      (n) => posix.join(dirOf.get(n.host)!, `${runId}.${posix.basename(record.script).replace(/\.sh$/, "")}.resume.sh`),
    );
    const pre = prepared.pre;
    if (!pre.script || !pre.config) {
      return withVerdict({
        ...(await finishLaunch(prepared, false, 0, deps, {})),
        resumedFrom: record.id,
        resumeIteration: null,
        changes: [],
      });
    }
    const main = pre.script.info.mainConfig;
    const diverged = await divergenceOf(deps.hosts, record, deps.now);
    const perNode = new Map<string, ResumeFiles>();
    for (const n of pre.nodes) {
      let mainText: string | null = null;
      if (main) {
        mainText = await n.executor
          .readFile(resolveOnHost(n.workdir, main))
          .then((c) => c.content)
          .catch(() => null);
      }
      perNode.set(
        n.host,
        buildResume(record, pre, {
          newRunId: runId,
          ledgerDir: dirOf.get(n.host)!,
          allowFreshOptimizer: args.allowFreshOptimizer,
          mainConfigText: mainText,
          divergedAt: diverged?.iteration ?? null,
        }),
      );
    }
    const first = perNode.get(pre.nodes[0]!.host)!;
    const notes = scriptInfoEnv.redacted.length
      ? [`Secret variables of the original run were not kept (${scriptInfoEnv.redacted.join(", ")}): pass them in env.`]
      : [];
    const env = { ...scriptInfoEnv.env, ...args.env };
    if (viaSlurm) relaxLoginNodeChecks(prepared);
    const slurm = viaSlurm ? planSlurmLaunch(prepared, { env, scriptPath: first.scriptPath }) : undefined;
    const out = await finishLaunch(prepared, args.confirm, viaSlurm ? 0 : args.settleSeconds, deps, {
      slurm,
      confirmArgs: { confirm: true, newRunId: runId },
      resumedFrom: record.id,
      resumeIteration: first.iteration,
      scriptPath: first.scriptPath,
      extraChecks: first.checks,
      beforeStart: async () => {
        for (const n of pre.nodes) {
          for (const f of perNode.get(n.host)!.files) await n.executor.writeFile(f.path, f.text, { mode: 0o644 });
        }
      },
    });
    if (out.plan) out.plan.notes.push(...notes);
    const changes = [...(ownSaveDir?.changes ?? []), ...first.changes];
    return withVerdict({ ...out, resumedFrom: record.id, resumeIteration: first.iteration, changes });
  },
  failed: launchFailed,
  summarize: (r) =>
    [
      `Resume of ${r.resumedFrom} from iteration ${r.resumeIteration ?? "?"}: ${r.changes.join("; ") || "no changes"}`,
      summarizeLaunch(r),
    ].join("\n"),
});
