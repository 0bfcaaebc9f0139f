// estimate_memory's inputs are bounded: a huge NPU count (or any other number) is refused as a validation error that
// names the argument and its bound, over MCP (argument names) and through the CLI (flags), instead of a layout search
// that grew with the value until the server ran out of memory; the largest values allowed answer. The estimate module
// refuses out-of-range values from its other callers (build_configs, launch pre-flight) too.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolError } from "../../src/errors.js";
import { ESTIMATE_BOUNDS, estimateForModel, memoryAdvice } from "../../src/estimate/index.js";
import { divisors } from "../../src/estimate/layouts.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { createServer } from "../../src/server.js";
import estimateMemory from "../../src/tools/estimate-memory.js";
import { invokeTool } from "../../src/tools/invoke.js";
import { CLI } from "../helpers/mcp.js";

/** Generous: each of these answers in well under a second; a search that grows with the value does not. */
const GUARD_MS = 20_000;
const HUGE = 1_000_000_000;

describe("estimate_memory over MCP", () => {
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const hosts = new HostRegistry({ file: null, hosts: {} });
    const server = await createServer({ hosts });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: "estimate-bounds", version: "1" });
    await client.connect(clientSide);
    close = async () => {
      await client.close();
      await server.close();
      await hosts.closeAll();
    };
  });
  afterAll(() => close());

  const call = async (args: Record<string, unknown>) => {
    const r = (await client.callTool({ name: "estimate_memory", arguments: args })) as {
      isError?: boolean;
      content: { type: string; text: string }[];
    };
    return { isError: r.isError === true, text: r.content.map((c) => c.text).join("\n") };
  };

  it(
    "refuses a billion NPUs as a validation error naming npus and its bound",
    async () => {
      const r = await call({ model: "qwen2.5vl-3b", npus: HUGE });
      expect(r.isError).toBe(true);
      expect(r.text).toContain("Input validation error for estimate_memory");
      expect(r.text).toContain(`npus: at most ${ESTIMATE_BOUNDS.npus}`);
      expect(r.text).not.toContain("--npus");
    },
    GUARD_MS,
  );

  it("refuses more than 16 NPUs per node, naming npusPerNode", async () => {
    const r = await call({ model: "qwen2.5vl-3b", npusPerNode: 64 });
    expect(r.isError).toBe(true);
    expect(r.text).toContain("npusPerNode: at most 16");
  });

  it(
    "answers for the largest allowed cluster: 65536 NPUs, 16 a node",
    async () => {
      const r = await call({ model: "qwen2.5vl-72b", npus: ESTIMATE_BOUNDS.npus, npusPerNode: 16 });
      expect(r.isError, r.text).toBe(false);
      expect(r.text).toContain(`on ${ESTIMATE_BOUNDS.npus} ×`);
    },
    GUARD_MS,
  );
});

describe("estimate-memory through the CLI", () => {
  const home = mkdtempSync(join(tmpdir(), "estimate-bounds-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
  delete env.ASCEND_TRAIN_CONFIG;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, "estimate-memory", ...args], {
      cwd: home,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("refuses --npus 1000000000 as a usage error naming the flag and the bound, exit 2", () => {
    const r = cli("--model", "qwen2.5vl-3b", "--npus", String(HUGE));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`--npus: at most ${ESTIMATE_BOUNDS.npus}`);
  }, 60_000);

  it("refuses --npus-per-node 64 naming the flag", () => {
    const r = cli("--model", "qwen2.5vl-3b", "--npus-per-node", "64");
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain("--npus-per-node: at most 16");
  }, 60_000);
});

describe("every numeric input of estimate_memory is bounded", () => {
  const shape = estimateMemory.input.shape as Record<string, z.ZodType>;
  /** The number a field holds (itself, or a list's items), unwrapped from optional and default. */
  const numberIn = (schema: z.ZodType): { list: boolean } | null => {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodNumber) return { list: false };
    if (s instanceof z.ZodArray && s.element instanceof z.ZodNumber) return { list: true };
    return null;
  };
  const numeric = Object.entries(shape).flatMap(([name, schema]) => {
    const n = numberIn(schema);
    return n ? [{ name, ...n }] : [];
  });

  it("has the inputs this test knows of", () => {
    expect(numeric.map((n) => n.name)).toEqual(
      expect.arrayContaining(["npus", "npusPerNode", "globalBatchSize", "seqLength", "loraRank", "llmLayerSplit"]),
    );
  });

  it("refuses 2^53 − 1 in each, naming the argument and its bound", () => {
    for (const { name, list } of numeric) {
      const value = list ? [Number.MAX_SAFE_INTEGER] : Number.MAX_SAFE_INTEGER;
      const parsed = estimateMemory.input.safeParse({ model: "qwen2.5vl-3b", [name]: value });
      expect(parsed.success, name).toBe(false);
      const issue = parsed.error!.issues[0]!;
      expect(issue.path[0], name).toBe(name);
      expect(issue.message, name).toMatch(/^at most \d+/);
    }
  });

  it(
    "refuses a stage of a hundred million layers instead of looping over them",
    async () => {
      const r = await invokeTool(estimateMemory, { model: "qwen2.5vl-3b", npus: 1, pp: 1, llmLayerSplit: [1e8] }, {
        hosts: new HostRegistry({ file: null, hosts: {} }),
      } as never);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`llmLayerSplit.0: at most ${ESTIMATE_BOUNDS.layersPerStage}`);
    },
    GUARD_MS,
  );
});

describe("the largest allowed values answer", () => {
  const deps = {} as never;
  const run = (args: Record<string, unknown>) => estimateMemory.handle(estimateMemory.input.parse(args), deps);

  it(
    "65536, 65520 (many divisors) and 65521 (a prime) NPUs, dense and MoE",
    async () => {
      for (const model of ["qwen2.5vl-72b", "qwen3vl-235b"])
        for (const npus of [65_536, 65_520, 65_521]) {
          const r = await run({ model, npus, npusPerNode: 16 });
          expect(r.layout.npus).toBe(npus);
          for (const c of r.layouts) expect(c.tp * c.pp * c.cp * c.dp, `${model} ${npus}`).toBe(npus);
        }
    },
    GUARD_MS,
  );

  it(
    "every bound at once",
    async () => {
      const b = ESTIMATE_BOUNDS;
      const r = await run({
        model: "qwen2.5vl-7b",
        npus: b.npus,
        npusPerNode: b.npusPerNode,
        tp: 1,
        pp: 1,
        microBatchSize: b.microBatchSize,
        globalBatchSize: b.globalBatchSize,
        seqLength: b.seqLength,
        variant: "lora",
        loraRank: b.loraRank,
        images: b.images,
        imageMaxPixels: b.imageMaxPixels,
        limit: 50,
      });
      expect(r.fits).toBe(false);
    },
    GUARD_MS,
  );
});

describe("the estimate module's own bounds, for its other callers", () => {
  it(
    "refuses a billion NPUs with a ToolError naming npus and the bound; memoryAdvice gives no advice",
    () => {
      expect(() => estimateForModel({ model: "qwen2.5vl-3b", npus: HUGE })).toThrow(ToolError);
      expect(() => estimateForModel({ model: "qwen2.5vl-3b", npus: HUGE })).toThrow(
        `npus ${HUGE} (at most ${ESTIMATE_BOUNDS.npus})`,
      );
      expect(memoryAdvice({ model: "qwen2.5vl-3b", npus: HUGE, npusPerNode: HUGE })).toBeNull();
      expect(memoryAdvice({ model: "qwen2.5vl-3b", npus: 8, pp: 100_000_000 })).toBeNull();
    },
    GUARD_MS,
  );

  it("a default global batch that grows with the NPUs is not refused", () => {
    const r = estimateForModel({ model: "qwen2.5vl-3b", npus: ESTIMATE_BOUNDS.npus, npusPerNode: 16 });
    expect(r.layout.globalBatchSize).toBeGreaterThan(ESTIMATE_BOUNDS.globalBatchSize);
  });

  it(
    "lists divisors in about √n steps, ascending",
    () => {
      expect(divisors(12)).toEqual([1, 2, 3, 4, 6, 12]);
      expect(divisors(16)).toEqual([1, 2, 4, 8, 16]);
      expect(divisors(1)).toEqual([1]);
      expect(divisors(65_521)).toEqual([1, 65_521]);
      expect(divisors(HUGE)).toHaveLength(100);
    },
    GUARD_MS,
  );
});
