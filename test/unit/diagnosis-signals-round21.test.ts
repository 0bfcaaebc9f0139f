// Signals of the twenty-first round, from the seventeenth collection's tune side: a resume reading training state a
// checkpoint was saved without (Lightning's weights-only message, a bare KeyError under a checkpoint subscript), a
// LLaMA-Factory log that stops while loading its dataset, and Gloo's full mesh quoted with its detail cut. Each log is
// written in the stack's own words with the public cases out of view, and a near wording is checked not to fire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const ruled = (log: string) => {
  const f = diagnoseText(log).findings[0];
  return f && !["known-case", "case-text", "case-words"].includes(f.rule) ? f : undefined;
};

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

const trace = (source: string, error: string) =>
  [
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.10/site-packages/lightning/pytorch/trainer/connectors/checkpoint_connector.py", line 212, in restore_loops',
    `    ${source}`,
    error,
  ].join("\n");

describe("a resume from a checkpoint saved without its training state", () => {
  it("Lightning's weights-only checkpoint", () => {
    const log =
      "KeyError: 'Trying to restore optimizer state but checkpoint contains only the model. This is probably due to `ModelCheckpoint.save_weights_only` being set to `True`.'";
    expect(ruled(log)?.category).toBe("checkpoint_incomplete");
  });

  it("a training-state key missing under a checkpoint subscript", () => {
    const keys: [source: string, key: string][] = [
      ['self.trainer.fit_loop.global_step = self._loaded_checkpoint["global_step"]', "global_step"],
      ["self.best_val_loss = ckpt['best_val_loss']", "best_val_loss"],
      ["scheduler.load_state_dict(checkpoint['lr_scheduler'])", "lr_scheduler"],
    ];
    for (const [source, key] of keys)
      expect(ruled(trace(source, `KeyError: '${key}'`))?.category, key).toBe("checkpoint_incomplete");
  });

  it("a zip checkpoint whose archive lacks a tensor's data record, in old and new wording", () => {
    for (const line of [
      "RuntimeError: [enforce fail at inline_container.cc:209] . file not found: archive/data/3259494704",
      "RuntimeError: PytorchStreamReader failed locating file data/94371623104432: file not found",
    ])
      expect(ruled(line)?.category, line).toBe("checkpoint_incomplete");
    expect(ruled("FileNotFoundError: file not found: data/train.json")?.category).not.toBe("checkpoint_incomplete");
  });

  it("but not a model key a checkpoint of another layout lacks, nor a data field", () => {
    expect(ruled(trace("model.load_state_dict(ckpt['model'])", "KeyError: 'model'"))?.category).not.toBe(
      "checkpoint_incomplete",
    );
    expect(ruled(trace("text = example['messages']", "KeyError: 'messages'"))?.category).not.toBe(
      "checkpoint_incomplete",
    );
  });
});

describe("a LLaMA-Factory log that stops while loading its dataset", () => {
  const loading = "[INFO|2025-02-19 09:34:26] llamafactory.data.loader:157 >> Loading dataset identity.json...";

  it("is a wait on the datasets cache when nothing follows", () => {
    expect(
      ruled(`[INFO|2025-02-19 09:34:20] llamafactory.hparams.parser:383 >> Process rank: 1\n${loading}`)?.category,
    ).toBe("nfs_cache_hang");
  });

  it("is a step that went on when the run printed more after it", () => {
    const went = `${loading}\n[INFO|2025-02-19 09:34:40] llamafactory.data.loader:157 >> Loading dataset alpaca.json...\nRunning tokenizer on dataset: 100%|██████████| 1000/1000\nKeyError: 'instruction'`;
    expect(ruled(went)?.category).not.toBe("nfs_cache_hang");
  });
});

describe("Gloo's full mesh quoted with its detail cut", () => {
  it("is ranks that cannot reach each other", () => {
    const log =
      "[rank8] Gloo connectFullMesh failed ... timed out connecting: SO_ERROR: Connection refused, remote=[127.0.0.1]:14215\nRuntimeError: Gloo connectFullMesh failed ...";
    expect(ruled(log)?.category).toBe("hccl_timeout");
  });
});

describe("library messages that only a reading had named", () => {
  const cases: [name: string, log: string, category: string][] = [
    ["bash's CR report quoted without its $", "'\\r': command not found", "windows_line_endings"],
    [
      "glibc's static TLS message with its spaces mangled in the post",
      "OSError: /usr/lib/libgomp-d22c30c5.so.1: cannotallocate memoryin staticTLS block",
      "libgomp_static_tls",
    ],
    [
      "TensorFlow's global-norm check",
      "tensorflow/core/kernels/check_numerics_op.cc:185] abnormal_detected_host @0x7f4b = {1, 0} Found Inf or NaN global norm.",
      "nan_loss",
    ],
    [
      "the old TH dispatch refusing bf16",
      "RuntimeError: _th_equal not supported on CPUType for BFloat16",
      "dtype_unsupported",
    ],
    [
      "tensorstore's lock on a filesystem without locks",
      "ValueError: FAILED_PRECONDITION: Failed to acquire lock on file: /runs/x.orbax-checkpoint-tmp/_sharding.__lock [OS error: Function not implemented]",
      "nfs_cache_hang",
    ],
    [
      "ms-swift's dataset of no known format",
      "ValueError: dataset.features.keys(): dict_keys(['chosen', 'rejected'])\nrequired_keys_mapping: {'swift': ['response'], 'alpaca': ['instruction', 'output']}",
      "dataset_key_error",
    ],
    ["UCX's bus error", "[host:1 :0:381] Caught signal 7 (Bus error: nonexistent physical address)", "shm_bus_error"],
    [
      "a loader's assertion on a weights file",
      "AssertionError: checkpoints/lit-llama/7B/lit-llama.pth",
      "missing_weights",
    ],
  ];
  for (const [name, log, category] of cases) it(name, () => expect(ruled(log)?.category).toBe(category));

  it("but not an assertion that states a condition, nor a signal other than a bus error", () => {
    expect(ruled("AssertionError: model.pth exists but is empty")?.category).not.toBe("missing_weights");
    expect(ruled("[host:1 :0:381] Caught signal 11 (Segmentation fault: address not mapped)")?.category).not.toBe(
      "shm_bus_error",
    );
  });
});
