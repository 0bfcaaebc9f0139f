// The guided prompts: every tool their text names is registered, destructive steps are asked first, and the
// finetune flow names its tools in workflow order.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { expandSlashCommand } from "../../src/agent/slash.js";
import { systemPrompt } from "../../src/agent/system.js";
import { allPrompts } from "../../src/prompts/index.js";
import { allTools } from "../../src/tools/index.js";

const SAMPLE_ARGS: Record<string, Record<string, string>> = {
  finetune: { model: "qwen2.5vl-7b", data: "/data/coco", host: "box" },
  diagnose: { host: "box" },
  onboard: { host: "box" },
};

const render = (name: string, args = SAMPLE_ARGS[name] ?? {}) => {
  const prompt = allPrompts.find((p) => p.name === name)!;
  return prompt.render(z.object(prompt.args).parse(args) as never);
};

/** Tool names as the prompts write them: snake_case in backticks. */
const namedTools = (text: string) =>
  [...text.matchAll(/`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`/g)].map((m) => m[1] as string);

const toolNames = new Set(allTools.map((t) => t.name));

describe("prompts", () => {
  it("has finetune, diagnose and onboard, each with a title and a description", () => {
    expect(allPrompts.map((p) => p.name).sort()).toEqual(["diagnose", "finetune", "onboard"]);
    for (const p of allPrompts) {
      expect(p.title.length).toBeGreaterThan(5);
      expect(p.description.length).toBeGreaterThan(20);
    }
  });

  for (const prompt of allPrompts) {
    it(`${prompt.name}: every tool its text names exists in allTools`, () => {
      const text = render(prompt.name);
      const named = namedTools(text);
      expect(named.length).toBeGreaterThanOrEqual(4);
      expect(named.filter((n) => !toolNames.has(n))).toEqual([]);
    });

    it(`${prompt.name}: every step naming a tool that changes a host says to ask or confirm first`, () => {
      const steps = render(prompt.name).split("\n");
      for (const step of steps) {
        const risky = namedTools(step).filter((n) => allTools.find((t) => t.name === n)?.kind === "destructive");
        if (risky.length) expect(step, `step naming ${risky.join(", ")}`).toMatch(/\b(ask|confirm)/i);
      }
      expect(steps.join("\n")).toMatch(/(ask|confirm)[^.]*before anything destructive|without asking/i);
    });
  }

  it("the chat agent's standing instructions continue past training: export, inference next to the base, evaluation", async () => {
    const { systemPrompt } = await import("../../src/agent/system.js");
    const text = systemPrompt({ interactive: true });
    const at = (s: string) => text.indexOf(s);
    expect(at("tail_logs")).toBeGreaterThan(0);
    expect(at("export_model")).toBeGreaterThan(at("tail_logs"));
    expect(at("run_inference with compareBase")).toBeGreaterThan(at("export_model"));
    expect(at("evaluate_model")).toBeGreaterThan(at("run_inference"));
  });

  it("finetune names the flow in order and puts the person's arguments in", () => {
    const text = render("finetune");
    expect(text).toContain("qwen2.5vl-7b");
    expect(text).toContain("/data/coco");
    expect(text).toContain('"box"');
    const first = (name: string) => text.indexOf(`\`${name}\``);
    const flow = ["check_env", "install_stack", "prepare_dataset", "validate_dataset", "convert_weights"];
    const rest = [
      "build_configs",
      "launch_train",
      "tail_logs",
      "diagnose_error",
      "export_model",
      "run_inference",
      "evaluate_model",
    ];
    const positions = [...flow, ...rest].map(first);
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("diagnose starts from the run or log it is given, else from the run list", () => {
    expect(render("diagnose", { run: "r-42", host: "box" })).toMatch(/run r-42 on host "box"/);
    expect(render("diagnose", { run: "r-42" })).not.toContain("`list_runs`");
    expect(render("diagnose", { log: "/w/train.log" })).toMatch(/the log \/w\/train\.log on host "local"/);
    expect(render("diagnose", {})).toMatch(/^1\. `list_runs`/m);
  });

  it("onboard defaults to the local host and ends with a smoke test", () => {
    const text = render("onboard", {});
    expect(text).toContain('"local"');
    expect(text).toMatch(/smoke test/);
  });

  it("the chat's system prompt names only registered tools", () => {
    const text = systemPrompt({ host: "box", interactive: false });
    const names = [...text.matchAll(/\b([a-z]+(?:_[a-z]+)+)\b/g)].map((m) => m[1] as string);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !toolNames.has(n))).toEqual([]);
  });

  it("the finetune prompt and the chat agent say what run_inference answers without images, as the tool does", () => {
    const tool = allTools.find((t) => t.name === "run_inference")!;
    expect(tool.description).toMatch(
      /Given a run and no images, it asks about the image of the run's first training record/,
    );
    for (const text of [render("finetune"), systemPrompt({ interactive: true })]) {
      // No host ships "two sample images": without images the tool asks one training record's question.
      expect(text).not.toMatch(/two sample images/);
      expect(text).toMatch(/without images it asks the first training record's question about that record's image/);
    }
  });

  it("each prompt is also a chat command", () => {
    const expanded = expandSlashCommand('/finetune model=qwen2.5vl-7b data="/data/my set"');
    expect(expanded).toMatchObject({ kind: "prompt", name: "finetune" });
    expect(expanded.kind === "prompt" && expanded.text).toContain("/data/my set");
    expect(expandSlashCommand("/data/coco is where my data is")).toEqual({ kind: "message" });
    expect(expandSlashCommand("/finetune")).toMatchObject({ kind: "reply", text: expect.stringMatching(/model/) });
    expect(expandSlashCommand("/help")).toMatchObject({ kind: "reply", text: expect.stringMatching(/\/onboard/) });
  });
});
