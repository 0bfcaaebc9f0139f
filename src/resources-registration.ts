// Registers the knowledge base as MCP resources (static documents and per-item templates).
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

export function registerResources(_server: McpServer): void {}
