// Keeps at most N bytes of a stream and says how much was dropped: truncation is marked, never silent.

export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer | string): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const room = this.limit - this.kept;
    if (room >= buf.length) {
      this.chunks.push(buf);
      this.kept += buf.length;
    } else {
      if (room > 0) {
        this.chunks.push(buf.subarray(0, room));
        this.kept += room;
      }
      this.dropped += buf.length - Math.max(room, 0);
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    const body = Buffer.concat(this.chunks).toString("utf8");
    return this.truncated ? `${body}\n[output truncated: ${this.dropped} more bytes not kept]` : body;
  }
}

// Redaction lives in redact.ts; these names stay importable from here.
export { isSecretName, redact, secretValues } from "./redact.js";
