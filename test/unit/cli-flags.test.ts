import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { flagSpecs, optionsToInput, POSITIONAL } from "../../src/cli/flags.js";
import { argsInTerminalWords } from "../../src/cli/help-words.js";
import { commandToType, inTerminalWords, renderCliHint } from "../../src/cli/hints.js";
import { progressPrinter } from "../../src/cli/progress.js";
import { argsHint, callHint, renderHints, renderMcpHint } from "../../src/text/hint.js";
import { allTools } from "../../src/tools/index.js";

describe("flags derived from each tool's JSON Schema", () => {
  it("every flag of every tool has a description", () => {
    const undescribed = allTools.flatMap((t) =>
      flagSpecs(t.input)
        .filter((s) => s.description.trim() === "")
        .map((s) => `${t.name}.${s.field}`),
    );
    expect(undescribed).toEqual([]);
  });

  it("a positional argument names a real field of its tool", () => {
    for (const [name, p] of Object.entries(POSITIONAL)) {
      const tool = allTools.find((t) => t.name === name);
      expect(tool, name).toBeDefined();
      expect(flagSpecs(tool!.input).map((s) => s.field)).toContain(p.field);
    }
  });

  it("reads types, defaults and required fields from the schema", () => {
    const build = flagSpecs(allTools.find((t) => t.name === "build_configs")!.input);
    const by = (f: string) => build.find((s) => s.field === f)!;
    expect(by("model")).toMatchObject({ type: "string", required: true, example: "qwen2.5vl-3b" });
    expect(by("overwrite")).toMatchObject({ type: "boolean", required: false, defaultValue: false });
    expect(by("tp")).toMatchObject({ type: "number", required: false });
    expect(by("llmLayerSplit")).toMatchObject({ type: "array", numericItems: true });
    expect(optionsToInput(build, { llmLayerSplit: ["12,12", "12"], tp: "2" })).toEqual({
      llmLayerSplit: [12, 12, 12],
      tp: 2,
    });
  });
});

describe("hints speak the door's language", () => {
  const text = `Call again with ${argsHint({ confirm: true })}; follow it with ${callHint("tail_logs", { runId: "run-20261127-120000-ab12", followSeconds: 60 })}.`;

  it("over MCP and in chat: argument names", () => {
    expect(renderHints(text, renderMcpHint)).toBe(
      'Call again with confirm: true; follow it with tail_logs {runId: "run-20261127-120000-ab12", followSeconds: 60}.',
    );
  });

  it("in the terminal: flags and a command to type, the primary argument positional", () => {
    // The command a shell of this machine finds: `npx ascend-train` under npm or with nothing on PATH.
    const cmd = commandToType(process.env);
    expect(renderHints(text, renderCliHint)).toBe(
      `Call again with --confirm; follow it with ${cmd} tail-logs run-20261127-120000-ab12 --follow-seconds 60.`,
    );
    expect(renderHints(argsHint({ overwrite: true }), renderCliHint)).toBe("--overwrite");
    expect(renderHints(callHint("list_runs"), renderCliHint)).toBe(`${cmd} list-runs`);
    expect(renderHints(callHint("list_runs"), renderMcpHint)).toBe("list_runs");
  });

  it("a command printed for later is one a shell finds: npx unless ascend-train is on PATH", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const empty = mkdtempSync(join(tmpdir(), "no-bin-"));
    const withBin = mkdtempSync(join(tmpdir(), "bin-"));
    writeFileSync(join(withBin, "ascend-train"), "#!/bin/sh\n");
    // `npm run demo` (npm_command=run-script) and `node bin/ascend-train.js` in a checkout: nothing on PATH.
    expect(commandToType({ PATH: empty, npm_command: "run-script" })).toBe("npx ascend-train");
    expect(commandToType({ PATH: empty })).toBe("npx ascend-train");
    expect(commandToType({ PATH: withBin })).toBe("ascend-train");
  });

  it("renders hints inside structured results too", () => {
    expect(renderHints({ next: [argsHint({ confirm: true })], n: 1 }, renderCliHint)).toEqual({
      next: ["--confirm"],
      n: 1,
    });
  });

  it("no tool summary or message still spells out an MCP argument for people", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const offenders = readdirSync("src/tools")
      .filter((f) => f.endsWith(".ts") && f !== "hint.ts")
      .filter((f) => {
        const body = readFileSync(`src/tools/${f}`, "utf8").replace(/description:[\s\S]*?\n {2}toolset:/, "");
        return /(again with|pass|Call again with) (confirm|overwrite): true|tail_logs \{runId/.test(body);
      });
    expect(offenders).toEqual([]);
  });
});

describe("progress without a terminal", () => {
  /** The lines a printer writes for 65 updates, `step` ms apart, of a 64 MiB scan. */
  function linesOf(step: number): string[] {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = "";
    (stream as unknown as PassThrough).on("data", (d: Buffer) => {
      out += d.toString();
    });
    let clock = 0;
    const printer = progressPrinter(stream, { now: () => clock, intervalMs: 5_000, delayMs: 2_000 });
    for (let i = 0; i <= 64; i++) {
      clock = i * step;
      printer.update({ progress: i * 1024 * 1024, total: 64 * 1024 * 1024, unit: "bytes", message: "scanning" });
    }
    printer.done();
    return out.split("\n").filter((l) => l !== "");
  }

  it("writes its first line once the work has lasted a moment, then one every few seconds at most", () => {
    const lines = linesOf(200); // 64 updates in 12.8 s: lines at 2 s, 7 s and 12 s
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^progress: 15% 10 MiB\/64 MiB ETA \d+ s scanning$/);
    expect(lines[2]).toMatch(/^progress: 93% 60 MiB\/64 MiB ETA \d+ s scanning$/);
  });

  it("writes nothing for work that ends within the delay", () => {
    expect(linesOf(25)).toEqual([]); // 1.6 s
  });

  it("reckons the time left from the progress made since it began, not from zero (following a run joins it midway)", () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let out = "";
    (stream as unknown as PassThrough).on("data", (d: Buffer) => {
      out += d.toString();
    });
    let clock = 0;
    const printer = progressPrinter(stream, { now: () => clock, intervalMs: 5_000, delayMs: 2_000 });
    // Joined at iteration 21 of 75, one iteration every 0.5 s: at iteration 41, 34 left take 17 s.
    for (let it = 21; it <= 41; it++) {
      clock = (it - 21) * 500;
      printer.update({ progress: it, total: 75, message: "following" });
    }
    printer.done();
    const last = out.trim().split("\n").at(-1)!;
    expect(last).toMatch(/^progress: \d+% \d+\/75 ETA (\d+) s following$/);
    const [, it, secs] = /(\d+)\/75 ETA (\d+) s/.exec(last)!;
    expect(Number(secs)).toBe((75 - Number(it)) / 2);
  });
});

const SPECS = new Map(allTools.map((t) => [t.name, flagSpecs(t.input)]));
/** A message of `toolName` as its command prints it. */
const message = (toolName: string, text: string) =>
  argsInTerminalWords(
    text,
    SPECS.get(toolName)!,
    allTools.map((t) => t.name),
    (name) => SPECS.get(name),
  );

describe("tool descriptions and messages in the terminal", () => {
  it("name tools as commands and confirm as a flag", () => {
    expect(inTerminalWords("see list_runs, then call again with confirm: true", ["list_runs"])).toBe(
      "see list-runs, then call again with --confirm",
    );
    expect(inTerminalWords("a list_runs_total field", ["list_runs"])).toBe("a list_runs_total field");
  });

  it("an error that starts with the field it is about names the flag; a field with a colon elsewhere stays", () => {
    expect(message("build_configs", 'saveDir: "a b" holds whitespace')).toBe('--save-dir: "a b" holds whitespace');
    expect(message("build_configs", '{saveDir: "x"} as JSON')).toBe('{saveDir: "x"} as JSON');
  });

  it("name arguments as flags, the positional one by its place, and leave plain words alone", () => {
    expect(message("launch_train", "Pass another masterPort, or stop what listens there.")).toBe(
      "Pass another --master-port, or stop what listens there.",
    );
    expect(message("resume_run", "Pass allowFreshOptimizer: true to resume_run.")).toBe(
      "Pass --allow-fresh-optimizer to resume-run.",
    );
    expect(message("launch_train", "follow it with tail_logs {runId} and list it")).toBe(
      "follow it with tail-logs RUN_ID and list it",
    );
    expect(message("tail_logs", "Give runId or logFile, not both.")).toBe("Give --run-id or --log-file, not both.");
    // Plain words, other names that merely contain a field, and structured keys stay as written.
    expect(message("launch_train", "the host and its masterPorts; cfg.masterPort; masterPort: 6000")).toBe(
      "the host and its masterPorts; cfg.masterPort; masterPort: 6000",
    );
  });

  it("a message names only its own command's arguments as flags: keys, log lines and other tools' names stay", () => {
    // diagnose-error echoes log lines and the --config it was given; microBatchSize is a key there, not a flag.
    expect(message("diagnose_error", 'line 1: {"microBatchSize": 4, "runId": "r"} hfDir=/y; give runId')).toBe(
      'line 1: {"microBatchSize": 4, "runId": "r"} hfDir=/y; give --run-id',
    );
    expect(message("build_configs", 'the recipe sets {"microBatchSize": 4}; pass microBatchSize 2')).toBe(
      'the recipe sets {"microBatchSize": 4}; pass --micro-batch-size 2',
    );
    expect(message("apply_fix", "edit: model.json: 'microBatchSize' 4 → 2 (cfg.microBatchSize) for runId")).toBe(
      "edit: model.json: 'microBatchSize' 4 → 2 (cfg.microBatchSize) for --run-id",
    );
    // Another tool's argument is that tool's word: check-env's inventory key npusPerNode is not one of its flags.
    expect(message("check_env", "or npusPerNode in the inventory is too high; see `timeoutMs`")).toBe(
      "or npusPerNode in the inventory is too high; see --timeout-ms",
    );
    expect(message("tail_logs", `--series '{"maxPoints": 200}' with followSeconds`)).toBe(
      `--series '{"maxPoints": 200}' with --follow-seconds`,
    );
  });

  it("another command's arguments right after its name are its flags, as the command would be typed", () => {
    expect(message("install_stack", "to train, check_env (clean), build_configs with trainer trl and peft qlora")).toBe(
      "to train, check-env (clean), build-configs --trainer trl --peft qlora",
    );
    expect(message("run_inference", "or resplit the checkpoint with convert_weights method resplit.")).toBe(
      "or resplit the checkpoint with convert-weights --method resplit.",
    );
    expect(message("check_env", "build the script without bf16 (build_configs with trainer trl and bf16: false)")).toBe(
      "build the script without bf16 (build-configs --trainer trl --no-bf16)",
    );
    expect(message("export_model", "(build_configs without vpp), or export_model with format gguf")).toBe(
      "(build-configs without --vpp), or export-model --format gguf",
    );
    // Only the clause after the name: plain words stay, and so does what follows a comma or a period.
    expect(message("find_model", "then build_configs with the recommended release. Pass format gguf")).toBe(
      "then build-configs with the recommended release. Pass format gguf",
    );
    expect(message("launch_train", "with tail_logs {runId}, then build_configs, trainer trl")).toBe(
      "with tail-logs RUN_ID, then build-configs, trainer trl",
    );
  });
});
