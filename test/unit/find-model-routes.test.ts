// find_model answers for every example directory upstream ships at each tag: a model build_configs builds, or a
// pointer that says what the example is, its entry script, its converter and the README (and section) to follow.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODELS, ROUTES } from "../../src/knowledge/models.js";
import findModel from "../../src/tools/find-model.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const INDEX = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "upstream-examples-index.json"), "utf8"),
) as { tags: Record<string, { dirs: string[]; readmes: string[] }> };

const deps = {} as ToolDeps;
const ask = (query: string, release: string) =>
  findModel.handle(findModel.input.parse({ query, release }), deps) as ReturnType<typeof findModel.handle>;

/** The top-level example directory an entry lives in (diffusers/flux → diffusers). */
const top = (dir: string) => dir.split("/")[0]!;

describe("find_model covers every upstream example directory at each tag", () => {
  it("has a model or a routing entry for each directory, in the releases that ship it", () => {
    const missing: string[] = [];
    for (const [tag, { dirs }] of Object.entries(INDEX.tags)) {
      for (const dir of dirs) {
        const covered =
          MODELS.some((m) => top(m.exampleDir) === dir && m.releases.includes(tag as never)) ||
          ROUTES.some((r) => top(r.exampleDir) === dir && r.releases.includes(tag as never));
        if (!covered) missing.push(`${tag} ${dir}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("names no release for an entry whose directory upstream does not ship there", () => {
    const wrong: string[] = [];
    for (const r of ROUTES) {
      for (const tag of r.releases) {
        const dirs = INDEX.tags[tag]!.dirs;
        if (!dirs.includes(top(r.exampleDir))) wrong.push(`${r.id} ${tag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("points each routing entry at a README that exists at its newest release", () => {
    const absent = ROUTES.filter((r) => !INDEX.tags[r.releases.at(-1)!]!.readmes.includes(r.readme)).map(
      (r) => `${r.id}: ${r.readme}`,
    );
    expect(absent).toEqual([]);
  });

  it("answers a generative example with its entry, converter, README and section", async () => {
    const wan = await ask("wan2.1", "v26.1.0");
    expect(wan.status).toBe("other-kind");
    expect(wan.pointer).toMatchObject({ entry: "pretrain_sora.py", converter: "WanConverter" });
    expect(wan.pointer!.readme).toBe("examples/wan2.1/README.md");
    const plan = await ask("Open-Sora-Plan 1.2", "v2.2.0");
    expect(plan.pointer).toMatchObject({ id: "opensoraplan1.2", section: "权重下载及转换" });
    expect(plan.inRequestedRelease).toBe(true);
    const gone = await ask("opensora1.0", "v26.1.0");
    expect(gone.inRequestedRelease).toBe(false);
    expect(gone.reason).toMatch(/Not in v26\.1\.0/);
    const edit = await ask("qwen image edit", "v26.1.0");
    expect(edit.pointer).toMatchObject({ id: "diffsynth", readme: "examples/diffsynth/qwen_image_edit/README.md" });
  });
});

describe("pointers that say what upstream supports", () => {
  it("says Kimi-K3 trains only reduced layers from random weights at v26.1.0", async () => {
    const r = await ask("kimi k3", "v26.1.0");
    expect(r.pointer).toMatchObject({ id: "kimi_k3", section: "受限场景支持" });
    expect(r.reason).toMatch(/randomly initialised/);
  });
});
