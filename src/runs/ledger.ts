// The run ledger lives on the hosts themselves (<workdir>/.ascend-train/runs/<id>.json), so any server on any
// machine that can reach a host finds its runs again. Records are written atomically through HostExecutor.writeFile.
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { ToolError } from "../errors.js";
import { isSecretName } from "../hosts/bounded.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureWritable } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import type { HostRegistry } from "../hosts/registry.js";
import { callHint } from "../text/hint.js";
import { RUN_ID, type RunRecord, RunRecordSchema } from "./types.js";

export const LEDGER_SUBDIR = ".ascend-train/runs";

/** Where a host keeps its run records: under the workdir, else under the login user's home. */
export async function ledgerDir(executor: HostExecutor, settings: HostSettings): Promise<string> {
  if (settings.workdir && !settings.workdir.startsWith("~")) return posix.join(settings.workdir, LEDGER_SUBDIR);
  const r = await executor.run(["sh", "-c", 'printf %s "$HOME"'], { timeoutMs: 15_000 });
  const home = r.stdout.trim();
  if (r.exitCode !== 0 || !home.startsWith("/")) {
    throw new Error(`Cannot find the home directory on ${executor.name}: ${r.stderr.trim() || "empty $HOME"}`);
  }
  const base = settings.workdir ? posix.join(home, settings.workdir.slice(2)) : home;
  return posix.join(base, LEDGER_SUBDIR);
}

export async function ensureDir(executor: HostExecutor, dir: string): Promise<void> {
  // A write like any other: refused outside the host's allowed directories.
  await ensureWritable(executor, dir, "run ledger directory");
  const r = await executor.run(["mkdir", "-p", dir], { timeoutMs: 15_000 });
  if (r.exitCode !== 0) throw new Error(`Cannot create ${dir} on ${executor.name}: ${r.stderr.trim()}`);
}

const pad = (n: number) => String(n).padStart(2, "0");

export function newRunId(now: Date): string {
  const d = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const t = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `run-${d}-${t}-${randomBytes(2).toString("hex")}`;
}

export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

export function redactEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isSecretName(k) ? "***" : v]));
}

export async function writeRecord(executor: HostExecutor, file: string, record: RunRecord): Promise<void> {
  const text = `${JSON.stringify(RunRecordSchema.parse(record), null, 2)}\n`;
  await executor.writeFile(file, text, { exclusive: false, mode: 0o644 });
}

export interface LedgerEntry {
  host: string;
  file: string;
  record: RunRecord;
}

export interface LedgerRead {
  entries: LedgerEntry[];
  /** Files that could not be parsed, with why. */
  broken: { host: string; file: string; error: string }[];
}

const MARK = "\u0001ascend-train-ledger ";

/** Every record on one host, in one round trip. */
export async function readLedger(executor: HostExecutor, host: string, dir: string): Promise<LedgerRead> {
  // Only regular files named like a run id, never a symlink: a record planted as a link cannot point elsewhere.
  const script = `for f in ${shellQuote(dir)}/run-*.json; do [ -f "$f" ] && [ ! -L "$f" ] || continue; case \${f##*/} in run-[0-9]*-[0-9]*-*.json) ;; *) continue;; esac; printf '\\n${MARK}%s\\n' "$f"; cat -- "$f"; done`;
  const r = await executor.runScript(script, { timeoutMs: 30_000 });
  const out: LedgerRead = { entries: [], broken: [] };
  if (r.exitCode !== 0) throw new Error(`Cannot read the run ledger in ${dir} on ${host}: ${r.stderr.trim()}`);
  for (const chunk of r.stdout.split(`\n${MARK}`).slice(1)) {
    const nl = chunk.indexOf("\n");
    const file = chunk.slice(0, nl);
    try {
      const record = RunRecordSchema.parse(JSON.parse(chunk.slice(nl + 1)));
      if (`${record.id}.json` !== posix.basename(file) || !isRunId(record.id)) {
        throw new Error(`the record's id ${JSON.stringify(record.id.slice(0, 80))} does not match its file name`);
      }
      out.entries.push({ host, file, record });
    } catch (error) {
      // JSON.parse quotes the text it failed on: report only that it is not JSON.
      const message = error instanceof SyntaxError ? "not JSON" : (error as Error).message.split("\n")[0]!;
      out.broken.push({ host, file, error: message.slice(0, 300) });
    }
  }
  return out;
}

/** Records are small: a larger file is not one. */
const MAX_RECORD_BYTES = 1024 * 1024;

export async function readRecord(executor: HostExecutor, file: string): Promise<RunRecord> {
  const chunk = await executor.readFile(file, { maxBytes: MAX_RECORD_BYTES });
  let raw: unknown;
  try {
    raw = JSON.parse(chunk.content);
  } catch {
    // JSON.parse quotes the text it failed on: say only that it is not a record.
    throw new Error(`${file} is not a run record (not JSON).`);
  }
  const record = RunRecordSchema.parse(raw);
  if (`${record.id}.json` !== posix.basename(file)) {
    throw new Error(`${file} holds a record for another run id; it is not used.`);
  }
  return record;
}

/**
 * The record file of `runId` in a ledger directory: a regular file (not a symlink) whose resolved path lies directly
 * in the resolved ledger directory. Null when there is none; an error when something else sits there.
 */
export async function ledgerFileOf(executor: HostExecutor, dir: string, runId: string): Promise<string | null> {
  if (!isRunId(runId)) throw new Error(`"${runId.slice(0, 80)}" is not a run id (run-YYYYMMDD-HHMMSS-xxxx).`);
  const file = posix.join(dir, `${runId}.json`);
  const script = [
    'd=$1; f=$2; [ -e "$f" ] || [ -L "$f" ] || { echo none; exit 0; }',
    '[ -L "$f" ] && { echo link; exit 0; }',
    '[ -f "$f" ] || { echo special; exit 0; }',
    'rd=$(realpath -e -- "$d") && rf=$(realpath -e -- "$f") || { echo unresolved; exit 0; }',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
    '[ "${rf%/*}" = "$rd" ] && echo ok || echo outside',
  ].join("\n");
  const r = await executor.run(["sh", "-c", script, "sh", dir, file], { timeoutMs: 15_000, maxOutputBytes: 4096 });
  const verdict = r.stdout.trim();
  if (verdict === "none") return null;
  if (verdict === "ok") return file;
  const why: Record<string, string> = {
    link: "is a symlink",
    special: "is not a regular file",
    unresolved: "cannot be resolved",
    outside: "resolves outside the ledger directory",
  };
  throw new Error(
    `${file} ${why[verdict] ?? `cannot be checked (${r.stderr.trim() || `exit ${r.exitCode}`})`}: it is not used as a run record.`,
  );
}

export interface FoundRun {
  /** The host whose ledger answered (a node of the run). */
  host: string;
  file: string;
  record: RunRecord;
}

/**
 * The one refusal for a run id no ledger holds, whichever tool was asked: where it was looked for (one host, or every
 * host in the inventory, and any that could not be reached) and how to find the right id.
 */
export function noSuchRun(runId: string, host?: string, unreachable: readonly { host: string }[] = []): string {
  const where = host ? `on ${host}` : "on any host in the inventory";
  const missed = unreachable.length ? ` (not reachable: ${unreachable.map((u) => u.host).join(", ")})` : "";
  return `No run "${runId}" ${where}${missed}: ${callHint("list_runs")} shows the runs and their hosts.`;
}

/** The same refusal from a tool that also reads a log by path, naming that way in. */
export function noSuchRunOrLog(runId: string): string {
  return `${noSuchRun(runId)} A log outside the ledgers: pass logFile (and host).`;
}

/** Looks a run up on the given hosts (default: every host in the inventory). The first ledger that has it wins. */
export async function findRun(
  hosts: HostRegistry,
  runId: string,
  only?: readonly string[],
): Promise<{ found: FoundRun | null; unreachable: { host: string; error: string }[] }> {
  // Checked here too, whatever the caller's schema said: the id becomes a file name.
  if (!isRunId(runId)) return { found: null, unreachable: [] };
  const names = only ?? hosts.names();
  const unreachable: { host: string; error: string }[] = [];
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        const { executor, settings } = await hosts.get(name);
        const dir = await ledgerDir(executor, settings);
        const file = await ledgerFileOf(executor, dir, runId);
        if (file === null) return null;
        return { host: name, file, record: await readRecord(executor, file) };
      } catch (error) {
        unreachable.push({ host: name, error: (error as Error).message });
        return null;
      }
    }),
  );
  return { found: results.find((r) => r !== null) ?? null, unreachable };
}

/**
 * A run looked up on the host a call named. Not there, the other hosts' ledgers are read too: a run on another host
 * is not acted on (the call named a host), but its hosts are returned for the refusal to name (runOnOtherHosts).
 */
async function findRunOnHost(
  hosts: HostRegistry,
  runId: string,
  host: string,
): Promise<{ found: FoundRun | null; unreachable: { host: string; error: string }[]; heldBy: string[] }> {
  const here = await findRun(hosts, runId, [host]);
  if (here.found || here.unreachable.length > 0) return { ...here, heldBy: [] };
  const others = hosts.names().filter((name) => name !== host);
  const { found } = others.length ? await findRun(hosts, runId, others) : { found: null };
  return { found: null, unreachable: [], heldBy: found ? found.record.hosts : [] };
}

/** A run in any ledger of the inventory, or the refusal that says where it was looked for. */
export async function requireRunAnywhere(hosts: HostRegistry, runId: string): Promise<FoundRun> {
  const { found, unreachable } = await findRun(hosts, runId);
  if (!found) throw new ToolError(noSuchRun(runId, undefined, unreachable));
  return found;
}

/**
 * A run a tool acts on, or the refusal every tool gives: named with a host, the run must be in that host's ledger (a run
 * another host holds is not acted on; the refusal names its host and the call again); without one, any ledger answers.
 */
export async function requireRun(
  hosts: HostRegistry,
  runId: string,
  host: string | undefined,
  retry: { tool: string; args?: Record<string, unknown> },
): Promise<FoundRun> {
  if (host === undefined) return requireRunAnywhere(hosts, runId);
  const { found, unreachable, heldBy } = await findRunOnHost(hosts, runId, host);
  if (found) return found;
  if (heldBy.length > 0)
    throw new ToolError(runOnOtherHosts(runId, host, heldBy, { tool: retry.tool, args: retry.args ?? {} }));
  throw new ToolError(noSuchRun(runId, host, unreachable));
}

/** The refusal for a run named with a host that does not hold it while others do: where it is, and the call again. */
function runOnOtherHosts(
  runId: string,
  host: string,
  heldBy: readonly string[],
  retry: { tool: string; args: Record<string, unknown> },
): string {
  const where = heldBy.length > 1 ? `the ledgers of ${heldBy.join(", ")}` : `${heldBy[0]}'s ledger`;
  return (
    `No run "${runId}" on ${host}: it is in ${where}. ` +
    `Call it with the run's host: ${callHint(retry.tool, { runId, host: heldBy[0], ...retry.args })}.`
  );
}
