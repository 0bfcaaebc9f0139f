// Protocol details a conformance run and a hand check found, each driven through the built server: error codes,
// capabilities, annotations, strict inputs, and the HTTP session rules (Host check, 405 on GET, cancellation and
// log level that last for a session).
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServerProcess, httpClient, startHttpServer, stdioClient } from "../helpers/mcp.js";

describe("MCP protocol details (stdio)", () => {
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  beforeAll(async () => {
    mcp = await stdioClient();
  });
  afterAll(() => mcp?.close());

  it("answers an unknown id on the models template with invalid params (-32602), naming the known ids", async () => {
    const error = await mcp.client.readResource({ uri: "ascend-train://models/no-such-model" }).catch((e) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
    expect((error as McpError).message).toMatch(/Unknown model id "no-such-model"\. Known: .*qwen2\.5vl-7b/);
  });

  it("completes the models template's id", async () => {
    const res = await mcp.client.complete({
      ref: { type: "ref/resource", uri: "ascend-train://models/{id}" },
      argument: { name: "id", value: "qwen2.5vl-" },
    });
    expect(res.completion.values).toContain("qwen2.5vl-7b");
    expect(res.completion.values.every((v) => v.startsWith("qwen2.5vl-"))).toBe(true);
  });

  it("does not claim that its lists change", () => {
    const caps = mcp.client.getServerCapabilities()!;
    for (const list of ["tools", "prompts", "resources"] as const) {
      expect(caps[list], list).toBeDefined();
      expect(caps[list]?.listChanged ?? false, list).toBe(false);
    }
  });

  it("marks catalog look-ups closed-world and host tools open-world", async () => {
    const { tools } = await mcp.client.listTools();
    const hint = (name: string) => tools.find((t) => t.name === name)?.annotations?.openWorldHint;
    expect(hint("find_model")).toBe(false);
    expect(hint("audit_log")).toBe(false);
    expect(hint("check_env")).toBe(true);
    expect(hint("launch_train")).toBe(true);
  });

  it("advertises every input schema as closed (additionalProperties: false)", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThan(10);
    for (const t of tools) expect(t.inputSchema.additionalProperties, t.name).toBe(false);
  });

  it("refuses a misspelt argument with an error naming it and the argument meant", async () => {
    const res = await mcp.client.callTool({
      name: "find_model",
      arguments: { query: "qwen2.5vl-7b", relase: "v2.1.0" },
    });
    expect(res.isError).toBe(true);
    const text = (res.content as { text: string }[])[0]!.text;
    expect(text).toBe("Input validation error for find_model: relase: unknown argument; did you mean release?");
  });

  it("refuses a destructive call with a misspelt confirm instead of running it as a plan", async () => {
    const res = await mcp.client.callTool({
      name: "stop_run",
      arguments: { runId: "20260101-000000-abcdef", confrim: true },
    });
    expect(res.isError).toBe(true);
    expect((res.content as { text: string }[])[0]!.text).toMatch(/confrim: unknown argument; did you mean confirm\?/);
  });
});

/** A raw Streamable HTTP session: what the SDK client hides (session id, cancellation, SSE frames) stays visible. */
class RawSession {
  id = "";
  private next = 1;
  constructor(
    private url: string,
    private token: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      authorization: `Bearer ${this.token}`,
      "mcp-protocol-version": "2025-06-18",
      ...(this.id ? { "mcp-session-id": this.id } : {}),
      ...extra,
    };
  }

  post(body: unknown, signal?: AbortSignal): Promise<Response> {
    return fetch(this.url, { method: "POST", headers: this.headers(), body: JSON.stringify(body), signal });
  }

  async open(): Promise<void> {
    const res = await this.post({
      jsonrpc: "2.0",
      id: this.next++,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    });
    expect(res.status).toBe(200);
    this.id = res.headers.get("mcp-session-id") ?? "";
    await res.text();
    expect((await this.post({ jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
  }

  /** Sends a request and collects every JSON-RPC message of its response stream until the response (or abort). */
  async request(
    method: string,
    params: Record<string, unknown>,
    opts: { signal?: AbortSignal; onMessage?: (m: Record<string, unknown>, id: number) => void } = {},
  ): Promise<Record<string, unknown>[]> {
    const id = this.next++;
    const res = await this.post({ jsonrpc: "2.0", id, method, params }, opts.signal);
    expect(res.status).toBe(200);
    const messages: Record<string, unknown>[] = [];
    if (!res.headers.get("content-type")?.includes("text/event-stream")) {
      messages.push((await res.json()) as Record<string, unknown>);
      return messages;
    }
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          const data = frame
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim())
            .join("");
          if (!data) continue;
          const message = JSON.parse(data) as Record<string, unknown>;
          messages.push(message);
          opts.onMessage?.(message, id);
          if (message.id === id) return messages;
        }
      }
    } catch (error) {
      if (!opts.signal?.aborted) throw error;
    }
    return messages;
  }
}

describe("MCP over HTTP: sessions, Host and methods", () => {
  let server: HttpServerProcess;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mcp-protocol-"));
    server = await startHttpServer();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers GET /mcp with 405 and Allow: POST instead of an empty stream", async () => {
    const res = await fetch(server.url, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${server.token}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toMatch(/\bPOST\b/);
  });

  it("refuses a Host header that is not this server's (DNS rebinding), accepts localhost", async () => {
    const session = new RawSession(server.url, server.token);
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    };
    const port = new URL(server.url).port;
    // fetch sets Host from the URL, so the rebinding request is made with node:http.
    const { request } = await import("node:http");
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(server.url, { method: "POST", headers: { ...session.headers(), host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(JSON.stringify(init));
      });
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
  });

  it("answers an unknown session id with 404", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${server.token}`,
        "mcp-session-id": "no-such-session",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
  });

  it("keeps logging/setLevel for the session: a warning passes before, not after setLevel error", async () => {
    const input = join(dir, "in.json");
    writeFileSync(input, "[]");
    const session = new RawSession(server.url, server.token);
    await session.open();
    // prepare_dataset warns when the record format asked differs from the family's.
    const args = { host: "local", input, output: join(dir, "out.json"), family: "qwen2vl", to: "conversation" };
    const warnings = (messages: Record<string, unknown>[]) =>
      messages.filter(
        (m) => m.method === "notifications/message" && (m.params as { level: string }).level === "warning",
      );
    const before = await session.request("tools/call", { name: "prepare_dataset", arguments: args });
    expect(warnings(before)).toHaveLength(1);
    const set = await session.request("logging/setLevel", { level: "error" });
    expect(set.at(-1)).toMatchObject({ result: {} });
    const after = await session.request("tools/call", { name: "prepare_dataset", arguments: args });
    expect(after.at(-1)).toHaveProperty("result");
    expect(warnings(after)).toHaveLength(0);
  });

  it("honours notifications/cancelled sent in a later request of the session: the call never answers", async () => {
    const log = join(dir, "train.log");
    const line = (i: number) =>
      ` iteration ${String(i).padStart(8)}/    5000 | consumed samples: ${i * 64} | elapsed time per iteration (ms): 300.0 | learning rate: 1.000000E-05 | global batch size:    64 | loss: 1.2${i}E+00 | loss scale: 1.0 | grad norm: 3.4 |\n`;
    writeFileSync(log, line(1));
    const session = new RawSession(server.url, server.token);
    await session.open();
    let iteration = 1;
    const writer = setInterval(() => appendFileSync(log, line(++iteration)), 250);
    const stream = new AbortController();
    let cancelled = false;
    let messages: Record<string, unknown>[] = [];
    let callId = 0;
    try {
      // Followed for 4 s; cancelled at its first progress report. A server that lost the cancellation (another
      // instance per request) answers when the 4 s are up; one that honours it never answers this request.
      const call = session.request(
        "tools/call",
        { name: "tail_logs", arguments: { logFile: log, followSeconds: 4 }, _meta: { progressToken: "follow" } },
        {
          signal: stream.signal,
          onMessage: (m, id) => {
            callId = id;
            if (m.method !== "notifications/progress" || cancelled) return;
            cancelled = true;
            void session.post({
              jsonrpc: "2.0",
              method: "notifications/cancelled",
              params: { requestId: id, reason: "test" },
            });
          },
        },
      );
      setTimeout(() => stream.abort(), 8000);
      messages = await call;
    } finally {
      clearInterval(writer);
    }
    expect(cancelled).toBe(true);
    expect(messages.some((m) => m.method === "notifications/progress")).toBe(true);
    expect(messages.filter((m) => m.id === callId)).toEqual([]);
    const list = await session.request("tools/list", {});
    expect(list.at(-1)).toHaveProperty("result.tools");
  }, 30_000);

  it("ends a session on DELETE; its id is then unknown", async () => {
    const session = new RawSession(server.url, server.token);
    await session.open();
    expect(session.id).toMatch(/^[0-9a-f-]{36}$/);
    const del = await fetch(server.url, { method: "DELETE", headers: session.headers() });
    expect(del.status).toBe(200);
    const after = await session.post({ jsonrpc: "2.0", id: 9, method: "tools/list" });
    expect(after.status).toBe(404);
  });

  it("serves a real SDK client across requests in one session", async () => {
    const mcp = await httpClient(server.url, server.token);
    const first = await mcp.client.listTools();
    const second = await mcp.client.callTool({ name: "find_model", arguments: { query: "qwen2.5vl-7b" } });
    await mcp.close();
    expect(first.tools.length).toBeGreaterThan(10);
    expect(second.isError).toBeFalsy();
  });
});
