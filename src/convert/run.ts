// Running mm-convert on the host: the script around it, progress from its output, and checking what it wrote.
import { posix } from "node:path";
import type { ExecResult, HostExecutor } from "../hosts/executor.js";
import { shellJoin, shellQuote } from "../hosts/quote.js";
import { megatronLayout } from "./checks-source.js";
import type { ConvertPlan } from "./plan.js";
import type { DirFacts } from "./probe.js";

export interface ScriptParts {
  prelude: string;
  workdir?: string;
  argv: string[];
  output: string;
  /** Delete the output first (an earlier conversion the caller agreed to replace). */
  replaceOutput: boolean;
}

/** What a person would type: the directory and the command. */
export const displayCommand = (workdir: string | undefined, argv: string[]) =>
  workdir ? `cd ${shellQuote(workdir)} && ${shellJoin(argv)}` : shellJoin(argv);

export function conversionScript(p: ScriptParts): string {
  const lines = [p.prelude, "export PYTHONUNBUFFERED=1"];
  if (p.workdir) lines.push(`cd -- ${shellQuote(p.workdir)} || exit 97`);
  if (p.replaceOutput) {
    // Checked before: inside an allowed root, not overlapping the input, holding an earlier conversion.
    if (p.output.split("/").filter(Boolean).length < 2) throw new Error(`Refusing to delete ${p.output}.`);
    lines.push(`rm -rf -- ${shellQuote(p.output)} || exit 98`);
  }
  lines.push(`mkdir -p -- ${shellQuote(posix.dirname(p.output))} || exit 98`, `exec ${shellJoin(p.argv)}`);
  return lines.join("\n");
}

/**
 * Turns streamed stdout into progress messages, one per line, at most every `minIntervalMs` unless the line carries a
 * new "i/n" count (the converter's own shard counter). The caller numbers them, so progress only ever increases.
 */
export function progressFromOutput(report: (message: string) => void, minIntervalMs = 250, clock = Date.now) {
  let pending = "";
  let last = Number.NEGATIVE_INFINITY;
  let lastCount = "";
  return (chunk: string) => {
    pending += chunk;
    const parts = pending.split(/\r?\n|\r/);
    pending = parts.pop() ?? "";
    for (const raw of parts) {
      const line = raw.trim();
      if (!line) continue;
      const count = /\b(\d+)\s*\/\s*(\d+)\b/.exec(line)?.[0] ?? "";
      const now = clock();
      if ((count === "" || count === lastCount) && now - last < minIntervalMs) continue;
      last = now;
      lastCount = count;
      report(line.length > 200 ? `${line.slice(0, 197)}...` : line);
    }
  };
}

export async function runConversion(
  executor: HostExecutor,
  script: string,
  opts: { timeoutMs: number; signal?: AbortSignal; onStdout: (chunk: string) => void },
): Promise<ExecResult> {
  return executor.runScript(script, {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onStdout: opts.onStdout,
    maxOutputBytes: 2 * 1024 * 1024,
  });
}

/** Why a conversion did not end with exit 0, for the error message. */
export function failureReason(result: ExecResult, timeoutMinutes: number, cancelled = false): string {
  if (result.timedOut) return `stopped after ${timeoutMinutes} min`;
  if (result.exitCode !== null) return `exited ${result.exitCode}`;
  // No exit status: the SSH connection dropped (or the call was cancelled); the process may outlive it.
  return cancelled
    ? "was cancelled before it ended (it may still be running on the host)"
    : "lost its connection before it ended (no exit status came back; it may still be running on the host)";
}

/** Does the output look like what the method writes? Returns the problem, or null when it does. */
export function verifyOutput(plan: ConvertPlan, out: DirFacts): string | null {
  if (!out.exists || !out.isDir) return `${out.path} was not created.`;
  if (plan.direction === "to-hf" || plan.direction === "experts") {
    const ok = out.entries.includes("config.json") && out.entries.some((e) => e.endsWith(".safetensors"));
    return ok
      ? null
      : `${out.path} holds no config.json and safetensors (found: ${out.entries.join(", ") || "nothing"}).`;
  }
  if (plan.checkpoint === "dcp") return out.dcpMetadata ? null : `${out.path} holds no DCP .metadata file.`;
  if (!out.tracker) return `${out.path} has no latest_checkpointed_iteration.txt.`;
  const found = megatronLayout(out.trackedEntries);
  if (!found) return `${out.path}/${out.tracker} holds no mp_rank_* directories.`;
  if (found.tp !== plan.tp || found.pp !== plan.pp)
    return `${out.path} is split tp=${found.tp}, pp=${found.pp}; asked for tp=${plan.tp}, pp=${plan.pp}.`;
  return null;
}

/** The last lines of a stream, for error messages. */
export function tailLines(text: string, n = 25): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
