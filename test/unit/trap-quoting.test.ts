// A file name the caller chose reaches a shell trap: the trap's command is evaluated again when it fires, so a name
// holding `…` or $(…) must stay a literal name there too (prepare_dataset's output, launch scripts' exit files).
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { moveIntoPlace, tempNameFor } from "../../src/datasets/host-run.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { trapScript } from "../../src/hosts/quote.js";

describe("shell traps keep caller-chosen names literal", () => {
  const hostile = ["`touch canary-$((6*7))`", "$(touch canary-$((6*7)))", "x'; touch canary-42; echo '"];

  it.each(hostile)("moveIntoPlace puts %s in place and runs nothing", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "trap-quoting-"));
    const executor = new LocalExecutor("local", HostSettingsSchema.parse({ workdir: dir }));
    const output = join(dir, name);
    const tmp = tempNameFor(output);
    writeFileSync(tmp, "[]\n");
    await moveIntoPlace(executor, tmp, output, false, dir);
    expect(readdirSync(dir).sort()).toEqual([name]);
    expect(existsSync(join(dir, "canary-42"))).toBe(false);
  });

  it("a trap's command is one quoted word, evaluated only when the trap fires", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trap-quoting-"));
    const executor = new LocalExecutor("local", HostSettingsSchema.parse({ workdir: dir }));
    const file = join(dir, "$(touch canary-42)");
    const r = await executor.runScript(
      `${trapScript(`echo fired > '${file.replaceAll("'", "'\\''")}'`, "EXIT")}\ntrue`,
      {
        cwd: dir,
      },
    );
    expect(r.exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual(["$(touch canary-42)"]);
  });
});
