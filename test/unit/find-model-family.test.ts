// find_model and every tool that takes a model name read a family word (qwen, qwen2.5, internvl, glm) as every model
// of the families it names, best match first; with no query find_model lists every model by family and size; a name
// like nothing known gets only model ids a tool accepts, nearest first, or none.
import { describe, expect, it } from "vitest";
import { lookupModel, modelNotResolved, nearestIds } from "../../src/knowledge/lookup.js";
import { MODELS, ROUTES } from "../../src/knowledge/models.js";
import findModel from "../../src/tools/find-model.js";

const deps = {} as never;
const ask = (input: Record<string, unknown>) =>
  findModel.handle(findModel.input.parse(input), deps) as ReturnType<typeof findModel.handle>;
const idsOf = (family: string) => MODELS.filter((m) => m.family === family).map((m) => m.id);

describe("a family word", () => {
  it("qwen names every Qwen model, the families in order, each with all its sizes", async () => {
    const r = await ask({ query: "qwen" });
    expect(r.status).toBe("family");
    expect(r.candidates).toEqual(MODELS.filter((m) => m.family.startsWith("Qwen")).map((m) => m.id));
    expect(r.candidates).toEqual(
      expect.arrayContaining(["qwen2.5vl-3b", "qwen2.5vl-7b", "qwen2.5vl-32b", "qwen2.5vl-72b"]),
    );
    expect(r.families.map((f) => f.family)).toEqual(["Qwen2-VL", "Qwen2.5-VL", "Qwen3-VL", "Qwen3.5", "Qwen3.6"]);
    expect(r.reason).toContain("Qwen2.5-VL: qwen2.5vl-3b, qwen2.5vl-7b, qwen2.5vl-32b, qwen2.5vl-72b");
    expect(findModel.failed!(r)).toBe(false);
  });

  it("qwen2.5, qwen2.5-vl and Qwen2.5-VL name the Qwen2.5-VL sizes and nothing else", async () => {
    for (const query of ["qwen2.5", "qwen2.5-vl", "Qwen2.5-VL", "qwen2.5vl"]) {
      const r = await ask({ query });
      expect(r.status, query).toBe("family");
      expect(r.candidates, query).toEqual(idsOf("Qwen2.5-VL"));
    }
  });

  it("a version puts its own family first and the later point versions after it", async () => {
    const r = await ask({ query: "qwen3" });
    expect(r.candidates).toEqual([...idsOf("Qwen3-VL"), ...idsOf("Qwen3.5"), ...idsOf("Qwen3.6")]);
    expect((await ask({ query: "qwen2" })).candidates).toEqual([...idsOf("Qwen2-VL"), ...idsOf("Qwen2.5-VL")]);
  });

  it("internvl, glm and deepseek name every model of their families", async () => {
    const internvl = MODELS.filter((m) => m.family.startsWith("InternVL")).map((m) => m.id);
    expect((await ask({ query: "internvl" })).candidates).toEqual(internvl);
    expect((await ask({ query: "InternVL" })).candidates).toEqual(internvl);
    expect((await ask({ query: "glm" })).candidates).toEqual(["glm4.1v-9b", "glm4.5v-106b"]);
    expect((await ask({ query: "deepseek" })).candidates).toEqual(
      MODELS.filter((m) => m.family.startsWith("DeepSeek")).map((m) => m.id),
    );
  });

  it("a word cut inside a name is no family word", () => {
    expect(lookupModel("inter").status).toBe("unknown");
    expect(lookupModel("qwe").status).toBe("unknown");
  });

  it("other tools refuse a family word with its models grouped by family", () => {
    const found = lookupModel("glm");
    expect(found.status).toBe("family");
    if (found.status === "family")
      expect(modelNotResolved(found)).toBe(
        '"glm" names 2 models in 2 families: GLM-4.1V: glm4.1v-9b; GLM-4.5V: glm4.5v-106b; give one id.',
      );
  });
});

describe("find_model with no query", () => {
  it("lists every model by family, sizes ascending, and the examples that only get a pointer", async () => {
    const r = await ask({});
    expect(r.status).toBe("catalog");
    expect(findModel.failed!(r)).toBe(false);
    expect([...r.candidates].sort()).toEqual(MODELS.map((m) => m.id).sort());
    expect(r.families.find((f) => f.family === "Qwen2.5-VL")!.models).toEqual([
      { id: "qwen2.5vl-3b", size: "3B" },
      { id: "qwen2.5vl-7b", size: "7B" },
      { id: "qwen2.5vl-32b", size: "32B" },
      { id: "qwen2.5vl-72b", size: "72B" },
    ]);
    expect(r.otherKinds.flatMap((k) => k.ids).sort()).toEqual(ROUTES.map((route) => route.id).sort());
    const text = findModel.summarize(r);
    expect(text).toMatch(/^38 models in 18 families/);
    expect(text).toMatch(/^ {2}Qwen2\.5-VL +qwen2\.5vl-3b, qwen2\.5vl-7b, qwen2\.5vl-32b, qwen2\.5vl-72b$/m);
    expect(text).toMatch(/^ {2}audio: whisper/m);
  });

  it("with a release, lists the models that release ships", async () => {
    const r = await ask({ release: "v2.1.0" });
    expect(r.status).toBe("catalog");
    expect(r.release).toBe("v2.1.0");
    expect(r.candidates).toEqual(MODELS.filter((m) => m.releases.includes("v2.1.0")).map((m) => m.id));
    expect(r.candidates).not.toContain("qwen3_5-4b");
  });
});

describe("nearest ids to an unknown name", () => {
  it("are model ids a tool accepts, never routes, and none for a name like nothing known", () => {
    expect(nearestIds("nope")).toEqual([]);
    const found = lookupModel("nope");
    expect(found.status).toBe("unknown");
    if (found.status === "unknown")
      expect(modelNotResolved(found)).toBe('Unknown model "nope". find_model lists every model by family and size.');
    const routes = new Set(ROUTES.map((r) => r.id));
    for (const query of ["qwen9-vl-99b", "internvl2-4b", "glm5v", "deepsek-ocr"])
      for (const id of nearestIds(query)) expect(routes.has(id), `${query}: ${id}`).toBe(false);
  });

  it("rank the nearest size of the nearest family first", () => {
    expect(nearestIds("qwen2.5vl-8b").slice(0, 2)).toEqual(["qwen2.5vl-7b", "qwen2.5vl-3b"]);
    expect(nearestIds("Qwen/Qwen2.5-VL-8B-Instruct")[0]).toBe("qwen2.5vl-7b");
    expect(nearestIds("internvl3-7b")[0]).toBe("internvl3-8b");
  });

  it("find_model also offers the other kinds it answers with a pointer", async () => {
    const r = await ask({ query: "whisperr" });
    expect(r.status).toBe("unknown");
    expect(r.candidates).toEqual(["whisper"]);
    expect((await ask({ query: "nope" })).reason).toBe(
      'No model matches "nope". find_model with no query lists every model by family and size.',
    );
  });
});
