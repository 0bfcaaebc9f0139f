// Diagnosis on a CUDA host running TRL: an out-of-memory failure gets the trainer config's knobs (the batch edit as an
// action on the script), never Megatron's micro batch; cuda_path_on_npu does not fire on a CUDA host and still fires
// on an NPU host.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "diag-cuda-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, "train_sft.py");
writeFileSync(
  script,
  [
    "training_args = SFTConfig(",
    `    output_dir="${dir}/out",`,
    "    max_steps=500,",
    "    per_device_train_batch_size=4,",
    "    gradient_accumulation_steps=4,",
    ")",
    "",
  ].join("\n"),
);
const hosts = new HostRegistry({
  file: null,
  hosts: {
    gpu: HostSettingsSchema.parse({ accelerator: "cuda", workdir: dir, allowedDirs: [dir] }),
    npu: HostSettingsSchema.parse({ workdir: dir, allowedDirs: [dir] }),
  },
});
const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
const diagnose = (args: Record<string, unknown>) => diagnoseError.handle(diagnoseError.input.parse(args), deps);

const OOM = [
  "Traceback (most recent call last):",
  '  File "train_sft.py", line 42, in <module>',
  "    trainer.train()",
  "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB " +
    "of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.12 GiB memory in use.",
].join("\n");
const CPU_TORCH = [
  "Traceback (most recent call last):",
  '  File "/venv/lib/python3.11/site-packages/torch/cuda/__init__.py", line 310, in _lazy_init',
  '    raise AssertionError("Torch not compiled with CUDA enabled")',
  "AssertionError: Torch not compiled with CUDA enabled",
].join("\n");

describe("diagnosis on a CUDA host", () => {
  it("a toolkit newer than the driver keeps CUDA's words and checks through the tool's refinement", async () => {
    const r = await diagnose({
      host: "gpu",
      text: "RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.",
    });
    const f = r.findings[0]!;
    expect(f).toMatchObject({ category: "cann_version_mismatch", title: "CUDA toolkit newer than the NVIDIA driver" });
    expect(f.fixes.map((x) => x.id)).toEqual(["compare-cuda", "match-cuda"]);
    expect(f.fixes[0]!.commands).toContain("nvidia-smi");
  });

  it("an OOM of a TRL run gets per_device_train_batch_size, gradient checkpointing and QLoRA, not the micro batch", async () => {
    const r = await diagnose({ host: "gpu", text: OOM, config: { scriptPath: script } });
    const oom = r.findings[0]!;
    expect(oom.category).toBe("npu_oom");
    const ids = oom.fixes.map((f) => f.id);
    expect(ids).toEqual(["halve-per-device-batch", "gradient-checkpointing", "qlora", "cuda-alloc-conf"]);
    expect(oom.cause).not.toMatch(/micro batch|parallel layout/);
    expect(oom.cause).toContain("per-device batch");
    const text = JSON.stringify(oom.fixes);
    expect(text).not.toMatch(/micro.batch|--recompute|PYTORCH_NPU_ALLOC_CONF|TP or PP/i);
    const batch = oom.fixes[0]!;
    expect(batch.summary).toContain("(4 → 2)");
    expect(batch.summary).toContain("(4 → 8)");
    expect(batch.action?.kind).toBe("edit");
    expect(batch.action?.diff).toContain("+    per_device_train_batch_size=2,");
    expect(batch.action?.diff).toContain("+    gradient_accumulation_steps=8,");
    expect(oom.fixes.at(-1)?.env).toEqual({ PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True" });
  });

  it("titles an out-of-memory finding after the device that ran out: CUDA from the host or the log, NPU otherwise", async () => {
    const r = await diagnose({ host: "gpu", text: OOM });
    expect(r.findings[0]).toMatchObject({ category: "npu_oom", title: "Device out of memory (CUDA)" });
    expect(r.summary).toContain("Device out of memory (CUDA)");
    expect(r.summary).not.toContain("NPU out of memory");
    // A generic OutOfMemoryError names no stack: the CUDA host decides.
    const generic = "Traceback (most recent call last):\ntorch.OutOfMemoryError: Tried to allocate 2.00 GiB";
    expect((await diagnose({ host: "gpu", text: generic })).findings[0]!.title).toBe("Device out of memory (CUDA)");
    // Pasted text without a host: the log's own stack.
    expect((await diagnose({ text: OOM })).findings[0]!.title).toBe("Device out of memory (CUDA)");
    const npuLog = "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity)";
    expect((await diagnose({ host: "npu", text: npuLog })).findings[0]!.title).toBe("NPU out of memory");
  });

  it("the same OOM on an NPU host keeps the Megatron fixes", async () => {
    const r = await diagnose({ host: "npu", text: OOM });
    expect(r.findings[0]!.fixes.map((f) => f.id)).toContain("halve-micro-batch");
  });

  it("cuda_path_on_npu does not fire on a CUDA host, and still does on an NPU host", async () => {
    const onGpu = await diagnose({ host: "gpu", text: CPU_TORCH });
    expect(onGpu.findings.map((f) => f.category)).not.toContain("cuda_path_on_npu");
    expect(onGpu.notes.join("\n")).toContain("gpu is a CUDA host");
    const onNpu = await diagnose({ host: "npu", text: CPU_TORCH });
    expect(onNpu.findings[0]?.category).toBe("cuda_path_on_npu");
  });

  it("on a CUDA host, torch's 'no GPU' and 'no driver' messages are read as the GPU or its driver missing", async () => {
    // torch/cuda/__init__.py _lazy_init, as a job started without GPUs prints it.
    const noGpu = [
      '  File "/opt/env/lib/python3.11/site-packages/torch/cuda/__init__.py", line 314, in _lazy_init',
      "RuntimeError: No CUDA GPUs are available",
    ].join("\n");
    const onGpu = await diagnose({ host: "gpu", text: noGpu });
    expect(onGpu.findings[0]).toMatchObject({ category: "npu_not_available", title: "GPU not visible to the process" });
    expect(onGpu.findings[0]!.fixes.flatMap((f) => f.commands ?? [])).toContain("nvidia-smi -L");
    expect(onGpu.notes.join("\n")).toContain("read as the GPU or its driver missing");
    const noDriver =
      "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver";
    const driver = await diagnose({ host: "gpu", text: noDriver });
    expect(driver.findings[0]).toMatchObject({ category: "driver_not_mounted", rule: "nvidia-driver-missing" });
    // On an NPU host the same text is still code taking the CUDA path.
    const onNpu = await diagnose({ host: "npu", text: noGpu });
    expect(onNpu.findings[0]?.category).toBe("cuda_path_on_npu");
    expect(onNpu.findings.map((f) => f.rule)).not.toContain("gpu-not-visible");
    expect(onNpu.notes.join("\n")).toContain("npu is an Ascend host");
  });

  it("a log alone that names CUDA and no NPU stack reads torch's 'no GPU' message as the GPU missing, the CUDA path second", () => {
    // c10/cuda/CUDAFunctions.cpp and torch/cuda/__init__.py, as a GPU job without a visible card prints them.
    const alone = diagnoseText(
      [
        '  File "/opt/env/lib/python3.11/site-packages/torch/cuda/__init__.py", line 314, in _lazy_init',
        "    torch._C._cuda_init()",
        "RuntimeError: No CUDA GPUs are available",
      ].join("\n"),
    );
    expect(alone.findings.slice(0, 2).map((f) => [f.category, f.rule])).toEqual([
      ["npu_not_available", "gpu-not-visible"],
      ["cuda_path_on_npu", "cuda-path-on-npu"],
    ]);
    // A log that names the NPU stack keeps the CUDA-path reading first.
    const npuLog = diagnoseText(
      [
        '  File "/usr/local/lib/python3.9/site-packages/torch_npu/contrib/transfer_to_npu.py", line 120, in decorated',
        "RuntimeError: No CUDA GPUs are available",
      ].join("\n"),
    );
    expect(npuLog.findings[0]!.category).toBe("cuda_path_on_npu");
    expect(npuLog.findings.map((f) => f.rule)).not.toContain("gpu-not-visible");
  });
});
