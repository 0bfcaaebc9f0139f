// convert_weights end to end on this machine: a temp checkout with the simulated host's mm-convert on PATH and fake HF
// models; plus the script it sends to a scripted host.

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONVERT_MARKER, parseMarker, planConversion } from "../../src/convert/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { makeFakeHfModel } from "../../src/sim/index.js";
import { MM_CONVERT_PY } from "../../src/sim/shims.js";
import { renderHints } from "../../src/text/hint.js";
import convertWeights from "../../src/tools/convert-weights.js";
import { type ProgressUpdate, type ToolDeps, ToolError } from "../../src/tools/tool.js";

let root: string;
let wd: string;
let hosts: HostRegistry;
let progress: ProgressUpdate[];
const deps = (): ToolDeps => ({
  hosts,
  now: () => new Date("2026-08-10T00:00:00Z"),
  progress: (u) => progress.push(u),
  log: () => undefined,
});
const call = (args: Record<string, unknown>, host = "box") =>
  convertWeights.handle(convertWeights.input.parse({ model: "qwen2.5vl-3b", host, ...args }), deps());
type Result = Awaited<ReturnType<typeof call>>;
const failed = (r: Result) => r.checks.filter((c) => !c.ok);

async function refused(args: Record<string, unknown>): Promise<ToolError> {
  try {
    await call(args);
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error("expected a ToolError");
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "convert-tool-"));
  wd = join(root, "MindSpeed-MM");
  const bin = join(root, "bin");
  const tight = join(root, "tight-bin");
  mkdirSync(bin);
  mkdirSync(tight);
  writeFileSync(join(bin, "mm-convert"), `#!/usr/bin/env python3\n${MM_CONVERT_PY}`);
  chmodSync(join(bin, "mm-convert"), 0o755);
  // A filesystem with 1 KiB free, for the disk check.
  writeFileSync(
    join(tight, "df"),
    '#!/bin/sh\necho "Filesystem 1024-blocks Used Available Capacity Mounted on"\necho "tiny 100 99 1 99% /"\n',
  );
  chmodSync(join(tight, "df"), 0o755);
  mkdirSync(wd);
  const git = (...a: string[]) => execFileSync("git", ["-C", wd, ...a], { stdio: "pipe" });
  git("init", "-q");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "release");
  git("tag", "v26.0.0");
  await makeFakeHfModel(join(wd, "ckpt/hf_path/Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
  await makeFakeHfModel(join(wd, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), "Qwen2.5-VL-7B-Instruct");
  const base = { workdir: wd, cannRoot: join(root, "Ascend"), allowedDirs: [root] };
  hosts = new HostRegistry({
    file: null,
    hosts: {
      box: HostSettingsSchema.parse({ ...base, path: [bin] }),
      tight: HostSettingsSchema.parse({ ...base, path: [tight, bin] }),
      nobin: HostSettingsSchema.parse({ ...base }),
      homed: HostSettingsSchema.parse({ ...base, path: [bin], env: { HOME: root } }),
    },
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("convert_weights on a local checkout", () => {
  it("with no layout given, takes the one the model's built configs load; a layout given wins", async () => {
    const dir = join(wd, "configs", "qwen2.5vl-3b");
    mkdirSync(dir, { recursive: true });
    // What build_configs records next to the files it wrote (here: built with --tp 2).
    writeFileSync(
      join(dir, "build-configs.inputs.json"),
      JSON.stringify({ host: "box", model: "qwen2.5vl-3b", tp: 2 }),
    );
    try {
      progress = [];
      const r = await call({});
      expect(r.tp).toBe(2);
      expect(r.command).toContain("--cfg.parallel_config.tp_size 2");
      expect(convertWeights.summarize(r)).toContain(`note: Layout from the configs built in ${dir} (tp 2)`);
      expect((await call({ tp: 1 })).tp).toBe(1);
    } finally {
      rmSync(join(wd, "configs"), { recursive: true, force: true });
    }
  });

  it("without confirm: the plan and checks, nothing written; release taken from the checkout tag", async () => {
    progress = [];
    const r = await call({});
    expect(r.release).toBe("v26.0.0");
    expect(r.ready).toBe(true);
    expect(r.started).toBe(false);
    expect(r.command).toBe(
      `cd ${wd} && mm-convert Qwen2_5_VLConverter hf_to_mm --cfg.mm_dir ${wd}/ckpt/mm_path/Qwen2.5-VL-3B-Instruct ` +
        `--cfg.hf_config.hf_dir ${wd}/ckpt/hf_path/Qwen2.5-VL-3B-Instruct --cfg.parallel_config.llm_pp_layers '[[36]]' ` +
        `--cfg.parallel_config.vit_pp_layers '[[32]]' --cfg.parallel_config.tp_size 1`,
    );
    expect(r.checks.map((c) => c.id)).toEqual(["mm-convert", "release", "hf-dir", "output", "disk"]);
    expect(existsSync(join(wd, "ckpt/mm_path"))).toBe(false);
    const steps = progress.map((p) => p.progress);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it("with confirm: converts, streams progress, writes the tree and the marker; the same call again has nothing to do, another split is refused", async () => {
    progress = [];
    const r = await call({ model: "qwen2.5vl-7b", confirm: true });
    expect(r.converted).toBe(true);
    const out = join(wd, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    expect(r.output).toBe(out);
    expect(readdirSync(join(out, "release")).sort()).toEqual(["mp_rank_00_000", "mp_rank_00_001"]);
    const marker = parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"));
    expect(marker).toMatchObject({
      model: "qwen2.5vl-7b",
      release: "v26.0.0",
      converter: "Qwen2_5_VLConverter",
      method: "hf_to_mm",
      format: "megatron",
      tp: 1,
      pp: 2,
      layerSplit: { llm: [12, 16], vit: [32, 0] },
      command: r.command,
    });
    // The simulated converter's own split record agrees with ours.
    const simSplit = JSON.parse(readFileSync(join(out, ".ascend_sim_split.json"), "utf8"));
    expect(simSplit.llm_pp_layers).toEqual(marker!.layerSplit.llm);
    expect(progress.some((p) => /Saved .*\(2\/2\)/.test(p.message ?? ""))).toBe(true);
    const steps = progress.map((p) => p.progress);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));

    // The same conversion again: nothing to do, nothing run, the earlier marker kept; not a failure.
    const markerBefore = readFileSync(join(out, CONVERT_MARKER), "utf8");
    const same = await call({ model: "qwen2.5vl-7b", confirm: true });
    expect(same).toMatchObject({ ready: true, started: false, converted: false, alreadyConverted: true });
    expect(same.marker).toBe(join(out, CONVERT_MARKER));
    expect(same.checks.find((c) => c.id === "output")!.message).toMatch(/already holds this conversion/);
    expect(same.checks.some((c) => c.id === "disk")).toBe(false);
    expect(readFileSync(join(out, CONVERT_MARKER), "utf8")).toBe(markerBefore);
    expect(same.next).toMatch(/build_configs|launch_train/);

    // Another layout into the same directory is refused: that would replace a checkpoint.
    const again = await call({ model: "qwen2.5vl-7b", pp: 4, confirm: true });
    expect(again.started).toBe(false);
    expect(again.alreadyConverted).toBe(false);
    const [output] = failed(again);
    expect(output).toMatchObject({ id: "output" });
    expect(output!.message).toMatch(/already holds a converted checkpoint \(qwen2\.5vl-7b @ v26\.0\.0.*\[12,16\]/);
    expect(renderHints(output!.fix)).toMatch(/overwrite: true/);
  });

  it("overwrite replaces the earlier tree entirely (no stale stages from another split)", async () => {
    const out = join(wd, "ckpt/mm4");
    await call({ model: "qwen2.5vl-7b", ckptDir: out, pp: 4, confirm: true });
    expect(readdirSync(join(out, "release"))).toHaveLength(4);
    const r = await call({ model: "qwen2.5vl-7b", ckptDir: out, confirm: true, overwrite: true });
    expect(r.converted).toBe(true);
    expect(r.checks.find((c) => c.id === "output")!.level).toBe("warning");
    expect(readdirSync(join(out, "release")).sort()).toEqual(["mp_rank_00_000", "mp_rank_00_001"]);
    expect(parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"))!.pp).toBe(2);
  });

  it("a directory holding other files is never overwritten, even with overwrite", async () => {
    const out = join(wd, "ckpt/notes");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "README.md"), "mine");
    const r = await call({ ckptDir: out, confirm: true, overwrite: true });
    expect(r.started).toBe(false);
    expect(failed(r)[0]!.message).toMatch(/holds other files \(README\.md\)/);
    expect(readFileSync(join(out, "README.md"), "utf8")).toBe("mine");
  });

  it("HF dir checks: another model's weights, a missing shard, a missing directory", async () => {
    const wrong = await call({ hfDir: join(wd, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), ckptDir: join(wd, "ckpt/x") });
    const hfErr = failed(wrong).find((c) => c.id === "hf-dir")!;
    expect(hfErr.message).toMatch(/is not Qwen2\.5-VL-3B-Instruct: num_hidden_layers is 28; qwen2\.5vl-3b has 36/);
    expect(hfErr.message).toMatch(/qwen2\.5vl-7b/);

    const partial = join(root, "partial-hf");
    await makeFakeHfModel(partial, "Qwen2.5-VL-3B-Instruct");
    rmSync(join(partial, "model-00002-of-00002.safetensors"));
    const r = await call({ hfDir: partial, ckptDir: join(wd, "ckpt/y"), confirm: true });
    expect(r.started).toBe(false);
    expect(
      failed(r)
        .map((c) => c.message)
        .join(),
    ).toMatch(/lacks 1 of the 2 shards.*model-00002-of-00002/);

    const none = await call({ hfDir: join(root, "nope"), ckptDir: join(wd, "ckpt/z") });
    expect(failed(none)[0]!.fix).toMatch(/huggingface-cli download Qwen\/Qwen2\.5-VL-3B-Instruct/);
  });

  it("free disk below the HF size x factor is a failed check", async () => {
    const r = await call({ ckptDir: join(wd, "ckpt/tight") }, "tight");
    const disk = failed(r).find((c) => c.id === "disk");
    expect(disk?.message).toMatch(/needs about .* free where/);
  });

  it("no mm-convert on PATH, and a release that is not the checkout's, are failed checks", async () => {
    const r = await call({ release: "v26.1.0", ckptDir: join(wd, "ckpt/w") }, "nobin");
    expect(failed(r).map((c) => c.id)).toEqual(["mm-convert", "release"]);
    expect(failed(r)[1]!.fix).toBe('Pass release: "v26.0.0" (or check out v26.1.0).');
  });

  it("~ paths reach mm-convert expanded on the host", async () => {
    const r = await call(
      { hfDir: "~/MindSpeed-MM/ckpt/hf_path/Qwen2.5-VL-3B-Instruct", ckptDir: "~/home-ckpt" },
      "homed",
    );
    expect(r.ready).toBe(true);
    expect(r.argv[r.argv.indexOf("--cfg.hf_config.hf_dir") + 1]).toBe(join(wd, "ckpt/hf_path/Qwen2.5-VL-3B-Instruct"));
    expect(r.argv[r.argv.indexOf("--cfg.mm_dir") + 1]).toBe(join(root, "home-ckpt"));
  });

  it("refusals: stub methods, layer splits the config rejects, paths outside the allowed dirs", async () => {
    const stub = await refused({ release: "v2.1.0", method: "resplit", targetDir: join(wd, "ckpt/r") });
    expect(stub.message).toMatch(/^method: Qwen2_5_VLConverter\.resplit is a stub in MindSpeed-MM v2\.1\.0/);
    const split = await refused({ llmLayerSplit: [30] });
    expect(split.message).toMatch(/sums to 30.*A value that would work: \[36\]/);
    expect(split.details).toMatchObject({ field: "llmLayerSplit", suggestion: [36] });
    const outside = await refused({ ckptDir: "/etc/ascend-mm" });
    expect(outside.message).toMatch(/outside the directories ascend-train may write/);
    expect((await refused({ hfDir: "/w/a\0b" })).message).toMatch(/hfDir contains a NUL/);
  });

  it("mm_to_hf checks the split against the marker, then writes HF weights", async () => {
    const src = join(wd, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    const target = join(wd, "ckpt/hf_back");
    const bad = await call({ model: "qwen2.5vl-7b", method: "mm_to_hf", targetDir: target, pp: 4 });
    const source = failed(bad).find((c) => c.id === "source")!;
    expect(source.message).toMatch(/different layout: pp 2 \(wanted 4\)/);
    expect(source.fix).toBe("Pass tp: 1, pp: 2, llmLayerSplit: [12,16], vitLayerSplit: [32,0].");
    const r = await call({ model: "qwen2.5vl-7b", method: "mm_to_hf", targetDir: target, confirm: true });
    expect(r.converted).toBe(true);
    expect(r.argv).toContain("[12,16]");
    expect(r.argv[r.argv.indexOf("--cfg.mm_dir") + 1]).toBe(src);
    expect(readdirSync(target)).toEqual(expect.arrayContaining(["config.json", "model.safetensors.index.json"]));
    expect(parseMarker(readFileSync(join(target, CONVERT_MARKER), "utf8"))!.format).toBe("hf");
  });

  it("resplit takes the source layout from the marker", async () => {
    const r = await call({
      model: "qwen2.5vl-7b",
      method: "resplit",
      targetDir: join(wd, "ckpt/re"),
      pp: 4,
    });
    expect(r.ready).toBe(true);
    expect(r.argv.join(" ")).toContain(
      "--cfg.source_parallel_config.llm_pp_layers [12,16] --cfg.source_parallel_config.vit_pp_layers [32,0] " +
        "--cfg.source_parallel_config.tp_size 1 --cfg.target_parallel_config.llm_pp_layers [7,7,7,7]",
    );
    const same = await call({ model: "qwen2.5vl-7b", method: "resplit", targetDir: join(wd, "ckpt/re2") });
    expect(failed(same)[0]!.message).toMatch(/already split as requested/);
  });

  it("a virtual pipeline: one mp_rank per pipeline rank, the rows in the marker; mm_to_hf of it is refused", async () => {
    progress = [];
    const out = join(wd, "ckpt/vpp2");
    const r = await call({ model: "qwen2.5vl-7b", ckptDir: out, vpp: 2, confirm: true });
    expect(r.converted).toBe(true);
    expect(r.argv[r.argv.indexOf("--cfg.parallel_config.llm_pp_layers") + 1]).toBe("[[7,7],[7,7]]");
    expect(readdirSync(join(out, "release")).sort()).toEqual(["mp_rank_00_000", "mp_rank_00_001"]);
    const marker = parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"));
    expect(marker?.vpp).toEqual({
      size: 2,
      llm: [
        [7, 7],
        [7, 7],
      ],
    });
    expect(marker?.layerSplit.llm).toEqual([14, 14]);
    const back = await refused({
      model: "qwen2.5vl-7b",
      ckptDir: out,
      vpp: 2,
      method: "mm_to_hf",
      targetDir: `${out}-hf`,
    });
    expect(back.message).toMatch(/^vpp: mm_to_hf reads one 'model' state dict per rank/);
  });

  it("saveVitOnly reaches mm-convert as --cfg.save_vit_only true", async () => {
    progress = [];
    const r = await call({ ckptDir: join(wd, "ckpt/vit-only"), saveVitOnly: true, confirm: true });
    expect(r.converted).toBe(true);
    expect(r.command).toContain("--cfg.save_vit_only true");
  });

  it("the simulated mm-convert runs the moe_expert command as convert_weights shapes it", () => {
    const out = join(root, "merged");
    const p = planConversion({
      workdir: wd,
      model: "glm4.5v-106b",
      release: "v26.0.0",
      method: "moe_expert",
      hfDir: join(wd, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"),
      targetDir: out,
    });
    execFileSync(join(root, "bin", "mm-convert"), p.argv.slice(1), { stdio: "pipe" });
    expect(readdirSync(out)).toEqual(expect.arrayContaining(["config.json", "model.safetensors.index.json"]));
    const bad = [...p.argv.slice(1)];
    bad[bad.indexOf("--style") + 1] = "fuse";
    expect(() => execFileSync(join(root, "bin", "mm-convert"), bad, { stdio: "pipe" })).toThrow(
      /Literal\['merge', 'split'\]/,
    );
  });

  it("a failing mm-convert is a tool error with its stderr", async () => {
    // The simulated converter has no resplit: it exits 2 with a usage line.
    let error: unknown;
    try {
      await call({ model: "qwen2.5vl-7b", method: "resplit", targetDir: join(wd, "ckpt/re3"), pp: 4, confirm: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toMatch(/mm-convert exited 2: cd .* mm-convert Qwen2_5_VLConverter resplit/);
    expect((error as Error).message).toMatch(/resplit is not supported/);
  });
});

describe("convert_weights on a scripted host", () => {
  it("runs mm-convert inside the CANN + venv prelude, in the workdir, with a finite timeout", async () => {
    const s = new ScriptedExecutor("h");
    const w = "/srv/mm";
    const hf = `${w}/ckpt/hf_path/Qwen2.5-VL-7B-Instruct`;
    const out = `${w}/ckpt/mm_path/Qwen2.5-VL-7B-Instruct`;
    const M = "@@ascend-convert";
    let converted = false;
    s.on(/^git -C/, { stdout: "v2.1.0\n" })
      // ensureWritablePath: the path and the allowed root, resolved (here: as given).
      .on(/^sh -c .*realpath -m/, (cmd) => ({ stdout: `${/ sh (\S+) \/srv$/.exec(cmd)![1]}\n/srv\n` }))
      .on(/exec mm-convert/, (_cmd, opts) => {
        opts.onStdout?.("Saved x (1/4)\n");
        converted = true;
        return { exitCode: 0, durationMs: 1234 };
      })
      .on(new RegExp(M), () => {
        const lines = converted
          ? [
              `output.real\t${out}`,
              "output.dir\t1",
              "output.entries\trelease/latest_checkpointed_iteration.txt/",
            ].concat([
              "output.tracker\trelease",
              "output.tracked\tmp_rank_00_000/mp_rank_00_001/mp_rank_00_002/mp_rank_00_003/",
            ])
          : [
              `hf.real\t${hf}`,
              "hf.dir\t1",
              "hf.entries\tconfig.json/model.safetensors.index.json/a.safetensors/",
              "hf.du\t1000",
              `output.real\t${out}`,
              "free\t999999999",
              "mmconvert\t/srv/venv/bin/mm-convert",
              "tag\tv2.1.0",
            ];
        return { stdout: lines.map((l) => `${M} ${l}\n`).join("") };
      });
    s.files.set(
      `${hf}/config.json`,
      JSON.stringify({
        num_hidden_layers: 28,
        hidden_size: 3584,
        num_attention_heads: 28,
        num_key_value_heads: 4,
        vision_config: { depth: 32 },
      }),
    );
    s.files.set(`${hf}/model.safetensors.index.json`, JSON.stringify({ weight_map: { x: "a.safetensors" } }));
    const settings = HostSettingsSchema.parse({
      workdir: w,
      venv: "/srv/venv",
      cannRoot: "/opt/Ascend",
      allowedDirs: ["/srv"],
    });
    const registry = new HostRegistry({ file: null, hosts: { h: settings } }, async () => s);
    progress = [];
    const r = await convertWeights.handle(
      convertWeights.input.parse({ model: "qwen2.5vl-7b", host: "h", confirm: true, timeoutMinutes: 30 }),
      { ...deps(), hosts: registry },
    );
    expect(r.release).toBe("v2.1.0");
    expect(flagOf(r.argv, "--cfg.parallel_config.llm_pp_layers")).toBe("[[1,10,10,7]]");
    const run = s.calls.find((c) => c.command.includes("exec mm-convert"))!;
    expect(run.opts.timeoutMs).toBe(30 * 60_000);
    const script = run.command;
    expect(script).toContain("/opt/Ascend/cann/set_env.sh");
    expect(script).toContain("VIRTUAL_ENV=/srv/venv; PATH=/srv/venv/bin:");
    expect(script).toContain("cd -- /srv/mm || exit 97");
    expect(script).not.toContain("rm -rf");
    expect(script).toContain(
      `exec mm-convert Qwen2_5_VLConverter hf_to_mm --cfg.mm_dir ${out} --cfg.hf_config.hf_dir ${hf} ` +
        "--cfg.parallel_config.llm_pp_layers '[[1,10,10,7]]' --cfg.parallel_config.vit_pp_layers '[[32,0,0,0]]' " +
        "--cfg.parallel_config.tp_size 1",
    );
    expect(progress.map((p) => p.message)).toContain("Saved x (1/4)");
    expect(parseMarker(s.files.get(`${out}/${CONVERT_MARKER}`)!)).toMatchObject({ pp: 4, release: "v2.1.0" });
    expect(r.durationMs).toBe(1234);
  });
});

const flagOf = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];
