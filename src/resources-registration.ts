// Registers the knowledge base as MCP resources: static documents and one template per model id.
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { RESOURCE_TEMPLATES, RESOURCES } from "./resources/index.js";

export function registerResources(server: McpServer): void {
  for (const r of RESOURCES) {
    server.registerResource(
      r.name,
      r.uri,
      { title: r.title, description: r.description, mimeType: r.mimeType },
      async (uri) => ({
        contents: [{ uri: uri.href, mimeType: r.mimeType, text: r.read() }],
      }),
    );
  }
  for (const t of RESOURCE_TEMPLATES) {
    const template = new ResourceTemplate(t.uriTemplate, {
      list: async () => ({ resources: t.list().map((item) => ({ ...item, mimeType: t.mimeType })) }),
    });
    server.registerResource(
      t.name,
      template,
      { title: t.title, description: t.description, mimeType: t.mimeType },
      async (uri, vars) => ({
        contents: [
          {
            uri: uri.href,
            mimeType: t.mimeType,
            text: t.read(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]))),
          },
        ],
      }),
    );
  }
}
