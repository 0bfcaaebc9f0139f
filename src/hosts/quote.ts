// The only place that turns values into shell text. Everything that reaches a remote shell goes through here.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A value no shell word can carry (a NUL byte): the caller's input is wrong, not the program. */
export class UnsafeShellValueError extends Error {
  override name = "UnsafeShellValueError";
}

/** Quotes one value for a POSIX shell: safe words stay as they are, anything else is single-quoted. */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new UnsafeShellValueError("A value passed to a shell cannot contain a NUL byte.");
  if (value !== "" && SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `trap CMD SIGNALS` where CMD is shell text whose values are already quoted: the trap's command is one more level of
 * shell text (evaluated again when the trap fires), so it is quoted as a whole here and never pasted between quotes.
 */
export function trapScript(command: string, signals: string): string {
  return `trap ${shellQuote(command)} ${signals}`;
}

/** Joins argv into one shell command line, each word quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export K='v'` lines for an environment; names are validated, values quoted. */
export function envExports(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (!ENV_NAME.test(key)) throw new Error(`Invalid environment variable name: ${JSON.stringify(key)}`);
      return `export ${key}=${shellQuote(value)}`;
    })
    .join("\n");
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}
