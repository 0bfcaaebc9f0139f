// diagnose_error scans a log whole by default: a root cause in the middle of a large file is found, over the host
// executor as well as locally; a caller's maxBytes bound reads only the head and the tail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  diagnoseHostFiles,
  diagnoseLocalFiles,
  LOCAL_MAX_BYTES,
  REMOTE_MAX_BYTES,
  readPlan,
} from "../../src/diagnosis/sources.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";

const dir = mkdtempSync(join(tmpdir(), "whole-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filler = (n: number) => `${"INFO step ok, nothing to see here ".repeat(3)}\n`.repeat(n);
const file = join(dir, "big.log");
// About 24 MB, the cause near the middle, harmless lines after it.
writeFileSync(
  file,
  `${filler(120_000)}RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\n${filler(120_000)}`,
);

describe("whole-file diagnosis", () => {
  it("the default plan reads every byte", () => {
    for (const bound of [LOCAL_MAX_BYTES, REMOTE_MAX_BYTES])
      expect(readPlan(5 * 1024 ** 3, bound).ranges).toEqual([{ start: 0, end: 5 * 1024 ** 3 }]);
  });

  it("finds a cause in the middle of the file, locally and through the executor", async () => {
    expect((await diagnoseLocalFiles([file])).findings[0]?.category).toBe("npu_oom");
    const executor = new LocalExecutor("local", HostSettingsSchema.parse({ workdir: dir }));
    expect((await diagnoseHostFiles(executor, [file])).findings[0]?.category).toBe("npu_oom");
  });

  it("with a bound, only the head and the tail are read", async () => {
    const bounded = await diagnoseLocalFiles([file], { maxBytes: 1024 * 1024 });
    expect(bounded.findings.some((f) => f.category === "npu_oom")).toBe(false);
  });
});
