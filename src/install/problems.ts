// What cannot work on this host, and why: wrong arch, no CANN, no NPUs, no interpreter, unreachable sources.
// Blockers stop apply before anything changes; warnings name what is likely to fail.
import { cannInstallCommand, cannListed, compareCann } from "../knowledge/releases.js";
import type { InstallProbeInput } from "./probe.js";
import { isOffline } from "./sources.js";
import { chooseInterpreter, type PlanContext } from "./steps.js";
import { type Problem, type SourceKey, STEP_IDS, type Step, type StepDef } from "./types.js";

const GIT_KEYS = ["mindspeedMm", "megatron", "mindspeed", "transformers"] as const;
const LABEL: Record<SourceKey, string> = {
  mindspeedMm: "MindSpeed-MM",
  megatron: "Megatron-LM",
  mindspeed: "MindSpeed",
  transformers: "transformers",
  pip: "pip index",
  torch: "torch index",
};

export function findProblems(ctx: PlanContext, defs: StepDef[], steps: Step[], probe: InstallProbeInput): Problem[] {
  const out: Problem[] = [];
  const { facts, release, env, sources, extras } = ctx;
  const add = (p: Omit<Problem, "fix" | "step"> & Partial<Pick<Problem, "fix" | "step">>) =>
    out.push({ fix: null, step: null, ...p });
  const arch = facts.machine.arch;
  if (arch && arch !== "aarch64" && arch !== "x86_64") {
    add({
      id: "arch-unsupported",
      severity: "blocker",
      message: `${arch} has no torch_npu wheels (aarch64 or x86_64 only).`,
    });
  }
  const cann = facts.cann;
  if (!cann.version && !cann.setEnvPath) {
    add({
      id: "cann-missing",
      severity: "blocker",
      message: `No CANN toolkit under ${cann.root}: torch_npu cannot load without it. This tool installs the Python stack only; install CANN ${release.cann.version} first.`,
      fix: cannInstallCommand(release, arch, cann.root),
    });
  } else if (cann.version && (compareCann(cann.version, release.cann.minimum) ?? 0) < 0) {
    add({
      id: "cann-too-old",
      severity: "blocker",
      message: `CANN ${cann.version} is older than MindSpeed-MM ${release.tag} accepts (${release.cann.minimum}; validated with ${release.cann.version}).`,
      fix: cannInstallCommand(release, arch, cann.root),
    });
  } else if (cann.version && cannListed(release, cann.version) === false) {
    add({
      id: "cann-incompatible",
      severity: "blocker",
      message: `CANN ${cann.version} is not compatible with MindSpeed-MM ${release.tag}: its release notes list ${release.cann.compatible!.join(", ")}.`,
      fix: cannInstallCommand(release, arch, cann.root),
    });
  }
  if (extras.runningStep) {
    const id = extras.runningStep.split(" ")[0];
    add({
      id: "step-still-running",
      severity: "blocker",
      message: `A step of an earlier apply still runs on the host (${extras.runningStep}); its output goes to ${ctx.paths.log}. Another apply now would run the same commands twice.`,
      fix: "Wait until it ends (or stop it), then call again: the plan then shows what it installed.",
      step: STEP_IDS.find((s) => s === id) ?? null,
    });
  }
  const npu = facts.npu;
  if (npu.npuSmi !== "ok" || npu.count === 0) {
    add({
      id: "npu-missing",
      severity: "warning",
      message: `No NPU visible (npu-smi ${npu.npuSmi}${npu.error ? `: ${npu.error.split("\n")[0]}` : ""}): the stack installs, but the smoke test (last step) will fail.`,
      step: "smoke-test",
    });
  }
  const pending = new Set(steps.filter((s) => s.status === "pending" || s.status === "retry").map((s) => s.id));
  if (env.kind === "venv" && pending.has("python-env")) {
    const interp = chooseInterpreter(ctx);
    if (!interp) {
      add({
        id: "python-missing",
        severity: "blocker",
        message: `No python3 on the host to create ${env.path} with.`,
        fix: `install Python ${release.python.recommended} (e.g. the distribution's python3 and python3-venv packages)`,
        step: "python-env",
      });
    } else if (!release.python.supported.includes(interp.version.split(".").slice(0, 2).join("."))) {
      add({
        id: "python-version",
        severity: "warning",
        message: `The venv gets Python ${interp.version} (${interp.path}); MindSpeed-MM ${release.tag} supports ${release.python.supported.join(" or ")}.`,
        fix: `install python${release.python.recommended} on the host and plan again`,
        step: "python-env",
      });
    }
  }
  if (facts.machine.diskFreeGb !== null && facts.machine.diskFreeGb < 20) {
    add({
      id: "disk-space",
      severity: "warning",
      message: `${facts.machine.diskFreeGb} GB free at ${facts.machine.diskPath}: torch, torch_npu and the checkouts need about 15 GB.`,
    });
  }
  const needs = new Set(defs.filter((d) => pending.has(d.id)).flatMap((d) => [...d.needs]));
  const gitSteps = ["mindspeed-mm", "megatron", "mindspeed"] as const;
  if (!facts.tools.git && gitSteps.some((s) => pending.has(s))) {
    add({
      id: "git-missing",
      severity: "blocker",
      message: "git is not installed on the host.",
      fix: "apt-get install -y git  # or: yum install -y git",
    });
  }
  for (const key of GIT_KEYS) {
    if (!needs.has(key)) continue;
    const i = probe.gitSources.indexOf(sources[key]);
    if (i >= 0 && extras.gitReachable[i] === false) {
      const step = defs.find((d) => pending.has(d.id) && d.needs.includes(key))?.id ?? null;
      add({
        id: "source-unreachable",
        severity: "blocker",
        message: `${LABEL[key]} source ${sources[key]} does not answer from the host (offline, or a wrong path/URL).`,
        fix: `give sources.${key}: a git mirror URL the host reaches, or a repository path on the host`,
        step,
      });
    }
  }
  if (sources.wheelDir && extras.wheelDir && !extras.wheelDir.exists) {
    add({
      id: "wheel-dir-missing",
      severity: isOffline(sources) ? "blocker" : "warning",
      message: `The wheel directory ${sources.wheelDir} does not exist on the host.`,
      fix: "copy the wheels there, or give sources.wheelDir / sources.pipIndex",
    });
  }
  if (!isOffline(sources)) {
    for (const [key, i] of [
      ["pip", 0],
      ["torch", 1],
    ] as const) {
      if (!needs.has(key) || extras.indexReachable[i] !== false) continue;
      const url = probe.indexes[i] || extras.pipDefaultIndex || "the default index";
      if (out.some((p) => p.id === "index-unreachable" && p.message.includes(` ${url} `))) continue;
      add({
        id: "index-unreachable",
        severity: "blocker",
        message: `${LABEL[key]} ${url} does not answer from the host (no network?).`,
        fix: "give sources.wheelDir (a directory of wheels on the host, installed with --no-index) or sources.pipIndex (a mirror)",
      });
    }
  }
  for (const d of defs) {
    if (!pending.has(d.id)) continue;
    for (const w of d.warnings) add({ id: "step-warning", severity: "warning", message: w, step: d.id });
  }
  return out;
}
