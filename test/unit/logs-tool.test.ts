import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { HostUnreachableError } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { LogAccumulator } from "../../src/logs/accumulator.js";
import { setDiagnoser } from "../../src/logs/diagnose.js";
import { followLog } from "../../src/logs/follow.js";
import type { RunResolver } from "../../src/logs/resolver.js";
import tailLogs from "../../src/tools/tail-logs.js";
import { type ProgressUpdate, type ToolDeps, ToolError } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "tail-logs-tool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  setDiagnoser(null);
});

/** Deps whose run ledger is the given resolver. */
const withRuns = (deps: ToolDeps, locateLog: RunResolver): ToolDeps => ({
  ...deps,
  runs: { locateLog, lookup: async () => null },
});

function mm(i: number, total: number, loss = 10 - i * 0.05, ms = 2000): string {
  return ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/${String(total).padStart(8)} | consumed samples: ${String(i * 8).padStart(12)} | elapsed time per iteration (ms): ${ms.toFixed(1)} | learning rate: 1.000000E-05 | global batch size:     8 | tokens per sample: 1.024000E+03 | loss: ${loss.toExponential(6).toUpperCase()} | loss scale: 1.0 | grad norm: 3.100 | number of skipped iterations:   0 | number of nan iterations:   0 |`;
}
const iterations = (from: number, to: number, total: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => mm(from + k, total)).join("\n");

function depsFor(executor: HostExecutor, extra: Partial<ToolDeps> = {}): ToolDeps & { updates: ProgressUpdate[] } {
  const settings = HostSettingsSchema.parse({});
  const hosts = new HostRegistry({ file: null, hosts: { local: settings, npu1: settings } }, async () => executor);
  const updates: ProgressUpdate[] = [];
  return { hosts, now: () => new Date(), progress: (u) => updates.push(u), log: () => {}, updates, ...extra };
}

const call = (args: Record<string, unknown>, deps: ToolDeps) => tailLogs.handle(tailLogs.input.parse(args), deps);
const local = () => new LocalExecutor("local", HostSettingsSchema.parse({}));

describe("tail_logs on a local file", () => {
  it("reports a running run with metrics, throughput, ETA and a chart returned as an image", async () => {
    const path = join(dir, "running.log");
    writeFileSync(path, `training ...\n${iterations(1, 40, 1000)}\n`);
    const r = await call({ logFile: path, lines: 5, chart: true }, depsFor(local()));
    expect(r.state).toBe("running");
    expect(r.latest).toMatchObject({
      iteration: 40,
      totalIterations: 1000,
      loss: 8,
      gradNorm: 3.1,
      msPerIteration: 2000,
      learningRate: 1e-5,
      globalBatchSize: 8,
      tokensPerSample: 1024,
    });
    expect(r.throughput).toEqual({ samplesPerSecond: 4, tokensPerSecond: 4096 });
    expect(r.etaSeconds).toBe(960 * 2);
    expect(r.lines).toEqual(iterations(36, 40, 1000).split("\n"));
    expect(r.nextOffset).toBe(readFileSync(path).length);
    expect(r.chart).toEqual({ mimeType: "image/png", points: 40 });
    // The chart comes back with the result; nothing is written next to the log.
    expect(existsSync(`${path}.loss.csv`)).toBe(false);
    expect(existsSync(`${path}.loss.png`)).toBe(false);
    const [image] = tailLogs.attachments!(r);
    expect(image).toMatchObject({ type: "image", mimeType: "image/png" });
    const png = PNG.sync.read(Buffer.from(image!.data, "base64"));
    expect([png.width, png.height]).toEqual([720, 360]);
    const text = tailLogs.summarize(r);
    expect(text).toMatch(/^running: log last written \d+ s ago\niteration 40\/1000 \(4%\)/);
    expect(text).toContain("samples/s");
    expect(text).toMatch(/loss [▁▂▃▄▅▆▇█]+/);
  });

  it("calls a finished log finished and a crashed one failed, handing the error to the diagnoser", async () => {
    const done = join(dir, "done.log");
    writeFileSync(done, `${iterations(1, 10, 10)}\n[after training is done] datetime: 2026-04-28 12:00:00 \n`);
    expect((await call({ logFile: done, chart: false }, depsFor(local()))).state).toBe("finished");
    expect(existsSync(`${done}.loss.csv`)).toBe(false);

    const seen: string[] = [];
    setDiagnoser((text) => {
      seen.push(text);
      return { summary: "oom", findings: [] };
    });
    const crashed = join(dir, "crashed.log");
    const error = [
      "Traceback (most recent call last):",
      "RuntimeError: NPU out of memory. Tried to allocate 386.00 MiB (NPU 2; 60.97 GiB total capacity; 59.57 GiB already allocated; 59.57 GiB current active; 16.54 MiB free; 60.06 GiB reserved in total by PyTorch)",
    ];
    writeFileSync(crashed, `${iterations(1, 7, 100)}\n${error.join("\n")}\n`);
    const r = await call({ logFile: crashed, chart: false }, depsFor(local()));
    expect(r.state).toBe("failed");
    expect(r.errorLines).toEqual(error);
    expect(r.latest?.iteration).toBe(7);
    expect(r.etaSeconds).toBeNull();
    expect(seen).toEqual([error.join("\n")]);
    expect(r.diagnosis).toEqual({ summary: "oom", findings: [] });
    setDiagnoser(null);
    const real = await call({ logFile: crashed, chart: false }, depsFor(local()));
    expect(real.diagnosis?.findings[0]?.rule).toBe("npu-oom");
    expect(tailLogs.summarize(real)).toMatch(/diagnosis: .*out of memory/);
    // The error line is line 9 of the file and line 2 of the error lines: the summary names neither.
    expect(real.diagnosis?.summary).not.toMatch(/ at line \d/);
  });

  it("reads incrementally with nextOffset and restarts when the log was truncated", async () => {
    const path = join(dir, "inc.log");
    writeFileSync(path, `${iterations(1, 3, 100)}\n`);
    const deps = depsFor(local());
    const first = await call({ logFile: path, chart: false }, deps);
    appendFileSync(path, `${iterations(4, 5, 100)}\n`);
    const second = await call({ logFile: path, offset: first.nextOffset, chart: false }, deps);
    expect(second.lines).toEqual([mm(4, 100), mm(5, 100)]);
    expect(second.newLineCount).toBe(2);
    expect(second.notes).toEqual([]);
    writeFileSync(path, `${mm(1, 50)}\n`);
    const third = await call({ logFile: path, offset: second.nextOffset, chart: false }, deps);
    expect(third.lines).toEqual([mm(1, 50)]);
    expect(third.notes.join(" ")).toMatch(/rotated or truncated.*restarted from 0/);
    expect(third.latest?.totalIterations).toBe(50);
  });

  it("pages forward from an offset without skipping lines", async () => {
    const path = join(dir, "pages.log");
    writeFileSync(path, `${iterations(1, 25, 100)}\n`);
    const deps = depsFor(local());
    const got: string[] = [];
    let offset = 0;
    for (let page = 0; page < 5 && got.length < 25; page++) {
      const r = await call({ logFile: path, offset, lines: 10, chart: false }, deps);
      got.push(...r.lines);
      offset = r.nextOffset;
    }
    expect(got).toEqual(iterations(1, 25, 100).split("\n"));
    expect(offset).toBe(readFileSync(path).length);
  });

  it("gives state unknown and no metrics for a log in another format", async () => {
    const path = join(dir, "other.log");
    writeFileSync(
      path,
      // Neither MindSpeed-MM's iteration lines nor a Transformers/TRL trainer's dicts and progress bar.
      "epoch 1 | step 5 | loss=1.2\nStep 5/100 | loss 1.2\n",
    );
    const r = await call({ logFile: path }, depsFor(local()));
    expect(r).toMatchObject({ state: "unknown", latest: null, iterationsSeen: 0, chart: null, sparkline: "" });
    expect(existsSync(`${path}.loss.png`)).toBe(false);
  });
});

describe("tail_logs inputs", () => {
  it("refuses a missing log file unless a run is expected", async () => {
    const missing = join(dir, "nope.log");
    await expect(call({ logFile: missing }, depsFor(local()))).rejects.toThrow(/does not exist on host local/);
    const r = await call({ logFile: missing, pid: 999_999_99 }, depsFor(local()));
    expect(r.state).toBe("failed");
    const runs: RunResolver = async (id) =>
      id === "run-20260101-000000-0001" ? { host: "npu1", logFile: missing } : null;
    expect((await call({ runId: "run-20260101-000000-0001" }, withRuns(depsFor(local()), runs))).state).toBe(
      "starting",
    );
  });

  it("explains run ids it cannot resolve", async () => {
    await expect(
      call(
        { runId: "run-20260101-000000-0009" },
        withRuns(depsFor(local()), async () => null),
      ),
    ).rejects.toBeInstanceOf(ToolError);
    // Neither is the newest run of the host's ledger (tail-logs-newest.test.ts); both together are refused.
    expect(tailLogs.input.safeParse({}).success).toBe(true);
    expect(tailLogs.input.safeParse({ logFile: "/a", runId: "run-20260101-000000-0009" }).success).toBe(false);
    expect(tailLogs.input.safeParse({ runId: "../../etc/shadow" }).success).toBe(false);
  });

  it("reads a relative log path from the host's workdir, and asks for an absolute one where there is none", async () => {
    writeFileSync(join(dir, "rel.log"), `training ...\n${iterations(1, 5, 100)}\n`);
    const settings = HostSettingsSchema.parse({ workdir: dir });
    const hosts = new HostRegistry({ file: null, hosts: { wd: settings } }, async () => local());
    const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
    const r = await call({ host: "wd", logFile: "rel.log" }, deps);
    expect(r.logFile).toBe(join(dir, "rel.log"));
    expect(r.latest).toMatchObject({ iteration: 5 });
    await expect(call({ logFile: "rel.log" }, depsFor(local()))).rejects.toThrow(
      /"rel.log" is relative and host local names no workdir: give the log's absolute path/,
    );
  });

  it("calls a silent run stalled from the file's mtime on the host", async () => {
    const exec = new ScriptedExecutor("npu1");
    exec.files.set("/w/train.log", `${iterations(1, 30, 1000)}\n`);
    const now = new Date("2026-04-28T12:00:00Z");
    exec.on(/^stat /, { stdout: `${now.getTime() / 1000 - 1800} 4096\n` });
    const r = await call({ logFile: "/w/train.log", host: "npu1", chart: false }, depsFor(exec, { now: () => now }));
    expect(r.state).toBe("stalled");
    expect(r.secondsSinceLastWrite).toBe(1800);
    expect(r.stallAfterSeconds).toBe(60);
    expect(exec.calls.map((c) => c.command)).toEqual(["stat -c '%Y %s' /w/train.log"]);
  });
});

describe("following", () => {
  it("reports each new iteration as progress and stops at the end line", async () => {
    const path = join(dir, "follow.log");
    writeFileSync(path, `${iterations(1, 2, 4)}\n`);
    const deps = depsFor(local());
    const writer = setTimeout(
      () => appendFileSync(path, `${iterations(3, 4, 4)}\nexiting program at iteration 4\n`),
      300,
    );
    const r = await call({ logFile: path, followSeconds: 20, chart: false }, deps);
    clearTimeout(writer);
    expect(r.state).toBe("finished");
    expect(r.followed).toEqual({ stoppedBecause: "finished", newLines: 3 });
    expect(deps.updates.map((u) => [u.progress, u.total])).toEqual([
      [3, 4],
      [4, 4],
    ]);
    expect(r.lines.slice(-2)).toEqual([mm(4, 4), "exiting program at iteration 4"]);
  });

  it("ends in a clear state, keeping the last metrics, when the host drops mid-follow", async () => {
    const inner = new ScriptedExecutor("npu1");
    inner.files.set("/l", `${iterations(1, 5, 100)}\n`);
    inner.on(/^stat /, { stdout: `${Math.floor(Date.now() / 1000)} 10\n` });
    let reads = 0;
    const flaky = new Proxy(inner, {
      get(target, prop) {
        if (prop !== "readFile") return Reflect.get(target, prop);
        return async (...a: Parameters<HostExecutor["readFile"]>) => {
          if (++reads > 2) throw new HostUnreachableError("npu1: connection reset");
          return target.readFile(...a);
        };
      },
    });
    const r = await call({ logFile: "/l", host: "npu1", followSeconds: 30, chart: false }, depsFor(flaky));
    expect(r.state).toBe("unknown");
    expect(r.stateReason).toMatch(/lost contact with host npu1.*connection reset.*last seen: running/);
    expect(r.latest?.iteration).toBe(5);
    expect(r.followed?.stoppedBecause).toBe("host_error");
  });

  it("stops following when aborted and on its deadline", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/f", `${mm(1, 10)}\n`);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const acc = new LogAccumulator();
    const aborted = await followLog({
      host: exec,
      path: "/f",
      offset: 0,
      acc,
      until: Date.now() + 60_000,
      pollMs: 20,
      signal: ac.signal,
    });
    expect(aborted.stoppedBecause).toBe("aborted");
    expect(aborted.newLines).toBe(1);
    const timed = await followLog({
      host: exec,
      path: "/f",
      offset: aborted.offset,
      acc,
      until: Date.now() + 80,
      pollMs: 20,
    });
    expect(timed).toMatchObject({ stoppedBecause: "time", newLines: 0 });
  });
});
