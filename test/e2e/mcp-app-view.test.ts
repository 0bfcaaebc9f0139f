// tail_logs and list_runs link the MCP App view (io.modelcontextprotocol/ui): their tools/list entries name a ui://
// resource in _meta, the resource is one self-contained HTML document, and in Chromium, framed the way an MCP Apps
// client frames it, the view draws the tool's loss curve and grows it by asking the host to call tail_logs again.
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MCP_APP_MIME, TRAINING_VIEW_URI } from "../../src/ui/app-links.js";
import { stdioClient } from "../helpers/mcp.js";

declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};
declare const window: Record<string, unknown>;

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts", "ui");

function line(i: number, total: number): string {
  const loss = (3 - i * 0.02).toExponential(6).toUpperCase();
  return ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${i * 8} | elapsed time per iteration (ms): 2000.0 | learning rate: 1.000000E-05 | global batch size:     8 | tokens per sample: 1.024000E+03 | loss: ${loss} | loss scale: 1.0 | grad norm: 3.100 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
}
const lines = (from: number, to: number) =>
  `${Array.from({ length: to - from + 1 }, (_, k) => line(from + k, 1000)).join("\n")}\n`;

const HARNESS = `<!doctype html><html><body><iframe id="view" sandbox="allow-scripts" style="width:900px;height:420px;border:1px solid #ccc"></iframe>
<script>
window.start = (html, toolResult) => {
  const frame = document.getElementById("view");
  const reply = (message) => frame.contentWindow.postMessage({ jsonrpc: "2.0", ...message }, "*");
  window.addEventListener("message", async (event) => {
    const m = event.data;
    if (!m || m.jsonrpc !== "2.0") return;
    if (m.method === "ui/initialize")
      reply({ id: m.id, result: { protocolVersion: m.params.protocolVersion, hostInfo: { name: "harness", version: "1" }, hostCapabilities: {}, hostContext: {} } });
    else if (m.method === "ui/notifications/initialized")
      reply({ method: "ui/notifications/tool-result", params: toolResult });
    else if (m.method === "tools/call") {
      window.toolCalls = (window.toolCalls || 0) + 1;
      reply({ id: m.id, result: await window.callTool(m.params) });
    }
  });
  frame.srcdoc = html;
};
</script></body></html>`;

describe("the MCP App view of tail_logs and list_runs", () => {
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  const dir = mkdtempSync(join(tmpdir(), "app-view-"));
  beforeAll(async () => {
    mcp = await stdioClient();
  });
  afterAll(async () => {
    await mcp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("links tail_logs and list_runs (only) to the ui:// view in tools/list", async () => {
    const { tools } = await mcp.client.listTools();
    const linked = tools.filter((t) => t._meta?.ui).map((t) => t.name);
    expect(linked.sort()).toEqual(["list_runs", "tail_logs"]);
    for (const name of linked) {
      const meta = tools.find((t) => t.name === name)!._meta as Record<string, unknown>;
      expect(meta.ui).toEqual({ resourceUri: TRAINING_VIEW_URI });
    }
  });

  it("serves the view as one self-contained HTML resource of the MCP App type", async () => {
    const { resources } = await mcp.client.listResources();
    expect(resources.find((r) => r.uri === TRAINING_VIEW_URI)?.mimeType).toBe(MCP_APP_MIME);
    const read = await mcp.client.readResource({ uri: TRAINING_VIEW_URI });
    const content = read.contents[0] as { mimeType: string; text: string };
    expect(content.mimeType).toBe(MCP_APP_MIME);
    expect(content.text).toMatch(/^<!doctype html>/);
    expect(content.text).toContain("ui/initialize");
    // Nothing is fetched from elsewhere: no script or stylesheet by URL.
    expect(content.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
  });

  it("keeps the text and the PNG chart for clients without the extension", async () => {
    const log = join(dir, "plain.log");
    writeFileSync(log, lines(1, 30));
    const r = await mcp.client.callTool({ name: "tail_logs", arguments: { logFile: log, chart: true } });
    const content = r.content as { type: string; mimeType?: string; text?: string }[];
    expect(content[0]!.type).toBe("text");
    expect(content[0]!.text).toContain("iteration 30/1000");
    expect(content.find((c) => c.type === "image")?.mimeType).toBe("image/png");
  });

  it.skipIf(!existsSync(CHROMIUM))(
    "draws the curve in a framed view and grows it through tools/call as the log grows",
    async () => {
      const log = join(dir, "live.log");
      writeFileSync(log, lines(1, 20));
      const first = await mcp.client.callTool({ name: "tail_logs", arguments: { logFile: log, series: {} } });
      expect((first.structuredContent as { state: string }).state).toBe("running");
      const html = String(
        ((await mcp.client.readResource({ uri: TRAINING_VIEW_URI })).contents[0] as { text: string }).text,
      );
      let context: BrowserContext | undefined;
      try {
        context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "app-view-chromium-")), {
          executablePath: CHROMIUM,
          headless: true,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-sync",
          ],
        });
        const page = context.pages()[0] ?? (await context.newPage());
        await page.exposeFunction("callTool", (params: { name: string; arguments: Record<string, unknown> }) =>
          mcp.client.callTool(params),
        );
        await page.setContent(HARNESS);
        await page.evaluate(([view, result]) => (window.start as (a: unknown, b: unknown) => void)(view, result), [
          html,
          first,
        ] as const);
        const frame = await (await page.waitForSelector("#view")).contentFrame();
        await frame!.waitForFunction(
          () => Number(document.querySelector("#chart")?.getAttribute("data-points")) === 20,
        );
        appendFileSync(log, lines(21, 35));
        await frame!.waitForFunction(
          () => document.querySelector("#chart")?.getAttribute("data-last-iteration") === "35",
          undefined,
          { timeout: 20_000 },
        );
        expect(await page.evaluate(() => window.toolCalls)).toBeGreaterThan(0);
        await page.screenshot({ path: join(ARTIFACTS, "mcp-app-view.png") });
      } finally {
        await context?.close();
      }
    },
    60_000,
  );
});
