// The run ledger lives on the hosts themselves (<workdir>/.ascend-train/runs/<id>.json), so any server on any
// machine that can reach a host finds its runs again. Records are written atomically through HostExecutor.writeFile.
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { isSecretName } from "../hosts/bounded.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import type { HostRegistry } from "../hosts/registry.js";
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
  const script = `for f in ${shellQuote(dir)}/run-*.json; do [ -f "$f" ] || continue; printf '\\n${MARK}%s\\n' "$f"; cat -- "$f"; done`;
  const r = await executor.runScript(script, { timeoutMs: 30_000 });
  const out: LedgerRead = { entries: [], broken: [] };
  if (r.exitCode !== 0) throw new Error(`Cannot read the run ledger in ${dir} on ${host}: ${r.stderr.trim()}`);
  for (const chunk of r.stdout.split(`\n${MARK}`).slice(1)) {
    const nl = chunk.indexOf("\n");
    const file = chunk.slice(0, nl);
    try {
      const record = RunRecordSchema.parse(JSON.parse(chunk.slice(nl + 1)));
      out.entries.push({ host, file, record });
    } catch (error) {
      out.broken.push({ host, file, error: (error as Error).message.split("\n")[0]! });
    }
  }
  return out;
}

export async function readRecord(executor: HostExecutor, file: string): Promise<RunRecord> {
  const chunk = await executor.readFile(file);
  return RunRecordSchema.parse(JSON.parse(chunk.content));
}

export interface FoundRun {
  /** The host whose ledger answered (a node of the run). */
  host: string;
  file: string;
  record: RunRecord;
}

/** Looks a run up on the given hosts (default: every host in the inventory). The first ledger that has it wins. */
export async function findRun(
  hosts: HostRegistry,
  runId: string,
  only?: readonly string[],
): Promise<{ found: FoundRun | null; unreachable: { host: string; error: string }[] }> {
  const names = only ?? hosts.names();
  const unreachable: { host: string; error: string }[] = [];
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        const { executor, settings } = await hosts.get(name);
        const dir = await ledgerDir(executor, settings);
        const file = posix.join(dir, `${runId}.json`);
        const probe = await executor.run(["test", "-f", file], { timeoutMs: 15_000 });
        if (probe.exitCode !== 0) return null;
        return { host: name, file, record: await readRecord(executor, file) };
      } catch (error) {
        unreachable.push({ host: name, error: (error as Error).message });
        return null;
      }
    }),
  );
  return { found: results.find((r) => r !== null) ?? null, unreachable };
}
