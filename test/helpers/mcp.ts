// Real MCP clients for tests: the built CLI over stdio, or `ascend-train serve` over Streamable HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export const CLI = join(import.meta.dirname, "..", "..", "bin", "ascend-train.js");

export async function stdioClient(opts: { args?: string[]; env?: Record<string, string>; cwd?: string } = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", ...(opts.args ?? [])],
    env: { ...getDefaultEnvironment(), ...opts.env },
    cwd: opts.cwd,
    stderr: "pipe",
  });
  const client = new Client({ name: "ascend-train-tests", version: "1.0.0" });
  await client.connect(transport);
  return { client, close: () => client.close() };
}

export interface HttpServerProcess {
  url: string;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startHttpServer(opts: { args?: string[]; env?: Record<string, string>; cwd?: string } = {}) {
  const token = "test-token-0123456789abcdef";
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...(opts.args ?? [])], {
    env: { ...process.env, ASCEND_TRAIN_TOKEN: token, ...opts.env },
    cwd: opts.cwd,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20_000);
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /at (http:\/\/\S+\/mcp)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return {
    url,
    token,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  } satisfies HttpServerProcess;
}

export async function httpClient(url: string, token: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "ascend-train-tests", version: "1.0.0" });
  await client.connect(transport);
  return { client, close: () => client.close() };
}
