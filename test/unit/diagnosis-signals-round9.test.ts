// Signals read from the stacks' own sources, sixth collection: DeepSpeed's fp16/bf16 sanity check and missing
// `latest` tracker, torch's store-based barrier, Ray's memory monitor, the runtime's stream exhaustion, AutoConfig's
// model-type lookup and AutoAWQ's model-type check, a program's own "too much disk space", and transformers' "not a
// local folder and not a valid model identifier" read by the kind of name it was given. Each message is built from
// the cited source's format string, not copied from a collected log, and must be diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("devices and hosts", () => {
  it("DeepSpeed's sanity check refusing fp16 or bf16 is dtype_unsupported", () => {
    // deepspeed/runtime/engine.py _do_sanity_check: raise ValueError("Type fp16 is not supported.")
    for (const t of ["fp16", "bf16"]) {
      const log = [
        '  File "/usr/lib/python3/site-packages/deepspeed/runtime/engine.py", line 1080, in _do_sanity_check',
        `    raise ValueError("Type ${t} is not supported.")`,
        `ValueError: Type ${t} is not supported.`,
      ].join("\n");
      expect(top(log).category, t).toBe("dtype_unsupported");
    }
  });

  it("torch's store-based barrier timing out at process-group creation is hccl_timeout", () => {
    // torch/distributed/distributed_c10d.py _store_based_barrier: f"Timed out initializing process group in
    // store-based barrier on rank: {rank}, for key: {store_key} (world_size={world_size}, worker_count={n},
    // timeout={timeout})"
    const log =
      "RuntimeError: Timed out initializing process group in store-based barrier on rank: 0, for key: store_based_barrier_key:1 (world_size=8, worker_count=2, timeout=0:30:00)";
    expect(top(log).category).toBe("hccl_timeout");
  });

  it("Ray's memory monitor killing workers is host_oom", () => {
    // Ray's OOM-prevention message names the threshold variable and its documentation page.
    const log = [
      "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.",
      "Memory on the node (IP: 10.0.0.2) where the task was running was 480.12GB / 503.00GB (0.954), which exceeds the memory usage threshold of 0.95.",
      "Refer to the documentation on how to address the out of memory issue: https://docs.ray.io/en/latest/ray-core/scheduling/ray-oom-prevention.html.",
    ].join("\n");
    expect(top(log).category).toBe("host_oom");
  });

  it("the runtime out of stream resources is device_busy", () => {
    // CANN runtime (api_c.cc): "rtStreamCreateWithFlags:ErrCode=207008, desc=[driver error:no stream resource]"
    const log =
      "[ERROR] RUNTIME(3001,python):2025-01-02-03:04:05.678.901 [api_c.cc:461]3001 rtStreamCreateWithFlags:ErrCode=207008, desc=[driver error:no stream resource], InnerCode=0x702001a";
    expect(top(log).category).toBe("device_busy");
  });
});

describe("libraries and checkpoints", () => {
  it("AutoConfig's model-type lookup failing is an old transformers, not a dataset field", () => {
    const trace = (key: string) =>
      [
        '  File "/env/lib/python3.10/site-packages/transformers/models/auto/configuration_auto.py", line 1022, in from_pretrained',
        '    config_class = CONFIG_MAPPING[config_dict["model_type"]]',
        '  File "/env/lib/python3.10/site-packages/transformers/models/auto/configuration_auto.py", line 723, in __getitem__',
        "    raise KeyError(key)",
        `KeyError: '${key}'`,
      ].join("\n");
    expect(top(trace("qwen2_vl")).category).toBe("transformers_version_conflict");
    // A KeyError in a dataset's collate function stays a dataset field.
    const collate = [
      '  File "/work/train.py", line 88, in collate_fn',
      '    images = [ex["image"] for ex in batch]',
      "KeyError: 'image'",
    ].join("\n");
    expect(top(collate).category).toBe("dataset_key_error");
  });

  it("AutoAWQ's model-type check is a library older than the model, only inside AutoAWQ", () => {
    // awq/models/auto.py check_and_get_model_type: raise TypeError(f"{config.model_type} isn't supported yet.")
    const awq = [
      '  File "/env/lib/python3.11/site-packages/awq/models/auto.py", line 29, in check_and_get_model_type',
      '    raise TypeError(f"{config.model_type} isn\'t supported yet.")',
      "TypeError: qwen3 isn't supported yet.",
    ].join("\n");
    expect(top(awq).category).toBe("transformers_version_conflict");
    expect(diagnoseText("TypeError: qwen3 isn't supported yet.").findings[0]!.rule).not.toBe(
      "transformers-version-conflict",
    );
  });

  it("DeepSpeed without a `latest` tracker is checkpoint_incomplete, with both trackers' commands", () => {
    // deepspeed/runtime/engine.py load_checkpoint: f"Unable to find latest file at {latest_path}, if trying to load
    // latest checkpoint please ensure this file exists or pass an explicit checkpoint tag when loading a checkpoint."
    const log =
      "[WARNING] [engine.py:2914:load_checkpoint] Unable to find latest file at /data/out/run1/latest, if trying to load latest checkpoint please ensure this file exists or pass an explicit checkpoint tag when loading a checkpoint.";
    const f = top(log);
    expect(f.category).toBe("checkpoint_incomplete");
    expect(f.facts.save_dir).toBe("/data/out/run1");
    const commands = f.fixes.flatMap((x) => x.commands ?? []);
    expect(commands.some((c) => c.includes("latest_checkpointed_iteration.txt"))).toBe(true);
    expect(commands.some((c) => /global_step\S* > \S*\/latest$/.test(c))).toBe(true);
  });

  it("a program's own 'too much disk space' is disk_full", () => {
    // unsloth's GGUF export warning: "`model.{save_pretrained/push_to_hub}_gguf will use too much disk space."
    expect(top("`model.save_pretrained_gguf` will use too much disk space.").category).toBe("disk_full");
    expect(top("Error: insufficient disk space for the merged model").category).toBe("disk_full");
  });
});

describe("a name that is no local folder", () => {
  // transformers/utils/hub.py cached_file: f"{path_or_repo_id} is not a local folder and is not a valid model
  // identifier listed on 'https://huggingface.co/models'\nIf this is a private repository, make sure to pass a token..."
  const message = (name: string) =>
    `OSError: ${name} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'`;

  it("is the Hub refusing a repo id when the name is not a path, with the repo for the fix", () => {
    const f = top(message("Qwen/Qwen2.5-VL-3B-Instruc"));
    expect(f.category).toBe("hub_access");
    expect(f.facts.repo).toBe("Qwen/Qwen2.5-VL-3B-Instruc");
    expect(top(message("Mobile-VideoGPT-1.5B")).category).toBe("hub_access");
  });

  it("is a local directory that is not there when the name is a path", () => {
    for (const p of ["/data/models/qwen2-vl", "./ckpt/merged", "~/models/llava", "C:\\models\\qwen"]) {
      expect(top(message(p)).category, p).toBe("missing_weights");
    }
  });
});
