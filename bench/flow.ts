// The whole fine-tune from an empty simulated host (driver and CANN only) to a running job, as a chat: a local
// Messages API scripted the way a model acts, the in-process agent loop, the person's "y" typed at its terminal.
// Counted against the manual flow of the MindSpeed-MM qwen2.5vl README (every command a person types, hand edits
// included), and timed against the same tool calls made directly, without the model loop, on a second empty host.
// Over SSH when the test sshd runs, else on a local simulated host.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditEntry } from "../src/hosts/audit.js";
import type { HostSettings } from "../src/hosts/inventory.js";
import { HostRegistry } from "../src/hosts/registry.js";
import { layOutSim, stopSimProcesses } from "../src/sim/index.js";
import { allTools } from "../src/tools/index.js";
import { invokeTool } from "../src/tools/invoke.js";
import { startFakeAnthropic } from "../test/helpers/fake-anthropic.js";
import { driveChat, type FlowCall, writeFlowData } from "../test/helpers/finetune-flow.js";
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
    const run = await driveChat({ fake, hosts, transcript, flow: { ...data, host: HOST, followSeconds: 1 } });
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
    return {
      calls: toRunning,
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
    const where = ssh ? "over SSH" : "local, no sshd";
    return [
      ratioResult({
        name: `fine-tune flow: tool calls, empty host → running job vs manual commands (${where})`,
        ours: [agent.calls.length],
        base: [MANUAL_FLOW.length],
        unit: "steps",
        peakRssMb: peak.agent,
        goal: "≤ 6 tool calls and 0 hand edits",
        note:
          `${agent.calls.map((c) => c.name).join(" → ")}; hand edits ${Math.max(...agentRuns.map((r) => r.handEdits))} ` +
          `(manual: ${manualEdits}); y/N confirmations ${agent.confirmed}`,
      }),
      ratioResult({
        name: `fine-tune flow: wall time, empty host → running job, chat vs the same calls made directly (${where})`,
        ours: agentRuns.map((r) => r.ms),
        base: directMs,
        peakRssMb: peak.agent,
        baselinePeakRssMb: peak.direct,
        goal: "ratio ≤ 1.2 (the model loop adds little)",
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
