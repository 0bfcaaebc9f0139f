// diagnose: a run or a log → the cause, the evidence and a fix applied only with the person's agreement.
import { z } from "zod";
import { definePrompt } from "./prompt.js";

export default definePrompt({
  name: "diagnose",
  title: "Diagnose a failed or stuck training run",
  description:
    "From a run id or a log file: read the log, match known failures, explain the cause and apply the fix once agreed.",
  args: {
    run: z.string().optional().describe("Run id from launch_train or list_runs"),
    log: z.string().optional().describe("Path of a training log on the host (when there is no run id)"),
    host: z.string().optional().describe("Host holding the run or the log (default: local)"),
  },
  render: ({ run, log, host }) => {
    const on = host?.trim() || "local";
    const target = run?.trim() ? `run ${run.trim()}` : log?.trim() ? `the log ${log.trim()}` : "the latest run";
    const steps: string[] = [];
    if (!run?.trim() && !log?.trim())
      steps.push(
        `\`list_runs\` on "${on}": pick the most recent failed or stalled run and confirm with me that it is the one.`,
      );
    steps.push(
      "`tail_logs` on it: the last lines, the last iteration's metrics and the run state.",
      "`diagnose_error` on the same run or log: it matches the log against known failure signatures and returns " +
        "causes with fixes.",
      `\`check_env\` on "${on}" when the cause points at the environment (driver, CANN, torch_npu, ports, shared ` +
        "memory, NPUs held by other processes).",
      "Explain the cause in two or three sentences, quoting the log line that shows it, and propose the smallest fix.",
      "Apply the fix only after I agree: configuration changes through `build_configs`, environment changes through " +
        "`install_stack`, a stuck run through `stop_run`, then `resume_run` or `launch_train`. Call each without confirm " +
        "first to show me the plan, and with confirm: true only once I say yes.",
    );
    return [
      `Find out why ${target} on host "${on}" failed or misbehaves, and help me fix it.`,
      "",
      ...steps.map((step, i) => `${i + 1}. ${step}`),
      "",
      "Never stop, overwrite or relaunch anything without asking me first.",
    ].join("\n");
  },
});
