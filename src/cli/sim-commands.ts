// `ascend-train sim init | scenario | stop`: lay out, switch and stop the simulated hosts. Each says what it did, and
// each refuses (exit 1, nothing changed) rather than delete a host, replace an inventory entry or end a running
// training run without being asked.
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { UsageError } from "./flags.js";

/** --master-port: a port launch_train accepts. */
const MasterPortFlag = z.coerce.number().int().min(1024).max(65535);

/** The exit codes to keep, their help text, and how suggested commands are typed here (npx or not). */
export interface SimCommandContext {
  help: string;
  failed: number;
  asTyped: (text: string) => string;
}

const inventoryFile = () => process.env.ASCEND_TRAIN_CONFIG ?? join(process.cwd(), "ascend-train.yaml");

/** Prints a refusal whole (it spans lines) and sets the "ran and refused" exit code. */
async function refusing(action: () => Promise<void>, exit: SimCommandContext): Promise<void> {
  const { SimRefusal } = await import("../sim/index.js");
  try {
    await action();
  } catch (error) {
    if (!(error instanceof SimRefusal)) throw error;
    process.stderr.write(`${exit.asTyped(error.message)}\n`);
    process.exitCode = exit.failed;
  }
}

export function addSimCommands(program: Command, exit: SimCommandContext): void {
  const sim = program.command("sim").description("The simulated Ascend host (for demos and tests; no NPU needed).");
  sim
    .command("init")
    .argument("[dir]", "where to lay it out (default: .ascend-train/sim, or .ascend-train/cuda-sim with cuda)")
    .option(
      "--scenario <id>",
      "healthy, bare, cann-not-sourced, torch-npu-mismatch, npu-busy, small-shm, oom, port-in-use, hang, nan-loss",
      "healthy",
    )
    .option("--name <host>", "host name to add to ./ascend-train.yaml (default: sim, or cuda-sim with cuda)")
    .description(
      "Lay out a simulated Atlas 800T A2 host and add it to ./ascend-train.yaml. Refuses a directory that already " +
        "holds a host (--force deletes it and lays it out again) and a host name the inventory gives another host.",
    )
    .option("--release <tag>", "MindSpeed-MM release installed on it (default: the newest)")
    .option("--model <id>", "model whose Hugging Face directory and a sample dataset are laid out", "qwen2.5vl-3b")
    .option("--accelerator <kind>", "ascend (an Atlas 800T A2) or cuda (an 8x H100 machine for TRL)", "ascend")
    .option(
      "--master-port <port>",
      "the host's MASTER_PORT (1024-65535, default 6000), set in its inventory entry: launch-train, plan-finetune and " +
        "check-env use it, and port-in-use's listener holds it. Another port keeps this host's runs off a port " +
        "that a second simulated host or another program on this machine uses",
    )
    .option("--force", "lay out over an existing host in the directory, deleting everything in it")
    .addHelpText("after", exit.help)
    .action(
      async (
        dirArg: string | undefined,
        options: {
          scenario: string;
          name?: string;
          release?: string;
          model: string;
          accelerator: string;
          masterPort?: string;
          force?: boolean;
        },
      ) => {
        const { simInitCommand, isScenarioId, SCENARIO_IDS } = await import("../sim/index.js");
        if (options.accelerator !== "ascend" && options.accelerator !== "cuda")
          throw new UsageError(`Unknown accelerator "${options.accelerator}". Known: ascend, cuda.`);
        const force = options.force === true;
        const port = options.masterPort === undefined ? undefined : MasterPortFlag.safeParse(options.masterPort);
        if (port && !port.success)
          throw new UsageError(`--master-port must be a whole number from 1024 to 65535; got "${options.masterPort}".`);
        if (port && options.accelerator === "cuda")
          throw new UsageError("--master-port sets an Ascend host's MASTER_PORT; a cuda host has none to set.");
        if (options.accelerator === "cuda") {
          const { simInitCudaCommand } = await import("../sim/index.js");
          const dir = dirArg ?? ".ascend-train/cuda-sim";
          await refusing(async () => {
            const summary = await simInitCudaCommand(dir, {
              name: options.name ?? "cuda-sim",
              inventoryFile: inventoryFile(),
              bare: options.scenario === "bare",
              force,
              typed: { dir, flags: "--accelerator cuda" },
            });
            process.stdout.write(`${exit.asTyped(summary)}\n`);
          }, exit);
          return;
        }
        const dir = dirArg ?? ".ascend-train/sim";
        const { normalizeRelease, RELEASE_TAGS } = await import("../knowledge/release-tags.js");
        if (!isScenarioId(options.scenario)) {
          throw new UsageError(`Unknown scenario "${options.scenario}". Known: ${SCENARIO_IDS.join(", ")}.`);
        }
        const release = options.release ? normalizeRelease(options.release) : undefined;
        const { lookupModel } = await import("../knowledge/lookup.js");
        const found = lookupModel(options.model);
        if (found.status !== "model")
          throw new UsageError(`Unknown model "${options.model}"; see ascend-train find-model ${options.model}.`);
        if (release === null)
          throw new UsageError(`Unknown release "${options.release}". Known: ${RELEASE_TAGS.join(", ")}.`);
        const scenario = options.scenario;
        await refusing(async () => {
          const summary = await simInitCommand(dir, {
            scenario,
            name: options.name ?? "sim",
            inventoryFile: inventoryFile(),
            release,
            model: found.model.id,
            force,
            ...(port ? { masterPort: port.data } : {}),
            typed: { dir },
          });
          process.stdout.write(`${exit.asTyped(summary)}\n`);
        }, exit);
      },
    );
  sim
    .command("scenario")
    .argument("<dir>", "a simulated host directory")
    .argument("<id>", "scenario id")
    .option(
      "--force",
      "switch even while a training run is active on the host (the switch stops it), or into or out of bare " +
        "(which lays the host out again, deleting what was made on it)",
    )
    .description(
      "Switch a simulated host to another failure scenario (healthy, bare, cann-not-sourced, torch-npu-mismatch, " +
        "npu-busy, small-shm, oom, port-in-use, hang, nan-loss). Refuses while a training run is active on it unless " +
        "--force (which stops the run: it then reads failed in list-runs). Switching into bare, or out of it before " +
        "install-stack has installed the stack there, lays the host out again, so it is refused unless --force; lay " +
        "out a second host instead to keep this one's work.",
    )
    .addHelpText("after", exit.help)
    .action(async (dir: string, id: string, options: { force?: boolean }) => {
      const {
        activeRuns,
        installedSinceBare,
        isScenarioId,
        readSimState,
        SCENARIO_IDS,
        SCENARIOS,
        scenarioNextSteps,
        setScenario,
        switchRelays,
      } = await import("../sim/index.js");
      if (!isScenarioId(id)) throw new UsageError(`Unknown scenario "${id}". Known: ${SCENARIO_IDS.join(", ")}.`);
      const state = await readSimState(dir);
      const installed = state.scenario === "bare" && installedSinceBare(dir);
      if (switchRelays(state.scenario, id, installed) && options.force !== true) {
        process.stderr.write(
          `${exit.asTyped(
            [
              `refused: switching ${dir} from ${state.scenario} to ${id} lays the simulated host out again: its MindSpeed-MM checkout (data, configs, checkpoints, run logs and records), venv and mirrors would be deleted.`,
              "Nothing was changed. Keep this host and lay out a second one for the other scenario, or lay this one out again anyway:",
              `  ascend-train sim init ${dir}-${id} --scenario ${id} --name ${state.name}-${id}`,
              `  ascend-train sim scenario ${dir} ${id} --force`,
            ].join("\n"),
          )}\n`,
        );
        process.exitCode = exit.failed;
        return;
      }
      const runs = await activeRuns(dir);
      const runLines = runs.map((r) => `  pid ${r.pid}: ${r.what}`);
      if (runs.length > 0 && options.force !== true) {
        process.stderr.write(
          `${exit.asTyped(
            [
              `refused: a training run is active on ${dir}; switching to ${id} would stop it (and it would read failed).`,
              ...runLines,
              "Nothing was changed. Stop the run first, or switch anyway:",
              `  ascend-train list-runs --host ${state.name} --active   # its RUN_ID`,
              `  ascend-train stop-run RUN_ID --host ${state.name} --confirm`,
              `  ascend-train sim scenario ${dir} ${id} --force`,
            ].join("\n"),
          )}\n`,
        );
        process.exitCode = exit.failed;
        return;
      }
      await setScenario(dir, id, { relay: options.force === true });
      const { recordSimScenario } = await import("../sim/index.js");
      const recorded = await recordSimScenario(inventoryFile(), state.name, id);
      const description = SCENARIOS.find((s) => s.id === id)?.description ?? "";
      const lines = [
        `${dir}: scenario ${id} (was ${state.scenario}) - ${description}`,
        ...(recorded.sourceCann !== null
          ? [
              `${inventoryFile()}: host ${state.name} sourceCann ${recorded.sourceCann} (the scenario is how the host is reached)`,
            ]
          : []),
        ...(recorded.description !== null
          ? [`${inventoryFile()}: host ${state.name} description "${recorded.description}"`]
          : []),
        ...(runs.length > 0 ? ["Stopped the active training run (it now reads failed):", ...runLines] : []),
        "Next:",
        ...scenarioNextSteps(id, state.name).map((s) => `  ${s}`),
      ];
      process.stdout.write(`${exit.asTyped(lines.join("\n"))}\n`);
    });
  sim
    .command("stop")
    .argument("<dir>", "a simulated host directory")
    .description("Stop every process the simulated host started (training runs, NPU holders, port listeners).")
    .action(async (dir: string) => {
      const { simProcesses, stopSimProcesses } = await import("../sim/index.js");
      const described = await simProcesses(dir);
      const stopped = await stopSimProcesses(dir);
      const named = described.filter((p) => stopped.includes(p.pid));
      const others = stopped.length - named.length;
      const lines =
        stopped.length === 0
          ? [`${dir}: nothing was running.`]
          : [
              `${dir}: stopped ${stopped.length} process${stopped.length === 1 ? "" : "es"}:`,
              ...named.map((p) => `  pid ${p.pid}: ${p.what}`),
              ...(others > 0 ? [`  ${others} launcher process${others === 1 ? "" : "es"} (torchrun)`] : []),
            ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
