// The Python steps: torch + torch_npu, MindSpeed at its pin, `pip install -e .` of MindSpeed-MM, the model's overlay.

import { numpySatisfies } from "../knowledge/releases.js";
import {
  hasWheel,
  numpyOk,
  samePath,
  torchIs,
  transformersOk,
  transformersSpec,
  verifyPackages,
  versionIs,
} from "./checks.js";
import {
  checkoutOf,
  editableArgs,
  envPython,
  MINUTE,
  type MmExtra,
  type PlanContext,
  pip,
  pipNeeds,
  q,
  targetPackages,
} from "./context.js";
import type { ModelOverlay, TransformersPin } from "./pins.js";
import { gitRequirement, isOffline, pipArgs, torchArgs, withoutUserinfo } from "./sources.js";
import type { StepDef } from "./types.js";

/** Offline: the pinned specs the wheel directory cannot satisfy (pip would fail on them). */
export function missingWheels(ctx: PlanContext, specs: readonly string[]): string[] {
  const wheels = ctx.extras.wheelDir;
  if (!wheels?.exists || !isOffline(ctx.sources)) return [];
  return specs
    .filter((spec) => {
      const m = /^([A-Za-z0-9_.-]+)(==|<=|<)(.+)$/.exec(spec);
      if (!m) return false;
      const [, name, op, want] = m as unknown as [string, string, string, string];
      const fits = (v: string) =>
        op === "==" ? (name === "torch" ? torchIs(v, want) : versionIs(v, want)) : numpySatisfies(v, `${op}${want}`);
      return !hasWheel(wheels.files, name, fits);
    })
    .map((spec) => `${ctx.sources.wheelDir} has no wheel for ${spec}: pip will fail here`);
}

export function torch(ctx: PlanContext): StepDef {
  const { pins, sources } = ctx;
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
  const warnings = missingWheels(ctx, [`torch==${pins.torch}`, `torch_npu==${pins.torchNpu}`]);
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

export function mindspeed(ctx: PlanContext): StepDef {
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
    `git fetch -q --no-tags ${q(withoutUserinfo(sources.mindspeed))} ${q(pins.mindspeed.branch)}`,
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

export function mindspeedMmInstall(ctx: PlanContext): StepDef {
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
    warnings: missingWheels(ctx, [...tfVersionSpec, ...numpySpec]),
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

export function modelOverlayStep(ctx: PlanContext, overlay: ModelOverlay): StepDef {
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
    warnings: missingWheels(ctx, [
      ...(overlay.transformers?.version ? [`transformers==${overlay.transformers.version}`] : []),
      ...overlay.packages,
    ]),
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

/**
 * The install guide's step after MindSpeed-MM (v26.1.0): Triton-Ascend, bound to the CANN version, from its own
 * index (an extra index next to PyPI); offline it comes from the wheel directory like every other package.
 */
export function tritonAscendStep(ctx: PlanContext, triton: { version: string; indexUrl: string }): StepDef {
  const pk = targetPackages(ctx);
  const have = pk.triton_ascend?.version;
  const spec = `triton-ascend==${triton.version}`;
  const index = isOffline(ctx.sources) ? [] : [`--extra-index-url=${triton.indexUrl}`];
  const ok = versionIs(have, triton.version);
  return {
    id: "triton-ascend",
    title: `Triton-Ascend ${triton.version} (install guide, bound to CANN ${ctx.release.cann.version})`,
    commands: [pip(ctx, [...pipArgs(ctx.sources), spec, ...index])],
    verify: `installed ${spec}`,
    verifyScript: verifyPackages(envPython(ctx.env), [spec]),
    changes:
      have && !ok ? [`replaces triton-ascend ${have} with ${triton.version}${direction(have, triton.version)}`] : [],
    warnings: missingWheels(ctx, [spec]),
    timeoutSec: 15 * MINUTE,
    needs: pipNeeds(ctx),
    check: ok
      ? { ok: true, reason: `triton-ascend ${have}` }
      : { ok: false, reason: `triton-ascend ${have ?? "absent"}` },
  };
}

/** The Python modules each extra of MindSpeed-MM brings (its pyproject's optional dependencies). */
const EXTRA_MODULES: Record<MmExtra, string[]> = { evaluate: ["portalocker", "rich", "xlsxwriter", "openpyxl"] };

/** `pip install -e ".[evaluate]"` in the checkout: the optional dependencies evaluate_model needs. */
export function mindspeedMmExtras(ctx: PlanContext): StepDef {
  const w = ctx.paths.workdir;
  const spec = `.[${ctx.mmExtras.join(",")}]`;
  const modules = ctx.mmExtras.flatMap((e) => EXTRA_MODULES[e]);
  return {
    id: "mindspeed-mm-extras",
    title: `pip install -e "${spec}" in ${w} (MindSpeed-MM's ${ctx.mmExtras.join(", ")} extras)`,
    commands: [`cd ${q(w)}`, pip(ctx, [...editableArgs(ctx), "-e", spec])],
    verify: `imports ${modules.join(", ")}`,
    verifyScript: `${q(envPython(ctx.env))} -c ${q(modules.map((m) => `import ${m}`).join("; "))}`,
    changes: [`adds ${modules.join(", ")} to the environment`],
    warnings: [],
    timeoutSec: 15 * MINUTE,
    needs: pipNeeds(ctx),
    // The probe does not list these packages: whether they are there is what the verify script tells.
    check: { ok: null, reason: "the extras' packages are checked by importing them" },
  };
}
