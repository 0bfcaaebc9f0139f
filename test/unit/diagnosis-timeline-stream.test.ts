// The per-rank timeline reads only the lines that can be error-like (and the lines of an open error): it must still
// give each rank's first error with the line number, time and consequence flag that reading every line gives.
import { describe, expect, it } from "vitest";
import { RankTimeline } from "../../src/diagnosis/root-rank.js";

function stamp(i: number): string {
  return `[2026-04-28 10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")},000]`;
}

/** 6000 lines of progress, a timestamp every 50 lines, errors of three kinds late in the log. */
function bigLog(): { text: string; lines: string[] } {
  const lines: string[] = [];
  for (let i = 1; i <= 6000; i++) {
    if (i === 5001) lines.push("[rank3]: RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB");
    else if (i === 5300)
      lines.push("[rank1]: EI0006: [PID: 7] Getting socket times out. Reason: Remote Rank did not send");
    else if (i === 5400)
      lines.push("[rank2]: [E508 03:20:31.678 ProcessGroupHCCL.cpp:1693] [Rank 2] watchdog exception");
    else if (i % 50 === 0) lines.push(`${stamp(i)} [INFO] step ${i} loss 1.23 (café, 损失)`);
    else lines.push(`[rank${i % 4}]: iteration ${i} | consumed samples: ${i * 64} | grad norm: 3.4`);
  }
  return { text: `${lines.join("\n")}\n`, lines };
}

function run(text: string, chunk: number) {
  const t = new RankTimeline({ file: "train.log" });
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunk) t.push(bytes.subarray(at, at + chunk));
  return t.end();
}

describe("rank timeline over a large log", () => {
  const { text } = bigLog();

  it("finds each rank's first error with its line number and the last timestamp before it", () => {
    const errors = run(text, 1 << 20);
    const byRank = Object.fromEntries(errors.map((e) => [e.rank, e]));
    expect(Object.keys(byRank).sort()).toEqual(["rank1", "rank2", "rank3"]);
    expect(byRank.rank3!.line).toBe(5001);
    // No timestamp on the error or its own lines: the one of line 5000, read back from the error.
    expect(byRank.rank3!.time).toBe(Date.UTC(2026, 3, 28, 10, 23, 20));
    expect(byRank.rank3!.consequence).toBe(false);
    expect(byRank.rank1!.line).toBe(5300);
    expect(byRank.rank1!.consequence).toBe(true);
    expect(byRank.rank2!.line).toBe(5400);
  });

  it("gives the same answer however the bytes are cut, multi-byte characters included", () => {
    const whole = JSON.stringify(run(text, 1 << 30));
    for (const chunk of [1, 3, 7, 4096, 65_537]) expect(JSON.stringify(run(text, chunk))).toBe(whole);
  });

  it("counts lines and keeps the last time across chunks that hold no error", () => {
    const tail = "[rank0]: ValueError: bad batch\n";
    const errors = run(`${text}${tail}`, 10_000);
    const rank0 = errors.find((e) => e.rank === "rank0")!;
    expect(rank0.line).toBe(6001);
    expect(rank0.time).toBe(Date.UTC(2026, 3, 28, 10, 40, 0));
  });
});
