// The one place that hides secrets and terminal control sequences in text people or models see: results, plans,
// errors, the audit log. Secret-looking variable names, token-shaped values, URL passwords and the values of secrets
// this process knows (its own token and API keys, inventory secrets) are replaced by ***.

/** Variable names that hold secrets: HF_TOKEN, DB_PASS, WANDB_KEY, AWS_SECRET_ACCESS_KEY, GIT_CREDENTIALS… */
const SECRET_NAME =
  /(TOKEN(?!IZER)|SECRET|PASS(?!THROUGH|ED|ING|ES|AGE)|PASSWD|PASSWORD|KEY|CREDENTIAL|AUTH(?!OR|_SOCK))/i;

export const MASK = "***";

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Values of secret-looking variables, to be hidden from logs and results. */
export function secretValues(env: Readonly<Record<string, string>> | undefined): string[] {
  if (!env) return [];
  return Object.entries(env)
    .filter(([k, v]) => isSecretName(k) && v.length >= 4)
    .map(([, v]) => v);
}

const known = new Set<string>();

/** Values hidden from every output from now on (the server's token, inventory secrets). Short values are ignored. */
export function registerSecrets(values: Iterable<string>): void {
  for (const v of values) if (v.length >= 6) known.add(v);
}

/** This process's own secrets: the HTTP token, API keys, the SSH passphrase. */
registerSecrets(secretValues(process.env as Record<string, string>));

/** Replaces each given value (and each registered secret) by ***. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of [...secrets, ...known]) if (s.length > 0 && out.includes(s)) out = out.split(s).join(MASK);
  return out;
}

/** Shapes of well-known credentials, whatever variable or flag carries them. */
const TOKEN_SHAPES: RegExp[] = [
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}/g, // Anthropic, OpenAI
  /\bhf_[A-Za-z0-9]{16,}/g, // Hugging Face
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bglpat-[A-Za-z0-9_-]{16,}/g, // GitLab
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
];

/** `NAME=value`, `NAME: value` and `"NAME": "value"` where NAME looks secret. */
const ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_]*)(=|: ?|": ?")('[^'\n]*'|"[^"\n]*"|[^\s'",;&|)]+)/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:'"]+)(:[^\s/@'"]*)?@/gi;
const BEARER = /\b(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
const SECRET_FLAG =
  /(--(?:token|password|passwd|api-key|apikey|secret|auth-token|access-token)(?:=|\s+))(?!-)('[^']*'|"[^"]*"|\S+)/gi;

/** Hides secrets in free text by value and by pattern. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  if (text.length === 0) return text;
  let out = redact(text, secrets);
  out = out.replace(URL_USERINFO, (_m, scheme: string, user: string, pass: string | undefined) =>
    pass !== undefined ? `${scheme}${user}:${MASK}@` : /^https?:\/\//i.test(scheme) ? `${scheme}${MASK}@` : _m,
  );
  out = out.replace(BEARER, `$1${MASK}`);
  out = out.replace(SECRET_FLAG, `$1${MASK}`);
  out = out.replace(ASSIGNMENT, (m, name: string, sep: string, value: string) => {
    if (sep.startsWith(":") && !ENV_STYLE_NAME.test(name)) return m;
    if (!isSecretName(name) || value === MASK || value === `'${MASK}'` || value.startsWith("$")) return m;
    const quote = value.startsWith("'") ? "'" : value.startsWith('"') ? '"' : "";
    return `${name}${sep}${quote}${MASK}${quote}`;
  });
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, MASK);
  return out;
}

/** An environment with secret-named values replaced by ***. */
export function redactEnvValues(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isSecretName(k) ? MASK : redactText(v)]));
}

/** Names of environment variables: upper case with digits and underscores. camelCase result fields never match. */
const ENV_STYLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * A copy of a structured result with every string redacted, and every value under an environment-style secret name
 * (HF_TOKEN, DB_PASS) masked. Numbers, booleans and field names stay as they are.
 */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === "string") {
      if (key !== null && ENV_STYLE_NAME.test(key) && isSecretName(key) && v.length > 0) return MASK;
      return redactText(v, secrets);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(value, null) as T;
}

// CSI/OSC/DCS and other escape sequences, then the remaining C0/C1 controls except tab and newline.
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[@-Z\\-_]|.)?|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text safe to print on a terminal: escape sequences dropped, other control characters shown as \xNN, carriage
 * returns dropped (a lone CR would let a line overwrite what came before it).
 */
export function sanitizeTerminal(text: string): string {
  if (!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text)) return text;
  return text
    .replace(ESCAPE_SEQUENCE, "")
    .replace(/\r(?=\n|$)/g, "")
    .replace(CONTROL, (c) => (c === "\r" ? "" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

/** What every human-facing line goes through: secrets hidden, then terminal controls neutralised. */
export function forTerminal(text: string): string {
  return sanitizeTerminal(redactText(text));
}
