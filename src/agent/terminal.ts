// Terminal I/O for the chat: lines from the person, the model's text on stdout, one line per tool call on stderr,
// y/N questions, and Ctrl-C that stops the current step instead of the session. Everything shown passes through
// forTerminal: secrets hidden, escape sequences from logs or the model dropped (only this file's own redraws remain).
import { createInterface, type Interface } from "node:readline";
import { forTerminal } from "../hosts/redact.js";
import type { ProgressUpdate } from "../tools/tool.js";
import type { ToolUseBlock } from "./provider.js";
import type { ToolDisplay } from "./tools.js";

export interface TerminalStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  errors: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const firstLine = (s: string) => s.trim().split("\n", 1)[0] ?? "";
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export class Terminal implements ToolDisplay {
  private readonly rl: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private closed = false;
  private step: AbortController | null = null;
  private lastIdleInterrupt = 0;
  private toolLine = "";
  /** Set when Ctrl-C is pressed twice at the prompt. */
  onExit: (() => void) | null = null;
  readonly tty: boolean;

  constructor(private readonly io: TerminalStreams) {
    this.tty = Boolean(io.errors.isTTY && io.output.isTTY && (io.input as { isTTY?: boolean }).isTTY);
    this.rl = createInterface({ input: io.input, output: this.tty ? io.output : undefined, terminal: this.tty });
    this.rl.on("line", (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(line);
      } else this.queue.push(line);
    });
    this.rl.on("close", () => {
      this.closed = true;
      this.waiter?.(null);
      this.waiter = null;
    });
    this.rl.on("SIGINT", () => this.interrupt());
  }

  /** The next line; null at end of input or when the signal aborts first. */
  private nextLine(signal?: AbortSignal): Promise<string | null> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => {
        if (this.waiter === settle) this.waiter = null;
        resolve(null);
      };
      const settle = (line: string | null) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(line);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = settle;
    });
  }

  /** The person's next message; null at end of input. */
  async read(prompt = "you> "): Promise<string | null> {
    if (this.tty) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
    }
    return this.nextLine();
  }

  /** y/N. Lines typed before the question was shown never count as an answer; end of input is "no". */
  async confirm(question: string, signal?: AbortSignal): Promise<boolean> {
    if (this.queue.length > 0) {
      this.note(`(ignoring ${this.queue.length} line(s) typed before this question)`);
      this.queue.length = 0;
    }
    this.io.errors.write(`${forTerminal(question)} [y/N] `);
    if (this.tty) this.rl.setPrompt("");
    const answer = await this.nextLine(signal);
    if (answer === null) this.io.errors.write("\n");
    return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
  }

  /** A fresh abort signal for one turn; Ctrl-C aborts it. */
  beginStep(): AbortSignal {
    this.step = new AbortController();
    return this.step.signal;
  }

  endStep(): void {
    this.step = null;
  }

  /** Ctrl-C: stop the running step; at the prompt, a second press within 2 s leaves. */
  interrupt(): void {
    if (this.step && !this.step.signal.aborted) {
      this.clearToolLine();
      this.note("^C stopping the current step…");
      this.step.abort(new Error("interrupted by the person"));
      return;
    }
    const now = Date.now();
    if (now - this.lastIdleInterrupt < 2000) {
      this.onExit?.();
      return;
    }
    this.lastIdleInterrupt = now;
    this.io.errors.write("\n(press Ctrl-C again or type /exit to leave)\n");
    if (this.tty) this.rl.prompt();
  }

  /** The model's text. */
  say(text: string): void {
    if (text.trim()) this.io.output.write(`${forTerminal(text.trimEnd())}\n`);
  }

  /** A status line for the person (stderr). */
  note(text: string): void {
    this.clearToolLine();
    this.io.errors.write(`${forTerminal(text)}\n`);
  }

  private width(): number {
    return Math.max(40, (this.io.errors.columns ?? 120) - 2);
  }

  private fit(raw: string): string {
    const s = forTerminal(raw);
    const w = this.width();
    return s.length > w ? `${s.slice(0, w - 1)}…` : s;
  }

  private clearToolLine(): void {
    if (this.tty && this.toolLine) {
      this.io.errors.write("\r\x1b[K");
      this.toolLine = "";
    }
  }

  start(_call: ToolUseBlock, line: string): void {
    if (this.tty) {
      this.toolLine = line;
      this.io.errors.write(this.fit(`  ⋯ ${line}`));
    } else this.io.errors.write(`  → ${forTerminal(line)}\n`);
  }

  progress(_call: ToolUseBlock, update: ProgressUpdate): void {
    if (!this.tty || !this.toolLine || !update.message) return;
    this.io.errors.write(`\r\x1b[K${this.fit(`  ⋯ ${this.toolLine} — ${update.message}`)}`);
  }

  end(call: ToolUseBlock, outcome: { ok: boolean; ms: number; text: string }): void {
    const label = this.tty && this.toolLine ? this.toolLine : call.name;
    this.clearToolLine();
    const mark = outcome.ok ? "✓" : "✗";
    this.io.errors.write(`${this.fit(`  ${mark} ${label} (${seconds(outcome.ms)}): ${firstLine(outcome.text)}`)}\n`);
  }

  close(): void {
    this.rl.close();
  }
}
