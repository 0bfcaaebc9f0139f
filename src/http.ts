// Streamable HTTP: loopback by default, bearer token required, Host and Origin checked (DNS-rebinding protection).
// Each client gets a session (Mcp-Session-Id) with its own MCP server, so a notifications/cancelled stops the call it
// names and logging/setLevel lasts for the session. Every notification belongs to a request and travels on that
// request's response stream, so GET /mcp (a stream for server-initiated messages) is answered 405.
// The token comes from ASCEND_TRAIN_TOKEN or a file, never from the command line (where `ps` shows it).
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, isIPv6 } from "node:net";
import { hostname as machineName, networkInterfaces } from "node:os";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createServer, type ServerOptions } from "./server.js";
import { createUiHandler, type UiHandler } from "./ui/server.js";

export interface HttpOptions extends ServerOptions {
  host: string;
  port: number;
  token: string;
  /** Origins allowed besides the server's own (browsers send Origin; CLI clients usually do not). */
  allowedOrigins?: string[];
  /** Host header names allowed besides localhost, the loopback addresses and the bound address (a DNS name clients use). */
  allowedHosts?: string[];
  /** Sessions kept at once; the least recently used idle one makes room for a new client. */
  maxSessions?: number;
  /** A session unused this long is closed. */
  sessionIdleMs?: number;
  /** How often the dashboard (/ui) reads a followed run's log. */
  uiPollMs?: number;
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

function reject(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }));
}

function originAllowed(req: IncomingMessage, opts: HttpOptions, port: number): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  return [...own, ...(opts.allowedOrigins ?? [])].includes(origin);
}

const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "[::]", ""]);
const bracketed = (address: string) => (isIPv6(address) ? `[${address}]` : address);

/**
 * Host names a request may carry in its Host header: localhost and the loopback addresses, the bound address (for a
 * wildcard bind: this machine's interface addresses and its name), and --allow-host names. A page on evil.example
 * whose DNS name rebinds to this machine sends Host: evil.example and is refused.
 */
export function allowedHostNames(bind: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "[::1]", ...extra.map((h) => h.toLowerCase())]);
  if (WILDCARD_BINDS.has(bind)) {
    for (const list of Object.values(networkInterfaces()))
      for (const nic of list ?? []) names.add(bracketed(nic.address));
    names.add(machineName().toLowerCase());
  } else {
    names.add(bracketed(bind.replace(/^\[|\]$/g, "")).toLowerCase());
  }
  return names;
}

/** The host name of a Host header (port dropped, IPv6 kept in brackets), or null when it is absent or malformed. */
export function hostHeaderName(header: string | undefined): string | null {
  // Only a name or address and a port: no user info, path or query that URL parsing would read past.
  if (!header || !/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(header)) return null;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

interface Session {
  transport: StreamableHTTPServerTransport;
  mcp: McpServer;
  lastSeen: number;
  /** Requests in progress: a busy session is never evicted. */
  busy: number;
}

export async function serveHttp(
  opts: HttpOptions,
): Promise<{ server: Server; url: string; ui: UiHandler; close(): Promise<void> }> {
  if (opts.token.length < 16) throw new Error("The bearer token must be at least 16 characters.");
  let port = opts.port;
  const hosts = allowedHostNames(opts.host, opts.allowedHosts);
  const maxSessions = opts.maxSessions ?? 64;
  const idleMs = opts.sessionIdleMs ?? 30 * 60_000;
  const sessions = new Map<string, Session>();
  // The dashboard: same Host/Origin checks and the same token, traded for a session cookie (ui/auth.ts).
  const ui = createUiHandler({ ...opts, pollMs: opts.uiPollMs });

  const closeSession = (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    void session.transport.close().catch(() => undefined);
    void session.mcp.close().catch(() => undefined);
  };
  /** Room for one more session: the least recently used idle one goes; false when every session is busy. */
  const makeRoom = (): boolean => {
    if (sessions.size < maxSessions) return true;
    const idle = [...sessions].filter(([, s]) => s.busy === 0).sort(([, a], [, b]) => a.lastSeen - b.lastSeen);
    if (idle.length === 0) return false;
    closeSession(idle[0]![0]);
    return true;
  };
  const reaper = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, s] of sessions) if (s.busy === 0 && s.lastSeen < cutoff) closeSession(id);
    },
    Math.min(idleMs, 60_000),
  );
  reaper.unref();

  /** A new session for an initialize request; the transport answers anything else with 400 and it is dropped. */
  const openSession = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!makeRoom()) return reject(res, 503, `Too many sessions (${maxSessions}) busy at once; retry later.`);
    const mcp = await createServer(opts);
    let session: Session | undefined;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session = { transport, mcp, lastSeen: Date.now(), busy: 1 };
        sessions.set(id, session);
      },
      onsessionclosed: (id) => closeSession(id),
    });
    await mcp.connect(transport);
    res.once("close", () => {
      if (session) session.busy--;
      else {
        void transport.close().catch(() => undefined);
        void mcp.close().catch(() => undefined);
      }
    });
    await transport.handleRequest(req, res);
  };

  const server = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const forUi = url.pathname === "/ui" || url.pathname.startsWith("/ui/");
    if (url.pathname !== "/mcp" && !forUi)
      return reject(res, 404, "Not found: the MCP endpoint is /mcp (the dashboard is at /ui).");
    const hostName = hostHeaderName(req.headers.host);
    if (!hostName || !hosts.has(hostName)) {
      return reject(
        res,
        403,
        `Host ${JSON.stringify(req.headers.host ?? "")} is not allowed (DNS-rebinding protection); serve --allow-host <name> admits a name.`,
      );
    }
    if (!originAllowed(req, opts, port)) return reject(res, 403, `Origin ${req.headers.origin} is not allowed.`);
    if (forUi) return ui.handle(req, res, url);
    const token = bearerToken(req.headers.authorization);
    if (!token || !sameToken(token, opts.token)) {
      res.setHeader("www-authenticate", 'Bearer realm="ascend-train"');
      return reject(res, 401, "Missing or wrong bearer token.");
    }
    if (req.method !== "POST" && req.method !== "DELETE") {
      return reject(
        res,
        405,
        "Method not allowed: POST requests (and DELETE to end a session); no stream is offered on GET.",
        {
          allow: "POST, DELETE",
        },
      );
    }
    try {
      const id = req.headers["mcp-session-id"];
      if (typeof id !== "string") {
        if (req.method === "DELETE")
          return reject(res, 400, "DELETE needs the Mcp-Session-Id header of the session to end.");
        return await openSession(req, res);
      }
      const session = sessions.get(id);
      if (!session) return reject(res, 404, "Session not found: initialize a new one.");
      session.busy++;
      session.lastSeen = Date.now();
      res.once("close", () => {
        session.busy--;
        session.lastSeen = Date.now();
      });
      await session.transport.handleRequest(req, res);
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
    ui,
    close: () => {
      clearInterval(reaper);
      ui.close();
      for (const id of [...sessions.keys()]) closeSession(id);
      server.closeAllConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
