// tail-logs' loss curve in the terminal: MCP returns it as a PNG image next to the result; the CLI writes it to the
// file --chart-file names (through the local host's write guard, never over a file) and says where, and --chart alone
// says how to get it instead of claiming it came back.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";
import { iterationLines } from "../helpers/server-probe.js";

const work = mkdtempSync(join(tmpdir(), "cli-chart-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ASCEND_TRAIN_FROM_SOURCE: "1",
  ASCEND_TRAIN_AUDIT_LOG: join(work, "audit.jsonl"),
};
delete env.ASCEND_TRAIN_CONFIG;
afterAll(() => rmSync(work, { recursive: true, force: true }));

const log = join(work, "train.log");
writeFileSync(log, iterationLines(1, 20, 100));
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("tail-logs --chart-file", () => {
  it("writes the loss curve as a PNG, named from the working directory, and the summary says where", () => {
    const r = cli("tail-logs", "--log-file", log, "--chart-file", "loss.png");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const png = readFileSync(join(work, "loss.png"));
    expect(png.subarray(0, 8).equals(PNG)).toBe(true);
    expect(png.length).toBeGreaterThan(1000);
    expect(r.out).toContain(`loss curve: a PNG image of 20 points written to ${join(work, "loss.png")}\n`);
    expect(r.out).not.toContain("returned with the result");
  });

  it("--chart alone says how to get the image, not that it was returned", () => {
    const r = cli("tail-logs", "--log-file", log, "--chart");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/loss curve: a PNG image of 20 points \(not shown by the CLI: --chart-file \S+\.png writes/);
    expect(r.out).not.toContain("returned with the result");
  });

  it("--json prints the tool's structured result and writes the file", () => {
    const r = cli("tail-logs", "--log-file", log, "--chart-file", "json.png", "--json");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.chart).toEqual({ mimeType: "image/png", points: 20 });
    expect(result.iterationsSeen).toBe(20);
    expect(readFileSync(join(work, "json.png")).subarray(0, 8).equals(PNG)).toBe(true);
  });

  it("never overwrites a file: exit 1, 'exists; name another file', checked before the log is read", () => {
    writeFileSync(join(work, "taken.png"), "keep");
    // The log does not exist: the refusal comes first, so a long --follow-seconds never ends in it.
    const r = cli("tail-logs", "--log-file", join(work, "missing.log"), "--chart-file", "taken.png");
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: --chart-file ${join(work, "taken.png")} exists; name another file.\n`);
    expect(readFileSync(join(work, "taken.png"), "utf8")).toBe("keep");
    const json = cli("tail-logs", "--log-file", log, "--chart-file", "taken.png", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({
      error: `--chart-file ${join(work, "taken.png")} exists; name another file.`,
      kind: "tool",
    });
  });

  it("refuses a file outside the directories the local host may write, and one in a missing directory", () => {
    const outside = `/etc/ascend-train-chart-${process.pid}.png`;
    const r = cli("tail-logs", "--log-file", log, "--chart-file", outside);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: --chart-file "\/etc\/\S+" resolves to .* outside the directories .* on local/);
    expect(r.out).toBe("");
    expect(existsSync(outside)).toBe(false);
    const missing = cli("tail-logs", "--log-file", log, "--chart-file", "no/such/dir/loss.png");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`directory ${join(work, "no/such/dir")} does not exist`);
  });

  it("fails (exit 1) when the log has no curve to draw, writing nothing", () => {
    const short = join(work, "short.log");
    writeFileSync(short, iterationLines(1, 1, 100));
    const r = cli("tail-logs", "--log-file", short, "--chart-file", "short.png");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /error: no loss curve to write to \S+short\.png: the log read holds fewer than 2 loss values/,
    );
    expect(r.out).toContain("iteration 1/100");
    expect(existsSync(join(work, "short.png"))).toBe(false);
  });
});
