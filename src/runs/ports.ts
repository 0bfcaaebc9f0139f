// MASTER_PORT reservations in the ledger. Pre-flight sees whether anything listens on the port, but two launches
// checked at the same moment both see it free; the start therefore takes the port under a lock first: `mkdir` of
// <ledger>/ports/<port> is atomic on every host and filesystem, and the directory names the run that holds it. A
// reservation whose run is gone (finished, failed, stopped, never started) is stale and taken over.
import { posix } from "node:path";
import type { HostExecutor } from "../hosts/executor.js";
import { readRecord } from "./ledger.js";
import { nodeLiveness } from "./liveness.js";
import { RUN_ID } from "./types.js";

/** HCCL's first host port when HCCL_IF_BASE_PORT is not set. */
export const DEFAULT_HCCL_BASE_PORT = 60000;
/** Host ports HCCL may take from its base, one per device (16; CANN 8.2 and later document 32). */
export const HCCL_HOST_PORTS = 32;

/** A reservation younger than this whose run has no record yet is a start in progress, not a stale one. */
const STARTING_GRACE_S = 120;

export class PortReservedError extends Error {
  override name = "PortReservedError";
  constructor(
    readonly port: number,
    readonly holder: string,
    host: string,
  ) {
    super(
      `MASTER_PORT ${port} on ${host} is reserved by run ${holder}, which is still running or starting. ` +
        "Choose another master port, or stop that run first.",
    );
  }
}

const TAKE = [
  'd=$1/ports; l=$d/$2; mkdir -p "$d" || exit 3',
  'if mkdir "$l" 2>/dev/null; then printf "%s\\n" "$3" > "$l/run"; echo taken; exit 0; fi',
  'now=$(date +%s); at=$(stat -c %Y "$l" 2>/dev/null || echo "$now")',
  'printf "held %s " "$((now - at))"; head -c 64 "$l/run" 2>/dev/null | head -n 1',
].join("\n");

// Removes the reservation only when it still names the run that is giving it up.
const DROP = 'l=$1/ports/$2; [ "$(head -n 1 "$l/run" 2>/dev/null)" = "$3" ] && rm -rf -- "$l"; exit 0';

async function take(executor: HostExecutor, dir: string, port: number, runId: string) {
  const r = await executor.run(["sh", "-c", TAKE, "sh", dir, String(port), runId], {
    timeoutMs: 15_000,
    maxOutputBytes: 4096,
  });
  if (r.exitCode !== 0) throw new Error(`Cannot reserve MASTER_PORT ${port} on ${executor.name}: ${r.stderr.trim()}`);
  const out = r.stdout.trim();
  if (out === "taken") return { taken: true as const };
  const m = /^held (\d+) ?(\S*)$/.exec(out);
  return { taken: false as const, ageS: Number(m?.[1] ?? 0), holder: m?.[2] ?? "" };
}

/** Whether the run holding a reservation still runs (or is still being started). */
async function holderActive(executor: HostExecutor, dir: string, holder: string, ageS: number): Promise<boolean> {
  if (!RUN_ID.test(holder)) return ageS < STARTING_GRACE_S;
  let record: Awaited<ReturnType<typeof readRecord>>;
  try {
    record = await readRecord(executor, posix.join(dir, `${holder}.json`));
  } catch {
    return ageS < STARTING_GRACE_S;
  }
  if (record.state === "stopped") return false;
  const node = record.nodes[0];
  if (!node) return false;
  const [l] = await nodeLiveness(executor, [
    { pid: node.pid, startTicks: node.startTicks, exitFile: node.exitFile, wrapper: node.wrapper },
  ]);
  return Boolean(l && (l.alive || l.groupMembers > 0));
}

/**
 * Takes MASTER_PORT for `runId` in the ledger directory `dir` of the master node. Throws PortReservedError when a
 * live run holds it; takes a stale reservation over.
 */
export async function reservePort(executor: HostExecutor, dir: string, port: number, runId: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const got = await take(executor, dir, port, runId);
    if (got.taken) return;
    if (got.holder === runId) return;
    if (await holderActive(executor, dir, got.holder, got.ageS)) {
      throw new PortReservedError(port, got.holder || "(unknown)", executor.name);
    }
    await releasePort(executor, dir, port, got.holder);
  }
  throw new Error(`Cannot reserve MASTER_PORT ${port} on ${executor.name}: another start took it meanwhile.`);
}

/** Gives a reservation up (a start that failed); only the run named in it can. */
export async function releasePort(executor: HostExecutor, dir: string, port: number, runId: string): Promise<void> {
  await executor.run(["sh", "-c", DROP, "sh", dir, String(port), runId], { timeoutMs: 15_000, maxOutputBytes: 4096 });
}
