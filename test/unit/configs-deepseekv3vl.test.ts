// DeepSeek-V3-VL (examples/deepseekvl2/finetune_deepseekv3_vl.sh, v2.1.0 … v26.0.0) was refused; build_configs now
// builds it (field by field against upstream in the registry test) and find_model answers with it.
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { lookupModel } from "../../src/knowledge/lookup.js";

describe("DeepSeek-V3-VL", () => {
  it("builds the 64-node TP8 PP8 EP8 example with MLA q-LoRA, YaRN rope and fused MoE flags", () => {
    const p = resolveTrainingPlan("deepseekvl2-671b", "v26.0.0", {});
    expect(p.parallel).toMatchObject({ tp: 8, pp: 8, ep: 8, nodes: 64, npusPerNode: 8 });
    expect(p.layerSplit.llm).toEqual([6, 8, 8, 8, 8, 8, 8, 7]);
    const script = p.files.find((f) => f.format === "bash")!.text;
    for (const flag of ["--q-lora-rank 1536", "--rope-scaling-type yarn", "--sequence-parallel", "--moe-grouped-gemm"])
      expect(script).toContain(flag);
    const model = p.files.find((f) => f.role === "model-config")!;
    expect(model.name).toBe("model_deepseekv3_vl.json");
    expect((model.value as { text_decoder: { num_moe_experts: number } }).text_decoder.num_moe_experts).toBe(256);
    expect(
      resolveTrainingPlan("deepseekvl2-671b", "v2.1.0", {}).files.find((f) => f.format === "bash")!.text,
    ).toContain("--trust-remote-code");
    expect(() => resolveTrainingPlan("deepseekvl2-671b", "v26.1.0", {})).toThrow(/not in MindSpeed-MM v26\.1\.0/);
    const hit = lookupModel("deepseekv3_vl");
    expect(hit.status === "model" && hit.model.id).toBe("deepseekvl2-671b");
  });
});
