// Turns a passed pre-flight into a started run: per-node environment (NODE_RANK, MASTER_ADDR, NIC variables), a
// wrapper script that sources the release's environment and runs the launch script, a detached start on every node,
// and the ledger record written on each of them.
import { posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { hostPrelude } from "../hosts/environment.js";
import { isHostAddress } from "../hosts/network-names.js";
import { envExports, shellQuote, trapScript } from "../hosts/quote.js";
import { parseDestination } from "../hosts/ssh-target.js";
import { ensureDir, ledgerDir, redactEnv, writeRecord } from "./ledger.js";
import { nodeLiveness } from "./liveness.js";
import { releasePort, reservePort } from "./ports.js";
import type { NodeContext, PreflightResult } from "./preflight.js";
import { loraOfConfig } from "./run-config.js";
import type { RunNode, RunRecord } from "./types.js";

export interface NodePlan {
  host: string;
  nodeRank: number;
  env: Record<string, string>;
  wrapper: string;
  wrapperText: string;
  logFile: string;
  exitFile: string;
  ledgerFile: string;
  command: string[];
}

export interface LaunchPlan {
  runId: string;
  masterAddr: string;
  masterPort: number;
  hostfile: string | null;
  nodes: NodePlan[];
  notes: string[];
}

export interface PlanOptions {
  runId: string;
  env: Record<string, string>;
  masterAddr?: string;
  socketIfname?: string;
  /** Replaces the script the wrapper runs on a node (resume runs use an edited copy). */
  scriptPath?: (n: NodeContext) => string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1)$/;

function sshHostOf(n: NodeContext): string | null {
  return n.settings.ssh ? parseDestination(n.settings.ssh).host : null;
}

/** The address the other nodes reach the master at. */
async function masterAddress(nodes: NodeContext[], given: string | undefined, notes: string[]): Promise<string> {
  if (given !== undefined) {
    if (!isHostAddress(given)) throw new Error(`masterAddr ${JSON.stringify(given)} is not a host name or IP address.`);
    return given;
  }
  if (nodes.length === 1) return "localhost";
  const master = nodes[0]!;
  const targets = nodes.map(sshHostOf);
  const mine = targets[0];
  if (mine && !LOOPBACK.test(mine) && isHostAddress(mine)) return mine;
  if (targets.every((t) => t === mine)) {
    notes.push("All nodes are reached at the same address: MASTER_ADDR is the loopback address.");
    return "127.0.0.1";
  }
  const r = await master.executor.run(["hostname", "-I"], { timeoutMs: 15_000, maxOutputBytes: 64 * 1024 });
  const addr = r.stdout.trim().split(/\s+/)[0];
  if (r.exitCode !== 0 || !addr || !isHostAddress(addr))
    throw new Error(`Cannot find the address of ${master.host}; pass masterAddr.`);
  return addr;
}

/** The interface a node reaches the master through (`ip -o -4 route get`), for HCCL/GLOO_SOCKET_IFNAME. */
export async function routeInterface(n: NodeContext, masterAddr: string): Promise<string | null> {
  // The address is checked for what it is and reaches the shell only as "$1", never inside the script's text.
  if (!isHostAddress(masterAddr))
    throw new Error(`masterAddr ${JSON.stringify(masterAddr)} is not a host name or IP address.`);
  const script =
    'a=$(getent ahostsv4 "$1" 2>/dev/null | awk \'NR==1 {print $1}\'); [ -n "$a" ] || a=$1; ip -o -4 route get "$a" 2>/dev/null';
  const r = await n.executor.run(["sh", "-c", script, "sh", masterAddr], {
    timeoutMs: 15_000,
    maxOutputBytes: 64 * 1024,
  });
  return parseRouteDev(r.stdout);
}

export function parseRouteDev(text: string): string | null {
  return /\bdev\s+(\S+)/.exec(text)?.[1] ?? null;
}

export function wrapperScript(
  n: NodeContext,
  p: Omit<NodePlan, "wrapperText" | "command">,
  scriptAbs: string,
  runId: string,
  total: number,
): string {
  return [
    "#!/bin/bash",
    `# ascend-train run ${runId}: node ${p.nodeRank} of ${total} on ${n.host}. Stop it with stop_run, not by hand.`,
    hostPrelude(n.settings, { sourceCann: n.settings.sourceCann, activatePython: true }),
    envExports(p.env),
    trapScript(`echo signal > ${shellQuote(p.exitFile)}; exit 143`, "TERM INT"),
    `cd ${shellQuote(n.workdir)} || exit 1`,
    `bash ${shellQuote(scriptAbs)}`,
    "code=$?",
    `echo "$code" > ${shellQuote(p.exitFile)}`,
    'exit "$code"',
    "",
  ]
    .filter((l) => l !== "")
    .join("\n");
}

export async function planLaunch(pre: PreflightResult, opts: PlanOptions): Promise<LaunchPlan> {
  const notes: string[] = [];
  const nodes = pre.nodes;
  const masterAddr = await masterAddress(nodes, opts.masterAddr, notes);
  const multi = nodes.length > 1;
  const plans: NodePlan[] = [];
  for (const n of nodes) {
    const dir = await ledgerDir(n.executor, n.settings);
    const ifname = opts.socketIfname ?? (multi ? await routeInterface(n, masterAddr) : null);
    if (multi && !ifname) notes.push(`Could not detect the network interface of ${n.host}; pass socketIfname.`);
    const env: Record<string, string> = {
      ...opts.env,
      MASTER_ADDR: masterAddr,
      MASTER_PORT: String(pre.masterPort),
      NNODES: String(nodes.length),
      NODE_RANK: String(n.nodeRank),
      ASCEND_TRAIN_RUN_ID: opts.runId,
      ...(multi ? { HOSTFILE: posix.join(dir, `${opts.runId}.hostfile`) } : {}),
      ...(ifname ? { HCCL_SOCKET_IFNAME: ifname, GLOO_SOCKET_IFNAME: ifname } : {}),
    };
    const suffix = n.nodeRank === 0 ? "" : `.node${n.nodeRank}`;
    const base = {
      host: n.host,
      nodeRank: n.nodeRank,
      env,
      wrapper: posix.join(dir, `${opts.runId}${suffix}.sh`),
      logFile: posix.join(n.workdir, "logs", `train_${opts.runId}${suffix}.log`),
      exitFile: posix.join(dir, `${opts.runId}${suffix}.exit`),
      ledgerFile: posix.join(dir, `${opts.runId}.json`),
    };
    plans.push({
      ...base,
      wrapperText: wrapperScript(n, base, opts.scriptPath?.(n) ?? pre.script!.abs, opts.runId, nodes.length),
      command: ["bash", base.wrapper],
    });
  }
  return {
    runId: opts.runId,
    masterAddr,
    masterPort: pre.masterPort,
    // One line per node, as the upstream multi-node scripts expect (NNODES=$(cat $HOSTFILE | wc -l)).
    hostfile: multi ? `${nodes.map((n, i) => (i === 0 ? masterAddr : (sshHostOf(n) ?? n.host))).join("\n")}\n` : null,
    nodes: plans,
    notes,
  };
}

export interface StartedRun {
  record: RunRecord;
  /** Nodes whose process was gone right after the start (the log says why). */
  exitedEarly: { host: string; exit: string | null }[];
}

/** Starts every node; if one cannot start, the ones already started are stopped again. */
export async function startRun(
  pre: PreflightResult,
  plan: LaunchPlan,
  meta: {
    now: Date;
    settleMs: number;
    resumedFrom?: string | null;
    resumeIteration?: number | null;
    scriptPath?: string;
    stopGroup: (n: NodeContext, pid: number) => Promise<unknown>;
  },
): Promise<StartedRun> {
  const started: { n: NodeContext; pid: number; plan: NodePlan }[] = [];
  // The master port is taken under a lock first: two launches that both passed pre-flight cannot both start.
  const master0 = pre.nodes[0]!;
  const portDir = posix.dirname(plan.nodes[0]!.ledgerFile);
  await ensureDir(master0.executor, portDir);
  await reservePort(master0.executor, portDir, plan.masterPort, plan.runId);
  try {
    for (const [i, n] of pre.nodes.entries()) {
      const p = plan.nodes[i]!;
      await ensureDir(n.executor, posix.dirname(p.ledgerFile));
      await ensureDir(n.executor, posix.dirname(p.logFile));
      await n.executor.writeFile(p.wrapper, p.wrapperText, { mode: 0o700 });
      if (plan.hostfile && p.env.HOSTFILE) await n.executor.writeFile(p.env.HOSTFILE, plan.hostfile);
      const { pid } = await n.executor.spawnDetached(p.command, { logFile: p.logFile, cwd: n.workdir });
      started.push({ n, pid, plan: p });
    }
  } catch (error) {
    await Promise.allSettled(started.map((s) => meta.stopGroup(s.n, s.pid)));
    await releasePort(master0.executor, portDir, plan.masterPort, plan.runId).catch(() => undefined);
    throw error;
  }
  const live = await Promise.all(
    started.map(
      async (s) =>
        (await nodeLiveness(s.n.executor, [{ pid: s.pid, startTicks: null, exitFile: s.plan.exitFile }]))[0]!,
    ),
  );
  const nodes: RunNode[] = started.map((s, i) => ({
    host: s.n.host,
    nodeRank: s.n.nodeRank,
    pid: s.pid,
    startTicks: live[i]?.startTicks ?? null,
    logFile: s.plan.logFile,
    wrapper: s.plan.wrapper,
    exitFile: s.plan.exitFile,
    ledgerFile: s.plan.ledgerFile,
  }));
  const cfg = pre.config!;
  const master = pre.nodes[0]!;
  const record: RunRecord = {
    version: 1,
    id: plan.runId,
    createdAt: meta.now.toISOString(),
    hosts: pre.nodes.map((n) => n.host),
    nodes,
    workdir: master.workdir,
    script: meta.scriptPath ?? pre.script!.abs,
    command: plan.nodes[0]!.command,
    env: redactEnv(plan.nodes[0]!.env),
    configHashes: pre.configHashes,
    saveDir: cfg.savePath ? (master.facts?.save?.abs ?? cfg.savePath) : null,
    loadDir: cfg.loadPath ? (master.facts?.load?.abs ?? cfg.loadPath) : null,
    masterAddr: plan.masterAddr,
    masterPort: plan.masterPort,
    hcclBasePort: pre.hcclBasePort,
    parallel: {
      tp: cfg.tp,
      pp: cfg.pp,
      cp: cfg.cp,
      nnodes: pre.nodes.length,
      npusPerNode: pre.script!.info.npusPerNode ?? master.settings.npusPerNode,
    },
    trainIters: cfg.trainIters,
    savesOptimizer: !cfg.noSaveOptim,
    lora: loraOfConfig(cfg),
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: meta.resumedFrom ?? null,
    resumeIteration: meta.resumeIteration ?? null,
    scheduler: [],
  };
  await Promise.all(started.map((s) => writeRecord(s.n.executor, s.plan.ledgerFile, record)));
  const exitedEarly: StartedRun["exitedEarly"] = [];
  if (meta.settleMs > 0) {
    await sleep(meta.settleMs);
    for (const s of started) {
      const [l] = await nodeLiveness(s.n.executor, [{ pid: s.pid, startTicks: null, exitFile: s.plan.exitFile }]);
      if (l && !l.alive && l.groupMembers === 0) exitedEarly.push({ host: s.n.host, exit: l.exit });
    }
  }
  return { record, exitedEarly };
}
