// The ordered steps of the manual install flow, each with its exact commands, its verification and what the probe
// says about it: python env → MindSpeed-MM at the tag → megatron/ from Megatron-LM → torch + torch_npu → MindSpeed at
// its pin → `pip install -e .` → the model's overlay → smoke test.
import { posix } from "node:path";
import type { HostFacts } from "../env/facts.js";
import { shellJoin, shellQuote } from "../hosts/quote.js";
import type { ReleaseStack } from "../knowledge/releases.js";
import {
  hasWheel,
  numpyOk,
  type Packages,
  samePath,
  torchIs,
  transformersOk,
  transformersSpec,
  verifyPackages,
  versionIs,
} from "./checks.js";
import type { ModelOverlay, Pins, TargetEnv, TransformersPin } from "./pins.js";
import type { InstallExtras } from "./probe.js";
import { gitRequirement, isOffline, pipArgs, type ResolvedSources, torchArgs } from "./sources.js";
import type { StepDef } from "./types.js";

export interface InstallPaths {
  workdir: string;
  mindspeed: string;
  stateDir: string;
  stateFile: string;
  log: string;
  scratch: string;
}

export function installPaths(workdir: string): InstallPaths {
  const w = workdir.replace(/\/+$/, "");
  const stateDir = posix.join(w, ".ascend-train");
  return {
    workdir: w,
    mindspeed: posix.join(posix.dirname(w), "MindSpeed"),
    stateDir,
    stateFile: posix.join(stateDir, "install-state.json"),
    log: posix.join(stateDir, "install.log"),
    scratch: posix.join(stateDir, "src"),
  };
}

export interface PlanContext {
  release: ReleaseStack;
  overlay: ModelOverlay | null;
  pins: Pins;
  sources: ResolvedSources;
  env: TargetEnv;
  paths: InstallPaths;
  facts: HostFacts;
  extras: InstallExtras;
}

const q = shellQuote;
const MINUTE = 60;

/** The env's interpreter: explicit for a venv, the activated one for conda. */
export const envPython = (env: TargetEnv) => (env.kind === "venv" ? posix.join(env.path, "bin", "python") : "python");

/** Packages the probe saw in the target environment; none when the probe's Python was another one. */
export function targetPackages(ctx: PlanContext): Packages {
  const seen = ctx.facts.python.env;
  const ours =
    ctx.env.kind === "venv"
      ? ctx.extras.venvExists === true && samePath(seen.path, ctx.env.path)
      : seen.kind === "conda" && posix.basename(seen.path ?? "") === ctx.env.path;
  return ours ? ctx.facts.python.packages : {};
}

const pip = (ctx: PlanContext, args: string[]) => `${q(envPython(ctx.env))} -m pip install ${shellJoin(args)}`;

/** Offline editable installs build with the environment's own setuptools (no index to fetch a build env from). */
const editableArgs = (ctx: PlanContext) => [
  ...pipArgs(ctx.sources),
  ...(isOffline(ctx.sources) ? ["--no-build-isolation"] : []),
];

const pipNeeds = (ctx: PlanContext) => (isOffline(ctx.sources) ? [] : (["pip"] as const));

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

function checkoutOf(ctx: PlanContext, dir: string) {
  return ctx.extras.checkouts.find((c) => samePath(c.dir, dir));
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
      `git fetch -q --no-tags${fresh ? " --depth 1" : ""} ${q(sources.mindspeedMm)} ${q(`+refs/tags/${tag}:refs/tags/${tag}`)}`,
      `git checkout -q ${q(tag)}`,
      `git remote get-url origin >/dev/null 2>&1 || git remote add origin ${q(sources.mindspeedMm)}`,
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
      `git clone -q --depth 1 --single-branch --branch ${q(pins.megatron.branch)} ${q(sources.megatron)} ${q(clone)}`,
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

function torch(ctx: PlanContext): StepDef {
  const { pins, sources, extras } = ctx;
  const pk = targetPackages(ctx);
  const t = pk.torch?.version;
  const n = pk.torch_npu?.version;
  const ok = torchIs(t, pins.torch) && versionIs(n, pins.torchNpu);
  const commands = isOffline(sources)
    ? [pip(ctx, [...torchArgs(sources), `torch==${pins.torch}`, `torch_npu==${pins.torchNpu}`])]
    : [
        pip(ctx, [...torchArgs(sources), `torch==${pins.torch}`]),
        pip(ctx, [...pipArgs(sources), `torch_npu==${pins.torchNpu}`]),
      ];
  const changes: string[] = [];
  if (t && !torchIs(t, pins.torch)) changes.push(`replaces torch ${t} with ${pins.torch}${direction(t, pins.torch)}`);
  if (n && !versionIs(n, pins.torchNpu))
    changes.push(`replaces torch_npu ${n} with ${pins.torchNpu}${direction(n, pins.torchNpu)}`);
  const warnings: string[] = [];
  const wheels = extras.wheelDir;
  if (wheels?.exists && isOffline(sources)) {
    if (!hasWheel(wheels.files, "torch", (v) => torchIs(v, pins.torch)))
      warnings.push(`${sources.wheelDir} has no torch ${pins.torch} wheel: pip will fail here`);
    if (!hasWheel(wheels.files, "torch_npu", (v) => versionIs(v, pins.torchNpu)))
      warnings.push(`${sources.wheelDir} has no torch_npu ${pins.torchNpu} wheel: pip will fail here`);
  }
  if (
    !isOffline(sources) &&
    sources.pipIndex &&
    sources.torchIndex === sources.pipIndex &&
    ctx.facts.machine.arch === "aarch64"
  )
    warnings.push(
      `torch comes from ${sources.pipIndex}: a PyPI mirror's aarch64 torch may be a CUDA build; give sources.torchIndex`,
    );
  return {
    id: "torch",
    title: `torch ${pins.torch} + torch_npu ${pins.torchNpu}`,
    commands,
    verify: `installed torch ${pins.torch} (not a CUDA build) and torch_npu ${pins.torchNpu}`,
    verifyScript: verifyPackages(envPython(ctx.env), [`torch==${pins.torch}`, `torch_npu==${pins.torchNpu}`]),
    changes,
    warnings,
    timeoutSec: 40 * MINUTE,
    needs: isOffline(sources) ? [] : ["torch", "pip"],
    check: ok
      ? { ok: true, reason: `torch ${t}, torch_npu ${n}` }
      : { ok: false, reason: `torch ${t ?? "absent"}, torch_npu ${n ?? "absent"}` },
  };
}

function direction(have: string, want: string): string {
  const key = (v: string) => (v.match(/\d+/g) ?? []).map(Number);
  const [a, b] = [key(have), key(want)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d > 0 ? " (a downgrade)" : " (an upgrade)";
  }
  return "";
}

function mindspeed(ctx: PlanContext): StepDef {
  const { paths, pins, sources, release } = ctx;
  const s = paths.mindspeed;
  const pk = targetPackages(ctx).mindspeed;
  const pin = pins.mindspeed.commit ?? pins.mindspeed.branch;
  const ok = Boolean(
    pk?.editable && (pins.mindspeed.commit ? pk.commit === pins.mindspeed.commit : pk.branch === pins.mindspeed.branch),
  );
  const co = checkoutOf(ctx, s);
  const changes: string[] = [];
  if (pk && !ok)
    changes.push(
      `replaces mindspeed ${pk.version} (${pk.path ?? "not editable"}${pk.commit ? ` @ ${pk.commit.slice(0, 12)}` : ""}) with ${s} at ${pin.slice(0, 12)}`,
    );
  if (co?.git && co.head && co.head !== pins.mindspeed.commit && !ok)
    changes.push(
      `moves ${s} from ${co.head.slice(0, 12)} to ${pin.slice(0, 12)} (git checkout -B ${pins.mindspeed.branch}: local changes stop it)`,
    );
  const commands = [
    `mkdir -p ${q(s)}`,
    `cd ${q(s)}`,
    "[ -d .git ] || git init -q",
    `git fetch -q --no-tags ${q(sources.mindspeed)} ${q(pins.mindspeed.branch)}`,
    `git checkout -q -B ${q(pins.mindspeed.branch)} ${pins.mindspeed.commit ?? "FETCH_HEAD"}`,
    ...(release.tag === "v2.1.0" ? [pip(ctx, [...pipArgs(sources), "-r", "requirements.txt"])] : []),
    pip(ctx, [...editableArgs(ctx), "-e", "."]),
  ];
  const head = pins.mindspeed.commit
    ? `[ "$(git -C ${q(s)} rev-parse HEAD)" = ${q(pins.mindspeed.commit)} ] || { echo "VERIFY FAILED: ${s} is not at ${pins.mindspeed.commit}"; exit 1; }`
    : `[ "$(git -C ${q(s)} rev-parse --abbrev-ref HEAD)" = ${q(pins.mindspeed.branch)} ] || { echo "VERIFY FAILED: ${s} is not on ${pins.mindspeed.branch}"; exit 1; }`;
  return {
    id: "mindspeed",
    title: `MindSpeed ${pins.mindspeed.branch}${pins.mindspeed.commit ? ` @ ${pins.mindspeed.commit.slice(0, 12)}` : ""} (pip install -e)`,
    commands,
    verify: `${s} at ${pin}; mindspeed installed editable from it`,
    verifyScript: `${head}\n${verifyPackages(envPython(ctx.env), [`mindspeed@${s}`])}`,
    changes,
    warnings: [],
    timeoutSec: 30 * MINUTE,
    needs: ["mindspeed", ...pipNeeds(ctx)],
    check: ok
      ? { ok: true, reason: `mindspeed editable from ${pk?.path} at ${pk?.commit?.slice(0, 12) ?? pk?.branch}` }
      : {
          ok: false,
          reason: pk
            ? `mindspeed ${pk.version} from ${pk.path ?? "?"} at ${pk.commit?.slice(0, 12) ?? pk.branch ?? "?"}`
            : "mindspeed not installed",
        },
  };
}

function tfCommand(ctx: PlanContext, pin: TransformersPin, extra: string[] = []): string {
  const spec = pin.gitCommit
    ? gitRequirement("transformers", ctx.sources.transformers, pin.gitCommit)
    : `transformers==${pin.version}`;
  return pip(ctx, [...pipArgs(ctx.sources), ...extra, spec]);
}

function mindspeedMmInstall(ctx: PlanContext): StepDef {
  const { paths, pins, release, overlay } = ctx;
  const w = paths.workdir;
  const pk = targetPackages(ctx);
  const mm = pk.mindspeed_mm;
  const base = pins.transformers;
  const ownsTf = overlay?.transformers ? null : base;
  const numpySpec = pins.numpy ? [`numpy${pins.numpy}`] : [];
  const tfVersionSpec = ownsTf?.version && !ownsTf.gitCommit ? [`transformers==${ownsTf.version}`] : [];
  const commands = [`cd ${q(w)}`, pip(ctx, [...editableArgs(ctx), "-e", ".", ...tfVersionSpec, ...numpySpec])];
  if (ownsTf?.gitCommit) commands.push(tfCommand(ctx, ownsTf));
  const mmOk = Boolean(mm?.editable && samePath(mm.path, w));
  const tfOk = ownsTf ? transformersOk(pk, ownsTf) : true;
  const npOk = numpyOk(pk, pins.numpy);
  const changes: string[] = [];
  const tf = pk.transformers?.version;
  if (ownsTf && tf && tfOk === false)
    changes.push(`replaces transformers ${tf} with ${ownsTf.version ?? `@ ${ownsTf.gitCommit}`}`);
  if (pk.numpy && !npOk) changes.push(`replaces numpy ${pk.numpy.version} with numpy${pins.numpy}`);
  if (mm && !mmOk)
    changes.push(`replaces mindspeed_mm ${mm.version} (${mm.path ?? "not editable"}) with an editable install of ${w}`);
  const ok = mmOk && npOk ? tfOk : false;
  return {
    id: "mindspeed-mm-install",
    title: `pip install -e . in ${w} (MindSpeed-MM ${release.tag})`,
    commands,
    verify: `mindspeed_mm editable from ${w}${ownsTf ? `; ${transformersSpec(ownsTf)}` : ""}${pins.numpy ? `; numpy${pins.numpy}` : ""}`,
    verifyScript: verifyPackages(envPython(ctx.env), [
      `mindspeed_mm@${w}`,
      ...(ownsTf ? [transformersSpec(ownsTf)] : []),
      ...numpySpec,
    ]),
    changes,
    warnings: [],
    timeoutSec: 40 * MINUTE,
    needs: [...pipNeeds(ctx), ...(ownsTf?.gitCommit ? (["transformers"] as const) : [])],
    check:
      ok === true
        ? { ok: true, reason: `mindspeed_mm editable from ${w}, transformers ${tf ?? "-"}` }
        : ok === null
          ? { ok: null, reason: `mindspeed_mm editable from ${w}; transformers ${tf} (commit not visible)` }
          : {
              ok: false,
              reason: mm
                ? `mindspeed_mm ${mm.version} from ${mm.path ?? "?"}, transformers ${tf ?? "absent"}, numpy ${pk.numpy?.version ?? "absent"}`
                : "mindspeed_mm not installed",
            },
  };
}

function modelOverlayStep(ctx: PlanContext, overlay: ModelOverlay): StepDef {
  const pk = targetPackages(ctx);
  const w = ctx.paths.workdir;
  const req = overlay.requirementsFile ? ["-r", overlay.requirementsFile] : [];
  const specs = [...req, ...overlay.packages];
  const commands = [`cd ${q(w)}`];
  if (overlay.transformers) commands.push(tfCommand(ctx, overlay.transformers, specs));
  else commands.push(pip(ctx, [...pipArgs(ctx.sources), ...specs]));
  const pkgChecks = overlay.packages.map((spec) => {
    const [name = "", version = ""] = spec.split("==");
    return versionIs(pk[name.replaceAll("-", "_")]?.version, version);
  });
  const tfOk = overlay.transformers ? transformersOk(pk, overlay.transformers) : true;
  const allPkgs = pkgChecks.every(Boolean);
  // A requirements file lists more than the probe reads: only the state file can say it was installed.
  const ok = !allPkgs || tfOk === false ? false : tfOk === null || overlay.requirementsFile ? null : true;
  const tf = pk.transformers?.version;
  return {
    id: "model-overlay",
    title: `${overlay.model}: ${[overlay.transformers ? `transformers ${overlay.transformers.version ?? `@ ${overlay.transformers.gitCommit}`}` : null, ...overlay.packages, overlay.requirementsFile].filter(Boolean).join(", ")}`,
    commands,
    verify:
      [overlay.transformers ? transformersSpec(overlay.transformers) : null, ...overlay.packages]
        .filter(Boolean)
        .join("; ") || "pip finished",
    verifyScript: verifyPackages(envPython(ctx.env), [
      ...(overlay.transformers ? [transformersSpec(overlay.transformers)] : []),
      ...overlay.packages,
    ]),
    changes:
      overlay.transformers && tf && tfOk === false
        ? [
            `replaces transformers ${tf} with ${overlay.transformers.version ?? `@ ${overlay.transformers.gitCommit}`} in ${ctx.env.path}`,
          ]
        : [],
    warnings: [],
    timeoutSec: 30 * MINUTE,
    needs: [...pipNeeds(ctx), ...(overlay.transformers?.gitCommit ? (["transformers"] as const) : [])],
    check:
      ok === true
        ? { ok: true, reason: `transformers ${tf}, ${overlay.packages.join(", ") || "no other packages"}` }
        : ok === null
          ? { ok: null, reason: `transformers ${tf}; the rest of the overlay is not visible to the probe` }
          : {
              ok: false,
              reason: `transformers ${tf ?? "absent"}${overlay.packages.length ? `; ${overlay.packages.join(", ")} not all present` : ""}`,
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
  const steps = [pythonEnv(ctx), mindspeedMm(ctx), megatron(ctx), torch(ctx), mindspeed(ctx), mindspeedMmInstall(ctx)];
  if (ctx.overlay) steps.push(modelOverlayStep(ctx, ctx.overlay));
  steps.push(smokeTest(ctx, steps, errors));
  return steps;
}
