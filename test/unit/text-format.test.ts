import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration } from "../../src/text/format.js";

describe("formatDuration", () => {
  it("reads in whole units, the same way at every size", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45.4)).toBe("45 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(formatDuration(180)).toBe("3 min");
    expect(formatDuration(1210 * 60)).toBe("20 h 10 min");
    expect(formatDuration(20.247 * 3600)).toBe("20 h 15 min");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(76 * 3600)).toBe("3 d 4 h");
    expect(formatDuration(Number.NaN)).toBe("unknown");
  });

  it("never prints decimals or glued units", () => {
    for (const s of [59, 61, 599, 601, 3599, 3601, 7199, 86_399, 172_801, 10_000_000]) {
      expect(formatDuration(s)).toMatch(/^\d+ (s|min|h|d)( \d+ (s|min|h))?$/);
    }
  });
});

describe("formatBytes", () => {
  it("uses binary units with at most one decimal", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(23 * 1024 * 1024)).toBe("23 MiB");
    expect(formatBytes(4.2 * 1024 ** 3)).toBe("4.2 GiB");
  });
});
