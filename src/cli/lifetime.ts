// How a long-running command (ui, serve) ends: on Ctrl-C, SIGTERM or SIGHUP it closes its server and exits 0, and it
// also ends when the process that started it is gone. `npx ascend-train ui` runs the CLI under `sh -c`: a SIGTERM
// sent to npx reaches that shell, which dies without passing it on, and the server would be left running, orphaned.
import { readFileSync } from "node:fs";

/** How often the parent process is checked. */
const PARENT_POLL_MS = 1000;

/**
 * Whether this process was started with SIGHUP ignored (`nohup`): then it is meant to outlive its terminal and its
 * parent, and neither a hang-up nor the parent's exit stops it. Read from /proc on Linux; false elsewhere.
 */
export function hangupIgnored(status?: string): boolean {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/status", "utf8");
    } catch {
      return false;
    }
  }
  const mask = /^SigIgn:\s*([0-9a-f]+)$/im.exec(text)?.[1];
  // SIGHUP is signal 1: the lowest bit of the mask.
  return mask !== undefined && (Number.parseInt(mask.slice(-1), 16) & 1) === 1;
}

/** Runs `close` once, then exits 0, when the command is asked to stop or its parent goes away. */
export function stopOnSignalsAndOrphaning(close: () => Promise<void>, log: (line: string) => void): void {
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping the server.`);
    close()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("interrupted"));
  process.once("SIGTERM", () => stop("SIGTERM received"));
  if (hangupIgnored()) return;
  process.once("SIGHUP", () => stop("hang-up received"));
  const parent = process.ppid;
  // Already orphaned at the start (started detached on purpose): nothing to watch.
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop(`the process that started it (pid ${parent}) is gone`);
  }, PARENT_POLL_MS);
  timer.unref();
}
