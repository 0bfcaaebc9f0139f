// Is a run's process still there? One script per host checks every pid asked about: the wrapper itself (guarded
// against pid reuse by its start time and its command line), the live members of its process group, and the exit
// file it leaves. Stopping checks the same identity first: a pid that is not the recorded wrapper is never signalled.
import type { HostExecutor } from "../hosts/executor.js";
import { shellQuote } from "../hosts/quote.js";

export interface LivenessQuery {
  pid: number;
  startTicks: number | null;
  exitFile: string;
  /** The wrapper script the run was started with: the live process must have it on its command line. */
  wrapper?: string;
}

/** The identity a run's process was recorded with at launch. */
export interface RunProcessIdentity {
  /** The wrapper script path (`bash <wrapper>` is the group leader's command line). */
  wrapper: string;
  /** ASCEND_TRAIN_RUN_ID, exported to everything the wrapper starts. */
  runId: string;
}

/** Process groups 0 and 1 (and negative pids) stand for "everyone": never a run's. */
export const isSignallablePid = (pid: number) => Number.isInteger(pid) && pid > 1;

/**
 * Shell that sets ok=1 when process $g is the recorded one: start time $want (when recorded) and $wrapper among its
 * arguments (when given). A leader that is gone (or a zombie) leaves ok empty and sets gone=1.
 */
const IDENTITY_SHELL = [
  'ok=; gone=; ticks=-; st=; [ -r "/proc/$g/stat" ] && st=$(sed "s/.*) //" "/proc/$g/stat" 2>/dev/null)',
  'state=$(echo "$st" | cut -d" " -f1)',
  'if [ -z "$st" ] || [ "$state" = Z ]; then gone=1; else',
  '  ticks=$(echo "$st" | cut -d" " -f20); [ -n "$ticks" ] || ticks=-; ok=1',
  '  if [ -n "$want" ] && [ "$ticks" != "$want" ]; then ok=; fi',
  '  if [ -n "$ok" ] && [ -n "$wrapper" ] && ! tr "\\0" "\\n" < "/proc/$g/cmdline" 2>/dev/null | grep -qxF -- "$wrapper"; then ok=; fi',
  "fi",
].join("\n");

export interface Liveness {
  pid: number;
  /** The wrapper runs (same start time as recorded). */
  alive: boolean;
  /** Live (non-zombie) processes in its process group: the launcher, torchrun and the workers. */
  groupMembers: number;
  startTicks: number | null;
  /** What the wrapper wrote when the launch script returned: an exit status, "signal", or null (not yet). */
  exit: string | null;
}

export function livenessScript(queries: readonly LivenessQuery[]): string {
  const lines = ["groups=$(ps -eo pgid=,stat= 2>/dev/null)"];
  for (const q of queries) {
    const pid = Math.trunc(q.pid);
    lines.push(
      `g=${pid}; p=$g; want=${q.startTicks === null ? "''" : Math.trunc(q.startTicks)}; wrapper=${shellQuote(q.wrapper ?? "")}`,
      IDENTITY_SHELL,
      'alive=0; [ -n "$ok" ] && alive=1',
      'n=$(printf "%s\\n" "$groups" | awk -v g="$p" \'$1==g && $2 !~ /^Z/ {n++} END {print n+0}\')',
      // A live leader that is not the recorded process: its group is someone else's.
      '[ -z "$ok" ] && [ -z "$gone" ] && n=0',
      pid > 1 ? "" : "alive=0; n=0",
      `ex=$(head -c 32 ${shellQuote(q.exitFile)} 2>/dev/null | tr -d '[:space:]')`,
      '[ -n "$ex" ] || ex=-',
      'echo "live $p $alive $n $ticks $ex"',
    );
  }
  return lines.filter((l) => l !== "").join("\n");
}

export function parseLiveness(text: string): Liveness[] {
  const out: Liveness[] = [];
  for (const line of text.split("\n")) {
    const m = /^live (\d+) ([01]) (\d+) (\S+) (\S+)$/.exec(line.trim());
    if (!m) continue;
    out.push({
      pid: Number(m[1]),
      alive: m[2] === "1",
      groupMembers: Number(m[3]),
      startTicks: /^\d+$/.test(m[4]!) ? Number(m[4]) : null,
      exit: m[5] === "-" ? null : m[5]!,
    });
  }
  return out;
}

export async function nodeLiveness(executor: HostExecutor, queries: readonly LivenessQuery[]): Promise<Liveness[]> {
  if (queries.length === 0) return [];
  const r = await executor.runScript(livenessScript(queries), { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`Cannot check processes on ${executor.name}: ${r.stderr.trim()}`);
  return parseLiveness(r.stdout);
}

/**
 * Sends SIGTERM to a process group, waits up to graceSeconds, then SIGKILL. Refuses pids 0 and 1, and a pid that is
 * not the recorded process: another start time or command line, or (leader gone) a group with no member of the run.
 */
export function stopScript(
  pid: number,
  startTicks: number | null,
  graceSeconds: number,
  identity?: RunProcessIdentity,
): string {
  if (!isSignallablePid(pid)) return `echo "result refused"`;
  return [
    `g=${Math.trunc(pid)}; want=${startTicks === null ? "''" : Math.trunc(startTicks)}`,
    `wrapper=${shellQuote(identity?.wrapper ?? "")}; runid=${shellQuote(identity?.runId ?? "")}`,
    "members() { ps -eo pgid=,stat= 2>/dev/null | awk -v g=\"$g\" '$1==g && $2 !~ /^Z/ {n++} END {print n+0}'; }",
    IDENTITY_SHELL,
    'if [ -z "$ok" ] && [ -z "$gone" ]; then echo "result reused"; exit 0; fi',
    'if [ "$(members)" -eq 0 ]; then echo "result gone"; exit 0; fi',
    // Leader gone, members left: they are the run's only if one of them carries its run id.
    'if [ -n "$gone" ] && [ -n "$runid" ]; then mine=; for m in $(ps -eo pid=,pgid= 2>/dev/null | awk -v g="$g" \'$2==g {print $1}\'); do',
    '  if tr "\\0" "\\n" < "/proc/$m/environ" 2>/dev/null | grep -qxF -- "ASCEND_TRAIN_RUN_ID=$runid"; then mine=1; break; fi; done',
    '  [ -n "$mine" ] || { echo "result reused"; exit 0; }; fi',
    'kill -TERM -- "-$g" 2>/dev/null || kill -TERM "$g" 2>/dev/null',
    `i=0; while [ "$(members)" -gt 0 ] && [ $i -lt ${Math.round(graceSeconds * 10)} ]; do sleep 0.1; i=$((i+1)); done`,
    'if [ "$(members)" -gt 0 ]; then kill -KILL -- "-$g" 2>/dev/null; sleep 0.3; echo "result killed $(members)"; else echo "result terminated"; fi',
  ].join("\n");
}

export type StopOutcome = "terminated" | "killed" | "gone" | "reused" | "refused" | "failed";

export async function stopGroup(
  executor: HostExecutor,
  pid: number,
  startTicks: number | null,
  graceSeconds: number,
  identity?: RunProcessIdentity,
): Promise<{ outcome: StopOutcome; detail: string }> {
  if (!isSignallablePid(pid)) {
    return { outcome: "refused", detail: `pid ${pid} is not a run's process group; nothing was signalled` };
  }
  const r = await executor.runScript(stopScript(pid, startTicks, graceSeconds, identity), {
    timeoutMs: (graceSeconds + 20) * 1000,
  });
  const m = /result (\w+)(?: (\d+))?/.exec(r.stdout);
  if (!m) return { outcome: "failed", detail: r.stderr.trim() || `exit ${r.exitCode}` };
  if (m[1] === "reused") {
    return {
      outcome: "reused",
      detail: `pid ${pid} is not this run's process (start time or command line differ); nothing was signalled`,
    };
  }
  if (m[1] === "killed" && Number(m[2]) > 0) {
    return { outcome: "failed", detail: `${m[2]} process(es) survived SIGKILL (uninterruptible I/O?)` };
  }
  return { outcome: m[1] as StopOutcome, detail: "" };
}
