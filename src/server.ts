// The MCP door: tools, prompts and resources as protocol handlers. tools/call runs through invokeTool, the same path
// the CLI and the chat take; this module only adapts a request to ToolDeps (progress and log notifications tied to
// the request, its cancellation signal) and the outcome to a CallToolResult. tools/list is served from the catalog,
// so a tool's module (and the knowledge it needs) is loaded on its first call, not at start.
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { advertisedTools, type Catalog, loadCatalog } from "./catalog.js";
import type { HostRegistry } from "./hosts/registry.js";
import { SERVER_INSTRUCTIONS } from "./instructions.js";
import { allPrompts } from "./prompts/index.js";
import type { ToolOutcome } from "./tools/invoke.js";
import { isSelected, type ToolSelection, whyNotSelected } from "./tools/selection.js";
import { failedIsError, type ToolAnnotations, type ToolDeps } from "./tools/tool.js";
import { VERSION } from "./version.js";

export interface ServerOptions extends ToolSelection {
  hosts: HostRegistry;
  now?: () => Date;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** MCP log levels, least severe first (RFC 5424 order, as logging/setLevel names them). */
const LEVELS: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/** The client's logging/setLevel choice for one connection (one stdio process, one HTTP session). */
class LogThreshold {
  private level: LoggingLevel | undefined;
  set(level: LoggingLevel): void {
    this.level = level;
  }
  passes(level: LoggingLevel): boolean {
    return this.level === undefined || LEVELS.indexOf(level) >= LEVELS.indexOf(this.level);
  }
}

/** ToolDeps for one tools/call: notifications go on the request's own stream, cancellation aborts the tool. */
function mcpDeps(opts: ServerOptions, toolName: string, extra: Extra, threshold: LogThreshold): ToolDeps {
  const progressToken = extra._meta?.progressToken;
  const notify = (notification: ServerNotification) => void extra.sendNotification(notification).catch(() => undefined);
  return {
    hosts: opts.hosts,
    now: opts.now ?? (() => new Date()),
    signal: extra.signal,
    readOnly: opts.readOnly,
    progress: (update) => {
      if (progressToken === undefined) return;
      notify({
        method: "notifications/progress",
        params: { progressToken, progress: update.progress, total: update.total, message: update.message },
      });
    },
    log: (level, message) => {
      if (threshold.passes(level))
        notify({ method: "notifications/message", params: { level, logger: toolName, data: message } });
    },
  };
}

/**
 * A tool's outcome as MCP content: text and attachments, the structured result, isError for a refusal or error and for
 * a failed call where failedIsError says so, keeping the result and text (per the MCP spec, a tool execution error is
 * reported in the result: the model still reads the verdict, the pre-flight failures, the plan).
 */
export function mcpResult(outcome: ToolOutcome, annotations: Pick<ToolAnnotations, "readOnlyHint">): CallToolResult {
  if (!outcome.ok) return { content: [{ type: "text", text: outcome.error }], isError: true };
  return {
    content: [{ type: "text", text: outcome.text }, ...outcome.attachments],
    structuredContent: outcome.result,
    ...(outcome.failed && failedIsError(annotations) ? { isError: true } : {}),
  };
}

async function callTool(
  catalog: Catalog,
  opts: ServerOptions,
  name: string,
  args: unknown,
  extra: Extra,
  threshold: LogThreshold,
): Promise<CallToolResult> {
  const listed = catalog.tools.find((t) => t.name === name);
  if (!listed) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  if (!isSelected(listed, opts)) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Tool ${name} not found on this server: ${whyNotSelected(listed, opts)}`,
    );
  }
  const [{ findTool }, { invokeTool }] = await Promise.all([import("./tools/index.js"), import("./tools/invoke.js")]);
  const tool = findTool(name);
  if (!tool) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
  return mcpResult(await invokeTool(tool, args, mcpDeps(opts, name, extra, threshold)), listed.annotations);
}

export async function createServer(opts: ServerOptions): Promise<McpServer> {
  const catalog = await loadCatalog();
  const server = new McpServer(
    { name: "ascend-train", version: VERSION },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {}, tools: { listChanged: false } } },
  );
  const threshold = new LogThreshold();
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    threshold.set(request.params.level);
    return {};
  });
  const tools = advertisedTools(catalog, opts);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(catalog, opts, request.params.name, request.params.arguments, extra, threshold),
  );

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
      { title: r.title, description: r.description, mimeType: r.mimeType, size: r.size },
      async (uri) => {
        const found = (await resources()).RESOURCES.find((x) => x.uri === r.uri)!;
        return { contents: [{ uri: uri.href, mimeType: r.mimeType, text: found.read() }] };
      },
    );
  }
  for (const t of catalog.templates) {
    const definition = async () => (await resources()).RESOURCE_TEMPLATES.find((x) => x.name === t.name)!;
    const template = new ResourceTemplate(t.uriTemplate, {
      list: async () => ({ resources: (await definition()).list().map((item) => ({ ...item, mimeType: t.mimeType })) }),
      complete: Object.fromEntries(
        t.variables.map((variable) => [
          variable,
          async (value: string) => (await definition()).complete(variable, value),
        ]),
      ),
    });
    server.registerResource(
      t.name,
      template,
      { title: t.title, description: t.description, mimeType: t.mimeType },
      async (uri, vars) => {
        const { UnknownResourceError } = await resources();
        const flat = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
        try {
          return { contents: [{ uri: uri.href, mimeType: t.mimeType, text: (await definition()).read(flat) }] };
        } catch (error) {
          // An id the template does not know is the caller's mistake (invalid params), not a server failure.
          if (error instanceof UnknownResourceError) throw new McpError(ErrorCode.InvalidParams, error.message);
          throw error;
        }
      },
    );
  }
  // The registrations above declare lists that may change; these never do while the server runs.
  server.server.registerCapabilities({
    tools: { listChanged: false },
    prompts: { listChanged: false },
    resources: { listChanged: false },
  });
  return server;
}
