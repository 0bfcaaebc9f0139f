// onboard: a new person and a fresh host → a working smoke test, each step explained before it runs.
import { z } from "zod";
import { definePrompt } from "./prompt.js";

export default definePrompt({
  name: "onboard",
  title: "First fine-tune on a new host",
  description:
    "For someone new: from a fresh host to a short smoke-test run, explaining each step briefly before running it.",
  args: {
    host: z.string().optional().describe("Host to set up (default: local)"),
  },
  render: ({ host }) => {
    const on = host?.trim() || "local";
    return [
      `I am new to ascend-train. Take me from a fresh host "${on}" to a working smoke-test fine-tune.`,
      "Before each step, explain in a sentence or two what it checks or changes and why; after it, say what you found.",
      "",
      `1. \`list_hosts\`: show the configured hosts and whether each answers. If "${on}" is missing or does not answer, ` +
        "explain how to add it to ascend-train.yaml (ssh destination, CANN root, Python environment) and stop there.",
      `2. \`check_env\` on "${on}": walk me through the findings (NPUs and their health, driver, CANN, Python, ` +
        "torch_npu, ports), errors first.",
      "3. `install_stack` if the stack is missing or mismatched: show the plan, say what it installs and where, and " +
        "ask me before calling it with confirm: true.",
      "4. `find_model` to pick a small supported model for the test (for example qwen2.5vl-3b): say where its weights " +
        "come from and how much disk they need.",
      "5. `prepare_dataset` on a tiny sample dataset, then `validate_dataset`.",
      "6. `convert_weights`, then `build_configs` sized for a smoke test (a few iterations on one node). Show each plan " +
        "and ask before confirming.",
      "7. `launch_train` the smoke test (ask me first), then `tail_logs` until a few iterations report a loss; explain " +
        "the numbers. If it fails, `diagnose_error` and explain the cause.",
      "8. Finish with what worked, where the files are on the host, and how to plan a real run with `plan_finetune`.",
      "",
      "Ask me before anything destructive: installing packages, overwriting files, launching or stopping a run.",
    ].join("\n");
  },
});
