// The rule base as ERE patterns (the benchmark's grep baseline): the conversion covers what the rules use and
// refuses what ERE cannot say instead of looping on it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { grepPatterns, toEre } from "../../src/diagnosis/grep.js";

describe("toEre", () => {
  it("turns groups, named groups and classes into ERE", () => {
    expect(toEre(String.raw`(?:foo|bar)\d+(?<n>\w)`)).toBe("(foo|bar)[0-9]+([[:alnum:]_])");
    expect(toEre(String.raw`a\.b[\d.]`)).toBe(String.raw`a\.b[0-9.]`);
  });

  it("refuses lookaheads and lookbehinds with the pattern named (it used to loop)", () => {
    for (const re of ["a(?!b)", "a(?=b)", "(?<=a)b", "(?<!a)b"]) {
      expect(() => toEre(re), re).toThrow(/no ERE form for the lookaround/);
    }
  });

  it("gives grep -E a pattern for every rule signal, each accepted by grep", () => {
    const patterns = grepPatterns();
    expect(patterns.length).toBeGreaterThan(100);
    const dir = mkdtempSync(join(tmpdir(), "ere-"));
    writeFileSync(join(dir, "p"), `${patterns.join("\n")}\n`);
    writeFileSync(join(dir, "log"), "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB\nnothing here\n");
    const out = execFileSync("grep", ["-E", "-f", join(dir, "p"), join(dir, "log")], { encoding: "utf8" });
    expect(out).toContain("NPU out of memory");
    expect(out).not.toContain("nothing here");
  });
});
