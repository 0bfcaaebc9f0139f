// The model knowledge base: ids, lookups, releases, converters.
import { describe, expect, it } from "vitest";
import { CONVERTERS, converterMethods } from "../../src/knowledge/converters.js";
import { canonicalName, lookupModel, nearestIds } from "../../src/knowledge/lookup.js";
import { getModel, MODELS, newestReleaseFor, ROUTES, recipeAt } from "../../src/knowledge/models.js";
import { RELEASE_TAGS } from "../../src/knowledge/release-tags.js";
import { MODEL_TEMPLATE, RESOURCES } from "../../src/resources/index.js";
import findModel from "../../src/tools/find-model.js";

const deps = {} as never;

describe("model registry data", () => {
  it("has unique ids of the form <example dir>[-<size>]", () => {
    const ids = [...MODELS, ...ROUTES].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of MODELS) {
      expect(m.id === m.exampleDir || m.id === `${m.exampleDir}-${m.size?.toLowerCase()}`, m.id).toBe(true);
    }
  });

  it("covers every VLM family the product supports", () => {
    const families = new Set(MODELS.map((m) => m.family));
    for (const f of [
      "Qwen2-VL",
      "Qwen2.5-VL",
      "Qwen3-VL",
      "Qwen3.5",
      "InternVL2.5",
      "InternVL3",
      "InternVL3.5",
      "GLM-4.1V",
      "GLM-4.5V",
      "DeepSeek-VL2",
      "DeepSeek-OCR",
      "DeepSeek-OCR-2",
      "Ming",
    ]) {
      expect(families.has(f), f).toBe(true);
    }
    const sizes = (dir: string) => MODELS.filter((m) => m.exampleDir === dir).map((m) => m.size);
    expect(sizes("qwen2vl")).toEqual(["2B", "7B", "72B"]);
    expect(sizes("qwen2.5vl")).toEqual(["3B", "7B", "32B", "72B"]);
    expect(sizes("qwen3vl")).toEqual(["8B", "30B", "32B", "235B"]);
  });

  it("keeps recipes inside the model's releases and converters that exist at those releases", () => {
    for (const m of MODELS) {
      for (const r of m.recipes) {
        for (const tag of r.releases) {
          expect(m.releases, `${m.id} ${r.variant} ${tag}`).toContain(tag);
          if (r.converter) expect(converterMethods(r.converter, tag), `${r.converter} at ${tag}`).toBeDefined();
        }
      }
    }
  });

  it("knows which models were removed at v26.1.0", () => {
    const gone = ["qwen2vl-7b", "internvl2.5-4b", "internvl3-8b", "glm4.1v-9b", "deepseekvl2", "deepseekocr", "ming"];
    for (const id of gone) {
      expect(getModel(id)!.releases, id).toContain("v26.0.0");
      expect(getModel(id)!.releases, id).not.toContain("v26.1.0");
      expect(newestReleaseFor(getModel(id)!)).toBe("v26.0.0");
    }
    expect(newestReleaseFor(getModel("qwen2.5vl-7b")!)).toBe("v26.1.0");
    expect(getModel("deepseekocr2")!.releases).toEqual(["v26.0.0", "v26.1.0"]);
  });

  it("applies per-release defaults (qwen2.5vl 7B was PP4 at v2.1.0, PP2 after)", () => {
    const m = getModel("qwen2.5vl-7b")!;
    expect(recipeAt(m, "v2.1.0")!.defaults).toMatchObject({ pp: 4, gradAccSteps: 96, llmLayerSplit: [1, 10, 10, 7] });
    expect(recipeAt(m, "v26.0.0")!.defaults).toMatchObject({ pp: 2, gradAccSteps: 48, llmLayerSplit: [12, 16] });
  });

  it("marks stub converter methods", () => {
    const stubs = (cls: string) =>
      converterMethods(cls, "v26.0.0")!
        .filter((x) => x.stub)
        .map((x) => x.name);
    expect(stubs("GlmConverter")).toEqual(["mm_to_hf", "resplit"]);
    expect(stubs("DeepSeekVLConverter")).toEqual(["mm_to_hf", "resplit"]);
    expect(stubs("Qwen2_5_VLConverter")).toEqual([]);
    expect(converterMethods("Qwen2_5_VLConverter", "v2.1.0")!.find((x) => x.name === "resplit")!.stub).toBe(true);
    expect(converterMethods("Qwen3VLConverter", "v2.2.0")).toBeUndefined();
    expect(CONVERTERS.length).toBeGreaterThan(10);
  });
});

describe("lookup", () => {
  it("resolves ids, HF repo ids and loose names", () => {
    const id = (q: string) => {
      const r = lookupModel(q);
      return r.status === "model" ? r.model.id : r.status;
    };
    expect(id("qwen2.5vl-3b")).toBe("qwen2.5vl-3b");
    expect(id("Qwen/Qwen2.5-VL-3B-Instruct")).toBe("qwen2.5vl-3b");
    expect(id("qwen 2.5 vl 3b")).toBe("qwen2.5vl-3b");
    expect(id("Qwen2-VL-72B")).toBe("qwen2vl-72b");
    expect(id("OpenGVLab/InternVL3-78B")).toBe("internvl3-78b");
    expect(id("internvl3-78b")).toBe("internvl3-78b");
    expect(id("glm4.1v-9b")).toBe("glm4.1v-9b");
    expect(id("deepseek-ai/deepseek-vl2")).toBe("deepseekvl2");
    expect(id("Qwen/Qwen3-VL-30B-A3B-Instruct")).toBe("qwen3vl-30b");
    expect(id("qwen3.5 35b")).toBe("qwen3_5-35b");
    expect(canonicalName("Qwen/Qwen2.5-VL-3B-Instruct")).toBe(canonicalName("qwen2.5vl-3b"));
  });

  it("returns the sizes for a family name", () => {
    const r = lookupModel("qwen2.5vl");
    expect(r.status).toBe("family");
    if (r.status === "family")
      expect(r.candidates.map((m) => m.id)).toEqual(["qwen2.5vl-3b", "qwen2.5vl-7b", "qwen2.5vl-32b", "qwen2.5vl-72b"]);
  });

  it("routes generative and audio models to a pointer", () => {
    const r = lookupModel("wan2.1");
    expect(r.status).toBe("route");
    if (r.status === "route") expect(r.route.entry).toBe("pretrain_sora.py");
    expect(lookupModel("whisper").status).toBe("route");
  });

  it("suggests the nearest ids for unknown names", () => {
    const r = lookupModel("qwen2.5vl-8b");
    expect(r.status).toBe("unknown");
    if (r.status === "unknown") expect(r.suggestions.slice(0, 3)).toContain("qwen2.5vl-7b");
    expect(nearestIds("internvl3-7b")[0]).toBe("internvl3-8b");
    expect(nearestIds("glm4.1v")[0]).toBe("glm4.1v-9b");
  });
});

describe("find_model", () => {
  it("recommends the newest release that has the model and explains", async () => {
    const r = await findModel.handle({ query: "Qwen/Qwen2.5-VL-7B-Instruct" }, deps);
    expect(r.status).toBe("found");
    expect(r.release).toBe("v26.1.0");
    expect(r.recipes[0]).toMatchObject({
      backend: "megatron",
      entry: "pretrain_vlm.py",
      converter: "Qwen2_5_VLConverter",
    });
    expect(r.model!.hfRepo).toBe("Qwen/Qwen2.5-VL-7B-Instruct");
  });

  it("says which releases have a model missing from the requested one", async () => {
    const r = await findModel.handle({ query: "internvl3-8b", release: "26.1.0" }, deps);
    expect(r.inRequestedRelease).toBe(false);
    expect(r.release).toBe("v26.0.0");
    expect(r.reason).toMatch(/not in v26\.1\.0/);
    expect(r.reason).toContain("v2.1.0, v2.2.0, v2.3.0, v26.0.0");
  });

  it("answers unknown names with suggestions and non-VLMs with a pointer", async () => {
    const u = await findModel.handle({ query: "qwen2.5vl-4b" }, deps);
    expect(u.status).toBe("unknown");
    expect(u.candidates).toContain("qwen2.5vl-3b");
    const g = await findModel.handle({ query: "HunyuanVideo" }, deps);
    expect(g.status).toBe("other-kind");
    expect(g.pointer).toMatchObject({ kind: "generative", entry: "pretrain_sora.py" });
  });

  it("lists converter stubs at the chosen release", async () => {
    const r = await findModel.handle({ query: "glm4.1v-9b" }, deps);
    expect(r.recipes[0]!.converterMethods).toEqual([
      { name: "hf_to_mm", stub: false },
      { name: "mm_to_hf", stub: true },
      { name: "resplit", stub: true },
    ]);
  });
});

describe("resources", () => {
  it("lists and reads models as data", () => {
    const list = JSON.parse(RESOURCES.find((r) => r.uri === "ascend-train://models")!.read());
    expect(list.map((m: { id: string }) => m.id)).toContain("qwen2.5vl-3b");
    expect(MODEL_TEMPLATE.list()).toHaveLength(MODELS.length);
    const one = JSON.parse(MODEL_TEMPLATE.read({ id: "internvl3-78b" }));
    expect(one.hfRepo).toBe("OpenGVLab/InternVL3-78B");
    const releases = JSON.parse(RESOURCES.find((r) => r.name === "releases")!.read());
    expect(releases.map((r: { tag: string }) => r.tag)).toEqual([...RELEASE_TAGS]);
  });
});
