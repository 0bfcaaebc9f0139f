// export_model's GGUF path for a TRL run that ran as a Hugging Face job: the job's disk is gone, so the export is a
// follow-up job. Its script downloads what the run pushed to the Hub (hub_model_id) and, for a LoRA run, the base
// model (huggingface_hub's snapshot_download), merges (peft merge_and_unload), clones llama.cpp at the pinned tag,
// converts (convert_hf_to_gguf.py), builds and runs llama-quantize, and uploads the .gguf (HfApi.upload_file) to the
// run's repo or <repo>-GGUF, never over an existing file unless asked. The job is created through launch_train's Jobs
// path (a CPU flavor, a timeout and its cost ceiling, HF_TOKEN as a secret) and recorded as a run of its own whose
// record names the export, so list_runs and tail_logs follow it. Called again on that run once it has finished, the
// export reads the uploaded file's first bytes through the Hub's resolve URL and checks its GGUF header.
import { posix } from "node:path";
import { ToolError } from "../errors.js";
import { HostFileError } from "../hosts/executor.js";
import { checkRepoId, type HfJobsClient } from "../hosts/hf-jobs.js";
import { hfJobsSettingsOf } from "../hosts/hf-jobs-settings.js";
import { expandHome } from "../hosts/inventory.js";
import type { WorkDeps } from "../hosts/work.js";
import { ggufArchOf, LLAMA_CPP_REPO, LLAMA_CPP_TAG } from "../knowledge/llama-cpp.js";
import { launchHfJobRun, sidecarPath } from "../runs/hf-jobs-launch.js";
import { hfJobOf, hfJobsClientOf, isHfJobActive } from "../runs/hf-jobs-run.js";
import { ensureDir } from "../runs/ledger.js";
import type { RunRecord } from "../runs/types.js";
import { argsHint, callHint } from "../text/hint.js";
import type { GgufOut, GgufRequest } from "./gguf-export.js";
import { ggufErrorLine, ggufQuantType, readTrlScriptFacts } from "./gguf-export.js";
import { checkGgufHeader, GgufError, type GgufHeader, readGgufHeaderPrefix } from "./gguf-header.js";

/** Merge, convert and quantize need CPU and memory, no GPU: CPU Upgrade ($0.03/h in the published flavor table). */
export const GGUF_JOB_FLAVOR = "cpu-upgrade";

export interface GgufJobConfig {
  source: string;
  base: string;
  lora: boolean;
  repo: string;
  file: string;
  floatFile: string;
  floatType: string;
  quant: string;
  tag: string;
  llamaRepo: string;
  overwrite: boolean;
}

/**
 * The job's PEP 723 script; its settings travel as one JSON string literal (valid Python), nothing spliced in. The
 * converter's dependencies are llama.cpp's requirements/requirements-convert_legacy_llama.txt (convert_hf_to_gguf.py
 * puts the clone's gguf-py first on sys.path; the gguf package brings its own dependencies). The image
 * (ghcr.io/astral-sh/uv:python3.12-bookworm, on python:3.12-bookworm) has git and a C/C++ toolchain; cmake comes from
 * PyPI; LLAMA_CURL is switched off as llama-quantize downloads nothing.
 */
export function ggufJobScript(cfg: GgufJobConfig): string {
  return `# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "huggingface_hub>=0.34",
#   "peft>=0.13",
#   "torch",
#   "accelerate",
#   "safetensors",
#   "transformers>=4.54.1,<5.0.0",
#   "numpy~=1.26.4",
#   "sentencepiece~=0.2.0",
#   "gguf>=0.1.0",
#   "protobuf>=4.21.0,<5.0.0",
#   "cmake",
# ]
# ///
"""GGUF export of a pushed fine-tune (ascend-train): download, merge a LoRA adapter into its base, convert with
llama.cpp's convert_hf_to_gguf.py, quantize with llama-quantize, upload the .gguf to the Hub."""
import json
import os
import shutil
import subprocess
import sys
import sysconfig

from huggingface_hub import HfApi, snapshot_download

CFG = json.loads(${JSON.stringify(JSON.stringify(cfg))})
api = HfApi()
work = os.path.abspath("gguf-export")
os.makedirs(work, exist_ok=True)


def step(name):
    print("===== %s =====" % name, flush=True)


def run(*cmd):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


if not CFG["overwrite"] and api.file_exists(CFG["repo"], CFG["file"]):
    sys.exit("%s/%s already exists on the Hub: nothing is replaced unless overwrite is asked." % (CFG["repo"], CFG["file"]))
step("download")
trained = snapshot_download(CFG["source"], local_dir=os.path.join(work, "trained"))
source = trained
if CFG["lora"]:
    step("merge")
    base_dir = snapshot_download(CFG["base"], local_dir=os.path.join(work, "base"))
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype="auto")
    merged = PeftModel.from_pretrained(base, trained).merge_and_unload()
    source = os.path.join(work, "merged-hf")
    merged.save_pretrained(source, safe_serialization=True)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(source)
    print("merged", CFG["source"], "into", CFG["base"], flush=True)
step("convert")
llama = os.path.join(work, "llama.cpp")
run("git", "clone", "--depth", "1", "--branch", CFG["tag"], CFG["llamaRepo"], llama)
float_file = os.path.join(work, CFG["floatFile"])
run(sys.executable, os.path.join(llama, "convert_hf_to_gguf.py"), source, "--outfile", float_file,
    "--outtype", CFG["floatType"])
final = float_file
if CFG["quant"] != CFG["floatType"].upper():
    step("quantize")
    cmake = shutil.which("cmake") or os.path.join(sysconfig.get_path("scripts"), "cmake")
    build = os.path.join(llama, "build")
    run(cmake, "-S", llama, "-B", build, "-DLLAMA_CURL=OFF")
    run(cmake, "--build", build, "--config", "Release", "-j", "--target", "llama-quantize")
    final = os.path.join(work, CFG["file"])
    run(os.path.join(build, "bin", "llama-quantize"), float_file, final, CFG["quant"])
step("upload")
api.create_repo(CFG["repo"], exist_ok=True)
api.upload_file(path_or_fileobj=final, path_in_repo=CFG["file"], repo_id=CFG["repo"],
                commit_message="GGUF %s of %s (llama.cpp %s)" % (CFG["quant"], CFG["source"], CFG["tag"]))
print("GGUF export complete: uploaded %s/%s (%d bytes)" % (CFG["repo"], CFG["file"], os.path.getsize(final)), flush=True)
`;
}

/** The hub_model_id build_configs wrote into a TRL script (push_to_hub=True with it). */
export function hubModelIdOf(scriptText: string): string | null {
  if (!/push_to_hub=True/.test(scriptText)) return null;
  const m = /hub_model_id="((?:[^"\\]|\\.)*)"/.exec(scriptText)?.[1];
  return m === undefined ? null : (JSON.parse(`"${m}"`) as string);
}

/** Reads growing prefixes of a GGUF file on the Hub until its header holds general.architecture and file_type. */
export async function readHubGgufHeader(
  client: HfJobsClient,
  repo: string,
  file: string,
): Promise<{ header: GgufHeader; size: number } | null> {
  return readGgufHeaderPrefix((offset, length) => client.fileRange(repo, file, offset, offset + length - 1));
}

/** general.architecture convert_hf_to_gguf.py writes for a Hub repo's config.json, when known here. */
async function hubArchitecture(client: HfJobsClient, repo: string): Promise<string | null> {
  try {
    const got = await client.fileRange(repo, "config.json", 0, 1024 * 1024 - 1);
    const arch = got ? (JSON.parse(got.bytes.toString("utf8")) as { architectures?: unknown }).architectures : null;
    return Array.isArray(arch) && typeof arch[0] === "string" ? ggufArchOf(arch[0]) : null;
  } catch {
    return null;
  }
}

const fileStem = (repo: string) => (repo.split("/").at(-1) ?? "model").replace(/[^A-Za-z0-9._-]/g, "_") || "model";

type Found = { host: string; record: RunRecord };
type Check = { id: string; ok: boolean; message: string };

export async function exportGgufOnHub(
  req: GgufRequest & { hubRepo: "separate" | "same" },
  deps: WorkDeps,
  found: Found,
) {
  if (found.record.ggufExport) return checkGgufExportRun(deps, found);
  const quant = ggufQuantType(req.quantization);
  const { host, record } = found;
  const { executor, settings } = await deps.hosts.get(host);
  let scriptText = "";
  try {
    scriptText = (await executor.readFile(record.script, { maxBytes: 1024 * 1024 })).content;
  } catch (error) {
    if (!(error instanceof HostFileError)) throw error;
    throw new ToolError(`Cannot read the job's training script ${record.script}: ${error.message}`);
  }
  const facts = readTrlScriptFacts(scriptText);
  if (!facts.model) throw new ToolError(`${record.script} names no model (not a script build_configs wrote).`);
  if (facts.method === "reward")
    throw new ToolError(
      `${record.id} trained a reward model (a sequence classifier): llama.cpp's GGUF export is for causal LMs.`,
    );
  const lora = facts.peft !== "full";
  const pushed = hubModelIdOf(scriptText);
  if (!pushed)
    throw new ToolError(
      `${record.id} ran as a Hugging Face job and pushed nothing to the Hub (its script has no hub_model_id): the trained ${lora ? "adapter" : "model"} went away with the job's disk, so there is nothing to export. Build the script again with ${callHint("build_configs", { host, trainer: "trl", model: facts.model, hubModelId: "<user or org>/<name>" })} (it adds push_to_hub=True and hub_model_id), train it with launch_train, then export that run.`,
    );
  checkRepoId(pushed);
  const repo = req.hubRepo === "same" ? pushed : `${pushed}-GGUF`;
  checkRepoId(repo);
  const floatType = quant.name === "BF16" || quant.name === "F32" ? quant.name : "F16";
  const stem = fileStem(pushed);
  const floatFile = `${stem}-${floatType}.gguf`;
  const file = quant.name === floatType ? floatFile : `${stem}-${quant.name}.gguf`;

  deps.progress({ progress: 0, message: `asking the Hub about ${pushed}` });
  const client = await hfJobsClientOf(deps.hosts, host);
  const look = await hfJobOf(deps.hosts, record, { syncLog: false });
  const stage = look?.job?.status.stage.toUpperCase() ?? null;
  const info = await client.modelInfo(pushed);
  const files = new Set(info?.siblings.map((s) => s.rfilename) ?? []);
  const hasOutput = lora
    ? files.has("adapter_config.json")
    : files.has("config.json") && [...files].some((f) => f.endsWith(".safetensors"));
  const baseOnHub = lora ? (await client.modelInfo(facts.model)) !== null : true;
  const existing = (await client.fileRange(repo, file, 0, 0)) !== null;
  const architecture = await hubArchitecture(client, lora ? facts.model : pushed);
  const checks: Check[] = [
    {
      id: "training-job",
      ok: stage === "COMPLETED",
      message:
        stage === "COMPLETED"
          ? `Job ${look?.job?.id} of ${record.id} completed.`
          : `Job ${look?.job?.id ?? "?"} of ${record.id} is ${stage ?? `unreadable (${look?.error ?? "no job"})`}: export after it completes (it pushes at the end).`,
    },
    {
      id: "trained-output",
      ok: hasOutput,
      message: hasOutput
        ? `${pushed} on the Hub holds the ${lora ? `LoRA adapter (adapter_config.json) of ${facts.model}` : "fine-tuned model (config.json and safetensors)"}.`
        : info
          ? `${pushed} on the Hub has no ${lora ? "adapter_config.json" : "config.json with safetensors"}: the run has not pushed its ${lora ? "adapter" : "model"} (it pushes at the end).`
          : `${pushed} is not on the Hub (or the token cannot see it): the run has not pushed anything yet.`,
    },
    ...(lora
      ? [
          {
            id: "base-model",
            ok: baseOnHub,
            message: baseOnHub
              ? `The base ${facts.model} is on the Hub: the job downloads it to merge the adapter into.`
              : `The base ${facts.model} is not on the Hub, or the token cannot see it (a gated model needs its terms accepted on its page): the job could not merge the adapter.`,
          },
        ]
      : []),
    {
      id: "outputs-free",
      ok: req.overwrite || !existing,
      message: existing
        ? `${repo}/${file} already exists on the Hub${req.overwrite ? " and will be replaced (overwrite)" : `: nothing is replaced unless ${argsHint({ overwrite: true })}`}.`
        : `${repo} has no ${file} yet${req.hubRepo === "same" ? "" : ` (pass ${argsHint({ hubRepo: "same" })} to upload into ${pushed} itself)`}.`,
    },
  ];

  const jobs = hfJobsSettingsOf(settings);
  const workdir = settings.workdir ? expandHome(settings.workdir) : record.workdir;
  const script = posix.join(workdir, "exports", `gguf_${record.id}_${quant.name}.py`);
  const cfg: GgufJobConfig = {
    source: pushed,
    base: facts.model,
    lora,
    repo,
    file,
    floatFile,
    floatType: floatType.toLowerCase(),
    quant: quant.name,
    tag: LLAMA_CPP_TAG,
    llamaRepo: LLAMA_CPP_REPO,
    overwrite: req.overwrite,
  };
  const timeoutSeconds = req.timeoutMinutes * 60;
  await ensureDir(executor, posix.dirname(script));
  await executor.writeFile(script, ggufJobScript(cfg), { exclusive: false, mode: 0o640 });
  await executor.writeFile(
    sidecarPath(script),
    `${JSON.stringify({ flavor: GGUF_JOB_FLAVOR, timeoutSeconds }, null, 2)}\n`,
    { exclusive: false, mode: 0o640 },
  );
  const ownReady = checks.every((c) => c.ok);
  const launched = await launchHfJobRun({
    host,
    executor,
    settings,
    script,
    env: {},
    flavor: GGUF_JOB_FLAVOR,
    confirm: req.confirm && ownReady,
    now: deps.now(),
    progress: deps.progress,
    audit: deps.hosts.audit,
    ggufExport: {
      sourceRunId: record.id,
      repo,
      file,
      quantization: quant.name,
      fileType: quant.ftype,
      architecture,
      baseModel: facts.model,
      peft: facts.peft ?? "lora",
    },
  });
  const allChecks = [
    ...checks,
    ...launched.checks.map((c) => ({
      id: c.id,
      ok: c.ok,
      message: c.fix && !c.ok ? `${c.message} Fix: ${c.fix}` : c.message,
    })),
  ];
  const ready = allChecks.every((c) => c.ok);
  const hf = launched.hfJob;
  const jobWork = "gguf-export";
  const gguf: GgufOut = {
    quantization: quant.name,
    fileType: quant.ftype,
    file: `${repo}/${file}`,
    baseModel: facts.model,
    peft: facts.peft ?? "lora",
    mergedDir: lora ? `${jobWork}/merged-hf (in the job)` : null,
    llamaCpp: { dir: `${jobWork}/llama.cpp (in the job)`, tag: LLAMA_CPP_TAG, pinned: LLAMA_CPP_TAG },
    steps: [
      ...(lora
        ? [
            {
              id: "merge" as const,
              command: `snapshot_download ${pushed} and ${facts.model}; PeftModel.merge_and_unload`,
            },
          ]
        : []),
      {
        id: "convert" as const,
        command: `git clone --depth 1 --branch ${LLAMA_CPP_TAG} ${LLAMA_CPP_REPO}; python convert_hf_to_gguf.py --outtype ${floatType.toLowerCase()} --outfile ${floatFile}`,
      },
      ...(file === floatFile
        ? []
        : [
            {
              id: "quantize" as const,
              command: `cmake --target llama-quantize; llama-quantize ${floatFile} ${file} ${quant.name}`,
            },
          ]),
    ].map((s) => ({ ...s, outcome: "planned" as const, outputTail: null })),
    header: null,
    usage: null,
    hubJob: {
      runId: launched.runId,
      jobId: hf?.jobId ?? null,
      namespace: hf?.namespace ?? jobs.namespace ?? null,
      flavor: GGUF_JOB_FLAVOR,
      image: jobs.image,
      timeoutSeconds,
      costCeilingUsd: hf?.costCeilingUsd ?? null,
      repo,
      script,
      url: hf?.url ?? null,
    },
  };
  const base = {
    host,
    runId: record.id,
    model: facts.model,
    release: `trl ${facts.trl ?? "?"}`,
    checkpoint: { saveDir: `hf://${pushed}`, iteration: "final", dir: `hf://${pushed}`, tp: 1, pp: 1 },
    converter: `llama.cpp ${LLAMA_CPP_TAG}`,
    method: `gguf ${quant.name}`,
    command: `POST /api/jobs/${hf?.namespace ?? "<namespace>"} (${GGUF_JOB_FLAVOR}, uv run ${posix.basename(script)})`,
    output: `${client.endpoint}/${repo}/blob/main/${file}`,
    ready,
    exported: false,
    copied: [] as string[],
    usage: null,
    notes: [
      ...(launched.plan?.notes ?? []),
      "The job's disk goes away when it ends: the .gguf is uploaded to the Hub, nothing stays on the job.",
    ],
    checks: allChecks,
    complete: null,
    gguf,
  };
  if (launched.started)
    return {
      ...base,
      next: `Job ${hf?.jobId} exports ${pushed} as run ${launched.runId}: follow it with ${callHint("tail_logs", { runId: launched.runId })} or ${callHint("list_runs")}; once it has finished, ${callHint("export_model", { runId: launched.runId, format: "gguf" })} reads the uploaded file's header from the Hub and checks it.`,
    };
  return {
    ...base,
    next: ready
      ? `Review the job (${GGUF_JOB_FLAVOR}, at most ${timeoutSeconds} s${hf?.costCeilingUsd != null ? `, at most $${hf.costCeilingUsd.toFixed(2)}` : ""}, uploads to ${repo}), then call again with ${argsHint({ confirm: true })}.`
      : `Nothing was created. Resolve: ${allChecks
          .filter((c) => !c.ok)
          .map((c) => c.message)
          .join(" | ")}`,
  };
}

/** export_model on an export job's own run: its state, and once it has finished, the uploaded file's header. */
async function checkGgufExportRun(deps: WorkDeps, found: Found) {
  const { host, record } = found;
  const ge = record.ggufExport!;
  const quantName = ge.quantization;
  const look = await hfJobOf(deps.hosts, record);
  const stage = look?.job?.status.stage.toUpperCase() ?? null;
  const base = {
    host,
    runId: record.id,
    model: ge.baseModel,
    release: `export of ${ge.sourceRunId}`,
    checkpoint: { saveDir: ge.sourceRunId, iteration: "final", dir: ge.sourceRunId, tp: 1, pp: 1 },
    converter: `llama.cpp ${LLAMA_CPP_TAG}`,
    method: `gguf ${quantName}`,
    command: `Hugging Face job ${look?.job?.id ?? "?"}`,
    output: `${ge.repo}/${ge.file}`,
    ready: true,
    copied: [] as string[],
    usage: null,
    notes: [] as string[],
  };
  const gguf: GgufOut = {
    quantization: quantName,
    fileType: ge.fileType,
    file: `${ge.repo}/${ge.file}`,
    baseModel: ge.baseModel,
    peft: ge.peft,
    mergedDir: null,
    llamaCpp: { dir: "(in the job)", tag: LLAMA_CPP_TAG, pinned: LLAMA_CPP_TAG },
    steps: [],
    header: null,
    usage: null,
  };
  const jobCheck = (ok: boolean, message: string) => ({ id: "export-job", ok, message });
  if (!look?.job || (stage !== "COMPLETED" && isHfJobActive(look.job)))
    return {
      ...base,
      exported: false,
      checks: [jobCheck(true, look?.mapped?.reason ?? `job unreadable: ${look?.error ?? "no job"}`)],
      complete: null,
      gguf,
      next: `The export job has not finished (${stage ?? look?.error ?? "?"}): follow it with ${callHint("tail_logs", { runId: record.id })}, then call again.`,
    };
  if (stage !== "COMPLETED") {
    let line = look.job.status.message ?? stage ?? "failed";
    if (look.logFile)
      try {
        const log = (await (await deps.hosts.get(host)).executor.readFile(look.logFile, { maxBytes: 1024 * 1024 }))
          .content;
        line = ggufErrorLine(log);
      } catch {
        // The job's own message stands.
      }
    return {
      ...base,
      exported: false,
      checks: [jobCheck(false, `Export job ${look.job.id} ${stage}: ${line}`)],
      complete: false,
      gguf,
      next: `The export job ended ${stage} (${line}). See ${callHint("tail_logs", { runId: record.id })}; export ${ge.sourceRunId} again once fixed.`,
    };
  }
  deps.progress({ progress: 1, total: 1, message: `reading ${ge.file}'s header from the Hub` });
  const client = await hfJobsClientOf(deps.hosts, host);
  let headerChecks: Check[];
  try {
    const read = await readHubGgufHeader(client, ge.repo, ge.file);
    if (!read) headerChecks = [{ id: "gguf-uploaded", ok: false, message: `${ge.repo} has no ${ge.file}.` }];
    else {
      const arch = read.header.metadata["general.architecture"];
      const ftype = read.header.metadata["general.file_type"];
      gguf.header = {
        version: read.header.version,
        tensorCount: Number(read.header.tensorCount),
        kvCount: Number(read.header.kvCount),
        architecture: typeof arch === "string" ? arch : null,
        fileType: typeof ftype === "number" ? ftype : null,
        sizeBytes: read.size,
      };
      headerChecks = [
        { id: "gguf-uploaded", ok: true, message: `${ge.repo}/${ge.file} is on the Hub (${read.size} bytes).` },
        ...checkGgufHeader(read.header, {
          architecture: ge.architecture,
          fileType: ge.fileType,
          fileTypeName: quantName,
        }),
      ];
    }
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    headerChecks = [{ id: `gguf-${error.kind}`, ok: false, message: `${ge.repo}/${ge.file}: ${error.message}.` }];
  }
  const complete = headerChecks.every((c) => c.ok);
  gguf.usage = `llama-cli -hf ${ge.repo}:${quantName}   # or: llama-server -hf ${ge.repo}:${quantName}; ollama run hf.co/${ge.repo}:${quantName}`;
  return {
    ...base,
    exported: true,
    checks: [jobCheck(true, `Export job ${look.job.id} completed.`), ...headerChecks],
    complete,
    gguf,
    next: complete
      ? `${ge.repo}/${ge.file} (${quantName}) is a checked GGUF file on the Hub: run it with llama.cpp (llama-cli -hf) or Ollama.`
      : `The uploaded file does not check out (see checks): export ${ge.sourceRunId} again with ${argsHint({ confirm: true, overwrite: true })}.`,
  };
}
