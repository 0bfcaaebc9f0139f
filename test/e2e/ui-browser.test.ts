// The dashboard in a real browser (Debian's Chromium driven by playwright-core): it refuses without the token, lists
// the runs, draws a simulated run's loss curve growing as the run advances (server-sent events), explains a failed run
// with its evidence lines and fixes, overlays runs, and stops a run only after the page showed the plan and the user
// confirmed (the stop is in the audit log). Screenshots are kept in test-artifacts/ui/.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTrainableSim, lastIteration, localTrainableSim, waitFor } from "../helpers/local-sim.js";
import { type HttpServerProcess, startHttpServer } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";

/** The page's document, as the functions below see it once Playwright runs them in the browser. */
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
};

const CHROMIUM = "/usr/bin/chromium";
const HAS_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts", "ui");

describe("the browser tests can run", () => {
  it.skipIf(process.env.CI !== "true")("Chromium is installed under CI (scripts/test.mjs installs it)", () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
  });
});

describe.skipIf(!HAS_CHROMIUM)("the dashboard in Chromium", () => {
  let sim: LocalTrainableSim;
  let server: HttpServerProcess;
  let base = "";
  let context: BrowserContext;
  let page: Page;
  let stateDir = "";
  let runningId = "";
  let runningLog = "";
  let failedId = "";

  const launch = (script: string, port: number) => {
    const out = sim.cli([
      "launch-train",
      "--host",
      sim.name,
      "--script",
      script,
      "--master-port",
      String(port),
      "--settle-seconds",
      "0",
      "--confirm",
      "--json",
    ]);
    if (out.status !== 0) throw new Error(`launch-train failed: ${out.stderr}${out.stdout}`);
    return JSON.parse(out.stdout) as { runId: string; plan: { nodes: { logFile: string }[] } };
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stateDir = mkdtempSync(join(tmpdir(), "ui-state-"));
    sim = await localTrainableSim("uisim", "0.3");
    const wd = sim.settings.workdir!;
    // A second set of configs (its own save directory) for a run that runs out of NPU memory.
    const failingConfigs = sim.cli([
      "build-configs",
      "--model",
      "qwen2.5vl-3b",
      "--host",
      sim.name,
      "--output-dir",
      join(wd, "configs", "failing"),
      "--hf-dir",
      join(wd, "ckpt/hf/Qwen2.5-VL-3B-Instruct"),
      "--ckpt-dir",
      join(wd, "ckpt/mm/qwen2.5vl-3b"),
      "--save-dir",
      join(wd, "save", "failing"),
      "--dataset",
      join(wd, "data/train.json"),
      "--train-iters",
      "200",
      "--json",
    ]);
    expect(failingConfigs.status, failingConfigs.stderr).toBe(0);
    const failingScript = (JSON.parse(failingConfigs.stdout).files as { role: string; path: string }[]).find(
      (f) => f.role === "launch-script",
    )!.path;

    spawnScenario(sim, "oom");
    const failed = launch(failingScript, await freePort());
    failedId = failed.runId;
    await waitFor(
      "the failing run to die",
      () =>
        existsSync(failed.plan.nodes[0]!.logFile) &&
        /out of memory/i.test(readFileSync(failed.plan.nodes[0]!.logFile, "utf8")),
      90_000,
    );
    spawnScenario(sim, "healthy");
    const running = launch(sim.script, await freePort());
    runningId = running.runId;
    runningLog = running.plan.nodes[0]!.logFile;
    await waitFor("a first iteration", () => existsSync(runningLog) && lastIteration(runningLog) > 2, 90_000);

    server = await startHttpServer({
      env: { ASCEND_TRAIN_CONFIG: sim.inventory, ASCEND_TRAIN_AUDIT_LOG: join(stateDir, "audit.jsonl") },
    });
    base = server.url.replace(/\/mcp$/, "");
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "ui-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 240_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.stop();
    await sim?.cleanup();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("refuses every page and API without the token, and a wrong token", async () => {
    const response = await page.goto(`${base}/ui/`);
    expect(response?.status()).toBe(401);
    expect(await page.locator("#login-form").count()).toBe(1);
    expect(await page.locator("h1").textContent()).toBe("Sign in");
    expect(await page.content()).not.toContain(runningId);
    for (const path of ["/ui/api/runs", `/ui/runs/${runningId}`, `/ui/api/runs/${runningId}/series`]) {
      const r = await fetch(`${base}${path}`);
      expect(r.status, path).toBe(401);
    }
    const stop = await fetch(`${base}/ui/api/runs/${runningId}/stop`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ascend-train-ui": "1" },
      body: JSON.stringify({ confirm: true }),
    });
    expect(stop.status).toBe(401);
    await page.fill("#token", "not-the-token-at-all");
    await page.click("#login-form button[type=submit]");
    expect(await page.locator(".error").textContent()).toContain("not this server's token");
    await page.screenshot({ path: join(ARTIFACTS, "sign-in-refused.png") });
  }, 60_000);

  it("signs in from the printed link (token after '#', traded for an HttpOnly cookie) and lists the runs", async () => {
    await page.goto(`${base}/ui/login#token=${server.token}`);
    await page.waitForURL(`${base}/ui/`);
    expect(page.url()).not.toContain(server.token);
    const cookies = await context.cookies(`${base}/ui/`);
    const session = cookies.find((c) => c.name === "ascend_train_ui");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    expect(session?.value).not.toContain(server.token);
    const running = page.locator(`tr[data-run="${runningId}"]`);
    await running.waitFor();
    expect(await running.locator(".state").textContent()).toBe("running");
    expect(await running.textContent()).toContain(sim.name);
    expect(await running.locator(".progress-cell").textContent()).toMatch(/\d+\/5000/);
    expect(await running.textContent()).toMatch(/samples\/s/);
    expect(await page.locator(`tr[data-run="${failedId}"] .state`).textContent()).toBe("failed");
    await page.screenshot({ path: join(ARTIFACTS, "runs-list.png"), fullPage: true });
  }, 60_000);

  it("draws the running run's loss curve and grows it as the run advances", async () => {
    await page.goto(`${base}/ui/runs/${runningId}`);
    const loss = page.locator("#chart-loss");
    await loss.locator("canvas").first().waitFor();
    await page.waitForFunction(() => Number(document.querySelector("#chart-loss")?.getAttribute("data-points")) > 1);
    const first = Number(await loss.getAttribute("data-last-iteration"));
    const firstPoints = Number(await loss.getAttribute("data-points"));
    expect(first).toBeGreaterThan(0);
    // The server pushes what the log gained; no reload.
    await page.waitForFunction(
      (before) => Number(document.querySelector("#chart-loss")?.getAttribute("data-last-iteration")) >= before + 5,
      first,
      { timeout: 30_000 },
    );
    expect(Number(await loss.getAttribute("data-points"))).toBeGreaterThan(firstPoints);
    expect(Number(await loss.getAttribute("data-last-iteration"))).toBeLessThanOrEqual(lastIteration(runningLog));
    for (const id of ["#chart-grad", "#chart-lr", "#chart-step"]) await page.locator(`${id} canvas`).first().waitFor();
    expect(await page.locator("#log").textContent()).toMatch(/iteration\s+\d+\/\s*5000/);
    expect(await page.locator('[data-stat="iteration"] b').textContent()).toMatch(/\d+ \/ 5000/);
    expect(await page.locator("#memory table").textContent()).toMatch(/rank.*max allocated/);
    await page.screenshot({ path: join(ARTIFACTS, "run-page.png"), fullPage: true });
  }, 60_000);

  it("shows the failed run's diagnosis with its evidence lines and fixes", async () => {
    await page.goto(`${base}/ui/runs/${failedId}`);
    const diagnosis = page.locator("#diagnosis");
    await diagnosis.waitFor();
    expect(await page.locator("#run-state").textContent()).toBe("failed");
    expect(await diagnosis.textContent()).toMatch(/npu_oom/);
    expect(await diagnosis.locator("pre.evidence").first().textContent()).toMatch(/out of memory/i);
    expect(await diagnosis.locator("ol.fixes li").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, "run-failed-diagnosis.png"), fullPage: true });
  }, 60_000);

  it("downsamples wide ranges on the server and sends a zoomed range in full detail", async () => {
    const cookie = (await context.cookies(`${base}/ui/`)).find((c) => c.name === "ascend_train_ui")!;
    const headers = { cookie: `${cookie.name}=${cookie.value}` };
    type SeriesAnswer = { series: { iteration: number[]; linesPerPoint: number } };
    // Eight points must be fewer than the run has logged, however slowly the machine ran the tests before this one.
    await waitFor("more than 16 iterations", () => lastIteration(runningLog) > 16, 40_000);
    const wide = (await (
      await fetch(`${base}/ui/api/runs/${runningId}/series?maxPoints=8`, { headers })
    ).json()) as SeriesAnswer;
    expect(wide.series.iteration.length).toBeLessThanOrEqual(8);
    expect(wide.series.linesPerPoint).toBeGreaterThan(1);
    const range = (await (
      await fetch(`${base}/ui/api/runs/${runningId}/series?from=3&to=6`, { headers })
    ).json()) as SeriesAnswer;
    expect(range.series.iteration).toEqual([3, 4, 5, 6]);
    const bad = await fetch(`${base}/ui/api/runs/${runningId}/series?maxPoints=lots`, { headers });
    expect(bad.status).toBe(400);

    // Dragging across the chart asks for that range.
    await page.goto(`${base}/ui/runs/${runningId}`);
    await page.waitForFunction(() => Number(document.querySelector("#chart-loss")?.getAttribute("data-points")) > 8);
    const over = page.locator("#chart-loss .u-over");
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector("#chart-loss")?.getAttribute("data-zoomed") === "true");
    const zoomedPoints = Number(await page.locator("#chart-loss").getAttribute("data-points"));
    const zoomedLast = Number(await page.locator("#chart-loss").getAttribute("data-last-iteration"));
    await page.screenshot({ path: join(ARTIFACTS, "run-zoomed.png"), fullPage: true });
    await page.click("#reset-zoom");
    await page.waitForFunction(() => document.querySelector("#chart-loss")?.getAttribute("data-zoomed") === "false");
    // The zoomed view held a part of the run; the reset one holds all of it again.
    expect(Number(await page.locator("#chart-loss").getAttribute("data-last-iteration"))).toBeGreaterThan(zoomedLast);
    expect(zoomedPoints).toBeGreaterThan(0);
  }, 60_000);

  it("overlays two runs on one chart", async () => {
    await page.goto(`${base}/ui/compare?run=${runningId}&run=${failedId}`);
    await page.waitForFunction(() => document.querySelector("#chart-loss")?.getAttribute("data-runs") === "2");
    expect(await page.locator("#chart-loss .u-legend").textContent()).toContain(runningId);
    await page.screenshot({ path: join(ARTIFACTS, "compare.png"), fullPage: true });
  }, 60_000);

  it("stops the run only after showing the plan and the user's confirmation, through the audit log", async () => {
    await page.goto(`${base}/ui/runs/${runningId}`);
    await page.click('button[data-action="stop"]');
    const plan = page.locator("#confirm-plan");
    await page.waitForFunction(() => /kill -TERM/.test(document.querySelector("#confirm-plan")?.textContent ?? ""));
    // The tool's own plan, its hint in the page's words.
    expect(await plan.textContent()).toContain("Call again with the Confirm button to stop it.");
    await page.screenshot({ path: join(ARTIFACTS, "stop-plan.png"), fullPage: true });
    // Nothing was stopped by asking for the plan.
    const before = lastIteration(runningLog);
    await new Promise((r) => setTimeout(r, 1500));
    expect(lastIteration(runningLog)).toBeGreaterThan(before);
    await page.click("#confirm-yes");
    await page.waitForFunction(
      () => /stopped|terminated/i.test(document.querySelector("#confirm-plan")?.textContent ?? ""),
      undefined,
      {
        timeout: 60_000,
      },
    );
    // The page is drawn again once the run has ended; the log alone reads as a run killed by a signal, and the
    // diagnosis says it was stopped on request.
    await page.waitForFunction(() => document.querySelector("#run-state")?.textContent !== "running", undefined, {
      timeout: 30_000,
    });
    await page.locator("#diagnosis").waitFor({ timeout: 30_000 });
    expect(await page.locator("#diagnosis").textContent()).toContain("stopped on request");
    expect(await page.locator('button[data-action="stop"]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "run-stopped.png"), fullPage: true });
    const audit = readFileSync(join(stateDir, "audit.jsonl"), "utf8");
    const entries = audit
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { tool?: string; command?: string });
    expect(entries.some((e) => e.tool === "stop_run" && /kill/.test(e.command ?? ""))).toBe(true);
  }, 120_000);
});

function spawnScenario(sim: LocalTrainableSim, id: string): void {
  const r = sim.cli(["sim", "scenario", sim.dir, id]);
  if (r.status !== 0) throw new Error(`sim scenario ${id}: ${r.stderr}`);
}
