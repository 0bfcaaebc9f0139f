import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allTools } from "../../src/tools/index.js";
import { stdioClient } from "../helpers/mcp.js";
import { readSshTestEnv } from "../helpers/ssh-env.js";

const ssh = readSshTestEnv();

describe("MCP over stdio (built server, real client)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-stdio-"));
  let mcp: Awaited<ReturnType<typeof stdioClient>>;

  beforeAll(async () => {
    const hosts: Record<string, unknown> = { ghost: { ssh: "nobody@127.0.0.1:1" } };
    if (ssh)
      hosts.loop = {
        ssh: `${ssh.user}@${ssh.host}:${ssh.port}`,
        identityFile: ssh.key,
        knownHostsFile: ssh.knownHosts,
      };
    writeFileSync(join(dir, "ascend-train.yaml"), stringify({ hosts }));
    mcp = await stdioClient({ cwd: dir });
  });
  afterAll(() => mcp?.close());

  it("lists every tool with schemas and annotations derived from its kind", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(allTools.map((t) => t.name).sort());
    for (const tool of tools) {
      const def = allTools.find((t) => t.name === tool.name)!;
      expect(tool.annotations?.readOnlyHint).toBe(def.kind === "read");
      expect(tool.annotations?.destructiveHint).toBe(def.kind === "destructive");
      expect(tool.outputSchema).toBeDefined();
    }
  });

  it("answers list_hosts with structured content, naming the host that does not answer", async () => {
    const res = await mcp.client.callTool({ name: "list_hosts", arguments: {} });
    expect(res.isError).toBeFalsy();
    const hosts = (res.structuredContent as { hosts: { name: string; answers: boolean; error: string | null }[] })
      .hosts;
    expect(hosts.find((h) => h.name === "local")?.answers).toBe(true);
    const ghost = hosts.find((h) => h.name === "ghost")!;
    expect(ghost.answers).toBe(false);
    expect(ghost.error).toMatch(/host "ghost".*ECONNREFUSED/);
    if (ssh) expect(hosts.find((h) => h.name === "loop")?.answers).toBe(true);
  });

  it("returns a validation error, not a crash, for bad input", async () => {
    const res = await mcp.client.callTool({ name: "list_hosts", arguments: { probe: "yes; rm -rf ~" } });
    expect(res.isError).toBe(true);
    expect(JSON.stringify(res.content)).toMatch(/probe/);
  });
});

describe("read-only server", () => {
  it("exposes no write or destructive tool", async () => {
    const mcp = await stdioClient({ args: ["--read-only"] });
    const { tools } = await mcp.client.listTools();
    await mcp.close();
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const writers = allTools.filter((t) => t.kind !== "read").map((t) => t.name);
    for (const name of writers) expect(tools.map((t) => t.name)).not.toContain(name);
  });
});
