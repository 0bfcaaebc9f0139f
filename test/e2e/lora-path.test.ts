// A LoRA fine-tune from configs to an exported model, in a shell, following only what the CLI prints: build-configs
// --variant lora names the conversion of its own base, the conversion names the launch, and after training
// run-inference names the merge (not an export that export-model would refuse), the merge names the export of the
// merged checkpoint, and that export writes a complete Hugging Face directory. Each printed call is run as printed
// (with --confirm where it only plans), and each must exit 0.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseShell } from "shell-quote";
import { afterAll, describe, expect, it } from "vitest";
import { stopSimProcesses } from "../../src/sim/index.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";
import { freePort } from "../helpers/free-port.js";
import { waitFor } from "../helpers/local-sim.js";
import { CLI } from "../helpers/mcp.js";

const dir = mkdtempSync(join(tmpdir(), "lora-path-"));
afterAll(async () => {
  await stopSimProcesses(join(dir, "sim-host")).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ASCEND_SIM_STEP_SECONDS: "0.05" },
    timeout: 180_000,
  });
  expect(r.status, `${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  if (!args.includes("--json")) expect(hintProblems(r.stdout, { host: "sim" }), r.stdout).toEqual([]);
  return r.stdout;
}

/** The argv of the one printed call of `tool` in `output`, as printed. */
function printed(output: string, tool: string): string[] {
  const calls = printedCommands(output).filter((c) => c.tool === tool);
  expect(calls.length, `${tool} in:\n${output}`).toBe(1);
  // The call as the sentence ends it: its last word without the full stop after it.
  const words = (parseShell(calls[0]!.text) as string[]).slice(1);
  return words.map((w, i) => (i === words.length - 1 ? w.replace(/[.,;:]+$/, "") : w));
}

describe("a LoRA run, from configs to an exported model, by the calls the CLI prints", () => {
  it("each printed next call works as printed, and the export is complete", async () => {
    cli(["sim", "init", "./sim-host", "--master-port", String(await freePort())]);
    const built = cli([
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--variant",
      "lora",
      "--global-batch-size",
      "8",
      "--train-iters",
      "10",
      "--save-interval",
      "10",
    ]);
    expect(built).toContain("configs/qwen2.5vl-3b-lora/");
    // Its base is missing: the call that converts it, as the configs load it.
    const converted = cli([...printed(built, "convert_weights"), "--confirm"]);
    expect(converted).toMatch(/wrote \S+\/ckpt\/mm_path\/Qwen2\.5-VL-3B-Instruct-lora-base /);
    const launched = JSON.parse(cli([...printed(converted, "launch_train"), "--confirm", "--json"]));
    expect(launched.started).toBe(true);
    const runId: string = launched.runId;
    await waitFor(
      "the run to finish",
      () =>
        (JSON.parse(cli(["list-runs", "--host", "sim", "--json"])).runs as { runId: string; state: string }[]).find(
          (r) => r.runId === runId,
        )?.state === "finished",
      120_000,
    );
    const answered = cli(["run-inference", "--run-id", runId, "--host", "sim", "--compare-base"]);
    expect(answered).toMatch(/base: /);
    // Not a bare export of the adapters (export-model refuses it): the merge, with the run's rank and alpha.
    expect(printedCommands(answered).filter((c) => c.tool === "export_model")).toEqual([]);
    const mergeCall = printed(answered, "convert_weights");
    expect(mergeCall.join(" ")).toMatch(
      /--method merge_base_lora_weight .*--lora-rank 8|--lora-rank 8 .*--method merge/,
    );
    const merged = cli(mergeCall);
    expect(merged).toMatch(/merge_base_lora_weight wrote /);
    // The merged checkpoint's export, with the model and the Hugging Face directory it needs.
    const exportCall = printed(merged, "export_model");
    expect(exportCall).toEqual(expect.arrayContaining(["--checkpoint-dir", "--model", "--hf-dir", "--confirm"]));
    const exported = cli(exportCall);
    expect(exported).toMatch(/exported to \S+ \(Qwen2_5_VLConverter\.mm_to_hf\), complete/);
    expect(exported).toContain("enable_canonical_hf_struct true");
  }, 300_000);
});
