// Signals of the nineteenth round: a log that stops on a line where a process waits (torch's compiled-extension build
// lock) is read only when nothing follows that line. Each is diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("a log that stops where a process waits", () => {
  const waiting = [
    "[2024-03-01 10:00:01] INFO: building the model",
    "Using /home/u/.cache/torch_extensions/py310_cu118 as PyTorch extensions root...",
    "Using /home/u/.cache/torch_extensions/py310_cu118 as PyTorch extensions root...",
  ];

  it("torch's extension root as the last line is the build lock a killed build left, with its own fix", () => {
    const f = top(`${waiting.join("\n")}\n\n`);
    expect(f.category).toBe("nfs_cache_hang");
    expect(f.confidence).toBeGreaterThanOrEqual(0.7);
    expect(f.evidence[0]!.line).toBe(3);
    expect(f.fixes.map((x) => x.id)).toEqual(["clear-extension-lock"]);
    expect(f.fixes[0]!.summary).toContain("/home/u/.cache/torch_extensions/py310_cu118");
    expect(f.fixes[0]!.commands).toEqual([
      "find /home/u/.cache/torch_extensions/py310_cu118 -name lock",
      "rm -rf /home/u/.cache/torch_extensions/py310_cu118",
    ]);
    expect(f.title).not.toMatch(/^[^(]*NFS/);
  });

  it("the folder is named as the log wrote it, a ~/ path included", () => {
    const f = top("step 1\nUsing ~/.cache/torch_extensions/py38_cpu as PyTorch extensions root...");
    expect(f.fixes[0]!.commands).toEqual([
      "find ~/.cache/torch_extensions/py38_cpu -name lock",
      "rm -rf ~/.cache/torch_extensions/py38_cpu",
    ]);
  });

  it("the same line with the build going on after it is not a hang", () => {
    for (const after of [
      "Building extension module fused_adam...",
      "Loading extension module fused_adam...",
      "iteration 10/100 | loss 2.31",
    ]) {
      const verdict = diagnoseText([...waiting, after].join("\n"));
      expect(
        verdict.findings.some((f) => f.category === "nfs_cache_hang" && f.rule === "nfs-cache-hang"),
        after,
      ).toBe(false);
    }
  });

  it("a waiting line followed by an error elsewhere is read for the error, not the wait", () => {
    const f = top(
      [
        ...waiting,
        "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity)",
      ].join("\n"),
    );
    expect(f.category).toBe("npu_oom");
  });
});
