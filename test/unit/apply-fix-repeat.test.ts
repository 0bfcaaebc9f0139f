// apply_fix asked again for an out-of-memory fix the launch script already has: it says which of the script's edits
// (full recomputation, the allocator's expandable segments) are really there, each checked on its own, and names the
// call for the one still missing instead of claiming both. On a scripted host by log file, and on the local simulated
// host by run id through the CLI, the way a newcomer meets it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { setScenario } from "../../src/sim/index.js";
import { renderHints } from "../../src/text/hint.js";
import applyFix from "../../src/tools/apply-fix.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { type LocalTrainableSim, localTrainableSim, simCliSession, waitFor } from "../helpers/local-sim.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { freePort } from "../helpers/server-probe.js";

const WORKDIR = "/home/u/MindSpeed-MM";
const SCRIPT_PATH = `${WORKDIR}/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh`;
const OOM_LOG = readFileSync(join(import.meta.dirname, "..", "fixtures", "logs", "npu-oom.log"), "utf8");

/** A launch script in upstream's form with the micro batch at 1 and neither recomputation nor the allocator setting. */
const LAUNCH_SCRIPT = [
  "#!/bin/bash",
  "NPUS_PER_NODE=8",
  "MBS=1",
  'GPT_ARGS="',
  "    --micro-batch-size $MBS \\",
  "    --global-batch-size 8 \\",
  "    --seq-length 1024 \\",
  "    --bf16 \\",
  '"',
  "torchrun --nproc_per_node $NPUS_PER_NODE pretrain_vlm.py $GPT_ARGS",
  "",
].join("\n");

function scriptedHost(): { host: ScriptedExecutor; deps: ToolDeps } {
  const host = new ScriptedExecutor().on(/realpath -m/, { stdout: `${SCRIPT_PATH}\n${WORKDIR}\n/home/u\n/tmp\n` });
  host.files.set(SCRIPT_PATH, LAUNCH_SCRIPT);
  const settings = HostSettingsSchema.parse({ workdir: WORKDIR });
  const hosts = new HostRegistry({ file: null, hosts: { npu1: settings } }, async () => host);
  return { host, deps: { hosts, now: () => new Date(), progress: () => {}, log: () => {} } };
}

const apply = (args: Record<string, unknown>, deps: ToolDeps) => applyFix.handle(applyFix.input.parse(args), deps);
const refusal = (args: Record<string, unknown>, deps: ToolDeps) =>
  apply(args, deps).then(
    () => {
      throw new Error("apply_fix applied where it should have refused");
    },
    (error: Error) => error.message,
  );

describe("apply_fix asked again for an out-of-memory fix the script already has", () => {
  const source = { host: "npu1", text: OOM_LOG, config: { scriptPath: SCRIPT_PATH } };

  it("names only the recomputation it has, and the allocator setting as the call still to make", async () => {
    const { host, deps } = scriptedHost();
    expect(await apply({ ...source, fix: "recompute", confirm: true }, deps)).toMatchObject({ applied: true });
    const once = host.files.get(SCRIPT_PATH)!;

    const message = await refusal({ ...source, fix: "recompute", confirm: true }, deps);
    expect(host.files.get(SCRIPT_PATH)).toBe(once);
    expect(once).not.toContain("ALLOC_CONF");
    expect(message).toMatch(/already has full recomputation \(--recompute-granularity full\) but not the allocator's/);
    expect(message).not.toMatch(/already has full recomputation and the allocator's expandable segments/);
    expect(renderHints(message)).toContain('apply_fix {host: "npu1", text: "<the same log text>"');
    expect(renderHints(message)).toMatch(/rule: "npu-oom", fix: "alloc-conf"\}/);
    expect(renderHints(message, renderCliHint)).toMatch(/--rule npu-oom --fix alloc-conf/);

    // The call it names adds the allocator setting; asked again, both are there and it says so.
    expect(await apply({ ...source, fix: "alloc-conf", confirm: true }, deps)).toMatchObject({ applied: true });
    expect(host.files.get(SCRIPT_PATH)).toContain("export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True");
    const both = await refusal({ ...source, fix: "recompute" }, deps);
    expect(both).toMatch(
      /already has full recomputation \(--recompute-granularity full\) and the allocator's expandable segments/,
    );
    expect(both).toMatch(/what is left is a layout that fits/);
  });

  it("names only the allocator setting it has, and recomputation as the call still to make", async () => {
    const { host, deps } = scriptedHost();
    expect(await apply({ ...source, fix: "alloc-conf", confirm: true }, deps)).toMatchObject({ applied: true });
    const message = await refusal({ ...source, fix: "alloc-conf", confirm: true }, deps);
    expect(host.files.get(SCRIPT_PATH)).not.toContain("--recompute-granularity");
    expect(message).toMatch(/already has the allocator's expandable segments .* but not full recomputation/);
    expect(renderHints(message)).toMatch(/rule: "npu-oom", fix: "recompute"\}/);
  });
});

describe.skipIf(!canBuildSimHost)("apply-fix --fix recompute twice on a simulated run that ran out of memory", () => {
  let sim: LocalTrainableSim;
  const session = simCliSession("apply-fix-repeat", () => sim.inventory);
  const cli = session.cli;

  beforeAll(async () => {
    session.open();
    sim = await localTrainableSim("fix-twice", "0.05");
    await setScenario(sim.dir, "oom");
  }, 180_000);

  afterAll(async () => {
    await sim?.cleanup();
    session.close();
  });

  it("the second time says the script has recomputation but not the allocator setting, and how to add it", async () => {
    const port = String(await freePort());
    const started = cli([
      ...["launch-train", "--host", "fix-twice", "--script", sim.script, "--master-port", port, "--confirm", "--json"],
    ]);
    const runId = JSON.parse(started.stdout).runId as string;
    expect(runId, started.stderr).toMatch(/^run-/);
    await waitFor("the run to fail", () => session.runState("fix-twice", runId) === "failed");

    const fix = ["apply-fix", "--host", "fix-twice", "--run-id", runId, "--rule", "npu-oom", "--fix", "recompute"];
    const first = cli([...fix, "--confirm"]);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("Applied npu-oom/recompute");
    const once = readFileSync(sim.script, "utf8");
    expect(once).toContain("--recompute-granularity full");

    const second = cli([...fix, "--confirm"]);
    expect(second.status).toBe(1);
    expect(readFileSync(sim.script, "utf8")).toBe(once);
    expect(once).not.toContain("ALLOC_CONF");
    expect(second.stderr).not.toMatch(/already has full recomputation and the allocator's expandable segments/);
    expect(second.stderr).toMatch(
      /already has full recomputation \(--recompute-granularity full\) but not the allocator's/,
    );
    // The script changed since the run launched: apply-fix refuses a further edit without --again, so the call it
    // names carries it, after the relaunch that shows whether recomputation was enough.
    expect(second.stderr).toContain(`has changed since run ${runId} launched`);
    expect(second.stderr).toContain(`launch-train --host fix-twice --script ${sim.script}`);
    expect(second.stderr).toContain(`--run-id ${runId} --rule npu-oom --fix alloc-conf --again`);

    const added = cli([
      "apply-fix",
      "--host",
      "fix-twice",
      "--run-id",
      runId,
      "--fix",
      "alloc-conf",
      "--again",
      "--confirm",
    ]);
    expect(added.status, added.stderr).toBe(0);
    expect(readFileSync(sim.script, "utf8")).toMatch(/^export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True$/m);
  }, 180_000);
});
