// The dashboard page and the inline chat view format numbers and durations with one shared script (format.js):
// served as an asset before dashboard.js, inlined before the view script in the self-contained view document.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { HostRegistry } from "../../src/hosts/registry.js";
import { trainingViewHtml } from "../../src/ui/app-view.js";
import { comparePage } from "../../src/ui/pages.js";
import { createUiHandler } from "../../src/ui/server.js";

const CLIENT = join(import.meta.dirname, "..", "..", "src", "ui", "client");
const read = (name: string) => readFileSync(join(CLIENT, name), "utf8");

type Format = { fmt: (v: unknown, digits?: number) => string; duration: (s: unknown) => string };

describe("shared number and duration formatting", () => {
  it("is defined once, in format.js, and neither page script keeps a copy", () => {
    for (const script of ["dashboard.js", "app-view.js"]) {
      expect(read(script), script).not.toMatch(/const (fmt|duration) = \(/);
      expect(read(script), script).toContain("globalThis.ascendTrainFormat");
    }
    const sandbox: { ascendTrainFormat?: Format } = {};
    runInNewContext(read("format.js"), sandbox);
    const { fmt, duration } = sandbox.ascendTrainFormat!;
    expect(fmt(1.234567)).toBe("1.235");
    expect(fmt(0.00001234)).toBe("1.234e-5");
    expect(fmt(undefined)).toBe("–");
    expect(duration(42)).toBe("42 s");
    expect(duration(192)).toBe("3 min 12 s");
    expect(duration(7500)).toBe("2 h 5 min");
    expect(duration(null)).toBe("–");
  });

  it("is inlined before the view script in the chat view document", () => {
    const html = trainingViewHtml();
    const format = html.indexOf("globalThis.ascendTrainFormat = Object.freeze");
    const view = html.indexOf("The MCP App view (io.modelcontextprotocol/ui)");
    expect(format).toBeGreaterThan(0);
    expect(view).toBeGreaterThan(format);
  });

  it("is served to the dashboard and loaded before its page script", async () => {
    const page = comparePage(["run-20261202-120000-abcd"]);
    const format = page.indexOf('<script src="/ui/assets/format.js" defer>');
    expect(format).toBeGreaterThan(0);
    expect(page.indexOf('<script src="/ui/assets/dashboard.js" defer>')).toBeGreaterThan(format);
    const ui = createUiHandler({ token: "token-0123456789abcdef", hosts: new HostRegistry({ file: null, hosts: {} }) });
    const server = createServer((req, res) => void ui.handle(req, res, new URL(req.url ?? "/", "http://127.0.0.1")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const r = await fetch(`http://127.0.0.1:${port}/ui/assets/format.js`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(await r.text()).toBe(read("format.js"));
    } finally {
      ui.close();
      server.close();
    }
  });
});
