// A reader that stops early closes the pipe: `ascend-train --help | head -1` is not an error of the CLI.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/mcp.js";

describe("the CLI in a pipeline", () => {
  it("exits 0 and prints nothing on stderr when the reader closes the pipe early", () => {
    const r = spawnSync(
      "bash",
      ["-c", `"${process.execPath}" "${CLI}" --help | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(r.stdout.trim()).toBe("0");
    expect(r.stderr).not.toMatch(/EPIPE/);
  });
});
