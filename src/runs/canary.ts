// A canary run: the launch script for a few iterations under its own run id, to measure time before committing NPUs
// to the whole run. It runs an edited copy of the script (--train-iters N, no --save, SAVE_PATH in a scratch folder
// of the ledger) so the real run's save directory is never written, follows its log with progress notifications,
// stops it when it has what it needs, and reports seconds per iteration (median after the warm-up), tokens per
// second, the ETA and NPU-hours of the configured run, and the measured peak memory against the estimate.
import { posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ALLOWANCE_GIB } from "../estimate/index.js";
import { estimateLaunch } from "../estimate/launch.js";
import { timeFromLog } from "../estimate/time.js";
import type { HostExecutor } from "../hosts/executor.js";
import { shellQuote } from "../hosts/quote.js";
import type { HostRegistry } from "../hosts/registry.js";
import { parseIterationLine, tailLines } from "../logs/index.js";
import { callHint } from "../text/hint.js";
import { finishLaunch, type LaunchOut } from "./launch-result.js";
import { ensureDir, ledgerDir, readRecord, writeRecord } from "./ledger.js";
import { nodeLiveness, stopGroup } from "./liveness.js";
import { prepareLaunch } from "./orchestrate.js";
import { releasePort } from "./ports.js";
import { type Check, resolveOnHost } from "./preflight.js";
import type { RunRecord } from "./types.js";

/** Iterations a canary may run: enough past the warm-up for a median, few enough to stay short. */
export const CANARY_MIN = 4;
export const CANARY_MAX = 500;

export const CanaryOut = z.object({
  iterations: z.number().describe("iterations asked for"),
  reachedIteration: z.number().describe("the last iteration the log printed"),
  secondsPerIteration: z.number().nullable().describe("median of the iterations after the warm-up"),
  tokensPerSecond: z.number().nullable(),
  configuredIterations: z.number().nullable().describe("the real run's --train-iters"),
  etaSeconds: z.number().nullable().describe("the configured iterations at the measured pace"),
  npus: z.number(),
  npuHours: z.number().nullable().describe("NPUs × the configured run's time, in hours"),
  measuredMaxAllocatedMiB: z.number().nullable().describe("highest 'max allocated' the log printed"),
  estimatedPeakGiB: z
    .number()
    .nullable()
    .default(null)
    .describe("estimate_memory's peak per rank, the allowance for the runtime's own use included"),
  estimatedTensorsGiB: z
    .number()
    .nullable()
    .describe("estimate_memory's peak per rank without the allowance: the basis 'max allocated' is compared on"),
  estimateToMeasured: z
    .number()
    .nullable()
    .default(null)
    .describe("estimated tensors ÷ measured max allocated (2 means the estimate is twice the measured peak)"),
  memoryErrorPercent: z.number().nullable().describe("(estimate − measured) / measured"),
  ended: z.enum(["reached", "exited", "timeout"]).describe("how following ended"),
  stopped: z.boolean().describe("the tool stopped the canary (it was still running)"),
  logFile: z.string(),
});
export type CanaryResult = z.output<typeof CanaryOut>;

export interface CanaryEdit {
  text: string;
  changes: string[];
  problems: string[];
}

const VALUE = `("[^"]*"|'[^']*'|[^\\s\\\\"']+)`;

/**
 * The canary's copy of a Megatron launch script: --train-iters set to the canary's iterations, every --save dropped
 * (nothing is checkpointed, not even at the end) and SAVE_PATH moved to a scratch folder, so that what the script
 * does with it afterwards (upstream scripts chmod it) touches nothing of the real run.
 */
export function canaryScript(text: string, iterations: number, scratchDir: string): CanaryEdit {
  const changes: string[] = [];
  const problems: string[] = [];
  let out = text.replace(new RegExp(`(--train-iters[ \\t]+)${VALUE}`, "g"), (_m, head: string) => {
    if (!changes.includes(`--train-iters ${iterations}`)) changes.push(`--train-iters ${iterations}`);
    return `${head}${iterations}`;
  });
  if (changes.length === 0) problems.push("the script passes no --train-iters flag");
  out = out.replace(/^(\s*(?:export\s+)?SAVE_PATH=).*$/gm, (_m, head: string) => {
    changes.push(`SAVE_PATH=${scratchDir}`);
    return `${head}${shellQuote(scratchDir)}`;
  });
  let dropped = false;
  out = out.replace(new RegExp(`(^|[ \\t])--save[ \\t]+${VALUE}`, "gm"), (_m, lead: string) => {
    dropped = true;
    return lead;
  });
  if (dropped) changes.push("removed --save (no checkpoint)");
  return { text: out, changes, problems };
}

/**
 * The canary's copy of a YAML config (the FSDP2 and native backends keep iterations and the save path there, under
 * training: or gpt_args:): train_iters set to the canary's iterations and save removed, so nothing is checkpointed.
 */
export function canaryYaml(text: string, iterations: number): CanaryEdit {
  const doc = parseDocument(text);
  const section = doc.has("gpt_args") ? "gpt_args" : "training";
  const changes: string[] = [];
  const problems: string[] = [];
  if (doc.getIn([section, "train_iters"]) === undefined) problems.push(`the config has no ${section}.train_iters`);
  else {
    doc.setIn([section, "train_iters"], iterations);
    changes.push(`${section}.train_iters: ${iterations}`);
  }
  if (doc.hasIn([section, "save"])) {
    doc.deleteIn([section, "save"]);
    changes.push(`removed ${section}.save (no checkpoint)`);
  }
  return { text: doc.toString(), changes, problems };
}

/** The script with every reference to its YAML config pointed at the canary's copy. */
export function pointScriptAt(scriptText: string, yamlRef: string, copyPath: string): string {
  const escaped = yamlRef.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return scriptText.replace(new RegExp(`(['"]?)${escaped}\\1`, "g"), shellQuote(copyPath));
}

/** Pre-flight checks that concern the checkpoints a canary never writes: kept as information. */
const SAVE_CHECKS = new Set(["save-dir", "disk"]);

export function relaxSaveChecks(checks: readonly Check[]): Check[] {
  return checks.map((c) =>
    SAVE_CHECKS.has(c.id) && c.level !== "info"
      ? { ...c, ok: true, level: "info", message: `${c.message} (the canary saves no checkpoint)`, fix: null }
      : c,
  );
}

export interface FollowResult {
  lines: string[];
  reached: number;
  maxAllocatedMiB: number | null;
  ended: "reached" | "exited" | "timeout";
}

/** Polls the log until it shows the wanted iteration, the process is gone, or the deadline passes. */
export async function followLog(
  executor: HostExecutor,
  logFile: string,
  opts: {
    iterations: number;
    deadline: number;
    pollMs: number;
    alive: () => Promise<boolean>;
    progress: (reached: number) => void;
  },
): Promise<FollowResult> {
  let lines: string[] = [];
  let reached = 0;
  let maxAllocatedMiB: number | null = null;
  const read = async () => {
    const window = await tailLines(executor, logFile, Math.min(2000, opts.iterations * 2 + 200)).catch(() => null);
    if (!window) return;
    lines = window.lines;
    for (const line of lines) {
      const rec = parseIterationLine(line);
      if (rec) reached = Math.max(reached, rec.iteration);
    }
    const seen = timeFromLog(lines, { npus: 1 })?.measuredMaxAllocatedMiB ?? null;
    if (seen !== null) maxAllocatedMiB = Math.max(maxAllocatedMiB ?? 0, seen);
  };
  for (;;) {
    await read();
    opts.progress(reached);
    if (reached >= opts.iterations) return { lines, reached, maxAllocatedMiB, ended: "reached" };
    if (!(await opts.alive())) {
      await read();
      return { lines, reached, maxAllocatedMiB, ended: reached >= opts.iterations ? "reached" : "exited" };
    }
    if (Date.now() >= opts.deadline) return { lines, reached, maxAllocatedMiB, ended: "timeout" };
    await sleep(opts.pollMs);
  }
}

/** What the canary measured, projected onto the configured run. */
export function canaryReport(
  follow: FollowResult,
  opts: {
    iterations: number;
    npus: number;
    seqLength?: number;
    configuredIterations: number | null;
    estimatedPeakGiB: number | null;
    stopped: boolean;
    logFile: string;
  },
): CanaryResult {
  const time = timeFromLog(follow.lines, { npus: opts.npus, seqLength: opts.seqLength });
  const spi = time?.secondsPerIteration ?? null;
  const total = opts.configuredIterations;
  const etaSeconds = spi !== null && total !== null ? Math.round(spi * total) : null;
  const tensors =
    opts.estimatedPeakGiB !== null ? Math.round((opts.estimatedPeakGiB - ALLOWANCE_GIB) * 100) / 100 : null;
  const measured = follow.maxAllocatedMiB;
  return {
    iterations: opts.iterations,
    reachedIteration: follow.reached,
    secondsPerIteration: spi,
    tokensPerSecond: time?.tokensPerSecond ?? null,
    configuredIterations: total,
    etaSeconds,
    npus: opts.npus,
    npuHours: etaSeconds !== null ? Math.round(((etaSeconds * opts.npus) / 3600) * 100) / 100 : null,
    measuredMaxAllocatedMiB: measured,
    estimatedPeakGiB: opts.estimatedPeakGiB,
    estimatedTensorsGiB: tensors,
    estimateToMeasured: measured && tensors !== null ? Math.round(((tensors * 1024) / measured) * 100) / 100 : null,
    memoryErrorPercent:
      measured && tensors !== null ? Math.round(((tensors * 1024 - measured) / measured) * 1000) / 10 : null,
    ended: follow.ended,
    stopped: opts.stopped,
    logFile: opts.logFile,
  };
}

export interface CanaryRequest {
  nodes: string[];
  script: string;
  env: Record<string, string>;
  masterPort?: number;
  masterAddr?: string;
  socketIfname?: string;
  runId: string;
  iterations: number;
  timeoutSeconds: number;
  confirm: boolean;
  /** How often the log is read (tests shorten it). */
  pollMs?: number;
}

interface Deps {
  hosts: HostRegistry;
  now: () => Date;
  progress: (u: { progress: number; total?: number; message?: string }) => void;
}

type LaunchResult = z.output<typeof LaunchOut>;

/** The name of a canary's script copy in the ledger directory: its run id, the script's name, `.canary.sh`. */
export const canaryCopyName = (runId: string, script: string): string =>
  `${runId}.${posix.basename(script).replace(/\.sh$/, "")}.canary.sh`;

/**
 * A canary's record: marked once it ended (canaryOf), and by the script it runs, the ledger's canary copy, while it
 * runs. A canary saves no checkpoint: there is nothing of it to export, try, score or resume.
 */
export const isCanaryRun = (record: RunRecord): boolean =>
  record.canaryOf !== undefined ||
  (posix.basename(record.script).startsWith(`${record.id}.`) && record.script.endsWith(".canary.sh"));

/** Plans (without confirm) or runs a canary, start to stop. */
export async function runCanary(
  req: CanaryRequest,
  deps: Deps,
): Promise<LaunchResult & { canary: CanaryResult | null }> {
  const dirOf = new Map<string, string>();
  for (const host of req.nodes) {
    const { executor, settings } = await deps.hosts.get(host);
    dirOf.set(host, await ledgerDir(executor, settings));
  }
  const copyOn = (host: string) => posix.join(dirOf.get(host)!, canaryCopyName(req.runId, req.script));
  const scratchOn = (host: string) => posix.join(dirOf.get(host)!, `${req.runId}.canary-save`);
  deps.progress({ progress: 0, total: req.iterations, message: "pre-flight" });
  const prepared = await prepareLaunch(
    {
      hosts: deps.hosts,
      nodes: req.nodes,
      script: req.script,
      env: req.env,
      masterPort: req.masterPort,
      masterAddr: req.masterAddr,
      socketIfname: req.socketIfname,
      resume: false,
      now: deps.now(),
      runId: req.runId,
    },
    (n) => copyOn(n.host),
  );
  const pre = prepared.pre;
  // What the real run's pre-flight will still refuse (its save directory, its disk): said with the canary's next step.
  const realRunBlockers = pre.checks.filter((c) => SAVE_CHECKS.has(c.id) && !c.ok);
  pre.checks = relaxSaveChecks(pre.checks);
  const extraChecks: Check[] = [];
  const edits = new Map<string, CanaryEdit>();
  /** Files each node gets before the start besides the script copy (the YAML backends' config copy). */
  const extraFiles = new Map<string, { path: string; text: string }[]>();
  const main = pre.script?.info.mainConfig ?? null;
  if (pre.script && pre.config?.kind === "yaml" && main) {
    for (const n of pre.nodes) {
      const yamlText = await n.executor
        .readFile(resolveOnHost(n.workdir, main))
        .then((c) => c.content)
        .catch(() => null);
      const yamlCopy = posix.join(dirOf.get(n.host)!, `${req.runId}.canary.${posix.basename(main)}`);
      const yaml = yamlText === null ? null : canaryYaml(yamlText, req.iterations);
      const script = canaryScript(pointScriptAt(pre.script.text, main, yamlCopy), req.iterations, scratchOn(n.host));
      edits.set(n.host, {
        text: script.text,
        changes: [...(yaml?.changes ?? []), ...script.changes],
        problems: yamlText === null ? [`cannot read ${main}`] : yaml!.problems,
      });
      extraFiles.set(n.host, yaml ? [{ path: yamlCopy, text: yaml.text }] : []);
    }
  } else if (pre.script) {
    for (const n of pre.nodes) edits.set(n.host, canaryScript(pre.script.text, req.iterations, scratchOn(n.host)));
  }
  if (pre.script) {
    const first = edits.get(pre.nodes[0]!.host)!;
    if (first.problems.length > 0)
      extraChecks.push({
        id: "canary",
        host: pre.nodes[0]!.host,
        ok: false,
        level: "error",
        message: `A canary cannot set this run's iterations: ${first.problems.join("; ")}.`,
        fix: "Launch it without canary, and follow its pace with tail_logs {runId}, which reads its step time and ETA.",
      });
    else
      extraChecks.push({
        id: "canary",
        host: pre.nodes[0]!.host,
        ok: true,
        level: "info",
        message: `Canary of ${req.iterations} iterations from ${copyOn(pre.nodes[0]!.host)}: ${first.changes.join("; ")}.`,
        fix: null,
      });
  }
  const out = await finishLaunch(prepared, req.confirm, 0, deps, {
    scriptPath: copyOn(pre.nodes[0]?.host ?? req.nodes[0]!),
    extraChecks,
    confirmArgs: { confirm: true, runId: req.runId, canary: req.iterations },
    beforeStart: async () => {
      for (const n of pre.nodes) {
        await ensureDir(n.executor, dirOf.get(n.host)!);
        for (const f of extraFiles.get(n.host) ?? []) await n.executor.writeFile(f.path, f.text, { mode: 0o644 });
        await n.executor.writeFile(copyOn(n.host), edits.get(n.host)!.text, { mode: 0o644 });
      }
    },
  });
  if (!out.started || !out.plan) return { ...out, canary: null };

  const master = pre.nodes[0]!;
  const logFile = out.plan.nodes[0]!.logFile;
  const nodesRun = out.plan.nodes.map((p, i) => ({ plan: p, node: pre.nodes[i]!, pid: out.pids[i]!.pid }));
  const exitFileOf = (ledgerFile: string, rank: number) =>
    ledgerFile.replace(/\.json$/, rank === 0 ? ".exit" : `.node${rank}.exit`);
  const alive = async () => {
    const [l] = await nodeLiveness(master.executor, [
      { pid: nodesRun[0]!.pid, startTicks: null, exitFile: exitFileOf(nodesRun[0]!.plan.ledgerFile, 0) },
    ]);
    return Boolean(l && (l.alive || (l.groupMembers ?? 0) > 0));
  };
  const follow = await followLog(master.executor, logFile, {
    iterations: req.iterations,
    deadline: Date.now() + req.timeoutSeconds * 1000,
    pollMs: req.pollMs ?? 3000,
    alive,
    progress: (reached) =>
      deps.progress({
        progress: Math.min(reached, req.iterations),
        total: req.iterations,
        message: `canary ${req.runId}: iteration ${reached}/${req.iterations}`,
      }),
  });
  // Stop whatever still runs (the trainer may be finishing on its own after its last iteration).
  let stopped = false;
  for (const { node, pid, plan } of nodesRun) {
    const r = await stopGroup(node.executor, pid, null, 10, { wrapper: plan.wrapper, runId: req.runId });
    if (r.outcome === "terminated" || r.outcome === "killed") stopped = true;
  }
  // The master port goes back at once: the real run usually starts on the same one.
  const ledger0 = nodesRun[0]!.plan.ledgerFile;
  await releasePort(master.executor, posix.dirname(ledger0), out.plan.masterPort, req.runId).catch(() => undefined);
  // The ledger says the canary is over and that it saved nothing (resume_run must not pick the real save directory).
  for (const { node, plan } of nodesRun) {
    const record = await readRecord(node.executor, plan.ledgerFile).catch(() => null);
    if (!record) continue;
    await writeRecord(node.executor, plan.ledgerFile, {
      ...record,
      state: "stopped",
      stoppedAt: deps.now().toISOString(),
      stopSignal: stopped ? "TERM" : null,
      saveDir: null,
      trainIters: req.iterations,
      canaryOf: { script: pre.script?.abs ?? req.script, iterations: req.iterations },
    });
  }
  const info = pre.script!.info;
  const npusPerNode = info.npusPerNode ?? master.settings.npusPerNode ?? 8;
  const npus = npusPerNode * pre.nodes.length;
  const memory = estimateLaunch(
    {
      scriptPath: pre.script!.path,
      flags: info.flags,
      tp: pre.config?.tp ?? info.tp,
      pp: pre.config?.pp ?? info.pp,
      cp: pre.config?.cp ?? info.cp,
      npusPerNode,
      nnodes: pre.nodes.length,
      llmSplit: pre.config?.llmSplit ?? null,
      lora: pre.config?.lora ?? false,
    },
    {},
  );
  const seq = Number(info.flags["seq-length"]);
  const canary = canaryReport(follow, {
    iterations: req.iterations,
    npus,
    seqLength: Number.isInteger(seq) && seq > 0 ? seq : undefined,
    configuredIterations: pre.config?.trainIters ?? null,
    estimatedPeakGiB: memory?.peakGiBPerRank ?? null,
    stopped,
    logFile,
  });
  const realRun = callHint("launch_train", {
    ...(req.nodes.length > 1 ? { hosts: req.nodes } : { host: req.nodes[0] }),
    script: req.script,
    confirm: true,
  });
  const why =
    follow.ended === "exited"
      ? `The canary ended at iteration ${follow.reached} of ${req.iterations}: ${callHint("diagnose_error", { runId: req.runId })} says why.`
      : follow.ended === "timeout"
        ? `The canary reached only iteration ${follow.reached} of ${req.iterations} in ${req.timeoutSeconds} s.`
        : realRunBlockers.length > 0
          ? `Canary done. Before the real run: ${realRunBlockers.map((c) => `${c.message}${c.fix ? ` ${c.fix}` : ""}`).join(" ")} Then ${realRun}.`
          : `Canary done; start the real run with ${realRun}.`;
  return { ...out, canary, next: why };
}

const hours = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
};

/**
 * The estimate against the measured peak, on one basis: 'max allocated' counts tensors only, so it is compared with
 * the estimate less the allowance estimate_memory adds for the runtime's own use (both figures are named).
 */
function compared(c: CanaryResult): string {
  if (c.estimatedTensorsGiB === null) return "";
  const basis =
    c.estimatedPeakGiB !== null
      ? ` (estimate_memory's ${c.estimatedPeakGiB} GiB less its ${ALLOWANCE_GIB} GiB allowance for the runtime)`
      : "";
  const ratio = c.estimateToMeasured;
  const verdict =
    ratio === null || ratio <= 0
      ? ""
      : ratio >= 1
        ? `: the estimate is ${ratio.toFixed(2)}× the measured peak`
        : `: the measured peak is ${(1 / ratio).toFixed(2)}× the estimate`;
  return ` vs estimated ${c.estimatedTensorsGiB} GiB of tensors${basis}${verdict}`;
}

export function summarizeCanary(c: CanaryResult): string {
  const pace =
    c.secondsPerIteration !== null
      ? `${c.secondsPerIteration} s/iteration${c.tokensPerSecond !== null ? `, ${c.tokensPerSecond} tokens/s` : ""}`
      : "no timed iteration";
  const eta =
    c.etaSeconds !== null
      ? `; the configured ${c.configuredIterations} iterations: ${hours(c.etaSeconds)}, ${c.npuHours} NPU-hours on ${c.npus} NPUs`
      : "";
  const memory =
    c.measuredMaxAllocatedMiB !== null
      ? `; per rank, measured max allocated ${(c.measuredMaxAllocatedMiB / 1024).toFixed(1)} GiB${compared(c)}`
      : "";
  const after = c.stopped
    ? " launch_train stopped the canary: nothing of it runs now."
    : c.ended === "exited"
      ? " The canary exited before its iterations: nothing of it runs now."
      : " The canary ended after its iterations: nothing of it runs now.";
  return `Canary: iteration ${c.reachedIteration}/${c.iterations} (${c.ended}${c.stopped ? ", stopped" : ""}): ${pace}${eta}${memory}.${after} Log: ${c.logFile}`;
}
