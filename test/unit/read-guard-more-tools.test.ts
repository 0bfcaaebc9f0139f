// The tools after training read what their caller names with commands (the converter, the checkpoint probe, the
// inference and evaluation programs), not readFile: convert_weights (hfDir, ckptDir, loraDir), run_inference (images),
// evaluate_model (datasetDir), export_model and every checkpoint source (checkpointDir, hfDir) refuse a path outside
// the host's readable roots before anything reads it, in the read guard's words with its readableDirs fix, in plan
// mode as well. A checkpoint inside the roots is still taken.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { resolveSource } from "../../src/infer/source.js";
import convertWeights from "../../src/tools/convert-weights.js";
import evaluateModel from "../../src/tools/evaluate-model.js";
import exportModel from "../../src/tools/export-model.js";
import { invokeTool } from "../../src/tools/invoke.js";
import runInference from "../../src/tools/run-inference.js";
import type { ToolDeps } from "../../src/tools/tool.js";

/** The read guard's refusal of a path outside the roots of host "box", with its fix. */
const OUTSIDE =
  /outside the directories ascend-train may read on box .*readableDirs for host box in ascend-train\.yaml/;

let base: string;
let wd: string;
let save: string;
let hf: string;
let deps: ToolDeps;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "read-guard-more-")));
  const home = join(base, "home");
  mkdirSync(home);
  vi.stubEnv("HOME", home);
  vi.stubEnv("ASCEND_TRAIN_AUDIT_LOG", join(base, "audit.jsonl"));
  wd = join(base, "MindSpeed-MM");
  save = join(wd, "save");
  hf = join(wd, "Qwen2.5-VL-3B-Instruct");
  // A complete checkpoint inside the workdir (tp 1, pp 1) and the HF directory it came from.
  mkdirSync(join(save, "iter_0000010", "mp_rank_00"), { recursive: true });
  writeFileSync(join(save, "iter_0000010", "mp_rank_00", "model_optim_rng.pt"), "x");
  writeFileSync(join(save, "latest_checkpointed_iteration.txt"), "10");
  mkdirSync(hf, { recursive: true });
  writeFileSync(join(hf, "config.json"), "{}");
  const settings = HostSettingsSchema.parse({ workdir: wd, allowedDirs: [base] });
  const hosts = new HostRegistry({ file: null, hosts: { box: settings } });
  deps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
});
afterAll(async () => {
  await deps?.hosts.closeAll();
  vi.unstubAllEnvs();
  rmSync(base, { recursive: true, force: true });
});

async function refusal(tool: Parameters<typeof invokeTool>[0], args: Record<string, unknown>): Promise<string> {
  const outcome = await invokeTool(tool, args, deps);
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  return outcome.ok ? "" : outcome.error;
}

const source = () => ({ host: "box", checkpointDir: save, model: "qwen2.5vl-3b", hfDir: hf });

describe("convert_weights", () => {
  it("refuses an hfDir or ckptDir to read outside the roots before probing the host", async () => {
    const out = join(wd, "mm");
    const hfOut = await refusal(convertWeights, {
      host: "box",
      model: "qwen2.5vl-3b",
      method: "hf_to_mm",
      hfDir: "/etc",
      ckptDir: out,
    });
    expect(hfOut).toMatch(/^"\/etc" resolves to \/etc, /);
    expect(hfOut).toMatch(OUTSIDE);
    const ckptOut = await refusal(convertWeights, {
      host: "box",
      model: "qwen2.5vl-3b",
      method: "mm_to_hf",
      hfDir: hf,
      ckptDir: "/etc",
      targetDir: join(wd, "hf-out"),
    });
    expect(ckptOut).toMatch(/^"\/etc" resolves to \/etc, /);
    expect(ckptOut).toMatch(OUTSIDE);
  });
});

describe("checkpoint source (export_model, run_inference, evaluate_model)", () => {
  it("refuses a checkpointDir outside the roots instead of saying it has no tracker", async () => {
    await expect(
      resolveSource(deps.hosts, { ...source(), checkpointDir: "/etc", tool: "run_inference" }),
    ).rejects.toThrow(OUTSIDE);
    await expect(resolveSource(deps.hosts, { ...source(), hfDir: "/etc", tool: "run_inference" })).rejects.toThrow(
      OUTSIDE,
    );
    // Inside the roots the checkpoint is still taken.
    const ok = await resolveSource(deps.hosts, { ...source(), tool: "run_inference" });
    expect(ok.checkpoint.iterDir).toBe(join(save, "iter_0000010"));
  });
});

describe("export_model", () => {
  it("refuses a checkpointDir or hfDir outside the roots, in plan mode", async () => {
    const ckpt = await refusal(exportModel, { ...source(), checkpointDir: "/etc" });
    expect(ckpt).toMatch(OUTSIDE);
    expect(ckpt).not.toMatch(/latest_checkpointed_iteration/);
    expect(await refusal(exportModel, { ...source(), hfDir: "/etc" })).toMatch(OUTSIDE);
  });
});

describe("run_inference", () => {
  it("refuses an image outside the roots instead of checking it exists", async () => {
    const error = await refusal(runInference, { ...source(), images: ["/etc/passwd"] });
    expect(error).toMatch(/^"\/etc\/passwd" resolves to \/etc\/passwd, /);
    expect(error).toMatch(OUTSIDE);
    expect(
      await refusal(runInference, { ...source(), prompts: [{ prompt: "What?", image: "/etc/hostname" }] }),
    ).toMatch(OUTSIDE);
  });
});

describe("evaluate_model", () => {
  it("refuses a datasetDir outside the roots before looking for the benchmarks", async () => {
    const error = await refusal(evaluateModel, { ...source(), datasetDir: "/etc" });
    expect(error).toMatch(/^"\/etc" resolves to \/etc, /);
    expect(error).toMatch(OUTSIDE);
    expect(error).not.toMatch(/Benchmark data missing|evaluation extras/);
  });
});
