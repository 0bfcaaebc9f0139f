// One finding and the context findings are judged in; shared by the per-area finding modules.
import { TORCH_CPU_INDEX } from "../hosts/install-sources.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import {
  MINDSPEED_MM_REPO,
  pipInstallTorchPair,
  type ReleaseStack,
  TRANSFORMERS_REPO,
  torchNpuWheelFor,
} from "../knowledge/releases.js";
import type { HoldingRun } from "../runs/holders.js";
import type { Finding, HostFacts } from "./facts.js";

export interface FindingContext {
  release: ReleaseStack;
  settings: HostSettings;
  model?: string | null;
  /** This host's own runs: which NPU processes (by pid), the master port and which HCCL ports belong to one. */
  runs?: {
    byPid: ReadonlyMap<number, HoldingRun>;
    masterPort: HoldingRun | null;
    hcclPorts?: ReadonlyMap<number, HoldingRun>;
  };
}

/** "run-… (running, iteration 58/2000)": the run as check_env names it. */
export function runLabel(r: HoldingRun): string {
  const at =
    r.iteration === null ? "" : `, iteration ${r.iteration}${r.totalIterations ? `/${r.totalIterations}` : ""}`;
  return `${r.runId} (${r.state}${at})`;
}

type Severity = Finding["severity"];

export function finding(
  id: string,
  severity: Severity,
  title: string,
  evidence: string,
  expected: string | null,
  fix: string | null,
  detail?: string,
): Finding {
  return detail
    ? { id, severity, title, evidence, expected, fix, detail }
    : { id, severity, title, evidence, expected, fix };
}

/**
 * A fix as this host would run it: the repositories and pip sources its inventory names (mirrors, a wheel directory,
 * an index) in place of the public ones, as install_stack uses them, so that a fix works on a host that cannot reach
 * the internet. Findings write the public form once; this is the one place that knows the host's sources.
 */
export function fromHostSources(fix: string, ctx: FindingContext): string {
  const s = ctx.settings.sources;
  if (!s) return fix;
  const r = ctx.release;
  let out = fix;
  const repos: [string, string | undefined][] = [
    [MINDSPEED_MM_REPO, s.mindspeedMm],
    [r.megatron.repo, s.megatron],
    [r.mindspeed.repo, s.mindspeed],
  ];
  for (const [pub, mirror] of repos) if (mirror) out = out.replaceAll(pub, shellQuote(mirror));
  if (s.transformers)
    out = out.replaceAll(
      `git+${TRANSFORMERS_REPO}`,
      `git+${s.transformers.startsWith("/") ? `file://${s.transformers}` : s.transformers}`,
    );
  const pipOptions = [
    ...(s.wheelDir && !s.pipIndex ? ["--no-index"] : []),
    ...(s.wheelDir ? ["--find-links", shellQuote(s.wheelDir)] : []),
    ...(s.pipIndex ? ["--index-url", shellQuote(s.pipIndex)] : []),
  ];
  if (pipOptions.length > 0) out = out.replace(/\bpip install (?!-r\b)/g, `pip install ${pipOptions.join(" ")} `);
  // Offline (a wheel directory and no index), the public torch index in a fix is of no use; with one, the host's own.
  if (s.wheelDir && !s.pipIndex) out = out.replace(/ --(?:extra-)?index-url \S+/g, "");
  else if (s.torchIndex) out = out.replaceAll(TORCH_CPU_INDEX, shellQuote(s.torchIndex));
  return out;
}

/**
 * A fix's pip as the host's Python environment's own: typed in a shell where the venv is not active, a bare `pip`
 * would install into another Python (the system's, pyenv's). Conda envs go through `conda run`.
 */
export function withEnvPip(fix: string, settings: { venv?: string; conda?: string }): string {
  const pip = settings.venv
    ? shellQuote(`${settings.venv.replace(/\/+$/, "")}/bin/pip`)
    : settings.conda
      ? `conda run -n ${shellQuote(settings.conda)} pip`
      : null;
  return pip
    ? fix.replace(/(^|[\s;&|(])pip (install|uninstall)\b/g, (_m, lead: string, verb: string) => `${lead}${pip} ${verb}`)
    : fix;
}

/** pip command for the torch_npu matching the installed CANN (falls back to the release pair). */
export function pipInstallFor(f: HostFacts, ctx: FindingContext): string {
  const torch = f.python.packages.torch?.version ?? ctx.release.torch;
  const wheel = f.cann.version ? torchNpuWheelFor(f.cann.version, torch) : null;
  return wheel ? `pip install --force-reinstall torch_npu==${wheel}` : pipInstallTorchPair(ctx.release, f.machine.arch);
}

/**
 * Puts `source <files>` on the first line of ~/.bashrc. Non-interactive shells (`ssh host cmd`) stop at the
 * interactivity guard near its top, so an appended line would never run for them; works for a missing or empty file.
 */
export function prependSourceToBashrc(...files: string[]): string {
  const line = files.map((f) => `source ${shellQuote(f)}`).join("; ");
  return `{ echo ${shellQuote(line)}; cat ~/.bashrc 2>/dev/null || true; } > ~/.bashrc.new && mv ~/.bashrc.new ~/.bashrc`;
}
