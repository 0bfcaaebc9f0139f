// Running commands inside a simulated Ascend host the way the tools do: host prelude, then the command.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostPrelude } from "../../src/hosts/environment.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { layOutSim, makeFakeHfModel, type ScenarioId } from "../../src/sim/index.js";
import { freePort } from "../helpers/free-port.js";

export { freePort };

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function simShell(
  settings: HostSettings,
  script: string,
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ShellResult> {
  const prelude = hostPrelude(settings, { sourceCann: settings.sourceCann, activatePython: true });
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `${prelude}\n${script}`], {
      cwd: opts.cwd ?? settings.workdir,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        ASCEND_SIM_STEP_SECONDS: "0.01",
        ...opts.env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A laid-out sim with an HF model and a dataset in its checkout, ready for mm-convert and torchrun; its MASTER_PORT
 * (the one port-in-use's listener holds) is a free port of its own, not the default 6000 another suite may use.
 */
export async function preparedSim(scenario: ScenarioId = "healthy") {
  const dir = mkdtempSync(join(tmpdir(), `sim-${scenario}-`));
  const sim = await layOutSim(dir, { scenario, name: `sim-${scenario}`, masterPort: await freePort() });
  if (scenario !== "bare") {
    const mm = sim.hostSettings.workdir!;
    await makeFakeHfModel(join(mm, "ckpt/hf_path/Qwen2.5-VL-7B-Instruct"), "Qwen2.5-VL-7B-Instruct");
    writeFileSync(
      join(mm, "data/mllm_format_llava_instruct_data.json"),
      JSON.stringify([{ messages: [], images: [] }]),
    );
  }
  return sim;
}

export const CONVERT_7B = (llm = "[[12,16]]") =>
  `mm-convert Qwen2_5_VLConverter hf_to_mm --cfg.mm_dir ckpt/mm_path/Qwen2.5-VL-7B-Instruct ` +
  `--cfg.hf_config.hf_dir ckpt/hf_path/Qwen2.5-VL-7B-Instruct --cfg.parallel_config.llm_pp_layers '${llm}' ` +
  `--cfg.parallel_config.vit_pp_layers '[[32,0]]' --cfg.parallel_config.tp_size 1`;

export function trainCmd(opts: { port: number; iters: number; extra?: string; load?: string; save?: string }): string {
  return [
    `torchrun --nproc_per_node 8 --nnodes 1 --node_rank 0 --master_addr localhost --master_port ${opts.port}`,
    "pretrain_vlm.py --use-mcore-models --tensor-model-parallel-size 1 --pipeline-model-parallel-size 2",
    "--micro-batch-size 1 --global-batch-size 8 --seq-length 1024 --lr 1.0e-5 --lr-decay-style cosine",
    `--lr-warmup-fraction 0.1 --train-iters ${opts.iters} --log-interval 1 --log-tps --num-workers 8`,
    `--load ${opts.load ?? "ckpt/mm_path/Qwen2.5-VL-7B-Instruct"} --save ${opts.save ?? "save_dir"} --save-interval 4`,
    "--mm-data examples/qwen2.5vl/data_7b.json --mm-model examples/qwen2.5vl/model_7b.json",
    `--mm-tool mindspeed_mm/tools/tools.json --distributed-backend nccl ${opts.extra ?? ""}`,
  ].join(" ");
}

export function writeJson(path: string, value: unknown) {
  writeFileSync(path, JSON.stringify(value));
}
