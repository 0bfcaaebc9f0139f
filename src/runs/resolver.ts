// Plugs the ledger into the log tools: tail_logs (and anything else using src/logs' resolver) accepts a run id.
import { setRunResolver } from "../logs/resolver.js";
import { findRun } from "./ledger.js";
import { livenessByRun } from "./status.js";

let installed = false;

/** Installs the ledger-backed run resolver once; later calls do nothing. */
export function installRunResolver(): void {
  if (installed) return;
  installed = true;
  setRunResolver(async (runId, { hosts }) => {
    const { found } = await findRun(hosts, runId);
    if (!found) return null;
    const master = found.record.nodes.find((n) => n.nodeRank === 0);
    if (!master) return null;
    if (found.record.state === "stopped") {
      return { host: master.host, logFile: master.logFile, pid: master.pid, processAlive: false };
    }
    const live = (await livenessByRun(hosts, [found.record])).get(runId)?.find((n) => n.nodeRank === 0);
    const alive = live && live.alive !== null ? live.alive || (live.groupMembers ?? 0) > 0 : undefined;
    return { host: master.host, logFile: master.logFile, pid: master.pid, processAlive: alive };
  });
}
