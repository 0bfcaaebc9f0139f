// What diagnose_error and apply_fix do with a verdict: which fixes apply to this run and host, how they are worded,
// and the verdicts for runs that did not fail by an error of their own (stopped from outside, stalled).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunLookup } from "../../src/diagnosis/index.js";
import { diagnoseText } from "../../src/diagnosis/sources.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { renderHints } from "../../src/text/hint.js";
import applyFix from "../../src/tools/apply-fix.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
const fixture = (id: string) => readFileSync(join(FIX, "verdicts", `${id}.log`), "utf8");

describe("a run ended by SIGTERM", () => {
  it("is a stop from outside (exit code -15), never the host's OOM killer", () => {
    const v = diagnoseText(fixture("sigterm-stop"));
    const top = v.findings[0]!;
    expect(top).toMatchObject({ category: "unknown", rule: "external-signal" });
    expect(top.cause).toMatch(/SIGTERM \(exit code -15\).*from outside/);
    expect(top.cause).not.toMatch(/OOM killer: host RAM/);
    expect(top.evidence[0]!.text).toContain("exitcode: -15");
    expect(v.findings.some((f) => f.category === "host_oom")).toBe(false);
    expect(v.summary).toMatch(/terminated by a signal from outside/);
  });

  it("has nothing for apply_fix to change, and apply_fix says so", async () => {
    await expect(
      apply({ host: "npu1", text: fixture("sigterm-stop") }, depsFor(new ScriptedExecutor())),
    ).rejects.toThrow(/No applicable fix for external-signal: the run was stopped from outside with SIGTERM/);
  });
});

const LOGS = join(FIX, "logs");
const ruleLog = (id: string) => readFileSync(join(LOGS, `${id}.log`), "utf8");
const WORKDIR = "/home/u/MindSpeed-MM";
const SCRIPT_PATH = `${WORKDIR}/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh`;

/** A launch script in upstream's form: MBS as a variable, the arguments one per continued line. */
const launchScript = (extra: { precision?: string; alloc?: boolean; recompute?: boolean } = {}) =>
  [
    "#!/bin/bash",
    ...(extra.alloc ? ['export PYTORCH_NPU_ALLOC_CONF="expandable_segments:True"'] : []),
    "NPUS_PER_NODE=8",
    "NNODES=1",
    "TP=1",
    "PP=1",
    "MBS=1",
    'GPT_ARGS="',
    "    --tensor-model-parallel-size $TP \\",
    "    --pipeline-model-parallel-size $PP \\",
    "    --micro-batch-size $MBS \\",
    ...(extra.recompute ? ["    --recompute-granularity full \\"] : []),
    "    --global-batch-size 8 \\",
    "    --seq-length 1024 \\",
    "    --lr 1.0e-5 \\",
    `    ${extra.precision ?? "--bf16"} \\`,
    '"',
    "torchrun --nproc_per_node $NPUS_PER_NODE --nnodes $NNODES pretrain_vlm.py $GPT_ARGS",
    "",
  ].join("\n");

function depsFor(host: ScriptedExecutor): ToolDeps {
  const settings = HostSettingsSchema.parse({ workdir: WORKDIR });
  const hosts = new HostRegistry({ file: null, hosts: { npu1: settings } }, async () => host);
  return { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
}
const diagnose = (args: Record<string, unknown>, deps: ToolDeps) =>
  diagnoseError.handle(diagnoseError.input.parse(args), deps);
const apply = (args: Record<string, unknown>, deps: ToolDeps) => applyFix.handle(applyFix.input.parse(args), deps);

/** A host holding the script; writes are allowed under the workdir. */
function hostWith(script: string): ScriptedExecutor {
  const host = new ScriptedExecutor().on(/realpath -m/, { stdout: `${SCRIPT_PATH}\n${WORKDIR}\n/home/u\n/tmp\n` });
  host.files.set(SCRIPT_PATH, script);
  return host;
}

describe("apply_fix on the common Ascend failures", () => {
  it("an OOM with the micro batch at 1 gets full recomputation as an edit of the launch script", async () => {
    const host = hostWith(launchScript());
    const deps = depsFor(host);
    const args = { host: "npu1", text: ruleLog("npu-oom"), config: { scriptPath: SCRIPT_PATH } };
    const d = await diagnose(args, deps);
    const fixes = d.findings[0]!.fixes;
    const recompute = fixes.find((x) => x.id === "recompute")!;
    expect(recompute.applicable).toBe(true);
    expect(recompute.action?.diff).toContain("+    --recompute-granularity full \\");
    expect(fixes.find((x) => x.id === "alloc-conf")?.applicable).toBe(true);
    expect(fixes.find((x) => x.id === "shard-more")?.applicable).toBe(false);
    expect(renderHints(diagnoseError.summarize(d))).toMatch(
      /fix: Trade compute for memory.*\n {5}apply: apply_fix \{.*rule: "npu-oom", fix: "recompute"\}/,
    );
    // The allocator holds less reserved-but-unallocated memory than the request: recomputation is the default fix,
    // the allocator setting is picked by id.
    expect(await apply(args, deps)).toMatchObject({ rule: "npu-oom", fix: "recompute", applied: false });
    expect(await apply({ ...args, fix: "alloc-conf" }, deps)).toMatchObject({ fix: "alloc-conf", applied: false });
    const plan = await apply({ ...args, fix: "recompute" }, deps);
    expect(plan).toMatchObject({ rule: "npu-oom", fix: "recompute", applied: false });
    const done = await apply({ ...args, fix: "recompute", confirm: true }, deps);
    expect(done.applied).toBe(true);
    expect(host.files.get(SCRIPT_PATH)).toContain(
      "    --micro-batch-size $MBS \\\n    --recompute-granularity full \\\n    --recompute-method uniform \\\n    --recompute-num-layers 1 \\\n",
    );
  });

  it("a NaN loss gets a halved learning rate as an edit of the launch script", async () => {
    const host = hostWith(launchScript());
    const deps = depsFor(host);
    const args = { host: "npu1", text: ruleLog("nan-loss"), config: { scriptPath: SCRIPT_PATH } };
    const plan = await apply(args, deps);
    expect(plan).toMatchObject({ rule: "nan-loss", fix: "lr", applied: false });
    expect(plan.plan.diff).toContain("+    --lr 5e-06 \\");
    await apply({ ...args, confirm: true }, deps);
    expect(host.files.get(SCRIPT_PATH)).toContain("--lr 5e-06 \\");
  });

  it("a NaN loss without the script names the call that gives it", async () => {
    await expect(apply({ host: "npu1", text: ruleLog("nan-loss") }, depsFor(hostWith("")))).rejects.toThrow(
      /No applicable fix for nan-loss: .*config\.scriptPath/,
    );
  });

  it("a small /dev/shm says why its fix is a step by hand", async () => {
    const d = await diagnose({ host: "npu1", text: ruleLog("shm-bus-error") }, depsFor(hostWith("")));
    const shm = d.findings[0]!.fixes.find((x) => x.id === "shm-size")!;
    expect(shm.applicable).toBe(false);
    expect(shm.summary).toMatch(/apply_fix does not change containers or mounts/);
    await expect(apply({ host: "npu1", text: ruleLog("shm-bus-error") }, depsFor(hostWith("")))).rejects.toThrow(
      /No applicable fix for shm-bus-error: the fix is a larger \/dev\/shm.*as root/,
    );
  });

  it("a torch_npu mismatch names the versions of the pair, read on the host, not placeholders", async () => {
    const host = hostWith("").on(/import importlib\.metadata/, {
      stdout: "torch=2.7.1\npackage_name=Ascend-cann-toolkit\nversion=8.3.RC1\n",
    });
    const d = await diagnose({ host: "npu1", text: ruleLog("torch-npu-version-mismatch") }, depsFor(host));
    const pair = d.findings[0]!.fixes.find((x) => x.id === "reinstall-pair")!;
    expect(pair.commands?.join(" ")).not.toContain("<");
    expect(pair.commands?.[0]).toMatch(/torch==2\.7\.1 torch_npu==2\.7\.1/);
    expect(pair.summary).toContain("CANN 8.3.RC1 on this host");
  });

  it("a torch_npu mismatch on a host that does not answer falls back to the release's pair and names check-env", async () => {
    const d = await diagnose({ text: ruleLog("torch-npu-version-mismatch") }, depsFor(hostWith("")));
    const pair = d.findings[0]!.fixes.find((x) => x.id === "reinstall-pair")!;
    expect(pair.commands?.[0]).toMatch(/torch==\d[\w.]* torch_npu==\d/);
    expect(pair.summary).toContain("ascend-train check-env");
  });
});

describe("fixes in the light of the run's script", () => {
  it("a NaN loss in a bf16 run does not suggest bf16", async () => {
    const d = await diagnose(
      { host: "npu1", text: ruleLog("nan-loss"), config: { scriptPath: SCRIPT_PATH } },
      depsFor(hostWith(launchScript())),
    );
    const f = d.findings[0]!;
    expect(f.fixes.map((x) => x.id)).not.toContain("bf16");
    expect(f.fixes[0]!.summary).not.toMatch(/Use bf16/);
    expect(f.facts.precision).toBe("bf16");
  });

  it("a NaN loss in an fp16 run offers the switch to bf16 as an edit", async () => {
    const d = await diagnose(
      { host: "npu1", text: ruleLog("nan-loss"), config: { scriptPath: SCRIPT_PATH } },
      depsFor(hostWith(launchScript({ precision: "--fp16" }))),
    );
    const bf16 = d.findings[0]!.fixes.find((x) => x.id === "bf16")!;
    expect(bf16.summary).toMatch(/trains in fp16/);
    expect(bf16.action?.diff).toContain("+    --bf16 \\");
  });

  it("an OOM does not suggest recomputation or the allocator setting the script already has", async () => {
    const d = await diagnose(
      { host: "npu1", text: ruleLog("npu-oom"), config: { scriptPath: SCRIPT_PATH } },
      depsFor(hostWith(launchScript({ alloc: true, recompute: true }))),
    );
    const ids = d.findings[0]!.fixes.map((x) => x.id);
    expect(ids).not.toContain("recompute");
    expect(ids).not.toContain("alloc-conf");
  });
});

describe("an OOM whose layout the estimate says fits", () => {
  it("says plainly that the estimate fits yet the run died, what it does not count, and puts the allocator first", async () => {
    // Fragmented: the allocator holds 10 GiB reserved but unallocated, more than the 2.31 GiB asked for.
    const log = ruleLog("npu-oom").replace(/[\d.]+ GiB reserved in total/, "67.12 GiB reserved in total");
    const d = await diagnose(
      { host: "npu1", text: log, config: { scriptPath: SCRIPT_PATH } },
      depsFor(hostWith(launchScript())),
    );
    const f = d.findings[0]!;
    expect(f.cause).toMatch(/Estimate: .* fits/);
    expect(f.cause).toMatch(/says this layout fits, yet the run ran out of memory/);
    expect(f.cause).toMatch(/longer sequences or more image tokens.*fragmentation/);
    expect(f.fixes[0]!.id).toBe("alloc-conf");
    expect(f.fixes.map((x) => x.id)).toContain("recompute");
  });

  it("puts the allocator after recomputation when its reserved-but-unallocated memory is less than the request", async () => {
    // The rule's log: 58.80 GiB reserved, 57.12 GiB allocated, 2.31 GiB asked for: no defragmenting makes room.
    const d = await diagnose(
      { host: "npu1", text: ruleLog("npu-oom"), config: { scriptPath: SCRIPT_PATH } },
      depsFor(hostWith(launchScript())),
    );
    const ids = d.findings[0]!.fixes.map((x) => x.id);
    expect(ids[0]).not.toBe("alloc-conf");
    expect(ids.indexOf("recompute")).toBeLessThan(ids.indexOf("alloc-conf"));
  });
});

describe("a run that stopped making progress", () => {
  const iteration = (i: number) =>
    ` [2026-12-02 21:00:0${i}] iteration ${String(i).padStart(8)}/      50 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 2000.0 | lm loss: 1.5E+00 | grad norm: 1.2 |`;
  const LOG = [
    ...["training ...", "[before the start of training step] datetime: 2026-12-02 21:00:00"],
    ...[1, 2, 3].map(iteration),
    "",
  ].join("\n");
  const RUN = "run-20261202-210000-0001";

  function stalledHost(silenceSeconds: number) {
    const now = new Date("2026-12-02T22:00:00Z");
    const mtime = Math.floor(now.getTime() / 1000) - silenceSeconds;
    const host = new ScriptedExecutor().on(/^stat -c/, { stdout: `${mtime} ${LOG.length}\n` });
    host.files.set("/runs/r-1/rank0.log", LOG);
    host.files.set("/runs/r-1/rank1.log", LOG);
    const lookup: RunLookup = async (id) =>
      id === RUN ? { host: "npu1", logFiles: ["/runs/r-1/rank0.log", "/runs/r-1/rank1.log"] } : null;
    const locateLog = async () => ({ host: "npu1", logFile: "/runs/r-1/rank0.log", pid: 4100, processAlive: true });
    const deps: ToolDeps = { ...depsFor(host), now: () => now, runs: { lookup, locateLog } };
    return deps;
  }

  it("is diagnosed stalled with how long, since when, each rank's last lines and the usual causes", async () => {
    const r = await diagnose({ runId: RUN }, stalledHost(45 * 60));
    const top = r.findings[0]!;
    expect(top.category).toBe("stalled");
    expect(r.summary).toMatch(/^stalled: no progress for 45 minutes since 2026-12-02T21:15:00Z/);
    expect(top.evidence.map((e) => e.file)).toEqual(
      expect.arrayContaining(["/runs/r-1/rank0.log", "/runs/r-1/rank1.log"]),
    );
    expect(top.evidence.some((e) => /iteration\s+3\/\s+50/.test(e.text))).toBe(true);
    expect(top.cause).toMatch(/HCCL.*data loader.*NFS/s);
    expect(top.cause).toContain("the process is still alive");
    expect(diagnoseError.summarize(r)).toMatch(/rank1\.log:end: .*iteration/);
  });

  it("says one minute in the singular", async () => {
    const r = await diagnose({ runId: RUN }, stalledHost(80));
    expect(r.summary).toMatch(/^stalled: no progress for 1 minute since /);
  });

  it("is not called stalled while the log is fresh", async () => {
    const r = await diagnose({ runId: RUN }, stalledHost(5));
    // No rule finds a failure in it either: at most a hedged reading of its words.
    expect(r.findings.map((f) => f.category)).not.toContain("stalled");
    expect(r.findings[0]!.confidence).toBeLessThan(0.5);
  });
});
