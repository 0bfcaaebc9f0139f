import { PNG } from "pngjs";
import { Client } from "ssh2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { FileChunk, HostExecutor, ReadFileOptions } from "../../src/hosts/executor.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { SshExecutor, sshStats } from "../../src/hosts/ssh.js";
import { tailLines } from "../../src/logs/tail.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const env = readSshTestEnv();

const mm = (i: number, total: number) =>
  ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${String(i * 8).padStart(12)} | elapsed time per iteration (ms): 1500.0 | learning rate: 1.000000E-05 | global batch size:     8 | loss: ${(5 - i / 100).toExponential(6).toUpperCase()} | grad norm: 2.000 |`;

describe.skipIf(!env)("tail_logs over SSH (loopback sshd)", () => {
  // Built in a hook: the body of a skipped describe still runs at collection, where env is null.
  let settings: HostSettings;
  let ssh: SshExecutor;
  beforeAll(() => {
    settings = sshHostSettings(env!);
    ssh = new SshExecutor("npu-ssh", settings);
  });
  afterAll(() => ssh?.close());
  const deps = (): ToolDeps => ({
    hosts: new HostRegistry({ file: null, hosts: { "npu-ssh": settings } }, async () => ssh),
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  });

  it("takes one channel per tail on a connection that sends small packets at once (no Nagle delay)", async () => {
    const noDelay = vi.spyOn(Client.prototype, "setNoDelay");
    const fresh = new SshExecutor("npu-ssh", settings);
    try {
      const dir = (await fresh.run(["mktemp", "-d"])).stdout.trim();
      expect(noDelay).toHaveBeenCalledWith(true);
      const path = `${dir}/train.log`;
      const body = `${Array.from({ length: 400 }, (_, i) => mm(i + 1, 1000)).join("\n")}\n`;
      expect((await fresh.run(["sh", "-c", 'cat > "$1"', "sh", path], { stdin: body })).exitCode).toBe(0);
      const before = sshStats.channelsOpened;
      const tail = await tailLines(fresh, path, 200);
      expect(tail.lines.length).toBeGreaterThanOrEqual(200);
      expect(sshStats.channelsOpened - before).toBe(1);
      await fresh.run(["rm", "-rf", dir]);
    } finally {
      noDelay.mockRestore();
      await fresh.close();
    }
  });

  it("reads a 16 MB log's tail in bounded bytes and returns the chart without writing on the host", async () => {
    const dir = (await ssh.run(["mktemp", "-d"])).stdout.trim();
    const path = `${dir}/train.log`;
    // 16 MB of filler, then the training lines: only the end may cross the wire.
    const head = await ssh.run([
      "sh",
      "-c",
      'head -c 16777216 /dev/zero | tr "\\0" "x" > "$1"; echo >> "$1"',
      "sh",
      path,
    ]);
    expect(head.exitCode).toBe(0);
    const body = `${Array.from({ length: 300 }, (_, i) => mm(i + 1, 1000)).join("\n")}\n`;
    const appended = await ssh.run(["sh", "-c", 'cat >> "$1"', "sh", path], { stdin: body });
    expect(appended.exitCode).toBe(0);

    let bytes = 0;
    const counting = new Proxy(ssh as HostExecutor, {
      get(target, prop) {
        if (prop !== "readFile") return Reflect.get(target, prop);
        return async (p: string, o?: ReadFileOptions): Promise<FileChunk> => {
          const c = await target.readFile(p, o);
          bytes += c.end - c.start;
          return c;
        };
      },
    });
    const w = await tailLines(counting, path, 100);
    expect(w.lines.slice(-100)).toEqual(body.trimEnd().split("\n").slice(-100));
    expect(w.size).toBeGreaterThan(16 * 1024 * 1024);
    expect(bytes).toBeLessThan(256 * 1024);

    const r = await tailLogs.handle(
      tailLogs.input.parse({ logFile: path, host: "npu-ssh", lines: 3, chart: true }),
      deps(),
    );
    expect(r.state).toBe("running");
    expect(r.latest).toMatchObject({ iteration: 300, totalIterations: 1000, msPerIteration: 1500, gradNorm: 2 });
    expect(r.bytesRead).toBeLessThan(2 * 1024 * 1024);
    expect(r.chart).toEqual({ mimeType: "image/png", points: 300 });
    const [image] = tailLogs.attachments!(r);
    expect(PNG.sync.read(Buffer.from(image!.data, "base64")).width).toBe(720);
    const listed = await ssh.run(["ls", "-A", dir]);
    expect(listed.stdout.trim().split("\n")).toEqual(["train.log"]);

    const more = `${mm(301, 1000)}\n`;
    await ssh.run(["sh", "-c", 'cat >> "$1"', "sh", path], { stdin: more });
    const next = await tailLogs.handle(
      tailLogs.input.parse({ logFile: path, host: "npu-ssh", offset: r.nextOffset, chart: false }),
      deps(),
    );
    expect(next.lines).toEqual([mm(301, 1000)]);
    await ssh.run(["rm", "-rf", dir]);
  });
});
