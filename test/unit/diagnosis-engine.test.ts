import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { defaultCompiled } from "../../src/diagnosis/compile.js";
import {
  diagnoseHostFiles,
  diagnoseLocalFiles,
  diagnoseStream,
  diagnoseText,
  LogScanner,
  readPlan,
} from "../../src/diagnosis/index.js";
import { LiteralScanner, minimalLiterals } from "../../src/diagnosis/literal-scan.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";
import { buildVerdict, noRuleFinding } from "../../src/diagnosis/verdict.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "logs");
const fixture = (id: string) => readFileSync(join(FIXTURES, `${id}.log`), "utf8");
const dir = mkdtempSync(join(tmpdir(), "diagnosis-engine-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1-based number of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

const noise = (n: number, from = 1) =>
  Array.from(
    { length: n },
    (_, i) =>
      ` [2026-04-28 10:00:00] iteration ${String(from + i).padStart(8)}/    5000 | consumed samples: ${String((from + i) * 64).padStart(12)} | elapsed time per iteration (ms): 912.4 | learning rate: 1.000000E-05 | global batch size:    64 | loss: 1.2${i % 10}4321E+00 | loss scale: 1.0 | grad norm: 3.456 | number of skipped iterations:   0 | number of nan iterations:   0 |`,
  ).join("\n");

describe("ranking", () => {
  it("puts rank 0's OOM before the HCCL timeout it caused on rank 3, with exact evidence lines", () => {
    const text = fixture("npu-oom");
    const v = diagnoseText(text);
    expect(v.findings.map((f) => f.category)).toEqual(["npu_oom", "hccl_timeout"]);
    const [oom, timeout] = v.findings;
    expect(oom!.evidence[0]!.line).toBe(lineOf(text, "NPU out of memory"));
    expect(oom!.evidence[0]!.source).toBe("rank0");
    expect(oom!.facts).toMatchObject({ request: "2.31 GiB", total: "60.96 GiB", allocated: "57.12 GiB" });
    expect(timeout!.role).toBe("secondary");
    expect(timeout!.secondaryTo).toBe("npu-oom");
    expect(timeout!.confidence).toBeLessThan(oom!.confidence);
    expect(timeout!.evidence.map((e) => e.line)).toContain(lineOf(text, "Watchdog caught collective"));
    expect(v.summary).toMatch(/^npu_oom .* line \d+ \[rank0\]$/);
  });

  it("lets a timeout lead when no primary error exists", () => {
    const v = diagnoseText(fixture("hccl-timeout"));
    expect(v.findings[0]!.category).toBe("hccl_timeout");
    expect(v.findings[0]!.secondaryTo).toBeUndefined();
  });

  it("keeps the primary first even when the timeout is printed earlier in the file", () => {
    const text = [
      "[rank5]: EI0006: 2026-04-28-10:33:02.118.402 Getting socket times out. Reason: Remote Rank did not send the data in time.",
      noise(3),
      "[rank1]: RuntimeError: NPU out of memory. Tried to allocate 1.00 GiB (NPU 1; 60.96 GiB total capacity; 59.00 GiB already allocated)",
    ].join("\n");
    expect(diagnoseText(text).findings.map((f) => f.category)).toEqual(["npu_oom", "hccl_timeout"]);
  });

  it("orders per-rank files by the time of their errors, not by file order", async () => {
    const late = join(dir, "rank_1.log");
    const early = join(dir, "rank_0.log");
    writeFileSync(
      late,
      `${noise(5)}\n[ERROR] 2026-04-28-10:05:00 (PID:2, Device:1, RankID:1) ERR00100\nRuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 1; 60.96 GiB total capacity; 58.00 GiB already allocated)\n`,
    );
    writeFileSync(
      early,
      `${noise(2)}\n[ERROR] 2026-04-28-10:03:00 (PID:1, Device:0, RankID:0) ERR00100 PTA call acl api failed\nEZ9999: 2026-04-28-10:03:00.100.000 there is an aivec error exception, core id is 3\n`,
    );
    const v = await diagnoseLocalFiles([late, early]);
    expect(v.findings[0]!.category).toBe("aicore_error");
    expect(v.findings[0]!.evidence[0]).toMatchObject({ file: early, line: 4, source: "rank0" });
    expect(v.findings[1]!.category).toBe("npu_oom");
    expect(v.stats.files).toBe(2);
  });

  it("prefers the specific reading of an ambiguous code (EL0004 in SetDevice is a busy card, not an OOM)", () => {
    const busy =
      "RuntimeError: aclrtSetDevice(device_id_), error code is 507033\nEL0004: Failed to allocate memory.\n  open device 0 failed, runtime result = 507033";
    expect(diagnoseText(busy).findings[0]!.category).toBe("device_busy");
    const oom = `${noise(2)}\nEL0004: 2026-04-28-10:00:01 Failed to allocate memory.\n  Possible Cause: Available memory is insufficient.`;
    expect(diagnoseText(oom).findings[0]!.category).toBe("npu_oom");
  });

  it("reads /dev/shm near 'No space left on device' as shared memory, elsewhere as a full disk", () => {
    const shm =
      "RuntimeError: unable to allocate shared memory(shm) for file </torch_1_2>\nOSError: [Errno 28] No space left on device: '/dev/shm/torch_1_2'";
    expect(diagnoseText(shm).findings[0]!.category).toBe("shm_bus_error");
    const disk = "OSError: [Errno 28] No space left on device: '/data/save/iter_0000100/model.pt'";
    const v = diagnoseText(disk);
    expect(v.findings[0]!.category).toBe("disk_full");
    expect(v.findings[0]!.facts.path).toBe("/data/save/iter_0000100/model.pt");
  });

  it("needs repeated overflow lines before calling it a NaN/overflow problem", () => {
    const line = "Gradient overflow. Skipping step";
    // Two are the loss scaler at work: no rule calls it a NaN problem. What public reports of the kind read like may
    // still hedge it, below the line of a verdict.
    const two = diagnoseText(`${line}\n${line}`).findings[0]!;
    expect(["unknown", "case-text"]).toContain(two.rule);
    expect(two.confidence).toBeLessThan(0.5);
    const v = diagnoseText(`${line}\n${noise(2)}\n${line}\n${line}`);
    expect(v.findings[0]!.category).toBe("nan_loss");
    expect(v.findings[0]!.occurrences).toBe(1);
  });

  it("finds a near signal several lines before the match even across chunk boundaries", () => {
    const text = fixture("dataset-key-error");
    const scanner = new LogScanner();
    const buf = Buffer.from(text);
    const cut = text.indexOf("KeyError") - 5;
    scanner.push(buf.subarray(0, cut));
    scanner.push(buf.subarray(cut));
    const v = buildVerdict([scanner.end()]);
    expect(v.findings[0]!.category).toBe("dataset_key_error");
    expect(v.findings[0]!.confidence).toBeGreaterThan(0.8);
  });
});

describe("streaming", () => {
  it("gives the same verdict however the input is chunked", () => {
    const text = `${fixture("npu-oom")}${fixture("port-in-use")}`;
    const whole = diagnoseText(text);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const scanner = new LogScanner();
        const buf = Buffer.from(text);
        let at = 0;
        for (let i = 0; at < buf.length; i++) {
          const n = sizes[i % sizes.length]!;
          scanner.push(buf.subarray(at, at + n));
          at += n;
        }
        const v = buildVerdict([scanner.end()]);
        expect(v.findings.map((f) => [f.rule, f.evidence.map((e) => e.line)])).toEqual(
          whole.findings.map((f) => [f.rule, f.evidence.map((e) => e.line)]),
        );
        expect(v.stats.lines).toBe(whole.stats.lines);
      }),
      { numRuns: 60 },
    );
  });

  it("diagnoses a Node stream and counts lines and bytes", async () => {
    const text = `${noise(1000)}\n${fixture("disk-full")}`;
    const v = await diagnoseStream(Readable.from([Buffer.from(text)]));
    expect(v.findings[0]!.category).toBe("disk_full");
    expect(v.stats.bytes).toBe(Buffer.byteLength(text));
    expect(v.stats.lines).toBe(text.split("\n").length - 1);
    expect(v.findings[0]!.evidence[0]!.line).toBe(lineOf(text, "file write failed"));
  });

  it("handles CRLF logs and ANSI colours", () => {
    const text = "\x1b[31m[rank0]: RuntimeError: NPU out of memory. Tried to allocate 1.00 GiB\x1b[0m\r\nnext\r\n";
    const v = diagnoseText(text);
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.findings[0]!.evidence[0]!.text).toBe(
      "[rank0]: RuntimeError: NPU out of memory. Tried to allocate 1.00 GiB",
    );
  });

  it("reads files on a host in chunks through the executor", async () => {
    const host = new ScriptedExecutor();
    host.files.set("/runs/r1/train.log", `${noise(20)}\n${fixture("cann-env-not-sourced")}`);
    const v = await diagnoseHostFiles(host, ["/runs/r1/train.log"]);
    expect(v.findings[0]!.category).toBe("cann_env_not_sourced");
    expect(v.findings[0]!.evidence[0]!.file).toBe("/runs/r1/train.log");
  });
});

describe("bad input", () => {
  it("answers unknown for empty input", () => {
    const v = diagnoseText("");
    expect(v.findings).toHaveLength(1);
    expect(v.findings[0]).toMatchObject({ category: "unknown", confidence: 0, evidence: [] });
    expect(v.summary).toBe("unknown: the input is empty");
    expect(v.notes.join(" ")).toMatch(/empty/);
  });

  it("points an unknown verdict at a line whose only complaint is a lower-case error", () => {
    // Such a line is also what the known cases are compared on; without it the comparison had nothing to read.
    const log = "step 12 done\nworker 3: bus error while reading batch 7 from the queue\nstep 13 done";
    setKnownCaseFilter(() => false, { upstreamMessages: false });
    const v = diagnoseText(log);
    setKnownCaseFilter(undefined);
    expect(v.findings[0]!.category).toBe("unknown");
    expect(v.findings[0]!.evidence.map((e) => e.line)).toEqual([2]);
  });

  it("refuses binary data quickly with a clear note", () => {
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const scanner = new LogScanner();
    scanner.push(bytes);
    scanner.push(Buffer.from("RuntimeError: NPU out of memory.\n"));
    const v = buildVerdict([scanner.end()]);
    expect(v.findings[0]!.category).toBe("unknown");
    expect(v.notes.join(" ")).toMatch(/binary/);
  });

  it("still finds signatures among bytes that are not UTF-8", () => {
    const gbk = Buffer.from([0xd1, 0xb5, 0xc1, 0xb7, 0xca, 0xa7, 0xb0, 0xdc, 0x0a]);
    const v = buildVerdict([
      (() => {
        const s = new LogScanner();
        s.push(Buffer.concat([gbk, Buffer.from("OSError: [Errno 122] Disk quota exceeded\n"), gbk]));
        return s.end();
      })(),
    ]);
    expect(v.findings[0]!.category).toBe("disk_full");
    expect(v.findings[0]!.evidence[0]!.line).toBe(2);
  });

  it("marks a GPU log and still names device-independent causes", () => {
    const text = `${noise(3)}\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB\nNCCL error in: ProcessGroupNCCL.cpp:1970, unhandled cuda error`;
    const v = diagnoseText(text);
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.notes.join(" ")).toMatch(/GPU log/);
  });

  it("returns the most suspicious lines, and at most a hedged reading, when no rule matches", () => {
    const text = [
      noise(4),
      "[W compiler_depend.ts:51] Warning: CAUTION: The operator 'aten::isin.Tensor_Tensor_out' is not currently supported on the NPU backend and will fall back to run on the CPU.",
      "Traceback (most recent call last):",
      '  File "train.py", line 12, in <module>',
      "ZeroDivisionError: division by zero",
      "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:",
    ].join("\n");
    const v = diagnoseText(text);
    const [f, ...rest] = v.findings;
    // No rule read it: the lead is `unknown`, or what the public reports' whole texts read it as, said as "possibly".
    expect(noRuleFinding(f)).toBe(true);
    expect(f!.confidence).toBeLessThan(0.5);
    expect(v.summary).toMatch(/^(?:unknown|possibly )/);
    // What public cases share a line with it may follow as hints, never above the lead's confidence.
    for (const h of rest) {
      expect(noRuleFinding(h)).toBe(true);
      expect(h.confidence).toBeLessThanOrEqual(f!.confidence);
    }
    const lines = f!.evidence.map((e) => e.text);
    expect(lines).toContain("ZeroDivisionError: division by zero");
    expect(lines.some((l) => l.includes("CAUTION"))).toBe(false);
    expect(f!.evidence.find((e) => e.text.startsWith("ZeroDivisionError"))!.line).toBe(8);
  });

  it("reads only head and tail of a file larger than the budget, in bounded time", async () => {
    const big = join(dir, "huge.log");
    const body = `${noise(40_000)}\n`;
    writeFileSync(big, `${body}${body}[rank7]: RuntimeError: NPU out of memory. Tried to allocate 9.00 GiB\n`);
    const v = await diagnoseLocalFiles([big], { maxBytes: 2 * 1024 * 1024 });
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.stats.skippedBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(v.notes.join(" ")).toMatch(/read its first .* and last/);
    expect(readPlan(100, 1000).ranges).toEqual([{ start: 0, end: 100 }]);
    const plan = readPlan(10_000, 1000);
    expect(plan.ranges[0]!.start).toBe(0);
    expect(plan.ranges[1]!.end).toBe(10_000);
    expect(plan.ranges.reduce((n, r) => n + r.end - r.start, 0)).toBe(1000);
  });

  it("survives a single enormous line without newlines", () => {
    const s = new LogScanner();
    const chunk = Buffer.alloc(600_000, "x");
    for (let i = 0; i < 4; i++) s.push(chunk);
    s.push(Buffer.from(" RuntimeError: NPU out of memory. Tried to allocate 1 GiB\nok\n"));
    const v = buildVerdict([s.end()]);
    expect(v.findings[0]!.category).toBe("npu_oom");
    expect(v.findings[0]!.evidence[0]!.line).toBe(1);
    expect(v.findings[0]!.evidence[0]!.text.length).toBeLessThan(1000);
  });
});

describe("literal scanner", () => {
  it("finds every line holding a literal, as a naive search does (resuming at each line end)", () => {
    const alphabet = fc.constantFrom("a", "b", "E", "Z", "9", " ", "\n", ":");
    const word = fc
      .array(fc.constantFrom("a", "b", "E", "Z", "9", " ", ":"), { minLength: 3, maxLength: 6 })
      .map((a) => a.join(""));
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 1, maxLength: 8 }),
        fc.array(alphabet, { maxLength: 400 }),
        (lits, chars) => {
          const text = chars.join("");
          const buf = Buffer.from(text);
          const scanner = new LiteralScanner(lits);
          const found: number[] = [];
          scanner.scan(buf, 0, buf.length, (i, start) => {
            expect(text.startsWith(lits[i]!, start)).toBe(true);
            found.push(text.slice(0, start).split("\n").length - 1);
            const end = text.indexOf("\n", start);
            return end === -1 ? buf.length : end + 1;
          });
          const naive = text
            .split("\n")
            .map((line, n) => (lits.some((l) => line.includes(l)) ? n : -1))
            .filter((n) => n >= 0);
          expect(found).toEqual(naive);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finds the same lines with the minimal literals (none holding another) as with all of them", () => {
    const word = fc
      .array(fc.constantFrom("a", "b", "E", "9", " "), { minLength: 3, maxLength: 7 })
      .map((a) => a.join(""));
    const linesWith = (lits: string[], text: string) => {
      const scanner = new LiteralScanner(lits);
      const buf = Buffer.from(text);
      const found: number[] = [];
      scanner.scan(buf, 0, buf.length, (_i, start) => {
        found.push(text.slice(0, start).split("\n").length - 1);
        const end = text.indexOf("\n", start);
        return end === -1 ? buf.length : end + 1;
      });
      return found;
    };
    fc.assert(
      fc.property(
        fc.uniqueArray(word, { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom("a", "b", "E", "9", " ", "\n"), { maxLength: 400 }),
        (lits, chars) => {
          const minimal = minimalLiterals(lits);
          // None of the kept literals holds another, and every dropped one holds a kept one.
          for (const k of minimal) expect(minimal.filter((o) => o !== k && k.includes(o))).toEqual([]);
          for (const l of lits) expect(minimal.some((k) => l.includes(k))).toBe(true);
          const text = chars.join("");
          expect(linesWith(minimal, text)).toEqual(linesWith(lits, text));
        },
      ),
      { numRuns: 300 },
    );
    // The rule base's own anchors: many hold a shorter one (an error code with its colon, a message and its start).
    const anchors = defaultCompiled().anchors;
    expect(minimalLiterals(anchors).length).toBeLessThan(anchors.length);
  });
});
