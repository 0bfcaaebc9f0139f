// The software stack each MindSpeed-MM release was built and tested against. Typed data, no I/O.
// Sources: MindSpeed-MM installation guide / release notes per tag, each tag's pyproject.toml and qwen2.5vl README,
// and the Ascend Extension for PyTorch compatibility table (wheel versions per CANN release).
import { NEWEST_RELEASE, normalizeRelease, RELEASE_DATES, type ReleaseTag } from "./release-tags.js";

/** `cann/` from CANN 8.5 on, `ascend-toolkit/` before. */
export type CannLayout = "cann" | "ascend-toolkit";

export interface ReleaseStack {
  tag: ReleaseTag;
  date: string;
  cann: {
    /** The CANN release the MindSpeed-MM release was validated with. */
    version: string;
    /** Oldest CANN the release notes still accept. */
    minimum: string;
    /** CANN releases the release notes' compatibility table marks "Y", when it has one; others are refused there. */
    compatible?: readonly string[];
    layout: CannLayout;
    /** Ascend HDK (driver/firmware) named next to it, when the guide names one. */
    hdk: string | null;
  };
  torch: string;
  /** Exact torch_npu wheel (pip) version matching `torch` and `cann.version`. */
  torchNpu: string;
  /** Ascend Extension for PyTorch product version of that wheel. */
  ascendExtension: string;
  python: { recommended: string; supported: readonly string[] };
  mindspeed: {
    repo: string;
    branch: string;
    /** Commit pinned by the release's install guide; null when the guide pins none that belongs to it. */
    commit: string | null;
    note?: string;
  };
  megatron: {
    repo: string;
    branch: string /** megatron/core/package_info.py version of that branch. */;
    version: string;
  };
  transformers: { version: string; gitCommit?: string };
  /** pip specifier for numpy, when this stack needs one (CANN before 9.1 needs numpy<2 with Python < 3.13). */
  numpy: string | null;
  apex: boolean;
  /** Extras of `pip install -e .` in the MindSpeed-MM checkout. */
  pipExtras: readonly string[];
  /** Extra pip requirements the release adds to pyproject's dependencies. */
  extraRequirements: readonly string[];
  /** Triton-Ascend the install guide installs (bound to the CANN version), with the index it comes from. */
  tritonAscend?: { version: string; indexUrl: string };
}

export const MINDSPEED_MM_REPO = "https://gitcode.com/Ascend/MindSpeed-MM.git";
/** transformers' repository, for models pinned to one of its commits. */
export const TRANSFORMERS_REPO = "https://github.com/huggingface/transformers.git";
const MINDSPEED_REPO = "https://gitcode.com/Ascend/MindSpeed.git";
const MINDSPEED_REPO_GITEE = "https://gitee.com/ascend/MindSpeed.git";
const MEGATRON_REPO = "https://github.com/NVIDIA/Megatron-LM.git";

export const RELEASES: Readonly<Record<ReleaseTag, ReleaseStack>> = {
  "v2.1.0": {
    tag: "v2.1.0",
    date: RELEASE_DATES["v2.1.0"],
    cann: { version: "8.2.RC1", minimum: "8.1.RC1", layout: "ascend-toolkit", hdk: "25.0.RC1" },
    torch: "2.1.0",
    torchNpu: "2.1.0.post13",
    ascendExtension: "7.1.0",
    python: { recommended: "3.10", supported: ["3.8", "3.10"] },
    mindspeed: {
      repo: MINDSPEED_REPO_GITEE,
      branch: "2.1.0_core_r0.8.0",
      commit: "8db5013167274913e106ce6f31aca0a3b085effb",
    },
    megatron: { repo: MEGATRON_REPO, branch: "core_r0.8.0", version: "0.8.0" },
    transformers: { version: "4.45.0", gitCommit: "fa56dcc2a" },
    numpy: "<2",
    apex: true,
    pipExtras: ["evaluate"],
    extraRequirements: [],
  },
  "v2.2.0": {
    tag: "v2.2.0",
    date: RELEASE_DATES["v2.2.0"],
    cann: { version: "8.3.RC1", minimum: "8.1.RC1", layout: "ascend-toolkit", hdk: "25.3.0" },
    torch: "2.7.1",
    torchNpu: "2.7.1",
    ascendExtension: "7.2.0",
    python: { recommended: "3.10", supported: ["3.10"] },
    mindspeed: {
      repo: MINDSPEED_REPO,
      branch: "2.2.0_core_r0.12.1",
      commit: "5176c6f5f133111e55a404d82bd2dc14a809a6ab",
    },
    megatron: { repo: MEGATRON_REPO, branch: "core_v0.12.1", version: "0.12.1" },
    transformers: { version: "4.53.0" },
    numpy: "<2",
    apex: true,
    pipExtras: ["evaluate"],
    extraRequirements: [],
  },
  "v2.3.0": {
    tag: "v2.3.0",
    date: RELEASE_DATES["v2.3.0"],
    cann: { version: "8.5.0", minimum: "8.1.RC1", layout: "cann", hdk: null },
    torch: "2.7.1",
    torchNpu: "2.7.1.post2",
    ascendExtension: "7.3.0",
    python: { recommended: "3.10", supported: ["3.10"] },
    mindspeed: {
      repo: MINDSPEED_REPO,
      branch: "2.3.0_core_r0.12.1",
      commit: "93c45456c7044bacddebc5072316c01006c938f9",
    },
    megatron: { repo: MEGATRON_REPO, branch: "core_v0.12.1", version: "0.12.1" },
    transformers: { version: "4.53.0" },
    numpy: "<2",
    apex: false,
    pipExtras: ["evaluate"],
    extraRequirements: [],
  },
  "v26.0.0": {
    tag: "v26.0.0",
    date: RELEASE_DATES["v26.0.0"],
    // Its release notes list 8.1.RC1 … 9.0.0; v26.1.0's table 3 marks 9.1.0 "/" (not compatible) for 26.0.0.
    cann: {
      version: "9.0.0",
      minimum: "8.1.RC1",
      compatible: ["8.1.RC1", "8.2.RC1", "8.3.RC1", "8.5.0", "9.0.0"],
      layout: "cann",
      hdk: null,
    },
    torch: "2.7.1",
    torchNpu: "2.7.1.post4",
    ascendExtension: "26.0.0",
    python: { recommended: "3.10", supported: ["3.10"] },
    mindspeed: {
      repo: MINDSPEED_REPO,
      branch: "26.0.0_core_r0.12.1",
      commit: "69f41000786438204b5f2ffdb788c055788f7378",
    },
    megatron: { repo: MEGATRON_REPO, branch: "core_v0.12.1", version: "0.12.1" },
    transformers: { version: "4.57.0" },
    numpy: "<2",
    apex: false,
    pipExtras: ["evaluate"],
    extraRequirements: ["torchdata"],
  },
  "v26.1.0": {
    tag: "v26.1.0",
    date: RELEASE_DATES["v26.1.0"],
    // Release notes table 3: 8.5.0, 9.0.0 and 9.1.0 are compatible; 8.3.RC1 is marked "/" (not compatible).
    cann: { version: "9.1.0", minimum: "8.5.0", compatible: ["8.5.0", "9.0.0", "9.1.0"], layout: "cann", hdk: null },
    torch: "2.7.1",
    torchNpu: "2.7.1.post8",
    ascendExtension: "26.1.0",
    python: { recommended: "3.10", supported: ["3.10"] },
    mindspeed: {
      repo: MINDSPEED_REPO,
      branch: "26.1.0_core_r0.12.1",
      commit: null,
      note: "The v26.1.0 qwen2.5vl README still pins 69f41000… and `git checkout 26.0.0`; the release notes name branch 26.1.0_core_r0.12.1.",
    },
    megatron: { repo: MEGATRON_REPO, branch: "core_v0.12.1", version: "0.12.1" },
    transformers: { version: "4.57.0" },
    numpy: null,
    apex: false,
    pipExtras: ["evaluate"],
    extraRequirements: ["diffusers>=0.38.0", "peft>=0.19.1"],
    // Install guide step 7 (after MindSpeed-MM): pip install triton-ascend==3.2.1 --extra-index-url=<this index>.
    tritonAscend: { version: "3.2.1", indexUrl: "https://triton-ascend.osinfra.cn/pypi/simple" },
  },
};

/** The stack for a tag ("26.1.0", "v2.3" …); the newest release when none is given. Throws on an unknown tag. */
export function getRelease(tag?: string | null): ReleaseStack {
  if (tag === undefined || tag === null || tag === "") return RELEASES[NEWEST_RELEASE];
  const normalized = normalizeRelease(tag);
  if (!normalized) {
    throw new Error(`Unknown MindSpeed-MM release "${tag}". Known: ${Object.keys(RELEASES).join(", ")}.`);
  }
  return RELEASES[normalized];
}

// ---- CANN versions: 8.0.0, 8.0.RC3, 8.1.T6, 8.0.RC3.alpha003, 8.5.0, 9.1.0 ----

/** [major, minor, stage, n, sub]: stage 0 = test build (T), 1 = release candidate, 2 = final. */
type CannKey = [number, number, number, number, number];

export function parseCannVersion(version: string): CannKey | null {
  const m = /^(\d+)\.(\d+)\.(?:(\d+)|RC(\d+)|T(\d+))(?:\.(?:alpha|beta)?(\d+))?/i.exec(version.trim());
  if (!m) return null;
  const [, major, minor, patch, rc, test, sub] = m;
  if (patch !== undefined) return [+major!, +minor!, 2, +patch, sub ? +sub : 0];
  if (rc !== undefined) return [+major!, +minor!, 1, +rc, sub ? +sub : 0];
  return [+major!, +minor!, 0, +test!, sub ? +sub : 0];
}

/** Negative when a is older than b; null when either is not a CANN version. */
export function compareCann(a: string, b: string): number | null {
  const ka = parseCannVersion(a);
  const kb = parseCannVersion(b);
  if (!ka || !kb) return null;
  for (let i = 0; i < ka.length; i++) {
    const d = ka[i]! - kb[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Whether the release notes' compatibility table lists a CANN version (build suffixes such as .alpha001 aside);
 * null when the release has no such table or the version is not a CANN version.
 */
export function cannListed(release: ReleaseStack, version: string): boolean | null {
  const key = parseCannVersion(version);
  if (!release.cann.compatible || !key) return null;
  return release.cann.compatible.some((v) => parseCannVersion(v)?.slice(0, 4).join() === key.slice(0, 4).join());
}

export function cannLayoutFor(version: string): CannLayout {
  const c = compareCann(version, "8.5.0");
  return c !== null && c >= 0 ? "cann" : "ascend-toolkit";
}

/** numpy constraint CANN itself places (Python < 3.13): ≤1.24 up to 8.0, <2 up to 9.0, none from 9.1. */
export function cannNumpyConstraint(version: string): string | null {
  const key = parseCannVersion(version);
  if (!key) return null;
  if ((compareCann(version, "8.1.RC1") ?? 0) < 0) return "<=1.24";
  if ((compareCann(version, "9.1.0") ?? 0) < 0) return "<2";
  return null;
}

/** The numpy constraint a host needs: the release's, tightened by the installed CANN's. */
export function numpyConstraintFor(release: ReleaseStack, installedCann: string | null): string | null {
  const fromCann = cannNumpyConstraint(installedCann ?? release.cann.version);
  const all = [fromCann, release.numpy];
  if (all.includes("<=1.24")) return "<=1.24";
  return all.includes("<2") ? "<2" : null;
}

/** Does a numpy version satisfy "<2", "<=1.24" or null? */
export function numpySatisfies(version: string, constraint: string | null): boolean {
  if (!constraint) return true;
  const [major = 0, minor = 0] = version.split(".").map((p) => Number.parseInt(p, 10));
  if (constraint === "<2") return major < 2;
  if (constraint === "<=1.24") return major < 1 || (major === 1 && minor <= 24);
  return true;
}

// ---- torch / torch_npu ----

/** "2.7.1+cpu" → "2.7.1"; "2.7.1.post2" → "2.7.1"; "2.5.1.dev20250320" → "2.5.1". */
export function baseTorchVersion(version: string): string {
  const m = /^(\d+\.\d+\.\d+)/.exec(version.trim());
  return m ? m[1]! : version.trim();
}

/** torch_npu is built for exactly one torch: their x.y.z must agree. */
export function torchPairMatches(torch: string, torchNpu: string): boolean {
  return baseTorchVersion(torch) === baseTorchVersion(torchNpu);
}

/** The one pip command that installs the release's torch + torch_npu pair for an architecture. */
export function pipInstallTorchPair(release: ReleaseStack, arch: string | null): string {
  // x86_64 takes the CPU build of torch from the PyTorch index (the PyPI default would pull CUDA).
  if (arch === "x86_64") {
    return `pip install --force-reinstall torch==${release.torch}+cpu torch_npu==${release.torchNpu} --extra-index-url https://download.pytorch.org/whl/cpu`;
  }
  return `pip install --force-reinstall torch==${release.torch} torch_npu==${release.torchNpu}`;
}

/** set_env.sh of a CANN install root for a layout. */
export function cannSetEnvPath(cannRoot: string, layout: CannLayout): string {
  return `${cannRoot.replace(/\/+$/, "")}/${layout}/set_env.sh`;
}

/** The CANN toolkit installer command for a release and architecture. */
export function cannInstallCommand(release: ReleaseStack, arch: string | null, cannRoot: string): string {
  const a = arch === "x86_64" ? "x86_64" : "aarch64";
  return `bash Ascend-cann-toolkit_${release.cann.version}_linux-${a}.run --install --install-path=${cannRoot} --quiet`;
}

/** megatron/core version → the Megatron-LM branch the install guides name. */
export function megatronBranchForVersion(version: string): string | null {
  if (version.startsWith("0.8.")) return "core_r0.8.0";
  if (version === "0.12.1") return "core_v0.12.1";
  const m = /^(\d+\.\d+)\.\d+/.exec(version);
  return m ? `core_r${m[1]}.0` : null;
}

/** torch_npu wheel per CANN line and torch version (Ascend Extension for PyTorch compatibility table). */
export const TORCH_NPU_WHEELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "8.1": { "2.1.0": "2.1.0.post12", "2.3.1": "2.3.1.post6", "2.4.0": "2.4.0.post4", "2.5.1": "2.5.1" },
  "8.2": { "2.1.0": "2.1.0.post13", "2.5.1": "2.5.1.post1", "2.6.0": "2.6.0" },
  "8.3": { "2.1.0": "2.1.0.post17", "2.6.0": "2.6.0.post3", "2.7.1": "2.7.1", "2.8.0": "2.8.0" },
  "8.5": { "2.6.0": "2.6.0.post5", "2.7.1": "2.7.1.post2", "2.8.0": "2.8.0.post2", "2.9.0": "2.9.0" },
  "9.0": { "2.7.1": "2.7.1.post4", "2.8.0": "2.8.0.post4", "2.9.0": "2.9.0.post2", "2.10.0": "2.10.0" },
  "9.1": {
    "2.7.1": "2.7.1.post8",
    "2.9.0": "2.9.0.post6",
    "2.10.0": "2.10.0.post4",
    "2.11.0": "2.11.0",
    "2.12.0": "2.12.0",
  },
};

/** The torch_npu wheel for a torch on an installed CANN; null when the table has no such pair. */
export function torchNpuWheelFor(cannVersion: string, torch: string): string | null {
  const key = parseCannVersion(cannVersion);
  if (!key) return null;
  return TORCH_NPU_WHEELS[`${key[0]}.${key[1]}`]?.[baseTorchVersion(torch)] ?? null;
}

/** Per-model transformers pins that override the release's (example requirements.txt / install_extensions.sh). */
export const MODEL_TRANSFORMERS_PINS: readonly {
  exampleDir: string;
  tags: readonly ReleaseTag[];
  pin: { version?: string; gitCommit?: string };
}[] = [
  { exampleDir: "qwen3vl", tags: ["v26.0.0", "v26.1.0"], pin: { gitCommit: "c0dbe09" } },
  { exampleDir: "qwen3_5", tags: ["v26.0.0"], pin: { gitCommit: "fc91372" } },
  { exampleDir: "qwen3_5", tags: ["v26.1.0"], pin: { version: "5.2.0" } },
  { exampleDir: "qwen3_6", tags: ["v26.1.0"], pin: { version: "5.2.0" } },
  { exampleDir: "deepseekocr", tags: ["v2.3.0", "v26.0.0"], pin: { version: "4.46.3" } },
  { exampleDir: "deepseekocr2", tags: ["v26.0.0"], pin: { version: "4.46.3" } },
  { exampleDir: "deepseekocr2", tags: ["v26.1.0"], pin: { version: "4.57.0" } },
  { exampleDir: "ming", tags: ["v2.2.0", "v2.3.0", "v26.0.0"], pin: { version: "4.45.0" } },
];

/** "qwen2.5vl-7b", "Qwen2.5-VL-7B", "qwen3vl_8B" → the examples/ directory name it belongs to, when recognisable. */
export function exampleDirForModel(model: string): string {
  const m = model.trim().toLowerCase();
  const compact = m.replace(/[\s-]/g, "");
  const dirs = [
    "qwen2.5vl",
    "qwen2vl",
    "qwen3vl",
    "qwen3_5",
    "qwen3_6",
    "internvl3.5",
    "internvl3",
    "internvl2.5",
    "internvl2",
    "glm4.1v",
    "glm4.5v",
    "deepseekvl2",
    "deepseekocr2",
    "deepseekocr",
    "ming",
    "magistral",
    "kimik2_5",
    "kimi_k3",
    "step3_vl",
    "mimov2_5",
  ];
  const hit = dirs.find((d) => compact.startsWith(d.replace(/[-_]/g, "")) || compact.startsWith(d));
  return hit ?? m.split(/[-_\s]/)[0]!;
}

/** The transformers pin for a release, overridden by the model's own requirement when it has one. */
export function transformersPinFor(
  release: ReleaseStack,
  model?: string | null,
): { version?: string; gitCommit?: string } {
  if (model) {
    const dir = exampleDirForModel(model);
    const hit = MODEL_TRANSFORMERS_PINS.find((p) => p.exampleDir === dir && p.tags.includes(release.tag));
    if (hit) return hit.pin;
  }
  return release.transformers;
}
