// apply_fix acts only on what the run owns: a file name read from a log is never handed to a program (sed loading
// an attacker's script through a crafted "-f…" name), a file edit is limited to the run's script and configs and goes
// through the write guard, and a kill is sent only to the process the plan showed, by pid and command line.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import applyFix from "../../src/tools/apply-fix.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const CRLF_LINE = (file: string) => `${file}: line 2: $'\\r': command not found\n`;

describe("apply_fix on a real host (local executor, write guard on)", () => {
  let root: string;
  let work: string;
  let outside: string;
  let deps: ToolDeps;
  const apply = (args: Record<string, unknown>) => applyFix.handle(applyFix.input.parse(args), deps);

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "apply-fix-"));
    work = join(root, "work");
    outside = mkdtempSync(join("/var/tmp", "apply-fix-victim-"));
    mkdirSync(work);
    const settings = HostSettingsSchema.parse({ workdir: work, allowedDirs: [work] });
    deps = {
      hosts: new HostRegistry({ file: null, hosts: { local: settings } }),
      now: () => new Date(),
      progress: () => {},
      log: () => {},
    };
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("a file named by the log that the run does not own is never edited (no sed, no -f script)", async () => {
    const victim = join(outside, "victim.sh");
    writeFileSync(victim, "keep me\r\n");
    const evil = join(work, "evil.sh");
    writeFileSync(evil, "s/.*//\n");
    for (const named of [victim, `-f${evil}`, `-i${victim}`]) {
      const text = CRLF_LINE(named);
      const plan = apply({ text, rule: "windows_line_endings" });
      await expect(plan).rejects.toThrow(/No applicable fix/);
      await expect(apply({ text, rule: "windows_line_endings", confirm: true })).rejects.toThrow(/No applicable fix/);
    }
    expect(readFileSync(victim, "utf8")).toBe("keep me\r\n");
    expect(readFileSync(evil, "utf8")).toBe("s/.*//\n");
  });

  it("the run's own script is converted by an edit through the guard, relative names resolved from the workdir", async () => {
    const script = join(work, "finetune.sh");
    writeFileSync(script, "#!/bin/bash\r\necho hi\r\n");
    const args = { text: CRLF_LINE("finetune.sh"), config: { scriptPath: script } };
    const plan = await apply(args);
    expect(plan).toMatchObject({ applied: false, plan: { kind: "edit", path: script } });
    expect(readFileSync(script, "utf8")).toContain("\r");
    const done = await apply({ ...args, confirm: true });
    expect(done.applied).toBe(true);
    expect(readFileSync(script, "utf8")).toBe("#!/bin/bash\necho hi\n");
  });

  it("a run-owned path outside the allowed directories is refused by the guard and left as it was", async () => {
    const script = join(outside, "owned.sh");
    writeFileSync(script, "echo a\r\n");
    // Refused either way: the read guard keeps the file from being read, or the write guard from being written.
    await expect(apply({ text: CRLF_LINE(script), config: { scriptPath: script }, confirm: true })).rejects.toThrow(
      /outside the directories|No applicable fix/,
    );
    expect(readFileSync(script, "utf8")).toBe("echo a\r\n");
  });

  it.skipIf(!HAS_SS)(
    "a kill plan names the holder by pid and command line; confirm stops exactly that process",
    async () => {
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const holder = spawn("python3", ["-c", LISTEN, String(port)], { stdio: ["ignore", "pipe", "ignore"] });
      try {
        await new Promise((r) => holder.stdout!.once("data", r));
        const text = `torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. port: ${port}, useIpv6: 0, code: -98, name: EADDRINUSE, message: address already in use\n`;
        const plan = await apply({ text, rule: "port_in_use", config: { masterPort: port } });
        expect(plan.plan.kind).toBe("kill");
        expect(plan.plan.targets).toEqual([{ pid: holder.pid, command: expect.stringContaining("python3 -c") }]);
        expect(holder.exitCode).toBeNull();
        const done = await apply({ text, rule: "port_in_use", config: { masterPort: port }, confirm: true });
        expect(done.results).toMatchObject([{ command: `kill ${holder.pid}`, exitCode: 0 }]);
        await new Promise((r) => (holder.exitCode !== null || holder.signalCode ? r(null) : holder.once("exit", r)));
        expect(holder.signalCode).toBe("SIGTERM");
      } finally {
        holder.kill("SIGKILL");
      }
    },
  );
});

const HAS_SS = spawnSync("sh", ["-c", "command -v ss"]).status === 0;
const LISTEN =
  "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',int(sys.argv[1])))\ns.listen()\nprint('up',flush=True)\ntime.sleep(300)";

describe("apply_fix kill plans (scripted host)", () => {
  const settings = HostSettingsSchema.parse({ workdir: "/w" });
  const depsFor = (host: ScriptedExecutor): ToolDeps => ({
    hosts: new HostRegistry({ file: null, hosts: { local: settings, npu1: settings } }, async () => host),
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  });
  const text = "RuntimeError: The server socket has failed to listen on any local network address. port: 29500\n";
  const run = (host: ScriptedExecutor, confirm: boolean) =>
    applyFix.handle(applyFix.input.parse({ host: "npu1", text, rule: "port_in_use", confirm }), depsFor(host));

  it("sends nothing when the pid now runs another command, and never plans pid 1", async () => {
    const host = new ScriptedExecutor()
      .on(/^ss -ltnpH/, {
        stdout: 'LISTEN 0 128 *:29500 *:* users:(("python3",pid=4321,fd=7),("systemd",pid=1,fd=9))\n',
      })
      .on(/^ss -ltnH$/, { stdout: "" })
      .on(/^ps -o pid=,args= -p 4321$/, { stdout: "4321 python3 old_run.py\n" })
      .on(/^ps -o args= -p 4321$/, { stdout: "postgres: checkpointer\n" });
    const plan = await run(host, false);
    expect(plan.plan.targets).toEqual([{ pid: 4321, command: "python3 old_run.py" }]);
    const done = await run(host, true);
    expect(done.applied).toBe(false);
    expect(done.results[0]!.stderr).toMatch(/no longer runs/);
    expect(host.calls.some((c) => /^kill/.test(c.command))).toBe(false);
  });
});
