// Signals of the ninth collection's tune side, each written from the message's source rather than the collected log:
// an undefined symbol between two CANN libraries, CUDA's PTX toolchain error, /dev/shm full when a multiprocessing lock
// is made, a short write while saving, ModelScope's missing-file error, CUDA's context already in use, a command-line
// flag read as a path, a package imported from its checkout, and an undefined-symbol message wrapped over two lines.
// Each is diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("versions", () => {
  it("a toolkit library missing a symbol of the toolkit is cann_version_mismatch; torch_npu's own library is not", () => {
    // dlopen's text for a symbol one CANN library expects of another (two releases on LD_LIBRARY_PATH).
    const mixed =
      "OSError: /usr/local/Ascend/ascend-toolkit/8.0.RC2/aarch64-linux/lib64/libascendcl.so: undefined symbol: _ZN2ge9GEFinalizeEv";
    expect(top(mixed).category).toBe("cann_version_mismatch");
    const torchNpu =
      "ImportError: /opt/py/site-packages/torch_npu/lib/libtorch_npu.so: undefined symbol: _ZN3c1010TensorImpl";
    expect(top(torchNpu).category).toBe("torch_npu_version_mismatch");
  });

  it("CUDA's unsupported PTX toolchain (error 222) is the toolkit/driver mismatch", () => {
    // cudaGetErrorString(cudaErrorUnsupportedPtxVersion).
    expect(top("CUDA error: the provided PTX was compiled with an unsupported toolchain.").category).toBe(
      "cann_version_mismatch",
    );
    expect(top("RuntimeError: CUDA_ERROR_UNSUPPORTED_PTX_VERSION while loading kernels.ptx").category).toBe(
      "cann_version_mismatch",
    );
  });

  it("says a toolkit/driver mismatch in CUDA's words when its evidence is CUDA's, and in CANN's otherwise", () => {
    const ptx = diagnoseText("CUDA error: the provided PTX was compiled with an unsupported toolchain.").findings[0]!;
    expect(ptx.title).toBe("CUDA toolkit newer than the NVIDIA driver");
    expect(ptx.fixes.flatMap((f) => f.commands ?? [])).toContain("nvidia-smi");
    expect(ptx.references).toEqual(["https://docs.nvidia.com/deploy/cuda-compatibility/"]);
    const arch = diagnoseText("RuntimeError: CUDA error: no kernel image is available for execution on the device")
      .findings[0]!;
    expect(arch).toMatchObject({ category: "cann_version_mismatch", title: "CUDA kernels not built for this GPU" });
    const cann = diagnoseText("[ERROR] CANN version mismatch. The build version is 7.0.0, the runtime is 8.0.RC1")
      .findings[0]!;
    expect(cann.category).toBe("cann_version_mismatch");
    expect(cann.title).not.toMatch(/CUDA/);
  });

  it("an undefined-symbol message wrapped after 'undefined' is still an ABI mismatch", () => {
    const log = [
      "ImportError: /env/site-packages/fused_ops.cpython-311-x86_64-linux-gnu.so: undefined",
      " symbol: _ZN3c106detail14torchCheckFailEPKcS2_jS2_",
    ].join("\n");
    expect(top(log).category).toBe("torch_npu_version_mismatch");
  });

  it("a CUDA extension missing a torch symbol is said as built for another torch; torch_npu's own stays torch_npu's", () => {
    const cuda = top(
      "ImportError: /env/site-packages/fused_attn_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda9SetDeviceEi",
    );
    expect(cuda).toMatchObject({
      category: "torch_npu_version_mismatch",
      title: "CUDA extension built for another torch",
    });
    const npu = top(
      "ImportError: /opt/py/site-packages/torch_npu/lib/libtorch_npu.so: undefined symbol: _ZN3c1010TensorImpl",
    );
    expect(npu.title).not.toMatch(/CUDA/);
  });

  it("a package's own 'partially initialized module' import, beside a name it cannot import, is import_from_source_dir", () => {
    // CPython's circular-import hint (Python/import.c) for a package run from its checkout without built extensions.
    const log = [
      "ImportError: cannot import name 'git_version_info' from partially initialized module 'deepspeed' (most likely due to a circular import) (/home/u/DeepSpeed/deepspeed/__init__.py)",
      "ImportError: cannot import name 'op_builder' from 'deepspeed'",
    ].join("\n");
    expect(top(log).category).toBe("import_from_source_dir");
  });
});

describe("memory and disks", () => {
  it("no space left when multiprocessing makes a lock is /dev/shm (shm_bus_error), not the disk", () => {
    const semlock = [
      '  File "/usr/lib/python3.10/multiprocessing/synchronize.py", line 57, in __init__',
      "    sl = self._semlock = _multiprocessing.SemLock(",
      "OSError: [Errno 28] No space left on device",
    ].join("\n");
    expect(top(semlock).category).toBe("shm_bus_error");
    // joblib/_multiprocessing_helpers.py: warnings.warn('%s.  joblib will operate in serial mode' % (e,)).
    expect(top("UserWarning: [Errno 28] No space left on device.  joblib will operate in serial mode").category).toBe(
      "shm_bus_error",
    );
    expect(top("OSError: [Errno 28] No space left on device: '/ckpt/iter_0000100/model.pt'").category).toBe(
      "disk_full",
    );
  });

  it("a short write while saving is disk_full", () => {
    // dmlc-core src/io/local_filesys.cc CHECK; Lua Torch THDiskFile.c "write error: wrote %d blocks instead of %d".
    expect(
      top(
        "src/io/local_filesys.cc:39: Check failed: std::fwrite(ptr, 1, size, fp_) == size FileStream.Write incomplete",
      ).category,
    ).toBe("disk_full");
    expect(top("File.lua:210: write error: wrote 120 blocks instead of 4096 at THDiskFile.c:356").category).toBe(
      "disk_full",
    );
  });
});

describe("devices, paths and hubs", () => {
  it("CUDA_ERROR_CONTEXT_ALREADY_IN_USE (216) is device_busy", () => {
    expect(top("Check failed: CUDA_SUCCESS == dynload::cuCtxSetCurrent(context) (0 vs. 216)").category).toBe(
      "device_busy",
    );
    expect(top("cuInit failed: CUDA_ERROR_CONTEXT_ALREADY_IN_USE").category).toBe("device_busy");
  });

  it("a path that starts with '--' is a flag read as a path (input_path_missing), whatever file it names", () => {
    expect(top("FileNotFoundError: [Errno 2] No such file or directory: '--ckpt/pytorch_model.bin'").category).toBe(
      "input_path_missing",
    );
    expect(top("FileNotFoundError: [Errno 2] No such file or directory: '/m/pytorch_model.bin'").category).toBe(
      "missing_weights",
    );
  });

  it("ModelScope's NotExistError for a file the repository lacks is hub_access", () => {
    // modelscope/hub/file_download.py: raise NotExistError('The file path: %s not exist in: %s' % (file_path, model_id)).
    expect(
      top("modelscope.hub.errors.NotExistError: The file path: v2.ckpt not exist in: org/model-repo").category,
    ).toBe("hub_access");
  });
});
