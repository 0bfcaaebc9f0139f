// What estimate_memory answers agrees with itself and with build_configs: given no layout, the verdict, its breakdown
// and the next call are of the layout its "best first" list puts first (the recipe's example stays listed, a tp and
// pp away); given one, of that one. A LoRA rank without the LoRA recipe is refused as build_configs refuses it, naming
// the call with variant lora. An unknown chip is a wrong value: exit 2 in a shell, and the hint names --hbm-gib there,
// hbmGib over MCP.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderHints } from "../../src/text/hint.js";
import estimateMemory from "../../src/tools/estimate-memory.js";
import { invokeTool } from "../../src/tools/invoke.js";
import { CLI } from "../helpers/mcp.js";

const deps = {} as never;
const answer = async (args: Record<string, unknown>) => {
  const r = await estimateMemory.handle(estimateMemory.input.parse(args), deps);
  const text = renderHints(estimateMemory.summarize(r));
  return { r, text, next: text.split("\n").find((l) => l.startsWith("Next: ")) ?? "" };
};
const layoutOf = (next: string, tool: string) => {
  const call = next.slice(next.indexOf(`${tool} {`));
  return {
    tp: Number(/\btp: (\d+)/.exec(call)?.[1]),
    pp: Number(/\bpp: (\d+)/.exec(call)?.[1]),
  };
};

describe("estimate_memory's chosen layout is its list's first", () => {
  for (const args of [
    { model: "qwen2.5vl-32b", npus: 16 },
    { model: "qwen2.5vl-7b", variant: "lora" },
    { model: "qwen2.5vl-7b", npus: 8 },
  ]) {
    it(`${JSON.stringify(args)}: headline, breakdown and next call are of layouts[0]`, async () => {
      const { r, text, next } = await answer(args);
      const first = r.layouts[0]!;
      expect(r.fits).toBe(true);
      expect(r.layoutFrom).toBe("best");
      expect([r.layout.tp, r.layout.pp]).toEqual([first.tp, first.pp]);
      expect(r.peakGiBPerRank).toBe(first.peakGiBPerRank);
      expect(layoutOf(next, "build_configs")).toEqual({ tp: first.tp, pp: first.pp });
      expect(layoutOf(next, "convert_weights")).toEqual({ tp: first.tp, pp: first.pp });
      expect(text.split("\n")[0]).toContain(`TP ${first.tp}, PP ${first.pp},`);
    });
  }

  it("32B on 16 NPUs: TP 2, PP 4, and names the recipe's example it did not choose", async () => {
    const { r, text } = await answer({ model: "qwen2.5vl-32b", npus: 16 });
    expect([r.layout.tp, r.layout.pp]).toEqual([2, 4]);
    expect(r.exampleLayout).toEqual({ tp: 2, pp: 8 });
    expect(text).toContain("the recipe's example is tp: 2, pp: 8");
    expect(r.layouts.some((c) => c.tp === 2 && c.pp === 8)).toBe(true);
  });

  it("a layout given is the one estimated and built, wherever the list ranks it", async () => {
    const { r, next } = await answer({ model: "qwen2.5vl-32b", npus: 16, tp: 4, pp: 2 });
    expect(r.layoutFrom).toBe("asked");
    expect(layoutOf(next, "build_configs")).toEqual({ tp: 4, pp: 2 });
  });

  it("given no layout and none fitting on the NPUs, the example's verdict and the nearest on more NPUs", async () => {
    const { r, next } = await answer({ model: "qwen2.5vl-72b", npus: 16 });
    expect(r.layoutFrom).toBe("example");
    expect(r.fits).toBe(false);
    expect(layoutOf(next, "build_configs")).toEqual({ tp: r.nearest!.layout.tp, pp: r.nearest!.layout.pp });
  });
});

describe("a LoRA rank without the LoRA recipe", () => {
  it("is refused as build_configs refuses it, naming the call with variant lora", async () => {
    const outcome = await invokeTool(estimateMemory, { model: "qwen2.5vl-7b", loraRank: 64 }, deps);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(/^loraRank: qwen2\.5vl-7b's standard recipe trains no LoRA adapters/);
    expect(outcome.error).toContain('variant: "lora", loraRank: 64');
    // A model with no LoRA recipe: nothing to switch to, as build_configs says.
    const none = await invokeTool(estimateMemory, { model: "qwen2vl-7b", loraRank: 16 }, deps);
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatch(/^loraRank: qwen2vl-7b has no LoRA recipe/);
  });

  it("is taken with variant lora, and with lora: true", async () => {
    for (const args of [
      { model: "qwen2.5vl-7b", variant: "lora", loraRank: 64 },
      { model: "qwen2.5vl-7b", lora: true, loraRank: 64 },
    ]) {
      const { r, next } = await answer(args);
      expect(r.loraRank).toBe(64);
      expect(next).toMatch(/build_configs \{[^}]*variant: "lora"[^}]*loraRank: 64/);
    }
  });
});

describe("an unknown chip", () => {
  it("over MCP: an input error naming the chips and hbmGib", async () => {
    const outcome = await invokeTool(estimateMemory, { model: "qwen2.5vl-7b", chip: "910C" }, deps);
    expect(outcome).toMatchObject({ ok: false, kind: "input" });
    if (!outcome.ok) {
      expect(outcome.error).toMatch(/chip: unknown chip "910C"; known: .*910B3.*, or give hbmGib /);
      expect(outcome.error).not.toContain("hbmGiB");
    }
    // With the HBM given, the chip is a label.
    expect((await answer({ model: "qwen2.5vl-7b", chip: "910C", hbmGib: 64 })).r.chip).toBe("910C");
  });
});

describe("in a shell", () => {
  const home = mkdtempSync(join(tmpdir(), "estimate-choice-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
  delete env.ASCEND_TRAIN_CONFIG;
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, "estimate-memory", ...args], {
      cwd: home,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("--chip 910C is a usage error, exit 2, whose hint names --hbm-gib", () => {
    const r = cli("--model", "qwen2.5vl-7b", "--chip", "910C");
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/--chip: unknown chip "910C"; known: .*, or give --hbm-gib /);
    expect(r.err).not.toMatch(/hbmGi[bB]/);
  }, 120_000);

  it("--lora-rank without --variant lora exits 1 as build-configs does, naming --variant lora --lora-rank 64", () => {
    const r = cli("--model", "qwen2.5vl-7b", "--lora-rank", "64");
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain("--lora-rank: qwen2.5vl-7b's standard recipe trains no LoRA adapters");
    expect(r.err).toContain("--variant lora --lora-rank 64");
  }, 120_000);

  it("32B on 16 NPUs: the headline and Next use the list's first layout", () => {
    const r = cli("--model", "qwen2.5vl-32b", "--npus", "16");
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split("\n");
    const first = lines[lines.findIndex((l) => l.startsWith("Layouts that fit")) + 1]!;
    const [, tp, pp] = /^ {2}TP (\d+), PP (\d+),/.exec(first)!;
    expect(lines[0]).toContain(`TP ${tp}, PP ${pp},`);
    const next = lines.find((l) => l.startsWith("Next: "))!;
    expect(next).toContain(`--tp ${tp} --pp ${pp} `);
    expect(r.out).toContain("the recipe's example is --tp 2 --pp 8.");
  }, 120_000);
});
