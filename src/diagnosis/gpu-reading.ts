// What torch's CUDA messages mean when the run is on a GPU: "No CUDA GPUs are available" and "Found no NVIDIA driver"
// are code taking the CUDA path on an NPU host, but on a CUDA host they say the GPU is not visible or the driver's
// library is missing. Only the host says which: a log alone from an Ascend host often names nothing but CUDA.
import type { Finding } from "./types.js";

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
