// A switch given a value with `=` (`--confirm=true`) is an unknown option to commander; the usage error (exit 2) then
// says it is a switch and how to write it, as a value given to a switch with a space (`--confirm yes`) does.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";

const home = mkdtempSync(join(tmpdir(), "cli-switch-value-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
delete env.ASCEND_TRAIN_CONFIG;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: home, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, err: r.stderr };
};

describe("a switch written with =value", () => {
  it("--confirm=true: exit 2, and says to write --confirm alone", () => {
    const r = cli("stop-run", "run-20990101-000000-abcd", "--confirm=true");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--confirm=true'");
    expect(r.err).toContain("--confirm is a switch and takes no value: write --confirm alone, not --confirm=true.");
  }, 60_000);

  it("--confirm=false says to leave it out; a switch on by default names its --no- form", () => {
    expect(cli("stop-run", "run-20990101-000000-abcd", "--confirm=false").err).toContain(
      "--confirm is a switch and takes no value: leave it out for false",
    );
    const r = cli("validate-dataset", "/data/x.json", "--check-images=false");
    expect(r.code).toBe(2);
    expect(r.err).toContain("write --no-check-images, not --check-images=false");
  }, 60_000);

  it("an option the command does not have gets no such hint", () => {
    const r = cli("stop-run", "run-20990101-000000-abcd", "--bogus=1");
    expect(r.code).toBe(2);
    expect(r.err).not.toContain("is a switch");
  }, 60_000);
});
