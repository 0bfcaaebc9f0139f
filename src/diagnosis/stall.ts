// A run that has not failed but stopped making progress: its process is alive (or not known to be gone) and its log
// has been silent for longer than its own step time allows. diagnose_error reports it as `stalled` with how long, since
// which line, the last lines of each rank's log and the usual causes, instead of `unknown`. The stall test is tail_logs'
// (src/logs/inspect.ts): one read of each log's tail and its mtime.
import type { HostExecutor } from "../hosts/executor.js";
import { inspectLog } from "../logs/inspect.js";
import type { Finding } from "./types.js";

export interface StallSource {
  executor: HostExecutor;
  /** Each rank's (or node's) log on that host. */
  paths: string[];
  /** Whether the launcher still runs, when known. */
  processAlive?: boolean;
  now: () => Date;
  signal?: AbortSignal;
}

const LAST_LINES = 3;

/** The `stalled` finding for logs that tail_logs would call stalled; null when none is (or none can be read). */
export async function stallFinding(src: StallSource): Promise<Finding | null> {
  if (src.processAlive === false) return null;
  const stalled: { path: string; reason: string; silence: number; mtime: number | null; lines: string[] }[] = [];
  for (const path of src.paths.slice(0, 64)) {
    try {
      const r = await inspectLog({
        host: src.executor,
        path,
        lines: LAST_LINES,
        now: src.now,
        signal: src.signal,
        ...(src.processAlive !== undefined ? { processAlive: src.processAlive } : {}),
      });
      if (r.verdict.state === "stalled")
        stalled.push({
          path,
          reason: r.verdict.reason,
          silence: r.silenceSeconds ?? 0,
          mtime: r.mtime,
          lines: r.lines.filter((l) => l.trim() !== ""),
        });
    } catch {
      // A log that cannot be read says nothing about a stall; the verdict from the text stands.
    }
  }
  const first = stalled[0];
  if (!first) return null;
  const minutes = Math.round(Math.min(...stalled.map((s) => s.silence)) / 60);
  const since = first.mtime !== null ? new Date(first.mtime * 1000).toISOString().replace(/\.\d+Z$/, "Z") : null;
  const evidence = stalled.flatMap((s) =>
    // The tail has no line numbers: 0 stands for "among the last lines".
    s.lines.map((text) => ({ line: 0, text, file: s.path, source: "last lines" })),
  );
  return {
    category: "stalled",
    rule: "stalled",
    title: `No progress for ${minutes} minute${minutes === 1 ? "" : "s"}${since ? ` since ${since}` : ""}`,
    confidence: 0.7,
    role: "primary",
    occurrences: stalled.length,
    evidence: evidence.slice(0, 8 * LAST_LINES),
    cause:
      `The run has not failed but stopped making progress: ${first.reason}` +
      `${stalled.length > 1 ? ` (${stalled.length} of ${src.paths.length} logs)` : ""}. The last lines of each log are the ` +
      "evidence. Usual causes: a collective (HCCL) waiting for a rank that hangs or died without exiting, the data " +
      "loader blocked (a worker stuck on a file, a full /dev/shm), or a read from a network file system (NFS) that does not return.",
    fixes: [
      {
        id: "stack-dump",
        summary:
          "See where each rank waits: dump the Python stacks of the training processes (py-spy), and check the NPUs.",
        commands: ["pgrep -f pretrain_ | xargs -r -n1 py-spy dump --pid", "npu-smi info"],
      },
      {
        id: "hccl-wait",
        summary:
          "A rank waiting in a collective: compare the last lines of every rank; the one that stopped first (or is gone) " +
          "is the cause. Lower HCCL_EXEC_TIMEOUT to have the wait end in an error that names it.",
        env: { HCCL_EXEC_TIMEOUT: "600", HCCL_CONNECT_TIMEOUT: "600" },
      },
      {
        id: "data-loader",
        summary:
          "A blocked data loader or a network file system: check /dev/shm and the mounts the data and cache live on; " +
          "keep the dataset and the HF cache on local disk.",
        commands: ["df -h /dev/shm", "mount | grep -E ' type (nfs|cifs|fuse)'"],
      },
    ],
    references: [],
    facts: {
      stalled_minutes: String(minutes),
      ...(since ? { since } : {}),
      stalled_logs: String(stalled.length),
    },
  };
}
