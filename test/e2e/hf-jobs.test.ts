// TRL as Hugging Face Jobs, end to end against the local stand-in of the Jobs API (test/helpers/hf-jobs-server.ts),
// whose jobs really run the script the product sends with the simulated CUDA host's Python: check_env asks the Hub
// about the token, namespace and flavors; build_configs writes the PEP 723 script with a flavor and cost estimate;
// launch_train plans, then creates the job and records its id; list_runs and tail_logs follow the job's stage and
// log; stop_run cancels; a job that runs out of CUDA memory is failed and diagnosed; a job past its timeout fails.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SCRIPT_ENV } from "../../src/runs/hf-jobs-launch.js";
import { createServer } from "../../src/server.js";
import { layOutCudaSim } from "../../src/sim/index.js";
import buildConfigs from "../../src/tools/build-configs.js";
import checkEnv from "../../src/tools/check-env.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import launchTrain from "../../src/tools/launch-train.js";
import listRuns from "../../src/tools/list-runs.js";
import resumeRun from "../../src/tools/resume-run.js";
import stopRun from "../../src/tools/stop-run.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";
import { type HfJobsStandIn, startHfJobsStandIn } from "../helpers/hf-jobs-server.js";

const DATASETS = {
  sft: {
    id: "trl-lib/Capybara",
    rows: [
      {
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello." },
        ],
      },
    ],
  },
  dpo: {
    id: "trl-lib/ultrafeedback_binarized",
    rows: [{ prompt: "The sky is", chosen: " blue.", rejected: " green." }],
  },
  grpo: { id: "trl-lib/DeepMath-103K", rows: [{ prompt: "What is 2 + 2?" }] },
} as const;

let base: string;
let standIn: HfJobsStandIn;
let hosts: HostRegistry;
let clock = Date.parse("2026-12-02T12:00:00Z");
const deps = (): ToolDeps => ({
  hosts,
  now: () => {
    clock += 1000;
    return new Date(clock);
  },
  progress: () => undefined,
  log: () => undefined,
});

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "hf-jobs-e2e-"));
  const sim = await layOutCudaSim(join(base, "sim"));
  standIn = await startHfJobsStandIn({
    simDir: sim.dir,
    stepSeconds: 0.02,
    schedulingMs: 100,
    hubDatasets: Object.fromEntries(Object.values(DATASETS).map((d) => [d.id, [...d.rows]])),
  });
  const tokenFile = join(base, "token");
  writeFileSync(tokenFile, `${standIn.token}\n`);
  const badTokenFile = join(base, "bad-token");
  writeFileSync(badTokenFile, "hf_not_a_valid_token\n");
  const host = (name: string, hfJobs: Record<string, unknown>) => {
    mkdirSync(join(base, name), { recursive: true });
    return HostSettingsSchema.parse({
      accelerator: "hf-jobs",
      workdir: join(base, name),
      hfJobs: { endpoint: standIn.url, tokenFile, flavor: "a10g-large", timeout: "1h", ...hfJobs },
    });
  };
  hosts = new HostRegistry({
    file: null,
    hosts: {
      hub: host("hub", {}),
      "hub-bad-token": host("hub-bad-token", { tokenFile: badTokenFile }),
      "hub-other-ns": host("hub-other-ns", { namespace: "someone-else" }),
      "hub-down": host("hub-down", { endpoint: "http://127.0.0.1:9" }),
    },
  });
}, 90_000);

afterAll(async () => {
  await standIn?.close();
  rmSync(base, { recursive: true, force: true });
});

async function build(method: "sft" | "dpo" | "grpo", extra: Record<string, unknown> = {}, host = "hub") {
  return buildConfigs.handle(
    buildConfigs.input.parse({
      host,
      trainer: "trl",
      method,
      model: "Qwen/Qwen2.5-0.5B-Instruct",
      dataset: DATASETS[method].id,
      trainIters: 6,
      hubModelId: `${standIn.user}/qwen-${method}`,
      overwrite: true,
      ...extra,
    }),
    deps(),
  );
}

async function launch(script: string, env: Record<string, string> = {}, host = "hub") {
  const plan = await launchTrain.handle(launchTrain.input.parse({ host, script, env }), deps());
  expect(plan.preflightOk).toBe(true);
  expect(plan.started).toBe(false);
  const run = await launchTrain.handle(
    launchTrain.input.parse({ host, script, env, confirm: true, runId: plan.runId }),
    deps(),
  );
  expect(run.started).toBe(true);
  expect(run.runId).toBe(plan.runId);
  return run;
}

async function waitUntilDone(runId: string) {
  const end = Date.now() + 30_000;
  for (;;) {
    const t = await tailLogs.handle(tailLogs.input.parse({ runId }), deps());
    if (t.state === "finished" || t.state === "failed") return t;
    if (Date.now() > end) throw new Error(`run ${runId} still ${t.state}: ${t.stateReason}`);
    await sleep(300);
  }
}

describe("TRL as Hugging Face Jobs", () => {
  it("check_env: the token is valid, the namespace allowed, the flavor listed with its price", async () => {
    const r = await checkEnv.handle(checkEnv.input.parse({ host: "hub" }), deps());
    expect(r.ok).toBe(true);
    expect(r.hfJobs).toMatchObject({ user: standIn.user, namespace: standIn.user, flavor: "a10g-large" });
    expect(r.hfJobs?.namespaces).toEqual([standIn.user, ...standIn.orgs]);
    expect(r.hfJobs?.flavors.find((f) => f.name === "a10g-large")).toMatchObject({
      gpus: "1x A10G (24 GB)",
      usdPerHour: 1.5,
    });
    expect(checkEnv.summarize(r)).toContain(`namespace ${standIn.user}, flavor a10g-large`);
  });

  it("check_env: a rejected token and a foreign namespace are errors with their fix", async () => {
    const bad = await checkEnv.handle(checkEnv.input.parse({ host: "hub-bad-token" }), deps());
    expect(bad.ok).toBe(false);
    expect(bad.findings[0]).toMatchObject({ id: "hf-token-invalid", severity: "error" });
    expect(bad.findings[0]?.fix).toContain("hf auth login");
    const other = await checkEnv.handle(checkEnv.input.parse({ host: "hub-other-ns" }), deps());
    expect(other.findings.find((f) => f.id === "hf-namespace")?.fix).toContain(standIn.orgs[0]!);
  });

  it("build_configs prices the flavor and refuses a dataset file from this machine", async () => {
    const built = await build("sft", { flavor: "h200", jobTimeout: "90m" });
    expect(built.hfJobs).toMatchObject({ flavor: "h200", usdPerHour: 5, timeoutSeconds: 5400, costCeilingUsd: 7.5 });
    expect(built.parameters).toMatchObject({ npusPerNode: 1, entry: "Hugging Face job (uv run)" });
    expect(buildConfigs.summarize(built)).toContain("at most $7.50");
    const sidecar = JSON.parse(readFileSync(built.files[0]!.path.replace(/\.py$/, ".hf-job.json"), "utf8"));
    expect(sidecar).toMatchObject({ flavor: "h200", timeoutSeconds: 5400 });
    const local = await build("sft", { dataset: join(base, "data.jsonl") }).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(ToolError);
    expect((local as Error).message).toContain("cannot read it");
    const unknown = await build("sft", { flavor: "tpu-v9" }).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/not a Hugging Face Jobs flavor.*a10g-large \(\$1\.50\/h\)/);
  });

  for (const method of ["sft", "dpo", "grpo"] as const) {
    it(`${method}: build_configs → launch_train → list_runs → tail_logs → finished`, async () => {
      const built = await build(method);
      expect(built.written).toBe(true);
      expect(built.hfJobs).toMatchObject({ flavor: "a10g-large", timeoutSeconds: 3600, costCeilingUsd: 1.5 });
      const script = built.files[0]!.path;
      const scriptText = readFileSync(script, "utf8");
      expect(scriptText).toContain("# /// script");

      const plan = await launchTrain.handle(launchTrain.input.parse({ host: "hub", script }), deps());
      expect(plan.checks.map((c) => `${c.id}:${c.ok}`)).toEqual(
        expect.arrayContaining(["script:true", "hf-token:true", "hf-namespace:true", "hf-flavor:true"]),
      );
      expect(plan.hfJob).toMatchObject({
        jobId: null,
        namespace: standIn.user,
        flavor: "a10g-large",
        costCeilingUsd: 1.5,
      });
      expect(plan.plan?.wrapperScript).toContain('"HF_TOKEN": "***"');
      expect(plan.plan?.wrapperScript).not.toContain(standIn.token);
      expect(launchTrain.summarize(plan)).toContain(
        `Hugging Face job in ${standIn.user} on a10g-large, stopped after 3600 s: at most $1.50`,
      );

      const run = await launch(script);
      const jobId = run.hfJob?.jobId;
      expect(jobId).toMatch(/^[0-9a-f]{24}$/);
      expect(run.hfJob?.url).toBe(`${standIn.url}/jobs/${standIn.user}/${jobId}`);
      // What went over the wire: the script itself, the token as a secret, the flavor and the timeout.
      const sent = standIn.jobs.get(jobId!)!.spec;
      expect(Buffer.from(sent.environment[SCRIPT_ENV]!, "base64").toString("utf8")).toBe(scriptText);
      expect(sent).toMatchObject({ flavor: "a10g-large", timeoutSeconds: 3600, secrets: { HF_TOKEN: standIn.token } });
      expect(sent.dockerImage).toBe("ghcr.io/astral-sh/uv:python3.12-bookworm");

      const t = await waitUntilDone(run.runId);
      expect(t.state).toBe("finished");
      expect(t.latest).toMatchObject({ iteration: 6, totalIterations: 6 });
      expect(t.latest?.loss).toBeTypeOf("number");
      if (method === "dpo") expect(t.latest?.metrics?.["rewards/margins"]).toBeGreaterThan(1);
      if (method === "grpo") expect(t.latest?.metrics?.reward).toBeGreaterThan(0.5);
      const runs = await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
      const listed = runs.runs.find((r) => r.runId === run.runId);
      expect(listed).toMatchObject({ state: "finished", iteration: 6 });
      expect(listed?.scheduler).toEqual([{ kind: "hf-jobs", jobId, state: "COMPLETED" }]);
      // An ended job's log, once copied whole, is not fetched again.
      const logReads = () => standIn.requests.filter((r) => r.path.endsWith(`/${jobId}/logs`)).length;
      const reads = logReads();
      await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
      await tailLogs.handle(tailLogs.input.parse({ runId: run.runId }), deps());
      expect(logReads()).toBe(reads);
      // The script pushed its result with the HF_TOKEN secret, as hubModelId asked.
      expect(existsSync(join(standIn.hubDir, "models", standIn.user, `qwen-${method}`))).toBe(true);
    }, 60_000);
  }

  it("on a read-only server list_runs and tail_logs refresh only a job's log cache, never a file a record names elsewhere", async () => {
    const built = await build("sft");
    const run = await launch(built.files[0]!.path);
    await waitUntilDone(run.runId);
    const hubDir = join(base, "hub");
    const logFile = join(hubDir, "logs", `train_${run.runId}.log`);
    rmSync(logFile);
    rmSync(`${logFile}.complete`, { force: true });
    // A second record of the same job whose log file was edited to point outside the logs directory.
    const ledger = join(hubDir, ".ascend-train", "runs");
    const record = JSON.parse(readFileSync(join(ledger, `${run.runId}.json`), "utf8"));
    const elsewhere = join(hubDir, "notes.txt");
    const edited = "run-20261201-000000-beef";
    record.id = edited;
    record.scheduler = record.scheduler.map((j: Record<string, unknown>) => ({ ...j, logFile: elsewhere }));
    writeFileSync(join(ledger, `${edited}.json`), JSON.stringify(record));
    const snapshot = () =>
      new Map(
        readdirSync(hubDir, { recursive: true })
          .map(String)
          .filter((f) => statSync(join(hubDir, f)).isFile())
          .map((f) => [f, readFileSync(join(hubDir, f), "utf8")]),
      );
    const before = snapshot();

    const server = await createServer({ hosts, readOnly: true });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "read-only-test", version: "1" });
    await client.connect(clientSide);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).not.toContain("launch_train");
      for (const name of ["list_runs", "tail_logs"]) {
        const t = tools.find((x) => x.name === name);
        expect(t?.annotations?.readOnlyHint).toBe(true);
        expect(t?.description).toContain(
          "into a cache, the run's log file on this machine (also on a read-only server",
        );
      }
      const listed = await client.callTool({ name: "list_runs", arguments: { host: "hub" } });
      expect(listed.isError).toBeFalsy();
      const runs = (listed.structuredContent as { runs: { runId: string; state: string }[] }).runs;
      expect(runs.find((r) => r.runId === run.runId)?.state).toBe("finished");
      expect(runs.find((r) => r.runId === edited)?.state).toBe("finished");
      const tailed = await client.callTool({ name: "tail_logs", arguments: { runId: run.runId } });
      expect(tailed.isError).toBeFalsy();
      expect(tailed.structuredContent).toMatchObject({ state: "finished", latest: { iteration: 6 } });
    } finally {
      await client.close();
    }
    const after = snapshot();
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect(changed).toEqual([`logs/train_${run.runId}.log`, `logs/train_${run.runId}.log.complete`]);
    expect(existsSync(elsewhere)).toBe(false);
    rmSync(join(ledger, `${edited}.json`));
  }, 60_000);

  it("tail_logs with followSeconds follows a running job's log to its end", async () => {
    const built = await build("sft", { trainIters: 30 });
    const run = await launch(built.files[0]!.path, { CUDA_SIM_STEP_SECONDS: "0.1" });
    const t = await tailLogs.handle(tailLogs.input.parse({ runId: run.runId, followSeconds: 20 }), deps());
    expect(t.followed?.newLines).toBeGreaterThan(0);
    expect(t.latest).toMatchObject({ iteration: 30, totalIterations: 30 });
    expect(t.state).toBe("finished");
  }, 40_000);

  it("launch_train refuses a bad token, a foreign namespace and an unreachable Hub in its pre-flight, creating nothing", async () => {
    const before = standIn.jobs.size;
    const expected: Record<string, [string, RegExp]> = {
      "hub-bad-token": ["hf-token", /hf auth login/],
      "hub-other-ns": ["hf-namespace", /hfJobs\.namespace/],
      "hub-down": ["hf-token", /is the Hub reachable/],
    };
    for (const [host, [id, fix]] of Object.entries(expected)) {
      const built = await build("sft", {}, host);
      const r = await launchTrain.handle(
        launchTrain.input.parse({ host, script: built.files[0]!.path, confirm: true }),
        deps(),
      );
      expect(r.started).toBe(false);
      const failed = r.checks.find((c) => !c.ok);
      expect(failed?.id).toBe(id);
      expect(failed?.fix).toMatch(fix);
    }
    expect(standIn.jobs.size).toBe(before);
  }, 30_000);

  it("stop_run cancels a running job", async () => {
    const built = await build("sft", { trainIters: 400 });
    const run = await launch(built.files[0]!.path, { CUDA_SIM_STEP_SECONDS: "0.5" });
    const jobId = run.hfJob!.jobId!;
    for (let i = 0; i < 50 && standIn.jobs.get(jobId)!.stage !== "RUNNING"; i++) await sleep(100);
    const plan = await stopRun.handle(stopRun.input.parse({ runId: run.runId }), deps());
    expect(plan.wasRunning).toBe(true);
    expect(plan.nodes[0]?.detail).toBe(`cancel Hugging Face job ${jobId} (RUNNING)`);
    const stopped = await stopRun.handle(stopRun.input.parse({ runId: run.runId, confirm: true }), deps());
    expect(stopped.stopped).toBe(true);
    expect(stopped.nodes.map((n) => n.outcome)).toEqual(["terminated"]);
    expect(standIn.jobs.get(jobId)!.stage).toBe("CANCELED");
    // The job's creation and its cancellation are in the audit log, as host commands are; the token is not.
    const audit = hosts.audit.read({ host: "hub", limit: 1000 }).map((e) => e.command);
    expect(audit).toContain(
      `POST ${standIn.url}/api/jobs/${standIn.user} (a10g-large, timeout 3600 s, run ${run.runId}): job ${jobId}`,
    );
    expect(audit).toContain(`POST ${standIn.url}/api/jobs/${standIn.user}/${jobId}/cancel`);
    expect(audit.join("\n")).not.toContain(standIn.token);
    const resumed = await resumeRun
      .handle(resumeRun.input.parse({ runId: run.runId, confirm: true }), deps())
      .catch((e: unknown) => e);
    expect((resumed as Error).message).toMatch(/ran as a Hugging Face job.*launch_train/);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
    expect(runs.runs.find((r) => r.runId === run.runId)).toMatchObject({
      state: "stopped",
      scheduler: [{ kind: "hf-jobs", jobId, state: "CANCELED" }],
    });
  }, 30_000);

  it("a job that runs out of CUDA memory fails, and diagnose_error reads the job's log", async () => {
    standIn.failNextJob("oom@3");
    const built = await build("sft");
    const run = await launch(built.files[0]!.path);
    const t = await waitUntilDone(run.runId);
    expect(t.state).toBe("failed");
    expect(t.latest?.iteration).toBe(2);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
    const listed = runs.runs.find((r) => r.runId === run.runId);
    expect(listed?.state).toBe("failed");
    expect(listed?.reason).toContain(`Hugging Face job ${run.hfJob!.jobId} ERROR`);
    const d = await diagnoseError.handle(diagnoseError.input.parse({ runId: run.runId }), deps());
    expect(d.findings[0]?.category).toMatch(/oom/);
    expect(d.findings[0]?.evidence.map((e) => e.text).join("\n")).toContain("CUDA out of memory");
  }, 60_000);

  it("a job past its timeout ends failed with the Hub's reason", async () => {
    const built = await build("sft", { trainIters: 400, jobTimeout: "1" });
    const run = await launch(built.files[0]!.path, { CUDA_SIM_STEP_SECONDS: "0.5" });
    await sleep(2500);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
    const listed = runs.runs.find((r) => r.runId === run.runId);
    expect(listed?.state).toBe("failed");
    expect(listed?.reason).toMatch(/ERROR: Job timeout/);
  }, 30_000);
});
