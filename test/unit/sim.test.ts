// The simulated Ascend host, exercised through its real shims (npu-smi, python, mm-convert, torchrun).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LaidOutSim } from "../../src/sim/index.js";
import { readSimState, SCENARIOS, stopSimProcesses } from "../../src/sim/index.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { CONVERT_7B, freePort, preparedSim, simShell, trainCmd } from "./sim-helpers.js";

const REFERENCE = readFileSync(join(import.meta.dirname, "../fixtures/host-outputs/npu-smi-info-910b-idle.txt"), "utf8")
  .split("\n")
  .slice(2)
  .filter((l) => l.length > 0);

/** Column layout of a table line: where its '|' and '+' separators sit. */
const shape = (line: string) => [...line].map((c, i) => (c === "|" || c === "+" ? i : -1)).filter((i) => i >= 0);

// Section e: ` [ts] iteration N/M | consumed samples: ... | ... | loss: X | ... |`
const ITERATION =
  /^ \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] iteration +(\d+)\/ +(\d+) \| consumed samples: +(\d+) \| elapsed time per iteration \(ms\): [\d.]+ \| learning rate: \d\.\d{6}E[+-]\d\d \| global batch size: +(\d+) \| (?:tokens per sample: \d\.\d{6}E[+-]\d\d \| )?loss: (\d\.\d{6}E[+-]\d\d|NAN) \| loss scale: 1\.0 \| grad norm: ([\d.]+|nan) \| number of skipped iterations: +(\d+) \| number of nan iterations: +(\d+) \|$/;
const CI_REGEX = /elapsed time per iteration \(ms\):\s+([0-9.]+)\s+\|.*?loss:\s+([0-9.]+E[+-][0-9]+)/;

let sim: LaidOutSim;

beforeAll(async () => {
  sim = await preparedSim("healthy");
}, 60_000);

afterAll(async () => {
  if (sim) {
    await stopSimProcesses(sim.dir);
    rmSync(sim.dir, { recursive: true, force: true });
  }
});

describe.skipIf(!canBuildSimHost)("simulated host layout", () => {
  it("exports every scenario with a description", () => {
    expect(SCENARIOS.map((s) => s.id)).toContain("healthy");
    expect(SCENARIOS.every((s) => s.description.length > 20)).toBe(true);
  });

  it("points its host settings inside the sim dir and records its state", async () => {
    const s = sim.hostSettings;
    expect(s.sources).toEqual({
      mindspeedMm: join(sim.dir, "mirrors/MindSpeed-MM.git"),
      megatron: join(sim.dir, "mirrors/Megatron-LM.git"),
      mindspeed: join(sim.dir, "mirrors/MindSpeed.git"),
      transformers: join(sim.dir, "mirrors/transformers.git"),
      wheelDir: join(sim.dir, "wheels"),
    });
    expect(s.env.ASCEND_SIM_ROOT).toBe(sim.dir);
    for (const p of [s.cannRoot, s.venv!, s.workdir!, ...s.path]) expect(p.startsWith(sim.dir)).toBe(true);
    const state = await readSimState(sim.dir);
    expect(state).toMatchObject({ scenario: "healthy", npuCount: 8, chip: "910B3", simulated: true });
    expect(Object.keys(state.mirrors.mindspeedCommits)).toContain("26.1.0_core_r0.12.1");
    expect(existsSync(join(sim.dir, "usr/local/Ascend/driver/version.info"))).toBe(true);
    const info = readFileSync(
      join(sim.dir, "usr/local/Ascend/cann", `${state.arch}-linux`, "ascend_toolkit_install.info"),
      "utf8",
    );
    expect(info).toMatch(new RegExp(`^version=${state.versions.cann!.replaceAll(".", "\\.")}$`, "m"));
  });

  it("checks out MindSpeed-MM at the release tag as a real git repo", async () => {
    const r = await simShell(sim.hostSettings, "git describe --tags; ls megatron/core pretrain_vlm.py");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^v26\.1\.0$/m);
    expect(r.stdout).toContain("package_info.py");
  });
});

describe.skipIf(!canBuildSimHost)("npu-smi", () => {
  it("prints the 98-column 910B table with the reference layout", async () => {
    const r = await simShell(sim.hostSettings, "npu-smi info");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("simulated Ascend host");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(REFERENCE.length);
    lines.forEach((line, i) => {
      expect(line.length).toBe(98);
      expect(shape(line)).toEqual(shape(REFERENCE[i]!));
    });
    const hbm = lines.filter((l) => /^\| 0 {25}\| 0000:/.test(l)).map((l) => /(\d+) *\/ (\d+) +\|$/.exec(l)!.slice(1));
    expect(hbm).toHaveLength(8);
    expect(hbm.every(([used, total]) => Number(used) < 5000 && total === "65536")).toBe(true);
    expect(lines.filter((l) => l.includes("No running processes found in NPU"))).toHaveLength(8);
  });

  it("lists NPUs with -l and rejects unknown subcommands with a usage text", async () => {
    const l = await simShell(sim.hostSettings, "npu-smi info -l");
    expect(l.stdout).toMatch(/Total Count\s+: 8/);
    expect(l.stdout.match(/NPU ID\s+: \d/g)).toHaveLength(8);
    const bad = await simShell(sim.hostSettings, "npu-smi frobnicate");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/Usage: npu-smi/);
  });
});

describe.skipIf(!canBuildSimHost)("python stack", () => {
  it("imports torch_npu when CANN is sourced, with the release matrix versions visible to importlib.metadata", async () => {
    const r = await simShell(
      sim.hostSettings,
      `python -c "import torch, torch_npu, importlib.metadata as m; print(torch.__version__, torch_npu.__version__, torch.version.cann, torch.npu.is_available(), torch.npu.device_count(), m.version('transformers'), m.version('mindspeed_mm'))"`,
    );
    expect(r.stderr).toBe("");
    const state = await readSimState(sim.dir);
    expect(r.stdout.trim()).toBe(
      `${state.versions.torch} ${state.versions.torchNpu} ${state.versions.cann} True 8 ${state.versions.transformers} 26.1.0`,
    );
  });

  it("honours ASCEND_RT_VISIBLE_DEVICES", async () => {
    const r = await simShell(
      sim.hostSettings,
      `ASCEND_RT_VISIBLE_DEVICES=2,3 python -c "import torch; print(torch.npu.device_count())"`,
    );
    expect(r.stdout.trim()).toBe("2");
  });

  it("fails like the real torch_npu when CANN's env is not sourced", async () => {
    const bare = { ...sim.hostSettings, sourceCann: false };
    const r = await simShell(bare, `python -c "import torch_npu"`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/libhccl\.so: cannot open shared object file: No such file or directory/);
    expect(r.stderr).toMatch(/ERR00008 PTA resource not found/);
    const t = await simShell(bare, `python -c "import torch"`);
    expect(t.stderr).toMatch(/RuntimeError: Failed to load the backend extension: torch_npu\./);
  });
});

describe.skipIf(!canBuildSimHost)("mm-convert and torchrun", () => {
  it("converts HF weights into a Megatron checkpoint tree", async () => {
    const r = await simShell(sim.hostSettings, CONVERT_7B());
    expect(r.code).toBe(0);
    const mm = join(sim.hostSettings.workdir!, "ckpt/mm_path/Qwen2.5-VL-7B-Instruct");
    expect(readFileSync(join(mm, "latest_checkpointed_iteration.txt"), "utf8")).toBe("release");
    for (const rank of ["mp_rank_00_000", "mp_rank_00_001"]) {
      expect(existsSync(join(mm, "release", rank, "model_optim_rng.pt"))).toBe(true);
    }
  });

  it("rejects a layer split that does not add up to the model's layers", async () => {
    const r = await simShell(sim.hostSettings, CONVERT_7B("[[12,15]]").replace("mm_path/", "mm_path/bad-"));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "Sum of llm_pipeline_num_layers_flat must be equal to llm_num_layers, but got 27 and 28.",
    );
  });

  it("trains with the section-e log format, shows the run in npu-smi and saves checkpoints", async () => {
    const port = await freePort();
    const r = await simShell(
      sim.hostSettings,
      `${trainCmd({ port, iters: 6 })} > train.log 2>&1 &
       pid=$!; for i in $(seq 50); do grep -q 'iteration        2/' train.log && break; sleep 0.1; done
       npu-smi info > smi.txt 2>/dev/null; wait $pid; echo "rc=$?"`,
      { env: { ASCEND_SIM_STEP_SECONDS: "0.25" } },
    );
    expect(r.stdout).toContain("rc=0");
    const wd = sim.hostSettings.workdir!;
    const log = readFileSync(join(wd, "train.log"), "utf8");
    const iterations = log.split("\n").filter((l) => l.includes("] iteration "));
    expect(iterations).toHaveLength(6);
    iterations.forEach((line, i) => {
      const m = ITERATION.exec(line);
      expect(m, line).not.toBeNull();
      expect(Number(m![1])).toBe(i + 1);
      expect(Number(m![3])).toBe((i + 1) * 8);
      expect(CI_REGEX.test(line)).toBe(true);
    });
    expect(log).toMatch(
      /\[Rank 0\] \(after 1 iterations\) memory \(MB\) \| allocated: [\d.]+ \| max allocated: [\d.]+/,
    );
    expect(log).toContain("saving checkpoint at iteration       4 to save_dir in torch format");
    expect(log).toContain("[after training is done] datetime:");
    expect(readFileSync(join(wd, "save_dir/latest_checkpointed_iteration.txt"), "utf8")).toBe("6");
    expect(existsSync(join(wd, "save_dir/iter_0000004/mp_rank_00_001/model_optim_rng.pt"))).toBe(true);
    const busy = readFileSync(join(wd, "smi.txt"), "utf8").split("\n");
    expect(busy.filter((l) => l.includes("No running processes found"))).toHaveLength(0);
    expect(busy.filter((l) => /^\| \d {7}0 {17}\| \d+ +\| python/.test(l))).toHaveLength(8);
    const after = await simShell(sim.hostSettings, "npu-smi info");
    expect(after.stdout.match(/No running processes found/g)).toHaveLength(8);
  });

  it("resumes from --load at the saved iteration", async () => {
    const port = await freePort();
    const r = await simShell(sim.hostSettings, trainCmd({ port, iters: 8, load: "save_dir", save: "save_dir" }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("loading checkpoint from save_dir at iteration 6");
    const iterations = r.stdout.split("\n").filter((l) => l.includes("] iteration "));
    expect(iterations.map((l) => Number(ITERATION.exec(l)![1]))).toEqual([7, 8]);
  });

  it("fails to load a checkpoint converted with another layer split", async () => {
    const conv = await simShell(
      sim.hostSettings,
      CONVERT_7B("[[14,14]]").replaceAll("mm_path/Qwen", "mm_path/split-Qwen"),
    );
    expect(conv.code).toBe(0);
    const port = await freePort();
    const r = await simShell(
      sim.hostSettings,
      trainCmd({ port, iters: 2, load: "ckpt/mm_path/split-Qwen2.5-VL-7B-Instruct", save: "save_split" }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Error\(s\) in loading state_dict/);
    expect(r.stderr).toMatch(/size mismatch for|Missing key\(s\)|Unexpected key\(s\)/);
    expect(r.stderr).toContain("ChildFailedError");
  });
});
