// The dashboard door at /ui on the HTTP server: sign-in (the bearer token traded for a session cookie), the pages,
// JSON for the charts (downsampled by tail_logs for wide ranges), a server-sent event stream that follows a run's
// log as it grows, and stop / resume through the tools' own plan-then-confirm gate. Static assets (uPlot and the
// page script) come from this package, never from a CDN.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pLimit from "p-limit";
import { z } from "zod";
import { redactText } from "../hosts/redact.js";
import { RUN_ID } from "../runs/types.js";
import { bearerOf, cookiesOf, SESSION_COOKIE, UiAuth } from "./auth.js";
import { ToolRefused, type ToolResult, UiData, type UiDataOptions } from "./data.js";
import {
  comparePage,
  diagnosisHtml,
  errorPage,
  loginPage,
  type RunRow,
  runPage,
  runRowsHtml,
  runsPage,
  TERMINAL_STATES,
} from "./pages.js";

export interface UiOptions extends UiDataOptions {
  token: string;
  /** How often a followed run's log is read for the event stream. */
  pollMs?: number;
  sessionMs?: number;
}

export interface UiHandler {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** A one-time sign-in link path (for `ascend-train ui --open`). */
  ticketPath(): string;
  close(): void;
}

const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

interface Asset {
  file: string;
  type: string;
}

const ASSETS: Record<string, Asset> = {
  "uplot.js": { file: requireHere.resolve("uplot/dist/uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "uplot.css": { file: requireHere.resolve("uplot/dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
  "format.js": { file: join(here, "client", "format.js"), type: "text/javascript; charset=utf-8" },
  "dashboard.js": { file: join(here, "client", "dashboard.js"), type: "text/javascript; charset=utf-8" },
  "dashboard.css": { file: join(here, "client", "dashboard.css"), type: "text/css; charset=utf-8" },
  "login.js": { file: join(here, "client", "login.js"), type: "text/javascript; charset=utf-8" },
};
const assetCache = new Map<string, Buffer>();

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // same-origin, not no-referrer: with no-referrer a form post carries "Origin: null", which the server refuses.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

const RunIdParam = z.string().regex(RUN_ID, "not a run id (run-YYYYMMDD-HHMMSS-xxxx)");
const SeriesQuery = z.object({
  maxPoints: z.coerce.number().int().min(2).max(5000).default(1000),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
});
const ActionBody = z.object({ confirm: z.boolean().default(false) }).strict();
const LoginBody = z.object({ token: z.string().max(4096).default(""), next: z.string().max(512).default("/ui/") });

/** Only paths inside the dashboard may follow a sign-in (no open redirect). */
export const safeNext = (next: string) =>
  /^\/ui(\/[A-Za-z0-9/_\-.?=&%]*)?$/.test(next) && !next.includes("//") ? next : "/ui/";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...extra });
  res.end(body);
}
const html = (res: ServerResponse, status: number, body: string, extra = {}) =>
  send(res, status, "text/html; charset=utf-8", body, extra);
const json = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body));

async function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RangeError("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const seriesArgs = (q: z.output<typeof SeriesQuery>) => ({
  maxPoints: q.maxPoints,
  ...(q.from !== undefined ? { fromIteration: q.from } : {}),
  ...(q.to !== undefined ? { toIteration: q.to } : {}),
});

export function createUiHandler(opts: UiOptions): UiHandler {
  const auth = new UiAuth({ token: opts.token, sessionMs: opts.sessionMs });
  const data = new UiData(opts);
  const pollMs = opts.pollMs ?? 1000;
  const streams = new Set<() => void>();

  const asset = (name: string): Buffer | null => {
    const a = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!a) return null;
    let body = assetCache.get(name);
    if (!body) {
      body = readFileSync(a.file);
      assetCache.set(name, body);
    }
    return body;
  };

  async function runRows(): Promise<{ rows: RunRow[]; problems: string[] }> {
    const list = (await data.result("list_runs", { limit: 200 })) as {
      runs: (Omit<RunRow, "samplesPerSecond" | "tokensPerSecond"> & { hosts: string[] })[];
      unreachable: { host: string; error: string }[];
      brokenRecords: { host: string; file: string; error: string }[];
    };
    const limit = pLimit(4);
    const rows = await Promise.all(
      list.runs.map((r, k) =>
        limit(async (): Promise<RunRow> => {
          const row: RunRow = {
            runId: r.runId,
            state: r.state,
            reason: r.reason,
            hosts: r.hosts,
            createdAt: r.createdAt,
            iteration: r.iteration,
            totalIterations: r.totalIterations,
            loss: r.loss,
            etaSeconds: r.etaSeconds,
            samplesPerSecond: null,
            tokensPerSecond: null,
          };
          // Throughput comes from the log's end; only for the newest runs that may still be going.
          if (k < 50 && !TERMINAL_STATES.has(r.state)) {
            const tail = await data.call("tail_logs", { runId: r.runId, lines: 1 });
            if (tail.ok) {
              const t = tail.result.throughput as { samplesPerSecond: number; tokensPerSecond: number | null } | null;
              row.samplesPerSecond = t?.samplesPerSecond ?? null;
              row.tokensPerSecond = t?.tokensPerSecond ?? null;
            }
          }
          return row;
        }),
      ),
    );
    const problems = [
      ...list.unreachable.map((u) => `Host ${u.host} did not answer: ${u.error}`),
      ...list.brokenRecords.map((b) => `Unreadable run record ${b.file} on ${b.host}: ${b.error}`),
    ];
    return { rows, problems };
  }

  async function runPageFor(runId: string): Promise<string> {
    const tail = await data.result("tail_logs", {
      runId,
      lines: 200,
      history: true,
      series: { maxPoints: 1000 },
    });
    let diagnosis = "";
    if (tail.state === "failed" || tail.state === "stopped") {
      const found = await data.call("diagnose_error", { runId });
      diagnosis = found.ok
        ? diagnosisHtml(found.result as never)
        : diagnosisHtml(null, `diagnose_error could not read this run: ${found.error}`);
    }
    return runPage({
      runId,
      tail,
      diagnosis,
      canStop: data.offers("stop_run"),
      canResume: data.offers("resume_run"),
    });
  }

  /** Server-sent events: what the run's log gained since `offset`, every pollMs, until the run ends or the page goes. */
  function follow(req: IncomingMessage, res: ServerResponse, runId: string, startOffset: number | undefined): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const controller = new AbortController();
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (closed) return;
      closed = true;
      controller.abort();
      if (timer) clearTimeout(timer);
      streams.delete(stop);
      res.end();
    };
    streams.add(stop);
    req.once("close", stop);
    const event = (name: string, payload: unknown) => {
      if (!closed) res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    let offset = startOffset;
    let lastBeat = Date.now();
    const tick = async () => {
      if (closed) return;
      const outcome = await data.call(
        "tail_logs",
        { runId, lines: 2000, ...(offset !== undefined ? { offset } : {}), series: { maxPoints: 2000 } },
        controller.signal,
      );
      if (closed) return;
      if (!outcome.ok) {
        event("problem", { message: outcome.error });
      } else {
        const r = outcome.result as ToolResult & { nextOffset: number; state: string; lines: string[] };
        const grew = offset === undefined || r.nextOffset !== offset;
        if (grew || Date.now() - lastBeat > 15_000) {
          lastBeat = Date.now();
          event("update", {
            state: r.state,
            stateReason: r.stateReason,
            latest: r.latest,
            progressPercent: r.progressPercent,
            etaSeconds: r.etaSeconds,
            medianStepMs: r.medianStepMs,
            throughput: r.throughput,
            memoryByRank: r.memoryByRank,
            warnings: r.warnings,
            series: offset === undefined ? null : r.series,
            lines: offset === undefined ? [] : r.lines.slice(-200),
            nextOffset: r.nextOffset,
          });
        }
        offset = r.nextOffset;
        if (TERMINAL_STATES.has(r.state)) {
          event("end", { state: r.state, stateReason: r.stateReason });
          return stop();
        }
      }
      timer = setTimeout(() => void tick(), pollMs);
    };
    void tick();
  }

  async function action(req: IncomingMessage, res: ServerResponse, runId: string, tool: string): Promise<void> {
    // A custom header a cross-site form cannot send (and a cross-origin fetch cannot without a preflight we refuse).
    if (req.headers["x-ascend-train-ui"] !== "1") return json(res, 403, { error: "Missing the dashboard's header." });
    let body: z.output<typeof ActionBody>;
    try {
      body = ActionBody.parse(JSON.parse((await readBody(req)) || "{}"));
    } catch {
      return json(res, 400, { error: 'The body must be {"confirm": true|false}.' });
    }
    const outcome = await data.call(tool, { runId, confirm: body.confirm });
    if (!outcome.ok) return json(res, outcome.kind === "input" ? 400 : 422, { error: outcome.error });
    json(res, 200, { text: outcome.text, result: outcome.result, failed: outcome.failed, confirmed: body.confirm });
  }

  async function signIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let form: z.output<typeof LoginBody>;
    try {
      form = LoginBody.parse(Object.fromEntries(new URLSearchParams(await readBody(req, 8192))));
    } catch {
      return html(res, 400, loginPage({ error: "The sign-in form was malformed." }));
    }
    if (!auth.tokenMatches(form.token.trim()))
      return html(res, 401, loginPage({ error: "That is not this server's token.", next: safeNext(form.next) }));
    html(res, 303, "", { location: safeNext(form.next), "set-cookie": auth.cookieFor(auth.openSession()) });
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path.startsWith("/ui/assets/") && method === "GET") {
      const name = path.slice("/ui/assets/".length);
      const body = asset(name);
      if (!body) return send(res, 404, "text/plain", "no such asset");
      return send(res, 200, ASSETS[name]!.type, body, { "cache-control": "private, max-age=300" });
    }
    if (path === "/ui/login") {
      if (method === "POST") return signIn(req, res);
      const ticket = url.searchParams.get("ticket");
      if (ticket !== null) {
        if (auth.redeemTicket(ticket))
          return html(res, 303, "", { location: "/ui/", "set-cookie": auth.cookieFor(auth.openSession()) });
        return html(res, 401, loginPage({ error: "That sign-in link was used already or has expired." }));
      }
      return html(res, 200, loginPage({ next: safeNext(url.searchParams.get("next") ?? "/ui/") }));
    }
    if (path === "/ui/logout" && method === "POST") {
      auth.closeSession(cookiesOf(req).get(SESSION_COOKIE));
      return html(res, 303, "", { location: "/ui/login", "set-cookie": UiAuth.clearedCookie() });
    }

    const signedIn =
      auth.sessionValid(cookiesOf(req).get(SESSION_COOKIE)) || auth.tokenMatches(bearerOf(req.headers.authorization));
    if (!signedIn) {
      if (path.startsWith("/ui/api/"))
        return json(res, 401, { error: "Sign in first: POST the token to /ui/login, or send Authorization: Bearer." });
      return html(res, 401, loginPage({ next: safeNext(path + url.search) }), {
        "www-authenticate": 'Bearer realm="ascend-train"',
      });
    }

    if ((path === "/ui" || path === "/ui/") && method === "GET") {
      const { rows, problems } = await runRows();
      return html(res, 200, runsPage(rows, problems));
    }
    if (path === "/ui/api/runs" && method === "GET") {
      const { rows, problems } = await runRows();
      return json(res, 200, { rows, problems, html: runRowsHtml(rows) });
    }
    if (path === "/ui/compare" && method === "GET") {
      const ids = [...new Set(url.searchParams.getAll("run").filter((id) => id !== ""))].slice(0, 8);
      const bad = ids.find((id) => !RUN_ID.test(id));
      if (bad !== undefined) return html(res, 400, errorPage(400, `"${bad}" is not a run id.`));
      return html(res, 200, comparePage(ids));
    }
    const runMatch = /^\/ui\/(api\/)?runs\/([^/]+)(\/[a-z]+)?$/.exec(path);
    if (runMatch) {
      const [, api, rawId, sub] = runMatch;
      const id = RunIdParam.safeParse(decodeURIComponent(rawId!));
      if (!id.success)
        return api ? json(res, 400, { error: "not a run id" }) : html(res, 400, errorPage(400, "Not a run id."));
      const runId = id.data;
      if (!api && !sub && method === "GET") return html(res, 200, await runPageFor(runId));
      if (api && sub === "/series" && method === "GET") {
        const q = SeriesQuery.safeParse(Object.fromEntries(url.searchParams));
        if (!q.success) return json(res, 400, { error: "maxPoints, from and to must be whole numbers" });
        const r = await data.result("tail_logs", { runId, lines: 1, history: true, series: seriesArgs(q.data) });
        return json(res, 200, {
          runId,
          state: r.state,
          series: r.series,
          nextOffset: r.nextOffset,
          latest: r.latest,
          memoryByRank: r.memoryByRank,
        });
      }
      if (api && sub === "/events" && method === "GET") {
        const raw = url.searchParams.get("offset");
        const offset = raw !== null && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
        return follow(req, res, runId, offset);
      }
      if (api && sub === "/stop" && method === "POST") return action(req, res, runId, "stop_run");
      if (api && sub === "/resume" && method === "POST") return action(req, res, runId, "resume_run");
    }
    return path.startsWith("/ui/api/")
      ? json(res, 404, { error: "no such endpoint" })
      : html(res, 404, errorPage(404, "No such page."));
  }

  return {
    async handle(req, res, url) {
      try {
        await route(req, res, url);
      } catch (error) {
        const message =
          error instanceof ToolRefused ? error.message : `Internal error: ${redactText((error as Error).message)}`;
        const status = error instanceof ToolRefused ? (error.kind === "input" ? 400 : 422) : 500;
        if (error instanceof ToolRefused === false) console.error(`[ui] ${message}`);
        if (res.headersSent) return void res.end();
        if (url.pathname.startsWith("/ui/api/")) json(res, status, { error: message });
        else html(res, status, errorPage(status, message));
      }
    },
    ticketPath: () => `/ui/login?ticket=${auth.issueTicket()}`,
    close() {
      for (const stop of [...streams]) stop();
    },
  };
}
