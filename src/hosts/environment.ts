// The environment a host command gets: the shell prelude that puts it inside the host's Ascend environment (PATH,
// env, CANN, NNAL, Python), the allowlist of this process's variables a local command inherits (never its tokens or
// API keys), and the refusal of variables that make a shell or loader run code (BASH_ENV, LD_PRELOAD…).
import { posix } from "node:path";
import type { HostSettings } from "./inventory.js";
import { envExports, shellQuote } from "./quote.js";
import { isSecretName } from "./redact.js";

/** This process's variables a local host command inherits: the session basics and the Ascend stack's own. */
const INHERITED_EXACT = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LANGUAGE",
  "TERM",
  "SHELL",
  "TMPDIR",
  "TZ",
  "SSH_AUTH_SOCK",
  "LD_LIBRARY_PATH",
  "PYTHONPATH",
  "VIRTUAL_ENV",
  "TOOLCHAIN_HOME",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
]);
const INHERITED_PREFIX = /^(?:LC_|ASCEND_|HCCL_|ATB_|ASDOPS_|CONDA_|HF_|PIP_|XDG_)/;

/** The server's own settings (token, config, audit log): never a host command's business. */
const SERVER_OWN = /^ASCEND_TRAIN_/;

export function isInheritedName(name: string): boolean {
  if (SERVER_OWN.test(name) || isSecretName(name)) return false;
  return INHERITED_EXACT.has(name) || INHERITED_PREFIX.test(name);
}

/**
 * The environment of a local host command: the allowlisted part of this process's, the host's inventory env, then
 * the call's own variables; the host's `path` directories go before PATH.
 */
export function hostEnvironment(
  settings: HostSettings,
  extra: Readonly<Record<string, string>> | undefined,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) if (v !== undefined && isInheritedName(k)) env[k] = v;
  Object.assign(env, settings.env, extra);
  if (settings.path.length > 0) env.PATH = [...settings.path, env.PATH ?? ""].join(":");
  return env;
}

export interface PreludeOptions {
  /** Include the PATH and env exports (default true). Off where they travel outside the command line. */
  exports?: boolean;
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

/** `export PATH=<the host's path dirs>:"$PATH"`, or "" when it has none. */
export function pathExport(settings: HostSettings): string {
  return settings.path.length > 0 ? `export PATH=${settings.path.map(shellQuote).join(":")}:"$PATH"` : "";
}

export function hostPrelude(settings: HostSettings, opts: PreludeOptions = {}): string {
  const lines: string[] = [];
  if (opts.exports !== false) {
    if (settings.path.length > 0) lines.push(pathExport(settings));
    if (Object.keys(settings.env).length > 0) lines.push(envExports(settings.env));
  }
  if (opts.sourceCann) {
    const [cannNew, cannOld] = cannSetEnvCandidates(settings.cannRoot);
    lines.push(
      `if [ -f ${shellQuote(cannNew!)} ]; then . ${shellQuote(cannNew!)} >/dev/null 2>&1; elif [ -f ${shellQuote(cannOld!)} ]; then . ${shellQuote(cannOld!)} >/dev/null 2>&1; fi`,
      `if [ -f ${shellQuote(nnalSetEnv(settings.cannRoot))} ]; then . ${shellQuote(nnalSetEnv(settings.cannRoot))} >/dev/null 2>&1; fi`,
    );
  }
  if (opts.activatePython) {
    if (settings.venv) {
      // What bin/activate does for a script, done here: the activate script of Python before 3.13 assigns
      // VIRTUAL_ENV unquoted, so sourcing it from a path with a space breaks the environment.
      const bin = posix.join(settings.venv, "bin");
      lines.push(
        `if [ -d ${shellQuote(bin)} ]; then VIRTUAL_ENV=${shellQuote(settings.venv)}; PATH=${shellQuote(bin)}:"$PATH"; export VIRTUAL_ENV PATH; unset PYTHONHOME; fi`,
      );
    } else if (settings.conda) {
      lines.push(
        `if command -v conda >/dev/null 2>&1; then eval "$(conda shell.bash hook)" && conda activate ${shellQuote(settings.conda)}; fi`,
      );
    }
  }
  return lines.join("\n");
}
