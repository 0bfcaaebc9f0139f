// Every prompt, in one list.
import diagnose from "./diagnose.js";
import finetune from "./finetune.js";
import onboard from "./onboard.js";
import type { PromptDef } from "./prompt.js";

// biome-ignore lint/suspicious/noExplicitAny: heterogeneous prompt definitions
export const allPrompts: PromptDef<any>[] = [finetune, diagnose, onboard];

export function findPrompt(name: string) {
  return allPrompts.find((p) => p.name === name);
}
