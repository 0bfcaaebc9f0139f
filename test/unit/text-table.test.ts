// Summaries that are tables line up: one helper pads each column to its widest cell, and plan-finetune's steps and
// list-runs' runs use it (and list-hosts, audit-log and build-configs' files), so a tenth step or a longer state, host or iteration count no longer shifts a column.
import { describe, expect, it } from "vitest";
import { alignColumns } from "../../src/text/table.js";
import auditLog from "../../src/tools/audit-log.js";
import buildConfigs from "../../src/tools/build-configs.js";
import listHosts from "../../src/tools/list-hosts.js";
import listRuns from "../../src/tools/list-runs.js";
import planFinetune from "../../src/tools/plan-finetune.js";

type PlanResult = Parameters<typeof planFinetune.summarize>[0];
type HostsResult = Parameters<typeof listHosts.summarize>[0];
type AuditResult = Parameters<typeof auditLog.summarize>[0];
type BuildResult = Parameters<typeof buildConfigs.summarize>[0];
type RunsResult = Parameters<typeof listRuns.summarize>[0];
type Run = RunsResult["runs"][number];

/** Where `text` starts on each line (every line must hold it). */
const columnOf = (lines: string[], texts: string[]) =>
  lines.map((line, i) => {
    const at = line.indexOf(texts[i]!);
    expect(at, `"${texts[i]}" in "${line}"`).toBeGreaterThan(-1);
    return at;
  });

describe("alignColumns", () => {
  it("pads every column to its widest cell, two spaces apart, the last one ragged", () => {
    expect(
      alignColumns([
        ["a", "bbb", "last"],
        ["cccc", "d", "x"],
      ]),
    ).toEqual(["a     bbb  last", "cccc  d    x"]);
  });

  it("right-aligns the columns asked for, leaves out columns empty in every row and trims what a row lacks", () => {
    expect(
      alignColumns(
        [
          ["9.", "", "nine", ""],
          ["10.", "", "ten", "more"],
        ],
        ["right"],
      ),
    ).toEqual([" 9.  nine", "10.  ten   more"]);
  });

  it("counts a character outside the BMP as one column", () => {
    expect(
      alignColumns([
        ["𝑥…", "x"],
        ["abc", "y"],
      ]),
    ).toEqual(["𝑥…   x", "abc  y"]);
  });
});

describe("table summaries line up", () => {
  it("plan-finetune: the status and the detail start in one column past step 9 and for the longest tool name", () => {
    const tools = [
      "check_env",
      "install_stack",
      "prepare_dataset",
      "validate_dataset",
      "convert_weights",
      "build_configs",
      "launch_train",
      "tail_logs",
      "export_model",
      "run_inference",
      "evaluate_model",
    ];
    const steps = tools.map((tool, i) => ({
      tool,
      status: (["done", "skip", "todo", "blocked", "later", "unknown"] as const)[i % 6]!,
      detail: `detail of ${tool}`,
      args: {},
      available: true,
    }));
    const result = {
      model: "qwen2.5vl-3b",
      release: "v26.1.0",
      host: "sim",
      next: null,
      steps,
      memory: null,
    } as unknown as PlanResult;
    const lines = planFinetune
      .summarize(result)
      .split("\n")
      .slice(1, 1 + tools.length);
    expect(new Set(columnOf(lines, tools)).size).toBe(1);
    expect(
      new Set(
        columnOf(
          lines,
          steps.map((s) => `${s.status} `),
        ),
      ).size,
    ).toBe(1);
    expect(
      new Set(
        columnOf(
          lines,
          steps.map((s) => s.detail),
        ),
      ).size,
    ).toBe(1);
    expect(lines[0]).toMatch(/^ 1\. /);
    expect(lines[10]).toMatch(/^11\. /);
  });

  it("list-runs: state, host, iteration, loss, ETA and reason each start in one column", () => {
    const run = (over: Partial<Run>): Run => ({
      runId: "run-20261206-000006-aa43",
      state: "finished",
      reason: "normal end",
      hosts: ["sim"],
      createdAt: "2026-12-06T00:00:06Z",
      script: "/w/finetune.sh",
      logFile: null,
      saveDir: null,
      iteration: 75,
      totalIterations: 75,
      loss: 0.8322,
      etaSeconds: null,
      nodes: [],
      resumedFrom: null,
      launchedFrom: "/w/finetune.sh",
      scheduler: [],
      scores: [],
      ...over,
    });
    const runs = [
      run({
        runId: "run-20261206-001241-7738",
        state: "running",
        hosts: ["a2-node1", "a2-node2"],
        iteration: 9,
        totalIterations: 10000,
        loss: 1.234,
        etaSeconds: 5400,
        reason: "iteration 9 of 10000",
      }),
      run({ state: "stopped", reason: "stopped by stop_run", loss: null, etaSeconds: null, iteration: null }),
      run({
        state: "finished",
        reason: "normal end",
        scores: [{ benchmark: "ai2d_test", metric: "acc", score: 0.5, iteration: "75" }],
      }),
    ];
    const lines = listRuns.summarize({ runs, unreachable: [], brokenRecords: [], activeOnly: false }).split("\n");
    expect(lines).toHaveLength(3);
    expect(
      new Set(
        columnOf(
          lines,
          runs.map((r) => r.state),
        ),
      ).size,
    ).toBe(1);
    expect(
      new Set(
        columnOf(
          lines,
          runs.map((r) => ` ${r.hosts.join(",")} `),
        ),
      ).size,
    ).toBe(1);
    expect(
      new Set(
        columnOf(
          lines,
          runs.map((r) => r.reason),
        ),
      ).size,
    ).toBe(1);
    const withLoss = lines.filter((l) => l.includes("loss "));
    expect(new Set(withLoss.map((l) => l.indexOf("loss "))).size).toBe(1);
    expect(new Set(withLoss.map((l) => l.indexOf("iter "))).size).toBe(1);
    expect(lines[0]).toContain("ETA 1 h 30 min");
    expect(lines[2]).toMatch(/normal end {2}ai2d_test 0\.5$/);
  });

  it("list-hosts: where a host is reached and whether it answers start in one column past a long host name", () => {
    const host = (name: string, over: Partial<HostsResult["hosts"][number]> = {}) => ({
      name,
      reachedVia: "local",
      description: null,
      answers: true,
      roundTripMs: 12.5,
      error: null,
      workdir: null,
      npusPerNode: 8,
      accelerator: "ascend" as const,
      ...over,
    });
    const hosts = [
      host("local"),
      host("a-very-long-cuda-sim-host-name", { accelerator: "cuda", description: "Simulated CUDA host" }),
      host("a2-node1", { reachedVia: "ascend@a2-node1.cluster.example.org:2222", answers: false, error: "timed out" }),
    ];
    const lines = listHosts.summarize({ inventoryFile: "/w/ascend-train.yaml", hosts }).split("\n").slice(1);
    expect(lines).toHaveLength(3);
    expect(new Set(columnOf(lines, [" local ", " local ", " ascend@"])).size).toBe(1);
    expect(new Set(columnOf(lines, ["ok 12.5 ms", "[cuda]", "no answer: timed out"])).size).toBe(2);
    expect(lines[1]).toMatch(/\[cuda\] {2}ok 12\.5 ms \(Simulated CUDA host\)$/);
    expect(lines[0]!.indexOf("ok 12.5 ms")).toBe(lines[2]!.indexOf("no answer"));
  });

  it("audit-log: host, tool, exit code, duration and command each line up past a long host or tool name", () => {
    const entry = (host: string, tool: string | null, durationMs: number, command: string) => ({
      time: "2026-12-06T02:48:25.908Z",
      user: "me",
      host,
      tool,
      op: "run",
      command,
      exitCode: 0,
      durationMs,
      bytesOut: 0,
    });
    const entries = [
      entry("local", "list_hosts", 47, "true"),
      entry("a-very-long-cuda-sim-host-name", "export_scheduler_job", 12345, "sbatch job.sh\nsecond line"),
      entry("sim", null, 5, "set +e"),
    ];
    const lines = auditLog.summarize({ file: "/w/audit.jsonl", entries } as AuditResult).split("\n");
    expect(lines).toHaveLength(3);
    for (const column of [
      [" local ", " a-very-long", " sim "],
      [" list_hosts", " export_scheduler_job", " - "],
      ["exit=0", "exit=0", "exit=0"],
      ["true", "sbatch job.sh", "set +e"],
    ])
      expect(new Set(columnOf(lines, column)).size).toBe(1);
    // Durations right-aligned: they end in one column.
    expect(new Set(lines.map((l) => l.indexOf("ms ") + 2)).size).toBe(1);
    expect(lines[1]).not.toContain("second line");
  });

  it("build-configs: each file's path and status start in one column whatever the role's length", () => {
    const files = [
      { role: "data-config", path: "/w/configs/m/data_3b.json", status: "written" },
      { role: "model-config", path: "/w/configs/m/model_3b.json", status: "unchanged" },
      { role: "a-role-longer-than-thirteen", path: "/w/configs/m/finetune.sh", status: "written" },
    ];
    const result = {
      model: "qwen2.5vl-3b",
      release: "v26.1.0",
      written: true,
      outputDir: "/w/configs/m",
      diffs: [],
      files,
      parameters: {
        backend: "megatron",
        tp: 1,
        pp: 1,
        cp: 1,
        dp: 8,
        nodes: 1,
        npusPerNode: 8,
        globalBatchSize: 8,
        microBatchSize: 1,
        gradAccSteps: 1,
      },
      virtualPipeline: null,
      layerSplit: { llm: null },
      missingPaths: [],
      memory: null,
      warnings: [],
    } as unknown as BuildResult;
    const lines = buildConfigs.summarize(result).split("\n").slice(-3);
    expect(
      new Set(
        columnOf(
          lines,
          files.map((f) => f.path),
        ),
      ).size,
    ).toBe(1);
    expect(
      new Set(
        columnOf(
          lines,
          files.map((f) => `(${f.status})`),
        ),
      ).size,
    ).toBe(1);
  });
});
