// The chat agent end to end in-process: real SDK, a local Messages API fake, real tools, a scripted person.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { type ChatContext, type ChatOptions, runChat } from "../../src/agent/chat.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { allTools } from "../../src/tools/index.js";
import { defineTool, ToolError } from "../../src/tools/tool.js";
import {
  apiError,
  callTool,
  type FakeAnthropic,
  lastToolResults,
  personAtTerminal,
  say,
  startFakeAnthropic,
} from "../helpers/fake-anthropic.js";

const dir = mkdtempSync(join(tmpdir(), "agent-chat-"));
let fake: FakeAnthropic;
let sessions = 0;

/** A destructive test tool with a plan mode; records what really ran. */
const wiped: { host: string; confirm: boolean }[] = [];
const wipeScratch = defineTool({
  name: "wipe_scratch",
  title: "Wipe the scratch directory",
  description: "Deletes the scratch directory on a host. Returns a plan unless confirm is true.",
  toolset: "setup",
  kind: "destructive",
  input: z.object({ host: z.string(), confirm: z.boolean().default(false) }),
  output: z.object({ planned: z.boolean(), removed: z.number() }),
  async handle(args) {
    if (args.confirm) wiped.push(args);
    return { planned: !args.confirm, removed: args.confirm ? 3 : 0 };
  },
  summarize: (r) => (r.planned ? "plan: would remove 3 files under /scratch" : `removed ${r.removed} files`),
});

/** A tool that waits until it is aborted. */
const waitForever = defineTool({
  name: "wait_forever",
  title: "Wait",
  description: "Waits for the abort signal.",
  toolset: "diagnose",
  kind: "read",
  input: z.object({}),
  output: z.object({}),
  handle: (_args, deps) =>
    new Promise((_resolve, reject) => deps.signal?.addEventListener("abort", () => reject(new ToolError("aborted")))),
  summarize: () => "",
});

const tools = [...allTools, wipeScratch, waitForever];

function hosts() {
  return new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });
}

function session(
  opts: ChatOptions,
  person: ReturnType<typeof personAtTerminal>,
  extra: Partial<ChatContext> & { env?: NodeJS.ProcessEnv } = {},
) {
  const transcript = join(dir, `t${++sessions}.jsonl`);
  const registry = hosts();
  const done = runChat(
    { transcript, ...opts },
    {
      env: { ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_MODEL: "claude-test-1" },
      streams: person.streams,
      hosts: registry,
      tools,
      ...extra,
    },
  ).finally(() => registry.closeAll());
  const events = () =>
    readFileSync(transcript, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
  return { done, events };
}

beforeAll(async () => {
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(dir, "audit.jsonl"));
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});
afterEach(() => {
  const failures = [...fake.failures];
  const remaining = fake.remaining();
  fake.reset();
  wiped.length = 0;
  if (failures.length) throw failures[0];
  expect(remaining, "every scripted turn was used").toBe(0);
});

describe("chat over the Messages API", () => {
  it("runs list_hosts, then shows the model a failing check_env as an error result", async () => {
    fake.push(
      callTool("list_hosts", {}, "Let me see which hosts exist."),
      (req) => {
        const [hostsResult] = lastToolResults(req);
        expect(hostsResult?.isError).toBe(false);
        expect(hostsResult?.text).toMatch(/"name":"local"/);
        return callTool("check_env", { host: "nowhere" });
      },
      say("Host nowhere is not in the inventory; add it to ascend-train.yaml."),
    );
    const person = personAtTerminal();
    const { done, events } = session({ once: "check my hosts" }, person);
    expect(await done).toBe(0);

    expect(fake.requests).toHaveLength(3);
    const first = fake.requests[0]!;
    expect(first.headers.authorization).toBe("Bearer sk-test-key");
    expect(first.headers["anthropic-version"]).toBeTruthy();
    expect(first.body.model).toBe("claude-test-1");
    expect(first.body.system).toMatch(/confirm: true/);
    expect(first.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "check my hosts" }] }]);
    const names = (first.body.tools as { name: string; input_schema: { type: string } }[]).map((t) => t.name);
    expect(names).toEqual(tools.map((t) => t.name));
    for (const t of first.body.tools as { input_schema: Record<string, unknown> }[]) {
      expect(t.input_schema.type).toBe("object");
      expect(t.input_schema.$schema).toBeUndefined();
    }

    const [envResult] = lastToolResults(fake.requests[2]!);
    expect(envResult).toMatchObject({ isError: true });
    expect(envResult?.text).toMatch(/Unknown host "nowhere"/);

    expect(person.stdout.text).toContain("Let me see which hosts exist.");
    expect(person.stdout.text).toContain("Host nowhere is not in the inventory");
    expect(person.stderr.text).toMatch(/✓ list_hosts .*local/);
    expect(person.stderr.text).toMatch(/✗ check_env .*Unknown host "nowhere"/);

    const types = events().map((e) => e.type);
    expect(types[0]).toBe("session");
    expect(types.filter((t) => t === "tool_result")).toHaveLength(2);
    expect(types.at(-1)).toBe("end");
    expect(readFileSync(join(dir, `t${sessions}.jsonl`), "utf8")).not.toContain("sk-test-key");
  });

  it("asks before a destructive step; on N the tool does not run and the model hears the refusal", async () => {
    fake.push(
      callTool("wipe_scratch", { host: "local" }),
      (req) => {
        expect(lastToolResults(req)[0]?.text).toMatch(/plan: would remove 3 files/);
        return callTool("wipe_scratch", { host: "local", confirm: true }, "This removes 3 files.");
      },
      (req) => {
        const [refusal] = lastToolResults(req);
        expect(refusal?.isError).toBe(true);
        expect(refusal?.text).toMatch(/declined/);
        return say("Understood, nothing was removed.");
      },
    );
    const person = personAtTerminal(["n"]);
    const { done, events } = session({}, person);
    person.type("clean scratch on local");
    await person.stdout.waitFor(/nothing was removed/);
    person.leave();
    expect(await done).toBe(0);
    expect(wiped).toEqual([]);
    expect(person.questionsAsked()).toBe(1);
    expect(person.stderr.text).toMatch(/wipe_scratch host=local confirm=true\n\s+Run it\? \[y\/N\]/);
    expect(events().find((e) => e.type === "consent")).toMatchObject({ tool: "wipe_scratch", answer: "no" });
  });

  it("honours confirm: true only after the person answers y", async () => {
    fake.push(callTool("wipe_scratch", { host: "local", confirm: true }), (req) => {
      expect(lastToolResults(req)[0]).toMatchObject({ isError: false, text: expect.stringMatching(/removed 3 files/) });
      return say("Done.");
    });
    const person = personAtTerminal(["y"]);
    const { done } = session({}, person);
    person.type("wipe it");
    await person.stdout.waitFor(/Done\./);
    person.leave();
    expect(await done).toBe(0);
    expect(wiped).toEqual([{ host: "local", confirm: true }]);
  });

  it("never counts a line typed before the question as the answer", async () => {
    fake.push(callTool("wipe_scratch", { host: "local", confirm: true }), say("Stopped."));
    const person = personAtTerminal();
    const { done } = session({}, person);
    person.type("wipe scratch\ny"); // the "y" is typed ahead, while the model is still answering
    await person.stderr.waitFor(/\[y\/N\]/);
    expect(person.stderr.text).toMatch(/ignoring 1 line\(s\) typed before this question/);
    person.type("n");
    await person.stdout.waitFor(/Stopped\./);
    person.leave();
    expect(await done).toBe(0);
    expect(wiped).toEqual([]);
    expect(lastToolResults(fake.requests[1]!)[0]?.text).toMatch(/declined/);
  });

  it("declines destructive steps in --once runs without asking, and says so", async () => {
    fake.push(callTool("wipe_scratch", { host: "local", confirm: true }), (req) => {
      const [r] = lastToolResults(req);
      expect(r?.isError).toBe(true);
      expect(r?.text).toMatch(/non-interactive/);
      return say("I could not wipe it from a one-shot run.");
    });
    const person = personAtTerminal(["y"]);
    const { done } = session({ once: "wipe scratch" }, person);
    // (answers are scripted only to prove none is asked for)
    expect(await done).toBe(0);
    expect(wiped).toEqual([]);
    expect(person.questionsAsked()).toBe(0);
    expect(person.stderr.text).toMatch(/wipe_scratch not run: --once cannot ask for confirmation/);
    expect(fake.requests[0]!.body.system).toMatch(/non-interactive/);
  });

  it("stops after the round bound and goes on when the person says continue", async () => {
    const probe = () => callTool("list_hosts", { probe: false });
    fake.push(probe(), probe(), say("All hosts listed."));
    const person = personAtTerminal();
    const { done } = session({ maxRounds: 2 }, person);
    person.type("list hosts forever");
    await person.stderr.waitFor(/stopped after 2 tool rounds/);
    person.type("continue");
    await person.stdout.waitFor(/All hosts listed/);
    person.leave();
    expect(await done).toBe(0);
    // The "continue" joins the user message holding the last tool results (roles must alternate).
    const last = fake.requests[2]!.body.messages.at(-1)!;
    expect((last.content as { type: string }[]).map((b) => b.type)).toEqual(["tool_result", "text"]);
  });

  it("Ctrl-C stops a slow model request and a running tool, not the session", async () => {
    fake.push({ text: "too late", delayMs: 10_000 }, callTool("wait_forever"), (req) => {
      expect(lastToolResults(req)[0]?.text).toMatch(/stopped by the person/);
      return say("Still here.");
    });
    const person = personAtTerminal();
    let terminal: { interrupt(): void } | undefined;
    const { done } = session({}, person, { onTerminal: (t) => (terminal = t) });
    person.type("first");
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    terminal!.interrupt();
    await person.stderr.waitFor(/\(stopped\)/);
    person.type("second");
    await person.stderr.waitFor(/→ wait_forever/);
    terminal!.interrupt();
    await person.stderr.waitFor(/✗ wait_forever .*stopped by the person/);
    person.type("third");
    await person.stdout.waitFor(/Still here\./);
    person.leave();
    expect(await done).toBe(0);
    expect(person.stdout.text).not.toContain("too late");
  });

  it("turns a prompt command into the prompt's text", async () => {
    fake.push((req) => {
      const text = JSON.stringify(req.body.messages[0]);
      expect(text).toMatch(/Fine-tune qwen2.5vl-7b on the dataset at \/data\/coco on host \\"box\\"/);
      return say("Starting with plan_finetune.");
    });
    const person = personAtTerminal();
    const { done } = session({}, person);
    person.type("/finetune model=qwen2.5vl-7b data=/data/coco host=box");
    await person.stdout.waitFor(/Starting with/);
    person.type("/finetune model=x");
    await person.stderr.waitFor(/data: .*\n.*usage: \/finetune model=… data=… \[host=…\]/);
    person.leave();
    expect(await done).toBe(0);
  });
});

describe("chat setup errors", () => {
  it("explains a missing key in one line and exits 2 without calling the API", async () => {
    const person = personAtTerminal();
    const code = await runChat(
      { once: "hi", transcript: join(dir, "nokey.jsonl") },
      { env: { ANTHROPIC_BASE_URL: fake.url }, streams: person.streams, hosts: hosts(), tools },
    );
    expect(code).toBe(2);
    expect(person.stderr.text).toBe(
      "error: ANTHROPIC_API_KEY is not set; export your Anthropic API key to use `ascend-train chat`.\n",
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("reports an API rejection clearly and exits 1 in --once", async () => {
    fake.push(apiError(401, "invalid x-api-key", "authentication_error"));
    const person = personAtTerminal();
    const { done } = session({ once: "hi" }, person);
    expect(await done).toBe(1);
    expect(person.stderr.text).toMatch(/error: The Anthropic API rejected the key \(401\).*invalid x-api-key/);
  });

  it("rejects an unknown --host and a bad --max-rounds before starting", async () => {
    const person = personAtTerminal();
    expect(await session({ host: "ghost" }, person).done).toBe(2);
    expect(person.stderr.text).toMatch(/Unknown host "ghost"/);
    expect(await session({ maxRounds: "0" }, person).done).toBe(2);
    expect(person.stderr.text).toMatch(/--max-rounds must be a whole number/);
  });
});
