// Signals of the twenty-second round, from the eighteenth collection's tune side: mmcv's checkpoint loader and
// transformers' cached_path on a path that names no file, a temporary download renamed after another process moved
// it, and an assert that a head count divides among the slices it is split over. Each log is written in the stack's
// own words with the public cases out of view, and a near wording is checked not to fire. A file cut short in a
// download gets the download-again fix, under the checkpoint rule and under missing weights.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const ruled = (log: string) => {
  const f = diagnoseText(log).findings[0];
  return f && !["known-case", "case-text", "case-words"].includes(f.rule) ? f : undefined;
};

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("mmcv's loader on a checkpoint path with no file", () => {
  it("names missing weights, in IOError's and OSError's words", () => {
    for (const error of ["OSError", "IOError"])
      expect(ruled(`${error}: /pretrained/faster_rcnn_r50_fpn_1x.pth is not a checkpoint file`)?.category).toBe(
        "missing_weights",
      );
  });

  it("and transformers' cached_path on a local model file the path does not hold", () => {
    expect(ruled("OSError: file ../models/base/config.json not found")?.category).toBe("missing_weights");
    // A URL is the Hub's or a server's business, not a local path.
    expect(ruled("OSError: file https://example.org/base/config.json not found")?.category).not.toBe("missing_weights");
  });

  it("does not read a sentence that says a file is a checkpoint", () => {
    expect(ruled("INFO: /ckpt/latest.pth is a checkpoint file, loading")?.category).not.toBe("missing_weights");
  });
});

describe("a temporary file renamed after another process moved it", () => {
  it("names processes racing on one shared directory", () => {
    const log = [
      "Traceback (most recent call last):",
      '  File "/root/proj/vae.py", line 74, in download',
      "    os.rename(download_target_tmp, download_target)",
      "FileNotFoundError: [Errno 2] No such file or directory: '/root/.cache/proj/tmp.encoder.pkl' -> '/root/.cache/proj/encoder.pkl'",
    ].join("\n");
    expect(ruled(log)?.category).toBe("nfs_cache_hang");
    expect(
      ruled("FileNotFoundError: [Errno 2] No such file or directory: '/out/model.bin.part' -> '/out/model.bin'")
        ?.category,
    ).toBe("nfs_cache_hang");
  });

  it("leaves a rename of an ordinary file to the missing-path rules", () => {
    const log = "FileNotFoundError: [Errno 2] No such file or directory: '/data/train.json' -> '/data/train.bak'";
    expect(ruled(log)?.category).not.toBe("nfs_cache_hang");
  });
});

describe("a head count that does not divide among its slices", () => {
  it("names it from a C assert and from Python's assert at the source line", () => {
    expect(
      ruled(
        "dllama: src/commands.cpp:102: MultiHeadAttSlice::MultiHeadAttSlice(unsigned int, unsigned int, unsigned int, slice_index_t): Assertion `nHeads % nSlices == 0' failed.",
      )?.category,
    ).toBe("tp_exceeds_kv_heads");
    const python = [
      "Traceback (most recent call last):",
      '  File "/work/model/attention.py", line 41, in __init__',
      "    assert config.num_key_value_heads % tp_size == 0",
      "AssertionError",
    ].join("\n");
    expect(ruled(python)?.category).toBe("tp_exceeds_kv_heads");
  });

  it("does not read an assert on another count", () => {
    expect(ruled("main: src/app.cpp:10: int main(): Assertion `nLayers % nSlices == 0' failed.")?.category).not.toBe(
      "tp_exceeds_kv_heads",
    );
  });
});

describe("a zip checkpoint cut short", () => {
  it("also offers the download again, and only for a truncated file", () => {
    const cut = diagnoseText(
      "RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory",
    ).findings[0];
    expect(cut?.category).toBe("checkpoint_incomplete");
    expect(cut?.fixes.map((f) => f.id)).toContain("download-again");
    const partial = diagnoseText("Found incomplete checkpoint at /ckpt/iter_0000100").findings[0];
    expect(partial?.category).toBe("checkpoint_incomplete");
    expect(partial?.fixes.map((f) => f.id)).not.toContain("download-again");
  });
});

describe("a weight file cut short", () => {
  it("offers the download again under missing weights, and not for a git-lfs pointer", () => {
    const cut = diagnoseText(
      "safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer",
    ).findings[0];
    expect(cut?.category).toBe("missing_weights");
    expect(cut?.fixes.map((f) => f.id)).toContain("download-again");
    const pointer = diagnoseText("_pickle.UnpicklingError: invalid load key, 'v'.").findings[0];
    expect(pointer?.category).toBe("missing_weights");
    expect(pointer?.fixes.map((f) => f.id)).not.toContain("download-again");
  });
});
