// A tool call that ran but did not do what was asked, over a real MCP client: a tool that changes a host (launch_train
// whose pre-flight failed, build_configs that declined to overwrite) answers with isError: true and keeps its
// structured result and full text (the verdict, the failed checks, the plan), which the SDK client accepts against the
// tool's outputSchema; a read-only query's negative answer (estimate_memory: does not fit; find_model: no match) did
// its work and stays unmarked. The rule is failedIsError in src/tools/tool.ts, read from the advertised annotations.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { createServer } from "../../src/server.js";
import { allTools } from "../../src/tools/index.js";
import { annotationsFor, failedIsError } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "mcp-failed-result-"));
const workdir = join(dir, "wd");
mkdirSync(workdir);

type Result = {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: { type: string; text: string }[];
};

describe("a failed call over MCP", () => {
  let client: Client;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const hosts = new HostRegistry({ file: null, hosts: { npu: HostSettingsSchema.parse({ workdir }) } });
    const server = await createServer({ hosts });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: "mcp-failed-result", version: "1" });
    await client.connect(clientSide);
    // The client checks each result's structuredContent against the tool's outputSchema once it has listed the tools.
    await client.listTools();
    close = async () => {
      await client.close();
      await server.close();
      await hosts.closeAll();
      rmSync(dir, { recursive: true, force: true });
    };
  });
  afterAll(() => close());

  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as Result;
  const text = (r: Result) => r.content.map((c) => c.text).join("\n");

  it("launch_train whose pre-flight failed is an error, with its checks and verdict kept", async () => {
    const r = await call("launch_train", { host: "npu", script: "configs/nope.sh" });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toMatchObject({ started: false, preflightOk: false, ok: false });
    const failedCheck = (r.structuredContent!.checks as { id: string; ok: boolean }[]).find((c) => !c.ok);
    expect(failedCheck?.id).toBe("script");
    expect(text(r)).toMatch(/^Not started: the pre-flight failed\./);
    expect(text(r)).toMatch(/configs\/nope\.sh does not exist on npu/);
  });

  it("build_configs that declined to overwrite a different file is an error; the first build is not", async () => {
    const args = { host: "npu", model: "qwen2.5vl-3b", outputDir: "cfg" };
    const first = await call("build_configs", args);
    expect(first.isError, text(first)).toBeFalsy();
    expect(first.structuredContent).toMatchObject({ written: true });
    const declined = await call("build_configs", { ...args, trainIters: 7 });
    expect(declined.isError).toBe(true);
    expect(declined.structuredContent).toMatchObject({ written: false });
    expect((declined.structuredContent!.diffs as unknown[]).length).toBeGreaterThan(0);
    expect(text(declined)).toMatch(/nothing written; 1 existing file\(s\) differ \(pass overwrite: true to replace\)/);
  });

  it("estimate_memory that does not fit answered the question: no isError", async () => {
    const r = await call("estimate_memory", { model: "qwen2.5vl-72b", npus: 1 });
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ fits: false });
    expect(text(r)).toMatch(/does NOT fit/);
  });

  it("find_model with no match answered the question: no isError", async () => {
    const r = await call("find_model", { query: "zzzz-no-such-model" });
    expect(r.isError, text(r)).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ status: "unknown" });
  });
});

describe("which failed tools are errors over MCP", () => {
  it("every tool that changes a host and can fail; no read-only query", () => {
    const canFail = allTools.filter((t) => t.failed);
    const errors = canFail.filter((t) => failedIsError(annotationsFor(t))).map((t) => t.name);
    const answers = canFail.filter((t) => !failedIsError(annotationsFor(t))).map((t) => t.name);
    expect(errors.sort()).toEqual([
      "apply_fix",
      "build_configs",
      "convert_weights",
      "evaluate_model",
      "export_model",
      "install_stack",
      "launch_train",
      "resume_run",
      "run_inference",
      "stop_run",
    ]);
    expect(answers.sort()).toEqual(["check_env", "estimate_memory", "find_model", "validate_dataset"]);
    for (const t of canFail) expect(failedIsError(annotationsFor(t)), t.name).toBe(t.kind !== "read");
  });
});
