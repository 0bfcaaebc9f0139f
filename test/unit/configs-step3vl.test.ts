// Step3-VL 10B, Qwen3.6 27B/35B and MiMo-V2.5 (v26.1.0) were only routed; build_configs now builds their native-trainer YAML and
// launch script (field by field against upstream in the registry test), find_model answers with the model, and
// install_stack installs Qwen3.6's pins.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { modelOverlay } from "../../src/install/pins.js";
import { lookupModel } from "../../src/knowledge/lookup.js";
import { getModel } from "../../src/knowledge/models.js";
import { getRelease } from "../../src/knowledge/releases.js";

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

describe("Qwen3.6", () => {
  it("builds 27B and 35B from the Qwen3.5 layout with the triton conv kernel and a DCP load", () => {
    const p = resolveTrainingPlan("qwen3_6-35b", "v26.1.0", {});
    const yaml = p.files.find((f) => f.format === "yaml")!.value as {
      model: Record<string, unknown>;
      training: Record<string, unknown>;
    };
    expect(yaml.model.causal_conv1d_implementation).toBe("triton");
    expect(yaml.model.model_id).toBe("qwen3_5_moe");
    expect(yaml.training.load).toBe("./ckpt/hf_path/Qwen36-xxB-dcp");
    expect("load_format" in yaml.training).toBe(false);
    expect(p.files.map((f) => f.name)).toEqual(["qwen3_6_35B_config.yaml", "finetune_qwen3_6_35B.sh"]);
    expect(lookupModel("Qwen/Qwen3.6-27B").status).toBe("model");
  });

  it("gets transformers 5.2.0 with Triton-Ascend and accelerate in its own environment", () => {
    const overlay = modelOverlay(getRelease("v26.1.0"), getModel("qwen3_6-27b")!)!;
    expect(overlay.transformers).toEqual({ version: "5.2.0" });
    expect(overlay.packages).toEqual(["triton-ascend==3.2.0", "accelerate==1.2.0"]);
    expect(overlay.isolated).toBe(true);
  });
});

describe("MiMo-V2.5", () => {
  it("builds the native-trainer YAML at v26.1.0 with the user's HF directory and a save directory", () => {
    const p = resolveTrainingPlan("mimov2_5", "v26.1.0", { hfDir: "/m/MiMo-V2.5", saveDir: "/o/s" });
    const yaml = p.files.find((f) => f.format === "yaml")!.value as {
      model: { model_id: string; model_name_or_path: string };
      training: { save: string };
    };
    expect(yaml.model).toMatchObject({ model_id: "mimo_v25", model_name_or_path: "/m/MiMo-V2.5" });
    expect(yaml.training.save).toBe("/o/s");
    expect(p.parallel.npusPerNode).toBe(16);
    expect(lookupModel("XiaomiMiMo/MiMo-V2.5").status).toBe("model");
    expect(getModel("mimov2_5")!.notes.join(" ")).toMatch(/reduced layers on one node/);
  });
});
