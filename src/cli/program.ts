// `ascend-train`: every tool as a subcommand, plus mcp (stdio), serve (HTTP), demo, sim and chat.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, Option } from "commander";
import { HostRegistry } from "../hosts/registry.js";
import { allTools } from "../tools/index.js";
import { invokeTool } from "../tools/invoke.js";
import type { ToolAttachment } from "../tools/tool.js";
import { VERSION } from "../version.js";
import { addFlags, flagSpecs, kebab, optionsToInput } from "./flags.js";
import { progressPrinter } from "./progress.js";

import { parseToolsets, TOOLSETS } from "./toolsets.js";

function addToolCommands(program: Command): void {
  for (const tool of allTools) {
    const specs = flagSpecs(tool.input);
    const cmd = program
      .command(kebab(tool.name))
      .summary(tool.title)
      .description(
        `${tool.description}\n\nKind: ${tool.kind}${tool.kind === "destructive" ? " (acts only with --confirm)" : ""}.`,
      )
      .option("--json", "print exactly the tool's structured result as JSON")
      .option("--input-json <json>", "the whole input as one JSON object (flags override its fields)");
    if (tool.name === "audit_log") cmd.alias("audit");
    // Images a tool returns (tail-logs' loss chart) are written here, on this machine, only when asked.
    if (tool.attachments)
      cmd.option("--chart-file <file>", "write the returned chart (PNG) to this new local file (never overwrites)");
    addFlags(cmd, specs);
    cmd.action(async (options: Record<string, unknown>) => {
      const base = options.inputJson ? (JSON.parse(String(options.inputJson)) as Record<string, unknown>) : {};
      const input = { ...base, ...optionsToInput(specs, options) };
      const chartFile = options.chartFile as string | undefined;
      if (chartFile && specs.some((s) => s.field === "chart")) input.chart = true;
      const hosts = new HostRegistry();
      const progress = progressPrinter(process.stderr);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      try {
        const outcome = await invokeTool(tool, input, {
          hosts,
          now: () => new Date(),
          signal: controller.signal,
          progress: progress.update,
          log: (level, message) => {
            if (level !== "debug") process.stderr.write(`${level}: ${message}\n`);
          },
        });
        progress.done();
        if (!outcome.ok) {
          if (options.json)
            process.stdout.write(`${JSON.stringify({ error: outcome.error, kind: outcome.kind }, null, 2)}\n`);
          process.stderr.write(`error: ${outcome.error}\n`);
          process.exitCode = outcome.kind === "input" ? 2 : 1;
          return;
        }
        process.stdout.write(options.json ? `${JSON.stringify(outcome.result, null, 2)}\n` : `${outcome.text}\n`);
        if (chartFile) await writeChartFile(chartFile, outcome.attachments);
      } finally {
        process.removeListener("SIGINT", onSigint);
        await hosts.closeAll();
      }
    });
  }
}

/** Writes the first image a tool returned to a new local file; an existing file (or a link there) is left alone. */
async function writeChartFile(file: string, attachments: readonly ToolAttachment[]): Promise<void> {
  const image = attachments.find((a) => a.type === "image");
  if (!image) {
    process.stderr.write(`note: no chart to write to ${file} (fewer than 2 loss values)\n`);
    return;
  }
  try {
    await writeFile(file, Buffer.from(image.data, "base64"), { flag: "wx", mode: 0o644 });
    process.stderr.write(`chart written to ${file}\n`);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "EEXIST" ? "it already exists" : (error as Error).message;
    process.stderr.write(`error: chart not written to ${file}: ${why}\n`);
    process.exitCode = 1;
  }
}

function addServerCommands(program: Command): void {
  program
    .command("mcp")
    .description("Serve MCP on stdio (for Claude Code, Claude Desktop and other MCP clients).")
    .option("--read-only", "expose only tools that change nothing")
    .option("--toolsets <list>", `comma-separated subset of: ${TOOLSETS.join(", ")}`)
    .action(async (options: { readOnly?: boolean; toolsets?: string }) => {
      const { runStdio } = await import("../stdio.js");
      await runStdio({ readOnly: options.readOnly, toolsets: parseToolsets(options.toolsets) });
    });

  program
    .command("serve")
    .description("Serve MCP over Streamable HTTP at /mcp (loopback by default, bearer token required).")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", "8765")
    .option("--token-file <file>", "file holding the bearer token clients must send (default: $ASCEND_TRAIN_TOKEN)")
    .addOption(new Option("--token <token>", "refused: use ASCEND_TRAIN_TOKEN or --token-file").hideHelp())
    .option("--allow-origin <origin...>", "extra browser origins allowed to call the server")
    .option("--read-only", "expose only tools that change nothing")
    .option("--toolsets <list>", `comma-separated subset of: ${TOOLSETS.join(", ")}`)
    .action(async (options: Record<string, string | string[] | boolean | undefined>) => {
      const { serveHttp, serveToken } = await import("../http.js");
      const { token, source } = serveToken({
        tokenFile: options.tokenFile as string | undefined,
        tokenOnCommandLine: options.token !== undefined,
      });
      const host = options.host as string;
      if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
        process.stderr.write(
          `warning: binding to ${host} exposes the server beyond this machine; keep the token secret.\n`,
        );
      }
      const served = await serveHttp({
        host,
        port: Number(options.port),
        token,
        allowedOrigins: options.allowOrigin as string[] | undefined,
        readOnly: Boolean(options.readOnly),
        toolsets: parseToolsets(options.toolsets as string | undefined),
        hosts: new HostRegistry(),
      });
      process.stderr.write(`ascend-train MCP over HTTP at ${served.url}\n`);
      if (source === "generated")
        process.stderr.write(`bearer token (generated; set ASCEND_TRAIN_TOKEN to choose one): ${token}\n`);
      const stop = async () => {
        await served.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}

function addSimCommands(program: Command): void {
  const sim = program.command("sim").description("The simulated Ascend host (for demos and tests; no NPU needed).");
  sim
    .command("init")
    .argument("[dir]", "where to lay it out", ".ascend-train/sim")
    .option(
      "--scenario <id>",
      "healthy, bare, cann-not-sourced, torch-npu-mismatch, npu-busy, small-shm, oom, port-in-use, hang, nan-loss",
      "healthy",
    )
    .option("--name <host>", "host name to add to ./ascend-train.yaml", "sim")
    .description("Lay out a simulated Atlas 800T A2 host and add it to ./ascend-train.yaml.")
    .option("--release <tag>", "MindSpeed-MM release installed on it (default: the newest)")
    .action(async (dir: string, options: { scenario: string; name: string; release?: string }) => {
      const { simInitCommand, isScenarioId, SCENARIO_IDS } = await import("../sim/index.js");
      const { normalizeRelease, RELEASE_TAGS } = await import("../knowledge/release-tags.js");
      if (!isScenarioId(options.scenario)) {
        throw new Error(`Unknown scenario "${options.scenario}". Known: ${SCENARIO_IDS.join(", ")}.`);
      }
      const release = options.release ? normalizeRelease(options.release) : undefined;
      if (release === null) throw new Error(`Unknown release "${options.release}". Known: ${RELEASE_TAGS.join(", ")}.`);
      const inventoryFile = process.env.ASCEND_TRAIN_CONFIG ?? join(process.cwd(), "ascend-train.yaml");
      const summary = await simInitCommand(dir, {
        scenario: options.scenario,
        name: options.name,
        inventoryFile,
        release,
      });
      process.stdout.write(`${summary}\n`);
    });
  sim
    .command("scenario")
    .argument("<dir>", "a simulated host directory")
    .argument("<id>", "scenario id")
    .description("Switch a simulated host to another failure scenario.")
    .action(async (dir: string, id: string) => {
      const { setScenario } = await import("../sim/index.js");
      const { isScenarioId, SCENARIO_IDS } = await import("../sim/index.js");
      if (!isScenarioId(id)) throw new Error(`Unknown scenario "${id}". Known: ${SCENARIO_IDS.join(", ")}.`);
      await setScenario(dir, id);
      process.stdout.write(`${dir}: scenario ${id}\n`);
    });
  sim
    .command("stop")
    .argument("<dir>", "a simulated host directory")
    .description("Stop every process the simulated host started (training runs, NPU holders, port listeners).")
    .action(async (dir: string) => {
      const { stopSimProcesses } = await import("../sim/index.js");
      await stopSimProcesses(dir);
    });
}

export async function runProgram(argv: string[]): Promise<void> {
  const program = new Command("ascend-train")
    .version(VERSION)
    .description(
      "Fine-tune vision-language models on Huawei Ascend NPU hosts with MindSpeed-MM.\n" +
        "Every tool is a subcommand (`ascend-train check-env --host sim`); add --json for the structured result.",
    )
    .showHelpAfterError("(add --help for usage)")
    .configureHelp({ sortSubcommands: false });
  addServerCommands(program);
  program
    .command("demo")
    .description("Lay out a simulated Ascend host and drive the fine-tune flow through a real MCP client.")
    .option("--dir <dir>", "where to lay out the simulated host (default: a new temporary directory)")
    .option("--keep", "keep the simulated host afterwards")
    .action(async (options: { dir?: string; keep?: boolean }) => {
      const { runDemo } = await import("../demo.js");
      process.exitCode = await runDemo(options);
    });
  program
    .command("chat")
    .description("Talk with Claude, which drives these tools and asks y/N before destructive steps.")
    .option("--once <text>", "send one message, print the answer and exit (destructive steps are declined)")
    .option("--host <name>", "the host to work on unless the conversation names another")
    .option("--model <id>", "Claude model id (default: $ANTHROPIC_MODEL, else claude-sonnet-4-6)")
    .option("--max-rounds <n>", "tool rounds per message before control returns to you", "20")
    .option("--transcript <file>", "JSONL transcript (default: ~/.local/state/ascend-train/transcripts/<time>.jsonl)")
    .action(async (options: Record<string, string | undefined>) => {
      const { chatCommand } = await import("../agent/chat.js");
      process.exitCode = await chatCommand(options);
    });
  addSimCommands(program);
  addToolCommands(program);
  await program.parseAsync(argv);
}
