// The MCP server: turns the catalog of tools, prompts and resources into protocol handlers. A tool's module (and the
// knowledge it needs) is loaded on its first call, so the server answers tools/list without loading any of them.
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ServerNotification,
  type ServerRequest,
} from "@modelcontextprotocol/sdk/types.js";
import { type Catalog, type CatalogTool, loadCatalog } from "./catalog.js";
import { withToolContext } from "./hosts/audit.js";
import { redactDeep, redactText } from "./hosts/redact.js";
import type { HostRegistry } from "./hosts/registry.js";
import { SERVER_INSTRUCTIONS } from "./instructions.js";
import { allPrompts } from "./prompts/index.js";
import { renderHints } from "./text/hint.js";
import { annotationsFor, type ToolDef, type ToolDeps, type Toolset } from "./tools/tool.js";
import { VERSION } from "./version.js";

export interface ServerOptions {
  hosts: HostRegistry;
  toolsets?: Toolset[];
  readOnly?: boolean;
  now?: () => Date;
}

type LogLevel = "debug" | "info" | "warning" | "error";
type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function selectCatalogTools(
  catalog: Catalog,
  opts: Pick<ServerOptions, "toolsets" | "readOnly">,
): CatalogTool[] {
  return catalog.tools.filter(
    (t) => (!opts.toolsets || opts.toolsets.includes(t.toolset)) && (!opts.readOnly || t.kind === "read"),
  );
}

// biome-ignore lint/suspicious/noExplicitAny: any tool definition
async function loadTool(name: string): Promise<ToolDef<any, any>> {
  const { findTool } = await import("./tools/index.js");
  const tool = findTool(name);
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  return tool;
}

async function callTool(
  server: McpServer,
  opts: ServerOptions,
  name: string,
  args: unknown,
  extra: Extra,
): Promise<CallToolResult> {
  const tool = await loadTool(name);
  const parsed = tool.input.safeParse(args ?? {});
  const { describeInputError, errorOutcome } = await import("./tools/invoke.js");
  if (!parsed.success) {
    return {
      content: [
        {
          type: "text",
          text: redactText(`Input validation error for ${name}: ${describeInputError(parsed.error, args)}`),
        },
      ],
      isError: true,
    };
  }
  const progressToken = extra._meta?.progressToken;
  const deps: ToolDeps = {
    hosts: opts.hosts,
    now: opts.now ?? (() => new Date()),
    signal: extra.signal,
    readOnly: opts.readOnly,
    progress: (update) => {
      if (progressToken === undefined) return;
      void extra
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress: update.progress, total: update.total, message: update.message },
        })
        .catch(() => undefined);
    },
    log: (level: LogLevel, message: string) => {
      void server.sendLoggingMessage({ level, logger: name, data: message }).catch(() => undefined);
    },
  };
  try {
    const result = (await withToolContext(name, () => tool.handle(parsed.data, deps), tool.kind)) as Record<
      string,
      unknown
    >;
    const attachments = tool.attachments?.(result) ?? [];
    const text = redactText(renderHints(tool.summarize(result)));
    return { content: [{ type: "text", text }, ...attachments], structuredContent: redactDeep(renderHints(result)) };
  } catch (error) {
    return { content: [{ type: "text", text: errorOutcome(name, error).error }], isError: true };
  }
}

export async function createServer(opts: ServerOptions): Promise<McpServer> {
  const catalog = await loadCatalog();
  const server = new McpServer(
    { name: "ascend-train", version: VERSION },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {}, tools: { listChanged: false } } },
  );
  const tools = selectCatalogTools(catalog, opts);
  const offered = new Set(tools.map((t) => t.name));
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema as { type: "object" },
      outputSchema: t.outputSchema as { type: "object" },
      annotations: annotationsFor(t),
    })),
  }));
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const { name, arguments: args } = request.params;
    if (!offered.has(name)) {
      const why = catalog.tools.some((t) => t.name === name)
        ? " (not offered by this server: read-only or toolset filter)"
        : "";
      throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found${why}`);
    }
    return callTool(server, opts, name, args, extra);
  });

  for (const prompt of allPrompts) {
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.args },
      (args: Record<string, unknown>) => ({
        messages: [{ role: "user" as const, content: { type: "text" as const, text: prompt.render(args as never) } }],
      }),
    );
  }

  const resources = () => import("./resources/index.js");
  for (const r of catalog.resources) {
    server.registerResource(
      r.name,
      r.uri,
      { title: r.title, description: r.description, mimeType: r.mimeType },
      async (uri) => {
        const found = (await resources()).RESOURCES.find((x) => x.uri === r.uri)!;
        return { contents: [{ uri: uri.href, mimeType: r.mimeType, text: found.read() }] };
      },
    );
  }
  for (const t of catalog.templates) {
    const template = new ResourceTemplate(t.uriTemplate, {
      list: async () => {
        const found = (await resources()).RESOURCE_TEMPLATES.find((x) => x.name === t.name)!;
        return { resources: found.list().map((item) => ({ ...item, mimeType: t.mimeType })) };
      },
    });
    server.registerResource(
      t.name,
      template,
      { title: t.title, description: t.description, mimeType: t.mimeType },
      async (uri, vars) => {
        const found = (await resources()).RESOURCE_TEMPLATES.find((x) => x.name === t.name)!;
        const flat = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
        return { contents: [{ uri: uri.href, mimeType: t.mimeType, text: found.read(flat) }] };
      },
    );
  }
  return server;
}
