// launch_train on a CUDA host: a detached `accelerate launch` of the TRL script build_configs wrote, through the same
// machinery as MindSpeed-MM runs (a wrapper that records its exit status, setsid, the port reserved under a lock, the
// ledger record on the host), so list_runs, tail_logs and stop_run treat both alike. Without confirm: the plan only.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import { ToolError } from "../errors.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { envExports, shellJoin, shellQuote, trapScript } from "../hosts/quote.js";
import { redactText } from "../hosts/redact.js";
import { argsHint, callHint } from "../text/hint.js";
import { type LaunchOut, startNext } from "./launch-result.js";
import { ensureDir, ledgerDir, newRunId, redactEnv, writeRecord } from "./ledger.js";
import { nodeLiveness, stopGroup } from "./liveness.js";
import { releasePort, reservePort } from "./ports.js";
import type { Check } from "./preflight-types.js";
import type { RunRecord } from "./types.js";

/** accelerate's default main process port. */
export const ACCELERATE_PORT = 29500;

export interface TrlLaunchRequest {
  host: string;
  executor: HostExecutor;
  settings: HostSettings;
  script: string;
  env: Record<string, string>;
  masterPort?: number;
  settleSeconds: number;
  confirm: boolean;
  now: Date;
  /** The run id a plan showed (default: a new one). */
  runId?: string;
  progress: (u: { progress: number; total?: number; message?: string }) => void;
  /** A resume (resume_run): `script` is written with this text just before the start, and the record names the run. */
  resume?: { text: string; from: string; iteration: number };
}

/** The TRL script's settings the run record keeps: its step count and where it saves. */
export function readTrlScript(text: string): { maxSteps: number | null; outputDir: string | null } {
  const steps = /^\s*max_steps=(\d+),/m.exec(text)?.[1];
  const out = /^\s*output_dir="((?:[^"\\]|\\.)*)",/m.exec(text)?.[1];
  return { maxSteps: steps ? Number(steps) : null, outputDir: out ? (JSON.parse(`"${out}"`) as string) : null };
}

async function portFree(executor: HostExecutor, port: number): Promise<boolean | null> {
  const r = await executor.run(
    ["sh", "-c", 'command -v ss >/dev/null 2>&1 || exit 3; ss -Hltn "sport = :$1"', "sh", String(port)],
    {
      timeoutMs: 15_000,
      maxOutputBytes: 64 * 1024,
    },
  );
  if (r.exitCode !== 0) return null;
  return r.stdout.trim() === "";
}

export async function launchTrlRun(req: TrlLaunchRequest): Promise<z.output<typeof LaunchOut>> {
  const { executor, settings, host } = req;
  const workdir = settings.workdir;
  if (!workdir) throw new ToolError(`Host ${host} has no workdir: set one in the inventory.`);
  const scriptAbs = req.script.startsWith("/") ? req.script : posix.join(workdir, req.script);
  const runId = req.runId ?? newRunId(req.now);
  const port = req.masterPort ?? ACCELERATE_PORT;
  const gpus = settings.npusPerNode;
  req.progress({ progress: 0, total: 2, message: "pre-flight" });
  const checks: Check[] = [];
  let scriptText: string | null = req.resume?.text ?? null;
  if (scriptText === null) {
    try {
      scriptText = (await executor.readFile(scriptAbs, { maxBytes: 1024 * 1024 })).content;
    } catch (error) {
      if (!(error instanceof HostFileError)) throw error;
    }
  }
  const info = scriptText ? readTrlScript(scriptText) : { maxSteps: null, outputDir: null };
  checks.push(
    scriptText !== null && scriptAbs.endsWith(".py")
      ? { id: "script", host, ok: true, level: "info", message: `${scriptAbs} is a Python training script.`, fix: null }
      : {
          id: "script",
          host,
          ok: false,
          level: "error",
          message: `${scriptAbs} is not a readable .py training script on ${host}.`,
          fix: callHint("build_configs", { host, trainer: "trl", model: "<model id>", dataset: "<dataset>" }),
        },
  );
  const prelude = hostPrelude(settings, { sourceCann: false, activatePython: true });
  const acc = await executor.runScript(`${prelude}\ncommand -v accelerate`, { timeoutMs: 30_000 });
  checks.push(
    acc.exitCode === 0 && acc.stdout.trim() !== ""
      ? { id: "accelerate", host, ok: true, level: "info", message: `accelerate: ${acc.stdout.trim()}`, fix: null }
      : {
          id: "accelerate",
          host,
          ok: false,
          level: "error",
          message: `accelerate is not on the PATH of ${host}'s Python environment.`,
          fix: "pip install accelerate",
        },
  );
  const free = await portFree(executor, port);
  checks.push(
    free === false
      ? {
          id: "master-port",
          host,
          ok: false,
          level: "error",
          message: `Port ${port} (accelerate's main process port) is in use on ${host}.`,
          fix: `pass ${argsHint({ masterPort: port + 1 })}`,
        }
      : { id: "master-port", host, ok: true, level: "info", message: `Port ${port} is free.`, fix: null },
  );

  const dir = await ledgerDir(executor, settings);
  const logFile = posix.join(workdir, "logs", `train_${runId}.log`);
  const wrapper = posix.join(dir, `${runId}.sh`);
  const exitFile = posix.join(dir, `${runId}.exit`);
  const ledgerFile = posix.join(dir, `${runId}.json`);
  const env = { ...req.env, ASCEND_TRAIN_RUN_ID: runId };
  const launch = [
    "accelerate",
    "launch",
    "--num_processes",
    String(gpus),
    "--main_process_port",
    String(port),
    scriptAbs,
  ];
  const wrapperText = [
    "#!/bin/bash",
    `# ascend-train run ${runId}: accelerate launch on ${host}. Stop it with stop_run, not by hand.`,
    prelude,
    envExports(env),
    trapScript(`echo signal > ${shellQuote(exitFile)}; exit 143`, "TERM INT"),
    `cd ${shellQuote(workdir)} || exit 1`,
    shellJoin(launch),
    "code=$?",
    `echo "$code" > ${shellQuote(exitFile)}`,
    'exit "$code"',
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
  const preflightOk = checks.every((c) => c.ok);
  const plan = {
    script: scriptAbs,
    masterAddr: "localhost",
    masterPort: port,
    nodes: [{ host, nodeRank: 0, command: ["bash", wrapper], env: redactEnv(env), wrapper, logFile, ledgerFile }],
    wrapperScript: redactText(wrapperText),
    notes: [`${shellJoin(launch)} (${gpus} processes, one per GPU)`],
  };
  const base = { runId, preflightOk, checks, plan, pids: [], exitedEarly: [], slurm: null };
  if (!preflightOk)
    return { ...base, started: false, next: "Fix the failed checks (each names its fix), then call again." };
  if (!req.confirm)
    return {
      ...base,
      started: false,
      next: startNext(runId, req.resume ? { confirm: true, newRunId: runId } : { confirm: true, runId }),
    };

  req.progress({ progress: 1, total: 2, message: `starting ${runId}` });
  await ensureDir(executor, dir);
  await ensureDir(executor, posix.dirname(logFile));
  await reservePort(executor, dir, port, runId);
  let pid: number;
  try {
    if (req.resume) await executor.writeFile(scriptAbs, req.resume.text, { mode: 0o644 });
    await executor.writeFile(wrapper, wrapperText, { mode: 0o700 });
    ({ pid } = await executor.spawnDetached(["bash", wrapper], { logFile, cwd: workdir }));
  } catch (error) {
    await releasePort(executor, dir, port, runId).catch(() => undefined);
    throw new ToolError(`Could not start ${runId}: ${(error as Error).message}`);
  }
  const [live] = await nodeLiveness(executor, [{ pid, startTicks: null, exitFile }]);
  const record: RunRecord = {
    version: 1,
    id: runId,
    createdAt: req.now.toISOString(),
    hosts: [host],
    nodes: [{ host, nodeRank: 0, pid, startTicks: live?.startTicks ?? null, logFile, wrapper, exitFile, ledgerFile }],
    workdir,
    script: scriptAbs,
    command: ["bash", wrapper],
    env: redactEnv(env),
    configHashes: scriptText ? { [scriptAbs]: createHash("sha256").update(scriptText).digest("hex") } : {},
    saveDir: info.outputDir,
    loadDir: null,
    masterAddr: "localhost",
    masterPort: port,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: gpus },
    trainIters: info.maxSteps,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: req.resume?.from ?? null,
    resumeIteration: req.resume?.iteration ?? null,
    scheduler: [],
  };
  try {
    await writeRecord(executor, ledgerFile, record);
  } catch (error) {
    await stopGroup(executor, pid, null, 5).catch(() => undefined);
    await releasePort(executor, dir, port, runId).catch(() => undefined);
    throw new ToolError(`Could not record ${runId}: ${(error as Error).message}`);
  }
  const exitedEarly: { host: string; exit: string | null }[] = [];
  if (req.settleSeconds > 0) {
    await sleep(req.settleSeconds * 1000);
    const [l] = await nodeLiveness(executor, [{ pid, startTicks: null, exitFile }]);
    if (l && !l.alive && l.groupMembers === 0) exitedEarly.push({ host, exit: l.exit });
  }
  req.progress({ progress: 2, total: 2, message: `started ${runId}` });
  return {
    ...base,
    started: true,
    pids: [{ host, pid }],
    exitedEarly,
    next: exitedEarly.some((e) => e.exit === "0")
      ? `The run already finished (exit 0); its metrics: ${callHint("tail_logs", { runId })}.`
      : exitedEarly.length
        ? `The run exited right after the start: call ${callHint("tail_logs", { runId })} to see why, then ${callHint("diagnose_error", { runId })}.`
        : `Follow it with ${callHint("tail_logs", { runId, followSeconds: 60 })}; ${callHint("list_runs")} shows all runs.`,
  };
}
