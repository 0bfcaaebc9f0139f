// One test for "is this name a local path" splits the messages the Hub and the local disk share: transformers' "is not
// a local folder", datasets' "doesn't exist on the Hub" and "We couldn't connect to the Hub". The rules read the same
// expression with opposite tests, so the compiled rules must keep the two apart.
import { describe, expect, it } from "vitest";
import { compileRules } from "../../src/diagnosis/compile.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { isLocalPath, rxWhen, signalKey } from "../../src/knowledge/rules-types.js";

const lead = (log: string) => diagnoseText(log).findings[0]!;
const notLocal = (name: string) =>
  `OSError: ${name} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'`;

describe("a name that is a local path", () => {
  it("starts with /, ., ~ or a drive letter", () => {
    for (const p of ["/data/llama", "./out", "../w", "~/models/q", "C:\\models\\q", "d:/m"])
      expect(isLocalPath(p)).toBe(true);
    for (const p of ["meta-llama/Llama-2-7b-hf", "gpt2", "Qwen/Qwen2.5-VL-7B", "hf:foo"])
      expect(isLocalPath(p)).toBe(false);
  });

  it("is a local folder that is not there; any other name is one the Hub refused", () => {
    expect(lead(notLocal("meta-llama/Llama-2-7b-chat-hf")).category).toBe("hub_access");
    expect(lead(notLocal("/data/models/Llama-2-7b-chat-hf")).category).toBe("missing_weights");
    expect(lead(notLocal("~/ckpt/qwen")).category).toBe("missing_weights");
    expect(lead(notLocal("C:\\models\\qwen")).category).toBe("missing_weights");
    // Straight after the exception's colon, with no space.
    expect(
      lead(
        "OSError:/data/m is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'",
      ).category,
    ).toBe("missing_weights");
  });

  it("splits datasets' 'doesn't exist on the Hub' the same way", () => {
    const ds = (name: string) =>
      `datasets.exceptions.DatasetNotFoundError: Dataset '${name}' doesn't exist on the Hub or cannot be accessed.`;
    expect(lead(ds("tatsu-lab/alpaca")).category).toBe("hub_access");
    expect(diagnoseText(ds("./data/alpaca")).findings.some((f) => f.rule === "hub-access")).toBe(false);
  });
});

describe("compiled signals", () => {
  it("keep one expression read with two tests as two signals, each with its own test", () => {
    const re = /model (?<name>\S+) missing/;
    const local = rxWhen(re, ["model "], (g) => isLocalPath(g.name!));
    const remote = rxWhen(re, ["model "], (g) => !isLocalPath(g.name!));
    expect(signalKey(local)).not.toBe(signalKey(remote));
    expect(signalKey(local)).toBe(signalKey(local));
    const compiled = compileRules([
      {
        id: "a",
        category: "missing_weights",
        title: "a",
        role: "primary",
        triggers: [{ match: local, confidence: 0.8 }],
        cause: "",
        fixes: [],
        references: [],
      },
      {
        id: "b",
        category: "hub_access",
        title: "b",
        role: "primary",
        triggers: [{ match: remote, confidence: 0.8 }],
        cause: "",
        fixes: [],
        references: [],
      },
    ]);
    expect(compiled.patterns.filter((p) => p.test("model /x missing") !== null)).toHaveLength(1);
    expect(compiled.patterns.filter((p) => p.test("model org/x missing") !== null)).toHaveLength(1);
  });
});
