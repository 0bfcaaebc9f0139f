// plan_finetune on a simulated host: each step's status follows what is really on the host.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { type LaidOutSim, layOutSim, makeFakeHfModel, stopSimProcesses } from "../../src/sim/index.js";
import buildConfigs from "../../src/tools/build-configs.js";
import { invokeTool } from "../../src/tools/invoke.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { canBuildSimHost } from "../helpers/prereqs.js";

const root = mkdtempSync(join(tmpdir(), "plan-finetune-"));
let sim: LaidOutSim;
let deps: ToolDeps;

type Plan = {
  next: { tool: string; args: Record<string, unknown> } | null;
  steps: { tool: string; status: string; detail: string; args: Record<string, unknown>; available: boolean }[];
};

async function plan(input: Record<string, unknown>): Promise<Plan> {
  const outcome = await invokeTool(planFinetune, { host: "sim", model: "qwen2.5vl-7b", ...input }, deps);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.result as Plan;
}
const statusOf = (p: Plan) => Object.fromEntries(p.steps.map((s) => [s.tool, s.status]));

beforeAll(async () => {
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(root, "audit.jsonl"));
  sim = await layOutSim(join(root, "sim"), { scenario: "healthy" });
  const hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({}), sim: sim.hostSettings },
  });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await deps?.hosts.closeAll();
  if (sim) await stopSimProcesses(sim.dir);
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!canBuildSimHost)("plan_finetune", () => {
  it("marks each step from the host's state, then follows the host as steps get done", async () => {
    const mm = sim.hostSettings.workdir!;
    const dataset = join(mm, "data", "train.json");

    const fresh = await plan({ dataset });
    expect(fresh.steps.map((s) => s.tool)).toEqual([
      "check_env",
      "install_stack",
      "prepare_dataset",
      "validate_dataset",
      "convert_weights",
      "build_configs",
      "launch_train",
      "tail_logs",
    ]);
    expect(statusOf(fresh)).toMatchObject({
      check_env: "done",
      install_stack: "skip",
      prepare_dataset: "blocked",
      convert_weights: "todo",
      build_configs: "todo",
      launch_train: "todo",
    });
    expect(fresh.steps.find((s) => s.tool === "prepare_dataset")?.detail).toMatch(/does not exist/);
    expect(fresh.steps.find((s) => s.tool === "convert_weights")?.detail).toMatch(/Hugging Face weights are not at/);
    expect(fresh.next?.tool).toBe("prepare_dataset");

    // The data in the layout the recipe reads, the HF weights, a converted checkpoint and the configs.
    writeFileSync(
      dataset,
      JSON.stringify([
        {
          messages: [
            { role: "user", content: "<image>What is shown?" },
            { role: "assistant", content: "A cat." },
          ],
          images: ["a.jpg"],
        },
      ]),
    );
    await makeFakeHfModel(join(mm, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), "Qwen2.5-VL-7B-Instruct");
    const converted = join(mm, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    mkdirSync(converted, { recursive: true });
    writeFileSync(join(converted, "latest_checkpointed_iteration.txt"), "release\n");
    const built = await invokeTool(buildConfigs, { host: "sim", model: "qwen2.5vl-7b", dataset }, deps);
    expect(built.ok, built.ok ? "" : built.error).toBe(true);

    const later = await plan({ dataset });
    expect(statusOf(later)).toMatchObject({
      check_env: "done",
      prepare_dataset: "skip",
      validate_dataset: "todo",
      convert_weights: "done",
      build_configs: "done",
      launch_train: "todo",
    });
    expect(later.steps.find((s) => s.tool === "build_configs")?.detail).toMatch(/match the plan/);
    expect(later.next).toEqual({
      tool: "validate_dataset",
      args: expect.objectContaining({ host: "sim", path: dataset }),
    });
  }, 60_000);

  it("suggests only arguments the named tool accepts", async () => {
    const { allTools } = await import("../../src/tools/index.js");
    const p = await plan({});
    for (const step of p.steps) {
      const tool = allTools.find((t) => t.name === step.tool);
      expect(step.available).toBe(Boolean(tool));
      if (!tool) continue;
      for (const [k, v] of Object.entries(step.args)) expect(tool.input.shape[k].safeParse(v).success).toBe(true);
    }
    expect(p.steps.find((s) => s.tool === "prepare_dataset")).toMatchObject({
      status: "unknown",
      detail: "no dataset given",
    });
  }, 30_000);

  it("names the nearest models for one it does not know", async () => {
    const outcome = await invokeTool(planFinetune, { host: "sim", model: "qwen2.5vl-8b" }, deps);
    expect(outcome).toMatchObject({ ok: false, kind: "tool", error: expect.stringMatching(/model: .*qwen2\.5vl-7b/) });
  });
});
