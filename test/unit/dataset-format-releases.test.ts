// The record format validate_dataset / prepare_dataset hold for each family is the one upstream's data config reads at
// every release that family is built for: read from the upstream fixture of each registry pair, not from our own output.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { datasetFamilyOf } from "../../src/configs/dataset-probe.js";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { DATASET_FORMATS } from "../../src/datasets/formats.js";
import { MODELS } from "../../src/knowledge/models.js";
import { UPSTREAM_ROOT } from "./configs-upstream-compare.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The record format an upstream data config reads: MLLM (attr.messages) or conversation (data_path lists). */
function formatOf(config: unknown): "mllm" | "conversation" | null {
  const data = isObj(config) && isObj(config.data) ? config.data : config;
  const dp = isObj(data) && isObj(data.dataset_param) ? data.dataset_param : null;
  if (!dp) return null;
  if (isObj(dp.attr) && typeof dp.attr.messages === "string") return "mllm";
  const basic = dp.basic_parameters;
  const list = Array.isArray(basic) ? basic : [basic];
  if (list.some((b) => isObj(b) && ("data_path" in b || "data_folder" in b))) return "conversation";
  return null;
}

describe("dataset record format per family and release", () => {
  it("matches the format upstream's data config reads for every pair build_configs offers", () => {
    const seen: string[] = [];
    const wrong: string[] = [];
    for (const m of MODELS) {
      const family = datasetFamilyOf(m.exampleDir);
      for (const r of m.recipes) {
        if (r.backend === "custom") continue;
        for (const release of r.releases) {
          const plan = resolveTrainingPlan(m.id, release, { variant: r.variant });
          for (const f of plan.files.filter((x) => x.format !== "bash")) {
            const text = readFileSync(join(UPSTREAM_ROOT, release, f.upstream.replace(/^examples\//, "")), "utf8");
            const upstream = formatOf(f.upstream.endsWith(".json") ? JSON.parse(text) : parse(text));
            if (!upstream) continue;
            seen.push(`${m.id} ${r.variant} ${release}`);
            const held = family ? DATASET_FORMATS[family].record : null;
            if (held !== upstream) wrong.push(`${m.id} ${release} ${f.upstream}: upstream ${upstream}, held ${held}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(seen.length).toBeGreaterThan(100);
  });
});
