// The nearest known public case, measured by leaving one tune repository out at a time: the case index, the vote,
// the hints that follow an unconfident verdict, and the cross-validation mode of the evaluation script.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type CorpusItem,
  type CrossValidation,
  crossValidate,
  crossValidationFilter,
  loadCorpus,
  votedCategories,
} from "../../scripts/eval-diagnosis.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import {
  caseEvidence,
  nearestCases,
  normalizeLine,
  setKnownCaseFilter,
  tokens,
  voteCategories,
} from "../../src/diagnosis/signature.js";
import type { KnownCase, Verdict } from "../../src/diagnosis/types.js";
import { KNOWN_CASES } from "../../src/knowledge/known-cases.js";

const items = loadCorpus();
const tune = items.filter((i) => i.split === "tune");

/**
 * One leave-one-repository-out pass over tune (every log diagnosed under its own filter and read by the vote, the
 * reading and naive Bayes alone: about two minutes on one core, more beside the rest of the suite), shared by the tests
 * that read its scores and its verdicts.
 */
let cvPass: { cv: CrossValidation; verdicts: [CorpusItem, Verdict][] } | undefined;
beforeAll(() => {
  const verdicts: [CorpusItem, Verdict][] = [];
  const cv = crossValidate(items, (item, v) => verdicts.push([item, v]));
  cvPass = { cv, verdicts };
}, 480_000);
function crossValidation() {
  if (!cvPass) throw new Error("the cross-validation pass did not run");
  return cvPass;
}

afterEach(() => setKnownCaseFilter(undefined));

describe("known-case similarity", () => {
  it("masks CANN's source-location suffix, keeping the message and the runtime code", () => {
    expect(
      normalizeLine(
        "EH9999: wait for compute device to finish failed, runtime result = 507018.[FUNC:ReportCallError][FILE:log_inner.cpp][LINE:161]",
      ),
    ).toBe("eh9999: wait for compute device to finish failed, runtime result = 507018.");
  });

  it("counts a dotted or underscored name also as its parts", () => {
    const t = tokens("importerror: cannot import name 'x' from 'transformers.models.bloom' (torch_npu)");
    expect(t).toContain("transformers.models.bloom");
    expect(t).toContain("transformers");
    expect(t).toContain("bloom");
    expect(t).toContain("torch_npu");
    expect(t).toContain("npu");
  });

  it("ranks categories by the summed squared similarity of the nearest cases", () => {
    const c = (category: string, similarity: number): KnownCase => ({
      url: "https://github.com/o/r/issues/1",
      title: "t",
      resolution: "r",
      category,
      similarity,
    });
    const ranked = voteCategories([c("npu_oom", 0.9), c("device_busy", 0.5), c("device_busy", 0.5)]);
    expect(ranked.map((r) => r.category)).toEqual(["npu_oom", "device_busy"]);
    expect(voteCategories([])).toEqual([]);
  });

  it("does not call a case near when it shares only template or skeleton lines with the log", () => {
    // A training run's OOM: its only error line is the message every NPU OOM prints, inference ones included.
    const oom = [
      "Traceback (most recent call last):",
      '  File "/home/u/MindSpeed-MM/pretrain_vlm.py", line 120, in <module>',
      "torch.OutOfMemoryError: NPU out of memory. Tried to allocate 2.32 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated; 58.12 GiB current active; 1.05 GiB free; 59.35 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.",
    ];
    const near = nearestCases(oom, 5);
    expect(near.length).toBeGreaterThan(0);
    // The cases most alike in plain words (0.99 for a one-line case holding only this message) share only the
    // message: each is listed at about half that likeness or less, never as a near copy (a copy's own lines give
    // over 0.6, as the next test shows).
    const alike = near.filter((c) => caseEvidence(c) >= 0.7);
    expect(alike.length).toBeGreaterThan(0);
    for (const c of alike) {
      // Both numbers are rounded to hundredths.
      expect(c.similarity, c.url).toBeLessThanOrEqual(0.55 * (caseEvidence(c) + 0.005) + 0.005);
      expect(c.similarity, c.url).toBeLessThan(0.6);
    }
    // The message still says which kind of failure it is: the vote is unchanged.
    expect(voteCategories(near)[0]?.category).toBe("npu_oom");
    // torchrun's report alone, printed by every failed run.
    const bare = nearestCases(["torch.distributed.elastic.multiprocessing.errors.ChildFailedError:"], 3);
    expect(Math.max(0, ...bare.map((c) => c.similarity))).toBeLessThan(0.4);
  });

  it("lets no case decide a log whose only lines in common with it are torchrun's failure report", () => {
    // An error no rule knows, then the report torchrun prints after any failed rank. Known cases of a host OOM
    // carry the same report; it says that a rank failed, not why, so no case decides: the answer leads with the error
    // line, unknown or at most a hedged reading of its own words (columns and a schema: a dataset's shape).
    const log = [
      "[rank0]: Traceback (most recent call last):",
      '[rank0]:   File "/home/u/proj/train.py", line 61, in main',
      "[rank0]: ValueError: frobnicator widget table holds 7 columns where the schema names 9",
      "E1203 12:06:54.445247 10437 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: 1) local_rank: 0 (pid: 10439) of binary: /home/u/venv/bin/python",
      "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:",
      "train.py FAILED",
      "Root Cause (first observed failure):",
    ];
    expect(nearestCases(log.slice(3), 5, 0.01)).toEqual([]);
    const verdict = diagnoseText(log.join("\n"));
    const lead = verdict.findings[0]!;
    // What leads is a hedged reading of the error line's own words (a public case about a dataset's columns may be
    // near them), never a rule and never the report's host_oom.
    expect(["unknown", "case-text", "case-words", "known-case"]).toContain(lead.rule);
    expect(lead.confidence).toBeLessThan(0.5);
    expect(verdict.findings.map((f) => f.category)).not.toContain("host_oom");
    expect(lead.evidence.map((e) => e.text).join("\n")).toContain("frobnicator");
    // A negative exit code names the signal that killed the rank: that part of the report still counts.
    expect(nearestCases([log[3]!.replace("exitcode: 1", "exitcode: -9")], 5).length).toBeGreaterThan(0);
  });

  it("still finds a case nearest, above any template-only likeness, when the log shares its own lines", () => {
    // "cannot import name 'X' from 'transformers'" is a template; the name X is this case's own.
    const own = KNOWN_CASES.find((c) => c.id === "accelerate-3723")!;
    const [first, second] = nearestCases(["Traceback (most recent call last):", ...own.signature], 3);
    expect(first).toMatchObject({ url: own.url });
    expect(first!.similarity).toBeGreaterThan(0.6);
    expect(second?.similarity ?? 0).toBeLessThan(first!.similarity);
  });

  it("returns only the cases the filter lets through", () => {
    const left = tune[0]!.repo;
    setKnownCaseFilter(crossValidationFilter(left));
    const found = nearestCases(tune[0]!.log.split("\n"), 50, 0);
    const byUrl = new Map(KNOWN_CASES.map((k) => [k.url, k]));
    for (const f of found) {
      const entry = byUrl.get(f.url)!;
      expect(entry.split).toBe("tune");
      expect(entry.repo.toLowerCase()).not.toBe(left.toLowerCase());
    }
  });
});

describe("cross-validation on tune (eval:diagnosis --cv)", () => {
  it("compares a repository's logs only with other repositories' tune cases", () => {
    const f = crossValidationFilter("hiyouga/LlamaFactory");
    expect(KNOWN_CASES.filter((k) => k.repo === "hiyouga/LlamaFactory").some(f)).toBe(false);
    expect(KNOWN_CASES.filter((k) => k.split === "holdout").some(f)).toBe(false);
    expect(KNOWN_CASES.filter((k) => k.split === "tune" && k.repo !== "hiyouga/LlamaFactory").every(f)).toBe(true);
  });

  it("scores every tune log once, the vote alone and the engine, holdout logs taking no part", () => {
    const { cv, verdicts } = crossValidation();
    expect(verdicts.length).toBe(tune.length);
    expect(cv.total).toBe(tune.length);
    expect(cv.repos).toBe(new Set(tune.map((i) => i.repo.toLowerCase())).size);
    for (const s of [cv.vote, cv.text, cv.bayes, cv.engine]) {
      expect(s.top1).toBeLessThanOrEqual(s.top3);
      expect(s.top3).toBeLessThanOrEqual(cv.total);
    }
    // The vote alone names the right category for at least 3 in 4 logs of repositories it has not seen.
    expect(cv.vote.top1 / cv.total).toBeGreaterThanOrEqual(0.75);
    // The whole-text reading alone, also on repositories it has not seen, names it for at least 7 logs in 10.
    expect(cv.text.top1 / cv.total).toBeGreaterThanOrEqual(0.7);
    expect(cv.engine.top1 / cv.total).toBeGreaterThanOrEqual(0.9);
    expect(crossValidate(items.filter((i) => i.split === "holdout")).total).toBe(0);
  });

  it("answers unknown from the vote alone when no case is close", () => {
    setKnownCaseFilter(() => false);
    expect(votedCategories("RuntimeError: NPU out of memory.")).toEqual(["unknown"]);
  });
});

describe("hints from the nearest cases", () => {
  it("follow an unconfident verdict, never lead it and are never more confident than it", () => {
    let hinted = 0;
    // The verdicts of the cross-validation pass, each made under its log's filter.
    for (const [item, v] of crossValidation().verdicts) {
      const lead = v.findings[0]!;
      const hints = v.findings.slice(1).filter((f) => f.rule === "known-case");
      if (hints.length > 0) {
        hinted++;
        expect(lead.confidence < 0.5 || lead.rule === "known-case", item.id).toBe(true);
      }
      for (const h of hints) expect(h.confidence, item.id).toBeLessThanOrEqual(lead.confidence);
      for (const k of v.knownCases ?? []) expect(k.similarity, item.id).toBeGreaterThanOrEqual(0.2);
      expect((v.knownCases ?? []).length, item.id).toBeLessThanOrEqual(3);
      const others = v.findings.filter((f) => !hints.includes(f)).map((f) => f.category);
      for (const h of hints) expect(others, item.id).not.toContain(h.category);
    }
    expect(hinted).toBeGreaterThan(0);
  });
});
