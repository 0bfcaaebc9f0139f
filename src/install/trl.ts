// install_stack on a CUDA host: the TRL stack pinned per TRL release (trl exactly, transformers / accelerate / datasets
// at the minimums of TRL's install_requires, peft at its `peft` extra, bitsandbytes for QLoRA) into the host's venv,
// with pip from the host's sources (a wheel directory: --no-index --find-links; a pip index), then check_env's CUDA
// verdict as the smoke test. The same plan → confirm → resume shape as the MindSpeed-MM install: one probe decides
// what is there, each step runs bounded with its output in <workdir>/.ascend-train/install.log, and the state file
// lets a failed apply resume at its step.

import { buildCudaProbeScript, type CudaFacts, evaluateCudaHost, parseCudaProbe } from "../env/cuda.js";
import type { Finding } from "../env/facts.js";
import { ToolError } from "../errors.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureWritable } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import type { WorkDeps } from "../hosts/work.js";
import { LLAMA_CPP_REPO, LLAMA_CPP_TAG } from "../knowledge/llama-cpp.js";
import { getTrlRelease, type TrlRelease } from "../knowledge/trl.js";
import { type InstallPaths, installPaths } from "./context.js";
import type { SourcesInput } from "./sources.js";
import { freshState, parseState, stepDigest, stepStatuses } from "./state.js";
import type { InstallState, Step, StepDef } from "./types.js";

const q = shellQuote;
const MINUTE = 60;
const TAIL = 6000;

/** What install_stack can add to the TRL stack: bitsandbytes for 4-bit QLoRA; llama.cpp for GGUF export. */
export const TRL_EXTRAS = ["qlora", "gguf"] as const;
export type TrlExtra = (typeof TRL_EXTRAS)[number];

export interface TrlInstallRequest {
  host: string;
  venv?: string;
  workdir?: string;
  sources: SourcesInput;
  extras: readonly TrlExtra[];
  trlRelease?: string;
  probeTimeoutMs: number;
}

export interface TrlPlan {
  host: string;
  executor: HostExecutor;
  settings: HostSettings;
  release: TrlRelease;
  venv: string;
  paths: InstallPaths;
  wheelDir: string | null;
  pipIndex: string | null;
  /** The llama.cpp clone export_model uses (extras gguf) and where it is cloned from. */
  llamaCpp: { dir: string; source: string } | null;
  facts: CudaFacts;
  requirements: string[];
  defs: StepDef[];
  steps: Step[];
  state: InstallState | null;
  fingerprint: string;
  notes: string[];
}

/** "1.10.2+cu128" → [1, 10, 2]; compares release numbers only. */
function atLeast(version: string | undefined, min: string): boolean {
  if (!version) return false;
  const nums = (v: string) =>
    v
      .split(/[^\d.]/)[0]!
      .split(".")
      .map((n) => Number(n) || 0);
  const a = nums(version);
  const b = nums(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The pip requirement strings for a TRL release (what TRL's setup.cfg asks, trl itself exact). */
export function trlRequirements(release: TrlRelease, extras: readonly TrlExtra[]): string[] {
  const r = release.requires;
  return [
    `trl==${release.trl}`,
    `transformers>=${r.transformers}`,
    `accelerate>=${r.accelerate}`,
    `datasets>=${r.datasets}`,
    `peft>=${r.peft}`,
    ...(extras.includes("qlora") ? ["bitsandbytes"] : []),
  ];
}

function pipSource(wheelDir: string | null, pipIndex: string | null): string {
  if (wheelDir && !pipIndex) return `--no-index --find-links ${q(wheelDir)}`;
  if (wheelDir && pipIndex) return `--find-links ${q(wheelDir)} --index-url ${q(pipIndex)}`;
  return pipIndex ? `--index-url ${q(pipIndex)}` : "";
}

interface LlamaState {
  dir: string;
  source: string;
  /** What the probe saw: the clone's exact tag, convert_hf_to_gguf.py, a built llama-quantize. */
  tag: string | null;
  convert: boolean;
  quantize: boolean;
}

function llamaCppStep(l: LlamaState): StepDef {
  const d = q(l.dir);
  const ok = l.tag === LLAMA_CPP_TAG && l.convert && l.quantize;
  return {
    id: "llama-cpp",
    title: `llama.cpp ${LLAMA_CPP_TAG} in ${l.dir} with llama-quantize built (GGUF export)`,
    commands: [
      `if [ ! -d ${q(`${l.dir}/.git`)} ]; then git clone -q --depth 1 --branch ${LLAMA_CPP_TAG} ${q(l.source)} ${d}; fi`,
      `git -C ${d} rev-parse -q --verify refs/tags/${LLAMA_CPP_TAG} >/dev/null || git -C ${d} fetch -q --depth 1 origin tag ${LLAMA_CPP_TAG}`,
      `git -C ${d} checkout -q ${LLAMA_CPP_TAG}`,
      `cmake -S ${d} -B ${q(`${l.dir}/build`)} -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF`,
      `cmake --build ${q(`${l.dir}/build`)} --config Release -j 8 --target llama-quantize`,
    ],
    verify: `${l.dir} at ${LLAMA_CPP_TAG} with convert_hf_to_gguf.py and build/bin/llama-quantize`,
    verifyScript: `test -f ${q(`${l.dir}/convert_hf_to_gguf.py`)} && test -x ${q(`${l.dir}/build/bin/llama-quantize`)} && test "$(git -C ${d} describe --tags --exact-match HEAD)" = ${LLAMA_CPP_TAG}`,
    changes: l.tag && l.tag !== LLAMA_CPP_TAG ? [`checks out ${LLAMA_CPP_TAG} in ${l.dir} (now at ${l.tag})`] : [],
    warnings: [],
    timeoutSec: 30 * MINUTE,
    needs: [],
    check: {
      ok,
      reason: ok
        ? `${l.dir} is at ${LLAMA_CPP_TAG} with llama-quantize built`
        : !l.convert
          ? `no llama.cpp clone in ${l.dir}`
          : l.tag !== LLAMA_CPP_TAG
            ? `${l.dir} is ${l.tag ? `at ${l.tag}` : "not at a release tag"}`
            : "llama-quantize is not built",
    },
  };
}

function buildDefs(
  venv: string,
  venvExists: boolean,
  facts: CudaFacts,
  release: TrlRelease,
  extras: readonly TrlExtra[],
  src: string,
  llama: LlamaState | null,
): StepDef[] {
  const pip = `python -m pip install ${src ? `${src} ` : ""}`;
  const r = release.requires;
  const have = facts.packages;
  const stackOk =
    have.trl === release.trl &&
    atLeast(have.transformers, r.transformers) &&
    atLeast(have.accelerate, r.accelerate) &&
    atLeast(have.datasets, r.datasets) &&
    atLeast(have.peft, r.peft) &&
    (!extras.includes("qlora") || Boolean(have.bitsandbytes));
  const installed = ["trl", "transformers", "accelerate", "datasets", "peft", "bitsandbytes"]
    .filter((p) => have[p])
    .map((p) => `${p} ${have[p]}`)
    .join(", ");
  const reqs = trlRequirements(release, extras);
  return [
    {
      id: "python-env",
      title: `Python venv ${venv}`,
      commands: [`python3 -m venv ${q(venv)}`],
      verify: `${venv}/bin/python -V`,
      verifyScript: `${q(`${venv}/bin/python`)} -V`,
      changes: [],
      warnings: [],
      timeoutSec: 5 * MINUTE,
      needs: [],
      check: { ok: venvExists, reason: venvExists ? `${venv} exists` : `no venv at ${venv}` },
    },
    {
      id: "torch",
      title: "torch (the CUDA build pip selects for this host)",
      commands: [`${pip}torch`],
      verify: "python -c 'import torch; print(torch.__version__, torch.cuda.is_available())'",
      verifyScript: "python -c 'import torch; print(torch.__version__, torch.cuda.is_available())'",
      changes: [],
      warnings: [],
      timeoutSec: 30 * MINUTE,
      needs: ["pip"],
      check: {
        ok: facts.torch !== null,
        reason: facts.torch
          ? `torch ${facts.torch.version} (CUDA ${facts.torch.cuda ?? "none"})`
          : "torch is not importable",
      },
    },
    {
      id: "trl-stack",
      title: `TRL ${release.trl} with ${reqs.slice(1).join(", ")}`,
      commands: [`${pip}${reqs.map(q).join(" ")}`],
      verify: `trl == ${release.trl} and its requirements import`,
      verifyScript: `python -c 'import trl, transformers, accelerate, datasets, peft, sys; sys.exit(0 if trl.__version__ == ${JSON.stringify(release.trl)} else 1)'`,
      changes: installed ? [`replaces what pip must of: ${installed}`] : [],
      warnings: [],
      timeoutSec: 30 * MINUTE,
      needs: ["pip"],
      check: {
        ok: stackOk,
        reason: stackOk ? `installed: ${installed}` : installed ? `installed: ${installed}` : "no TRL stack",
      },
    },
    ...(llama ? [llamaCppStep(llama)] : []),
    {
      id: "smoke-test",
      title: "check_env on the installed environment (GPUs, torch with CUDA, bf16, NCCL, the TRL stack)",
      commands: ["(check_env's CUDA probe)"],
      verify: "no error finding",
      verifyScript: "true",
      changes: [],
      warnings: [],
      timeoutSec: 3 * MINUTE,
      needs: [],
      check: { ok: null, reason: "runs after the install" },
    },
  ];
}

async function cudaProbe(executor: HostExecutor, settings: HostSettings, timeoutMs: number, deps: WorkDeps) {
  const seconds = Math.floor(timeoutMs / 1000);
  const run = await executor.runScript(
    buildCudaProbeScript(settings, {
      smiTimeoutSec: Math.max(3, Math.min(20, Math.floor(seconds / 4))),
      torchTimeoutSec: Math.max(5, Math.min(60, Math.floor(seconds / 2))),
    }),
    { timeoutMs, maxOutputBytes: 1024 * 1024, signal: deps.signal },
  );
  return parseCudaProbe(run.stdout);
}

export async function buildTrlPlan(req: TrlInstallRequest, deps: WorkDeps): Promise<TrlPlan> {
  const { settings, executor } = await deps.hosts.get(req.host);
  let release: TrlRelease;
  try {
    release = getTrlRelease(req.trlRelease);
  } catch (error) {
    throw new ToolError(`trlRelease: ${(error as Error).message}`);
  }
  const venv = req.venv ?? settings.venv;
  if (!venv)
    throw new ToolError(
      `Host "${req.host}" names no venv: set venv: /path/to/venv for it in ascend-train.yaml (install_stack creates it), or pass venv.`,
    );
  const workdir = req.workdir ?? settings.workdir;
  if (!workdir) throw new ToolError(`Host "${req.host}" has no workdir: set workdir for it, or pass workdir.`);
  const paths = installPaths(workdir);
  const target: HostSettings = { ...settings, venv, conda: undefined, workdir };
  const host = settings.sources ?? {};
  const wheelDir = req.sources.wheelDir ?? host.wheelDir ?? null;
  const pipIndex = req.sources.pipIndex ?? host.pipIndex ?? null;
  const llamaDir = `${workdir.replace(/\/+$/, "")}/llama.cpp`;
  const wantsLlama = req.extras.includes("gguf");
  deps.progress({ progress: 0, message: `probing ${req.host}` });
  const pre = await executor.runScript(
    [
      `[ -x ${q(`${venv}/bin/python`)} ] && echo venv=1`,
      wheelDir ? `[ -d ${q(wheelDir)} ] && echo wheels=1` : "",
      wantsLlama ? `[ -f ${q(`${llamaDir}/convert_hf_to_gguf.py`)} ] && echo llama-convert=1` : "",
      wantsLlama ? `[ -x ${q(`${llamaDir}/build/bin/llama-quantize`)} ] && echo llama-quantize=1` : "",
      wantsLlama
        ? `T=$(git -C ${q(llamaDir)} describe --tags --exact-match HEAD 2>/dev/null) && echo "llama-tag=$T"`
        : "",
      wantsLlama ? "command -v cmake >/dev/null 2>&1 && echo cmake=1" : "",
      `[ -f ${q(paths.stateFile)} ] && { echo '@@state'; head -c 65536 ${q(paths.stateFile)}; }`,
      "exit 0",
    ].join("\n"),
    { timeoutMs: 30_000, maxOutputBytes: 128 * 1024 },
  );
  const [head = "", stateText = null] = pre.stdout.split("@@state\n");
  const facts = await cudaProbe(executor, target, req.probeTimeoutMs, deps);
  const notes: string[] = [];
  const parsed = parseState(stateText);
  if (parsed.note) notes.push(parsed.note);
  const fingerprint = `trl ${release.trl}|venv:${venv}|${[...req.extras].sort().join(",") || "-"}`;
  let state = parsed.state;
  if (state && state.fingerprint !== fingerprint) {
    notes.push(`The state file on the host is for another plan (${state.fingerprint}); apply starts a new one.`);
    state = null;
  }
  if (wheelDir && !/^wheels=1$/m.test(head))
    throw new ToolError(`The wheel directory ${wheelDir} does not exist on ${req.host}.`, { field: "sources" });
  notes.push(
    `Pins from TRL ${release.trl}'s packaging (${release.source}): trl exact, its companions at their minimums; pip resolves the rest.`,
  );
  const llama: LlamaState | null = wantsLlama
    ? {
        dir: llamaDir,
        source: req.sources.llamaCpp ?? host.llamaCpp ?? LLAMA_CPP_REPO,
        tag: /^llama-tag=(.+)$/m.exec(head)?.[1] ?? null,
        convert: /^llama-convert=1$/m.test(head),
        quantize: /^llama-quantize=1$/m.test(head),
      }
    : null;
  if (llama && !/^cmake=1$/m.test(head))
    notes.push(
      `cmake is not on ${req.host}'s PATH: the llama-cpp step builds llama-quantize with it (apt install cmake).`,
    );
  const defs = buildDefs(
    venv,
    /^venv=1$/m.test(head),
    facts,
    release,
    req.extras,
    pipSource(wheelDir, pipIndex),
    llama,
  );
  // Everything in place and check_env clean: the smoke test is satisfied by this very probe.
  const errors = evaluateCudaHost(facts, release).filter((f) => f.severity === "error");
  const smoke = defs.at(-1)!;
  if (defs.slice(0, -1).every((d) => d.check.ok === true))
    smoke.check =
      errors.length === 0
        ? { ok: true, reason: "check_env finds no error" }
        : { ok: false, reason: `check_env finds ${errors.map((f) => f.id).join(", ")}` };
  return {
    host: req.host,
    executor,
    settings: target,
    release,
    venv,
    paths,
    wheelDir,
    pipIndex,
    llamaCpp: llama ? { dir: llama.dir, source: llama.source } : null,
    facts,
    requirements: trlRequirements(release, req.extras),
    defs,
    steps: stepStatuses(defs, state),
    state,
    fingerprint,
    notes,
  };
}

function stepScript(plan: TrlPlan, def: StepDef): string {
  return [
    "set +e",
    hostPrelude(plan.settings, { sourceCann: false, activatePython: def.id !== "python-env" }),
    "export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off",
    `mkdir -p ${q(plan.paths.stateDir)} || exit 90`,
    `LOG=${q(plan.paths.log)}`,
    `start=$(wc -c < "$LOG" 2>/dev/null || echo 0)`,
    `printf '\\n===== %s %s: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(def.id)} ${q(def.title)} >> "$LOG"`,
    `if command -v timeout >/dev/null 2>&1; then T="timeout -k 10 ${def.timeoutSec}"; else T=""; fi`,
    `$T bash -ex -c ${q(def.commands.join("\n"))} >> "$LOG" 2>&1`,
    "rc=$?",
    `if [ $rc -eq 0 ]; then ( ${def.verifyScript}\n ) >> "$LOG" 2>&1 || { echo "VERIFY FAILED: ${def.verify.replaceAll('"', "'")}" >> "$LOG"; rc=98; }; fi`,
    `printf '===== %s exit %s\\n' ${q(def.id)} "$rc" >> "$LOG"`,
    `tail -c +$((start + 1)) "$LOG" | tail -c ${TAIL}`,
    "exit $rc",
  ].join("\n");
}

function errorLine(output: string, code: number | null): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("====="));
  const pick = (re: RegExp) => [...lines].reverse().find((l) => re.test(l));
  const line =
    pick(/VERIFY FAILED/) ??
    pick(/^(ERROR|error)\b|No matching distribution|Could not find a version/i) ??
    lines.at(-1) ??
    "";
  return `${code === 98 ? "verification failed" : `exit ${code}`}${line ? `: ${line.replace(/^\+ /, "").slice(0, 400)}` : ""}`;
}

export interface TrlApplyOutcome {
  steps: Step[];
  check: { ok: boolean; findings: Finding[] } | null;
  failedAt: Step["id"] | null;
  resumedFrom: Step["id"] | null;
}

export async function applyTrlPlan(plan: TrlPlan, deps: WorkDeps): Promise<TrlApplyOutcome> {
  const { executor, paths } = plan;
  for (const p of [paths.stateDir, paths.log, paths.stateFile]) await ensureWritable(executor, p, "install state");
  const state = plan.state ?? freshState(plan.fingerprint, paths.log, deps.now());
  const save = async () => {
    state.updatedAt = deps.now().toISOString();
    const mk = await executor.runScript(`mkdir -p ${q(paths.stateDir)}`, { timeoutMs: 30_000 });
    if (mk.exitCode !== 0) throw new ToolError(`Cannot create ${paths.stateDir} on ${plan.host}: ${mk.stderr.trim()}`);
    await executor.writeFile(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`, { exclusive: false });
  };
  const resumedFrom = plan.steps.find((s) => s.status === "retry")?.id ?? null;
  const out: Step[] = [];
  let failedAt: Step["id"] | null = null;
  let check: TrlApplyOutcome["check"] = null;
  for (const [i, step] of plan.steps.entries()) {
    const def = plan.defs[i]!;
    if (failedAt) {
      out.push({ ...step, outcome: "not-run" });
      continue;
    }
    const ranSome = out.some((s) => s.outcome === "ok");
    if ((step.status === "satisfied" || step.status === "done") && !(step.id === "smoke-test" && ranSome)) {
      out.push({ ...step, outcome: "skipped" });
      continue;
    }
    deps.progress({ progress: i, total: plan.steps.length, message: `${step.id}: ${step.title}` });
    state.steps[step.id] = { status: "running", at: deps.now().toISOString(), spec: stepDigest(def) };
    await save();
    let result: Step;
    if (step.id === "smoke-test") {
      const facts = await cudaProbe(executor, plan.settings, 150_000, deps);
      const findings = evaluateCudaHost(facts, plan.release);
      const errors = findings.filter((f) => f.severity === "error");
      check = { ok: errors.length === 0, findings };
      result = {
        ...step,
        outcome: check.ok ? "ok" : "failed",
        ...(check.ok ? {} : { error: `check_env finds ${errors.map((f) => `${f.id} (${f.evidence})`).join("; ")}` }),
      };
    } else {
      const run = await executor.runScript(stepScript(plan, def), {
        timeoutMs: (def.timeoutSec + 60) * 1000,
        maxOutputBytes: TAIL * 2,
        signal: deps.signal,
      });
      if (run.exitCode === null && !run.timedOut)
        throw new ToolError(
          `${plan.host}: the connection dropped during step ${step.id}. Call install_stack again with confirm to resume at it.`,
        );
      const ok = run.exitCode === 0 && !run.timedOut;
      result = {
        ...step,
        outcome: ok ? "ok" : "failed",
        durationMs: run.durationMs,
        outputTail: run.stdout.slice(-TAIL),
        ...(ok ? {} : { error: errorLine(`${run.stdout}\n${run.stderr}`, run.exitCode) }),
      };
    }
    const ok = result.outcome === "ok";
    state.steps[step.id] = {
      status: ok ? "done" : "failed",
      at: deps.now().toISOString(),
      spec: stepDigest(def),
      ...(ok ? {} : { error: result.error ?? "failed" }),
    };
    await save();
    out.push(result);
    if (!ok) failedAt = step.id;
  }
  return { steps: out, check, failedAt, resumedFrom };
}
