// tail_logs with neither a run id nor a log file reads the newest run in the host's ledger and says which it took;
// with both it refuses, and with an empty ledger it says what to pass.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { ledgerFileOf, runRecord } from "../helpers/run-record.js";

let dir: string;
let empty: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({ hosts, now: () => new Date(), progress: () => undefined, log: () => undefined });
const line = (i: number, loss: number) =>
  `iteration ${i}/20 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 500.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: ${loss.toFixed(3)} | grad norm: 1.000 |`;

function layRun(id: string, createdAt: Date, loss: number) {
  const root = join(dir, id);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "train.log"), `${line(5, loss)}\n`);
  mkdirSync(join(dir, ".ascend-train", "runs"), { recursive: true });
  writeFileSync(ledgerFileOf(dir, id), JSON.stringify(runRecord({ id, workdir: dir, root, createdAt })));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tail-newest-"));
  empty = mkdtempSync(join(tmpdir(), "tail-newest-empty-"));
  hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });
  layRun("run-20261201-100000-aaaa", new Date("2026-12-01T10:00:00Z"), 1.5);
  layRun("run-20261203-100000-cccc", new Date("2026-12-03T10:00:00Z"), 0.7);
  layRun("run-20261202-100000-bbbb", new Date("2026-12-02T10:00:00Z"), 1.1);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe("tail_logs without a run id", () => {
  it("reads the newest run of the host's ledger, and says so", async () => {
    const r = await tailLogs.handle(tailLogs.input.parse({ host: "local" }), deps());
    expect(r.runId).toBe("run-20261203-100000-cccc");
    expect(r.latest?.loss).toBeCloseTo(0.7);
    expect(r.notes[0]).toBe("run-20261203-100000-cccc is the newest run in local's ledger (no run id was given).");
  });

  it("refuses a run id and a log file together", () => {
    const both = tailLogs.input.safeParse({ runId: "run-20261203-100000-cccc", logFile: "x.log" });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]?.message).toBe("Give runId or logFile, not both.");
  });

  it("says what to pass when the host's ledger has no run", async () => {
    const bare = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: empty }) } });
    await expect(tailLogs.handle(tailLogs.input.parse({}), { ...deps(), hosts: bare })).rejects.toThrow(
      /No run in local's ledger to read: pass a runId from launch_train/,
    );
  });
});
