// Signals of the twentieth round: messages that only a public case's likeness used to read (no rule fired on them),
// now read by the rules alone, with the public cases out of view. Each log is written in the stack's own words, and a
// near wording that means something else is checked not to fire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0];
const ruled = (log: string) => {
  const f = top(log);
  return f && !["known-case", "case-text", "case-words"].includes(f.rule) ? f : undefined;
};

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("what only a public case read before", () => {
  const cases: [string, string, string][] = [
    [
      "NVML's unknown error inside a container after a daemon-reload",
      "$ kubectl logs cuda-smi\nGPU 0: NVIDIA A100-PCIE-40GB\nFailed to initialize NVML: Unknown Error",
      "driver_not_mounted",
    ],
    [
      "the kernel driver failing to bring a card up",
      "[   38.77] NVRM: RmInitAdapter failed! (0x26:0xffff:1127)\n[   38.77] NVRM: rm_init_adapter failed for device bearing minor number 0",
      "device_p2p_driver_error",
    ],
    ["MindCluster's busy card", "checking devices\nnpu is busy, check again", "device_busy"],
    [
      "a dtype the NCCL build cannot reduce",
      "RuntimeError: Input tensor data type is not supported for NCCL process group: BFloat16",
      "dtype_unsupported",
    ],
    [
      "a numpy array of a dtype no tensor has",
      "TypeError: can't convert np.ndarray of type numpy.object_. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.",
      "dtype_unsupported",
    ],
    [
      "an index naming shards the folder lacks",
      "Error: Weight files referenced in index but missing:\n  {'/models/q/model-00002-of-00004.safetensors'}",
      "missing_weights",
    ],
    ["mlx-lm's folder without weights", "FileNotFoundError: No safetensors found in mlx_model", "missing_weights"],
    [
      "a Hub id transformers could not fetch the configuration of",
      "OSError: Can't load the configuration of 'BAAI/bge-small-en-v1.5'. If you were trying to load it from 'https://huggingface.co/models', make sure you don't have a local directory with the same name.",
      "hub_access",
    ],
    [
      "fish's report of a SIGKILLed command",
      "Requested to load LTXV\nfish: Job 1, 'python main.py' terminated by signal SIGKILL (Forced quit)",
      "host_oom",
    ],
    ["bash's Killed in an issue's bold", "iter 144: loss 0.58\n**Killed**", "host_oom"],
    [
      "a loss printed as nan under its own name",
      "train_batch_loss[ 6580 ]:  1.97\ntrain_batch_loss[ 6590 ]:  nan\ntrain_batch_loss[ 6600 ]:  nan",
      "nan_loss",
    ],
    [
      "the older fp16 scaler's overflow report, with a comma",
      Array.from(
        { length: 4 },
        (_, i) => `Gradient overflow, skipping step, loss scaler 0 reducing loss scale to ${32768 / 2 ** i}.0`,
      ).join("\n"),
      "nan_loss",
    ],
    [
      "heads that do not divide across the tensor-parallel size",
      "[Bug]: InternVL2-26B tensor_parallel_size=4, AssertionError: 25 is not divisible by 4",
      "tp_exceeds_kv_heads",
    ],
    [
      "TGI's shard left without a key/value head",
      [
        '  File "/opt/conda/lib/python3.10/site-packages/text_generation_server/models/custom_modeling/flash_gemma_modeling.py", line 194, in __init__',
        "    self.num_groups = self.num_heads // self.num_key_value_heads",
        "ZeroDivisionError: integer division or modulo by zero",
      ].join("\n"),
      "tp_exceeds_kv_heads",
    ],
    [
      "Python 2's unquoted name of an extension missing from a source checkout",
      [
        "Traceback (most recent call last):",
        '  File "<stdin>", line 1, in <module>',
        '  File "noise/__init__.py", line 12, in <module>',
        "    from . import _perlin, _simplex",
        "ImportError: cannot import name _perlin",
      ].join("\n"),
      "import_from_source_dir",
    ],
    [
      "a _cpu extension missing from a source checkout",
      [
        '  File "/home/u/pytorch_scatter/torch_scatter/__init__.py", line 3, in <module>',
        "    from .mul import scatter_mul",
        '  File "/home/u/pytorch_scatter/torch_scatter/utils/ext.py", line 2, in <module>',
        "    import torch_scatter.scatter_cpu",
        "ModuleNotFoundError: No module named 'torch_scatter.scatter_cpu'",
      ].join("\n"),
      "import_from_source_dir",
    ],
  ];
  for (const [name, log, category] of cases) {
    it(name, () => {
      const f = ruled(log);
      expect(f?.category).toBe(category);
    });
  }

  it("a runtime code after err= is decoded", () => {
    const f = top("RuntimeError: 950 backend (v4): aclrtSynchronizeStream failed after launch_fwd, err=507015");
    expect(f?.category).toBe("aicore_error");
  });
});

describe("near wordings that mean something else", () => {
  it("a configuration path that does not exist is a local folder, not the Hub", () => {
    const f = ruled("OSError: Can't load the configuration of '/data/models/qwen'. If you were trying to load it");
    expect(f?.category).not.toBe("hub_access");
  });

  it("'not divisible' with no tensor-parallel size in sight is not read as heads", () => {
    expect(ruled("AssertionError: 25 is not divisible by 4")?.category).not.toBe("tp_exceeds_kv_heads");
  });

  it("a loss scale that is nan-free, or a word ending in loss beside a number, is not a NaN loss", () => {
    expect(ruled("epoch 1 train_loss: 0.93 val_loss: 1.02")?.category).not.toBe("nan_loss");
    const once = "Gradient overflow, skipping step, loss scaler 0 reducing loss scale to 32768.0";
    expect(ruled(once)?.category).not.toBe("nan_loss");
  });

  it("Killed inside a sentence is not the shell's report", () => {
    expect(ruled("the job was **Killed** by the admin yesterday, see the ticket")?.category).not.toBe("host_oom");
  });

  it("a site-packages package missing a private module is not a source checkout", () => {
    const log = [
      '  File "/usr/lib/python2.7/site-packages/noise/__init__.py", line 12, in <module>',
      "ImportError: cannot import name _perlin",
    ].join("\n");
    expect(ruled(log)?.category).not.toBe("import_from_source_dir");
  });
});
