// Signals read from the stacks' own sources, seventh collection: the driver's managed heap and text-generation-
// inference's warmup out of memory, Go's "signal: killed", Ray's object store larger than /dev/shm, EACCES in other
// locales, a lone CR bash quotes inside a file name, torchvision imported from its own checkout, Lightning 2.0's
// precision names on an older Lightning, the interpreter's missing script, transformers' resume from a folder without
// a checkpoint, a trainer's checkpoint-<step> folder taken for a Hub id, an infinite loss in a progress line, and a
// Hub refusal read as the cause of the files a repo "does not appear to have". Each message is built from the cited
// source's format string, not copied from a collected log, and must be diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("memory", () => {
  it("the driver's managed heap and TGI's warmup running out are npu_oom", () => {
    // The driver's devmm: "heap_alloc_managed out of memory, pp=0x%x, bytesize=%llu."
    expect(
      top(
        "[ERROR] DRV(100,python3):devmm_alloc_managed <errno:12, 6> heap_alloc_managed out of memory, pp=0x1, bytesize=2147483648.",
      ).category,
    ).toBe("npu_oom");
    // text-generation-inference server/text_generation_server/models/flash_causal_lm.py warmup.
    const tgi = [
      "RuntimeError: Not enough memory to handle 4096 prefill tokens. You need to decrease `--max-batch-prefill-tokens`",
      "ERROR text_generation_launcher: Method Warmup encountered an error.",
    ].join("\n");
    expect(top(tgi).category).toBe("npu_oom");
  });

  it("a child process Go reports as killed by SIGKILL is host_oom; a healthy 'signal:' word is nothing", () => {
    // Go os/exec ExitError: "signal: killed"; ollama wraps it as "llama runner process has terminated: %v".
    expect(
      top('level=ERROR msg="error loading llama server" error="llama runner process has terminated: signal: killed"')
        .category,
    ).toBe("host_oom");
    expect(top("INFO received signal: killed processes are listed below").category).not.toBe("host_oom");
  });

  it("Ray's object store asking more than /dev/shm holds is shm_bus_error", () => {
    // ray src/ray/object_manager/plasma/store_runner.cc
    const log =
      "(raylet) store_runner.cc:83: System memory request exceeds memory available in /dev/shm. The request is for 2000000000 bytes, and the amount available is 1000000000 bytes.";
    expect(top(log).category).toBe("shm_bus_error");
  });

  it("an infinite loss in a progress line is nan_loss; a loss that merely names inf elsewhere is not", () => {
    // mmengine's logger: "loss_cls: 0.9762, loss_bbox: inf, loss: inf"; HF Trainer's {'loss': inf, ...}.
    expect(
      top("Epoch [1][50/152]  lr: 1.0e-03, loss_cls: 0.9762, loss_bbox: inf, loss: inf, grad_norm: 2.8").category,
    ).toBe("nan_loss");
    expect(top("{'loss': inf, 'learning_rate': 2e-05, 'epoch': 0.1}").category).toBe("nan_loss");
    expect(top("loss: information about the run follows").category).not.toBe("nan_loss");
  });
});

describe("environment", () => {
  it("EACCES in a shell's other locales is permission_denied", () => {
    // glibc po/*.po msgstr for "Permission denied", as bash prints "<path>: <strerror>".
    for (const text of ["Permission non accordée", "Keine Berechtigung", "Permiso denegado", "Отказано в доступе"])
      expect(top(`bash: /opt/sdk/tools/run.sh: ${text}`).category, text).toBe("permission_denied");
  });

  it("a lone CR bash quotes inside a file name is windows_line_endings", () => {
    // bash print_cmd.c ansic_quote: a word ending in CR prints as '/dev/null'$'\r'.
    expect(top("tail: cannot open '/dev/null'$'\\r' for reading: No such file or directory").category).toBe(
      "windows_line_endings",
    );
  });

  it("torchvision imported from its own checkout is import_from_source_dir", () => {
    // torchvision/__init__.py: "You are importing torchvision within its own root folder ({}). This is not expected to
    // work and may give errors. Please exit the torchvision project source and relaunch your python interpreter."
    const log =
      "torchvision/__init__.py:26: UserWarning: You are importing torchvision within its own root folder (/work/vision). This is not expected to work and may give errors. Please exit the torchvision project source and relaunch your python interpreter.";
    expect(top(log).category).toBe("import_from_source_dir");
  });

  it("Lightning 2.0's precision names refused by an older Lightning are a framework version conflict", () => {
    // lightning/fabric/connector.py _check_config_and_set_final_flags (1.x): f"Precision {repr(precision)} is
    // invalid. Allowed precision values: {supported_precision}"
    const log =
      "ValueError: Precision 'bf16-true' is invalid. Allowed precision values: ('64', '32', '16', 'bf16', 64, 32, 16)";
    expect(top(log).category).toBe("transformers_version_conflict");
    expect(top("ValueError: Precision 'fp8' is invalid. Allowed precision values: ('16-mixed',)").category).not.toBe(
      "transformers_version_conflict",
    );
  });
});

describe("paths, checkpoints and the Hub", () => {
  it("the interpreter's missing script is input_path_missing", () => {
    // CPython Modules/main.c: "%ls: can't open file %R: [Errno %d] %s"
    const log =
      "/usr/bin/python3: can't open file '/work/sd-scripts/train_network.py': [Errno 2] No such file or directory";
    expect(top(log).category).toBe("input_path_missing");
  });

  it("transformers' resume from a folder with no checkpoint in it is checkpoint_incomplete", () => {
    // transformers integrations/deepspeed.py deepspeed_load_checkpoint and trainer.py _load_from_checkpoint:
    // raise ValueError(f"Can't find a valid checkpoint at {checkpoint_path}")
    expect(top("ValueError: Can't find a valid checkpoint at ./out/checkpoint-1500").category).toBe(
      "checkpoint_incomplete",
    );
  });

  it("a trainer's checkpoint-<step> folder that is not there is missing_weights, an unknown Hub id hub_access", () => {
    // transformers utils/hub.py cached_file: f"{path_or_repo_id} is not a local folder and is not a valid model
    // identifier listed on 'https://huggingface.co/models'"
    const said = (name: string) =>
      top(
        `OSError: ${name} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'`,
      ).category;
    expect(said("output/checkpoint-500")).toBe("missing_weights");
    expect(said("acme/qwen-tuned")).toBe("hub_access");
  });

  it("a Hub 403 explains the config.json a gated repo 'does not appear to have'", () => {
    // huggingface_hub utils/_errors.py hf_raise_for_status; transformers' "does not appear to have a file named".
    const log = [
      "Error running job: black-forest-labs/FLUX.1-dev does not appear to have a file named config.json.",
      "requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://huggingface.co/black-forest-labs/FLUX.1-dev/resolve/main/config.json",
    ].join("\n");
    const v = diagnoseText(log);
    expect(v.findings[0]!.category).toBe("hub_access");
    expect(v.findings.find((f) => f.category === "missing_weights")?.explainedBy).toBe("hub-access");
  });
});
