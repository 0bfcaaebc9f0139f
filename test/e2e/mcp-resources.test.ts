import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioClient } from "../helpers/mcp.js";

describe("knowledge base as MCP resources (real client over stdio)", () => {
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  beforeAll(async () => {
    mcp = await stdioClient();
  });
  afterAll(() => mcp?.close());

  it("lists the static resources and a template that lists every model", async () => {
    const { resources } = await mcp.client.listResources();
    const uris = resources.map((r) => r.uri);
    for (const uri of ["ascend-train://models", "ascend-train://release-matrix", "ascend-train://troubleshooting"]) {
      expect(uris).toContain(uri);
    }
    expect(uris).toContain("ascend-train://models/qwen2.5vl-3b");
    // Each static resource says its size, so a client can judge before reading (the rules are about half a megabyte).
    const troubleshooting = resources.find((r) => r.uri === "ascend-train://troubleshooting")!;
    const { contents } = await mcp.client.readResource({ uri: troubleshooting.uri });
    expect(troubleshooting.size).toBe(Buffer.byteLength(String((contents[0] as { text: string }).text)));
    expect(troubleshooting.size).toBeGreaterThan(100_000);
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("ascend-train://models/{id}");
  });

  it("reads a model's facts and the release matrix", async () => {
    const model = await mcp.client.readResource({ uri: "ascend-train://models/qwen2.5vl-3b" });
    const facts = JSON.parse(String((model.contents[0] as { text: string }).text));
    expect(JSON.stringify(facts)).toContain("Qwen/Qwen2.5-VL-3B-Instruct");
    const matrix = await mcp.client.readResource({ uri: "ascend-train://release-matrix" });
    const parsed = JSON.parse(String((matrix.contents[0] as { text: string }).text));
    expect(Object.keys(parsed)).toContain("v26.1.0");
    const rules = await mcp.client.readResource({ uri: "ascend-train://troubleshooting" });
    expect(String((rules.contents[0] as { text: string }).text)).toContain("npu_oom");
  });
});
