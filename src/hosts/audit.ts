// Every command run on a host goes into an append-only audit log: time, host, tool, argv as run, exit code,
// duration, bytes out. Secrets are redacted before anything is written.
import { AsyncLocalStorage } from "node:async_hooks";
import { appendFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { redact, secretValues } from "./bounded.js";
import type {
  DetachedOptions,
  ExecOptions,
  ExecResult,
  FileChunk,
  HostExecutor,
  ReadFileOptions,
  WriteFileOptions,
} from "./executor.js";

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

const toolContext = new AsyncLocalStorage<{ tool: string }>();

/** Runs fn with the tool's name attached to every host command it causes. */
export function withToolContext<T>(tool: string, fn: () => Promise<T>): Promise<T> {
  return toolContext.run({ tool }, fn);
}

export function auditLogPath(): string {
  if (process.env.ASCEND_TRAIN_AUDIT_LOG) return process.env.ASCEND_TRAIN_AUDIT_LOG;
  const state = process.env.XDG_STATE_HOME ?? join(homedir(), ".local", "state");
  return join(state, "ascend-train", `audit-${userInfo().username}.jsonl`);
}

const ALWAYS_REDACT = [
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
  /((?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_KEY)[A-Z_]*=)(?:'[^']*'|"[^"]*"|\S+)/gi,
  /(--(?:token|password|api-key|secret)[= ])\S+/gi,
];

export function redactCommand(text: string, secrets: readonly string[] = []): string {
  let out = redact(text, secrets);
  for (const re of ALWAYS_REDACT) out = out.replace(re, "$1***");
  return out;
}

export class AuditLog {
  constructor(readonly file: string = auditLogPath()) {}

  append(entry: AuditEntry): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      // O_APPEND writes of one line are atomic enough for concurrent servers of one user.
      appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    } catch (error) {
      console.error(`[audit] cannot write ${this.file}: ${(error as Error).message}`);
    }
  }

  /** The last `limit` entries, optionally filtered; reads at most the last 8 MB. */
  read(filter: { host?: string; tool?: string; limit?: number } = {}): AuditEntry[] {
    let text: string;
    try {
      const size = statSync(this.file).size;
      const buf = readFileSync(this.file);
      text = buf.subarray(Math.max(0, size - 8 * 1024 * 1024)).toString("utf8");
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
    this.log.append({
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
    });
  }

  private async wrap<T>(
    op: AuditEntry["op"],
    command: string,
    secrets: string[],
    fn: () => Promise<T>,
    toResult: (v: T) => Partial<ExecResult>,
  ) {
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

  writeFile(path: string, content: string, opts?: WriteFileOptions): Promise<void> {
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
