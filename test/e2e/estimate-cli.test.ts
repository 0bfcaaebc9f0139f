// estimate-memory through the CLI as a person types it: a layout that fits exits 0 with its breakdown and the
// layouts that fit; one that does not exits 1 and names the nearest that fits; a malformed flag is a usage error.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";

const env: NodeJS.ProcessEnv = { ...process.env, ASCEND_TRAIN_FROM_SOURCE: "1" };
delete env.ASCEND_TRAIN_CONFIG;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("ascend-train estimate-memory", () => {
  it("prints the verdict, the breakdown and the layouts that fit, exit 0", () => {
    const r = cli(
      "estimate-memory",
      "--model",
      "qwen2.5vl-32b",
      "--npus",
      "16",
      "--npus-per-node",
      "8",
      "--tp",
      "4",
      "--pp",
      "2",
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Peak per rank [\d.]+ GiB \(stage \d\) — fits, margin [\d.]+ GiB/);
    expect(r.out).toMatch(/weights [\d.]+ {2}gradients [\d.]+ {2}optimizer [\d.]+/);
    expect(r.out).toContain("Layouts that fit on 16 NPUs, best first:");
  }, 120_000);

  it("exits 1 for a layout that does not fit and names the nearest one in JSON", () => {
    const r = cli("estimate-memory", "--model", "qwen2.5vl-72b", "--npus", "8", "--tp", "8", "--pp", "1", "--json");
    expect(r.code, r.err).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.fits).toBe(false);
    expect(json.nearest.moreNpus).toBe(true);
    expect(json.nearest.npus).toBeGreaterThan(8);
  }, 120_000);

  it("ends with the build-configs and convert-weights calls of the nearest layout, on the nodes it needs", () => {
    const json = JSON.parse(
      cli("estimate-memory", "--model", "qwen2.5vl-72b", "--npus", "8", "--tp", "8", "--pp", "1", "--json").out,
    );
    const r = cli("estimate-memory", "--model", "qwen2.5vl-72b", "--npus", "8", "--tp", "8", "--pp", "1");
    const next = r.out.split("\n").find((l) => l.startsWith("Next: "));
    expect(next, r.out).toBeDefined();
    const [build, convert] = next!.slice("Next: ".length).replace(/\.$/, "").split(", then ");
    const flagsOf = (command: string) => {
      const words = command.split(" ");
      const at = (flag: string) => words[words.indexOf(flag) + 1];
      return { words, at };
    };
    const b = flagsOf(build!);
    expect(b.words.slice(0, 3).join(" ")).toMatch(/ascend-train build-configs$/);
    expect(Number(b.at("--nodes")) * Number(b.at("--npus-per-node"))).toBe(json.nearest.npus);
    expect([b.at("--tp"), b.at("--pp")]).toEqual([String(json.nearest.layout.tp), String(json.nearest.layout.pp)]);
    expect(b.at("--llm-layer-split")).toBe(json.nearest.layout.llmLayerSplit.join(","));
    expect(b.at("--release")).toBe(json.release);
    const c = flagsOf(convert!);
    expect(c.words).toContain("convert-weights");
    expect(c.words).toContain("--confirm");
    for (const flag of ["--nodes", "--npus-per-node", "--tp", "--pp", "--llm-layer-split"])
      expect(c.at(flag), flag).toBe(b.at(flag));
    // Every flag it prints is one the command takes.
    for (const [command, words] of [
      ["build-configs", b.words],
      ["convert-weights", c.words],
    ] as const) {
      const help = cli(command, "--help").out;
      for (const flag of words.filter((w) => w.startsWith("--"))) expect(help, `${command} ${flag}`).toContain(flag);
    }
  }, 120_000);

  it("refuses a malformed number as a usage error, exit 2", () => {
    const r = cli("estimate-memory", "--model", "qwen2.5vl-7b", "--tp", "two");
    expect(r.code).toBe(2);
  }, 120_000);
});
