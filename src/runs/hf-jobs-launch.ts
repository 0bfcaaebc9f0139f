// launch_train on a Hugging Face Jobs host: the TRL script build_configs wrote runs as a job (`uv run` of the PEP 723
// script in huggingface_hub's uv image, on the chosen flavor, with a timeout and HF_TOKEN as a secret). Pre-flight
// asks the Hub: the token is valid, the namespace is the token's user or one of its organizations, the flavor exists
// (and what it costs at most). With confirm the job is created and recorded in the run ledger on this machine (under
// the host's workdir) with its id, namespace and flavor; list_runs, tail_logs and stop_run then work through
// src/runs/hf-jobs-run.ts.
//
// The script travels inside the job spec, base64 in an environment variable that the command decodes before
// `uv run`: the way huggingface_hub's run_uv_job shipped local scripts before it moved them to a bucket
// (commit c8da116d8, "[UV Jobs] Pass local script as env variable", UV_SCRIPT_ENCODED), one request, nothing
// uploaded elsewhere.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { z } from "zod";
import { ToolError } from "../errors.js";
import type { AuditLog } from "../hosts/audit.js";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";
import { type HfJobSpec, type HfJobsClient, HfJobsError, hfJobsClientFor } from "../hosts/hf-jobs.js";
import { type HfJobsSettings, hfJobsSettingsOf } from "../hosts/hf-jobs-settings.js";
import { expandHome, type HostSettings } from "../hosts/inventory.js";
import { isSecretName } from "../hosts/redact.js";
import { hfJobsCostCeiling, hfJobsFlavor, parseHfTimeout } from "../knowledge/hf-jobs-hardware.js";
import { argsHint, callHint } from "../text/hint.js";
import { auditHubCall } from "./hf-jobs-run.js";
import type { LaunchOut } from "./launch-result.js";
import { ensureDir, ledgerDir, newRunId, redactEnv, writeRecord } from "./ledger.js";
import type { Check } from "./preflight-types.js";
import { readTrlScript } from "./trl-launch.js";
import type { RunRecord } from "./types.js";

const TOKEN_FIX = "hf auth login (or set HF_TOKEN to a token from https://huggingface.co/settings/tokens)";

/** The variable that carries the script, base64-encoded, into the job. */
export const SCRIPT_ENV = "ASCEND_TRAIN_SCRIPT_B64";
/** Decode the script into a fresh directory, then let uv install its PEP 723 dependencies and run it. */
export const JOB_COMMAND = [
  "bash",
  "-c",
  `d=$(mktemp -d) && printf %s "$${SCRIPT_ENV}" | base64 -d > "$d/train.py" && exec uv run "$d/train.py"`,
];

/** What build_configs leaves beside the script for a Jobs host: the flavor and timeout it priced. */
export interface HfJobSidecar {
  flavor: string;
  timeoutSeconds: number;
}

export const sidecarPath = (script: string) => script.replace(/\.py$/, ".hf-job.json");

export interface HfJobLaunchRequest {
  host: string;
  executor: HostExecutor;
  settings: HostSettings;
  script: string;
  env: Record<string, string>;
  flavor?: string;
  runId?: string;
  confirm: boolean;
  now: Date;
  progress: (u: { progress: number; total?: number; message?: string }) => void;
  /** Where the job's creation is recorded, as host commands are. */
  audit?: AuditLog;
  /** The Hub client (default: from the host's settings and the environment). */
  client?: HfJobsClient;
  /** The job exports another run's model (GGUF): it needs no GPU, pushes by itself, and its record says so. */
  ggufExport?: RunRecord["ggufExport"];
}

/** The job spec POST /api/jobs/{namespace} takes for a script. */
export function hfJobSpec(opts: {
  scriptText: string;
  jobs: HfJobsSettings;
  flavor: string;
  timeoutSeconds: number;
  env: Record<string, string>;
  token: string | null;
  runId: string;
}): HfJobSpec {
  const environment: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) (isSecretName(k) ? secrets : environment)[k] = v;
  if (opts.token && !secrets.HF_TOKEN) secrets.HF_TOKEN = opts.token;
  environment.ASCEND_TRAIN_RUN_ID = opts.runId;
  environment[SCRIPT_ENV] = Buffer.from(opts.scriptText, "utf8").toString("base64");
  return {
    dockerImage: opts.jobs.image,
    command: JOB_COMMAND,
    arguments: [],
    environment,
    ...(Object.keys(secrets).length ? { secrets } : {}),
    flavor: opts.flavor,
    timeoutSeconds: opts.timeoutSeconds,
    labels: { "ascend-train-run": opts.runId },
  };
}

/** The spec as a person reads it: secrets hidden, the script's base64 summarized. */
function shownSpec(spec: HfJobSpec): HfJobSpec {
  const env = { ...spec.environment };
  const b64 = env[SCRIPT_ENV];
  if (b64) env[SCRIPT_ENV] = `<the training script, ${b64.length} base64 characters>`;
  return {
    ...spec,
    environment: env,
    ...(spec.secrets ? { secrets: Object.fromEntries(Object.keys(spec.secrets).map((k) => [k, "***"])) } : {}),
  };
}

async function readSidecar(executor: HostExecutor, script: string): Promise<Partial<HfJobSidecar>> {
  try {
    const raw = JSON.parse((await executor.readFile(sidecarPath(script), { maxBytes: 64 * 1024 })).content) as unknown;
    if (typeof raw !== "object" || raw === null) return {};
    const r = raw as Record<string, unknown>;
    return {
      ...(typeof r.flavor === "string" ? { flavor: r.flavor } : {}),
      ...(typeof r.timeoutSeconds === "number" ? { timeoutSeconds: r.timeoutSeconds } : {}),
    };
  } catch {
    return {};
  }
}

export async function launchHfJobRun(req: HfJobLaunchRequest): Promise<z.output<typeof LaunchOut>> {
  const { executor, settings, host } = req;
  const jobs = hfJobsSettingsOf(settings);
  // The workdir of a Jobs host is on this machine: ~ is this user's home.
  const workdir = settings.workdir ? expandHome(settings.workdir) : undefined;
  if (!workdir) throw new ToolError(`Host ${host} has no workdir: set one in the inventory.`);
  const scriptAbs = req.script.startsWith("/") ? req.script : posix.join(workdir, req.script);
  const runId = req.runId ?? newRunId(req.now);
  req.progress({ progress: 0, total: 2, message: "pre-flight (asking the Hub)" });
  const checks: Check[] = [];
  const fail = (id: string, message: string, fix: string | null) =>
    checks.push({ id, host, ok: false, level: "error", message, fix });
  const pass = (id: string, message: string, level: Check["level"] = "info", fix: string | null = null) =>
    checks.push({ id, host, ok: true, level, message, fix });

  let scriptText: string | null = null;
  try {
    scriptText = (await executor.readFile(scriptAbs, { maxBytes: 1024 * 1024 })).content;
  } catch (error) {
    if (!(error instanceof HostFileError)) throw error;
  }
  const buildHint = callHint("build_configs", { host, trainer: "trl", model: "<model id>", dataset: "<hub dataset>" });
  if (scriptText === null || !scriptAbs.endsWith(".py"))
    fail("script", `${scriptAbs} is not a readable .py script.`, buildHint);
  else if (!/^# \/\/\/ script$/m.test(scriptText))
    fail("script", `${scriptAbs} has no PEP 723 header: uv would not know what to install in the job.`, buildHint);
  else pass("script", `${scriptAbs} is a PEP 723 training script.`);
  if (scriptText && /data_files=/.test(scriptText))
    fail(
      "inputs",
      "The script reads a dataset file from this machine: a job runs on Hugging Face's machines and cannot see it.",
      "push the dataset to the Hub (datasets' push_to_hub) and build the script with that dataset id",
    );
  if (scriptText && !req.ggufExport && !/push_to_hub=True/.test(scriptText))
    pass(
      "save-dir",
      "The script does not push the result to the Hub: the job's disk, checkpoints included, goes away when it ends.",
      "warning",
      "build_configs with hubModelId (org/name)",
    );

  const sidecar = await readSidecar(executor, scriptAbs);
  const flavor = req.flavor ?? sidecar.flavor ?? jobs.flavor;
  const timeoutSeconds = sidecar.timeoutSeconds ?? parseHfTimeout(jobs.timeout) ?? 7200;

  let client: HfJobsClient | null = req.client ?? null;
  let token: string | null = null;
  let namespace = jobs.namespace ?? null;
  let usdPerHour: number | null = hfJobsFlavor(flavor)?.usdPerHour ?? null;
  try {
    if (!client) {
      const made = hfJobsClientFor({ endpoint: jobs.endpoint, tokenFile: jobs.tokenFile });
      client = made;
    }
  } catch (error) {
    fail("hf-token", (error as Error).message, TOKEN_FIX);
  }
  if (client) {
    token = client.tokenForJob();
    try {
      const who = await client.whoami();
      namespace ??= who.name;
      const allowed = [who.name, ...who.orgs.map((o) => o.name)];
      pass("hf-token", `The token from ${client.tokenSource} belongs to ${who.name}.`);
      if (!allowed.includes(namespace))
        fail(
          "hf-namespace",
          `${who.name}'s token cannot run jobs in ${namespace}: it may use ${allowed.join(", ")}.`,
          `set hfJobs.namespace of host ${host} to one of them`,
        );
      else pass("hf-namespace", `Jobs run in ${namespace} and are billed to it.`);
    } catch (error) {
      const status = error instanceof HfJobsError ? error.status : null;
      fail(
        "hf-token",
        (error as Error).message,
        status === 401 || status === 403
          ? TOKEN_FIX
          : `curl -sI ${client.endpoint}/api/whoami-v2   # is the Hub reachable?`,
      );
    }
    try {
      const hardware = await client.hardware();
      const hw = hardware.find((h) => h.name === flavor);
      if (!hw)
        fail(
          "hf-flavor",
          `Hugging Face Jobs has no flavor "${flavor}".`,
          `one of ${hardware
            .filter((h) => h.accelerator)
            .map((h) => h.name)
            .join(", ")}`,
        );
      else {
        usdPerHour = hw.unitLabel === "minute" ? hw.unitCostUSD * 60 : hw.unitLabel === "hour" ? hw.unitCostUSD : null;
        pass(
          "hf-flavor",
          `${flavor}: ${hw.prettyName}${hw.accelerator ? `, ${hw.accelerator.quantity}x ${hw.accelerator.model}${hw.accelerator.vram ? ` (${hw.accelerator.vram})` : ""}` : ", no GPU"}.`,
          hw.accelerator || req.ggufExport ? "info" : "warning",
          hw.accelerator || req.ggufExport
            ? null
            : `pass ${argsHint({ flavor: "a10g-large" })}: TRL training needs a GPU`,
        );
      }
    } catch (error) {
      if (hfJobsFlavor(flavor))
        pass(
          "hf-flavor",
          `${flavor} (from the published list; the Hub's listing: ${(error as Error).message})`,
          "warning",
        );
      else
        fail(
          "hf-flavor",
          `"${flavor}" is not a published Jobs flavor, and the Hub's listing failed: ${(error as Error).message}`,
          null,
        );
    }
  }
  const costCeilingUsd = usdPerHour === null ? null : hfJobsCostCeiling(usdPerHour, timeoutSeconds);

  const dir = await ledgerDir(executor, settings);
  const logFile = posix.join(workdir, "logs", `train_${runId}.log`);
  const ledgerFile = posix.join(dir, `${runId}.json`);
  const spec = hfJobSpec({
    scriptText: scriptText ?? "",
    jobs,
    flavor,
    timeoutSeconds,
    env: req.env,
    token,
    runId,
  });
  const shown = shownSpec(spec);
  const ns = namespace ?? "<your user>";
  const endpoint = client?.endpoint ?? jobs.endpoint ?? "https://huggingface.co";
  const plan = {
    script: scriptAbs,
    masterAddr: "hf-jobs",
    masterPort: 0,
    nodes: [
      {
        host,
        nodeRank: 0,
        command: spec.command,
        env: redactEnv({ ...shown.environment }),
        wrapper: `POST ${endpoint}/api/jobs/${ns}`,
        logFile,
        ledgerFile,
      },
    ],
    wrapperScript: JSON.stringify(shown, null, 2),
    notes: [
      `Hugging Face job in ${ns} on ${flavor}, stopped after ${timeoutSeconds} s` +
        (costCeilingUsd !== null
          ? `: at most $${costCeilingUsd.toFixed(2)} (billed per minute while it starts or runs)`
          : ""),
      `${spec.dockerImage}: uv installs the script's PEP 723 dependencies, then runs it in one process.`,
      `HF_TOKEN${spec.secrets && Object.keys(spec.secrets).length > 1 ? " and the other secret-named variables" : ""} go as job secrets; the log is copied to ${logFile} when read.`,
    ],
  };
  const preflightOk = checks.every((c) => c.ok);
  const hfJob = { jobId: null, namespace: ns, flavor, timeoutSeconds, costCeilingUsd, url: null };
  const base = { runId, preflightOk, checks, plan, pids: [], exitedEarly: [], slurm: null, hfJob };
  if (!preflightOk)
    return { ...base, started: false, next: "Fix the failed checks (each names its fix), then call again." };
  if (!req.confirm)
    return {
      ...base,
      started: false,
      next: `Pre-flight passed. Call again with ${argsHint({ confirm: true, runId })} to create the job as ${runId}.`,
    };

  req.progress({ progress: 1, total: 2, message: `creating the job for ${runId}` });
  await ensureDir(executor, dir);
  await ensureDir(executor, posix.dirname(logFile));
  const started = Date.now();
  const what = `POST ${client!.endpoint}/api/jobs/${namespace} (${flavor}, timeout ${timeoutSeconds} s, run ${runId})`;
  let job: Awaited<ReturnType<HfJobsClient["createJob"]>>;
  try {
    job = await client!.createJob(namespace!, spec);
  } catch (error) {
    if (req.audit) auditHubCall(req.audit, host, what, started, error);
    throw error;
  }
  if (req.audit) auditHubCall(req.audit, host, `${what}: job ${job.id}`, started);
  const url = client!.jobUrl(namespace!, job.id);
  const info = readTrlScript(scriptText ?? "");
  const record: RunRecord = {
    version: 1,
    id: runId,
    createdAt: req.now.toISOString(),
    hosts: [host],
    nodes: [],
    workdir,
    script: scriptAbs,
    command: spec.command,
    env: redactEnv(shown.environment),
    configHashes: scriptText ? { [scriptAbs]: createHash("sha256").update(scriptText).digest("hex") } : {},
    saveDir: info.outputDir,
    loadDir: null,
    masterAddr: "hf-jobs",
    masterPort: 0,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: hfJobsFlavor(flavor)?.gpus ?? 1 },
    trainIters: info.maxSteps,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
    scheduler: [
      { kind: "hf-jobs", jobId: job.id, file: scriptAbs, submittedAt: job.createdAt ?? req.now.toISOString(), logFile },
    ],
    hfJob: { namespace: namespace!, flavor, endpoint: client!.endpoint, url },
    ...(req.ggufExport ? { ggufExport: req.ggufExport } : {}),
  };
  try {
    await writeRecord(executor, ledgerFile, record);
  } catch (error) {
    await client!.cancelJob(namespace!, job.id).catch(() => undefined);
    throw new ToolError(
      `Job ${job.id} was created but could not be recorded, so it was cancelled: ${(error as Error).message}`,
    );
  }
  req.progress({ progress: 2, total: 2, message: `created job ${job.id}` });
  return {
    ...base,
    started: true,
    hfJob: { ...hfJob, jobId: job.id, namespace: namespace!, url },
    next: `Job ${job.id} is ${job.status.stage}: follow it with ${callHint("tail_logs", { runId })} and ${callHint("list_runs")}; ${callHint("stop_run", { runId })} cancels it.`,
  };
}
