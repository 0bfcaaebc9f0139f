// Every tool that takes a model name refuses one that names no single model in the same words: the nearest ids and
// where to look (find_model), or the sizes of a family to pick from.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { estimateForModel } from "../../src/estimate/index.js";
import type { WorkDeps } from "../../src/hosts/work.js";
import { buildPlan } from "../../src/install/plan.js";

const refusal = async (attempt: () => unknown): Promise<string> => {
  try {
    await attempt();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
};

const noHost = {} as WorkDeps;

describe("a model name that names no single model", () => {
  it("unknown: build_configs, estimate_memory and install_stack name the same nearest ids and find_model", async () => {
    const said = await Promise.all([
      refusal(() => resolveTrainingPlan("qwen9-vl-99b", undefined)),
      refusal(() => estimateForModel({ model: "qwen9-vl-99b" })),
      refusal(() => buildPlan({ model: "qwen9-vl-99b" } as Parameters<typeof buildPlan>[0], noHost)),
    ]);
    expect(said[0]).toMatch(
      /^Unknown model "qwen9-vl-99b"\. Nearest: [\w.-]+(?:, [\w.-]+)+; find_model lists every model/,
    );
    expect(new Set(said).size).toBe(1);
  });

  it("a family: the same sizes to pick from, whichever tool was asked", async () => {
    const said = await Promise.all([
      refusal(() => resolveTrainingPlan("qwen2.5vl", undefined)),
      refusal(() => estimateForModel({ model: "qwen2.5vl" })),
      refusal(() => buildPlan({ model: "qwen2.5vl" } as Parameters<typeof buildPlan>[0], noHost)),
    ]);
    expect(said[0]).toMatch(/^"qwen2\.5vl" names several sizes: qwen2\.5vl-3b, qwen2\.5vl-7b.*; give one id\.$/);
    expect(new Set(said).size).toBe(1);
  });
});
