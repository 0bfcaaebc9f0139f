// A HostExecutor for unit tests: commands answer from stubs, files live in memory. An unexpected command fails loudly.
import type {
  DetachedOptions,
  ExecOptions,
  ExecResult,
  FileChunk,
  HostExecutor,
  ReadFileOptions,
  WriteFileOptions,
} from "./executor.js";
import { HostFileError } from "./executor.js";
import { shellJoin } from "./quote.js";

type Answer = Partial<ExecResult> | ((command: string, opts: ExecOptions) => Partial<ExecResult>);

interface Stub {
  match: RegExp;
  answer: Answer;
  used: boolean;
}

export class ScriptedExecutor implements HostExecutor {
  readonly label = "scripted";
  readonly calls: { command: string; opts: ExecOptions }[] = [];
  readonly files = new Map<string, string>();
  /** Files written as bytes (a PNG, say), kept exactly as given; `files` keeps those written as text. */
  readonly binaryFiles = new Map<string, Uint8Array>();
  readonly detached: { argv: string[]; opts: DetachedOptions }[] = [];
  private readonly stubs: Stub[] = [];
  private nextPid = 4242;

  constructor(readonly name = "scripted") {}

  /** Answers any command (argv joined, or the script text) that matches. First match wins. */
  on(match: RegExp, answer: Answer): this {
    this.stubs.push({ match, answer, used: false });
    return this;
  }

  async run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.answer(shellJoin(argv), opts);
  }

  async runScript(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.answer(script, opts);
  }

  private answer(command: string, opts: ExecOptions): ExecResult {
    this.calls.push({ command, opts });
    const stub = this.stubs.find((s) => s.match.test(command));
    if (!stub) throw new Error(`ScriptedExecutor: no stub for: ${command.slice(0, 300)}`);
    stub.used = true;
    const partial = typeof stub.answer === "function" ? stub.answer(command, opts) : stub.answer;
    return {
      command,
      exitCode: 0,
      stdout: "",
      stderr: "",
      durationMs: 0,
      timedOut: false,
      truncated: false,
      ...partial,
    };
  }

  assertAllUsed(): void {
    const unused = this.stubs.filter((s) => !s.used).map((s) => String(s.match));
    if (unused.length > 0) throw new Error(`unused stubs: ${unused.join(", ")}`);
  }

  async readFile(path: string, opts: ReadFileOptions = {}): Promise<FileChunk> {
    const text = this.files.get(path);
    const bytes = this.binaryFiles.get(path);
    if (text === undefined && bytes === undefined) throw new HostFileError(`${path} does not exist.`, "ENOENT");
    const buf = bytes ? Buffer.from(bytes) : Buffer.from(text ?? "");
    let start = opts.offset ?? 0;
    if (opts.tailBytes !== undefined) start = Math.max(buf.length - opts.tailBytes, 0);
    start = Math.min(start, buf.length);
    const end = Math.min(buf.length, start + (opts.maxBytes ?? buf.length));
    return { content: buf.subarray(start, end).toString("utf8"), size: buf.length, start, end };
  }

  async writeFile(path: string, content: string | Uint8Array, opts: WriteFileOptions = {}): Promise<void> {
    if ((opts.exclusive ?? true) && (this.files.has(path) || this.binaryFiles.has(path))) {
      throw new HostFileError(`${path} already exists; not overwriting it.`, "EEXIST");
    }
    this.files.delete(path);
    this.binaryFiles.delete(path);
    if (typeof content === "string") this.files.set(path, content);
    else this.binaryFiles.set(path, Uint8Array.from(content));
  }

  async spawnDetached(argv: readonly string[], opts: DetachedOptions): Promise<{ pid: number }> {
    this.detached.push({ argv: [...argv], opts });
    return { pid: this.nextPid++ };
  }

  async close(): Promise<void> {}
}
