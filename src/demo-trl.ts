// `ascend-train demo --trainer trl`: lays out a simulated CUDA host with a bare venv, then drives the TRL flow through
// a real MCP client against this server (spawned over stdio): check, install the TRL stack, write the SFT script,
// launch, follow, export the LoRA run as a checked Q4_K_M GGUF file, then a run that runs out of GPU memory and its
// diagnosis.
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { stringify } from "yaml";
import { commandToType } from "./cli/hints.js";
import { auditLogPath } from "./hosts/audit.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = [join(HERE, "..", "bin", "ascend-train.js"), join(HERE, "..", "..", "bin", "ascend-train.js")].find((p) =>
  existsSync(p),
) as string;
const MODEL = "Qwen/Qwen2.5-0.5B-Instruct";
const HOST = "gpu-sim";

type Result = { structuredContent?: Record<string, unknown>; content?: unknown[]; isError?: boolean };

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function textOf(r: Result): string {
  return (r.content ?? [])
    .filter((c): c is { type: "text"; text: string } => (c as { type: string }).type === "text")
    .map((c) => c.text)
    .join("\n");
}

function indent(text: string, max = 14): string {
  const lines = text.trim().split("\n");
  const shown = lines.slice(0, max).map((l) => `    ${l}`);
  if (lines.length > max) shown.push(dim(`    … ${lines.length - max} more lines`));
  return shown.join("\n");
}

export async function runTrlDemo(opts: { dir?: string; keep?: boolean }): Promise<number> {
  const started = Date.now();
  const base = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), "ascend-train-demo-trl-"));
  const simDir = join(base, "host");
  const { layOutCudaSim, layOutTrlSampleData } = await import("./sim/index.js");

  console.log(bold(`ascend-train demo: LoRA fine-tune ${MODEL} with TRL on a simulated CUDA host`));
  console.log(dim(`(simulated 8x H100 machine in ${simDir}; nothing here needs a GPU)\n`));
  process.stdout.write("• laying out the simulated host (driver, CUDA, a venv with pip only, no llama.cpp) … ");
  const sim = await layOutCudaSim(simDir, undefined, { bare: true });
  const data = await layOutTrlSampleData(sim.hostSettings.workdir!);
  const settings = { ...sim.hostSettings, env: { ...sim.hostSettings.env, CUDA_SIM_STEP_SECONDS: "0.05" } };
  const inventory = join(base, "ascend-train.yaml");
  await writeFile(inventory, stringify({ hosts: { [HOST]: settings } }));
  console.log("done");
  console.log(dim(`• ${data.sft}: chat records in TRL's conversational format\n`));

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp"],
    env: {
      ...getDefaultEnvironment(),
      ASCEND_TRAIN_CONFIG: inventory,
      ASCEND_TRAIN_AUDIT_LOG: auditLogPath(),
      // The server runs the same code as this process (the sources, when started from them).
      ...(process.env.ASCEND_TRAIN_FROM_SOURCE ? { ASCEND_TRAIN_FROM_SOURCE: "1" } : {}),
    },
    stderr: "inherit",
  });
  const client = new Client({ name: "ascend-train-demo", version: "1.0.0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  console.log(`${bold("MCP client connected")} to ascend-train over stdio: ${tools.length} tools\n`);

  let calls = 0;
  const call = async (name: string, args: Record<string, unknown>, why: string): Promise<Result> => {
    calls++;
    console.log(`${bold(`[${calls}] ${name}`)} ${dim(`— ${why}`)}`);
    const shown = JSON.stringify(args);
    console.log(dim(`    ${shown.length > 160 ? `${shown.slice(0, 157)}…` : shown}`));
    const r = (await client.callTool({ name, arguments: args }, undefined, {
      timeout: 300_000,
      resetTimeoutOnProgress: true,
    })) as Result;
    console.log(indent(textOf(r)));
    if (r.isError) throw new Error(`${name} failed: ${textOf(r)}`);
    console.log();
    return r;
  };
  const build = async (name: string, why: string) => {
    const built = await call(
      "build_configs",
      {
        host: HOST,
        trainer: "trl",
        method: "sft",
        model: MODEL,
        dataset: data.sft,
        trainIters: 20,
        outputDir: join(simDir, "work", "configs", name),
        saveDir: join(simDir, "work", "outputs", name),
      },
      why,
    );
    const files = (built.structuredContent?.files ?? []) as { path: string }[];
    if (!files[0]) throw new Error("build_configs wrote no script");
    return files[0].path;
  };
  const launch = async (script: string, why: string) => {
    const r = await call("launch_train", { host: HOST, script, confirm: true, settleSeconds: 0 }, why);
    if (!r.structuredContent?.started) throw new Error("launch_train did not start the run");
    return String(r.structuredContent.runId);
  };

  let failed = false;
  try {
    await call("check_env", { host: HOST }, "what does the host have?");
    await call(
      "install_stack",
      { host: HOST, extras: ["gguf"] },
      "plan the TRL stack and llama.cpp for GGUF export (changes nothing)",
    );
    await call(
      "install_stack",
      { host: HOST, extras: ["gguf"], confirm: true },
      "the person confirmed: pip install, clone and build llama.cpp, then check_env",
    );
    const script = await build("demo-sft", "the PEP 723 SFT script (LoRA), the dataset's columns checked first");
    await call("launch_train", { host: HOST, script }, "pre-flight and plan (starts nothing)");
    const runId = await launch(script, "the person confirmed: accelerate launch, detached");
    await call("tail_logs", { runId, followSeconds: 3 }, "follow the run to its end");
    await call("list_runs", { host: HOST }, "the run in the ledger on the host");

    console.log(bold("After training: the adapter merged into its base and exported as a quantized GGUF file.\n"));
    await call("export_model", { runId, format: "gguf" }, "plan: merge, convert_hf_to_gguf.py, llama-quantize");
    await call(
      "export_model",
      { runId, format: "gguf", quantization: "q4_k_m", confirm: true },
      "the person confirmed: export Q4_K_M and check the file's header",
    );

    console.log(bold("Now a run that fails: the simulated GPUs run out of memory at step 3.\n"));
    await writeFile(join(simDir, ".sim", "trl-failure"), "oom@3\n");
    const second = await build("demo-sft-2", "the same script in a second directory");
    const failingId = await launch(second, "launch it");
    await call("tail_logs", { runId: failingId, followSeconds: 3 }, "follow until it ends");
    await call("diagnose_error", { runId: failingId }, "root cause and the trainer's fixes");
  } catch (error) {
    failed = true;
    console.error(`\ndemo stopped: ${(error as Error).message}`);
  } finally {
    await client.close().catch(() => undefined);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${bold(failed ? "Demo did not finish" : "Demo finished")} in ${seconds} s with ${calls} tool calls.`);
  console.log(
    dim(
      `Every host command is in the audit log ${auditLogPath()}: ${commandToType()} audit-log --host ${HOST} --limit 300`,
    ),
  );
  if (opts.keep || opts.dir) console.log(dim(`The simulated host is kept in ${simDir}.`));
  else {
    await rm(base, { recursive: true, force: true });
    console.log(dim(`Removed ${base}; keep the simulated host next time with --keep.`));
  }
  return failed ? 1 : 0;
}
