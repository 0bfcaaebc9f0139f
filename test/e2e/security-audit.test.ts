// The audit log over SSH: a flow of several tools through one MCP server against a simulated host whose settings carry
// a token. Every command the host ran appears in the log (counted against sshd's own session log, on a private sshd
// that serves nobody else) with time, host, tool, argv, exit code, duration and bytes out; the token appears nowhere
// in the log nor in the tool results; `ascend-train audit --json` reads the same entries back.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/hosts/audit.js";
import { CLI } from "../helpers/mcp.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import {
  iterationLines,
  type PrivateSshd,
  type ServerHandle,
  startPrivateSshd,
  startServer,
  trainConfigArgs,
} from "../helpers/server-probe.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const shared = readSshTestEnv();
const SECRET = `hf_${"Zq8".repeat(8)}secret`;

describe.skipIf(!shared || !canBuildSimHost)("audit log of a flow over SSH", () => {
  let sshd: PrivateSshd;
  let sim: SshSim;
  let server: ServerHandle;
  let dir: string;
  let auditFile: string;
  let inventory: string;
  const results: string[] = [];
  const called = ["list_hosts", "check_env", "validate_dataset", "build_configs", "tail_logs", "launch_train"];

  beforeAll(async () => {
    const started = await startPrivateSshd();
    // The shared sshd runs (else this describe is skipped), so a private one must start too.
    if (!started) throw new Error("a private sshd did not start");
    sshd = started;
    sim = await sshSim(sshd.env, "aud", "healthy", { HF_TOKEN: SECRET });
    dir = mkdtempSync(join(tmpdir(), "audit-"));
    auditFile = join(dir, "audit.jsonl");
    inventory = writeInventory({ aud: sim.settings });
    server = await startServer({ ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_AUDIT_LOG: auditFile });
    const wd = sim.settings.workdir!;
    const log = join(wd, "logs", "train.log");
    const uid = Number(execFileSync("id", ["-u", sshd.env.user]).toString());
    execFileSync("bash", ["-c", `cat > ${log} && chown ${uid} ${log}`], { input: iterationLines(1, 30, 100) });
    const data = join(wd, "data", "train.json");
    execFileSync("bash", ["-c", `cat > ${data} && chown ${uid} ${data}`], {
      input: JSON.stringify([
        {
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "ok" },
          ],
          images: [],
        },
      ]),
    });
    const flow: [string, Record<string, unknown>][] = [
      ["list_hosts", {}],
      ["check_env", { host: "aud" }],
      ["validate_dataset", { host: "aud", path: data, checkImages: false }],
      ["build_configs", { ...trainConfigArgs(sim, "audited"), host: "aud" }],
      ["tail_logs", { host: "aud", logFile: log, chart: true }],
      ["launch_train", { host: "aud", script: "configs/none.sh", env: { WANDB_API_KEY: SECRET } }],
    ];
    for (const [name, args] of flow) {
      const res = await server.client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
      results.push(JSON.stringify(res));
      if (process.env.AUDIT_VERBOSE) console.log(name, JSON.stringify(res).slice(0, 400));
    }
  }, 240_000);

  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (sim) await stopSims([sim]);
    sshd?.stop();
    if (sshd) rmSync(sshd.dir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const entries = (): AuditEntry[] =>
    readFileSync(auditFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);

  it("records every command the host ran, with all its fields", () => {
    const remote = entries().filter((e) => e.host === "aud");
    const sessions = [...sshd.sessionsByPort().values()].reduce((a, b) => a + b, 0);
    // One exec channel per host operation: the log misses none and invents none.
    expect(remote.length).toBe(sessions);
    expect(remote.length).toBeGreaterThan(5);
    for (const e of remote) {
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
      expect(called).toContain(e.tool);
      expect(e.command.length).toBeGreaterThan(0);
      expect(["run", "script", "read", "write", "spawn"]).toContain(e.op);
      expect(e.exitCode === null || Number.isInteger(e.exitCode)).toBe(true);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
      expect(e.bytesOut).toBeGreaterThanOrEqual(0);
    }
    const tools = new Set(remote.map((e) => e.tool));
    for (const t of ["list_hosts", "check_env", "validate_dataset", "build_configs", "tail_logs"])
      expect(tools).toContain(t);
    // argv as run: list_hosts' probe is `true`; build_configs' writes name their files.
    expect(remote.some((e) => e.tool === "list_hosts" && e.op === "run" && e.command === "true")).toBe(true);
    expect(remote.filter((e) => e.tool === "build_configs" && e.op === "write").length).toBeGreaterThanOrEqual(2);
    expect(remote.some((e) => e.bytesOut > 0 && e.exitCode === 0)).toBe(true);
  });

  it("never holds the token from the host settings or a tool's env, nor do the results", () => {
    expect(readFileSync(auditFile, "utf8")).not.toContain(SECRET);
    for (const r of results) expect(r).not.toContain(SECRET);
  });

  it("`ascend-train audit --json` reads the same entries back", () => {
    const out = execFileSync(process.execPath, [CLI, "audit", "--json", "--host", "aud", "--limit", "5000"], {
      env: { ...process.env, ASCEND_TRAIN_AUDIT_LOG: auditFile, ASCEND_TRAIN_CONFIG: inventory },
      encoding: "utf8",
    });
    const parsed = JSON.parse(out) as { file: string; entries: AuditEntry[] };
    expect(parsed.file).toBe(auditFile);
    expect(parsed.entries).toEqual(entries().filter((e) => e.host === "aud"));
  });
});
