// The shell prelude that puts a command inside a host's Ascend environment: PATH, env, CANN, NNAL, Python.
import { posix } from "node:path";
import type { HostSettings } from "./inventory.js";
import { envExports, shellQuote } from "./quote.js";

export interface PreludeOptions {
  /** Source CANN's set_env.sh (toolkit, then NNAL/ATB) when present. */
  sourceCann?: boolean;
  /** Activate the host's venv or conda env. */
  activatePython?: boolean;
}

/** CANN set_env.sh candidates, newest layout first (`cann/` from CANN 8.5, `ascend-toolkit/` before). */
export function cannSetEnvCandidates(cannRoot: string): string[] {
  return [posix.join(cannRoot, "cann", "set_env.sh"), posix.join(cannRoot, "ascend-toolkit", "set_env.sh")];
}

export function nnalSetEnv(cannRoot: string): string {
  return posix.join(cannRoot, "nnal", "atb", "set_env.sh");
}

export function hostPrelude(settings: HostSettings, opts: PreludeOptions = {}): string {
  const lines: string[] = [];
  if (settings.path.length > 0) {
    lines.push(`export PATH=${settings.path.map(shellQuote).join(":")}:"$PATH"`);
  }
  if (Object.keys(settings.env).length > 0) lines.push(envExports(settings.env));
  if (opts.sourceCann) {
    const [cannNew, cannOld] = cannSetEnvCandidates(settings.cannRoot);
    lines.push(
      `if [ -f ${shellQuote(cannNew!)} ]; then . ${shellQuote(cannNew!)} >/dev/null 2>&1; elif [ -f ${shellQuote(cannOld!)} ]; then . ${shellQuote(cannOld!)} >/dev/null 2>&1; fi`,
      `if [ -f ${shellQuote(nnalSetEnv(settings.cannRoot))} ]; then . ${shellQuote(nnalSetEnv(settings.cannRoot))} >/dev/null 2>&1; fi`,
    );
  }
  if (opts.activatePython) {
    if (settings.venv) {
      const activate = posix.join(settings.venv, "bin", "activate");
      lines.push(`if [ -f ${shellQuote(activate)} ]; then . ${shellQuote(activate)}; fi`);
    } else if (settings.conda) {
      lines.push(
        `if command -v conda >/dev/null 2>&1; then eval "$(conda shell.bash hook)" && conda activate ${shellQuote(settings.conda)}; fi`,
      );
    }
  }
  return lines.join("\n");
}
