// audit_log's tool filter takes a tool as the MCP names it (apply_fix) or as the CLI and the table show it (apply-fix).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuditedExecutor, AuditLog, withToolContext } from "../../src/hosts/audit.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import auditLog from "../../src/tools/audit-log.js";

const dir = mkdtempSync(join(tmpdir(), "audit-filter-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("audit_log --tool", () => {
  it("finds a tool's entries by its snake_case or kebab-case name, and only that tool's", async () => {
    const log = new AuditLog(join(dir, "audit.jsonl"));
    const exec = new AuditedExecutor(new LocalExecutor("local", HostSettingsSchema.parse({})), log);
    await withToolContext("apply_fix", () => exec.run(["true"]));
    await withToolContext("check_env", () => exec.run(["true"]));
    const deps = { hosts: { audit: log } } as never;
    const read = async (tool: string) =>
      (await auditLog.handle(auditLog.input.parse({ tool }), deps)).entries.map((e) => e.tool);
    expect(await read("apply_fix")).toEqual(["apply_fix"]);
    expect(await read("apply-fix")).toEqual(["apply_fix"]);
    expect(await read("check-env")).toEqual(["check_env"]);
    expect(await read("stop-run")).toEqual([]);
  });
});
