// The MCP door in-process: a cancelled tools/call reaches the tool's signal (its host reads stop), inputs are strict
// for every tool, annotations and the tool selection come from the definitions.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { createServer } from "../../src/server.js";
import { allTools } from "../../src/tools/index.js";
import { inputIssues } from "../../src/tools/invoke.js";
import { isSelected, selectTools } from "../../src/tools/selection.js";
import { actsOnHost, annotationsFor } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "mcp-door-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cancellation over MCP", () => {
  it("aborts the tool's work: a followed log is no longer read after the client cancels", async () => {
    let reads = 0;
    const hosts = new HostRegistry(undefined, async (name, settings) => {
      const { LocalExecutor } = await import("../../src/hosts/local.js");
      const inner: HostExecutor = new LocalExecutor(name, settings);
      return new Proxy(inner, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (prop === "readFile")
            return (...args: Parameters<HostExecutor["readFile"]>) => {
              reads++;
              return target.readFile(...args);
            };
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    });
    const log = join(dir, "train.log");
    const line = (i: number) =>
      ` iteration ${String(i).padStart(8)}/    5000 | consumed samples: ${i * 64} | elapsed time per iteration (ms): 300.0 | learning rate: 1.000000E-05 | global batch size:    64 | loss: 1.2${i}E+00 | loss scale: 1.0 | grad norm: 3.4 |\n`;
    writeFileSync(log, line(1));
    let iteration = 1;
    const writer = setInterval(() => appendFileSync(log, line(++iteration)), 200);
    const server = await createServer({ hosts });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "door-test", version: "1" });
    await client.connect(clientSide);
    const controller = new AbortController();
    let progress = 0;
    try {
      const call = client
        .callTool({ name: "tail_logs", arguments: { logFile: log, followSeconds: 30 } }, undefined, {
          signal: controller.signal,
          onprogress: () => progress++,
          timeout: 60_000,
        })
        .catch((error: Error) => error);
      await new Promise((r) => setTimeout(r, 2000));
      controller.abort("enough");
      expect(await call).toBeInstanceOf(Error);
      await new Promise((r) => setTimeout(r, 500));
      const readsAtCancel = reads;
      await new Promise((r) => setTimeout(r, 2500));
      expect(progress).toBeGreaterThan(0);
      expect(readsAtCancel).toBeGreaterThan(1);
      expect(reads).toBe(readsAtCancel);
    } finally {
      clearInterval(writer);
      await client.close();
      await server.close();
      await hosts.closeAll();
    }
  }, 20_000);
});

describe("tool inputs", () => {
  it("every tool refuses an argument it does not know", () => {
    for (const tool of allTools) {
      const parsed = (tool.input as z.ZodObject).safeParse({ zzNotAnArgument: 1 });
      expect(parsed.success, tool.name).toBe(false);
      expect(
        parsed.error!.issues.some((issue) => issue.code === "unrecognized_keys"),
        tool.name,
      ).toBe(true);
    }
  });

  it("names an unknown argument and the nearest known one, or lists the known ones", () => {
    const tool = allTools.find((t) => t.name === "find_model")!;
    const known = Object.keys(tool.input.shape);
    const near = tool.input.safeParse({ query: "x", relase: "v2.1.0" });
    expect(inputIssues(near.error!, {}, known)).toEqual([
      { field: "relase", message: "unknown argument; did you mean release?", missing: false },
    ]);
    const far = tool.input.safeParse({ query: "x", colour: "blue" });
    expect(inputIssues(far.error!, {}, known)).toEqual([
      { field: "colour", message: "unknown argument; known: query, release", missing: false },
    ]);
  });

  it("says what kind of value a field wanted and which one it got, in plain words", () => {
    const tool = allTools.find((t) => t.name === "estimate_memory")!;
    const said = (args: Record<string, unknown>) =>
      inputIssues(tool.input.safeParse(args).error!, args).map((i) => `${i.field}: ${i.message}`);
    expect(said({ model: "qwen2.5vl-3b", npus: "eight" })).toEqual(['npus: expected a number, got "eight"']);
    expect(said({ model: "qwen2.5vl-3b", npus: 2.5 })).toEqual(["npus: expected a whole number, got 2.5"]);
    expect(said({ model: "qwen2.5vl-3b", npus: [8] })).toEqual(["npus: expected a number, got a list"]);
    expect(said({ npus: 8 })).toEqual(["model: required, not given"]);
  });

  it("over a real tools/call, names the value the client sent (null only when null was sent)", async () => {
    const server = await createServer({ hosts: new HostRegistry({ file: null, hosts: {} }) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: "door-test", version: "1" });
    await client.connect(clientSide);
    try {
      const text = async (npus: unknown) => {
        const r = (await client.callTool({ name: "estimate_memory", arguments: { model: "qwen2.5vl-3b", npus } })) as {
          content: { text: string }[];
          isError?: boolean;
        };
        expect(r.isError).toBe(true);
        return r.content[0]!.text;
      };
      expect(await text("eight")).toBe(
        'Input validation error for estimate_memory: npus: expected a number, got "eight"',
      );
      expect(await text(null)).toBe("Input validation error for estimate_memory: npus: expected a number, got null");
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe("annotations and selection", () => {
  it("only knowledge and audit tools are closed-world", () => {
    const closed = allTools.filter((t) => !annotationsFor(t).openWorldHint).map((t) => t.name);
    expect(closed.sort()).toEqual(["audit_log", "find_model"]);
    for (const t of allTools) expect(actsOnHost(t)).toBe(annotationsFor(t).openWorldHint);
  });

  it("selects by toolset and read-only, in registry order", () => {
    const readOnly = selectTools(allTools, { readOnly: true });
    expect(readOnly.every((t) => t.kind === "read")).toBe(true);
    expect(readOnly.length).toBeLessThan(allTools.length);
    const knowledge = selectTools(allTools, { toolsets: ["knowledge"] }).map((t) => t.name);
    expect(knowledge).toEqual(["find_model"]);
    expect(selectTools(allTools)).toEqual(allTools);
    expect(isSelected({ toolset: "train", kind: "destructive" }, { readOnly: true })).toBe(false);
  });
});
