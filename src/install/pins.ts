// What gets installed: exact versions for a release on a host's CANN, the model's overlay, and the target environment.
import { posix } from "node:path";
import type { HostSettings } from "../hosts/inventory.js";
import type { ReleaseTag } from "../knowledge/release-tags.js";
import { type ReleaseStack, TORCH_NPU_WHEELS, torchNpuWheelFor, transformersPinFor } from "../knowledge/releases.js";
import type { ModelEntry } from "../knowledge/types.js";

export interface TransformersPin {
  version?: string;
  gitCommit?: string;
}

export interface Pins {
  torch: string;
  torchNpu: string;
  transformers: TransformersPin;
  numpy: string | null;
  mindspeed: { branch: string; commit: string | null };
  megatron: { branch: string; version: string };
  notes: string[];
}

/** The release's pins, with torch_npu swapped for the build that matches the host's installed CANN line. */
export function resolvePins(release: ReleaseStack, opts: { cann: string | null }): Pins {
  const notes: string[] = [];
  const torch = release.torch;
  let torchNpu = release.torchNpu;
  const forCann = opts.cann ? torchNpuWheelFor(opts.cann, torch) : null;
  if (forCann) {
    if (forCann !== release.torchNpu)
      notes.push(
        `torch_npu ${forCann} is the build for the installed CANN ${opts.cann} (the release names ${release.torchNpu}).`,
      );
    torchNpu = forCann;
  } else if (opts.cann) {
    const lines = Object.keys(TORCH_NPU_WHEELS).join(", ");
    notes.push(
      `No torch_npu build of torch ${torch} is known for CANN ${opts.cann} (known lines ${lines}); using ${torchNpu}.`,
    );
  }
  return {
    torch,
    torchNpu,
    transformers: release.transformers,
    numpy: release.numpy,
    mindspeed: { branch: release.mindspeed.branch, commit: release.mindspeed.commit },
    megatron: { branch: release.megatron.branch, version: release.megatron.version },
    notes,
  };
}

export function sameTransformers(a: TransformersPin, b: TransformersPin): boolean {
  return (a.gitCommit ?? null) === (b.gitCommit ?? null) && (a.gitCommit ? true : a.version === b.version);
}

export interface ModelOverlay {
  model: string;
  exampleDir: string;
  /** Set when the model pins transformers differently from the release. */
  transformers: TransformersPin | null;
  packages: string[];
  /** Relative to the MindSpeed-MM checkout. */
  requirementsFile: string | null;
  /** The pins clash with the base install: the model gets its own environment. */
  isolated: boolean;
}

/** Extra packages of examples/qwen3_5/install_extensions.sh per release (besides transformers). */
const QWEN35_EXTENSIONS: Partial<Record<ReleaseTag, string[]>> = {
  "v26.0.0": ["triton-ascend==3.2.0", "accelerate==1.2.0"],
  "v26.1.0": ["triton-ascend==3.2.0"],
};
/** examples/qwen3_6/README.md's install line besides transformers. */
const QWEN36_EXTRAS = ["triton-ascend==3.2.0", "accelerate==1.2.0"];
const REQUIREMENTS_FILE_MODELS = ["deepseekocr", "deepseekocr2", "ming"];

export function modelOverlay(release: ReleaseStack, model: ModelEntry): ModelOverlay | null {
  const pin = transformersPinFor(release, model.exampleDir);
  const differs = !sameTransformers(pin, release.transformers);
  const packages =
    model.exampleDir === "qwen3_5"
      ? (QWEN35_EXTENSIONS[release.tag] ?? [])
      : model.exampleDir === "qwen3_6"
        ? QWEN36_EXTRAS
        : [];
  const requirementsFile = REQUIREMENTS_FILE_MODELS.includes(model.exampleDir)
    ? `examples/${model.exampleDir}/${model.exampleDir === "ming" && release.tag === "v2.2.0" ? "requiremnts.txt" : "requirements.txt"}`
    : null;
  if (!differs && packages.length === 0 && !requirementsFile) return null;
  return {
    model: model.id,
    exampleDir: model.exampleDir,
    transformers: differs ? pin : null,
    packages,
    requirementsFile,
    isolated: model.isolatedEnv && differs,
  };
}

export interface TargetEnv {
  kind: "venv" | "conda";
  /** venv directory, or conda env name. */
  path: string;
  isolated: boolean;
  reason: string | null;
}

/** The environment to install into; null when the host names none and none was given. */
export function targetEnv(
  settings: HostSettings,
  venv: string | undefined,
  overlay: ModelOverlay | null,
): TargetEnv | null {
  const isolated = overlay?.isolated ?? false;
  const reason =
    isolated && overlay
      ? `${overlay.model} pins transformers ${overlay.transformers?.version ?? `@ ${overlay.transformers?.gitCommit}`}, which clashes with the base install: it gets its own environment.`
      : null;
  if (venv) return { kind: "venv", path: venv, isolated, reason };
  const slug = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (settings.venv) {
    const base = settings.venv.replace(/\/+$/, "");
    return {
      kind: "venv",
      path:
        isolated && overlay
          ? posix.join(posix.dirname(base), `${posix.basename(base)}-${slug(overlay.exampleDir)}`)
          : base,
      isolated,
      reason,
    };
  }
  if (settings.conda) {
    return {
      kind: "conda",
      path: isolated && overlay ? `${settings.conda}-${slug(overlay.exampleDir)}` : settings.conda,
      isolated,
      reason,
    };
  }
  return null;
}

/** Host settings whose Python is the target environment (for the probe and the smoke test). */
export function settingsFor(settings: HostSettings, env: TargetEnv, workdir: string): HostSettings {
  return {
    ...settings,
    workdir,
    venv: env.kind === "venv" ? env.path : undefined,
    conda: env.kind === "conda" ? env.path : undefined,
  };
}
