// Streamable HTTP: loopback by default, bearer token required, Origin checked; one stateless MCP server per request.
import { timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createServer, type ServerOptions } from "./server.js";

export interface HttpOptions extends ServerOptions {
  host: string;
  port: number;
  token: string;
  /** Origins allowed besides the server's own (browsers send Origin; CLI clients usually do not). */
  allowedOrigins?: string[];
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }));
}

function originAllowed(req: IncomingMessage, opts: HttpOptions, port: number): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  return [...own, ...(opts.allowedOrigins ?? [])].includes(origin);
}

export async function serveHttp(opts: HttpOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  if (opts.token.length < 16) throw new Error("The bearer token must be at least 16 characters.");
  let port = opts.port;
  const server = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/mcp") return reject(res, 404, "Not found: the MCP endpoint is /mcp.");
    if (!originAllowed(req, opts, port)) return reject(res, 403, `Origin ${req.headers.origin} is not allowed.`);
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!token || !sameToken(token, opts.token)) {
      res.setHeader("www-authenticate", 'Bearer realm="ascend-train"');
      return reject(res, 401, "Missing or wrong bearer token.");
    }
    const mcp = await createServer(opts);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    } catch (error) {
      console.error("[http]", error);
      if (!res.headersSent) reject(res, 500, "Internal server error.");
    }
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(opts.port, opts.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const hostForUrl = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    server,
    url: `http://${hostForUrl}:${port}/mcp`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
