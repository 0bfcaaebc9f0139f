// How a long-running command (ui, serve) ends: on Ctrl-C, SIGTERM or SIGHUP it closes its server and exits 0, and it
// also ends when the process that started it is gone. `npx ascend-train ui` runs the CLI under `sh -c`: a SIGTERM
// sent to npx reaches that shell, which dies without passing it on, and the server would be left running, orphaned.
// To keep a server running on its own, start it already detached, e.g. `(npx ascend-train ui > ui.log 2>&1 &)`.
/** How often the parent process is checked. */
const PARENT_POLL_MS = 1000;

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
  // Node starts every signal at its default action, nohup's ignored hang-up included: a hang-up always ends it.
  process.once("SIGHUP", () => stop("hang-up received"));
  const parent = process.ppid;
  // Already orphaned at the start (started detached on purpose): nothing to watch.
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop(`the process that started it (pid ${parent}) is gone`);
  }, PARENT_POLL_MS);
  timer.unref();
}
