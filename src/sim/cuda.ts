// The simulated host's CUDA flavour (`sim init --accelerator cuda`): an 8x H100 machine with nvidia-smi in driver
// 570's output format, a venv whose torch reports CUDA, and TRL / transformers / peft / accelerate / datasets
// stand-ins whose trainers print the Transformers Trainer's log and fail the way torch does, a Hugging Face cache with
// the base models and a llama.cpp clone for GGUF export. To the product it is an inventory entry with
// `accelerator: cuda`, a venv, a workdir, a PATH entry, HF_HOME and a wheel directory in `sources:` (every stand-in
// as a real .whl, so install_stack's pip runs as on an offline site).
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type HostSettings, HostSettingsSchema } from "../hosts/inventory.js";
import { NEWEST_TRL } from "../knowledge/trl.js";
import { simFile } from "./files.js";
import { layOutHfCache, layOutLlamaCpp, layOutLlamaCppMirror } from "./llama-cpp.js";
import type { PackageSpec } from "./packages.js";
import { DF_SHIM_SH, WHEEL_BUILDER_PY } from "./shims.js";
import { cached, contentHash, sh, writeTree } from "./util.js";
import { createVenv, findPython, installPackages, pythonVersion } from "./venv.js";

export interface CudaSimConfig {
  gpuCount: number;
  gpuName: string;
  memoryTotalMiB: number;
  driver: string;
  cuda: string;
  bf16: boolean;
}

/** An 8x H100 SXM node: nvidia-smi reports 81559 MiB per H100 80GB; driver 570.133.20 reports CUDA 12.8. */
export const DEFAULT_CUDA_SIM: CudaSimConfig = {
  gpuCount: 8,
  gpuName: "NVIDIA H100 80GB HBM3",
  memoryTotalMiB: 81559,
  driver: "570.133.20",
  cuda: "12.8",
  bf16: true,
};

const TORCH = { version: "2.7.1+cu128", cuda: "12.8" };
const NOTE = "Stand-in package of the simulated CUDA host (ascend-train sim).";
const BITSANDBYTES = "0.46.1";

/** The host's wheel directory: a real .whl of every stand-in package (built once, cached). */
async function cudaWheels(python: string): Promise<string> {
  const packages = cudaPackages();
  return cached(`cuda-wheels-${contentHash([packages, WHEEL_BUILDER_PY])}`, async (dir) => {
    await sh(python, ["-c", WHEEL_BUILDER_PY], { input: JSON.stringify({ outDir: join(dir, "wheels"), packages }) });
  });
}

function cudaPackages(): PackageSpec[] {
  const r = NEWEST_TRL.requires;
  const sub = (s: string) =>
    s
      .replaceAll("@@TORCH_VERSION@@", TORCH.version)
      .replaceAll("@@TORCH_CUDA@@", TORCH.cuda)
      .replaceAll("@@TRL_VERSION@@", NEWEST_TRL.trl)
      .replaceAll("@@DATASETS_VERSION@@", r.datasets)
      .replaceAll("@@PEFT_VERSION@@", r.peft)
      .replaceAll("@@TRANSFORMERS_VERSION@@", r.transformers);
  const pkg = (name: string, version: string, files: Record<string, string>, scripts?: Record<string, string>) => ({
    name,
    version,
    summary: NOTE,
    files,
    ...(scripts ? { entryPoints: { console_scripts: scripts } } : {}),
  });
  return [
    pkg("torch", TORCH.version, { "torch/__init__.py": sub(simFile("cuda_torch_init.py")) }),
    pkg("bitsandbytes", BITSANDBYTES, { "bitsandbytes/__init__.py": `__version__ = "${BITSANDBYTES}"\n` }),
    pkg("trl", NEWEST_TRL.trl, { "trl/__init__.py": sub(simFile("trl_init.py")) }),
    pkg("transformers", r.transformers, { "transformers/__init__.py": sub(simFile("trl_transformers.py")) }),
    pkg("peft", r.peft, { "peft/__init__.py": sub(simFile("trl_peft.py")) }),
    pkg("datasets", r.datasets, { "datasets/__init__.py": sub(simFile("trl_datasets.py")) }),
    pkg(
      "accelerate",
      r.accelerate,
      {
        "accelerate/__init__.py": `__version__ = "${r.accelerate}"\n`,
        "accelerate/cli.py": simFile("accelerate_cli.py"),
      },
      { accelerate: "accelerate.cli:main" },
    ),
  ];
}

export function cudaSimHostSettings(dir: string, config: CudaSimConfig = DEFAULT_CUDA_SIM): HostSettings {
  return HostSettingsSchema.parse({
    accelerator: "cuda",
    sourceCann: false,
    venv: join(dir, "venv"),
    workdir: join(dir, "work"),
    npusPerNode: config.gpuCount,
    path: [join(dir, "bin")],
    env: { CUDA_SIM_ROOT: dir, HF_HOME: join(dir, "hf-home"), HF_HUB_OFFLINE: "1" },
    sources: { wheelDir: join(dir, "wheels"), llamaCpp: join(dir, "mirrors", "llama.cpp.git") },
    allowedDirs: [dir],
    description: `Simulated CUDA host (${config.gpuCount}x ${config.gpuName}, driver ${config.driver}, CUDA ${config.cuda})`,
  });
}

/** Lays out (or lays out again) a simulated CUDA host under `target`. */
export async function layOutCudaSim(
  target: string,
  config: CudaSimConfig = DEFAULT_CUDA_SIM,
  opts: { bare?: boolean } = {},
): Promise<{ dir: string; hostSettings: HostSettings }> {
  const dir = resolve(target);
  for (const sub of ["bin", "venv", ".sim", "hf-home", "wheels", "mirrors", "work/llama.cpp"])
    await rm(join(dir, sub), { recursive: true, force: true });
  await mkdir(join(dir, ".sim"), { recursive: true });
  const python = findPython();
  const venv = join(dir, "venv");
  const [wheels] = await Promise.all([cudaWheels(python), createVenv(venv, python)]);
  await sh("cp", ["-a", join(wheels, "wheels"), join(dir, "wheels")]);
  // bare: a venv with pip only, as a fresh machine has; install_stack installs the stack from the wheel directory.
  if (!opts.bare) await installPackages(venv, await pythonVersion(python), cudaPackages());
  await writeTree(dir, {
    "bin/nvidia-smi": simFile("nvidia_smi.py"),
    "bin/df": DF_SHIM_SH,
    "bin/cmake": simFile("cmake_shim.py"),
    ".sim/cuda.json": `${JSON.stringify(config, null, 2)}\n`,
    "work/data/.keep": "",
    "work/logs/.keep": "",
    "work/outputs/.keep": "",
  });
  await layOutHfCache(join(dir, "hf-home"));
  const mirror = join(dir, "mirrors", "llama.cpp.git");
  await layOutLlamaCppMirror(mirror);
  // bare: no llama.cpp clone either (install_stack extras gguf clones and builds it).
  if (!opts.bare) await layOutLlamaCpp(join(dir, "work", "llama.cpp"), mirror);
  await writeFile(
    join(dir, "SIMULATED_CUDA_HOST.txt"),
    `This directory is a simulated CUDA host (ascend-train sim): ${cudaSimHostSettings(dir, config).description}.\n`,
  );
  return { dir, hostSettings: cudaSimHostSettings(dir, config) };
}

/** Sample datasets, one per TRL method, in the columns each trainer reads. */
export async function layOutTrlSampleData(workdir: string): Promise<Record<"sft" | "dpo" | "grpo", string>> {
  const rows = {
    sft: [
      {
        messages: [
          { role: "user", content: "What is the capital of France?" },
          { role: "assistant", content: "Paris." },
        ],
      },
    ],
    dpo: [{ prompt: "The sky is", chosen: " blue.", rejected: " green." }],
    grpo: [{ prompt: "Write a haiku about GPUs." }],
  };
  const out = {} as Record<"sft" | "dpo" | "grpo", string>;
  for (const [method, data] of Object.entries(rows) as ["sft" | "dpo" | "grpo", object[]][]) {
    const file = join(workdir, "data", `${method}.jsonl`);
    await writeFile(file, `${data.map((r) => JSON.stringify(r)).join("\n")}\n`);
    out[method] = file;
  }
  return out;
}
