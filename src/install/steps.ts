// The ordered steps of the manual install flow, each with its exact commands, its verification and what the probe
// says about it: python env → MindSpeed-MM at the tag → megatron/ from Megatron-LM → torch + torch_npu → MindSpeed at
// its pin → `pip install -e .` → Triton-Ascend (when the release's guide installs it) → the model's overlay → smoke test.
import { posix } from "node:path";
import { samePath } from "./checks.js";
import { checkoutOf, envPython, MINUTE, type PlanContext, q } from "./context.js";
import { withoutUserinfo } from "./sources.js";
import {
  mindspeed,
  mindspeedMmExtras,
  mindspeedMmInstall,
  modelOverlayStep,
  torch,
  tritonAscendStep,
} from "./steps-python.js";
import type { StepDef } from "./types.js";

export { type InstallPaths, installPaths, type PlanContext } from "./context.js";

function pythonEnv(ctx: PlanContext): StepDef {
  const { env, release } = ctx;
  if (env.kind === "conda") {
    const ok = ctx.facts.python.env.kind === "conda" && posix.basename(ctx.facts.python.env.path ?? "") === env.path;
    return {
      id: "python-env",
      title: `Conda environment ${env.path}`,
      commands: [`conda create -y -n ${q(env.path)} python=${release.python.recommended}`],
      verify: `conda run -n ${env.path} python -V`,
      verifyScript: `conda run -n ${q(env.path)} python -V`,
      changes: [],
      warnings: [],
      timeoutSec: 15 * MINUTE,
      needs: [],
      check: { ok, reason: ok ? `conda env ${env.path} is active in the tool shell` : `no conda env ${env.path}` },
    };
  }
  const interp = chooseInterpreter(ctx);
  const version = ctx.facts.python.version;
  return {
    id: "python-env",
    title: `Python venv ${env.path}${env.isolated ? " (own environment for the model)" : ""}`,
    commands: [`${q(interp?.path ?? "python3")} -m venv ${q(env.path)}`],
    verify: `${envPython(env)} -m pip --version`,
    verifyScript: `${q(envPython(env))} -m pip --version`,
    changes: [],
    warnings: [],
    timeoutSec: 5 * MINUTE,
    needs: [],
    check:
      ctx.extras.venvExists === true
        ? {
            ok: true,
            reason: `venv ${env.path} exists${version && samePath(ctx.facts.python.env.path, env.path) ? ` (Python ${version})` : ""}`,
          }
        : { ok: false, reason: `no venv at ${env.path}` },
  };
}

/** The release's recommended Python when the host has it, else a supported one, else python3. */
export function chooseInterpreter(ctx: PlanContext): { path: string; version: string } | null {
  const { python } = ctx.release;
  const minor = (v: string) => v.split(".").slice(0, 2).join(".");
  const all = ctx.extras.pythons;
  return (
    all.find((p) => minor(p.version) === python.recommended) ??
    all.find((p) => python.supported.includes(minor(p.version))) ??
    all.find((p) => p.path.endsWith("/python3")) ??
    all[0] ??
    null
  );
}

function mindspeedMm(ctx: PlanContext): StepDef {
  const { paths, release, sources, facts } = ctx;
  const w = paths.workdir;
  const tag = release.tag;
  const co = checkoutOf(ctx, w);
  const fresh = !co?.git || !co.head;
  const describe = facts.mindspeedMm.describe;
  const changes: string[] = [];
  const warnings: string[] = [];
  if (co?.git && co.head && describe !== tag) {
    changes.push(
      `moves the checkout ${w} from ${describe ?? co.head.slice(0, 12)} to ${tag} (git checkout: it stops rather than drop local changes)`,
    );
  } else if (co?.exists && !co.git && co.entries > 0) {
    changes.push(
      `makes ${w} (${co.entries} entries, not a git checkout) one: git init, then checkout of ${tag}; it stops rather than overwrite a file`,
    );
  }
  if (co && co.modified > 0)
    warnings.push(`${w} has ${co.modified} modified tracked file(s): the checkout keeps them or stops`);
  const ok = describe === tag && ctx.extras.workdirDirs;
  return {
    id: "mindspeed-mm",
    title: `MindSpeed-MM ${tag} in ${w}`,
    commands: [
      `mkdir -p ${q(w)}`,
      `cd ${q(w)}`,
      "[ -d .git ] || git init -q",
      `git fetch -q --no-tags${fresh ? " --depth 1" : ""} ${q(withoutUserinfo(sources.mindspeedMm))} ${q(`+refs/tags/${tag}:refs/tags/${tag}`)}`,
      `git checkout -q ${q(tag)}`,
      `git remote get-url origin >/dev/null 2>&1 || git remote add origin ${q(withoutUserinfo(sources.mindspeedMm))}`,
      "mkdir -p logs data ckpt",
    ],
    verify: `git -C ${w} describe --tags --exact-match = ${tag}; logs/ data/ ckpt/ exist`,
    verifyScript: [
      `d=$(git -C ${q(w)} describe --tags --exact-match HEAD 2>/dev/null)`,
      `[ "$d" = ${q(tag)} ] || { echo "VERIFY FAILED: ${w} is at \${d:-no tag}, not ${tag}"; exit 1; }`,
      `[ -d ${q(`${w}/logs`)} ] && [ -d ${q(`${w}/data`)} ] && [ -d ${q(`${w}/ckpt`)} ] || { echo "VERIFY FAILED: logs/ data/ ckpt/ missing"; exit 1; }`,
    ].join("\n"),
    changes,
    warnings,
    timeoutSec: 20 * MINUTE,
    needs: ["mindspeedMm"],
    check: ok
      ? { ok: true, reason: `${w} is at ${tag}` }
      : {
          ok: false,
          reason: !facts.mindspeedMm.exists
            ? `no checkout at ${w}`
            : describe
              ? `${w} is at ${describe}`
              : `${w} is not at ${tag}`,
        },
  };
}

function megatron(ctx: PlanContext): StepDef {
  const { paths, pins, sources, facts } = ctx;
  const w = paths.workdir;
  const clone = posix.join(paths.scratch, "Megatron-LM");
  const have = facts.mindspeedMm.megatron;
  const ok = have.present && have.version === pins.megatron.version;
  return {
    id: "megatron",
    title: `megatron/ from Megatron-LM ${pins.megatron.branch} into ${w}`,
    commands: [
      `rm -rf ${q(clone)}`,
      `git clone -q --depth 1 --single-branch --branch ${q(pins.megatron.branch)} ${q(withoutUserinfo(sources.megatron))} ${q(clone)}`,
      `rm -rf ${q(`${w}/megatron`)}`,
      `cp -r ${q(`${clone}/megatron`)} ${q(`${w}/`)}`,
      `rm -rf ${q(clone)}`,
    ],
    verify: `${w}/megatron/core/package_info.py says ${pins.megatron.version}`,
    verifyScript: [
      `v=$(awk -F= '/^(MAJOR|MINOR|PATCH) *=/ { gsub(/[ "\\047]/, "", $2); printf "%s%s", s, $2; s = "." }' ${q(`${w}/megatron/core/package_info.py`)} 2>/dev/null)`,
      `[ "$v" = ${q(pins.megatron.version)} ] || { echo "VERIFY FAILED: megatron/ is core \${v:-missing}, not ${pins.megatron.version}"; exit 1; }`,
    ].join("\n"),
    changes:
      have.present && !ok
        ? [
            `replaces ${w}/megatron (core ${have.version ?? "unknown version"}) with ${pins.megatron.branch}'s megatron/`,
          ]
        : [],
    warnings: [],
    timeoutSec: 20 * MINUTE,
    needs: ["megatron"],
    check: ok
      ? { ok: true, reason: `megatron/ is core ${have.version}` }
      : {
          ok: false,
          reason: have.present ? `megatron/ is core ${have.version ?? "?"}` : "no megatron/ in the checkout",
        },
  };
}

function smokeTest(ctx: PlanContext, others: StepDef[], errors: string[]): StepDef {
  const py = envPython(ctx.env);
  const allOk = others.every((s) => s.check.ok !== false);
  return {
    id: "smoke-test",
    title: "Smoke test: check_env's probe in the installed environment",
    commands: [
      "npu-smi info",
      `${py} -c 'import torch, torch_npu; print(torch.__version__, torch_npu.__version__, torch.npu.device_count())'`,
    ],
    verify: "check_env finds no error (imports, NPU count, versions against the release matrix)",
    verifyScript: "",
    changes: [],
    warnings: [],
    timeoutSec: 3 * MINUTE,
    needs: [],
    check:
      allOk && errors.length === 0
        ? { ok: true, reason: "check_env finds no error" }
        : { ok: false, reason: allOk ? `check_env finds: ${errors.join(", ")}` : "runs after the install" },
  };
}

/** Every step in order; `errors` are check_env's error finding ids on the environment as it is now. */
export function buildSteps(ctx: PlanContext, errors: string[]): StepDef[] {
  const checkout = mindspeedMm(ctx);
  const install = mindspeedMmInstall(ctx);
  // A checkout that moves to another tag gets installed again: its metadata and entry points may differ.
  if (checkout.check.ok === false && install.check.ok !== false) {
    install.check = { ok: false, reason: `installs again after ${ctx.paths.workdir} moves to ${ctx.release.tag}` };
  }
  const steps = [pythonEnv(ctx), checkout, megatron(ctx), torch(ctx), mindspeed(ctx), install];
  if (ctx.release.tritonAscend) steps.push(tritonAscendStep(ctx, ctx.release.tritonAscend));
  if (ctx.overlay) steps.push(modelOverlayStep(ctx, ctx.overlay));
  if (ctx.mmExtras.length > 0) steps.push(mindspeedMmExtras(ctx));
  steps.push(smokeTest(ctx, steps, errors));
  return steps;
}
