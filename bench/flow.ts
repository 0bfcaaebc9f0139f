// The whole fine-tune from an empty simulated host (driver and CANN only) to a running job, as a chat: a local
// Messages API standing in for the model, the in-process agent loop, the person's "y" typed at its terminal. The
// model asks plan_finetune first and then calls every step the plan marks todo, in the plan's order, completing the
// suggested arguments from earlier results as a model would; so the number of tool calls is the plan's, not a
// script's. Counted against the manual flow of the MindSpeed-MM qwen2.5vl README (every command a person types, hand
// edits included), and timed against the same tool calls made directly, without the model loop, on a second empty
// host. Over SSH when the test sshd runs, else on a local simulated host.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { AuditEntry } from "../src/hosts/audit.js";
import type { HostSettings } from "../src/hosts/inventory.js";
import { HostRegistry } from "../src/hosts/registry.js";
import { layOutSim, stopSimProcesses } from "../src/sim/index.js";
import { allTools } from "../src/tools/index.js";
import { invokeTool } from "../src/tools/invoke.js";
import {
  type FakeAnthropic,
  lastToolResults,
  type RecordedRequest,
  startFakeAnthropic,
  type Turn,
} from "../test/helpers/fake-anthropic.js";
import {
  driveChat,
  FLOW_MODEL,
  type FlowCall,
  type FlowLog,
  type FlowOptions,
  writeFlowData,
} from "../test/helpers/finetune-flow.js";
import { ratioResult } from "./measure.js";
import { benchSsh } from "./ssh-env.js";
import type { BenchResult } from "./types.js";

/**
 * What a person types for the same result by hand, MindSpeed-MM v26.1.0, Qwen2.5-VL-3B, one node: the install recipe
 * (facts §f), the LLaVA → MLLM conversion (§d), the weight conversion (§b), the config edits and the launch of the
 * qwen2.5vl README flow. `edit: true` marks a file edited by hand.
 */
export const MANUAL_FLOW: { command: string; edit?: true }[] = [
  { command: "git clone --branch v26.1.0 https://gitcode.com/Ascend/MindSpeed-MM.git" },
  { command: "git clone https://github.com/NVIDIA/Megatron-LM.git" },
  { command: "cd Megatron-LM && git checkout core_v0.12.1" },
  { command: "cp -r megatron ../MindSpeed-MM/" },
  { command: "cd ../MindSpeed-MM && mkdir -p logs data ckpt" },
  { command: "git clone https://gitcode.com/Ascend/MindSpeed.git" },
  { command: "cd MindSpeed && git checkout 26.1.0_core_r0.12.1" },
  { command: "pip install -e .  # MindSpeed" },
  { command: "pip install torch==2.7.1" },
  { command: "pip install torch_npu==2.7.1.post8" },
  { command: "cd ../MindSpeed-MM && pip install -e ." },
  { command: "source /usr/local/Ascend/cann/set_env.sh" },
  { command: "huggingface-cli download Qwen/Qwen2.5-VL-3B-Instruct --local-dir ckpt/hf_path/Qwen2.5-VL-3B-Instruct" },
  {
    command:
      "python mindspeed_mm/fsdp/tools/data_tool/llava_instruct_2_mllm_demo_format.py --llava_json_path … --output_json_path …",
  },
  {
    command:
      "mm-convert Qwen2_5_VLConverter hf_to_mm --cfg.mm_dir ckpt/mm_path/Qwen2.5-VL-3B-Instruct " +
      "--cfg.hf_config.hf_dir ckpt/hf_path/Qwen2.5-VL-3B-Instruct --cfg.parallel_config.llm_pp_layers [[36]] " +
      "--cfg.parallel_config.vit_pp_layers [[32]] --cfg.parallel_config.tp_size 1",
  },
  { command: "edit examples/qwen2.5vl/data_3b.json: preprocess_parameters.model_name_or_path", edit: true },
  { command: "edit examples/qwen2.5vl/data_3b.json: basic_parameters.dataset_dir", edit: true },
  { command: "edit examples/qwen2.5vl/data_3b.json: basic_parameters.dataset", edit: true },
  { command: "edit examples/qwen2.5vl/model_3b.json: pipeline_num_layers as converted", edit: true },
  { command: "edit examples/qwen2.5vl/finetune_qwen2_5_vl_3b.sh: NPUS_PER_NODE, LOAD_PATH, SAVE_PATH", edit: true },
  { command: "bash examples/qwen2.5vl/finetune_qwen2_5_vl_3b.sh" },
];

const HOST = "flow";
/** The product's goal: from an empty host to a running job in at most this many tool calls. */
const GOAL_CALLS = 6;
const GOAL_CALL_RATIO = Math.round((GOAL_CALLS / MANUAL_FLOW.length) * 100) / 100;
/** Per simulated training step: the run is up in well under a second. */
const STEP_SECONDS = "0.05";

interface Sim {
  base: string;
  dir: string;
  settings: HostSettings;
  owner: string | undefined;
}

async function emptyHost(ssh: ReturnType<typeof benchSsh>): Promise<Sim> {
  const base = mkdtempSync(join(tmpdir(), "bench-flow-"));
  chmodSync(base, 0o755);
  const dir = join(base, "host");
  // Handing the sim to the SSH login user needs chown, so root only.
  const user = ssh && process.getuid?.() === 0 ? ssh.user : undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, user!], { encoding: "utf8" }).trim());
  const laid = await layOutSim(dir, {
    scenario: "bare",
    name: HOST,
    ...(user ? { owner: { uid: id("-u"), gid: id("-g") } } : {}),
  });
  const local = { ...laid.hostSettings, env: { ...laid.hostSettings.env, ASCEND_SIM_STEP_SECONDS: STEP_SECONDS } };
  return { base, dir, settings: ssh ? ssh.settings(local) : local, owner: user };
}

type Json = Record<string, unknown>;

interface PlanStep {
  tool: string;
  status: "done" | "todo" | "skip" | "blocked" | "unknown";
  detail: string;
  args: Json;
}

const MARKER = "Structured result (JSON):\n";

/** The structured result of the call the request answers; a failed call stops the conversation. */
function structuredResult(req: RecordedRequest, log: FlowLog): Json {
  const [result] = lastToolResults(req);
  const call = log.calls.at(-1);
  if (!result || !call) throw new Error("expected a tool result in the last message");
  if (result.isError) throw new Error(`${call.name} failed: ${result.text}`);
  const text = result.text.replace(/(\n\[image\])+$/, "");
  const at = text.lastIndexOf(MARKER);
  if (at < 0) throw new Error(`${call.name}: no structured result in ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text.slice(at + MARKER.length)) as Json;
  log.results[call.name] = parsed;
  return parsed;
}

/**
 * The plan's suggested arguments, completed from what the conversation already knows: the person's weights
 * directory, earlier results (the prepared dataset, the converted checkpoint, the launch script, the run id), and
 * `confirm: true` for a tool that changes the host (the chat asks the person before it runs).
 */
function completeArgs(step: PlanStep, o: FlowOptions, log: FlowLog): Json {
  const done = log.results;
  const prepared = done.prepare_dataset?.output as string | undefined;
  const tool = allTools.find((t) => t.name === step.tool);
  if (!tool) throw new Error(`the plan names ${step.tool}, which this server does not have`);
  const args: Json = { ...step.args, ...(tool.kind === "destructive" ? { confirm: true } : {}) };
  switch (step.tool) {
    case "prepare_dataset": {
      const input = String(args.input);
      return { ...args, output: args.output ?? join(dirname(input), `mllm_${basename(input)}`) };
    }
    case "validate_dataset":
      return { ...args, ...(prepared ? { path: prepared } : {}) };
    case "convert_weights":
      return { ...args, hfDir: o.hfDir };
    case "build_configs": {
      const dataset = prepared ?? String(args.dataset);
      const ckpt = done.convert_weights?.output as string | undefined;
      return { ...args, dataset, datasetDir: dirname(dataset), hfDir: o.hfDir, ...(ckpt ? { ckptDir: ckpt } : {}) };
    }
    case "launch_train": {
      const files = (done.build_configs?.files ?? []) as { role: string; path: string }[];
      const script = files.find((f) => f.role === "launch-script")?.path;
      return { ...args, ...(script ? { script } : {}) };
    }
    case "tail_logs":
      return { ...args, runId: log.runId ?? args.runId, followSeconds: o.followSeconds ?? 1, lines: 5 };
    default:
      return args;
  }
}

/**
 * The model's turns: plan_finetune, then one call per step the plan marks todo, in order, then a summary. A step
 * the plan marks blocked or unknown stops the conversation: an empty host with the person's data should have none.
 */
function planDrivenTurns(o: FlowOptions, log: FlowLog, fake: FakeAnthropic): Turn[] {
  let queue: PlanStep[] | null = null;
  const next = (req: RecordedRequest) => {
    const last = log.calls.at(-1)!;
    const result = structuredResult(req, log);
    if (last.name === "plan_finetune") {
      const steps = result.steps as PlanStep[];
      const stuck = steps.filter((st) => st.status === "blocked" || st.status === "unknown");
      if (stuck.length)
        throw new Error(`plan_finetune: ${stuck.map((st) => `${st.tool} ${st.status}: ${st.detail}`).join("; ")}`);
      queue = steps.filter((st) => st.status === "todo");
    }
    if (last.name === "install_stack" && result.status !== "installed") {
      throw new Error(`install_stack ended ${String(result.status)}`);
    }
    if (last.name === "launch_train") {
      if (result.started !== true) throw new Error("launch_train did not start the run");
      log.runId = String(result.runId);
    }
    const step = queue!.shift();
    if (!step) {
      return { text: `Run ${log.runId} is started on ${o.host}. Follow it with tail_logs; stop it with stop_run.` };
    }
    const input = completeArgs(step, o, log);
    log.calls.push({ name: step.tool, input });
    fake.push(next);
    return { text: `Next in the plan: ${step.tool} (${step.detail}).`, tools: [{ name: step.tool, input }] };
  };
  return [
    () => {
      const input = { host: o.host, model: o.model ?? FLOW_MODEL, dataset: o.dataset };
      log.calls.push({ name: "plan_finetune", input });
      return { text: "First, what the host already has.", tools: [{ name: "plan_finetune", input }] };
    },
    next,
  ];
}

/** Peak resident set of this process while `work` runs, MB (sampled every 50 ms). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peakRssMb: Math.round(peak / 1024 / 102.4) / 10 };
  } finally {
    clearInterval(timer);
  }
}

/** The chat from the person's request until launch_train's result: tool calls, time, and host writes by tool. */
async function agentFlow(sim: Sim, auditFile: string) {
  const data = await writeFlowData(sim.dir, sim.owner);
  const hosts = new HostRegistry({ file: null, hosts: { [HOST]: sim.settings } });
  const fake = await startFakeAnthropic();
  const transcript = join(sim.base, "chat.jsonl");
  const started = Date.now();
  try {
    const flow: FlowOptions = { ...data, host: HOST, followSeconds: 1 };
    const run = await driveChat({ fake, hosts, transcript, flow, turns: (log) => planDrivenTurns(flow, log, fake) });
    if (run.code !== 0) throw new Error(`chat exited ${run.code}: ${run.stderr.slice(-500)}`);
    const events = readFileSync(transcript, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { time: string; type: string; name?: string });
    const launched = events.find((e) => e.type === "tool_result" && e.name === "launch_train");
    if (!launched || !run.log.runId) throw new Error("the conversation did not launch a run");
    const names = run.log.calls.map((c) => c.name);
    const toRunning = run.log.calls.slice(0, names.indexOf("launch_train") + 1);
    // A hand edit is any host write no tool call of the conversation made.
    const writes = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEntry)
      .filter((e) => e.op === "write" && e.host === HOST);
    const plan = (run.log.results.plan_finetune?.steps ?? []) as PlanStep[];
    return {
      calls: toRunning,
      planned: plan.filter((st) => st.status === "todo").map((st) => st.tool),
      called: names.slice(1),
      ms: Date.parse(launched.time) - started,
      handEdits: writes.filter((w) => !w.tool || !names.includes(w.tool)).length,
      confirmed: run.asked.length,
    };
  } finally {
    await fake.close();
    await hosts.closeAll();
  }
}

/** The same calls with the same arguments, straight through invokeTool on another empty host: no model, no terminal. */
async function directFlow(sim: Sim, calls: FlowCall[], agentDir: string): Promise<number> {
  await writeFlowData(sim.dir, sim.owner);
  const hosts = new HostRegistry({ file: null, hosts: { [HOST]: sim.settings } });
  const started = Date.now();
  try {
    for (const call of calls) {
      const tool = allTools.find((t) => t.name === call.name)!;
      const args = JSON.parse(JSON.stringify(call.input).replaceAll(agentDir, sim.dir));
      const outcome = await invokeTool(tool, args, {
        hosts,
        now: () => new Date(),
        signal: new AbortController().signal,
        progress: () => undefined,
        log: () => undefined,
      });
      if (!outcome.ok) throw new Error(`${call.name} failed directly: ${outcome.error}`);
    }
    return Date.now() - started;
  } finally {
    await hosts.closeAll();
  }
}

export async function benchFlow(): Promise<BenchResult[]> {
  const ssh = benchSsh();
  const auditFile = join(mkdtempSync(join(tmpdir(), "bench-flow-audit-")), "audit.jsonl");
  const savedAudit = process.env.ASCEND_TRAIN_AUDIT_LOG;
  process.env.ASCEND_TRAIN_AUDIT_LOG = auditFile;
  const sims: Sim[] = [];
  const fresh = async () => {
    const sim = await emptyHost(ssh);
    sims.push(sim);
    return sim;
  };
  try {
    // agent, direct, direct, agent: a warming disk cache or a drifting machine favours neither side.
    const agentRuns: Awaited<ReturnType<typeof agentFlow>>[] = [];
    const directMs: number[] = [];
    const peak = { agent: 0, direct: 0 };
    let calls: FlowCall[] = [];
    let agentDir = "";
    for (const side of ["agent", "direct", "direct", "agent"] as const) {
      const sim = await fresh();
      if (side === "agent") {
        const run = await withPeakRss(() => agentFlow(sim, auditFile));
        agentRuns.push(run.value);
        peak.agent = Math.max(peak.agent, run.peakRssMb);
        if (!agentDir) [calls, agentDir] = [run.value.calls, sim.dir];
      } else {
        const run = await withPeakRss(() => directFlow(sim, calls, agentDir));
        directMs.push(run.value);
        peak.direct = Math.max(peak.direct, run.peakRssMb);
      }
      // The run holds the simulated NPUs and MASTER_PORT: stop it before the next host starts one.
      await stopSimProcesses(sim.dir).catch(() => undefined);
    }
    const agent = agentRuns[0]!;
    const manualEdits = MANUAL_FLOW.filter((c) => c.edit).length;
    const handEdits = Math.max(...agentRuns.map((r) => r.handEdits));
    const callCounts = agentRuns.map((r) => r.calls.length);
    const followedPlan = agentRuns.every((r) => r.called.join() === r.planned.join());
    const where = ssh ? "over SSH" : "local, no sshd";
    return [
      ratioResult({
        name: `fine-tune flow: tool calls the plan asks for, empty host → running job vs manual commands (${where})`,
        ours: [Math.max(...callCounts)],
        base: [MANUAL_FLOW.length],
        unit: "steps",
        peakRssMb: peak.agent,
        goal: `≤ ${GOAL_CALLS} tool calls (ratio ≤ ${GOAL_CALL_RATIO}) and 0 hand edits`,
        maxRatio: GOAL_CALL_RATIO,
        checks: [
          { what: `hand edits: ${handEdits}`, ok: handEdits === 0 },
          { what: "every step the plan marked todo was called, in its order, and nothing else", ok: followedPlan },
        ],
        note:
          `${agent.calls.map((c) => c.name).join(" → ")} (plan_finetune marked todo: ${agent.planned.join(", ")}); ` +
          `hand edits ${handEdits} (manual: ${manualEdits}); y/N confirmations ${agent.confirmed}; ` +
          `calls per chat ${callCounts.join(", ")}`,
      }),
      ratioResult({
        name: `fine-tune flow: wall time, empty host → running job, chat vs the same calls made directly (${where})`,
        ours: agentRuns.map((r) => r.ms),
        base: directMs,
        peakRssMb: peak.agent,
        baselinePeakRssMb: peak.direct,
        goal: "ratio ≤ 1.2 (the model loop adds little)",
        maxRatio: 1.2,
        note: "median of two runs each (agent, direct, direct, agent); the model's replies come from a local fake of the Messages API, so model latency is not in it",
      }),
    ];
  } finally {
    if (savedAudit === undefined) delete process.env.ASCEND_TRAIN_AUDIT_LOG;
    else process.env.ASCEND_TRAIN_AUDIT_LOG = savedAudit;
    for (const sim of sims) {
      await stopSimProcesses(sim.dir).catch(() => undefined);
      rmSync(sim.base, { recursive: true, force: true });
    }
    rmSync(join(auditFile, ".."), { recursive: true, force: true });
  }
}
