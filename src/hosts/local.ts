// The machine the server runs on, through execa; files through node:fs.

import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { execa } from "execa";
import { BoundedOutput, redact, secretValues } from "./bounded.js";
import { hostEnvironment } from "./environment.js";
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
import { PathNotAllowedError } from "./paths.js";
import { shellJoin } from "./quote.js";
import { openRegularForRead } from "./read-local.js";
import { assertSafeEnv } from "./unsafe-env.js";

export class LocalExecutor implements HostExecutor {
  readonly label = "local";

  constructor(
    readonly name: string,
    private readonly settings: HostSettings,
  ) {}

  /** An allowlisted environment: never this server's token, API keys or own settings (see hostEnvironment). */
  private baseEnv(extra?: Record<string, string>): Record<string, string> {
    assertSafeEnv(extra, this.settings.allowUnsafeEnv, `env for host ${this.name}`);
    return hostEnvironment(this.settings, extra);
  }

  async run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error("run() needs a command");
    return this.exec(argv[0]!, argv.slice(1), shellJoin(argv), opts);
  }

  async runScript(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // The host's PATH and env travel in the process environment (baseEnv), never on the command line where `ps`
    // shows them; the script itself is read from a variable that is unset before it runs.
    return this.exec(
      "bash",
      ["-c", 's=$__ASCEND_TRAIN_SCRIPT; unset __ASCEND_TRAIN_SCRIPT; eval "$s"'],
      `bash -c <script ${script.length} bytes>`,
      {
        ...opts,
        env: { ...opts.env, __ASCEND_TRAIN_SCRIPT: script },
      },
    );
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
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // Regular files only (a FIFO would hold a thread of the pool forever), inside `within` when given.
      handle = await openRegularForRead(path, this.name, opts.within);
    } catch (error) {
      throw error instanceof HostFileError || error instanceof PathNotAllowedError ? error : fileError(error, path);
    }
    try {
      const { size } = await handle.stat();
      let start = opts.offset ?? 0;
      if (opts.tailBytes !== undefined) start = Math.max(size - opts.tailBytes, 0);
      start = Math.min(start, size);
      const length = Math.min(size - start, opts.maxBytes ?? size - start);
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, start);
      const bytes = buf.subarray(0, bytesRead);
      // The text is decoded when asked for: a reader of bytes (diagnose_error on a multi-GB log) never pays for it.
      let text: string | undefined;
      return {
        get content() {
          text ??= bytes.toString("utf8");
          return text;
        },
        bytes,
        size,
        start,
        end: start + bytesRead,
      };
    } finally {
      await handle.close();
    }
  }

  async writeFile(path: string, content: string | Uint8Array, opts: WriteFileOptions = {}): Promise<void> {
    await writeNoFollow(expandHome(path), content, opts.mode ?? 0o644, opts.exclusive ?? true).catch((error) => {
      throw error instanceof HostFileError ? error : fileError(error, path);
    });
  }

  async spawnDetached(argv: readonly string[], opts: DetachedOptions): Promise<{ pid: number }> {
    // Its own session (setsid), stdin from /dev/null, stdout and stderr straight into the log file: the child holds
    // no pipe or descriptor of ours, so it outlives this process, its process group and its terminal.
    const log = await open(expandHome(opts.logFile), "a", 0o644);
    try {
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: opts.cwd ? expandHome(opts.cwd) : undefined,
        env: this.baseEnv(opts.env),
        detached: true,
        stdio: ["ignore", log.fd, log.fd],
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once("spawn", () => resolve(child.pid!));
        child.once("error", (error) => reject(new Error(`could not start ${argv[0]}: ${error.message}`)));
      });
      child.unref();
      return { pid };
    } finally {
      await log.close();
    }
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
