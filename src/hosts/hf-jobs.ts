// Hugging Face Jobs over its public REST API: the token and endpoint a host uses, whoami, the hardware listing, and
// a job's creation, inspection, logs and cancellation. Every call is bounded in time and bytes, every answer is
// checked with zod, and every HTTP exchange goes through the HfHttp interface (tests give a local server's URL).
//
// Written against huggingface_hub (github.com/huggingface/huggingface_hub, src/huggingface_hub/hf_api.py and
// _jobs_api.py at ee0a4510f4bc15e26cb722be2efc2bdb01383ca0):
//   whoami            GET  {endpoint}/api/whoami-v2                       → {name, type, orgs: [{name}], auth}
//   list_jobs_hardware GET {endpoint}/api/jobs/hardware                   → [{name, prettyName, cpu, ram,
//                          accelerator: {type, model, quantity, vram, manufacturer} | null, unitCostMicroUSD,
//                          unitCostUSD, unitLabel}]
//   run_job           POST {endpoint}/api/jobs/{namespace} with {dockerImage, command, arguments, environment,
//                          secrets?, flavor, timeoutSeconds?, labels?}    → JobInfo
//   inspect_job       GET  {endpoint}/api/jobs/{namespace}/{job_id}       → JobInfo {id, createdAt, status: {stage,
//                          message}, flavor, owner: {id, name, type}, …}
//   fetch_job_logs    GET  {endpoint}/api/jobs/{namespace}/{job_id}/logs  (?tail=N) → server-sent events, one
//                          `data: {"timestamp": …, "data": "<line>"}` per log line, ": keep-alive" comments, the first
//                          line "===== Job started …"; the stream stays open while the job runs.
//   cancel_job        POST {endpoint}/api/jobs/{namespace}/{job_id}/cancel
//   model_info        GET  {endpoint}/api/models/{repo_id}               → {id, siblings: [{rfilename}], …}
//   hf_hub_url        GET  {endpoint}/{repo_id}/resolve/{revision}/{filename} (file_download.py); LFS / Xet files
//                          redirect to a CDN; a Range header asks for part of the file (206, Content-Range).
// Stages (JobStage): SCHEDULING, RUNNING, COMPLETED, CANCELED, ERROR, DELETED (and UPDATING, which fetch_job_logs
// treats as running). The token comes from HF_TOKEN (or HUGGING_FACE_HUB_TOKEN), else the token file: HF_TOKEN_PATH,
// else $HF_HOME/token, HF_HOME defaulting to $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface (constants.py,
// utils/_auth.py); the endpoint from HF_ENDPOINT, default https://huggingface.co.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ToolError } from "../errors.js";
import { redactText, registerSecrets } from "./redact.js";

export const HF_DEFAULT_ENDPOINT = "https://huggingface.co";
/** Namespaces (users, organizations) as the Hub spells them. */
export const HF_NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
/** Job ids: the Hub's are 24 hex digits; anything else that reaches a URL path is refused. */
export const HF_JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

const MAX_JSON_BYTES = 4 * 1024 * 1024;
const CALL_TIMEOUT_MS = 30_000;

export class HfJobsError extends ToolError {
  override name = "HfJobsError";
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message, { status });
  }
}

export interface HfHttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface HfHttpResponse {
  status: number;
  text: string;
}

export interface HfStreamRequest extends HfHttpRequest {
  /** Stop when no byte arrives for this long (a running job's stream stays open). */
  idleMs: number;
}

export interface HfStreamResult {
  status: number;
  /** The body of a non-200 answer (bounded). */
  text: string;
  endedBy: "end" | "idle" | "timeout" | "limit" | "stopped";
}

export interface HfBytesResponse {
  status: number;
  body: Buffer;
  /** Content-Range of a 206 answer ("bytes 0-99/1234"), else null. */
  contentRange: string | null;
}

/** The only way this module reaches the network. */
export interface HfHttp {
  request(req: HfHttpRequest): Promise<HfHttpResponse>;
  /** A GET answered in bytes (a file's range), following redirects; the token goes only to the first origin. */
  bytes?(req: HfHttpRequest): Promise<HfBytesResponse>;
  /** Reads a response line by line, calling onLine for each, until it ends, a bound is reached or onLine says stop. */
  stream(req: HfStreamRequest, onLine: (line: string) => "stop" | undefined): Promise<HfStreamResult>;
}

async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  onChunk?: (text: string) => void,
  idle?: { ms: number; onIdle: () => void },
): Promise<{ text: string; limited: boolean }> {
  if (!body) return { text: "", limited: false };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (!idle) return;
    clearTimeout(timer);
    timer = setTimeout(idle.onIdle, idle.ms);
  };
  try {
    arm();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arm();
      bytes += value.byteLength;
      const piece = decoder.decode(value, { stream: true });
      if (onChunk) onChunk(piece);
      else text += piece;
      if (bytes >= maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { text, limited: true };
      }
    }
    return { text: text + decoder.decode(), limited: false };
  } finally {
    clearTimeout(timer);
  }
}

/** HfHttp over Node's fetch, each call with its own deadline. */
export const fetchHfHttp: HfHttp = {
  async request(req) {
    const signal = AbortSignal.timeout(req.timeoutMs);
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
      redirect: "error",
    });
    const { text } = await readBounded(res.body, req.maxBytes);
    return { status: res.status, text };
  },
  async bytes(req) {
    // Files kept in LFS / Xet redirect from the resolve URL to a CDN: follow at most 5 hops, dropping the token
    // when the origin changes (it is meant for the Hub only).
    let url = req.url;
    let headers = req.headers;
    for (let hop = 0; hop < 6; hop++) {
      const res = await fetch(url, {
        method: "GET",
        headers,
        signal: AbortSignal.timeout(req.timeoutMs),
        redirect: "manual",
      });
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined);
        const next = new URL(location, url);
        if (next.origin !== new URL(url).origin) {
          const { authorization: _dropped, ...rest } = headers;
          headers = rest;
        }
        url = next.toString();
        continue;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      if (res.body)
        for await (const chunk of res.body) {
          chunks.push(Buffer.from(chunk));
          size += chunk.byteLength;
          if (size >= req.maxBytes) break;
        }
      return {
        status: res.status,
        body: Buffer.concat(chunks).subarray(0, req.maxBytes),
        contentRange: res.headers.get("content-range"),
      };
    }
    throw new Error(`more than 5 redirects from ${req.url}`);
  },
  async stream(req, onLine) {
    const controller = new AbortController();
    let endedBy: HfStreamResult["endedBy"] = "end";
    const deadline = setTimeout(() => {
      endedBy = "timeout";
      controller.abort();
    }, req.timeoutMs);
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        signal: controller.signal,
        redirect: "error",
      });
      if (res.status !== 200) {
        const { text } = await readBounded(res.body, 64 * 1024);
        return { status: res.status, text, endedBy: "end" };
      }
      let pending = "";
      try {
        const { limited } = await readBounded(
          res.body,
          req.maxBytes,
          (piece) => {
            pending += piece;
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            for (const l of lines) {
              if (endedBy === "stopped") break;
              if (onLine(l.replace(/\r$/, "")) === "stop") {
                endedBy = "stopped";
                controller.abort();
              }
            }
          },
          {
            ms: req.idleMs,
            onIdle: () => {
              endedBy = "idle";
              controller.abort();
            },
          },
        );
        if (limited) endedBy = "limit";
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
      if (pending && (endedBy as HfStreamResult["endedBy"]) !== "stopped") onLine(pending);
      return { status: 200, text: "", endedBy };
    } catch (error) {
      if (controller.signal.aborted) return { status: 200, text: "", endedBy };
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  },
};

// ---- answers, as the API sends them (unknown fields are dropped) ----

export const WhoamiSchema = z.object({
  name: z.string(),
  type: z.string().optional(),
  orgs: z.array(z.object({ name: z.string() })).default([]),
  auth: z
    .object({
      accessToken: z.object({ displayName: z.string().optional(), role: z.string().optional() }).optional(),
    })
    .optional(),
});
export type Whoami = z.output<typeof WhoamiSchema>;

export const HardwareSchema = z.array(
  z.object({
    name: z.string(),
    prettyName: z.string(),
    cpu: z.string().optional(),
    ram: z.string().optional(),
    accelerator: z
      .object({
        type: z.string().optional(),
        model: z.string(),
        quantity: z.union([z.string(), z.number()]).transform(String),
        vram: z.string().optional(),
        manufacturer: z.string().optional(),
      })
      .nullable()
      .optional(),
    unitCostMicroUSD: z.number().optional(),
    unitCostUSD: z.number(),
    unitLabel: z.string(),
  }),
);
export type HfHardware = z.output<typeof HardwareSchema>[number];

export const JobInfoSchema = z.object({
  id: z.string().regex(HF_JOB_ID),
  createdAt: z.string().nullish(),
  startedAt: z.string().nullish(),
  finishedAt: z.string().nullish(),
  flavor: z.string().nullish(),
  status: z.object({ stage: z.string(), message: z.string().nullish() }),
  owner: z.object({ name: z.string() }).partial().nullish(),
});
export type HfJobInfo = z.output<typeof JobInfoSchema>;

/** GET /api/models/{repo_id} (HfApi.model_info): the files of the repo's main revision. */
export const ModelInfoSchema = z.object({
  id: z.string().optional(),
  siblings: z.array(z.object({ rfilename: z.string() })).default([]),
});
export type HfModelInfo = z.output<typeof ModelInfoSchema>;

/** Model repo ids as the Hub spells them: namespace/name. */
export const HF_REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** What POST /api/jobs/{namespace} takes (the fields huggingface_hub's _create_job_spec sends). */
export interface HfJobSpec {
  dockerImage: string;
  command: string[];
  arguments: string[];
  environment: Record<string, string>;
  secrets?: Record<string, string>;
  flavor: string;
  timeoutSeconds?: number;
  labels?: Record<string, string>;
}

/** Stages after which a job runs no more (huggingface_hub's TERMINAL_JOB_STAGES). */
export const TERMINAL_STAGES = new Set(["COMPLETED", "CANCELED", "ERROR", "DELETED"]);

// ---- token and endpoint ----

export interface HfCredentials {
  token: string;
  /** Where it came from: an env variable's name or the file's path (never the token). */
  source: string;
}

/** The token huggingface_hub would use: an explicit file, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the token file. */
export function resolveHfToken(
  env: Readonly<Record<string, string | undefined>>,
  opts: { tokenFile?: string } = {},
  readText: (path: string) => string | null = readSmallFile,
): HfCredentials | null {
  const clean = (t: string | null | undefined) => (t ? t.replace(/\r?\n/g, "").trim() || null : null);
  // As huggingface_hub's expanduser: ~ and ~/… are this user's home.
  const home = (p: string) => (p === "~" ? homedir() : p.startsWith("~/") ? join(homedir(), p.slice(2)) : p);
  if (opts.tokenFile) {
    const t = clean(readText(home(opts.tokenFile)));
    return t ? { token: t, source: opts.tokenFile } : null;
  }
  for (const name of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]) {
    const t = clean(env[name]);
    if (t) return { token: t, source: name };
  }
  const hfHome = home(env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "huggingface"));
  const file = home(env.HF_TOKEN_PATH ?? join(hfHome, "token"));
  const t = clean(readText(file));
  return t ? { token: t, source: file } : null;
}

function readSmallFile(path: string): string | null {
  try {
    const text = readFileSync(path, "utf8");
    return text.length > 4096 ? null : text;
  } catch {
    return null;
  }
}

/** The API endpoint: https, or plain http only to this machine (a token never crosses a network in the clear). */
export function resolveHfEndpoint(env: Readonly<Record<string, string | undefined>>, configured?: string): string {
  const raw = (configured ?? env.HF_ENDPOINT ?? HF_DEFAULT_ENDPOINT).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError(`The Hugging Face endpoint "${raw.slice(0, 200)}" is not a URL.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    throw new ToolError(`The Hugging Face endpoint ${raw} must be https (plain http only to this machine).`);
  if (url.username || url.password || url.search || url.hash)
    throw new ToolError(`The Hugging Face endpoint ${url.origin} must be a bare URL (no credentials, query or #).`);
  return raw;
}

const TOKEN_HELP =
  "Create a token at https://huggingface.co/settings/tokens (write, or fine-grained with the Jobs permission) and " +
  "set HF_TOKEN, or run `hf auth login`.";

// ---- the client ----

export interface HfJobsClientOptions {
  endpoint: string;
  credentials: HfCredentials;
  http?: HfHttp;
}

export class HfJobsClient {
  readonly endpoint: string;
  private readonly token: string;
  readonly tokenSource: string;
  private readonly http: HfHttp;

  constructor(opts: HfJobsClientOptions) {
    this.endpoint = opts.endpoint;
    this.token = opts.credentials.token;
    this.tokenSource = opts.credentials.source;
    this.http = opts.http ?? fetchHfHttp;
    registerSecrets([this.token]);
  }

  /** The token, to hand to a job as its HF_TOKEN secret (gated models, pushing the result). */
  tokenForJob(): string {
    return this.token;
  }

  /** The page a person opens to see the job (JobInfo.url in huggingface_hub). */
  jobUrl(namespace: string, jobId: string): string {
    return `${this.endpoint}/jobs/${namespace}/${jobId}`;
  }

  private headers(json: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      "user-agent": "ascend-train",
      ...(json ? { "content-type": "application/json" } : {}),
    };
  }

  private path(...parts: string[]): string {
    return `${this.endpoint}/api/${parts.map(encodeURIComponent).join("/")}`;
  }

  private failure(status: number, text: string, what: string): HfJobsError {
    let said = "";
    try {
      const body = JSON.parse(text) as { error?: unknown; message?: unknown };
      const e = body.error ?? body.message;
      if (typeof e === "string") said = e;
    } catch {
      said = text.trim().split("\n")[0] ?? "";
    }
    said = redactText(said.slice(0, 300), [this.token]);
    const tail = said ? ` The Hub said: ${said}` : "";
    if (status === 401)
      return new HfJobsError(
        `Hugging Face rejected the token from ${this.tokenSource} (401 on ${what}): it is invalid or expired. ${TOKEN_HELP}${tail}`,
        status,
      );
    if (status === 403)
      return new HfJobsError(
        `The token from ${this.tokenSource} may not ${what} (403): it needs write access to the namespace (a ` +
          `fine-grained token needs the Jobs permission there).${tail}`,
        status,
      );
    if (status === 402)
      return new HfJobsError(
        `Hugging Face Jobs refused to ${what} (402): Jobs need a positive credit balance ` +
          `(https://huggingface.co/settings/billing).${tail}`,
        status,
      );
    if (status === 404) return new HfJobsError(`Hugging Face answered 404 to ${what}: not found.${tail}`, status);
    if (status === 429)
      return new HfJobsError(`Hugging Face rate-limited ${what} (429): wait a minute and try again.${tail}`, status);
    return new HfJobsError(`Hugging Face answered ${status} to ${what}.${tail}`, status);
  }

  private async call<T>(
    method: "GET" | "POST",
    url: string,
    what: string,
    schema: z.ZodType<T> | null,
    body?: unknown,
  ): Promise<T> {
    let res: HfHttpResponse;
    try {
      res = await this.http.request({
        method,
        url,
        headers: this.headers(body !== undefined),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        timeoutMs: CALL_TIMEOUT_MS,
        maxBytes: MAX_JSON_BYTES,
      });
    } catch (error) {
      const e = error as Error;
      const why = e.name === "TimeoutError" ? `no answer within ${CALL_TIMEOUT_MS / 1000} s` : e.message;
      throw new HfJobsError(`Cannot reach ${this.endpoint} to ${what}: ${redactText(why, [this.token])}`, null);
    }
    if (res.status < 200 || res.status >= 300) throw this.failure(res.status, res.text, what);
    if (schema === null) return undefined as T;
    let raw: unknown;
    try {
      raw = JSON.parse(res.text);
    } catch {
      throw new HfJobsError(`${this.endpoint} answered ${what} with something that is not JSON.`, res.status);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HfJobsError(
        `${this.endpoint} answered ${what} in an unexpected shape (${issue?.path.join(".") || "top"}: ${issue?.message}).`,
        res.status,
      );
    }
    return parsed.data;
  }

  whoami(): Promise<Whoami> {
    return this.call("GET", `${this.endpoint}/api/whoami-v2`, "check the token (whoami)", WhoamiSchema);
  }

  hardware(): Promise<HfHardware[]> {
    return this.call("GET", this.path("jobs", "hardware"), "list the Jobs hardware", HardwareSchema);
  }

  async createJob(namespace: string, spec: HfJobSpec): Promise<HfJobInfo> {
    checkNamespace(namespace);
    return this.call("POST", this.path("jobs", namespace), `start a job in ${namespace}`, JobInfoSchema, spec);
  }

  async inspectJob(namespace: string, jobId: string): Promise<HfJobInfo> {
    checkNamespace(namespace);
    checkJobId(jobId);
    return this.call("GET", this.path("jobs", namespace, jobId), `read job ${jobId}`, JobInfoSchema);
  }

  /** A model repo's files, or null when the repo does not exist (or the token may not see it). */
  async modelInfo(repoId: string): Promise<HfModelInfo | null> {
    checkRepoId(repoId);
    try {
      return await this.call("GET", `${this.endpoint}/api/models/${repoId}`, `read model ${repoId}`, ModelInfoSchema);
    } catch (error) {
      if (error instanceof HfJobsError && (error.status === 404 || error.status === 401)) return null;
      throw error;
    }
  }

  /**
   * Bytes [start, end] of a file of a model repo's main revision through its resolve URL (a ranged GET, as
   * huggingface_hub's hf_hub_url builds it), with the file's size; null when the file does not exist.
   */
  async fileRange(
    repoId: string,
    file: string,
    start: number,
    end: number,
  ): Promise<{ bytes: Buffer; size: number } | null> {
    checkRepoId(repoId);
    if (!/^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,250}$/.test(file) || file.split("/").includes(".."))
      throw new ToolError(`"${file.slice(0, 100)}" is not a file name in a repo.`);
    const get = this.http.bytes;
    if (!get) throw new HfJobsError("This Hub client cannot read files (no ranged GET).", null);
    const url = `${this.endpoint}/${repoId}/resolve/main/${file.split("/").map(encodeURIComponent).join("/")}`;
    const what = `read ${repoId}/${file}`;
    let res: HfBytesResponse;
    try {
      res = await get.call(this.http, {
        method: "GET",
        url,
        headers: { ...this.headers(false), range: `bytes=${start}-${end}` },
        timeoutMs: CALL_TIMEOUT_MS,
        maxBytes: end - start + 1,
      });
    } catch (error) {
      throw new HfJobsError(
        `Cannot reach ${this.endpoint} to ${what}: ${redactText((error as Error).message, [this.token])}`,
        null,
      );
    }
    if (res.status === 404 || res.status === 416) return null;
    if (res.status !== 200 && res.status !== 206) throw this.failure(res.status, res.body.toString("utf8"), what);
    const total = /\/(\d+)$/.exec(res.contentRange ?? "")?.[1];
    return { bytes: res.body, size: total ? Number(total) : res.body.length };
  }

  async cancelJob(namespace: string, jobId: string): Promise<void> {
    checkNamespace(namespace);
    checkJobId(jobId);
    await this.call("POST", this.path("jobs", namespace, jobId, "cancel"), `cancel job ${jobId}`, null);
  }

  /**
   * The job's log lines so far (the "===== Job started" banner left out), read from its event stream until the
   * stream ends, goes quiet for idleMs (a running job's stream stays open), or a bound is reached.
   */
  async logs(
    namespace: string,
    jobId: string,
    opts: { tail?: number; idleMs?: number; timeoutMs?: number; maxBytes?: number; caughtUpAfter?: Date } = {},
  ): Promise<{ lines: string[]; complete: boolean; endedBy: HfStreamResult["endedBy"] }> {
    checkNamespace(namespace);
    checkJobId(jobId);
    const query = opts.tail !== undefined ? `?tail=${Math.max(1, Math.floor(opts.tail))}` : "";
    const lines: string[] = [];
    let result: HfStreamResult;
    try {
      result = await this.http.stream(
        {
          method: "GET",
          url: `${this.path("jobs", namespace, jobId, "logs")}${query}`,
          headers: { ...this.headers(false), accept: "text/event-stream" },
          timeoutMs: opts.timeoutMs ?? 20_000,
          idleMs: opts.idleMs ?? 3_000,
          maxBytes: opts.maxBytes ?? 16 * 1024 * 1024,
        },
        (line) => {
          if (!line.startsWith("data: {")) return undefined;
          try {
            const event = JSON.parse(line.slice("data: ".length)) as { data?: unknown; timestamp?: unknown };
            // A running job's stream replays the log, then goes on live: an event stamped after caughtUpAfter means
            // the replay is over (huggingface_hub's non-following read relies on a short read timeout instead).
            const at = typeof event.timestamp === "string" ? Date.parse(event.timestamp) : Number.NaN;
            if (opts.caughtUpAfter && at > opts.caughtUpAfter.getTime()) return "stop";
            if (typeof event.data === "string" && !event.data.startsWith("===== Job started")) lines.push(event.data);
          } catch {
            // A malformed event is skipped, as huggingface_hub's reader would fail on it only in its own loop.
          }
          return undefined;
        },
      );
    } catch (error) {
      throw new HfJobsError(
        `Cannot read the logs of job ${jobId} from ${this.endpoint}: ${redactText((error as Error).message, [this.token])}`,
        null,
      );
    }
    if (result.status !== 200) throw this.failure(result.status, result.text, `read the logs of job ${jobId}`);
    return { lines, complete: result.endedBy === "end", endedBy: result.endedBy };
  }
}

export function checkNamespace(namespace: string): void {
  if (!HF_NAMESPACE.test(namespace))
    throw new ToolError(`"${namespace.slice(0, 100)}" is not a Hugging Face namespace (user or organization name).`);
}

export function checkRepoId(repoId: string): void {
  if (!HF_REPO_ID.test(repoId) || repoId.includes(".."))
    throw new ToolError(`"${repoId.slice(0, 100)}" is not a Hugging Face model repo id (namespace/name).`);
}

export function checkJobId(jobId: string): void {
  if (!HF_JOB_ID.test(jobId)) throw new ToolError(`"${jobId.slice(0, 100)}" is not a Hugging Face job id.`);
}

/** The client for a host: its configured endpoint and token file, else the environment's. */
export function hfJobsClientFor(
  config: { endpoint?: string | undefined; tokenFile?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
  http?: HfHttp,
): HfJobsClient {
  const endpoint = resolveHfEndpoint(env, config.endpoint);
  const credentials = resolveHfToken(env, config.tokenFile ? { tokenFile: config.tokenFile } : {});
  if (!credentials)
    throw new ToolError(
      `No Hugging Face token: ${config.tokenFile ? `${config.tokenFile} is missing or empty` : "HF_TOKEN is not set and there is no token file"}. ${TOKEN_HELP}`,
    );
  return new HfJobsClient({ endpoint, credentials, ...(http ? { http } : {}) });
}
