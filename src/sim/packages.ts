// The stand-in Python distributions (torch, torch_npu, transformers, ...) as file maps, one per version.
import {
  baseTorchVersion,
  MODEL_TRANSFORMERS_PINS,
  parseCannVersion,
  RELEASES,
  TORCH_NPU_WHEELS,
} from "../knowledge/releases.js";
import type { SimStack } from "./releases.js";
import { SIM_STACKS } from "./releases.js";
import {
  TORCH_DISTRIBUTED_PY,
  TORCH_ERRORS_PY,
  TORCH_INIT_PY,
  TORCH_NPU_C_PY,
  TORCH_NPU_ERROR_CODE_PY,
  TORCH_NPU_INIT_PY,
  TORCH_NPU_NPU_PY,
  TORCH_NPU_UTILS_PY,
  TORCH_RUN_PY,
  TORCH_VERSION_PY,
} from "./shims.js";

export interface PackageSpec {
  /** Distribution name as pip shows it (torch_npu, not torch-npu). */
  name: string;
  version: string;
  summary: string;
  files: Record<string, string>;
  entryPoints?: Record<string, Record<string, string>>;
}

const NOTE = "Stand-in package of the simulated Ascend host (ascend-train sim).";
const TF_SUMMARY = "State-of-the-art Machine Learning for JAX, PyTorch and TensorFlow.";

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

/** numpy below 2, which the releases before v26.1.0 pin (the stand-ins themselves never import it). */
export const SIM_NUMPY_VERSION = "1.26.4";

/** What a healthy venv of this release holds (torch_npu may be swapped for the mismatch scenario). */
export function stackPackages(stack: SimStack, torchNpuFrom: SimStack = stack): PackageSpec[] {
  const numpy = RELEASES[stack.release].numpy
    ? [simplePackage("numpy", "numpy", SIM_NUMPY_VERSION, "Fundamental package for array computing in Python.")]
    : [];
  // The install guide's Triton-Ascend, where the release's guide installs it.
  const triton = RELEASES[stack.release].tritonAscend;
  return [
    ...numpy,
    torchPackage(stack.torch),
    torchNpuPackage(torchNpuFrom.torchNpu, torchNpuFrom.cann),
    simplePackage("transformers", "transformers", stack.transformers, TF_SUMMARY),
    simplePackage("accelerate", "accelerate", stack.accelerate, "Accelerate"),
    simplePackage("peft", "peft", stack.peft, "Parameter-Efficient Fine-Tuning (PEFT)"),
    ...(triton ? [simplePackage("triton-ascend", "triton", triton.version, "Triton for Ascend NPUs")] : []),
  ];
}

/** The CANN version a torch_npu of one CANN line ("9.0") is built for: a simulated release's, else "<line>.0". */
function cannOfLine(line: string): string {
  const hit = Object.values(SIM_STACKS).find((s) => {
    const k = parseCannVersion(s.cann);
    return k !== null && `${k[0]}.${k[1]}` === line;
  });
  return hit?.cann ?? `${line}.0`;
}

/**
 * The offline wheel house, under the real version names an install resolves to (src/knowledge): every simulated
 * release's packages, the torch_npu build of every CANN line for each simulated torch, every transformers version a
 * release or a model pins, and the model overlays' extra packages.
 */
export function allWheelPackages(): PackageSpec[] {
  const seen = new Map<string, PackageSpec>();
  const add = (pkg: PackageSpec) => seen.set(`${pkg.name}==${pkg.version}`, pkg);
  for (const stack of Object.values(SIM_STACKS)) stackPackages(stack).forEach(add);
  const torches = new Set(Object.values(SIM_STACKS).map((s) => baseTorchVersion(s.torch)));
  for (const [line, builds] of Object.entries(TORCH_NPU_WHEELS)) {
    for (const [torch, torchNpu] of Object.entries(builds)) {
      if (torches.has(torch)) add(torchNpuPackage(torchNpu, cannOfLine(line)));
    }
  }
  const tfVersions = [
    ...Object.values(RELEASES).map((r) => r.transformers.version),
    ...MODEL_TRANSFORMERS_PINS.map((p) => p.pin.version).filter((v): v is string => Boolean(v)),
  ];
  for (const version of new Set(tfVersions)) add(simplePackage("transformers", "transformers", version, TF_SUMMARY));
  add(simplePackage("accelerate", "accelerate", "1.2.0", "Accelerate"));
  // The Qwen3.5 extensions' pin, and each release's install-guide Triton-Ascend.
  const tritons = [
    "3.2.0",
    ...Object.values(RELEASES).flatMap((r) => (r.tritonAscend ? [r.tritonAscend.version] : [])),
  ];
  for (const version of new Set(tritons))
    add(simplePackage("triton-ascend", "triton", version, "Triton for Ascend NPUs"));
  // MindSpeed-MM's [evaluate] extra.
  add(simplePackage("portalocker", "portalocker", "2.10.1", "File locking"));
  add(simplePackage("rich", "rich", "13.9.4", "Rich text in the terminal"));
  add(simplePackage("xlsxwriter", "xlsxwriter", "3.2.0", "Writing .xlsx files"));
  add(simplePackage("openpyxl", "openpyxl", "3.1.5", "Reading and writing .xlsx files"));
  return [...seen.values()];
}
