// Local writes that follow no symbolic link, anywhere on the path, once they start. Node has no openat(), so the
// parent directory is opened component by component with O_NOFOLLOW through /proc/self/fd/<dir> (each open is then
// relative to the directory already held, as openat would be), and the temporary file, the rename and the link all
// name that held directory. A directory swapped for a symlink after the guard's check is refused, not followed.
// Without /proc (not Linux), every component is checked with lstat before and after the write instead.
import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { type FileHandle, link, lstat, open, readlink, realpath, rename, unlink } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { HostFileError } from "./executor.js";

const PROC_FD = "/proc/self/fd";
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = constants;
const DIR_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
const NEW_FILE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

function symlinkRefusal(dir: string, detail: string): HostFileError {
  return new HostFileError(`Not writing in ${dir}: ${detail}; writes follow no symbolic link.`, "EACCES");
}

/** Opens `dir` one component at a time, refusing a symlink at any of them. */
async function openDirNoFollow(dir: string): Promise<FileHandle> {
  let held = await open("/", O_RDONLY | O_DIRECTORY);
  let walked = "";
  for (const part of dir.split("/").filter(Boolean)) {
    walked += `/${part}`;
    try {
      const next = await open(`${PROC_FD}/${held.fd}/${part}`, DIR_FLAGS);
      await held.close();
      held = next;
    } catch (error) {
      await held.close();
      if (code(error) === "ENOENT") throw new HostFileError(`Directory ${walked} does not exist.`, "ENOENT");
      if (code(error) === "ELOOP" || code(error) === "ENOTDIR") {
        const isLink = await lstat(walked).then(
          (s) => s.isSymbolicLink(),
          () => false,
        );
        throw isLink ? symlinkRefusal(dir, `${walked} is a symbolic link`) : error;
      }
      throw error;
    }
  }
  return held;
}

/** Writes `content` to `file` through a temporary file and a rename (or a link, when exclusive), following no link. */
export async function writeNoFollow(
  file: string,
  content: string | Uint8Array,
  mode: number,
  exclusive: boolean,
): Promise<void> {
  const target = resolve(file);
  const dir = dirname(target);
  const name = basename(target);
  if (target === "/" || name === "." || name === "..") throw new HostFileError(`${file} is not a file name.`, "EIO");
  if (!existsSync(PROC_FD)) return writeWithPathChecks(dir, name, content, mode, exclusive);
  const held = await openDirNoFollow(dir);
  const at = (entry: string) => `${PROC_FD}/${held.fd}/${entry}`;
  const tmp = `.ascend-train.${randomBytes(6).toString("hex")}.tmp`;
  let created = false;
  try {
    const fh = await open(at(tmp), NEW_FILE_FLAGS, 0o600);
    created = true;
    try {
      await fh.writeFile(content);
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
    await place(at(tmp), at(name), exclusive, target);
    // The held directory is where the file went; it must still be the one the caller named.
    const now = await readlink(`${PROC_FD}/${held.fd}`);
    if (now !== dir) {
      if (exclusive) await unlink(at(name)).catch(() => undefined);
      throw symlinkRefusal(dir, `it was moved to ${now} while writing`);
    }
  } finally {
    if (created) await unlink(at(tmp)).catch(() => undefined);
    await held.close();
  }
}

/** rename replaces (a symlink at the name is replaced, not followed); link refuses any existing name atomically. */
async function place(from: string, to: string, exclusive: boolean, shown: string): Promise<void> {
  if (!exclusive) return rename(from, to);
  try {
    await link(from, to);
  } catch (error) {
    if (code(error) === "EEXIST") throw new HostFileError(`${shown} already exists; not overwriting it.`, "EEXIST");
    // A filesystem without hard links: check, then rename (a small race, on such filesystems only).
    if (code(error) !== "EPERM" && code(error) !== "ENOTSUP" && code(error) !== "EOPNOTSUPP") throw error;
    const exists = await lstat(to).then(
      () => true,
      () => false,
    );
    if (exists) throw new HostFileError(`${shown} already exists; not overwriting it.`, "EEXIST");
    await rename(from, to);
  }
}

/** Without /proc: no component may be a symlink before the temporary file is made, nor after the rename. */
async function assertNoSymlink(dir: string): Promise<void> {
  let walked = "";
  for (const part of dir.split("/").filter(Boolean)) {
    walked += `/${part}`;
    const s = await lstat(walked).catch((error) => {
      if (code(error) === "ENOENT") throw new HostFileError(`Directory ${walked} does not exist.`, "ENOENT");
      throw error;
    });
    if (s.isSymbolicLink()) throw symlinkRefusal(dir, `${walked} is a symbolic link`);
  }
  if ((await realpath(dir)) !== dir) throw symlinkRefusal(dir, "it resolves elsewhere");
}

async function writeWithPathChecks(
  dir: string,
  name: string,
  content: string | Uint8Array,
  mode: number,
  exclusive: boolean,
): Promise<void> {
  await assertNoSymlink(dir);
  const tmp = `${dir}/.ascend-train.${randomBytes(6).toString("hex")}.tmp`;
  const fh = await open(tmp, NEW_FILE_FLAGS, 0o600);
  try {
    try {
      await fh.writeFile(content);
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
    await assertNoSymlink(dir);
    await place(tmp, `${dir}/${name}`, exclusive, `${dir}/${name}`);
    await assertNoSymlink(dir);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
