// Converter methods convert_weights used to refuse, checked against upstream's own argument definitions (stored in
// test/fixtures/upstream-checkpoint per release): hf_to_mm_ldt, the moe_expert command and --cfg.save_vit_only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertChecks, planConversion } from "../../src/convert/index.js";
import { checkLdtRows, defaultLdtRows } from "../../src/convert/ldt.js";
import type { ConvertRequest } from "../../src/convert/plan.js";
import { converterMethods, getConvertCommand, SAVE_VIT_ONLY } from "../../src/knowledge/converters.js";
import { RELEASE_TAGS } from "../../src/knowledge/release-tags.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/upstream-checkpoint");
const read = (tag: string, file: string) => readFileSync(join(FIXTURES, tag, file), "utf8");
const files = (tag: string) => read(tag, "checkpoint-files.txt").split("\n");
const plan = (req: Omit<ConvertRequest, "workdir">) => planConversion({ workdir: "/w", ...req });
const flag = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];
const flagsOf = (argv: string[]) => argv.filter((a) => a.startsWith("--"));

/** Parameters of a Python def: name -> has a default. */
function pythonParams(source: string, fn: string): Map<string, boolean> {
  const head = new RegExp(`def ${fn}\\(([^)]*)\\)`).exec(source);
  if (!head) throw new Error(`no def ${fn}`);
  const out = new Map<string, boolean>();
  for (const part of head[1]!.split(/,(?![^[]*\])/)) {
    const name = part.split(":")[0]!.trim();
    if (name) out.set(name, part.includes("="));
  }
  return out;
}

/** Field names of a pydantic class body. */
function classFields(source: string, cls: string): string[] {
  const start = source.indexOf(`class ${cls}(`);
  if (start < 0) return [];
  const body = source.slice(start).split("\n").slice(1);
  const end = body.findIndex((l) => /^\S/.test(l));
  return body
    .slice(0, end < 0 ? undefined : end)
    .map((l) => /^ {4}(\w+):/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n));
}

describe("moe_expert (checkpoint/vlm_model/converters/moe_expert.py)", () => {
  const command = getConvertCommand("moe_expert")!;

  it("exists at exactly the releases the knowledge names, as a command of its own", () => {
    for (const tag of RELEASE_TAGS) {
      const has = files(tag).includes("checkpoint/vlm_model/converters/moe_expert.py");
      expect({ tag, has }).toEqual({ tag, has: command.releases.includes(tag) });
      if (has) expect(read(tag, "moe_expert.py")).toContain("Commandable.add_command(moe_expert)");
    }
  });

  it.each(["v2.3.0", "v26.0.0", "v26.1.0"] as const)(
    "%s: the flags are the function's parameters, the style one of its Literal values, the configs the ones it knows",
    (tag) => {
      const source = read(tag, "moe_expert.py");
      const params = pythonParams(source, "moe_expert");
      for (const style of ["merge", "split"] as const) {
        const p = plan({
          model: "internvl3.5",
          release: tag,
          method: "moe_expert",
          moeStyle: style,
          targetDir: "/w/out",
        });
        expect(p.argv.slice(0, 2)).toEqual(["mm-convert", "moe_expert"]);
        const given = flagsOf(p.argv).map((f) => f.slice(2));
        expect(given.every((f) => params.has(f))).toBe(true);
        const required = [...params].filter(([, hasDefault]) => !hasDefault).map(([n]) => n);
        expect(required.every((n) => given.includes(n))).toBe(true);
        expect(flag(p.argv, "--style")).toBe(style);
        expect(flag(p.argv, "--save_dir")).toBe("/w/out");
        expect(p.direction).toBe("experts");
        expect(p.paths.input).toBe(flag(p.argv, "--hf_dir"));
      }
      expect(/style: Literal\["merge", "split"\]/.test(source)).toBe(true);
      const known = [...source.matchAll(/config\.__class__\.__name__ == "(\w+)"/g)].map((m) => m[1]);
      expect(new Set(known)).toEqual(new Set(command.configClasses));
    },
  );

  it("is refused where it does not apply: before v2.3.0, for dense models, without a target", () => {
    expect(() => plan({ model: "internvl3.5", release: "v2.2.0", method: "moe_expert", targetDir: "/w/o" })).toThrow(
      /does not exist in MindSpeed-MM v2\.2\.0/,
    );
    expect(() => plan({ model: "qwen2.5vl-7b", release: "v26.0.0", method: "moe_expert", targetDir: "/w/o" })).toThrow(
      /InternVLChatConfig, Qwen3OmniMoeConfig, Glm4vMoeConfig/,
    );
    expect(() => plan({ model: "glm4.5v-106b", release: "v26.1.0", method: "moe_expert" })).toThrow(/targetDir/);
    expect(plan({ model: "glm4.5v-106b", release: "v26.1.0", method: "moe_expert", targetDir: "/w/m" }).argv).toEqual([
      "mm-convert",
      "moe_expert",
      "--style",
      "merge",
      "--hf_dir",
      "/w/ckpt/hf_path/GLM-4.5V",
      "--save_dir",
      "/w/m",
    ]);
  });
});

describe("--cfg.save_vit_only (ConvertVppMMConfig)", () => {
  it.each(RELEASE_TAGS)("%s: a field of hf_to_mm's config, and filter_vit_keys keeps only visual.* keys", (tag) => {
    expect(classFields(read(tag, "config.py"), "ConvertVppMMConfig")).toContain("save_vit_only");
    // hf_to_mm_dcp's config has no such field: pydantic would refuse it.
    expect(classFields(read(tag, "config.py"), "ConvertTorchDCPConfig")).not.toContain("save_vit_only");
    expect(read(tag, "hf_to_mm.py")).toMatch(/def filter_vit_keys[\s\S]{0,200}startswith\("visual"\)/);
  });

  it("is passed for Qwen2-VL / Qwen2.5-VL hf_to_mm and refused where it would keep nothing", () => {
    for (const [model, release] of [
      ["qwen2.5vl-7b", "v2.1.0"],
      ["qwen2vl-7b", "v26.0.0"],
    ] as const) {
      const p = plan({ model, release, saveVitOnly: true });
      expect(flag(p.argv, "--cfg.save_vit_only")).toBe("true");
      expect(p.notes.join("\n")).toMatch(/Only the ViT and projector/);
    }
    expect(plan({ model: "qwen2.5vl-7b", release: "v26.0.0" }).argv).not.toContain("--cfg.save_vit_only");
    // InternVL's ViT is vision_model.*: filter_vit_keys would drop it.
    expect(() => plan({ model: "internvl3-8b", release: "v26.0.0", saveVitOnly: true })).toThrow(/start with "visual"/);
    expect(() =>
      plan({ model: "qwen2.5vl-72b", release: "v26.0.0", variant: "fsdp", method: "hf_to_mm_dcp", saveVitOnly: true }),
    ).toThrow(/saveVitOnly|start with "visual"/);
    expect(SAVE_VIT_ONLY.map((c) => c.className)).toEqual(["Qwen2VLConverter", "Qwen2_5_VLConverter"]);
  });

  it("fails the check when the checkpoint names its ViT model.visual.* (newer transformers keys)", () => {
    const p = plan({ model: "qwen2.5vl-7b", release: "v26.0.0", saveVitOnly: true });
    const dir = (path: string, entries: string[]) => ({
      path,
      real: path,
      exists: true,
      isDir: true,
      entries,
      sizeKb: 1000,
      tracker: null,
      trackedEntries: [],
      marker: null,
      dcpMetadata: false,
    });
    const shards = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"];
    const index = (prefix: string) =>
      JSON.stringify({
        weight_map: {
          [`${prefix}visual.blocks.0.attn.qkv.weight`]: shards[0],
          "model.language_model.layers.0.mlp.up_proj.weight": shards[1],
        },
      });
    const checks = (indexText: string) =>
      convertChecks({
        plan: p,
        facts: {
          hf: dir(p.paths.hfDir, ["config.json", "model.safetensors.index.json", ...shards]),
          input: null,
          output: { ...dir(p.paths.ckptDir, []), exists: false },
          freeKb: 1e9,
          mmConvert: "/usr/bin/mm-convert",
          checkoutTag: "v26.0.0",
          busy: [],
        },
        hfConfigText: "{}",
        hfIndexText: indexText,
        overwrite: false,
        pythonEnv: null,
      }).checks.map((c) => c.message);
    expect(checks(index("model.")).join("\n")).toMatch(/save_vit_only keeps only keys starting with "visual"/);
  });
});

describe("hf_to_mm_ldt (v26.1.0, layerwise disaggregated training)", () => {
  const doc = read("v26.1.0", "layerwise_disaggregated_training.md");
  // The README's first command: edge side, tp 2, pp 5.
  const example = /mm-convert Qwen2_5_VLConverter hf_to_mm_ldt \\\n([\s\S]*?)```/.exec(doc)![1]!;
  const docFlags = Object.fromEntries(
    [...example.matchAll(/(--cfg\.\S+) (\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")]),
  );
  const LLM = JSON.parse(docFlags["--cfg.parallel_config.llm_pp_layers"]!) as number[][];
  const VIT = JSON.parse(docFlags["--cfg.parallel_config.vit_pp_layers"]!) as number[][];

  it("is a method of Qwen2_5_VLConverter at v26.1.0 only, taking hf_to_mm's config", () => {
    const source = read("v26.1.0", "qwen2_5vl.py");
    expect(source).toMatch(/def hf_to_mm_ldt\(cfg: ConvertVppMMConfigQwen2_5\)/);
    expect(source).toMatch(/def hf_to_mm\(cfg: ConvertVppMMConfigQwen2_5\)/);
    for (const tag of RELEASE_TAGS) {
      const has = files(tag).includes("checkpoint/vlm_model/hf_to_mm_ldt.py");
      const known = converterMethods("Qwen2_5_VLConverter", tag)?.some((m) => m.name === "hf_to_mm_ldt") ?? false;
      expect({ tag, has }).toEqual({ tag, has: known });
    }
    expect(() =>
      plan({ model: "qwen2.5vl-32b", release: "v26.0.0", method: "hf_to_mm_ldt", pp: 5, tp: 2, npusPerNode: 10 }),
    ).toThrow(/no hf_to_mm_ldt method in v26\.0\.0/);
  });

  it("builds upstream's documented command for Qwen2.5-VL-32B, flag for flag", () => {
    const p = plan({
      model: "qwen2.5vl-32b",
      release: "v26.1.0",
      method: "hf_to_mm_ldt",
      tp: 2,
      pp: 5,
      npusPerNode: 10,
      hfDir: `/w/${docFlags["--cfg.hf_config.hf_dir"]}`,
      ckptDir: `/w/${docFlags["--cfg.mm_dir"]}`,
      vppLlmLayerSplit: LLM,
      vppVitLayerSplit: VIT,
    });
    expect(p.argv.slice(0, 3)).toEqual(["mm-convert", "Qwen2_5_VLConverter", "hf_to_mm_ldt"]);
    expect(new Set(flagsOf(p.argv))).toEqual(new Set(Object.keys(docFlags)));
    for (const [name, value] of Object.entries(docFlags)) {
      const ours = flag(p.argv, name)!;
      expect(name.includes("_dir") ? ours.replace(/^\/w\//, "") : ours).toBe(value.replaceAll(" ", ""));
    }
    expect(p.notes.join("\n")).toMatch(/layerwise_disaggregated_training": true/);
  });

  it("defaults to the U shape for the pipeline and refuses rows, pipelines and LoRA LDT does not support", () => {
    const rows = defaultLdtRows(64, 32, 5);
    expect(rows.llm).toEqual([
      [0, 0, 0, 0, 0],
      [0, 16, 16, 16, 16],
      [0, 0, 0, 0, 0],
    ]);
    expect(rows.vit[1]).toEqual([1, 0, 0, 0, 0]);
    expect(checkLdtRows(rows, 64, 32, 5)).toEqual([]);
    expect(checkLdtRows({ llm: LLM, vit: VIT }, 64, 32, 5)).toEqual([]);
    const p = plan({
      model: "qwen2.5vl-32b",
      release: "v26.1.0",
      method: "hf_to_mm_ldt",
      tp: 2,
      pp: 5,
      npusPerNode: 10,
    });
    expect(flag(p.argv, "--cfg.parallel_config.llm_pp_layers")).toBe(JSON.stringify(rows.llm));
    expect(() =>
      plan({
        model: "qwen2.5vl-32b",
        release: "v26.1.0",
        method: "hf_to_mm_ldt",
        tp: 2,
        pp: 5,
        npusPerNode: 10,
        vppLlmLayerSplit: LLM.slice(0, 2),
        vppVitLayerSplit: VIT.slice(0, 2),
      }),
    ).toThrow(/exactly 3 virtual stages/);
    expect(() =>
      plan({
        model: "qwen2.5vl-32b",
        release: "v26.1.0",
        method: "hf_to_mm_ldt",
        variant: "lora",
        tp: 2,
        pp: 5,
        npusPerNode: 10,
      }),
    ).toThrow(/does not support LoRA/);
    expect(checkLdtRows(defaultLdtRows(64, 32, 1), 64, 32, 1).join()).toMatch(/pp=1/);
  });
});
