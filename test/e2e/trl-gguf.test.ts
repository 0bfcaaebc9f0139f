// GGUF export of TRL runs on the simulated CUDA host through the local executor: a LoRA SFT run is merged into its
// base, converted by the host's llama.cpp clone and quantized to Q4_K_M, and the file's header is read back and
// checked; an existing output is left alone unless asked; a base architecture llama.cpp has no converter for fails
// with convert_hf_to_gguf.py's own message and a fix.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGgufHeader } from "../../src/export/gguf-header.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutCudaSim, layOutTrlSampleData } from "../../src/sim/index.js";
import buildConfigs from "../../src/tools/build-configs.js";
import exportModel from "../../src/tools/export-model.js";
import launchTrain from "../../src/tools/launch-train.js";
import stopRun from "../../src/tools/stop-run.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";

let base: string;
let hosts: HostRegistry;
let data: Record<"sft" | "dpo" | "grpo", string>;
let clock = Date.parse("2026-12-02T14:00:00Z");
const deps = (): ToolDeps => ({
  hosts,
  now: () => {
    clock += 1000;
    return new Date(clock);
  },
  progress: () => undefined,
  log: () => undefined,
});

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "trl-gguf-"));
  const sim = await layOutCudaSim(join(base, "host"));
  data = await layOutTrlSampleData(sim.hostSettings.workdir!);
  const settings = HostSettingsSchema.parse({
    ...sim.hostSettings,
    env: { ...sim.hostSettings.env, CUDA_SIM_STEP_SECONDS: "0.01" },
  });
  hosts = new HostRegistry({ file: null, hosts: { gpu: settings } });
}, 60_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** build_configs → launch_train → tail_logs until the run finished; the run id. */
async function trainedRun(model: string, name: string, peft = "lora"): Promise<string> {
  const built = await buildConfigs.handle(
    buildConfigs.input.parse({
      host: "gpu",
      trainer: "trl",
      method: "sft",
      model,
      dataset: data.sft,
      peft,
      trainIters: 4,
      outputDir: join(base, "host", "work", "configs", name),
      saveDir: join(base, "host", "work", "outputs", name),
    }),
    deps(),
  );
  const run = await launchTrain.handle(
    launchTrain.input.parse({ host: "gpu", script: built.files[0]!.path, confirm: true, settleSeconds: 0 }),
    deps(),
  );
  const end = Date.now() + 20_000;
  for (;;) {
    const t = await tailLogs.handle(tailLogs.input.parse({ runId: run.runId }), deps());
    if (t.state === "finished") return run.runId;
    if (t.state === "failed" || Date.now() > end) throw new Error(`run ${run.runId}: ${t.state} ${t.stateReason}`);
    await sleep(150);
  }
}

describe("GGUF export of a TRL run on the simulated CUDA host", () => {
  let runId: string;

  it("LoRA SFT run → export gguf q4_k_m: plan, then merge, convert, quantize and a checked header", async () => {
    runId = await trainedRun("Qwen/Qwen2.5-0.5B-Instruct", "lora-sft");
    const plan = await exportModel.handle(exportModel.input.parse({ runId, format: "gguf" }), deps());
    expect(plan.ready).toBe(true);
    expect(plan.exported).toBe(false);
    expect(plan.gguf?.steps.map((s) => [s.id, s.outcome])).toEqual([
      ["merge", "planned"],
      ["convert", "planned"],
      ["quantize", "planned"],
    ]);
    expect(plan.gguf?.llamaCpp).toMatchObject({ tag: "b6500", pinned: "b6500" });
    expect(plan.gguf?.steps[1]?.command).toContain("convert_hf_to_gguf.py");
    expect(plan.gguf?.steps[2]?.command).toMatch(/llama-quantize .*-F16\.gguf .*-Q4_K_M\.gguf Q4_K_M$/);
    const file = plan.output;
    expect(existsSync(file)).toBe(false);

    const done = await exportModel.handle(exportModel.input.parse({ runId, format: "gguf", confirm: true }), deps());
    expect(done.gguf?.steps.map((s) => s.outcome)).toEqual(["ok", "ok", "ok"]);
    expect(done.exported).toBe(true);
    expect(done.complete).toBe(true);
    expect(done.gguf?.header).toMatchObject({ version: 3, architecture: "qwen2", fileType: 15 });
    expect(done.gguf?.header?.tensorCount).toBeGreaterThan(0);
    expect(done.checks.find((c) => c.id === "gguf-architecture")?.message).toBe("general.architecture = qwen2.");
    expect(exportModel.summarize(done)).toContain("GGUF v3");
    // The file on disk is what the header said: read here independently of the host.
    const header = parseGgufHeader(readFileSync(file));
    expect(header.metadata["general.file_type"]).toBe(15);
    expect(existsSync(join(done.gguf!.mergedDir!, "config.json"))).toBe(true);
  }, 60_000);

  it("an existing output is left alone unless overwrite", async () => {
    const again = await exportModel.handle(exportModel.input.parse({ runId, format: "gguf", confirm: true }), deps());
    expect(again.ready).toBe(false);
    expect(again.exported).toBe(false);
    expect(again.checks.find((c) => c.id === "outputs-free")?.message).toMatch(/already exist: nothing is replaced/);
    const q8 = await exportModel.handle(
      exportModel.input.parse({ runId, format: "gguf", quantization: "q8_0", confirm: true, overwrite: true }),
      deps(),
    );
    expect(q8.complete).toBe(true);
    expect(q8.gguf?.header?.fileType).toBe(7);
  }, 60_000);

  it("another quantization of the same run reuses its merged model and F16 file: only the quantized file is new", async () => {
    const plan = await exportModel.handle(
      exportModel.input.parse({ runId, format: "gguf", quantization: "q6_k" }),
      deps(),
    );
    expect(plan.ready).toBe(true);
    expect(plan.gguf?.steps.map((s) => [s.id, s.outcome])).toEqual([
      ["merge", "reused"],
      ["convert", "reused"],
      ["quantize", "planned"],
    ]);
    expect(plan.checks.find((c) => c.id === "outputs-free")?.message).toMatch(
      /merged-hf and .*-F16\.gguf .* are reused/,
    );
    const done = await exportModel.handle(
      exportModel.input.parse({ runId, format: "gguf", quantization: "q6_k", confirm: true }),
      deps(),
    );
    expect(done.gguf?.steps.map((s) => s.outcome)).toEqual(["reused", "reused", "ok"]);
    expect(done.complete).toBe(true);
    expect(done.gguf?.header?.fileType).toBe(18);
  }, 60_000);

  it("refuses a type llama-quantize does not know, and an i-quant that needs an importance matrix", async () => {
    const unknown = await exportModel
      .handle(exportModel.input.parse({ runId, format: "gguf", quantization: "q4_k_xl" }), deps())
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ToolError);
    expect((unknown as Error).message).toContain("q4_k_m");
    const iq = await exportModel
      .handle(exportModel.input.parse({ runId, format: "gguf", quantization: "iq2_xs" }), deps())
      .catch((e: unknown) => e);
    expect((iq as Error).message).toMatch(/importance matrix/);
  });

  it("format hf on a TRL run points to gguf", async () => {
    const e = await exportModel.handle(exportModel.input.parse({ runId }), deps()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolError);
    expect((e as Error).message).toContain("is a TRL run");
  });

  it("a full fine-tune converts its own directory (no merge) to an F16 file", async () => {
    const full = await trainedRun("Qwen/Qwen2.5-0.5B-Instruct", "full-sft", "full");
    const r = await exportModel.handle(
      exportModel.input.parse({ runId: full, format: "gguf", quantization: "f16", confirm: true }),
      deps(),
    );
    expect(r.gguf?.steps.map((s) => [s.id, s.outcome])).toEqual([["convert", "ok"]]);
    expect(r.gguf?.mergedDir).toBeNull();
    expect(r.output).toMatch(/Qwen2\.5-0\.5B-Instruct-F16\.gguf$/);
    expect(r.gguf?.header).toMatchObject({ architecture: "qwen2", fileType: 1 });
    expect(r.complete).toBe(true);
  }, 60_000);

  it("a run that has not saved its adapter yet is not ready, and nothing runs", async () => {
    const built = await buildConfigs.handle(
      buildConfigs.input.parse({
        host: "gpu",
        trainer: "trl",
        method: "sft",
        model: "Qwen/Qwen2.5-0.5B-Instruct",
        dataset: data.sft,
        trainIters: 400,
        outputDir: join(base, "host", "work", "configs", "long"),
        saveDir: join(base, "host", "work", "outputs", "long"),
      }),
      deps(),
    );
    const run = await launchTrain.handle(
      launchTrain.input.parse({
        host: "gpu",
        script: built.files[0]!.path,
        confirm: true,
        settleSeconds: 0,
        env: { CUDA_SIM_STEP_SECONDS: "0.5" },
      }),
      deps(),
    );
    const r = await exportModel.handle(
      exportModel.input.parse({ runId: run.runId, format: "gguf", confirm: true }),
      deps(),
    );
    expect(r.ready).toBe(false);
    expect(r.exported).toBe(false);
    expect(r.checks.find((c) => c.id === "trained-output")?.message).toContain("has no adapter_config.json");
    expect(r.gguf?.steps.every((s) => s.outcome === "planned")).toBe(true);
    await stopRun.handle(stopRun.input.parse({ runId: run.runId, confirm: true, graceSeconds: 2 }), deps());
  }, 60_000);

  it("a base model the host's cache lacks fails the merge with transformers' offline message and a fix", async () => {
    const missing = await trainedRun("Qwen/Qwen3-0.6B", "uncached-sft");
    const r = await exportModel.handle(
      exportModel.input.parse({ runId: missing, format: "gguf", confirm: true }),
      deps(),
    );
    expect(r.gguf?.steps.map((s) => s.outcome)).toEqual(["failed", "not-run", "not-run"]);
    expect(r.checks.find((c) => c.id === "gguf-merge")?.message).toContain(
      "We couldn't connect to 'https://huggingface.co'",
    );
    expect(r.next).toContain("huggingface-cli download Qwen/Qwen3-0.6B");
  }, 60_000);

  it("a base architecture llama.cpp cannot convert fails with convert_hf_to_gguf.py's message and a fix", async () => {
    const opt = await trainedRun("facebook/opt-125m", "opt-sft");
    const r = await exportModel.handle(exportModel.input.parse({ runId: opt, format: "gguf", confirm: true }), deps());
    expect(r.exported).toBe(false);
    expect(r.complete).toBe(false);
    expect(r.gguf?.steps.map((s) => s.outcome)).toEqual(["ok", "failed", "not-run"]);
    const failed = r.checks.find((c) => c.id === "gguf-convert");
    expect(failed?.message).toContain("ERROR:hf-to-gguf:Model OPTForCausalLM is not supported");
    expect(r.next).toContain("has no converter for OPTForCausalLM");
    expect(exportModel.failed?.(r)).toBe(true);
  }, 60_000);
});
