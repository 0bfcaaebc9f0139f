#!/usr/bin/env node
// `npm run conformance`: runs the official MCP conformance suite (@modelcontextprotocol/conformance, which needs
// Node >= 22: npx fetches node@22 from the npm registry next to it) against `ascend-train serve`.
// The suite cannot send a bearer token, so a loopback proxy in this script adds it; the proxy maps its own address in
// Host and Origin to the server's, and passes any other Host or Origin through unchanged (the DNS-rebinding scenario
// still reaches the server's own check). Scenarios that call the SDK's fixture tools, prompts and resources
// (test_simple_text, test_image_content, …) are listed in test/conformance/fixture-scenarios.yml as expected failures;
// the suite fails if one of them unexpectedly passes or any other scenario fails.
// Usage: node scripts/conformance.mjs [--scenario <id>] [--output-dir <dir>]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
export const SUITE = "@modelcontextprotocol/conformance@0.1.16";
export const FIXTURE_SCENARIOS = join(root, "test", "conformance", "fixture-scenarios.yml");

function startServe(token) {
  const child = spawn(process.execPath, [join(root, "bin", "ascend-train.js"), "serve", "--port", "0"], {
    env: { ...process.env, ASCEND_TRAIN_TOKEN: token },
    stdio: ["ignore", "ignore", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stderr.on("data", (chunk) => {
      err += chunk.toString();
      const m = /at (http:\/\/\S+\/mcp)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: new URL(m[1]) });
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

/** A loopback proxy that adds the bearer token; its own host:port in Host and Origin becomes the server's. */
function startProxy(target, token) {
  let own = new Set();
  const server = createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    if (own.has(headers.host)) headers.host = target.host;
    const origin = headers.origin?.replace(/^http:\/\//, "");
    if (origin !== undefined && own.has(origin)) headers.origin = `http://${target.host}`;
    const upstream = request(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      own = new Set([`localhost:${port}`, `127.0.0.1:${port}`]);
      resolve({ server, port });
    }),
  );
}

export async function runConformance(args = []) {
  const token = randomBytes(24).toString("base64url");
  const serve = await startServe(token);
  const proxy = await startProxy(serve.url, token);
  const url = `http://localhost:${proxy.port}/mcp`;
  const hasOutput = args.includes("-o") || args.includes("--output-dir");
  const output = hasOutput ? [] : ["--output-dir", mkdtempSync(join(tmpdir(), "mcp-conformance-"))];
  const suite = spawn(
    "npx",
    [
      "-y",
      "-p",
      "node@22",
      "-p",
      SUITE,
      "--",
      "conformance",
      "server",
      "--url",
      url,
      "--expected-failures",
      FIXTURE_SCENARIOS,
      ...output,
      ...args,
    ],
    { cwd: root, stdio: "inherit" },
  );
  const code = await new Promise((resolve) => suite.once("exit", (c) => resolve(c ?? 1)));
  proxy.server.close();
  proxy.server.closeAllConnections();
  serve.child.kill("SIGTERM");
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await runConformance(process.argv.slice(2)));
