import { describe, expect, it } from "vitest";
import { NEWEST_RELEASE, RELEASE_TAGS } from "../../src/knowledge/release-tags.js";
import {
  cannLayoutFor,
  cannNumpyConstraint,
  compareCann,
  exampleDirForModel,
  getRelease,
  numpyConstraintFor,
  numpySatisfies,
  pipInstallTorchPair,
  RELEASES,
  torchNpuWheelFor,
  torchPairMatches,
  transformersPinFor,
} from "../../src/knowledge/releases.js";

describe("release matrix", () => {
  it("has one consistent stack per known tag", () => {
    for (const tag of RELEASE_TAGS) {
      const r = RELEASES[tag];
      expect(r.tag).toBe(tag);
      // The wheel is the one the compatibility table gives for that CANN and torch.
      expect(torchNpuWheelFor(r.cann.version, r.torch)).toBe(r.torchNpu);
      expect(torchPairMatches(r.torch, r.torchNpu)).toBe(true);
      expect(r.cann.layout).toBe(cannLayoutFor(r.cann.version));
      expect(compareCann(r.cann.minimum, r.cann.version)).toBeLessThanOrEqual(0);
      expect(r.python.supported).toContain(r.python.recommended);
      if (r.mindspeed.commit) expect(r.mindspeed.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.mindspeed.branch).toContain(r.megatron.branch.includes("0.8.0") ? "core_r0.8.0" : "core_r0.12.1");
    }
  });

  it("pins the facts of each release", () => {
    expect(RELEASES["v2.1.0"]).toMatchObject({ torch: "2.1.0", torchNpu: "2.1.0.post13", numpy: "<2", apex: true });
    expect(RELEASES["v2.1.0"].megatron.branch).toBe("core_r0.8.0");
    expect(RELEASES["v2.1.0"].transformers).toEqual({ version: "4.45.0", gitCommit: "fa56dcc2a" });
    expect(RELEASES["v2.2.0"].cann).toMatchObject({ version: "8.3.RC1", layout: "ascend-toolkit" });
    expect(RELEASES["v2.3.0"].cann).toMatchObject({ version: "8.5.0", layout: "cann" });
    expect(RELEASES["v26.0.0"].torchNpu).toBe("2.7.1.post4");
    expect(RELEASES["v26.0.0"].mindspeed.commit).toBe("69f41000786438204b5f2ffdb788c055788f7378");
    expect(RELEASES["v26.1.0"]).toMatchObject({ torchNpu: "2.7.1.post8", numpy: null });
    expect(RELEASES["v26.1.0"].transformers.version).toBe("4.57.0");
  });

  it("defaults to the newest release and normalizes tags", () => {
    expect(getRelease().tag).toBe(NEWEST_RELEASE);
    expect(getRelease("2.3").tag).toBe("v2.3.0");
    expect(getRelease("26.0.0").tag).toBe("v26.0.0");
    expect(() => getRelease("v9.9.9")).toThrow(/Unknown MindSpeed-MM release "v9.9.9"/);
  });
});

describe("CANN versions", () => {
  it("orders test builds < release candidates < finals", () => {
    expect(compareCann("8.1.T6", "8.1.RC1")).toBeLessThan(0);
    expect(compareCann("8.3.RC1", "8.3.RC2")).toBeLessThan(0);
    expect(compareCann("8.0.RC3.alpha003", "8.0.RC3")).toBeGreaterThan(0);
    expect(compareCann("8.0.0", "8.0.RC3")).toBeGreaterThan(0);
    expect(compareCann("9.1.0", "8.5.0")).toBeGreaterThan(0);
    expect(compareCann("garbage", "8.5.0")).toBeNull();
  });

  it("puts CANN 8.5 and later under cann/ and older under ascend-toolkit/", () => {
    expect(cannLayoutFor("8.3.RC2")).toBe("ascend-toolkit");
    expect(cannLayoutFor("8.5.0")).toBe("cann");
    expect(cannLayoutFor("9.0.0")).toBe("cann");
  });

  it("knows which CANN needs numpy<2", () => {
    expect(cannNumpyConstraint("8.0.0")).toBe("<=1.24");
    expect(cannNumpyConstraint("8.3.RC2")).toBe("<2");
    expect(cannNumpyConstraint("9.0.0")).toBe("<2");
    expect(cannNumpyConstraint("9.1.0")).toBeNull();
    expect(numpyConstraintFor(RELEASES["v26.1.0"], "9.1.0")).toBeNull();
    expect(numpyConstraintFor(RELEASES["v26.1.0"], "8.5.0")).toBe("<2");
    // torch 2.1.0 keeps numpy<2 even on a CANN that allows 2.x.
    expect(numpyConstraintFor(RELEASES["v2.1.0"], "9.1.0")).toBe("<2");
    expect(numpySatisfies("2.1.3", "<2")).toBe(false);
    expect(numpySatisfies("1.26.4", "<2")).toBe(true);
    expect(numpySatisfies("1.26.4", "<=1.24")).toBe(false);
    expect(numpySatisfies("2.1.3", null)).toBe(true);
  });
});

describe("torch / torch_npu", () => {
  it("matches builds by x.y.z, ignoring local and post parts", () => {
    expect(torchPairMatches("2.7.1+cpu", "2.7.1.post1")).toBe(true);
    expect(torchPairMatches("2.5.1", "2.5.1.dev20250320")).toBe(true);
    expect(torchPairMatches("2.7.1+cpu", "2.5.1.post1.dev20250528")).toBe(false);
  });

  it("builds one pip command per architecture", () => {
    expect(pipInstallTorchPair(RELEASES["v26.1.0"], "aarch64")).toBe(
      "pip install --force-reinstall torch==2.7.1 torch_npu==2.7.1.post8",
    );
    expect(pipInstallTorchPair(RELEASES["v26.1.0"], "x86_64")).toBe(
      "pip install --force-reinstall torch==2.7.1+cpu torch_npu==2.7.1.post8 --extra-index-url https://download.pytorch.org/whl/cpu",
    );
  });

  it("looks up the wheel for an installed CANN line", () => {
    expect(torchNpuWheelFor("8.3.RC2", "2.7.1+cpu")).toBe("2.7.1");
    expect(torchNpuWheelFor("8.1.RC1", "2.5.1")).toBe("2.5.1");
    expect(torchNpuWheelFor("8.5.0", "2.1.0")).toBeNull();
  });
});

describe("model pins", () => {
  it("maps model ids to example directories", () => {
    expect(exampleDirForModel("qwen2.5vl-7b")).toBe("qwen2.5vl");
    expect(exampleDirForModel("Qwen2.5-VL-7B")).toBe("qwen2.5vl");
    expect(exampleDirForModel("qwen3vl_8B")).toBe("qwen3vl");
    expect(exampleDirForModel("internvl3.5-30b")).toBe("internvl3.5");
  });

  it("overrides transformers for models with their own requirement", () => {
    expect(transformersPinFor(RELEASES["v26.1.0"], "qwen3vl-8b")).toEqual({ gitCommit: "c0dbe09" });
    expect(transformersPinFor(RELEASES["v26.1.0"], "qwen3_5-9b")).toEqual({ version: "5.2.0" });
    expect(transformersPinFor(RELEASES["v26.1.0"], "qwen2.5vl-7b")).toEqual({ version: "4.57.0" });
    expect(transformersPinFor(RELEASES["v2.2.0"])).toEqual({ version: "4.53.0" });
  });
});
