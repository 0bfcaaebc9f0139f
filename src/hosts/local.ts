// The machine the server runs on, through execa; files through node:fs.
import { open } from "node:fs/promises";
import { execa } from "execa";
import { BoundedOutput, redact, secretValues } from "./bounded.js";
import { hostPrelude } from "./environment.js";
import {
  DEFAULT_MAX_OUTPUT,
  DEFAULT_TIMEOUT_MS,
  type DetachedOptions,
  type ExecOptions,
  type ExecResult,
  type FileChunk,
  type HostExecutor,
  HostFileError,
  type ReadFileOptions,
  type WriteFileOptions,
} from "./executor.js";
import type { HostSettings } from "./inventory.js";
import { expandHome } from "./inventory.js";
import { writeNoFollow } from "./no-follow-local.js";
import { shellJoin } from "./quote.js";

export class LocalExecutor implements HostExecutor {
  readonly label = "local";

  constructor(
    readonly name: string,
    private readonly settings: HostSettings,
  ) {}

  private baseEnv(extra?: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...this.settings.env, ...extra };
    if (this.settings.path.length > 0) env.PATH = [...this.settings.path, env.PATH ?? ""].join(":");
    return env;
  }

  async run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error("run() needs a command");
    return this.exec(argv[0]!, argv.slice(1), shellJoin(argv), opts);
  }

  async runScript(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // The host's PATH/env go first so the script sees what the tools see.
    const full = `${hostPrelude(this.settings)}\n${script}`;
    return this.exec("bash", ["-c", full], `bash -c <script ${script.length} bytes>`, opts);
  }

  private async exec(file: string, args: string[], display: string, opts: ExecOptions): Promise<ExecResult> {
    const started = Date.now();
    const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const stdout = new BoundedOutput(limit);
    const stderr = new BoundedOutput(limit);
    const child = execa(file, args, {
      cwd: opts.cwd ? expandHome(opts.cwd) : undefined,
      env: this.baseEnv(opts.env),
      extendEnv: false,
      input: opts.stdin,
      stdin: opts.stdin === undefined ? "ignore" : undefined,
      timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      cancelSignal: opts.signal,
      buffer: false,
      reject: false,
      forceKillAfterDelay: 3000,
    });
    child.stdout?.on("data", (c: Buffer) => {
      stdout.push(c);
      opts.onStdout?.(c.toString("utf8"));
    });
    child.stderr?.on("data", (c: Buffer) => stderr.push(c));
    const result = await child;
    const secrets = secretValues(opts.env);
    if (
      result.failed &&
      result.exitCode === undefined &&
      !result.timedOut &&
      !result.isCanceled &&
      result.code === "ENOENT"
    ) {
      return {
        command: redact(display, secrets),
        exitCode: 127,
        stdout: "",
        stderr: `${file}: command not found`,
        durationMs: Date.now() - started,
        timedOut: false,
        truncated: false,
      };
    }
    return {
      command: redact(display, secrets),
      exitCode: result.exitCode ?? null,
      stdout: redact(stdout.text(), secrets),
      stderr: redact(stderr.text(), secrets),
      durationMs: Date.now() - started,
      timedOut: Boolean(result.timedOut),
      truncated: stdout.truncated || stderr.truncated,
    };
  }

  async readFile(path: string, opts: ReadFileOptions = {}): Promise<FileChunk> {
    const file = expandHome(path);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, "r");
    } catch (error) {
      throw fileError(error, path);
    }
    try {
      const { size } = await handle.stat();
      let start = opts.offset ?? 0;
      if (opts.tailBytes !== undefined) start = Math.max(size - opts.tailBytes, 0);
      start = Math.min(start, size);
      const length = Math.min(size - start, opts.maxBytes ?? size - start);
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      return { content: buf.subarray(0, bytesRead).toString("utf8"), size, start, end: start + bytesRead };
    } finally {
      await handle.close();
    }
  }

  async writeFile(path: string, content: string, opts: WriteFileOptions = {}): Promise<void> {
    await writeNoFollow(expandHome(path), content, opts.mode ?? 0o644, opts.exclusive ?? true).catch((error) => {
      throw error instanceof HostFileError ? error : fileError(error, path);
    });
  }

  async spawnDetached(argv: readonly string[], opts: DetachedOptions): Promise<{ pid: number }> {
    const logFile = expandHome(opts.logFile);
    const child = execa(argv[0]!, argv.slice(1), {
      cwd: opts.cwd ? expandHome(opts.cwd) : undefined,
      env: this.baseEnv(opts.env),
      extendEnv: false,
      detached: true,
      stdin: "ignore",
      stdout: { file: logFile, append: true },
      stderr: { file: logFile, append: true },
      reject: false,
      cleanup: false,
    });
    const pid = child.pid;
    child.unref();
    child.catch(() => undefined);
    if (pid === undefined) throw new Error(`could not start ${argv[0]}`);
    return { pid };
  }

  async close(): Promise<void> {}
}

function fileError(error: unknown, path: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new HostFileError(`${path} does not exist.`, "ENOENT");
  if (code === "EEXIST") return new HostFileError(`${path} already exists; not overwriting it.`, "EEXIST");
  if (code === "EACCES" || code === "EPERM") return new HostFileError(`Permission denied: ${path}.`, "EACCES");
  return new HostFileError(`${path}: ${(error as Error).message}`, "EIO");
}
