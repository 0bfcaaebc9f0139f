// MCP over stdio: stdout carries the protocol, so everything else goes to stderr.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { HostRegistry } from "./hosts/registry.js";
import { createServer } from "./server.js";
import type { ToolSelection } from "./tools/index.js";

export async function runStdio(selection: ToolSelection = {}): Promise<void> {
  const hosts = new HostRegistry();
  const server = await createServer({ ...selection, hosts });
  const transport = new StdioServerTransport();
  const shutdown = async () => {
    await hosts.closeAll();
    await server.close();
    process.exit(0);
  };
  process.stdin.on("end", shutdown);
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  await server.connect(transport);
}
