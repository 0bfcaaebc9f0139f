import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCliHint } from "../../src/cli/hints.js";
import { fillEmptyStages } from "../../src/diagnosis/context.js";
import type { RunLookup } from "../../src/diagnosis/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { renderHints } from "../../src/text/hint.js";
import applyFix from "../../src/tools/apply-fix.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
const fixture = (id: string) => readFileSync(join(FIX, "logs", `${id}.log`), "utf8");

function depsFor(host: ScriptedExecutor): ToolDeps {
  const settings = HostSettingsSchema.parse({ workdir: "/home/u/MindSpeed-MM" });
  const hosts = new HostRegistry({ file: null, hosts: { local: settings, npu1: settings } }, async () => host);
  return { hosts, now: () => new Date(), progress: () => {}, log: () => {} };
}

const diagnose = (args: Record<string, unknown>, deps: ToolDeps) =>
  diagnoseError.handle(diagnoseError.input.parse(args), deps);
const apply = (args: Record<string, unknown>, deps: ToolDeps) => applyFix.handle(applyFix.input.parse(args), deps);

describe("diagnose_error", () => {
  it("is a read-only tool that needs exactly one log source", () => {
    expect(diagnoseError.kind).toBe("read");
    expect(applyFix.kind).toBe("destructive");
    expect(diagnoseError.input.safeParse({}).success).toBe(false);
    expect(diagnoseError.input.safeParse({ text: "x", logFile: "/a.log" }).success).toBe(false);
    expect(diagnoseError.input.safeParse({ logFile: "/a.log" }).success).toBe(true);
  });

  it("returns findings best first in the documented JSON shape, verdict first in the text", async () => {
    const r = await diagnose({ text: fixture("npu-oom") }, depsFor(new ScriptedExecutor()));
    expect(r.findings[0]).toMatchObject({ category: "npu_oom", rule: "npu-oom", role: "primary" });
    expect(r.findings[0]!.evidence[0]).toMatchObject({ line: 19, source: "rank0" });
    expect(r.findings[1]).toMatchObject({ category: "hccl_timeout", secondaryTo: "npu-oom" });
    expect(diagnoseError.output.parse(r)).toBeTruthy();
    const text = diagnoseError.summarize(r);
    expect(text.split("\n")[0]).toBe(r.summary);
    expect(text).toMatch(/2\. hccl_timeout .*secondary to npu-oom/);
    // The text shows what each fix changes, not only its summary.
    expect(text).toMatch(/\n {5}edit: launch script: --recompute-granularity full/);
  });

  it("reads a relative log path from the host's workdir, as every tool does", async () => {
    const host = new ScriptedExecutor();
    host.files.set("/home/u/MindSpeed-MM/logs/train.log", fixture("npu-oom"));
    const r = await diagnose({ host: "npu1", logFile: "logs/train.log" }, depsFor(host));
    expect(r.findings[0]!.category).toBe("npu_oom");
    await expect(diagnose({ host: "npu1", logFile: "other.log" }, depsFor(host))).rejects.toThrow(
      /\/home\/u\/MindSpeed-MM\/other.log does not exist/,
    );
  });

  it("reads a log file on the host and says clearly when it is missing", async () => {
    const host = new ScriptedExecutor();
    host.files.set("/runs/a/train.log", fixture("windows-line-endings"));
    const deps = depsFor(host);
    const r = await diagnose({ host: "npu1", logFile: "/runs/a/train.log" }, deps);
    expect(r.findings[0]!.category).toBe("windows_line_endings");
    // The script the log names is not known to belong to a run: nothing to apply.
    expect(r.findings[0]!.fixes.some((x) => x.action)).toBe(false);
    await expect(diagnose({ logFile: "/nope.log" }, deps)).rejects.toThrow(
      /Cannot read the log on local: \/nope.log does not exist/,
    );
  });

  it("resolves a run id through the lookup in its deps, and says so when the run is unknown", async () => {
    const host = new ScriptedExecutor();
    const lookup: RunLookup = async (id) =>
      id === "run-20260101-000000-0001"
        ? { host: "npu1", logFiles: ["/runs/r-1/rank0.log"], config: { numKvHeads: 4, tp: 8 } }
        : null;
    const deps: ToolDeps = { ...depsFor(host), runs: { lookup, locateLog: async () => null } };
    // The default is the ledger on the hosts: the scripted host has none, so the run is unknown there.
    await expect(diagnose({ runId: "run-20260101-000000-0001" }, depsFor(host))).rejects.toThrow(ToolError);
    host.files.set("/runs/r-1/rank0.log", fixture("tp-exceeds-kv-heads"));
    const r = await diagnose({ runId: "run-20260101-000000-0001" }, deps);
    expect(r.findings[0]!.category).toBe("tp_exceeds_kv_heads");
    expect(r.findings[0]!.facts.suggested_tp).toBe("4");
    expect(r.findings[0]!.fixes[0]!.summary).toContain("TP=4");
    await expect(diagnose({ runId: "run-20260101-000000-0002" }, deps)).rejects.toThrow(
      /No run "run-20260101-000000-0002" on any host in the inventory: .*list_runs/,
    );
  });

  it("names the process holding the port and a free port, from ss on the host", async () => {
    const host = new ScriptedExecutor()
      .on(/^ss -ltnpH 'sport = :60000'$/, {
        stdout: 'LISTEN 0 128 0.0.0.0:60000 0.0.0.0:* users:(("python3",pid=4321,fd=7))\n',
      })
      .on(/^ss -ltnH$/, {
        stdout:
          "LISTEN 0 128 0.0.0.0:60000 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:61010 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n",
      })
      .on(/^ps -o pid=,args= -p 4321$/, { stdout: " 4321 python3 pretrain_vlm.py --stale\n" });
    const r = await diagnose({ host: "npu1", text: fixture("port-in-use") }, depsFor(host));
    const f = r.findings[0]!;
    expect(f.facts).toMatchObject({
      port: "60000",
      pid: "4321",
      holder: "python3 (PID 4321)",
      free_hccl_base_port: "62000",
    });
    expect(f.fixes[0]).toMatchObject({
      id: "kill-holder",
      action: {
        kind: "kill",
        commands: ["kill 4321"],
        targets: [{ pid: 4321, command: "python3 pretrain_vlm.py --stale" }],
      },
    });
    expect(f.fixes.find((x) => x.id === "hccl-base-port")!.env).toEqual({ HCCL_IF_BASE_PORT: "62000" });
    host.assertAllUsed();
  });

  it("lists the processes on a busy NPU from npu-smi", async () => {
    const smi = readFileSync(join(FIX, "host-outputs", "npu-smi-info-910b-busy.txt"), "utf8")
      .split("\n")
      .slice(2)
      .join("\n");
    const host = new ScriptedExecutor()
      .on(/^npu-smi info$/, { stdout: smi })
      .on(/^ps -o pid=,args= -p 16148$/, { stdout: "16148 python train.py\n" });
    const r = await diagnose({ host: "npu1", text: fixture("device-busy") }, depsFor(host));
    const f = r.findings[0]!;
    expect(f.category).toBe("device_busy");
    expect(f.facts.device).toBe("5");
    expect(f.fixes[0]!.action?.commands).toEqual(["kill 16148"]);
    expect(f.cause).toContain("PID 16148");
  });

  it("computes the micro batch that halves activation memory from the run's script", async () => {
    const host = new ScriptedExecutor();
    host.files.set(
      "/w/finetune.sh",
      '#!/bin/bash\nGPT_ARGS="\n    --micro-batch-size 4 \\\n    --global-batch-size 64 \\\n"\n',
    );
    const r = await diagnose(
      { host: "npu1", text: fixture("npu-oom"), config: { scriptPath: "/w/finetune.sh" } },
      depsFor(host),
    );
    const f = r.findings[0]!;
    expect(f.facts).toMatchObject({ micro_batch: "4", new_micro_batch: "2" });
    const edit = f.fixes.find((x) => x.id === "halve-micro-batch-edit")!;
    expect(edit.action?.diff).toContain("-    --micro-batch-size 4 \\");
    expect(edit.action?.diff).toContain("+    --micro-batch-size 2 \\");
  });
});

describe("diagnose_error on an out-of-memory run: the estimate for its layout", () => {
  const SCRIPT_72B = [
    "#!/bin/bash",
    "NPUS_PER_NODE=8",
    "NNODES=1",
    "TP=8",
    "PP=1",
    "MBS=1",
    'GPT_ARGS="',
    "    --tensor-model-parallel-size $TP \\",
    "    --pipeline-model-parallel-size $PP \\",
    "    --micro-batch-size $MBS \\",
    "    --global-batch-size 8 \\",
    "    --seq-length 1024 \\",
    '"',
    "torchrun --nproc_per_node $NPUS_PER_NODE --nnodes $NNODES pretrain_vlm.py $GPT_ARGS",
    "",
  ].join("\n");

  it("puts the estimate in the cause and the nearest fitting layout as a build_configs + convert_weights fix", async () => {
    const host = new ScriptedExecutor();
    const path = "/w/configs/qwen2.5vl-72b/finetune_qwen2_5_vl_72b.sh";
    host.files.set(path, SCRIPT_72B);
    const r = await diagnose(
      { host: "npu1", text: fixture("npu-oom"), config: { scriptPath: path, tp: 8, pp: 1 } },
      depsFor(host),
    );
    const f = r.findings[0]!;
    expect(f.category).toBe("npu_oom");
    expect(f.cause).toMatch(
      /Estimate: qwen2\.5vl-72b on 8 NPUs \(TP 8, PP 1, micro batch 1\): [\d.]+ GiB of \d+ per rank, does not fit/,
    );
    const fix = f.fixes.find((x) => x.id === "fitting-layout")!;
    expect(fix.summary).toMatch(/TP \d+, PP \d+.* on \d+ NPUs/);
    // The rebuild and the conversion as calls on the run's host, in the terminal the commands to type.
    const text = renderHints(fix.summary, renderCliHint);
    expect(hintProblems(text, { host: "npu1" })).toEqual([]);
    const [rebuild, convert] = printedCommands(text);
    expect(rebuild).toMatchObject({ tool: "build_configs", args: { host: "npu1", model: "qwen2.5vl-72b" } });
    expect(convert).toMatchObject({ tool: "convert_weights", args: { host: "npu1", model: "qwen2.5vl-72b" } });
    for (const field of ["tp", "pp"]) expect(convert!.args[field]).toBe(rebuild!.args[field]);
  });

  it("adds no layout fix when the script's layout fits (the OOM is elsewhere)", async () => {
    const host = new ScriptedExecutor();
    const path = "/w/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh";
    host.files.set(path, SCRIPT_72B.replace("TP=8", "TP=1"));
    const r = await diagnose({ host: "npu1", text: fixture("npu-oom"), config: { scriptPath: path } }, depsFor(host));
    const f = r.findings[0]!;
    expect(f.cause).toMatch(/Estimate: qwen2\.5vl-3b .* fits/);
    expect(f.fixes.find((x) => x.id === "fitting-layout")).toBeUndefined();
  });
});

describe("apply_fix", () => {
  it("shows the plan without confirm and changes nothing, then runs it with confirm", async () => {
    const host = new ScriptedExecutor()
      .on(/^ss -ltnpH/, { stdout: 'LISTEN 0 128 *:60000 *:* users:(("python3",pid=4321,fd=7))\n' })
      .on(/^ss -ltnH$/, { stdout: "" })
      .on(/^ps -o pid=,args= -p 4321$/, { stdout: "4321 python3 stale.py\n" })
      .on(/^ps -o args= -p 4321$/, { stdout: "python3 stale.py\n" })
      .on(/^kill -TERM 4321$/, { exitCode: 0 });
    const deps = depsFor(host);
    const plan = await apply({ host: "npu1", text: fixture("port-in-use") }, deps);
    expect(plan).toMatchObject({
      applied: false,
      rule: "port-in-use",
      fix: "kill-holder",
      plan: { commands: ["kill 4321"] },
      results: [],
    });
    expect(host.calls.some((c) => c.command.startsWith("kill"))).toBe(false);
    expect(applyFix.summarize(plan)).toMatch(/not applied; call again with .*"confirm":true/);
    const done = await apply({ host: "npu1", text: fixture("port-in-use"), confirm: true }, deps);
    expect(done.applied).toBe(true);
    expect(done.results).toEqual([{ command: "kill 4321", exitCode: 0, stdout: "", stderr: "" }]);
  });

  it("edits model.json to give every pipeline stage a layer, after confirm", async () => {
    const modelJson = JSON.stringify(
      {
        model_id: "qwen2_5vl",
        image_encoder: { vision_encoder: { pipeline_num_layers: [32, 0, 0, 0] } },
        text_decoder: { num_layers: 28, pipeline_num_layers: [0, 8, 10, 10] },
      },
      null,
      4,
    );
    const path = "/home/u/MindSpeed-MM/model.json";
    // The registry refuses writes outside the allowed directories; it resolves paths on the host first.
    const host = new ScriptedExecutor().on(/realpath -m/, { stdout: `${path}\n/home/u/MindSpeed-MM\n/home/u\n/tmp\n` });
    host.files.set(path, modelJson);
    const deps = depsFor(host);
    const args = {
      host: "npu1",
      text: fixture("empty-pp-stage"),
      config: { modelJsonPath: path, llmPpLayers: [0, 8, 10, 10] },
    };
    const plan = await apply(args, deps);
    expect(plan.plan.kind).toBe("edit");
    expect(plan.plan.diff).toContain('+        "pipeline_num_layers": [1, 7, 10, 10]');
    expect(host.files.get(path)).toBe(modelJson);
    const done = await apply({ ...args, confirm: true }, deps);
    expect(done.applied).toBe(true);
    const written = JSON.parse(host.files.get(path)!);
    expect(written.text_decoder.pipeline_num_layers).toEqual([1, 7, 10, 10]);
    expect(written.image_encoder.vision_encoder.pipeline_num_layers).toEqual([32, 0, 0, 0]);
  });

  it("refuses to edit a file outside the host's allowed directories", async () => {
    const host = new ScriptedExecutor().on(/realpath -m/, {
      stdout: "/etc/model.json\n/home/u/MindSpeed-MM\n/home/u\n/tmp\n",
    });
    host.files.set("/etc/model.json", JSON.stringify({ text_decoder: { pipeline_num_layers: [0, 4] } }));
    const args = {
      host: "npu1",
      text: fixture("empty-pp-stage"),
      config: { modelJsonPath: "/etc/model.json", llmPpLayers: [0, 4] },
      confirm: true,
    };
    await expect(apply(args, depsFor(host))).rejects.toThrow(/outside the directories ascend-train may write/);
    expect(JSON.parse(host.files.get("/etc/model.json")!).text_decoder.pipeline_num_layers).toEqual([0, 4]);
  });

  it("says when no fix can be applied", async () => {
    await expect(apply({ text: fixture("nan-loss") }, depsFor(new ScriptedExecutor()))).rejects.toThrow(
      /No applicable fix/,
    );
    await expect(
      apply({ text: fixture("nan-loss"), rule: "disk-full" }, depsFor(new ScriptedExecutor())),
    ).rejects.toThrow(/No finding "disk-full"/);
  });
});

describe("apply_fix on an out-of-memory log: the input it lacks and the call that gives it", () => {
  it("names the launch script it needs and the exact call with config.scriptPath", async () => {
    const error = await apply({ host: "npu1", logFile: "/w/oom.log" }, depsFor(oomHost())).catch((e) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect(error.message).toMatch(/No applicable fix for npu-oom: .*launch script.*config\.scriptPath/);
    const call = /⟦(\{.*\})⟧/.exec(error.message)?.[1];
    expect(JSON.parse(call!)).toEqual({
      tool: "apply_fix",
      args: {
        host: "npu1",
        logFile: "/w/oom.log",
        config: { scriptPath: "/home/u/MindSpeed-MM/configs/MODEL/finetune_MODEL.sh" },
      },
    });
  });

  it("renders that call as a command in the terminal", async () => {
    const { renderCliHint } = await import("../../src/cli/hints.js");
    const { renderHints } = await import("../../src/text/hint.js");
    const error = await apply({ host: "npu1", logFile: "/w/oom.log" }, depsFor(oomHost())).catch((e) => e);
    expect(renderHints(error.message as string, renderCliHint)).toMatch(
      /ascend-train apply-fix --host npu1 --log-file \/w\/oom\.log --config '\{"scriptPath":"\/home\/u\/MindSpeed-MM\/configs\/MODEL\/finetune_MODEL\.sh"\}'/,
    );
  });

  it("says the micro batch is already 1 and recomputation is on instead of asking for more input", async () => {
    const host = oomHost();
    host.files.set(
      "/w/finetune.sh",
      '#!/bin/bash\nexport PYTORCH_NPU_ALLOC_CONF="expandable_segments:True"\nGPT_ARGS="\n    --micro-batch-size 1 \\\n    --recompute-granularity full \\\n"\n',
    );
    await expect(
      apply({ host: "npu1", logFile: "/w/oom.log", config: { scriptPath: "/w/finetune.sh" } }, depsFor(host)),
    ).rejects.toThrow(/micro batch is already 1/);
  });

  it("applies once the script is given", async () => {
    const host = oomHost();
    host.files.set("/w/finetune.sh", '#!/bin/bash\nGPT_ARGS="\n    --micro-batch-size 4 \\\n"\n');
    const plan = await apply(
      { host: "npu1", logFile: "/w/oom.log", config: { scriptPath: "/w/finetune.sh" } },
      depsFor(host),
    );
    expect(plan).toMatchObject({ rule: "npu-oom", fix: "halve-micro-batch-edit", applied: false });
  });
});

function oomHost(): ScriptedExecutor {
  const host = new ScriptedExecutor();
  host.files.set("/w/oom.log", fixture("npu-oom"));
  return host;
}

describe("layer split repair", () => {
  it("borrows one layer from the nearest stage that can spare it, keeping the sum", () => {
    expect(fillEmptyStages([0, 8, 10, 10])).toEqual([1, 7, 10, 10]);
    expect(fillEmptyStages([10, 10, 8, 0])).toEqual([10, 10, 7, 1]);
    expect(fillEmptyStages([0, 0, 14, 14])).toEqual([1, 1, 12, 14]);
    expect(fillEmptyStages([7, 7, 7, 7])).toEqual([7, 7, 7, 7]);
  });
});
