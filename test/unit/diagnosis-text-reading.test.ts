// The whole-text reading: which failure category's public reports, taken whole, a log's end reads like. A log no
// rule is sure of and no single known case is near may still read like many reports of one kind (the command, the
// versions, the frames, the messages); that category then leads, hedged.
import { afterEach, describe, expect, it } from "vitest";
import { crossValidationFilter, loadCorpus } from "../../scripts/eval-diagnosis.js";
import { classifyText, trainCentroids } from "../../src/diagnosis/centroids.js";
import { diagnoseText, noRuleFinding } from "../../src/diagnosis/index.js";
import { LogScanner } from "../../src/diagnosis/scanner.js";
import { nearestCases, setKnownCaseFilter, textCategories, textWords } from "../../src/diagnosis/signature.js";
import { KNOWN_CASES } from "../../src/knowledge/known-cases.js";

afterEach(() => setKnownCaseFilter(undefined));

const corpusLog = (id: string) => {
  const item = loadCorpus().find((i) => i.id === id);
  if (!item) throw new Error(`${id} is not in the corpus`);
  return item;
};

const words = (s: string) => new Set(s.split(" "));
/** A report or log whose error lines are all of its text. */
const text = (s: string) => ({ words: words(s), errorWords: words(s) });
/** A log whose text holds words its error lines do not. */
const log = (all: string[], errorLines: string[] = []) => ({ words: all, errorWords: errorLines });

describe("category centroids", () => {
  const model = trainCentroids([
    { category: "disk_full", ...text("no space left device write checkpoint") },
    { category: "disk_full", ...text("disk quota exceeded write checkpoint") },
    { category: "port_in_use", ...text("address already in use bind master_port") },
    { category: "port_in_use", ...text("port busy bind listen master_port") },
  ]);

  it("rank categories by the cosine of the log's words with each category's reports, best first", () => {
    const ranked = classifyText(model, log(["quota", "write", "bind"]));
    expect(ranked.map((r) => r.category)).toEqual(["disk_full", "port_in_use"]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
    expect(ranked[0]!.score).toBeLessThanOrEqual(1);
    // A category that shares no word with the log is not listed.
    expect(classifyText(model, log(["quota", "write", "space"])).map((r) => r.category)).toEqual(["disk_full"]);
  });

  it("answer nothing from fewer known words than asked (a word or two in common is a coincidence)", () => {
    expect(classifyText(model, log(["frobnicate", "zorp", "quota"]))).toEqual([]);
    expect(classifyText(model, log(["quota", "bind"]), 3)).toEqual([]);
    expect(classifyText(model, log(["quota", "bind", "listen"]), 3)[0]!.category).toBe("port_in_use");
  });

  it("weigh the error lines' words above the rest of the text: of two kinds the text reads alike, the error lines decide", () => {
    // The text names each kind's words equally (quota, write for disk_full; bind, listen for port_in_use)...
    const all = ["quota", "write", "bind", "listen"];
    const tie = classifyText(model, log(all));
    const [disk, port] = ["disk_full", "port_in_use"].map((c) => tie.find((r) => r.category === c)!.score);
    expect(Math.abs(disk! - port!)).toBeLessThan(0.05);
    // ...and the line that says what failed names one of them: that kind leads, and so it does the other way round.
    expect(classifyText(model, log(all, ["bind", "listen"]))[0]!.category).toBe("port_in_use");
    expect(classifyText(model, log(all, ["quota", "write"]))[0]!.category).toBe("disk_full");
  });
});

describe("the whole-text reading", () => {
  it("reads every line of the text, not only the error lines, exception names aside", () => {
    const w = textWords([
      "+ torchrun --nproc_per_node 8 train.py --deepspeed ds_zero3.json",
      "RuntimeError: something went wrong",
      "ok",
    ]);
    expect(w.has("torchrun")).toBe(true);
    expect(w.has("deepspeed")).toBe(true);
    expect(w.has("something")).toBe(true);
    expect(w.has("runtimeerror")).toBe(false);
    // Every public case ships the words of its whole log, as the product reads them.
    const psutil = KNOWN_CASES.find((c) => c.id === "psutil-587")!;
    expect(psutil.words.split(" ").length).toBeGreaterThan(psutil.signature.join(" ").split(" ").length / 2);
    expect(psutil.words).toBe([...textWords(corpusLog("psutil-587").log.split("\n"))].sort().join(" "));
  });

  it("ranks a category by the likeness of the log's whole text to its reports, on repositories it has not seen", () => {
    // FRNN's own thread left out: its compiled extension (_C) not importable from the source tree it was run beside.
    const frnn = corpusLog("frnn-9");
    setKnownCaseFilter(crossValidationFilter(frnn.repo));
    const ranked = textCategories(frnn.log.split("\n"));
    expect(ranked[0]?.category).toBe("import_from_source_dir");
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.score).toBeLessThanOrEqual(ranked[i - 1]!.score);
    // With no case and no upstream message in view there is nothing to read against.
    setKnownCaseFilter(() => false, { upstreamMessages: false });
    expect(textCategories(frnn.log.split("\n"))).toEqual([]);
  });

  it("leads, as 'possibly', a verdict no rule and no single case is sure of", () => {
    // indic-trans run from its source tree in Python 2, its own thread left out.
    const indic = corpusLog("indic-trans-22");
    setKnownCaseFilter(crossValidationFilter(indic.repo));
    // No single case of another repository is close enough to decide (the nearest-case decision needs 0.25).
    const nearest = nearestCases(indic.log.split("\n"), 1)[0];
    expect(nearest === undefined || nearest.similarity < 0.25 || nearest.category !== "import_from_source_dir").toBe(
      true,
    );
    const verdict = diagnoseText(indic.log);
    const top = verdict.findings[0]!;
    expect(top.rule).toBe("case-text");
    expect(top.category).toBe("import_from_source_dir");
    expect(top.confidence).toBeGreaterThanOrEqual(0.2);
    expect(top.confidence).toBeLessThan(0.5);
    expect(verdict.summary).toMatch(/^possibly import_from_source_dir/);
    expect(top.cause).toMatch(/reads most like the public reports of this kind \(likeness 0\.\d+/);
    expect(top.fixes.length).toBeGreaterThan(0);
    // Facts outside the log (a run stopped on request) still say more than this reading: no rule found the failure.
    expect(noRuleFinding(top)).toBe(true);
    // The category leads once: no unknown finding follows it.
    expect(verdict.findings.filter((f) => f.category === "unknown")).toEqual([]);
  });

  it("outweighs a public case's distant likeness when the reports of another kind, taken together, read closer", () => {
    // NeMo's speech recipes calling a Megatron API their installed megatron-core no longer has; its own thread left
    // out, the public cases nearest its lines are another repository's import from a source tree.
    const nemo = corpusLog("nemo-speech-8714");
    setKnownCaseFilter(crossValidationFilter(nemo.repo));
    const verdict = diagnoseText(nemo.log);
    const [top, likeness] = verdict.findings;
    expect(top!.rule).toBe("case-text");
    expect(top!.category).toBe("megatron_version_mismatch");
    expect(top!.cause).toMatch(/^The public case whose lines are nearest is import_from_source_dir, but the log's end/);
    // The likeness stays below it, saying no more than the reading that outweighed it.
    expect(likeness!.rule).toBe("known-case");
    expect(likeness!.category).toBe("import_from_source_dir");
    expect(likeness!.confidence).toBeLessThanOrEqual(top!.confidence);
    expect(verdict.summary).toMatch(/^possibly megatron_version_mismatch/);
  });

  it("never outweighs a public case that is near (from 0.6) or that agrees with it", () => {
    // The same log with its own thread in view: a near copy of its lines decides.
    const nemo = corpusLog("nemo-speech-8714");
    setKnownCaseFilter((c) => c.id === nemo.id || c.repo.toLowerCase() !== nemo.repo.toLowerCase());
    const top = diagnoseText(nemo.log).findings[0]!;
    expect(top.rule).toBe("known-case");
    expect(top.confidence).toBeGreaterThanOrEqual(0.6);
    expect(top.category).toBe("megatron_version_mismatch");
  });

  it("never overrules a rule that holds its verdict", () => {
    const oom = [
      "Traceback (most recent call last):",
      "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated)",
    ].join("\n");
    const verdict = diagnoseText(oom);
    expect(verdict.findings[0]!.category).toBe("npu_oom");
    expect(verdict.findings.some((f) => f.rule === "case-text")).toBe(false);
    expect(noRuleFinding(verdict.findings[0])).toBe(false);
  });

  it("says so when no line of the log states an error, and still reads it (a hang prints none)", () => {
    const progress = (i: number) =>
      ` iteration ${i}/ 5000 | consumed samples: ${i * 64} | elapsed time per iteration (ms): 1834.2 | learning rate: 1.0E-05 | global batch size: 64 | lm loss: 2.${i} | loss scale: 1.0 | grad norm: 1.3 |`;
    const verdict = diagnoseText([1, 2, 3, 4].map(progress).join("\n"));
    const top = verdict.findings[0]!;
    expect(noRuleFinding(top)).toBe(true);
    expect(top.confidence).toBeLessThan(0.5);
    expect(top.rule).toBe("case-text");
    expect(top.cause).toMatch(/^No line of the log says that anything failed/);
    // A log that states its error is read without that caveat.
    setKnownCaseFilter(crossValidationFilter(corpusLog("indic-trans-22").repo));
    expect(diagnoseText(corpusLog("indic-trans-22").log).findings[0]!.cause).toMatch(/^No rule is sure, but/);
  });

  it("leaves unknown a log whose words no public report or upstream message uses", () => {
    const verdict = diagnoseText("qwertyuiop asdfghjkl zxcvbnm\nfrobnicate the zorp widget: broke\n");
    expect(verdict.findings[0]!.category).toBe("unknown");
  });
});

describe("the log's end a scan keeps for the readings", () => {
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

  it("keeps the last 400 non-empty lines of the end, whatever they say, each cut at 400 characters", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `step ${i} loss 1.${i}`);
    const r = scan([...lines, "", "x".repeat(1000), "RuntimeError: the end", ""].join("\n"));
    expect(r.endLines).toHaveLength(400);
    expect(r.endLines!.at(-1)).toBe("RuntimeError: the end");
    expect(r.endLines!.at(-2)).toBe("x".repeat(400));
    expect(r.endLines![0]).toBe("step 602 loss 1.602");
  });
});
