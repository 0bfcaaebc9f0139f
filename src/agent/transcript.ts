// One JSONL file per chat session: what the person said, the model's replies, every tool call, answer and result.
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function transcriptDir(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(state, "ascend-train", "transcripts");
}

export function defaultTranscriptPath(env: NodeJS.ProcessEnv = process.env, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  return join(transcriptDir(env), `${stamp}-${randomBytes(3).toString("hex")}.jsonl`);
}

export class Transcript {
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly now: () => Date,
  ) {
    this.fd = fd;
  }

  /** Creates the directory (owner-only: tool output may hold paths and host names) and appends to the file. */
  static open(path: string, now: () => Date = () => new Date()): Transcript {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return new Transcript(path, openSync(path, "a", 0o600), now);
  }

  write(type: string, data: Record<string, unknown> = {}): void {
    if (this.fd === null) return;
    writeSync(this.fd, `${JSON.stringify({ time: this.now().toISOString(), type, ...data })}\n`);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
