// The engine against the stacks' own words: an error code the CANN table ties to a category is evidence for it where no
// rule read its line, ranked as primary evidence (above the timeouts other ranks print after it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

beforeAll(() => setKnownCaseFilter(() => false));
afterAll(() => setKnownCaseFilter(undefined));

describe("an error code the table ties to a category", () => {
  // torch_npu's NPU_CHECK_ERROR form (torch_npu/csrc/core/npu/NPUFunctions.cpp): the runtime's return code only.
  const sync = (code: string) =>
    `RuntimeError: stream_synchronize:torch_npu/csrc/core/npu/NPUFunctions.cpp:503 NPU function error: aclrtSynchronizeStream(stream), error code is ${code}`;

  it("names that category, hedged, with the code's line and meaning", () => {
    const v = diagnoseText(sync("507018"));
    expect(v.summary).toMatch(/^possibly aicore_error \(0\.45\)/);
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
