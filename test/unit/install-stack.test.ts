// install_stack on scripted hosts: plans per release/arch/model, skip detection from one probe, blockers, and apply
// with resume from the state file.
import { describe, expect, it } from "vitest";
import installStack from "../../src/tools/install-stack.js";
import { ToolError } from "../../src/tools/tool.js";
import { cannInfo, envSection, healthyPackages, pythonSection, SOURCED_ENV } from "./check-env-scenarios.js";
import {
  BARE_EXTRAS,
  bareSections,
  extrasOutput,
  hostSettings,
  probeOutput,
  scriptedInstallHost,
  VENV,
  WD,
} from "./install-helpers.js";

type Args = Parameters<typeof installStack.input.parse>[0];
const run = (h: ReturnType<typeof scriptedInstallHost>, args: Record<string, unknown> = {}) =>
  installStack.handle(installStack.input.parse({ host: "ma", ...args } as Args), h.deps);
const step = (r: Awaited<ReturnType<typeof run>>, id: string) => r.steps.find((s) => s.id === id)!;
const cmds = (r: Awaited<ReturnType<typeof run>>, id: string) => step(r, id).commands.join("\n");

const x86 = (release: string, cann: string) => ({
  ...bareSections(),
  machine: "arch=x86_64\ncpus=96\nMemTotal:       1000000000 kB\nuser=ma\nhome=/home/ma",
  "cann-files": [
    `present /usr/local/Ascend/${release.startsWith("v2.") && release !== "v2.3.0" ? "ascend-toolkit" : "cann"}/set_env.sh`,
    "info /usr/local/Ascend/ascend-toolkit/latest/x86_64-linux/ascend_toolkit_install.info",
    cannInfo(cann, "x86_64", "ascend-toolkit"),
  ].join("\n"),
});

describe("install_stack plan", () => {
  it("lays out the newest release on a bare aarch64 host in one probe, torch from the CPU index", async () => {
    const h = scriptedInstallHost({ probe: probeOutput(bareSections()), extras: extrasOutput(BARE_EXTRAS) });
    const r = await run(h);
    expect(h.executor.calls).toHaveLength(1);
    expect(r.applied).toBe(false);
    expect(r.status).toBe("planned");
    expect(r.steps.map((s) => [s.id, s.status])).toEqual([
      ["python-env", "pending"],
      ["mindspeed-mm", "pending"],
      ["megatron", "pending"],
      ["torch", "pending"],
      ["mindspeed", "pending"],
      ["mindspeed-mm-install", "pending"],
      ["triton-ascend", "pending"],
      ["smoke-test", "pending"],
    ]);
    expect(cmds(r, "python-env")).toBe(`/usr/bin/python3.10 -m venv ${VENV}`);
    // Install guide step 7 of v26.1.0: Triton-Ascend from its own index, after MindSpeed-MM.
    expect(step(r, "triton-ascend").commands).toEqual([
      `${VENV}/bin/python -m pip install triton-ascend==3.2.1 --extra-index-url=https://triton-ascend.osinfra.cn/pypi/simple`,
    ]);
    expect(cmds(r, "mindspeed-mm")).toContain(
      "git fetch -q --no-tags --depth 1 https://gitcode.com/Ascend/MindSpeed-MM.git +refs/tags/v26.1.0:refs/tags/v26.1.0",
    );
    expect(cmds(r, "megatron")).toContain("--branch core_v0.12.1 https://github.com/NVIDIA/Megatron-LM.git");
    // aarch64: torch only from the PyTorch CPU index, never a bare PyPI install; torch_npu for CANN 9.1.0.
    expect(step(r, "torch").commands).toEqual([
      `${VENV}/bin/python -m pip install --index-url https://download.pytorch.org/whl/cpu torch==2.7.1`,
      `${VENV}/bin/python -m pip install torch_npu==2.7.1.post8`,
    ]);
    expect(cmds(r, "mindspeed")).toContain("git checkout -q -B 26.1.0_core_r0.12.1 FETCH_HEAD");
    expect(cmds(r, "mindspeed-mm-install")).toContain(`${VENV}/bin/python -m pip install -e . transformers==4.57.0`);
    expect(step(r, "torch").verify).toMatch(/not a CUDA build/);
    expect(r.problems.filter((p) => p.severity === "blocker")).toEqual([]);
  });

  it("pins v2.1.0 on x86_64: core_r0.8.0, torch 2.1.0, gitee MindSpeed at its commit, transformers from git, numpy<2", async () => {
    const h = scriptedInstallHost({ probe: probeOutput(x86("v2.1.0", "8.2.RC1")), extras: extrasOutput(BARE_EXTRAS) });
    const r = await run(h, { release: "2.1" });
    expect(r.release).toBe("v2.1.0");
    expect(r.pins).toMatchObject({ torch: "2.1.0", torchNpu: "2.1.0.post13", megatron: "core_r0.8.0", numpy: "<2" });
    expect(cmds(r, "megatron")).toContain("--branch core_r0.8.0");
    expect(cmds(r, "torch")).toContain("torch==2.1.0");
    expect(cmds(r, "mindspeed")).toContain("https://gitee.com/ascend/MindSpeed.git 2.1.0_core_r0.8.0");
    expect(cmds(r, "mindspeed")).toContain(
      "git checkout -q -B 2.1.0_core_r0.8.0 8db5013167274913e106ce6f31aca0a3b085effb",
    );
    expect(cmds(r, "mindspeed")).toContain("-r requirements.txt");
    expect(cmds(r, "mindspeed-mm-install")).toContain("-e . 'numpy<2'");
    expect(cmds(r, "mindspeed-mm-install")).toContain(
      "'transformers @ git+https://github.com/huggingface/transformers.git@fa56dcc2a'",
    );
  });

  it("picks the torch_npu build of the installed CANN over the release's, and says so", async () => {
    const h = scriptedInstallHost({ probe: probeOutput(bareSections()), extras: extrasOutput(BARE_EXTRAS) });
    const r = await run(h, { release: "v26.0.0" });
    expect(r.pins.torchNpu).toBe("2.7.1.post8");
    expect(r.notes.join(" ")).toMatch(/installed CANN 9\.1\.0 .*2\.7\.1\.post4/);
    // v26.1.0's release notes mark CANN 9.1.0 "/" for 26.0.0: install_stack stops before changing anything.
    expect(r.problems.find((p) => p.id === "cann-incompatible")).toMatchObject({ severity: "blocker" });
    const listed = await run(
      scriptedInstallHost({ probe: probeOutput(bareSections()), extras: extrasOutput(BARE_EXTRAS) }),
    );
    expect(listed.problems.map((p) => p.id)).not.toContain("cann-incompatible");
  });

  it("gives DeepSeek-OCR its own venv with its requirements, leaving transformers to the overlay", async () => {
    const h = scriptedInstallHost({
      probe: probeOutput(),
      extras: extrasOutput({ ...BARE_EXTRAS, checkouts: undefined }),
    });
    const r = await run(h, { model: "deepseekocr", release: "v26.0.0" });
    expect(r.env).toMatchObject({ kind: "venv", path: "/home/ma/venv-deepseekocr", isolated: true });
    expect(step(r, "python-env").status).toBe("pending");
    expect(step(r, "torch").commands[0]).toContain("/home/ma/venv-deepseekocr/bin/python -m pip");
    expect(cmds(r, "mindspeed-mm-install")).not.toContain("transformers");
    expect(cmds(r, "model-overlay")).toContain("-r examples/deepseekocr/requirements.txt transformers==4.46.3");
    expect(r.notes.join(" ")).toMatch(/4\.46\.3.*own environment/);
  });

  it("installs Qwen3-VL's transformers commit from a mirror path and Qwen3.5's extensions", async () => {
    const h1 = scriptedInstallHost({ probe: probeOutput(), extras: extrasOutput() });
    const vl = await run(h1, { model: "qwen3vl-8b", sources: { transformers: "/mirrors/transformers.git" } });
    expect(cmds(vl, "model-overlay")).toContain("'git+file:///mirrors/transformers.git@c0dbe09#egg=transformers'");
    const h2 = scriptedInstallHost({ probe: probeOutput(), extras: extrasOutput() });
    const q35 = await run(h2, { model: "qwen3_5-9b", release: "v26.1.0" });
    expect(cmds(q35, "model-overlay")).toContain(
      "/home/ma/venv-qwen3_5/bin/python -m pip install triton-ascend==3.2.0 transformers==5.2.0",
    );
    const h3 = scriptedInstallHost({ probe: probeOutput(), extras: extrasOutput() });
    const base = await run(h3, { model: "qwen2.5vl-7b" });
    expect(base.steps.map((s) => s.id)).not.toContain("model-overlay");
    expect(base.env.isolated).toBe(false);
  });

  it("refuses a model that is not in the release, and an unknown one with suggestions", async () => {
    const h = scriptedInstallHost({ probe: probeOutput() });
    await expect(run(h, { model: "deepseekocr", release: "v26.1.0" })).rejects.toThrow(/not in MindSpeed-MM v26\.1\.0/);
    await expect(run(h, { model: "qwen9vl" })).rejects.toBeInstanceOf(ToolError);
  });
});

describe("install_stack skip detection", () => {
  it("finds a complete install satisfied and does nothing on apply", async () => {
    const h = scriptedInstallHost({ probe: probeOutput() });
    const r = await run(h, { confirm: true });
    expect(r.steps.every((s) => s.status === "satisfied")).toBe(true);
    expect(r.status).toBe("already-installed");
    expect(r.check?.ok).toBe(true);
    expect(h.ran).toEqual([]);
  });

  it("marks only what differs, and names what gets replaced", async () => {
    const packages = { ...healthyPackages(), torch_npu: { version: "2.7.1.post4" } };
    const probe = probeOutput({
      python: pythonSection(packages),
      workdir: [
        "exists=1",
        "describe=v26.1.0",
        "commit=1111",
        "branch=HEAD",
        "megatron=1",
        "MAJOR = 0",
        "MINOR = 8",
        "PATCH = 0",
      ].join("\n"),
    });
    const r = await run(scriptedInstallHost({ probe }));
    const status = Object.fromEntries(r.steps.map((s) => [s.id, s.status]));
    expect(status).toMatchObject({
      "python-env": "satisfied",
      "mindspeed-mm": "satisfied",
      megatron: "pending",
      torch: "pending",
      mindspeed: "satisfied",
      "mindspeed-mm-install": "satisfied",
      "smoke-test": "pending",
    });
    expect(step(r, "torch").changes).toEqual(["replaces torch_npu 2.7.1.post4 with 2.7.1.post8 (an upgrade)"]);
    expect(step(r, "megatron").changes[0]).toMatch(/replaces .*megatron \(core 0\.8\.0\)/);
  });

  it("installs MindSpeed-MM again when its checkout moves to another tag", async () => {
    const probe = probeOutput({
      workdir: [
        "exists=1",
        "describe=v26.0.0",
        "commit=2222",
        "branch=HEAD",
        "megatron=1",
        "MAJOR = 0",
        "MINOR = 12",
        "PATCH = 1",
      ].join("\n"),
    });
    const r = await run(scriptedInstallHost({ probe }));
    expect(step(r, "mindspeed-mm").changes[0]).toMatch(/moves the checkout .* from v26\.0\.0 to v26\.1\.0/);
    expect(step(r, "mindspeed-mm-install")).toMatchObject({
      status: "pending",
      reason: expect.stringMatching(/installs again/),
    });
  });

  it("runs the smoke test again after an overlay the probe cannot see was installed", async () => {
    const h = scriptedInstallHost({ probe: probeOutput() });
    const r = await run(h, { model: "deepseekocr2", release: "v26.1.0", confirm: true });
    expect(step(r, "model-overlay").status).toBe("pending");
    expect(step(r, "smoke-test").status).toBe("satisfied");
    expect(h.ran).toEqual(["model-overlay", "smoke-test"]);
    expect(step(r, "smoke-test").outcome).toBe("ok");
  });

  it("ignores packages of another Python than the target venv", async () => {
    const probe = probeOutput({ "tool-env": envSection({ ...SOURCED_ENV, VIRTUAL_ENV: "/opt/other" }) });
    const r = await run(scriptedInstallHost({ probe }));
    expect(step(r, "torch").status).toBe("pending");
    expect(step(r, "torch").reason).toBe("torch absent, torch_npu absent");
  });
});

describe("install_stack blockers", () => {
  it("stops before changing anything on a host without CANN or with another arch", async () => {
    const noCann = probeOutput({ ...bareSections(), "cann-files": "absent /usr/local/Ascend/cann/set_env.sh" });
    const h = scriptedInstallHost({ probe: noCann, extras: extrasOutput(BARE_EXTRAS) });
    const r = await run(h, { confirm: true });
    expect(r.status).toBe("blocked");
    expect(r.applied).toBe(false);
    expect(h.executor.calls).toHaveLength(1);
    const cann = r.problems.find((p) => p.id === "cann-missing")!;
    expect(cann.severity).toBe("blocker");
    expect(cann.fix).toMatch(/Ascend-cann-toolkit_9\.1\.0_linux-aarch64\.run --install/);
    const ppc = probeOutput({ ...bareSections(), machine: "arch=ppc64le\ncpus=8" });
    const r2 = await run(scriptedInstallHost({ probe: ppc, extras: extrasOutput(BARE_EXTRAS) }));
    expect(r2.problems.find((p) => p.id === "arch-unsupported")?.severity).toBe("blocker");
  });

  it("warns that the smoke test fails on a host without NPUs", async () => {
    const probe = probeOutput({ ...bareSections(), "npu-smi": "rc=127", devices: "" });
    const r = await run(scriptedInstallHost({ probe, extras: extrasOutput(BARE_EXTRAS) }));
    const p = r.problems.find((x) => x.id === "npu-missing")!;
    expect(p).toMatchObject({ severity: "warning", step: "smoke-test" });
    expect(r.status).toBe("planned");
  });

  it("says which source an offline host cannot reach and what to give instead", async () => {
    const extras = extrasOutput({
      ...BARE_EXTRAS,
      sources: { git0: "128", git1: "124", git2: "0", idx0: "1", idx1: "1" },
    });
    const r = await run(scriptedInstallHost({ probe: probeOutput(bareSections()), extras }), { confirm: true });
    expect(r.status).toBe("blocked");
    const unreachable = r.problems.filter((p) => p.id === "source-unreachable");
    expect(unreachable.map((p) => p.step)).toEqual(["mindspeed-mm", "megatron"]);
    expect(unreachable[0]!.fix).toMatch(/sources\.mindspeedMm/);
    expect(r.problems.filter((p) => p.id === "index-unreachable").map((p) => p.message)).toEqual([
      "pip index https://pypi.org/simple/ does not answer from the host (no network?).",
      "torch index https://download.pytorch.org/whl/cpu does not answer from the host (no network?).",
    ]);
    expect(r.problems.find((p) => p.id === "index-unreachable")?.fix).toMatch(/wheelDir/);
    // One mirror for both: one problem.
    const mirror = await run(scriptedInstallHost({ probe: probeOutput(bareSections()), extras }), {
      sources: { pipIndex: "https://mirror.example/simple" },
    });
    expect(mirror.problems.filter((p) => p.id === "index-unreachable")).toHaveLength(1);
  });

  it("with a wheel directory, installs offline and warns about a wheel it lacks", async () => {
    const extras = extrasOutput({
      ...BARE_EXTRAS,
      sources: { git0: "0", git1: "0", git2: "0" },
      wheels: ["torch-2.7.1+cpu-cp310-cp310-linux_aarch64.whl"],
    });
    const r = await run(scriptedInstallHost({ probe: probeOutput(bareSections()), extras }), {
      sources: {
        wheelDir: "/data/wheels",
        mindspeedMm: "/m/MM.git",
        megatron: "/m/Megatron-LM.git",
        mindspeed: "/m/MindSpeed.git",
      },
    });
    expect(r.sources.offline).toBe(true);
    expect(step(r, "torch").commands).toEqual([
      `${VENV}/bin/python -m pip install --no-index --find-links /data/wheels torch==2.7.1 torch_npu==2.7.1.post8`,
    ]);
    expect(cmds(r, "mindspeed")).toContain("--no-index --find-links /data/wheels --no-build-isolation -e .");
    expect(r.problems.filter((p) => p.id === "step-warning").map((p) => [p.step, p.message])).toEqual([
      ["torch", "/data/wheels has no wheel for torch_npu==2.7.1.post8: pip will fail here"],
      ["mindspeed-mm-install", "/data/wheels has no wheel for transformers==4.57.0: pip will fail here"],
      ["triton-ascend", "/data/wheels has no wheel for triton-ascend==3.2.1: pip will fail here"],
    ]);
    expect(step(r, "triton-ascend").commands).toEqual([
      `${VENV}/bin/python -m pip install --no-index --find-links /data/wheels triton-ascend==3.2.1`,
    ]);
  });
});

describe("install_stack apply and resume", () => {
  const partial = () =>
    probeOutput({
      ...bareSections(),
      "tool-env": envSection(SOURCED_ENV),
      workdir: [
        "exists=1",
        "describe=v26.1.0",
        "commit=1111",
        "branch=HEAD",
        "megatron=1",
        "MAJOR = 0",
        "MINOR = 12",
        "PATCH = 1",
      ].join("\n"),
    });
  const fingerprint = `v26.1.0|venv:${VENV}|-`;

  it("runs the remaining steps in order and records them; a failure stops the rest", async () => {
    const h = scriptedInstallHost({
      probe: partial(),
      extras: extrasOutput(),
      steps: {
        mindspeed: {
          exitCode: 1,
          stdout: "+ git fetch\nfatal: couldn't find remote ref 26.1.0_core_r0.12.1\n===== mindspeed exit 1\n",
        },
      },
    });
    const r = await run(h, { confirm: true });
    expect(h.ran).toEqual(["torch", "mindspeed"]);
    expect(r.status).toBe("failed");
    expect(r.failedAt).toBe("mindspeed");
    expect(r.steps.map((s) => s.outcome)).toEqual([
      "skipped",
      "skipped",
      "skipped",
      "ok",
      "failed",
      "not-run",
      "not-run",
      "not-run",
    ]);
    expect(step(r, "mindspeed").error).toBe("exit 1: fatal: couldn't find remote ref 26.1.0_core_r0.12.1");
    const state = JSON.parse(h.executor.files.get(`${WD}/.ascend-train/install-state.json`)!);
    expect(state.fingerprint).toBe(fingerprint);
    expect(state.steps.torch.status).toBe("done");
    expect(state.steps.mindspeed).toMatchObject({ status: "failed", error: expect.stringMatching(/remote ref/) });
    expect(h.progress).toContain("torch: done");
    expect(r.next).toMatch(/resumes at mindspeed/);
  });

  it("resumes at the step that failed, reporting earlier ones as done", async () => {
    const at = "2026-08-10T09:00:00.000Z";
    const state = {
      version: 1,
      fingerprint,
      updatedAt: at,
      log: `${WD}/.ascend-train/install.log`,
      steps: {
        "mindspeed-mm": { status: "done", at, spec: "x" },
        megatron: { status: "done", at, spec: "x" },
        torch: {
          status: "failed",
          at,
          spec: "x",
          error: "exit 1: ERROR: No matching distribution found for torch_npu==2.7.1.post8",
        },
      },
    };
    const plan = await run(scriptedInstallHost({ probe: partial(), extras: extrasOutput({ state }) }));
    expect(step(plan, "mindspeed-mm").status).toBe("done");
    expect(step(plan, "torch")).toMatchObject({
      status: "retry",
      reason: expect.stringMatching(/No matching distribution/),
    });
    expect(plan.resumedFrom).toBe("torch");

    const h = scriptedInstallHost({ probe: partial(), extras: extrasOutput({ state }) });
    const r = await run(h, { confirm: true });
    expect(h.ran).toEqual(["torch", "mindspeed", "mindspeed-mm-install", "triton-ascend", "smoke-test"]);
    expect(r.status).toBe("installed");
    expect(r.resumedFrom).toBe("torch");
    expect(r.check?.ok).toBe(true);
    const saved = JSON.parse(h.executor.files.get(`${WD}/.ascend-train/install-state.json`)!);
    expect(Object.values(saved.steps).map((s) => (s as { status: string }).status)).toEqual(Array(7).fill("done"));
  });

  it("treats a step cut off mid-way as the resume point and a record of another plan as nothing", async () => {
    const at = "2026-08-10T09:00:00.000Z";
    const cut = {
      version: 1,
      fingerprint,
      updatedAt: at,
      log: "",
      steps: { torch: { status: "running", at, spec: "x" } },
    };
    const r = await run(scriptedInstallHost({ probe: partial(), extras: extrasOutput({ state: cut }) }));
    expect(step(r, "torch")).toMatchObject({
      status: "retry",
      reason: expect.stringMatching(/stopped during this step/),
    });
    const other = { ...cut, fingerprint: `v2.3.0|venv:${VENV}|-` };
    const r2 = await run(scriptedInstallHost({ probe: partial(), extras: extrasOutput({ state: other }) }));
    expect(step(r2, "torch").status).toBe("pending");
    expect(r2.notes.join(" ")).toMatch(/another plan \(v2\.3\.0/);
  });

  it("fails the smoke test with check_env's error findings", async () => {
    const broken = probeOutput({ "torch-live": "rc=1\nImportError: libhccl.so: cannot open shared object file" });
    const h = scriptedInstallHost({ probe: partial(), extras: extrasOutput(), smoke: broken });
    const r = await run(h, { confirm: true });
    expect(r.failedAt).toBe("smoke-test");
    expect(r.check?.ok).toBe(false);
    expect(r.check?.findings.some((f) => f.severity === "error")).toBe(true);
    expect(step(r, "smoke-test").error).toMatch(/^check_env finds /);
  });

  it("does not fail an install because another job holds MASTER_PORT right now", async () => {
    const busy = probeOutput({
      ports: [22, 6000].map((p) => p.toString(16).toUpperCase().padStart(4, "0")).join("\n"),
    });
    const h = scriptedInstallHost({ probe: partial(), extras: extrasOutput(), smoke: busy });
    const r = await run(h, { confirm: true });
    expect(r.failedAt).toBeNull();
    expect(r.check?.ok).toBe(true);
    expect(r.check?.findings.map((f) => f.id)).toContain("master-port-in-use");
  });

  it("keeps the workdir and venv of the host when none are given, and refuses a host with neither", async () => {
    const h = scriptedInstallHost({
      probe: probeOutput(),
      settings: hostSettings({ venv: undefined, workdir: undefined }),
    });
    await expect(run(h)).rejects.toThrow(/names no Python environment/);
  });
});
