// Checkpoints that can be resumed exactly: the upstream examples save weights only (--no-save-optim, --no-save-rng,
// or no_save_optim/no_save_rng in a YAML/JSON config), which keeps checkpoints small but makes resume_run restart
// Adam from zero. Asked to keep optimizer state, a plan's files lose those switches; loading stays as upstream has it
// (the converted base weights hold no optimizer state to load).

import { toJson, toYaml } from "./emit.js";
import type { PlannedFile } from "./types.js";

const SAVE_SWITCHES = ["no_save_optim", "no_save_rng"];

function clearSwitches(value: unknown): boolean {
  if (!value || typeof value !== "object") return false;
  let changed = false;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SAVE_SWITCHES.includes(key) && v === true) {
      (value as Record<string, unknown>)[key] = false;
      changed = true;
    } else if (clearSwitches(v)) changed = true;
  }
  return changed;
}

/** The files with every save-without-optimizer switch removed (script flags) or set false (config keys). */
export function keepOptimizerState(files: PlannedFile[]): PlannedFile[] {
  return files.map((f) => {
    if (f.format === "bash") {
      const text = f.text
        .replace(/^[ \t]*--no-save-(?:optim|rng)[ \t]*\\\n/gm, "")
        .replace(/ --no-save-(?:optim|rng)\b/g, "");
      return { ...f, text };
    }
    const value = structuredClone(f.value);
    if (!clearSwitches(value)) return f;
    return { ...f, value, text: f.format === "json" ? toJson(value) : toYaml(value) };
  });
}
