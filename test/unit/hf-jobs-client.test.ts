// The Hugging Face Jobs client against the local stand-in of the API: token and endpoint resolution as
// huggingface_hub does it, whoami, the hardware listing, a job's create / inspect / logs / cancel, and the failures
// (a rejected token, another namespace, a timeout, an answer in an unexpected shape).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type HfHttp,
  type HfJobSpec,
  HfJobsClient,
  HfJobsError,
  hfJobsClientFor,
  resolveHfEndpoint,
  resolveHfToken,
} from "../../src/hosts/hf-jobs.js";
import { hfJobsCostCeiling, parseHfTimeout } from "../../src/knowledge/hf-jobs-hardware.js";
import { type HfJobsStandIn, startHfJobsStandIn } from "../helpers/hf-jobs-server.js";

let standIn: HfJobsStandIn;
let dir: string;
let client: HfJobsClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hf-jobs-client-"));
  standIn = await startHfJobsStandIn({ simDir: join(dir, "no-sim"), schedulingMs: 20 });
  client = new HfJobsClient({ endpoint: standIn.url, credentials: { token: standIn.token, source: "HF_TOKEN" } });
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

const shell = (script: string, extra: Partial<HfJobSpec> = {}): HfJobSpec => ({
  dockerImage: "ghcr.io/astral-sh/uv:python3.12-bookworm",
  command: ["bash", "-c", script],
  arguments: [],
  environment: {},
  flavor: "cpu-basic",
  ...extra,
});

async function waitFor(id: string, stages: string[], ns = standIn.user) {
  for (let i = 0; i < 200; i++) {
    const job = await client.inspectJob(ns, id);
    if (stages.includes(job.status.stage)) return job;
    await sleep(50);
  }
  throw new Error(`job ${id} never reached ${stages.join("/")}`);
}

describe("token and endpoint", () => {
  const files: Record<string, string> = {
    "/explicit": "hf_explicit\n",
    "/home/u/.cache/huggingface/token": "hf_default",
    "/hfhome/token": "hf_hfhome",
    "/xdg/huggingface/token": "hf_xdg",
    "/path/token": "hf_path",
  };
  const read = (p: string) => files[p] ?? null;

  it("takes an explicit file, then HF_TOKEN, HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, HF_HOME, XDG_CACHE_HOME", () => {
    expect(resolveHfToken({ HF_TOKEN: "hf_env" }, { tokenFile: "/explicit" }, read)).toEqual({
      token: "hf_explicit",
      source: "/explicit",
    });
    expect(resolveHfToken({ HF_TOKEN: "hf_env", HUGGING_FACE_HUB_TOKEN: "hf_old" }, {}, read)?.token).toBe("hf_env");
    expect(resolveHfToken({ HUGGING_FACE_HUB_TOKEN: "hf_old" }, {}, read)?.token).toBe("hf_old");
    expect(resolveHfToken({ HF_TOKEN_PATH: "/path/token", HF_HOME: "/hfhome" }, {}, read)?.token).toBe("hf_path");
    expect(resolveHfToken({ HF_HOME: "/hfhome" }, {}, read)).toEqual({ token: "hf_hfhome", source: "/hfhome/token" });
    expect(resolveHfToken({ XDG_CACHE_HOME: "/xdg" }, {}, read)?.token).toBe("hf_xdg");
    expect(resolveHfToken({ HF_HOME: "/nowhere" }, {}, read)).toBeNull();
    const fromHome = resolveHfToken({}, { tokenFile: "~/tok" }, (p) =>
      p === join(homedir(), "tok") ? "hf_home" : null,
    );
    expect(fromHome).toEqual({ token: "hf_home", source: "~/tok" });
  });

  it("uses HF_ENDPOINT, refuses plain http beyond this machine and URLs with credentials", () => {
    expect(resolveHfEndpoint({})).toBe("https://huggingface.co");
    expect(resolveHfEndpoint({ HF_ENDPOINT: "https://hub.example.org/" })).toBe("https://hub.example.org");
    expect(resolveHfEndpoint({}, "http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(() => resolveHfEndpoint({ HF_ENDPOINT: "http://hub.example.org" })).toThrow(/must be https/);
    expect(() => resolveHfEndpoint({}, "https://u:p@hub.example.org")).toThrow(/bare URL/);
  });

  it("says where to get a token when there is none", () => {
    expect(() => hfJobsClientFor({ tokenFile: join(dir, "missing") }, {})).toThrow(
      /No Hugging Face token.*settings\/tokens/,
    );
  });
});

describe("the API", () => {
  it("whoami names the user and organizations", async () => {
    const who = await client.whoami();
    expect(who.name).toBe(standIn.user);
    expect(who.orgs.map((o) => o.name)).toEqual(standIn.orgs);
    expect(standIn.requests.at(-1)).toEqual({ method: "GET", path: "/api/whoami-v2", authorized: true });
  });

  it("a rejected token is a 401 that says what to do, without the token in the message", async () => {
    const bad = new HfJobsClient({ endpoint: standIn.url, credentials: { token: "hf_wrong", source: "/tmp/tok" } });
    const error = await bad.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HfJobsError);
    expect((error as HfJobsError).status).toBe(401);
    expect((error as Error).message).toMatch(/from \/tmp\/tok.*invalid or expired.*HF_TOKEN/);
    expect((error as Error).message).not.toContain("hf_wrong");
  });

  it("lists the hardware with per-minute prices that match the published hourly ones", async () => {
    const hw = await client.hardware();
    const a10g = hw.find((h) => h.name === "a10g-large")!;
    expect(a10g.accelerator?.model).toBe("A10G");
    expect(a10g.unitLabel).toBe("minute");
    expect(a10g.unitCostUSD * 60).toBeCloseTo(1.5, 6);
    expect(hw.find((h) => h.name === "cpu-basic")?.accelerator).toBeNull();
  });

  it("creates a job, reads its stage and its complete log without the start banner", async () => {
    const job = await client.createJob(
      standIn.user,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
      shell('echo "hello $WHO"; echo "secret is ${#TOK} long"', {
        environment: { WHO: "jobs" },
        secrets: { TOK: "abcd" },
        timeoutSeconds: 60,
      }),
    );
    expect(job.status.stage).toBe("SCHEDULING");
    expect(client.jobUrl(standIn.user, job.id)).toBe(`${standIn.url}/jobs/${standIn.user}/${job.id}`);
    const done = await waitFor(job.id, ["COMPLETED", "ERROR"]);
    expect(done.status.stage).toBe("COMPLETED");
    const logs = await client.logs(standIn.user, job.id);
    expect(logs).toEqual({ lines: ["hello jobs", "secret is 4 long"], complete: true, endedBy: "end" });
    const last = await client.logs(standIn.user, job.id, { tail: 1 });
    expect(last.lines).toEqual(["secret is 4 long"]);
  });

  it("reads a running job's log so far within the idle bound, then cancels it", async () => {
    const job = await client.createJob(standIn.user, shell("echo started; sleep 30"));
    await waitFor(job.id, ["RUNNING"]);
    await sleep(200);
    const t0 = Date.now();
    const logs = await client.logs(standIn.user, job.id, { idleMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(logs).toEqual({ lines: ["started"], complete: false, endedBy: "idle" });
    await client.cancelJob(standIn.user, job.id);
    expect((await client.inspectJob(standIn.user, job.id)).status.stage).toBe("CANCELED");
  });

  it("reads a job that keeps logging only up to the call: the live part of its stream is not waited for", async () => {
    const job = await client.createJob(
      standIn.user,
      shell("i=0; while true; do echo line $i; i=$((i+1)); sleep 0.05; done"),
    );
    await waitFor(job.id, ["RUNNING"]);
    await sleep(500);
    const t0 = Date.now();
    const logs = await client.logs(standIn.user, job.id, {
      idleMs: 10_000,
      timeoutMs: 15_000,
      caughtUpAfter: new Date(),
    });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(logs.complete).toBe(false);
    expect(logs.lines[0]).toBe("line 0");
    expect(logs.lines.length).toBeGreaterThan(3);
    await client.cancelJob(standIn.user, job.id);
  });

  it("a job past its timeout ends in ERROR", async () => {
    const job = await client.createJob(standIn.orgs[0]!, shell("sleep 30", { timeoutSeconds: 1 }));
    const done = await waitFor(job.id, ["ERROR", "COMPLETED"], standIn.orgs[0]);
    expect(done.status.stage).toBe("ERROR");
    expect(done.status.message).toMatch(/timeout/i);
  });

  it("another user's namespace is a 403; a bad job id never reaches the network", async () => {
    await expect(client.createJob("someone-else", shell("true"))).rejects.toThrow(/may not start a job.*403/);
    const before = standIn.requests.length;
    await expect(client.inspectJob(standIn.user, "../whoami-v2")).rejects.toThrow(/not a Hugging Face job id/);
    expect(standIn.requests.length).toBe(before);
  });

  it("an answer in an unexpected shape is an error naming the field", async () => {
    const http: HfHttp = {
      request: async () => ({ status: 200, text: JSON.stringify({ id: "abc", status: { stage: 3 } }) }),
      stream: async () => ({ status: 200, text: "", endedBy: "end" }),
    };
    const odd = new HfJobsClient({
      endpoint: "https://huggingface.co",
      credentials: { token: "t", source: "x" },
      http,
    });
    await expect(odd.inspectJob("u", "abc")).rejects.toThrow(/unexpected shape \(status\.stage/);
  });
});

describe("prices", () => {
  it("parses timeouts as huggingface_hub does and bounds the cost by the timeout, per started minute", () => {
    expect(parseHfTimeout("90m")).toBe(5400);
    expect(parseHfTimeout("1.5h")).toBe(5400);
    expect(parseHfTimeout(300)).toBe(300);
    expect(parseHfTimeout("2 weeks")).toBeNull();
    expect(hfJobsCostCeiling(1.5, 7200)).toBe(3);
    expect(hfJobsCostCeiling(5, 61)).toBe(0.17);
  });
});

it("writes nothing to the token file it reads", () => {
  const file = join(dir, "token");
  writeFileSync(file, "hf_from_file\n");
  expect(hfJobsClientFor({ tokenFile: file, endpoint: standIn.url }, {}).tokenSource).toBe(file);
});
