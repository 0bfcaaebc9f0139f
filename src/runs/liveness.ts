// Is a run's process still there? One script per host checks every pid asked about: the wrapper itself (guarded
// against pid reuse by its start time), the live members of its process group, and the exit file it leaves.
import type { HostExecutor } from "../hosts/executor.js";
import { shellQuote } from "../hosts/quote.js";

export interface LivenessQuery {
  pid: number;
  startTicks: number | null;
  exitFile: string;
}

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
    lines.push(
      `p=${q.pid}; want=${q.startTicks ?? "''"}; alive=0; ticks=-`,
      'if [ -r "/proc/$p/stat" ]; then st=$(sed "s/.*) //" "/proc/$p/stat" 2>/dev/null)',
      '  state=$(echo "$st" | cut -d" " -f1); ticks=$(echo "$st" | cut -d" " -f20); [ -n "$ticks" ] || ticks=-',
      '  if [ -n "$st" ] && [ "$state" != Z ] && { [ -z "$want" ] || [ "$ticks" = "$want" ]; }; then alive=1; fi; fi',
      'n=$(printf "%s\\n" "$groups" | awk -v g="$p" \'$1==g && $2 !~ /^Z/ {n++} END {print n+0}\')',
      `ex=$(head -c 32 ${shellQuote(q.exitFile)} 2>/dev/null | tr -d '[:space:]')`,
      '[ -n "$ex" ] || ex=-',
      'echo "live $p $alive $n $ticks $ex"',
    );
  }
  return lines.join("\n");
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

/** Sends SIGTERM to a process group, waits up to graceSeconds, then SIGKILL. Refuses a reused pid. */
export function stopScript(pid: number, startTicks: number | null, graceSeconds: number): string {
  return [
    `g=${pid}; want=${startTicks ?? "''"}`,
    "members() { ps -eo pgid=,stat= 2>/dev/null | awk -v g=\"$g\" '$1==g && $2 !~ /^Z/ {n++} END {print n+0}'; }",
    'if [ -n "$want" ] && [ -r "/proc/$g/stat" ]; then t=$(sed "s/.*) //" "/proc/$g/stat" | cut -d" " -f20); if [ -n "$t" ] && [ "$t" != "$want" ]; then echo "result reused"; exit 0; fi; fi',
    'if [ "$(members)" -eq 0 ]; then echo "result gone"; exit 0; fi',
    'kill -TERM -- "-$g" 2>/dev/null || kill -TERM "$g" 2>/dev/null',
    `i=0; while [ "$(members)" -gt 0 ] && [ $i -lt ${Math.round(graceSeconds * 10)} ]; do sleep 0.1; i=$((i+1)); done`,
    'if [ "$(members)" -gt 0 ]; then kill -KILL -- "-$g" 2>/dev/null; sleep 0.3; echo "result killed $(members)"; else echo "result terminated"; fi',
  ].join("\n");
}

export type StopOutcome = "terminated" | "killed" | "gone" | "reused" | "failed";

export async function stopGroup(
  executor: HostExecutor,
  pid: number,
  startTicks: number | null,
  graceSeconds: number,
): Promise<{ outcome: StopOutcome; detail: string }> {
  const r = await executor.runScript(stopScript(pid, startTicks, graceSeconds), {
    timeoutMs: (graceSeconds + 20) * 1000,
  });
  const m = /result (\w+)(?: (\d+))?/.exec(r.stdout);
  if (!m) return { outcome: "failed", detail: r.stderr.trim() || `exit ${r.exitCode}` };
  if (m[1] === "killed" && Number(m[2]) > 0) {
    return { outcome: "failed", detail: `${m[2]} process(es) survived SIGKILL (uninterruptible I/O?)` };
  }
  return { outcome: m[1] as StopOutcome, detail: "" };
}
