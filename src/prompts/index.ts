// Every prompt, in one list.
import type { PromptDef } from "./prompt.js";

// biome-ignore lint/suspicious/noExplicitAny: heterogeneous prompt definitions
export const allPrompts: PromptDef<any>[] = [];
