// What diagnose_error and apply_fix do with a verdict: which fixes apply to this run and host, how they are worded,
// and the verdicts for runs that did not fail by an error of their own (stopped from outside, stalled).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/sources.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
const fixture = (id: string) => readFileSync(join(FIX, "verdicts", `${id}.log`), "utf8");

describe("a run ended by SIGTERM", () => {
  it("is a stop from outside (exit code -15), never the host's OOM killer", () => {
    const v = diagnoseText(fixture("sigterm-stop"));
    const top = v.findings[0]!;
    expect(top).toMatchObject({ category: "unknown", rule: "external-signal" });
    expect(top.cause).toMatch(/SIGTERM \(exit code -15\).*from outside/);
    expect(top.cause).not.toMatch(/OOM killer: host RAM/);
    expect(top.evidence[0]!.text).toContain("exitcode: -15");
    expect(v.findings.some((f) => f.category === "host_oom")).toBe(false);
    expect(v.summary).toMatch(/terminated by a signal from outside/);
  });
});
