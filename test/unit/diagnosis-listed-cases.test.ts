// What a verdict lists beside it: under a rule that is sure, only public reports of the categories its findings name
// (a report of another kind reads as a contradiction), and never a report, or a hint, that shares one stray word with
// the log.
import { describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";

describe("public reports listed with a verdict", () => {
  it("are of the categories a sure rule's findings name", () => {
    const verdict = diagnoseText("FileNotFoundError: [Errno 2] No such file or directory: 'data/imgs/orange.png'");
    expect(verdict.findings[0]?.category).toBe("input_path_missing");
    const named = new Set(verdict.findings.map((f) => f.category));
    expect(verdict.knownCases?.length).toBeGreaterThan(0);
    for (const c of verdict.knownCases ?? []) expect(named).toContain(c.category);
  });
});

describe("a text that shares one stray word with public reports", () => {
  it("gets no public case listed or hinted, and a reading of it stays hedged", () => {
    const verdict = diagnoseText("some random text with no error");
    expect(verdict.findings.filter((f) => f.rule === "known-case")).toEqual([]);
    expect(verdict.knownCases ?? []).toEqual([]);
    expect(verdict.findings[0]?.confidence).toBeLessThan(0.5);
    expect(verdict.summary).toMatch(/^(possibly|unknown)/);
  });
});
