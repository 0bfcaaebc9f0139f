// The advertised catalog is the registry: what tools/list serves (from the built catalog.json) equals every tool's
// definition (name, title, description, input and output JSON Schemas, annotations), and every door runs a tool
// through the same path, so the same mistake gets the same answer over MCP and in the terminal.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { allTools } from "../../src/tools/index.js";
import { selectTools } from "../../src/tools/selection.js";
import { annotationsFor } from "../../src/tools/tool.js";
import { appViewMeta } from "../../src/ui/app-links.js";
import { CLI, stdioClient } from "../helpers/mcp.js";

const builtCatalog = join(import.meta.dirname, "..", "..", "dist", "src", "catalog.json");

/** The tools/list entry of a definition, computed here from the registry alone. */
function expectedEntry(tool: (typeof allTools)[number]) {
  const schema = (type: z.ZodType, io: "input" | "output") =>
    z.toJSONSchema(type, { io, unrepresentable: "any", target: "draft-7" });
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: schema(tool.input, "input"),
    outputSchema: schema(tool.output, "output"),
    annotations: annotationsFor(tool),
    ...(appViewMeta(tool.name) ? { _meta: appViewMeta(tool.name) } : {}),
  };
}

describe("advertised catalog", () => {
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  beforeAll(async () => {
    mcp = await stdioClient();
  });
  afterAll(() => mcp?.close());

  it("tools/list equals the registry's definitions, in registry order", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools).toEqual(allTools.map(expectedEntry));
  });

  it("the catalog.json the build wrote is the one the sources give (rebuild when this fails)", () => {
    expect(existsSync(builtCatalog), `${builtCatalog} (npm run build)`).toBe(true);
    const catalog = JSON.parse(readFileSync(builtCatalog, "utf8")) as { tools: Record<string, unknown>[] };
    // kind and toolset ride along for the server's selection; the rest is what clients get.
    expect(catalog.tools.map(({ kind: _kind, toolset: _toolset, ...entry }) => entry)).toEqual(
      allTools.map(expectedEntry).map(({ _meta, ...entry }) => entry),
    );
    expect(catalog.tools.map((t) => [t.kind, t.toolset])).toEqual(allTools.map((t) => [t.kind, t.toolset]));
  });

  it("a read-only server lists what the shared selection gives for the registry", async () => {
    const readOnly = await stdioClient({ args: ["--read-only", "--toolsets", "knowledge,train,audit"] });
    const { tools } = await readOnly.client.listTools();
    await readOnly.close();
    const expected = selectTools(allTools, { readOnly: true, toolsets: ["knowledge", "train", "audit"] });
    expect(tools.map((t) => t.name)).toEqual(expected.map((t) => t.name));
    expect(expected.length).toBeGreaterThan(1);
  });
});

describe("one invocation path for every door", () => {
  it("refuses the same misspelt argument the same way over MCP and in the terminal", async () => {
    const mcp = await stdioClient();
    const res = await mcp.client.callTool({ name: "find_model", arguments: { query: "qwen2.5vl-7b", relase: "x" } });
    await mcp.close();
    expect(res.isError).toBe(true);
    expect((res.content as { text: string }[])[0]!.text).toContain("relase: unknown argument; did you mean release?");

    const cli = spawnSync(process.execPath, [CLI, "find-model", "qwen2.5vl-7b", "--input-json", '{"relase": "x"}'], {
      encoding: "utf8",
    });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("--relase: unknown argument; did you mean release?");
  });
});
