// Who may see the dashboard: the server's bearer token, exchanged once for a short-lived HttpOnly session cookie, so
// the token itself is never stored by the browser, put in a URL the server receives, or written to a log. A one-time
// ticket (single use, a minute) lets `ascend-train ui --open` hand a browser in without the token on a command line.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "ascend_train_ui";

export interface UiAuthOptions {
  token: string;
  /** How long a session lasts after its last use. */
  sessionMs?: number;
  ticketMs?: number;
  now?: () => number;
}

const MAX_SESSIONS = 256;
const MAX_TICKETS = 16;

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an Authorization header (scheme case-insensitive), or "". */
export function bearerOf(header: string | undefined): string {
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : "";
}

/** Cookie values of a request, by name (the first of a repeated name wins). */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export class UiAuth {
  private readonly sessions = new Map<string, number>();
  private readonly tickets = new Map<string, number>();
  readonly sessionMs: number;
  private readonly ticketMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: UiAuthOptions) {
    this.sessionMs = opts.sessionMs ?? 60 * 60_000;
    this.ticketMs = opts.ticketMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  tokenMatches(given: string): boolean {
    return given.length > 0 && sameSecret(given, this.opts.token);
  }

  /** A new session id for a caller that proved it holds the token (or a ticket). */
  openSession(): string {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions].sort(([, a], [, b]) => a - b)[0];
      if (oldest) this.sessions.delete(oldest[0]);
    }
    const id = randomBytes(32).toString("base64url");
    this.sessions.set(id, this.now() + this.sessionMs);
    return id;
  }

  /** Whether a session id is live; each use extends it. */
  sessionValid(id: string | undefined): boolean {
    if (!id) return false;
    const expires = this.sessions.get(id);
    if (expires === undefined) return false;
    if (expires < this.now()) {
      this.sessions.delete(id);
      return false;
    }
    this.sessions.set(id, this.now() + this.sessionMs);
    return true;
  }

  closeSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** A single-use ticket, valid for a minute, that a browser trades for a session. */
  issueTicket(): string {
    this.sweep();
    if (this.tickets.size >= MAX_TICKETS) this.tickets.clear();
    const ticket = randomBytes(24).toString("base64url");
    this.tickets.set(ticket, this.now() + this.ticketMs);
    return ticket;
  }

  redeemTicket(ticket: string): boolean {
    const expires = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return expires !== undefined && expires >= this.now();
  }

  /** The Set-Cookie value of a session: HttpOnly, same-site only, scoped to the dashboard's paths. */
  cookieFor(id: string): string {
    return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=${Math.floor(this.sessionMs / 1000)}`;
  }

  static clearedCookie(): string {
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=0`;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, expires] of this.sessions) if (expires < now) this.sessions.delete(id);
    for (const [t, expires] of this.tickets) if (expires < now) this.tickets.delete(t);
  }
}
