import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, splitOf } from "../../scripts/eval-diagnosis.js";
import { diagnoseText, noRuleFinding } from "../../src/diagnosis/index.js";
import { normalizeLine, signatureLines } from "../../src/diagnosis/signature.js";
import { CODE_FAMILIES, decodeCodes } from "../../src/knowledge/cann-codes.js";
import { KNOWN_CASES } from "../../src/knowledge/known-cases.js";
import { PRECEDENCE } from "../../src/knowledge/precedence.js";
import { CATEGORIES } from "../../src/knowledge/rules-types.js";
import diagnoseError from "../../src/tools/diagnose-error.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("CANN error codes as data", () => {
  it("decodes every code in a log into the verdict, also when no rule fires", () => {
    const v = diagnoseText(
      [
        "step 10 done",
        "EK9999: [PID: 77] 2025-01-02-03:04:05.678.901 something unusual happened on the management path",
        "EE9999: Inner Error!",
      ].join("\n"),
    );
    const codes = v.codes.map((c) => c.code);
    expect(codes).toEqual(["EK9999", "EE9999"]);
    expect(v.codes[0]).toMatchObject({ line: 2, component: expect.stringContaining("Driver management") });
    expect(v.codes[1]!.meaning).toMatch(/inner error/i);
  });

  it("decodes runtime, HCCL and torch_npu codes and names the category a code implies", () => {
    const found = decodeCodes(
      "RuntimeError: HCCL function error: HcclGetRootInfo(&hcclID), error code is 11 ERR02200 DIST call hccl api failed.",
    );
    expect(found.map((f) => f.code)).toEqual(["ERR02200", "HCCL 11"]);
    expect(decodeCodes("aclrtGetDeviceCount(&device_count), error code is 207004")[0]!.info.category).toBe(
      "npu_not_available",
    );
    expect(decodeCodes("[E1206 18:44:12.715 ProcessGroupNCCL.cpp:607]")).toEqual([]);
    expect(decodeCodes("EK0203: unusual")[0]!.info.component).toMatch(/Driver management/);
  });

  it("decodes codes by the public tables: rt_error_codes.h, aclnn, acl_base.h, torch_npu", () => {
    const one = (line: string) => decodeCodes(line).map((c) => `${c.code} ${c.info.meaning}`);
    expect(one("aclrtSynchronizeStream(stream) failed: 507015")).toEqual([
      "507015 ACL_ERROR_RT_AICORE_EXCEPTION: AI Core exception",
    ]);
    expect(one("NPU function error: ..., error code is 507048")[0]).toContain("ACL_ERROR_RT_FFTS_PLUS_TIMEOUT");
    expect(one("ACL error, the error code is : 500002")[0]).toContain("ACL_ERROR_GE_FAILURE");
    expect(one("call aclnnMatmul failed, error code is 561003")[0]).toContain("ACLNN_ERR_INNER_FIND_KERNEL_ERROR");
    expect(decodeCodes("call aclnnFoo failed, error code is 561003")[0]!.info.category).toBe("cann_version_mismatch");
    // A 6-digit code no table lists is decoded by its class; torch_npu codes by submodule and code.
    expect(one("runtime result = 507999")[0]).toContain("internal software/hardware error");
    expect(one("[ERROR] (PID:1, Device:0, RankID:-1) ERR03011 GRAPH timeout error")).toEqual([
      "ERR03011 GRAPH timeout error",
    ]);
    // Inside a Python repr the newline before a code is a literal backslash-n.
    expect(decodeCodes("exception occurred : ('x\\nEL9999: Inner Error!')").map((c) => c.code)).toEqual(["EL9999"]);
    // Numbers that are not codes stay numbers.
    expect(decodeCodes("step 507015 loss 1.2, read 100000 samples")).toEqual([]);
  });

  it("decodes a code no table lists by its family when it stands near the end of a log, on a line nothing else reads", () => {
    const log = ["step 9 loss 2.1", "  E39123 something the table does not know", "worker exit"].join("\n");
    const codes = diagnoseText(log).codes;
    expect(codes.map((c) => [c.code, c.line])).toEqual([["E39123", 2]]);
    expect(codes[0]!.component).toBe(CODE_FAMILIES.E3);
    // Not codes: letters or digits run on either side, or a family the tables do not name.
    expect(diagnoseText("sha e39123ab\nE391234 E77777 XE39123").codes).toEqual([]);
  });

  it("decodes every code that appears in a public corpus log", () => {
    const wanted = (log: string) =>
      new Set([
        ...[...log.matchAll(/(?<![A-Za-z0-9])(E[A-Z]\d{4}|E\d{5})(?![A-Za-z0-9])/g)].map((m) => m[1]!),
        ...[...log.matchAll(/\b(ERR\d{5})\b/g)].map((m) => m[1]!),
        ...[...log.matchAll(/(?:error code(?: is)?|runtime result|ErrCode|failed)\s*[:=]?\s*([1-5]\d{5})\b/g)].map(
          (m) => m[1]!,
        ),
      ]);
    let seen = 0;
    for (const item of loadCorpus()) {
      const want = wanted(item.log);
      if (want.size === 0) continue;
      const got = new Set(diagnoseText(item.log).codes.map((c) => c.code));
      for (const code of want) {
        seen++;
        expect(got.has(code), `${item.id}: ${code}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  it("lists the decoded codes of a finding's evidence in its facts", () => {
    const v = diagnoseText(
      "EL0004: 2024-08-28-16:15:00.358.141 Failed to allocate memory.\n        Possible Cause: Available memory is insufficient.",
    );
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.findings[0]!.facts.codes).toMatch(/^EL0004: Driver/);
  });
});

describe("precedence as data: the stated cause outranks the louder symptom", () => {
  it("puts an OPP/driver mismatch above the kernel errors it causes, though they come first", () => {
    const log = [
      "EZ9999: Inner Error!",
      "EZ9999: The error from device(chipId:0, dieId:0), there is an aivec error exception, core id is 3",
      "Kernel task happen error, retCode=0x26, [aicore exception].",
      "EZ9999: there is an aivec error exception, core id is 4",
      "E30006: Failed to verify the OPP. Reason: the OPP package does not match the driver.",
    ].join("\n");
    const v = diagnoseText(log);
    expect(v.findings[0]!.category).toBe("cann_version_mismatch");
    const kernel = v.findings.find((f) => f.category === "aicore_error");
    expect(kernel?.explainedBy).toBe(v.findings[0]!.rule);
  });

  it("puts the missing driver mount above the CANN library errors that follow from it", () => {
    const log = [
      "ImportError: libhccl.so: cannot open shared object file: No such file or directory",
      "ImportError: libhccl.so: cannot open shared object file: No such file or directory",
      "libascend_hal.so: cannot open shared object file: No such file or directory",
    ].join("\n");
    expect(diagnoseText(log).findings[0]!.category).toBe("driver_not_mounted");
  });

  it("only names categories that exist and never lets a category explain itself", () => {
    for (const p of PRECEDENCE) {
      expect(CATEGORIES).toContain(p.cause);
      for (const o of p.over) {
        expect(CATEGORIES).toContain(o);
        expect(o).not.toBe(p.cause);
      }
    }
  });
});

describe("stack frames as evidence", () => {
  const trace = (last: string, error: string) =>
    [
      "Traceback (most recent call last):",
      '  File "train.py", line 10, in <module>',
      "    main()",
      `  File "${last}", line 289, in _lazy_init`,
      "    raise Boom(msg)",
      error,
    ].join("\n");

  it("turns a trace that ends inside torch.cuda into a (weak) cuda_path_on_npu finding", () => {
    const v = diagnoseText(trace("/usr/lib/python3.10/site-packages/torch/cuda/__init__.py", "Boom: zzq wibble"));
    const f = v.findings.find((x) => x.category === "cuda_path_on_npu");
    expect(f?.facts.frame).toMatch(/torch\/cuda\/__init__\.py:_lazy_init$/);
    expect(f!.confidence).toBeLessThan(0.5);
    expect(f!.evidence.some((e) => e.text.includes("torch/cuda/__init__.py"))).toBe(true);
  });

  it("adds the frame to a finding of the same category", () => {
    const v = diagnoseText(
      trace(
        "/usr/lib/python3.10/site-packages/torch/cuda/__init__.py",
        "AssertionError: Torch not compiled with CUDA enabled",
      ),
    );
    expect(v.findings[0]!.category).toBe("cuda_path_on_npu");
    expect(v.findings[0]!.facts.frame).toContain("torch/cuda");
  });
});

describe("the nearest known case", () => {
  it("ships public cases with URL, title, resolution and normalised signature lines", () => {
    expect(KNOWN_CASES.length).toBeGreaterThanOrEqual(200);
    for (const c of KNOWN_CASES) {
      // Issue threads; vendor troubleshooting pages, Hub discussions, forums, blogs and pastes for some. Each is the page of
      // the case in the corpus.
      expect(c.url).toMatch(
        /^https:\/\/(?:github\.com|gist\.github\.com|www\.hiascend\.com|huggingface\.co|pastebin\.com|blog\.csdn\.net|cnblogs\.com|www\.codetd\.com|gitcode\.com|support\.huaweicloud\.com|discuss\.mindspore\.cn|gitee\.com|www\.gongjiyun\.com|www\.runcomfy\.com)\//,
      );
      expect(c.resolution.length).toBeGreaterThan(10);
      for (const l of c.signature) expect(l).not.toMatch(/\/usr\/|0x[0-9a-f]{4,}/);
    }
  });

  it("masks numbers, hex, directories and rank prefixes", () => {
    expect(
      normalizeLine("[rank3]: RuntimeError: NPU out of memory. Tried to allocate 22.00 MiB at 0x7f00aa in /opt/x/y.py"),
    ).toBe("runtimeerror: npu out of memory. tried to allocate <n> mib at <hex> in y.py");
    expect(signatureLines(["all good", "INFO step 3"])).toEqual([]);
  });

  it("returns up to 3 known cases with the verdict, the closest first", () => {
    const v = diagnoseText(
      "RuntimeError: NPU out of memory. Tried to allocate 130.00 MiB (NPU 0; 29.50 GiB total capacity; 28.45 GiB already allocated; 28.45 GiB current active; 31.40 MiB free; 28.67 GiB reserved in total by PyTorch)",
    );
    expect(v.knownCases!.length).toBeGreaterThan(0);
    expect(v.knownCases!.length).toBeLessThanOrEqual(3);
    expect(v.knownCases![0]!.category).toBe("npu_oom");
    const sims = v.knownCases!.map((c) => c.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(v.findings[0]!.knownCases).toEqual(v.knownCases);
  });

  it("lets the nearest case decide when no rule is confident", () => {
    const v = diagnoseText(
      "RuntimeError: Ascend kernel runtime initialization failed. The details refer to 'Ascend Error Message'.",
    );
    expect(v.findings[0]).toMatchObject({ rule: "known-case", category: "npu_oom" });
    expect(v.findings[0]!.references[0]).toMatch(/^https:\/\/github\.com\//);
  });

  it("answers unknown with the earliest error-like line of each rank when nothing is close", () => {
    const log = [
      "[rank0]: step 1 ok",
      "[rank1]: ValueError: quux frobnicated the zorblax",
      "[rank0]: KeyboardInterrupt ignored",
      "[rank0]: TypeError: glorp cannot wibble a plinth",
      "[rank1]: TypeError: another glorp plinth wibble",
      "[rank0]: RuntimeError: late glorp",
    ].join("\n");
    const v = diagnoseText(log);
    expect(v.findings[0]!.category).toBe("unknown");
    const lines = v.findings[0]!.evidence.map((e) => e.line);
    expect(lines).toContain(2);
    expect(lines).toContain(4);
  });

  it("prints the nearest case's URL under the verdict, and what resolved it there", () => {
    const text = diagnoseError.summarize!({
      summary: "npu_oom (0.92): NPU out of memory at line 1",
      findings: [],
      stats: { files: 1, bytes: 1, lines: 1, skippedBytes: 0 },
      applyWith: { host: "local", logFile: "train.log" },
      codes: [{ code: "EL0004", component: "Driver", meaning: "memory", line: 1 }],
      knownCases: [
        {
          url: "https://github.com/o/r/issues/1",
          title: "t",
          resolution: "Lower the micro batch size.",
          category: "npu_oom",
          similarity: 0.8,
        },
      ],
      notes: [],
    });
    expect(text.split("\n")[1]).toBe("nearest known case (0.80): https://github.com/o/r/issues/1");
    expect(text.split("\n")[2]).toBe("   resolved there: Lower the micro batch size.");
    expect(text).toContain("code EL0004 (line 1): Driver: memory");
  });
});

describe("categories recognised in other stacks' words", () => {
  const cases: [string, string][] = [
    [
      "dtype_unsupported",
      "ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla V100 GPU has compute capability 7.0.",
    ],
    [
      "dtype_unsupported",
      "RuntimeError: Current CUDA Device does not support bfloat16. Please switch dtype to float16.",
    ],
    ["device_busy", "RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable"],
    ["device_p2p_driver_error", "RuntimeError: CUDA error: peer access is not supported between these two devices"],
    [
      "device_p2p_driver_error",
      "Expected all tensors to be on the same device, but found at least two devices, npu:3 and npu:0! (when checking argument for argument src)",
    ],
    ["nan_loss", "2024-01-01 10:00:00 - mmdet - INFO - Epoch [1][50/500] lr: 1.0e-04, loss: 3.1416, grad_norm: nan"],
    ["nan_loss", "Training: Speed 2000.0 samples/sec   Loss nan   LearningRate 0.001000   Epoch: 0"],
    ["host_oom", "Process finished with exit code 137 (interrupted by signal 9:SIGKILL)"],
    ["megatron_version_mismatch", "ImportError: Megatron is not installed. please build it from source."],
    [
      "npu_oom",
      "[STREAM_CHECK_MESSAGE]  Expected ret == 0 to be true, but got false. Alloc Device Memory Failed! Program Terminated.",
    ],
    [
      "nfs_cache_hang",
      "FileNotFoundError: [Errno 2] No such file or directory: '/shared/data/index-cache/0123abcd_doc_idx.npy'",
    ],
  ];
  for (const [category, line] of cases) {
    it(`reads ${category} from: ${line.slice(0, 60)}`, () => {
      const top = diagnoseText(line).findings[0]!;
      expect(top.category).toBe(category);
      expect(top.rule).not.toBe("unknown");
      // Decided by a rule, not borrowed from a similar public case.
      expect(top.cause).not.toMatch(/^The error lines resemble a public report/);
    });
  }

  it("does not call a CPU/NPU device mix, or the same NPU twice, a cross-device copy", () => {
    for (const line of [
      "Expected all tensors to be on the same device, but found at least two devices, npu:0 and cpu!",
      "Expected all tensors to be on the same device, but found at least two devices, npu:2 and npu:2!",
    ]) {
      // No rule calls it one; the words of the public reports may hedge it, never as a verdict.
      const ruled = diagnoseText(line).findings.filter((f) => !noRuleFinding(f));
      expect(ruled.map((f) => f.category)).not.toContain("device_p2p_driver_error");
      expect(diagnoseText(line).findings[0]!.confidence).toBeLessThan(0.5);
    }
  });

  it("needs a NaN metric twice before a metric dump counts as diverged", () => {
    const once = diagnoseText("actor/kl:nan").findings;
    expect(once.filter((f) => !noRuleFinding(f)).map((f) => f.category)).not.toContain("nan_loss");
    expect(once[0]!.confidence).toBeLessThan(0.5);
    expect(diagnoseText("actor/kl:nan\nrollout/log_ppl:nan").findings[0]!.category).toBe("nan_loss");
  });
});

describe("public corpus", () => {
  const items = loadCorpus();

  it("holds at least 200 labelled logs split by source repository", () => {
    expect(items.length).toBeGreaterThanOrEqual(200);
    for (const i of items) {
      expect(CATEGORIES).toContain(i.label);
      expect(i.split).toBe(splitOf(i.repo));
    }
    const holdout = items.filter((i) => i.split === "holdout");
    expect(holdout.length / items.length).toBeGreaterThan(0.2);
    expect(holdout.length / items.length).toBeLessThan(0.4);
    const repos = (s: string) => new Set(items.filter((i) => i.split === s).map((i) => i.repo.toLowerCase()));
    for (const r of repos("holdout")) expect(repos("tune").has(r)).toBe(false);
  });

  it("gives every log a unique id, its public source URL, a title, a resolution and log text", () => {
    expect(items.length).toBeGreaterThanOrEqual(300);
    const ids = new Set<string>();
    for (const i of items) {
      expect(ids.has(i.id), `duplicate id ${i.id}`).toBe(false);
      ids.add(i.id);
      expect(i.id).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
      expect(i.source, i.id).toMatch(/^https:\/\/\S+$/);
      if (i.source.startsWith("https://github.com/")) {
        expect(i.source.toLowerCase(), i.id).toContain(`github.com/${i.repo.toLowerCase()}/`);
      }
      expect(i.repo, i.id).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(i.title.trim().length, i.id).toBeGreaterThan(0);
      expect(i.resolution.trim().length, i.id).toBeGreaterThan(0);
      expect(i.log.trim().length, i.id).toBeGreaterThan(0);
    }
  });

  it("has no two items from the same thread with the same log", () => {
    const seen = new Set<string>();
    for (const i of items) {
      const key = `${i.source}\n${i.log}`;
      expect(seen.has(key), i.id).toBe(false);
      seen.add(key);
    }
  });

  it("rules name no corpus case", () => {
    const rules = ["rules-device.ts", "rules-env.ts", "rules-train.ts", "precedence.ts", "stack-frames.ts"]
      .map((f) => readFileSync(join(ROOT, "src", "knowledge", f), "utf8"))
      .join("\n");
    for (const i of items) expect(rules.includes(`"${i.id}"`), i.id).toBe(false);
  });
});
