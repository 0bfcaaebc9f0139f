// A run named with a host that does not hold it: tail_logs reads it where it is and its next calls carry that host
// (typed after `tail-logs RUN --host sim`, they must not act on sim); stop_run refuses and names the host to call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flagSpecs } from "../../src/cli/flags.js";
import { cliHintRenderer } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import { allTools } from "../../src/tools/index.js";
import stopRun from "../../src/tools/stop-run.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { ledgerFileOf, runRecord } from "../helpers/run-record.js";

const RUN = "run-20261205-100000-abcd";
let base: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({ hosts, now: () => new Date(), progress: () => undefined, log: () => undefined });
const line = (i: number) =>
  `iteration ${i}/20 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 500.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: ${(2 - i / 20).toFixed(3)} | grad norm: 1.000 |`;

/** The hints of a result as the terminal prints them after a command typed with `given`. */
function asTypedAfter(text: string, given: Record<string, unknown>): string {
  const fields = (name: string) => {
    const tool = allTools.find((t) => t.name === name);
    if (!tool) return undefined;
    const specs = flagSpecs(tool.input);
    return { required: specs.filter((s) => s.required).map((s) => s.field), all: specs.map((s) => s.field) };
  };
  return renderHints(text, cliHintRenderer(given, fields));
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "run-own-host-"));
  const sim = join(base, "sim");
  const oomsim = join(base, "oomsim");
  // A finished run (its last iteration logged, its process gone) in oomsim's ledger; sim's ledger is empty.
  const root = join(oomsim, RUN);
  mkdirSync(root, { recursive: true });
  mkdirSync(join(sim, ".ascend-train", "runs"), { recursive: true });
  mkdirSync(join(oomsim, ".ascend-train", "runs"), { recursive: true });
  writeFileSync(join(root, "train.log"), `${[5, 10, 15, 20].map(line).join("\n")}\n`);
  const record = runRecord({ id: RUN, workdir: oomsim, root });
  const onOomsim = { ...record, hosts: ["oomsim"], nodes: record.nodes.map((n) => ({ ...n, host: "oomsim" })) };
  writeFileSync(ledgerFileOf(oomsim, RUN), JSON.stringify(onOomsim));
  hosts = new HostRegistry({
    file: null,
    hosts: {
      sim: HostSettingsSchema.parse({ workdir: sim }),
      oomsim: HostSettingsSchema.parse({ workdir: oomsim }),
    },
  });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("a run named with a host that does not hold it", () => {
  it("tail_logs reads it on its own host, and every next call it prints carries that host", async () => {
    const given = { runId: RUN, host: "sim" };
    const r = await tailLogs.handle(tailLogs.input.parse(given), deps());
    expect(r).toMatchObject({ host: "oomsim", state: "finished" });
    const printed = asTypedAfter(tailLogs.summarize!(r), given);
    expect(printed).toContain(`run-inference --run-id ${RUN} --host oomsim`);
    expect(printed).toContain(`export-model --run-id ${RUN} --host oomsim --confirm`);
    expect(printed).not.toContain("--host sim");
  });

  it("stop_run refuses, naming the host whose ledger holds it and the call with that host", async () => {
    const given = { runId: RUN, host: "sim", confirm: true };
    const refusal = await stopRun.handle(stopRun.input.parse(given), deps()).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(refusal).toContain(`No run "${RUN}" on sim: it is in oomsim's ledger.`);
    expect(asTypedAfter(refusal, given)).toContain(`stop-run ${RUN} --host oomsim --confirm`);
  });

  it("stop_run without a host still finds it in any ledger", async () => {
    const r = await stopRun.handle(stopRun.input.parse({ runId: RUN }), deps());
    expect(r.runId).toBe(RUN);
  });

  // Every other tool that takes a run and a host gives the same refusal, with its own call again: none of them says
  // only "No run X on sim" while another host's ledger holds the run.
  it.each([
    ["resume_run", { runId: RUN, host: "sim" }, `resume-run ${RUN} --host oomsim`],
    ["run_inference", { runId: RUN, host: "sim", prompt: "hi" }, `run-inference --run-id ${RUN} --host oomsim`],
    ["export_model", { runId: RUN, host: "sim" }, `export-model --run-id ${RUN} --host oomsim`],
    ["export_model", { runId: RUN, host: "sim", format: "gguf" }, `export-model --run-id ${RUN} --host oomsim`],
    ["evaluate_model", { runId: RUN, host: "sim" }, `evaluate-model --run-id ${RUN} --host oomsim`],
    ["export_scheduler_job", { runId: RUN, host: "sim" }, `export-scheduler-job --run-id ${RUN} --host oomsim`],
  ])("%s names the host that holds the run (%o)", async (name, given, again) => {
    const tool = allTools.find((t) => t.name === name)!;
    const refusal = await tool.handle(tool.input.parse(given), deps()).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(refusal).toContain(`No run "${RUN}" on sim: it is in oomsim's ledger.`);
    expect(asTypedAfter(refusal, given)).toContain(again);
  });

  it("a run in no ledger is refused as before, naming the host looked on", async () => {
    const tool = allTools.find((t) => t.name === "resume_run")!;
    const ghost = "run-20261205-100000-ffff";
    const given = { runId: ghost, host: "sim" };
    const refusal = await tool.handle(tool.input.parse(given), deps()).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(asTypedAfter(refusal, given)).toMatch(
      new RegExp(
        `^No run "${ghost}" on sim: (npx )?ascend-train list-runs --host sim shows the runs and their hosts\\.$`,
      ),
    );
  });
});
