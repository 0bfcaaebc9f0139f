// The chat agent fine-tunes from an empty host: an interactive `ascend-train chat` in-process, a local Messages API
// scripted the way a model would act, and a simulated Ascend host (nothing installed) reached over SSH. The person
// answers every y/N; nothing destructive runs before the answer, and a "no" leaves the host as it was.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditEntry } from "../../src/hosts/audit.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { readSimState } from "../../src/sim/index.js";
import { allTools } from "../../src/tools/index.js";
import { invokeTool } from "../../src/tools/invoke.js";
import { callTool, type FakeAnthropic, lastToolResults, say, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import {
  driveChat,
  FLOW_DESTRUCTIVE,
  type FlowData,
  type FlowOptions,
  writeFlowData,
} from "../helpers/finetune-flow.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims } from "../helpers/sim-host.js";

const env = readSshTestEnv();
const dir = mkdtempSync(join(tmpdir(), "agent-finetune-"));
const auditFile = join(dir, "audit.jsonl");

type Event = { type: string; tool?: string; name?: string; answer?: string; isError?: boolean };
const events = (file: string) =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Event);
const audit = () =>
  existsSync(auditFile)
    ? readFileSync(auditFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as AuditEntry)
    : [];

describe.skipIf(!env)("chat agent: empty simulated host to a running fine-tune over SSH", () => {
  let sim: SshSim;
  let data: FlowData;
  let fake: FakeAnthropic;
  let hosts: HostRegistry;
  let flow: FlowOptions;
  let workdir: string;

  const tool = (name: string, args: Record<string, unknown>) =>
    invokeTool(allTools.find((t) => t.name === name)!, args, {
      hosts,
      now: () => new Date(),
      signal: new AbortController().signal,
      progress: () => undefined,
      log: () => undefined,
    });

  beforeAll(async () => {
    vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", auditFile);
    sim = await sshSim(env!, "agent-ft", "bare", { ASCEND_SIM_STEP_SECONDS: "0.05" });
    data = await writeFlowData(sim.dir, env!.user);
    workdir = sim.settings.workdir!;
    flow = { ...data, host: sim.name, followSeconds: 2 };
    hosts = new HostRegistry({ file: null, hosts: { [sim.name]: sim.settings } });
    fake = await startFakeAnthropic();
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await hosts?.closeAll();
    await fake?.close();
    await stopSims(sim ? [sim] : []);
  });

  it("a declined install does not run: the model is told, the host stays empty", async () => {
    const transcript = join(dir, "declined.jsonl");
    const run = await driveChat({
      fake,
      hosts,
      flow,
      transcript,
      answer: () => "n",
      until: /nothing was installed/,
      turns: (log) => [
        () => {
          log.calls.push({ name: "install_stack", input: { host: sim.name, confirm: true } });
          return callTool("install_stack", { host: sim.name, confirm: true }, "The stack is missing: installing it.");
        },
        (req) => {
          const [declined] = lastToolResults(req);
          expect(declined?.isError).toBe(true);
          expect(declined?.text).toMatch(/declined.*did not run/);
          return say("Understood: nothing was installed. Tell me when you want to go on.");
        },
      ],
    });
    expect(run.code).toBe(0);
    expect(run.asked).toEqual(["install_stack"]);
    expect(run.stderr).toMatch(/\? .*install_stack host=agent-ft confirm=true\n {4}Run it\? \[y\/N\] /);
    expect(existsSync(workdir)).toBe(false);
    expect(audit().filter((e) => e.tool === "install_stack")).toEqual([]);
    const consent = events(transcript).filter((e) => e.type === "consent");
    expect(consent).toMatchObject([{ tool: "install_stack", answer: "no" }]);
    expect(fake.remaining()).toBe(0);
    fake.reset();
  }, 30_000);

  it("plans, installs, converts data and weights, writes configs and launches with the person's y each time", async () => {
    const transcript = join(dir, "finetune.jsonl");
    // What the host looked like while each question was waiting for its answer.
    const whileAsked: Record<string, unknown> = {};
    const run = await driveChat({
      fake,
      hosts,
      flow,
      transcript,
      beforeAnswer: async (name, log) => {
        const input = log.calls.at(-1)!.input;
        if (name === "install_stack") whileAsked[name] = existsSync(workdir);
        if (name === "convert_weights") whileAsked[name] = existsSync(join(workdir, String(input.ckptDir)));
        if (name === "launch_train") whileAsked[name] = (await readSimState(sim.dir)).holders.length;
      },
    });
    expect(run.code, run.stderr).toBe(0);

    // Asked before each destructive call, and nothing had happened yet when asked.
    expect(run.asked).toEqual([...FLOW_DESTRUCTIVE]);
    expect(whileAsked).toEqual({ install_stack: false, convert_weights: false, launch_train: 0 });
    const ev = events(transcript);
    for (const name of FLOW_DESTRUCTIVE) {
      const consent = ev.findIndex((e) => e.type === "consent" && e.tool === name);
      const result = ev.findIndex((e) => e.type === "tool_result" && e.name === name);
      expect(ev[consent]?.answer, name).toBe("yes");
      expect(consent, `${name} asked before it ran`).toBeLessThan(result);
      expect(ev[result]?.isError, name).toBe(false);
    }

    // From an empty host to a running job in six tool calls.
    const names = run.log.calls.map((c) => c.name);
    const toRunning = names.slice(0, names.indexOf("launch_train") + 1);
    expect(toRunning).toEqual([
      "plan_finetune",
      "install_stack",
      "prepare_dataset",
      "convert_weights",
      "build_configs",
      "launch_train",
    ]);
    expect(toRunning.length).toBeLessThanOrEqual(6);
    expect(names.at(-1)).toBe("tail_logs");
    expect(run.stdout).toMatch(new RegExp(`Run ${run.log.runId} is running on agent-ft: iteration \\d+/10000`));

    // Zero hand edits: every file written on the host came from one of those tool calls, and the configs point at
    // what the earlier calls produced.
    const writes = audit().filter((e) => e.op === "write" || e.op === "spawn");
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(names, w.command).toContain(w.tool);
    const prepared = String(run.log.results.prepare_dataset?.output);
    const ckpt = String(run.log.results.convert_weights?.output);
    const files = run.log.results.build_configs?.files as { role: string; path: string }[];
    const dataConfig = JSON.parse(readFileSync(files.find((f) => f.role === "data-config")!.path, "utf8"));
    expect(dataConfig.dataset_param.basic_parameters.dataset).toBe(prepared);
    expect(dataConfig.dataset_param.preprocess_parameters.model_name_or_path).toBe(data.hfDir);
    expect(readFileSync(run.log.script!, "utf8")).toContain(ckpt);

    // The run is really going on the host: the ledger has it running, the sim holds its process, the log shows the
    // converted checkpoint loaded and iterations going.
    const runs = await tool("list_runs", { host: sim.name });
    if (!runs.ok) throw new Error(runs.error);
    const listed = runs.result.runs as { runId: string; state: string; script: string }[];
    expect(listed.find((r) => r.runId === run.log.runId)).toMatchObject({ state: "running", script: run.log.script });
    expect((await readSimState(sim.dir)).holders.length).toBeGreaterThan(0);
    const logFile = String(run.log.results.tail_logs?.logFile);
    const trainLog = readFileSync(logFile, "utf8");
    expect(trainLog).toContain(`successfully loaded checkpoint from ${ckpt}`);
    expect(trainLog).toMatch(/ iteration +\d+\/ +10000 \|/);
    expect(trainLog).not.toMatch(/Traceback|\w+Error:/);

    const stopped = await tool("stop_run", { runId: run.log.runId, confirm: true });
    expect(stopped.ok, stopped.ok ? "" : stopped.error).toBe(true);
    expect((await readSimState(sim.dir)).holders).toEqual([]);
    expect(fake.remaining()).toBe(0);
  }, 150_000);
});
