// The MCP client both demos drive: it spawns this server over stdio (`bin/ascend-train.js mcp`, the same code as this
// process), then runs each tool call the way an assistant would, printing the call, its reason, its progress and the
// tool's text answer. One module so that the Ascend and the TRL demo show their calls alike.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { auditLogPath } from "./hosts/audit.js";

// src/demo-client.ts from the sources, dist/src/demo-client.js once built: the nearest bin/ascend-train.js above either.
const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = [join(HERE, "..", "bin", "ascend-train.js"), join(HERE, "..", "..", "bin", "ascend-train.js")].find((p) =>
  existsSync(p),
) as string;

export type DemoResult = { structuredContent?: Record<string, unknown>; content?: unknown[]; isError?: boolean };

export const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
export const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

export function textOf(r: DemoResult): string {
  return (r.content ?? [])
    .filter((c): c is { type: "text"; text: string } => (c as { type: string }).type === "text")
    .map((c) => c.text)
    .join("\n");
}

function indent(text: string, max = 14): string {
  const lines = text.trim().split("\n");
  const shown = lines.slice(0, max).map((l) => `    ${l}`);
  if (lines.length > max) shown.push(dim(`    … ${lines.length - max} more lines`));
  return shown.join("\n");
}

export interface DemoClient {
  /**
   * Calls a tool, prints it and its answer; throws when the tool reports an error, except, with `mayFail`, a call that
   * ran and did not do what was asked (isError with its structured result: a launch whose run died at once).
   */
  call(name: string, args: Record<string, unknown>, why: string, opts?: { mayFail?: boolean }): Promise<DemoResult>;
  /** How many tool calls were made. */
  calls(): number;
  close(): Promise<void>;
}

/** Starts the server over stdio with this inventory and the person's audit log, and connects a client to it. */
export async function connectDemoClient(inventory: string): Promise<DemoClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp"],
    env: {
      ...getDefaultEnvironment(),
      ASCEND_TRAIN_CONFIG: inventory,
      // The person's audit log, so that the command printed at the end reads what the demo ran.
      ASCEND_TRAIN_AUDIT_LOG: auditLogPath(),
      // The server runs the same code as this process (the sources, when started from them).
      ...(process.env.ASCEND_TRAIN_FROM_SOURCE ? { ASCEND_TRAIN_FROM_SOURCE: "1" } : {}),
    },
    stderr: "inherit",
  });
  const client = new Client({ name: "ascend-train-demo", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(`${bold("MCP client connected")} to ascend-train over stdio: ${tools.length} tools\n`);

  let calls = 0;
  return {
    calls: () => calls,
    close: () => client.close().catch(() => undefined),
    async call(name, args, why, opts) {
      calls++;
      console.log(`${bold(`[${calls}] ${name}`)} ${dim(`— ${why}`)}`);
      const shown = JSON.stringify(args);
      console.log(dim(`    ${shown.length > 160 ? `${shown.slice(0, 157)}…` : shown}`));
      let lastProgress = "";
      const r = (await client.callTool({ name, arguments: args }, undefined, {
        timeout: 300_000,
        resetTimeoutOnProgress: true,
        onprogress: (p) => {
          const line = `${p.progress}${p.total ? `/${p.total}` : ""} ${p.message ?? ""}`.trim();
          if (line !== lastProgress && p.message) console.log(dim(`    … ${line}`));
          lastProgress = line;
        },
      })) as DemoResult;
      console.log(indent(textOf(r)));
      if (r.isError && !(opts?.mayFail && r.structuredContent)) throw new Error(`${name} failed: ${textOf(r)}`);
      console.log();
      return r;
    },
  };
}
