// The whole fine-tune conversation as a model would hold it, served by the fake Messages API: plan_finetune, then
// each step the plan marks todo, every call's arguments read from earlier tool results, then tail_logs and a summary.
// A scripted person at the terminal types the request, answers each y/N question, and leaves after the summary.
// Shared by the e2e test and the flow bench; no test framework in here (failures are thrown into the fake).
import { execFileSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { runChat } from "../../src/agent/chat.js";
import type { HostRegistry } from "../../src/hosts/registry.js";
import { makeFakeHfModel } from "../../src/sim/index.js";
import { writeSampleLlavaDataset } from "../../src/sim/sample-data.js";
import {
  type FakeAnthropic,
  lastToolResults,
  personAtTerminal,
  type RecordedRequest,
  type Turn,
} from "./fake-anthropic.js";

export const FLOW_MODEL = "qwen2.5vl-3b";
export const FLOW_HF_NAME = "Qwen2.5-VL-3B-Instruct";

/** The tools that change a host and so ask the person first, in the order the flow calls them. */
export const FLOW_DESTRUCTIVE = ["install_stack", "convert_weights", "launch_train"] as const;

export interface FlowData {
  /** LLaVA-style records (conversations + image), images beside it. */
  dataset: string;
  hfDir: string;
}

/** What the person brings: a small LLaVA dataset with PNGs and downloaded HF weights, inside the sim directory. */
export async function writeFlowData(simDir: string, owner?: string): Promise<FlowData> {
  const dataDir = join(simDir, "data");
  const hfDir = join(simDir, "models", FLOW_HF_NAME);
  const dataset = await writeSampleLlavaDataset(dataDir, 12);
  await makeFakeHfModel(hfDir, FLOW_HF_NAME);
  // The SSH user writes next to its data (the converted dataset) and reads the weights.
  if (owner) execFileSync("chown", ["-R", `${owner}:`, dataDir, join(simDir, "models")]);
  return { dataset, hfDir };
}

type Json = Record<string, unknown>;

export interface FlowCall {
  name: string;
  input: Json;
}

/** What the scripted model saw and did, for the caller to assert on. */
export interface FlowLog {
  calls: FlowCall[];
  /** Structured results by tool name (the latest call of each). */
  results: Record<string, Json>;
  runId?: string;
  script?: string;
}

const MARKER = "Structured result (JSON):\n";

/** The structured result of the call just answered; a failed or unreadable result fails the conversation. */
function resultOf(req: RecordedRequest, log: FlowLog): Json {
  const [result] = lastToolResults(req);
  const call = log.calls.at(-1);
  if (!result || !call) throw new Error("expected a tool result in the last message");
  if (result.isError) throw new Error(`${call.name} failed: ${result.text}`);
  // Image blocks (charts) follow the text block as "[image]" lines.
  const text = result.text.replace(/(\n\[image\])+$/, "");
  const at = text.lastIndexOf(MARKER);
  if (at < 0) throw new Error(`${call.name}: no structured result in ${text.slice(0, 300)}`);
  let parsed: Json;
  try {
    parsed = JSON.parse(text.slice(at + MARKER.length)) as Json;
  } catch (error) {
    throw new Error(`${call.name}: structured result is not JSON (${(error as Error).message})`);
  }
  log.results[call.name] = parsed;
  return parsed;
}

interface PlanStep {
  tool: string;
  status: string;
  detail: string;
  args: Json;
}

export interface FlowOptions extends FlowData {
  host: string;
  model?: string;
  /** How long tail_logs follows the new run. */
  followSeconds?: number;
}

/** The person's request that opens the conversation. */
export const flowRequest = (o: FlowOptions) =>
  `Fine-tune ${o.model ?? FLOW_MODEL} on host ${o.host} with my LLaVA data in ${o.dataset} (images next to it). ` +
  `The Hugging Face weights are already downloaded to ${o.hfDir}. Start the training.`;

/**
 * The model's turns. Each one reads the previous tool result: the plan decides which steps run, prepare_dataset's
 * output becomes the dataset, convert_weights' output the checkpoint, build_configs' launch script what launches,
 * launch_train's run id what is followed.
 */
export function finetuneTurns(o: FlowOptions, log: FlowLog): Turn[] {
  const model = o.model ?? FLOW_MODEL;
  let plan: PlanStep[] = [];
  const call = (name: string, input: Json, text?: string) => {
    log.calls.push({ name, input });
    return { text, tools: [{ name, input }] };
  };
  const step = (tool: string): PlanStep => {
    const s = plan.find((p) => p.tool === tool);
    if (!s) throw new Error(`plan_finetune has no ${tool} step`);
    return s;
  };
  const todo = (tool: string) => {
    const s = step(tool);
    if (s.status !== "todo") throw new Error(`on an empty host ${tool} should be todo, got ${s.status}: ${s.detail}`);
    return s;
  };
  return [
    (req) => {
      const first = req.body.messages[0];
      const text = typeof first?.content === "string" ? first.content : (first?.content[0]?.text ?? "");
      if (!text.includes(o.dataset)) throw new Error("the person's request did not reach the model");
      return call("plan_finetune", { host: o.host, model, dataset: o.dataset }, "First, what the host already has.");
    },
    (req) => {
      plan = resultOf(req, log).steps as PlanStep[];
      return call(
        "install_stack",
        { ...todo("install_stack").args, confirm: true },
        "The stack is missing: install it.",
      );
    },
    (req) => {
      const installed = resultOf(req, log);
      if (installed.status !== "installed") {
        const errors = (installed.steps as { id: string; error?: string }[]).filter((st) => st.error);
        throw new Error(
          `install_stack ended ${installed.status}: ${errors.map((e) => `${e.id}: ${e.error}`).join("; ")}`,
        );
      }
      const args = todo("prepare_dataset").args;
      const input = String(args.input);
      return call("prepare_dataset", { ...args, output: join(dirname(input), `mllm_${basename(input)}`) });
    },
    (req) => {
      resultOf(req, log);
      // The plan's weight directory is empty; the person said where the weights are.
      return call("convert_weights", { ...todo("convert_weights").args, hfDir: o.hfDir, confirm: true });
    },
    (req) => {
      const converted = resultOf(req, log);
      const dataset = String(log.results.prepare_dataset?.output);
      return call("build_configs", {
        ...todo("build_configs").args,
        dataset,
        datasetDir: dirname(dataset),
        hfDir: o.hfDir,
        ckptDir: String(converted.output),
      });
    },
    (req) => {
      const files = resultOf(req, log).files as { role: string; path: string }[];
      log.script = files.find((f) => f.role === "launch-script")?.path;
      if (!log.script) throw new Error("build_configs wrote no launch script");
      return call("launch_train", { ...todo("launch_train").args, script: log.script, confirm: true });
    },
    (req) => {
      const launched = resultOf(req, log);
      if (launched.started !== true) throw new Error("launch_train did not start the run");
      log.runId = String(launched.runId);
      return call("tail_logs", { runId: log.runId, followSeconds: o.followSeconds ?? 2, lines: 5 });
    },
    (req) => {
      const tail = resultOf(req, log);
      const latest = (tail.latest ?? {}) as { iteration?: number; totalIterations?: number; loss?: number };
      return {
        text:
          `Run ${log.runId} is ${tail.state} on ${o.host}: iteration ${latest.iteration}/${latest.totalIterations}, ` +
          `loss ${latest.loss}. Follow it with tail_logs; stop it with stop_run.`,
      };
    },
  ];
}

export interface ChatRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The tool each y/N question was about, in order. */
  asked: string[];
  log: FlowLog;
}

export interface DriveOptions {
  fake: FakeAnthropic;
  hosts: HostRegistry;
  flow: FlowOptions;
  transcript: string;
  env?: NodeJS.ProcessEnv;
  /** Called while a question waits (the tool has not run yet); the answer is typed after it settles. */
  beforeAnswer?: (tool: string, log: FlowLog) => Promise<void> | void;
  /** The person's answer per tool (default "y"). */
  answer?: (tool: string) => string;
  /** The turns to serve (default: the whole fine-tune). */
  turns?: (log: FlowLog) => Turn[];
  /** Stdout text that ends the conversation (default: the final summary). */
  until?: RegExp;
}

/** The chat's question: "  ? <title>: <tool> <args>" then "    Run it? [y/N] ". */
const QUESTION = /^ {2}\? [^:\n]*: ([a-z_]+)[^\n]*\n {4}Run it\? \[y\/N\] /gm;

/** An interactive `ascend-train chat` in-process, through the real SDK, with a person typing at its terminal. */
export async function driveChat(o: DriveOptions): Promise<ChatRun> {
  const log: FlowLog = { calls: [], results: {} };
  o.fake.push(...(o.turns ?? ((l) => finetuneTurns(o.flow, l)))(log));
  const person = personAtTerminal();
  const asked: string[] = [];
  let answering = Promise.resolve();
  let failure: unknown = null;
  person.stderr.on("text", () => {
    const questions = [...person.stderr.text.matchAll(QUESTION)].map((m) => m[1]!);
    while (asked.length < questions.length) {
      const tool = questions[asked.length]!;
      asked.push(tool);
      answering = answering.then(async () => {
        try {
          await o.beforeAnswer?.(tool, log);
        } catch (error) {
          failure ??= error;
        }
        person.type(o.answer?.(tool) ?? "y");
      });
    }
  });
  const done = runChat(
    { transcript: o.transcript, host: o.flow.host },
    {
      env: { ANTHROPIC_API_KEY: "sk-flow", ANTHROPIC_BASE_URL: o.fake.url, ...o.env },
      streams: person.streams,
      hosts: o.hosts,
    },
  );
  person.type(flowRequest(o.flow));
  const until = o.until ?? /Follow it with tail_logs/;
  // The person leaves once the model has said its last word, a scripted turn has failed, or the chat ended.
  let ended = false;
  done.then(
    () => (ended = true),
    () => (ended = true),
  );
  const deadline = Date.now() + 120_000;
  while (!until.test(person.stdout.text) && o.fake.failures.length === 0 && !ended && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await answering;
  person.leave();
  const code = await done;
  if (o.fake.failures[0]) throw o.fake.failures[0];
  if (failure) throw failure;
  return { code, stdout: person.stdout.text, stderr: person.stderr.text, asked, log };
}
