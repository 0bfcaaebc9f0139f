// Every (model, variant, release) build_configs offers, compared with upstream's example files at that tag: every
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in script samples
// JSON/YAML value, exported variable, torchrun argument and launch flag. A difference must be recorded in the
// registry with its reason (upstreamDifferences); the recorded ones reach the user as build_configs warnings.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { MODELS, recipeAt } from "../../src/knowledge/models.js";
import { comparePlan, readScript, UPSTREAM_ROOT } from "./configs-upstream-compare.js";

const USER_PATHS = {
  hfDir: "/data/hf/m",
  ckptDir: "/data/mm/m",
  saveDir: "/data/out",
  dataset: "/data/ds/train.json",
  outputDir: "/work/cfg",
};

const pairs = MODELS.flatMap((m) =>
  m.recipes.flatMap((r) => r.releases.map((release) => ({ model: m, variant: r.variant, release }))),
);

function compared(p: (typeof pairs)[number]) {
  const plan = resolveTrainingPlan(p.model.id, p.release, { ...USER_PATHS, variant: p.variant });
  const recipe = recipeAt(p.model, p.release, p.variant)!;
  const recorded = new Set((recipe.upstreamDifferences ?? []).map((d) => d.key));
  const result = comparePlan(plan);
  return { plan, recipe, result, recorded };
}

describe("every registry pair against upstream's files at its tag", () => {
  it("has an upstream fixture for every file of every pair", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(107);
    const missing = pairs.flatMap((p) =>
      resolveTrainingPlan(p.model.id, p.release, { variant: p.variant })
        .files.map((f) => join(UPSTREAM_ROOT, p.release, f.upstream.replace(/^examples\//, "")))
        .filter((path) => !existsSync(path)),
    );
    expect(missing).toEqual([]);
  });

  it("builds every pair with its defaults (a refused pair would compare no files)", () => {
    const refused = pairs.flatMap((p) =>
      resolveTrainingPlan(p.model.id, p.release, { ...USER_PATHS, variant: p.variant }).errors.map(
        (e) => `${p.model.id} ${p.variant || "default"} ${p.release}: ${e.message}`,
      ),
    );
    expect(refused).toEqual([]);
  });

  it("leaves no difference unexplained", () => {
    const unexplained: string[] = [];
    const totals = { equal: 0, different: 0, missing: 0, extra: 0 };
    let exact = 0;
    for (const p of pairs) {
      const { result, recorded } = compared(p);
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += result.counts[k];
      if (result.diffs.length === 0) exact++;
      for (const d of result.diffs) {
        if (recorded.has(d.key)) continue;
        unexplained.push(
          `${p.model.id} ${p.variant || "default"} ${p.release}: ${d.kind} ${d.key} upstream=${d.upstream ?? "-"} generated=${d.generated ?? "-"}`,
        );
      }
    }
    console.info(`upstream comparison: ${pairs.length} pairs, ${exact} identical`, totals);
    expect(unexplained).toEqual([]);
    expect(totals.equal).toBeGreaterThan(15000);
  });

  it("records no difference that does not occur", () => {
    const stale: string[] = [];
    for (const p of pairs) {
      const { result, recorded } = compared(p);
      const found = new Set(result.diffs.map((d) => d.key));
      for (const key of recorded) if (!found.has(key)) stale.push(`${p.model.id} ${p.variant} ${p.release}: ${key}`);
    }
    expect(stale).toEqual([]);
  });

  it("shows each recorded difference to the user as a build_configs warning", () => {
    const withDifferences = pairs.filter(
      (p) => (recipeAt(p.model, p.release, p.variant)!.upstreamDifferences ?? []).length,
    );
    expect(withDifferences.length).toBeGreaterThan(0);
    for (const p of withDifferences) {
      const { plan, recipe } = compared(p);
      for (const d of recipe.upstreamDifferences ?? []) {
        expect(plan.warnings.some((w) => w.includes(d.key) && w.includes(d.reason))).toBe(true);
      }
    }
  });
});

describe("the comparison itself", () => {
  it("sees a dropped flag, a changed value and an extra export", () => {
    const upstream = readScript(
      'export A=1\nTP=2\nGPT_ARGS="\n    --tp ${TP} \\\n    --swap-attention \\\n"\ntorchrun $DISTRIBUTED_ARGS pretrain_vlm.py \\\n    $GPT_ARGS \\\n    2>&1 | tee x.log\n',
    );
    const generated = readScript(
      'export A=1\nexport B=2\nTP=4\nGPT_ARGS="\n    --tp ${TP}\n"\ntorchrun $DISTRIBUTED_ARGS pretrain_vlm.py \\\n    $GPT_ARGS \\\n    2>&1 | tee x.log\n',
    );
    expect(upstream.flags.get("--swap-attention")).toBe("");
    expect(generated.flags.has("--swap-attention")).toBe(false);
    expect(upstream.flags.get("--tp")).toBe("2");
    expect(generated.flags.get("--tp")).toBe("4");
    expect(generated.env.get("B")).toBe("2");
    expect(upstream.torchrun.get("entry")).toBe("pretrain_vlm.py");
  });

  it("reads the node count from a hostfile as the plan's", () => {
    const facts = readScript(
      'HOSTFILE="examples/x/hostfile.txt"\nNPUS_PER_NODE=8\nNNODES=$(cat $HOSTFILE | wc -l)\nWORLD_SIZE=$(($NPUS_PER_NODE*$NNODES))\nDISTRIBUTED_ARGS="\n    --nnodes $NNODES\n"\nG="\n    --gbs $(($WORLD_SIZE/2))\n"\ntorchrun $DISTRIBUTED_ARGS a.py $G\n',
      4,
    );
    expect(facts.torchrun.get("--nnodes")).toBe("4");
    expect(facts.flags.get("--gbs")).toBe("16");
  });
});
