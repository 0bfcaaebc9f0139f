// The dashboard's sign-in: a session cookie that is HttpOnly, same-site and scoped to /ui; sessions that expire;
// single-use, short-lived tickets; and pages that escape what they show.
import { describe, expect, it } from "vitest";
import { bearerOf, UiAuth } from "../../src/ui/auth.js";
import { diagnosisHtml, esc, jsonForScript, runRowsHtml } from "../../src/ui/pages.js";
import { safeNext } from "../../src/ui/server.js";

describe("UiAuth", () => {
  it("checks the token in constant time and refuses a prefix or an empty one", () => {
    const auth = new UiAuth({ token: "token-0123456789abcdef" });
    expect(auth.tokenMatches("token-0123456789abcdef")).toBe(true);
    expect(auth.tokenMatches("token-0123456789abcde")).toBe(false);
    expect(auth.tokenMatches("")).toBe(false);
    expect(bearerOf("bearer  token-x ")).toBe("token-x");
    expect(bearerOf("Basic abc")).toBe("");
  });

  it("gives sessions that expire when unused, and a cookie the page's scripts cannot read", () => {
    let now = 1_000_000;
    const auth = new UiAuth({ token: "token-0123456789abcdef", sessionMs: 60_000, now: () => now });
    const id = auth.openSession();
    expect(id).not.toContain("token-0123456789abcdef");
    expect(auth.sessionValid(id)).toBe(true);
    now += 59_000;
    expect(auth.sessionValid(id)).toBe(true); // each use extends it
    now += 59_000;
    expect(auth.sessionValid(id)).toBe(true);
    now += 61_000;
    expect(auth.sessionValid(id)).toBe(false);
    expect(auth.sessionValid("made-up")).toBe(false);
    expect(auth.cookieFor(id)).toMatch(/; HttpOnly; SameSite=Strict; Path=\/ui; Max-Age=60$/);
  });

  it("redeems a ticket once, and not after a minute", () => {
    let now = 0;
    const auth = new UiAuth({ token: "token-0123456789abcdef", now: () => now });
    const ticket = auth.issueTicket();
    expect(auth.redeemTicket(ticket)).toBe(true);
    expect(auth.redeemTicket(ticket)).toBe(false);
    const late = auth.issueTicket();
    now += 61_000;
    expect(auth.redeemTicket(late)).toBe(false);
  });
});

describe("after sign-in", () => {
  it("goes only to a dashboard path, never to another site (also not protocol-relative)", () => {
    expect(safeNext("/ui/runs/run-20261202-120000-abcd")).toBe("/ui/runs/run-20261202-120000-abcd");
    expect(safeNext("/ui/compare?run=a&run=b")).toBe("/ui/compare?run=a&run=b");
    for (const bad of ["https://evil.example/", "//evil.example", "/ui//evil.example", "/mcp", "/ui/\\evil"])
      expect(safeNext(bad), bad).toBe("/ui/");
  });
});

describe("pages", () => {
  it("escape text from logs and hosts, and JSON cannot close its script element", () => {
    expect(esc(`<img src=x onerror="alert(1)">`)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(jsonForScript({ line: "</script><script>alert(1)</script>" })).not.toContain("</script");
    const html = runRowsHtml([
      {
        runId: "run-20261202-120000-abcd",
        state: "failed",
        reason: "<b>boom</b>",
        hosts: ["<evil>"],
        createdAt: "2026-12-02T12:00:00Z",
        iteration: 5,
        totalIterations: 10,
        loss: 1.5,
        etaSeconds: null,
        samplesPerSecond: null,
        tokensPerSecond: null,
      },
    ]);
    expect(html).not.toContain("<b>boom</b>");
    expect(html).not.toContain("<evil>");
    expect(html).toContain("5/10 (50.0%)");
    const diagnosis = diagnosisHtml({
      summary: "npu_oom",
      findings: [
        {
          title: "NPU out of memory",
          category: "npu_oom",
          confidence: 0.9,
          role: "primary",
          cause: "too big",
          evidence: [{ line: 12, text: "RuntimeError: <script>x</script>" }],
          fixes: [{ id: "f", summary: "shard it", commands: ["echo <hi>"] }],
        },
      ],
    });
    expect(diagnosis).toContain("RuntimeError: &lt;script&gt;");
    expect(diagnosis).toContain("echo &lt;hi&gt;");
  });
});
