// build_configs against a real temp directory (LocalExecutor) and a scripted host.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import buildConfigs from "../../src/tools/build-configs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { ToolError } from "../../src/tools/tool.js";

let dir: string;
let hosts: HostRegistry;
const deps = (registry = hosts): ToolDeps => ({
  hosts: registry,
  now: () => new Date(0),
  progress: () => undefined,
  log: () => undefined,
});
const input = (over: Record<string, unknown>) => buildConfigs.input.parse({ model: "qwen2.5vl-3b", ...over });

const RECORD = {
  messages: [
    { role: "user", content: "<image>What is this?" },
    { role: "assistant", content: "A cat." },
  ],
  images: ["a.jpg"],
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "build-configs-"));
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "train.json"), JSON.stringify([RECORD, RECORD], null, 2));
  writeFileSync(join(dir, "data", "train.jsonl"), `${JSON.stringify(RECORD)}\n${JSON.stringify(RECORD)}\n`);
  writeFileSync(
    join(dir, "data", "llava.json"),
    JSON.stringify([{ image: "a.jpg", conversations: [{ from: "human", value: "hi" }] }]),
  );
  hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({ workdir: dir, cannRoot: "/usr/local/Ascend" }) },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("build_configs", () => {
  it("writes data, model config and launch script with the user's values", async () => {
    const out = join(dir, "out1");
    const r = await buildConfigs.handle(
      input({
        release: "v26.0.0",
        dataset: join(dir, "data", "train.json"),
        outputDir: out,
        hfDir: "/w/hf",
        trainIters: 50,
      }),
      deps(),
    );
    expect(r.written).toBe(true);
    expect(r.files.map((f) => [f.role, f.path, f.status])).toEqual([
      ["data-config", join(out, "data_3b.json"), "written"],
      ["model-config", join(out, "model_3b.json"), "written"],
      ["launch-script", join(out, "finetune_qwen2_5_vl_3b.sh"), "written"],
    ]);
    const data = JSON.parse(readFileSync(join(out, "data_3b.json"), "utf8"));
    expect(data.dataset_param.basic_parameters.dataset).toBe(join(dir, "data", "train.json"));
    expect(data.dataset_param.preprocess_parameters.model_name_or_path).toBe("/w/hf");
    const script = readFileSync(join(out, "finetune_qwen2_5_vl_3b.sh"), "utf8");
    expect(script).toContain(`MM_MODEL=${join(out, "model_3b.json")}`);
    expect(script).toContain("--train-iters 50");
    expect(statSync(join(out, "finetune_qwen2_5_vl_3b.sh")).mode & 0o100).toBeTruthy();
    expect(r.parameters).toMatchObject({ tp: 1, pp: 1, dp: 8, globalBatchSize: 256, gradAccSteps: 32, trainIters: 50 });
    expect(r.layerSplit).toEqual({ llm: [36], vit: [32] });
  });

  it("the launch script exits with torchrun's status through the tee, so a crashed run is not recorded as finished", async () => {
    const out = join(dir, "out-status");
    await buildConfigs.handle(
      input({ release: "v26.0.0", dataset: join(dir, "data", "train.json"), outputDir: out, hfDir: "/w/hf" }),
      deps(),
    );
    const script = join(out, "finetune_qwen2_5_vl_3b.sh");
    const bin = join(out, "bin");
    mkdirSync(bin);
    for (const [code, expected] of [
      [137, 137],
      [0, 0],
    ] as const) {
      writeFileSync(join(bin, "torchrun"), `#!/bin/sh\necho "RuntimeError: NPU out of memory"\nexit ${code}\n`, {
        mode: 0o755,
      });
      const r = spawnSync("bash", [script], {
        cwd: out,
        encoding: "utf8",
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: out },
      });
      expect(r.status, r.stderr).toBe(expected);
    }
  });

  it("saves every --save-interval iterations when asked, keeping the recipe's eval interval", async () => {
    const out = join(dir, "out-save-interval");
    await buildConfigs.handle(
      input({
        release: "v26.0.0",
        dataset: join(dir, "data", "train.json"),
        outputDir: out,
        hfDir: "/w/hf",
        trainIters: 200,
        saveInterval: 50,
      }),
      deps(),
    );
    const script = readFileSync(join(out, "finetune_qwen2_5_vl_3b.sh"), "utf8");
    expect(script).toContain("--save-interval 50");
    expect(script).toContain("--eval-interval 10000");
  });

  it("warns, without refusing, when the layout does not fit the NPUs' memory, naming the nearest that fits", async () => {
    const out = join(dir, "out-72b-one-node");
    const r = await buildConfigs.handle(
      input({
        model: "qwen2.5vl-72b",
        release: "v26.0.0",
        dataset: join(dir, "data", "train.json"),
        outputDir: out,
        hfDir: "/w/hf",
        npusPerNode: 8,
        nodes: 1,
        tp: 8,
        pp: 1,
      }),
      deps(),
    );
    expect(r.written).toBe(true);
    expect(r.memory?.fits).toBe(false);
    expect(r.memory?.summary).toMatch(/does not fit .*nearest that fits: TP \d+, PP \d+/);
    expect(buildConfigs.summarize(r)).toContain("warning: qwen2.5vl-72b on 8 NPUs");
    const small = await buildConfigs.handle(
      input({
        release: "v26.0.0",
        dataset: join(dir, "data", "train.json"),
        outputDir: join(dir, "out-3b-fits"),
        hfDir: "/w/hf",
      }),
      deps(),
    );
    expect(small.memory?.fits).toBe(true);
    expect(buildConfigs.summarize(small)).not.toContain("does not fit");
  });

  it("reports identical files as unchanged and leaves a different file alone unless asked", async () => {
    const out = join(dir, "out2");
    const args = input({ release: "v26.1.0", dataset: join(dir, "data", "train.jsonl"), outputDir: out });
    await buildConfigs.handle(args, deps());
    const again = await buildConfigs.handle(args, deps());
    expect(again.files.every((f) => f.status === "unchanged")).toBe(true);

    const changed = await buildConfigs.handle({ ...args, trainIters: 77 }, deps());
    expect(changed.written).toBe(false);
    expect(changed.files.find((f) => f.role === "launch-script")!.status).toBe("differs");
    expect(changed.diffs).toHaveLength(1);
    expect(changed.diffs[0]!.diff).toContain("+    --train-iters 77");
    expect(readFileSync(join(out, "finetune_qwen2_5_vl_3b.sh"), "utf8")).toContain("--train-iters 10000");

    const forced = await buildConfigs.handle({ ...args, trainIters: 77, overwrite: true }, deps());
    expect(forced.written).toBe(true);
    expect(readFileSync(join(out, "finetune_qwen2_5_vl_3b.sh"), "utf8")).toContain("--train-iters 77");
    // A rebuild replaces only what a build wrote: nothing was edited, so nothing is copied aside.
    expect(forced.files.every((f) => f.editsKeptIn === null)).toBe(true);
  });

  it("with overwrite, apply_fix's edits to the launch script since its build are carried into the new one", async () => {
    const out = join(dir, "out-edited");
    const args = input({ release: "v26.1.0", dataset: join(dir, "data", "train.jsonl"), outputDir: out });
    await buildConfigs.handle(args, deps());
    const script = join(out, "finetune_qwen2_5_vl_3b.sh");
    const built = readFileSync(script, "utf8");
    // What apply_fix's fixes do: the allocator export after the shebang, full recomputation after the micro batch,
    // the learning rate halved in place.
    const edited = built
      .replace("\n", "\nexport PYTORCH_NPU_ALLOC_CONF=expandable_segments:True\n")
      .replace(
        /(\n(\s*)--micro-batch-size \S+ \\\n)/,
        "$1$2--recompute-granularity full \\\n$2--recompute-method uniform \\\n$2--recompute-num-layers 1 \\\n",
      )
      .replace(/--lr \S+ \\/, "--lr 5e-06 \\");
    expect(edited).toContain("--recompute-granularity full");
    writeFileSync(script, edited);
    const rebuilt = await buildConfigs.handle({ ...args, trainIters: 55, overwrite: true }, deps());
    const launch = rebuilt.files.find((f) => f.role === "launch-script")!;
    const now = readFileSync(script, "utf8");
    expect(now).toContain("--train-iters 55");
    for (const kept of [
      "export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
      "--recompute-granularity full",
      "--lr 5e-06",
    ])
      expect(now, kept).toContain(kept);
    expect(launch.editsCarried).toEqual(
      expect.arrayContaining([
        "--recompute-granularity full",
        expect.stringMatching(/^--lr 5e-06 \(the build had --lr \S+\)$/),
        "export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
      ]),
    );
    // Nothing was lost, so nothing is copied aside; the note says what was carried.
    expect(launch.editsKeptIn).toBeNull();
    expect(buildConfigs.summarize(rebuilt)).toContain("carried into the new script: --recompute-granularity full");
    // The carried edits stay edits: the next rebuild carries them again.
    const again = await buildConfigs.handle({ ...args, trainIters: 56, overwrite: true }, deps());
    expect(readFileSync(script, "utf8")).toContain("--recompute-granularity full");
    expect(readFileSync(script, "utf8")).toContain("--train-iters 56");
    expect(again.files.every((f) => f.editsKeptIn === null)).toBe(true);
  });

  it("an edit no rebuild can carry is copied aside first, and a flag the rebuild sets itself is not carried", async () => {
    const out = join(dir, "out-edited-2");
    const args = input({ release: "v26.1.0", dataset: join(dir, "data", "train.jsonl"), outputDir: out });
    await buildConfigs.handle(args, deps());
    const script = join(out, "finetune_qwen2_5_vl_3b.sh");
    const edited = readFileSync(script, "utf8")
      .replace("\n", "\n# tuned by hand after the first run\n")
      .replace(/--lr \S+ \\/, "--lr 5e-06 \\");
    writeFileSync(script, edited);
    const rebuilt = await buildConfigs.handle({ ...args, lr: 2e-6, overwrite: true }, deps());
    const launch = rebuilt.files.find((f) => f.role === "launch-script")!;
    expect(launch.editsKeptIn).toMatch(/finetune_qwen2_5_vl_3b\.sh\.edited-\d{8}-\d{6}$/);
    expect(readFileSync(launch.editsKeptIn!, "utf8")).toBe(edited);
    expect(readFileSync(script, "utf8")).not.toContain("--lr 5e-06");
    expect(launch.editsLeftOut).toEqual([expect.stringMatching(/^--lr 5e-06 \(this build sets --lr /)]);
    expect(rebuilt.files.filter((f) => f.role !== "launch-script").every((f) => f.editsKeptIn === null)).toBe(true);
    expect(buildConfigs.summarize(rebuilt)).toContain(`that version is kept in ${launch.editsKeptIn}`);
  });

  it("a TRL script edited since it was built is kept aside when --overwrite replaces it, as the Ascend files are", async () => {
    const gpu = new HostRegistry({
      file: null,
      hosts: { gpu: HostSettingsSchema.parse({ workdir: dir, accelerator: "cuda", npusPerNode: 1 }) },
    });
    const out = join(dir, "trl-edited");
    const args = input({
      host: "gpu",
      model: "Qwen/Qwen2.5-0.5B",
      trainer: "trl",
      dataset: "trl-lib/Capybara",
      outputDir: out,
    });
    const first = await buildConfigs.handle(args, deps(gpu));
    const script = first.files[0]!.path;
    const edited = readFileSync(script, "utf8").replace("\n", "\n# learning rate lowered by hand\n");
    writeFileSync(script, edited);
    const rebuilt = await buildConfigs.handle({ ...args, trainIters: 77, overwrite: true }, deps(gpu));
    const kept = rebuilt.files[0]!.editsKeptIn;
    expect(kept).toMatch(/train_sft\.py\.edited-\d{8}-\d{6}$/);
    expect(readFileSync(kept!, "utf8")).toBe(edited);
    expect(readFileSync(script, "utf8")).not.toContain("lowered by hand");
    expect(buildConfigs.summarize(rebuilt)).toContain(`that version is kept in ${kept}`);
    // Unedited since: replaced with no copy.
    const again = await buildConfigs.handle({ ...args, trainIters: 78, overwrite: true }, deps(gpu));
    expect(again.files[0]!.editsKeptIn).toBeNull();
  });

  it("a missing checkpoint's fix is the conversion these configs load: their ckptDir and their layout", async () => {
    const r = await buildConfigs.handle(
      input({
        release: "v26.1.0",
        dataset: join(dir, "data", "train.jsonl"),
        outputDir: join(dir, "out-tp2"),
        ckptDir: "ckpt/mm_tp2",
        tp: 2,
      }),
      deps(),
    );
    const fix = r.missingPaths.find((m) => m.field === "ckptDir")!.fix;
    expect(fix).toContain(
      '{"tool":"convert_weights","args":{"host":"local","model":"qwen2.5vl-3b","release":"v26.1.0","ckptDir":"ckpt/mm_tp2","tp":2}}',
    );
  });

  it("refuses a path with a space or a glob character, which the launch script would split, before writing", async () => {
    const out = join(dir, "out-space");
    for (const [field, value] of [
      ["saveDir", "save with space"],
      ["outputDir", join(dir, "configs with space")],
      ["ckptDir", "ckpt/mm*"],
    ] as const) {
      const err = await buildConfigs
        .handle(input({ outputDir: out, dataset: join(dir, "data", "train.jsonl"), [field]: value }), deps())
        .catch((e: unknown) => e);
      expect(err, field).toBeInstanceOf(ToolError);
      expect((err as Error).message).toMatch(new RegExp(`^${field}: .*unquoted inside an argument string`));
    }
    expect(() => statSync(out)).toThrow();
    expect(() => statSync(join(dir, "configs with space"))).toThrow();
  });

  it("rejects a dataset whose keys do not match the config's attr, naming the field", async () => {
    const out = join(dir, "out3");
    const err = await buildConfigs
      .handle(input({ dataset: join(dir, "data", "llava.json"), outputDir: out }), deps())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as Error).message).toMatch(/attr\.messages/);
    expect((err as Error).message).toMatch(/A value that would work: "conversations"/);
    expect(() => statSync(out)).toThrow();
  });

  it("rejects invalid parallelism before touching the host", async () => {
    const host = new ScriptedExecutor("remote");
    const registry = new HostRegistry(
      { file: null, hosts: { remote: HostSettingsSchema.parse({ workdir: "/ws" }) } },
      async () => host,
    );
    await expect(buildConfigs.handle(input({ host: "remote", tp: 3 }), deps(registry))).rejects.toThrow(
      /tp=3 must divide .* use one of 1, 2/,
    );
    await expect(
      buildConfigs.handle(input({ host: "remote", release: "v26.1.0", model: "internvl3-8b" }), deps(registry)),
    ).rejects.toThrow(/release: .*releases that have it: v2\.2\.0, v2\.3\.0, v26\.0\.0/);
    expect(host.calls).toEqual([]);
    expect(host.files.size).toBe(0);
  });

  it("writes through the host seam: mkdir -p then each file (YAML backend)", async () => {
    // The write-path guard resolves each target and allowed root with realpath on the host.
    const realpath = (command: string) => ({
      stdout: command
        .split(" sh ")[1]!
        .split(" ")
        .map((p) => (p === "'~'" ? "/home/u" : p))
        .join("\n"),
    });
    const host = new ScriptedExecutor("remote")
      .on(/^mkdir -p \/ws\/configs\/qwen3vl-8b$/, {})
      .on(/realpath -m/, realpath)
      // Which of the paths the configs read exist on the host: the weights do not yet.
      .on(/\[ -e "\$p" \]/, {
        stdout: "/ws/ckpt/hf_path/Qwen3-VL-8B-Instruct\n/ws/ckpt/mm_path/Qwen3-VL-8B-Instruct\n",
      });
    const registry = new HostRegistry(
      { file: null, hosts: { remote: HostSettingsSchema.parse({ workdir: "/ws", cannRoot: "/opt/Ascend" }) } },
      async () => host,
    );
    host.files.set("/data/train.json", JSON.stringify([RECORD]));
    const r = await buildConfigs.handle(
      input({ host: "remote", model: "Qwen/Qwen3-VL-8B-Instruct", dataset: "/data/train.json" }),
      deps(registry),
    );
    host.assertAllUsed();
    expect(r.release).toBe("v26.1.0");
    expect(r.files.map((f) => f.role)).toEqual(["train-config", "train-config", "launch-script"]);
    const yaml = parse(host.files.get("/ws/configs/qwen3vl-8b/qwen3vl_full_sft_8B.yaml")!);
    expect(yaml.gpt_args.fsdp2_config_path).toBe("/ws/configs/qwen3vl-8b/fsdp2_config.yaml");
    expect(yaml.data.dataset_param.basic_parameters.dataset).toBe("/data/train.json");
    const script = host.files.get("/ws/configs/qwen3vl-8b/finetune_qwen3vl_8B.sh")!;
    expect(script).toContain("cd /ws || exit 1");
    expect(script).toContain("/opt/Ascend/cann/set_env.sh");
  });
});
