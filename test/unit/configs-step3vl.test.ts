// Step3-VL 10B (v26.1.0) was only routed; build_configs now builds its native-trainer YAML and launch script
// (field by field against upstream in the registry test), and find_model answers with the model.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { lookupModel } from "../../src/knowledge/lookup.js";

describe("Step3-VL 10B", () => {
  it("builds the native-trainer YAML with the user's paths and a save directory", () => {
    const p = resolveTrainingPlan("step3_vl-10b", "v26.1.0", {
      hfDir: "/m/Step3-VL-10B",
      dataset: "/d/train.jsonl",
      saveDir: "/o/save",
    });
    expect(p.backend).toBe("native-fsdp");
    expect(p.parallel.npusPerNode).toBe(4);
    const yaml = p.files.find((f) => f.format === "yaml")!.value as {
      model: { model_name_or_path: string };
      training: { save: string };
      data: { dataset_param: { basic_parameters: { dataset: string; dataset_dir: string } } };
    };
    expect(yaml.model.model_name_or_path).toBe("/m/Step3-VL-10B");
    expect(yaml.training.save).toBe("/o/save");
    expect(yaml.data.dataset_param.basic_parameters).toMatchObject({ dataset: "/d/train.jsonl", dataset_dir: "/d" });
    expect(p.files.find((f) => f.format === "bash")!.text).toContain("mindspeed_mm/fsdp/train/trainer.py");
    expect(p.warnings.join("\n")).toMatch(/training\.save: upstream's example names no save directory/);
    expect(() => resolveTrainingPlan("step3_vl-10b", "v26.0.0", {})).toThrow(/not in MindSpeed-MM v26\.0\.0/);
  });

  it("is found as a model, not a pointer", () => {
    const hit = lookupModel("stepfun-ai/Step3-VL-10B");
    expect(hit.status).toBe("model");
  });
});
