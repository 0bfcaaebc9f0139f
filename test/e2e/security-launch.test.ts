// Launch inputs that end up on every node's shell: the master address and the socket interface are checked for what
// they are (a host name or IP address, an interface name) at the schema, so a command substitution in them is refused
// through every door and never reaches a shell, even while a plan is being made and even when pre-flight fails.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { isHostAddress, isInterfaceName } from "../../src/hosts/network-names.js";
import { routeInterface } from "../../src/runs/launch.js";
import type { NodeContext } from "../../src/runs/preflight.js";
import launchTrain from "../../src/tools/launch-train.js";
import { newCanary } from "../helpers/canary.js";
import { CLI } from "../helpers/mcp.js";

describe("masterAddr and socketIfname are validated, never interpolated", () => {
  let dir: string;
  let inventory: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "launch-inputs-"));
    inventory = join(dir, "hosts.yaml");
    writeFileSync(inventory, `hosts:\n  a:\n    workdir: ${dir}\n  b:\n    workdir: ${dir}\n`);
    writeFileSync(join(dir, "run.sh"), "#!/bin/bash\necho hi\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts host names and addresses, refuses shell text", () => {
    for (const ok of ["10.0.0.11", "node1", "node-1.cluster.local", "::1", "fe80::1", "localhost"])
      expect(isHostAddress(ok), ok).toBe(true);
    for (const bad of ["$(id)", "`id`", "a b", "a;b", "-oProxyCommand=x", "node1:29500", "[::1]", "", "a".repeat(64)])
      expect(isHostAddress(bad), bad).toBe(false);
    expect(isInterfaceName("enp189s0f0")).toBe(true);
    expect(isInterfaceName("eth0;id")).toBe(false);
    expect(isInterfaceName("a".repeat(16))).toBe(false);
  });

  it("the launch_train schema refuses a command substitution in masterAddr and socketIfname", () => {
    for (const field of ["masterAddr", "socketIfname"]) {
      const parsed = launchTrain.input.safeParse({ hosts: ["a", "b"], script: "run.sh", [field]: "$(touch /tmp/x)" });
      expect(parsed.success, field).toBe(false);
    }
  });

  it("routeInterface passes the address as an argument, not as script text", async () => {
    const canary = newCanary();
    const settings = HostSettingsSchema.parse({ workdir: dir });
    const node = { host: "local", executor: new LocalExecutor("local", settings), settings } as unknown as NodeContext;
    await expect(routeInterface(node, `x"}$(touch ${canary.path})`)).rejects.toThrow(/not a host name/);
    expect(existsSync(canary.path)).toBe(false);
    // A real address still resolves to an interface where `ip` exists.
    const hasIp = spawnSync("sh", ["-c", "command -v ip"]).status === 0;
    if (hasIp) expect(await routeInterface(node, "127.0.0.1")).toBe("lo");
  });

  it("the CLI refuses it with a usage error and runs nothing", () => {
    const canary = newCanary();
    const r = spawnSync(
      process.execPath,
      [CLI, "launch-train", "--hosts", "a", "b", "--script", "run.sh", "--master-addr", `$(touch ${canary.path})`],
      { encoding: "utf8", env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory }, timeout: 60_000 },
    );
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/masterAddr|master-addr/);
    expect(existsSync(canary.path)).toBe(false);
    execFileSync("rm", ["-f", canary.path]);
  });
});
