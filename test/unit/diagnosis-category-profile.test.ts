// Category profiles: what the public cases of one failure category say together. A log no single known case is near
// may still say what many cases of one kind say, each in part; when no rule is sure, that category leads, hedged.
import { afterEach, describe, expect, it } from "vitest";
import { crossValidationFilter, loadCorpus } from "../../scripts/eval-diagnosis.js";
import { diagnoseText, noRuleFinding } from "../../src/diagnosis/index.js";
import { LogScanner } from "../../src/diagnosis/scanner.js";
import { nearestCases, profileCategories, setKnownCaseFilter } from "../../src/diagnosis/signature.js";

afterEach(() => setKnownCaseFilter(undefined));

const corpusLog = (id: string) => {
  const item = loadCorpus().find((i) => i.id === id);
  if (!item) throw new Error(`${id} is not in the corpus`);
  return item;
};

describe("category profiles", () => {
  it("rank a category by how much of its cases' words the log's error lines hold", () => {
    // psutil's own thread left out: its extension module not importable from the source tree.
    const psutil = corpusLog("psutil-587");
    setKnownCaseFilter(crossValidationFilter(psutil.repo));
    const ranked = profileCategories(psutil.log.split("\n"));
    expect(ranked[0]?.category).toBe("import_from_source_dir");
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.score).toBeLessThanOrEqual(ranked[i - 1]!.score);
    // One word in common is not enough: "zero" is in ZeroDivisionError's message and in DeepSpeed's ZeRO file names.
    setKnownCaseFilter(undefined);
    expect(profileCategories(["ZeroDivisionError: division by zero"]).map((r) => r.category)).not.toContain(
      "checkpoint_incomplete",
    );
    // With no case in view there is no profile, and words no case has count for nothing.
    setKnownCaseFilter(() => false, { upstreamMessages: false });
    expect(profileCategories(psutil.log.split("\n"))).toEqual([]);
  });

  it("lead, as 'possibly', a verdict no rule and no single case is sure of", () => {
    const psutil = corpusLog("psutil-587");
    setKnownCaseFilter(crossValidationFilter(psutil.repo));
    // No single case of another repository is close enough to decide (the nearest-case decision needs 0.25).
    const nearest = nearestCases(psutil.log.split("\n"), 1)[0];
    expect(nearest === undefined || nearest.similarity < 0.25 || nearest.category !== "import_from_source_dir").toBe(
      true,
    );
    const verdict = diagnoseText(psutil.log);
    const top = verdict.findings[0]!;
    expect(top.rule).toBe("case-profile");
    expect(top.category).toBe("import_from_source_dir");
    expect(top.confidence).toBeGreaterThanOrEqual(0.2);
    expect(top.confidence).toBeLessThan(0.5);
    expect(verdict.summary).toMatch(/^possibly import_from_source_dir/);
    expect(top.cause).toContain("profile score");
    expect(top.fixes.length).toBeGreaterThan(0);
    // Facts outside the log (a run stopped on request) still say more than this reading: no rule found the failure.
    expect(noRuleFinding(top)).toBe(true);
    // The category leads once: no unknown finding follows it.
    expect(verdict.findings.filter((f) => f.category === "unknown")).toEqual([]);
  });

  it("never overrule a rule that holds its verdict", () => {
    const oom = [
      "Traceback (most recent call last):",
      "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated)",
    ].join("\n");
    const verdict = diagnoseText(oom);
    expect(verdict.findings[0]!.category).toBe("npu_oom");
    expect(verdict.findings.some((f) => f.rule === "case-profile")).toBe(false);
    expect(noRuleFinding(verdict.findings[0])).toBe(false);
  });

  it("leave unknown a log whose error lines no category's cases share", () => {
    const verdict = diagnoseText("step 12 done\nqwertyuiop asdfghjkl failed zxcvbnm\n");
    expect(verdict.findings[0]!.category).toBe("unknown");
  });
});

describe("the error lines a scan keeps for the profiles", () => {
  const scan = (text: string) => {
    const s = new LogScanner({});
    s.push(text);
    return s.end();
  };

  it("are the last distinct error-like lines, at most 64, each once at its last place", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `ValueError: bad value number ${i}`);
    const r = scan([...lines, "ValueError: bad value number 10", "step 101 loss 1.2", ""].join("\n"));
    expect(r.errorLines).toHaveLength(64);
    expect(r.errorLines!.at(-1)).toBe("ValueError: bad value number 10");
    expect(r.errorLines).not.toContain("ValueError: bad value number 0");
    expect(r.errorLines!.filter((l) => l.endsWith("number 10"))).toHaveLength(1);
    expect(r.errorLines).not.toContain("step 101 loss 1.2");
  });

  it("come from the log's end only (its last 256 KiB)", () => {
    const early = "OSError: an early complaint far from the end";
    const filler = "iteration ok ".repeat(40);
    const r = scan([early, ...Array.from({ length: 800 }, () => filler), "RuntimeError: the end", ""].join("\n"));
    expect(r.errorLines).toEqual(["RuntimeError: the end"]);
  });
});
