// Makes fixes concrete for one host and run: who holds a port or an NPU, a free port, the micro batch that halves
// activation memory, the layer split that matches the converted weights. Probes are read-only commands; changes
// are returned as actions (argv lists or file edits with a diff) that only apply_fix carries out.
// Host commands: ss, lsof, npu-smi info, command -v; files read: the run's script and model.json.
import { posix } from "node:path";
import { readBuildInputs } from "../configs/build-inputs.js";
import { parseNpuSmiInfo } from "../env/npu-smi.js";
import { estimateScript, layoutCalls } from "../estimate/launch.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellJoin, shellQuote } from "../hosts/quote.js";
import { getRelease, torchNpuWheelFor } from "../knowledge/releases.js";
import { ruleById } from "../knowledge/rules.js";
import { isTrlContext, MEGATRON_OOM_FIXES, TRL_OOM_CAUSE, trlOomSteps } from "./cuda-host.js";
import { lineDiff, replaceJsonArray } from "./edit.js";
import type { Finding, FixAction, FixStep } from "./types.js";
import { allocConfOf, renderFix, retitleForStack } from "./verdict.js";

/** What is known about the run that failed (from the run ledger or given by the caller). */
export interface RunContext {
  /** Launch script on the host (holds --micro-batch-size, TP, PP). */
  scriptPath?: string;
  /** model.json on the host (holds pipeline_num_layers). */
  modelJsonPath?: string;
  microBatchSize?: number;
  tp?: number;
  pp?: number;
  numKvHeads?: number;
  numLayers?: number;
  llmPpLayers?: number[];
  vitPpLayers?: number[];
  /** The split the weights were converted with (mm-convert --cfg.parallel_config.llm_pp_layers). */
  convertedLlmPpLayers?: number[];
  convertedVitPpLayers?: number[];
  masterPort?: number;
}

export interface RefineDeps {
  executor?: HostExecutor;
  settings?: HostSettings;
  /** The host the run or log is on: the one a suggested call names. */
  host?: string;
  config?: RunContext;
}

/**
 * The memory estimate for the layout that ran out of memory (from its launch script) in the cause, and the nearest
 * layout that fits as a fix: build_configs and convert_weights with the same TP, PP and layer split.
 */
async function fittingLayout(
  f: Finding,
  facts: Record<string, string>,
  { executor, config, host }: Pick<RefineDeps, "executor" | "config" | "host">,
  totalGiB: number | null,
): Promise<FixStep[]> {
  const text = await readText(executor, config?.scriptPath);
  if (!text || !config?.scriptPath) return [];
  const memory = estimateScript(config.scriptPath, text, {
    tp: config.tp,
    pp: config.pp,
    llmSplit: config.llmPpLayers,
    // torch_npu reports the usable part of the HBM (about 61 of 64 GiB): the chip's size is the next 16 GiB.
    hbmGiB: totalGiB !== null ? Math.ceil(totalGiB / 16) * 16 : undefined,
  });
  if (!memory) return [];
  facts.estimate = memory.summary;
  f.cause = `${f.cause} Estimate: ${memory.summary}.`;
  if (memory.fits) {
    facts.estimate_fits = "true";
    f.cause +=
      " The estimate says this layout fits, yet the run ran out of memory: the estimate counts the layout's weights, " +
      "gradients, optimizer state and the activations of one micro batch at the configured sequence length. The extra " +
      "came from what it does not count: longer sequences or more image tokens than that length, fragmentation in the " +
      "caching allocator, or another process on the card. Set PYTORCH_NPU_ALLOC_CONF=expandable_segments:True, lower " +
      "the micro batch, or turn on recomputation.";
  }
  const p = memory.proposed;
  if (!p || memory.fits) return [];
  const recorded = executor ? await readBuildInputs(executor, config.scriptPath) : null;
  return [
    {
      id: "fitting-layout",
      summary:
        `Rebuild the configs and reconvert the weights for a layout that fits: TP ${p.tp}, PP ${p.pp}` +
        `${p.pp > 1 ? ` (LLM layers split ${p.llmLayerSplit.join(",")})` : ""} on ${p.npus} NPUs (${p.peakGiBPerRank} GiB ` +
        `per rank): ${layoutCalls(memory, recorded, host ?? (recorded?.host as string | undefined) ?? "local")}.`,
    },
  ];
}

type Refiner = (f: Finding, facts: Record<string, string>, deps: RefineDeps) => Promise<FixStep[]>;

const PROBE_MS = 15_000;

async function probe(executor: HostExecutor | undefined, argv: string[]): Promise<string | null> {
  if (!executor) return null;
  try {
    const r = await executor.run(argv, { timeoutMs: PROBE_MS, maxOutputBytes: 256 * 1024 });
    return r.exitCode === 0 ? r.stdout : null;
  } catch {
    return null;
  }
}

async function readText(executor: HostExecutor | undefined, path: string | undefined): Promise<string | null> {
  if (!executor || !path) return null;
  try {
    const chunk = await executor.readFile(path, { maxBytes: 1024 * 1024 });
    return chunk.end < chunk.size ? null : chunk.content;
  } catch {
    return null;
  }
}

const GIB: Record<string, number> = { K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 };
/**
 * The allocator holds, reserved but not allocated, at least what the failed request asked for: the memory was there,
 * in pieces (torch's own advice: "If reserved memory is >> allocated memory"). Unknown figures count as fragmented.
 */
function fragmented(facts: Record<string, string>): boolean {
  const reserved = gib(facts.reserved);
  const allocated = gib(facts.allocated);
  const request = gib(facts.request);
  if (reserved === null || allocated === null || request === null) return true;
  return reserved - allocated >= request;
}

function gib(text: string | undefined): number | null {
  const m = /^([\d.]+) ([KMGT])iB$/.exec(text ?? "");
  return m ? Number(m[1]) * GIB[m[2]!]! : null;
}

/** Listening TCP ports on the host (ss -ltnH). */
async function listeningPorts(executor?: HostExecutor): Promise<Set<number> | null> {
  const out = await probe(executor, ["ss", "-ltnH"]);
  if (out === null) return null;
  const ports = new Set<number>();
  for (const line of out.split("\n")) {
    const local = line.trim().split(/\s+/)[3];
    const m = local ? /:(\d+)$/.exec(local) : null;
    if (m) ports.add(Number(m[1]));
  }
  return ports;
}

export function pickFreePort(used: Set<number>, from: number, span = 1, step = 1): number | null {
  for (let p = from; p + span - 1 <= 65535; p += step) {
    let free = true;
    for (let k = 0; k < span && free; k++) if (used.has(p + k)) free = false;
    if (free) return p;
  }
  return null;
}

/** Who listens on a port: ss (with -p), else lsof. */
async function portHolders(executor: HostExecutor | undefined, port: number): Promise<{ pid: number; name: string }[]> {
  const ss = await probe(executor, ["ss", "-ltnpH", `sport = :${port}`]);
  const found: { pid: number; name: string }[] = [];
  for (const m of (ss ?? "").matchAll(/\("([^"]*)",pid=(\d+)/g)) found.push({ name: m[1]!, pid: Number(m[2]) });
  if (found.length > 0) return dedupe(found);
  const lsof = await probe(executor, ["lsof", "-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"]);
  let pid = 0;
  for (const line of (lsof ?? "").split("\n")) {
    if (line.startsWith("p")) pid = Number(line.slice(1));
    else if (line.startsWith("c") && pid) found.push({ pid, name: line.slice(1) });
  }
  return dedupe(found);
}

const dedupe = (xs: { pid: number; name: string }[]) => [...new Map(xs.map((x) => [x.pid, x])).values()];

/**
 * The command line of each process, as `ps` shows it. A kill plan names every process by its command line, and
 * apply_fix sends the signal only while the same pid still runs the same command (no pid reuse, no guessing).
 */
async function commandLines(executor: HostExecutor | undefined, pids: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const valid = pids.filter((p) => Number.isInteger(p) && p > 1);
  if (valid.length === 0) return out;
  const text = await probe(executor, ["ps", "-o", "pid=,args=", "-p", valid.join(",")]);
  for (const line of (text ?? "").split("\n")) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && valid.includes(Number(m[1]))) out.set(Number(m[1]), m[2]!.slice(0, 400));
  }
  return out;
}

/** A kill plan for the processes still alive, each with the command line it must still have; null when none is. */
async function killAction(executor: HostExecutor | undefined, pids: number[], what: string): Promise<FixAction | null> {
  const lines = await commandLines(executor, pids);
  const targets = [...lines].map(([pid, command]) => ({ pid, command }));
  if (targets.length === 0) return null;
  return { kind: "kill", targets, description: `Send SIGTERM to ${what}.` };
}

const refiners: Partial<Record<Finding["category"], Refiner>> = {
  async port_in_use(f, facts, { executor, config }) {
    const port = Number(facts.port ?? config?.masterPort ?? 0);
    if (!port) return [];
    const steps: FixStep[] = [];
    const holders = await portHolders(executor, port);
    if (holders.length > 0) {
      facts.pid = holders.map((h) => h.pid).join(" ");
      facts.holder = holders.map((h) => `${h.name} (PID ${h.pid})`).join(", ");
      const action = await killAction(
        executor,
        holders.map((h) => h.pid),
        facts.holder,
      );
      steps.push({
        id: "kill-holder",
        summary: `Port ${port} is held by ${facts.holder}; stop it if it is a stale run.`,
        commands: holders.map((h) => shellJoin(["kill", String(h.pid)])),
        ...(action ? { action } : {}),
      });
    }
    const used = await listeningPorts(executor);
    if (used) {
      const hccl = port >= 60000;
      const free = hccl ? pickFreePort(used, 61000, 64, 1000) : pickFreePort(used, port + 1);
      if (free !== null) {
        facts[hccl ? "free_hccl_base_port" : "free_port"] = String(free);
        // The port says whose it is (HCCL's 60000+ or the rendezvous): the other kind's fix does not apply.
        f.fixes = f.fixes.filter((x) => x.id !== (hccl ? "free-master-port" : "hccl-base-port"));
      }
    }
    return steps;
  },

  async device_busy(f, facts, { executor }) {
    const out = await probe(executor, ["npu-smi", "info"]);
    if (out === null) return [];
    const info = parseNpuSmiInfo(out);
    const device = facts.device !== undefined ? Number(facts.device) : undefined;
    const procs = info.processes.filter((p) => device === undefined || p.npuId === device);
    const busy = new Set(info.processes.map((p) => p.npuId));
    const free = Array.from({ length: info.npuCount }, (_, i) => i).filter((i) => !busy.has(i));
    if (free.length > 0) facts.free_devices = free.join(",");
    // npu-smi shows every card taken: "run on free cards" has nothing to offer.
    else if (info.npuCount > 0) f.fixes = f.fixes.filter((x) => x.id !== "other-card");
    if (procs.length === 0) return [];
    const pids = [...new Set(procs.map((p) => p.pid))];
    facts.pids = pids.join(" ");
    const what = procs
      .map((p) => `PID ${p.pid}${p.name ? ` (${p.name})` : ""} on NPU ${p.npuId}, ${p.memoryMb} MB`)
      .join("; ");
    f.cause = `${f.cause} On this host: ${what}.`;
    const action = await killAction(executor, pids, what);
    return [
      {
        id: "kill-holder",
        summary: `Stop ${what}, wait about 10 s, relaunch.`,
        commands: pids.map((p) => shellJoin(["kill", String(p)])),
        ...(action ? { action } : {}),
      },
    ];
  },

  async npu_oom(f, facts, { executor, settings, config, host }) {
    if (isTrlContext(config?.scriptPath, settings)) {
      // A TRL run: the trainer config's knobs, not Megatron's.
      f.fixes = f.fixes.filter((x) => !MEGATRON_OOM_FIXES.has(x.id));
      f.cause = TRL_OOM_CAUSE;
      return trlOomSteps(executor, config?.scriptPath, facts);
    }
    const steps: FixStep[] = [];
    const total = gib(facts.total);
    const allocated = gib(facts.allocated);
    if (total !== null && allocated !== null && allocated < 0.5 * total) {
      steps.push({
        id: "held-elsewhere",
        summary: `This process holds only ${facts.allocated} of ${facts.total}: another process probably occupies the card. Check before shrinking the model.`,
        commands: ["npu-smi info"],
      });
    }
    const mbs = config?.microBatchSize ?? (await scriptMicroBatch(executor, config?.scriptPath));
    if (mbs !== undefined) {
      facts.micro_batch = String(mbs);
      facts.new_micro_batch = String(Math.max(1, Math.floor(mbs / 2)));
      if (mbs > 1 && config?.scriptPath) {
        const action = await editScriptMicroBatch(executor, config.scriptPath, Math.floor(mbs / 2));
        if (action)
          steps.push({
            id: "halve-micro-batch-edit",
            summary: `Set --micro-batch-size ${facts.new_micro_batch} in ${config.scriptPath}.`,
            action,
          });
      }
      if (mbs <= 1) f.fixes = f.fixes.filter((x) => x.id !== "halve-micro-batch");
    }
    const layout = await fittingLayout(f, facts, { executor, config, host }, total);
    const script = await readText(executor, config?.scriptPath);
    const launch = script && config?.scriptPath ? { path: config.scriptPath, text: script } : null;
    const recompute = launch ? scriptOomEdits(f, facts, launch) : [];
    const alloc = recompute.filter((x) => x.id === "alloc-conf");
    const others = recompute.filter((x) => x.id !== "alloc-conf");
    if (facts.estimate_fits === "true" && fragmented(facts)) {
      // The layout's tensors fit and the allocator holds, unallocated, more than the request: fragmentation is what
      // tipped it over, which expandable segments cure.
      return [...alloc, ...steps, ...others, ...layout];
    }
    // Reserved-but-unallocated memory smaller than the request: a defragmented allocator would still be short, so
    // the allocator setting comes after what makes the run need less.
    return [...steps, ...others, ...layout, ...alloc];
  },

  async nan_loss(f, facts, { executor, config }) {
    const text = await readText(executor, config?.scriptPath);
    if (!text || !config?.scriptPath || config.scriptPath.endsWith(".py")) return [];
    return nanLossEdits(f, facts, { path: config.scriptPath, text });
  },

  async shm_bus_error(f, facts) {
    // /dev/shm's size is set when the container starts or by a root mount: nothing apply_fix may change.
    const template = ruleById(f.rule)?.fixes.find((x) => x.id === "shm-size");
    if (!template || !f.fixes.some((x) => x.id === "shm-size")) return [];
    const fix = renderFix(template, facts);
    return [
      {
        ...fix,
        summary: `${fix.summary} This is a step on the container or the host (as root): apply_fix does not change containers or mounts.`,
      },
    ];
  },

  async torch_npu_version_mismatch(f, facts, { executor, settings }) {
    const installed = await installedStack(executor, settings);
    const release = getRelease();
    const wheel = installed.torch && installed.cann ? torchNpuWheelFor(installed.cann, installed.torch) : null;
    if (installed.torch && wheel) {
      facts.torch_version = installed.torch;
      facts.torch_npu_version = wheel;
      facts.pair_basis = `torch ${installed.torch} installed and CANN ${installed.cann} on this host`;
    } else {
      facts.torch_version = release.torch;
      facts.torch_npu_version = release.torchNpu;
      facts.pair_basis =
        `the pair MindSpeed-MM ${release.tag} is validated with (CANN ${release.cann.version}); ` +
        "`ascend-train check-env --host <host>` shows the torch, torch_npu and CANN installed";
    }
    const template = ruleById(f.rule)?.fixes.find((x) => x.id === "reinstall-pair");
    if (!template || !f.fixes.some((x) => x.id === "reinstall-pair")) return [];
    const fix = renderFix(template, facts);
    return [{ ...fix, summary: `${fix.summary} The pair: ${facts.pair_basis}.` }];
  },

  async ckpt_shape_mismatch(_f, facts, { executor, config }) {
    const converted = config?.convertedLlmPpLayers;
    if (config?.tp) facts.tp = String(config.tp);
    if (config?.llmPpLayers) facts.llm_pp_layers = `[[${config.llmPpLayers.join(",")}]]`;
    if (config?.vitPpLayers) facts.vit_pp_layers = `[[${config.vitPpLayers.join(",")}]]`;
    if (!converted) return [];
    facts.converted_llm_pp_layers = JSON.stringify(converted);
    if (config?.convertedVitPpLayers) facts.converted_vit_pp_layers = JSON.stringify(config.convertedVitPpLayers);
    const same = config?.llmPpLayers && JSON.stringify(config.llmPpLayers) === JSON.stringify(converted);
    if (same) return [];
    const action = await editPipelineLayers(executor, config?.modelJsonPath, converted);
    return action
      ? [
          {
            id: "match-split-edit",
            summary: `Use the converted split ${JSON.stringify(converted)} in ${config?.modelJsonPath}.`,
            action,
          },
        ]
      : [];
  },

  async empty_pp_stage(_f, facts, { executor, config }) {
    const split = config?.llmPpLayers;
    if (!split?.includes(0)) return [];
    const fixed = fillEmptyStages(split);
    facts.fixed_llm_pp_layers = JSON.stringify(fixed);
    const action = await editPipelineLayers(executor, config?.modelJsonPath, fixed);
    return action
      ? [
          {
            id: "every-stage-edit",
            summary: `Use ${JSON.stringify(fixed)} in ${config?.modelJsonPath}, then convert with the same split.`,
            action,
          },
        ]
      : [];
  },

  async tp_exceeds_kv_heads(_f, facts, { config }) {
    const kv = Number(facts.kv_heads ?? config?.numKvHeads ?? 0);
    const tp = Number(facts.tp ?? config?.tp ?? 0);
    if (!kv || !tp) return [];
    let best = 1;
    for (let d = 1; d <= Math.min(kv, tp); d++) if (kv % d === 0) best = d;
    facts.suggested_tp = String(best);
    return [];
  },

  async windows_line_endings(_f, facts, { executor, settings, config }) {
    // The file comes from the log's text: it is edited only when it is one the run owns (its script or configs).
    const owned = runOwnedPath(facts.file, settings?.workdir, config);
    if (!owned || !executor) return [];
    const before = await readText(executor, owned);
    if (!before?.includes("\r")) return [];
    const after = before.replace(/\r+$/gm, "");
    return [
      {
        id: "dos2unix-apply",
        summary: `Strip the carriage returns from ${owned}.`,
        action: {
          kind: "edit",
          path: owned,
          before,
          after,
          diff: lineDiff(owned, before, after),
          description: `Convert ${owned} to Unix line endings.`,
        },
      },
    ];
  },

  async pdsh_missing(_f, _facts, { executor }) {
    const apt = await probe(executor, ["sh", "-c", "command -v apt-get || command -v yum"]);
    const manager = apt?.trim().split("/").pop();
    if (manager !== "apt-get" && manager !== "yum") return [];
    return [
      {
        id: "install-apply",
        summary: `Install pdsh with ${manager} on this host (repeat on every node).`,
        action: {
          kind: "commands",
          argv: [[manager, "install", "-y", "pdsh"]],
          description: `${manager} install -y pdsh`,
        },
      },
    ];
  },
};

/**
 * The run's own file that a path read from a log names (its launch script or model config), or null. Relative
 * paths are taken from the workdir; anything else (another file, an option-like word) is never acted on.
 */
export function runOwnedPath(
  named: string | undefined,
  workdir: string | undefined,
  config?: RunContext,
): string | null {
  if (!named || named.startsWith("-")) return null;
  const abs = (p: string) => posix.normalize(p.startsWith("/") || !workdir ? p : posix.join(workdir, p));
  const mine = [config?.scriptPath, config?.modelJsonPath].filter((p): p is string => Boolean(p));
  const target = abs(named);
  return mine.find((p) => abs(p) === target) ?? null;
}

async function scriptMicroBatch(
  executor: HostExecutor | undefined,
  path: string | undefined,
): Promise<number | undefined> {
  const text = await readText(executor, path);
  const m = text ? MBS.exec(text) : null;
  return m ? Number(m[2]) : undefined;
}

const MBS = /(--micro-batch-size[ =]|^\s*(?:MBS|MICRO_BATCH_SIZE|MICRO_BATCH)=)(\d+)/m;

async function editScriptMicroBatch(
  executor: HostExecutor | undefined,
  path: string,
  value: number,
): Promise<FixAction | null> {
  const before = await readText(executor, path);
  if (!before || !MBS.test(before)) return null;
  const after = before.replace(MBS, (_, head: string) => `${head}${value}`);
  return {
    kind: "edit",
    path,
    before,
    after,
    diff: lineDiff(path, before, after),
    description: `micro batch → ${value}`,
  };
}

async function editPipelineLayers(
  executor: HostExecutor | undefined,
  path: string | undefined,
  split: number[],
): Promise<FixAction | null> {
  const before = await readText(executor, path);
  if (!before || !path) return null;
  const after = replaceJsonArray(before, ["text_decoder", "pipeline_num_layers"], split);
  if (after === null || after === before) return null;
  return {
    kind: "edit",
    path,
    before,
    after,
    diff: lineDiff(path, before, after),
    description: `text_decoder.pipeline_num_layers → ${JSON.stringify(split)}`,
  };
}

/** Every stage gets at least one layer, borrowed from the nearest stage that can spare one (sum unchanged). */
export function fillEmptyStages(split: number[]): number[] {
  const out = [...split];
  for (let i = 0; i < out.length; i++) {
    if (out[i]! > 0) continue;
    for (let d = 1; d < out.length; d++) {
      const j = [i + d, i - d].find((k) => k >= 0 && k < out.length && out[k]! > 1);
      if (j === undefined) continue;
      out[j]!--;
      out[i] = 1;
      break;
    }
  }
  return out;
}

/** A launch script as read from the host. */
interface Script {
  path: string;
  text: string;
}

/** An edit of a launch script as an apply_fix action, or null when nothing changes. */
function scriptEdit(script: Script, after: string | null, description: string): FixAction | null {
  if (after === null || after === script.text) return null;
  return {
    kind: "edit",
    path: script.path,
    before: script.text,
    after,
    diff: lineDiff(script.path, script.text, after),
    description,
  };
}

/**
 * Adds argument lines after the first line holding `anchor` inside a shell argument list (the line must continue,
 * ending in a backslash), with that line's indentation; null when no such line is found.
 */
export function addArgsAfter(text: string, anchor: RegExp, args: string[]): string | null {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => anchor.test(l) && /\\\s*$/.test(l));
  if (at === -1) return null;
  const indent = /^\s*/.exec(lines[at]!)![0];
  lines.splice(at + 1, 0, ...args.map((a) => `${indent}${a} \\`));
  return lines.join("\n");
}

/** Puts `line` right after the shebang (or at the top). */
function addAfterShebang(text: string, line: string): string {
  const lines = text.split("\n");
  lines.splice(lines[0]?.startsWith("#!") ? 1 : 0, 0, line);
  return lines.join("\n");
}

const RECOMPUTE_ARGS = ["--recompute-granularity full", "--recompute-method uniform", "--recompute-num-layers 1"];

/**
 * The out-of-memory fixes that edit a Megatron launch script: full recomputation and the allocator's expandable
 * segments. A fix the script already has in effect is dropped instead of being suggested again; facts record, each
 * on its own, whether the script has it (recompute_in_script, alloc_conf_in_script: "yes" or "no"), so that what
 * apply_fix says of a fix it no longer offers names only what is really there.
 */
function scriptOomEdits(f: Finding, facts: Record<string, string>, script: Script): FixStep[] {
  if (script.path.endsWith(".py")) return [];
  const steps: FixStep[] = [];
  const drop = (id: string) => {
    f.fixes = f.fixes.filter((x) => x.id !== id);
  };
  const hasRecompute = /--recompute-granularity[ =]+full\b/.test(script.text);
  facts.recompute_in_script = hasRecompute ? "yes" : "no";
  if (hasRecompute) drop("recompute");
  else {
    const action = scriptEdit(
      script,
      addArgsAfter(script.text, /--micro-batch-size\b/, RECOMPUTE_ARGS),
      "full activation recomputation",
    );
    if (action)
      steps.push({
        id: "recompute",
        summary: `Trade compute for memory: full activation recomputation in ${script.path} (${RECOMPUTE_ARGS.join(" ")}).`,
        action,
      });
  }
  const alloc = allocConfOf(f);
  const allocExport = `export ${alloc.env}=expandable_segments:True`;
  const hasAllocConf = new RegExp(`${alloc.env}=["']?[^\\n]*expandable_segments:True`).test(script.text);
  facts.alloc_conf_in_script = hasAllocConf ? "yes" : "no";
  if (hasAllocConf) drop("alloc-conf");
  else {
    const action = scriptEdit(script, addAfterShebang(script.text, allocExport), alloc.env);
    if (action)
      steps.push({
        id: "alloc-conf",
        summary: `Reduce fragmentation in the ${alloc.device} caching allocator: ${allocExport} at the top of ${script.path}.`,
        action,
      });
  }
  return steps;
}

const LR = /(--lr[ =]+)([0-9.]+(?:[eE][-+]?\d+)?)/;

/**
 * NaN-loss fixes in the light of the run's script: bf16 is not suggested when the script already trains in bf16 (and
 * is an edit from --fp16 when it trains in fp16), and the learning rate is halved in place.
 */
function nanLossEdits(f: Finding, facts: Record<string, string>, script: Script): FixStep[] {
  const steps: FixStep[] = [];
  const drop = (id: string) => {
    f.fixes = f.fixes.filter((x) => x.id !== id);
  };
  // A Megatron launch (torchrun of MindSpeed-MM's or Megatron's pretrain script) has no DeepSpeed to upgrade.
  if (!/deepspeed/i.test(script.text)) drop("deepspeed");
  if (/--bf16\b/.test(script.text)) {
    facts.precision = "bf16";
    drop("bf16");
    // fp16's range is not the cause: in bf16 the usual causes are the learning rate and the data.
    f.cause =
      "The run trains in bf16, so this is not fp16's narrow range: the usual causes are a learning rate too high for " +
      "this model and batch (often at the end of warmup), no gradient clipping, or samples that produce inf/NaN " +
      "(empty or very long sequences, broken images).";
  } else if (/--fp16\b/.test(script.text)) {
    facts.precision = "fp16";
    const action = scriptEdit(script, script.text.replace(/--fp16\b/, "--bf16"), "--fp16 → --bf16");
    if (action)
      steps.push({
        id: "bf16",
        summary: `The run trains in fp16, whose range overflows: switch ${script.path} to --bf16 (Atlas A2/A3 support it).`,
        action,
      });
  }
  const lr = LR.exec(script.text);
  const value = lr ? Number(lr[2]) : Number.NaN;
  if (lr && Number.isFinite(value) && value > 0) {
    const lower = (value / 2).toExponential().replace(/e([-+])(\d)$/, "e$10$2");
    facts.lr = lr[2]!;
    facts.lower_lr = lower;
    const action = scriptEdit(
      script,
      script.text.replace(LR, (_, head: string) => `${head}${lower}`),
      `--lr → ${lower}`,
    );
    const clip = /--clip-grad\b/.test(script.text) ? "" : " Also consider --clip-grad 1.0 and a warmup.";
    if (action)
      steps.push({
        id: "lr",
        summary: `Halve the learning rate in ${script.path} (--lr ${lr[2]} → ${lower}).${clip}`,
        action,
      });
  }
  return steps;
}

/** The torch and CANN versions installed on the host, read without importing torch; nulls when not known. */
async function installedStack(
  executor: HostExecutor | undefined,
  settings: HostSettings | undefined,
): Promise<{ torch: string | null; cann: string | null }> {
  if (!executor || !settings) return { torch: null, cann: null };
  const root = settings.cannRoot;
  const script = [
    hostPrelude(settings, { activatePython: true }),
    `python3 -c ${shellQuote("import importlib.metadata as m; print('torch=' + m.version('torch'))")} 2>/dev/null`,
    `cat ${shellQuote(root)}/ascend-toolkit/latest/*/ascend_toolkit_install.info ${shellQuote(root)}/cann/*/ascend_toolkit_install.info 2>/dev/null | head -n 20`,
    "true",
  ].join("\n");
  try {
    const r = await executor.runScript(script, { timeoutMs: PROBE_MS, maxOutputBytes: 64 * 1024 });
    const torch = /^torch=(\S+)/m.exec(r.stdout)?.[1] ?? null;
    const cann = /^version=(\S+)/m.exec(r.stdout)?.[1] ?? null;
    return { torch, cann };
  } catch {
    return { torch: null, cann: null };
  }
}

/** Fills in facts from the host and run, re-renders the fixes and adds concrete actions. Never changes the host. */
export async function refineFindings(findings: Finding[], deps: RefineDeps): Promise<Finding[]> {
  for (const f of findings) {
    const rule = ruleById(f.rule);
    if (!rule) continue;
    const facts = { ...f.facts };
    if (deps.settings) {
      facts.cann_root ??= deps.settings.cannRoot;
      if (deps.settings.workdir) facts.workdir ??= deps.settings.workdir;
    }
    const refine = refiners[f.category];
    const extra = refine ? await refine(f, facts, deps) : [];
    // A concrete step replaces the generic fix of the same id (one "kill-holder", the one naming the PID). The others
    // are re-rendered from the rule's templates with the new facts; a fix no template has (one in CUDA's words) stays.
    const kept = f.fixes.filter((x) => !extra.some((e) => e.id === x.id));
    f.facts = facts;
    f.fixes = [
      ...extra,
      ...kept.map((x) => {
        const template = rule.fixes.find((t) => t.id === x.id);
        return template ? renderFix(template, facts) : x;
      }),
    ];
    // Re-rendered from the rule: a GPU out-of-memory's fixes are named after its stack again (PYTORCH_CUDA_ALLOC_CONF).
    const stack = /^Device out of memory \((\w+)\)/.exec(f.title)?.[1];
    if (stack) retitleForStack(f, stack);
  }
  return findings;
}
