// examples/mcore/qwen3_5 (v26.1.0): Qwen3.5-35B-A3B on Megatron core, built as variant "mcore" of qwen3_5-35b. The
// configs equal upstream's (configs-upstream-registry.test.ts compares them value for value); the host setup its README
// asks for (its own MindSpeed commit, Triton-Ascend, the fla-npu kernel build) is stated as a plan, never run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PlanError, resolveTrainingPlan } from "../../src/configs/index.js";
import { planConversion } from "../../src/convert/plan.js";
import { lookupModel } from "../../src/knowledge/lookup.js";
import { getModel } from "../../src/knowledge/models.js";

const README = readFileSync(
  join(import.meta.dirname, "../fixtures/upstream-readme/v26.1.0/mcore/qwen3_5/README.md"),
  "utf8",
);

describe("Qwen3.5-35B on Megatron core (variant mcore)", () => {
  const plan = resolveTrainingPlan("qwen3_5-35b", "v26.1.0", { variant: "mcore" });
  const yaml = plan.files.find((f) => f.role === "train-config")!;
  const script = plan.files.find((f) => f.format === "bash")!.text;

  it("writes upstream's YAML and script: Megatron TP 2 / EP 8 in gpt_args, the model's own pretrain script", () => {
    expect(plan.errors).toEqual([]);
    expect(plan.backend).toBe("megatron-yaml");
    expect(plan.files.map((f) => f.name)).toEqual(["qwen3_5_35B_config.yaml", "finetune_qwen3_5_35B.sh"]);
    const value = parse(yaml.text) as { gpt_args: Record<string, unknown>; model: { patch: Record<string, unknown> } };
    expect(value.gpt_args.tensor_model_parallel_size).toBe(2);
    expect(value.gpt_args.expert_model_parallel_size).toBe(8);
    expect(value.gpt_args.load).toBe("ckpt/Qwen3.5-35B-A3B");
    expect(value.model.patch.bridge_patch).toBe(true);
    expect(script).toMatch(
      /torchrun \$DISTRIBUTED_ARGS mindspeed_mm\/mcore\/models\/qwen3_5\/pretrain_qwen3_5\.py \$\{config_path\} \\\n\s+--distributed-backend nccl/,
    );
    expect(plan.parallel).toMatchObject({ tp: 2, ep: 8, pp: 1, dp: 8, worldSize: 16 });
    expect(plan.gradAccSteps).toBe(2);
  });

  it("takes the user's parallelism into gpt_args and the decoder, and refuses a pipeline it has no split for", () => {
    const p = resolveTrainingPlan("qwen3_5-35b", "v26.1.0", { variant: "mcore", tp: 1, ep: 4, seqLength: 4096 });
    expect(p.errors).toEqual([]);
    const v = parse(p.files[0]!.text) as {
      gpt_args: Record<string, unknown>;
      model: { text_decoder: Record<string, unknown> };
    };
    expect([v.gpt_args.tensor_model_parallel_size, v.model.text_decoder.tensor_model_parallel_size]).toEqual([1, 1]);
    expect([v.gpt_args.expert_model_parallel_size, v.model.text_decoder.expert_model_parallel_size]).toEqual([4, 4]);
    expect([v.gpt_args.seq_length, v.model.text_decoder.seq_length]).toEqual([4096, 4096]);
    const piped = resolveTrainingPlan("qwen3_5-35b", "v26.1.0", { variant: "mcore", pp: 2 });
    expect(piped.errors.map((e) => e.field)).toContain("pp");
    // TP has to divide the YAML's 16 attention heads and 2 query groups.
    const wide = resolveTrainingPlan("qwen3_5-35b", "v26.1.0", { variant: "mcore", tp: 4 });
    expect(wide.errors.find((e) => e.field === "tp")?.message).toMatch(/num_query_groups 2/);
    expect(wide.errors.find((e) => e.field === "tp")?.suggestion).toBe(2);
  });

  it("states the README's install steps as a plan to confirm, not the native recipe's environment", () => {
    const setup = plan.warnings.find((w) => w.includes("needs host setup"))!;
    expect(setup).toMatch(/build_configs runs none of them/);
    for (const step of [
      "bash scripts/install.sh --msid eb10b92 --megatron && bash examples/qwen3_5/install_extensions.sh",
      "pip install triton-ascend==3.2.1",
      "git checkout c2e3d83f",
      "--pkg --vendor_name=fla_npu",
    ]) {
      expect(setup).toContain(step);
      expect(README).toContain(step);
    }
    expect(plan.warnings.join("\n")).not.toMatch(/needs its own Python environment/);
    // The native recipe keeps its own note.
    expect(resolveTrainingPlan("qwen3_5-35b", "v26.1.0").warnings.join("\n")).toMatch(/own Python environment/);
  });

  it("exists only at v26.1.0, needs no conversion, and find_model points at it", () => {
    expect(() => resolveTrainingPlan("qwen3_5-35b", "v26.0.0", { variant: "mcore" })).toThrow(PlanError);
    expect(() => planConversion({ workdir: "/w", model: "qwen3_5-35b", release: "v26.1.0", variant: "mcore" })).toThrow(
      /loads the Hugging Face weights directly/,
    );
    expect(getModel("qwen3_5-9b")?.recipes.map((r) => r.variant)).toEqual([""]);
    const route = lookupModel("qwen3.5 mcore");
    expect(route.status).toBe("route");
    expect(route.status === "route" && route.route.summary).toMatch(/variant "mcore"/);
    expect(route.status === "route" && route.route.entry).toMatch(
      /^mindspeed_mm\/mcore\/models\/qwen3_5\/pretrain_qwen3_5\.py/,
    );
  });
});
