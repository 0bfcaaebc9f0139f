// The pieces of install_stack's plan: sources and pip options, pins, model overlays, target environments, the state
// file, the verify snippet (run for real against this machine's Python) and the step script's bounds.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { errorLine } from "../../src/install/apply.js";
import { hasWheel, parseWheelName, verifyPackages, versionIs } from "../../src/install/checks.js";
import { modelOverlay, resolvePins, targetEnv } from "../../src/install/pins.js";
import { INSTALL_MARK, parseInstallExtras, splitInstallOutput } from "../../src/install/probe.js";
import { isRemote, pipArgs, resolveSources, torchArgs } from "../../src/install/sources.js";
import { parseState, stepDigest, stepStatuses } from "../../src/install/state.js";
import type { StepDef } from "../../src/install/types.js";
import { getModel } from "../../src/knowledge/models.js";
import { getRelease } from "../../src/knowledge/releases.js";

// The system interpreter starts fast (a pyenv shim takes a second per call).
const PY = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const settings = (extra: Record<string, unknown> = {}) => HostSettingsSchema.parse({ venv: "/v/base", ...extra });

describe("sources", () => {
  it("defaults to the release matrix, then to the host's `sources:` setting, overridden field by field", () => {
    const r = getRelease("v26.1.0");
    const real = resolveSources({}, r, settings());
    expect(real.megatron).toBe("https://github.com/NVIDIA/Megatron-LM.git");
    expect(real.wheelDir).toBeNull();
    const site = settings({ sources: { mindspeedMm: "/s/mirrors/MindSpeed-MM.git", wheelDir: "/s/wheels" } });
    const offline = resolveSources({ megatron: "/own/Megatron-LM.git" }, r, site);
    expect([offline.mindspeedMm, offline.megatron, offline.mindspeed, offline.wheelDir]).toEqual([
      "/s/mirrors/MindSpeed-MM.git",
      "/own/Megatron-LM.git",
      r.mindspeed.repo,
      "/s/wheels",
    ]);
    expect(offline.origin).toMatchObject({ mindspeedMm: "inventory", megatron: "input", mindspeed: "release matrix" });
    expect(resolveSources({ wheelDir: "/w" }, r, site).wheelDir).toBe("/w");
    expect(() => settings({ sources: { wheelDir: "relative" } })).toThrow();
    expect(resolveSources({}, getRelease("v2.1.0"), settings()).mindspeed).toBe(
      "https://gitee.com/ascend/MindSpeed.git",
    );
  });

  it("builds pip options: offline with a wheel dir, a mirror for the rest, torch never from plain PyPI", () => {
    const r = getRelease("v26.1.0");
    const off = resolveSources({ wheelDir: "/w" }, r, settings());
    expect([pipArgs(off), torchArgs(off)]).toEqual([
      ["--no-index", "--find-links", "/w"],
      ["--no-index", "--find-links", "/w"],
    ]);
    const online = resolveSources({}, r, settings());
    expect([pipArgs(online), torchArgs(online)]).toEqual([[], ["--index-url", "https://download.pytorch.org/whl/cpu"]]);
    const mirror = resolveSources({ pipIndex: "https://m/simple", wheelDir: "/w" }, r, settings());
    expect(pipArgs(mirror)).toEqual(["--find-links", "/w", "--index-url", "https://m/simple"]);
    expect(torchArgs(mirror)).toEqual(["--find-links", "/w", "--index-url", "https://m/simple"]);
  });

  it("tells URLs from host paths", () => {
    expect(["https://x/y.git", "git@gitcode.com:Ascend/MindSpeed.git", "ssh://h/r"].map(isRemote)).toEqual([
      true,
      true,
      true,
    ]);
    expect(["/srv/mirrors/MindSpeed.git", "file:///srv/m.git", "relative/path"].map(isRemote)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe("pins and overlays", () => {
  it("pins the release's own transformers, numpy and MindSpeed commit, and the torch_npu of the host's CANN", () => {
    const r = getRelease("v2.1.0");
    const real = resolvePins(r, { cann: "8.2.RC1" });
    expect(real.torchNpu).toBe("2.1.0.post13");
    expect(real.numpy).toBe("<2");
    expect(real.transformers).toEqual({ version: "4.45.0", gitCommit: "fa56dcc2a" });
    expect(real.mindspeed.commit).toBe("8db5013167274913e106ce6f31aca0a3b085effb");
  });

  it("isolates models whose transformers pin clashes with the release, not the others", () => {
    const overlay = (id: string, tag: string) => modelOverlay(getRelease(tag), getModel(id)!);
    expect(overlay("deepseekocr", "v26.0.0")).toMatchObject({ isolated: true, transformers: { version: "4.46.3" } });
    // At v26.1.0 DeepSeek-OCR-2 pins the base transformers: its requirements go into the base env.
    expect(overlay("deepseekocr2", "v26.1.0")).toMatchObject({ isolated: false, transformers: null });
    expect(overlay("ming", "v2.2.0")?.requirementsFile).toBe("examples/ming/requiremnts.txt");
    expect(overlay("qwen3vl-8b", "v2.3.0")).toBeNull();
    expect(overlay("qwen3vl-8b", "v26.0.0")).toMatchObject({ transformers: { gitCommit: "c0dbe09" } });
    expect(overlay("qwen2.5vl-7b", "v26.1.0")).toBeNull();
  });

  it("puts an isolated model next to the host's venv, or into a conda env of its own", () => {
    const ocr = modelOverlay(getRelease("v26.0.0"), getModel("deepseekocr")!);
    expect(targetEnv(settings({ venv: "/home/ma/venv/" }), undefined, ocr)?.path).toBe("/home/ma/venv-deepseekocr");
    expect(targetEnv(settings({ venv: undefined, conda: "mm" }), undefined, ocr)).toMatchObject({
      kind: "conda",
      path: "mm-deepseekocr",
    });
    expect(targetEnv(settings(), "/opt/ocr", ocr)?.path).toBe("/opt/ocr");
    expect(targetEnv(HostSettingsSchema.parse({}), undefined, null)).toBeNull();
  });
});

describe("wheels, verification and errors", () => {
  it("reads wheel names and matches versions with and without a local label", () => {
    expect(parseWheelName("torch_npu-2.7.1.post8-cp310-cp310-manylinux_2_28_aarch64.whl")).toEqual({
      name: "torch_npu",
      version: "2.7.1.post8",
    });
    const files = ["torch-2.7.1+cpu-cp310-cp310-linux_x86_64.whl", "Torch_NPU-2.7.1.post8-py3-none-any.whl"];
    expect(hasWheel(files, "torch-npu", (v) => versionIs(v, "2.7.1.post8"))).toBe(true);
    expect(hasWheel(files, "torch_npu", (v) => versionIs(v, "2.7.1.post4"))).toBe(false);
    expect([versionIs("2.7.1+cpu", "2.7.1"), versionIs("2.7.10", "2.7.1")]).toEqual([true, false]);
  });

  it("the verify snippet checks real installed distributions", () => {
    const pipVersion = execFileSync(PY, ["-c", "import importlib.metadata as m; print(m.version('pip'))"], {
      encoding: "utf8",
    }).trim();
    const ok = execFileSync("bash", ["-c", verifyPackages(PY, [`pip==${pipVersion}`, "pip<999"])], {
      encoding: "utf8",
    });
    expect(ok).toContain(`ok pip ${pipVersion}`);
    let out = "";
    let code = 0;
    try {
      execFileSync("bash", ["-c", verifyPackages(PY, ["pip<1", "no-such-dist==1.0"])], { encoding: "utf8" });
    } catch (error) {
      code = (error as { status: number }).status;
      out = String((error as { stdout: string }).stdout);
    }
    expect(code).toBe(1);
    expect(out).toMatch(/VERIFY FAILED: pip: .*expected <1; no-such-dist is not installed/);
  });

  it("names the line that says why a step failed", () => {
    const pip =
      "+ python -m pip install torch_npu==9\nERROR: Could not find a version\nERROR: No matching distribution found for torch_npu==9\n===== torch exit 1";
    expect(errorLine(pip, 1, false)).toBe("exit 1: ERROR: No matching distribution found for torch_npu==9");
    expect(errorLine("ok x\nVERIFY FAILED: megatron/ is core 0.8.0, not 0.12.1", 98, false)).toBe(
      "verification failed: VERIFY FAILED: megatron/ is core 0.8.0, not 0.12.1",
    );
    expect(errorLine("", null, true)).toBe("timed out");
  });
});

describe("probe sections and state", () => {
  it("splits check_env's part from the install sections and reads them", () => {
    const out = `::ascend-train-probe::end\n\n${INSTALL_MARK}checkouts\ndir=/w\ngit=1 head=abc branch=HEAD modified=2\ndir=/m\nabsent=1\n${INSTALL_MARK}python\nvenv=0\n/usr/bin/python3.10 3.10.4\n${INSTALL_MARK}sources\ngit0=0\ngit1=128\nidx0=1\n${INSTALL_MARK}end\n`;
    const { probe, sections } = splitInstallOutput(out);
    expect(probe).toBe("::ascend-train-probe::end\n\n");
    const input = {
      stateFile: "/w/s",
      checkouts: ["/w", "/m"],
      workdir: "/w",
      venv: "/v",
      wheelDir: null,
      gitSources: ["a", "b"],
      indexes: [""],
    };
    const x = parseInstallExtras(sections, input);
    expect(x.checkouts).toEqual([
      { dir: "/w", exists: true, git: true, head: "abc", branch: "HEAD", modified: 2, entries: 0 },
      { dir: "/m", exists: false, git: false, head: null, branch: null, modified: 0, entries: 0 },
    ]);
    expect([x.venvExists, x.pythons, x.gitReachable, x.indexReachable, x.complete]).toEqual([
      false,
      [{ path: "/usr/bin/python3.10", version: "3.10.4" }],
      [true, false],
      [false],
      true,
    ]);
  });

  it("trusts a record for what the probe cannot see only when the commands are the same", () => {
    const def: StepDef = {
      id: "model-overlay",
      title: "t",
      commands: ["pip install 'transformers @ git+https://x@c0dbe09'"],
      verify: "",
      verifyScript: "",
      changes: [],
      warnings: [],
      timeoutSec: 60,
      needs: [],
      check: { ok: null, reason: "commit not visible" },
    };
    const at = "2026-01-01T00:00:00Z";
    const state = (spec: string) =>
      parseState(
        JSON.stringify({
          version: 1,
          fingerprint: "f",
          updatedAt: at,
          log: "",
          steps: { "model-overlay": { status: "done", at, spec } },
        }),
      ).state;
    expect(stepStatuses([def], state(stepDigest(def)))[0]!.status).toBe("done");
    expect(stepStatuses([def], state("other"))[0]!.status).toBe("pending");
    expect(parseState('{"version":1,"fingerprint":').note).toMatch(/not valid JSON/);
  });
});
