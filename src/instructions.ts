// What MCP clients that read server instructions are told about the workflow.
export const SERVER_INSTRUCTIONS = [
  "ascend-train fine-tunes vision-language models with MindSpeed-MM on Huawei Ascend NPU hosts.",
  "Every tool acts on a named host (list_hosts shows them; 'local' always exists).",
  "Usual flow: list_hosts → check_env → install_stack (plan, then confirm) → prepare_dataset / validate_dataset →",
  "estimate_memory (will the layout fit?) → convert_weights → build_configs → launch_train (confirm) → tail_logs → diagnose_error when a run fails.",
  "Tools that change a host return a plan first and act only with confirm: true; show the plan to the person and ask before confirming.",
].join(" ");
