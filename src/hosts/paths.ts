// Where tools may write and read on a host: writes inside the directories its configuration allows, reads inside its
// readable roots. `..`, symlinks leading out and absolute paths elsewhere are refused before anything is written or
// read. Also how a relative path is read (from the host's workdir) and how a missing one is explained.
import { resolve as pathResolve } from "node:path";
import type { HostExecutor } from "./executor.js";
import type { HostSettings } from "./inventory.js";
import { shellQuote } from "./quote.js";

export class PathNotAllowedError extends Error {
  override name = "PathNotAllowedError";
  constructor(
    message: string,
    /** The refusal and its fix apart (the message is both), for a caller that reports them in two fields. */
    readonly parts?: { problem: string; fix: string },
  ) {
    super(message);
  }
}

/** The allowed roots: allowedDirs, else the workdir, the user's home and /tmp. */
export function allowedRoots(settings: HostSettings): string[] {
  if (settings.allowedDirs.length > 0) return settings.allowedDirs;
  return [settings.workdir, "~", "/tmp"].filter((d): d is string => Boolean(d));
}

function inside(path: string, root: string): boolean {
  const r = root.endsWith("/") ? root.slice(0, -1) : root;
  return path === r || path.startsWith(`${r}/`);
}

/** Checks the text of a path before asking the host anything. */
export function checkPathText(path: string, field = "path"): void {
  if (path.length === 0) throw new PathNotAllowedError(`${field} is empty.`);
  if (path.length > 4096) throw new PathNotAllowedError(`${field} is longer than 4096 characters.`);
  if (/[\0\n\r]/.test(path)) throw new PathNotAllowedError(`${field} contains a NUL or newline character.`);
  if (path.split("/").includes(".."))
    throw new PathNotAllowedError(`${field} "${path}" contains "..": give the path without it.`);
}

/**
 * Resolves `path` on the host (symlinks followed, missing tail allowed) and refuses it unless it lies inside an
 * allowed root. Returns the resolved absolute path.
 */
export async function ensureWritablePath(
  executor: HostExecutor,
  settings: HostSettings,
  hostName: string,
  path: string,
  field = "path",
): Promise<string> {
  checkPathText(path, field);
  // One round trip: the path and every root resolved on the host itself (symlinks followed, "~" = that user's home).
  // Only ~ and ~/ are this user's home; ~name is refused (it is not $HOME followed by "name"). A relative path is
  // taken under the workdir, which need not exist yet (a first install makes it).
  const script =
    `W=${shellQuote(settings.workdir ?? "")}; ` +
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
    'for p in "$@"; do case $p in /*|"~"*) ;; *) [ -n "$W" ] && p="$W/$p";; esac; case $p in "~"|"~/"*) p="$HOME${p#"~"}";; "~"*) echo "only ~ and ~/ are expanded: $p" >&2; exit 3;; esac; realpath -m -- "$p" || exit 3; done';
  const roots = allowedRoots(settings);
  const r = await executor.run(["sh", "-c", script, "sh", path, ...roots], {
    timeoutMs: 15_000,
  });
  const lines = r.stdout.trim().split("\n");
  if (r.exitCode !== 0 || lines.length !== roots.length + 1) {
    throw new PathNotAllowedError(
      `Cannot resolve ${field} "${path}" on ${hostName}: ${r.stderr.trim() || "realpath failed"}.`,
    );
  }
  const [resolved, ...resolvedRoots] = lines as [string, ...string[]];
  if (!resolvedRoots.some((root) => inside(resolved, root))) {
    const how = settings.allowedDirs.length > 0 ? "add its directory to" : "set";
    throw new PathNotAllowedError(
      `${field} "${path}" resolves to ${resolved}, outside the directories ascend-train may write on ${hostName} ` +
        `(${resolvedRoots.join(", ")}). Choose a path inside them, or ${how} allowedDirs for host ${hostName} in ascend-train.yaml.`,
    );
  }
  return resolved;
}

const guardedSettings = new WeakMap<HostExecutor, HostSettings>();

/**
 * Refuses every write the executor interface can name outside the allowed directories, whatever tool asks: the files
 * writeFile makes and the log spawnDetached appends to. Writes a tool makes through run/runScript (mkdir, mv, a
 * converter's output) go through ensureWritable first.
 */
export function guardWrites(executor: HostExecutor, settings: HostSettings): HostExecutor {
  const guarded = Object.create(executor) as HostExecutor;
  guarded.writeFile = async (path, content, opts) => {
    // The checked path is the one written: a relative path resolves against the workdir here and nowhere else.
    const resolved = await ensureWritablePath(executor, settings, executor.name, path);
    return executor.writeFile(resolved, content, opts);
  };
  guarded.spawnDetached = async (argv, opts) => {
    const logFile = await ensureWritablePath(executor, settings, executor.name, opts.logFile, "logFile");
    return executor.spawnDetached(argv, { ...opts, logFile });
  };
  guardedSettings.set(guarded, settings);
  return guarded;
}

/**
 * The guard for writes a tool makes with a command: resolves `path` on the host and refuses it outside the allowed
 * directories, as writeFile would. On an executor that guardWrites did not wrap (a test's), only the text is checked.
 */
export async function ensureWritable(executor: HostExecutor, path: string, field = "path"): Promise<string> {
  const settings = guardedSettings.get(executor);
  if (!settings) {
    checkPathText(path, field);
    return path;
  }
  return ensureWritablePath(executor, settings, executor.name, path, field);
}

// Reads. Every file a tool reads through HostExecutor.readFile resolves (symlinks followed) inside the host's readable
// roots; what lies elsewhere (/etc/shadow, another user's files) is refused with how to widen the roots. Credential
// stores are refused even inside them.

/** Directories under any root that hold credentials: never read, whatever the roots say. */
export const CREDENTIAL_DIRS = [".ssh", ".gnupg", ".aws", ".kube", ".docker", ".password-store"] as const;
export const CREDENTIAL_FILES = [".netrc", ".git-credentials", ".pgpass", "hosts.yaml", "ascend-train.yaml"] as const;

/**
 * The readable roots: where tools write (allowedDirs, else the workdir, home and /tmp), plus the
 * workdir, the run ledger and logs (~/.ascend-train), CANN, the Python environment, /tmp and the inventory's
 * readableDirs.
 */
export function readableRoots(settings: HostSettings): string[] {
  const roots = [
    ...allowedRoots(settings),
    settings.workdir,
    settings.cannRoot,
    settings.venv,
    "~/.ascend-train",
    "/tmp",
    ...settings.readableDirs,
  ].filter((d): d is string => Boolean(d));
  return [...new Set(roots)];
}

/** Why a resolved path may not be read, or null when it may. Roots are resolved paths. */
export function readRefusal(resolved: string, resolvedRoots: readonly string[]): "outside" | "credential" | null {
  if (!resolvedRoots.some((root) => inside(resolved, root))) return "outside";
  const parts = resolved.split("/");
  if (parts.some((p) => (CREDENTIAL_DIRS as readonly string[]).includes(p))) return "credential";
  if ((CREDENTIAL_FILES as readonly string[]).includes(parts[parts.length - 1]!)) return "credential";
  return null;
}

export function readRefusalError(
  why: "outside" | "credential",
  path: string,
  resolved: string,
  resolvedRoots: readonly string[],
  hostName: string,
): PathNotAllowedError {
  if (why === "credential") {
    const problem = `"${path}" resolves to ${resolved}, a credential file or directory: ascend-train never reads those on ${hostName}.`;
    return new PathNotAllowedError(problem, { problem, fix: "Choose another file." });
  }
  const problem =
    `"${path}" resolves to ${resolved}, outside the directories ascend-train may read on ${hostName} ` +
    `(${resolvedRoots.join(", ")}).`;
  const fix = `Choose a file inside them, or add its directory to readableDirs for host ${hostName} in ascend-train.yaml.`;
  return new PathNotAllowedError(`${problem} ${fix}`, { problem, fix });
}

/**
 * Shell lines for a read on the host: resolve $f (into $rf, missing tail allowed) and every root, then exit 48 with
 * "outside" or "credential", the resolved path and the resolved roots on stderr (one per line) unless it may be read.
 */
export function readGuardShell(within: readonly string[]): string {
  const roots = within.map((r) => `'${r.replaceAll("'", `'\\''`)}'`).join(" ");
  const dirs = CREDENTIAL_DIRS.map((d) => `*/${d}|*/${d}/*`).join("|");
  const files = CREDENTIAL_FILES.map((f) => `*/${f}`).join("|");
  return [
    'rf=$(realpath -m -- "$f") || exit 46',
    'ok=; rr=""',
    `for r in ${roots}; do case $r in "~"|"~/"*) r="$HOME\${r#"~"}";; "~"*) continue;; esac; r=$(realpath -m -- "$r") || continue; r=\${r%/}; rr="$rr$r\n"`,
    '  case $rf in "$r"|"$r"/*) ok=1;; esac; done',
    `[ -n "$ok" ] || { printf 'outside\\n%s\\n%b' "$rf" "$rr" >&2; exit 48; }`,
    `case $rf in ${dirs}|${files}) printf 'credential\\n%s\\n%b' "$rf" "$rr" >&2; exit 48;; esac`,
  ].join("\n");
}

const readGuardedSettings = new WeakMap<HostExecutor, HostSettings>();

/** Refuses readFile outside the readable roots, whatever tool asks. */
export function guardReads(executor: HostExecutor, settings: HostSettings): HostExecutor {
  const guarded = Object.create(executor) as HostExecutor;
  guarded.readFile = async (path, opts) => {
    checkPathText(path);
    return executor.readFile(path, { ...opts, within: opts?.within ?? readableRoots(settings) });
  };
  readGuardedSettings.set(guarded, settings);
  return guarded;
}

/** The settings guardReads wrapped `executor` (or an executor it was wrapped in, such as guardWrites') with. */
function readSettingsOf(executor: HostExecutor): HostSettings | undefined {
  for (let e: HostExecutor | null = executor; e; e = Object.getPrototypeOf(e) as HostExecutor | null) {
    const settings = readGuardedSettings.get(e);
    if (settings) return settings;
  }
  return undefined;
}

/**
 * The guard for reads a tool makes with a command (a dataset job, a converter) rather than readFile: resolves `path`
 * on the host as that command would (a relative path from the workdir, `~` as the user's home, symlinks followed, a
 * missing tail allowed) and refuses it outside the readable roots or in a credential store, in readFile's words, before
 * anything reads it. Returns the resolved path. On an executor guardReads did not wrap (a test's), only the text is
 * checked.
 */
export async function ensureReadable(executor: HostExecutor, path: string, field = "path"): Promise<string> {
  checkPathText(path, field);
  const settings = readSettingsOf(executor);
  if (!settings) return path;
  const script = [
    `W=${shellQuote(settings.workdir ?? "")}; f=$1`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
    'case $f in /*|"~"*) ;; *) [ -n "$W" ] && f="$W/$f";; esac; case $f in "~"|"~/"*) f="$HOME${f#"~"}";; "~"*) echo "only ~ and ~/ are expanded: $f" >&2; exit 3;; esac',
    readGuardShell(readableRoots(settings)),
    'printf "%s\\n" "$rf"',
  ].join("\n");
  const r = await executor.run(["sh", "-c", script, "sh", path], { timeoutMs: 15_000 });
  if (r.exitCode === 48) {
    const [why, resolved, ...roots] = r.stderr.trim().split("\n");
    throw readRefusalError(why === "credential" ? why : "outside", path, resolved ?? path, roots, executor.name);
  }
  const resolved = r.stdout.trim();
  if (r.exitCode !== 0 || !resolved) {
    throw new PathNotAllowedError(
      `Cannot resolve ${field} "${path}" on ${executor.name}: ${r.stderr.trim() || "realpath failed"}.`,
    );
  }
  return resolved;
}

/**
 * A path as the tools read it on a host: absolute and `~` paths as given; a relative one from the host's workdir, as
 * validate_dataset and launch_train's script already do, so one rule holds for every tool. Null when the path is
 * relative and the host names no workdir (the caller asks for an absolute path).
 */
export function onHost(path: string, settings: Pick<HostSettings, "workdir">): string | null {
  if (path.startsWith("/") || path.startsWith("~")) return path;
  if (!settings.workdir) return null;
  const rest = path.replace(/^(\.\/)+/, "");
  return `${settings.workdir.replace(/\/+$/, "")}/${rest}`;
}

/** What a caller learns when a relative path is not on the host: where it was looked for and what was probably meant. */
export interface RelativePathMiss {
  /** The path as read: under the host's workdir. */
  resolved: string;
  /** The rule, e.g. "relative paths are read from sim's workdir /srv/mm". */
  rule: string;
  /** What the path given looks like it meant and whether that exists; "" when nothing suggests another reading. */
  meant: string;
  /** A path that exists and is probably the one meant: relative to the workdir, or absolute on this machine. */
  corrected: string | null;
}

/** The leading folders of `relative` that repeat the workdir's own last folders (`sim-host/MindSpeed-MM`), if any. */
function workdirTailPrefix(workdir: string, relative: string): string | null {
  const wd = workdir.split("/").filter(Boolean);
  const given = relative.split("/").filter((p) => p !== "" && p !== ".");
  for (let k = Math.min(wd.length, given.length - 1); k >= 1; k--) {
    if (wd.slice(-k).join("/") === given.slice(0, k).join("/")) return given.slice(0, k).join("/");
  }
  return null;
}

/**
 * Explains a relative path that is not a file on the host: the path as read from the host's workdir and the rule, and,
 * when the path starts with the workdir's own last folders (a path typed relative to the folder above the workdir) or,
 * on a host that is this machine, exists relative to the current directory, which path was probably meant and whether
 * it exists. Null when the file is there (another error stands), for an absolute or `~` path, and on a host with no
 * workdir (nothing is read from a workdir then). One round trip to the host.
 */
export async function explainRelativeMiss(
  executor: HostExecutor,
  host: string,
  settings: Pick<HostSettings, "workdir" | "ssh">,
  given: string,
  cwd: string = process.cwd(),
): Promise<RelativePathMiss | null> {
  const resolved = onHost(given, settings);
  if (!settings.workdir || resolved === null || resolved === given) return null;
  const workdir = settings.workdir.replace(/\/+$/, "");
  const rule = `relative paths are read from ${host}'s workdir ${workdir}`;
  const tail = workdirTailPrefix(workdir, given);
  const inWorkdir = tail
    ? given
        .split("/")
        .filter((p) => p !== "" && p !== ".")
        .slice(tail.split("/").length)
        .join("/")
    : null;
  // The current directory is this machine's: it means something on the host only when the host is this machine.
  const fromCwd = settings.ssh ? null : pathResolve(cwd, given);
  const candidates = [inWorkdir ? `${workdir}/${inWorkdir}` : null, fromCwd].filter(
    (p): p is string => p !== null && p !== resolved,
  );
  const found = new Set(await existingFiles(executor, [resolved, ...candidates]));
  if (found.has(resolved)) return null;
  const parts: string[] = [];
  let corrected: string | null = null;
  if (inWorkdir) {
    const exists = found.has(`${workdir}/${inWorkdir}`);
    parts.push(
      `${given} starts with the workdir's own last folders (${tail}), which doubles them; relative to the workdir it ` +
        `is ${inWorkdir}${exists ? "" : ", which does not exist either"}.`,
    );
    if (exists) corrected = inWorkdir;
  }
  if (fromCwd && found.has(fromCwd)) {
    parts.push(
      fromCwd === `${workdir}/${inWorkdir}`
        ? `That is the file the path names relative to the current directory ${cwd}.`
        : `It exists relative to the current directory ${cwd}: as an absolute path, ${fromCwd}.`,
    );
    corrected ??= fromCwd;
  }
  return { resolved, rule, meant: parts.join(" "), corrected };
}

/** Which of these paths are regular files on the host (`~/…` is the host user's home). */
async function existingFiles(executor: HostExecutor, paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const script =
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
    'for p in "$@"; do f=$p; case $f in "~/"*) f="$HOME${f#"~"}";; esac; [ -f "$f" ] && printf "%s\\n" "$p"; done; exit 0';
  const r = await executor.run(["sh", "-c", script, "sh", ...paths], { timeoutMs: 15_000 }).catch(() => null);
  return r ? r.stdout.split("\n").filter(Boolean) : [];
}
