// `ascend-train demo`: lays out a simulated Ascend host, then drives the whole fine-tune flow through a real MCP
// client against this server (spawned over stdio), the way an assistant would: check, install, data, convert,
// configs, launch, follow, then a failing run and its diagnosis.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { commandToType } from "./cli/hints.js";
import { bold, connectDemoClient, dim } from "./demo-client.js";
import { auditLogPath } from "./hosts/audit.js";

const MODEL = "qwen2.5vl-3b";
const HF_NAME = "Qwen2.5-VL-3B-Instruct";
/** The sample's records, and the iterations the demo's runs are configured for (long enough to stop one running). */
const DEMO_RECORDS = 60;
const DEMO_ITERS = 500;
/** Audit entries the closing hint asks for: more than one demo runs. */
const AUDIT_SHOWN = 300;

/** A TCP port on this machine that nothing listens on now (the OS picks it). */
function freeLocalPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** A tool result's text, for an error that says why the demo stopped. */
function resultText(r: { content?: unknown }): string {
  const parts = Array.isArray(r.content) ? (r.content as { type?: string; text?: string }[]) : [];
  return parts
    .filter((c) => c.type === "text")
    .map((c) => c.text ?? "")
    .join("\n")
    .slice(0, 2000);
}

export async function runDemo(opts: { dir?: string; keep?: boolean }): Promise<number> {
  const started = Date.now();
  const base = opts.dir ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), "ascend-train-demo-"));
  const simDir = join(base, "host");
  const { layOutSim, makeFakeHfModel, setScenario, stopSimProcesses } = await import("./sim/index.js");
  const { writeSampleLlavaDataset } = await import("./sim/sample-data.js");

  console.log(bold("ascend-train demo: fine-tune Qwen2.5-VL-3B on a simulated Ascend host"));
  console.log(dim(`(simulated Atlas 800T A2 in ${simDir}; nothing here needs an NPU)\n`));

  process.stdout.write("• laying out the simulated host (driver and CANN only, nothing else installed) … ");
  // The demo's host is this machine: a MASTER_PORT nothing here listens on, so that another training run on this
  // machine (on the default 6000) neither fails the demo's check_env nor stops its launch at pre-flight.
  const sim = await layOutSim(simDir, { scenario: "bare", name: "sim", masterPort: await freeLocalPort() });
  const settings = { ...sim.hostSettings, env: { ...sim.hostSettings.env, ASCEND_SIM_STEP_SECONDS: "0.15" } };
  const inventory = join(base, "ascend-train.yaml");
  await writeFile(inventory, stringify({ hosts: { sim: settings } }));
  console.log("done");

  const hfDir = join(simDir, "models", HF_NAME);
  await makeFakeHfModel(hfDir, HF_NAME);
  const llava = await writeSampleLlavaDataset(join(simDir, "data"), DEMO_RECORDS);
  console.log(dim(`• ${hfDir} stands for \`huggingface-cli download Qwen/${HF_NAME}\``));
  console.log(dim(`• ${llava}: ${DEMO_RECORDS} LLaVA-style records with images\n`));

  const demo = await connectDemoClient(inventory);
  const call = demo.call;

  let failed = false;
  try {
    const envBefore = await call("check_env", { host: "sim", model: MODEL }, "what does the host have?");
    const errors = ((envBefore.structuredContent?.findings as { severity: string }[]) ?? []).filter(
      (f) => f.severity === "error",
    );
    console.log(dim(`    → ${errors.length} error finding(s): the stack must be installed\n`));

    await call("install_stack", { host: "sim", model: MODEL }, "plan the install (changes nothing)");
    await call("install_stack", { host: "sim", model: MODEL, confirm: true }, "the person confirmed: install");
    await call("check_env", { host: "sim", model: MODEL }, "verify the stack");

    const mllm = join(simDir, "data", "mllm_colours.json");
    await call("prepare_dataset", { host: "sim", input: llava, output: mllm }, "LLaVA → MindSpeed-MM format");
    await call(
      "validate_dataset",
      { host: "sim", path: mllm, imageDir: join(simDir, "data") },
      "check every record and image",
    );

    const ckpt = join(simDir, "ckpt", "mm_Qwen2.5-VL-3B-Instruct");
    await call(
      "convert_weights",
      { host: "sim", model: MODEL, hfDir, ckptDir: ckpt, confirm: true },
      "HF → Megatron layout (layer split from the same plan as the configs)",
    );
    const buildFor = async (run: string, why: string, extra: Record<string, unknown> = {}) => {
      const configs = await call(
        "build_configs",
        {
          host: "sim",
          model: MODEL,
          dataset: mllm,
          datasetDir: join(simDir, "data"),
          hfDir,
          ckptDir: ckpt,
          saveDir: join(simDir, "save", run),
          outputDir: join(simDir, "configs", run),
          trainIters: DEMO_ITERS,
          ...extra,
        },
        why,
      );
      const files = (configs.structuredContent?.files ?? []) as { role: string; path: string }[];
      const script = files.find((f) => f.role === "launch-script")?.path;
      if (!script) throw new Error("build_configs wrote no launch script");
      return { script, warnings: (configs.structuredContent?.warnings ?? []) as string[] };
    };
    const { script, warnings } = await buildFor(
      "demo-run",
      "data/model configs and the launch script (a checkpoint every 10 iterations), validated before writing",
      { saveInterval: 10 },
    );
    // The warning is true of the demo's run: said why the demo goes on anyway, rather than left for a newcomer to
    // wonder whether the demo got its own settings wrong.
    const epochs = /about (\d+) epochs/.exec(warnings.find((w) => w.includes("memorise")) ?? "")?.[1];
    if (epochs)
      console.log(
        dim(
          `    → the warning is right: ${DEMO_ITERS} iterations would read the ${DEMO_RECORDS} sample records about ${epochs} times over, and a model trained so repeats those records rather than learning the task. The demo asks for that many only so that the run is still going while it is followed, listed and stopped: its point is the flow, not the model. For a model you mean to use, do as the warning says (fewer iterations, or more data).\n`,
        ),
      );

    // On the host's own MASTER_PORT, free when the host was laid out.
    const planned = await call("launch_train", { host: "sim", script }, "pre-flight and plan (starts nothing)");
    // Confirmed as the plan asks: with the run id it showed, so the run starts under that id.
    const plannedId = planned.structuredContent?.runId;
    const launched = await call(
      "launch_train",
      {
        host: "sim",
        script,
        confirm: true,
        ...(typeof plannedId === "string" ? { runId: plannedId } : {}),
      },
      "the person confirmed: start training",
    );
    if (!launched.structuredContent?.started)
      throw new Error(`launch_train did not start the run: ${resultText(launched)}`);
    const runId = String(launched.structuredContent?.runId);
    await call("tail_logs", { runId, followSeconds: 4 }, "follow the run for a few iterations");
    await call("list_runs", { host: "sim" }, "a later session finds the run in the ledger on the host");
    await call("stop_run", { runId, confirm: true }, "stop it (the person confirmed)");

    console.log(
      bold("After training: the latest checkpoint as a Hugging Face model, then a first look at its answers.\n"),
    );
    await call("export_model", { runId }, "plan the export (changes nothing)");
    await call("export_model", { runId, confirm: true }, "the person confirmed: export and check it is complete");
    await call(
      "run_inference",
      {
        runId,
        prompt: "What colour is this?",
        images: [join(simDir, "data", "images", "red.png"), join(simDir, "data", "images", "blue.png")],
        compareBase: true,
      },
      "two sample images, fine-tuned next to base",
    );

    console.log(bold("Now a run that fails: the simulated host runs out of NPU memory at iteration 3.\n"));
    // The demo's own host, made for this run: laying it out again for the failure scenario loses nothing of the user's.
    await setScenario(simDir, "oom", { relay: true });
    const { script: second } = await buildFor(
      "demo-run-2",
      "configs for a second run (a new save directory; the same data, so the same warning)",
    );
    // It may die within the launch's settle time: then the launch itself reports the failure (isError), as it should.
    const failing = await call(
      "launch_train",
      { host: "sim", script: second, masterPort: await freeLocalPort(), confirm: true },
      "launch it",
      { mayFail: true },
    );
    if (!failing.structuredContent?.started)
      throw new Error(`launch_train did not start the failing run: ${resultText(failing)}`);
    const failingId = String(failing.structuredContent?.runId);
    await call("tail_logs", { runId: failingId, followSeconds: 10 }, "follow until it ends");
    await call("diagnose_error", { runId: failingId }, "root cause and fixes");
  } catch (error) {
    failed = true;
    console.error(`\ndemo stopped: ${(error as Error).message}`);
  } finally {
    await demo.close();
    await stopSimProcesses(simDir).catch(() => undefined);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${bold(failed ? "Demo did not finish" : "Demo finished")} in ${seconds} s with ${demo.calls()} tool calls.`,
  );
  console.log(
    dim(
      `Every host command is in the audit log ${auditLogPath()}: ${commandToType()} audit-log --host sim --limit ${AUDIT_SHOWN}`,
    ),
  );
  if (opts.keep || opts.dir) console.log(dim(`The simulated host is kept in ${simDir}.`));
  else {
    await rm(base, { recursive: true, force: true });
    console.log(dim(`Removed ${base}; keep the simulated host next time with --keep.`));
  }
  return failed ? 1 : 0;
}
