// The TRL-on-CUDA pieces that need no host: nvidia-smi's two output forms (real outputs in test/fixtures/trl, see
// SOURCES.md), the simulated nvidia-smi against them, the Transformers/TRL trainer log, the PEP 723 training script,
// the per-method dataset check and the CUDA findings.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTrlScript, localDatasetFormat } from "../../src/configs/trl-script.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { evaluateCudaHost, parseCudaProbe } from "../../src/env/cuda.js";
import { parseNvidiaSmiCsv, parseNvidiaSmiTable } from "../../src/env/nvidia-smi.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { checkTrlColumns, NEWEST_TRL, TRL_METHOD_INFO } from "../../src/knowledge/trl.js";
import { LogAccumulator } from "../../src/logs/accumulator.js";
import { parseTqdm, parseTrainerDict, TrainerLogReader } from "../../src/logs/trainer-log.js";
import { SIM_FILES_DIR } from "../../src/sim/files.js";

const fixture = (name: string) => readFileSync(join(__dirname, "../fixtures/trl", name), "utf8");

describe("nvidia-smi", () => {
  it("reads driver, CUDA version and each GPU's memory from real default tables", () => {
    const l4 = parseNvidiaSmiTable(fixture("nvidia-smi-l4.txt"));
    expect(l4).toEqual({
      driver: "570.133.20",
      cudaVersion: "12.8",
      gpus: [{ index: 0, name: "NVIDIA L4", memoryUsedMiB: 0, memoryTotalMiB: 23034 }],
    });
    const a800 = parseNvidiaSmiTable(fixture("nvidia-smi-a800.txt"));
    expect(a800.driver).toBe("535.86.10");
    expect(a800.cudaVersion).toBe("12.2");
    expect(a800.gpus.map((g) => [g.index, g.name, g.memoryUsedMiB, g.memoryTotalMiB])).toEqual([
      [0, "NVIDIA A800-SXM4-80GB", 34447, 81920],
      [1, "NVIDIA A800-SXM4-80GB", 34639, 81920],
    ]);
  });

  it("reads the csv,noheader,nounits query form", () => {
    const r = parseNvidiaSmiCsv(
      "0, NVIDIA H100 80GB HBM3, 570.133.20, 81559, 0\n1, NVIDIA H100 80GB HBM3, 570.133.20, 81559, 512\n",
    );
    expect(r.driver).toBe("570.133.20");
    expect(r.gpus[1]).toEqual({ index: 1, name: "NVIDIA H100 80GB HBM3", memoryTotalMiB: 81559, memoryUsedMiB: 512 });
    expect(
      parseNvidiaSmiCsv("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.").gpus,
    ).toEqual([]);
  });

  it("the simulated nvidia-smi prints the real table's layout and a query the parser reads", () => {
    const root = mkdtempSync(join(tmpdir(), "nvsmi-"));
    mkdirSync(join(root, ".sim"));
    mkdirSync(join(root, "bin"));
    writeFileSync(
      join(root, ".sim", "cuda.json"),
      JSON.stringify({
        gpuCount: 2,
        gpuName: "NVIDIA H100 80GB HBM3",
        memoryTotalMiB: 81559,
        driver: "570.133.20",
        cuda: "12.8",
        bf16: true,
      }),
    );
    const smi = join(root, "bin", "nvidia-smi");
    writeFileSync(smi, readFileSync(join(SIM_FILES_DIR, "nvidia_smi.py")));
    const table = execFileSync("python3", [smi], { encoding: "utf8" });
    const real = fixture("nvidia-smi-l4.txt").split("\n");
    const ours = table.split("\n");
    // Same banner, headers and column separators as driver 570's own table.
    for (let i = 1; i <= 11; i++) {
      const bars = (s: string) => [...s].flatMap((c, j) => (c === "|" || c === "+" ? [j] : []));
      expect(ours[i]!.length, `line ${i}`).toBe(real[i]!.length);
      expect(bars(ours[i]!), `line ${i}`).toEqual(bars(real[i]!));
    }
    expect(ours.slice(3, 7)).toEqual(real.slice(3, 7));
    expect(parseNvidiaSmiTable(table).gpus).toHaveLength(2);
    const csv = execFileSync(
      "python3",
      [smi, "--query-gpu=index,name,driver_version,memory.total,memory.used", "--format=csv,noheader,nounits"],
      { encoding: "utf8" },
    );
    expect(parseNvidiaSmiCsv(csv).gpus.map((g) => g.memoryTotalMiB)).toEqual([81559, 81559]);
  });
});

describe("trainer log", () => {
  it("reads real DPO dict lines into loss, lr, epoch and rewards/margins; eval dicts are not steps", () => {
    const acc = new LogAccumulator();
    for (const line of fixture("trainer-dpo.log").split("\n")) acc.push(line);
    const a = acc.analysis();
    expect(a.iterationsSeen).toBe(2);
    expect(a.latest).toMatchObject({ loss: 0.8165, learningRate: 3.8e-5, epoch: 0.24 });
    expect(a.latest?.metrics?.["rewards/margins"]).toBeCloseTo(0.41145211458206177);
  });

  it("reads real GRPO lines: the tqdm bar gives step, total and s/it; the dict gives reward and grad norm", () => {
    const acc = new LogAccumulator();
    for (const line of fixture("trainer-grpo.log").split("\n")) acc.push(line);
    const latest = acc.analysis().latest!;
    expect(latest).toMatchObject({ iteration: 3, totalIterations: 1562, msPerIteration: 379990, epoch: 0.33 });
    expect(latest.gradNorm).toBeCloseTo(0.09666649252176285);
    expect(latest.metrics?.reward).toBeCloseTo(1.8844376266002656);
    expect(latest.metrics?.reward_std).toBeCloseTo(0.7487143039703369);
  });

  it("reads it/s bars, carriage-return joined bars and the closing train_runtime dict", () => {
    expect(
      parseTqdm(" 10%|█         | 1/10 [00:01<00:09,  4.00it/s]\r 20%|██        | 2/10 [00:01<00:08,  2.00it/s]"),
    ).toEqual({
      step: 2,
      total: 10,
      msPerStep: 500,
    });
    expect(parseTrainerDict("{'loss': nan, 'grad_norm': inf}")).toEqual({ loss: Number.NaN, grad_norm: Infinity });
    const r = new TrainerLogReader();
    expect(r.read("{'train_runtime': 12.5, 'train_samples_per_second': 1.6, 'train_loss': 1.1, 'epoch': 1.0}")).toEqual(
      {
        kind: "end",
        reason: "trainer finished (train_runtime 12.5s)",
      },
    );
    const acc = new LogAccumulator();
    acc.push("{'loss': 1.5, 'grad_norm': 0.5, 'learning_rate': 2e-05, 'epoch': 0.1}");
    acc.push("{'train_runtime': 12.5, 'train_samples_per_second': 1.6, 'train_loss': 1.1, 'epoch': 1.0}");
    expect(acc.analysis().end?.reason).toContain("train_runtime");
  });

  it("takes only the Trainer's dicts (they carry the epoch) as steps, not other dicts a log prints", () => {
    const acc = new LogAccumulator();
    acc.push("{'learning_rate': 1e-05, 'loss_scale': 1.0, 'seed': 42}");
    acc.push("{'loss': 0.5, 'lr': 0.1}");
    expect(acc.analysis().iterationsSeen).toBe(0);
  });

  it("leaves MindSpeed-MM iteration lines to their own parser", () => {
    const acc = new LogAccumulator();
    acc.push(
      " [2026-04-28 10:00:00] iteration        2/   10000 | consumed samples:          384 | elapsed time per iteration (ms): 9123.4 | learning rate: 1.000000E-08 | global batch size:   192 | loss: 1.204321E+00 | grad norm: 3.456 |",
    );
    expect(acc.analysis().latest).toMatchObject({ iteration: 2, totalIterations: 10000, loss: 1.204321 });
    expect(acc.analysis().latest?.metrics).toBeUndefined();
  });
});

describe("TRL training script", () => {
  const base = {
    model: "Qwen/Qwen2.5-0.5B-Instruct",
    dataset: "trl-lib/Capybara",
    outputDir: "/data/out",
    release: NEWEST_TRL,
    maxSteps: 100,
    perDeviceBatchSize: 2,
    gradientAccumulationSteps: 4,
    saveSteps: 50,
    bf16: true,
  };

  it("starts with a PEP 723 block pinning the TRL release and its requirements", () => {
    const text = buildTrlScript({ ...base, method: "sft", peft: "qlora" });
    const header = text.split("\n").slice(0, 11).join("\n");
    expect(header).toBe(
      [
        "# /// script",
        '# requires-python = ">=3.9"',
        "# dependencies = [",
        '#     "trl==0.20.0",',
        '#     "transformers>=4.53.0",',
        '#     "accelerate>=1.4.0",',
        '#     "datasets>=3.0.0",',
        '#     "peft>=0.8.0",',
        '#     "bitsandbytes",',
        "# ]",
        "# ///",
      ].join("\n"),
    );
    expect(text).toContain('dataset = load_dataset("trl-lib/Capybara", split="train")');
    expect(text).toContain("model_init_kwargs={'quantization_config': bnb}");
  });

  it("uses each method's trainer and config, a reward function for GRPO, a sequence classifier for reward", () => {
    for (const method of ["sft", "dpo", "grpo", "reward"] as const) {
      const text = buildTrlScript({ ...base, method, peft: "lora" });
      const info = TRL_METHOD_INFO[method];
      expect(text).toContain(`from trl import ${info.config}, ${info.trainer}`);
      expect(text).toContain(`training_args = ${info.config}(`);
      expect(text).toContain(`trainer = ${info.trainer}(`);
      expect(text).toContain("peft_config=peft_config");
    }
    expect(buildTrlScript({ ...base, method: "grpo", peft: "lora" })).toContain("reward_funcs=reward_len");
    expect(buildTrlScript({ ...base, method: "dpo", peft: "lora" })).toContain("beta=0.1");
    const reward = buildTrlScript({ ...base, method: "reward", peft: "full" });
    expect(reward).toContain("AutoModelForSequenceClassification.from_pretrained");
    expect(reward).not.toContain("peft");
  });

  it("loads local files with their builder and applies a column mapping", () => {
    expect(localDatasetFormat("/data/train.jsonl")).toBe("json");
    expect(localDatasetFormat("org/name")).toBeNull();
    const text = buildTrlScript({
      ...base,
      method: "dpo",
      peft: "full",
      dataset: "/data/pairs.jsonl",
      columnMapping: { question: "prompt" },
    });
    expect(text).toContain('load_dataset("json", data_files="/data/pairs.jsonl", split="train")');
    expect(text).toContain('dataset = dataset.rename_columns({"question": "prompt"})');
  });

  it("is valid Python for every method and PEFT mode", () => {
    const dir = mkdtempSync(join(tmpdir(), "trl-script-"));
    let compiled = 0;
    for (const method of ["sft", "dpo", "grpo", "reward"] as const)
      for (const peft of ["lora", "qlora", "full"] as const) {
        const file = join(dir, `${method}-${peft}.py`);
        writeFileSync(file, buildTrlScript({ ...base, method, peft, hubModelId: "me/model" }));
        execFileSync("python3", ["-m", "py_compile", file]);
        compiled++;
      }
    expect(compiled).toBe(12);
  });
});

describe("dataset columns per method", () => {
  it("accepts each documented format", () => {
    expect(checkTrlColumns("sft", ["messages"]).ok).toBe(true);
    expect(checkTrlColumns("sft", ["prompt", "completion"]).ok).toBe(true);
    expect(checkTrlColumns("dpo", ["prompt", "chosen", "rejected"]).ok).toBe(true);
    expect(checkTrlColumns("reward", ["chosen", "rejected"]).ok).toBe(true);
    expect(checkTrlColumns("grpo", ["prompt", "solution"]).ok).toBe(true);
  });

  it("names the missing columns and the renames that fix them", () => {
    expect(checkTrlColumns("dpo", ["question", "chosen", "rejected_response"])).toEqual({
      ok: false,
      expected: ["prompt", "chosen", "rejected"],
      missing: ["prompt", "rejected"],
      mapping: { question: "prompt", rejected_response: "rejected" },
    });
    expect(checkTrlColumns("grpo", ["messages"])).toMatchObject({ ok: false, missing: ["prompt"], mapping: {} });
    expect(checkTrlColumns("sft", ["instruction", "output"])).toMatchObject({
      ok: false,
      missing: ["prompt", "completion"],
      mapping: { instruction: "prompt", output: "completion" },
    });
  });
});

describe("CUDA findings", () => {
  const probe = (
    torch: string,
    packages = '{"trl": "0.20.0", "transformers": "4.53.0", "peft": "0.8.0", "accelerate": "1.4.0", "datasets": "3.0.0"}',
  ) =>
    [
      "@@smi-table",
      fixture("nvidia-smi-a800.txt"),
      "@@smi-csv",
      "0, NVIDIA A800-SXM4-80GB, 535.86.10, 81920, 34447",
      "1, NVIDIA A800-SXM4-80GB, 535.86.10, 81920, 12",
      "@@torch",
      torch,
      "@@packages",
      packages,
      "@@disk",
      "path=/data",
      "/dev/nvme0n1p1 3750000000 850000000 2900000000 23% /data",
      "",
    ].join("\n");

  it("a healthy host has no error; a busy GPU is a warning", () => {
    const facts = parseCudaProbe(
      probe(
        '{"version": "2.7.1+cu126", "cuda": "12.6", "cudaAvailable": true, "deviceCount": 2, "bf16": true, "nccl": "2.26.2"}',
      ),
    );
    expect(facts.gpus).toHaveLength(2);
    expect(facts.cudaVersion).toBe("12.2");
    expect(facts.diskFreeGiB).toBeGreaterThan(2000);
    const f = evaluateCudaHost(facts);
    expect(f.filter((x) => x.severity === "error")).toEqual([]);
    expect(f.map((x) => x.id)).toEqual(["gpu-busy"]);
  });

  it("torch without CUDA is an error with the wheel index for the driver's CUDA; no bf16 and missing TRL are named", () => {
    const noCuda = evaluateCudaHost(
      parseCudaProbe(
        probe(
          '{"version": "2.7.1+cpu", "cuda": null, "cudaAvailable": false, "deviceCount": 0, "bf16": false, "nccl": null}',
        ),
      ),
    );
    expect(noCuda.find((x) => x.id === "torch-no-cuda")).toMatchObject({
      severity: "error",
      fix: "pip install torch --index-url https://download.pytorch.org/whl/cu122",
    });
    const noBf16 = evaluateCudaHost(
      parseCudaProbe(
        probe(
          '{"version": "2.7.1", "cuda": "12.6", "cudaAvailable": true, "deviceCount": 2, "bf16": false, "nccl": "2.26.2"}',
          "{}",
        ),
      ),
    );
    expect(noBf16.map((x) => x.id)).toEqual(expect.arrayContaining(["bf16-unsupported", "trl-stack-missing"]));
    const noSmi = evaluateCudaHost(parseCudaProbe("@@smi-table\nbash: nvidia-smi: command not found\n"));
    expect(noSmi.map((x) => x.id)).toEqual(expect.arrayContaining(["nvidia-smi-missing", "torch-missing"]));
  });

  it("the inventory takes accelerator cuda and defaults to ascend", () => {
    expect(HostSettingsSchema.parse({}).accelerator).toBe("ascend");
    expect(HostSettingsSchema.parse({ accelerator: "cuda" }).accelerator).toBe("cuda");
    expect(() => HostSettingsSchema.parse({ accelerator: "rocm" })).toThrow();
  });
});

describe("diagnosis of the TRL / CUDA stack's failures", () => {
  const TORCH = "https://github.com/pytorch/pytorch/blob/main";
  // Each message in the words of the code that raises it (source given); the top finding must be its category.
  const cases = [
    {
      category: "npu_oom",
      source: `${TORCH}/c10/cuda/CUDACachingAllocator.cpp`,
      log: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.06 GiB is free. Including non-PyTorch memory, this process has 78.12 GiB memory in use.",
    },
    {
      category: "hccl_timeout",
      source: `${TORCH}/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp`,
      log: "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3",
    },
    {
      category: "hccl_timeout",
      source: `${TORCH}/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp`,
      log: "[rank1]:[E ProcessGroupNCCL.cpp:563] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600031 milliseconds before timing out.",
    },
    {
      category: "dtype_unsupported",
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/training_args.py",
      log: "ValueError: Your setup doesn't support bf16/gpu.",
    },
    {
      category: "hub_access",
      source: "https://github.com/huggingface/transformers/blob/main/src/transformers/utils/hub.py (401, gated)",
      log: "OSError: You are trying to access a gated repo.\nMake sure to have access to it at https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct.\n401 Client Error.\n\nCannot access gated repo for url https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/resolve/main/config.json.\nAccess to model meta-llama/Llama-3.1-8B-Instruct is restricted. You must have access to it and be authenticated to access it. Please log in.",
    },
    {
      category: "hub_access",
      source:
        "https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py (403, gated)",
      log: "huggingface_hub.errors.GatedRepoError: 403 Client Error.\nCannot access gated repo for url https://huggingface.co/meta-llama/Llama-3.1-8B/resolve/main/config.json.\nAccess to model meta-llama/Llama-3.1-8B is restricted and you are not in the authorized list. Visit https://huggingface.co/meta-llama/Llama-3.1-8B to ask for access.",
    },
    {
      category: "hub_access",
      source: "https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py (404)",
      log: "huggingface_hub.errors.RepositoryNotFoundError: 404 Client Error. (Request ID: Root=1-6650a1b2-3c4d5e6f)\n\nRepository Not Found for url: https://huggingface.co/api/models/Qwen/Qwen2.5-0.5B-Instrukt.\nPlease make sure you specified the correct `repo_id` and `repo_type`.\nIf you are trying to access a private or gated repo, make sure you are authenticated.",
    },
    {
      category: "dataset_key_error",
      source: "https://github.com/huggingface/datasets/blob/main/src/datasets/arrow_dataset.py (rename_columns)",
      log: "ValueError: Original column names {'question'} not in the dataset. Current columns in the dataset: ['prompt', 'chosen', 'rejected']",
    },
    {
      category: "disk_full",
      source: "https://github.com/huggingface/safetensors (serialize to a full disk)",
      log: 'safetensors_rust.SafetensorError: Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: "No space left on device" })',
    },
  ];

  it.each(cases)("$category: $source", ({ category, log }) => {
    expect(diagnoseText(log).findings[0]?.category).toBe(category);
  });

  it("names the Hub repo in the fix", () => {
    const top = diagnoseText(cases[6]!.log).findings[0]!;
    expect(JSON.stringify(top.fixes)).toContain("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instrukt:");
  });
});
