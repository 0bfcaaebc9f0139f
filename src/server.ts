// The MCP server: the only file that turns tool, prompt and resource definitions into SDK registrations.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { withToolContext } from "./hosts/audit.js";
import type { HostRegistry } from "./hosts/registry.js";
import { SERVER_INSTRUCTIONS } from "./instructions.js";
import { allPrompts } from "./prompts/index.js";
import { registerResources } from "./resources-registration.js";
import { selectTools, type ToolSelection } from "./tools/index.js";
import { errorOutcome } from "./tools/invoke.js";
import { annotationsFor, type ToolDeps } from "./tools/tool.js";
import { VERSION } from "./version.js";

export interface ServerOptions extends ToolSelection {
  hosts: HostRegistry;
  now?: () => Date;
}

type LogLevel = "debug" | "info" | "warning" | "error";

export function createServer(opts: ServerOptions): McpServer {
  const server = new McpServer(
    { name: "ascend-train", version: VERSION },
    { instructions: SERVER_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  for (const tool of selectTools(opts)) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: annotationsFor(tool),
      },
      async (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => {
        const progressToken = extra._meta?.progressToken;
        const deps: ToolDeps = {
          hosts: opts.hosts,
          now: opts.now ?? (() => new Date()),
          signal: extra.signal,
          progress: (update) => {
            if (progressToken === undefined) return;
            void extra
              .sendNotification({ method: "notifications/progress", params: { progressToken, ...update } })
              .catch(() => undefined);
          },
          log: (level: LogLevel, message: string) => {
            void server.sendLoggingMessage({ level, logger: tool.name, data: message }).catch(() => undefined);
          },
        };
        try {
          // biome-ignore lint/suspicious/noExplicitAny: validated by the SDK against tool.input
          const result = (await withToolContext(tool.name, () => tool.handle(args as any, deps))) as Record<
            string,
            unknown
          >;
          const attachments = tool.attachments?.(result) ?? [];
          return {
            content: [{ type: "text" as const, text: tool.summarize(result) }, ...attachments],
            structuredContent: result,
          };
        } catch (error) {
          const outcome = errorOutcome(tool.name, error);
          return { content: [{ type: "text" as const, text: outcome.error }], isError: true };
        }
      },
    );
  }
  for (const prompt of allPrompts) {
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.args },
      (args: Record<string, unknown>) => ({
        messages: [{ role: "user" as const, content: { type: "text" as const, text: prompt.render(args as never) } }],
      }),
    );
  }
  registerResources(server);
  return server;
}
