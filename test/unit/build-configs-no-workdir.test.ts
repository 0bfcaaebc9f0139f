// build_configs on a host with no workdir (local, where estimate_memory's next call lands when no host was given):
// the refusal names another inventory host that has one, with the call again there.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { flagSpecs } from "../../src/cli/flags.js";
import { cliHintRenderer } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import buildConfigs from "../../src/tools/build-configs.js";
import { allTools } from "../../src/tools/index.js";

let base: string;
let hosts: HostRegistry;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "build-no-workdir-"));
  mkdirSync(join(base, "sim"));
  hosts = new HostRegistry({
    file: null,
    hosts: { local: HostSettingsSchema.parse({}), sim: HostSettingsSchema.parse({ workdir: join(base, "sim") }) },
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const refusal = async (registry: HostRegistry, given: Record<string, unknown>) =>
  buildConfigs
    .handle(buildConfigs.input.parse(given), {
      hosts: registry,
      now: () => new Date(),
      progress: () => undefined,
      log: () => undefined,
    })
    .then(
      () => "",
      (error: Error) => error.message,
    );

it("names a host that has a workdir, and the call on it as the terminal prints it", async () => {
  const given = { model: "qwen2.5vl-3b", host: "local" };
  const message = await refusal(hosts, given);
  expect(message).toContain("host local has no workdir; give an absolute outputDir");
  expect(message).toContain(`or build on a host that names one (sim: ${join(base, "sim")})`);
  const fields = (name: string) => {
    const specs = flagSpecs(allTools.find((t) => t.name === name)!.input);
    return { required: specs.filter((s) => s.required).map((s) => s.field), all: specs.map((s) => s.field) };
  };
  expect(renderHints(message, cliHintRenderer(given, fields))).toMatch(
    /ascend-train build-configs --model qwen2\.5vl-3b --host sim\.$/,
  );
});

it("says only what to give when no host has a workdir", async () => {
  const alone = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });
  const message = await refusal(alone, { model: "qwen2.5vl-3b", host: "local" });
  expect(message).toBe("outputDir: host local has no workdir; give an absolute outputDir.");
});
