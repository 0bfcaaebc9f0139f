// Signals read from the stacks' own sources, eighth collection: `file` naming CRLF line terminators, NCCL's bootstrap
// connect timeout, a keyword the installed accelerate does not take yet, a checkpoint shard an index names but the disk
// lacks, a loader finding no weights file, and datasets/fsspec turning a Hub file it may not read into
// FileNotFoundError on the Hub URL. Each message is built from the cited source's format string, not copied from a
// collected log, and must be diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("scripts and launchers", () => {
  it("file(1) reporting CRLF line terminators is windows_line_endings, even beside a bare 'No such file'", () => {
    // file/magic's text for a script saved on Windows.
    const log = [
      "$ ./prepare.py",
      ": No such file or directory",
      "$ file prepare.py",
      "prepare.py: Python script, ASCII text executable, with CRLF line terminators",
    ].join("\n");
    expect(top(log).category).toBe("windows_line_endings");
  });

  it("NCCL's bootstrap connect timeout is hccl_timeout", () => {
    // nccl src/include/socket.h: WARN("Call to connect timeout : %s", strerror(errno)).
    expect(
      top("node-2:811:902 [3] include/socket.h:361 NCCL WARN Call to connect timeout : Connection refused").category,
    ).toBe("hccl_timeout");
  });
});

describe("versions", () => {
  it("a keyword the installed accelerate's Accelerator does not take is transformers_version_conflict", () => {
    // Python's TypeError for an unknown keyword on accelerate.Accelerator (use_seedable_sampler arrived in 0.26).
    expect(
      top("TypeError: Accelerator.__init__() got an unexpected keyword argument 'use_seedable_sampler'").category,
    ).toBe("transformers_version_conflict");
  });
});

describe("weights and the Hub", () => {
  it("a shard named model-0000N-of-0000M that is not on disk, and 'no weights file found in', are missing_weights", () => {
    // transformers' shard naming (utils/hub.py get_checkpoint_shard_files) with Python's ENOENT text.
    expect(
      top(
        "FileNotFoundError: [Errno 2] No such file or directory: '/models/llama2-13b/model-00002-of-00003.safetensors'",
      ).category,
    ).toBe("missing_weights");
    expect(top("no weights file found in /opt/models/sd15/unet").category).toBe("missing_weights");
  });

  it("FileNotFoundError on a Hub URL (fsspec http, datasets' 'Couldn't find file at') is hub_access", () => {
    // fsspec/implementations/http.py _info: raise FileNotFoundError(url); datasets utils/file_utils.py get_from_cache.
    expect(
      top("FileNotFoundError: https://huggingface.co/datasets/org/gated-set/resolve/main/n_shards.json").category,
    ).toBe("hub_access");
    expect(
      top(
        "FileNotFoundError: Couldn't find file at https://raw.githubusercontent.com/huggingface/datasets/master/datasets/wmt21/wmt21.py",
      ).category,
    ).toBe("hub_access");
    // A local path that is not there stays what it was.
    expect(top("FileNotFoundError: [Errno 2] No such file or directory: '/data/train.jsonl'").category).not.toBe(
      "hub_access",
    );
  });
});
