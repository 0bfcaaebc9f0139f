// plan_finetune's `next` is a whole call: its arguments pass the named tool's own input schema, so calling it as
// suggested works. With no dataset anywhere the dataset steps cannot be called yet and `next` names the first step
// that can; with the sample sim init lays out, it plans again with that dataset; with LLaVA data to convert it is
// prepare_dataset with an output in the workdir's data folder, and that call converts it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { type LaidOutSim, layOutSim, stopSimProcesses } from "../../src/sim/index.js";
import { layOutSampleData, type SampleData } from "../../src/sim/sample-host.js";
import { allTools } from "../../src/tools/index.js";
import { invokeTool } from "../../src/tools/invoke.js";
import planFinetune from "../../src/tools/plan-finetune.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { freePort } from "./sim-helpers.js";

const MODEL = "qwen2.5vl-7b";
const root = mkdtempSync(join(tmpdir(), "plan-finetune-next-"));
let sim: LaidOutSim;
let deps: ToolDeps;

type Next = { tool: string; args: Record<string, unknown> };

async function nextOf(input: Record<string, unknown>): Promise<Next> {
  const outcome = await invokeTool(planFinetune, { host: "sim", model: MODEL, ...input }, deps);
  if (!outcome.ok) throw new Error(outcome.error);
  const next = (outcome.result as { next: Next | null }).next;
  if (!next) throw new Error("plan_finetune named no next call");
  return next;
}

/** Parses the suggested arguments with the target tool's input schema: the call is valid as it stands. */
function expectCallable(next: Next): void {
  const tool = allTools.find((t) => t.name === next.tool);
  expect(tool, `${next.tool} is a tool of this server`).toBeDefined();
  const parsed = tool!.input.safeParse(next.args);
  expect(parsed.success, `${next.tool} ${JSON.stringify(next.args)}: ${parsed.error?.message ?? ""}`).toBe(true);
}

beforeAll(async () => {
  vi.stubEnv("HOME", join(root, "home"));
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(root, "audit.jsonl"));
  sim = await layOutSim(join(root, "sim"), { scenario: "healthy", masterPort: await freePort() });
  const hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({}), sim: sim.hostSettings },
  });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
}, 60_000);

afterAll(async () => {
  await deps?.hosts.closeAll();
  if (sim) await stopSimProcesses(sim.dir);
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

describe("plan_finetune's next call passes the target tool's schema", () => {
  let sample: SampleData;

  it("with no dataset given or found, names a step it can call, not prepare_dataset without input", async () => {
    const next = await nextOf({});
    expectCallable(next);
    expect(next.tool).not.toBe("prepare_dataset");
  }, 60_000);

  it("with no dataset given and the sample at the configs' default path, plans again with it", async () => {
    sample = await layOutSampleData(sim.hostSettings.workdir!, MODEL);
    const next = await nextOf({});
    expectCallable(next);
    expect(next).toEqual({ tool: "plan_finetune", args: { host: "sim", model: MODEL, dataset: sample.dataset } });
    // The head line names the call with the dataset it needs, not "next: plan_finetune" (itself) alone.
    const outcome = await invokeTool(planFinetune, { host: "sim", model: MODEL }, deps);
    if (!outcome.ok) throw new Error(outcome.error);
    const head = outcome.text.split("\n")[0]!;
    expect(head).toContain(`plan_finetune {host: "sim", model: "${MODEL}", dataset: "${sample.dataset}"}`);
    expect(head).not.toMatch(/next: plan_finetune$/);
  }, 60_000);

  it("with LLaVA data, names prepare_dataset with an output in the workdir's data folder, and that call converts it", async () => {
    const next = await nextOf({ dataset: sample.llava });
    expectCallable(next);
    const output = join(sim.hostSettings.workdir!, "data", "mllm_format_llava_colours.json");
    expect(next).toEqual({
      tool: "prepare_dataset",
      args: { host: "sim", input: sample.llava, output, family: "qwen2.5vl" },
    });
    const converted = await invokeTool(allTools.find((t) => t.name === "prepare_dataset")!, next.args, deps);
    expect(converted, JSON.stringify(converted)).toMatchObject({ ok: true, result: { output } });
    // Planned with the converted file, the data steps move on to validate_dataset, again a valid call.
    const after = await nextOf({ dataset: output });
    expectCallable(after);
    expect(after).toEqual({ tool: "validate_dataset", args: { host: "sim", path: output, family: "qwen2.5vl" } });
  }, 120_000);

  it("with the sample already in MLLM form, never suggests writing over the input", async () => {
    const outcome = await invokeTool(planFinetune, { host: "sim", model: MODEL }, deps);
    if (!outcome.ok) throw new Error(outcome.error);
    const steps = (outcome.result as { steps: { tool: string; args: Record<string, unknown> }[] }).steps;
    const prepare = steps.find((s) => s.tool === "prepare_dataset")!;
    expect(prepare.args.input).toBe(sample.dataset);
    expect(prepare.args.output).toMatch(/\/data\/mllm_format_llava_instruct_data_converted\.json$/);
  }, 60_000);
});
