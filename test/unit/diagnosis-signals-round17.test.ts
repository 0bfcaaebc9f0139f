// Signals of the sixteenth round, each written from the message's source rather than a collected log: the C
// library's error texts in a locale's newer wording and after Python's "[Errno N]" (strerror-l10n.ts). Each is
// diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";
import type { KnownCase } from "../../src/diagnosis/types.js";
import { withOwnStack } from "../../src/diagnosis/verdict.js";
import { STRERROR_L10N } from "../../src/knowledge/strerror-l10n.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("the C library's error texts in other locales", () => {
  it("reads both of zh_CN's wordings, glibc 2.36's and 2025's, after a tool's colon and after Python's errno", () => {
    expect(STRERROR_L10N.ESTALE.zh_CN).toEqual(["过旧的文件控柄", "过旧的文件句柄"]);
    for (const text of ["过旧的文件控柄", "过旧的文件句柄"]) {
      expect(top(`OSError: [Errno 116] ${text}: '/mnt/nfs/cache/train-00001.arrow'`).category).toBe("nfs_cache_hang");
      expect(top(`cat: /mnt/nfs/data/part-0.json: ${text}`).category).toBe("nfs_cache_hang");
    }
    for (const text of ["超出磁盘限额", "超出磁盘配额"]) {
      expect(top(`cp: 写入 '/home/u/out/checkpoint-500/model.safetensors' 出错: ${text}`).category).toBe("disk_full");
      expect(top(`OSError: [Errno 122] ${text}: '/home/u/out/checkpoint-500'`).category).toBe("disk_full");
    }
    expect(top("PermissionError: [Errno 13] 权限不够: '/data/llava.json'").category).toBe("permission_denied");
  });

  it("the text alone, with neither a colon nor an errno before it, is prose and names nothing", () => {
    expect(top("关于 过旧的文件句柄 的说明").category).not.toBe("nfs_cache_hang");
    expect(top("说明 超出磁盘配额 的配置项").category).not.toBe("disk_full");
  });
});

describe("a driver the process cannot reach", () => {
  it("the driver's tool missing, in dash's and Python's words too, is a driver not mounted", () => {
    for (const line of [
      "sh: 1: npu-smi: not found",
      "/bin/sh: 1: nvidia-smi: not found",
      "FileNotFoundError: [Errno 2] No such file or directory: 'npu-smi'",
    ])
      expect(top(line).category, line).toBe("driver_not_mounted");
    // Another command not found says nothing of the driver.
    expect(top("sh: 1: nvcc: not found").category).not.toBe("driver_not_mounted");
  });

  it("on a GPU log it is said in NVIDIA's words with NVIDIA's fixes; a log naming the NPU stack keeps Ascend's", () => {
    for (const line of [
      "bash: nvidia-smi: command not found",
      'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
      "ImportError: libcuda.so.1: cannot open shared object file: No such file or directory",
    ]) {
      const f = top(line);
      expect(f.category, line).toBe("driver_not_mounted");
      expect(f.title, line).toMatch(/^NVIDIA driver not available/);
      expect(f.fixes.map((x) => x.id)).toEqual(["see-driver", "gpu-runtime"]);
      expect(JSON.stringify(f.fixes)).not.toMatch(/davinci|Ascend/);
    }
    const npu = top(
      "RuntimeError: Initialize:torch_npu/csrc/core/npu/sys_ctrl/npu_sys_ctrl.cpp:119 NPU error, error code is 507033\n" +
        "bash: nvidia-smi: command not found",
    );
    expect(npu.title).toMatch(/^Ascend driver not available/);
    expect(top("bash: npu-smi: command not found").title).toMatch(/^Ascend driver not available/);
  });
});

describe("a KeyError's source", () => {
  it("one raised by os.environ is an unset variable, not a data field; one from a dataset's __getitem__ stays data", () => {
    const environ = (name: string) =>
      [
        '  File "/workspace/train.py", line 8, in <module>',
        `    home = os.environ["${name}"]`,
        '  File "/usr/lib/python3.10/os.py", line 680, in __getitem__',
        "    raise KeyError(key) from None",
        `KeyError: '${name}'`,
      ].join("\n");
    expect(top(environ("ASCEND_HOME_PATH")).category).toBe("cann_env_not_sourced");
    expect(top(environ("WANDB_API_KEY")).category).not.toBe("dataset_key_error");
    const data = [
      '  File "/workspace/LLaMA-Factory/src/llamafactory/data/loader.py", line 120, in __getitem__',
      '    prompt = example["conversations"]',
      "KeyError: 'conversations'",
    ].join("\n");
    expect(top(data).category).toBe("dataset_key_error");
  });
});

describe("the device stack of the log and of its nearest reports", () => {
  it("names the log's stack, each listed report's, and prints the nearest of the log's own stack when the nearest is not", async () => {
    setKnownCaseFilter(undefined);
    try {
      const { default: diagnoseError } = await import("../../src/tools/diagnose-error.js");
      const npuOom =
        "Traceback (most recent call last):\nRuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\n";
      const v = diagnoseText(npuOom);
      expect(v.stack).toBe("NPU");
      expect(diagnoseText("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB").stack).toBe("CUDA");
      expect(diagnoseText("Segmentation fault (core dumped)").stack).toBeUndefined();
      const listed = v.knownCases ?? [];
      expect(listed.some((c) => c.stack !== undefined)).toBe(true);
      const summary = (r: Parameters<typeof diagnoseError.summarize>[0]) => diagnoseError.summarize(r);
      const base = { summary: v.summary, findings: [], stats: v.stats, codes: [], notes: [], stack: "NPU" as const };
      const cuda = {
        url: "https://example.org/cuda",
        title: "t",
        resolution: "r",
        category: "npu_oom",
        similarity: 0.5,
      };
      const npu = { url: "https://example.org/npu", title: "t", resolution: "r", category: "npu_oom", similarity: 0.3 };
      const listing = (...knownCases: object[]) => summary({ ...base, knownCases } as never);
      const other = listing({ ...cuda, stack: "CUDA" }, { ...npu, stack: "NPU" });
      expect(other).toContain("nearest known case (0.50): https://example.org/cuda");
      expect(other).toContain("nearest known case on NPU (0.30): https://example.org/npu");
      // The nearest already of the log's stack, or of no named stack: one line.
      expect(listing({ ...npu, stack: "NPU" }, { ...cuda, stack: "CUDA" })).not.toContain("nearest known case on");
      const unnamed = listing(cuda, { ...npu, stack: "NPU" });
      expect(unnamed).not.toContain("nearest known case on");
    } finally {
      setKnownCaseFilter(() => false, { upstreamMessages: false });
    }
  });
});

describe("the listing of nearest reports", () => {
  const report = (url: string, similarity: number, stack?: "NPU" | "CUDA"): KnownCase => ({
    url,
    title: url,
    resolution: "r",
    category: "npu_oom",
    similarity,
    ...(stack ? { stack } : {}),
  });
  const a = report("a", 0.5, "CUDA");
  const b = report("b", 0.45, "CUDA");
  const c = report("c", 0.4);
  it("puts the nearest report of the log's own stack in the last place when the three hold none", () => {
    const wider = () => [a, b, c, report("d", 0.35, "CUDA"), report("e", 0.3, "NPU"), report("f", 0.25, "NPU")];
    expect(withOwnStack([a, b, c], "NPU", wider).map((x) => x.url)).toEqual(["a", "b", "e"]);
    // Room left: it is added, still in order of similarity.
    expect(withOwnStack([a], "NPU", wider).map((x) => x.url)).toEqual(["a", "e"]);
  });
  it("leaves the listing as it is when one of the log's stack is there, none is near, or the log names no stack", () => {
    const npu = report("n", 0.42, "NPU");
    let searched = false;
    const wider = () => {
      searched = true;
      return [report("e", 0.3, "NPU")];
    };
    expect(withOwnStack([a, npu, c], "NPU", wider)).toEqual([a, npu, c]);
    expect(withOwnStack([a, b, c], undefined, wider)).toEqual([a, b, c]);
    expect(searched).toBe(false);
    expect(withOwnStack([a, b, c], "NPU", () => [a, b, c])).toEqual([a, b, c]);
    expect(withOwnStack([a, b, c], "CUDA", wider)).toEqual([a, b, c]);
  });
});
