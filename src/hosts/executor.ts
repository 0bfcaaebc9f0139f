// The seam between tools and machines: tools touch a host only through a HostExecutor.

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Wall-clock bound; the command is killed after it. */
  timeoutMs?: number;
  /** Bytes kept per stream; the rest is dropped and the result marked truncated. */
  maxOutputBytes?: number;
  stdin?: string;
  signal?: AbortSignal;
  /** Called with each stdout chunk as it arrives (progress). */
  onStdout?: (chunk: string) => void;
}

export interface ExecResult {
  /** Display form of what ran, quoted, secrets redacted. */
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** True when stdout or stderr hit maxOutputBytes; the text then ends with a marker line. */
  truncated: boolean;
}

export interface ReadFileOptions {
  /** Only the last N bytes (reads from the end, never the whole file). */
  tailBytes?: number;
  /** Start reading at this byte offset. */
  offset?: number;
  /** At most this many bytes. */
  maxBytes?: number;
  /** Refuse the file unless it resolves inside one of these directories (guardReads sets the host's readable roots). */
  within?: readonly string[];
}

export interface FileChunk {
  content: string;
  /** File size in bytes when read. */
  size: number;
  /** Offset of the first byte returned. */
  start: number;
  /** Offset just after the last byte returned. */
  end: number;
  /** The bytes themselves, when the executor read them here (a local file): readers of bytes skip a decode/encode. */
  bytes?: Buffer;
}

export interface WriteFileOptions {
  mode?: number;
  /** Refuse when the file exists (default true: nothing is overwritten unless asked). */
  exclusive?: boolean;
}

export interface DetachedOptions {
  logFile: string;
  cwd?: string;
  env?: Record<string, string>;
}

/** A machine the tools act on: the local one (execa) or a remote one (ssh2). */
export interface HostExecutor {
  readonly name: string;
  /** How it is reached, for people: 'local' or 'user@host:port'. */
  readonly label: string;
  /** Runs argv; every word is quoted. A non-zero exit is data, not an exception. */
  run(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs a bash script (sent on stdin, never interpolated into a command line). */
  runScript(script: string, opts?: ExecOptions): Promise<ExecResult>;
  readFile(path: string, opts?: ReadFileOptions): Promise<FileChunk>;
  /** Writes atomically (temporary file, then rename): text as UTF-8, bytes (a PNG, say) exactly as given. */
  writeFile(path: string, content: string | Uint8Array, opts?: WriteFileOptions): Promise<void>;
  /** Starts a process in its own session, detached from this connection; it outlives us. */
  spawnDetached(argv: readonly string[], opts: DetachedOptions): Promise<{ pid: number }>;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

/** The host could not be reached or authenticated; the message names the host and what to check. */
export class HostUnreachableError extends Error {
  override name = "HostUnreachableError";
}

/** A file operation on a host failed for a reason a person can act on (missing, exists, denied). */
export class HostFileError extends Error {
  override name = "HostFileError";
  constructor(
    message: string,
    readonly code: "ENOENT" | "EEXIST" | "EACCES" | "EIO",
  ) {
    super(message);
  }
}
