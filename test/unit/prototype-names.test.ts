// Names that users type are looked up among a table's own entries: a host, a chip or a dataset column called
// "valueOf", "constructor", "toString" or "__proto__" is unknown, not an Object.prototype member (the injection fuzz
// once reached an internal error through a host named "valueOf").
import { describe, expect, it } from "vitest";
import { checkDatasetAgainstAttr } from "../../src/datasets/attr.js";
import { hbmFor } from "../../src/estimate/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry, UnknownHostError } from "../../src/hosts/registry.js";
import { ggufArchOf } from "../../src/knowledge/llama-cpp.js";

const NAMES = ["valueOf", "constructor", "toString", "__proto__", "hasOwnProperty"];

describe("names that are Object.prototype members", () => {
  it("are unknown hosts, with the known ones listed", async () => {
    const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });
    for (const name of NAMES) {
      expect(() => hosts.settings(name), name).toThrow(UnknownHostError);
      await expect(hosts.get(name), name).rejects.toThrow(/Unknown host .*Known hosts: local/);
    }
  });

  it("are unknown chips", () => {
    for (const name of NAMES) expect(() => hbmFor(name, undefined), name).toThrow(/unknown chip "/i);
  });
});

describe("dataset attr keys that are Object.prototype members", () => {
  it("find no field in a record that lacks them", () => {
    const record = { messages: [{ role: "user", content: "<image>hi" }], images: ["a.jpg"] };
    for (const name of NAMES) {
      const asMessages = checkDatasetAgainstAttr(record, { messages: name });
      expect(asMessages.ok, name).toBe(false);
      expect(asMessages.problems.join(" "), name).toContain(
        `attr.messages is "${name}" but the record has no such key`,
      );
      const asRole = checkDatasetAgainstAttr(record, { messages: "messages", role_tag: name, content_tag: "content" });
      expect(asRole.problems.join(" "), name).toContain(`has no "${name}" (attr.role_tag)`);
    }
  });
});

describe("a config.json architecture that is an Object.prototype member", () => {
  it("has no GGUF architecture", () => {
    for (const name of NAMES) expect(ggufArchOf(name), name).toBeNull();
    expect(ggufArchOf("Qwen2ForCausalLM")).toBe("qwen2");
  });
});
