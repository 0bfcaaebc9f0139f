// Small file and process helpers of the simulated host's layout code.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, lchown, lstat, mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

export async function sh(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  try {
    const child = execFileP(file, [...args], {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (opts.input !== undefined) {
      child.child.stdin?.end(opts.input);
    }
    const { stdout } = await child;
    return stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`${file} ${args.join(" ")} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export async function writeTree(
  base: string,
  files: Record<string, string>,
  executable: (p: string) => boolean = () => false,
) {
  await Promise.all(
    Object.entries(files).map(async ([rel, content]) => {
      const full = join(base, rel);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
      if (executable(rel) || content.startsWith("#!")) await chmod(full, 0o755);
    }),
  );
}

export function contentHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

export function cacheRoot(): string {
  return join(tmpdir(), "ascend-train-sim-cache");
}

/** Builds `key` once into the cache (atomically: build in a scratch dir, then rename) and returns its path. */
export async function cached(key: string, build: (dir: string) => Promise<void>): Promise<string> {
  const target = join(cacheRoot(), key);
  if (existsSync(join(target, ".complete"))) return target;
  const scratch = join(cacheRoot(), `.tmp-${key}-${randomBytes(4).toString("hex")}`);
  await mkdir(scratch, { recursive: true });
  try {
    await build(scratch);
    await writeFile(join(scratch, ".complete"), "");
    try {
      await rename(scratch, target);
    } catch {
      // Someone else finished first; theirs is as good as ours.
      if (!existsSync(join(target, ".complete"))) {
        await rm(target, { recursive: true, force: true });
        await rename(scratch, target);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const st = await lstat(path);
  await lchown(path, uid, gid);
  if (st.isDirectory()) {
    const entries = await readdir(path);
    await Promise.all(entries.map((e) => chownTree(join(path, e), uid, gid)));
  }
}

export { chown };
