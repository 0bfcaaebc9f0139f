// The script a resume chain began with, for every run of a ledger: followed through all of it, each record once.
import { describe, expect, it } from "vitest";
import { launchScripts } from "../../src/runs/list.js";
import type { RunRecord } from "../../src/runs/types.js";

const rec = (id: string, script: string, resumedFrom: string | null) =>
  ({ id, script, resumedFrom }) as unknown as RunRecord;
const ledger = (records: RunRecord[]) => new Map(records.map((r) => [r.id, r]));

describe("launchScripts", () => {
  it("a long chain: every run names the first run's script, in linear time", () => {
    const n = 20_000;
    const records = Array.from({ length: n }, (_, i) =>
      rec(
        `r${i}`,
        i === 0 ? "/w/configs/m/finetune.sh" : `/w/.ascend-train/runs/r${i}.resume.sh`,
        i ? `r${i - 1}` : null,
      ),
    );
    const started = performance.now();
    // Newest first, as a ledger is listed: the walk from the newest visits every record, the others stop at it.
    const out = launchScripts(ledger(records.reverse()));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out.size).toBe(n);
    expect(new Set(out.values())).toEqual(new Set(["/w/configs/m/finetune.sh"]));
  });

  it("a missing link or a loop ends the chain at the oldest run reached", () => {
    const out = launchScripts(
      ledger([
        rec("a", "/w/a.resume.sh", "gone"),
        rec("b", "/w/b.resume.sh", "a"),
        rec("x", "/w/x.resume.sh", "y"),
        rec("y", "/w/y.resume.sh", "x"),
        rec("z", "/w/z.sh", null),
      ]),
    );
    expect(Object.fromEntries(out)).toEqual({
      a: "/w/a.resume.sh",
      b: "/w/a.resume.sh",
      x: "/w/y.resume.sh",
      y: "/w/y.resume.sh",
      z: "/w/z.sh",
    });
  });
});
