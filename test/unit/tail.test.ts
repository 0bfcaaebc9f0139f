import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FileChunk, HostExecutor, ReadFileOptions } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { LogAccumulator } from "../../src/logs/accumulator.js";
import { feedWholeLog } from "../../src/logs/extract.js";
import { readSince, tailLines } from "../../src/logs/tail.js";

const dir = mkdtempSync(join(tmpdir(), "tail-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wraps an executor and counts what readFile transfers. */
class CountingExecutor {
  bytes = 0;
  reads: ReadFileOptions[] = [];
  constructor(private readonly inner: HostExecutor) {}
  async readFile(path: string, opts: ReadFileOptions = {}): Promise<FileChunk> {
    const chunk = await this.inner.readFile(path, opts);
    this.bytes += chunk.end - chunk.start;
    this.reads.push(opts);
    return chunk;
  }
  asExecutor(): HostExecutor {
    return new Proxy(this.inner, {
      get: (target, prop) => (prop === "readFile" ? this.readFile.bind(this) : Reflect.get(target, prop)),
    });
  }
}

const local = () => new LocalExecutor("local", HostSettingsSchema.parse({}));
const line = (i: number) => `line ${i} ${"x".repeat(i % 37)}`;

describe("tailLines", () => {
  it("returns the last N lines of a 1 GB file while reading a few hundred KB", async () => {
    const path = join(dir, "big.log");
    const fd = openSync(path, "w");
    // A sparse gigabyte, then real lines at the end: the size is real, the disk use is not.
    writeSync(fd, "start\n");
    closeSync(fd);
    truncateSync(path, 1024 ** 3);
    appendFileSync(path, `\n${Array.from({ length: 5000 }, (_, i) => line(i)).join("\n")}\n`);
    const counter = new CountingExecutor(local());
    const w = await tailLines(counter.asExecutor(), path, 200);
    expect(w.lines.slice(-200)).toEqual(Array.from({ length: 200 }, (_, i) => line(4800 + i)));
    expect(w.size).toBeGreaterThan(1024 ** 3);
    expect(w.end).toBe(w.size);
    expect(counter.bytes).toBeLessThan(256 * 1024);
    expect(counter.bytes).toBe(w.bytesRead);
  });

  it("grows the window from the end until enough lines are found", async () => {
    const path = join(dir, "long-lines.log");
    const lines = Array.from({ length: 300 }, (_, i) => `${i}:${"y".repeat(2000)}`);
    writeFileSync(path, `${lines.join("\n")}\n`);
    const counter = new CountingExecutor(local());
    const w = await tailLines(counter.asExecutor(), path, 100);
    expect(w.reads).toBeGreaterThan(1);
    expect(w.lines.length).toBeGreaterThanOrEqual(100);
    expect(w.lines.slice(-100)).toEqual(lines.slice(-100));
    // Never more than the final window plus the smaller windows before it (×4 growth).
    expect(counter.bytes).toBeLessThan(((w.end - w.start + 4096) * 4) / 3 + 16 * 1024);
  });

  it("keeps an unterminated last line apart and points `end` before it", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/l", "a\nb\nhalf");
    const w = await tailLines(exec, "/l", 10);
    expect(w).toMatchObject({ lines: ["a", "b"], partial: "half", start: 0, end: 4, fromStart: true });
  });

  it("counts bytes, not characters, for offsets of non-ASCII lines", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/u", "损失 1\n损失 2\n");
    const w = await tailLines(exec, "/u", 5);
    expect(w.end).toBe(Buffer.byteLength("损失 1\n损失 2\n"));
    const next = await readSince(exec, "/u", Buffer.byteLength("损失 1\n"));
    expect(next.lines).toEqual(["损失 2"]);
  });

  it("handles an empty file", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/e", "");
    expect(await tailLines(exec, "/e", 5)).toMatchObject({ lines: [], partial: "", end: 0, size: 0 });
  });
});

describe("readSince", () => {
  it("returns only appended complete lines and the offset to continue from", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/f", "one\ntwo\n");
    const first = await readSince(exec, "/f", 0);
    expect(first.lines).toEqual(["one", "two"]);
    exec.files.set("/f", "one\ntwo\nthree\nfou");
    const second = await readSince(exec, "/f", first.end);
    expect(second).toMatchObject({ lines: ["three"], partial: "fou", restarted: false });
    exec.files.set("/f", "one\ntwo\nthree\nfour\n");
    expect((await readSince(exec, "/f", second.end)).lines).toEqual(["four"]);
  });

  it("restarts from 0 when the file shrank below the offset (truncated or rotated)", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/r", "new 1\nnew 2\n");
    const r = await readSince(exec, "/r", 500);
    expect(r).toMatchObject({ restarted: true, lines: ["new 1", "new 2"], start: 0 });
  });

  it("restarts when the file was replaced by a longer one (offset no longer at a line start)", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/r", "aaaaaaaaaa\nbbbbbbbbbbbbbbbbbbbb\n");
    const r = await readSince(exec, "/r", 5);
    expect(r.restarted).toBe(true);
    expect(r.lines).toEqual(["aaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb"]);
  });

  it("stops at maxBytes and says more remains", async () => {
    const exec = new ScriptedExecutor();
    exec.files.set("/m", "1234\n5678\nabcd\n");
    const r = await readSince(exec, "/m", 0, 12);
    expect(r).toMatchObject({ lines: ["1234", "5678"], end: 10, more: true });
    expect((await readSince(exec, "/m", r.end, 12)).lines).toEqual(["abcd"]);
  });
});

describe("feedWholeLog", () => {
  it("asks for the next chunk before it parses the one it has, so the host reads while this process parses", async () => {
    const path = join(dir, "whole.log");
    const line = (i: number) =>
      ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/     300 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 1500.0 | loss: 1.5E+00 |`;
    writeFileSync(path, `${Array.from({ length: 300 }, (_, i) => line(i + 1)).join("\n")}\n`);
    const events: string[] = [];
    const inner = new LocalExecutor("local", HostSettingsSchema.parse({}));
    const host = {
      readFile: async (p: string, opts: ReadFileOptions = {}) => {
        events.push(`read ${opts.offset ?? 0}`);
        return inner.readFile(p, opts);
      },
    } as unknown as HostExecutor;
    const acc = new LogAccumulator({});
    const push = acc.push.bind(acc);
    acc.push = (l: string) => {
      if (events.at(-1) !== "parse") events.push("parse");
      push(l);
    };
    const { end } = await feedWholeLog(host, path, acc, 16 * 1024);
    const analysis = acc.analysis();
    expect(analysis.iterationsSeen).toBe(300);
    expect(end).toBeGreaterThan(16 * 1024 * 2);
    // Two reads before the first parse; every later read starts before the chunk before it is parsed.
    expect(events.slice(0, 3)).toEqual(["read 0", expect.stringMatching(/^read [1-9]/), "parse"]);
    expect(events.filter((e) => e.startsWith("read")).length).toBeGreaterThanOrEqual(3);
  });
});
