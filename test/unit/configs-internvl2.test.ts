// InternVL2 2B/8B/26B/76B (v2.1.0, v2.2.0) were only routed; build_configs now builds each size's data/model JSON
// and script (field by field against upstream in the registry test), the 8B virtual-pipeline example too, and
// convert_weights converts them.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { planConversion } from "../../src/convert/plan.js";
import { lookupModel } from "../../src/knowledge/lookup.js";
import { parseLaunchScript } from "../../src/runs/launch-script.js";
import { describeRun } from "../../src/runs/run-config.js";

describe("InternVL2", () => {
  it("builds every size at v2.1.0 and v2.2.0, and none at v2.3.0", () => {
    for (const size of ["2b", "8b", "26b", "76b"]) {
      for (const release of ["v2.1.0", "v2.2.0"]) {
        const p = resolveTrainingPlan(`internvl2-${size}`, release, {});
        expect(p.errors).toEqual([]);
        expect(p.files.map((f) => f.name)).toEqual([
          `data_${size.toUpperCase()}.json`,
          `model_${size.toUpperCase()}.json`,
          `finetune_internvl2_${size.toUpperCase()}.sh`,
        ]);
      }
      expect(() => resolveTrainingPlan(`internvl2-${size}`, "v2.3.0", {})).toThrow(/not in MindSpeed-MM v2\.3\.0/);
    }
  });

  it("keeps the 76B split with empty leading LLM stages and converts with the same split", () => {
    const p = resolveTrainingPlan("internvl2-76b", "v2.2.0", {});
    expect(p.layerSplit.llm?.slice(0, 4)).toEqual([0, 0, 0, 1]);
    const c = planConversion({ workdir: "/w", model: "internvl2-76b", release: "v2.2.0" });
    expect(c.argv).toContain("--cfg.trust_remote_code");
    expect(c.argv.join(" ")).toContain("[[0,0,0,1,5,6,7,7,7,7,7,7,7,7,6,6]]");
    expect(lookupModel("OpenGVLab/InternVL2-8B").status).toBe("model");
  });
});

describe("InternVL2-8B with a virtual pipeline (VPP)", () => {
  it("writes one pipeline row per virtual stage, the VPP flag, and converts with the same rows", () => {
    const p = resolveTrainingPlan("internvl2-8b", "v2.2.0", { variant: "vpp" });
    expect(p.vpp).toBe(3);
    const model = p.files.find((f) => f.role === "model-config")!;
    expect(model.name).toBe("model_8B_vpp.json");
    const td = (model.value as { text_decoder: { pipeline_num_layers: number[][] } }).text_decoder;
    expect(td.pipeline_num_layers).toEqual([
      [0, 0, 0, 1],
      [4, 4, 4, 4],
      [4, 4, 4, 3],
    ]);
    const script = p.files.find((f) => f.format === "bash")!.text;
    expect(script).toContain("--virtual-pipeline-model-parallel-size 3");
    const c = planConversion({ workdir: "/w", model: "internvl2-8b", release: "v2.2.0", variant: "vpp" });
    const at = c.argv.indexOf("--cfg.parallel_config.llm_pp_layers");
    expect(c.argv[at + 1]).toBe("[[0,0,0,1],[4,4,4,4],[4,4,4,3]]");
    expect(() =>
      planConversion({
        workdir: "/w",
        model: "internvl2-8b",
        release: "v2.2.0",
        variant: "vpp",
        method: "mm_to_hf",
        targetDir: "/w/hf",
      }),
    ).toThrow(/virtual-pipeline checkpoint/);
    // The launch's own reading of the config: a rank holds its column's sum, so pre-flight compares [8,8,8,8].
    const cfg = describeRun(parseLaunchScript(script), { model: model.value });
    expect(cfg.llmSplit).toEqual([8, 8, 8, 8]);
    expect(cfg.issues).toEqual([]);
  });

  it("runs without VPP, and says so, when the pipeline changes", () => {
    const p = resolveTrainingPlan("internvl2-8b", "v2.2.0", { variant: "vpp", pp: 2 });
    expect(p.vpp).toBeUndefined();
    expect(p.files.find((f) => f.format === "bash")!.text).not.toContain("--virtual-pipeline");
    expect(p.warnings.join("\n")).toMatch(/runs without VPP/);
  });
});
