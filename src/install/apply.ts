// Runs a plan's steps in order on the host: each bounded in time, its output appended to the log on the host and only
// a tail returned, verified after it runs, and recorded in the state file so the next call resumes where this stopped.
import type { Finding } from "../env/facts.js";
import { evaluateHost } from "../env/findings.js";
import { parseProbe } from "../env/parse-probe.js";
import { buildProbeScript } from "../env/probe.js";
import { ToolError } from "../errors.js";
import { hostPrelude } from "../hosts/environment.js";
import { ensureWritable } from "../hosts/paths.js";
import { envExports, shellQuote } from "../hosts/quote.js";
import type { WorkDeps } from "../hosts/work.js";
import { argsHint } from "../text/hint.js";
import { type BuiltPlan, OCCUPANCY } from "./plan.js";
import { credentialEnv } from "./sources.js";
import { freshState, stepDigest } from "./state.js";
import type { InstallState, Step, StepDef, StepId } from "./types.js";

const q = shellQuote;
const TAIL_BYTES = 6000;
const SEVERITY = ["error", "warning", "info"];

export interface ApplyOutcome {
  steps: Step[];
  check: { ok: boolean; findings: Finding[] } | null;
  failedAt: StepId | null;
  resumedFrom: StepId | null;
}

const T_FN = 'T() { if command -v timeout >/dev/null 2>&1; then timeout -k 10 "$@"; else shift; "$@"; fi; }';
/** Exit status of a step (or an apply) that did not start because an earlier step still runs on the host. */
const BUSY = 75;

/** A step whose command returned no exit status: the connection dropped, or the call was cancelled. */
class StepCutOff extends Error {}

export function stepScript(plan: BuiltPlan, def: StepDef): string {
  const prelude = hostPrelude(plan.targetSettings, {
    sourceCann: plan.settings.sourceCann,
    activatePython: def.id !== "python-env",
  });
  return [
    "set +e",
    `# ascend-train install step: ${def.id}`,
    prelude,
    "export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off GIT_TERMINAL_PROMPT=0",
    // Credentials of the sources travel in this script's environment only (the script itself reaches the host on
    // stdin), never on a command line.
    envExports(credentialEnv(plan.sources)),
    T_FN,
    `mkdir -p ${q(plan.paths.stateDir)} || exit 90`,
    `LOG=${q(plan.paths.log)}`,
    `LOCK=${q(plan.paths.lock)}`,
    // Held until this script ends (not by the step's own children: fd 9 is closed for them).
    "if command -v flock >/dev/null 2>&1; then",
    `  exec 9>>"$LOCK" || exit 90`,
    `  if ! flock -n 9; then echo "STEP NOT STARTED: an earlier install step still runs here: $(head -c 300 "$LOCK")" | tee -a "$LOG"; exit ${BUSY}; fi`,
    `  printf '%s since %s (pid %s)\\n' ${q(def.id)} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$$" > "$LOCK"`,
    "fi",
    `start=$(wc -c < "$LOG" 2>/dev/null || echo 0)`,
    `printf '\\n===== %s %s: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(def.id)} ${q(def.title)} >> "$LOG"`,
    `T ${def.timeoutSec} bash -ex -c ${q(def.commands.join("\n"))} >> "$LOG" 2>&1 9>&-`,
    "rc=$?",
    `if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo "STEP TIMED OUT after ${def.timeoutSec} s" >> "$LOG"; fi`,
    `if [ $rc -eq 0 ]; then ( ${def.verifyScript}\n ) >> "$LOG" 2>&1 || rc=98; fi`,
    `printf '===== %s exit %s\\n' ${q(def.id)} "$rc" >> "$LOG"`,
    `tail -c +$((start + 1)) "$LOG" | tail -c ${TAIL_BYTES}`,
    "exit $rc",
  ].join("\n");
}

/** The line of a step's output that says what went wrong. */
export function errorLine(output: string, exitCode: number | null, timedOut: boolean): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("====="));
  const pick = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  const line =
    pick(/VERIFY FAILED|STEP TIMED OUT|STEP NOT STARTED/) ??
    pick(/^(ERROR|fatal|error)\b|No matching distribution|Could not find a version/i) ??
    lines.at(-1) ??
    "";
  const why = timedOut
    ? "timed out"
    : exitCode === 98
      ? "verification failed"
      : exitCode === BUSY
        ? "not started"
        : `exit ${exitCode}`;
  return line ? `${why}: ${line.replace(/^\+ /, "").slice(0, 400)}` : why;
}

async function writeState(plan: BuiltPlan, state: InstallState, now: Date): Promise<void> {
  state.updatedAt = now.toISOString();
  await plan.executor.writeFile(plan.paths.stateFile, `${JSON.stringify(state, null, 2)}\n`, { exclusive: false });
}

async function smokeTest(plan: BuiltPlan, deps: WorkDeps): Promise<{ ok: boolean; findings: Finding[]; ms: number }> {
  const script = buildProbeScript(plan.targetSettings, { liveTimeoutSec: 60, npuSmiTimeoutSec: 20 });
  const run = await plan.executor.runScript(script, {
    timeoutMs: 150_000,
    maxOutputBytes: 1024 * 1024,
    signal: deps.signal,
  });
  if (run.exitCode === null && !run.timedOut) throw cutOff(deps);
  const facts = parseProbe(run, {
    host: plan.host,
    settings: plan.targetSettings,
    masterPort: 6000,
    hcclPortCount: 16,
  });
  return { ...judge(plan, facts), ms: run.durationMs };
}

function judge(plan: BuiltPlan, facts: BuiltPlan["facts"]): { ok: boolean; findings: Finding[] } {
  const findings = evaluateHost(facts, {
    release: plan.release,
    settings: plan.targetSettings,
    model: plan.model?.id ?? null,
  }).sort((a, b) => SEVERITY.indexOf(a.severity) - SEVERITY.indexOf(b.severity));
  return { ok: !findings.some((f) => f.severity === "error" && !OCCUPANCY.has(f.id)), findings };
}

const findingLine = (f: Finding) => `[${f.severity}] ${f.id}: ${f.title} (${f.evidence})`;

export async function applyPlan(plan: BuiltPlan, deps: WorkDeps): Promise<ApplyOutcome> {
  const { executor, paths } = plan;
  const total = plan.steps.length;
  const state = plan.state ?? freshState(plan.fingerprint, paths.log, deps.now());
  const resumedFrom = plan.steps.find((s) => s.status === "retry")?.id ?? null;
  const header = `apply ${plan.release.tag} into ${plan.env.kind} ${plan.env.path}${plan.model ? ` for ${plan.model.id}` : ""}`;
  const lock = q(paths.lock);
  // The state directory, its log and lock are written by shell lines: the guard checks them first, like any write.
  for (const p of [paths.stateDir, paths.log, paths.lock]) await ensureWritable(executor, p, "install state");
  const init = await executor.runScript(
    [
      `mkdir -p ${q(paths.stateDir)} || exit 1`,
      `if command -v flock >/dev/null 2>&1 && [ -f ${lock} ] && ! flock -n ${lock} true; then head -c 300 ${lock}; exit ${BUSY}; fi`,
      `printf '\\n##### %s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(header)} >> ${q(paths.log)}`,
    ].join("\n"),
    { timeoutMs: 30_000, signal: deps.signal },
  );
  if (init.exitCode === BUSY)
    throw new ToolError(
      `${plan.host}: an earlier install step still runs there (${init.stdout.trim() || "see the lock"}; its output goes to ${paths.log}). Nothing was started. Call install_stack again with ${argsHint({ confirm: true })} once it has ended: the next apply resumes from what the host then shows.`,
    );
  if (init.exitCode !== 0)
    throw new ToolError(`Cannot create ${paths.stateDir} on ${plan.host}: ${init.stderr.trim()}`);
  try {
    await writeState(plan, state, deps.now());
  } catch (error) {
    throw new ToolError(
      `Cannot write the install state ${paths.stateFile} on ${plan.host}: ${(error as Error).message}`,
    );
  }

  const out: Step[] = [];
  let failedAt: StepId | null = null;
  let check: ApplyOutcome["check"] = null;
  let settled = false;
  for (const [i, step] of plan.steps.entries()) {
    const def = plan.defs[i]!;
    if (failedAt) {
      out.push({ ...step, outcome: "not-run" });
      continue;
    }
    // The smoke test judged before the install only counts when nothing ran since.
    const ranSome = out.some((s) => s.outcome === "ok");
    if ((step.status === "satisfied" || step.status === "done") && !(step.id === "smoke-test" && ranSome)) {
      if (step.id === "smoke-test") check = judge(plan, plan.facts);
      const rec = state.steps[step.id];
      if (step.status === "satisfied" && rec && rec.status !== "done") {
        // Cut off from an earlier apply, the step finished on the host anyway: its record says so from now on.
        state.steps[step.id] = { status: "done", at: deps.now().toISOString(), spec: stepDigest(def) };
        settled = true;
      }
      out.push({ ...step, outcome: "skipped" });
      deps.progress({ progress: i + 1, total, message: `${step.id}: ${step.status}, skipped` });
      continue;
    }
    deps.progress({ progress: i, total, message: `${step.id}: running (${step.title})` });
    state.steps[step.id] = { status: "running", at: deps.now().toISOString(), spec: stepDigest(def) };
    await saveState(plan, state, deps, `before step ${step.id}`);
    let result: Step;
    try {
      if (step.id === "smoke-test") {
        const smoke = await runSmoke(plan, step, deps);
        result = smoke.step;
        check = smoke.check;
      } else result = await runStep(plan, step, def, deps);
    } catch (error) {
      // The record stays "running": the next plan retries this step unless the probe shows it finished.
      const still = error instanceof StepCutOff && step.id !== "smoke-test";
      throw new ToolError(
        `${plan.host}: ${(error as Error).message} during step ${step.id}.${still ? ` The step may still be running there (its output goes to ${paths.log}).` : ""} The host keeps the state file (${paths.stateFile}); call install_stack again with ${argsHint({ confirm: true })} to resume at this step${still ? " (refused while it still runs)" : ""}.`,
      );
    }
    const ok = result.outcome === "ok";
    state.steps[step.id] = {
      status: ok ? "done" : "failed",
      at: deps.now().toISOString(),
      spec: stepDigest(def),
      ...(ok ? {} : { error: result.error ?? "failed" }),
    };
    await saveState(plan, state, deps, `after step ${step.id} ${ok ? "finished" : "failed"}`);
    out.push(result);
    deps.progress({ progress: i + 1, total, message: `${step.id}: ${ok ? "done" : `failed: ${result.error}`}` });
    if (!ok) failedAt = step.id;
    settled = false;
  }
  if (settled) await saveState(plan, state, deps, "after settling the records of finished steps");
  return { steps: out, check, failedAt, resumedFrom };
}

const cutOff = (deps: WorkDeps) =>
  new StepCutOff(
    deps.signal?.aborted
      ? "the call was cancelled before the step ended"
      : "the connection dropped before the step ended (no exit status came back)",
  );

/** Writes the state file; a failure names where the apply stopped (the file on the host is replaced whole or not at all). */
async function saveState(plan: BuiltPlan, state: InstallState, deps: WorkDeps, when: string): Promise<void> {
  try {
    await writeState(plan, state, deps.now());
  } catch (error) {
    throw new ToolError(
      `${plan.host}: cannot write the install state ${plan.paths.stateFile} ${when}: ${(error as Error).message}. Call install_stack again with ${argsHint({ confirm: true })}: the plan shows what the host holds.`,
    );
  }
}

async function runStep(plan: BuiltPlan, step: Step, def: StepDef, deps: WorkDeps): Promise<Step> {
  const run = await plan.executor.runScript(stepScript(plan, def), {
    timeoutMs: (def.timeoutSec + 60) * 1000,
    maxOutputBytes: TAIL_BYTES * 2,
    signal: deps.signal,
  });
  if (run.exitCode === null && !run.timedOut) throw cutOff(deps);
  const ok = run.exitCode === 0 && !run.timedOut;
  return {
    ...step,
    outcome: ok ? "ok" : "failed",
    durationMs: run.durationMs,
    outputTail: run.stdout.slice(-TAIL_BYTES),
    ...(ok ? {} : { error: errorLine(`${run.stdout}\n${run.stderr}`, run.exitCode, run.timedOut) }),
  };
}

async function runSmoke(
  plan: BuiltPlan,
  step: Step,
  deps: WorkDeps,
): Promise<{ step: Step; check: { ok: boolean; findings: Finding[] } }> {
  const r = await smokeTest(plan, deps);
  const lines = r.findings.filter((f) => f.severity !== "info").map(findingLine);
  const summary = [`===== smoke-test: ${r.ok ? "no error finding" : "error findings"}`, ...lines].join("\n");
  await plan.executor.runScript(`printf '%s\\n' ${q(summary)} >> ${q(plan.paths.log)}`, { timeoutMs: 30_000 });
  const errors = r.findings.filter((f) => f.severity === "error");
  return {
    step: {
      ...step,
      outcome: r.ok ? "ok" : "failed",
      durationMs: r.ms,
      outputTail: summary,
      ...(r.ok ? {} : { error: `check_env finds ${errors.map((f) => `${f.id} (${f.evidence})`).join("; ")}` }),
    },
    check: { ok: r.ok, findings: r.findings },
  };
}
