// install_stack: plans (and with confirm, runs) the MindSpeed-MM install on a host. One probe script decides what is
// already there; apply runs git, pip and cp in the target environment, appends to <workdir>/.ascend-train/install.log
// and keeps <workdir>/.ascend-train/install-state.json, so a failed or cut-off apply resumes at the failed step.

import { z } from "zod";
import { applyPlan } from "../install/apply.js";
import { MM_EXTRAS, type MmExtra } from "../install/context.js";
import { buildPlan } from "../install/plan.js";
import { isOffline, SourcesSchema } from "../install/sources.js";
import { applyTrlPlan, buildTrlPlan, TRL_EXTRAS, type TrlExtra } from "../install/trl.js";
import { CheckSchema, ProblemSchema, STEP_IDS, StepSchema } from "../install/types.js";
import { normalizeRelease, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { argsHint } from "../text/hint.js";
import { defineTool, ToolError } from "./tool.js";

const absolute = z.string().regex(/^\//, "must be an absolute path on the host");

const Input = z.object({
  host: z.string().min(1).default("local").describe("Host to install on."),
  release: z
    .string()
    .optional()
    .refine((v) => v === undefined || normalizeRelease(v) !== null, {
      message: `unknown MindSpeed-MM release; known: ${RELEASE_TAGS.join(", ")}`,
    })
    .describe("MindSpeed-MM release (default: the model's newest, else the newest)."),
  model: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Model id (e.g. qwen2.5vl-7b, deepseekocr): adds its overlay and, if its pins clash, its own environment.",
    ),
  venv: absolute.optional().describe("venv to install into (default: the host's venv; created when missing)."),
  workdir: absolute.optional().describe("MindSpeed-MM checkout (default: the host's workdir)."),
  sources: SourcesSchema.default({}).describe(
    "Where to fetch from; offline clusters give mirrors and a wheel directory.",
  ),
  extras: z
    .array(z.enum([...MM_EXTRAS, ...TRL_EXTRAS]))
    .default([])
    .describe(
      'Extras to install too: "evaluate" (MindSpeed-MM: what evaluate_model needs), "qlora" (CUDA hosts: bitsandbytes).',
    ),
  confirm: z.boolean().default(false).describe("Run the steps. Without it, only the plan is returned."),
  probeTimeoutMs: z.number().int().min(5_000).max(600_000).default(90_000).describe("Bound on the planning probe."),
});

const Output = z.object({
  host: z.string(),
  release: z.string(),
  model: z.string().nullable(),
  applied: z.boolean(),
  status: z.enum(["planned", "blocked", "installed", "already-installed", "failed"]),
  env: z.object({
    kind: z.enum(["venv", "conda"]),
    path: z.string(),
    isolated: z.boolean(),
    reason: z.string().nullable(),
  }),
  workdir: z.string(),
  stateFile: z.string(),
  logFile: z.string(),
  pins: z.object({
    torch: z.string(),
    torchNpu: z.string(),
    transformers: z.string(),
    numpy: z.string().nullable(),
    mindspeed: z.string(),
    megatron: z.string(),
  }),
  sources: z.object({
    mindspeedMm: z.string(),
    megatron: z.string(),
    mindspeed: z.string(),
    wheelDir: z.string().nullable(),
    pipIndex: z.string().nullable(),
    torchIndex: z.string(),
    offline: z.boolean(),
  }),
  steps: z.array(StepSchema),
  problems: z.array(ProblemSchema),
  notes: z.array(z.string()),
  resumedFrom: z.enum(STEP_IDS).nullable().describe("The step this apply resumed at (failed or cut off before)"),
  failedAt: z.enum(STEP_IDS).nullable(),
  check: CheckSchema.nullable().describe("check_env's verdict after the smoke test"),
  trl: z
    .object({ release: z.string(), requirements: z.array(z.string()), installed: z.record(z.string(), z.string()) })
    .optional()
    .describe("CUDA hosts: the TRL release, the pip requirements it pins and what the probe found installed"),
  next: z.string(),
});
type Output = z.output<typeof Output>;

export default defineTool({
  name: "install_stack",
  title: "Install the MindSpeed-MM stack",
  description:
    "Plan or run the MindSpeed-MM install on a host for a release (and model): MindSpeed-MM at the release tag, megatron/ " +
    "from Megatron-LM's core branch, torch + torch_npu for the host's CANN (torch from the CPU index or a wheel directory, " +
    "never PyPI's aarch64 build), MindSpeed at its pinned commit, `pip install -e .`, Triton-Ascend where the release's " +
    "guide installs it (v26.1.0), the model's overlay (a separate venv when its pins clash), then a smoke test reported as " +
    "check_env findings. Without confirm: the ordered steps with exact commands, what is already satisfied, what will be " +
    "replaced, and blockers (no CANN, a CANN the release notes do not list, wrong arch, unreachable sources). " +
    "With confirm: runs the remaining steps, each verified; a failed or cut-off apply resumes at its step on the next call. " +
    "Offline hosts: give sources (git mirrors, wheelDir). Call check_env first; build_configs / launch_train after. " +
    "On a CUDA host (accelerator cuda): the TRL stack pinned per TRL release (trl, transformers, accelerate, datasets, " +
    'peft; bitsandbytes with extras ["qlora"]) into its venv, torch first when missing, then check_env as the smoke test.',
  toolset: "setup",
  kind: "destructive",
  input: Input,
  output: Output,
  async handle(args, deps): Promise<Output> {
    if (deps.hosts.settings(args.host).accelerator === "cuda") return installTrl(args, deps);
    const mmExtras = args.extras.filter((e): e is MmExtra => (MM_EXTRAS as readonly string[]).includes(e));
    if (mmExtras.length !== args.extras.length)
      throw new ToolError(
        `extras: ${args.extras.filter((e) => !mmExtras.includes(e as MmExtra)).join(", ")} is for CUDA hosts.`,
      );
    const plan = await buildPlan(
      {
        host: args.host,
        release: args.release,
        model: args.model,
        venv: args.venv,
        workdir: args.workdir,
        sources: args.sources,
        probeTimeoutMs: args.probeTimeoutMs,
        mmExtras,
      },
      deps,
    );
    const { pins, sources } = plan;
    const tf = pins.transformers;
    const base = {
      host: plan.host,
      release: plan.release.tag,
      model: plan.model?.id ?? null,
      env: plan.env,
      workdir: plan.paths.workdir,
      stateFile: plan.paths.stateFile,
      logFile: plan.paths.log,
      pins: {
        torch: pins.torch,
        torchNpu: pins.torchNpu,
        transformers: tf.gitCommit ? `git ${tf.gitCommit}` : (tf.version ?? "-"),
        numpy: pins.numpy,
        mindspeed: `${pins.mindspeed.branch}${pins.mindspeed.commit ? ` @ ${pins.mindspeed.commit}` : ""}`,
        megatron: pins.megatron.branch,
      },
      sources: {
        mindspeedMm: sources.mindspeedMm,
        megatron: sources.megatron,
        mindspeed: sources.mindspeed,
        wheelDir: sources.wheelDir,
        pipIndex: sources.pipIndex,
        torchIndex: sources.torchIndex,
        offline: isOffline(sources),
      },
      problems: plan.problems,
      notes: plan.notes,
    };
    const blockers = plan.problems.filter((p) => p.severity === "blocker");
    if (!args.confirm || blockers.length > 0)
      return { ...base, ...plannedFields(plan.steps, blockers, afterInstall(mmExtras, "build_configs")) };
    return {
      ...base,
      ...appliedFields(
        await applyPlan(plan, deps),
        plan.paths.log,
        afterInstall(mmExtras, "check_env (clean), build_configs"),
      ),
    };
  },
  failed: (r) => r.status === "blocked" || r.status === "failed",
  summarize(r) {
    const mark = (s: Output["steps"][number]) => s.outcome ?? s.status;
    const head =
      `${r.host}: ${r.trl ? `TRL stack (${r.release})` : `MindSpeed-MM ${r.release}`}${r.model ? ` for ${r.model}` : ""} into ${r.env.kind} ${r.env.path} — ${r.status}` +
      `${r.resumedFrom && r.applied ? ` (resumed at ${r.resumedFrom})` : ""}`;
    const steps = r.steps.map(
      (s) =>
        `  [${mark(s)}] ${s.id}: ${s.title}${s.outcome === "skipped" ? ` (${s.status})` : ""}` +
        `${s.error ? `\n      ${s.error}` : ""}${!r.applied && (s.status === "pending" || s.status === "retry") ? `\n      $ ${s.commands.join("\n      $ ")}` : ""}` +
        `${s.changes.length ? `\n      changes: ${s.changes.join("; ")}` : ""}`,
    );
    const problems = r.problems.map(
      (p) => `[${p.severity}] ${p.id}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ""}`,
    );
    const check = r.check
      ? [
          `check_env: ${
            r.check.ok
              ? "no error"
              : r.check.findings
                  .filter((f) => f.severity === "error")
                  .map((f) => f.id)
                  .join(", ")
          }`,
        ]
      : [];
    return [head, ...steps, ...problems, ...r.notes.map((n) => `note: ${n}`), ...check, r.next].join("\n");
  },
});

/** install_stack on a CUDA host: the TRL stack (src/install/trl.ts), reported in the same shape. */
async function installTrl(args: z.output<typeof Input>, deps: Parameters<typeof buildTrlPlan>[1]): Promise<Output> {
  const trlExtras = args.extras.filter((e): e is TrlExtra => (TRL_EXTRAS as readonly string[]).includes(e));
  if (args.model || args.release || trlExtras.length !== args.extras.length)
    throw new ToolError(
      `${args.host} is a CUDA host: install_stack installs the TRL stack there; model, release and MindSpeed-MM extras do not apply.`,
    );
  const plan = await buildTrlPlan(
    {
      host: args.host,
      venv: args.venv,
      workdir: args.workdir,
      sources: args.sources,
      extras: trlExtras,
      probeTimeoutMs: args.probeTimeoutMs,
    },
    deps,
  );
  const base = {
    host: plan.host,
    release: `trl ${plan.release.trl}`,
    model: null,
    env: { kind: "venv" as const, path: plan.venv, isolated: false, reason: null },
    workdir: plan.paths.workdir,
    stateFile: plan.paths.stateFile,
    logFile: plan.paths.log,
    pins: {
      torch: plan.facts.torch?.version ?? "any (pip picks the host's CUDA build)",
      torchNpu: "-",
      transformers: `>=${plan.release.requires.transformers}`,
      numpy: null,
      mindspeed: "-",
      megatron: "-",
    },
    sources: {
      mindspeedMm: "-",
      megatron: "-",
      mindspeed: "-",
      wheelDir: plan.wheelDir,
      pipIndex: plan.pipIndex,
      torchIndex: plan.pipIndex ?? "-",
      offline: plan.wheelDir !== null && plan.pipIndex === null,
    },
    problems: [],
    notes: plan.notes,
    trl: { release: plan.release.trl, requirements: plan.requirements, installed: plan.facts.packages },
  };
  if (!args.confirm)
    return { ...base, ...plannedFields(plan.steps, [], afterInstall(trlExtras, "build_configs with trainer trl")) };
  return {
    ...base,
    ...appliedFields(
      await applyTrlPlan(plan, deps),
      plan.paths.log,
      afterInstall(trlExtras, "check_env (clean), build_configs with trainer trl"),
    ),
  };
}

/** What the extras asked for are used by, so an install made for one of them points back there. */
const EXTRA_USE: Record<MmExtra | TrlExtra, string> = {
  evaluate: "evaluate_model (its evaluation packages are in place)",
  qlora: "build_configs with trainer trl and peft qlora",
  gguf: "export_model with format gguf",
};

/** The next step after an install: what its extras are for first, then the training path (`build` then launch_train). */
function afterInstall(extras: readonly (MmExtra | TrlExtra)[], build: string): string {
  const uses = extras.map((e) => EXTRA_USE[e]);
  return uses.length > 0 ? `${uses.join("; ")}; to train, ${build}, then launch_train` : `${build}, then launch_train`;
}

/** What an unconfirmed (or blocked) install reports, for either stack: the plan, and what to do with it. */
function plannedFields(
  steps: Output["steps"],
  blockers: readonly { message: string }[],
  nextWhenInPlace: string,
): Pick<Output, "applied" | "status" | "steps" | "resumedFrom" | "failedAt" | "check" | "next"> {
  const nothingToDo = steps.every((s) => s.status === "satisfied" || s.status === "done");
  const resumeAt = steps.find((s) => s.status === "retry")?.id ?? null;
  const status = blockers.length > 0 ? "blocked" : nothingToDo ? "already-installed" : "planned";
  return {
    applied: false,
    status,
    steps,
    resumedFrom: resumeAt,
    failedAt: null,
    check: null,
    next:
      status === "blocked"
        ? `Nothing was changed. Resolve: ${blockers.map((b) => b.message).join(" | ")}`
        : status === "already-installed"
          ? `Everything is in place; check_env has no error. Next: ${nextWhenInPlace}.`
          : `Review the steps${resumeAt ? ` (resumes at ${resumeAt})` : ""}, then call again with ${argsHint({ confirm: true })}.`,
  };
}

/** What a confirmed install reports, for either stack: the steps run, where it stopped, the check and what next. */
function appliedFields(
  done: Pick<Output, "steps" | "resumedFrom" | "failedAt" | "check">,
  log: string,
  nextWhenInstalled: string,
): Pick<Output, "applied" | "status" | "steps" | "resumedFrom" | "failedAt" | "check" | "next"> {
  const failed = done.steps.find((s) => s.outcome === "failed");
  const ran = done.steps.some((s) => s.outcome === "ok" || s.outcome === "failed");
  return {
    applied: true,
    status: failed ? "failed" : ran ? "installed" : "already-installed",
    steps: done.steps,
    resumedFrom: done.resumedFrom,
    failedAt: done.failedAt,
    check: done.check,
    next: failed
      ? `Step ${failed.id} failed (${failed.error}). Fix that, then call again with ${argsHint({ confirm: true })}: earlier steps are kept and it resumes at ${failed.id}. Log: ${log}`
      : `Installed and verified. Next: ${nextWhenInstalled}.`,
  };
}
