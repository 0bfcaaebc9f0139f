// `ascend-train <tool> --help` names the flags the command takes (`--offset`, `--max-points` inside --series' JSON,
// "unless --overwrite"), while MCP clients keep reading the argument names the same descriptions were written with.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { advertisedTools, buildCatalog } from "../../src/catalog.js";
import { flagSpecs } from "../../src/cli/flags.js";
import { CLI_WORDING, helpInTerminalWords } from "../../src/cli/help-words.js";
import { addToolCommands } from "../../src/cli/program.js";
import { allTools } from "../../src/tools/index.js";

const program = new Command("ascend-train");
addToolCommands(program);

/** The tool's --help as a terminal 200 columns wide prints it, its lines joined (commander wraps at the width). */
function help(command: string): string {
  const cmd = program.commands.find((c) => c.name() === command);
  if (!cmd) throw new Error(`no command ${command}`);
  return cmd.helpInformation({ error: false }).replace(/\s*\n\s*/g, " ");
}

const TOOL_NAMES = allTools.map((t) => t.name);
const words = (toolName: string, text: string) => {
  const tool = allTools.find((t) => t.name === toolName)!;
  return helpInTerminalWords(text, toolName, flagSpecs(tool.input), TOOL_NAMES);
};

describe("a tool's --help in the terminal's words", () => {
  it("tail-logs: its arguments as flags, what the MCP result returns as what the CLI prints", () => {
    const text = help("tail-logs");
    for (const says of [
      "appended after --offset)",
      "(with --chart, a PNG image",
      "With --follow-seconds it watches",
      "pass the next offset it prints (beside the log's name) as --offset",
      "(the next offset an earlier call printed)",
      "over the whole log with --history, else the end read; with --offset, over the lines returned",
      `--series '{"maxPoints": 200}'`,
      "(alternative to --log-file)",
      "Host holding --log-file (ignored with --run-id)",
      "write the loss curve as a PNG",
    ])
      expect(text).toContain(says);
    for (const mcp of ["`offset`", "nextOffset", "errorLines", "at most maxPoints", "with offset", "with history"])
      expect(text).not.toContain(mcp);
    expect(text).not.toMatch(/(?<![-\w"])(followSeconds|logFile|runId|stallFactor|processAlive)\b/);
  });

  it("build-configs, convert-weights, run-inference: 'unless X' and 'With X:' read as the flags", () => {
    const build = help("build-configs");
    expect(build).toContain("its diff returned unless --overwrite.");
    expect(build).toContain("With --trainer trl: sft, dpo, grpo or reward");
    expect(build).toContain("With --vpp: LLM layers per virtual stage");
    expect(build).not.toMatch(/unless overwrite|With trainer|With vpp/);
    const convert = help("convert-weights");
    expect(convert).toContain("never overwritten unless --overwrite. Without --confirm: returns the exact command");
    expect(convert).toContain("With --confirm: runs it");
    const inference = help("run-inference");
    expect(inference).toContain("(its own question unless --prompt). Never overwrites files unless --overwrite.");
    expect(inference).toContain("Instead of --run-id: a save directory");
    expect(inference).toContain("Instead of --prompts: a JSONL on the host");
    // The nouns stay nouns.
    expect(inference).toContain("for a few images and prompts (or a JSONL of them on the host)");
  });

  it("no tool's --help spells one of its own camelCase arguments the MCP way", () => {
    const left = allTools.flatMap((t) => {
      const text = help(t.name.replaceAll("_", "-"));
      return flagSpecs(t.input)
        .map((s) => s.field)
        .filter((f) => /[A-Z]/.test(f) && new RegExp(`(?<![-\\w."'<{])${f}(?![-\\w"'>}])`).test(text))
        .map((f) => `${t.name}: ${f}`);
    });
    expect(left).toEqual([]);
  });

  it("another tool's names stay as written: the JSON keys --config takes are not flags of diagnose-error", () => {
    const text = help("diagnose-error");
    expect(text).toContain("Keys: scriptPath, modelJsonPath, microBatchSize, tp, pp,");
    expect(text).toContain('(e.g. {"microBatchSize": 4, "tp": 2})');
    expect(text).toContain("path on --host, default local");
    expect(text).toContain("--run-id, or --text (the log pasted)");
    expect(text).not.toContain("--micro-batch-size");
  });

  it("rewrites only where a name is written as an argument", () => {
    expect(words("run_inference", "asks the prompt of every image unless prompt.")).toBe(
      "asks the prompt of every image unless --prompt.",
    );
    expect(words("launch_train", "On a host with accelerator cuda (alternative to host).")).toBe(
      "On a host with accelerator cuda (alternative to --host).",
    );
    expect(words("export_scheduler_job", "only writes (submit: false); submit the job on confirm.")).toBe(
      "only writes (--no-submit); submit the job on --confirm.",
    );
    expect(words("export_model", 'exports with format "gguf"; the format of the file')).toBe(
      "exports with --format gguf; the format of the file",
    );
    expect(words("prepare_dataset", "Refuses unless `overwrite: true`; give `family`")).toBe(
      "Refuses unless --overwrite; give --family",
    );
    // Not an argument of this tool, or not written as one: left alone.
    expect(words("tail_logs", "`messages`, the log's offset, cfg.offset, <offset>")).toBe(
      "`messages`, the log's offset, cfg.offset, <offset>",
    );
  });

  it("every per-tool wording still finds the words it replaces", () => {
    const missing = Object.entries(CLI_WORDING).flatMap(([name, pairs]) => {
      const tool = allTools.find((t) => t.name === name);
      if (!tool) return [`${name}: no such tool`];
      const texts = [tool.description, ...flagSpecs(tool.input).map((s) => s.description)];
      return pairs.filter(([from]) => !texts.some((t) => t.includes(from))).map(([from]) => `${name}: ${from}`);
    });
    expect(missing).toEqual([]);
  });
});

describe("MCP keeps the argument names", () => {
  it("tools/list describes tail_logs, build_configs and run_inference with their parameter names", async () => {
    const tools = advertisedTools(await buildCatalog());
    const described = (name: string) => {
      const t = tools.find((x) => x.name === name)!;
      return `${t.description} ${JSON.stringify(t.inputSchema)}`;
    };
    const tail = described("tail_logs");
    for (const name of ["`offset`", "nextOffset", "errorLines", "at most maxPoints", "With followSeconds"])
      expect(tail).toContain(name);
    expect(tail).not.toContain("--offset");
    expect(described("build_configs")).toContain("unless overwrite is true");
    expect(described("run_inference")).toContain("unless prompt");
  });
});
