// Streamable HTTP: loopback by default, bearer token required, Origin checked; one stateless MCP server per request.
// The token comes from ASCEND_TRAIN_TOKEN or a file, never from the command line (where `ps` shows it).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
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

/** The token of an Authorization header: the scheme is case-insensitive (RFC 9110), surrounding blanks ignored. */
export function bearerToken(header: string | undefined): string {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : "";
}

export class TokenSourceError extends Error {
  override name = "TokenSourceError";
}

/** The first line of a token file: a regular file of at most 4 KiB, not readable by other users. */
export function readTokenFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new TokenSourceError(`Cannot read the token file ${file}: ${(error as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new TokenSourceError(`The token file ${file} is not a regular file.`);
    if (st.size > 4096) throw new TokenSourceError(`The token file ${file} is larger than 4 KiB.`);
    if ((st.mode & 0o077) !== 0)
      throw new TokenSourceError(`The token file ${file} is readable by other users: chmod 600 ${file}.`);
    const buf = Buffer.alloc(st.size);
    const got = readSync(fd, buf, 0, st.size, 0);
    const token = buf.subarray(0, got).toString("utf8").split(/\r?\n/, 1)[0]!.trim();
    if (!token) throw new TokenSourceError(`The token file ${file} is empty.`);
    return token;
  } finally {
    closeSync(fd);
  }
}

/**
 * Where `serve` takes its token from: --token-file, else ASCEND_TRAIN_TOKEN, else a generated one. A token given on
 * the command line is refused: every user of the machine sees it in `ps`.
 */
export function serveToken(
  given: { tokenFile?: string; tokenOnCommandLine?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): { token: string; source: "file" | "env" | "generated" } {
  if (given.tokenOnCommandLine) {
    throw new TokenSourceError(
      "--token puts the token on the command line, where other users see it (ps). Set ASCEND_TRAIN_TOKEN or use --token-file <file> instead.",
    );
  }
  if (given.tokenFile) return { token: readTokenFile(given.tokenFile), source: "file" };
  if (env.ASCEND_TRAIN_TOKEN) return { token: env.ASCEND_TRAIN_TOKEN, source: "env" };
  return { token: randomBytes(24).toString("base64url"), source: "generated" };
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
    const token = bearerToken(req.headers.authorization);
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
