// Cold start: spawn to the first tools/list answer, our server against a minimal SDK server, alternating runs.
// Raw JSON-RPC over stdio, so the figure is the server's alone (an SDK client would add its own schema compiling).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { peakRssOf, ratioResult } from "./measure.js";
import type { BenchResult } from "./types.js";

const ROOT = join(import.meta.dirname, "..");

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
};
const LIST = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };

function timeToTools(args: string[]): Promise<{ ms: number; peak: number | null; tools: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "ignore"] });
    let buf = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const msg = JSON.parse(line) as { id?: number; result?: { tools?: unknown[] } };
        if (msg.id === 1) {
          child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
          child.stdin.write(`${JSON.stringify(LIST)}\n`);
        } else if (msg.id === 2) {
          const ms = performance.now() - started;
          const peak = peakRssOf(child.pid);
          child.kill();
          resolve({ ms, peak, tools: msg.result?.tools?.length ?? 0 });
        }
        nl = buf.indexOf("\n");
      }
    });
    child.once("error", reject);
    child.stdin.write(`${JSON.stringify(INIT)}\n`);
  });
}

export async function benchColdStart(runs = Number(process.env.BENCH_RUNS ?? 9)): Promise<BenchResult[]> {
  // The real entry point, as an MCP client configuration would start it.
  const oursArgs = [join(ROOT, "bin", "ascend-train.js"), "mcp"];
  const baseArgs = [join(ROOT, "bench", "baselines", "minimal-server.mjs")];
  await timeToTools(oursArgs);
  await timeToTools(baseArgs);
  const o: number[] = [];
  const b: number[] = [];
  let peak = 0;
  let basePeak = 0;
  let toolCount = 0;
  for (let i = 0; i < runs; i++) {
    const a = await timeToTools(oursArgs);
    const c = await timeToTools(baseArgs);
    o.push(a.ms);
    b.push(c.ms);
    peak = Math.max(peak, a.peak ?? 0);
    basePeak = Math.max(basePeak, c.peak ?? 0);
    toolCount = a.tools;
  }
  return [
    ratioResult({
      name: "MCP cold start (spawn → first tools/list answer)",
      ours: o,
      base: b,
      peakRssMb: peak || null,
      baselinePeakRssMb: basePeak || null,
      goal: "ratio <= 1.3 vs a minimal SDK server",
      maxRatio: 1.3,
      note: `${toolCount} tools listed; median of ${runs} alternating runs; raw JSON-RPC over stdio`,
    }),
  ];
}
