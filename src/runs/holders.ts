// Which NPU holders and which master port on a host belong to runs in that host's own ledger: check_env and the launch
// pre-flight name them by run id (and the run's progress) rather than as strangers to kill.
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import type { WorkDeps } from "../hosts/work.js";
import { ledgerDir, readLedger } from "./ledger.js";
import { newestFirst } from "./list.js";
import { DEFAULT_HCCL_BASE_PORT, HCCL_HOST_PORTS } from "./ports.js";
import { livenessByRun, runStatus } from "./status.js";
import type { RunRecord } from "./types.js";

/** A run in the host's own ledger that holds NPUs or the master port: named by its id, never as a stranger. */
export interface HoldingRun {
  runId: string;
  /** Its live state; "stopped" when stop_run stopped it and processes of its group outlived the stop. */
  state: string;
  iteration: number | null;
  totalIterations: number | null;
}

export interface RunHolders {
  /** NPU-holding pid → the run whose process group it is in. */
  byPid: Map<number, HoldingRun>;
  /** The run whose master (node rank 0) is on this host with this MASTER_PORT, while it runs. */
  masterPort: HoldingRun | null;
  /** HCCL host ports in use → the live run on this host whose HCCL range holds them (its ranks listen there). */
  hcclPorts: Map<number, HoldingRun>;
}

/** What check_env found taken on the host: the NPU holders, the master port if it listens, the HCCL ports in use. */
export interface TakenOnHost {
  npuPids: readonly number[];
  masterPort: number | null;
  hcclPorts: readonly number[];
}

/** Port owners are looked for among this many of the host's newest runs that could hold the port. */
const PORT_CANDIDATES = 64;

/** pid → process group of each pid that still exists, in one round trip. */
export async function processGroups(executor: HostExecutor, pids: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const asked = [...new Set(pids)].filter((p) => Number.isInteger(p) && p > 0);
  if (asked.length === 0) return out;
  const ps = await executor.run(["ps", "-o", "pid=,pgid=", "-p", asked.join(",")], {
    timeoutMs: 15_000,
    maxOutputBytes: 256 * 1024,
  });
  for (const line of ps.stdout.split("\n")) {
    const [pid, pgid] = line.trim().split(/\s+/).map(Number);
    if (pid && pgid) out.set(pid, pgid);
  }
  return out;
}

const portOf = (v: string | undefined) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : null;
};

/** The first HCCL host port of a run's ranks on a host: as launched, else its env, the host's, else HCCL's default. */
function hcclBaseOf(r: RunRecord, settings: HostSettings): number {
  return (
    r.hcclBasePort ??
    portOf(r.env.HCCL_IF_BASE_PORT) ??
    portOf(settings.env?.HCCL_IF_BASE_PORT) ??
    DEFAULT_HCCL_BASE_PORT
  );
}

/**
 * The runs of `host`'s ledger that hold the given NPU processes (same process group as a recorded wrapper, whose
 * identity is checked), listen on the master port (their master node is here, alive, with that port), or whose ranks
 * here listen on the HCCL ports (in the run's HCCL range, alive). Reads the ledger, the process groups, the runs'
 * liveness and their logs; a run whose processes are gone holds nothing, and a stopped run whose group still has live
 * members holds what they hold (state "stopped").
 */
export async function runHolders(
  deps: Pick<WorkDeps, "hosts" | "now">,
  host: string,
  taken: TakenOnHost,
): Promise<RunHolders> {
  const out: RunHolders = { byPid: new Map(), masterPort: null, hcclPorts: new Map() };
  const { executor, settings } = await deps.hosts.get(host);
  const ledger = await readLedger(executor, host, await ledgerDir(executor, settings));
  // Newest first: of several runs that could hold a port, the newest live one does. A stopped run is asked about too:
  // processes of its group that outlived the stop still hold what they held.
  const here = ledger.entries
    .map((e) => e.record)
    .filter((r) => r.nodes.some((n) => n.host === host))
    .sort(newestFirst);
  if (here.length === 0) return out;
  const groups = await processGroups(executor, taken.npuPids);
  const runOfGroup = new Map<number, RunRecord>();
  for (const r of here) for (const n of r.nodes) if (n.host === host) runOfGroup.set(n.pid, r);
  const pidRun = new Map<number, RunRecord>();
  for (const [pid, pgid] of groups) {
    const r = runOfGroup.get(pgid);
    if (r) pidRun.set(pid, r);
  }
  const { masterPort } = taken;
  const portRuns =
    masterPort === null
      ? []
      : here
          .filter((r) => r.masterPort === masterPort && r.nodes.some((n) => n.host === host && n.nodeRank === 0))
          .slice(0, PORT_CANDIDATES);
  const hcclRange = (r: RunRecord) => {
    const base = hcclBaseOf(r, settings);
    return (p: number) => p >= base && p < base + HCCL_HOST_PORTS;
  };
  const hcclRuns = taken.hcclPorts.length
    ? here.filter((r) => taken.hcclPorts.some(hcclRange(r))).slice(0, PORT_CANDIDATES)
    : [];
  const asked = [...new Set([...pidRun.values(), ...portRuns, ...hcclRuns])];
  if (asked.length === 0) return out;
  const holding = await liveRuns(deps, host, asked);
  for (const [pid, r] of pidRun) {
    const h = holding.get(r.id);
    if (h) out.byPid.set(pid, h);
  }
  const portRun = portRuns.find((r) => holding.has(r.id));
  out.masterPort = portRun ? holding.get(portRun.id)! : null;
  for (const port of taken.hcclPorts) {
    const r = hcclRuns.find((x) => holding.has(x.id) && hcclRange(x)(port));
    if (r) out.hcclPorts.set(port, holding.get(r.id)!);
  }
  return out;
}

/**
 * Which of `records` still run, by run id, as a holder is named: a live wrapper or live members of its group on `host`
 * (a reused pid or group is someone else's), or with `anyNode` on any of the run's nodes. Liveness is read for stopped
 * runs as well (as stop_run does): their surviving group members count.
 */
async function liveRuns(
  deps: Pick<WorkDeps, "hosts" | "now">,
  host: string,
  records: readonly RunRecord[],
  anyNode = false,
): Promise<Map<string, HoldingRun>> {
  const live = await livenessByRun(
    deps.hosts,
    records.map((r) => ({ ...r, state: "launched" as const })),
  );
  const holding = new Map<string, HoldingRun>();
  await Promise.all(
    records.map(async (r) => {
      const nodes = live.get(r.id);
      const alive = (n: { alive?: boolean | null; groupMembers?: number | null }) =>
        n.alive === true || (n.groupMembers ?? 0) > 0;
      if (!nodes?.some((n) => (anyNode || n.host === host) && alive(n))) return;
      const s = await runStatus(deps.hosts, r, nodes, deps.now);
      holding.set(r.id, {
        runId: r.id,
        state: s.state,
        iteration: s.iteration,
        totalIterations: s.totalIterations ?? r.trainIters,
      });
    }),
  );
  return holding;
}

/**
 * The live runs of `host`'s ledger that write their checkpoints to `saveDir` (its absolute path, as the ledger records
 * it), newest first: a second run there would overwrite their iterations and tracker. A finished or stopped run whose
 * processes are gone writes nothing.
 */
export async function runsSavingTo(
  deps: Pick<WorkDeps, "hosts" | "now">,
  host: string,
  saveDir: string,
): Promise<HoldingRun[]> {
  const { executor, settings } = await deps.hosts.get(host);
  const ledger = await readLedger(executor, host, await ledgerDir(executor, settings));
  const same = (a: string) => a.replace(/\/+$/, "") === saveDir.replace(/\/+$/, "");
  const asked = ledger.entries
    .map((e) => e.record)
    .filter((r) => r.saveDir !== null && same(r.saveDir) && r.nodes.some((n) => n.host === host))
    .sort(newestFirst)
    .slice(0, PORT_CANDIDATES);
  if (asked.length === 0) return [];
  const holding = await liveRuns(deps, host, asked, true);
  return asked.flatMap((r) => holding.get(r.id) ?? []);
}
