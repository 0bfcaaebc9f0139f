import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpServerProcess, httpClient, startHttpServer } from "../helpers/mcp.js";

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

async function post(url: string, headers: Record<string, string>) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(initialize),
  });
}

describe("MCP over Streamable HTTP", () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(() => server?.stop());

  it("binds to loopback by default", () => {
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
  });

  it("refuses a request without a token", async () => {
    const res = await post(server.url, {});
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/Bearer/);
  });

  it("refuses a wrong token", async () => {
    const res = await post(server.url, { authorization: "Bearer wrong-token-0123456789" });
    expect(res.status).toBe(401);
  });

  it("refuses a foreign Origin even with the right token", async () => {
    const res = await post(server.url, { authorization: `Bearer ${server.token}`, origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("serves tools to a real client with the token", async () => {
    const mcp = await httpClient(server.url, server.token);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name)).toContain("list_hosts");
    const res = await mcp.client.callTool({ name: "list_hosts", arguments: { probe: false } });
    expect((res.structuredContent as { hosts: { name: string }[] }).hosts.map((h) => h.name)).toContain("local");
    await mcp.close();
  });
});

describe("read-only HTTP server", () => {
  it("lists only read tools", async () => {
    const server = await startHttpServer({ args: ["--read-only"] });
    const mcp = await httpClient(server.url, server.token);
    const { tools } = await mcp.client.listTools();
    await mcp.close();
    await server.stop();
    expect(tools.every((t) => t.annotations?.readOnlyHint)).toBe(true);
  });
});
