// A remote host over SSH (ssh2): one kept-alive connection per host, reused by every call, reopened after a drop.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";
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
  HostUnreachableError,
  type ReadFileOptions,
  type WriteFileOptions,
} from "./executor.js";
import type { HostSettings } from "./inventory.js";
import { describeRefusal, type HostKeyVerdict, verifyHostKey } from "./known-hosts.js";
import { enterParentScript, NO_FOLLOW_EXIT, placeScript } from "./no-follow.js";
import { readGuardShell, readRefusalError } from "./paths.js";
import { envExports, shellJoin, shellQuote, trapScript, UnsafeShellValueError } from "./quote.js";
import { notRegular } from "./read-local.js";
import { Semaphore } from "./semaphore.js";
import { resolveSshTarget, type SshTarget } from "./ssh-target.js";
import { assertSafeEnv } from "./unsafe-env.js";

/** OpenSSH allows 10 sessions per connection by default; stay under it. */
const MAX_CHANNELS = 8;

/** What the host runs: reads the real command from stdin up to a NUL, then evaluates it. */
const STDIN_SCRIPT_READER = 'IFS= read -r -d "" __s && eval "$__s"';

/** Connections and channels (one per command) opened by all SSH executors in this process (reuse is measured against it). */
export const sshStats = { connectionsOpened: 0, channelsOpened: 0 };

export class SshExecutor implements HostExecutor {
  readonly label: string;
  private readonly target: SshTarget;
  private connection: Promise<Client> | null = null;
  private readonly channels = new Semaphore(MAX_CHANNELS);
  private jumpClients: Client[] = [];

  constructor(
    readonly name: string,
    private readonly settings: HostSettings,
  ) {
    this.target = resolveSshTarget(settings);
    this.label = `${this.target.user}@${this.target.host}:${this.target.port}`;
  }

  private connect(): Promise<Client> {
    if (!this.connection) {
      const attempt = this.openConnection(this.target, this.name);
      this.connection = attempt;
      attempt.catch(() => {
        if (this.connection === attempt) this.connection = null;
      });
    }
    return this.connection;
  }

  private async openConnection(target: SshTarget, displayName: string, sock?: NodeJS.ReadableStream): Promise<Client> {
    let via: Client | undefined;
    if (!sock && target.proxyJump) {
      // ProxyJump: reach the jump host first (its own config applies), then tunnel to the target through it.
      const jumpSpec = target.proxyJump.split(",")[0]!.trim();
      const jumpTarget = resolveSshTarget({ ssh: jumpSpec });
      via = await this.openConnection(jumpTarget, `${displayName} (via ${jumpSpec})`);
      this.jumpClients.push(via);
      sock = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        via!.forwardOut("127.0.0.1", 0, target.host, target.port, (err, stream) =>
          err ? reject(err) : resolve(stream),
        ),
      );
    }
    const client = new Client();
    let verdict: HostKeyVerdict | null = null;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: target.connectTimeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      sock: sock as ConnectConfig["sock"],
      hostVerifier: (key: Buffer) => {
        verdict = verifyHostKey(target.knownHostsFiles, target.host, target.port, key);
        return verdict.status === "trusted";
      },
      authHandler: this.authMethods(target),
    };
    return new Promise<Client>((resolve, reject) => {
      const onError = (err: Error & { level?: string }) => {
        client.removeListener("ready", onReady);
        reject(this.explain(err, target, displayName, verdict));
      };
      const onReady = () => {
        client.removeListener("error", onError);
        sshStats.connectionsOpened++;
        // Small packets (a command, its EOF, window adjustments) go out at once: with Nagle's algorithm each waited
        // for the peer's delayed ACK, tens of milliseconds per call.
        client.setNoDelay(true);
        client.on("error", () => undefined);
        client.on("close", () => {
          if (this.connection && target === this.target) this.connection = null;
        });
        resolve(client);
      };
      client.once("ready", onReady);
      client.once("error", onError);
      client.connect(config);
    });
  }

  private authMethods(target: SshTarget) {
    const methods: Record<string, unknown>[] = [];
    for (const file of target.identityFiles) {
      if (!existsSync(file)) continue;
      const passphrase = process.env.ASCEND_TRAIN_SSH_PASSPHRASE;
      methods.push({ type: "publickey", username: target.user, key: readFileSync(file), passphrase });
    }
    if (process.env.SSH_AUTH_SOCK)
      methods.push({ type: "agent", username: target.user, agent: process.env.SSH_AUTH_SOCK });
    return methods as unknown as ConnectConfig["authHandler"];
  }

  private explain(
    err: Error & { level?: string },
    target: SshTarget,
    name: string,
    verdict: HostKeyVerdict | null,
  ): Error {
    const where = `host "${name}" (${target.user}@${target.host}:${target.port})`;
    if (verdict && verdict.status !== "trusted") {
      return new HostUnreachableError(
        `${where}: ${describeRefusal(verdict, target.host, target.port, target.knownHostsFiles[0]!)}`,
      );
    }
    if (err.level === "client-authentication") {
      return new HostUnreachableError(
        `${where}: authentication failed. Tried keys: ${target.identityFiles.filter(existsSync).join(", ") || "none found"}` +
          `${process.env.SSH_AUTH_SOCK ? " and the ssh-agent" : " (no ssh-agent: SSH_AUTH_SOCK unset)"}. ` +
          "Check IdentityFile in ~/.ssh/config or identityFile in ascend-train.yaml, and that the public key is in the host's authorized_keys.",
      );
    }
    if (/timed out/i.test(err.message)) {
      return new HostUnreachableError(
        `${where}: no answer within ${target.connectTimeoutMs / 1000} s. Check the address and port, VPN or bastion (ProxyJump), and that sshd runs.`,
      );
    }
    return new HostUnreachableError(
      `${where}: ${err.message}. Check the address and port in ascend-train.yaml or ~/.ssh/config, and that sshd runs there.`,
    );
  }

  /**
   * Runs one remote command line, bounded in time (remote `timeout`, local timer) and output size. `stdin` (default
   * opts.stdin) may be bytes: a file written through writeFile reaches the host exactly as given.
   */
  private async exec(
    commandLine: string,
    display: string,
    opts: ExecOptions,
    stdin: string | Uint8Array = opts.stdin ?? "",
  ): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const limit = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
    // The command line itself (env exports, paths, URLs) goes on stdin, ahead of the caller's input and a NUL, so that
    // the host's `ps` shows only this fixed reader; `read -d ""` stops at the NUL and leaves the rest for the command.
    if (commandLine.includes("\0"))
      throw new UnsafeShellValueError("A command sent to a host cannot contain a NUL byte.");
    const wrapped = `timeout -k 5 ${secs} bash -c ${shellQuote(STDIN_SCRIPT_READER)}`;
    const input = Buffer.concat([
      Buffer.from(`unset __s\n${commandLine}\0`),
      typeof stdin === "string" ? Buffer.from(stdin) : stdin,
    ]);
    const started = Date.now();
    const release = await this.channels.acquire();
    try {
      let client: Client;
      try {
        client = await this.connect();
      } catch (error) {
        throw error instanceof HostUnreachableError ? error : new HostUnreachableError(String(error));
      }
      const channel = await this.openChannel(client, wrapped).catch(async (error: Error) => {
        // A connection that died quietly is replaced once.
        if (this.connection) this.connection = null;
        client = await this.connect();
        return this.openChannel(client, wrapped).catch(() => {
          throw new HostUnreachableError(`host "${this.name}" (${this.label}): ${error.message}`);
        });
      });
      const stdout = new BoundedOutput(limit);
      const stderr = new BoundedOutput(limit);
      const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          channel.signal?.("KILL");
          channel.close();
        }, timeoutMs + 7_000);
        const onAbort = () => channel.close();
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        channel.on("data", (c: Buffer) => {
          stdout.push(c);
          opts.onStdout?.(c.toString("utf8"));
        });
        channel.stderr.on("data", (c: Buffer) => stderr.push(c));
        channel.on("close", (code: number | null) => {
          clearTimeout(timer);
          opts.signal?.removeEventListener("abort", onAbort);
          // `timeout` exits 124 (or 137 after -k) when it had to stop the command. No exit status at all (undefined
          // from ssh2) means the connection dropped or the channel was closed: null, as the interface says.
          resolve({ code: timedOut ? null : (code ?? null), timedOut: timedOut || code === 124 });
        });
        channel.end(input);
      });
      const secrets = secretValues(opts.env);
      return {
        command: redact(display, secrets),
        exitCode: result.code,
        stdout: redact(stdout.text(), secrets),
        stderr: redact(stderr.text(), secrets),
        durationMs: Date.now() - started,
        timedOut: result.timedOut,
        truncated: stdout.truncated || stderr.truncated,
      };
    } finally {
      release();
    }
  }

  private openChannel(client: Client, command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) =>
      client.exec(command, (err, ch) => {
        if (err) return reject(err);
        sshStats.channelsOpened++;
        resolve(ch);
      }),
    );
  }

  private preamble(opts: ExecOptions): string {
    assertSafeEnv(opts.env, this.settings.allowUnsafeEnv, `env for host ${this.name}`);
    const parts = [hostPrelude(this.settings)];
    if (opts.env && Object.keys(opts.env).length > 0) parts.push(envExports(opts.env));
    if (opts.cwd) parts.push(`cd ${shellQuote(opts.cwd)} || exit 1`);
    return parts.filter(Boolean).join("\n");
  }

  async run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new Error("run() needs a command");
    const line = `${this.preamble(opts)}\nexec ${shellJoin(argv)}`;
    return this.exec(line, shellJoin(argv), opts);
  }

  async runScript(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(`${this.preamble(opts)}\n${script}`, `bash -c <script ${script.length} bytes>`, opts);
  }

  async readFile(path: string, opts: ReadFileOptions = {}): Promise<FileChunk> {
    const tail = opts.tailBytes ?? -1;
    const offset = opts.offset ?? 0;
    const max = opts.maxBytes ?? -1;
    // Seeks with tail -c +N and stops with head -c: the cost follows the bytes asked for, not the file size. The path
    // is resolved once and checked against `within`; only a regular file is read (a FIFO would block the channel).
    const script = [
      `f=${shellQuote(path)}`,
      ...(opts.within ? [readGuardShell(opts.within), "f=$rf"] : []),
      `[ -e "$f" ] || { echo "ENOENT" >&2; exit 44; }`,
      `[ -f "$f" ] || { echo "ENOTREG" >&2; exit 47; }`,
      `[ -r "$f" ] || { echo "EACCES" >&2; exit 45; }`,
      `size=$(stat -L -c %s -- "$f") || exit 46`,
      `tail_bytes=${tail}; start=${offset}; max=${max}`,
      `if [ "$tail_bytes" -ge 0 ]; then start=$(( size > tail_bytes ? size - tail_bytes : 0 )); fi`,
      `if [ "$start" -gt "$size" ]; then start=$size; fi`,
      `len=$(( size - start )); if [ "$max" -ge 0 ] && [ "$max" -lt "$len" ]; then len=$max; fi`,
      `printf '%s %s\\n' "$size" "$start"`,
      `if [ "$len" -gt 0 ]; then tail -c +$((start + 1)) -- "$f" | head -c "$len"; fi`,
    ].join("\n");
    const result = await this.exec(script, `read ${path}`, {
      maxOutputBytes: Number.MAX_SAFE_INTEGER,
      timeoutMs: 120_000,
    });
    if (result.exitCode === 44) throw new HostFileError(`${path} does not exist on ${this.name}.`, "ENOENT");
    if (result.exitCode === 45) throw new HostFileError(`Permission denied: ${path} on ${this.name}.`, "EACCES");
    if (result.exitCode === 47) throw notRegular(path, ` on ${this.name}`);
    if (result.exitCode === 48) {
      const [why, resolved, ...roots] = result.stderr.trim().split("\n");
      throw readRefusalError(why === "credential" ? why : "outside", path, resolved ?? path, roots, this.name);
    }
    if (result.exitCode !== 0)
      throw new HostFileError(`Cannot read ${path} on ${this.name}: ${result.stderr.trim()}`, "EIO");
    const nl = result.stdout.indexOf("\n");
    const [size, start] = result.stdout.slice(0, nl).split(" ").map(Number) as [number, number];
    const content = result.stdout.slice(nl + 1);
    return { content, size, start, end: start + Buffer.byteLength(content) };
  }

  async writeFile(path: string, content: string | Uint8Array, opts: WriteFileOptions = {}): Promise<void> {
    const exclusive = opts.exclusive ?? true;
    const mode = (opts.mode ?? 0o644).toString(8);
    const x = NO_FOLLOW_EXIT;
    // The parent is entered once and must be the path asked for (no symlink on the way); the content goes to a new
    // private directory there (mkdir and noclobber `>` never follow a symlink), then `ln` (exclusive, atomic refusal)
    // or `mv -T` (atomic replace) puts it in place by a name relative to that directory.
    const tmp = `.ascend-train.${randomBytes(6).toString("hex")}`;
    const script = [
      enterParentScript(path),
      `mkdir -m 700 -- ./${tmp} 2>/dev/null || { echo "EACCES: $d" >&2; exit 45; }`,
      trapScript(`rm -rf -- ./${tmp}`, "EXIT"),
      `set -C; cat > ./${tmp}/f || exit 46; set +C`,
      `chmod ${mode} ./${tmp}/f || exit 46`,
      placeScript(`${tmp}/f`, exclusive),
    ].join("\n");
    const result = await this.exec(script, `write ${path}`, { timeoutMs: 120_000 }, content);
    if (result.exitCode === 0) return;
    if (result.exitCode === x.missing)
      throw new HostFileError(`Directory of ${path} does not exist on ${this.name}.`, "ENOENT");
    if (result.exitCode === x.exists)
      throw new HostFileError(`${path} already exists on ${this.name}; not overwriting it.`, "EEXIST");
    if (result.exitCode === 45) throw new HostFileError(`Permission denied writing ${path} on ${this.name}.`, "EACCES");
    if (result.exitCode === x.symlink)
      throw new HostFileError(`Not writing ${path} on ${this.name}: ${result.stderr.trim()}.`, "EACCES");
    throw new HostFileError(
      `Cannot write ${path} on ${this.name}: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      "EIO",
    );
  }

  async spawnDetached(argv: readonly string[], opts: DetachedOptions): Promise<{ pid: number }> {
    assertSafeEnv(opts.env, this.settings.allowUnsafeEnv, `env for host ${this.name}`);
    const parts = [hostPrelude(this.settings)];
    if (opts.env && Object.keys(opts.env).length > 0) parts.push(envExports(opts.env));
    if (opts.cwd) parts.push(`cd ${shellQuote(opts.cwd)} || exit 1`);
    // Its own session, all streams redirected: the SSH channel closes at once and the job outlives it.
    parts.push(`setsid ${shellJoin(argv)} >> ${shellQuote(opts.logFile)} 2>&1 < /dev/null &`, `echo "$!"`);
    const result = await this.exec(parts.join("\n"), `detached ${shellJoin(argv)}`, {
      timeoutMs: 30_000,
      env: opts.env,
    });
    const pid = Number(result.stdout.trim().split("\n").pop());
    if (result.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
      throw new Error(`Could not start ${argv[0]} on ${this.name}: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return { pid };
  }

  /** Drops the connection (tests use it to simulate a network cut); the next call reconnects. */
  async disconnect(): Promise<void> {
    const c = this.connection;
    this.connection = null;
    if (c) (await c.catch(() => null))?.end();
  }

  async close(): Promise<void> {
    await this.disconnect();
    for (const j of this.jumpClients) j.end();
    this.jumpClients = [];
  }
}
