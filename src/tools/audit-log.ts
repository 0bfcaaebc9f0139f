// audit_log: reads this user's append-only audit trail of host commands. Reads a local file; runs nothing on hosts.
import { z } from "zod";
import { alignColumns } from "../text/table.js";
import { defineTool } from "./tool.js";

const Entry = z.object({
  time: z.string(),
  user: z.string(),
  host: z.string(),
  tool: z.string().nullable(),
  op: z.string(),
  command: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  bytesOut: z.number(),
  error: z.string().optional(),
});

export default defineTool({
  name: "audit_log",
  title: "Read the audit log",
  description:
    "Show the commands ascend-train ran on hosts (time, host, tool, command as run with secrets redacted, exit code, " +
    "duration, bytes out), newest last. Use it to answer 'what did you run on my machine?'.",
  toolset: "audit",
  kind: "read",
  input: z.object({
    host: z.string().max(128).optional().describe("Only this host."),
    tool: z
      .string()
      .max(64)
      .optional()
      .describe(
        "Only commands caused by this tool; its MCP name and its CLI command both match (underscores or hyphens).",
      ),
    limit: z.number().int().min(1).max(5000).default(50).describe("How many of the newest entries."),
  }),
  output: z.object({ file: z.string(), entries: z.array(Entry) }),
  async handle({ host, tool, limit }, { hosts }) {
    // Entries hold the MCP name (apply_fix); the CLI shows and takes the command's (apply-fix).
    return { file: hosts.audit.file, entries: hosts.audit.read({ host, tool: tool?.replaceAll("-", "_"), limit }) };
  },
  summarize: (r) =>
    r.entries.length === 0
      ? `No audit entries in ${r.file}.`
      : alignColumns(
          r.entries.map((e) => [
            e.time,
            e.host,
            e.tool ?? "-",
            `exit=${e.exitCode ?? "-"}`,
            `${e.durationMs}ms`,
            e.command.split("\n")[0]!.slice(0, 100),
          ]),
          ["left", "left", "left", "left", "right"],
        ).join("\n"),
});
