// tail_logs' stallFactor says what the state decision does: a run is stalled after that many step times of silence,
// but never before the minimum wait (and a longer one while a checkpoint is saved), so a run of one-second steps is
// not called stalled after five seconds. --help says so in the terminal.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MIN_STALL_SECONDS } from "../../src/logs/state.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { CLI } from "../helpers/mcp.js";

describe("the stall threshold as tail_logs describes it", () => {
  it("names the minimum wait the state decision keeps to", () => {
    const described = (tailLogs.input.shape.stallFactor as { description?: string }).description ?? "";
    expect(described).toContain("never before 1 min of silence");
    expect(described).toContain("15 min while it saves a checkpoint");
    expect(MIN_STALL_SECONDS).toBe(60);
  });

  it("--help prints it", () => {
    const r = spawnSync(process.execPath, [CLI, "tail-logs", "--help"], {
      env: { ...process.env, ASCEND_TRAIN_FROM_SOURCE: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain("never before 1 min of silence");
  }, 60_000);
});
