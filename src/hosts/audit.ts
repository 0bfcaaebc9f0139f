// Every command run on a host goes into an append-only audit log: time, host, tool, argv as run, exit code,
// duration, bytes out. Secrets are redacted before anything is written. The log fails closed: when it cannot be
// written, nothing that writes or destroys runs (only reads, and commands of read-only tools, go on, with a warning).
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";
import type {
  DetachedOptions,
  ExecOptions,
  ExecResult,
  FileChunk,
  HostExecutor,
  ReadFileOptions,
  WriteFileOptions,
} from "./executor.js";
import { redactText, secretValues } from "./redact.js";

export interface AuditEntry {
  time: string;
  user: string;
  host: string;
  tool: string | null;
  op: "run" | "script" | "read" | "write" | "spawn";
  command: string;
  exitCode: number | null;
  durationMs: number;
  bytesOut: number;
  error?: string;
}

/** The kind of the tool a command runs for: commands of read tools may run while the log is unwritable. */
export type AuditToolKind = "read" | "write" | "destructive";

const toolContext = new AsyncLocalStorage<{ tool: string; kind?: AuditToolKind }>();

/** Runs fn with the tool's name (and kind) attached to every host command it causes. */
export function withToolContext<T>(tool: string, fn: () => Promise<T>, kind?: AuditToolKind): Promise<T> {
  return toolContext.run({ tool, kind }, fn);
}

/** The tool the current work is done for (null outside a tool call): for entries of actions that are not commands. */
export function currentAuditTool(): string | null {
  return toolContext.getStore()?.tool ?? null;
}

/** The audit log cannot be written, so the operation was refused. */
export class AuditUnavailableError extends Error {
  override name = "AuditUnavailableError";
}

export function auditLogPath(): string {
  if (process.env.ASCEND_TRAIN_AUDIT_LOG) return process.env.ASCEND_TRAIN_AUDIT_LOG;
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), ".local", "state");
  return join(state, "ascend-train", `audit-${userInfo().username}.jsonl`);
}

/** Audit text: secrets hidden by value and by pattern (one rule set for every output, see redact.ts). */
export function redactCommand(text: string, secrets: readonly string[] = []): string {
  return redactText(text, secrets);
}

/** Kernel and device trees: writes there are not files (a /proc entry can take writes forever). */
const NOT_A_LOG_DIR = /^\/(?:proc|sys|dev)(?:\/|$)/;
/** The most an audit line may take; longer commands are cut (the log stays readable and each write small). */
const MAX_LINE = 64 * 1024;
/** How much of the end of the log `read` looks at. */
const READ_WINDOW = 8 * 1024 * 1024;

export class AuditLog {
  readonly file: string;
  constructor(file: string = auditLogPath()) {
    this.file = resolve(file);
  }

  /**
   * Opens the log for one append: regular files only (no FIFO, device, symlink or /proc entry), never blocking.
   * Throws AuditUnavailableError with the reason.
   */
  private openForAppend(): number {
    if (NOT_A_LOG_DIR.test(this.file))
      throw new AuditUnavailableError(`the audit log ${this.file} is not in a regular directory`);
    let fd: number;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      fd = openSync(
        this.file,
        constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK,
        0o600,
      );
    } catch (error) {
      throw new AuditUnavailableError(`cannot write the audit log ${this.file}: ${(error as Error).message}`);
    }
    try {
      if (!fstatSync(fd).isFile()) throw new AuditUnavailableError(`the audit log ${this.file} is not a regular file`);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return fd;
  }

  /** Throws AuditUnavailableError when an entry could not be appended now. */
  ensureWritable(): void {
    closeSync(this.openForAppend());
  }

  /** Appends one entry with a single bounded write; throws AuditUnavailableError when it cannot. */
  append(entry: AuditEntry): void {
    let line = `${JSON.stringify(entry)}\n`;
    if (Buffer.byteLength(line) > MAX_LINE) {
      line = `${JSON.stringify({ ...entry, command: `${entry.command.slice(0, MAX_LINE / 2)}… [cut]` })}\n`;
    }
    const fd = this.openForAppend();
    try {
      const bytes = Buffer.from(line);
      // One write of one line: O_APPEND keeps concurrent servers of one user from interleaving; a short write is an
      // error, not a reason to loop.
      const written = writeSync(fd, bytes, 0, bytes.length);
      if (written !== bytes.length)
        throw new AuditUnavailableError(`short write to the audit log ${this.file} (${written} of ${bytes.length})`);
    } catch (error) {
      if (error instanceof AuditUnavailableError) throw error;
      throw new AuditUnavailableError(`cannot write the audit log ${this.file}: ${(error as Error).message}`);
    } finally {
      closeSync(fd);
    }
  }

  /** The last `limit` entries, optionally filtered; reads at most the last 8 MB of a regular file. */
  read(filter: { host?: string; tool?: string; limit?: number } = {}): AuditEntry[] {
    let text: string;
    try {
      const fd = openSync(this.file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) return [];
        const length = Math.min(st.size, READ_WINDOW);
        const buf = Buffer.alloc(length);
        const got = readSync(fd, buf, 0, length, st.size - length);
        text = buf.subarray(0, got).toString("utf8");
      } finally {
        closeSync(fd);
      }
    } catch {
      return [];
    }
    const entries = text
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as AuditEntry;
        } catch {
          return null;
        }
      })
      .filter((e): e is AuditEntry => e !== null)
      .filter((e) => (!filter.host || e.host === filter.host) && (!filter.tool || e.tool === filter.tool));
    return entries.slice(-(filter.limit ?? 200));
  }
}

/** Wraps an executor so that every operation is recorded in the audit log. */
export class AuditedExecutor implements HostExecutor {
  constructor(
    private readonly inner: HostExecutor,
    private readonly log: AuditLog,
  ) {}

  get name() {
    return this.inner.name;
  }
  get label() {
    return this.inner.label;
  }

  private record(
    op: AuditEntry["op"],
    command: string,
    started: number,
    result: Partial<ExecResult> | null,
    error?: unknown,
    secrets: string[] = [],
  ) {
    const entry: AuditEntry = {
      time: new Date(started).toISOString(),
      user: userInfo().username,
      host: this.inner.name,
      tool: toolContext.getStore()?.tool ?? null,
      op,
      command: redactCommand(command, secrets),
      exitCode: result?.exitCode ?? null,
      durationMs: Date.now() - started,
      bytesOut: Buffer.byteLength(result?.stdout ?? "") + Buffer.byteLength(result?.stderr ?? ""),
      ...(error ? { error: redactCommand(String((error as Error).message ?? error), secrets) } : {}),
    };
    try {
      this.log.append(entry);
    } catch (failure) {
      // The operation already ran; say so loudly, it is not recorded.
      console.error(`[audit] ${(failure as Error).message}; not recorded: ${entry.op} on ${entry.host}`);
    }
  }

  /**
   * Before an operation: refuses writes, detached starts and commands of tools that are not read-only when the log
   * cannot be written. Reads and read-only tools go on with a warning.
   */
  private admit(op: AuditEntry["op"]): void {
    try {
      this.log.ensureWritable();
    } catch (error) {
      const kind = toolContext.getStore()?.kind;
      const readOnly = op === "read" || ((op === "run" || op === "script") && kind === "read");
      if (!readOnly) {
        throw new AuditUnavailableError(
          `Refusing to ${op === "write" ? "write" : "run"} on ${this.inner.name}: ${(error as Error).message}. ` +
            "Fix the audit log (ASCEND_TRAIN_AUDIT_LOG must name a regular, writable file) and try again.",
        );
      }
      console.error(`[audit] ${(error as Error).message}; going on with a read`);
    }
  }

  private async wrap<T>(
    op: AuditEntry["op"],
    command: string,
    secrets: string[],
    fn: () => Promise<T>,
    toResult: (v: T) => Partial<ExecResult>,
  ) {
    this.admit(op);
    const started = Date.now();
    try {
      const value = await fn();
      this.record(op, command, started, toResult(value), undefined, secrets);
      return value;
    } catch (error) {
      this.record(op, command, started, null, error, secrets);
      throw error;
    }
  }

  run(argv: readonly string[], opts?: ExecOptions) {
    const secrets = secretValues(opts?.env);
    return this.wrap(
      "run",
      argv.join(" "),
      secrets,
      () => this.inner.run(argv, opts),
      (r) => r,
    );
  }

  runScript(script: string, opts?: ExecOptions) {
    const secrets = secretValues(opts?.env);
    return this.wrap(
      "script",
      script,
      secrets,
      () => this.inner.runScript(script, opts),
      (r) => r,
    );
  }

  readFile(path: string, opts?: ReadFileOptions): Promise<FileChunk> {
    return this.wrap(
      "read",
      `read ${path}`,
      [],
      () => this.inner.readFile(path, opts),
      (c) => ({ exitCode: 0, stdout: c.content }),
    );
  }

  writeFile(path: string, content: string | Uint8Array, opts?: WriteFileOptions): Promise<void> {
    return this.wrap(
      "write",
      `write ${path} (${Buffer.byteLength(content)} bytes)`,
      [],
      () => this.inner.writeFile(path, content, opts),
      () => ({ exitCode: 0 }),
    );
  }

  spawnDetached(argv: readonly string[], opts: DetachedOptions) {
    const secrets = secretValues(opts.env);
    return this.wrap(
      "spawn",
      `${argv.join(" ")} >> ${opts.logFile}`,
      secrets,
      () => this.inner.spawnDetached(argv, opts),
      () => ({ exitCode: 0 }),
    );
  }

  close() {
    return this.inner.close();
  }

  /** The executor underneath (tests use it to cut an SSH connection). */
  unwrap(): HostExecutor {
    return this.inner;
  }
}
