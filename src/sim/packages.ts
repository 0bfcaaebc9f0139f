// The stand-in Python distributions (torch, torch_npu, transformers, ...) as file maps, one per version.
import type { SimStack } from "./releases.js";
import { SIM_STACKS } from "./releases.js";
import {
  TORCH_NPU_C_PY,
  TORCH_NPU_ERROR_CODE_PY,
  TORCH_NPU_INIT_PY,
  TORCH_NPU_NPU_PY,
  TORCH_NPU_UTILS_PY,
} from "./shims/torch-npu-py.js";
import {
  TORCH_DISTRIBUTED_PY,
  TORCH_ERRORS_PY,
  TORCH_INIT_PY,
  TORCH_RUN_PY,
  TORCH_VERSION_PY,
} from "./shims/torch-py.js";

export interface PackageSpec {
  /** Distribution name as pip shows it (torch_npu, not torch-npu). */
  name: string;
  version: string;
  summary: string;
  files: Record<string, string>;
  entryPoints?: Record<string, Record<string, string>>;
}

const NOTE = "Stand-in package of the simulated Ascend host (ascend-train sim).";

export function torchPackage(version: string): PackageSpec {
  const sub = (s: string) => s.replaceAll("@@TORCH_VERSION@@", version).replaceAll("@@TORCH_GIT@@", "sim");
  return {
    name: "torch",
    version,
    summary: `Tensors and Dynamic neural networks in Python with strong GPU acceleration. ${NOTE}`,
    files: {
      "torch/__init__.py": sub(TORCH_INIT_PY),
      "torch/version.py": sub(TORCH_VERSION_PY),
      "torch/distributed/__init__.py": TORCH_DISTRIBUTED_PY,
      "torch/distributed/run.py": TORCH_RUN_PY,
      "torch/distributed/elastic/__init__.py": "",
      "torch/distributed/elastic/multiprocessing/__init__.py": "",
      "torch/distributed/elastic/multiprocessing/errors/__init__.py": TORCH_ERRORS_PY,
    },
    entryPoints: { console_scripts: { torchrun: "torch.distributed.run:main" } },
  };
}

export function torchNpuPackage(version: string, builtForCann: string): PackageSpec {
  const sub = (s: string) =>
    s.replaceAll("@@TORCH_NPU_VERSION@@", version).replaceAll("@@CANN_VERSION@@", builtForCann);
  return {
    name: "torch_npu",
    version,
    summary: `Ascend Extension for PyTorch (built for CANN ${builtForCann}). ${NOTE}`,
    files: {
      "torch_npu/__init__.py": sub(TORCH_NPU_INIT_PY),
      "torch_npu/_C.py": sub(TORCH_NPU_C_PY),
      "torch_npu/npu/__init__.py": TORCH_NPU_NPU_PY,
      "torch_npu/utils/__init__.py": TORCH_NPU_UTILS_PY,
      "torch_npu/utils/_error_code.py": TORCH_NPU_ERROR_CODE_PY,
      "torch_npu/lib/libtorch_npu.so": `${NOTE} Placeholder for the extension library.\n`,
    },
    entryPoints: { "torch.backends": { torch_npu: "torch_npu:_autoload" } },
  };
}

function simplePackage(name: string, module: string, version: string, summary: string): PackageSpec {
  return {
    name,
    version,
    summary: `${summary} ${NOTE}`,
    files: { [`${module}/__init__.py`]: `"""${NOTE}"""\n__version__ = "${version}"\n` },
  };
}

/** What a healthy venv of this release holds (torch_npu may be swapped for the mismatch scenario). */
export function stackPackages(stack: SimStack, torchNpuFrom: SimStack = stack): PackageSpec[] {
  return [
    torchPackage(stack.torch),
    torchNpuPackage(torchNpuFrom.torchNpu, torchNpuFrom.cann),
    simplePackage(
      "transformers",
      "transformers",
      stack.transformers,
      "State-of-the-art Machine Learning for JAX, PyTorch and TensorFlow.",
    ),
    simplePackage("accelerate", "accelerate", stack.accelerate, "Accelerate"),
    simplePackage("peft", "peft", stack.peft, "Parameter-Efficient Fine-Tuning (PEFT)"),
  ];
}

/** Every distinct package version of every release: the offline wheel house. */
export function allWheelPackages(): PackageSpec[] {
  const seen = new Map<string, PackageSpec>();
  for (const stack of Object.values(SIM_STACKS)) {
    for (const pkg of stackPackages(stack)) seen.set(`${pkg.name}==${pkg.version}`, pkg);
  }
  return [...seen.values()];
}
