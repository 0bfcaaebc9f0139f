// Where a run's loss stopped being a number: the first non-finite loss its master log shows. stop_run says not to
// resume past it, and resume_run refuses a checkpoint saved after it.
import type { HostRegistry } from "../hosts/registry.js";
import { inspectLog } from "../logs/inspect.js";
import type { RunRecord } from "./types.js";

/** The first non-finite loss the run's log shows (the log parser's warning), or null. */
export async function divergenceOf(
  hosts: HostRegistry,
  record: RunRecord,
  now: () => Date,
): Promise<{ iteration: number | null; message: string } | null> {
  const master = record.nodes.find((n) => n.nodeRank === 0);
  if (!master) return null;
  try {
    const { executor } = await hosts.get(master.host);
    const look = await inspectLog({ host: executor, path: master.logFile, lines: 1, now, processAlive: false });
    const nan = look.analysis.warnings.find((w) => w.kind === "nonfinite_loss");
    return nan ? { iteration: nan.iteration, message: nan.message } : null;
  } catch {
    return null;
  }
}
