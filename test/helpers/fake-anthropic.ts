// A local server that speaks the Anthropic Messages API (POST /v1/messages) from a script of turns, so the chat
// agent runs through the real SDK and wire format. Each request consumes the next turn; a request after the script
// ends, or one the real API would reject (tool_use without its tool_result, roles out of order), gets an error reply
// that fails the test loudly.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough, Writable } from "node:stream";

type Json = Record<string, unknown>;

export interface WireBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: Json;
  tool_use_id?: string;
  is_error?: boolean;
  content?: string | WireBlock[];
}

export interface WireMessage {
  role: "user" | "assistant";
  content: string | WireBlock[];
}

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: {
    model: string;
    max_tokens: number;
    system?: string;
    tools?: Json[];
    messages: WireMessage[];
    stream?: boolean;
  };
}

/** What one scripted reply says. `tools` become tool_use blocks (ids generated unless given). */
export interface ScriptedReply {
  text?: string;
  tools?: { name: string; input?: Json; id?: string }[];
  /** Defaults to "tool_use" when tools are present, else "end_turn". */
  stopReason?: string;
  /** Holds the reply back (to test interrupting a slow request). */
  delayMs?: number;
}

export interface ScriptedError {
  status: number;
  type: string;
  message: string;
}

export type Turn = ScriptedReply | ScriptedError | ((request: RecordedRequest) => ScriptedReply | ScriptedError);

/** The model calls one tool (optionally saying something first). */
export const callTool = (name: string, input: Json = {}, text?: string): ScriptedReply => ({
  text,
  tools: [{ name, input }],
});
/** The model calls several tools in one round. */
export const callTools = (...tools: { name: string; input?: Json }[]): ScriptedReply => ({ tools });
/** The model ends its turn with text. */
export const say = (text: string): ScriptedReply => ({ text });
/** The API answers with an HTTP error. */
export const apiError = (status: number, message: string, type = "api_error"): ScriptedError => ({
  status,
  type,
  message,
});

const isError = (t: ScriptedReply | ScriptedError): t is ScriptedError => "status" in t;

/** The tool_result blocks of the last user message of a request (what the model "sees" from its tool calls). */
export function lastToolResults(request: RecordedRequest): { toolUseId: string; isError: boolean; text: string }[] {
  const last = request.body.messages.at(-1);
  if (!last || typeof last.content === "string") return [];
  return last.content
    .filter((b) => b.type === "tool_result")
    .map((b) => ({
      toolUseId: b.tool_use_id ?? "",
      isError: b.is_error === true,
      text:
        typeof b.content === "string"
          ? b.content
          : (b.content ?? []).map((c) => (c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n"),
    }));
}

/** What the real API would reject with a 400: tool_use not answered in the next message, roles not alternating. */
function structuralProblem(messages: WireMessage[]): string | null {
  if (messages[0]?.role !== "user") return "messages: the first message must use the user role";
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as WireMessage;
    if (i > 0 && messages[i - 1]?.role === m.role) return `messages.${i}: roles must alternate`;
    if (Array.isArray(m.content) && m.content.length === 0) return `messages.${i}: content must not be empty`;
    if (m.role !== "assistant" || typeof m.content === "string") continue;
    const ids = m.content.filter((b) => b.type === "tool_use").map((b) => b.id);
    if (ids.length === 0) continue;
    const next = messages[i + 1];
    if (!next) return `messages.${i}: tool_use ids were found without tool_result blocks immediately after`;
    const answered = new Set(
      typeof next.content === "string"
        ? []
        : next.content.filter((b) => b.type === "tool_result").map((b) => b.tool_use_id),
    );
    const missing = ids.filter((id) => !answered.has(id));
    if (missing.length) return `messages.${i + 1}: tool_use ids without tool_result: ${missing.join(", ")}`;
  }
  return null;
}

export interface FakeAnthropic {
  url: string;
  readonly requests: RecordedRequest[];
  /** Assertions that failed inside scripted turns. */
  readonly failures: Error[];
  /** Turns not yet used. */
  remaining(): number;
  /** Appends turns to the script. */
  push(...turns: Turn[]): void;
  /** Forgets the script, the requests and the failures (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(script: Turn[] = []): Promise<FakeAnthropic> {
  const turns = [...script];
  const requests: RecordedRequest[] = [];
  const failures: Error[] = [];
  let ids = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: Json) => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json", "request-id": `req_fake_${requests.length}` });
        res.end(JSON.stringify(body));
      };
      const error = (status: number, type: string, message: string) =>
        send(status, { type: "error", error: { type, message } });
      if (req.method !== "POST" || req.url?.split("?")[0] !== "/v1/messages")
        return error(404, "not_found_error", `no route ${req.method} ${req.url}`);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RecordedRequest["body"];
      const request: RecordedRequest = { headers: req.headers, body };
      requests.push(request);
      if (body.stream) return error(400, "invalid_request_error", "the fake serves non-streaming requests only");
      const problem = structuralProblem(body.messages ?? []);
      if (problem) return error(400, "invalid_request_error", problem);
      const next = turns.shift();
      if (!next) return error(500, "api_error", `fake script exhausted at request ${requests.length}`);
      let turn: ScriptedReply | ScriptedError;
      try {
        turn = typeof next === "function" ? next(request) : next;
      } catch (failure) {
        // An assertion inside a scripted turn: kept for the test to report, and answered so the client stops.
        failures.push(failure as Error);
        return error(400, "invalid_request_error", `scripted turn failed: ${(failure as Error).message}`);
      }
      if (isError(turn)) return error(turn.status, turn.type, turn.message);
      const content: Json[] = [];
      if (turn.text) content.push({ type: "text", text: turn.text });
      for (const t of turn.tools ?? [])
        content.push({ type: "tool_use", id: t.id ?? `toolu_fake_${++ids}`, name: t.name, input: t.input ?? {} });
      const reply = {
        id: `msg_fake_${requests.length}`,
        type: "message",
        role: "assistant",
        model: body.model,
        content,
        stop_reason: turn.stopReason ?? (turn.tools?.length ? "tool_use" : "end_turn"),
        stop_sequence: null,
        usage: { input_tokens: JSON.stringify(body.messages).length >> 2, output_tokens: 10 },
      };
      if (turn.delayMs) setTimeout(() => send(200, reply), turn.delayMs);
      else send(200, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failures,
    remaining: () => turns.length,
    push: (...more) => turns.push(...more),
    reset: () => {
      turns.length = 0;
      requests.length = 0;
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A stream that keeps what was written and can wait for a pattern. */
export class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.emit("text");
    done();
  }

  waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off("text", check);
        reject(new Error(`timed out waiting for ${pattern}; got:\n${this.text}`));
      }, timeoutMs);
      const check = () => {
        if (!pattern.test(this.text)) return;
        clearTimeout(timer);
        this.off("text", check);
        resolve();
      };
      this.on("text", check);
    });
  }
}

/**
 * Terminal streams for a chat session plus a scripted person. With `answers`, each "[y/N]" question gets the next
 * one and a question beyond them ends the input; without, the test answers by hand with `type`.
 */
export function personAtTerminal(answers?: string[]) {
  const input = new PassThrough();
  const output = new Capture();
  const errors = new Capture();
  const pending = [...(answers ?? [])];
  let asked = 0;
  errors.on("text", () => {
    if (!answers) return;
    const questions = errors.text.split("[y/N]").length - 1;
    while (asked < questions) {
      asked++;
      const answer = pending.shift();
      if (answer !== undefined) input.write(`${answer}\n`);
      else if (!input.writableEnded) input.end();
    }
  });
  return {
    streams: { input, output, errors },
    stdout: output,
    stderr: errors,
    /** The person types a line. */
    type: (line: string) => input.write(`${line}\n`),
    /** End of input (Ctrl-D). */
    leave: () => input.end(),
    /** Questions answered from the script (only counted with `answers`). */
    questionsAsked: () => asked,
  };
}
