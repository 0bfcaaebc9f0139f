// Opening a file on this machine for reading, safely: only regular files (a FIFO, device or socket is refused before
// anything could block on it), and, when the caller names readable roots, only inside them once resolved.
import { constants } from "node:fs";
import { type FileHandle, open, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { HostFileError } from "./executor.js";
import { expandHome } from "./inventory.js";
import { readRefusal, readRefusalError } from "./paths.js";

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The real path of `file`, or its lexical absolute form where it does not exist (yet). */
async function resolveLoose(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return resolve(file);
    throw error;
  }
}

/**
 * Opens `path` (display form) for reading: checks `within` on the resolved path, refuses non-regular files with a
 * stat first, opens non-blocking (a FIFO swapped in after the stat cannot block) and checks again on the open handle.
 */
export async function openRegularForRead(
  path: string,
  hostName: string,
  within?: readonly string[],
): Promise<FileHandle> {
  let file = expandHome(path);
  if (within) {
    const resolved = await resolveLoose(file);
    const roots = await Promise.all(within.map((r) => resolveLoose(expandHome(r))));
    const why = readRefusal(resolved, roots);
    if (why) throw readRefusalError(why, path, resolved, roots, hostName);
    file = resolved;
  }
  const before = await stat(file);
  if (!before.isFile()) throw notRegular(path);
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const after = await handle.stat();
    if (!after.isFile()) throw notRegular(path);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

export function notRegular(path: string, where = ""): HostFileError {
  return new HostFileError(
    `${path}${where} is not a regular file (a FIFO, device, socket or directory): only regular files are read.`,
    "EIO",
  );
}
