// Entry point. `mcp` takes a short path (no CLI framework, no per-tool commands) because clients spawn it often.
import { parseArgs } from "node:util";

export async function main(argv: string[]): Promise<void> {
  if (argv[2] === "mcp" && !argv.includes("--help") && !argv.includes("-h")) {
    const { values } = parseArgs({
      args: argv.slice(3),
      options: { "read-only": { type: "boolean" }, toolsets: { type: "string" } },
      strict: true,
    });
    const { parseToolsets } = await import("./cli/toolsets.js");
    const { runStdio } = await import("./stdio.js");
    await runStdio({ readOnly: values["read-only"], toolsets: parseToolsets(values.toolsets) });
    return;
  }
  // A reader that stops early (`ascend-train --help | head -1`) closes the pipe: that is its choice, not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { runProgram } = await import("./cli/program.js");
  await runProgram(argv);
}
