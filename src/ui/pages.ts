// The dashboard's HTML, rendered on the server from tool results: the runs list, a run's page (status, curves,
// memory per rank, log tail, diagnosis, stop/resume) and the comparison of several runs. Every value is escaped;
// the data the script draws travels as JSON in a non-executable script element.
import { formatDuration } from "../text/format.js";

export const esc = (value: unknown): string =>
  String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

/** JSON safe inside <script type="application/json">: no `</script>`, no HTML comment openers. */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026");

const num = (v: unknown, digits = 4): string =>
  typeof v === "number" && Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : "–";

export const TERMINAL_STATES = new Set(["finished", "failed", "stopped"]);

function layout(title: string, body: string, opts: { data?: unknown; scripts?: boolean } = {}): string {
  const scripts =
    opts.scripts === false
      ? ""
      : `<script src="/ui/assets/uplot.js"></script><script src="/ui/assets/format.js" defer></script><script src="/ui/assets/dashboard.js" defer></script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · ascend-train</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/uplot.css"><link rel="stylesheet" href="/ui/assets/dashboard.css">
${opts.data === undefined ? "" : `<script type="application/json" id="page-data">${jsonForScript(opts.data)}</script>`}
${scripts}
</head><body>
<header><a class="brand" href="/ui/">ascend-train</a><nav><a href="/ui/">Runs</a></nav>
<form method="post" action="/ui/logout" class="logout"><button type="submit">Sign out</button></form></header>
<main>${body}</main></body></html>`;
}

export function loginPage(opts: { error?: string; next?: string } = {}): string {
  return layout(
    "Sign in",
    `<section class="login"><h1>Sign in</h1>
<p>Paste the server's bearer token (the one MCP clients send). It is exchanged for a session cookie; the page never keeps it.</p>
${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ""}
<form method="post" action="/ui/login" id="login-form">
<input type="hidden" name="next" value="${esc(opts.next ?? "/ui/")}">
<label>Token <input type="password" name="token" id="token" autocomplete="off" required></label>
<button type="submit">Sign in</button></form></section>`,
    { scripts: false },
  ).replace("</body>", `<script src="/ui/assets/login.js"></script></body>`);
}

export interface RunRow {
  runId: string;
  state: string;
  reason: string;
  hosts: string[];
  createdAt: string;
  iteration: number | null;
  totalIterations: number | null;
  loss: number | null;
  etaSeconds: number | null;
  samplesPerSecond: number | null;
  tokensPerSecond: number | null;
}

export function runRowsHtml(rows: RunRow[]): string {
  if (rows.length === 0) return `<tr><td colspan="9" class="empty">No runs recorded on any host yet.</td></tr>`;
  return rows
    .map((r) => {
      const pct =
        r.iteration !== null && r.totalIterations ? Math.min(100, (100 * r.iteration) / r.totalIterations) : null;
      const throughput =
        r.samplesPerSecond === null
          ? "–"
          : `${num(r.samplesPerSecond, 3)} samples/s${r.tokensPerSecond !== null ? `<br><small>${num(r.tokensPerSecond, 3)} tokens/s</small>` : ""}`;
      return `<tr data-run="${esc(r.runId)}">
<td><input type="checkbox" name="run" value="${esc(r.runId)}" form="compare-form" aria-label="compare ${esc(r.runId)}"></td>
<td><a href="/ui/runs/${encodeURIComponent(r.runId)}">${esc(r.runId)}</a><br><small>${esc(r.createdAt)}</small></td>
<td><span class="state state-${esc(r.state)}" title="${esc(r.reason)}">${esc(r.state)}</span></td>
<td>${esc(r.hosts.join(", "))}</td>
<td class="progress-cell">${pct === null ? "–" : `<div class="bar"><div style="width:${pct.toFixed(1)}%"></div></div><small>${r.iteration}/${r.totalIterations} (${pct.toFixed(1)}%)</small>`}</td>
<td>${r.etaSeconds === null ? "–" : esc(formatDuration(r.etaSeconds))}</td>
<td>${num(r.loss)}</td>
<td>${throughput}</td>
<td><small>${esc(r.reason)}</small></td></tr>`;
    })
    .join("\n");
}

export function runsPage(rows: RunRow[], problems: string[]): string {
  return layout(
    "Runs",
    `<h1>Training runs</h1>
${problems.map((p) => `<p class="warning">${esc(p)}</p>`).join("")}
<form id="compare-form" method="get" action="/ui/compare"><button type="submit">Compare selected</button></form>
<table class="runs" id="runs-table"><thead><tr><th></th><th>Run</th><th>State</th><th>Host</th><th>Progress</th><th>ETA</th><th>Loss</th><th>Throughput</th><th>Why</th></tr></thead>
<tbody id="runs-body">${runRowsHtml(rows)}</tbody></table>`,
    { data: { page: "runs" } },
  );
}

interface Finding {
  title: string;
  category: string;
  confidence: number;
  role: string;
  cause: string;
  evidence: { line: number; text: string; file?: string }[];
  fixes: { id: string; summary: string; commands?: string[]; edits?: string[]; env?: Record<string, string> }[];
}

export function diagnosisHtml(diagnosis: { summary: string; findings: Finding[] } | null, error?: string): string {
  if (error)
    return `<section id="diagnosis" class="diagnosis"><h2>Diagnosis</h2><p class="error">${esc(error)}</p></section>`;
  if (!diagnosis) return "";
  const findings = diagnosis.findings
    .map(
      (
        f,
      ) => `<article class="finding"><h3>${esc(f.title)} <small>${esc(f.category)} · ${esc(f.role)} · confidence ${Math.round(f.confidence * 100)}%</small></h3>
<p>${esc(f.cause)}</p>
${f.evidence.length ? `<h4>Evidence</h4><pre class="evidence">${f.evidence.map((e) => `<span class="ln">${e.file ? `${esc(e.file)}:` : ""}${e.line}</span> ${esc(e.text)}`).join("\n")}</pre>` : ""}
${
  f.fixes.length
    ? `<h4>Fixes</h4><ol class="fixes">${f.fixes
        .map(
          (x) =>
            `<li>${esc(x.summary)}${x.commands?.length ? `<pre>${esc(x.commands.join("\n"))}</pre>` : ""}${
              x.env && Object.keys(x.env).length
                ? `<pre>${esc(
                    Object.entries(x.env)
                      .map(([k, v]) => `export ${k}=${v}`)
                      .join("\n"),
                  )}</pre>`
                : ""
            }${x.edits?.length ? `<ul>${x.edits.map((e) => `<li>${esc(e)}</li>`).join("")}</ul>` : ""}</li>`,
        )
        .join("")}</ol>`
    : ""
}
</article>`,
    )
    .join("\n");
  return `<section id="diagnosis" class="diagnosis"><h2>Diagnosis</h2><p class="summary">${esc(diagnosis.summary)}</p>${findings}</section>`;
}

export interface RunPageData {
  runId: string;
  tail: Record<string, unknown>;
  canStop: boolean;
  canResume: boolean;
  diagnosis: string;
}

export function runPage(d: RunPageData): string {
  const t = d.tail as {
    state: string;
    stateReason: string;
    host: string;
    logFile: string;
    lines: string[];
    warnings: { message: string }[];
  };
  const terminal = TERMINAL_STATES.has(t.state);
  const actions = [
    d.canStop && !terminal ? `<button type="button" class="danger" data-action="stop">Stop run…</button>` : "",
    d.canResume && terminal && t.state !== "finished"
      ? `<button type="button" data-action="resume">Resume from latest checkpoint…</button>`
      : "",
  ].join("");
  return layout(
    d.runId,
    `<h1>${esc(d.runId)} <span class="state state-${esc(t.state)}" id="run-state">${esc(t.state)}</span></h1>
<p class="subtitle"><span id="state-reason">${esc(t.stateReason)}</span> · host ${esc(t.host)} · <code>${esc(t.logFile)}</code></p>
<section class="stats" id="stats"></section>
<div class="actions">${actions}<a href="/ui/compare?run=${encodeURIComponent(d.runId)}">Compare with…</a></div>
<section id="confirm" class="confirm" hidden><h2 id="confirm-title"></h2><pre id="confirm-plan"></pre>
<button type="button" id="confirm-yes" class="danger">Confirm</button> <button type="button" id="confirm-no">Cancel</button></section>
<div id="warnings">${t.warnings.map((w) => `<p class="warning">${esc(w.message)}</p>`).join("")}</div>
${d.diagnosis}
<p class="hint">Drag across a chart to zoom (the server sends that range in full detail); <button type="button" id="reset-zoom">Reset zoom</button></p>
<section class="charts">
<figure><figcaption>Loss</figcaption><div id="chart-loss" class="chart"></div></figure>
<figure><figcaption>Grad norm</figcaption><div id="chart-grad" class="chart"></div></figure>
<figure><figcaption>Learning rate</figcaption><div id="chart-lr" class="chart"></div></figure>
<figure><figcaption>Step time (ms)</figcaption><div id="chart-step" class="chart"></div></figure>
</section>
<section><h2>Memory per rank</h2><div id="memory"></div></section>
<section><h2>Log</h2><pre id="log" class="log"></pre></section>`,
    { data: { page: "run", runId: d.runId, tail: d.tail } },
  );
}

export function comparePage(runIds: string[]): string {
  return layout(
    "Compare runs",
    `<h1>Compare runs</h1>
<form method="get" action="/ui/compare" class="compare-form">
${runIds.map((id) => `<input type="hidden" name="run" value="${esc(id)}">`).join("")}
<label>Add a run id <input name="run" pattern="run-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}" placeholder="run-20261202-161500-ab12"></label>
<button type="submit">Add</button></form>
<ul class="legend" id="legend">${runIds.map((id) => `<li><a href="/ui/runs/${encodeURIComponent(id)}">${esc(id)}</a></li>`).join("")}</ul>
<section class="charts">
<figure><figcaption>Loss</figcaption><div id="chart-loss" class="chart"></div></figure>
<figure><figcaption>Grad norm</figcaption><div id="chart-grad" class="chart"></div></figure>
<figure><figcaption>Learning rate</figcaption><div id="chart-lr" class="chart"></div></figure>
<figure><figcaption>Step time (ms)</figcaption><div id="chart-step" class="chart"></div></figure>
</section>`,
    { data: { page: "compare", runIds } },
  );
}

export function errorPage(status: number, message: string): string {
  return layout(`Error ${status}`, `<h1>Error ${status}</h1><p class="error">${esc(message)}</p>`, {
    scripts: false,
  });
}
