// Plugs the ledger into the log tools: tail_logs (and anything else using src/logs' resolver) accepts a run id.
import { setRunLookup } from "../diagnosis/runs.js";
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
  // diagnose_error and apply_fix: every node's log (the primary error may be on any rank) and the run's layout.
  setRunLookup(async (runId, { hosts }) => {
    const { found } = await findRun(hosts, runId);
    if (!found) return null;
    const master = found.record.nodes.find((n) => n.nodeRank === 0) ?? found.record.nodes[0]!;
    const modelJson = Object.keys(found.record.configHashes).find((p) => /model[^/]*\.json$/.test(p));
    return {
      host: master.host,
      logFiles: found.record.nodes.filter((n) => n.host === master.host).map((n) => n.logFile),
      config: {
        scriptPath: found.record.script,
        modelJsonPath: modelJson,
        tp: found.record.parallel.tp,
        pp: found.record.parallel.pp,
        masterPort: found.record.masterPort,
      },
    };
  });
}
