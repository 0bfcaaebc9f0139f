// What torch's CUDA messages mean when the run is on a GPU: "No CUDA GPUs are available" and "Found no NVIDIA driver"
// are code taking the CUDA path on an NPU host, but on a CUDA host they say the GPU is not visible or the driver's
// library is missing. Only the host says which: a log alone from an Ascend host often names nothing but CUDA. And
// CANN failures whose CUDA form a rule reads (a toolkit newer than the driver) are said in CUDA's words.
import type { Finding, FixStep } from "./types.js";

/**
 * On a CUDA host, torch's messages that read as "code took the CUDA path on an NPU host" say something else: the GPU
 * is not visible to the process, or the NVIDIA driver's library is not there. The host settles what a log alone
 * cannot.
 */
const ON_GPU: readonly {
  re: RegExp;
  finding: Pick<Finding, "category" | "rule" | "title" | "cause" | "fixes">;
}[] = [
  {
    // torch/cuda/__init__.py _lazy_init ("No CUDA GPUs are available"); cudaErrorNoDevice's text.
    re: /No CUDA GPUs are available|no CUDA-capable device is detected/,
    finding: {
      category: "npu_not_available",
      rule: "gpu-not-visible",
      title: "GPU not visible to the process",
      cause:
        "torch found no CUDA device: CUDA_VISIBLE_DEVICES is empty or names cards that do not exist, the container " +
        "or job was started without GPUs (docker --gpus, a Kubernetes nvidia.com/gpu request, Slurm --gres), or the " +
        "driver does not see the card.",
      fixes: [
        {
          id: "see-gpus",
          summary: "See which GPUs the host and the process see.",
          commands: ["nvidia-smi -L", 'echo "$CUDA_VISIBLE_DEVICES"'],
        },
        {
          id: "give-gpus",
          summary:
            "Start the container or job with GPUs (docker run --gpus all; nvidia.com/gpu: N; --gres=gpu:N) and leave CUDA_VISIBLE_DEVICES unset or set to cards that exist.",
        },
      ],
    },
  },
  {
    // torch/cuda/__init__.py when libcuda (the driver's library) cannot be loaded.
    re: /Found no NVIDIA driver on your system/,
    finding: {
      category: "driver_not_mounted",
      rule: "nvidia-driver-missing",
      title: "NVIDIA driver library not available to the process",
      cause:
        "torch cannot load libcuda, the NVIDIA driver's library: a container started without the NVIDIA container " +
        "runtime, or the driver's library directory not on the loader path (on GKE /usr/local/nvidia/lib64).",
      fixes: [
        {
          id: "find-libcuda",
          summary: "Check that the driver answers and its library can be found.",
          commands: ["nvidia-smi", "ldconfig -p | grep libcuda"],
        },
        {
          id: "mount-driver",
          summary:
            "Run the container with the NVIDIA runtime (--gpus all), or add the driver's library directory to LD_LIBRARY_PATH.",
        },
      ],
    },
  },
];

/** facts.readAs of a finding read as a GPU failure from the log's own stack (no host named): an Ascend host undoes it. */
export const GPU_LOG_READING = "gpu-log";

/** The GPU reading of a cuda_path_on_npu finding, or null when it has none. */
export function onGpu(f: Finding): Finding | null {
  const m = ON_GPU.find((x) => f.evidence.some((e) => x.re.test(e.text)));
  if (!m) return null;
  return { ...f, ...m.finding, fixes: m.finding.fixes.map((x) => ({ ...x })), references: [] };
}

/**
 * CANN failures whose CUDA form the same rule reads: a CUDA toolkit newer than the NVIDIA driver (the driver cannot
 * load the runtime or JIT the PTX) and kernels built for other GPU architectures are cann_version_mismatch, as a CANN
 * release that does not match the driver or the chip is; a CUDA extension built for another torch is
 * torch_npu_version_mismatch, as torch_npu built for another torch is. Their evidence names CUDA, so the finding keeps its category
 * and says it in CUDA's words, with CUDA's checks.
 */
const CUDA_WORDING: readonly {
  category: string;
  re: RegExp;
  /** Said only when the log names no NPU stack: on an Ascend host the same line is code calling NVIDIA's tools. */
  gpuLogOnly?: boolean;
  finding: Pick<Finding, "title" | "cause" | "fixes" | "references">;
}[] = [
  {
    category: "cann_version_mismatch",
    // cudaErrorInsufficientDriver (35), torch/cuda/__init__.py's "driver on your system is too old",
    // cudaErrorUnsupportedPtxVersion (222).
    re: /CUDA driver version is insufficient for CUDA runtime version|The NVIDIA driver on your system is too old|the provided PTX was compiled with an unsupported toolchain|cudaErrorUnsupportedPtxVersion|CUDA_ERROR_UNSUPPORTED_PTX_VERSION/,
    finding: {
      title: "CUDA toolkit newer than the NVIDIA driver",
      cause:
        "The CUDA runtime or the kernels (PTX) were built with a CUDA toolkit newer than the installed NVIDIA driver " +
        "supports: the driver cannot load them.",
      fixes: [
        {
          id: "compare-cuda",
          summary: "Compare the CUDA version the driver supports (nvidia-smi's header) with the one the build uses.",
          commands: ["nvidia-smi", "nvcc --version", `python -c "import torch; print(torch.version.cuda)"`],
        },
        {
          id: "match-cuda",
          summary:
            "Upgrade the NVIDIA driver, or install (or rebuild) the package for a CUDA version the driver supports.",
        },
      ],
      references: ["https://docs.nvidia.com/deploy/cuda-compatibility/"],
    },
  },
  {
    category: "cann_version_mismatch",
    // cudaErrorNoKernelImageForDevice (209).
    re: /no kernel image is available for execution on the device/,
    finding: {
      title: "CUDA kernels not built for this GPU",
      cause:
        "The package's CUDA kernels were compiled for other GPU architectures than this card's compute capability.",
      fixes: [
        {
          id: "see-arch",
          summary: "See the card's compute capability and the architectures the build holds.",
          commands: [
            "nvidia-smi --query-gpu=name,compute_cap --format=csv",
            `python -c "import torch; print(torch.cuda.get_arch_list())"`,
          ],
        },
        {
          id: "build-arch",
          summary: "Install a build that includes this architecture, or rebuild with TORCH_CUDA_ARCH_LIST naming it.",
        },
      ],
      references: ["https://docs.nvidia.com/cuda/cuda-compiler-driver-nvcc/#gpu-feature-list"],
    },
  },
  {
    category: "driver_not_mounted",
    // The NVIDIA side of a driver the process cannot reach: nvidia-smi missing or unable to talk to the driver, the
    // driver's libraries (libcuda, libnvidia-ml) not loadable, the container toolkit failing, Docker without the GPU
    // runtime. Its evidence names NVIDIA, so Ascend's device nodes and mounts would be the wrong advice.
    gpuLogOnly: true,
    re: /nvidia-smi|NVIDIA driver|libcuda\.so|libnvidia-|nvidia-container|NVML|runtime specified nvidia|device driver "[^"\n]*" with capabilities/,
    finding: {
      title: "NVIDIA driver not available (container without the NVIDIA runtime, or no driver)",
      cause:
        "The NVIDIA driver's tools and libraries (nvidia-smi, libcuda, libnvidia-ml) are not visible to this process: " +
        "the container was started without the NVIDIA container runtime (no --gpus, no nvidia runtime class), the " +
        "container toolkit could not inject them, or the host has no working driver.",
      fixes: [
        {
          id: "see-driver",
          summary:
            "On the host, check that the driver answers; in the container, that its tools and library are there.",
          commands: ["nvidia-smi", "ls -l /dev/nvidia*", "ldconfig -p | grep -E 'libcuda|libnvidia-ml'"],
        },
        {
          id: "gpu-runtime",
          summary:
            "Start the container with the NVIDIA runtime: docker run --gpus all (the NVIDIA Container Toolkit installed and `nvidia-ctk runtime configure` run), a Kubernetes nvidia.com/gpu request with the nvidia runtime class, or Slurm --gres=gpu:N.",
          commands: ["docker run --rm --gpus all <image> nvidia-smi"],
        },
      ],
      references: ["https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html"],
    },
  },
  {
    category: "torch_npu_version_mismatch",
    // A CUDA extension's shared object (flash_attn_2_cuda, a *_cuda.so op) missing a torch symbol: built for another
    // torch or C++ ABI, as torch_npu built for another torch is.
    re: /_cuda[\w.-]*\.so[^\n]*undefined(?: symbol)?|undefined symbol: _ZN3c104cuda/,
    finding: {
      title: "CUDA extension built for another torch",
      cause:
        "A compiled CUDA extension (flash-attn, apex, a custom op) was built against another torch version or C++ ABI " +
        "(cxx11abi) than the torch installed: a symbol it needs is not in this torch.",
      fixes: [
        {
          id: "see-torch",
          summary: "See the torch version, its CUDA and its C++ ABI, which the extension's wheel must match.",
          commands: [
            `python -c "import torch; print(torch.__version__, torch.version.cuda, torch._C._GLIBCXX_USE_CXX11_ABI)"`,
          ],
        },
        {
          id: "match-extension",
          summary:
            "Install the extension's wheel built for this torch, CUDA and ABI, or rebuild it against this torch (pip install --no-build-isolation).",
        },
      ],
      references: [],
    },
  },
];

/**
 * Says a finding in CUDA's words when its evidence is CUDA's form of its failure (CUDA_WORDING); true if it did.
 * `npuLog`: the log names an NPU stack.
 */
export function speakCuda(f: Finding, npuLog = false): boolean {
  const m = CUDA_WORDING.find(
    (x) => x.category === f.category && !(x.gpuLogOnly && npuLog) && f.evidence.some((e) => x.re.test(e.text)),
  );
  if (!m) return false;
  f.title = m.finding.title;
  f.cause = m.finding.cause;
  f.fixes = m.finding.fixes.map((x: FixStep) => ({ ...x, ...(x.commands ? { commands: [...x.commands] } : {}) }));
  f.references = [...m.finding.references];
  return true;
}
