// A local stand-in for the Hugging Face Jobs API, speaking the wire format huggingface_hub's client uses (see the head
// of src/hosts/hf-jobs.ts for the endpoints and shapes): whoami-v2, the hardware listing, job create / list / inspect
// / cancel, and logs as server-sent events. A job's command really runs: `bash -c` with the job's environment and
// secrets, a `uv` that runs the script with the simulated CUDA host's Python (whose TRL stand-in prints the Trainer's
// log), the flavor's GPUs described to the simulated torch. Failures: a wrong token (401), another user's namespace
// (403), an unknown flavor (400), a job that runs out of CUDA memory, a job past its timeout, a cancelled job.
// Its Hub: model_info (GET /api/models/{repo_id}) and resolve URLs with Range (206) over models/<repo_id>, which jobs
// read and write through a huggingface_hub stand-in (snapshot_download, HfApi.file_exists / create_repo / upload_file);
// a job's `git clone` of llama.cpp reads the simulated host's mirror and its cmake is the simulated host's.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { HF_JOBS_FLAVORS, hfJobsFlavor } from "../../src/knowledge/hf-jobs-hardware.js";
import { LLAMA_CPP_REPO } from "../../src/knowledge/llama-cpp.js";

const JobSpecSchema = z
  .object({
    dockerImage: z.string().optional(),
    spaceId: z.string().optional(),
    command: z.array(z.string()).min(1),
    arguments: z.array(z.string()),
    environment: z.record(z.string(), z.string()),
    secrets: z.record(z.string(), z.string()).optional(),
    flavor: z.string(),
    timeoutSeconds: z.number().int().positive().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export interface StandInJob {
  id: string;
  namespace: string;
  spec: z.output<typeof JobSpecSchema>;
  stage: "SCHEDULING" | "RUNNING" | "COMPLETED" | "ERROR" | "CANCELED";
  message: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lines: { timestamp: string; data: string }[];
  listeners: Set<() => void>;
  child: ChildProcess | null;
  timer: NodeJS.Timeout | null;
}

/**
 * `datasets` as a job sees it: a Hub id is read from the stand-in's Hub (one JSON Lines file per dataset id), a
 * local file as the simulated host's stand-in reads it. It comes first on the job's PYTHONPATH.
 */
const HUB_DATASETS_PY = `"""datasets stand-in for jobs of the Hugging Face Jobs stand-in: Hub ids come from its local Hub."""
import json
import os

__version__ = "stand-in"


class Dataset:
    def __init__(self, rows):
        self.rows = rows
        self.column_names = list(rows[0].keys()) if rows else []

    def __len__(self):
        return len(self.rows)

    def rename_columns(self, mapping):
        return Dataset([{mapping.get(k, k): v for k, v in r.items()} for r in self.rows])


def load_dataset(path, data_files=None, split=None, **kwargs):
    if data_files is None:
        data_files = os.path.join(os.environ["HF_JOBS_STANDIN_HUB"], path + ".jsonl")
        if not os.path.exists(data_files):
            raise FileNotFoundError("Dataset '%s' doesn't exist on the Hub or cannot be accessed." % path)
    with open(data_files) as f:
        return Dataset([json.loads(line) for line in f if line.strip()])
`;

/**
 * `trl` as a job sees it: the simulated host's TRL stand-in, except that push_to_hub uploads the output directory to
 * the stand-in's Hub (models/<hub_model_id>), as a job with HF_TOKEN would; without the token it fails.
 */
const HUB_TRL_PY = `"""trl for jobs of the Hugging Face Jobs stand-in: the simulated TRL, pushing to the stand-in's local Hub."""
import importlib.machinery
import importlib.util
import os
import shutil
import sys

_outer = os.path.abspath(os.path.dirname(os.path.dirname(__file__)))
_spec = importlib.machinery.PathFinder.find_spec("trl", [p for p in sys.path if os.path.abspath(p or ".") != _outer])
_trl = importlib.util.module_from_spec(_spec)
sys.modules["trl"] = _trl
_spec.loader.exec_module(_trl)


def _push_to_hub(self, *args, **kwargs):
    if not os.environ.get("HF_TOKEN"):
        raise RuntimeError("push_to_hub: not logged in (no HF_TOKEN in the job)")
    repo = getattr(self.args, "hub_model_id", None) or os.path.basename(self.args.output_dir)
    dest = os.path.join(os.environ["HF_JOBS_STANDIN_HUB"], "models", repo)
    os.makedirs(dest, exist_ok=True)
    if os.path.isdir(self.args.output_dir):
        shutil.copytree(self.args.output_dir, dest, dirs_exist_ok=True)


_trl._Trainer.push_to_hub = _push_to_hub
`;

/**
 * `huggingface_hub` as a job sees it: snapshot_download copies a repo of the stand-in's Hub (models/<repo_id>) into
 * local_dir, HfApi's file_exists / create_repo / upload_file read and write there; writes need HF_TOKEN, as on the Hub.
 */
const HUB_CLIENT_PY = `"""huggingface_hub for jobs of the Hugging Face Jobs stand-in: its local Hub's models/<repo_id> directories."""
import os
import shutil

__version__ = "stand-in"


def _repo(repo_id):
    if ".." in repo_id.split("/") or repo_id.count("/") != 1:
        raise ValueError("Repo id must be in the form 'namespace/repo_name': '%s'." % repo_id)
    return os.path.join(os.environ["HF_JOBS_STANDIN_HUB"], "models", repo_id)


class RepositoryNotFoundError(Exception):
    pass


def snapshot_download(repo_id, local_dir=None, token=None, **kwargs):
    src = _repo(repo_id)
    if not os.path.isdir(src):
        raise RepositoryNotFoundError("404 Client Error. Repository Not Found for url: %s" % repo_id)
    dest = local_dir or os.path.join(os.path.expanduser("~"), ".cache", "huggingface", "hub", repo_id)
    shutil.copytree(src, dest, dirs_exist_ok=True)
    print("Fetched %s into %s" % (repo_id, dest), flush=True)
    return dest


class HfApi:
    def __init__(self, token=None, **kwargs):
        self.token = token or os.environ.get("HF_TOKEN")

    def _write(self):
        if not self.token:
            raise RuntimeError("401 Client Error: Unauthorized (no HF_TOKEN in the job)")

    def file_exists(self, repo_id, filename, **kwargs):
        return os.path.isfile(os.path.join(_repo(repo_id), filename))

    def create_repo(self, repo_id, exist_ok=False, **kwargs):
        self._write()
        path = _repo(repo_id)
        if os.path.isdir(path) and not exist_ok:
            raise RuntimeError("409 Client Error: You already created this model repo")
        os.makedirs(path, exist_ok=True)

    def upload_file(self, path_or_fileobj, path_in_repo, repo_id, **kwargs):
        self._write()
        path = _repo(repo_id)
        if not os.path.isdir(path):
            raise RepositoryNotFoundError("404 Client Error. Repository Not Found for url: %s" % repo_id)
        shutil.copyfile(path_or_fileobj, os.path.join(path, path_in_repo))
        return "%s/%s" % (repo_id, path_in_repo)
`;

export interface HfJobsStandIn {
  /** The stand-in's Hub: datasets/<id>.jsonl as given, models/<repo> as jobs pushed them. */
  hubDir: string;
  url: string;
  token: string;
  user: string;
  orgs: string[];
  jobs: Map<string, StandInJob>;
  /** Every request: method, path and whether it carried the right token. */
  requests: { method: string; path: string; authorized: boolean }[];
  /** The next job fails this way: "oom@3" runs out of CUDA memory at step 3. */
  failNextJob(kind: string): void;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** A simulated CUDA host laid out with layOutCudaSim: its venv runs the jobs' scripts. */
  simDir: string;
  token?: string;
  user?: string;
  orgs?: string[];
  /** Seconds per training step of the TRL stand-in. */
  stepSeconds?: number;
  /** Milliseconds a job stays SCHEDULING. */
  schedulingMs?: number;
  /** Datasets on the stand-in's Hub: id → rows. */
  hubDatasets?: Record<string, object[]>;
}

const UV_SHIM = `#!/bin/sh
# uv stand-in: \`uv run [options] script.py [args]\` runs the script with the simulated host's Python, whose TRL
# stand-ins the PEP 723 header would otherwise install.
[ "$1" = run ] || { echo "uv (stand-in): only 'uv run' is supported" >&2; exit 2; }
shift
while [ $# -gt 0 ]; do case "$1" in --with|--python) shift 2;; --*) shift;; *) break;; esac; done
exec python "$@"
`;

export async function startHfJobsStandIn(opts: StandInOptions): Promise<HfJobsStandIn> {
  const token = opts.token ?? `hf_${randomBytes(12).toString("hex")}`;
  const user = opts.user ?? "trainer";
  const orgs = opts.orgs ?? ["acme-ml"];
  const root = mkdtempSync(join(tmpdir(), "hf-jobs-standin-"));
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "bin", "uv"), UV_SHIM, { mode: 0o755 });
  mkdirSync(join(root, "py", "datasets"), { recursive: true });
  writeFileSync(join(root, "py", "datasets", "__init__.py"), HUB_DATASETS_PY);
  mkdirSync(join(root, "py", "trl"));
  writeFileSync(join(root, "py", "trl", "__init__.py"), HUB_TRL_PY);
  mkdirSync(join(root, "py", "huggingface_hub"));
  writeFileSync(join(root, "py", "huggingface_hub", "__init__.py"), HUB_CLIENT_PY);
  // The GGUF export job builds llama-quantize with cmake (the simulated host's stand-in) from a clone of llama.cpp.
  symlinkSync(join(opts.simDir, "bin", "cmake"), join(root, "bin", "cmake"));
  for (const [id, rows] of Object.entries(opts.hubDatasets ?? {})) {
    mkdirSync(join(root, "hub", id, ".."), { recursive: true });
    writeFileSync(join(root, "hub", `${id}.jsonl`), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  }
  const jobs = new Map<string, StandInJob>();
  const requests: HfJobsStandIn["requests"] = [];
  let nextFailure: string | null = null;

  const now = () => new Date().toISOString();
  const info = (j: StandInJob) => ({
    id: j.id,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    dockerImage: j.spec.dockerImage ?? null,
    spaceId: j.spec.spaceId ?? null,
    command: j.spec.command,
    arguments: j.spec.arguments,
    environment: j.spec.environment,
    // The API returns secrets encrypted; the stand-in returns their names only.
    secrets: Object.fromEntries(Object.keys(j.spec.secrets ?? {}).map((k) => [k, "***"])),
    flavor: j.spec.flavor,
    labels: j.spec.labels ?? null,
    status: { stage: j.stage, message: j.message },
    owner: { id: "0123456789abcdef01234567", name: j.namespace, type: j.namespace === user ? "user" : "org" },
  });
  const emit = (j: StandInJob, data: string) => {
    j.lines.push({ timestamp: now(), data });
    for (const l of j.listeners) l();
  };
  const finish = (j: StandInJob, stage: StandInJob["stage"], message: string | null) => {
    if (j.stage === "COMPLETED" || j.stage === "ERROR" || j.stage === "CANCELED") return;
    j.stage = stage;
    j.message = message;
    j.finishedAt = now();
    if (j.timer) clearTimeout(j.timer);
    for (const l of j.listeners) l();
  };

  function start(j: StandInJob): void {
    if (j.stage !== "SCHEDULING") return;
    j.stage = "RUNNING";
    j.startedAt = now();
    const dir = join(root, j.id);
    const flavor = hfJobsFlavor(j.spec.flavor)!;
    mkdirSync(join(dir, "sim", ".sim"), { recursive: true });
    mkdirSync(join(dir, "tmp"));
    writeFileSync(
      join(dir, "sim", ".sim", "cuda.json"),
      JSON.stringify({
        gpuCount: flavor.gpus,
        gpuName: `NVIDIA ${flavor.gpuModel ?? "none"}`,
        memoryTotalMiB: flavor.gpus ? Math.round((flavor.vramGb / flavor.gpus) * 1024) : 0,
        bf16: flavor.gpuModel !== "T4",
        cuda: "12.8",
      }),
    );
    const failure = (j as StandInJob & { failure?: string }).failure;
    if (failure) writeFileSync(join(dir, "sim", ".sim", "trl-failure"), failure);
    emit(j, `===== Job started at ${j.startedAt} =====`);
    const child = spawn(j.spec.command[0]!, [...j.spec.command.slice(1), ...j.spec.arguments], {
      cwd: dir,
      detached: true,
      env: {
        PATH: `${join(root, "bin")}:${join(opts.simDir, "venv", "bin")}:/usr/bin:/bin`,
        HOME: dir,
        TMPDIR: join(dir, "tmp"),
        CUDA_SIM_ROOT: join(dir, "sim"),
        CUDA_SIM_STEP_SECONDS: String(opts.stepSeconds ?? 0.05),
        PYTHONPATH: join(root, "py"),
        HF_JOBS_STANDIN_HUB: join(root, "hub"),
        // The job's `git clone` of llama.cpp from GitHub reads the simulated host's mirror of it.
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: `url.${join(opts.simDir, "mirrors", "llama.cpp.git")}.insteadOf`,
        GIT_CONFIG_VALUE_0: LLAMA_CPP_REPO,
        ...j.spec.environment,
        ...(j.spec.secrets ?? {}),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    j.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      let pending = "";
      stream.setEncoding("utf8");
      stream.on("data", (piece: string) => {
        pending += piece;
        const parts = pending.split("\n");
        pending = parts.pop() ?? "";
        for (const p of parts) emit(j, p);
      });
      stream.on("end", () => {
        if (pending) emit(j, pending);
      });
    }
    child.on("close", (code, signal) => {
      j.child = null;
      if (code === 0) finish(j, "COMPLETED", null);
      else finish(j, "ERROR", signal ? `Job killed by ${signal}` : `Job failed with exit code: ${code}`);
    });
    const timeout = j.spec.timeoutSeconds;
    if (timeout) {
      j.timer = setTimeout(() => {
        finish(j, "ERROR", `Job timeout after ${timeout} seconds`);
        killGroup(j);
      }, timeout * 1000);
    }
  }

  function killGroup(j: StandInJob): void {
    const pid = j.child?.pid;
    if (!pid) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const repoDir = (repo: string) =>
    repo.split("/").some((p) => p === ".." || p === "." || !p) ? null : join(root, "hub", "models", repo);

  /** GET /api/models/{repo_id} (HfApi.model_info): the repo's files as siblings. */
  function sendModelInfo(res: ServerResponse, repo: string): void {
    const dir = repoDir(repo);
    if (!dir || !existsSync(dir)) {
      send(res, 404, { error: "Repository not found" });
      return;
    }
    const files: string[] = [];
    const walk = (d: string, prefix: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
        else files.push(`${prefix}${name}`);
      }
    };
    walk(dir, "");
    send(res, 200, {
      id: repo,
      modelId: repo,
      sha: "0".repeat(40),
      siblings: files.map((rfilename) => ({ rfilename })),
    });
  }

  /** GET /{repo_id}/resolve/{revision}/{filename}: the file, or the bytes a `Range: bytes=a-b` asks for (206). */
  function sendResolved(req: IncomingMessage, res: ServerResponse, repo: string, file: string): void {
    const dir = repoDir(repo);
    const path = dir && !file.split("/").includes("..") ? join(dir, file) : null;
    if (!dir || !existsSync(dir) || !path || !existsSync(path) || !statSync(path).isFile()) {
      send(res, 404, { error: dir && existsSync(dir) ? "Entry not found" : "Repository not found" });
      return;
    }
    const bytes = readFileSync(path);
    const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ""));
    if (!range) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
      return void res.end(bytes);
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
    if (start >= bytes.length) {
      res.writeHead(416, { "content-range": `bytes */${bytes.length}` });
      return void res.end();
    }
    res.writeHead(206, {
      "content-type": "application/octet-stream",
      "content-range": `bytes ${start}-${end}/${bytes.length}`,
      "content-length": end - start + 1,
    });
    res.end(bytes.subarray(start, end + 1));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const authorized = req.headers.authorization === `Bearer ${token}`;
    requests.push({ method: req.method ?? "", path: url.pathname, authorized });
    if (!authorized) return send(res, 401, { error: "Invalid credentials in Authorization header" });
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (req.method === "GET" && url.pathname === "/api/whoami-v2")
      return send(res, 200, {
        type: "user",
        id: "0123456789abcdef01234567",
        name: user,
        fullname: "Stand-in User",
        orgs: orgs.map((name) => ({ type: "org", name })),
        auth: { type: "access_token", accessToken: { displayName: "stand-in", role: "write" } },
      });
    if (req.method === "GET" && parts[0] === "api" && parts[1] === "models" && parts.length === 4)
      return sendModelInfo(res, `${parts[2]}/${parts[3]}`);
    if (req.method === "GET" && parts[0] !== "api" && parts[2] === "resolve" && parts.length >= 5)
      return sendResolved(req, res, `${parts[0]}/${parts[1]}`, parts.slice(4).join("/"));
    if (parts[0] !== "api" || parts[1] !== "jobs") return send(res, 404, { error: "Not Found" });
    if (req.method === "GET" && parts.length === 3 && parts[2] === "hardware")
      return send(
        res,
        200,
        HF_JOBS_FLAVORS.map((f) => ({
          name: f.name,
          prettyName: f.prettyName,
          cpu: "n vCPU",
          ram: "n GB",
          ephemeralStorage: "n GB",
          accelerator: f.gpus
            ? {
                type: "gpu",
                model: f.gpuModel,
                quantity: String(f.gpus),
                vram: `${f.vramGb} GB`,
                manufacturer: "Nvidia",
              }
            : null,
          unitCostMicroUSD: Math.round((f.usdPerHour / 60) * 1e6),
          unitCostUSD: f.usdPerHour / 60,
          unitLabel: "minute",
        })),
      );
    const ns = parts[2];
    if (!ns) return send(res, 404, { error: "Not Found" });
    if (ns !== user && !orgs.includes(ns)) return send(res, 403, { error: `You cannot run jobs in ${ns}` });
    if (parts.length === 3 && req.method === "POST") {
      let spec: z.output<typeof JobSpecSchema>;
      try {
        spec = JobSpecSchema.parse(JSON.parse(await readBody(req)));
      } catch (error) {
        return send(res, 400, { error: `Invalid job spec: ${(error as Error).message.slice(0, 300)}` });
      }
      if (!hfJobsFlavor(spec.flavor)) return send(res, 400, { error: `Unknown flavor ${spec.flavor}` });
      const job: StandInJob & { failure?: string } = {
        id: randomBytes(12).toString("hex"),
        namespace: ns,
        spec,
        stage: "SCHEDULING",
        message: null,
        createdAt: now(),
        startedAt: null,
        finishedAt: null,
        lines: [],
        listeners: new Set(),
        child: null,
        timer: null,
      };
      if (nextFailure) job.failure = nextFailure;
      nextFailure = null;
      jobs.set(job.id, job);
      setTimeout(() => start(job), opts.schedulingMs ?? 100);
      return send(res, 200, info(job));
    }
    if (parts.length === 3 && req.method === "GET")
      return send(res, 200, [...jobs.values()].filter((j) => j.namespace === ns).map(info));
    const job = parts[3] ? jobs.get(parts[3]) : undefined;
    if (!job || job.namespace !== ns) return send(res, 404, { error: "Job not found" });
    if (parts.length === 4 && req.method === "GET") return send(res, 200, info(job));
    if (parts.length === 5 && parts[4] === "cancel" && req.method === "POST") {
      finish(job, "CANCELED", null);
      killGroup(job);
      return send(res, 200, {});
    }
    if (parts.length === 5 && parts[4] === "logs" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const tail = Number(url.searchParams.get("tail") ?? "0");
      let sent = tail > 0 ? Math.max(0, job.lines.length - tail) : 0;
      const terminal = () => job.stage !== "SCHEDULING" && job.stage !== "RUNNING";
      const flush = () => {
        for (; sent < job.lines.length; sent++) res.write(`data: ${JSON.stringify(job.lines[sent])}\n\n`);
        if (terminal()) {
          job.listeners.delete(flush);
          clearInterval(keepAlive);
          res.end();
        }
      };
      const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 1000);
      job.listeners.add(flush);
      res.on("close", () => {
        job.listeners.delete(flush);
        clearInterval(keepAlive);
      });
      flush();
      return;
    }
    return send(res, 404, { error: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hubDir: join(root, "hub"),
    url: `http://127.0.0.1:${port}`,
    token,
    user,
    orgs,
    jobs,
    requests,
    failNextJob(kind) {
      nextFailure = kind;
    },
    async close() {
      for (const j of jobs.values()) {
        if (j.timer) clearTimeout(j.timer);
        killGroup(j);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
