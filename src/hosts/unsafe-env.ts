// Variables that make a shell, the dynamic loader or an interpreter run code (BASH_ENV, LD_PRELOAD, PROMPT_COMMAND…)
// are refused wherever an environment enters: the inventory, launch_train/resume_run/export_scheduler_job's env,
// and again inside both executors. A host may allow one by name (allowUnsafeEnv) when it is really needed.

/**
 * Variables that make bash, the dynamic loader or an interpreter run code or change how every command is parsed.
 * PATH is here too: the inventory's `path` setting prepends directories without replacing the system's.
 */
const UNSAFE_ENV_EXACT = new Set([
  "BASH_ENV",
  "ENV",
  "PROMPT_COMMAND",
  "PS1",
  "PS2",
  "PS4",
  "SHELLOPTS",
  "BASHOPTS",
  "IFS",
  "CDPATH",
  "GLOBIGNORE",
  "PATH",
  "NODE_OPTIONS",
  "PYTHONSTARTUP",
  "PYTHONHOME",
  "PYTHONINSPECT",
  "PERL5OPT",
  "PERL5LIB",
  "RUBYOPT",
  "GCONV_PATH",
  "GLIBC_TUNABLES",
  "HOSTALIASES",
  "GIT_SSH",
  "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH",
  "GIT_CONFIG_GLOBAL",
  "GIT_CONFIG_SYSTEM",
]);
const UNSAFE_ENV_PREFIX = /^(?:LD_|BASH_FUNC_|GIT_CONFIG_(?:COUNT|KEY_|VALUE_)|DYLD_)/;

export function isUnsafeEnvName(name: string): boolean {
  return UNSAFE_ENV_EXACT.has(name) || UNSAFE_ENV_PREFIX.test(name);
}

export class UnsafeEnvError extends Error {
  override name = "UnsafeEnvError";
}

/** The unsafe names in env that are not explicitly allowed. */
export function unsafeEnvNames(env: Readonly<Record<string, string>>, allowed: readonly string[] = []): string[] {
  return Object.keys(env).filter((k) => isUnsafeEnvName(k) && !allowed.includes(k));
}

/** Why a set of variables is refused, for schema messages and errors. */
export function describeUnsafeEnv(names: readonly string[], where: string): string {
  return (
    `${where}: ${names.join(", ")} ${names.length > 1 ? "make" : "makes"} the shell, the loader or an interpreter run ` +
    "code and is refused. Use the host's `path` setting for PATH; where a variable is really needed, list it in the " +
    "host's allowUnsafeEnv in the inventory and set it in the host's env there."
  );
}

/** Refuses unsafe variables unless the host's inventory allows them by name. */
export function assertSafeEnv(
  env: Readonly<Record<string, string>> | undefined,
  allowed: readonly string[],
  where: string,
) {
  if (!env) return;
  const bad = unsafeEnvNames(env, allowed);
  if (bad.length > 0) throw new UnsafeEnvError(describeUnsafeEnv(bad, where));
}
