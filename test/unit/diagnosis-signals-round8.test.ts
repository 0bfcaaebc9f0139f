// Signals read from the stacks' own sources, fifth collection: accelerate's port check, CUDA's "device(s) is/are" and
// too-many-peers wordings, the runtime's AI CPU timeout and managed-allocation failure, HCCL's and GE's dtype refusals,
// DeepSpeed's launcher and checkpoint files, Megatron's tracker check, the op-binary lookup, CRs in a printed command,
// the Hub's 401/403 and datasets' gated-dataset message, huggingface_hub's lock wait and missing input paths in the
// loaders' own words. Each message is built from the cited source's format string, not copied from a collected log,
// and must be diagnosed as its category by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;
const categories = (log: string) => diagnoseText(log).findings.map((f) => f.category);

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("devices, ports and peers", () => {
  it("accelerate's main-process port check is port_in_use", () => {
    // accelerate/commands/launch.py: f"Tried to launch distributed communication on port `{port}`, but another
    // process is utilizing it. Please specify a different port ..."
    const log =
      "ConnectionError: Tried to launch distributed communication on port `29501`, but another process is utilizing it. Please specify a different port (such as using the `--main_process_port` flag or specifying a different `main_process_port` in your config file) and rerun your script.";
    expect(top(log).category).toBe("port_in_use");
  });

  it("CUDA's cudaErrorDevicesUnavailable in both wordings is device_busy", () => {
    // cudaGetErrorString(46): "all CUDA-capable devices are busy or unavailable" (older), "CUDA-capable device(s)
    // is/are busy or unavailable" (CUDA 11+).
    expect(top("RuntimeError: CUDA error: CUDA-capable device(s) is/are busy or unavailable").category).toBe(
      "device_busy",
    );
    expect(top("RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable").category).toBe(
      "device_busy",
    );
  });

  it("cudaErrorTooManyPeers is device_p2p_driver_error", () => {
    // cudaGetErrorString(711): "peer mapping resources exhausted".
    expect(top("RuntimeError: CUDA error: peer mapping resources exhausted").category).toBe("device_p2p_driver_error");
  });
});

describe("the Ascend runtime and compiler", () => {
  it("an AI CPU task timeout and the kernel report after it are aicore_error", () => {
    // runtime task report: "kernel task happen error, retCode=0x28, [aicpu timeout]."
    const log = [
      "[ERROR] RUNTIME(1234,python3):2024-01-01-00:00:00.000.000 kernel task happen error, retCode=0x28, [aicpu timeout].",
      "[ERROR] RUNTIME(1234,python3):2024-01-01-00:00:00.000.001 aicpu kernel execute failed, device_id=0, stream_id=2, task_id=7, fault so_name=, fault kernel_name=, extend_info=.",
    ].join("\n");
    expect(top(log).category).toBe("aicore_error");
  });

  it("the runtime's managed device allocation failing is npu_oom", () => {
    // npu_driver.cc DevMemAllocManaged / api_error.cc DevMalloc.
    const log = [
      "[ERROR] RUNTIME(99,python):2025-01-01-00:00:00.000.000 [npu_driver.cc:1274]99 DevMemAllocManaged:[INIT][DEFAULT]DevMemAllocManaged failed: device_id=0, type=17, size=64(Byte), drvRetCode=6!",
      "[ERROR] RUNTIME(99,python):2025-01-01-00:00:00.000.001 [api_error.cc:1052]99 DevMalloc:[INIT][DEFAULT]Device malloc failed, size=64(Byte), type=17.",
    ].join("\n");
    expect(top(log).category).toBe("npu_oom");
  });

  it("HCCL refusing a tensor type, and GE finding no op store for the inputs, are dtype_unsupported", () => {
    // torch_npu ProcessGroupHCCL: "HCCL AllReduce & Reduce: Unsupported data type at::kByte/at::kBool".
    expect(top("RuntimeError: HCCL AllReduce & Reduce: Unsupported data type at::kByte/at::kBool").category).toBe(
      "dtype_unsupported",
    );
    // GE dnnengine_manager.cc GetDNNEngineName.
    const ge = [
      "[ERROR] GE(100,python3):2022-01-01-00:00:00.000.000 [dnnengine_manager.cc:266]100 GetDNNEngineName: ErrorNo: 1343242282(assign engine failed) GetDNNEngineName:Op type Foo of ops kernel AIcoreEngine is unsupported, reason:Op Foo not supported reason: The type of this op is not found in op store.",
      "The dtype, format or shape of input in op desc is not supported in op store, check the dtype, format or shape of input between the op store and the graph. Op store name is tbe-builtin.",
    ].join("\n");
    expect(top(ge).category).toBe("dtype_unsupported");
  });

  it("no binary for an operator is the kernels package, above the EZ9999 it raises", () => {
    // The op-binary lookup: "Cannot find bin of op <Op>, integral key ..." and "Cannot find binary for op <Op>."
    const log = [
      "RuntimeError: call aclnnFoo failed, detail:EZ9999: Inner Error!",
      "EZ9999: [PID: 1] 2025-01-01-00:00:00.000.000 Cannot find bin of op Foo, integral key 0/1/|int64/ND/int64/ND/.",
      "        TraceBack (most recent call last):",
      "       Cannot find binary for op Foo.",
    ].join("\n");
    expect(top(log).category).toBe("cann_version_mismatch");
    expect(categories(log)).toContain("aicore_error");
  });

  it("EC0010 is decoded from its own message: the op compiler's Python modules cannot be imported", () => {
    const log =
      "EC0010: Failed to import Python module [ModuleNotFoundError: No module named 'tbe.common.x'.].\n        Solution: Check that all required components are properly installed and the specified Python path matches the Python installation directory. (If the path does not match the directory, run set_env.sh in the installation package.)";
    const v = diagnoseText(log);
    expect(v.codes.map((c) => c.code)).toContain("EC0010");
    expect(v.codes.find((c) => c.code === "EC0010")!.category).toBe("cann_env_not_sourced");
  });
});

describe("launchers and scripts", () => {
  it("DeepSpeed's launcher reporting a rank killed with -9 is host_oom; another return code is not", () => {
    // deepspeed/launcher/launch.py sigkill_handler: logger.error(f"{cmd} exits with return code = {returncode}").
    const killed =
      "[ERROR] [launch.py:321:sigkill_handler] ['python', '-u', 'train.py', '--local_rank=0'] exits with return code = -9";
    expect(top(killed).category).toBe("host_oom");
    expect(categories(killed.replace("= -9", "= 1"))).not.toContain("host_oom");
  });

  it("a CR printed as an argument of its own, or continuation lines run as commands, is windows_line_endings", () => {
    const argv =
      "[ERROR] [launch.py:321:sigkill_handler] ['python', '-u', 'train.py', '--local_rank=0', '\\r'] exits with return code = 2";
    expect(top(argv).category).toBe("windows_line_endings");
    // bash: "<script>: line N: <word>: command not found", once per continued line of a CRLF script.
    const continued = [
      "run.sh: line 3: --model_name_or_path: command not found",
      "run.sh: line 4: --do_train: command not found",
    ];
    expect(top(continued.join("\n")).category).toBe("windows_line_endings");
    expect(categories(continued[0]!)).not.toContain("windows_line_endings");
  });

  it("apex's scaler down to a scale of 1 is nan_loss", () => {
    // apex/amp/handle.py: "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to {}".
    expect(top("Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 1.0").category).toBe(
      "nan_loss",
    );
    expect(categories("Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0")).not.toContain(
      "nan_loss",
    );
  });
});

describe("checkpoints, inputs and the Hub", () => {
  it("DeepSpeed's missing ZeRO shards and tag files, its empty checkpoint list and Megatron's tracker check are checkpoint_incomplete", () => {
    // deepspeed/runtime/engine.py _get_all_zero_checkpoints.
    expect(
      top(
        "[WARNING] [engine.py:1656:_get_all_zero_checkpoints] The following zero checkpoints paths are missing: ['ckpt/global_step100/zero_pp_rank_1_mp_rank_00_optim_states.pt']",
      ).category,
    ).toBe("checkpoint_incomplete");
    // engine.py _get_zero_ckpt_name: zero_pp_rank_{dp}_mp_rank_{mp:02d}_optim_states.pt under the tag directory.
    const shard =
      "FileNotFoundError: [Errno 2] No such file or directory: 'out/global_step500/zero_pp_rank_3_mp_rank_00_optim_states.pt'";
    expect(top(shard).category).toBe("checkpoint_incomplete");
    // state_dict_factory.py check_ckpt_list: a bare assertion, stated by its source line.
    const empty = [
      '  File "/env/deepspeed/runtime/state_dict_factory.py", line 162, in check_ckpt_list',
      "    assert len(self.ckpt_list) > 0",
      "AssertionError",
    ].join("\n");
    expect(top(empty).category).toBe("checkpoint_incomplete");
    // megatron/training/checkpointing.py read_metadata.
    expect(top("AssertionError: error parsing metadata file /ckpt/latest_checkpointed_iteration.txt").category).toBe(
      "checkpoint_incomplete",
    );
  });

  it("a missing weight file in a program's own words is missing_weights, not a generic missing input", () => {
    // pytorch/examples imagenet/main.py: print("=> no checkpoint found at '{}'".format(args.resume)).
    expect(top("=> no checkpoint found at '/runs/x/checkpoint_600.pth.tar'").category).toBe("missing_weights");
    expect(top('FileNotFoundError: No such file or directory: "./ckpt/unet/unet.safetensors"').category).toBe(
      "missing_weights",
    );
    const assertion = [
      '  File "main.py", line 20, in load',
      '    assert os.path.exists(load_path), "Failed to load: {} (file not exist)".format(load_path)',
      "AssertionError: Failed to load: ./exps/run_ep-0003.pth (file not exist)",
    ].join("\n");
    expect(top(assertion).category).toBe("missing_weights");
  });

  it("a data path the loaders cannot find, in their own words, is input_path_missing", () => {
    // LLaMA-Factory data/loader.py: raise ValueError(f"File {local_path} not found.").
    expect(top("ValueError: File data/my_dataset.json not found.").category).toBe("input_path_missing");
    expect(top("ValueError: File data/my_dataset.json not found.").facts.path).toBe("data/my_dataset.json");
    // Errno 2 re-raised inside another message (LLaMA-Factory's dataset_info check).
    expect(
      top(
        "ValueError: Cannot open data/dataset_info.json due to [Errno 2] No such file or directory: 'data/dataset_info.json'.",
      ).category,
    ).toBe("input_path_missing");
    expect(top("FileNotFoundError: `train_dataset_path`: '/work/data/train.jsonl'").category).toBe(
      "input_path_missing",
    );
    expect(top("FileNotFoundError: `train_dataset_path`: '/work/data/train.jsonl'").facts.path).toBe(
      "/work/data/train.jsonl",
    );
    // A bare assertion whose source line checks a path.
    const asserted = [
      '  File "/cache/datasets_modules/uie/uie.py", line 661, in _generate_examples',
      "    assert os.path.exists(ds_path)",
      "AssertionError",
    ].join("\n");
    expect(top(asserted).category).toBe("input_path_missing");
  });

  it("the Hub's 401/403 in any client's words and datasets' gated-or-missing dataset are hub_access", () => {
    // requests' raise_for_status: "401 Client Error: Unauthorized for url: <url>".
    expect(
      top(
        "requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models/org/private-model",
      ).category,
    ).toBe("hub_access");
    // datasets/load.py: f"Dataset '{path}' doesn't exist on the Hub. If the repo is private or gated, make sure to log in".
    const gated =
      "FileNotFoundError: Couldn't find a dataset script at /work/org/set/set.py or any data file in the same directory. Couldn't find 'org/set' on the Hugging Face Hub either: FileNotFoundError: Dataset 'org/set' doesn't exist on the Hub. If the repo is private or gated, make sure to log in with `huggingface-cli login`.";
    expect(top(gated).category).toBe("hub_access");
    expect(top(gated).facts.repo).toBe("org/set");
    const resolve = "403 Client Error: Forbidden for url: https://huggingface.co/org/model-x/resolve/main/config.json";
    expect(top(resolve).facts.repo).toBe("org/model-x");
    expect(categories(gated)).toContain("input_path_missing");
  });

  it("huggingface_hub waiting on its download lock is nfs_cache_hang", () => {
    // huggingface_hub/utils/_fixes.py WeakFileLock: f"Still waiting to acquire lock on {lock_file} (elapsed: {t:.1f} seconds)".
    expect(
      top("Still waiting to acquire lock on /shared/hf/hub/.locks/models--org--m/abc.lock (elapsed: 10.0 seconds)")
        .category,
    ).toBe("nfs_cache_hang");
  });
});

describe("after training", () => {
  it("a LoRA shape mismatch in another project's *inference.py is ckpt_shape_mismatch, not MindSpeed-MM's layout", () => {
    const log = [
      '  File "/work/flux/demo_lora_inference.py", line 115, in main',
      "    procs[name].load_state_dict(sd)",
      "RuntimeError: Error(s) in loading state_dict for LoraProcessor:",
      "\tsize mismatch for qkv_lora.down.weight: copying a param with shape torch.Size([16, 3072]) from checkpoint, the shape in current model is torch.Size([4, 3072]).",
    ].join("\n");
    expect(top(log).category).toBe("ckpt_shape_mismatch");
    expect(top(log.replace("/work/flux/demo_lora_inference.py", "/MindSpeed-MM/inference_vlm.py")).category).toBe(
      "inference_layout_mismatch",
    );
  });
});

describe("where a trace ends", () => {
  const trace = (file: string, fn: string, error: string) =>
    [
      "Traceback (most recent call last):",
      '  File "train.py", line 10, in <module>',
      "    main()",
      `  File "${file}", line 120, in ${fn}`,
      "    raise Boom(msg)",
      error,
    ].join("\n");
  const weak = (log: string, category: string) => diagnoseText(log).findings.find((f) => f.category === category);

  it("in huggingface_hub's HTTP check, a file lock, datasets' file resolution or a checkpoint check: a weak finding of that kind", () => {
    const site = "/env/lib/python3.10/site-packages";
    const cases = [
      [`${site}/huggingface_hub/utils/_http.py`, "hf_raise_for_status", "hub_access"],
      [`${site}/filelock/_api.py`, "acquire", "nfs_cache_hang"],
      [`${site}/datasets/data_files.py`, "resolve_pattern", "input_path_missing"],
      [`${site}/megatron/training/checkpointing.py`, "read_metadata", "checkpoint_incomplete"],
    ] as const;
    for (const [file, fn, category] of cases) {
      const f = weak(trace(file, fn, "Boom: zzq wibble"), category);
      expect(f, category).toBeDefined();
      expect(f!.confidence, category).toBeLessThan(0.5);
      expect(f!.facts.frame, category).toContain(fn);
    }
    expect(weak(trace(`${site}/datasets/arrow_dataset.py`, "map", "Boom: zzq wibble"), "input_path_missing")).toBe(
      undefined,
    );
  });
});
