// Launch-script reading, the resume edit, and the scheduler hand-off files, on scripts build_configs really writes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { resolveTrainingPlan } from "../../src/configs/index.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { shellQuote } from "../../src/hosts/quote.js";
import { parseRouteDev } from "../../src/runs/launch.js";
import { parseLaunchScript, resumeScript } from "../../src/runs/launch-script.js";
import { parseLiveness } from "../../src/runs/liveness.js";
import { plannedSaves } from "../../src/runs/preflight.js";
import { listeningPorts } from "../../src/runs/probe.js";
import { describeRun } from "../../src/runs/run-config.js";
import { ascendJobManifest, k8sName, slurmScript } from "../../src/runs/scheduler.js";

const tmp = mkdtempSync(join(tmpdir(), "runs-script-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function plan(model: string, params: Record<string, unknown> = {}) {
  return resolveTrainingPlan(model, undefined, {
    outputDir: "/w/configs/x",
    ckptDir: "/w/ckpt/mm",
    saveDir: "/w/save dir/x",
    hfDir: "/w/hf",
    dataset: "/w/data/train.json",
    ...params,
  });
}

const scriptOf = (p: ReturnType<typeof plan>) => p.files.find((f) => f.role === "launch-script")!.text;

function bashSyntaxOk(text: string): void {
  const f = join(tmp, `s${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(f, text);
  execFileSync("bash", ["-n", f]);
}

describe("parseLaunchScript", () => {
  it("reads parallelism, paths and flags of a Megatron JSON script", () => {
    const p = plan("qwen2.5vl-7b", { trainIters: 50 });
    const info = parseLaunchScript(scriptOf(p));
    expect(info.entry).toBe("pretrain_vlm.py");
    expect(info).toMatchObject({
      tp: p.parallel.tp,
      pp: p.parallel.pp,
      cp: 1,
      npusPerNode: 8,
      nnodes: 1,
      masterPort: 6000,
      loadPath: "/w/ckpt/mm",
      savePath: "/w/save dir/x",
      dataConfig: "/w/configs/x/data_7b.json",
      modelConfig: "/w/configs/x/model_7b.json",
    });
    expect(info.flags["train-iters"]).toBe("50");
    expect(info.flags["no-load-optim"]).toBe(true);
    expect(info.flags["log-tps"]).toBe(true);
    expect(info.exports.CUDA_DEVICE_MAX_CONNECTIONS).toBe("1");
  });

  it("finds the single YAML of the FSDP2 backend", () => {
    const p = plan("qwen3vl-8b");
    const info = parseLaunchScript(scriptOf(p));
    expect(info.entry).toBe("pretrain_transformers.py");
    expect(info.mainConfig).toMatch(/^\/w\/configs\/x\/.*\.yaml$/);
    const main = p.files.find((f) => f.format === "yaml")!;
    const cfg = describeRun(info, { main: main.value });
    expect(cfg.kind).toBe("yaml");
    expect(cfg.savePath).toBe("/w/save dir/x");
    expect(cfg.noLoadOptim).toBe(true);
  });

  it("reports a model config that disagrees with the script", () => {
    const p = plan("qwen2.5vl-7b");
    const info = parseLaunchScript(scriptOf(p));
    const model = structuredClone(p.files.find((f) => f.role === "model-config")!.value) as {
      text_decoder: { pipeline_num_layers: number[]; vocab_size: number };
    };
    model.text_decoder.pipeline_num_layers = [10, 10, 8];
    model.text_decoder.vocab_size = 1000;
    const issues = describeRun(info, { model }).issues.map((i) => i.message);
    expect(issues.some((m) => /3 stages but the script sets pipeline-model-parallel-size 2/.test(m))).toBe(true);
    expect(issues.some((m) => /--vocab-size 152064 .*\.vocab_size 1000/.test(m))).toBe(true);
    const good = describeRun(info, { model: p.files.find((f) => f.role === "model-config")!.value });
    expect(good.issues).toEqual([]);
    expect(good.llmSplit).toEqual(p.layerSplit.llm);
  });
});

describe("resumeScript", () => {
  it("loads the save directory and drops the flags that break a resume; still valid bash", () => {
    const text = scriptOf(plan("qwen2.5vl-7b"));
    const edit = resumeScript(`${text}\n# --finetune was here\n`, "/w/save dir/x", false, shellQuote);
    const info = parseLaunchScript(edit.text);
    expect(info.loadPath).toBe("/w/save dir/x");
    expect(info.flags["no-load-optim"]).toBeUndefined();
    expect(info.flags["no-load-rng"]).toBeUndefined();
    expect(info.flags["no-save-optim"]).toBe(true);
    expect(edit.changes).toEqual(["LOAD_PATH=/w/save dir/x", "removed --no-load-optim", "removed --no-load-rng"]);
    bashSyntaxOk(edit.text);
  });

  it("keeps the optimizer skips when asked (checkpoints without optimizer state), and removes --finetune", () => {
    const text = scriptOf(plan("qwen2.5vl-3b")).replace("--seed 42 \\", "--seed 42 \\\n    --finetune \\");
    expect(parseLaunchScript(text).flags.finetune).toBe(true);
    const edit = resumeScript(text, "/w/save", true, shellQuote);
    const info = parseLaunchScript(edit.text);
    expect(info.flags.finetune).toBeUndefined();
    expect(info.flags["no-load-optim"]).toBe(true);
    bashSyntaxOk(edit.text);
  });
});

describe("scheduler hand-off", () => {
  const settings = HostSettingsSchema.parse({ workdir: "/w/MindSpeed-MM", venv: "/w/venv" });
  const spec = {
    runId: "run-20260101-120000-abcd",
    nodes: 4,
    npusPerNode: 16,
    workdir: "/w/MindSpeed-MM",
    script: "/w/MindSpeed-MM/configs/x/finetune it.sh",
    env: { HCCL_IF_BASE_PORT: "50000", NODE_RANK: "0", MASTER_ADDR: "10.0.0.1" },
    masterPort: 6000,
    hostfile: "/w/MindSpeed-MM/.ascend-train/runs/hosts",
    logFile: "/w/MindSpeed-MM/logs/train.log",
    secretsFile: "/w/MindSpeed-MM/.ascend-train/runs/run.secrets.env",
  };

  it("writes a Slurm batch script that bash accepts, one task per node", () => {
    const text = slurmScript(spec, settings, { gres: "npu:16", partition: "a2" });
    bashSyntaxOk(text);
    expect(text).toContain("#SBATCH --nodes=4");
    expect(text).toContain("#SBATCH --gres=npu:16");
    expect(text).toContain("#SBATCH --partition=a2");
    expect(text).toMatch(/NODE_RANK=\$SLURM_NODEID/);
    expect(text).toContain("export HCCL_IF_BASE_PORT=50000");
    // The scheduler decides these per node; the run's own values must not leak in.
    expect(text).not.toContain("10.0.0.1");
    expect(text).toContain("'/w/MindSpeed-MM/configs/x/finetune it.sh'");
  });

  it("writes an AscendJob with a Master and Workers asking for the NPUs", () => {
    const doc = parseYaml(
      ascendJobManifest(spec, {
        image: "img:1",
        namespace: "train",
        queue: "q",
        ringController: "ascend-910b",
        acceleratorType: "module-910b-16",
        hostArch: "huawei-arm",
      }),
    );
    expect(doc).toMatchObject({ apiVersion: "mindxdl.gitee.com/v1", kind: "AscendJob" });
    expect(doc.metadata).toMatchObject({ name: spec.runId, namespace: "train" });
    expect(doc.spec.runPolicy.schedulingPolicy).toEqual({ minAvailable: 4, queue: "q" });
    expect(doc.spec.replicaSpecs.Master.replicas).toBe(1);
    expect(doc.spec.replicaSpecs.Worker.replicas).toBe(3);
    const c = doc.spec.replicaSpecs.Worker.template.spec.containers[0];
    expect(c.name).toBe("ascend");
    expect(c.resources.requests["huawei.com/Ascend910"]).toBe(16);
    expect(c.ports).toEqual([{ containerPort: 6000, name: "ascendjob-port" }]);
    expect(c.args[0]).toContain('NODE_RANK="$RANK"');
    bashSyntaxOk(c.args[0]);
    expect(c.env.map((e: { name: string }) => e.name)).not.toContain("MASTER_ADDR");
    const single = parseYaml(
      ascendJobManifest(
        { ...spec, nodes: 1 },
        {
          image: "i",
          namespace: "d",
          queue: "q",
          ringController: "ascend-910b",
          acceleratorType: "module-910b-8",
          hostArch: "huawei-arm",
        },
      ),
    );
    expect(single.spec.replicaSpecs.Worker).toBeUndefined();
    expect(k8sName("Run_ABC..x")).toBe("run-abc-x");
  });
});

describe("small parsers", () => {
  it("reads listening ports from /proc/net/tcp", () => {
    const text = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 00000000:1770 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 1 1",
      "   1: 0100007F:EA60 0100007F:1234 01 00000000:00000000 00:00000000 00000000  1001        0 1 1",
      "   0: 00000000000000000000000000000000:EA61 00000000000000000000000000000000:0000 0A 0 0 0 0 0 1",
    ].join("\n");
    expect([...listeningPorts(text)].sort()).toEqual([6000, 60001]);
  });

  it("reads the route's device, liveness lines and the checkpoint count", () => {
    expect(parseRouteDev("10.0.0.2 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0 \\    cache")).toBe("eth0");
    expect(parseRouteDev("")).toBeNull();
    expect(parseLiveness("live 12 1 4 900 -\nnoise\nlive 13 0 0 - 143")).toEqual([
      { pid: 12, alive: true, groupMembers: 4, startTicks: 900, exit: null },
      { pid: 13, alive: false, groupMembers: 0, startTicks: null, exit: "143" },
    ]);
    expect(plannedSaves(10000, 10000)).toBe(1);
    expect(plannedSaves(25, 10)).toBe(3);
    expect(plannedSaves(null, 5)).toBe(1);
  });
});
