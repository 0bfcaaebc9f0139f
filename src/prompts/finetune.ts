// finetune: model + data + host → the whole flow, one tool at a time, asking before each destructive step.
import { z } from "zod";
import { definePrompt } from "./prompt.js";

export default definePrompt({
  name: "finetune",
  title: "Fine-tune a vision-language model",
  description:
    "The whole flow on one host: environment, stack, dataset, weights, configs, launch and first metrics, asking before each destructive step.",
  args: {
    model: z.string().min(1).describe("Model id or Hugging Face name, e.g. qwen2.5vl-7b"),
    data: z.string().min(1).describe("Dataset on the host: a directory or a JSON/JSONL file"),
    host: z.string().optional().describe("Host from list_hosts (default: local)"),
  },
  render: ({ model, data, host }) => {
    const on = host?.trim() || "local";
    return [
      `Fine-tune ${model} on the dataset at ${data} on host "${on}" with MindSpeed-MM.`,
      "Work through these steps in order. After each one, tell me in a sentence or two what you found.",
      "",
      `1. \`plan_finetune\` with model, dataset and host: see which steps are already done on "${on}" and skip them.`,
      `2. \`check_env\` on "${on}" with the model: summarise the error findings first. Change nothing yet.`,
      "3. `install_stack`, only if the environment is missing or mismatches the release: call it without confirm to get " +
        "the plan, show it to me, and ask before calling it with confirm: true (it installs packages on the host).",
      "4. `prepare_dataset` to turn the data into the layout the model's recipe reads (skip if it already is), then " +
        "`validate_dataset`: report the sample count and any bad samples. If more than a few percent are bad, stop and ask me.",
      "5. `convert_weights` from Hugging Face to the MindSpeed-MM layout: show the plan (source, target, disk needed) and ask " +
        "before confirming. Never overwrite an existing converted directory without asking.",
      "6. `build_configs`: first `estimate_memory` for the model, NPU count and chip, and use a layout it says fits; " +
        "show the key settings (parallelism, batch sizes, sequence length, learning rate, iterations) and " +
        "ask whether to change any before writing the files.",
      "7. `launch_train`: show the launch plan and ask me before confirming; it starts a run on the NPUs.",
      "8. `tail_logs` on the new run: after the first iterations, report loss, step time and throughput. If the run fails, " +
        "call `diagnose_error` and propose the fix.",
      "9. When the run has finished: `export_model` on its run id (show the plan, ask before confirming) to get a Hugging " +
        "Face directory; then `run_inference` with compareBase: true (without images it asks the first training record's " +
        "question about that record's image; pass images of mine if I name some) and show each fine-tuned answer " +
        "next to the base model's; then, if I want scores, `evaluate_model` on the benchmarks whose data is on the host.",
      "",
      "Confirm with me before anything destructive: installing, overwriting files, launching or stopping a run. " +
        "If I decline, do not retry; ask what I want instead.",
    ].join("\n");
  },
});
