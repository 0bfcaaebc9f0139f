// The provider-neutral loop and the tool runner, with a scripted provider (no HTTP), plus the SDK's wire mapping.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AnthropicProvider } from "../../src/agent/anthropic.js";
import { AgentLoop, type LoopEvent } from "../../src/agent/loop.js";
import type { ModelProvider, ModelReply, ModelRequest, ToolResultBlock } from "../../src/agent/provider.js";
import { parseSlashArgs } from "../../src/agent/slash.js";
import { type ConsentRequest, createToolExecutor, formatCall, toolSpecs } from "../../src/agent/tools.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { allTools } from "../../src/tools/index.js";
import { defineTool } from "../../src/tools/tool.js";
import { startFakeAnthropic } from "../helpers/fake-anthropic.js";

/** Replies from a list; records each request's messages as they were at the time. */
function scripted(replies: (ModelReply | Error)[]): ModelProvider & { seen: ModelRequest["messages"][] } {
  const seen: ModelRequest["messages"][] = [];
  return {
    name: "scripted",
    model: "scripted-1",
    seen,
    async complete(req) {
      seen.push(structuredClone(req.messages));
      const next = replies.shift();
      if (!next) throw new Error("script exhausted");
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const use = (name: string, input: Record<string, unknown> = {}, id = `id_${name}`): ModelReply => ({
  content: [{ type: "tool_use", id, name, input }],
  stopReason: "tool_use",
});
const end = (text: string): ModelReply => ({ content: [{ type: "text", text }], stopReason: "end_turn" });
const ok = (id: string, text = "ok"): ToolResultBlock => ({
  type: "tool_result",
  toolUseId: id,
  content: [{ type: "text", text }],
  isError: false,
});

const registry = () => new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });

describe("AgentLoop", () => {
  it("runs tools until the model ends its turn and keeps the history the API expects", async () => {
    const provider = scripted([use("a"), use("b"), end("done")]);
    const calls: string[] = [];
    const events: LoopEvent["type"][] = [];
    const loop = new AgentLoop({
      provider,
      system: "s",
      tools: [],
      execute: async (call) => {
        calls.push(call.name);
        return ok(call.id);
      },
      onEvent: (e) => events.push(e.type),
    });
    const outcome = await loop.send("go");
    expect(outcome).toEqual({ status: "done", rounds: 2, text: "done" });
    expect(calls).toEqual(["a", "b"]);
    expect(loop.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
    expect(events).toEqual(["user", "assistant", "tool_result", "assistant", "tool_result", "assistant"]);
  });

  it("bounds tool rounds and returns control", async () => {
    const provider = scripted([use("a"), use("a"), use("a")]);
    const loop = new AgentLoop({ provider, system: "", tools: [], execute: async (c) => ok(c.id), maxRounds: 3 });
    expect((await loop.send("go")).status).toBe("round_limit");
    expect(provider.seen).toHaveLength(3);
    expect(
      () => new AgentLoop({ provider, system: "", tools: [], execute: async (c) => ok(c.id), maxRounds: 0 }),
    ).toThrow(/maxRounds/);
  });

  it("reports a provider error and lets the next message join the unanswered one", async () => {
    const provider = scripted([new Error("overloaded"), end("hello")]);
    const loop = new AgentLoop({ provider, system: "", tools: [], execute: async (c) => ok(c.id) });
    expect(await loop.send("one")).toMatchObject({ status: "error", error: "overloaded" });
    expect(await loop.send("two")).toMatchObject({ status: "done", text: "hello" });
    expect(provider.seen[1]).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "one" },
          { type: "text", text: "two" },
        ],
      },
    ]);
  });

  it("answers every tool_use of an interrupted round so the history stays valid", async () => {
    const provider = scripted([
      {
        content: [
          { type: "tool_use", id: "1", name: "a", input: {} },
          { type: "tool_use", id: "2", name: "b", input: {} },
        ],
        stopReason: "tool_use",
      },
    ]);
    const controller = new AbortController();
    const loop = new AgentLoop({
      provider,
      system: "",
      tools: [],
      execute: async (c) => {
        controller.abort();
        return { ...ok(c.id, "stopped"), isError: true };
      },
    });
    expect((await loop.send("go", controller.signal)).status).toBe("interrupted");
    const results = loop.messages.at(-1)!.content as ToolResultBlock[];
    expect(results.map((r) => [r.toolUseId, r.isError])).toEqual([
      ["1", true],
      ["2", true],
    ]);
    expect(JSON.stringify(results[1])).toMatch(/interrupted/);
  });
});

describe("tool runner", () => {
  const ran: string[] = [];
  const noPlanMode = defineTool({
    name: "kill_everything",
    title: "Kill everything",
    description: "No plan mode.",
    toolset: "train",
    kind: "destructive",
    input: z.object({ host: z.string() }),
    output: z.object({ killed: z.number() }),
    async handle() {
      ran.push("kill_everything");
      return { killed: 2 };
    },
    summarize: (r) => `killed ${r.killed}`,
    attachments: () => [{ type: "image", mimeType: "image/png", data: "iVBORw0KGgo=" }],
  });

  it("asks before a destructive tool that has no plan mode, and skips the question for invalid input", async () => {
    const asked: ConsentRequest[] = [];
    const execute = createToolExecutor({
      tools: [noPlanMode],
      hosts: registry(),
      ask: async (req) => {
        asked.push(req);
        return "yes";
      },
    });
    const signal = new AbortController().signal;
    const good = await execute(
      { type: "tool_use", id: "1", name: "kill_everything", input: { host: "local" } },
      signal,
    );
    expect(asked.map((a) => a.line)).toEqual(["kill_everything host=local"]);
    expect(ran).toEqual(["kill_everything"]);
    expect(good.isError).toBe(false);
    expect(good.content.map((c) => c.type)).toEqual(["text", "image"]);
    expect((good.content[0] as { text: string }).text).toMatch(
      /killed 2\n\nStructured result \(JSON\):\n\{"killed":2\}/,
    );

    const bad = await execute({ type: "tool_use", id: "2", name: "kill_everything", input: {} }, signal);
    expect(asked).toHaveLength(1);
    expect(bad).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/Input validation error.*host/) }],
    });

    const unknown = await execute({ type: "tool_use", id: "3", name: "nope", input: {} }, signal);
    expect(unknown).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/Unknown tool "nope"/) }] });
  });

  it("marks an action that ran but did not do what was asked as an error result, as MCP does; a query's no is not", async () => {
    const notWritten = defineTool({
      name: "write_nothing",
      title: "Write nothing",
      description: "An action that declines.",
      toolset: "train",
      kind: "write",
      input: z.object({}),
      output: z.object({ written: z.boolean() }),
      handle: async () => ({ written: false }),
      summarize: () => "nothing written: the file exists",
      failed: (r) => !r.written,
    });
    const doesNotFit = defineTool({
      name: "ask_fit",
      title: "Ask fit",
      description: "A query whose answer is no.",
      toolset: "train",
      kind: "read",
      input: z.object({}),
      output: z.object({ fits: z.boolean() }),
      handle: async () => ({ fits: false }),
      summarize: () => "does not fit",
      failed: (r) => !r.fits,
    });
    const execute = createToolExecutor({ tools: [notWritten, doesNotFit], hosts: registry(), ask: async () => "yes" });
    const signal = new AbortController().signal;
    const declined = await execute({ type: "tool_use", id: "1", name: "write_nothing", input: {} }, signal);
    expect(declined.isError).toBe(true);
    expect((declined.content[0] as { text: string }).text).toContain(
      'nothing written: the file exists\n\nStructured result (JSON):\n{"written":false}',
    );
    const answer = await execute({ type: "tool_use", id: "2", name: "ask_fit", input: {} }, signal);
    expect(answer.isError).toBe(false);
  });

  it("describes every registered tool with an object JSON Schema the model fills in", () => {
    const specs = toolSpecs(allTools);
    expect(specs.map((s) => s.name)).toEqual(allTools.map((t) => t.name));
    for (const [i, spec] of specs.entries()) {
      const tool = allTools[i]!;
      expect(spec.inputSchema.type).toBe("object");
      expect(spec.inputSchema).not.toHaveProperty("$schema");
      expect(spec.description.startsWith(tool.description)).toBe(true);
      expect(spec.description.includes("asked y/N")).toBe(tool.kind === "destructive");
      // Fields with defaults are optional for the model.
      const required = (spec.inputSchema.required as string[] | undefined) ?? [];
      for (const name of required) expect(tool.input.shape[name].safeParse(undefined).success).toBe(false);
    }
  });

  it("formats one call per line", () => {
    expect(formatCall("check_env", { host: "sim", model: "qwen2.5vl-7b" })).toBe(
      "check_env host=sim model=qwen2.5vl-7b",
    );
    expect(formatCall("x", { text: "two words", n: [1, 2] })).toBe('x text="two words" n=[1,2]');
    expect(formatCall("y", { long: "a".repeat(200) }, 40)).toHaveLength(40);
    expect(parseSlashArgs('model=qwen2.5vl-7b data="/data/my set" host=box')).toEqual({
      model: "qwen2.5vl-7b",
      data: "/data/my set",
      host: "box",
    });
  });
});

describe("AnthropicProvider wire format", () => {
  it("sends tool results (with images) as the Messages API expects and maps the reply back", async () => {
    const fake = await startFakeAnthropic([{ text: "seen", tools: [{ name: "t", input: { a: 1 }, id: "toolu_9" }] }]);
    try {
      const provider = new AnthropicProvider({ apiKey: "k", baseURL: fake.url, model: "m-1", maxRetries: 0 });
      const reply = await provider.complete({
        system: "sys",
        tools: [{ name: "t", description: "d", inputSchema: { type: "object", properties: {} } }],
        messages: [
          { role: "user", content: [{ type: "text", text: "hi" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "t", input: {} }] },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                toolUseId: "toolu_1",
                isError: false,
                content: [
                  { type: "text", text: "chart" },
                  { type: "image", mimeType: "image/png", data: "AAAA" },
                ],
              },
            ],
          },
        ],
      });
      expect(reply).toEqual({
        content: [
          { type: "text", text: "seen" },
          { type: "tool_use", id: "toolu_9", name: "t", input: { a: 1 } },
        ],
        stopReason: "tool_use",
        usage: { inputTokens: expect.any(Number), outputTokens: 10 },
      });
      const body = fake.requests[0]!.body;
      expect(body).toMatchObject({ model: "m-1", system: "sys", max_tokens: 8192 });
      expect(body.tools).toEqual([{ name: "t", description: "d", input_schema: { type: "object", properties: {} } }]);
      expect(body.messages[2]).toEqual({
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            is_error: false,
            content: [
              { type: "text", text: "chart" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
            ],
          },
        ],
      });
    } finally {
      await fake.close();
    }
  });
});
