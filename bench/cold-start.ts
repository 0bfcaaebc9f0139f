// Cold start: spawn to the first tools/list answer, our server against a minimal SDK server, alternating runs.
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { peakRssOf, ratioResult } from "./measure.js";
import type { BenchResult } from "./types.js";

const ROOT = join(import.meta.dirname, "..");

async function timeToTools(args: string[]): Promise<{ ms: number; peak: number | null; tools: number }> {
  const started = performance.now();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    cwd: ROOT,
    env: getDefaultEnvironment(),
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  const ms = performance.now() - started;
  const peak = peakRssOf(transport.pid);
  await client.close();
  return { ms, peak, tools: tools.length };
}

export async function benchColdStart(runs = Number(process.env.BENCH_RUNS ?? 9)): Promise<BenchResult[]> {
  // The real entry point, as an MCP client configuration would start it.
  const oursArgs = [join(ROOT, "bin", "ascend-train.js"), "mcp"];
  const baseArgs = [join(ROOT, "bench", "baselines", "minimal-server.mjs")];
  await timeToTools(oursArgs);
  await timeToTools(baseArgs);
  const o: number[] = [];
  const b: number[] = [];
  let peak: number | null = null;
  let basePeak: number | null = null;
  let toolCount = 0;
  for (let i = 0; i < runs; i++) {
    const a = await timeToTools(oursArgs);
    const c = await timeToTools(baseArgs);
    o.push(a.ms);
    b.push(c.ms);
    peak = Math.max(peak ?? 0, a.peak ?? 0);
    basePeak = Math.max(basePeak ?? 0, c.peak ?? 0);
    toolCount = a.tools;
  }
  return [
    ratioResult({
      name: "MCP cold start (spawn → first tools/list answer)",
      ours: o,
      base: b,
      peakRssMb: peak,
      baselinePeakRssMb: basePeak,
      goal: "ratio <= 1.3 vs a minimal SDK server",
      note: `${toolCount} tools listed; median of ${runs} alternating runs`,
    }),
  ];
}
