// Qwen3-VL at v2.2.0 and v2.3.0: pretrain_transformers.py with data/model JSON and fsdp2_config.yaml, one script per
// size at v2.3.0 and one generic MoE script at v2.2.0 (field by field against upstream in the registry test).
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { planConversion } from "../../src/convert/plan.js";
import { lookupModel } from "../../src/knowledge/lookup.js";

const names = (release: string, id: string) =>
  resolveTrainingPlan(id, release, {}).files.map((f) => [f.name, f.role, f.format]);

describe("Qwen3-VL before the unified YAML", () => {
  it("v2.3.0 builds 8B, 30B and 235B from their own data/model JSON and script", () => {
    for (const [id, size] of [
      ["qwen3vl-8b", "8B"],
      ["qwen3vl-30b", "30B"],
      ["qwen3vl-235b", "235B"],
    ] as const) {
      expect(names("v2.3.0", id)).toEqual([
        [`data_${size}.json`, "data-config", "json"],
        [`model_${size}.json`, "model-config", "json"],
        ["fsdp2_config.yaml", "train-config", "yaml"],
        [`finetune_qwen3vl_${size}.sh`, "launch-script", "bash"],
      ]);
    }
    const p = resolveTrainingPlan("qwen3vl-30b", "v2.3.0", {});
    expect(p.backend).toBe("megatron-fsdp2");
    expect(p.entry).toBe("pretrain_transformers.py");
    const model = p.files.find((f) => f.role === "model-config")!.value as { model_id: string };
    expect(model.model_id).toBe("qwen3_vl_moe");
    const script = p.files.find((f) => f.format === "bash")!.text;
    expect(script).toContain("--calculate-per-token-loss");
    expect(script).toContain("--init-model-with-meta-device");
    expect(p.parallel.npusPerNode).toBe(16);
  });

  it("v2.2.0 builds the MoE sizes from the generic script, with 30B's numbers where the file has 235B's", () => {
    expect(names("v2.2.0", "qwen3vl-235b").map(([n]) => n)).toEqual([
      "data.json",
      "model.json",
      "fsdp2_config.yaml",
      "finetune_qwen3vl.sh",
    ]);
    const p = resolveTrainingPlan("qwen3vl-30b", "v2.2.0", {});
    const td = (p.files.find((f) => f.role === "model-config")!.value as { text_decoder: Record<string, number> })
      .text_decoder;
    expect([td.num_layers, td.hidden_size, td.num_attention_heads]).toEqual([48, 2048, 32]);
    expect(p.warnings.join("\n")).toMatch(/sized for Qwen3-VL-235B-A22B/);
    expect(() => resolveTrainingPlan("qwen3vl-8b", "v2.2.0", {})).toThrow(/not in MindSpeed-MM v2\.2\.0/);
  });

  it("converts with hf_to_dcp at v2.3.0 and loads the HF weights directly at v2.2.0", () => {
    const v23 = planConversion({ workdir: "/w", model: "qwen3vl-8b", release: "v2.3.0" });
    expect(v23.argv.slice(0, 3)).toEqual(["mm-convert", "Qwen3VLConverter", "hf_to_dcp"]);
    expect(() => planConversion({ workdir: "/w", model: "qwen3vl-235b", release: "v2.2.0" })).toThrow(
      /loads the Hugging Face weights directly/,
    );
  });

  it("find_model's answer names the v2.2.0 and v2.3.0 layouts", () => {
    const hit = lookupModel("Qwen3-VL-30B-A3B-Instruct");
    expect(JSON.stringify(hit)).toMatch(/v2\.2\.0.*generic finetune_qwen3vl\.sh/);
  });
});
