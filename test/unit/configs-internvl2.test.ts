// InternVL2 2B/8B/26B/76B (v2.1.0, v2.2.0) were only routed; build_configs now builds each size's data/model JSON
// and script (field by field against upstream in the registry test) and convert_weights converts them.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { planConversion } from "../../src/convert/plan.js";
import { lookupModel } from "../../src/knowledge/lookup.js";

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
