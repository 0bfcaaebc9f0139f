// `ascend-train demo --trainer trl`: lays out a simulated CUDA host with a bare venv, then drives the TRL flow through
// a real MCP client against this server (spawned over stdio): check, install the TRL stack, write the SFT script,
// launch, follow, export the LoRA run as a checked Q4_K_M GGUF file, then a run that runs out of GPU memory and its
// diagnosis.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { commandToType } from "./cli/hints.js";
import { bold, connectDemoClient, dim } from "./demo-client.js";
import { auditLogPath } from "./hosts/audit.js";

const MODEL = "Qwen/Qwen2.5-0.5B-Instruct";
const HOST = "gpu-sim";

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

  const demo = await connectDemoClient(inventory);
  const call = demo.call;
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
    await demo.close();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${bold(failed ? "Demo did not finish" : "Demo finished")} in ${seconds} s with ${demo.calls()} tool calls.`,
  );
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
