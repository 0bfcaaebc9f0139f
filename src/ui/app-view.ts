// The MCP App view behind tail_logs and list_runs: one self-contained HTML document (uPlot and the view script
// inlined, since a client renders it in a sandboxed frame with no network), read as a `ui://` resource.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** Script text safe inside <script>…</script>. */
const inlineScript = (code: string) => code.replaceAll("</script", "<\\/script");

let cached: string | null = null;

export function trainingViewHtml(): string {
  if (cached) return cached;
  const uplotJs = readFileSync(requireHere.resolve("uplot/dist/uPlot.iife.min.js"), "utf8");
  const uplotCss = readFileSync(requireHere.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const format = readFileSync(join(here, "client", "format.js"), "utf8");
  const view = readFileSync(join(here, "client", "app-view.js"), "utf8");
  cached = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ascend-train training view</title>
<style>${uplotCss.replaceAll("</style", "<\\/style")}
body{font-family:system-ui,sans-serif;font-size:13px;margin:0;padding:8px;color:#1d2330;background:transparent}
.head{display:flex;gap:1em;flex-wrap:wrap;align-items:baseline;margin-bottom:6px}
.state{padding:0 .5em;border-radius:9px;background:#e6e9ef;font-weight:600}
.state-running{background:#dcf3e3;color:#1c7c3c}.state-failed{background:#fbe0dd;color:#a3281b}
table{border-collapse:collapse;width:100%}td,th{padding:3px 6px;border-bottom:1px solid #dde1e8;text-align:left}
small{color:#5d6678}</style>
<script>${inlineScript(uplotJs)}</script>
</head><body><div id="app"><p id="waiting">Waiting for the tool result…</p></div>
<script>${inlineScript(format)}</script>
<script>${inlineScript(view)}</script></body></html>`;
  return cached;
}
