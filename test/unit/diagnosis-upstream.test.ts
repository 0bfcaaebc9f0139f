// The engine against the stacks' own words. The upstream phrasebook (test/fixtures/diagnosis/upstream) holds the
// messages the libraries, runtimes and tools themselves print for each failure category, taken from their source code
// and official documentation, never from a report of a failure: each must be named by the rules alone. And an error
// code the CANN table ties to a category is evidence for it where no rule read its line, ranked as primary evidence
// (above the timeouts other ranks print after it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { categoriesOf, loadPhrasebook } from "../../scripts/eval-diagnosis.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";
import { CATEGORIES } from "../../src/knowledge/rules.js";

const phrasebook = loadPhrasebook();

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("an error code the table ties to a category", () => {
  // torch_npu's NPU_CHECK_ERROR form (torch_npu/csrc/core/npu/NPUFunctions.cpp): the runtime's return code only.
  const sync = (code: string) =>
    `RuntimeError: stream_synchronize:torch_npu/csrc/core/npu/NPUFunctions.cpp:503 NPU function error: aclrtSynchronizeStream(stream), error code is ${code}`;

  it("names that category with the code's line and meaning", () => {
    const v = diagnoseText(sync("507018"));
    expect(v.summary).toMatch(/^aicore_error \(0\.50\)/);
    const top = v.findings[0]!;
    expect(top.title).toContain("from error code 507018");
    expect(top.cause).toMatch(/^Error code 507018 \(Runtime\): ACL_ERROR_RT_AICPU_EXCEPTION/);
    expect(top.evidence.map((e) => e.line)).toEqual([1]);
  });

  it("leads the timeouts the other ranks print after it", () => {
    const log = [sync("507034"), "RuntimeError: Some NCCL operations have failed or timed out."].join("\n");
    const cats = diagnoseText(log).findings.map((f) => f.category);
    expect(cats.slice(0, 2)).toEqual(["aicore_error", "hccl_timeout"]);
  });

  it("stays below a rule that is sure of another failure, and a generic code names nothing", () => {
    const log = [
      "torch.OutOfMemoryError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity; 58.10 GiB already allocated; 0 bytes free)",
      sync("507016"),
    ].join("\n");
    expect(diagnoseText(log).findings.map((f) => f.category)).toEqual(["npu_oom", "aicore_error"]);
    // 500002 (ACL_ERROR_GE_FAILURE-like inner error) is decoded but ties to no category.
    const inner = diagnoseText("RuntimeError: call aclnnFoo failed, error code is 500002");
    expect(inner.codes.map((c) => c.code)).toContain("500002");
    expect(inner.findings[0]!.category).toBe("unknown");
  });
});

describe("the upstream phrasebook", () => {
  it("is well formed: known categories, unique ids, sources that are code or documentation, not reports", () => {
    expect(phrasebook.length).toBeGreaterThanOrEqual(790);
    expect(new Set(phrasebook.map((p) => p.id)).size).toBe(phrasebook.length);
    for (const p of phrasebook) {
      expect(CATEGORIES as readonly string[], p.id).toContain(p.category);
      expect(p.source, p.id).toMatch(/^https:\/\//);
      expect(p.source, p.id).not.toMatch(/\/(?:issues|pull|discussions)\/|stackoverflow\.com|discuss\./);
      expect(p.template.trim(), p.id).not.toBe("");
      expect(p.log.split("\n").length, p.id).toBeLessThanOrEqual(16);
    }
    // Every category with public failure messages is covered from more than one stack or wording.
    const perCategory = new Map<string, number>();
    for (const p of phrasebook) perCategory.set(p.category, (perCategory.get(p.category) ?? 0) + 1);
    for (const [category, n] of perCategory) expect(n, category).toBeGreaterThanOrEqual(3);
  });

  it("names every entry's category from the rules alone", () => {
    const wrong = phrasebook
      .map((p) => ({ p, got: categoriesOf(diagnoseText(p.log)) }))
      .filter(({ p, got }) => got[0] !== p.category)
      .map(({ p, got }) => `${p.id}: got ${got.slice(0, 2).join(" > ") || "nothing"} for ${p.log.slice(0, 120)}`);
    expect(wrong).toEqual([]);
  });
});

describe("an error code with the public cases on", () => {
  it("is not overruled by a case that only resembles the log", () => {
    const log = [
      "RuntimeError: stream_synchronize:torch_npu/csrc/core/npu/NPUFunctions.cpp:503 NPU function error: aclrtSynchronizeStream(stream), error code is 507043",
      "[ERROR] 2025-03-02-10:15:41 (PID:21843, Device:0, RankID:0) ERR00100 PTA call acl api failed",
    ].join("\n");
    setKnownCaseFilter(undefined);
    try {
      const v = diagnoseText(log);
      expect(v.findings[0]!.category).toBe("aicore_error");
      expect(v.findings[0]!.rule).toBe("aicore-error");
    } finally {
      setKnownCaseFilter(() => false, { upstreamMessages: false });
    }
  });
});

describe("a warning printed before many outcomes", () => {
  it("names its category only hedged, below 'confident'", () => {
    // vllm-ascend's worker (npu-smi not on PATH), filelock on a mount without flock, ds_report's /dev/shm check: each is
    // printed by runs that then work, so alone it is a lead, not a verdict.
    for (const [line, category] of [
      ["WARNING 03-14 10:21:33 [worker.py:1103] npu-smi tool not found.", "driver_not_mounted"],
      ["UserWarning: flock not supported on this filesystem, falling back to SoftFileLock", "nfs_cache_hang"],
      [
        "  [WARNING] /dev/shm size might be too small, if running in docker increase to at least --shm-size='1gb'",
        "shm_bus_error",
      ],
    ] as const) {
      const v = diagnoseText(line);
      expect(v.findings[0]!.category, line).toBe(category);
      expect(v.summary, line).toMatch(/^possibly /);
    }
  });
});
