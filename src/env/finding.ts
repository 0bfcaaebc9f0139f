// One finding and the context findings are judged in; shared by the per-area finding modules.
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import { pipInstallTorchPair, type ReleaseStack, torchNpuWheelFor } from "../knowledge/releases.js";
import type { Finding, HostFacts } from "./facts.js";

export interface FindingContext {
  release: ReleaseStack;
  settings: HostSettings;
  model?: string | null;
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
