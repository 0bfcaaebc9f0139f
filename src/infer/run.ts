// Running upstream's inference / evaluation entries on a host: writing the generated files (guarded, never over an
// existing file unless asked), running the script bounded in time and output, and reading what it printed or wrote.

import { posix } from "node:path";
import { ToolError } from "../errors.js";
import { hostPrelude } from "../hosts/environment.js";
import type { ExecResult, HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { ensureWritablePath } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import { argsHint } from "../text/hint.js";

/** Files a previous call wrote are in the way: the caller decides (overwrite), so it is a ToolError as it stands. */
export class FileExistsRefusal extends ToolError {
  override name = "FileExistsRefusal";
}

/** Creates `dir` (inside the host's allowed roots) and writes each file into it; existing files only with overwrite. */
export async function writeFiles(
  executor: HostExecutor,
  settings: HostSettings,
  host: string,
  dir: string,
  files: { name: string; text: string }[],
  overwrite: boolean,
): Promise<string[]> {
  const real = await ensureWritablePath(executor, settings, host, dir, "outputDir");
  const mk = await executor.run(["mkdir", "-p", "--", real], { timeoutMs: 15_000 });
  if (mk.exitCode !== 0) throw new Error(`Cannot create ${real}: ${mk.stderr.trim()}`);
  const paths = files.map((f) => posix.join(real, f.name));
  // A file that already holds what would be written is this same call's, made before: kept and used again.
  const same = new Set<string>();
  if (!overwrite) {
    const r = await executor.run(
      ["sh", "-c", 'for f in "$@"; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done; exit 0', "sh", ...paths],
      {
        timeoutMs: 15_000,
      },
    );
    const existing = r.stdout.split("\n").filter(Boolean);
    for (const path of existing) {
      const want = files[paths.indexOf(path)]?.text;
      const have = await executor.readFile(path, { maxBytes: 1 << 20 }).catch(() => null);
      if (want !== undefined && have?.content === want) same.add(path);
    }
    const differ = existing.filter((p) => !same.has(p));
    if (differ.length)
      throw new FileExistsRefusal(
        `${differ.join(", ")} already exist${differ.length === 1 ? "s" : ""} with other contents; pass ${argsHint({ overwrite: true })} to replace.`,
      );
  }
  for (const [i, f] of files.entries()) {
    if (same.has(paths[i]!)) continue;
    await executor.writeFile(paths[i]!, f.text, {
      exclusive: !overwrite,
      mode: f.name.endsWith(".sh") ? 0o755 : 0o644,
    });
  }
  return paths;
}

/** Which of the paths do not exist as regular files (one round trip). */
export async function missingFiles(executor: HostExecutor, paths: string[]): Promise<string[]> {
  if (!paths.length) return [];
  const r = await executor.run(
    ["sh", "-c", 'for f in "$@"; do [ -f "$f" ] || echo "$f"; done; exit 0', "sh", ...paths],
    {
      timeoutMs: 15_000,
    },
  );
  return r.stdout.split("\n").filter(Boolean);
}

/** Runs the script with MM_MODEL / LOAD_PATH set, in the host's Python environment, bounded. */
export async function runEntry(
  executor: HostExecutor,
  settings: HostSettings,
  script: string,
  env: { MM_MODEL: string; LOAD_PATH: string },
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<ExecResult> {
  const prelude = hostPrelude(settings, { activatePython: true });
  // A free MASTER_PORT: a training run (or another evaluation) may hold upstream's default 6000.
  const port = `python3 -c ${shellQuote("import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}`;
  const line = [
    `MASTER_PORT=$(${port} 2>/dev/null) || MASTER_PORT=6000`,
    "export MASTER_PORT",
    `MM_MODEL=${shellQuote(env.MM_MODEL)} LOAD_PATH=${shellQuote(env.LOAD_PATH)} bash ${shellQuote(script)}`,
  ].join("\n");
  return executor.runScript(`${prelude}\n${line}`, {
    timeoutMs: opts.timeoutMs,
    maxOutputBytes: 1 << 20,
    signal: opts.signal,
  });
}

const NOISE = /^\s*$|ascend-train sim|^\s*(\[|W\d{4}|I\d{4}|WARNING|INFO|DEBUG|\d{4}-\d\d-\d\d)/;

/** The generated text: what inference_vlm.py printed after Megatron's "successfully loaded checkpoint" line. */
export function parseAnswer(stdout: string): string {
  const lines = stdout.split("\n");
  let start = -1;
  for (const [i, l] of lines.entries()) if (/successfully loaded checkpoint/.test(l)) start = i;
  const tail = lines.slice(start + 1).filter((l) => !NOISE.test(l));
  return (start >= 0 ? tail : tail.slice(-5)).join("\n").trim();
}

/** The headline score of an evaluate_vlm.py *_acc.csv: the "Overall" column of its first row (0–1 or 0–100). */
export function parseScoreCsv(text: string): { metric: string; score: number } | null {
  const rows = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(",").map((c) => c.trim().replace(/^"|"$/g, "")));
  if (rows.length < 2) return null;
  const header = rows[0]!;
  const row = rows[1]!;
  const col = ["Overall", "overall", "accuracy", "Accuracy", "acc"].map((k) => header.indexOf(k)).find((i) => i >= 0);
  const index = col ?? header.findIndex((_, i) => Number.isFinite(Number(row[i])) && row[i] !== "");
  if (index === undefined || index < 0) return null;
  const score = Number(row[index]);
  return Number.isFinite(score) ? { metric: header[index]!, score } : null;
}
