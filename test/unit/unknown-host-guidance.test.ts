// An unknown host, or no runs, from a directory without an inventory (the newcomer who ran `sim init` in first-run/
// and came back up): the error is of the README's `host` kind at every door, and says where the inventory is looked
// for, names ASCEND_TRAIN_CONFIG, points at an ascend-train.yaml one directory down with the way to use it, and says
// that `npx ascend-train sim init` makes a simulated host. Needs dist/ (node scripts/build.mjs).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry, inventoriesOneLevelDown, UnknownHostError } from "../../src/hosts/registry.js";
import checkEnv from "../../src/tools/check-env.js";
import { errorOutcome, invokeTool } from "../../src/tools/invoke.js";
import { CLI, stdioClient } from "../helpers/mcp.js";

/** A checkout-like directory where `sim init` ran in first-run/, and a HOME with no per-user inventory. */
function newcomerLayout() {
  const root = mkdtempSync(join(tmpdir(), "unknown-host-"));
  const home = join(root, "home");
  const cwd = join(root, "checkout");
  mkdirSync(home);
  mkdirSync(join(cwd, "first-run"), { recursive: true });
  mkdirSync(join(cwd, "src"));
  writeFileSync(join(cwd, "first-run", "ascend-train.yaml"), "hosts:\n  sim:\n    workdir: /tmp/first-run-sim\n");
  return { home, cwd };
}

function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  if (!("ASCEND_TRAIN_CONFIG" in extra)) delete env.ASCEND_TRAIN_CONFIG;
  return env;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("an unknown host from a directory without an inventory", () => {
  it("is of kind host in --json, and says where hosts are looked for and how to use first-run's", () => {
    const { home, cwd } = newcomerLayout();
    const r = cli(["check-env", "--host", "a2-node1", "--json"], cwd, cliEnv(home));
    expect(r.code).toBe(1);
    const error = JSON.parse(r.stdout) as { error: string; kind: string };
    expect(error.kind).toBe("host");
    expect(error.error).toMatch(/^Unknown host "a2-node1"\. Known hosts: local\./);
    expect(error.error).toContain(join(cwd, "ascend-train.yaml"));
    expect(error.error).toContain(join(home, ".config", "ascend-train", "hosts.yaml"));
    expect(error.error).toContain("ASCEND_TRAIN_CONFIG");
    expect(error.error).toContain("cd first-run");
    expect(error.error).toContain("ASCEND_TRAIN_CONFIG=first-run/ascend-train.yaml");
    expect(error.error).toContain("npx ascend-train sim init");
    expect(error.error).toContain("a server started elsewhere reads that file when ASCEND_TRAIN_CONFIG names it");
    expect(error.error).not.toContain("create ascend-train.yaml");
  });

  it("names the subdirectory's inventory in the terminal too, and the way it points works", () => {
    const { home, cwd } = newcomerLayout();
    const r = cli(["check-env", "--host", "sim"], cwd, cliEnv(home));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Unknown host "sim"\..*first-run\/ascend-train\.yaml is one directory down/);
    // Following the pointer finds the host: the error is no longer about an unknown host.
    const followed = cli(
      ["list-hosts", "--json"],
      cwd,
      cliEnv(home, { ASCEND_TRAIN_CONFIG: "first-run/ascend-train.yaml" }),
    );
    expect(followed.stdout).toContain('"sim"');
  });

  it("with ASCEND_TRAIN_CONFIG naming a missing file, says so and offers no other directory", () => {
    const { home, cwd } = newcomerLayout();
    const r = cli(["check-env", "--host", "sim"], cwd, cliEnv(home, { ASCEND_TRAIN_CONFIG: "nope.yaml" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ASCEND_TRAIN_CONFIG names ${join(cwd, "nope.yaml")}, which does not exist`);
    expect(r.stderr).toContain("npx ascend-train sim init");
    expect(r.stderr).not.toContain("cd first-run");
  });

  it("read from the per-user inventory, points at the one a directory down", () => {
    const { home, cwd } = newcomerLayout();
    mkdirSync(join(home, ".config", "ascend-train"), { recursive: true });
    writeFileSync(join(home, ".config", "ascend-train", "hosts.yaml"), "hosts:\n  n1:\n    workdir: /tmp/n1\n");
    const r = cli(["check-env", "--host", "sim", "--json"], cwd, cliEnv(home));
    const error = JSON.parse(r.stdout) as { error: string; kind: string };
    expect(error.kind).toBe("host");
    expect(error.error).toMatch(/Known hosts: local, n1 \(from .*hosts\.yaml\)\./);
    expect(error.error).toContain("cd first-run");
  });

  it("over MCP: the same words, as a tool error", async () => {
    const { home, cwd } = newcomerLayout();
    const env = { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin" };
    const { client, close } = await stdioClient({ cwd, env });
    try {
      const result = (await client.callTool({ name: "check_env", arguments: { host: "a2-node1" } })) as {
        isError?: boolean;
        content: { type: string; text: string }[];
      };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toContain("ASCEND_TRAIN_CONFIG=first-run/ascend-train.yaml");
      expect(result.content[0]!.text).toContain("npx ascend-train sim init");
    } finally {
      await close();
    }
  });

  it("is sorted into the host kind by the one classifier every door shares", async () => {
    expect(errorOutcome("check_env", new UnknownHostError('Unknown host "x".')).kind).toBe("host");
    const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });
    const deps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
    const outcome = await invokeTool(checkEnv, { host: "a2-node1" }, deps);
    expect(outcome).toMatchObject({ ok: false, kind: "host" });
  });
});

describe("list-runs with no runs and no inventory", () => {
  it("adds the same pointer after 'No runs recorded.'", () => {
    const { home, cwd } = newcomerLayout();
    const r = cli(["list-runs"], cwd, cliEnv(home));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No runs recorded\.\nNo host inventory: /);
    expect(r.stdout).toContain("ASCEND_TRAIN_CONFIG=first-run/ascend-train.yaml");
    const json = JSON.parse(cli(["list-runs", "--json"], cwd, cliEnv(home)).stdout) as { noInventory?: string };
    expect(json.noInventory).toContain("cd first-run");
  });
});

describe("inventories one level down", () => {
  it("finds ascend-train.yaml files in immediate subdirectories only, sorted", () => {
    const { cwd } = newcomerLayout();
    mkdirSync(join(cwd, "a-run", "deeper"), { recursive: true });
    writeFileSync(join(cwd, "a-run", "deeper", "ascend-train.yaml"), "hosts: {}\n");
    mkdirSync(join(cwd, "b-run", "ascend-train.yaml"), { recursive: true }); // a directory, not a file
    expect(inventoriesOneLevelDown(cwd)).toEqual(["first-run"]);
    expect(inventoriesOneLevelDown(join(cwd, "missing"))).toEqual([]);
  });
});
