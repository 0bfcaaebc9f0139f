// estimate_memory's next call builds what was estimated: a LoRA estimate (lora, with or without loraRank, or variant
// lora) names the lora recipe in the build_configs and convert_weights calls, or says the model has none; a host asked
// about is named in them too. Over MCP (argument names) and through the CLI as a person types it (flags).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderHints } from "../../src/text/hint.js";
import estimateMemory from "../../src/tools/estimate-memory.js";
import { CLI } from "../helpers/mcp.js";

const deps = {} as never;
const nextOverMcp = async (args: Record<string, unknown>) => {
  const r = await estimateMemory.handle(estimateMemory.input.parse(args), deps);
  const text = renderHints(estimateMemory.summarize(r));
  return { r, next: text.split("\n").find((l) => l.startsWith("Next: ")) ?? "" };
};

describe("estimate_memory's next call over MCP", () => {
  const small = { model: "qwen2.5vl-3b", npus: 1, chip: "910B4" };

  it("carries variant lora when LoRA was asked with lora: true, as with variant: lora", async () => {
    const byFlag = await nextOverMcp({ ...small, lora: true });
    const byVariant = await nextOverMcp({ ...small, variant: "lora" });
    expect(byFlag.r.fits).toBe(true);
    expect(byFlag.r.peakGiBPerRank).toBe(byVariant.r.peakGiBPerRank);
    expect(byFlag.r.variant).toBe("lora");
    expect(byFlag.next).toMatch(/build_configs \{[^}]*variant: "lora"/);
    expect(byFlag.next).toMatch(/convert_weights \{[^}]*variant: "lora"/);
    expect(byFlag.next).toBe(byVariant.next);
  });

  it("carries variant lora when a LoRA rank was given with lora: true", async () => {
    const { next } = await nextOverMcp({ ...small, lora: true, loraRank: 16 });
    expect(next).toMatch(/build_configs \{[^}]*variant: "lora"[^}]*loraRank: 16/);
  });

  it("a full fine-tune names no variant", async () => {
    const { r, next } = await nextOverMcp({ ...small, chip: "910B3", npus: 8 });
    expect(r.variant).toBe("");
    expect(next).toContain("build_configs {");
    expect(next).not.toContain("variant");
  });

  it("does not offer a full fine-tune's build_configs for a LoRA estimate of a model with no LoRA recipe", async () => {
    const { r, next } = await nextOverMcp({ model: "qwen2vl-7b", npus: 8, lora: true });
    expect(r.loraRank).toBe(8);
    expect(next).not.toContain("build_configs {");
    expect(next).toMatch(/no LoRA recipe/);
    expect(next).toContain('find_model {query: "qwen2vl-7b"}');
  });

  it("names the host it was given in both calls, and none when it was not", async () => {
    const onHost = await nextOverMcp({ ...small, lora: true, host: "npu1" });
    expect(onHost.next).toMatch(/build_configs \{[^}]*host: "npu1"/);
    expect(onHost.next).toMatch(/convert_weights \{[^}]*host: "npu1"/);
    const local = await nextOverMcp({ ...small, lora: true });
    expect(local.next).not.toContain("host:");
  });
});

describe("ascend-train estimate-memory's Next line", () => {
  const home = mkdtempSync(join(tmpdir(), "estimate-next-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
  delete env.ASCEND_TRAIN_CONFIG;
  const nextLine = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, "estimate-memory", ...args], {
      cwd: home,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split("\n").find((l) => l.startsWith("Next: ")) ?? "";
  };

  it("--lora ends with build-configs and convert-weights --variant lora, and --host with the host", () => {
    const next = nextLine("--model", "qwen2.5vl-3b", "--npus", "1", "--chip", "910B4", "--lora", "--host", "npu1");
    const [build, convert] = next.slice("Next: ".length).split(", then ");
    for (const call of [build!, convert!]) {
      expect(call).toContain("--variant lora");
      expect(call).toContain("--host npu1");
      expect(call.match(/--host/g)).toHaveLength(1);
    }
  }, 120_000);
});
