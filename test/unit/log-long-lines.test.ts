// A line longer than a read (16 MiB for the whole-log pass) once sent `tail_logs --history` round forever, and a
// 40 MB line came back whole in the JSON. Lines are now capped and marked, and every offset handed out follows a
// newline: the whole-log pass ends, locally and over SSH.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SshExecutor } from "../../src/hosts/ssh.js";
import { LogAccumulator } from "../../src/logs/accumulator.js";
import { feedWholeLog } from "../../src/logs/extract.js";
import { MAX_LINE_CHARS, readSince } from "../../src/logs/tail.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();
const MIB = 1024 * 1024;

const iteration = (i: number) =>
  ` [2026-04-28 10:00:0${i}] iteration        ${i}/     100 | consumed samples:            ${i * 8} | elapsed time per iteration (ms): 1500.0 | learning rate: 1.000000E-05 | global batch size:     8 | loss: 4.000000E+00 | grad norm: 2.000 |`;

const MARK = /…\[line truncated, (\d+) bytes\]$/;

describe("long log lines (local)", () => {
  let dir: string;
  let settings: HostSettings;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "long-lines-"));
    settings = HostSettingsSchema.parse({ workdir: dir });
    // 17 MiB line between two iteration lines: longer than one 16 MiB round of the whole-log pass.
    writeFileSync(join(dir, "history.log"), `${iteration(1)}\n${"x".repeat(17 * MIB)}\n${iteration(2)}\n`);
    writeFileSync(join(dir, "tail.log"), `${iteration(1)}\n${iteration(2)}\n${"y".repeat(40 * MIB)}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const deps = (): ToolDeps => ({
    hosts: new HostRegistry({ file: null, hosts: { box: settings } }),
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  });

  it("the whole-log pass ends on a line longer than a read and still sees the lines after it", async () => {
    const acc = new LogAccumulator();
    const local = new LocalExecutor("box", settings);
    const r = await feedWholeLog(local, join(dir, "history.log"), acc);
    expect(r.end).toBe(iteration(1).length + 1 + 17 * MIB + 1 + iteration(2).length + 1);
    expect(acc.analysis().iterationsSeen).toBe(2);
  }, 30_000);

  it("readSince hands out the long line capped, with an offset after its newline", async () => {
    const local = new LocalExecutor("box", settings);
    const from = iteration(1).length + 1;
    const r = await readSince(local, join(dir, "history.log"), from, 4 * MIB);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]!.length).toBeLessThan(MAX_LINE_CHARS + 64);
    expect(MARK.exec(r.lines[0]!)?.[1]).toBe(String(17 * MIB));
    expect(r.end).toBe(from + 17 * MIB + 1);
    expect(r.restarted).toBe(false);
  }, 30_000);

  it("tail_logs caps a 40 MB line in its output, and --history ends", async () => {
    const args = tailLogs.input.parse({ host: "box", logFile: join(dir, "tail.log"), lines: 5 });
    const out = await tailLogs.handle(args, deps());
    expect(JSON.stringify(out).length).toBeLessThan(200_000);
    expect(out.lines.some((l) => MARK.test(l))).toBe(true);
    const hist = tailLogs.input.parse({ host: "box", logFile: join(dir, "history.log"), history: true });
    const h = await tailLogs.handle(hist, deps());
    expect(h.iterationsSeen).toBe(2);
    expect(JSON.stringify(h).length).toBeLessThan(200_000);
  }, 60_000);
});

describe.skipIf(!env)("long log lines over SSH (loopback sshd)", () => {
  let ssh: SshExecutor;
  let dir: string;
  beforeAll(async () => {
    ssh = new SshExecutor("remote", sshHostSettings(env!));
    dir = (await ssh.run(["mktemp", "-d"])).stdout.trim();
    const made = await ssh.run(
      [
        "sh",
        "-c",
        'f="$1/history.log"; printf "%s\\n" "$2" > "$f"; head -c 17825792 /dev/zero | tr "\\0" x >> "$f"; printf "\\n%s\\n" "$3" >> "$f"',
        "sh",
        dir,
        iteration(1),
        iteration(2),
      ],
      { timeoutMs: 60_000 },
    );
    expect(made.exitCode).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await ssh?.run(["rm", "-rf", "--", dir]).catch(() => undefined);
    await ssh?.close();
  });

  it("the whole-log pass ends on a line longer than a read", async () => {
    const acc = new LogAccumulator();
    const r = await feedWholeLog(ssh, `${dir}/history.log`, acc);
    expect(r.end).toBe(iteration(1).length + 1 + 17 * MIB + 1 + iteration(2).length + 1);
    expect(acc.analysis().iterationsSeen).toBe(2);
  }, 60_000);
});

describe("diagnose_error evidence", () => {
  it("caps a very long evidence line and marks it", async () => {
    const { default: diagnoseError } = await import("../../src/tools/diagnose-error.js");
    const { HostRegistry } = await import("../../src/hosts/registry.js");
    const { HostSettingsSchema } = await import("../../src/hosts/inventory.js");
    const settings = HostSettingsSchema.parse({});
    const deps = {
      hosts: new HostRegistry({ file: null, hosts: { local: settings } }),
      now: () => new Date(),
      progress: () => {},
      log: () => {},
    };
    const text = `RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB ${"x".repeat(5_000_000)}\n`;
    const r = await diagnoseError.handle(diagnoseError.input.parse({ text }), deps);
    const json = JSON.stringify(r);
    expect(json.length).toBeLessThan(200_000);
    expect(r.findings[0]!.evidence[0]!.text.length).toBeLessThan(5000);
    expect(r.findings[0]!.evidence[0]!.text).toMatch(/…/);
  });
});
