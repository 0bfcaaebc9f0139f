// Where tools may write on a host: inside the directories its configuration allows. `..`, symlinks leading out and
// absolute paths elsewhere are refused before anything is written.
import type { HostExecutor } from "./executor.js";
import type { HostSettings } from "./inventory.js";

export class PathNotAllowedError extends Error {
  override name = "PathNotAllowedError";
}

/** The allowed roots: allowedDirs, else the workdir, the simulated host's root, the user's home and /tmp. */
export function allowedRoots(settings: HostSettings): string[] {
  if (settings.allowedDirs.length > 0) return settings.allowedDirs;
  return [settings.workdir, settings.simRoot, "~", "/tmp"].filter((d): d is string => Boolean(d));
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
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
  const script = 'for p in "$@"; do case $p in "~"*) p="$HOME${p#"~"}";; esac; realpath -m -- "$p" || exit 3; done';
  const roots = allowedRoots(settings);
  const r = await executor.run(["sh", "-c", script, "sh", path, ...roots], {
    cwd: settings.workdir,
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
