import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/env/facts.js";
import { buildProbeScript, SECTION_MARK } from "../../src/env/probe.js";
import { renderHints } from "../../src/text/hint.js";
import checkEnv from "../../src/tools/check-env.js";
import {
  cannInfo,
  envSection,
  fixtureBlock,
  fixtureBody,
  healthyPackages,
  hostSettings,
  MINDSPEED_26_0,
  probeOutput,
  pythonSection,
  SOURCED_ENV,
  scriptedHosts,
} from "./check-env-scenarios.js";

type Args = Parameters<typeof checkEnv.handle>[0];

async function check(stdout: string, args: Partial<Args> = {}, settings = hostSettings()) {
  const { deps, executors } = scriptedHosts({ box: { stdout, settings } });
  const input = checkEnv.input.parse({ host: "box", ...args });
  const result = await checkEnv.handle(input, deps);
  return { result, executor: executors.get("box")! };
}

const byId = (findings: Finding[], id: string) => findings.find((f) => f.id === id);
const errors = (findings: Finding[]) => findings.filter((f) => f.severity === "error").map((f) => f.id);

describe("check_env on a healthy host", () => {
  it("reports the facts and no error finding, in one probe round trip", async () => {
    const { result, executor } = await check(probeOutput());
    expect(errors(result.findings)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.release).toBe("v26.1.0");
    expect(executor.calls).toHaveLength(1);
    expect(executor.calls[0]!.opts.timeoutMs).toBe(90_000);
    expect(executor.calls[0]!.opts.maxOutputBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(result.machine).toMatchObject({ arch: "aarch64", cpuCount: 192, shmTotalMb: 773911 });
    expect(result.npu).toMatchObject({ npuSmi: "ok", chipFamily: "910B", chipName: "910B3", count: 8, bf16: true });
    expect(result.npu!.driverVersion).toBe("25.0.rc1.1");
    expect(result.cann).toMatchObject({ version: "9.1.0", layout: "cann", effective: true, plainShellHasEnv: false });
    expect(result.cann!.nnal).toMatchObject({ present: true, sourced: true });
    expect(result.python).toMatchObject({ version: "3.10.18", wheelArch: "aarch64" });
    expect(result.python!.env).toEqual({ kind: "venv", path: "/home/ma/venv" });
    expect(result.live).toMatchObject({ importOk: true, available: true, deviceCount: 8 });
    expect(result.ports).toMatchObject({ masterPortFree: true, hcclPortRange: [60000, 60015], hcclPortsInUse: [] });
    expect(result.mindspeedMm!.megatron).toEqual({ present: true, version: "0.12.1", branch: "core_v0.12.1" });
    expect(checkEnv.output.safeParse(result).success).toBe(true);
  });

  it("sends the tool prelude inside the one probe script", async () => {
    const { executor } = await check(probeOutput());
    const script = executor.calls[0]!.command;
    expect(script).toContain("/usr/local/Ascend/cann/set_env.sh");
    expect(script).toContain("VIRTUAL_ENV=/home/ma/venv;");
    expect(script.indexOf("sec plain-env")).toBeLessThan(script.indexOf("VIRTUAL_ENV=/home/ma/venv;"));
    expect(script.indexOf("VIRTUAL_ENV=/home/ma/venv;")).toBeLessThan(script.indexOf("sec tool-env"));
  });
});

describe("check_env findings", () => {
  it("CANN not sourced in a container shell: exact source line, permanent for non-interactive shells", async () => {
    const stdout = probeOutput({
      "tool-env": envSection({ VIRTUAL_ENV: "/home/ma/venv" }),
      "torch-live": `rc=1\n${fixtureBlock("torch-npu-import-errors.txt", "X-Oscar")}`,
    });
    const { result } = await check(stdout, {}, hostSettings({ sourceCann: false }));
    const f = byId(result.findings, "cann-not-sourced")!;
    expect(f.severity).toBe("error");
    expect(f.fix).toBe(
      "{ echo 'source /usr/local/Ascend/cann/set_env.sh'; cat ~/.bashrc 2>/dev/null || true; } > ~/.bashrc.new && mv ~/.bashrc.new ~/.bashrc",
    );
    expect(f.evidence).toContain("sourceCann: false");
    expect(f.detail).toContain("sourceCann: true");
    const imp = byId(result.findings, "torch-npu-import-failed")!;
    expect(imp.evidence).toContain("libhccl.so: cannot open shared object file");
    expect(imp.fix).toBe(f.fix);
    expect(result.live!.errorKind).toBe("cann-libs-missing");
  });

  it("older layout: the fix names ascend-toolkit/set_env.sh", async () => {
    const stdout = probeOutput({
      "cann-files": [
        "absent /usr/local/Ascend/cann/set_env.sh",
        "present /usr/local/Ascend/ascend-toolkit/set_env.sh",
        "present /usr/local/Ascend/nnal/atb/set_env.sh",
        "info /usr/local/Ascend/ascend-toolkit/latest/aarch64-linux/ascend_toolkit_install.info",
        fixtureBlock("cann-toolkit-install-info.txt", "8.3.RC1 pre-release"),
      ].join("\n"),
      "tool-env": envSection({}),
      "torch-live": "skipped=torch_npu not installed",
    });
    const { result } = await check(stdout, { release: "v2.2.0" }, hostSettings({ sourceCann: false }));
    expect(result.cann).toMatchObject({ layout: "ascend-toolkit", version: "8.3.RC1" });
    expect(byId(result.findings, "cann-not-sourced")!.fix).toBe(
      "{ echo 'source /usr/local/Ascend/ascend-toolkit/set_env.sh'; cat ~/.bashrc 2>/dev/null || true; } > ~/.bashrc.new && mv ~/.bashrc.new ~/.bashrc",
    );
    expect(byId(result.findings, "cann-version")).toBeUndefined();
  });

  it("torch / torch_npu mismatch: the exact matching pair from the matrix", async () => {
    const pk = healthyPackages();
    pk.torch_npu = { version: "2.5.1.post1.dev20250528" };
    const { result } = await check(probeOutput({ python: pythonSection(pk) }));
    const f = byId(result.findings, "torch-npu-mismatch")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toBe("torch 2.7.1, torch_npu 2.5.1.post1.dev20250528");
    expect(f.fix).toBe("/home/ma/venv/bin/pip install --force-reinstall torch==2.7.1 torch_npu==2.7.1.post8");
  });

  it("torch_npu built for another CANN: undefined symbol at import → the wheel for the installed CANN", async () => {
    const pk = healthyPackages();
    pk.torch_npu = { version: "2.7.1.post2" };
    const stdout = probeOutput({
      python: pythonSection(pk),
      "torch-live": `rc=1\n${fixtureBlock("torch-npu-import-errors.txt", "vllm-ascend/issues/117")}`,
    });
    const { result } = await check(stdout);
    const imp = byId(result.findings, "torch-npu-import-failed")!;
    expect(imp.evidence).toContain("undefined symbol");
    expect(imp.fix).toBe("/home/ma/venv/bin/pip install --force-reinstall torch_npu==2.7.1.post8");
    const ver = byId(result.findings, "torch-npu-version")!;
    expect(ver.expected).toBe("torch_npu 2.7.1.post8");
  });

  it("a stale process on every NPU: kill exactly those pids", async () => {
    const stdout = probeOutput({
      "npu-smi": `path=/usr/local/sbin/npu-smi\nrc=0\n${fixtureBody("npu-smi-info-910b-busy.txt")}`,
      "npu-procs":
        "  16143 ma       86400 python -m vllm.entrypoints.openai.api_server\n  16144 ma       86400 VLLMWorker_DP",
    });
    const { result } = await check(stdout);
    const f = byId(result.findings, "npu-busy")!;
    expect(f.severity).toBe("error");
    expect(f.fix).toBe("kill 16143 16144 16145 16146 16147 16148 16149 16150");
    expect(f.evidence).toContain("NPU 0/0: pid 16143 VLLMWorker_DP 43095 MB");
    expect(result.npu!.processes[0]).toMatchObject({ pid: 16143, user: "ma", elapsedSec: 86400 });
    expect(result.npu!.processes[2]!.command).toBeNull();
  });

  it("processes from another container: names empty, not visible here", async () => {
    const stdout = probeOutput({
      "npu-smi": `rc=0\npath=/usr/local/sbin/npu-smi\n${fixtureBody("npu-smi-info-a3-busy.txt")}`,
    });
    const { result } = await check(stdout);
    const f = byId(result.findings, "npu-busy")!;
    // 23 rows, pids repeat across chips: each pid once.
    expect(f.fix!.split(" ").slice(1)).toHaveLength(new Set(result.npu!.processes.map((p) => p.pid)).size);
    expect(f.fix).toMatch(/^kill 935440 936673 930242 /);
    expect(f.detail).toContain("another container");
    expect(result.npu).toMatchObject({ chipFamily: "910_93", chipCount: 16, count: 8 });
  });

  it("HBM held on NPUs with no listed process", async () => {
    const idle = fixtureBody("npu-smi-info-910b-idle.txt").replace(
      "| 0                         | 0000:C2:00.0  | 0           0    / 0          3378 / 65536         |",
      "| 0                         | 0000:C2:00.0  | 0           0    / 0          40000/ 65536         |",
    );
    const { result } = await check(probeOutput({ "npu-smi": `rc=0\npath=/x/npu-smi\n${idle}` }));
    expect(byId(result.findings, "hbm-held")!.evidence).toBe("NPU 1/0: 40000/65536 MB");
  });

  it("Docker's 64 MB /dev/shm", async () => {
    const { result } = await check(
      probeOutput({ shm: "shm                  65536         0     65536   0% /dev/shm" }),
    );
    const f = byId(result.findings, "shm-small")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toBe("/dev/shm 64 MB");
    expect(f.fix).toBe("mount -o remount,size=64G /dev/shm");
    expect(f.detail).toContain("--shm-size=64g");
  });

  it("bf16 on a 910A: switch the model's scripts to fp16", async () => {
    const stdout = probeOutput({
      "npu-smi": `rc=0\npath=/usr/local/sbin/npu-smi\n${fixtureBody("npu-smi-info-910a.txt")}`,
    });
    const { result } = await check(stdout, { model: "qwen2.5vl-7b" });
    const f = byId(result.findings, "bf16-unsupported")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toBe("910ProB (910A)");
    expect(f.fix).toBe("cd /home/ma/MindSpeed-MM && sed -i 's/--bf16/--fp16/g' examples/qwen2.5vl/*.sh");
    expect(byId(result.findings, "chip-not-supported")!.severity).toBe("warning");
    expect(byId(result.findings, "npu-count-low")!.evidence).toBe("1 NPU device(s) in npu-smi");
  });

  it("a 310P inference card cannot train", async () => {
    const stdout = probeOutput({
      "npu-smi": `rc=0\npath=/usr/local/sbin/npu-smi\n${fixtureBody("npu-smi-info-310p.txt")}`,
    });
    const { result } = await check(stdout);
    expect(byId(result.findings, "chip-not-supported")!.severity).toBe("error");
    expect(byId(result.findings, "bf16-unsupported")!.fix).toBe(
      "cd /home/ma/MindSpeed-MM && sed -i 's/--bf16/--fp16/g' examples/*/*.sh",
    );
  });

  it("numpy 2 with a CANN that needs numpy<2", async () => {
    const pk = healthyPackages();
    pk.numpy = { version: "2.2.6" };
    pk.torch_npu = { version: "2.7.1" };
    const stdout = probeOutput({
      python: pythonSection(pk),
      "cann-files": `present /usr/local/Ascend/cann/set_env.sh\npresent /usr/local/Ascend/nnal/atb/set_env.sh\ninfo /x/ascend_toolkit_install.info\n${cannInfo("8.3.RC2")}`,
    });
    const { result } = await check(stdout, { release: "v2.2.0" });
    const f = byId(result.findings, "numpy-too-new")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toContain("numpy 2.2.6, CANN 8.3.RC2");
    expect(f.fix).toBe("/home/ma/venv/bin/pip install 'numpy<2'");
    // On the newest release with CANN 9.1 numpy 2 is fine.
    const ok = await check(
      probeOutput({ python: pythonSection({ ...healthyPackages(), numpy: { version: "2.2.6" } }) }),
    );
    expect(byId(ok.result.findings, "numpy-too-new")).toBeUndefined();
  });

  it("npu-smi missing inside a container: the docker run flags that pass the driver through", async () => {
    const stdout = probeOutput({
      machine: "arch=aarch64\ncpus=64\ncontainer=docker\nMemTotal:       263000000 kB",
      "npu-smi": "rc=127",
      devices: "davinci0\ndavinci1\ndavinci_manager",
      "torch-live": "skipped=torch_npu not installed",
    });
    const { result } = await check(stdout);
    const f = byId(result.findings, "npu-smi-missing")!;
    expect(f.title).toContain("not mounted into this container");
    expect(f.fix).toContain("--device=/dev/davinci0 --device=/dev/davinci1 --device=/dev/davinci_manager");
    expect(f.fix).toContain("-v /usr/local/Ascend/driver:/usr/local/Ascend/driver:ro");
  });

  it("npu-smi missing on bare metal: install the driver", async () => {
    const stdout = probeOutput({ "npu-smi": "rc=127", devices: "", driver: "" });
    const { result } = await check(stdout);
    const f = byId(result.findings, "npu-smi-missing")!;
    expect(f.fix).toBe("bash ./Ascend-hdk-910b-npu-driver_*_linux-aarch64.run --full --install-for-all");
  });

  it("a workdir that is no git checkout of its own: points at install_stack, never at a repository around it", async () => {
    // The probe asks git only when the workdir has its own .git; a directory inside another repository reports none.
    const stdout = probeOutput({ workdir: ["exists=1", "megatron=0"].join("\n") });
    const { result } = await check(stdout);
    const f = byId(result.findings, "mindspeed-mm-release")!;
    expect(f.title).toBe("The MindSpeed-MM working directory is not a git checkout");
    expect(f.fix).toContain("run install_stack on this host");
    expect(JSON.stringify(result.findings)).not.toContain("git describe");
  });

  it("the probe asks git about the workdir only when it is a checkout of its own (run for real)", () => {
    const repo = mkdtempSync(join(tmpdir(), "probe-git-"));
    try {
      execFileSync("git", ["init", "-q", repo]);
      execFileSync("git", [
        "-C",
        repo,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
      ]);
      const inside = join(repo, "MindSpeed-MM");
      mkdirSync(inside);
      const script = buildProbeScript(hostSettings({ workdir: inside }), { liveTimeoutSec: 5, npuSmiTimeoutSec: 5 });
      const out = execFileSync("bash", ["-c", script], { encoding: "utf8", timeout: 60_000 });
      const section = out.split(SECTION_MARK).find((s) => s.startsWith("workdir"))!;
      expect(section).toContain("exists=1");
      expect(section).not.toMatch(/describe=|commit=/);
      // The repository's own checkout is still read.
      const own = buildProbeScript(hostSettings({ workdir: repo }), { liveTimeoutSec: 5, npuSmiTimeoutSec: 5 });
      const mine = execFileSync("bash", ["-c", own], { encoding: "utf8", timeout: 60_000 });
      expect(mine.split(SECTION_MARK).find((s) => s.startsWith("workdir"))).toMatch(/commit=[0-9a-f]{40}/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  }, 90_000);

  it("MASTER_PORT and HCCL ports taken", async () => {
    const stdout = probeOutput({ ports: ["0016", "1770", "1771", "EA60", "EA65"].join("\n") });
    const { result } = await check(stdout);
    const mp = byId(result.findings, "master-port-in-use")!;
    // launch_train takes the port from its input or the script, not from the caller's shell; with no script known, the
    // argument alone (a launch_train call needs its script).
    expect(renderHints(mp.fix)).toBe(
      "launch with master port 6002 (launch_train with masterPort: 6002), or MASTER_PORT=6002 in the launch script",
    );
    const hc = byId(result.findings, "hccl-ports-in-use")!;
    expect(hc.evidence).toBe("listening: 60000, 60005");
    expect(hc.fix).toBe("export HCCL_IF_BASE_PORT=60016");
  });

  it("checks the MASTER_PORT launch_train would use: the host's setting, and says so", async () => {
    // 29500 listens, 6000 does not: the host's MASTER_PORT is the port its launches take.
    const stdout = probeOutput({ ports: ["0016", (29500).toString(16).toUpperCase()].join("\n") });
    const { result } = await check(stdout, {}, hostSettings({ env: { MASTER_PORT: "29500" } }));
    expect(result.ports).toMatchObject({ masterPort: 29500, masterPortFree: false, masterPortFrom: "host" });
    expect(byId(result.findings, "master-port-in-use")!.title).toBe("MASTER_PORT 29500 is already listening");
    expect(checkEnv.summarize(result)).toContain("MASTER_PORT 29500 (the host's setting): in use");
    expect(checkEnv.output.safeParse(result).success).toBe(true);
    // A port given to check_env is the one checked.
    const given = await check(stdout, { masterPort: 6001 }, hostSettings({ env: { MASTER_PORT: "29500" } }));
    expect(given.result.ports).toMatchObject({ masterPort: 6001, masterPortFree: true, masterPortFrom: "given" });
    expect(checkEnv.summarize(given.result)).toContain("MASTER_PORT 6001 (as given): free");
  });

  it("with a model and no host setting, checks the port of the model's launch script on the host", async () => {
    const stdout = probeOutput({ ports: (6700).toString(16).toUpperCase() });
    const { deps, executors } = scriptedHosts({ box: { stdout } });
    const script = "/home/ma/MindSpeed-MM/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh";
    executors.get("box")!.files.set(script, "#!/bin/bash\nMASTER_ADDR=localhost\nMASTER_PORT=6700\n");
    const result = await checkEnv.handle(checkEnv.input.parse({ host: "box", model: "qwen2.5vl-3b" }), deps);
    expect(result.ports).toMatchObject({ masterPort: 6700, masterPortFrom: "script", masterPortScript: script });
    expect(byId(result.findings, "master-port-in-use")!.title).toBe("MASTER_PORT 6700 is already listening");
    expect(checkEnv.summarize(result)).toContain(`MASTER_PORT 6700 (the launch script's, ${script}): in use`);
    // The script is known, so the fix is the whole launch_train call on it.
    expect(renderHints(byId(result.findings, "master-port-in-use")!.fix)).toBe(
      `launch with master port 6701: launch_train {host: "box", script: "${script}", masterPort: 6701}, or MASTER_PORT=6701 in the launch script`,
    );
    // Nothing written yet, nothing set: the port the model's script would have.
    const bare = scriptedHosts({ box: { stdout: probeOutput() } });
    const planned = await checkEnv.handle(checkEnv.input.parse({ host: "box", model: "qwen2.5vl-3b" }), bare.deps);
    expect(planned.ports).toMatchObject({ masterPort: 6000, masterPortFree: true, masterPortFrom: "script" });
    expect(checkEnv.summarize(planned)).toContain(
      "MASTER_PORT 6000 (the launch script's, as build_configs writes it): free",
    );
    const none = await check(probeOutput());
    expect(checkEnv.summarize(none.result)).toContain("MASTER_PORT 6000 (the default; the host sets none): free");
  });

  it("takes the HCCL base port from the tool shell's HCCL_IF_BASE_PORT", async () => {
    const stdout = probeOutput({
      "tool-env": envSection({ ...SOURCED_ENV, HCCL_IF_BASE_PORT: "61000" }),
      ports: "EA60",
    });
    const { result } = await check(stdout, { masterPort: 29500 });
    expect(result.ports).toMatchObject({ masterPort: 29500, hcclPortRange: [61000, 61015], hcclPortsInUse: [] });
    expect(byId(result.findings, "hccl-ports-in-use")).toBeUndefined();
  });

  it("x86_64 host with aarch64 or CUDA torch wheels", async () => {
    const x86 = "arch=x86_64\ncpus=96\nMemTotal:       1000000000 kB";
    const arm = { ...healthyPackages("aarch64") };
    let { result } = await check(probeOutput({ machine: x86, python: pythonSection(arm) }));
    let f = byId(result.findings, "torch-wrong-wheel")!;
    expect(f.evidence).toBe("wheel for aarch64, host is x86_64");
    expect(f.fix).toBe(
      "/home/ma/venv/bin/pip install --force-reinstall torch==2.7.1+cpu torch_npu==2.7.1.post8 --extra-index-url https://download.pytorch.org/whl/cpu",
    );
    const cuda = {
      ...healthyPackages("x86_64"),
      torch: { version: "2.7.1+cu126", tags: ["cp310-cp310-manylinux_2_28_x86_64"] },
    };
    ({ result } = await check(probeOutput({ machine: x86, python: pythonSection(cuda) })));
    f = byId(result.findings, "torch-wrong-wheel")!;
    expect(f.title).toBe("torch is a CUDA build");
  });

  it("torch does not see the NPUs npu-smi lists", async () => {
    const { result } = await check(
      probeOutput({ "torch-live": "rc=0\nimport=ok\navailable=True\ncount=4\ncann=9.1.0" }),
    );
    expect(byId(result.findings, "npu-count-mismatch")!.evidence).toBe("torch.npu.device_count()=4, npu-smi lists 8");
    const hidden = await check(
      probeOutput({
        "tool-env": envSection({ ...SOURCED_ENV, ASCEND_RT_VISIBLE_DEVICES: "0,1,2,3" }),
        "torch-live": "rc=0\nimport=ok\navailable=True\ncount=4\ncann=9.1.0",
      }),
    );
    expect(byId(hidden.result.findings, "npu-count-mismatch")).toBeUndefined();
    const none = await check(probeOutput({ "torch-live": "rc=0\nimport=ok\navailable=False\ncount=0\ncann=9.1.0" }));
    expect(byId(none.result.findings, "npu-not-available")!.fix).toBe("sudo usermod -aG HwHiAiUser $(id -un)");
  });

  it("CANN older than the release supports, and CANN not installed at all", async () => {
    const old = probeOutput({
      "cann-files": `absent /usr/local/Ascend/cann/set_env.sh\npresent /usr/local/Ascend/ascend-toolkit/set_env.sh\npresent /usr/local/Ascend/nnal/atb/set_env.sh\ninfo /x\n${fixtureBlock("cann-toolkit-install-info.txt", "8.0.0, aarch64")}`,
    });
    const { result } = await check(old);
    const f = byId(result.findings, "cann-too-old")!;
    expect(f.evidence).toBe("8.0.0");
    expect(f.fix).toBe(
      "bash Ascend-cann-toolkit_9.1.0_linux-aarch64.run --install --install-path=/usr/local/Ascend --quiet",
    );
    const none = probeOutput({
      "cann-files":
        "absent /usr/local/Ascend/cann/set_env.sh\nabsent /usr/local/Ascend/ascend-toolkit/set_env.sh\nabsent /usr/local/Ascend/nnal/atb/set_env.sh",
      "tool-env": envSection({ VIRTUAL_ENV: "/home/ma/venv" }),
    });
    const missing = await check(none, { release: "v2.3.0" });
    expect(byId(missing.result.findings, "cann-missing")!.fix).toBe(
      "bash Ascend-cann-toolkit_8.5.0_linux-aarch64.run --install --install-path=/usr/local/Ascend --quiet",
    );
  });

  it("CANN newer than the release's compatibility table lists is an error, a listed one is not", async () => {
    // The healthy fixture runs CANN 9.1.0: v26.1.0's release notes mark it "Y" for 26.1.0 and "/" for 26.0.0.
    const listed = await check(probeOutput());
    expect(byId(listed.result.findings, "cann-incompatible")).toBeUndefined();
    const { result } = await check(probeOutput(), { release: "v26.0.0" });
    const f = byId(result.findings, "cann-incompatible")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toBe("9.1.0");
    expect(f.expected).toMatch(/8\.1\.RC1, 8\.2\.RC1, 8\.3\.RC1, 8\.5\.0, 9\.0\.0/);
  });

  it("MindSpeed off its pin, Megatron missing, checkout at another tag", async () => {
    const pk = healthyPackages();
    pk.mindspeed = { ...pk.mindspeed!, commit: "5176c6f5f133111e55a404d82bd2dc14a809a6ab", branch: "HEAD" };
    const stdout = probeOutput({
      python: pythonSection(pk),
      workdir: "exists=1\ndescribe=v2.3.0-12-gabcdef0\ncommit=abc\nbranch=master\nmegatron=0",
    });
    const { result } = await check(stdout, { release: "v26.0.0" });
    expect(byId(result.findings, "mindspeed-commit")!.fix).toBe(
      `cd /home/ma/MindSpeed && git fetch origin && git checkout ${MINDSPEED_26_0} && /home/ma/venv/bin/pip install -e .`,
    );
    expect(byId(result.findings, "megatron-missing")!.fix).toBe(
      "git clone --depth 1 --branch core_v0.12.1 https://github.com/NVIDIA/Megatron-LM.git /tmp/Megatron-LM && rm -rf /home/ma/MindSpeed-MM/megatron && cp -r /tmp/Megatron-LM/megatron /home/ma/MindSpeed-MM/",
    );
    expect(byId(result.findings, "mindspeed-mm-release")!.fix).toBe(
      "cd /home/ma/MindSpeed-MM && git fetch --tags origin && git checkout v26.0.0",
    );
  });

  it("a probe that timed out is a finding, not a crash", async () => {
    const full = probeOutput();
    const cut = full.slice(0, full.indexOf("::ascend-train-probe::python"));
    const { deps } = scriptedHosts({ box: { stdout: cut, timedOut: true, exitCode: null as unknown as number } });
    const result = await checkEnv.handle(checkEnv.input.parse({ host: "box" }), deps);
    const f = byId(result.findings, "probe-incomplete")!;
    expect(f.severity).toBe("error");
    expect(f.evidence).toBe("the probe did not finish in time");
    expect(result.npu!.chipCount).toBe(8);
  });

  it("summarizes with the errors and their fixes", async () => {
    const { result } = await check(probeOutput({ shm: "shm 65536 0 65536 0% /dev/shm" }));
    const text = checkEnv.summarize(result);
    expect(text).toContain("box vs MindSpeed-MM v26.1.0: 1 error");
    expect(text).toContain("[error] shm-small");
    expect(text).toContain("fix: mount -o remount,size=64G /dev/shm");
  });

  it("summarizes info findings too, one line each, after the errors and warnings", async () => {
    const { result } = await check(probeOutput({ python: pythonSection(healthyPackages(), "3.11.9") }));
    const info = result.findings.find((f) => f.severity === "info")!;
    expect(info.id).toBe("python-version");
    const text = checkEnv.summarize(result);
    expect(text).toMatch(/: \d+ errors?, \d+ warnings?, 1 info\n/);
    const line = text.split("\n").find((l) => l.startsWith("[info] "));
    expect(line).toBe(`[info] python-version: ${info.title} (${info.evidence})`);
  });
});

describe("check_env input", () => {
  it("rejects an unknown release and host+hosts together", () => {
    const bad = checkEnv.input.safeParse({ release: "v9.0.0" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain("unknown MindSpeed-MM release; known: v2.1.0");
    expect(checkEnv.input.safeParse({ host: "a", hosts: ["a", "b"] }).success).toBe(false);
    expect(checkEnv.input.safeParse({ hosts: ["a"] }).success).toBe(false);
  });

  it("refuses a model it does not know before probing, naming the nearest ids; a near name resolves", async () => {
    // Nothing within a few edits: no ids to guess at, the call that lists them all.
    const unknown = await check(probeOutput(), { model: "totally-bogus" }).catch((e: unknown) => e);
    expect((unknown as Error).message).toMatch(/^model: Unknown model "totally-bogus"\. find_model lists every model/);
    const typo = await check(probeOutput(), { model: "qwen2.5vl-8b" }).catch((e: unknown) => e);
    expect((typo as Error).message).toMatch(/^model: Unknown model "qwen2\.5vl-8b"\. Nearest: qwen2\.5vl-7b/);
    const family = await check(probeOutput(), { model: "qwen2.5vl" }).catch((e: unknown) => e);
    expect((family as Error).message).toContain("names several sizes: qwen2.5vl-3b");
    const { result, executor } = await check(probeOutput(), { model: "Qwen2.5-VL-7B-Instruct" });
    expect(result.model).toBe("qwen2.5vl-7b");
    expect(executor.calls.length).toBeGreaterThan(0);
  });
});

describe("check_env on several hosts", () => {
  it("reports every difference that breaks multi-node training, with the host to fix", async () => {
    const pkB = healthyPackages();
    pkB.torch_npu = { version: "2.7.1.post4" };
    pkB.mindspeed = { ...pkB.mindspeed!, commit: MINDSPEED_26_0 };
    const b = probeOutput({
      python: pythonSection(pkB, "3.11.9"),
      "cann-files": `present /usr/local/Ascend/cann/set_env.sh\npresent /usr/local/Ascend/nnal/atb/set_env.sh\ninfo /x\n${cannInfo("9.0.0")}`,
      tools: "pdsh=\ngit=/usr/bin/git",
    });
    const { deps } = scriptedHosts({ a: { stdout: probeOutput() }, b: { stdout: b }, c: { stdout: probeOutput() } });
    const result = await checkEnv.handle(checkEnv.input.parse({ hosts: ["a", "b", "c"] }), deps);
    expect(result.hosts!.map((h) => h.host)).toEqual(["a", "b", "c"]);
    const cross = result.findings.filter((f) => f.id.startsWith("multi-node-"));
    expect(cross.map((f) => f.id).sort()).toEqual([
      "multi-node-cann-differs",
      "multi-node-mindspeed-differs",
      "multi-node-python-differs",
      "multi-node-torch-npu-differs",
    ]);
    expect(cross.every((f) => f.host === "b" && f.severity === "error")).toBe(true);
    const cann = byId(cross, "multi-node-cann-differs")!;
    expect(cann.evidence).toBe("a: 9.1.0, b: 9.0.0, c: 9.1.0");
    expect(cann.fix).toBe(
      "bash Ascend-cann-toolkit_9.1.0_linux-aarch64.run --install --install-path=/usr/local/Ascend --quiet",
    );
    expect(byId(cross, "multi-node-torch-npu-differs")!.fix).toBe(
      "pip install --force-reinstall torch_npu==2.7.1.post8",
    );
    expect(byId(cross, "multi-node-python-differs")!.fix).toBe("conda create -y -n mindspeed-mm python=3.10");
    expect(byId(result.findings, "pdsh-missing")!.evidence).toBe("b");
    // Per-host findings carry their host too.
    expect(result.findings.find((f) => f.id === "python-version")!.host).toBe("b");
    expect(result.ok).toBe(false);
  });

  it("an unreachable host is a finding; the others are still compared", async () => {
    const { deps } = scriptedHosts({ a: { stdout: probeOutput() } });
    const result = await checkEnv.handle(checkEnv.input.parse({ hosts: ["a", "nope"] }), deps);
    expect(result.unreachable![0]!.host).toBe("nope");
    expect(byId(result.findings, "host-unreachable")!.evidence).toContain('Unknown host "nope"');
    expect(result.hosts).toHaveLength(1);
  });
});
