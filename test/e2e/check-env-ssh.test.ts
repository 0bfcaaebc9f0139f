import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, stdioClient } from "../helpers/mcp.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();

interface Finding {
  id: string;
  severity: string;
  fix: string;
}

describe.skipIf(!env)("check_env over SSH on simulated hosts", () => {
  const sims: SshSim[] = [];
  let inventory: string;

  beforeAll(async () => {
    sims.push(await sshSim(env!, "healthy"), await sshSim(env!, "mismatch", "torch-npu-mismatch"));
    inventory = writeInventory(Object.fromEntries(sims.map((s) => [s.name, s.settings])));
  }, 120_000);
  afterAll(() => stopSims(sims));

  it("a healthy simulated host has no error finding (CLI --json)", () => {
    const out = execFileSync(process.execPath, [CLI, "check-env", "--host", "healthy", "--json"], {
      env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
      encoding: "utf8",
    });
    const result = JSON.parse(out) as { findings: Finding[]; npu?: { count?: number } };
    expect(result.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("a torch/torch_npu mismatch is an error finding with an exact pip fix (real MCP client)", async () => {
    const mcp = await stdioClient({ env: { ASCEND_TRAIN_CONFIG: inventory } });
    try {
      const res = await mcp.client.callTool({ name: "check_env", arguments: { host: "mismatch" } });
      expect(res.isError).toBeFalsy();
      const findings = (res.structuredContent as { findings: Finding[] }).findings;
      const errors = findings.filter((f) => f.severity === "error");
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.some((f) => /pip install/.test(f.fix) && /torch/.test(f.fix))).toBe(true);
    } finally {
      await mcp.close();
    }
  });

  it("a failing tool exits non-zero from the CLI with the reason", () => {
    let code = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [CLI, "check-env", "--host", "nosuchhost", "--json"], {
        env: { ...process.env, ASCEND_TRAIN_CONFIG: inventory },
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      code = (error as { status: number }).status;
      stderr = String((error as { stderr: string }).stderr);
    }
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Unknown host "nosuchhost".*Known hosts: local, healthy, mismatch/);
  });
});
