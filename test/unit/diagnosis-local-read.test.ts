// Local log reads hand the bytes they read to the diagnosis scanner: no decode to text and encode back per chunk.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diagnoseHostFiles } from "../../src/diagnosis/sources.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";

const dir = mkdtempSync(join(tmpdir(), "local-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local reads for diagnosis", () => {
  it("returns the bytes read beside the text, the same content either way", async () => {
    const file = join(dir, "a.log");
    writeFileSync(file, "step 1 损失 ok\nRuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\n");
    const local = new LocalExecutor("box", HostSettingsSchema.parse({}));
    const chunk = await local.readFile(file, { offset: 5, maxBytes: 9 });
    expect(chunk.bytes).toBeInstanceOf(Buffer);
    expect(chunk.bytes!.length).toBe(chunk.end - chunk.start);
    expect(chunk.content).toBe(chunk.bytes!.toString("utf8"));
    expect(chunk.content).toBe("1 损失 ");
  });

  it("diagnoses a local file read in chunks through the executor from its bytes", async () => {
    const file = join(dir, "b.log");
    const filler = `${"iteration 10 | loss 1.2 | 损失\n".repeat(2000)}`;
    writeFileSync(file, `${filler}RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\n`);
    const local = new LocalExecutor("box", HostSettingsSchema.parse({}));
    let decoded = 0;
    const read = local.readFile.bind(local);
    local.readFile = async (path, opts) => {
      const chunk = await read(path, opts);
      return Object.defineProperty(chunk, "content", {
        get: () => {
          decoded++;
          return chunk.bytes!.toString("utf8");
        },
      });
    };
    const v = await diagnoseHostFiles(local, [file]);
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.findings[0]!.evidence[0]!.line).toBe(2001);
    expect(decoded).toBe(0);
  });
});
