// The terminal's view of tail-logs: the last lines cut to the terminal's width on a terminal, every line whole when the
// output goes to a pipe or a file (a script grepping the log must see the whole line), and whole when --lines asks.
import { describe, expect, it } from "vitest";
import { TERMINAL_LOG_LINES, terminalView } from "../../src/cli/views.js";
import tailLogs from "../../src/tools/tail-logs.js";

const longLines = Array.from({ length: 50 }, (_, i) => `iteration ${i + 1}/50 | lm loss: 1.2345 | ${"x".repeat(200)}`);
const result = { state: "running", lines: longLines };

describe("tail-logs in the terminal", () => {
  it("show the last lines cut to the terminal's width on a terminal", () => {
    const view = terminalView(tailLogs, result, {}, 80);
    const [note, ...lines] = view.lines as string[];
    expect(note).toBe("[the last 10 of 50 lines, cut to 80 columns: --lines 50 or a pipe shows them whole]");
    expect(lines).toHaveLength(TERMINAL_LOG_LINES);
    expect(lines.at(-1)).toMatch(/^iteration 50\/50/);
    for (const l of lines) {
      expect(l.length).toBe(80);
      expect(l.endsWith("…")).toBe(true);
    }
  });

  it("say nothing of a view that left nothing out", () => {
    const short = { state: "running", lines: ["iteration 1/50 | lm loss: 1.2", "iteration 2/50 | lm loss: 1.1"] };
    expect(terminalView(tailLogs, short, {}, 80)).toEqual(short);
  });

  it("show every line whole when the output is not a terminal, or when --lines asks", () => {
    expect(terminalView(tailLogs, result, {}, undefined)).toEqual(result);
    expect(terminalView(tailLogs, result, { lines: 50 }, 80)).toEqual(result);
  });
});
