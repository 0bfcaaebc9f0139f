// GGUF export of a TRL run that ran as a Hugging Face job, against the Jobs stand-in (test/helpers/hf-jobs-server.ts):
// the export is a follow-up CPU job whose script downloads the pushed adapter and the base from the stand-in's Hub,
// merges, clones llama.cpp at the pinned tag (the simulated host's mirror), converts, quantizes and uploads the .gguf;
// export_model on that job's run then reads the uploaded file's header with ranged GETs of its resolve URL. A run
// that pushed nothing is refused with how to set hub_model_id.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGgufHeader } from "../../src/export/gguf-header.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SCRIPT_ENV } from "../../src/runs/hf-jobs-launch.js";
import { findRun } from "../../src/runs/ledger.js";
import { layOutCudaSim } from "../../src/sim/index.js";
import buildConfigs from "../../src/tools/build-configs.js";
import exportModel from "../../src/tools/export-model.js";
import launchTrain from "../../src/tools/launch-train.js";
import listRuns from "../../src/tools/list-runs.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";
import { type HfJobsStandIn, startHfJobsStandIn } from "../helpers/hf-jobs-server.js";

const BASE = "Qwen/Qwen2.5-0.5B-Instruct";
const DATASET = "trl-lib/Capybara";
/** On the Hub, but an architecture llama.cpp has no converter for. */
const OPT = "facebook/opt-125m";

let base: string;
let standIn: HfJobsStandIn;
let hosts: HostRegistry;
let clock = Date.parse("2026-12-02T16:00:00Z");
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
  base = mkdtempSync(join(tmpdir(), "hf-jobs-gguf-"));
  const sim = await layOutCudaSim(join(base, "sim"));
  standIn = await startHfJobsStandIn({
    simDir: sim.dir,
    stepSeconds: 0.02,
    schedulingMs: 50,
    hubDatasets: {
      [DATASET]: [
        {
          messages: [
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello." },
          ],
        },
      ],
    },
  });
  // The base models on the stand-in's Hub: the simulated host's cached snapshots of them.
  for (const model of [BASE, OPT]) {
    const snapshots = join(sim.dir, "hf-home", "hub", `models--${model.replace("/", "--")}`, "snapshots");
    cpSync(join(snapshots, readdirSync(snapshots)[0]!), join(standIn.hubDir, "models", model), { recursive: true });
  }
  const tokenFile = join(base, "token");
  writeFileSync(tokenFile, `${standIn.token}\n`);
  hosts = new HostRegistry({
    file: null,
    hosts: {
      hub: HostSettingsSchema.parse({
        accelerator: "hf-jobs",
        workdir: join(base, "hub"),
        hfJobs: { endpoint: standIn.url, tokenFile, flavor: "a10g-large", timeout: "1h" },
      }),
    },
  });
}, 90_000);

afterAll(async () => {
  await standIn?.close();
  rmSync(base, { recursive: true, force: true });
});

async function trainedJob(hubModelId: string | undefined, model = BASE): Promise<string> {
  const built = await buildConfigs.handle(
    buildConfigs.input.parse({
      host: "hub",
      trainer: "trl",
      method: "sft",
      peft: "lora",
      model,
      dataset: DATASET,
      trainIters: 4,
      overwrite: true,
      ...(hubModelId ? { hubModelId } : {}),
    }),
    deps(),
  );
  const script = built.files[0]!.path;
  const plan = await launchTrain.handle(launchTrain.input.parse({ host: "hub", script }), deps());
  const run = await launchTrain.handle(
    launchTrain.input.parse({ host: "hub", script, confirm: true, runId: plan.runId }),
    deps(),
  );
  expect(run.started).toBe(true);
  await waitUntilDone(run.runId);
  return run.runId;
}

async function waitUntilDone(runId: string) {
  const end = Date.now() + 40_000;
  for (;;) {
    const t = await tailLogs.handle(tailLogs.input.parse({ runId }), deps());
    if (t.state === "finished" || t.state === "failed") return t;
    if (Date.now() > end) throw new Error(`run ${runId} still ${t.state}: ${t.stateReason}`);
    await sleep(300);
  }
}

describe("GGUF export of a Hugging Face job's run as a follow-up job", () => {
  it("LoRA SFT job → export_model gguf q4_k_m plans a CPU job, runs it, uploads to <repo>-GGUF, and the header read from the Hub checks out", async () => {
    const repo = `${standIn.user}/qwen-sft-lora`;
    const runId = await trainedJob(repo);
    const args = { runId, format: "gguf", quantization: "q4_k_m" };
    const jobsBefore = standIn.jobs.size;

    const plan = await exportModel.handle(exportModel.input.parse(args), deps());
    expect(plan.ready).toBe(true);
    expect(plan.exported).toBe(false);
    expect(plan.checks.map((c) => `${c.id}:${c.ok}`)).toEqual(
      expect.arrayContaining([
        "training-job:true",
        "trained-output:true",
        "base-model:true",
        "outputs-free:true",
        "hf-flavor:true",
      ]),
    );
    expect(plan.gguf?.hubJob).toMatchObject({
      jobId: null,
      flavor: "cpu-upgrade",
      timeoutSeconds: 240 * 60,
      costCeilingUsd: 0.12,
      repo: `${repo}-GGUF`,
      image: "ghcr.io/astral-sh/uv:python3.12-bookworm",
    });
    expect(plan.gguf?.file).toBe(`${repo}-GGUF/qwen-sft-lora-Q4_K_M.gguf`);
    expect(plan.gguf?.steps.map((s) => s.id)).toEqual(["merge", "convert", "quantize"]);
    expect(exportModel.summarize(plan)).toContain(
      `in ${standIn.user} on cpu-upgrade, ghcr.io/astral-sh/uv:python3.12-bookworm, stopped after 14400 s: at most $0.12; uploads to ${repo}-GGUF`,
    );
    expect(standIn.jobs.size).toBe(jobsBefore);

    const started = await exportModel.handle(exportModel.input.parse({ ...args, confirm: true }), deps());
    const exportRunId = started.gguf!.hubJob!.runId;
    const jobId = started.gguf!.hubJob!.jobId!;
    expect(jobId).toMatch(/^[0-9a-f]{24}$/);
    expect(started.next).toContain(exportRunId);
    // The job: the script on the CPU flavor, HF_TOKEN as a secret; the ledger records it as the export of the run.
    const spec = standIn.jobs.get(jobId)!.spec;
    expect(spec).toMatchObject({ flavor: "cpu-upgrade", secrets: { HF_TOKEN: standIn.token } });
    const sent = Buffer.from(spec.environment[SCRIPT_ENV]!, "base64").toString("utf8");
    expect(sent).toContain("snapshot_download");
    expect(sent).toContain('"--branch", CFG["tag"]');
    const { found } = await findRun(hosts, exportRunId);
    expect(found?.record.scheduler[0]).toMatchObject({ kind: "hf-jobs", jobId });
    expect(found?.record.ggufExport).toMatchObject({ sourceRunId: runId, repo: `${repo}-GGUF`, architecture: "qwen2" });

    const early = await exportModel.handle(exportModel.input.parse({ runId: exportRunId, format: "gguf" }), deps());
    expect(early.exported).toBe(false);

    const t = await waitUntilDone(exportRunId);
    const log = readFileSync(found!.record.scheduler[0]!.logFile!, "utf8");
    expect(`${t.state} ${t.stateReason}`, log).toMatch(/^finished/);
    expect(log).toContain("===== quantize =====");
    expect(log).toContain(`GGUF export complete: uploaded ${repo}-GGUF/qwen-sft-lora-Q4_K_M.gguf`);
    const runs = await listRuns.handle(listRuns.input.parse({ host: "hub" }), deps());
    expect(runs.runs.find((r) => r.runId === exportRunId)).toMatchObject({
      state: "finished",
      scheduler: [{ kind: "hf-jobs", jobId, state: "COMPLETED" }],
    });

    const checked = await exportModel.handle(exportModel.input.parse({ runId: exportRunId, format: "gguf" }), deps());
    expect(checked.exported).toBe(true);
    expect(checked.complete).toBe(true);
    expect(checked.gguf?.header).toMatchObject({ version: 3, architecture: "qwen2", fileType: 15 });
    // The header came over ranged GETs of the resolve URL, and agrees with the file the job uploaded.
    const uploaded = readFileSync(join(standIn.hubDir, "models", `${repo}-GGUF`, "qwen-sft-lora-Q4_K_M.gguf"));
    expect(checked.gguf?.header?.sizeBytes).toBe(uploaded.length);
    expect(parseGgufHeader(uploaded).metadata["general.file_type"]).toBe(15);
    expect(standIn.requests.some((r) => r.path.endsWith("/resolve/main/qwen-sft-lora-Q4_K_M.gguf"))).toBe(true);
    expect(exportModel.summarize(checked)).toContain("exported, checked");

    // The file exists now: a second export is not ready unless overwrite.
    const again = await exportModel.handle(exportModel.input.parse({ ...args, confirm: true }), deps());
    expect(again.ready).toBe(false);
    expect(again.gguf?.hubJob?.jobId).toBeNull();
    expect(again.checks.find((c) => c.id === "outputs-free")?.message).toContain("already exists");
  }, 120_000);

  it("an export job that fails (llama.cpp cannot convert the base's architecture) is reported failed with the converter's error", async () => {
    const runId = await trainedJob(`${standIn.user}/opt-sft-lora`, OPT);
    const started = await exportModel.handle(
      exportModel.input.parse({ runId, format: "gguf", hubRepo: "same", confirm: true }),
      deps(),
    );
    expect(started.checks.find((c) => c.id === "base-model")?.ok).toBe(true);
    expect(started.gguf?.hubJob?.repo).toBe(`${standIn.user}/opt-sft-lora`);
    const exportRunId = started.gguf!.hubJob!.runId;
    expect((await waitUntilDone(exportRunId)).state).toBe("failed");
    const checked = await exportModel.handle(exportModel.input.parse({ runId: exportRunId, format: "gguf" }), deps());
    expect(checked.exported).toBe(false);
    expect(checked.complete).toBe(false);
    expect(checked.checks[0]?.message).toMatch(/ERROR: .*Model OPTForCausalLM is not supported/);
    expect(existsSync(join(standIn.hubDir, "models", `${standIn.user}/opt-sft-lora`, "opt-sft-lora-Q4_K_M.gguf"))).toBe(
      false,
    );
  }, 90_000);

  it("a LoRA run whose base is not on the Hub is not ready, and no job is created", async () => {
    rmSync(join(standIn.hubDir, "models", OPT), { recursive: true, force: true });
    const runId = await trainedJob(`${standIn.user}/opt-sft-lora-2`, OPT);
    const before = standIn.jobs.size;
    const r = await exportModel.handle(exportModel.input.parse({ runId, format: "gguf", confirm: true }), deps());
    expect(r.ready).toBe(false);
    expect(r.checks.find((c) => c.id === "base-model")?.message).toContain("not on the Hub");
    expect(standIn.jobs.size).toBe(before);
  }, 60_000);

  it("a job's run that pushed nothing is refused, saying how to set hub_model_id", async () => {
    const runId = await trainedJob(undefined);
    const before = standIn.jobs.size;
    const refused = await exportModel
      .handle(exportModel.input.parse({ runId, format: "gguf", confirm: true }), deps())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ToolError);
    expect((refused as Error).message).toMatch(/pushed nothing to the Hub.*hubModelId/);
    expect(standIn.jobs.size).toBe(before);
  }, 60_000);
});
