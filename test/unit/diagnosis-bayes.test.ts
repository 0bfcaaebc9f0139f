// Naive Bayes over the words of error lines, learnt from the public cases and the stacks' own (upstream) messages: it
// overrules a weak lead (a distant likeness, a generic reading) where the words say another category plainly.
import { afterEach, describe, expect, it } from "vitest";
import { classifyBayes, trainBayes } from "../../src/diagnosis/bayes.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { bayesCategories, setKnownCaseFilter } from "../../src/diagnosis/signature.js";

afterEach(() => setKnownCaseFilter(undefined));

const words = (s: string) => new Set(s.split(" "));

describe("naive Bayes", () => {
  const model = trainBayes([
    { category: "disk_full", words: words("no space left device write") },
    { category: "disk_full", words: words("disk quota exceeded write") },
    { category: "port_in_use", words: words("address already in use bind") },
    { category: "port_in_use", words: words("port busy bind listen") },
  ]);

  it("ranks categories by a posterior that sums to one", () => {
    const ranked = classifyBayes(model, ["write", "quota"]);
    expect(ranked.map((r) => r.category)).toEqual(["disk_full", "port_in_use"]);
    expect(ranked[0]!.probability).toBeGreaterThan(0.9);
    expect(ranked.reduce((n, r) => n + r.probability, 0)).toBeCloseTo(1, 10);
  });

  it("skips words it never saw, and answers nothing below the least number of known words", () => {
    expect(classifyBayes(model, ["frobnicate", "zorp"])).toEqual([]);
    expect(classifyBayes(model, ["bind", "zorp"]).map((r) => r.category)[0]).toBe("port_in_use");
    expect(classifyBayes(model, ["bind", "zorp"], 2)).toEqual([]);
    expect(classifyBayes(model, ["bind", "listen"], 2)[0]!.category).toBe("port_in_use");
  });

  it("holds no category's share of the examples as evidence (equal priors)", () => {
    const skewed = trainBayes([
      ...Array.from({ length: 20 }, () => ({ category: "npu_oom", words: words("memory allocate") })),
      { category: "hccl_timeout", words: words("collective timeout watchdog") },
    ]);
    expect(classifyBayes(skewed, ["watchdog", "timeout"])[0]!.category).toBe("hccl_timeout");
  });
});

describe("the words in a verdict", () => {
  // An error no rule knows and no case is near: its words are those of a dataset that lacks what the code expects
  // (columns, a schema).
  const log = [
    "[rank0]: Traceback (most recent call last):",
    '[rank0]:   File "/home/u/proj/train.py", line 61, in main',
    "[rank0]: ValueError: frobnicator widget table holds 7 columns where the schema names 9",
  ].join("\n");

  it("name the category whose reports use them, and leave the lead of an unread log to the other readings", () => {
    expect(bayesCategories(log.split("\n"))[0]?.category).toBe("dataset_key_error");
    const verdict = diagnoseText(log);
    const lead = verdict.findings[0]!;
    // A public case about a dataset's columns, or the reports of the kind taken whole: a reading, not the words alone.
    expect(lead.category).toBe("dataset_key_error");
    expect(["known-case", "case-text"]).toContain(lead.rule);
    expect(lead.confidence).toBeLessThan(0.5);
    expect(verdict.summary).toMatch(/^possibly dataset_key_error/);
    expect(lead.evidence.map((e) => e.text).join("\n")).toContain("frobnicator");
    expect(verdict.findings.filter((f) => f.category === "unknown")).toEqual([]);
  });

  it("learns from the upstream messages with no public case in view, and from nothing when they are left out", () => {
    const line = ["OSError: the volume under /data/ckpt has no space left for the writer"];
    setKnownCaseFilter(() => false);
    expect(bayesCategories(line)[0]?.category).toBe("disk_full");
    setKnownCaseFilter(() => false, { upstreamMessages: false });
    expect(bayesCategories(line)).toEqual([]);
    expect(diagnoseText(log).findings[0]!.category).toBe("unknown");
  });

  it("overrule a rule's generic reading of a failure another category explains, leaving it below, explained", () => {
    // Python's ENOENT names a path, not why it is missing; the line after it is worded as a refused Hub download.
    const log = [
      "FileNotFoundError: [Errno 2] No such file or directory: '/data/run/part.dat'",
      "error: gated repo on the hub: access to the model requires accepting its license, token unauthorized (401)",
    ].join("\n");
    const verdict = diagnoseText(log);
    const [lead, generic] = verdict.findings;
    expect(lead).toMatchObject({ category: "hub_access", rule: "case-words" });
    expect(lead!.confidence).toBeLessThan(0.5);
    expect(lead!.cause).toMatch(/^A rule read only the generic input_path_missing, which this failure also prints;/);
    expect(generic).toMatchObject({ category: "input_path_missing", explainedBy: "case-words" });
    // The rules alone read the generic form.
    setKnownCaseFilter(() => false, { upstreamMessages: false });
    expect(diagnoseText(log).findings[0]).toMatchObject({ category: "input_path_missing" });
  });

  it("leave a near copy of a public case to decide, and a generic reading the words do not explain", () => {
    // The same line as a public case (similarity near 1): its category stands whatever the words say.
    const near = diagnoseText(
      "RuntimeError: Ascend kernel runtime initialization failed. The details refer to 'Ascend Error Message'.",
    );
    expect(near.findings[0]).toMatchObject({ rule: "known-case" });
    // A missing path beside words of no other failure stays what the rule read.
    const plain = diagnoseText("FileNotFoundError: [Errno 2] No such file or directory: '/data/run/part.dat'");
    expect(plain.findings[0]).toMatchObject({ category: "input_path_missing" });
  });

  it("never overrules a rule that holds its verdict", () => {
    const verdict = diagnoseText("OSError: [Errno 28] No space left on device: '/data/ckpt/iter_0000100/model.pt'");
    expect(verdict.findings[0]).toMatchObject({ category: "disk_full" });
    expect(verdict.findings.some((f) => f.rule === "case-words")).toBe(false);
  });
});
