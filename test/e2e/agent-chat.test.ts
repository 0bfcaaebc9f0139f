// `ascend-train chat --once` as a process (the built CLI) against a local Messages API, on a simulated Ascend host.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type LaidOutSim, layOutSim, stopSimProcesses } from "../../src/sim/index.js";
import { callTool, type FakeAnthropic, lastToolResults, say, startFakeAnthropic } from "../helpers/fake-anthropic.js";
import { freePort } from "../helpers/free-port.js";
import { CLI } from "../helpers/mcp.js";
import { canBuildSimHost } from "../helpers/prereqs.js";

const dir = mkdtempSync(join(tmpdir(), "agent-e2e-"));
let sim: LaidOutSim;
let fake: FakeAnthropic;

function chat(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, "chat", ...args], {
    cwd: dir,
    // Only what the chat needs: no key from the developer's environment leaks in.
    env: { PATH: process.env.PATH ?? "", HOME: dir, ASCEND_TRAIN_AUDIT_LOG: join(dir, "audit.jsonl"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
}

beforeAll(async () => {
  // A MASTER_PORT of its own: check_env checks the host's, and another suite may hold the default 6000.
  sim = await layOutSim(join(dir, "sim"), { scenario: "healthy", name: "sim", masterPort: await freePort() });
  writeFileSync(join(dir, "ascend-train.yaml"), stringify({ hosts: { sim: sim.hostSettings } }));
  fake = await startFakeAnthropic();
}, 60_000);

afterAll(async () => {
  await fake?.close();
  if (sim) await stopSimProcesses(sim.dir);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canBuildSimHost)("ascend-train chat --once", () => {
  it("lists the hosts and checks the simulated one through tool calls, then answers", async () => {
    fake.push(
      callTool("list_hosts", {}, "Checking your hosts first."),
      (req) => {
        expect(lastToolResults(req)[0]?.text).toMatch(/"name":"sim".*"description":"Simulated Atlas 800T A2/);
        return callTool("check_env", { host: "sim", model: "qwen2.5vl-7b" });
      },
      (req) => {
        const [env] = lastToolResults(req);
        expect(env?.isError).toBe(false);
        expect(env?.text).toMatch(/910B3/);
        return say("sim has 8 NPUs (910B3) and a working CANN; it is ready for qwen2.5vl-7b.");
      },
    );
    const transcript = join(dir, "once.jsonl");
    const run = await chat(["--once", "is sim ready for qwen2.5vl-7b?", "--host", "sim", "--transcript", transcript], {
      ANTHROPIC_API_KEY: "sk-e2e",
      ANTHROPIC_BASE_URL: fake.url,
    });
    expect(fake.failures).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      "Checking your hosts first.\nsim has 8 NPUs (910B3) and a working CANN; it is ready for qwen2.5vl-7b.\n",
    );
    expect(run.stderr).toMatch(/→ list_hosts\n/);
    expect(run.stderr).toMatch(/✓ check_env \(\d+(\.\d)? m?s\): sim vs MindSpeed-MM/);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-e2e");
    expect(fake.requests[0]?.body.model).toBe("claude-sonnet-4-6");
    expect(fake.requests[0]?.body.system).toMatch(/work on host "sim"/);

    const events = readFileSync(transcript, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; name?: string });
    expect(events.map((e) => e.type)).toEqual([
      "session",
      "user",
      "assistant",
      "tool_result",
      "assistant",
      "tool_result",
      "assistant",
      "end",
    ]);
    expect(events.filter((e) => e.type === "tool_result").map((e) => e.name)).toEqual(["list_hosts", "check_env"]);
  }, 60_000);

  it("exits 2 with one clear line when ANTHROPIC_API_KEY is missing", async () => {
    const run = await chat(["--once", "hi"], { ANTHROPIC_BASE_URL: fake.url });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([
      "error: ANTHROPIC_API_KEY is not set; export your Anthropic API key to use `ascend-train chat`.",
    ]);
    expect(run.stdout).toBe("");
  });
});
