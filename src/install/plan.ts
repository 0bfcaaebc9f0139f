// Builds the install plan from ONE probe round trip: model and release → target environment → probe → pins →
// steps with their status → problems.
import type { HostFacts } from "../env/facts.js";
import { evaluateHost } from "../env/findings.js";
import { parseProbe } from "../env/parse-probe.js";
import { ToolError } from "../errors.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import type { WorkDeps } from "../hosts/work.js";
import { lookupModel, modelNotResolved } from "../knowledge/lookup.js";
import { newestReleaseFor } from "../knowledge/models.js";
import { NEWEST_RELEASE } from "../knowledge/release-tags.js";
import { getRelease, type ReleaseStack } from "../knowledge/releases.js";
import type { ModelEntry } from "../knowledge/types.js";
import type { MmExtra } from "./context.js";
import {
  type ModelOverlay,
  modelOverlay,
  type Pins,
  resolvePins,
  settingsFor,
  type TargetEnv,
  targetEnv,
} from "./pins.js";
import {
  buildInstallProbe,
  type InstallExtras,
  type InstallProbeInput,
  parseInstallExtras,
  splitInstallOutput,
} from "./probe.js";
import { findProblems } from "./problems.js";
import { isOffline, type ResolvedSources, resolveSources, type SourcesInput } from "./sources.js";
import { parseState, stepStatuses } from "./state.js";
import { buildSteps, type InstallPaths, installPaths, type PlanContext } from "./steps.js";
import type { InstallState, Problem, Step, StepDef } from "./types.js";

/** What other jobs are doing right now (busy ports, NPUs in use): reported, but no verdict on the install. */
export const OCCUPANCY = new Set([
  "master-port-in-use",
  "hccl-ports-in-use",
  "npu-busy",
  "hbm-held",
  "disk-low",
  "shm-small",
]);

export interface InstallRequest {
  host: string;
  release?: string;
  model?: string;
  venv?: string;
  workdir?: string;
  sources: SourcesInput;
  probeTimeoutMs: number;
  /** MindSpeed-MM's optional extras to install too (pyproject's [project.optional-dependencies]), e.g. evaluate. */
  mmExtras?: readonly MmExtra[];
}

export interface BuiltPlan {
  host: string;
  executor: HostExecutor;
  settings: HostSettings;
  /** The host settings with the target environment and workdir: what the smoke test probes. */
  targetSettings: HostSettings;
  release: ReleaseStack;
  model: ModelEntry | null;
  overlay: ModelOverlay | null;
  env: TargetEnv;
  paths: InstallPaths;
  sources: ResolvedSources;
  pins: Pins;
  facts: HostFacts;
  extras: InstallExtras;
  defs: StepDef[];
  steps: Step[];
  problems: Problem[];
  state: InstallState | null;
  fingerprint: string;
  notes: string[];
}

function resolveModel(query: string | undefined): ModelEntry | null {
  if (!query) return null;
  const hit = lookupModel(query);
  if (hit.status === "model") return hit.model;
  if (hit.status === "route")
    throw new ToolError(
      `${hit.route.id} is a ${hit.route.kind} example; install_stack installs VLM fine-tuning stacks. Omit model for the base stack.`,
    );
  throw new ToolError(modelNotResolved(hit));
}

function release(tag: string | undefined): ReleaseStack {
  try {
    return getRelease(tag);
  } catch (error) {
    throw new ToolError((error as Error).message);
  }
}

export async function buildPlan(req: InstallRequest, deps: WorkDeps): Promise<BuiltPlan> {
  const model = resolveModel(req.model);
  const { settings, executor } = await deps.hosts.get(req.host);
  // The release decides the model's environment: the one asked for, else the model's newest, else the newest.
  const stack: ReleaseStack = req.release
    ? release(req.release)
    : model
      ? release(newestReleaseFor(model))
      : release(NEWEST_RELEASE);
  if (model && !model.releases.includes(stack.tag)) {
    throw new ToolError(`${model.id} is not in MindSpeed-MM ${stack.tag}; it is in ${model.releases.join(", ")}.`);
  }
  const overlay = model ? modelOverlay(stack, model) : null;
  const env = targetEnv(settings, req.venv, overlay);
  if (!env) {
    throw new ToolError(
      `Host "${req.host}" names no Python environment: set venv: /path/to/venv (created by install_stack) or conda: <env> for it in ascend-train.yaml, or pass venv.`,
    );
  }
  const workdir = req.workdir ?? settings.workdir;
  if (!workdir) {
    throw new ToolError(
      `Host "${req.host}" has no workdir (the MindSpeed-MM checkout): set workdir: /path/MindSpeed-MM for it in ascend-train.yaml, or pass workdir.`,
    );
  }
  const paths = installPaths(workdir);
  const targetSettings = settingsFor(settings, env, paths.workdir);
  const sources = resolveSources(req.sources, stack, settings);
  const needsTfGit = Boolean(stack.transformers.gitCommit || overlay?.transformers?.gitCommit);
  const probeInput: InstallProbeInput = {
    stateFile: paths.stateFile,
    lockFile: paths.lock,
    checkouts: [paths.workdir, paths.mindspeed],
    workdir: paths.workdir,
    venv: env.kind === "venv" ? env.path : null,
    wheelDir: sources.wheelDir,
    gitSources: [
      sources.mindspeedMm,
      sources.megatron,
      sources.mindspeed,
      ...(needsTfGit ? [sources.transformers] : []),
    ],
    indexes: isOffline(sources) ? [] : [sources.pipIndex ?? "", sources.torchIndex],
  };
  const seconds = Math.floor(req.probeTimeoutMs / 1000);
  const script = buildInstallProbe(targetSettings, probeInput, {
    liveTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    npuSmiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
  });
  deps.progress({ progress: 0, message: `probing ${req.host}` });
  const run = await executor.runScript(script, {
    timeoutMs: req.probeTimeoutMs,
    maxOutputBytes: 2 * 1024 * 1024,
    signal: deps.signal,
  });
  const { probe, sections } = splitInstallOutput(run.stdout);
  const facts = parseProbe(
    { ...run, stdout: probe },
    { host: req.host, settings: targetSettings, masterPort: 6000, hcclPortCount: 16 },
  );
  if (facts.probe.error && !facts.machine.arch)
    throw new ToolError(`The probe of ${req.host} failed: ${facts.probe.error}`);
  const extras = parseInstallExtras(sections, probeInput);

  const pins = resolvePins(stack, { cann: facts.cann.version });
  const notes = [...pins.notes];
  const fingerprint = `${stack.tag}|${env.kind}:${env.path}|${model?.id ?? "-"}`;
  const parsed = parseState(extras.stateText);
  if (parsed.note) notes.push(parsed.note);
  let state = parsed.state;
  if (state && state.fingerprint !== fingerprint) {
    notes.push(`The state file on the host is for another plan (${state.fingerprint}); apply starts a new one.`);
    state = null;
  }
  if (env.isolated && env.reason) notes.push(`${env.reason} Use venv ${env.path} (or conda) for this model's runs.`);
  if (!extras.complete) notes.push("The probe did not finish its install sections; statuses may be incomplete.");
  notes.push(
    "pip also resolves the dependencies of what it installs (the pyproject pins of `pip install -e .`); the log on the host lists every package it replaced.",
  );

  const ctx: PlanContext = {
    release: stack,
    overlay,
    pins,
    sources,
    env,
    paths,
    facts,
    extras,
    mmExtras: req.mmExtras ?? [],
  };
  const errors = evaluateHost(facts, { release: stack, settings: targetSettings, model: model?.id ?? null })
    .filter((f) => f.severity === "error" && !OCCUPANCY.has(f.id))
    .map((f) => f.id);
  const defs = buildSteps(ctx, errors);
  const steps = stepStatuses(defs, state);
  const problems = findProblems(ctx, defs, steps, probeInput);
  return {
    host: req.host,
    executor,
    settings,
    targetSettings,
    release: stack,
    model,
    overlay,
    env,
    paths,
    sources,
    pins,
    facts,
    extras,
    defs,
    steps,
    problems,
    state,
    fingerprint,
    notes,
  };
}
