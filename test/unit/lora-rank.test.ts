// The LoRA rank a user chooses reaches the configs: build_configs takes loraRank (and loraAlpha, by default twice the
// rank as MindSpeed-MM's LoRA examples: r 8, alpha 16) and writes them where the recipe does (--lora-r / --lora-alpha
// in LORA_ARGS, lora_args in the unified YAML); a rank without the LoRA variant is refused with the call that names
// it; estimate_memory's next build_configs call carries the rank it estimated; and the merge of the trained adapters
// (convert_weights, and export_model's refusal that names it) takes the rank and alpha the run's configs write.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { trainedLora } from "../../src/runs/lora-settings.js";
import { simFile } from "../../src/sim/files.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import convertWeights from "../../src/tools/convert-weights.js";
import estimateMemory from "../../src/tools/estimate-memory.js";
import exportModel from "../../src/tools/export-model.js";
import { invokeTool } from "../../src/tools/invoke.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { CLI } from "../helpers/mcp.js";
import { ledgerFileOf, runRecord } from "../helpers/run-record.js";

let dir: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({
  hosts,
  now: () => new Date(0),
  progress: () => undefined,
  log: () => undefined,
});
const build = (args: Record<string, unknown>) => buildConfigs.handle(buildConfigs.input.parse(args), deps());

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lora-rank-"));
  hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({ workdir: dir, cannRoot: "/usr/local/Ascend" }) },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("build_configs takes the LoRA rank", () => {
  it("writes lora_r 64 and lora_alpha 128 into Qwen3-VL 30B's LoRA YAML", async () => {
    const r = await build({
      model: "qwen3vl-30b",
      release: "v26.1.0",
      variant: "lora",
      loraRank: 64,
      outputDir: join(dir, "q3"),
    });
    expect(r.written).toBe(true);
    expect(r.lora).toEqual({ rank: 64, alpha: 128 });
    const yaml = r.files.find((f) => f.path.endsWith("qwen3vl_lora_sft_30B.yaml"))!;
    expect(parse(readFileSync(yaml.path, "utf8")).lora_args).toMatchObject({ lora_r: 64, lora_alpha: 128 });
    expect(buildConfigs.summarize(r)).toContain("LoRA rank 64 alpha 128");
  });

  it("writes --lora-r 64 and the alpha given into Qwen2.5-VL's LORA_ARGS", async () => {
    const r = await build({
      model: "qwen2.5vl-7b",
      release: "v26.1.0",
      variant: "lora",
      loraRank: 64,
      loraAlpha: 16,
      outputDir: join(dir, "q25"),
    });
    const script = readFileSync(r.files.find((f) => f.role === "launch-script")!.path, "utf8");
    expect(script).toMatch(/--lora-r 64\b/);
    expect(script).toMatch(/--lora-alpha 16\b/);
    expect(r.lora).toEqual({ rank: 64, alpha: 16 });
  });

  it("refuses a rank without the LoRA variant, naming the call with variant lora, and writes nothing", async () => {
    const outputDir = join(dir, "refused");
    const outcome = await invokeTool(buildConfigs, { model: "qwen2.5vl-7b", loraRank: 64, outputDir }, deps());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(/^loraRank: qwen2\.5vl-7b's standard recipe trains no LoRA adapters/);
    expect(renderHints(outcome.error)).toContain('variant: "lora", loraRank: 64');
    expect(() => readFileSync(join(outputDir, "finetune_qwen2_5_vl_7b.sh"))).toThrow();
    // A model with no LoRA recipe: nothing to switch to.
    const none = await invokeTool(buildConfigs, { model: "qwen2vl-7b", loraAlpha: 32, outputDir }, deps());
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatch(/^loraAlpha: qwen2vl-7b has no LoRA recipe/);
  });

  it("bounds the rank as the estimate does", async () => {
    const outcome = await invokeTool(
      buildConfigs,
      { model: "qwen2.5vl-7b", variant: "lora", loraRank: 5000, outputDir: join(dir, "big") },
      deps(),
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toContain("loraRank: at most 4096");
  });

  it("with trainer trl, writes the rank into the script's LoraConfig and refuses it with peft full", async () => {
    const r = await build({
      trainer: "trl",
      model: "Qwen/Qwen2.5-0.5B-Instruct",
      dataset: "trl-lib/Capybara",
      loraRank: 32,
      outputDir: join(dir, "trl"),
    });
    const text = readFileSync(r.files[0]!.path, "utf8");
    expect(text).toContain("    r=32,");
    expect(text).toContain("    lora_alpha=64,");
    expect(r.lora).toEqual({ rank: 32, alpha: 64 });
    const full = await invokeTool(
      buildConfigs,
      {
        trainer: "trl",
        model: "Qwen/Qwen2.5-0.5B-Instruct",
        dataset: "trl-lib/Capybara",
        peft: "full",
        loraRank: 32,
        outputDir: join(dir, "trl-full"),
      },
      deps(),
    );
    expect(full.ok).toBe(false);
    if (!full.ok) expect(full.error).toMatch(/^loraRank: peft full trains every weight/);
  });

  it("in a shell: --lora-rank without --variant lora exits 1 and names --variant lora --lora-rank 64", () => {
    const home = mkdtempSync(join(tmpdir(), "lora-rank-cli-"));
    try {
      const r = spawnSync(
        process.execPath,
        [CLI, "build-configs", "--model", "qwen2.5vl-7b", "--output-dir", join(home, "out"), "--lora-rank", "64"],
        { cwd: home, encoding: "utf8", env: { ...process.env, HOME: home }, timeout: 60_000 },
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain("--lora-rank: qwen2.5vl-7b's standard recipe trains no LoRA adapters");
      expect(r.stderr).toContain("--variant lora --lora-rank 64");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("estimate_memory's next call carries the rank it estimated", () => {
  it("over MCP: build_configs gets loraRank 32, convert_weights (the base) none", async () => {
    const r = await estimateMemory.handle(
      estimateMemory.input.parse({ model: "qwen2.5vl-3b", npus: 1, chip: "910B4", variant: "lora", loraRank: 32 }),
      {} as never,
    );
    expect(r.loraRank).toBe(32);
    const next = renderHints(estimateMemory.summarize(r))
      .split("\n")
      .find((l) => l.startsWith("Next: "))!;
    expect(next).toMatch(/build_configs \{[^}]*variant: "lora"[^}]*loraRank: 32/);
    expect(next).not.toMatch(/convert_weights \{[^}]*loraRank/);
  });

  it("in a shell: estimate-memory --variant lora --lora-rank 32 prints build-configs … --lora-rank 32", () => {
    const home = mkdtempSync(join(tmpdir(), "lora-rank-estimate-"));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ASCEND_TRAIN_FROM_SOURCE: "1" };
      delete env.ASCEND_TRAIN_CONFIG;
      const r = spawnSync(
        process.execPath,
        [
          CLI,
          "estimate-memory",
          "--model",
          "qwen2.5vl-3b",
          "--npus",
          "1",
          "--chip",
          "910B4",
          "--variant",
          "lora",
          "--lora-rank",
          "32",
        ],
        { cwd: home, env, encoding: "utf8", timeout: 120_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const next = r.stdout.split("\n").find((l) => l.startsWith("Next: "))!;
      expect(next).toMatch(/ascend-train build-configs [^,]*--variant lora[^,]*--lora-rank 32/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the merge of the adapters takes the rank the configs write", () => {
  const hfDir = "/w/hf/Qwen2.5-VL-7B-Instruct";
  let built: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    // The configs in their default place (<workdir>/configs/<model>), as convert_weights finds them.
    built = await build({
      model: "qwen2.5vl-7b",
      release: "v26.1.0",
      variant: "lora",
      loraRank: 64,
      loraAlpha: 16,
      hfDir,
      saveDir: join(dir, "save"),
    });
  });

  it("convert_weights merge_base_lora_weight reads --lora-r 64 and --lora-alpha 16 from the configs that save there", async () => {
    const r = await convertWeights.handle(
      convertWeights.input.parse({
        model: "qwen2.5vl-7b",
        release: "v26.1.0",
        variant: "lora",
        method: "merge_base_lora_weight",
        loraDir: join(dir, "save"),
        targetDir: join(dir, "merged"),
      }),
      deps(),
    );
    const at = (flag: string) => r.argv[r.argv.indexOf(flag) + 1];
    expect([at("--lora_r"), at("--lora_alpha")]).toEqual(["64", "16"]);
    expect(r.notes.join("\n")).toContain(
      `LoRA settings from the configs in ${built.outputDir}: loraRank 64, loraAlpha 16.`,
    );
    expect(convertWeights.summarize(r)).toContain("alpha / rank = 0.25");
    // Given, they win over the configs'.
    const given = await convertWeights.handle(
      convertWeights.input.parse({
        model: "qwen2.5vl-7b",
        release: "v26.1.0",
        variant: "lora",
        method: "merge_base_lora_weight",
        loraDir: join(dir, "save"),
        targetDir: join(dir, "merged"),
        loraRank: 4,
        loraAlpha: 8,
      }),
      deps(),
    );
    // The base's conversion has no rank to take.
    const base = await invokeTool(convertWeights, { model: "qwen2.5vl-7b", variant: "lora", loraRank: 64 }, deps());
    expect(base.ok).toBe(false);
    if (!base.ok)
      expect(base.error).toMatch(/^loraRank: the conversion of the base weights does not take the LoRA rank/);
    expect(given.argv.slice(given.argv.indexOf("--lora_alpha"), given.argv.indexOf("--lora_r") + 2)).toEqual([
      "--lora_alpha",
      "8",
      "--lora_r",
      "4",
    ]);
  }, 60_000);

  it("a recorded run's script is read first, and export_model's merge call carries its rank and alpha", async () => {
    const id = "run-20261202-121000-f00d";
    const root = join(dir, "run");
    const saveDir = join(root, "save");
    // The run's own copy of the script: rank 32 where the configs since say 64.
    mkdirSync(root, { recursive: true });
    const script = readFileSync(built.files.find((f) => f.role === "launch-script")!.path, "utf8");
    writeFileSync(join(root, "finetune.sh"), script.replace("--lora-r 64", "--lora-r 32"));
    // The checkpoint it saved: pp 2, as the script's layout.
    for (const rank of ["mp_rank_00_000", "mp_rank_00_001"]) {
      mkdirSync(join(saveDir, "iter_0000020", rank), { recursive: true });
      writeFileSync(join(saveDir, "iter_0000020", rank, "model_optim_rng.pt"), "x");
    }
    writeFileSync(join(saveDir, "latest_checkpointed_iteration.txt"), "20");
    mkdirSync(join(dir, ".ascend-train", "runs"), { recursive: true });
    const record = runRecord(
      { id, workdir: dir, root },
      { parallel: { tp: 1, pp: 2, cp: 1, nnodes: 1, npusPerNode: 8 } },
    );
    writeFileSync(ledgerFileOf(dir, id), JSON.stringify(record));

    const { executor, settings } = await hosts.get("local");
    const found = await trainedLora(executor, settings, "local", "qwen2.5vl-7b", saveDir);
    expect(found).toEqual({
      rank: 32,
      alpha: 16,
      from: `run ${id} (${join(root, "finetune.sh")})`,
      run: { id, loadDir: null },
    });

    const refused = await exportModel
      .handle(exportModel.input.parse({ runId: id, host: "local", model: "qwen2.5vl-7b" }), deps())
      .then(
        () => null,
        (error: Error) => error,
      );
    expect(refused?.message).toMatch(/trained LoRA adapters/);
    expect(renderHints(refused!.message)).toMatch(
      /convert_weights \{[^}]*variant: "lora", loraRank: 32, loraAlpha: 16, method: "merge_base_lora_weight"/,
    );
  }, 60_000);
});

describe("the simulated MindSpeed-MM takes the rank as the real one does", () => {
  it("parses --lora-r / --lora-alpha from LORA_ARGS and lora_args from the unified YAML", () => {
    const root = mkdtempSync(join(tmpdir(), "lora-rank-sim-"));
    try {
      writeFileSync(join(root, "sim_config.py"), simFile("mm_config.py"));
      writeFileSync(
        join(root, "lora.yaml"),
        "gpt_args:\n  seq_length: 1024\nlora_args:\n  lora_r: 64\n  lora_alpha: 128\n",
      );
      const parsed = (argv: string[]) =>
        execFileSync(
          "python3",
          [
            "-c",
            "import sys, sim_config; a = sim_config.parse_megatron(sys.argv[1:]); print(a.lora_r, a.lora_alpha, a.lora_target_modules)",
            ...argv,
          ],
          { cwd: root, encoding: "utf8" },
        ).trim();
      expect(
        parsed([
          "--lora-r",
          "64",
          "--lora-alpha",
          "16",
          "--lora-target-modules",
          "q_proj",
          "v_proj",
          "--distributed-backend",
          "nccl",
        ]),
      ).toBe("64 16 ['q_proj', 'v_proj']");
      expect(parsed([join(root, "lora.yaml")])).toBe("64 128 []");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
