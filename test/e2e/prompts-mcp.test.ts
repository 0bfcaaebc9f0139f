// The guided prompts through a real MCP client over stdio (the built server): listed, fetched, naming real tools.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stdioClient } from "../helpers/mcp.js";

describe("MCP prompts over stdio", () => {
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  beforeAll(async () => {
    mcp = await stdioClient();
  });
  afterAll(() => mcp?.close());

  it("lists finetune, diagnose and onboard with their arguments", async () => {
    const { prompts } = await mcp.client.listPrompts();
    const byName = new Map(prompts.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(["diagnose", "finetune", "onboard"]);
    const args = (name: string) =>
      Object.fromEntries((byName.get(name)?.arguments ?? []).map((a) => [a.name, a.required ?? false]));
    expect(args("finetune")).toEqual({ model: true, data: true, host: false });
    expect(args("diagnose")).toEqual({ run: false, log: false, host: false });
    expect(args("onboard")).toEqual({ host: false });
    for (const p of prompts) expect(p.description?.length).toBeGreaterThan(20);
  });

  it("fetches each prompt as one user message that names only tools the server lists", async () => {
    const { tools } = await mcp.client.listTools();
    const served = new Set(tools.map((t) => t.name));
    const cases: [string, Record<string, string>][] = [
      ["finetune", { model: "qwen2.5vl-7b", data: "/data/coco/train.json", host: "sim" }],
      ["diagnose", { run: "run-20250101-120000-abcd", host: "sim" }],
      ["onboard", {}],
    ];
    for (const [name, args] of cases) {
      const { messages } = await mcp.client.getPrompt({ name, arguments: args });
      expect(messages).toHaveLength(1);
      expect(messages[0]?.role).toBe("user");
      const content = messages[0]?.content;
      const text = content?.type === "text" ? content.text : "";
      for (const value of Object.values(args)) expect(text).toContain(value);
      const named = [...text.matchAll(/`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/g)].map((m) => m[1] as string);
      expect(named.length, name).toBeGreaterThanOrEqual(4);
      expect(
        named.filter((n) => !served.has(n)),
        `${name} names tools the server does not have`,
      ).toEqual([]);
    }
  });

  it("rejects a finetune prompt without its required arguments", async () => {
    await expect(mcp.client.getPrompt({ name: "finetune", arguments: { model: "qwen2.5vl-7b" } })).rejects.toThrow(
      /data/,
    );
  });
});
