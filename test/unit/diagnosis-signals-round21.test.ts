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
