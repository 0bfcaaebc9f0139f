// The slower paths: a from-scratch install on a bare sim from its local mirrors and wheels, and a sim owned by
// an unprivileged user (the ssh login of the integration tests).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostPrelude } from "../../src/hosts/environment.js";
import { verifyPackages } from "../../src/install/checks.js";
import { resolvePins } from "../../src/install/pins.js";
import { gitRequirement, pipArgs, resolveSources } from "../../src/install/sources.js";
import { getRelease } from "../../src/knowledge/releases.js";
import { type LaidOutSim, layOutSim, makeFakeHfModel, SIM_STACKS, stopSimProcesses } from "../../src/sim/index.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { CONVERT_7B, freePort, simShell, trainCmd } from "./sim-helpers.js";

const made: LaidOutSim[] = [];
afterAll(async () => {
  for (const sim of made) {
    await stopSimProcesses(sim.dir);
    rmSync(sim.dir, { recursive: true, force: true });
  }
});

function userIds(name: string): { uid: number; gid: number } | null {
  try {
    const [uid, gid] = ["-u", "-g"].map((f) => Number(execFileSync("id", [f, name], { encoding: "utf8" }).trim()));
    return { uid: uid!, gid: gid! };
  } catch {
    return null;
  }
}

describe.skipIf(!canBuildSimHost)("bare sim", () => {
  it("installs the release's real pins offline from its mirrors and wheels, MindSpeed at the upstream commit", async () => {
    const sim = await layOutSim(mkdtempSync(join(tmpdir(), "sim-bare-")), { scenario: "bare", release: "v2.2.0" });
    made.push(sim);
    const release = getRelease("v2.2.0");
    const stack = SIM_STACKS["v2.2.0"];
    const { branch, commit } = release.mindspeed;
    const sources = sim.hostSettings.sources!;
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(existsSync(sim.hostSettings.workdir!)).toBe(false);
    const before = await simShell(sim.hostSettings, `python -c "import torch"`, { cwd: sim.dir });
    expect(before.stderr).toMatch(/No module named 'torch'/);
    // The commands install_stack runs, with the pins it resolves (src/knowledge), from the host's \`sources:\`.
    const pins = resolvePins(release, { cann: stack.cann });
    const r = await simShell(
      sim.hostSettings,
      `set -e
       git clone -q -b ${release.tag} ${sources.mindspeedMm} MindSpeed-MM
       git clone -q -b ${release.megatron.branch} ${sources.megatron} Megatron-LM
       cp -r Megatron-LM/megatron MindSpeed-MM/
       mkdir MindSpeed && cd MindSpeed && git init -q
       git fetch -q --no-tags ${sources.mindspeed} ${branch}
       git checkout -q -B ${branch} ${commit}
       git rev-parse HEAD
       pip install -q --no-build-isolation --no-index -e .
       cd ..
       pip install -q --no-index --find-links ${sources.wheelDir} torch==${pins.torch} torch_npu==${pins.torchNpu} accelerate peft
       (cd MindSpeed-MM && mkdir -p logs data ckpt && pip install -q --no-build-isolation --no-index --find-links ${sources.wheelDir} -e . transformers==${pins.transformers.version} "numpy${pins.numpy}")
       python -c "import mindspeed.megatron_adaptor, torch, torch_npu, transformers, numpy; print(torch.__version__, torch_npu.__version__, torch.version.cann, transformers.__version__, numpy.__version__)"
       which mm-convert torchrun`,
      { cwd: sim.dir, timeoutMs: 120_000 },
    );
    expect(r.stderr.replace(/.*simulated Ascend host.*\n/g, "")).not.toMatch(/ERROR|Traceback/);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toContain(commit);
    expect(pins.torchNpu).toBe(release.torchNpu);
    expect(r.stdout).toContain(`${stack.torch} ${pins.torchNpu} ${stack.cann} ${pins.transformers.version} 1.26.4`);
    expect(r.stdout).toContain(join(sim.dir, "venv/bin/mm-convert"));
  }, 150_000);

  it("installs transformers pinned to an upstream commit from the host's mirror, as install_stack's command does", async () => {
    const sim = await layOutSim(mkdtempSync(join(tmpdir(), "sim-tfgit-")));
    made.push(sim);
    const release = getRelease("v2.1.0");
    const sources = resolveSources({}, release, sim.hostSettings);
    expect(sources.origin.transformers).toBe("inventory");
    const pin = release.transformers.gitCommit!;
    const spec = gitRequirement("transformers", sources.transformers, pin);
    const r = await simShell(
      sim.hostSettings,
      `pip install -q ${pipArgs(sources).join(" ")} '${spec}' && python -c "import transformers; print(transformers.__version__)"`,
      { timeoutMs: 120_000 },
    );
    expect(r.stderr.replace(/.*simulated Ascend host.*\n/g, "")).not.toMatch(/ERROR|Traceback/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toBe(release.transformers.version);
  }, 150_000);

  it("installs v26.1.0's Triton-Ascend offline with install_stack's arguments; a healthy v26.1.0 layout has it", async () => {
    const bare = await layOutSim(mkdtempSync(join(tmpdir(), "sim-triton-")), { scenario: "bare", release: "v26.1.0" });
    made.push(bare);
    const release = getRelease("v26.1.0");
    const triton = release.tritonAscend!;
    const sources = resolveSources({}, release, bare.hostSettings);
    const show = `python -m pip show triton-ascend | sed -n 's/^Version: //p'`;
    const r = await simShell(
      bare.hostSettings,
      `pip install -q ${pipArgs(sources).join(" ")} triton-ascend==${triton.version} && ${show}`,
      { cwd: bare.dir, timeoutMs: 120_000 },
    );
    expect(r.stderr.replace(/.*simulated Ascend host.*\n/g, "")).not.toMatch(/ERROR|Traceback/);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("3.2.1");
    const healthy = await layOutSim(mkdtempSync(join(tmpdir(), "sim-triton-ok-")), { release: "v26.1.0" });
    made.push(healthy);
    expect((await simShell(healthy.hostSettings, show)).stdout.trim()).toBe(triton.version);
    // install_stack's verification of the step passes there.
    const verify = await simShell(healthy.hostSettings, verifyPackages("python", [`triton-ascend==${triton.version}`]));
    expect([verify.code, verify.stdout]).toEqual([0, expect.not.stringMatching(/VERIFY FAILED|not installed/)]);
  }, 150_000);

  it("carries the release's upstream MindSpeed commit in a healthy layout's checkout", async () => {
    const sim = await layOutSim(mkdtempSync(join(tmpdir(), "sim-pinned-")), { release: "v26.0.0" });
    made.push(sim);
    const release = getRelease("v26.0.0");
    const r = await simShell(
      sim.hostSettings,
      "git -C ../MindSpeed rev-parse HEAD; git -C ../MindSpeed status --porcelain",
    );
    expect(r.stdout.trim()).toBe(release.mindspeed.commit);
  }, 60_000);
});

const sshtest = process.getuid?.() === 0 ? userIds("sshtest") : null;

describe.skipIf(!sshtest || !canBuildSimHost)("sim owned by an unprivileged user", () => {
  it("lets that user run npu-smi, python and a training run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-owned-"));
    execFileSync("chmod", ["755", dir]);
    const sim = await layOutSim(dir, { owner: sshtest!, name: "owned" });
    made.push(sim);
    const wd = sim.hostSettings.workdir!;
    await makeFakeHfModel(join(wd, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), "Qwen2.5-VL-7B-Instruct");
    writeFileSync(join(wd, "data/mllm_format_llava_instruct_data.json"), "[]");
    execFileSync("chown", ["-R", `${sshtest!.uid}:${sshtest!.gid}`, join(wd, "ckpt"), join(wd, "data")]);
    const prelude = hostPrelude(sim.hostSettings, { sourceCann: true, activatePython: true });
    const script = `${prelude}
      cd ${sim.hostSettings.workdir}
      npu-smi info | grep -c 'No running processes'
      python -c "import torch_npu, torch; print(torch.npu.device_count())"
      id -un
      ${CONVERT_7B()} >/dev/null 2>&1 && echo converted
      export ASCEND_SIM_STEP_SECONDS=0.01
      ${trainCmd({ port: await freePort(), iters: 2 })} 2>/dev/null | grep -c '] iteration '`;
    const out = execFileSync("bash", ["-c", script], {
      encoding: "utf8",
      uid: sshtest!.uid,
      gid: sshtest!.gid,
      cwd: "/tmp",
      env: { PATH: "/usr/bin:/bin", HOME: "/tmp" },
    });
    expect(out.trim().split("\n")).toEqual(["8", "8", "sshtest", "converted", "2"]);
  }, 60_000);
});
