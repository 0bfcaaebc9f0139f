// tail_logs names a checkpoint by the folder it is in: a relative save path from the log (SAVE_PATH=save_dir) is
// resolved against the workdir the run started in.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import tailLogs from "../../src/tools/tail-logs.js";

const dir = mkdtempSync(join(tmpdir(), "tail-ckpt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tail_logs checkpoints", () => {
  it("prints the absolute path of a checkpoint the log names relative to the workdir", async () => {
    const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });
    writeFileSync(
      join(dir, "train.log"),
      [
        "iteration 10/100 | consumed samples: 80 | elapsed time per iteration (ms): 500.0 | loss: 1.500000E+00 |",
        "  successfully saved checkpoint from iteration      10 to save_dir [ t 1/1, p 1/1 ]",
        "",
      ].join("\n"),
    );
    const r = await tailLogs.handle(tailLogs.input.parse({ host: "local", logFile: "train.log", processAlive: true }), {
      hosts,
      now: () => new Date(),
      progress: () => undefined,
      log: () => undefined,
    });
    expect(r.checkpoints.at(-1)).toMatchObject({ iteration: 10, path: join(dir, "save_dir"), phase: "saved" });
    expect(tailLogs.summarize(r)).toContain(`last checkpoint: saved ${join(dir, "save_dir")} (iteration 10)`);
  });
});
